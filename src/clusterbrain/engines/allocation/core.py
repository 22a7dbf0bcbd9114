"""The one model every solver works on: orders split over (order, supplier) pairs, each pair
producing in one or more capacity buckets (a supplier's category in one week).

Both front ends compile into it: a generalized-assignment file is one bucket per agent, one pair
per (job, agent) using `weight[i, j]` of the bucket per unit, every job a single unsplittable
unit; the cluster model is one bucket per (supplier, category, week), one pair per eligible
(order, supplier) with one arc per week of the order's production window. The greedy, the local
search, the MIP and the fix-and-optimise loop are written once against this form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

EPS = 1e-7


@dataclass
class CoreModel:
    quantity: np.ndarray  # (n,) units ordered
    splittable: np.ndarray  # (n,) bool: may go to several suppliers
    min_lot: np.ndarray  # (n,) fewest units a supplier takes of a split order, if any
    unmet_penalty: np.ndarray  # (n,) per unit left unmet
    order_start: np.ndarray  # (n + 1,) pairs of order j are order_start[j]:order_start[j + 1]
    pair_supplier: np.ndarray  # (P,)
    pair_cost: np.ndarray  # (P,) per unit
    pair_use: np.ndarray  # (P,) capacity used per unit
    pair_max: np.ndarray  # (P,) most units of the order on this pair (the share cap)
    arc_start: np.ndarray  # (P + 1,) arcs of pair p are arc_start[p]:arc_start[p + 1]
    arc_resource: np.ndarray  # (A,) the bucket each arc draws on, in week order
    capacity: np.ndarray  # (R,)
    supplier_volume: np.ndarray  # (S,) most units per supplier over the period (inf: no cap)
    pair_order: np.ndarray = field(init=False)
    arc_pair: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.pair_order = np.repeat(np.arange(self.orders), np.diff(self.order_start))
        self.arc_pair = np.repeat(np.arange(self.pairs), np.diff(self.arc_start))

    @property
    def orders(self) -> int:
        return len(self.quantity)

    @property
    def pairs(self) -> int:
        return len(self.pair_cost)

    @property
    def arcs(self) -> int:
        return len(self.arc_resource)

    @property
    def suppliers(self) -> int:
        return len(self.supplier_volume)

    @property
    def integral_objective(self) -> bool:
        """Every feasible objective is an integer (GAP files), so a gap below 1 is optimal."""
        q = self.quantity
        return bool(
            (~self.splittable).all()
            and np.allclose(q, np.round(q))
            and np.allclose(self.pair_cost, np.round(self.pair_cost))
            and np.allclose(self.unmet_penalty * q, np.round(self.unmet_penalty * q))
        )


@dataclass
class CoreSolution:
    """Units of each arc; everything else follows from them."""

    arc_qty: np.ndarray

    def pair_qty(self, core: CoreModel) -> np.ndarray:
        return np.bincount(core.arc_pair, self.arc_qty, minlength=core.pairs)

    def unmet(self, core: CoreModel) -> np.ndarray:
        served = np.bincount(core.pair_order, self.pair_qty(core), minlength=core.orders)
        return np.maximum(core.quantity - served, 0.0)

    def objective(self, core: CoreModel) -> float:
        return float(core.pair_cost @ self.pair_qty(core) + core.unmet_penalty @ self.unmet(core))

    def violations(self, core: CoreModel) -> list[str]:
        """Broken constraints, as short machine-readable strings (empty when feasible)."""
        problems = []
        x = self.arc_qty
        if (x < -EPS).any():
            problems.append("negative")
        load = np.bincount(core.arc_resource, x * core.pair_use[core.arc_pair], core.capacity.size)
        if (load > core.capacity * (1 + 1e-9) + 1e-6).any():
            problems.append("capacity")
        pq = self.pair_qty(core)
        if (pq > core.pair_max + 1e-6).any():
            problems.append("max_share")
        served = np.bincount(core.pair_order, pq, minlength=core.orders)
        if (served > core.quantity + 1e-6).any():
            problems.append("over_served")
        used = pq > 1e-6
        order = core.pair_order
        whole = ~core.splittable[order]
        if (used & whole & (np.abs(pq - core.quantity[order]) > 1e-6)).any():
            problems.append("unsplittable")
        if np.bincount(order[used & whole], minlength=core.orders).max(initial=0) > 1:
            problems.append("unsplittable")
        if (used & ~whole & (pq < core.min_lot[order] - 1e-6)).any():
            problems.append("min_lot")
        volume = np.bincount(core.pair_supplier, pq, minlength=core.suppliers)
        if (volume > core.supplier_volume + 1e-6).any():
            problems.append("supplier_volume")
        return problems


@dataclass
class CoreResult:
    solution: CoreSolution
    objective: float
    best_bound: float | None
    status: str  # SolveStatus value
    seconds: float
    method: str

    @property
    def gap(self) -> float | None:
        """Relative gap between the objective and the best bound (0 when proven optimal)."""
        if self.best_bound is None or not np.isfinite(self.best_bound):
            return None
        return max(0.0, self.objective - self.best_bound) / max(abs(self.objective), 1e-9)


def restrict(
    core: CoreModel,
    orders: np.ndarray,
    pair_mask: np.ndarray,
    capacity: np.ndarray,
    supplier_volume: np.ndarray,
) -> tuple[CoreModel, np.ndarray, np.ndarray]:
    """The sub-model of `orders` over the pairs in `pair_mask` with the capacity left over.

    Returns it with the original index of each of its pairs and arcs, so a solution of the
    sub-model maps back. Used by fix-and-optimise: everything outside stays as it is.
    """
    orders = np.sort(orders)
    keep_order = np.zeros(core.orders, dtype=bool)
    keep_order[orders] = True
    keep_pair = pair_mask & keep_order[core.pair_order]
    pairs = np.flatnonzero(keep_pair)
    counts = np.bincount(core.pair_order[pairs], minlength=core.orders)[orders]
    arc_counts = np.diff(core.arc_start)[pairs]
    arcs = ranges(core.arc_start[pairs], arc_counts)
    sub = CoreModel(
        quantity=core.quantity[orders],
        splittable=core.splittable[orders],
        min_lot=core.min_lot[orders],
        unmet_penalty=core.unmet_penalty[orders],
        order_start=np.concatenate([[0], np.cumsum(counts)]),
        pair_supplier=core.pair_supplier[pairs],
        pair_cost=core.pair_cost[pairs],
        pair_use=core.pair_use[pairs],
        pair_max=core.pair_max[pairs],
        arc_start=np.concatenate([[0], np.cumsum(arc_counts)]),
        arc_resource=core.arc_resource[arcs],
        capacity=capacity,
        supplier_volume=supplier_volume,
    )
    return sub, pairs, arcs


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated arange(start, start + count) for each start and count."""
    total = int(counts.sum())
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + (np.arange(total) - offsets)
