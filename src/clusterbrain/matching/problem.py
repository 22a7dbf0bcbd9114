"""From the database to the allocation engine's dataclasses and back: weeks as indices, a firm's
counted certificates, its free capacity (its calendar less what other assignments hold), and the
per-order rules the engine knows as certificates.

The engine's category is the chain link (cutting, stitching, lasting…): capacity, prices and
lead times are kept per supplier and link. Three order rules travel as certificates, so the
engine checks them with the real ones and reports them under `Reason.CERTIFICATE`:
`in_cluster` (the order takes in-cluster suppliers only), `tier:premium:<link>` (the supplier
works to the premium tier in that link) and `order:<id>` (held by every supplier but those
excluded from that order: the buyer itself, suppliers that declined it).
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from clusterbrain.engines.allocation.model import AllocationProblem, Order, Supplier
from clusterbrain.matching.models import (
    Assignment,
    AssignmentWeek,
    CapacityWeek,
    OutsourcingOrder,
    QualityTier,
    SupplierOffer,
)
from clusterbrain.registry.models import Certification, Cluster, Enterprise
from clusterbrain.registry.selectors import counted_certification_q

IN_CLUSTER = "in_cluster"
EPS = 1e-6
# LWG ratings, best first: a rating meets every requirement at or below it.
LWG_LADDER = [
    Certification.Kind.LWG_GOLD,
    Certification.Kind.LWG_SILVER,
    Certification.Kind.LWG_BRONZE,
    Certification.Kind.LWG_AUDITED,
]


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the ISO week of `day`."""
    return day - datetime.timedelta(days=day.weekday())


def first_week(start: datetime.date, period_start: datetime.date) -> int:
    """The first week (index from `period_start`) production may start: the first Monday on or
    after the earliest start."""
    return -(-(start - period_start).days // 7)


def due_week(due: datetime.date, period_start: datetime.date) -> int:
    """The last week whose end (Sunday) is on or before the due date: the engine's `due`."""
    return ((due - period_start).days - 6) // 7


def has_production_week(start: datetime.date, due: datetime.date) -> bool:
    """At least one whole week (Monday to Sunday) lies between earliest start and due date."""
    monday = week_of(start)
    if monday < start:
        monday += datetime.timedelta(days=7)
    return monday + datetime.timedelta(days=6) <= due


def tier_mark(link_code: str) -> str:
    return f"tier:premium:{link_code}"


def order_mark(order_id: int) -> str:
    return f"order:{order_id}"


def expand_certificates(kinds: Iterable[str]) -> set[str]:
    """A firm's certificates with what they imply (LWG gold meets a silver requirement)."""
    held = set(kinds)
    for i, kind in enumerate(LWG_LADDER):
        if kind in held:
            held.update(str(k) for k in LWG_LADDER[i:])
    return held


def distance_km(
    a: tuple[float | None, float | None], b: tuple[float | None, float | None]
) -> float:
    """Great-circle distance; 0 when either place is not known."""
    (lat1, lon1), (lat2, lon2) = a, b
    if None in (lat1, lon1, lat2, lon2):
        return 0.0
    p1, p2 = math.radians(lat1), math.radians(lat2)  # type: ignore[arg-type]
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)  # type: ignore[operator]
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def local_bonus() -> float:
    return float(getattr(settings, "MATCHING_LOCAL_BONUS", 0.05))


def transport_per_unit_km() -> float:
    return float(getattr(settings, "MATCHING_TRANSPORT_PER_UNIT_KM", 0.0005))


def max_price_over_target() -> float:
    return float(getattr(settings, "MATCHING_MAX_PRICE_OVER_TARGET", 0.25))


def is_local(supplier: Enterprise, cluster: Cluster) -> bool:
    return supplier.cluster_id == cluster.pk and supplier.in_cluster


@dataclass
class Built:
    problem: AllocationProblem
    period_start: datetime.date
    orders: dict[str, OutsourcingOrder]
    suppliers: dict[str, Enterprise]
    offers: dict[tuple[int, int], SupplierOffer]  # (firm, link) → offer
    certificates: dict[int, set[str]] = field(default_factory=dict)  # firm → held (expanded)
    remaining: dict[int, float] = field(default_factory=dict)  # order → units to place

    def week(self, index: int) -> datetime.date:
        return self.period_start + datetime.timedelta(weeks=index)


def placed_quantity(order: OutsourcingOrder, *, without_proposals: bool = True) -> float:
    """Units of the order held by assignments (proposals left out unless asked)."""
    statuses = [s for s in Assignment.HOLDING if not (without_proposals and s == "proposed")]
    return sum(a.quantity for a in order.assignments.all() if a.status in statuses)


def build_problem(
    cluster: Cluster,
    orders: Sequence[OutsourcingOrder],
    period_start: datetime.date,
    weeks: int,
    *,
    remaining: dict[int, float] | None = None,
    excluded: Mapping[int, Collection[int]] | None = None,
) -> Built:
    """The engine's problem for `orders` over `weeks` weeks from `period_start` (a Monday).

    Suppliers are the cluster's firms with an offer in a link of the orders. Their capacity is
    their calendar less what every holding assignment takes, except the proposals of these
    orders (a run replaces them). `remaining` (order pk → units, default the whole quantity)
    and `excluded` (order pk → firms that may not take it; the buyer always is) narrow it."""
    remaining = dict(remaining or {o.pk: o.quantity for o in orders})
    excluded = excluded or {}
    link_ids = {o.link_id for o in orders}
    offers = {
        (offer.enterprise_id, offer.link_id): offer
        for offer in SupplierOffer.objects.filter(
            link_id__in=link_ids, enterprise__cluster=cluster
        ).select_related("enterprise", "link")
    }
    firms = {offer.enterprise_id: offer.enterprise for offer in offers.values()}
    end = period_start + datetime.timedelta(weeks=weeks)
    capacity: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0] * weeks)
    for row in CapacityWeek.objects.filter(
        enterprise_id__in=firms, link_id__in=link_ids, week__gte=period_start, week__lt=end
    ).values("enterprise_id", "link_id", "week", "units"):
        index = (row["week"] - period_start).days // 7
        capacity[(row["enterprise_id"], row["link_id"])][index] += row["units"]
    held = (
        AssignmentWeek.objects.filter(
            assignment__supplier_id__in=firms,
            assignment__order__link_id__in=link_ids,
            assignment__status__in=Assignment.HOLDING,
            week__gte=period_start,
            week__lt=end,
        )
        .exclude(
            Q(assignment__status=Assignment.Status.PROPOSED)
            & Q(assignment__order__in=[o.pk for o in orders])
        )
        .values("assignment__supplier_id", "assignment__order__link_id", "week", "quantity")
    )
    for taken in held:
        key = (taken["assignment__supplier_id"], taken["assignment__order__link_id"])
        if key in capacity:
            index = (taken["week"] - period_start).days // 7
            capacity[key][index] = max(0.0, capacity[key][index] - taken["quantity"])
    certificates = firm_certificates(firms)
    centre = (cluster.latitude, cluster.longitude)
    links = {o.link_id: o.link.code for o in orders}
    suppliers = []
    for firm_id, firm in sorted(firms.items()):
        marks = set(certificates.get(firm_id, set()))
        if is_local(firm, cluster):
            marks.add(IN_CLUSTER)
        for order in orders:
            if firm_id != order.buyer_id and firm_id not in excluded.get(order.pk, ()):
                marks.add(order_mark(order.pk))
        price: dict[str, float] = {}
        weekly: dict[str, list[float]] = {}
        lead = 0
        for link_id, code in links.items():
            offer = offers.get((firm_id, link_id))
            if offer is None:
                continue
            price[code] = float(offer.unit_price)
            weekly[code] = capacity.get((firm_id, link_id), [])
            lead = max(lead, offer.lead_weeks)
            if offer.quality_tier == QualityTier.PREMIUM:
                marks.add(tier_mark(code))
        suppliers.append(
            Supplier(
                id=str(firm_id),
                capacity=weekly,
                price=price,
                lead_weeks=lead,
                certificates=frozenset(marks),
                in_cluster=is_local(firm, cluster),
                distance_km=distance_km((firm.latitude, firm.longitude), centre),
            )
        )
    suppliers = _split_by_lead_time(suppliers, offers, links)
    engine_orders = [
        engine_order(order, period_start, remaining.get(order.pk, order.quantity))
        for order in orders
    ]
    problem = AllocationProblem(
        orders=engine_orders,
        suppliers=suppliers,
        weeks=weeks,
        local_bonus=local_bonus(),
        transport_per_unit_km=transport_per_unit_km(),
        max_price_over_target=max_price_over_target(),
    )
    return Built(
        problem=problem,
        period_start=period_start,
        orders={str(o.pk): o for o in orders},
        suppliers={str(f): firm for f, firm in firms.items()},
        offers=offers,
        certificates=certificates,
        remaining=remaining,
    )


def _split_by_lead_time(
    suppliers: list[Supplier],
    offers: dict[tuple[int, int], SupplierOffer],
    links: dict[int, str],
) -> list[Supplier]:
    """The engine keeps one lead time per supplier; a firm quoting different lead times in the
    links of one problem becomes one engine supplier per link (its capacity is per link anyway),
    with the firm's id before a colon."""
    split = []
    for supplier in suppliers:
        firm_id = int(supplier.id)
        own = {
            link_id: offers[(firm_id, link_id)] for link_id in links if (firm_id, link_id) in offers
        }
        if len({o.lead_weeks for o in own.values()}) <= 1:
            split.append(supplier)
            continue
        for link_id, offer in own.items():
            code = links[link_id]
            split.append(
                Supplier(
                    id=f"{firm_id}:{code}",
                    capacity={code: supplier.capacity[code]},
                    price={code: supplier.price[code]},
                    lead_weeks=offer.lead_weeks,
                    certificates=supplier.certificates,
                    in_cluster=supplier.in_cluster,
                    distance_km=supplier.distance_km,
                )
            )
    return split


def firm_id_of(engine_id: str) -> int:
    return int(engine_id.split(":", 1)[0])


def engine_order(order: OutsourcingOrder, period_start: datetime.date, quantity: float) -> Order:
    """One order as the engine reads it; `quantity` is what is left to place. Its minimum lot
    shrinks to what is left, its share cap stays a share of the whole order."""
    code = order.link.code
    marks = {str(c) for c in order.required_certificates}
    marks.add(order_mark(order.pk))
    if order.local_preference == OutsourcingOrder.LocalPreference.ONLY:
        marks.add(IN_CLUSTER)
    if order.quality_tier == QualityTier.PREMIUM:
        marks.add(tier_mark(code))
    share = order.max_share * order.quantity / quantity if quantity > EPS else 1.0
    return Order(
        id=str(order.pk),
        category=code,
        quantity=quantity,
        earliest_start=first_week(order.earliest_start, period_start),
        due=due_week(order.due_date, period_start),
        certificates=frozenset(marks),
        splittable=order.splittable,
        min_lot=min(order.min_lot, quantity),
        max_share=min(1.0, share),
        target_price=float(order.target_unit_price),
    )


def firm_certificates(firm_ids: Iterable[int]) -> dict[int, set[str]]:
    """Each firm's counted certificates (valid today and verified), with what they imply."""
    kinds: dict[int, set[str]] = defaultdict(set)
    for firm_id, kind in Certification.objects.filter(
        counted_certification_q(), enterprise_id__in=list(firm_ids)
    ).values_list("enterprise_id", "kind"):
        kinds[firm_id].add(kind)
    return {firm_id: expand_certificates(held) for firm_id, held in kinds.items()}
