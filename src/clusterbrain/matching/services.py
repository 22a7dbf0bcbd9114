"""Every write of leading + matching: validation, permissions, transactions, the engine.

CONTRACT (pages, API and CLI; each raises errors.InvalidInput naming every field, Forbidden or
NotFound, and changes nothing when it raises):

    post_order(user, buyer, data) -> OutsourcingOrder                  the leading firm's users
    cancel_order(user, order) -> OutsourcingOrder                      its buyer, before delivery
    set_offer(user, enterprise, data) -> SupplierOffer                 the supplier's users
    remove_offer(user, enterprise, link_code) -> None
    set_capacity(user, enterprise, link_code, weeks: {week: units}) -> int   rows written
    run_allocation(user, cluster, period_start, weeks=12, time_limit=None, method="mip") -> AllocationRun
    confirm_proposal(user, order, quantities={assignment id: units}) -> OutsourcingOrder
    discard_proposal(user, order) -> OutsourcingOrder
    accept_assignment(user, assignment) -> Assignment                  the supplier
    decline_assignment(user, assignment, reason="") -> Assignment      re-optimises that order
    report_progress(user, assignment, produced, note="") -> Assignment
    record_delivery(user, assignment, delivered_on, quantity) -> Assignment
    inspect_delivery(user, assignment, passed, accepted_quantity=None, note="") -> Assignment  the buyer
    mark_read(user, notification_id=None) -> int                      None: all of the user's

The engine gets a time limit and always answers; what it cannot place is stored per order with
the binding reason and the buyer is told. An order's status follows its assignments
(`refresh_status`).
"""  # noqa: E501

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from clusterbrain.accounts.models import Role, User
from clusterbrain.chains.models import ChainLink
from clusterbrain.engines.allocation.model import AllocationResult, allocate_orders
from clusterbrain.errors import DomainError, Forbidden, InvalidInput, NotFound
from clusterbrain.matching import permissions
from clusterbrain.matching.models import (
    AllocationRun,
    Assignment,
    AssignmentWeek,
    CapacityWeek,
    Notification,
    OutsourcingOrder,
    QualityTier,
    SupplierOffer,
    UnmetOrder,
)
from clusterbrain.matching.problem import (
    EPS,
    Built,
    build_problem,
    due_week,
    firm_id_of,
    has_production_week,
    week_of,
)
from clusterbrain.registry.models import Certification, Cluster, Enterprise
from clusterbrain.registry.selectors import as_id
from clusterbrain.registry.services import (
    _as_date,
    _as_int,
    _as_number,
    _Problems,
    _reject_unknown,
)

logger = logging.getLogger(__name__)

ORDER_FIELDS = frozenset(
    {
        "link_code",
        "product_category",
        "quantity",
        "unit",
        "target_unit_price",
        "earliest_start",
        "due_date",
        "required_certificates",
        "quality_tier",
        "splittable",
        "min_lot",
        "max_share",
        "local_preference",
        "note",
    }
)
OFFER_FIELDS = frozenset({"link_code", "unit_price", "lead_weeks", "quality_tier", "products"})
MAX_WEEKS = 52
MAX_LEAD_WEEKS = 52
MAX_PRICE = Decimal("9999999999")
# Quantities, lots and weekly capacities: beyond a billion units a figure is a typo, and the
# engine's MIP loses its precision long before float does.
MAX_UNITS = 1_000_000_000.0
CALENDAR_WEEKS_AHEAD = 104


class EngineFailed(DomainError):
    """The allocation engine raised: nothing was changed, the error is logged."""

    status_code = 503


def _time_limit_default() -> float:
    return float(getattr(settings, "MATCHING_TIME_LIMIT", 10.0))


def _time_limit_max() -> float:
    return float(getattr(settings, "MATCHING_MAX_TIME_LIMIT", 120.0))


def _reoptimise_seconds() -> float:
    return float(getattr(settings, "MATCHING_REOPTIMISE_SECONDS", 5.0))


def _today() -> datetime.date:
    return timezone.localdate()


def _link_of_cluster(cluster: Cluster, link_code: Any) -> ChainLink | None:
    if not isinstance(link_code, str) or not link_code:
        return None
    return ChainLink.objects.filter(template_id=cluster.chain_template_id, code=link_code).first()


def _check_link(cluster: Cluster, code: Any, problems: _Problems) -> ChainLink | None:
    link = _link_of_cluster(cluster, code)
    if link is None:
        problems.add(
            "link_code",
            _("%(code)r is not a link of this cluster's chain.") % {"code": code}
            if code
            else _("This field is required."),
        )
    return link


def _positive(name: str, value: Any, problems: _Problems, *, allow_zero: bool = False) -> float:
    number = _as_number(value)
    if number is None:
        problems.add(
            name, _("Enter a number.") if value not in (None, "") else _("This field is required.")
        )
        return 0.0
    if number < 0 or (number == 0 and not allow_zero):
        problems.add(
            name,
            _("Enter a number of at least 0.") if allow_zero else _("Enter a number above 0."),
        )
        return 0.0
    if number > MAX_UNITS:
        problems.add(name, _("Enter at most %(max)s.") % {"max": f"{MAX_UNITS:,.0f}"})
        return 0.0
    return number


def _price(name: str, value: Any, problems: _Problems) -> Decimal:
    if value is None or value == "":
        problems.add(name, _("This field is required."))
        return Decimal(0)
    if isinstance(value, bool):
        problems.add(name, _("Enter a number."))
        return Decimal(0)
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        problems.add(name, _("Enter a number."))
        return Decimal(0)
    if not price.is_finite():
        problems.add(name, _("Enter a number."))
        return Decimal(0)
    if price < 0 or price > MAX_PRICE:
        problems.add(name, _("Enter a price between 0 and 9,999,999,999 yuan."))
        return Decimal(0)
    return price.quantize(Decimal("0.01"))


def _text(name: str, value: Any, problems: _Problems, *, max_length: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.add(name, _("Enter the value as text."))
        return ""
    text = value.strip()
    if len(text) > max_length:
        problems.add(name, _("Enter at most %(limit)s characters.") % {"limit": max_length})
    return text


def _choice(
    name: str, value: Any, choices: Iterable[str], default: str, problems: _Problems
) -> str:
    if value is None or value == "":
        return default
    allowed = list(choices)
    if value not in allowed:
        problems.add(name, _("Choose one of: %(limit)s.") % {"limit": ", ".join(allowed)})
        return default
    return str(value)


def _bool(name: str, value: Any, default: bool, problems: _Problems) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        problems.add(name, _("Enter true or false."))
        return default
    return value


def _users_of(enterprise_id: int) -> list[User]:
    return list(
        User.objects.filter(enterprise_id=enterprise_id, role=Role.ENTERPRISE, is_active=True)
    )


def _notify(enterprise_id: int, kind: str, order: OutsourcingOrder, **params: Any) -> None:
    """Tell every user of a firm; the message is worded when read (matching.selectors)."""
    params.setdefault("reference", order.reference)
    Notification.objects.bulk_create(
        [
            Notification(user=user, kind=kind, order=order, params=params)
            for user in _users_of(enterprise_id)
        ]
    )


def _notify_buyer(assignment: Assignment, kind: str, **params: Any) -> None:
    """Tell the order's leading firm what the supplier of `assignment` did."""
    _notify(
        assignment.order.buyer_id,
        kind,
        assignment.order,
        supplier=assignment.supplier.name_zh,
        supplier_en=assignment.supplier.name_en,
        **params,
    )


# --- orders ----------------------------------------------------------------------------------


@transaction.atomic
def post_order(user: Any, buyer: Enterprise, data: Mapping[str, Any]) -> OutsourcingOrder:
    """A leading firm posts an outsourcing order (status open). Dates: at least one whole week
    (Monday to Sunday) between the earliest start and the due date, which is not in the past."""
    if not permissions.can_post_orders(user, buyer):
        raise Forbidden(_("Only a leading firm's own users may post its outsourcing orders."))
    problems = _Problems()
    _reject_unknown(data, ORDER_FIELDS, problems)
    cluster = buyer.cluster
    link = _check_link(cluster, data.get("link_code"), problems)
    category = _text("product_category", data.get("product_category"), problems, max_length=100)
    if not category and "product_category" not in problems.fields():
        problems.add("product_category", _("This field is required."))
    quantity = _positive("quantity", data.get("quantity"), problems)
    unit = _text("unit", data.get("unit"), problems, max_length=32) or (link.unit if link else "")
    target = _price("target_unit_price", data.get("target_unit_price"), problems)
    if "target_unit_price" not in problems.fields() and target <= 0:
        problems.add("target_unit_price", _("Enter a number above 0."))
    start = _as_date("earliest_start", data.get("earliest_start"), problems)
    due = _as_date("due_date", data.get("due_date"), problems)
    for name, day in (("earliest_start", start), ("due_date", due)):
        if day is None and name not in problems.fields():
            problems.add(name, _("This field is required."))
    today = _today()
    if due is not None and due < today:
        problems.add("due_date", _("The due date is in the past."))
    elif start is not None and due is not None:
        if due < start:
            problems.add("due_date", _("The due date is before the earliest start."))
        elif not has_production_week(max(start, today), due):
            problems.add(
                "due_date",
                _(
                    "Between the earliest start (or today) and the due date there is no whole "
                    "week (Monday to Sunday) to produce in; allow at least one."
                ),
            )
    certificates = data.get("required_certificates") or []
    if not isinstance(certificates, list | tuple) or not all(
        isinstance(c, str) for c in certificates
    ):
        problems.add("required_certificates", _("Send a list."))
        certificates = []
    kinds = set(Certification.Kind.values)
    unknown = [c for c in certificates if c not in kinds]
    if unknown:
        problems.add(
            "required_certificates",
            _("Unknown certificate %(kind)r.") % {"kind": unknown[0]},
        )
    tier = _choice(
        "quality_tier", data.get("quality_tier"), QualityTier.values, QualityTier.STANDARD, problems
    )
    splittable = _bool("splittable", data.get("splittable"), True, problems)
    min_lot = _positive("min_lot", data.get("min_lot") or 0, problems, allow_zero=True)
    lot_too_big = bool(quantity and min_lot > quantity)
    if lot_too_big:
        problems.add("min_lot", _("The minimum lot cannot exceed the quantity."))
    share = data.get("max_share")
    max_share = 1.0 if share is None or share == "" else _positive("max_share", share, problems)
    if max_share > 1:
        problems.add(
            "max_share", _("Enter a share between 0 and 1 (1: one supplier may take all).")
        )
    if (
        splittable
        and quantity
        and min_lot
        and not lot_too_big
        and max_share * quantity < min_lot - EPS
    ):
        problems.add(
            "max_share",
            _("The largest share per supplier is smaller than the minimum lot."),
        )
    preference = _choice(
        "local_preference",
        data.get("local_preference"),
        OutsourcingOrder.LocalPreference.values,
        OutsourcingOrder.LocalPreference.PREFER,
        problems,
    )
    note = _text("note", data.get("note"), problems, max_length=500)
    problems.raise_if_any()
    assert link is not None and start is not None and due is not None
    return OutsourcingOrder.objects.create(
        cluster=cluster,
        buyer=buyer,
        link=link,
        product_category=category,
        quantity=quantity,
        unit=unit,
        target_unit_price=target,
        earliest_start=start,
        due_date=due,
        required_certificates=sorted(set(certificates)),
        quality_tier=tier,
        splittable=splittable,
        min_lot=min_lot if splittable else 0.0,
        max_share=max_share if splittable else 1.0,
        local_preference=preference,
        note=note,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def _require_buyer(user: Any, order: OutsourcingOrder) -> None:
    if not permissions.is_buyer(user, order):
        raise NotFound(_("No such order."))


def _locked(order: OutsourcingOrder) -> OutsourcingOrder:
    return (
        OutsourcingOrder.objects.select_for_update()
        .select_related("link", "cluster")
        .get(pk=order.pk)
    )


@transaction.atomic
def cancel_order(user: Any, order: OutsourcingOrder) -> OutsourcingOrder:
    """Withdraw what is proposed or offered; refused once a supplier has accepted."""
    _require_buyer(user, order)
    order = _locked(order)
    if order.status in (OutsourcingOrder.Status.CANCELLED, OutsourcingOrder.Status.COMPLETED):
        raise InvalidInput.field("status", _("The order is already closed."))
    taken = order.assignments.filter(status__in=Assignment.TAKEN).exists()
    if taken:
        raise InvalidInput.field(
            "status", _("A supplier has accepted part of the order; it can no longer be cancelled.")
        )
    for assignment in order.assignments.filter(status=Assignment.Status.OFFERED):
        _notify(assignment.supplier_id, Notification.Kind.WITHDRAWN, order)
    order.assignments.filter(
        status__in=(Assignment.Status.PROPOSED, Assignment.Status.OFFERED)
    ).update(status=Assignment.Status.WITHDRAWN, updated_at=timezone.now())
    order.status = OutsourcingOrder.Status.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    return order


def refresh_status(order: OutsourcingOrder) -> OutsourcingOrder:
    """The order's status from its assignments (a cancelled order stays cancelled)."""
    if order.status == OutsourcingOrder.Status.CANCELLED:
        return order
    statuses = set(
        order.assignments.filter(status__in=Assignment.HOLDING).values_list("status", flat=True)
    )
    S = Assignment.Status
    if S.PROPOSED in statuses:
        status = OutsourcingOrder.Status.PROPOSED
    elif S.OFFERED in statuses:
        status = OutsourcingOrder.Status.CONFIRMED
    elif statuses == {S.COMPLETED}:
        status = OutsourcingOrder.Status.COMPLETED
    elif statuses:
        status = OutsourcingOrder.Status.IN_PROGRESS
    else:
        status = OutsourcingOrder.Status.OPEN
    if status != order.status:
        order.status = status
        order.save(update_fields=["status", "updated_at"])
    return order


# --- offers and capacity ---------------------------------------------------------------------


def _require_offers(user: Any, enterprise: Enterprise) -> None:
    if not permissions.can_keep_offers(user, enterprise):
        raise Forbidden(_("Only the firm's own users may keep its prices and capacity."))


@transaction.atomic
def set_offer(user: Any, enterprise: Enterprise, data: Mapping[str, Any]) -> SupplierOffer:
    """The firm's quote in a link (created, or replaced)."""
    _require_offers(user, enterprise)
    problems = _Problems()
    _reject_unknown(data, OFFER_FIELDS, problems)
    link = _check_link(enterprise.cluster, data.get("link_code"), problems)
    price = _price("unit_price", data.get("unit_price"), problems)
    lead = _as_int(data.get("lead_weeks", 0) or 0)
    if lead is None or not 0 <= lead <= MAX_LEAD_WEEKS:
        problems.add(
            "lead_weeks",
            _("Enter a whole number of weeks between 0 and %(max)d.") % {"max": MAX_LEAD_WEEKS},
        )
    tier = _choice(
        "quality_tier", data.get("quality_tier"), QualityTier.values, QualityTier.STANDARD, problems
    )
    products = _text("products", data.get("products"), problems, max_length=200)
    problems.raise_if_any()
    offer, _created = SupplierOffer.objects.update_or_create(
        enterprise=enterprise,
        link=link,
        defaults={
            "unit_price": price,
            "lead_weeks": lead or 0,
            "quality_tier": tier,
            "products": products,
        },
    )
    return offer


@transaction.atomic
def remove_offer(user: Any, enterprise: Enterprise, link_code: Any) -> None:
    _require_offers(user, enterprise)
    deleted, _rows = SupplierOffer.objects.filter(
        enterprise=enterprise, link__code=str(link_code or "")
    ).delete()
    if not deleted:
        raise NotFound(_("This firm has no offer in that link."))


@transaction.atomic
def set_capacity(
    user: Any, enterprise: Enterprise, link_code: Any, weeks: Mapping[Any, Any]
) -> int:
    """Units per ISO week in a link: {week (any day of it, or YYYY-Www): units}; 0 or an empty
    value clears a week. Weeks may reach two years ahead."""
    _require_offers(user, enterprise)
    problems = _Problems()
    link = _check_link(enterprise.cluster, link_code, problems)
    if not isinstance(weeks, Mapping) or not weeks:
        problems.add("weeks", _("Send at least one week with its units."))
        weeks = {}
    values: dict[datetime.date, float | None] = {}
    horizon = _today() + datetime.timedelta(weeks=CALENDAR_WEEKS_AHEAD)
    for key, raw in weeks.items():
        day = _week_key(key)
        if day is None:
            problems.add(("weeks", str(key)), _("Enter a week as YYYY-Www or a date YYYY-MM-DD."))
            continue
        if day > horizon:
            problems.add(("weeks", str(key)), _("At most two years ahead."))
            continue
        if raw is None or raw == "":
            values[day] = None
            continue
        number = _as_number(raw)
        if number is None or number < 0:
            problems.add(("weeks", str(key)), _("Enter a number of at least 0."))
            continue
        if number > MAX_UNITS:
            problems.add(
                ("weeks", str(key)), _("Enter at most %(max)s.") % {"max": f"{MAX_UNITS:,.0f}"}
            )
            continue
        values[day] = number or None
    problems.raise_if_any()
    for day, units in values.items():
        if units is None:
            CapacityWeek.objects.filter(enterprise=enterprise, link=link, week=day).delete()
        else:
            CapacityWeek.objects.update_or_create(
                enterprise=enterprise, link=link, week=day, defaults={"units": units}
            )
    return len(values)


def _week_key(key: Any) -> datetime.date | None:
    if isinstance(key, datetime.date):
        return week_of(key)
    text = str(key).strip()
    try:
        if "W" in text.upper():
            year, _sep, number = text.upper().partition("-W")
            return datetime.date.fromisocalendar(int(year), int(number), 1)
        return week_of(datetime.date.fromisoformat(text))
    except ValueError:
        return None


# --- allocation ------------------------------------------------------------------------------


def _solve(built: Built, time_limit: float, method: str) -> AllocationResult:
    try:
        return allocate_orders(built.problem, method=method, time_limit=time_limit)
    except Exception as exc:  # the engine's failure is ours, not the user's: logged, no 500
        logger.exception("allocation engine failed on %d orders", len(built.problem.orders))
        raise EngineFailed(
            _("The allocation engine failed; nothing was changed. The error has been logged.")
        ) from exc


def _store(
    built: Built,
    result: AllocationResult,
    run: AllocationRun,
) -> tuple[dict[int, float], dict[int, Any]]:
    """Assignments per (order, supplier) with their weeks, unmet rows; returns what was placed
    and what is unmet per order."""
    grouped: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for a in result.assignments:
        grouped[(a.order_id, firm_id_of(a.supplier_id))].append(a)
    placed: dict[int, float] = defaultdict(float)
    for (order_id, firm_id), parts in grouped.items():
        order = built.orders[order_id]
        total = float(sum(p.quantity for p in parts))
        assignment = Assignment.objects.create(
            order=order,
            run=run,
            supplier_id=firm_id,
            quantity=round(total, 4),
            unit_price=Decimal(str(parts[0].unit_price)).quantize(Decimal("0.01")),
        )
        weeks: dict[datetime.date, float] = defaultdict(float)
        for p in parts:
            weeks[built.week(p.week)] += float(p.quantity)
        AssignmentWeek.objects.bulk_create(
            [AssignmentWeek(assignment=assignment, week=w, quantity=q) for w, q in weeks.items()]
        )
        placed[order.pk] += total
    unmet: dict[int, Any] = {}
    for u in result.unmet:
        order = built.orders[u.order_id]
        UnmetOrder.objects.create(
            run=run,
            order=order,
            quantity=float(u.quantity),
            reason=str(u.reason),
            excluded=dict(u.excluded),
        )
        unmet[order.pk] = u
    return placed, unmet


def _after_run(built: Built, placed: dict[int, float], unmet: dict[int, Any]) -> None:
    for order in built.orders.values():
        miss = unmet.get(order.pk)
        order.unmet_quantity = float(miss.quantity) if miss else 0.0
        order.unmet_reason = str(miss.reason) if miss else ""
        order.unmet_excluded = dict(miss.excluded) if miss else {}
        order.save(update_fields=["unmet_quantity", "unmet_reason", "unmet_excluded", "updated_at"])
        refresh_status(order)
        if placed.get(order.pk, 0.0) > EPS:
            _notify(order.buyer_id, Notification.Kind.PROPOSAL, order)
        elif miss:
            _notify(order.buyer_id, Notification.Kind.UNMET, order, reason=str(miss.reason))


def _run_row(
    cluster: Cluster,
    built: Built,
    result: AllocationResult,
    *,
    kind: str,
    time_limit: float,
    user: Any,
) -> AllocationRun:
    return AllocationRun.objects.create(
        cluster=cluster,
        kind=kind,
        period_start=built.period_start,
        weeks=built.problem.weeks,
        time_limit=time_limit,
        status=result.status,
        method=result.method,
        objective=float(result.objective),
        purchase_cost=float(result.purchase_cost),
        best_bound=None if result.best_bound is None else float(result.best_bound),
        gap=None if result.gap is None else float(result.gap),
        seconds=float(result.seconds),
        orders=len(built.orders),
        suppliers=len(built.suppliers),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def open_orders(cluster: Cluster, period_start: datetime.date) -> list[OutsourcingOrder]:
    """Orders of the cluster with units left to place whose due date is not before the period."""
    return list(
        OutsourcingOrder.objects.filter(cluster=cluster, due_date__gte=period_start)
        .exclude(status__in=(OutsourcingOrder.Status.CANCELLED, OutsourcingOrder.Status.COMPLETED))
        .select_related("link", "buyer")
        .prefetch_related("assignments")
        .order_by("pk")
    )


_PERIOD_TOO_FAR = _lazy("At most two years ahead: capacity calendars reach no further.")


def _beyond_calendars(start: datetime.date) -> bool:
    return start > _today() + datetime.timedelta(weeks=CALENDAR_WEEKS_AHEAD)


@transaction.atomic
def run_allocation(
    user: Any,
    cluster: Cluster,
    period_start: Any,
    weeks: Any = 12,
    time_limit: Any = None,
    method: str = "mip",
) -> AllocationRun:
    """All open orders of the period (their unconfirmed proposals are replaced) to suppliers,
    within each supplier's free capacity; the proposals wait for each leading firm."""
    if not permissions.can_coordinate(user, cluster):
        raise Forbidden(_("Only the cluster's office and association run allocations."))
    problems = _Problems()
    start = _as_date("period_start", period_start, problems)
    if start is None and "period_start" not in problems.fields():
        problems.add("period_start", _("This field is required."))
    elif start is not None and _beyond_calendars(start):
        problems.add("period_start", str(_PERIOD_TOO_FAR))
    count = _as_int(weeks)
    if count is None or not 1 <= count <= MAX_WEEKS:
        problems.add(
            "weeks", _("Enter a whole number of weeks between 1 and %(max)d.") % {"max": MAX_WEEKS}
        )
    limit = _as_number(time_limit) if time_limit not in (None, "") else _time_limit_default()
    if limit is None or not 0 < limit <= _time_limit_max():
        problems.add(
            "time_limit",
            _("Enter a time limit above 0 and at most %(max)s seconds.")
            % {"max": f"{_time_limit_max():g}"},
        )
    if method not in ("mip", "greedy"):
        problems.add("method", _("Choose one of: %(limit)s.") % {"limit": "mip, greedy"})
    problems.raise_if_any()
    assert start is not None and count is not None and limit is not None
    return allocate_period(cluster, start, count, limit, method, created_by=user)


def allocate_period(
    cluster: Cluster,
    start: datetime.date,
    weeks: int,
    time_limit: float,
    method: str = "mip",
    *,
    created_by: Any = None,
) -> AllocationRun:
    """The allocation itself, without the permission check (the demo loader calls it)."""
    if _beyond_calendars(start):
        raise InvalidInput.field("period_start", str(_PERIOD_TOO_FAR))
    monday = week_of(start)
    end = monday + datetime.timedelta(weeks=weeks)
    orders = [order for order in open_orders(cluster, monday) if order.earliest_start < end]
    remaining = {}
    for order in orders:
        left = order.quantity - _placed(order)
        if left > EPS:
            remaining[order.pk] = left
    orders = [o for o in orders if o.pk in remaining]
    if not orders:
        raise InvalidInput.field(
            "period_start", _("No order of the cluster has units left to place in this period.")
        )
    declined = _declined_by(orders)
    built = build_problem(cluster, orders, monday, weeks, remaining=remaining, excluded=declined)
    result = _solve(built, time_limit, method)
    Assignment.objects.filter(order__in=orders, status=Assignment.Status.PROPOSED).update(
        status=Assignment.Status.WITHDRAWN, updated_at=timezone.now()
    )
    run = _run_row(
        cluster,
        built,
        result,
        kind=AllocationRun.Kind.PERIOD,
        time_limit=time_limit,
        user=created_by,
    )
    placed, unmet = _store(built, result, run)
    _after_run(built, placed, unmet)
    return run


def _placed(order: OutsourcingOrder) -> float:
    """Units held by assignments that are past the proposal (offered or further)."""
    return sum(
        a.quantity
        for a in order.assignments.all()
        if a.status in Assignment.HOLDING and a.status != Assignment.Status.PROPOSED
    )


def _declined_by(orders: Iterable[OutsourcingOrder]) -> dict[int, set[int]]:
    declined: dict[int, set[int]] = defaultdict(set)
    for order_id, supplier_id in Assignment.objects.filter(
        order__in=list(orders), status=Assignment.Status.DECLINED
    ).values_list("order_id", "supplier_id"):
        declined[order_id].add(supplier_id)
    return declined


def reoptimise(user: Any, order: OutsourcingOrder) -> AllocationRun | None:
    """Place what is left of one order (after a decline): every other assignment stays as it
    is and holds its capacity; firms that declined the order are left out. None when nothing
    is left, or no week is left before the due date (the order then records why)."""
    order = (
        OutsourcingOrder.objects.select_related("link", "cluster")
        .prefetch_related("assignments")
        .get(pk=order.pk)
    )
    left = order.quantity - _placed(order)
    if left <= EPS:
        return None
    monday = max(week_of(_today()), week_of(order.earliest_start))
    weeks = max(1, due_week(order.due_date, monday) + 1)
    built = build_problem(
        order.cluster,
        [order],
        monday,
        min(weeks, MAX_WEEKS),
        remaining={order.pk: left},
        excluded=_declined_by([order]),
    )
    result = _solve(built, _reoptimise_seconds(), "mip")
    order.assignments.filter(status=Assignment.Status.PROPOSED).update(
        status=Assignment.Status.WITHDRAWN, updated_at=timezone.now()
    )
    run = _run_row(
        order.cluster,
        built,
        result,
        kind=AllocationRun.Kind.REOPTIMISE,
        time_limit=_reoptimise_seconds(),
        user=user,
    )
    placed, unmet = _store(built, result, run)
    _after_run(built, placed, unmet)
    return run


# --- the workflow ----------------------------------------------------------------------------


def _proposed(order: OutsourcingOrder) -> list[Assignment]:
    return list(order.assignments.filter(status=Assignment.Status.PROPOSED).order_by("pk"))


@transaction.atomic
def confirm_proposal(
    user: Any, order: OutsourcingOrder, quantities: Mapping[Any, Any] | None = None
) -> OutsourcingOrder:
    """The leading firm confirms the proposal, optionally lowering a supplier's quantity or
    leaving a supplier out (0); the suppliers are then offered their part. Raising a quantity
    needs a new allocation (the capacity may be gone)."""
    _require_buyer(user, order)
    order = _locked(order)
    proposed = _proposed(order)
    if not proposed:
        raise InvalidInput.field("status", _("The order has no proposal to confirm."))
    by_id = {a.pk: a for a in proposed}
    problems = _Problems()
    new: dict[int, float] = {a.pk: a.quantity for a in proposed}
    for key, raw in (quantities or {}).items():
        pk = as_id(key)
        if pk not in by_id:
            problems.add(("quantities", str(key)), _("Not a proposed assignment of this order."))
            continue
        number = _as_number(raw)
        if number is None or number < 0:
            problems.add(("quantities", str(key)), _("Enter a number of at least 0."))
            continue
        current = by_id[pk].quantity
        if number > current + EPS:
            problems.add(
                ("quantities", str(key)),
                _(
                    "At most the proposed %(units)s: a larger quantity needs a new allocation, "
                    "the capacity may be taken."
                )
                % {"units": f"{current:g}"},
            )
            continue
        if number > EPS and not order.splittable and number < current - EPS:
            # The rest would go to the next allocation, and so to a second supplier.
            problems.add(
                ("quantities", str(key)),
                _(
                    "The order may not be split: confirm the proposed quantity, or discard "
                    "the proposal."
                ),
            )
            continue
        if number > EPS and order.splittable and number < order.min_lot - EPS:
            problems.add(
                ("quantities", str(key)),
                _("Below the order's minimum lot of %(lot)s.") % {"lot": f"{order.min_lot:g}"},
            )
            continue
        new[pk] = number
    if not problems.errors and all(q <= EPS for q in new.values()):
        problems.add("quantities", _("Keep at least one supplier, or discard the proposal."))
    problems.raise_if_any()
    now = timezone.now()
    for assignment in proposed:
        quantity = new[assignment.pk]
        if quantity <= EPS:
            assignment.status = Assignment.Status.WITHDRAWN
            assignment.save(update_fields=["status", "updated_at"])
            continue
        if quantity < assignment.quantity - EPS:
            _scale_weeks(assignment, quantity)
        assignment.quantity = quantity
        assignment.status = Assignment.Status.OFFERED
        assignment.save(update_fields=["quantity", "status", "updated_at"])
        _notify(assignment.supplier_id, Notification.Kind.OFFERED, order)
    order.updated_at = now
    left = order.quantity - sum(
        a.quantity for a in order.assignments.filter(status__in=Assignment.HOLDING)
    )
    if left > EPS and not order.unmet_reason:
        order.unmet_quantity = left
    order.save(update_fields=["unmet_quantity", "updated_at"])
    return refresh_status(order)


def _scale_weeks(assignment: Assignment, quantity: float) -> None:
    """A lower quantity is taken off the last weeks first (the early ones stay as planned)."""
    cut = assignment.quantity - quantity
    for week in assignment.weeks.order_by("-week"):
        take = min(cut, week.quantity)
        week.quantity -= take
        cut -= take
        if week.quantity <= EPS:
            week.delete()
        else:
            week.save(update_fields=["quantity"])
        if cut <= EPS:
            break


@transaction.atomic
def discard_proposal(user: Any, order: OutsourcingOrder) -> OutsourcingOrder:
    _require_buyer(user, order)
    order = _locked(order)
    if not _proposed(order):
        raise InvalidInput.field("status", _("The order has no proposal to discard."))
    order.assignments.filter(status=Assignment.Status.PROPOSED).update(
        status=Assignment.Status.WITHDRAWN, updated_at=timezone.now()
    )
    return refresh_status(order)


def _supplier_assignment(user: Any, assignment: Assignment, *allowed: str) -> Assignment:
    """The assignment locked, if the user is its supplier and it is in one of `allowed`."""
    current = (
        Assignment.objects.select_for_update()
        .select_related("order", "supplier")
        .get(pk=assignment.pk)
    )
    visible = current.status not in (Assignment.Status.PROPOSED, Assignment.Status.WITHDRAWN)
    if not (permissions.is_supplier(user, current) and visible):
        raise NotFound(_("No such assignment."))
    if current.status not in allowed:
        raise InvalidInput.field(
            "status",
            _("Not possible while the assignment is %(status)s.")
            % {"status": current.get_status_display()},
        )
    return current


@transaction.atomic
def accept_assignment(user: Any, assignment: Assignment) -> Assignment:
    current = _supplier_assignment(user, assignment, Assignment.Status.OFFERED)
    current.status = Assignment.Status.ACCEPTED
    current.save(update_fields=["status", "updated_at"])
    _notify_buyer(current, Notification.Kind.ACCEPTED)
    refresh_status(current.order)
    return current


@transaction.atomic
def decline_assignment(user: Any, assignment: Assignment, reason: Any = "") -> Assignment:
    """The supplier declines its part; the order's remainder is re-optimised at once (only this
    order, every other assignment held fixed) and the leading firm is told."""
    current = _supplier_assignment(user, assignment, Assignment.Status.OFFERED)
    problems = _Problems()
    text = _text("reason", reason, problems, max_length=300)
    problems.raise_if_any()
    current.status = Assignment.Status.DECLINED
    current.decline_reason = text
    current.save(update_fields=["status", "decline_reason", "updated_at"])
    order = current.order
    _notify_buyer(current, Notification.Kind.DECLINED, reason=text)
    run = reoptimise(user, order)
    if run is None:
        refresh_status(order)
    current.refresh_from_db()
    return current


@transaction.atomic
def report_progress(user: Any, assignment: Assignment, produced: Any, note: Any = "") -> Assignment:
    current = _supplier_assignment(user, assignment, Assignment.Status.ACCEPTED)
    problems = _Problems()
    units = _positive("produced", produced, problems, allow_zero=True)
    if "produced" not in problems.fields() and units > current.quantity + EPS:
        problems.add(
            "produced",
            _("At most the assigned %(units)s.") % {"units": f"{current.quantity:g}"},
        )
    text = _text("note", note, problems, max_length=300)
    problems.raise_if_any()
    current.produced = units
    current.progress_note = text
    current.save(update_fields=["produced", "progress_note", "updated_at"])
    _notify_buyer(
        current,
        Notification.Kind.PROGRESS,
        share=units / current.quantity if current.quantity else 0.0,
    )
    return current


@transaction.atomic
def record_delivery(
    user: Any, assignment: Assignment, delivered_on: Any, quantity: Any
) -> Assignment:
    """The supplier delivered: on time when on or before the order's due date."""
    current = _supplier_assignment(user, assignment, Assignment.Status.ACCEPTED)
    problems = _Problems()
    day = _as_date("delivered_on", delivered_on, problems)
    if day is None and "delivered_on" not in problems.fields():
        problems.add("delivered_on", _("This field is required."))
    elif day is not None and day > _today():
        problems.add("delivered_on", _("The delivery date is in the future."))
    elif day is not None and day < timezone.localdate(current.created_at):
        # The on-time record rests on this date: none before the part was even assigned.
        problems.add(
            "delivered_on",
            _("The delivery date is before the part was assigned (%(day)s).")
            % {"day": timezone.localdate(current.created_at).isoformat()},
        )
    units = _positive("quantity", quantity, problems)
    if "quantity" not in problems.fields() and units > current.quantity + EPS:
        problems.add(
            "quantity", _("At most the assigned %(units)s.") % {"units": f"{current.quantity:g}"}
        )
    problems.raise_if_any()
    assert day is not None
    current.status = Assignment.Status.DELIVERED
    current.delivered_on = day
    current.delivered_quantity = units
    current.produced = max(current.produced, units)
    current.on_time = day <= current.order.due_date
    current.save(
        update_fields=[
            "status",
            "delivered_on",
            "delivered_quantity",
            "produced",
            "on_time",
            "updated_at",
        ]
    )
    _notify_buyer(current, Notification.Kind.DELIVERED)
    refresh_status(current.order)
    return current


@transaction.atomic
def inspect_delivery(
    user: Any,
    assignment: Assignment,
    passed: Any,
    accepted_quantity: Any = None,
    note: Any = "",
) -> Assignment:
    """The leading firm's quality acceptance of a delivery; it enters the supplier's record."""
    order = assignment.order
    _require_buyer(user, order)
    current = Assignment.objects.select_for_update().select_related("order").get(pk=assignment.pk)
    if current.status != Assignment.Status.DELIVERED:
        raise InvalidInput.field("status", _("Only a delivery can be inspected."))
    problems = _Problems()
    ok = _bool("passed", passed, False, problems) if passed is not None else None
    if ok is None and "passed" not in problems.fields():
        problems.add("passed", _("This field is required."))
    delivered = current.delivered_quantity or 0.0
    if accepted_quantity in (None, ""):
        units = delivered if ok else 0.0
    else:
        units = _positive("accepted_quantity", accepted_quantity, problems, allow_zero=True)
        if "accepted_quantity" not in problems.fields() and units > delivered + EPS:
            problems.add(
                "accepted_quantity",
                _("At most the delivered %(units)s.") % {"units": f"{delivered:g}"},
            )
    text = _text("note", note, problems, max_length=300)
    problems.raise_if_any()
    current.status = Assignment.Status.COMPLETED
    current.quality_passed = bool(ok)
    current.accepted_quantity = units
    current.inspection_note = text
    current.save(
        update_fields=[
            "status",
            "quality_passed",
            "accepted_quantity",
            "inspection_note",
            "updated_at",
        ]
    )
    _notify(current.supplier_id, Notification.Kind.INSPECTED, current.order, passed=bool(ok))
    refresh_status(current.order)
    return current


# --- notifications ---------------------------------------------------------------------------


@transaction.atomic
def mark_read(user: Any, notification_id: Any = None) -> int:
    if not getattr(user, "is_authenticated", False):
        raise Forbidden(_("Log in to read notifications."))
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        pk = as_id(notification_id)
        if pk is None or not Notification.objects.filter(user=user, pk=pk).exists():
            raise NotFound(_("No such notification."))
        rows = rows.filter(pk=pk)
    return rows.update(read_at=timezone.now())
