"""The JSON API: one NinjaAPI, each domain adds its router under /api/v1/. OpenAPI at /api/docs.

Every error has one shape, `{"detail": …, "errors": [{"loc": […], "msg": …}]}`: domain errors
with their status, request validation 422 with `loc` naming the field (without ninja's
"body"/"query" prefix), authentication 401, and, as a last resort that tests show no bad input
reaches, a logged 500 with no traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from clusterbrain.errors import DomainError

logger = logging.getLogger("clusterbrain.api")

api = NinjaAPI(
    title="clusterbrain API",
    version="1",
    description="The cluster registry, chains and figures. Same permissions as the pages.",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

# Where ninja says a value came from, and the names our handlers give their schema parameters:
# neither is a field the client sent, so neither belongs in `loc`.
_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}
_PARAMS = {"payload", "filters", "paging"}


def _error_body(detail: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


def _field_loc(loc: Any) -> list[str | int]:
    parts = list(loc or [])
    source = parts[0] if parts and parts[0] in _SOURCES else None
    if source is not None:
        parts = parts[1:]
    if parts and parts[0] in _PARAMS:
        parts = parts[1:]
    return parts or [source or "body"]


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: list[dict[str, Any]] = [
        {"loc": _field_loc(error.get("loc")), "msg": str(error.get("msg", _("Invalid value.")))}
        for error in exc.errors
    ]
    detail = str(errors[0]["msg"]) if len(errors) == 1 else _("Some fields need correcting.")
    return api.create_response(request, _error_body(detail, errors), status=422)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        _error_body(_("Log in, or send 'Authorization: Bearer <API token>'.")),
        status=401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, _error_body(str(exc)), status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, _error_body(_("Not found.")), status=404)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled error in %s %s", request.method, request.path)
    return api.create_response(
        request, _error_body(_("Something went wrong on our side; it has been logged.")), status=500
    )


def _add_routers() -> None:
    from clusterbrain.registry.api import router as registry_router

    api.add_router("/v1/", registry_router)


_add_routers()
