"""Leading + matching in the JSON API under /api/v1/: parse, call a selector or service, return a
schema. Everything here needs a session (with CSRF) or a bearer token, except the cluster's
matching figures (public aggregates). Orders a user may not see are 404, like absent ones.
Errors come back as `{"detail": …, "errors": [{"loc": […], "msg": …}]}`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from clusterbrain.accounts.auth import READ_AUTH, WRITE_AUTH
from clusterbrain.errors import Forbidden, NotFound
from clusterbrain.matching import permissions, selectors, services
from clusterbrain.matching.models import Assignment, OutsourcingOrder
from clusterbrain.registry import schemas as registry_schemas
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry.api import ERRORS, READ_ERRORS

router = Router(tags=["matching"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- shapes ----------------------------------------------------------------------------------


class _Input(Schema):
    """A misspelt field is refused (422 naming it), not silently left at its default."""

    model_config = ConfigDict(extra="forbid")


class OrderIn(_Input):
    link_code: str
    product_category: str
    quantity: float = Field(gt=0, allow_inf_nan=False)
    unit: str = ""
    target_unit_price: float = Field(gt=0, allow_inf_nan=False)
    earliest_start: datetime.date
    due_date: datetime.date
    required_certificates: list[str] = []
    quality_tier: str = "standard"
    splittable: bool = True
    min_lot: float = Field(0, ge=0, allow_inf_nan=False)
    max_share: float = Field(1.0, gt=0, le=1, allow_inf_nan=False)
    local_preference: str = "prefer"
    note: str = ""


class AssignmentOut(Schema):
    id: int
    supplier: registry_schemas.EnterpriseRef
    supplier_in_cluster: bool
    quantity: float
    unit_price: float
    status: str
    weeks: list[tuple[datetime.date, float]]
    produced: float
    delivered_on: datetime.date | None
    delivered_quantity: float | None
    on_time: bool | None
    quality_passed: bool | None
    accepted_quantity: float | None
    decline_reason: str


class OrderOut(Schema):
    id: int
    reference: str
    cluster: str
    buyer: registry_schemas.EnterpriseRef
    link: str
    link_name: str
    product_category: str
    quantity: float
    unit: str
    target_unit_price: float | None = Field(
        None, description="The buyer's own view only; null for suppliers."
    )
    earliest_start: datetime.date
    due_date: datetime.date
    required_certificates: list[str]
    quality_tier: str
    splittable: bool
    min_lot: float
    max_share: float
    local_preference: str
    note: str
    status: str
    unmet_quantity: float
    unmet_reason: str = Field("", description="Engine reason code of the last allocation")
    unmet_explanation: str
    assignments: list[AssignmentOut] = Field(
        description="The buyer: every supplier's part; a supplier: its own part only."
    )


class OrderListOut(Schema):
    placed: list[OrderOut]
    offered: list[OrderOut]


class HistoryOut(Schema):
    deliveries: int
    on_time: float | None
    quality: float | None


class CandidateOut(Schema):
    enterprise: registry_schemas.EnterpriseRef
    rank: int | None
    in_cluster: bool
    distance_km: float | None
    unit_price: float | None
    price_vs_target: float | None
    lead_weeks: int | None
    free_capacity: float
    covers: float
    effective_price: float | None
    certificates: list[str]
    history: HistoryOut
    excluded: list[str]


class CandidatesOut(Schema):
    order: int
    window_start: datetime.date | None
    window_end: datetime.date | None
    free_capacity: float
    eligible: list[CandidateOut]
    excluded: list[CandidateOut]


class OfferIn(_Input):
    link_code: str
    unit_price: float = Field(ge=0, allow_inf_nan=False)
    lead_weeks: int = Field(0, ge=0, le=services.MAX_LEAD_WEEKS)
    quality_tier: str = "standard"
    products: str = ""


class OfferOut(Schema):
    link: str
    unit_price: float
    lead_weeks: int
    quality_tier: str
    products: str


class CapacityIn(_Input):
    link_code: str
    weeks: dict[str, float | None] = Field(
        description="Week (YYYY-Www, or any date of it) → units; null or 0 clears the week."
    )


class CapacityOut(Schema):
    written: int


class DeskOut(Schema):
    offers: list[OfferOut]
    weeks: list[datetime.date]
    calendar: dict[str, list[float | None]]
    held: dict[str, list[float]]
    history: HistoryOut


class RunIn(_Input):
    period_start: datetime.date
    weeks: int = Field(12, ge=1, le=services.MAX_WEEKS)
    time_limit: float | None = Field(None, gt=0, allow_inf_nan=False)
    method: str = "mip"


class UnmetReasonOut(Schema):
    reason: str
    explanation: str
    orders: int
    quantity: float | None


class RunOut(Schema):
    id: int
    kind: str
    period_start: datetime.date
    weeks: int
    status: str
    method: str
    objective: float | None
    purchase_cost: float | None
    best_bound: float | None
    gap: float | None
    seconds: float
    orders: int
    suppliers: int
    orders_met: int
    orders_unmet: int
    placed_quantity: float | None
    unmet_quantity: float | None
    local_share: float | None
    withheld: bool = Field(
        description="Money and unit figures are null: fewer than `min_firms` leading firms or "
        "suppliers behind them (the cluster office and admins always see them)."
    )
    unmet: list[UnmetReasonOut]


class ConfirmIn(_Input):
    quantities: dict[str, float] = Field(
        default_factory=dict,
        description="Assignment id → units (lower than proposed, or 0 to leave it out).",
    )


class DeclineIn(_Input):
    reason: str = ""


class ProgressIn(_Input):
    produced: float = Field(ge=0, allow_inf_nan=False)
    note: str = ""


class DeliveryIn(_Input):
    delivered_on: datetime.date
    quantity: float = Field(gt=0, allow_inf_nan=False)


class InspectionIn(_Input):
    passed: bool
    accepted_quantity: float | None = Field(None, ge=0, allow_inf_nan=False)
    note: str = ""


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    order: int | None
    created_at: datetime.datetime
    read: bool


class ReadOut(Schema):
    marked: int


class UtilisationOut(Schema):
    link: str
    link_name: str
    capacity: float | None
    used: float | None
    rate: float | None
    suppliers: int
    suppressed: bool


class LeadingFirmOut(registry_schemas.EnterpriseRef):
    rate: float | None
    value: float


class FiguresOut(Schema):
    year: int | None
    localisation_rate: float | None
    by_year: list[tuple[int, float | None]]
    suppressed_years: list[int]
    suppression_note: str
    utilisation_from: datetime.date
    utilisation_to: datetime.date
    utilisation: list[UtilisationOut]
    smes_reached: int
    smes_by_year: list[tuple[int, int]]
    open_orders: int
    per_leading_firm: list[LeadingFirmOut] | None = Field(
        None, description="Only for the cluster office and admins."
    )


# --- filling them ----------------------------------------------------------------------------


def _history(h: selectors.History) -> dict[str, Any]:
    return {"deliveries": h.deliveries, "on_time": h.on_time, "quality": h.quality}


def assignment_out(a: Assignment) -> dict[str, Any]:
    from clusterbrain.matching.problem import is_local

    return {
        "id": a.pk,
        "supplier": registry_schemas.enterprise_ref(a.supplier),
        "supplier_in_cluster": is_local(a.supplier, a.order.cluster),
        "quantity": a.quantity,
        "unit_price": float(a.unit_price),
        "status": a.status,
        "weeks": [(w.week, w.quantity) for w in a.weeks.all()],
        "produced": a.produced,
        "delivered_on": a.delivered_on,
        "delivered_quantity": a.delivered_quantity,
        "on_time": a.on_time,
        "quality_passed": a.quality_passed,
        "accepted_quantity": a.accepted_quantity,
        "decline_reason": a.decline_reason,
    }


def order_out(view: selectors.OrderView) -> dict[str, Any]:
    o: OutsourcingOrder = view.order
    return {
        "id": o.pk,
        "reference": o.reference,
        "cluster": o.cluster.slug,
        "buyer": registry_schemas.enterprise_ref(o.buyer),
        "link": o.link.code,
        "link_name": o.link.name,
        "product_category": o.product_category,
        "quantity": o.quantity,
        "unit": o.unit,
        "target_unit_price": float(o.target_unit_price) if view.as_buyer else None,
        "earliest_start": o.earliest_start,
        "due_date": o.due_date,
        "required_certificates": o.required_certificates,
        "quality_tier": o.quality_tier,
        "splittable": o.splittable,
        "min_lot": o.min_lot,
        "max_share": o.max_share,
        "local_preference": o.local_preference,
        "note": o.note,
        "status": o.status,
        "unmet_quantity": o.unmet_quantity if view.as_buyer else 0.0,
        "unmet_reason": o.unmet_reason if view.as_buyer else "",
        "unmet_explanation": view.unmet_text,
        "assignments": [assignment_out(a) for a in view.assignments],
    }


def candidate_out(c: selectors.Candidate) -> dict[str, Any]:
    return {
        "enterprise": registry_schemas.enterprise_ref(c.firm),
        "rank": c.rank,
        "in_cluster": c.in_cluster,
        "distance_km": None if c.distance_km is None else round(c.distance_km, 1),
        "unit_price": c.unit_price,
        "price_vs_target": c.price_vs_target,
        "lead_weeks": c.lead_weeks,
        "free_capacity": c.free_capacity,
        "covers": c.covers,
        "effective_price": c.effective_price,
        "certificates": c.certificates,
        "history": _history(c.history),
        "excluded": c.excluded,
    }


def run_out(view: selectors.RunView) -> dict[str, Any]:
    r = view.run
    return {
        "id": r.pk,
        "kind": r.kind,
        "period_start": r.period_start,
        "weeks": r.weeks,
        "status": r.status,
        "method": r.method,
        "objective": None if view.withheld else r.objective,
        "purchase_cost": None if view.withheld else r.purchase_cost,
        "best_bound": None if view.withheld else r.best_bound,
        "gap": r.gap,
        "seconds": r.seconds,
        "orders": r.orders,
        "suppliers": r.suppliers,
        "orders_met": view.orders_met,
        "orders_unmet": view.orders_unmet,
        "placed_quantity": view.placed_units,
        "unmet_quantity": view.unmet_units,
        "local_share": view.local_share,
        "withheld": view.withheld,
        "unmet": [
            {"reason": code, "explanation": text, "orders": n, "quantity": units}
            for code, text, n, units in view.unmet_by_reason
        ],
    }


def _order(request: HttpRequest, order_id: int) -> dict[str, Any]:
    return order_out(selectors.get_order(order_id, _user(request)))


def _assignment(request: HttpRequest, assignment_id: int) -> Assignment:
    """The assignment if the caller may act on it (its supplier or its buyer), else 404."""
    pk = registry_selectors.as_id(assignment_id)
    assignment = (
        Assignment.objects.select_related("order", "order__cluster", "supplier")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if assignment is None:
        raise NotFound(_("No such assignment."))
    return assignment


# --- orders ----------------------------------------------------------------------------------


@router.get("/clusters/{slug}/orders", response={200: OrderListOut, **ERRORS}, auth=WRITE_AUTH)
def list_orders(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The caller's firm's orders, and the orders offered to it (its own part of each)."""
    cluster = registry_selectors.get_cluster(slug)
    user = _user(request)
    lists = selectors.orders_for(cluster, user)
    offered = {a.order_id for a in lists.offered}
    return {
        "placed": [order_out(selectors.get_order(o.pk, user)) for o in lists.placed],
        "offered": [order_out(selectors.get_order(pk, user)) for pk in sorted(offered)],
    }


@router.post("/clusters/{slug}/orders", response={201: OrderOut, **ERRORS}, auth=WRITE_AUTH)
def post_order(request: HttpRequest, slug: str, payload: OrderIn) -> Status[dict[str, Any]]:
    """A leading firm's users post an order for their firm."""
    cluster = registry_selectors.get_cluster(slug)
    user = _user(request)
    firm = permissions.firm_of(user)
    buyer = cluster.enterprises.filter(pk=firm).first() if firm else None
    if buyer is None:
        raise Forbidden(_("Only a leading firm's own users may post its outsourcing orders."))
    data = payload.model_dump()
    for name in ("earliest_start", "due_date"):
        data[name] = data[name].isoformat()
    order = services.post_order(user, buyer, data)
    return Status(201, _order(request, order.pk))


@router.get("/orders/{order_id}", response={200: OrderOut, **ERRORS}, auth=WRITE_AUTH)
def get_order(request: HttpRequest, order_id: int) -> dict[str, Any]:
    return _order(request, order_id)


@router.get(
    "/orders/{order_id}/candidates", response={200: CandidatesOut, **ERRORS}, auth=WRITE_AUTH
)
def order_candidates(request: HttpRequest, order_id: int) -> dict[str, Any]:
    """Every firm active in the order's link: the capable ones ranked, the others with why.
    The buyer (and admins) only: it shows what each supplier quotes."""
    view = selectors.get_order(order_id, _user(request))
    search = selectors.candidates(view.order, _user(request))
    return {
        "order": view.order.pk,
        "window_start": search.window[0] if search.window else None,
        "window_end": search.window[1] if search.window else None,
        "free_capacity": search.free_total,
        "eligible": [candidate_out(c) for c in search.eligible],
        "excluded": [candidate_out(c) for c in search.excluded],
    }


@router.post("/orders/{order_id}/cancel", response={200: OrderOut, **ERRORS}, auth=WRITE_AUTH)
def cancel_order(request: HttpRequest, order_id: int) -> dict[str, Any]:
    view = selectors.get_order(order_id, _user(request))
    services.cancel_order(_user(request), view.order)
    return _order(request, order_id)


@router.post("/orders/{order_id}/confirm", response={200: OrderOut, **ERRORS}, auth=WRITE_AUTH)
def confirm_proposal(request: HttpRequest, order_id: int, payload: ConfirmIn) -> dict[str, Any]:
    """Confirm the proposal (each supplier is then offered its part), lowering quantities or
    leaving suppliers out on the way."""
    view = selectors.get_order(order_id, _user(request))
    services.confirm_proposal(_user(request), view.order, payload.quantities)
    return _order(request, order_id)


@router.post("/orders/{order_id}/discard", response={200: OrderOut, **ERRORS}, auth=WRITE_AUTH)
def discard_proposal(request: HttpRequest, order_id: int) -> dict[str, Any]:
    view = selectors.get_order(order_id, _user(request))
    services.discard_proposal(_user(request), view.order)
    return _order(request, order_id)


# --- a supplier's part ----------------------------------------------------------------------


@router.post(
    "/assignments/{assignment_id}/accept", response={200: OrderOut, **ERRORS}, auth=WRITE_AUTH
)
def accept(request: HttpRequest, assignment_id: int) -> dict[str, Any]:
    assignment = services.accept_assignment(_user(request), _assignment(request, assignment_id))
    return _order(request, assignment.order_id)


@router.post(
    "/assignments/{assignment_id}/decline", response={200: OrderOut, **ERRORS}, auth=WRITE_AUTH
)
def decline(request: HttpRequest, assignment_id: int, payload: DeclineIn) -> dict[str, Any]:
    """Decline the part: the order's remainder is re-optimised at once (only that order)."""
    assignment = services.decline_assignment(
        _user(request), _assignment(request, assignment_id), payload.reason
    )
    return _order(request, assignment.order_id)


@router.post(
    "/assignments/{assignment_id}/progress", response={200: OrderOut, **ERRORS}, auth=WRITE_AUTH
)
def progress(request: HttpRequest, assignment_id: int, payload: ProgressIn) -> dict[str, Any]:
    assignment = services.report_progress(
        _user(request), _assignment(request, assignment_id), payload.produced, payload.note
    )
    return _order(request, assignment.order_id)


@router.post(
    "/assignments/{assignment_id}/delivery", response={200: OrderOut, **ERRORS}, auth=WRITE_AUTH
)
def delivery(request: HttpRequest, assignment_id: int, payload: DeliveryIn) -> dict[str, Any]:
    assignment = services.record_delivery(
        _user(request),
        _assignment(request, assignment_id),
        payload.delivered_on.isoformat(),
        payload.quantity,
    )
    return _order(request, assignment.order_id)


@router.post(
    "/assignments/{assignment_id}/inspection",
    response={200: OrderOut, **ERRORS},
    auth=WRITE_AUTH,
)
def inspection(request: HttpRequest, assignment_id: int, payload: InspectionIn) -> dict[str, Any]:
    """The buyer's quality acceptance of a delivery: it enters the supplier's record."""
    assignment = services.inspect_delivery(
        _user(request),
        _assignment(request, assignment_id),
        payload.passed,
        payload.accepted_quantity,
        payload.note,
    )
    return _order(request, assignment.order_id)


# --- offers and capacity ---------------------------------------------------------------------


def _desk(request: HttpRequest, enterprise_id: int) -> dict[str, Any]:
    enterprise = registry_selectors.get_enterprise(enterprise_id)
    desk = selectors.offers_of(enterprise, _user(request))
    codes = {link.pk: link.code for link in desk.links}
    return {
        "offers": [
            {
                "link": o.link.code,
                "unit_price": float(o.unit_price),
                "lead_weeks": o.lead_weeks,
                "quality_tier": o.quality_tier,
                "products": o.products,
            }
            for o in desk.offers
        ],
        "weeks": desk.weeks,
        "calendar": {codes.get(k, str(k)): v for k, v in desk.calendar.items()},
        "held": {codes.get(k, str(k)): v for k, v in desk.held.items()},
        "history": _history(desk.history),
    }


@router.get(
    "/enterprises/{enterprise_id}/offers", response={200: DeskOut, **ERRORS}, auth=WRITE_AUTH
)
def supplier_desk(request: HttpRequest, enterprise_id: int) -> dict[str, Any]:
    """The firm's own offers, capacity calendar (next 12 weeks), what assignments hold of it,
    and its delivery record. The firm's own users and admins only."""
    return _desk(request, enterprise_id)


@router.put(
    "/enterprises/{enterprise_id}/offers", response={200: DeskOut, **ERRORS}, auth=WRITE_AUTH
)
def set_offer(request: HttpRequest, enterprise_id: int, payload: OfferIn) -> dict[str, Any]:
    enterprise = registry_selectors.get_enterprise(enterprise_id)
    services.set_offer(_user(request), enterprise, payload.model_dump())
    return _desk(request, enterprise_id)


@router.put(
    "/enterprises/{enterprise_id}/capacity",
    response={200: CapacityOut, **ERRORS},
    auth=WRITE_AUTH,
)
def set_capacity(request: HttpRequest, enterprise_id: int, payload: CapacityIn) -> dict[str, Any]:
    enterprise = registry_selectors.get_enterprise(enterprise_id)
    written = services.set_capacity(_user(request), enterprise, payload.link_code, payload.weeks)
    return {"written": written}


# --- allocation runs -------------------------------------------------------------------------


@router.post("/clusters/{slug}/allocation-runs", response={201: RunOut, **ERRORS}, auth=WRITE_AUTH)
def run_allocation(request: HttpRequest, slug: str, payload: RunIn) -> Status[dict[str, Any]]:
    """All orders of the cluster with units left to place in the period, to suppliers within
    their free capacity, under the time limit. The cluster's office and association."""
    cluster = registry_selectors.get_cluster(slug)
    run = services.run_allocation(
        _user(request),
        cluster,
        payload.period_start.isoformat(),
        payload.weeks,
        payload.time_limit,
        payload.method,
    )
    return Status(201, run_out(selectors.get_run(run.pk, _user(request))))


@router.get("/allocation-runs/{run_id}", response={200: RunOut, **ERRORS}, auth=WRITE_AUTH)
def get_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    return run_out(selectors.get_run(run_id, _user(request)))


# --- notifications ---------------------------------------------------------------------------


@router.get("/notifications", response={200: list[NotificationOut], **ERRORS}, auth=WRITE_AUTH)
def list_notifications(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "text": n.text,
            "order": n.order_id,
            "created_at": n.created_at,
            "read": n.read,
        }
        for n in selectors.notifications(_user(request))
    ]


@router.post("/notifications/read", response={200: ReadOut, **ERRORS}, auth=WRITE_AUTH)
def read_all(request: HttpRequest) -> dict[str, Any]:
    return {"marked": services.mark_read(_user(request))}


@router.post(
    "/notifications/{notification_id}/read", response={200: ReadOut, **ERRORS}, auth=WRITE_AUTH
)
def read_one(request: HttpRequest, notification_id: int) -> dict[str, Any]:
    return {"marked": services.mark_read(_user(request), notification_id)}


# --- figures ---------------------------------------------------------------------------------


@router.get(
    "/clusters/{slug}/matching-figures",
    response={200: FiguresOut, **READ_ERRORS},
    auth=READ_AUTH,
    exclude_unset=True,
)
def matching_figures(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Localisation of outsourced value by year, capacity utilisation per link over the next
    12 weeks, SMEs reached. Withheld over fewer than `min_firms` firms (decision 0003) except
    for the cluster office and admins, who also get each leading firm's rate."""
    cluster = registry_selectors.get_cluster(slug)
    f = selectors.figures(cluster, _user(request))
    data: dict[str, Any] = {
        "year": f.year,
        "localisation_rate": f.rate,
        "by_year": f.by_year,
        "suppressed_years": f.suppressed_years,
        "suppression_note": f.suppression_note,
        "utilisation_from": f.utilisation_weeks[0],
        "utilisation_to": f.utilisation_weeks[1],
        "utilisation": [
            {
                "link": u.link.code,
                "link_name": u.link.name,
                "capacity": None if u.suppressed else u.capacity,
                "used": None if u.suppressed else u.used,
                "rate": u.rate,
                "suppliers": u.suppliers,
                "suppressed": u.suppressed,
            }
            for u in f.utilisation
        ],
        "smes_reached": f.smes_reached,
        "smes_by_year": f.smes_by_year,
        "open_orders": f.open_orders,
    }
    if f.can_view_firms:
        data["per_leading_firm"] = [
            {**registry_schemas.enterprise_ref(firm), "rate": rate, "value": value}
            for firm, rate, value in f.per_leading_firm
        ]
    return data
