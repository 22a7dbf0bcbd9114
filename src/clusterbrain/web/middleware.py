"""Requests carrying a NUL character are refused before any view runs.

PostgreSQL text cannot hold NUL, so a NUL reaching a query is a database error (a 500) in
whichever view passes it on; SQLite takes it silently. No identifier, name or search of ours
contains one, so the request is refused as a whole, naming where the NUL was.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

_JSON_PREFIXES = ("/api/", "/epcis/")


def _nul_at(request: HttpRequest) -> tuple[str, ...] | None:
    if "\x00" in request.path:
        return ("path",)
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return ("query", key.replace("\x00", "\\0"))
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        for key, values in request.POST.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return ("form", key.replace("\x00", "\\0"))
    return None


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        loc = _nul_at(request)
        if loc is None:
            return self.get_response(request)
        detail = _("The request holds a NUL character, which no field accepts.")
        errors = [{"loc": list(loc), "msg": _("Remove the NUL character (\\0).")}]
        if request.path.startswith(_JSON_PREFIXES):
            body: dict[str, object] = {"detail": detail, "errors": errors}
            content_type = "application/json"
            if request.path.startswith("/epcis/"):  # the binding's problem+json (decision 0011)
                body = {"type": "epcisException:ValidationException", "title": "Bad request"}
                body |= {"status": 400, "detail": detail, "errors": errors}
                content_type = "application/problem+json"
            return HttpResponse(json.dumps(body), status=400, content_type=content_type)
        return render(
            request,
            "400.html",
            {"detail": detail, "errors": [{"msg": e["msg"]} for e in errors]},
            status=400,
        )
