"""A link as a QR code for labels and hang tags (passports, brand licences): SVG, which scales
for print, or PNG; `?download=1` makes it an attachment named after what it points to."""

from __future__ import annotations

import io

from django.http import HttpRequest, HttpResponse

QR_FORMATS = ("svg", "png")


def qr_response(request: HttpRequest, link: str, fmt: str, name: str) -> HttpResponse:
    """`fmt` must be one of QR_FORMATS (the caller answers the others with its own 404)."""
    import qrcode
    import qrcode.image.svg

    out = io.BytesIO()
    if fmt == "svg":
        qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=10).save(out)
        content_type = "image/svg+xml"
    else:
        qrcode.make(link, box_size=10, border=4).save(out, format="PNG")
        content_type = "image/png"
    response = HttpResponse(out.getvalue(), content_type=content_type)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
