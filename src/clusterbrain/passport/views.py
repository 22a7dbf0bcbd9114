"""The passport pages: the public page of a published passport (by Digital Link or short
address, no login, `?format=json` for the JSON export), its QR code, and the firm's pages to
publish, refresh and withdraw passports and to export a leather lot's EUDR data.

A public address that names no published passport, or is not a readable Digital Link, is a
friendly 404 page naming what is wrong, never a 500."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clusterbrain.errors import InvalidInput, NotFound
from clusterbrain.passport import eudr, permissions, selectors, services
from clusterbrain.passport.api import base_url, export_document
from clusterbrain.passport.forms import PublishForm
from clusterbrain.passport.models import Passport
from clusterbrain.trace import selectors as trace_selectors
from clusterbrain.web.decorators import domain_errors
from clusterbrain.web.qr import QR_FORMATS, qr_response


def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return render(
        request,
        "passport/not_found.html",
        {"detail": exc.detail, "errors": exc.errors},
        status=404,
    )


def _page(request: HttpRequest, passport: Passport) -> HttpResponse:
    fmt = request.GET.get("format", "")
    if fmt == "json":
        document = export_document(passport, base_url(request))
        response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})
        response["Access-Control-Allow-Origin"] = "*"
        return response
    if fmt not in ("", "html"):
        return _not_found(request, NotFound(_("Choose json or html as the format.")))
    return render(
        request,
        "passport/public.html",
        {"passport": passport, "snap": passport.snapshot},
    )


def by_slug(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        passport = selectors.public_by_slug(slug)
    except NotFound as exc:
        return _not_found(request, exc)
    return _page(request, passport)


def by_digital_link(request: HttpRequest, rest: str) -> HttpResponse:
    try:
        passport = selectors.public_by_path("/01/" + rest)
    except NotFound as exc:
        return _not_found(request, exc)
    return _page(request, passport)


def qr_code(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The Digital Link as a QR code for labels: SVG (scales for print) or PNG."""
    if fmt not in QR_FORMATS:
        return _not_found(request, NotFound(_("The QR code comes as .svg or .png.")))
    try:
        passport = selectors.public_by_slug(slug)
    except NotFound as exc:
        return _not_found(request, exc)
    return qr_response(request, base_url(request) + passport.path, fmt, f"passport-{slug}")


@login_required
@domain_errors
def passport_list(request: HttpRequest) -> HttpResponse:
    passports = selectors.passports_for(request.user)
    return render(
        request, "passport/list.html", {"passports": passports, "active_nav": "passports"}
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def publish(request: HttpRequest, lot_id: int) -> HttpResponse:
    lot = selectors.publishable_lot(request.user, lot_id)
    existing = selectors.passport_of_lot(lot)
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        form = PublishForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                passport = services.publish(
                    request.user,
                    lot,
                    data["title_zh"],
                    data["title_en"],
                    origins=data["origins"],
                    show_firms=data["show_firms"],
                    show_certificates=data["show_certificates"],
                    show_footprint=data["show_footprint"],
                    slug=data["slug"],
                )
            except InvalidInput as exc:
                for e in exc.errors:
                    name = str(e.loc[0]) if e.loc else ""
                    if name in form.fields:
                        form.add_error(name, e.msg)
                    else:
                        errors.append(e.msg)
                status = 422
            else:
                messages.success(request, _("The passport is published."))
                return redirect("passport-manage", passport.pk)
        else:
            status = 422
    else:
        initial: dict[str, Any] = {}
        if existing is not None:
            initial = {
                "title_zh": existing.title_zh,
                "title_en": existing.title_en,
                "origins": existing.origins,
                "show_firms": existing.show_firms,
                "show_certificates": existing.show_certificates,
                "show_footprint": existing.show_footprint,
                "slug": existing.slug,
            }
        form = PublishForm(initial=initial or None)
    context = {
        "lot": lot,
        "form": form,
        "existing": existing,
        "errors": errors,
        "cluster": lot.cluster,
        "active_nav": "passports",
    }
    return render(request, "passport/publish.html", context, status=status)


@login_required
@domain_errors
def manage(request: HttpRequest, passport_id: int) -> HttpResponse:
    passport = selectors.get_passport(request.user, passport_id)
    context = {
        "passport": passport,
        "link": base_url(request) + passport.path,
        "short": f"{base_url(request)}/p/{passport.slug}",
        "snap": passport.snapshot,
        "may_publish": permissions.may_publish(request.user, passport.enterprise_id),
        "active_nav": "passports",
    }
    return render(request, "passport/manage.html", context)


@login_required
@require_POST
@domain_errors
def action(request: HttpRequest, passport_id: int, verb: str) -> HttpResponse:
    passport = selectors.get_passport(request.user, passport_id)
    if verb == "refresh":
        services.refresh(request.user, passport)
        messages.success(request, _("The passport's content was computed again."))
    elif verb == "withdraw":
        services.withdraw(request.user, passport)
        messages.success(request, _("The passport is withdrawn: its page answers “not found”."))
    else:
        raise NotFound(_("No such action."))
    return redirect("passport-manage", passport.pk)


@login_required
@domain_errors
def eudr_export(request: HttpRequest, lot_id: int) -> HttpResponse:
    lot = trace_selectors.get_lot(request.user, lot_id)
    fmt = request.GET.get("format", "")
    problems: list[Any] = []
    export = None
    try:
        export = eudr.eudr_export(request.user, lot)
    except InvalidInput as exc:
        problems = exc.errors
    if fmt in ("json", "geojson"):
        if export is None:
            return JsonResponse(
                {
                    "detail": _("This lot cannot get a due-diligence statement yet."),
                    "errors": [{"loc": list(p.loc), "msg": p.msg} for p in problems],
                },
                status=422,
            )
        body = export.statement if fmt == "json" else export.geojson
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False, indent=1),
            content_type="application/geo+json" if fmt == "geojson" else "application/json",
        )
        name = "".join(c if c.isalnum() or c in ".-_" else "_" for c in lot.key)[-60:]
        response["Content-Disposition"] = f'attachment; filename="eudr-{name}.{fmt}"'
        return response
    if fmt not in ("", "html"):
        raise InvalidInput.field("format", _("Choose json, geojson or html."))
    context = {
        "lot": lot,
        "export": export,
        "problems": [(".".join(str(x) for x in p.loc), p.msg) for p in problems],
        "cluster": lot.cluster,
        "active_nav": "lots",
    }
    return render(request, "passport/eudr.html", context, status=200 if export else 422)
