"""Exhibition groups in the JSON API under /api/v1/ (decision 0022). Exhibitions and their booth
plans are public reads; everything else needs a session (with CSRF) or a bearer token. The
organisers' writes are the association's of the cluster (403 for others); a firm's leads are its
own (404 for anyone else, as if absent). Money is a decimal string. Errors:
`{"detail": …, "errors": [{"loc": […], "msg": …}]}`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from clusterbrain.accounts.auth import READ_AUTH, WRITE_AUTH
from clusterbrain.errors import InvalidInput
from clusterbrain.exhibitions import permissions, selectors, services
from clusterbrain.exhibitions.models import Booth, Exhibition, Lead, SignUp
from clusterbrain.programs.schemas import StrictIn
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry.api import ERRORS, READ_ERRORS
from clusterbrain.registry.models import Enterprise
from clusterbrain.registry.selectors import as_id

router = Router(tags=["exhibitions"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class ExhibitionOut(Schema):
    id: int
    name: str
    name_zh: str
    name_en: str
    venue: str
    city: str
    country: str
    scope: str
    starts_on: datetime.date
    ends_on: datetime.date
    signup_deadline: datetime.date
    booth_fee: Decimal
    allocated_at: datetime.datetime | None


def exhibition_out(e: Exhibition) -> dict[str, Any]:
    return {
        "id": e.pk,
        "name": e.name,
        "name_zh": e.name_zh,
        "name_en": e.name_en,
        "venue": e.venue,
        "city": e.city,
        "country": e.country,
        "scope": e.scope,
        "starts_on": e.starts_on,
        "ends_on": e.ends_on,
        "signup_deadline": e.signup_deadline,
        "booth_fee": e.booth_fee,
        "allocated_at": e.allocated_at,
    }


class BoothOut(Schema):
    code: str
    area_m2: Decimal
    zone: str
    corner: bool
    enterprise: int | None
    enterprise_name: str | None


def booth_out(b: Booth) -> dict[str, Any]:
    a = getattr(b, "assignment", None)
    firm = a.signup.enterprise if a is not None else None
    return {
        "code": b.code,
        "area_m2": b.area_m2,
        "zone": b.zone,
        "corner": b.corner,
        "enterprise": firm.pk if firm else None,
        "enterprise_name": firm.name if firm else None,
    }


class ExhibitionDetail(ExhibitionOut):
    booths: list[BoothOut]


@router.get(
    "/clusters/{slug}/exhibitions",
    response={200: list[ExhibitionOut], **READ_ERRORS},
    auth=READ_AUTH,
)
def list_exhibitions(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    cluster = registry_selectors.get_cluster(slug)
    return [exhibition_out(e) for e in selectors.exhibitions(cluster)]


class ExhibitionIn(StrictIn):
    name_zh: str = Field(max_length=200)
    name_en: str = Field("", max_length=200)
    venue: str = Field(max_length=200)
    city_zh: str = Field(max_length=100)
    city_en: str = Field("", max_length=100)
    country: str = Field(max_length=2)
    scope: str
    starts_on: datetime.date
    ends_on: datetime.date
    signup_deadline: datetime.date
    booth_fee: Decimal = Field(allow_inf_nan=False)
    description_zh: str = ""
    description_en: str = ""


@router.post(
    "/clusters/{slug}/exhibitions",
    response={201: ExhibitionDetail, **ERRORS},
    auth=WRITE_AUTH,
)
def create_exhibition(
    request: HttpRequest, slug: str, payload: ExhibitionIn
) -> Status[dict[str, Any]]:
    cluster = registry_selectors.get_cluster(slug)
    e = services.create_exhibition(_user(request), cluster, **payload.model_dump())
    return Status(201, {**exhibition_out(e), "booths": []})


@router.get(
    "/exhibitions/{exhibition_id}", response={200: ExhibitionDetail, **READ_ERRORS}, auth=READ_AUTH
)
def get_exhibition(request: HttpRequest, exhibition_id: int) -> dict[str, Any]:
    """The exhibition with its booth plan and who is placed where (public)."""
    e = selectors.get_exhibition(exhibition_id)
    return {**exhibition_out(e), "booths": [booth_out(b) for b in selectors.booth_plan(e)]}


class BoothIn(StrictIn):
    code: str = Field(max_length=20)
    area_m2: Decimal = Field(allow_inf_nan=False)
    zone: str = Field("", max_length=40)
    corner: bool = False


class BoothsIn(StrictIn):
    booths: list[BoothIn]


@router.post(
    "/exhibitions/{exhibition_id}/booths",
    response={201: ExhibitionDetail, **ERRORS},
    auth=WRITE_AUTH,
)
def add_booths(
    request: HttpRequest, exhibition_id: int, payload: BoothsIn
) -> Status[dict[str, Any]]:
    """Add rows to the booth plan; a refused row is named `["booths", n, field]`."""
    e = selectors.get_exhibition(exhibition_id)
    services.add_booths(_user(request), e, [b.model_dump() for b in payload.booths])
    return Status(
        201, {**exhibition_out(e), "booths": [booth_out(b) for b in selectors.booth_plan(e)]}
    )


class SignUpOut(Schema):
    id: int
    enterprise: int
    enterprise_name: str
    booths_requested: int
    area_requested: Decimal | None
    products: list[str]
    preferred_zone: str
    signed_up_at: datetime.datetime
    booths: list[str]
    fee: Decimal = Field(description="booths given × fee per booth, yuan")


def signup_out(s: SignUp) -> dict[str, Any]:
    booths = sorted(a.booth.code for a in s.assignments.all())
    return {
        "id": s.pk,
        "enterprise": s.enterprise_id,
        "enterprise_name": s.enterprise.name,
        "booths_requested": s.booths_requested,
        "area_requested": s.area_requested,
        "products": list(s.products),
        "preferred_zone": s.preferred_zone,
        "signed_up_at": s.signed_up_at,
        "booths": booths,
        "fee": s.exhibition.booth_fee * len(booths),
    }


@router.get(
    "/exhibitions/{exhibition_id}/signups",
    response={200: list[SignUpOut], **ERRORS},
    auth=WRITE_AUTH,
)
def list_signups(request: HttpRequest, exhibition_id: int) -> list[dict[str, Any]]:
    """Every sign-up for the organisers and the office; a firm sees only its own."""
    e = selectors.get_exhibition(exhibition_id)
    return [signup_out(s) for s in selectors.signups(_user(request), e)]


class SignUpIn(StrictIn):
    enterprise: int | None = Field(None, description="Default: the user's own firm")
    booths_requested: int = 1
    area_requested: Decimal | None = Field(None, allow_inf_nan=False)
    products: list[str] = []
    preferred_zone: str = Field("", max_length=40)


@router.post(
    "/exhibitions/{exhibition_id}/signups", response={201: SignUpOut, **ERRORS}, auth=WRITE_AUTH
)
def sign_up(request: HttpRequest, exhibition_id: int, payload: SignUpIn) -> Status[dict[str, Any]]:
    """Sign a firm up before the deadline (after it: 422 at `signup_deadline`)."""
    user = _user(request)
    e = selectors.get_exhibition(exhibition_id)
    firm_id = payload.enterprise or permissions.firm_of(user)
    firm = Enterprise.objects.filter(pk=as_id(firm_id) or 0).first()
    s = services.sign_up(
        user,
        e,
        enterprise=firm,
        booths_requested=payload.booths_requested,
        area_requested=payload.area_requested,
        products=payload.products,
        preferred_zone=payload.preferred_zone,
    )
    return Status(201, signup_out(s))


class AllocationOut(Schema):
    assigned: int
    unmet: dict[int, int] = Field(description="sign-up id → booths asked for and not given")
    booths: list[BoothOut]


@router.post(
    "/exhibitions/{exhibition_id}/allocate",
    response={200: AllocationOut, **ERRORS},
    auth=WRITE_AUTH,
)
def allocate(request: HttpRequest, exhibition_id: int) -> dict[str, Any]:
    """Allocate the booths not placed by hand: members first, then by sign-up time; preferred
    zone, size, corners."""
    e = selectors.get_exhibition(exhibition_id)
    result = services.allocate_booths(_user(request), e)
    return {
        "assigned": len(result.pairs),
        "unmet": result.unmet,
        "booths": [booth_out(b) for b in selectors.booth_plan(e)],
    }


class AssignIn(StrictIn):
    booth: str = Field(max_length=20)
    enterprise: int


class FreeIn(StrictIn):
    booth: str = Field(max_length=20)


@router.post(
    "/exhibitions/{exhibition_id}/assignments",
    response={201: BoothOut, **ERRORS},
    auth=WRITE_AUTH,
)
def assign(request: HttpRequest, exhibition_id: int, payload: AssignIn) -> Status[dict[str, Any]]:
    """Place a signed-up firm at a free booth by hand; a taken booth is refused at `booth`."""
    e = selectors.get_exhibition(exhibition_id)
    firm = Enterprise.objects.filter(pk=as_id(payload.enterprise) or 0).first()
    if firm is None:
        raise InvalidInput.field("enterprise", _("No such enterprise."))
    a = services.assign_booth(_user(request), e, booth_code=payload.booth, enterprise=firm)
    booth = Booth.objects.select_related("assignment__signup__enterprise").get(pk=a.booth_id)
    return Status(201, booth_out(booth))


@router.post(
    "/exhibitions/{exhibition_id}/assignments/free",
    response={200: BoothOut, **ERRORS},
    auth=WRITE_AUTH,
)
def free(request: HttpRequest, exhibition_id: int, payload: FreeIn) -> dict[str, Any]:
    e = selectors.get_exhibition(exhibition_id)
    services.free_booth(_user(request), e, booth_code=payload.booth)
    return booth_out(Booth.objects.get(exhibition=e, code=payload.booth.strip().upper()))


class LeadOut(Schema):
    id: int
    buyer_company: str
    country: str
    contact_name: str
    contact_email: str
    contact_phone: str
    interest: str
    products: list[str]
    follow_up: str
    notes: str
    recorded_at: datetime.datetime


def lead_out(x: Lead) -> dict[str, Any]:
    return {k: getattr(x, k) for k in LeadOut.model_fields if k != "id"} | {"id": x.pk}


class LeadIn(StrictIn):
    buyer_company: str = Field(max_length=200)
    country: str = Field(max_length=2)
    contact_name: str = Field("", max_length=120)
    contact_email: str = Field("", max_length=254)
    contact_phone: str = Field("", max_length=60)
    interest: str = "medium"
    products: list[str] = []
    follow_up: str = "new"
    notes: str = Field("", max_length=2000)


@router.get(
    "/exhibitions/signups/{signup_id}/leads",
    response={200: list[LeadOut], **ERRORS},
    auth=WRITE_AUTH,
)
def list_leads(request: HttpRequest, signup_id: int) -> list[dict[str, Any]]:
    """The firm's own leads at one exhibition (404 for anyone else)."""
    user = _user(request)
    s = selectors.get_signup(user, signup_id)
    return [lead_out(x) for x in selectors.leads(user, s)]


@router.post(
    "/exhibitions/signups/{signup_id}/leads",
    response={201: LeadOut, **ERRORS},
    auth=WRITE_AUTH,
)
def record_lead(request: HttpRequest, signup_id: int, payload: LeadIn) -> Status[dict[str, Any]]:
    user = _user(request)
    s = selectors.get_signup(user, signup_id)
    return Status(201, lead_out(services.record_lead(user, s, payload.model_dump())))


class FollowUpIn(StrictIn):
    follow_up: str
    notes: str | None = Field(None, max_length=2000)


@router.post("/exhibitions/leads/{lead_id}", response={200: LeadOut, **ERRORS}, auth=WRITE_AUTH)
def follow_up(request: HttpRequest, lead_id: int, payload: FollowUpIn) -> dict[str, Any]:
    user = _user(request)
    lead = selectors.get_lead(user, lead_id)
    return lead_out(
        services.update_follow_up(user, lead, follow_up=payload.follow_up, notes=payload.notes)
    )


class FirmLineOut(Schema):
    enterprise: int
    enterprise_name: str
    booths_requested: int
    booths: list[str]
    area_m2: Decimal
    fee: Decimal


class CountryCount(Schema):
    country: str
    leads: int


class ReportOut(Schema):
    exhibition: ExhibitionOut
    firms: list[FirmLineOut]
    booths_total: int
    booths_given: int
    area_given: Decimal
    fees_total: Decimal
    unmet: int
    leads_total: int | None = Field(description="null: fewer than k firms recorded leads")
    leads_by_country: list[CountryCount] = Field(
        description='country "": countries whose leads come from fewer than k firms, summed'
    )


@router.get(
    "/exhibitions/{exhibition_id}/report", response={200: ReportOut, **ERRORS}, auth=WRITE_AUTH
)
def report(request: HttpRequest, exhibition_id: int) -> dict[str, Any]:
    """The closing report: firms, booths, fees; leads counted by country, never listed."""
    e = selectors.get_exhibition(exhibition_id)
    r = selectors.closing_report(_user(request), e)
    return {
        "exhibition": exhibition_out(e),
        "firms": [
            {
                "enterprise": f.signup.enterprise_id,
                "enterprise_name": f.signup.enterprise.name,
                "booths_requested": f.signup.booths_requested,
                "booths": f.booths,
                "area_m2": f.area_m2,
                "fee": f.fee,
            }
            for f in r.firms
        ],
        "booths_total": r.booths_total,
        "booths_given": r.booths_given,
        "area_given": r.area_given,
        "fees_total": r.fees_total,
        "unmet": r.unmet,
        "leads_total": r.leads_total,
        "leads_by_country": [{"country": c, "leads": n} for c, n in r.leads_by_country],
    }
