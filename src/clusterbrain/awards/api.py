"""Review, awards, the ledger and outcomes in the JSON API under /api/v1/ (decision 0019).

Every call needs a session (with CSRF) or a bearer token (401 otherwise). Amounts are decimal
strings in yuan (send them as strings or numbers; two decimals at most). The office of the
program's cluster assigns, decides and moves money (403 for the cluster's association staff,
404 for everyone outside the cluster, banks included); a reviewer reads and scores only their
own assignments; a firm reads only its own application's award. Errors:
`{"detail": …, "errors": [{"loc": […], "msg": …}]}`, refused writes change nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from clusterbrain.accounts.auth import WRITE_AUTH
from clusterbrain.accounts.models import User
from clusterbrain.awards import selectors, services
from clusterbrain.awards.models import AuditEvent, LedgerEntry, ReviewAssignment
from clusterbrain.paging import Paging, paged
from clusterbrain.programs.schemas import StrictIn
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry.api import ERRORS
from clusterbrain.registry.selectors import as_id

router = Router(tags=["awards"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


Strict = StrictIn


# --- review --------------------------------------------------------------------------------------


class AssignmentOut(Schema):
    id: int
    application: int
    program: int
    enterprise: str
    reviewer: str
    conflict: bool | None = Field(description="null until the reviewer declares")
    declared_at: datetime.datetime | None
    state: str | None = Field(None, description="declare, score, done, closed or conflict")
    score: Decimal | None = Field(description="The reviewer's weighted score, once submitted")


def assignment_out(a: ReviewAssignment, state: str | None = None) -> dict[str, Any]:
    review = getattr(a, "review", None)
    return {
        "id": a.pk,
        "application": a.application_id,
        "program": a.application.program_id,
        "enterprise": a.application.enterprise.name,
        "reviewer": a.reviewer.get_username(),
        "conflict": a.conflict,
        "declared_at": a.declared_at,
        "state": state,
        "score": review.score if review is not None else None,
    }


@router.get("/awards/reviews", response={200: list[AssignmentOut], **ERRORS}, auth=WRITE_AUTH)
def review_queue(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's review assignments, those waiting for them first."""
    return [assignment_out(i.assignment, i.state) for i in selectors.reviewer_queue(_user(request))]


class CriterionOut(Schema):
    id: int
    key: str
    name: str
    weight: Decimal
    max_score: int


class ReviewOut(Schema):
    reviewer: str
    score: Decimal
    scores: dict[str, Decimal]
    comment: str
    submitted_at: datetime.datetime


class AssignmentDetail(AssignmentOut):
    criteria: list[CriterionOut]
    project: str | None = Field(description="Shown once the reviewer declared no conflict")
    requested_amount: Decimal | None
    own_review: ReviewOut | None
    other_reviews: list[ReviewOut] = Field(description="Only after the caller's own review")


def _criteria(criteria: list[Any]) -> list[dict[str, Any]]:
    return [
        {"id": c.pk, "key": c.key, "name": c.name, "weight": c.weight, "max_score": c.max_score}
        for c in criteria
    ]


def _review(row: selectors.ReviewRow, keys: dict[int, str]) -> dict[str, Any] | None:
    if row.review is None:
        return None
    return {
        "reviewer": row.assignment.reviewer.get_username(),
        "score": row.review.score,
        "scores": {keys[pk]: v for pk, v in row.scores.items() if pk in keys},
        "comment": row.review.comment,
        "submitted_at": row.review.submitted_at,
    }


def assignment_detail(a: ReviewAssignment, user: Any) -> dict[str, Any]:
    view = selectors.assignment_view(a, user)
    keys = {c.pk: c.key for c in view.criteria}
    return {
        **assignment_out(a),
        "criteria": _criteria(view.criteria),
        "project": view.application.project if view.opened else None,
        "requested_amount": view.application.requested_amount if view.opened else None,
        "own_review": _review(view.own, keys) if view.own else None,
        "other_reviews": [r for row in view.others if (r := _review(row, keys))],
    }


@router.get(
    "/awards/assignments/{assignment_id}",
    response={200: AssignmentDetail, **ERRORS},
    auth=WRITE_AUTH,
)
def get_assignment(request: HttpRequest, assignment_id: int) -> dict[str, Any]:
    user = _user(request)
    return assignment_detail(selectors.get_assignment(assignment_id, user), user)


class DeclarationIn(Strict):
    conflict: bool
    note: str = Field("", max_length=500)


@router.post(
    "/awards/assignments/{assignment_id}/declaration",
    response={200: AssignmentDetail, **ERRORS},
    auth=WRITE_AUTH,
)
def declare(request: HttpRequest, assignment_id: int, payload: DeclarationIn) -> dict[str, Any]:
    """Declare a conflict of interest (with a note) or none, once, before scoring."""
    user = _user(request)
    a = selectors.get_assignment(assignment_id, user)
    a = services.declare_conflict(user, a, conflict=payload.conflict, note=payload.note)
    return assignment_detail(a, user)


class ReviewIn(Strict):
    scores: dict[str, Decimal] = Field(description="criterion key → score (0 … its max)")
    comment: str = Field("", max_length=5000)


@router.post(
    "/awards/assignments/{assignment_id}/review",
    response={201: AssignmentDetail, **ERRORS},
    auth=WRITE_AUTH,
)
def submit_review(
    request: HttpRequest, assignment_id: int, payload: ReviewIn
) -> Status[dict[str, Any]]:
    """Score every criterion once; refused scores are named `["scores", key]`."""
    user = _user(request)
    a = selectors.get_assignment(assignment_id, user)
    services.submit_review(user, a, scores=payload.scores, comment=payload.comment)
    return Status(201, assignment_detail(selectors.get_assignment(assignment_id, user), user))


# --- office --------------------------------------------------------------------------------------


class EntryOut(Schema):
    id: int
    kind: str
    debit: str
    credit: str
    amount: Decimal
    application: int | None
    reverses: int | None
    reversed_by: int | None
    tranche: int | None
    memo: str
    created_by: str | None
    created_at: datetime.datetime


def entry_out(e: LedgerEntry) -> dict[str, Any]:
    reversal = getattr(e, "reversal", None)
    return {
        "id": e.pk,
        "kind": e.kind,
        "debit": e.debit,
        "credit": e.credit,
        "amount": e.amount,
        "application": e.application_id,
        "reverses": e.reverses_id,
        "reversed_by": reversal.pk if reversal is not None else None,
        "tranche": e.tranche,
        "memo": e.memo,
        "created_by": e.created_by.get_username() if e.created_by else None,
        "created_at": e.created_at,
    }


class DecisionOut(Schema):
    outcome: str
    amount: Decimal | None
    reason: str
    score: Decimal | None
    reviews: int
    decided_at: datetime.datetime


def decision_out(d: Any) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "outcome": d.outcome,
        "amount": d.amount,
        "reason": d.reason,
        "score": d.score,
        "reviews": d.reviews,
        "decided_at": d.decided_at,
    }


class OfficeApplicationOut(Schema):
    application: int
    program: int
    enterprise: str
    status: str
    requested_amount: Decimal
    criteria: list[CriterionOut]
    assignments: list[AssignmentOut]
    reviews: list[ReviewOut]
    score: Decimal | None = Field(description="Mean of the reviews' weighted scores (0–100)")
    reviews_needed: int
    budget: Decimal
    budget_available: Decimal
    decision: DecisionOut | None
    committed: Decimal
    paid: Decimal
    entries: list[EntryOut]


def office_out(application: Any, user: Any) -> dict[str, Any]:
    view = selectors.decision_view(application, user)
    keys = {c.pk: c.key for c in view.criteria}
    return {
        "application": application.pk,
        "program": application.program_id,
        "enterprise": application.enterprise.name,
        "status": application.status,
        "requested_amount": application.requested_amount,
        "criteria": _criteria(view.criteria),
        "assignments": [assignment_out(r.assignment) for r in view.rows],
        "reviews": [r for row in view.rows if (r := _review(row, keys))],
        "score": view.score,
        "reviews_needed": view.needed,
        "budget": view.budget,
        "budget_available": view.available,
        "decision": decision_out(view.decision),
        "committed": view.committed,
        "paid": view.paid,
        "entries": [entry_out(e) for e in view.entries],
    }


@router.get(
    "/awards/applications/{application_id}",
    response={200: OfficeApplicationOut, **ERRORS},
    auth=WRITE_AUTH,
)
def office_application(request: HttpRequest, application_id: int) -> dict[str, Any]:
    """The office's view: every review side by side, the score, the budget left."""
    user = _user(request)
    return office_out(selectors.get_application(application_id, user), user)


class AssignIn(Strict):
    reviewer: int = Field(description="User id of association staff or an office user")


@router.post(
    "/awards/applications/{application_id}/reviewers",
    response={201: OfficeApplicationOut, **ERRORS},
    auth=WRITE_AUTH,
)
def assign(request: HttpRequest, application_id: int, payload: AssignIn) -> Status[dict[str, Any]]:
    user = _user(request)
    application = selectors.get_application(application_id, user)
    pk = as_id(payload.reviewer)
    reviewer = User.objects.filter(pk=pk).first() if pk else None
    services.assign_reviewer(user, application, reviewer)
    return Status(201, office_out(application, user))


class DecisionIn(Strict):
    outcome: str = Field(description="award or reject")
    amount: Decimal | None = Field(None, description="yuan, for an award")
    reason: str = Field("", max_length=5000)


@router.post(
    "/awards/applications/{application_id}/decision",
    response={201: OfficeApplicationOut, **ERRORS},
    auth=WRITE_AUTH,
)
def decide(
    request: HttpRequest, application_id: int, payload: DecisionIn
) -> Status[dict[str, Any]]:
    """Award (committed from the budget still available) or reject with a reason."""
    user = _user(request)
    application = selectors.get_application(application_id, user)
    services.decide(
        user, application, outcome=payload.outcome, amount=payload.amount, reason=payload.reason
    )
    application.refresh_from_db()
    return Status(201, office_out(application, user))


class MoneyIn(Strict):
    amount: Decimal
    memo: str = Field("", max_length=300)


@router.post(
    "/awards/applications/{application_id}/disbursements",
    response={201: EntryOut, **ERRORS},
    auth=WRITE_AUTH,
)
def disburse(request: HttpRequest, application_id: int, payload: MoneyIn) -> Status[dict[str, Any]]:
    """Pay a tranche; never more than is still committed to the award."""
    user = _user(request)
    application = selectors.get_application(application_id, user)
    entry = services.disburse(user, application, amount=payload.amount, memo=payload.memo)
    return Status(201, entry_out(entry))


class BalancesOut(Schema):
    fund_source: Decimal
    available: Decimal
    committed: Decimal
    paid: Decimal


class LedgerOut(Schema):
    program: int
    budget: Decimal
    posted: Decimal
    balances: BalancesOut
    entries: list[EntryOut]


@router.get(
    "/awards/programs/{program_id}/ledger", response={200: LedgerOut, **ERRORS}, auth=WRITE_AUTH
)
def ledger(request: HttpRequest, program_id: int) -> dict[str, Any]:
    user = _user(request)
    view = selectors.ledger(selectors.get_program(program_id, user), user)
    return {
        "program": view.program.pk,
        "budget": view.program.budget,
        "posted": view.posted,
        "balances": view.balances,
        "entries": [entry_out(e) for e in view.entries],
    }


class ProgramApplicationOut(Schema):
    id: int
    enterprise: str
    status: str
    requested_amount: Decimal


class ProgramRowOut(Schema):
    program: int
    code: str
    name: str
    budget: Decimal
    balances: BalancesOut
    applications: list[ProgramApplicationOut] = Field(description="Submitted and later")


@router.get(
    "/awards/clusters/{slug}/programs",
    response={200: list[ProgramRowOut], **ERRORS},
    auth=WRITE_AUTH,
)
def office_overview(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """The office's programs with their balances and the applications to review or decide."""
    user = _user(request)
    cluster = registry_selectors.get_cluster(slug)
    return [
        {
            "program": row.program.pk,
            "code": row.program.code,
            "name": row.program.name,
            "budget": row.program.budget,
            "balances": row.balances,
            "applications": [
                {
                    "id": a.pk,
                    "enterprise": a.enterprise.name,
                    "status": a.status,
                    "requested_amount": a.requested_amount,
                }
                for a in selectors.applications_to_review(row.program)
            ],
        }
        for row in selectors.office_overview(cluster, user)
    ]


class BudgetIn(Strict):
    amount: Decimal | None = Field(None, description="Default: all of the budget not posted")
    memo: str = Field("", max_length=300)


@router.post(
    "/awards/programs/{program_id}/budget", response={201: EntryOut, **ERRORS}, auth=WRITE_AUTH
)
def post_budget(request: HttpRequest, program_id: int, payload: BudgetIn) -> Status[dict[str, Any]]:
    user = _user(request)
    program = selectors.get_program(program_id, user)
    entry = services.post_budget(user, program, amount=payload.amount, memo=payload.memo)
    return Status(201, entry_out(entry))


class ReversalIn(Strict):
    reason: str = Field(max_length=300)


@router.post(
    "/awards/entries/{entry_id}/reversal", response={201: EntryOut, **ERRORS}, auth=WRITE_AUTH
)
def reverse(request: HttpRequest, entry_id: int, payload: ReversalIn) -> Status[dict[str, Any]]:
    """Undo an entry by a counter-entry naming it (the original stays as it was)."""
    user = _user(request)
    entry = selectors.get_entry(entry_id, user)
    return Status(201, entry_out(services.reverse_entry(user, entry, reason=payload.reason)))


class AuditOut(Schema):
    id: int
    at: datetime.datetime
    actor: str
    action: str
    application: int | None
    entry: int | None
    detail: dict[str, Any]


@router.get(
    "/awards/programs/{program_id}/audit", response={200: list[AuditOut], **ERRORS}, auth=WRITE_AUTH
)
def audit(
    request: HttpRequest, response: HttpResponse, program_id: int, paging: Query[Paging]
) -> list[dict[str, Any]]:
    """The program's audit trail, newest first, a page at a time (`X-Total-Count`, `Link`)."""
    user = _user(request)
    events = selectors.audit_trail(selectors.get_program(program_id, user), user)
    return paged(request, response, events, paging, _audit_out)


def _audit_out(e: AuditEvent) -> dict[str, Any]:
    return {
        "id": e.pk,
        "at": e.at,
        "actor": e.actor_name,
        "action": e.action,
        "application": e.application_id,
        "entry": e.entry_id,
        "detail": e.detail,
    }


# --- firm and outcomes ---------------------------------------------------------------------------


class PaymentOut(Schema):
    id: int
    kind: str
    amount: Decimal = Field(description="Negative for a reversed payment")
    tranche: int | None
    reverses: int | None
    created_at: datetime.datetime


class OutcomeOut(Schema):
    due_on: datetime.date
    submitted_at: datetime.datetime | None
    statement: str
    indicators: dict[str, Any]


class AwardOut(Schema):
    application: int
    status: str
    decision: DecisionOut | None
    committed: Decimal
    paid: Decimal
    payments: list[PaymentOut]
    outcome: OutcomeOut | None


def award_out(application: Any, user: Any) -> dict[str, Any]:
    view = selectors.award_view(application, user)
    report = view.report
    return {
        "application": application.pk,
        "status": application.status,
        "decision": decision_out(view.decision),
        "committed": view.committed,
        "paid": view.paid,
        "payments": [
            {
                "id": p.pk,
                "kind": p.kind,
                "amount": -p.amount if p.reverses_id else p.amount,
                "tranche": p.tranche,
                "reverses": p.reverses_id,
                "created_at": p.created_at,
            }
            for p in view.payments
        ],
        "outcome": None
        if report is None
        else {
            "due_on": report.due_on,
            "submitted_at": report.submitted_at,
            "statement": report.statement,
            "indicators": view.indicators,
        },
    }


@router.get(
    "/awards/applications/{application_id}/award",
    response={200: AwardOut, **ERRORS},
    auth=WRITE_AUTH,
)
def get_award(request: HttpRequest, application_id: int) -> dict[str, Any]:
    """The decision, payments and outcome report: the firm's own, and the office's."""
    user = _user(request)
    return award_out(selectors.get_application(application_id, user), user)


class OutcomeIn(Strict):
    statement: str = Field(max_length=5000)


@router.post(
    "/awards/applications/{application_id}/outcome",
    response={201: AwardOut, **ERRORS},
    auth=WRITE_AUTH,
)
def submit_outcome(
    request: HttpRequest, application_id: int, payload: OutcomeIn
) -> Status[dict[str, Any]]:
    user = _user(request)
    application = selectors.get_application(application_id, user)
    services.submit_outcome(user, application, statement=payload.statement)
    return Status(201, award_out(application, user))


class OutcomeSummaryOut(Schema):
    program: int
    awarded: int
    submitted: int
    overdue: int
    pending: int
    amount_awarded: Decimal
    revenue_change: Decimal | None
    employees_change: int | None
    certificates_gained: int


@router.get(
    "/awards/programs/{program_id}/outcomes",
    response={200: OutcomeSummaryOut, **ERRORS},
    auth=WRITE_AUTH,
)
def outcomes(request: HttpRequest, program_id: int) -> dict[str, Any]:
    user = _user(request)
    s = selectors.outcome_summary(selectors.get_program(program_id, user), user)
    return {k: getattr(s, k) for k in OutcomeSummaryOut.model_fields if k != "program"} | {
        "program": s.program.pk
    }
