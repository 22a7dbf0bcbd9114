"""EPCIS 2.0 capture and query after GS1's REST binding, under /epcis/ (its own NinjaAPI: the
binding fixes the paths, headers and the problem shape; OpenAPI at /epcis/docs).

- `POST /epcis/capture` an EPCISDocument (JSON or JSON-LD): 202 and `Location` of the capture
  job; 400 (403 when every problem is a location that is not the caller's) with the problems
  when the document is refused, nothing stored. `GS1-Capture-Error-Behaviour: proceed` stores
  the valid events and lists the others in the job.
- `POST /epcis/events` one event: 201 and `Location` of the event.
- `GET /epcis/capture/{captureID}`, `GET /epcis/capture` (the caller's jobs).
- `GET /epcis/events?…` SimpleEventQuery parameters, `perPage` and `nextPageToken` with a
  `Link: <…>; rel="next"` header; an EPCISQueryDocument. `GET /epcis/events/{eventID}`.

Errors are RFC 7807 problem+json (`type` as GS1 names them, `title`, `status`, `detail`) with
our `errors` list (`loc`, `msg`, and for events `code`, `event`, `field`): decision 0011.
Auth: an API token (`Authorization: Bearer …`) or the session (with CSRF); anonymous is 401.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError

from clusterbrain.accounts import permissions as account_permissions
from clusterbrain.accounts.auth import WRITE_AUTH
from clusterbrain.engines.epcis.normalise import query_document
from clusterbrain.engines.epcis.validate import SCHEMA_ENV, SchemaNotFound
from clusterbrain.errors import DomainError, Forbidden, NotFound
from clusterbrain.trace import selectors, services
from clusterbrain.trace.models import CaptureJob
from clusterbrain.trace.query import KNOWN, MATCH_ROLES, PER_PAGE_DEFAULT, PER_PAGE_MAX

logger = logging.getLogger("clusterbrain.epcis")

EPCIS_VERSION = "2.0.0"
CBV_VERSION = "2.0.0"
_JSON_TYPES = ("application/json", "application/ld+json")

epcis_api = NinjaAPI(
    title="clusterbrain EPCIS 2.0 repository",
    version=EPCIS_VERSION,
    description=(
        "GS1 EPCIS 2.0 REST binding: capture (documents and single events) and the "
        "SimpleEventQuery over events. Same accounts and API tokens as /api/v1; a firm "
        "captures and sees events at its own locations only."
    ),
    urls_namespace="epcis",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

_TYPES = {
    400: "epcisException:ValidationException",
    401: "epcisException:SecurityException",
    403: "epcisException:SecurityException",
    404: "epcisException:NoSuchResourceException",
    413: "epcisException:CaptureLimitExceededException",
    415: "epcisException:UnsupportedMediaTypeException",
    422: "epcisException:ValidationException",
    500: "epcisException:ImplementationException",
}
_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    413: "Too large",
    415: "Unsupported media type",
    500: "Implementation error",
    503: "Service unavailable",
}


def _headers(response: HttpResponse) -> HttpResponse:
    response["GS1-EPCIS-Version"] = EPCIS_VERSION
    response["GS1-CBV-Version"] = CBV_VERSION
    return response


def _json(data: Any, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return _headers(HttpResponse(body, status=status, content_type=content_type))


def problem(
    status: int,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    kind: str | None = None,
    **extra: Any,
) -> HttpResponse:
    body = {
        "type": kind or _TYPES.get(status, _TYPES[400]),
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "errors": errors or [],
        **extra,
    }
    return _json(body, status, "application/problem+json")


def _domain_problem(exc: DomainError, kind: str | None = None) -> HttpResponse:
    errors = [{"loc": list(e.loc), "msg": e.msg} for e in exc.errors]
    return problem(exc.status_code, exc.detail, errors, kind)


@epcis_api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _domain_problem(exc)


@epcis_api.exception_handler(SchemaNotFound)
def _schema_missing(request: HttpRequest, exc: SchemaNotFound) -> HttpResponse:
    """This server was deployed without GS1's EPCIS JSON schema (it is not shipped with
    clusterbrain, decision 0010): nothing can be validated, so nothing is captured. The
    operator's fix is named; the capture job is not even created."""
    logger.error("EPCIS capture refused: %s", exc)
    return problem(
        503,
        _(
            "EPCIS capture is not available on this server: GS1's EPCIS 2.0 JSON schema is not "
            "installed, so documents cannot be validated and nothing was captured. The operator "
            "sets %(env)s to the path of EPCIS-JSON-Schema.json (from "
            "https://ref.gs1.org/standards/epcis/)."
        )
        % {"env": SCHEMA_ENV},
    )


@epcis_api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem(401, _("Log in, or send 'Authorization: Bearer <API token>'."))
    response["WWW-Authenticate"] = "Bearer"
    return response


@epcis_api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    if message.startswith("CSRF check failed"):
        message = _("CSRF check failed: send the CSRF token with a session, or use an API token.")
    return problem(exc.status_code, message)


@epcis_api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled error in %s %s", request.method, request.path)
    return problem(500, _("Something went wrong on our side; it has been logged."))


def job_json(job: CaptureJob) -> dict[str, Any]:
    def iso(t: Any) -> str | None:
        return t.isoformat(timespec="milliseconds").replace("+00:00", "Z") if t else None

    return {
        "captureID": job.capture_id,
        "createdAt": iso(job.created_at),
        "finishedAt": iso(job.finished_at),
        "running": job.running,
        "success": job.success,
        "captureErrorBehaviour": job.error_behaviour,
        "eventsReceived": job.events_received,
        "eventsStored": job.events_stored,
        "eventsDuplicate": job.events_duplicate,
        "errors": job.errors,
    }


def _body(request: HttpRequest) -> bytes | HttpResponse:
    content_type = (request.content_type or "").lower()
    if content_type not in _JSON_TYPES:
        return problem(
            415,
            _("Send the document as application/json or application/ld+json (not %(type)s).")
            % {"type": content_type or _("no content type")},
        )
    try:
        return request.body
    except RequestDataTooBig:
        return problem(
            413,
            _("The document is larger than this server accepts: split it into several captures."),
        )


def _capture(request: HttpRequest, single_event: bool) -> HttpResponse:
    body = _body(request)
    if isinstance(body, HttpResponse):
        return body
    behaviour = request.headers.get("GS1-Capture-Error-Behaviour", "rollback").strip().lower()
    outcome = services.capture(
        request.auth,  # type: ignore[attr-defined]
        body,
        error_behaviour=behaviour,
        single_event=single_event,
    )
    job = outcome.job
    location = f"/epcis/capture/{job.capture_id}"
    stored_nothing = outcome.stored == 0 and outcome.duplicates == 0
    if outcome.problems and (behaviour == "rollback" or stored_nothing):
        status = 403 if outcome.only_permission_problems else 400
        first = outcome.problems[0]
        where = _("event %(n)d") % {"n": first.event} if first.event is not None else _("document")
        detail = _(
            "Nothing was captured: %(count)d problem(s); the first, in the %(where)s at "
            "%(field)s: %(msg)s"
        ) % {
            "count": len(outcome.problems),
            "where": where,
            "field": first.field or "/",
            "msg": first.message,
        }
        response = problem(status, detail, list(job.errors), captureID=job.capture_id)
        response["Location"] = location
        return response
    if single_event:
        from clusterbrain.trace.models import Event

        stored = Event.objects.filter(capture_job=job).values_list("event_id", flat=True)
        event_id = next(iter(stored), "")
        response = _json(job_json(job), 201 if outcome.stored else 200)
        response["Location"] = f"/epcis/events/{quote(event_id, safe='')}" if event_id else location
        return response
    response = _json(job_json(job), 202)
    response["Location"] = location
    return response


_CAPTURE_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": "GS1-Capture-Error-Behaviour",
            "schema": {"type": "string", "enum": ["rollback", "proceed"], "default": "rollback"},
            "description": "rollback: nothing is stored if any event fails; proceed: the "
            "valid events are stored and the others listed in the capture job.",
        }
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object", "description": "EPCISDocument"}},
            "application/ld+json": {"schema": {"type": "object"}},
        },
    },
}


@epcis_api.post(
    "/capture",
    auth=WRITE_AUTH,
    summary="Capture an EPCISDocument",
    openapi_extra=_CAPTURE_DOC,
    response={202: dict, 400: dict, 401: dict, 403: dict, 413: dict, 415: dict, 503: dict},
)
def capture_document(request: HttpRequest) -> HttpResponse:
    return _capture(request, single_event=False)


@epcis_api.post(
    "/events",
    auth=WRITE_AUTH,
    summary="Capture one event",
    openapi_extra=_CAPTURE_DOC,
    response={201: dict, 400: dict, 401: dict, 403: dict, 415: dict, 503: dict},
)
def capture_event(request: HttpRequest) -> HttpResponse:
    return _capture(request, single_event=True)


def _visible_job(request: HttpRequest, capture_id: str) -> CaptureJob:
    user = request.auth  # type: ignore[attr-defined]
    job = CaptureJob.objects.filter(capture_id=capture_id).first()
    if job is None:
        raise NotFound(_("No capture job %(id)s.") % {"id": capture_id})
    if not (
        account_permissions.is_admin(user)
        or job.user_id == user.pk
        or (job.enterprise_id is not None and job.enterprise_id == user.enterprise_id)
    ):
        raise NotFound(_("No capture job %(id)s.") % {"id": capture_id})
    return job


@epcis_api.get(
    "/capture/{capture_id}",
    auth=WRITE_AUTH,
    summary="A capture job: status and errors",
    response={200: dict, 401: dict, 404: dict},
)
def get_capture_job(request: HttpRequest, capture_id: str) -> HttpResponse:
    return _json(job_json(_visible_job(request, capture_id)))


@epcis_api.get(
    "/capture", auth=WRITE_AUTH, summary="Your latest capture jobs", response={200: list}
)
def list_capture_jobs(request: HttpRequest) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
    jobs = CaptureJob.objects.all()
    if not account_permissions.is_admin(user):
        jobs = jobs.filter(user_id=user.pk)
    return _json([job_json(j) for j in jobs.order_by("-created_at")[:PER_PAGE_DEFAULT]])


def _query_parameters() -> list[dict[str, Any]]:
    docs = {
        "eventType": "ObjectEvent|AggregationEvent|… (a | separated list)",
        "perPage": f"events per page, 1–{PER_PAGE_MAX} (default {PER_PAGE_DEFAULT})",
        "nextPageToken": "from the Link rel=next header of the previous page",
        "EQ_bizTransaction_{type}": "bizTransaction ids of that type",
    }
    names = sorted(KNOWN) + [
        "EQ_bizTransaction_{type}",
        "EQ_source_{type}",
        "EQ_destination_{type}",
    ]
    return [
        {
            "in": "query",
            "name": name,
            "required": False,
            "schema": {"type": "string"},
            "description": docs.get(
                name,
                "EPC or EPC class, | separated; urn:epc:idpat:…* patterns"
                if name in MATCH_ROLES
                else "EPCIS 2.0 SimpleEventQuery parameter",
            ),
        }
        for name in names
    ]


@epcis_api.get(
    "/events",
    auth=WRITE_AUTH,
    summary="Query events (SimpleEventQuery)",
    openapi_extra={"parameters": _query_parameters()},
    response={200: dict, 400: dict, 401: dict, 403: dict},
)
def query_events(request: HttpRequest) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
    try:
        page = selectors.query_events(user, dict(request.GET.lists()))
    except Forbidden as exc:
        return _domain_problem(exc)
    except DomainError as exc:
        return _domain_problem(exc, "epcisException:QueryParameterException")
    created = timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
    accept = request.headers.get("Accept", "")
    content_type = "application/ld+json" if "application/ld+json" in accept else "application/json"
    response = _json(query_document(page.events, created), content_type=content_type)
    if page.next_token:
        params = request.GET.copy()
        params["nextPageToken"] = page.next_token
        url = request.build_absolute_uri(request.path) + "?" + params.urlencode()
        response["Link"] = f'<{url}>; rel="next"'
    return response


@epcis_api.get(
    "/events/{path:event_id}",
    auth=WRITE_AUTH,
    summary="One event by its eventID",
    response={200: dict, 401: dict, 404: dict},
)
def get_event(request: HttpRequest, event_id: str) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
    event = selectors.visible_events(user).filter(event_id=event_id).first()
    if event is None:
        raise NotFound(_("No event %(id)s, or not one you may see.") % {"id": event_id})
    return _json(selectors.event_json(event))
