"""Bank credit in the JSON API under /api/v1/ (decision 0020). Every call needs a session (with
CSRF) or a bearer token: anonymous callers get 401.

- a firm's users: its partner banks, its consents (grant, withdraw), who looked at its profile,
  its loan applications (apply, follow);
- a bank officer: the firms with a live consent to his bank (403 for anyone else), a firm's
  credit profile (404 without a live consent to his bank, as for a firm that does not exist;
  each read is logged for the firm), his bank's access log, the applications to his bank and
  their next steps.

Errors: `{"detail": …, "errors": [{"loc": […], "msg": …}]}`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from clusterbrain.accounts.auth import WRITE_AUTH
from clusterbrain.finance import selectors, services
from clusterbrain.finance.models import Consent, LoanApplication, PartnerBank, ProfileView
from clusterbrain.paging import Paging, paged
from clusterbrain.programs.schemas import StrictIn
from clusterbrain.registry.api import ERRORS

router = Router(tags=["finance"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class BankOut(Schema):
    id: int
    name: str
    name_zh: str
    name_en: str


def bank_out(b: PartnerBank) -> dict[str, Any]:
    return {"id": b.pk, "name": b.name, "name_zh": b.name_zh, "name_en": b.name_en}


@router.get("/finance/banks", response={200: list[BankOut], **ERRORS}, auth=WRITE_AUTH)
def list_banks(request: HttpRequest) -> list[dict[str, Any]]:
    """The partner banks of the user's firm's cluster (the banks it may consent to)."""
    enterprise = selectors.own_firm(_user(request))
    return [bank_out(b) for b in selectors.partner_banks_for(enterprise)]


class ConsentOut(Schema):
    id: int
    enterprise: int
    bank: BankOut
    sections: list[str]
    starts_on: datetime.date
    ends_on: datetime.date
    granted_at: datetime.datetime
    withdrawn_at: datetime.datetime | None
    status: str = Field(description="pending | live | withdrawn | expired, today")
    views: int = Field(description="How often the bank opened the profile under it")


def consent_out(c: Consent, status: str, views: int) -> dict[str, Any]:
    return {
        "id": c.pk,
        "enterprise": c.enterprise_id,
        "bank": bank_out(c.bank),
        "sections": list(c.sections),
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "granted_at": c.granted_at,
        "withdrawn_at": c.withdrawn_at,
        "status": status,
        "views": views,
    }


@router.get("/finance/consents", response={200: list[ConsentOut], **ERRORS}, auth=WRITE_AUTH)
def list_consents(request: HttpRequest) -> list[dict[str, Any]]:
    """Every consent the user's firm gave, newest first, with its status today."""
    return [
        consent_out(r.consent, r.status, r.views) for r in selectors.firm_consents(_user(request))
    ]


class ConsentIn(StrictIn):
    bank: int
    starts_on: datetime.date | None = Field(None, description="Default: today")
    ends_on: datetime.date = Field(description="Last day included; at most a year after start")
    sections: list[str] = Field(description="revenue, orders, certificates, green, awards")


@router.post("/finance/consents", response={201: ConsentOut, **ERRORS}, auth=WRITE_AUTH)
def grant_consent(request: HttpRequest, payload: ConsentIn) -> Status[dict[str, Any]]:
    c = services.grant_consent(
        _user(request),
        bank=payload.bank,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        sections=payload.sections,
    )
    return Status(201, consent_out(c, c.status_on(selectors.today()), 0))


@router.post(
    "/finance/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **ERRORS},
    auth=WRITE_AUTH,
)
def withdraw_consent(request: HttpRequest, consent_id: int) -> dict[str, Any]:
    """Withdraw now: the bank reads nothing more under this consent."""
    c = services.withdraw_consent(_user(request), consent_id)
    return consent_out(c, c.status_on(selectors.today()), c.views.count())


class ViewOut(Schema):
    id: int
    enterprise: int
    enterprise_name: str
    bank: BankOut
    viewer: str
    sections: list[str]
    channel: str
    viewed_at: datetime.datetime


def view_out(v: ProfileView) -> dict[str, Any]:
    return {
        "id": v.pk,
        "enterprise": v.enterprise_id,
        "enterprise_name": v.enterprise.name,
        "bank": bank_out(v.bank),
        "viewer": v.viewer_name,
        "sections": list(v.sections),
        "channel": v.channel,
        "viewed_at": v.viewed_at,
    }


@router.get("/finance/access-log", response={200: list[ViewOut], **ERRORS}, auth=WRITE_AUTH)
def access_log(
    request: HttpRequest, response: HttpResponse, paging: Query[Paging]
) -> list[dict[str, Any]]:
    """The firm: every bank's looks at its profile; an officer: his own bank's looks only;
    newest first, a page at a time (`X-Total-Count`, `Link` rel=next)."""
    return paged(request, response, selectors.access_log(_user(request)), paging, view_out)


class ConsentedFirmOut(Schema):
    enterprise: int
    name: str
    cluster: str
    consent: int
    sections: list[str]
    ends_on: datetime.date
    last_viewed: datetime.datetime | None


@router.get(
    "/finance/bank/firms", response={200: list[ConsentedFirmOut], **ERRORS}, auth=WRITE_AUTH
)
def consented_firms(request: HttpRequest) -> list[dict[str, Any]]:
    """The firms with a live consent to the officer's bank (403 for everyone else)."""
    return [
        {
            "enterprise": r.enterprise.pk,
            "name": r.enterprise.name,
            "cluster": r.enterprise.cluster.slug,
            "consent": r.consent.pk,
            "sections": r.sections,
            "ends_on": r.consent.ends_on,
            "last_viewed": r.last_viewed,
        }
        for r in selectors.consented_firms(_user(request))
    ]


class RevenueYearOut(Schema):
    year: int
    revenue: Decimal | None = Field(description="yuan")
    output_value: Decimal | None
    employees: int | None
    growth: Decimal | None = Field(description="revenue against the year before, percent")


class OrdersYearOut(Schema):
    year: int
    delivered: int
    on_time: int


class OrdersOut(Schema):
    taken: int
    delivered: int
    on_time: int
    late: int
    on_time_rate: float | None
    quality_passed: int
    quality_failed: int
    declined: int
    by_year: list[OrdersYearOut]


class CertificateOut(Schema):
    kind: str
    kind_label: str
    issuer: str
    number: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    verified: bool
    valid: bool


class GreenOut(Schema):
    year: int
    grade: int | None = Field(description="1 (best) … 5 within its industry in the cluster")
    level: int | None = Field(description="1 low, 2 medium, 3 high carbon")
    intensity: float | None = Field(description="tCO2e per 10,000 yuan of value added")
    benchmark: float | None
    industry: str


class AwardOut(Schema):
    program: str
    amount: Decimal = Field(description="yuan awarded")
    paid: Decimal = Field(description="yuan paid out so far")
    decided_on: datetime.date


class ProfileOut(Schema):
    enterprise: int
    name: str
    uscc: str
    cluster: str
    as_of: datetime.date
    consent: int
    consent_ends_on: datetime.date
    sections: list[str] = Field(description="Only these sections are filled; others are null")
    revenue: list[RevenueYearOut] | None
    orders: OrdersOut | None
    certificates: list[CertificateOut] | None
    green: GreenOut | None
    awards: list[AwardOut] | None


def profile_out(p: selectors.CreditProfile, c: Consent) -> dict[str, Any]:
    orders = None
    if p.orders is not None:
        o = p.orders
        orders = {
            **{k: getattr(o, k) for k in OrdersOut.model_fields if k != "by_year"},
            "by_year": [vars(y) for y in o.by_year],
        }
    return {
        "enterprise": p.enterprise.pk,
        "name": p.enterprise.name,
        "uscc": p.enterprise.uscc,
        "cluster": p.enterprise.cluster.slug,
        "as_of": p.as_of,
        "consent": c.pk,
        "consent_ends_on": c.ends_on,
        "sections": p.sections,
        "revenue": [vars(r) for r in p.revenue] if p.revenue is not None else None,
        "orders": orders,
        "certificates": [vars(r) for r in p.certificates] if p.certificates is not None else None,
        "green": vars(p.green) if p.green is not None else None,
        "awards": [vars(a) for a in p.awards] if p.awards is not None else None,
    }


@router.get(
    "/finance/bank/firms/{enterprise_id}/profile",
    response={200: ProfileOut, **ERRORS},
    auth=WRITE_AUTH,
)
def credit_profile(request: HttpRequest, enterprise_id: int) -> dict[str, Any]:
    """The firm's credit profile, the consented sections only; logged for the firm. 404 without
    a live consent of the firm to the officer's bank."""
    profile, consent = services.open_credit_profile(_user(request), enterprise_id, channel="api")
    return profile_out(profile, consent)


class LoanEventOut(Schema):
    status: str
    note: str
    by: str
    at: datetime.datetime


class LoanOut(Schema):
    id: int
    enterprise: int
    enterprise_name: str
    bank: BankOut
    amount: Decimal = Field(description="yuan")
    purpose: str
    term_months: int
    status: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    events: list[LoanEventOut]


def loan_out(a: LoanApplication) -> dict[str, Any]:
    return {
        "id": a.pk,
        "enterprise": a.enterprise_id,
        "enterprise_name": a.enterprise.name,
        "bank": bank_out(a.bank),
        "amount": a.amount,
        "purpose": a.purpose,
        "term_months": a.term_months,
        "status": a.status,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "events": [
            {"status": e.status, "note": e.note, "by": e.by_name, "at": e.at}
            for e in a.events.all()
        ],
    }


@router.get("/finance/loans", response={200: list[LoanOut], **ERRORS}, auth=WRITE_AUTH)
def list_loans(
    request: HttpRequest, response: HttpResponse, paging: Query[Paging]
) -> list[dict[str, Any]]:
    """The firm's applications, or the applications to the officer's bank, a page at a time."""
    rows = selectors.loans_of(_user(request)).prefetch_related("events")
    return paged(request, response, rows, paging, loan_out)


class LoanIn(StrictIn):
    bank: int
    amount: Decimal = Field(description="yuan, to the fen", allow_inf_nan=False)
    purpose: str = Field(max_length=500)
    term_months: int


@router.post("/finance/loans", response={201: LoanOut, **ERRORS}, auth=WRITE_AUTH)
def apply_for_loan(request: HttpRequest, payload: LoanIn) -> Status[dict[str, Any]]:
    """Apply to a bank the firm has a live consent with (refused at `bank` otherwise)."""
    a = services.apply_for_loan(
        _user(request),
        bank=payload.bank,
        amount=payload.amount,
        purpose=payload.purpose,
        term_months=payload.term_months,
    )
    return Status(201, loan_out(a))


@router.get("/finance/loans/{loan_id}", response={200: LoanOut, **ERRORS}, auth=WRITE_AUTH)
def get_loan(request: HttpRequest, loan_id: int) -> dict[str, Any]:
    return loan_out(selectors.get_loan(loan_id, _user(request)))


class LoanStepIn(StrictIn):
    status: str = Field(description="under_review | approved | rejected | disbursed")
    note: str = Field("", max_length=1000)


@router.post("/finance/loans/{loan_id}/status", response={200: LoanOut, **ERRORS}, auth=WRITE_AUTH)
def move_loan(request: HttpRequest, loan_id: int, payload: LoanStepIn) -> dict[str, Any]:
    """The bank's officer moves the application on; the firm sees each step with its note."""
    a = services.move_loan(_user(request), loan_id, status=payload.status, note=payload.note)
    return loan_out(a)
