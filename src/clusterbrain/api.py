"""The JSON API: one NinjaAPI, each domain adds its router under /api/v1/. OpenAPI at /api/docs.

Every error has one shape, `{"detail": …, "errors": [{"loc": […], "msg": …}]}`: domain errors
with their status, request validation 422 with `loc` naming the field (without ninja's
"body"/"query" prefix) and pydantic's error `type` kept beside the message, authentication 401,
a JSON body sent to a form endpoint 415, a body above Django's upload limit 413, and, as a
last resort that tests show no bad input reaches, a logged 500 with no traceback. Messages are
in the request's language: pydantic's English ones are replaced by catalogue messages for the
common error types (`_message`).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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


# pydantic error type → message; `%(limit)s` is filled from the error's context.
_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("Unknown field."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "float_type": gettext_lazy("Enter a number."),
    "decimal_parsing": gettext_lazy("Enter a number."),
    "decimal_type": gettext_lazy("Enter a number."),
    "finite_number": gettext_lazy("Enter a finite number."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "bool_type": gettext_lazy("Enter true or false."),
    "string_type": gettext_lazy("Enter the value as text."),
    "string_unicode": gettext_lazy("Enter the value as text."),
    "date_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_type": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "greater_than_equal": gettext_lazy("Enter a value of at least %(limit)s."),
    "greater_than": gettext_lazy("Enter a value greater than %(limit)s."),
    "less_than_equal": gettext_lazy("Enter a value of at most %(limit)s."),
    "less_than": gettext_lazy("Enter a value less than %(limit)s."),
    "string_too_long": gettext_lazy("Enter at most %(limit)s characters."),
    "string_too_short": gettext_lazy("Enter at least %(limit)s characters."),
    "enum": gettext_lazy("Choose one of: %(limit)s."),
    "literal_error": gettext_lazy("Choose one of: %(limit)s."),
    "model_type": gettext_lazy("Send a JSON object."),
    "model_attributes_type": gettext_lazy("Send a JSON object."),
    "dict_type": gettext_lazy("Send a JSON object."),
    "list_type": gettext_lazy("Send a list."),
    "json_invalid": gettext_lazy("Cannot parse the request body: send valid JSON."),
}
# Where each message above finds its `limit` in pydantic's error context.
_LIMITS = {
    "greater_than_equal": "ge",
    "greater_than": "gt",
    "less_than_equal": "le",
    "less_than": "lt",
    "string_too_long": "max_length",
    "string_too_short": "min_length",
    "enum": "expected",
    "literal_error": "expected",
}
# ninja's own English messages (HttpError) that reach clients.
_HTTP_MESSAGES = {
    "Cannot parse request body": gettext_lazy("Cannot parse the request body: send valid JSON."),
    "CSRF check failed": gettext_lazy(
        "CSRF check failed: send the CSRF token with a session, or use an API token."
    ),
}
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _limit(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _message(error: dict[str, Any]) -> str:
    """pydantic's error in the request's language (its own message for types not listed)."""
    kind = str(error.get("type", ""))
    message = _MESSAGES.get(kind)
    if message is None:
        return str(error.get("msg") or _("Invalid value."))
    context = error.get("ctx") or {}
    if kind in _LIMITS:
        return str(message) % {"limit": _limit(context.get(_LIMITS[kind], ""))}
    return str(message)


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
    if _form_sent_as_something_else(request, exc):
        return api.create_response(
            request,
            _error_body(
                _("This endpoint takes multipart/form-data (or form-encoded fields), not %(type)s.")
                % {"type": request.content_type or _("an empty body")}
            ),
            status=415,
        )
    errors: list[dict[str, Any]] = [
        {
            "loc": _field_loc(error.get("loc")),
            "msg": _message(error),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors
    ]
    detail = str(errors[0]["msg"]) if len(errors) == 1 else _("Some fields need correcting.")
    return api.create_response(request, _error_body(detail, errors), status=422)


def _form_sent_as_something_else(request: HttpRequest, exc: ValidationError) -> bool:
    """A form endpoint's fields came back missing because the body was JSON (or anything but a
    form): say so, rather than list the fields as missing."""
    if request.content_type in _FORM_TYPES:
        return False
    sent = request.META.get("CONTENT_LENGTH") not in (None, "", "0")
    return sent and any((error.get("loc") or ("",))[0] in ("form", "file") for error in exc.errors)


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
    message = str(exc)
    known = next((m for m in _HTTP_MESSAGES if message.startswith(m)), None)
    detail = str(_HTTP_MESSAGES[known]) if known else message
    return api.create_response(request, _error_body(detail), status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, _error_body(_("Not found.")), status=404)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(
        request,
        _error_body(
            _("The request body is larger than this server accepts (%(mb)s MB).")
            % {"mb": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1048576:.1f}"}
        ),
        status=413,
    )


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled error in %s %s", request.method, request.path)
    return api.create_response(
        request, _error_body(_("Something went wrong on our side; it has been logged.")), status=500
    )


def _add_routers() -> None:
    from clusterbrain.awards.api import router as awards_router
    from clusterbrain.brand.api import router as brand_router
    from clusterbrain.exhibitions.api import router as exhibitions_router
    from clusterbrain.finance.api import router as finance_router
    from clusterbrain.green.api import router as green_router
    from clusterbrain.livestream.api import router as livestream_router
    from clusterbrain.market.api import router as market_router
    from clusterbrain.matching.api import router as matching_router
    from clusterbrain.passport.api import router as passport_router
    from clusterbrain.programs.api import router as programs_router
    from clusterbrain.registry.api import router as registry_router
    from clusterbrain.registry.stewardship_api import router as stewardship_router

    api.add_router("/v1/", registry_router)
    api.add_router("/v1/", stewardship_router)
    api.add_router("/v1/", matching_router)
    api.add_router("/v1/", green_router)
    api.add_router("/v1/", passport_router)
    api.add_router("/v1/", market_router)
    api.add_router("/v1/", livestream_router)
    api.add_router("/v1/", programs_router)
    api.add_router("/v1/", awards_router)
    api.add_router("/v1/", finance_router)
    api.add_router("/v1/", brand_router)
    api.add_router("/v1/", exhibitions_router)


_add_routers()
