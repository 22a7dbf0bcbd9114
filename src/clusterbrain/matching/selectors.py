"""Every non-trivial read of leading + matching, with its permissions (matching.permissions).

CONTRACT:

    get_order(order_id, user) -> OrderView                     raises NotFound unless visible
    orders_for(cluster, user) -> OrderLists                    own orders / orders offered / none
    candidates(order, user) -> CandidateSearch                 the buyer (and admins) only
    supplier_history(firm_ids) -> {firm id: History}           on-time and quality record
    offers_of(enterprise, user) -> SupplierDesk                the firm itself (and admins)
    runs(cluster, user) / get_run(run_id, user) -> RunView     coordinators: aggregates only
    notifications(user, limit=50) -> list[NotificationView]; unread_count(user) -> int
    figures(cluster, user, today=None) -> MatchingFigures      the dashboard's section

A supplier's view of an order holds the order's public terms and its own assignment only: no
other supplier's quantity or price and not the buyer's target price. Aggregates over fewer than
k firms (settings.AGGREGATE_MIN_FIRMS, decision 0003) are withheld from everyone but the
cluster's office and admins.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.accounts import permissions as account_permissions
from clusterbrain.chains.models import ChainLink
from clusterbrain.engines.allocation.model import Reason, exclusions
from clusterbrain.errors import Forbidden, NotFound
from clusterbrain.matching import permissions, reasons
from clusterbrain.matching.models import (
    AllocationRun,
    Assignment,
    AssignmentWeek,
    CapacityWeek,
    Notification,
    OutsourcingOrder,
    SupplierOffer,
    UnmetOrder,
)
from clusterbrain.matching.problem import (
    EPS,
    build_problem,
    distance_km,
    due_week,
    firm_certificates,
    first_week,
    is_local,
    local_bonus,
    max_price_over_target,
    order_mark,
    transport_per_unit_km,
    week_of,
)
from clusterbrain.registry.models import Cluster, Enterprise, EnterpriseRole
from clusterbrain.registry.selectors import as_id, min_firms, suppression_note

UTILISATION_WEEKS = 12


# --- orders ----------------------------------------------------------------------------------


@dataclass
class OrderView:
    order: OutsourcingOrder
    as_buyer: bool  # the buyer's full view (admins too)
    assignments: list[Assignment]  # the buyer: all live and past; a supplier: its own
    proposed: list[Assignment]
    unmet_text: str
    shortfall: float  # units no live assignment holds


@dataclass
class OrderLists:
    placed: list[OutsourcingOrder] = field(default_factory=list)  # the user's firm's orders
    offered: list[Assignment] = field(default_factory=list)  # parts offered to the user's firm
    can_post: bool = False
    can_coordinate: bool = False


def _order_query() -> Any:
    return OutsourcingOrder.objects.select_related("cluster", "buyer", "link")


def get_order(order_id: Any, user: Any) -> OrderView:
    pk = as_id(order_id)
    order = _order_query().filter(pk=pk).first() if pk else None
    if order is None:
        raise NotFound(_("No such order."))
    if permissions.is_buyer(user, order):
        assignments = list(order.assignments.select_related("supplier").order_by("pk"))
        live = [a for a in assignments if a.status != Assignment.Status.WITHDRAWN]
        holding = sum(a.quantity for a in assignments if a.status in Assignment.HOLDING)
        return OrderView(
            order=order,
            as_buyer=True,
            assignments=live,
            proposed=[a for a in live if a.status == Assignment.Status.PROPOSED],
            unmet_text=reasons.unmet_reason(order.unmet_reason, order.unmet_excluded)
            if order.unmet_reason
            else "",
            shortfall=max(0.0, order.quantity - holding),
        )
    firm = permissions.firm_of(user)
    own = (
        list(
            order.assignments.filter(supplier_id=firm)
            .exclude(status__in=(Assignment.Status.PROPOSED, Assignment.Status.WITHDRAWN))
            .select_related("supplier")
            .order_by("pk")
        )
        if firm
        else []
    )
    if not own:
        raise NotFound(_("No such order."))
    return OrderView(
        order=order, as_buyer=False, assignments=own, proposed=[], unmet_text="", shortfall=0.0
    )


def orders_for(cluster: Cluster, user: Any) -> OrderLists:
    lists = OrderLists(can_coordinate=permissions.can_coordinate(user, cluster))
    firm = permissions.firm_of(user)
    if account_permissions.is_admin(user):
        lists.placed = list(_order_query().filter(cluster=cluster).order_by("-pk")[:200])
        return lists
    if firm is None:
        return lists
    buyer = Enterprise.objects.filter(pk=firm, cluster=cluster).first()
    lists.can_post = buyer is not None and permissions.can_post_orders(user, buyer)
    lists.placed = list(_order_query().filter(cluster=cluster, buyer_id=firm).order_by("-pk"))
    lists.offered = list(
        Assignment.objects.filter(supplier_id=firm, order__cluster=cluster)
        .exclude(status__in=(Assignment.Status.PROPOSED, Assignment.Status.WITHDRAWN))
        .select_related("order", "order__link", "order__buyer")
        .order_by("-pk")
    )
    return lists


# --- candidates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    deliveries: int
    on_time: float | None
    quality: float | None


@dataclass
class Candidate:
    firm: Enterprise
    in_cluster: bool
    distance_km: float | None  # to the buyer; None when either place is unknown
    unit_price: float | None
    price_vs_target: float | None  # price / target − 1
    lead_weeks: int | None
    free_capacity: float  # units free in the order's window (after lead time)
    covers: float  # share of the order the free capacity covers (≤ 1)
    effective_price: float | None  # what the allocation weighs: local bonus, transport
    history: History
    certificates: list[str]
    products: str = ""
    excluded: list[str] = field(default_factory=list)  # reasons, worded; empty: eligible
    rank: int | None = None


@dataclass
class CandidateSearch:
    order: OutsourcingOrder
    eligible: list[Candidate]
    excluded: list[Candidate]
    window: tuple[datetime.date, datetime.date] | None  # first Monday, last Sunday
    free_total: float

    @property
    def excluded_summary(self) -> list[tuple[str, int]]:
        """Each reason for excluding firms with how many firms it excludes, most first."""
        counts = Counter(reason for candidate in self.excluded for reason in candidate.excluded)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def supplier_history(firm_ids: Any) -> dict[int, History]:
    """Each firm's record of inspected deliveries: on time (by the due date) and accepted."""
    rows = (
        Assignment.objects.filter(
            supplier_id__in=list(firm_ids), status=Assignment.Status.COMPLETED
        )
        .values("supplier_id")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(on_time=True)),
            passed=Count("pk", filter=Q(quality_passed=True)),
        )
        .order_by()
    )
    found = {
        row["supplier_id"]: History(row["n"], row["on_time"] / row["n"], row["passed"] / row["n"])
        for row in rows
    }
    return {firm: found.get(firm, History(0, None, None)) for firm in firm_ids}


def candidates(order: OutsourcingOrder, user: Any) -> CandidateSearch:
    """Every firm of the cluster active in the order's link, ranked: those that can take it by
    what the allocation would pay (price less the local bonus, plus transport), then by their
    on-time and quality record; the others with every reason that excludes them."""
    if not permissions.is_buyer(user, order):
        raise NotFound(_("No such order."))
    cluster = order.cluster
    today = timezone.localdate()
    monday = week_of(max(today, order.earliest_start))
    weeks = max(1, due_week(order.due_date, monday) + 1)
    declined = set(
        order.assignments.filter(status=Assignment.Status.DECLINED).values_list(
            "supplier_id", flat=True
        )
    )
    built = build_problem(cluster, [order], monday, min(weeks, 52), excluded={order.pk: declined})
    engine_order = built.problem.orders[0]
    role_firms = set(
        EnterpriseRole.objects.filter(link=order.link, enterprise__cluster=cluster).values_list(
            "enterprise_id", flat=True
        )
    )
    firms = dict(built.suppliers)
    for firm in Enterprise.objects.filter(pk__in=role_firms - {int(f) for f in firms}):
        firms[str(firm.pk)] = firm
    history = supplier_history([int(f) for f in firms])
    certificates = firm_certificates([int(f) for f in firms])
    required = sorted(str(c) for c in order.required_certificates)
    buyer_place = (order.buyer.latitude, order.buyer.longitude)
    code = order.link.code
    eligible: list[Candidate] = []
    excluded: list[Candidate] = []
    engine_suppliers = {s.id: s for s in built.problem.suppliers}
    for key, firm in firms.items():
        supplier = engine_suppliers.get(key) or engine_suppliers.get(f"{key}:{code}")
        offer = built.offers.get((firm.pk, order.link_id))
        held = certificates.get(firm.pk, set())
        local = is_local(firm, cluster)
        place = (firm.latitude, firm.longitude)
        known = None not in (*place, *buyer_place)
        candidate = Candidate(
            firm=firm,
            in_cluster=local,
            distance_km=distance_km(place, buyer_place) if known else None,
            unit_price=float(offer.unit_price) if offer else None,
            price_vs_target=(float(offer.unit_price) / float(order.target_unit_price) - 1)
            if offer and order.target_unit_price
            else None,
            lead_weeks=offer.lead_weeks if offer else None,
            free_capacity=0.0,
            covers=0.0,
            effective_price=None,
            history=history[firm.pk],
            certificates=[c for c in required if c in held],
            products=offer.products if offer else "",
        )
        if firm.pk == order.buyer_id:
            candidate.excluded.append(reasons.exclusion_reason(reasons.OWN_FIRM))
            excluded.append(candidate)
            continue
        if firm.pk in declined:
            candidate.excluded.append(reasons.exclusion_reason(reasons.DECLINED))
        if supplier is None:
            candidate.excluded.append(reasons.exclusion_reason(Reason.CATEGORY))
            excluded.append(candidate)
            continue
        for reason in exclusions(engine_order, supplier, built.problem):
            if reason == Reason.CERTIFICATE:
                missing = sorted(
                    m
                    for m in engine_order.certificates - supplier.certificates
                    if m != order_mark(order.pk)
                )
                if missing:
                    candidate.excluded.append(reasons.exclusion_reason(reason, missing=missing))
            else:
                candidate.excluded.append(
                    reasons.exclusion_reason(
                        reason,
                        lead_weeks=supplier.lead_weeks,
                        price_over=candidate.price_vs_target,
                        limit=max_price_over_target(),
                    )
                )
        weekly = supplier.capacity.get(code, [])
        first = max(engine_order.earliest_start, 0)
        last = min(engine_order.due - supplier.lead_weeks, built.problem.weeks - 1)
        free = float(sum(weekly[t] for t in range(first, last + 1) if t < len(weekly)))
        candidate.free_capacity = free
        candidate.covers = min(1.0, free / engine_order.quantity) if engine_order.quantity else 0.0
        price = supplier.price.get(code)
        if price is not None:
            unit = price * (1 - local_bonus() if supplier.in_cluster else 1.0)
            candidate.effective_price = unit + transport_per_unit_km() * supplier.distance_km
        if not candidate.excluded and free <= EPS:
            candidate.excluded.append(reasons.exclusion_reason(reasons.NO_FREE_CAPACITY))
        (excluded if candidate.excluded else eligible).append(candidate)
    eligible.sort(
        key=lambda c: (
            c.effective_price if c.effective_price is not None else float("inf"),
            -(c.history.on_time or 0.0),
            -(c.history.quality or 0.0),
            c.distance_km if c.distance_km is not None else float("inf"),
            c.firm.pk,
        )
    )
    for i, c in enumerate(eligible, start=1):
        c.rank = i
    excluded.sort(key=lambda c: (c.firm.name_zh, c.firm.pk))
    first = first_week(order.earliest_start, monday)
    last = engine_order.due
    window = None
    if first <= last:
        window = (
            built.week(max(first, 0)),
            built.week(last) + datetime.timedelta(days=6),
        )
    return CandidateSearch(
        order=order,
        eligible=eligible,
        excluded=excluded,
        window=window,
        free_total=sum(c.free_capacity for c in eligible),
    )


# --- the supplier's desk ---------------------------------------------------------------------


@dataclass
class SupplierDesk:
    enterprise: Enterprise
    offers: list[SupplierOffer]
    links: list[ChainLink]
    weeks: list[datetime.date]
    calendar: dict[int, list[float | None]]  # link id → units per week of `weeks`
    held: dict[int, list[float]]  # link id → units held by assignments per week
    history: History


def offers_of(enterprise: Enterprise, user: Any, weeks: int = 12) -> SupplierDesk:
    if not permissions.can_keep_offers(user, enterprise):
        raise Forbidden(_("Only the firm's own users may keep its prices and capacity."))
    start = week_of(timezone.localdate())
    days = [start + datetime.timedelta(weeks=i) for i in range(weeks)]
    offers = list(
        SupplierOffer.objects.filter(enterprise=enterprise)
        .select_related("link")
        .order_by("link__stage", "link__code")
    )
    calendar: dict[int, list[float | None]] = {o.link_id: [None] * weeks for o in offers}
    for row in CapacityWeek.objects.filter(
        enterprise=enterprise, week__gte=start, week__lt=start + datetime.timedelta(weeks=weeks)
    ):
        calendar.setdefault(row.link_id, [None] * weeks)[(row.week - start).days // 7] = row.units
    held: dict[int, list[float]] = defaultdict(lambda: [0.0] * weeks)
    for part in AssignmentWeek.objects.filter(
        assignment__supplier=enterprise,
        assignment__status__in=Assignment.HOLDING,
        week__gte=start,
        week__lt=start + datetime.timedelta(weeks=weeks),
    ).values("assignment__order__link_id", "week", "quantity"):
        index = (part["week"] - start).days // 7
        held[part["assignment__order__link_id"]][index] += part["quantity"]
    from clusterbrain.registry.selectors import chain_links

    return SupplierDesk(
        enterprise=enterprise,
        offers=offers,
        links=chain_links(enterprise.cluster),
        weeks=days,
        calendar=calendar,
        held={k: v for k, v in held.items()},
        history=supplier_history([enterprise.pk])[enterprise.pk],
    )


# --- allocation runs -------------------------------------------------------------------------


@dataclass
class RunView:
    """A run's aggregates. Its money and unit figures are withheld (None, `withheld`) from
    association staff when fewer than k leading firms or k suppliers are behind them: a run
    over one order (a re-optimisation) would otherwise show that order's value (decision
    0003); the cluster's office and admins see them all."""

    run: AllocationRun
    placed_units: float | None
    unmet_units: float | None
    orders_met: int
    orders_unmet: int
    unmet_by_reason: list[tuple[str, str, int, float | None]]  # code, text, orders, units
    local_share: float | None  # of the proposed value
    withheld: bool = False
    min_firms: int = 0


def _require_coordinator(user: Any, cluster: Cluster) -> None:
    if not permissions.can_coordinate(user, cluster):
        raise NotFound(_("No such allocation run."))


def runs(cluster: Cluster, user: Any, limit: int = 20) -> list[AllocationRun]:
    if not permissions.can_coordinate(user, cluster):
        return []
    return list(AllocationRun.objects.filter(cluster=cluster)[:limit])


def get_run(run_id: Any, user: Any) -> RunView:
    pk = as_id(run_id)
    run = AllocationRun.objects.select_related("cluster").filter(pk=pk).first() if pk else None
    if run is None:
        raise NotFound(_("No such allocation run."))
    _require_coordinator(user, run.cluster)
    assignments = list(run.assignments.select_related("supplier", "order"))
    unmet = list(UnmetOrder.objects.filter(run=run).select_related("order"))
    value = sum(a.value for a in assignments)
    local = sum(a.value for a in assignments if is_local(a.supplier, run.cluster))
    by_reason: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for u in unmet:
        by_reason[u.reason][0] += 1
        by_reason[u.reason][1] += u.quantity
    met = {a.order_id for a in assignments} - {u.order_id for u in unmet}
    k = min_firms()
    buyers = {a.order.buyer_id for a in assignments} | {u.order.buyer_id for u in unmet}
    suppliers = {a.supplier_id for a in assignments}
    withheld = not permissions.can_view_firm_figures(user, run.cluster) and (
        len(buyers) < k or 0 < len(suppliers) < k
    )
    return RunView(
        run=run,
        placed_units=None if withheld else sum(a.quantity for a in assignments),
        unmet_units=None if withheld else sum(u.quantity for u in unmet),
        orders_met=len(met),
        orders_unmet=len(unmet),
        unmet_by_reason=[
            (code, reasons.unmet_reason(code), int(n), None if withheld else float(units))
            for code, (n, units) in sorted(by_reason.items())
        ],
        local_share=None if withheld or not value else local / value,
        withheld=withheld,
        min_firms=k,
    )


# --- notifications ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationView:
    pk: int
    kind: str
    text: str
    order_id: int | None
    created_at: datetime.datetime
    read: bool


def notification_text(n: Notification) -> str:
    from clusterbrain.bilingual import pick
    from clusterbrain.web.templatetags.cb import pct

    p = n.params or {}
    ref = p.get("reference", "")
    supplier = pick(p.get("supplier", ""), p.get("supplier_en", ""))
    K = Notification.Kind
    if n.kind == K.PROPOSAL:
        return _("A proposal for order %(ref)s is ready: confirm or edit it.") % {"ref": ref}
    if n.kind == K.UNMET:
        return _("Order %(ref)s could not be placed: %(reason)s") % {
            "ref": ref,
            "reason": reasons.unmet_reason(p.get("reason", "")),
        }
    if n.kind == K.OFFERED:
        return _("You were offered a part of order %(ref)s: accept or decline it.") % {"ref": ref}
    if n.kind == K.ACCEPTED:
        return _("%(supplier)s accepted its part of order %(ref)s.") % {
            "supplier": supplier,
            "ref": ref,
        }
    if n.kind == K.DECLINED:
        return _("%(supplier)s declined its part of order %(ref)s; the rest was re-planned.") % {
            "supplier": supplier,
            "ref": ref,
        }
    if n.kind == K.PROGRESS:
        return _("%(supplier)s reports %(share)s of its part of order %(ref)s produced.") % {
            "supplier": supplier,
            "share": pct(p.get("share", 0.0), 0),
            "ref": ref,
        }
    if n.kind == K.DELIVERED:
        return _("%(supplier)s delivered its part of order %(ref)s: inspect it.") % {
            "supplier": supplier,
            "ref": ref,
        }
    if n.kind == K.INSPECTED:
        if p.get("passed"):
            return _("Your delivery for order %(ref)s passed the quality inspection.") % {
                "ref": ref
            }
        return _("Your delivery for order %(ref)s failed the quality inspection.") % {"ref": ref}
    if n.kind == K.WITHDRAWN:
        return _("Order %(ref)s was cancelled; its offer to you is withdrawn.") % {"ref": ref}
    return str(n.get_kind_display())


def notifications(user: Any, limit: int = 50) -> list[NotificationView]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        NotificationView(
            n.pk, n.kind, notification_text(n), n.order_id, n.created_at, bool(n.read_at)
        )
        for n in Notification.objects.filter(user=user)[:limit]
    ]


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


# --- dashboard figures -----------------------------------------------------------------------


@dataclass
class LinkUtilisation:
    link: ChainLink
    capacity: float
    used: float
    suppliers: int
    suppressed: bool

    @property
    def rate(self) -> float | None:
        if self.suppressed or self.capacity <= 0:
            return None
        return self.used / self.capacity


@dataclass
class MatchingFigures:
    rate: float | None  # localisation of outsourced value, latest year
    year: int | None
    by_year: list[tuple[int, float | None]]
    suppressed_years: list[int]
    per_leading_firm: list[tuple[Enterprise, float | None, float]]  # firm, rate, value
    utilisation: list[LinkUtilisation]
    utilisation_weeks: tuple[datetime.date, datetime.date]
    smes_reached: int
    smes_by_year: list[tuple[int, int]]
    open_orders: int
    can_view_firms: bool
    min_firms: int

    @property
    def suppression_note(self) -> str:
        withheld = self.suppressed_years or any(u.suppressed for u in self.utilisation)
        return suppression_note(self.min_firms) if withheld else ""

    @property
    def any_figure(self) -> bool:
        return bool(self.by_year or self.utilisation or self.smes_reached or self.open_orders)


def _taken(cluster: Cluster) -> Any:
    return Assignment.objects.filter(order__cluster=cluster, status__in=Assignment.TAKEN)


def figures(cluster: Cluster, user: Any, today: datetime.date | None = None) -> MatchingFigures:
    """Localisation of outsourced value (taken assignments, by the year of the order's due
    date; local: the supplier is registered in and located in this cluster), per leading firm
    for the office; capacity utilisation per link over the next weeks; SMEs reached (suppliers
    not large that took work). Counts of firms are not confidential; values and utilisation are
    withheld over fewer than k firms (decision 0003)."""
    k = min_firms()
    allowed = permissions.can_view_firm_figures(user, cluster)
    local_q = Q(supplier__cluster=cluster, supplier__in_cluster=True)
    value = Cast(F("quantity"), FloatField()) * Cast(F("unit_price"), FloatField())
    rows = (
        _taken(cluster)
        .values("order__due_date__year", "order__buyer_id")
        .annotate(
            total=Sum(value),
            local=Sum(value, filter=local_q),
        )
        .order_by()
    )
    parts = (
        _taken(cluster)
        .values("order__due_date__year")
        .annotate(
            local_buyers=Count("order__buyer", distinct=True, filter=local_q),
            local_suppliers=Count("supplier", distinct=True, filter=local_q),
            outside_buyers=Count("order__buyer", distinct=True, filter=~local_q),
            outside_suppliers=Count("supplier", distinct=True, filter=~local_q),
        )
        .order_by()
    )
    disclosable = {
        row["order__due_date__year"]: all(
            (b == 0 and s == 0) or (b >= k and s >= k)
            for b, s in (
                (row["local_buyers"], row["local_suppliers"]),
                (row["outside_buyers"], row["outside_suppliers"]),
            )
        )
        for row in parts
    }
    per_year: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    per_buyer: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    latest = max((row["order__due_date__year"] for row in rows), default=None)
    for row in rows:
        year = row["order__due_date__year"]
        per_year[year][0] += row["local"] or 0.0
        per_year[year][1] += row["total"] or 0.0
        if year == latest:
            per_buyer[row["order__buyer_id"]][0] += row["local"] or 0.0
            per_buyer[row["order__buyer_id"]][1] += row["total"] or 0.0
    withheld = [y for y in sorted(per_year) if not allowed and not disclosable.get(y, True)]
    by_year = [
        (y, None if y in withheld or not t else loc / t) for y, (loc, t) in sorted(per_year.items())
    ]
    per_leading: list[tuple[Enterprise, float | None, float]] = []
    if allowed:
        for firm in Enterprise.objects.filter(cluster=cluster, is_leading=True).order_by(
            "name_zh", "pk"
        ):
            loc, total = per_buyer.get(firm.pk, (0.0, 0.0))
            per_leading.append((firm, loc / total if total else None, total))
    today = today or timezone.localdate()
    start = week_of(today)
    end = start + datetime.timedelta(weeks=UTILISATION_WEEKS)
    capacity: dict[int, tuple[float, int]] = {
        row["link_id"]: (float(row["units"] or 0.0), int(row["firms"]))
        for row in CapacityWeek.objects.filter(
            enterprise__cluster=cluster, week__gte=start, week__lt=end
        )
        .values("link_id")
        .annotate(units=Sum("units"), firms=Count("enterprise", distinct=True))
        .order_by()
    }
    # What assignments hold, and how many leading firms and suppliers are behind it: held
    # units resting on fewer than k of either are one firm's order book (decision 0003).
    used: dict[int, float] = {}
    used_by_few: set[int] = set()
    for row in (
        AssignmentWeek.objects.filter(
            assignment__order__cluster=cluster,
            assignment__status__in=[s for s in Assignment.HOLDING if s != "proposed"],
            week__gte=start,
            week__lt=end,
        )
        .values("assignment__order__link_id")
        .annotate(
            units=Sum("quantity"),
            buyers=Count("assignment__order__buyer", distinct=True),
            holders=Count("assignment__supplier", distinct=True),
        )
        .order_by()
    ):
        used[row["assignment__order__link_id"]] = row["units"] or 0.0
        if row["buyers"] < k or row["holders"] < k:
            used_by_few.add(row["assignment__order__link_id"])
    links = {
        link.pk: link
        for link in ChainLink.objects.filter(pk__in=set(capacity) | set(used)).order_by(
            "stage", "code"
        )
    }
    utilisation = [
        LinkUtilisation(
            link=link,
            capacity=capacity.get(pk, (0.0, 0))[0],
            used=float(used.get(pk, 0.0)),
            suppliers=capacity.get(pk, (0.0, 0))[1],
            suppressed=not allowed and (capacity.get(pk, (0.0, 0))[1] < k or pk in used_by_few),
        )
        for pk, link in links.items()
    ]
    sme = Q(supplier__size_class__in=("medium", "small", "micro"))
    smes = _taken(cluster).filter(sme)
    smes_by_year = [
        (row["order__due_date__year"], row["n"])
        for row in smes.values("order__due_date__year")
        .annotate(n=Count("supplier", distinct=True))
        .order_by("order__due_date__year")
    ]
    return MatchingFigures(
        rate=None if latest is None else dict(by_year).get(latest),
        year=latest,
        by_year=by_year,
        suppressed_years=withheld,
        per_leading_firm=per_leading,
        utilisation=utilisation,
        utilisation_weeks=(start, end - datetime.timedelta(days=1)),
        smes_reached=smes.values("supplier").distinct().count(),
        smes_by_year=smes_by_year,
        open_orders=OutsourcingOrder.objects.filter(
            cluster=cluster,
            status__in=(OutsourcingOrder.Status.OPEN, OutsourcingOrder.Status.PROPOSED),
        ).count(),
        can_view_firms=allowed,
        min_firms=k,
    )
