"""The cluster's allocation model: open orders × suppliers × weeks.

An order of a category (a chain link: cutting, stitching, lasting…) is produced by one or more
suppliers in the weeks between its earliest start and its due week less the supplier's lead
time, within each supplier's weekly capacity for that category, by suppliers holding every
certificate it requires. Split orders give each supplier at least the minimum lot and at most
`max_share` of the order; unsplittable ones go to a single supplier. The cost is the supplier's
price (less the local bonus for in-cluster suppliers, plus transport by distance); what cannot
be placed is left unmet at a high penalty, so there is always an answer, and each unmet order
says which constraint binds, as a machine code (`Reason`) the Django side words for its reader.
Quantities are continuous (units of large orders); weeks are indices 0…weeks-1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from clusterbrain.engines.allocation.core import EPS, CoreModel, CoreResult


class Reason(StrEnum):
    # why a supplier is not eligible for an order
    CATEGORY = "category"  # no price or no capacity in the order's category
    CERTIFICATE = "certificate"  # lacks a required certificate
    DATES = "dates"  # no week between earliest start and due less its lead time
    PRICE = "price"  # price above the order's target by more than allowed
    # why quantity is left unmet (the binding constraint)
    INVALID_DATES = "invalid_dates"  # the order's own window is empty or outside the horizon
    NO_ELIGIBLE_SUPPLIER = "no_eligible_supplier"  # see `excluded` for what excluded each
    CAPACITY_IN_WINDOW = "capacity_in_window"  # eligible suppliers' capacity in the window, all
    UNSPLITTABLE = "unsplittable"  # together they could, no single supplier can
    MAX_SHARE = "max_share"  # the share cap per supplier leaves too little
    MIN_LOT = "min_lot"  # the capacity left comes in pieces below the minimum lot
    SUPPLIER_VOLUME = "supplier_volume"  # suppliers are at their share of the period's volume
    CAPACITY_TAKEN = "capacity_taken"  # the capacity exists but other orders use it
    NOT_PLACED = "not_placed"  # capacity is free: the solver stopped at its time limit


@dataclass(frozen=True)
class Order:
    id: str
    category: str
    quantity: float
    earliest_start: int  # first week production may start
    due: int  # week by whose end the goods must have arrived
    certificates: frozenset[str] = frozenset()
    splittable: bool = True
    min_lot: float = 0.0  # fewest units per supplier when split
    max_share: float = 1.0  # most of the order one supplier may take when split
    target_price: float | None = None


@dataclass(frozen=True)
class Supplier:
    id: str
    capacity: Mapping[str, Sequence[float]]  # category → units per week
    price: Mapping[str, float]  # category → price per unit
    lead_weeks: int = 0  # weeks from the end of production to arrival
    certificates: frozenset[str] = frozenset()
    in_cluster: bool = True
    distance_km: float = 0.0


@dataclass(frozen=True)
class AllocationProblem:
    orders: Sequence[Order]
    suppliers: Sequence[Supplier]
    weeks: int
    local_bonus: float = 0.05  # share of the price taken off for in-cluster suppliers
    transport_per_unit_km: float = 0.0
    max_supplier_share: float = 1.0  # most of the period's ordered units one supplier may take
    max_price_over_target: float | None = None  # e.g. 0.2: exclude prices > 1.2 × target
    unmet_penalty: float | None = None  # per unit; default 100 × the highest price


@dataclass(frozen=True)
class Assignment:
    order_id: str
    supplier_id: str
    week: int
    quantity: float
    unit_price: float


@dataclass(frozen=True)
class UnmetOrder:
    order_id: str
    quantity: float
    reason: Reason
    # suppliers not eligible, counted per reason (one supplier may count under several)
    excluded: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AllocationResult:
    status: str  # optimal | feasible | heuristic
    objective: float  # cost after the local bonus, plus transport and unmet penalties
    purchase_cost: float  # Σ price × units: what the brands pay
    best_bound: float | None
    gap: float | None
    seconds: float
    method: str
    assignments: list[Assignment]
    unmet: list[UnmetOrder]


def exclusions(order: Order, supplier: Supplier, problem: AllocationProblem) -> list[Reason]:
    """Everything that makes a supplier ineligible for an order (empty: eligible)."""
    reasons = []
    price = supplier.price.get(order.category)
    weekly = supplier.capacity.get(order.category)
    if price is None or weekly is None or not any(c > 0 for c in weekly):
        reasons.append(Reason.CATEGORY)
    if not order.certificates <= supplier.certificates:
        reasons.append(Reason.CERTIFICATE)
    if _window(order, supplier, problem.weeks) is None:
        reasons.append(Reason.DATES)
    limit = problem.max_price_over_target
    if (
        limit is not None
        and price is not None
        and order.target_price is not None
        and price > order.target_price * (1 + limit) + 1e-9
    ):
        reasons.append(Reason.PRICE)
    return reasons


def _window(order: Order, supplier: Supplier, weeks: int) -> range | None:
    first = max(order.earliest_start, 0)
    last = min(order.due - supplier.lead_weeks, weeks - 1)
    return range(first, last + 1) if first <= last else None


def _dates_invalid(order: Order, weeks: int) -> bool:
    return order.due < order.earliest_start or order.due < 0 or order.earliest_start >= weeks


@dataclass
class CompiledProblem:
    core: CoreModel
    arc_week: np.ndarray  # (A,)
    eligible: list[list[int]]  # per order: the suppliers no rule excludes
    resource: dict[tuple[int, str, int], int]  # (supplier, category, week) → capacity bucket


def compile_problem(problem: AllocationProblem) -> CompiledProblem:
    orders, suppliers = problem.orders, problem.suppliers
    top_price = max((p for s in suppliers for p in s.price.values()), default=1.0)
    penalty = problem.unmet_penalty if problem.unmet_penalty is not None else 100.0 * top_price
    resource: dict[tuple[int, str, int], int] = {}
    capacity: list[float] = []
    order_start = [0]
    pair_supplier: list[int] = []
    pair_cost: list[float] = []
    pair_max: list[float] = []
    arc_start = [0]
    arc_resource: list[int] = []
    arc_week: list[int] = []
    eligible: list[list[int]] = []
    by_category: dict[str, list[int]] = {}
    for i, s in enumerate(suppliers):
        for category in s.price:
            if category in s.capacity:
                by_category.setdefault(category, []).append(i)
    for order in orders:
        mine = []
        whole = not order.splittable or order.min_lot >= order.quantity - EPS
        if not _dates_invalid(order, problem.weeks):
            for i in by_category.get(order.category, []):
                s = suppliers[i]
                if exclusions(order, s, problem):
                    continue
                window = _window(order, s, problem.weeks)
                mine.append(i)
                weekly = s.capacity[order.category]
                weeks = [t for t in window or () if t < len(weekly) and weekly[t] > 0]
                in_window = float(sum(weekly[t] for t in weeks))
                # a pair that could never be used only weakens the LP: an unsplittable order
                # larger than the supplier's capacity in its window, a lot that cannot fit
                if not weeks or in_window < (order.quantity if whole else order.min_lot) - EPS:
                    continue
                price = s.price[order.category]
                unit = price * (1 - problem.local_bonus if s.in_cluster else 1.0)
                pair_supplier.append(i)
                pair_cost.append(unit + problem.transport_per_unit_km * s.distance_km)
                share = 1.0 if whole else min(order.max_share, 1.0)
                pair_max.append(min(order.quantity * share, in_window))
                for t in weeks:
                    key = (i, order.category, t)
                    if key not in resource:
                        resource[key] = len(capacity)
                        capacity.append(float(weekly[t]))
                    arc_resource.append(resource[key])
                    arc_week.append(t)
                arc_start.append(len(arc_resource))
        eligible.append(mine)
        order_start.append(len(pair_supplier))
    total = sum(o.quantity for o in orders)
    volume = total * problem.max_supplier_share if problem.max_supplier_share < 1.0 else np.inf
    core = CoreModel(
        quantity=np.array([o.quantity for o in orders], dtype=float),
        splittable=np.array(
            [o.splittable and o.min_lot < o.quantity - EPS for o in orders], dtype=bool
        ),
        min_lot=np.array([o.min_lot if o.splittable else 0.0 for o in orders], dtype=float),
        unmet_penalty=np.full(len(orders), float(penalty)),
        order_start=np.array(order_start, dtype=np.int64),
        pair_supplier=np.array(pair_supplier, dtype=np.int64),
        pair_cost=np.array(pair_cost, dtype=float),
        pair_use=np.ones(len(pair_cost)),
        pair_max=np.array(pair_max, dtype=float),
        arc_start=np.array(arc_start, dtype=np.int64),
        arc_resource=np.array(arc_resource, dtype=np.int64),
        capacity=np.array(capacity, dtype=float),
        supplier_volume=np.full(len(suppliers), volume, dtype=float),
    )
    return CompiledProblem(core, np.array(arc_week, dtype=np.int64), eligible, resource)


def allocate_orders(
    problem: AllocationProblem,
    method: str = "mip",
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-4,
    seed: int = 0,
) -> AllocationResult:
    """All open orders of the period to suppliers; `method`: mip (default) or greedy."""
    from clusterbrain.engines.allocation.solve import solve_core

    compiled = compile_problem(problem)
    result = solve_core(compiled.core, method, time_limit, mip_rel_gap, seed)
    return explain(problem, compiled, result)


def explain(
    problem: AllocationProblem, compiled: CompiledProblem, result: CoreResult
) -> AllocationResult:
    """The core's solution in the problem's terms, each unmet order with its reason."""
    core = compiled.core
    x = result.solution.arc_qty
    arcs = np.flatnonzero(x > EPS)
    pairs = core.arc_pair[arcs]
    assignments = []
    purchase = 0.0
    for a, p in zip(arcs.tolist(), pairs.tolist(), strict=True):
        order = problem.orders[int(core.pair_order[p])]
        supplier = problem.suppliers[int(core.pair_supplier[p])]
        price = supplier.price[order.category]
        purchase += price * x[a]
        assignments.append(
            Assignment(order.id, supplier.id, int(compiled.arc_week[a]), float(x[a]), price)
        )
    unmet = result.solution.unmet(core)
    loads = np.bincount(core.arc_resource, x, minlength=core.capacity.size)
    explained = [
        _why_unmet(problem, compiled, j, float(unmet[j]), loads, x)
        for j in np.flatnonzero(unmet > 1e-6).tolist()
    ]
    return AllocationResult(
        status=result.status,
        objective=result.objective,
        purchase_cost=purchase,
        best_bound=result.best_bound,
        gap=result.gap,
        seconds=result.seconds,
        method=result.method,
        assignments=assignments,
        unmet=explained,
    )


def _why_unmet(
    problem: AllocationProblem,
    compiled: CompiledProblem,
    j: int,
    missing: float,
    loads: np.ndarray,
    x: np.ndarray,
) -> UnmetOrder:
    """The binding constraint: first what holds even if the order were alone in the cluster
    (dates, eligibility, capacity in the window, lots and shares), then what other orders or
    the period's caps take from it, last that capacity was left (the solver's time ran out)."""
    order = problem.orders[j]
    core = compiled.core
    if _dates_invalid(order, problem.weeks):
        return UnmetOrder(order.id, missing, Reason.INVALID_DATES)
    counts: dict[str, int] = {}
    for s in problem.suppliers:
        for reason in exclusions(order, s, problem):
            counts[reason.value] = counts.get(reason.value, 0) + 1
    eligible = compiled.eligible[j]
    if not eligible:
        return UnmetOrder(order.id, missing, Reason.NO_ELIGIBLE_SUPPLIER, counts)
    q = order.quantity
    whole = not core.splittable[j]
    lot = float(core.min_lot[j])
    share_cap = q if whole else q * min(order.max_share, 1.0)
    pq = _pair_qty(core, x)
    volume = np.bincount(core.pair_supplier, pq, minlength=core.suppliers)
    own = {
        int(core.pair_supplier[p]): float(pq[p])
        for p in range(int(core.order_start[j]), int(core.order_start[j + 1]))
    }
    raw, free, room = [], [], []
    for i in eligible:
        supplier = problem.suppliers[i]
        weekly = supplier.capacity[order.category]
        window = _window(order, supplier, problem.weeks) or range(0)
        buckets = [
            compiled.resource[(i, order.category, t)]
            for t in window
            if (i, order.category, t) in compiled.resource
        ]
        raw.append(float(sum(weekly[t] for t in window if t < len(weekly))))
        left = float(np.maximum(core.capacity[buckets] - loads[buckets], 0.0).sum())
        mine = own.get(i, 0.0)
        free.append(min(left + mine, share_cap))
        room.append(min(free[-1], float(core.supplier_volume[i] - volume[i]) + mine))
    caps = [min(r, share_cap) for r in raw]
    if whole and max(raw) < q - EPS:
        reason = Reason.UNSPLITTABLE if sum(raw) >= q - EPS else Reason.CAPACITY_IN_WINDOW
    elif not whole and sum(raw) < q - EPS:
        reason = Reason.CAPACITY_IN_WINDOW
    elif not whole and sum(caps) < q - EPS:
        reason = Reason.MAX_SHARE
    elif not whole and sum(c for c in caps if c >= lot - EPS) < q - EPS:
        reason = Reason.MIN_LOT
    else:
        need = q if whole else max(lot, EPS)
        if any(
            r >= need - EPS and r - own.get(i, 0.0) > EPS
            for r, i in zip(room, eligible, strict=True)
        ):
            reason = Reason.NOT_PLACED
        elif any(f >= need - EPS for f in free):
            reason = Reason.SUPPLIER_VOLUME
        elif not whole and any(f > EPS for f in free):
            reason = Reason.MIN_LOT
        else:
            reason = Reason.CAPACITY_TAKEN
    return UnmetOrder(order.id, missing, reason, counts)


def _pair_qty(core: CoreModel, x: np.ndarray) -> np.ndarray:
    return np.bincount(core.arc_pair, x, minlength=core.pairs)
