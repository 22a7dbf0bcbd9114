"""Support programs in the JSON API under /api/v1/ (issue 7, decision 0018).

Programs that are open or closed are public (anonymous reads allowed); drafts only for the
cluster's office and association (404 for others). Writes need a session (with CSRF) or a
bearer token. A rule that does not parse or names an unknown field is a 422 whose error names
`eligibility_rule` and, in its message, the line, column and field; nothing is saved.
Applications: the firm's own users create, upload (multipart), submit and withdraw; the office
and association of the cluster read them; everyone else gets 404.
Errors: `{"detail": …, "errors": [{"loc": […], "msg": …}]}`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from clusterbrain.accounts.auth import READ_AUTH, WRITE_AUTH
from clusterbrain.errors import Forbidden
from clusterbrain.paging import Paging, paged
from clusterbrain.programs import permissions, selectors, services
from clusterbrain.programs.eligibility import Reason, compile_for, label
from clusterbrain.programs.models import Application, SupportProgram
from clusterbrain.programs.profiles import profile_fields
from clusterbrain.programs.schemas import StrictIn
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry.api import ERRORS

router = Router(tags=["programs"])

Amount = str | int | float


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class CriterionOut(Schema):
    key: str
    name: str
    name_zh: str
    name_en: str
    weight: float
    max_score: int


class DocumentOut(Schema):
    key: str
    name: str
    name_zh: str
    name_en: str
    allowed_types: list[str]
    max_size_mb: int
    required: bool


class ProgramOut(Schema):
    id: int
    cluster: str
    code: str
    name: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    budget: str = Field(description="yuan, a decimal string")
    max_award: str | None
    period_start: datetime.date
    period_end: datetime.date
    applications_open: datetime.date
    applications_close: datetime.date
    status: str
    eligibility_rule: str
    eligibility_canonical: str
    criteria: list[CriterionOut]
    documents: list[DocumentOut]


def program_out(p: SupportProgram) -> dict[str, Any]:
    return {
        "id": p.pk,
        "cluster": p.cluster.slug,
        "code": p.code,
        "name": p.name,
        "name_zh": p.name_zh,
        "name_en": p.name_en,
        "description_zh": p.description_zh,
        "description_en": p.description_en,
        "budget": str(p.budget),
        "max_award": None if p.max_award is None else str(p.max_award),
        "period_start": p.period_start,
        "period_end": p.period_end,
        "applications_open": p.applications_open,
        "applications_close": p.applications_close,
        "status": p.status,
        "eligibility_rule": p.eligibility_rule,
        "eligibility_canonical": p.eligibility_canonical,
        "criteria": [
            {
                "key": c.key,
                "name": c.name,
                "name_zh": c.name_zh,
                "name_en": c.name_en,
                "weight": float(c.weight),
                "max_score": c.max_score,
            }
            for c in p.criteria.all()
        ],
        "documents": [
            {
                "key": d.key,
                "name": d.name,
                "name_zh": d.name_zh,
                "name_en": d.name_en,
                "allowed_types": list(d.allowed_types),
                "max_size_mb": d.max_size_mb,
                "required": d.required,
            }
            for d in p.documents.all()
        ],
    }


class CriterionIn(StrictIn):
    key: str
    name_zh: str = ""
    name_en: str = ""
    weight: Amount
    max_score: int = 10


class DocumentIn(StrictIn):
    key: str
    name_zh: str = ""
    name_en: str = ""
    allowed_types: list[str]
    max_size_mb: int = 10
    required: bool = True


class ProgramIn(StrictIn):
    """Every field on create; on PATCH only those sent change (lists are replaced whole)."""

    code: str | None = None
    name_zh: str | None = None
    name_en: str | None = None
    description_zh: str | None = None
    description_en: str | None = None
    budget: Amount | None = Field(None, description="yuan")
    max_award: Amount | None = Field(None, description="yuan; null: no limit per firm")
    period_start: str | None = Field(None, description="YYYY-MM-DD")
    period_end: str | None = None
    applications_open: str | None = None
    applications_close: str | None = None
    eligibility_rule: str | None = Field(None, description="In the rule language; empty: all")
    criteria: list[CriterionIn] | None = None
    documents: list[DocumentIn] | None = None


def _program_data(payload: ProgramIn) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True)


@router.get("/clusters/{slug}/programs", response={200: list[ProgramOut], **ERRORS}, auth=READ_AUTH)
def list_programs(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    cluster = registry_selectors.get_cluster(slug)
    return [
        program_out(p)
        for p in selectors.programs_of(cluster, _user(request)).prefetch_related(
            "criteria", "documents"
        )
    ]


@router.post("/clusters/{slug}/programs", response={201: ProgramOut, **ERRORS}, auth=WRITE_AUTH)
def create_program(request: HttpRequest, slug: str, payload: ProgramIn) -> Status[dict[str, Any]]:
    """The office or association staff of the cluster; a new program is a draft."""
    cluster = registry_selectors.get_cluster(slug)
    program = services.save_program(_user(request), cluster, _program_data(payload))
    return Status(201, program_out(program))


@router.get(
    "/clusters/{slug}/programs/{code}", response={200: ProgramOut, **ERRORS}, auth=READ_AUTH
)
def get_program(request: HttpRequest, slug: str, code: str) -> dict[str, Any]:
    cluster = registry_selectors.get_cluster(slug)
    return program_out(selectors.get_program(cluster, code, _user(request)))


@router.patch(
    "/clusters/{slug}/programs/{code}", response={200: ProgramOut, **ERRORS}, auth=WRITE_AUTH
)
def update_program(request: HttpRequest, slug: str, code: str, payload: ProgramIn) -> Any:
    user = _user(request)
    cluster = registry_selectors.get_cluster(slug)
    program = selectors.get_program(cluster, code, user)
    return program_out(services.save_program(user, cluster, _program_data(payload), program))


class StatusIn(StrictIn):
    status: str = Field(description="open or closed")


@router.post(
    "/clusters/{slug}/programs/{code}/status",
    response={200: ProgramOut, **ERRORS},
    auth=WRITE_AUTH,
)
def set_program_status(request: HttpRequest, slug: str, code: str, payload: StatusIn) -> Any:
    """The office opens or closes a program."""
    user = _user(request)
    program = selectors.get_program(registry_selectors.get_cluster(slug), code, user)
    return program_out(services.set_program_status(user, program, payload.status))


class RuleIn(StrictIn):
    rule: str


class RuleOut(Schema):
    canonical: str
    fields_used: list[str]


@router.post(
    "/clusters/{slug}/program-rule-check", response={200: RuleOut, **ERRORS}, auth=WRITE_AUTH
)
def check_rule(request: HttpRequest, slug: str, payload: RuleIn) -> dict[str, Any]:
    """Check a rule without saving it (the rule editor): 422 naming line, column and field."""
    cluster = registry_selectors.get_cluster(slug)
    if not permissions.can_draft_program(_user(request), cluster):
        raise Forbidden(_("Only the cluster office and association staff define programs."))
    rule = compile_for(cluster, payload.rule, loc="rule")
    return {"canonical": rule.canonical, "fields_used": list(rule.fields_used)}


class FieldOut(Schema):
    name: str
    type: str
    label: str
    choices: list[str] | None


@router.get(
    "/clusters/{slug}/program-fields", response={200: list[FieldOut], **ERRORS}, auth=READ_AUTH
)
def rule_fields(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """The profile fields a rule may name, with their types and allowed values."""
    cluster = registry_selectors.get_cluster(slug)
    return [
        {
            "name": f.name,
            "type": f.type,
            "label": label(f),
            "choices": list(f.choices) if f.choices is not None else None,
        }
        for f in profile_fields(cluster).values()
    ]


# --- matching -------------------------------------------------------------------------------


class ReasonOut(Schema):
    condition: str
    field: str
    label: str
    status: str = Field(description="met, not_met or unknown")
    status_label: str
    value: str = Field(description="The firm's value, formatted")
    failing: bool = Field(description="One of the conditions that decided a 'no'")


class MatchOut(Schema):
    program: ProgramOut
    eligible: bool
    verdict: str
    reasons: list[ReasonOut]


def _reason_out(r: Reason) -> dict[str, Any]:
    return {
        "condition": r.text,
        "field": r.field,
        "label": r.label,
        "status": r.status,
        "status_label": r.status_label,
        "value": r.value,
        "failing": r.failing,
    }


def match_out(m: selectors.Match) -> dict[str, Any]:
    return {
        "program": program_out(m.program),
        "eligible": m.eligible,
        "verdict": m.verdict_label,
        "reasons": [_reason_out(r) for r in m.reasons],
    }


@router.get("/programs/matching", response={200: list[MatchOut], **ERRORS}, auth=WRITE_AUTH)
def my_matching(request: HttpRequest) -> list[dict[str, Any]]:
    """For a firm's user: the open programs of its cluster with the firm's verdict and why,
    each condition met, not met or unknown with the firm's value."""
    return [match_out(m) for m in selectors.matching_for(_user(request))]


# --- applications ---------------------------------------------------------------------------


class UploadOut(Schema):
    document: str
    original_name: str
    file_type: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime.datetime


class EventOut(Schema):
    at: datetime.datetime
    user: str | None
    from_status: str
    to_status: str
    note: str


class ApplicationOut(Schema):
    id: int
    program: str
    cluster: str
    enterprise: int
    enterprise_name: str
    requested_amount: str = Field(description="yuan")
    project: str
    status: str
    submitted_at: datetime.datetime | None
    documents: list[UploadOut]
    missing_documents: list[str]
    events: list[EventOut]
    verdict_snapshot: dict[str, Any]


def application_out(a: Application, viewer: Any = None) -> dict[str, Any]:
    """`viewer`: whose eyes the verdict's values are for (None: the applicant firm's own)."""
    return {
        "id": a.pk,
        "program": a.program.code,
        "cluster": a.program.cluster.slug,
        "enterprise": a.enterprise_id,
        "enterprise_name": a.enterprise.name,
        "requested_amount": str(a.requested_amount),
        "project": a.project,
        "status": a.status,
        "submitted_at": a.submitted_at,
        "documents": [
            {
                "document": d.document.key,
                "original_name": d.original_name,
                "file_type": d.file_type,
                "content_type": d.content_type,
                "size": d.size,
                "sha256": d.sha256,
                "uploaded_at": d.uploaded_at,
            }
            for d in a.documents.select_related("document")
        ],
        "missing_documents": [d.key for d in services.missing_documents(a)],
        "events": [
            {
                "at": e.at,
                "user": e.user.username if e.user else None,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
            }
            for e in a.events.select_related("user")
        ],
        "verdict_snapshot": (
            a.verdict_snapshot if viewer is None else selectors.visible_verdict(a, viewer)
        ),
    }


class ApplicationIn(StrictIn):
    requested_amount: Amount | None = Field(None, description="yuan")
    project: str | None = None


@router.get(
    "/clusters/{slug}/programs/{code}/applications",
    response={200: list[ApplicationOut], **ERRORS},
    auth=WRITE_AUTH,
)
def program_applications(
    request: HttpRequest, response: HttpResponse, slug: str, code: str, paging: Query[Paging]
) -> list[dict[str, Any]]:
    """The office and association staff of the cluster: every application to the program, a
    page at a time (`X-Total-Count`, `Link` rel=next)."""
    user = _user(request)
    program = selectors.get_program(registry_selectors.get_cluster(slug), code, user)
    rows = selectors.applications_of(program, user)
    return paged(request, response, rows, paging, lambda a: application_out(a, user))


@router.post(
    "/clusters/{slug}/programs/{code}/applications",
    response={201: ApplicationOut, **ERRORS},
    auth=WRITE_AUTH,
)
def apply(request: HttpRequest, slug: str, code: str, payload: ApplicationIn) -> Any:
    """A firm's user applies for the firm (a draft): refused with the failing conditions when
    the firm does not qualify."""
    user = _user(request)
    program = selectors.get_program(registry_selectors.get_cluster(slug), code, user)
    application = services.start_application(user, program, payload.model_dump(exclude_unset=True))
    return Status(201, application_out(application))


@router.get("/applications/mine", response={200: list[ApplicationOut], **ERRORS}, auth=WRITE_AUTH)
def mine(
    request: HttpRequest, response: HttpResponse, paging: Query[Paging]
) -> list[dict[str, Any]]:
    rows = selectors.my_applications(_user(request))
    return paged(request, response, rows, paging, application_out)


@router.get(
    "/applications/{application_id}", response={200: ApplicationOut, **ERRORS}, auth=WRITE_AUTH
)
def get_application(request: HttpRequest, application_id: int) -> dict[str, Any]:
    user = _user(request)
    return application_out(selectors.get_application(application_id, user), user)


@router.patch(
    "/applications/{application_id}", response={200: ApplicationOut, **ERRORS}, auth=WRITE_AUTH
)
def update_application(
    request: HttpRequest, application_id: int, payload: ApplicationIn
) -> dict[str, Any]:
    user = _user(request)
    application = selectors.get_application(application_id, user)
    services.update_application(user, application, payload.model_dump(exclude_unset=True))
    return application_out(application)


class UploadIn(Schema):
    document: str = Field(description="The program document's key")


@router.post(
    "/applications/{application_id}/documents",
    response={201: ApplicationOut, **ERRORS},
    auth=WRITE_AUTH,
)
def upload_document(
    request: HttpRequest,
    application_id: int,
    payload: Form[UploadIn],
    file: UploadedFile = File(...),  # noqa: B008 - ninja's parameter marker
) -> Status[dict[str, Any]]:
    """multipart/form-data: `document` (the key) and `file`. The type is read from the
    content, not the name; a wrong type or size is a 422 naming the document."""
    user = _user(request)
    application = selectors.get_application(application_id, user)
    services.upload_document(user, application, payload.document, file)
    return Status(201, application_out(application))


@router.delete(
    "/applications/{application_id}/documents/{key}",
    response={200: ApplicationOut, **ERRORS},
    auth=WRITE_AUTH,
)
def remove_document(request: HttpRequest, application_id: int, key: str) -> dict[str, Any]:
    user = _user(request)
    application = selectors.get_application(application_id, user)
    services.remove_document(user, application, key)
    return application_out(application)


@router.post(
    "/applications/{application_id}/submit",
    response={200: ApplicationOut, **ERRORS},
    auth=WRITE_AUTH,
)
def submit(request: HttpRequest, application_id: int) -> dict[str, Any]:
    """Checks eligibility again and that every required document is there."""
    user = _user(request)
    application = selectors.get_application(application_id, user)
    return application_out(services.submit_application(user, application))


class WithdrawIn(StrictIn):
    note: str = ""


@router.post(
    "/applications/{application_id}/withdraw",
    response={200: ApplicationOut, **ERRORS},
    auth=WRITE_AUTH,
)
def withdraw(request: HttpRequest, application_id: int, payload: WithdrawIn) -> dict[str, Any]:
    user = _user(request)
    application = selectors.get_application(application_id, user)
    return application_out(services.withdraw_application(user, application, payload.note))


# --- environmental violations (the office's record behind open_environmental_violation) ------


class ViolationOut(Schema):
    id: int
    enterprise: int
    enterprise_name: str
    authority: str
    found_on: datetime.date
    description: str
    status: str
    closed_on: datetime.date | None


def violation_out(v: Any) -> dict[str, Any]:
    return {
        "id": v.pk,
        "enterprise": v.enterprise_id,
        "enterprise_name": v.enterprise.name,
        "authority": v.authority,
        "found_on": v.found_on,
        "description": v.description,
        "status": v.status,
        "closed_on": v.closed_on,
    }


class ViolationIn(StrictIn):
    authority: str | None = None
    found_on: str | None = Field(None, description="YYYY-MM-DD")
    description: str | None = None


class CloseIn(StrictIn):
    closed_on: str | None = Field(None, description="YYYY-MM-DD; default today")


@router.get(
    "/clusters/{slug}/environmental-violations",
    response={200: list[ViolationOut], **ERRORS},
    auth=WRITE_AUTH,
)
def cluster_violations(
    request: HttpRequest,
    response: HttpResponse,
    slug: str,
    paging: Query[Paging],
    status: str | None = None,
) -> list[dict[str, Any]]:
    """The cluster office: its firms' violations (`status` open or closed to filter)."""
    cluster = registry_selectors.get_cluster(slug)
    rows = selectors.violations_of_cluster(cluster, _user(request), status)
    return paged(request, response, rows, paging, violation_out)


@router.get(
    "/enterprises/{enterprise_id}/environmental-violations",
    response={200: list[ViolationOut], **ERRORS},
    auth=WRITE_AUTH,
)
def firm_violations(
    request: HttpRequest, response: HttpResponse, enterprise_id: int, paging: Query[Paging]
) -> list[dict[str, Any]]:
    """A firm's own violations (its users, the office of its cluster)."""
    rows = selectors.violations_of_firm(_firm(enterprise_id), _user(request))
    return paged(request, response, rows, paging, violation_out)


@router.post(
    "/enterprises/{enterprise_id}/environmental-violations",
    response={201: ViolationOut, **ERRORS},
    auth=WRITE_AUTH,
)
def record_violation(
    request: HttpRequest, enterprise_id: int, payload: ViolationIn
) -> Status[dict[str, Any]]:
    """The office of the firm's cluster records an authority's finding (open)."""
    from clusterbrain.green.services import record_violation as record

    violation = record(_user(request), _firm(enterprise_id), payload.model_dump(exclude_unset=True))
    return Status(201, violation_out(violation))


@router.post(
    "/environmental-violations/{violation_id}/close",
    response={200: ViolationOut, **ERRORS},
    auth=WRITE_AUTH,
)
def close_violation(request: HttpRequest, violation_id: int, payload: CloseIn) -> Any:
    from clusterbrain.green.services import close_violation as close

    user = _user(request)
    violation = selectors.get_violation(violation_id, user)
    return violation_out(close(user, violation, payload.closed_on))


def _firm(enterprise_id: int) -> Any:
    from clusterbrain.errors import NotFound
    from clusterbrain.registry.models import Enterprise
    from clusterbrain.registry.selectors import as_id

    firm = Enterprise.objects.select_related("cluster").filter(pk=as_id(enterprise_id) or 0).first()
    if firm is None:
        raise NotFound(_("No such firm."))
    return firm
