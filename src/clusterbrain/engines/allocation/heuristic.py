"""Greedy construction by regret, then local search (shift and ejection chains), on the core.

Alone it serves instances too big for the MIP; otherwise it gives the MIP its first incumbent.
The state is kept in Python lists: the moves touch a handful of scalars each, where numpy's
per-call cost would dominate; the regret pass that looks at every pair at once uses numpy.
"""

from __future__ import annotations

import math
import time

import numpy as np

from clusterbrain.engines.allocation.core import EPS, CoreModel, CoreResult, CoreSolution, ranges

# Orders inserted between two recomputations of every order's regret, as a share of all orders.
REGRET_BATCH = 0.05
# Ejection chains: cheaper pairs of an order tried, and orders tried for ejection from each.
EJECT_PAIRS = 6
EJECT_ORDERS = 25


class AllocationState:
    """A solution being built or improved: loads, per-order allocations and costs."""

    def __init__(self, core: CoreModel) -> None:
        self.core = core
        self.cap = core.capacity.tolist()
        self.load = [0.0] * len(self.cap)
        self.vol_cap = core.supplier_volume.tolist()
        self.vol = [0.0] * len(self.vol_cap)
        self.qty = core.quantity.tolist()
        self.split = core.splittable.tolist()
        self.min_lot = core.min_lot.tolist()
        self.pen = core.unmet_penalty.tolist()
        self.p_sup = core.pair_supplier.tolist()
        self.p_cost = core.pair_cost.tolist()
        self.p_use = core.pair_use.tolist()
        self.p_max = core.pair_max.tolist()
        self.p_order = core.pair_order.tolist()
        self.arc_start = core.arc_start.tolist()
        self.arc_res = core.arc_resource.tolist()
        self.arc_qty = [0.0] * core.arcs
        self.pair_qty = [0.0] * core.pairs
        self.by_cost = _sorted_pairs(core, core.pair_cost)
        self.alloc: list[dict[int, float]] = [{} for _ in range(core.orders)]
        self.on_supplier: list[set[int]] = [set() for _ in range(core.suppliers)]
        self.order_cost = [self.pen[j] * self.qty[j] for j in range(core.orders)]

    # --- reading ---

    def solution(self) -> CoreSolution:
        return CoreSolution(np.array(self.arc_qty))

    def objective(self) -> float:
        return math.fsum(self.order_cost)

    def free(self, p: int) -> float:
        """Units pair p could still take."""
        use = self.p_use[p]
        room = min(
            self.p_max[p] - self.pair_qty[p], self.vol_cap[self.p_sup[p]] - self.vol[self.p_sup[p]]
        )
        if use <= 0:
            return room
        total = 0.0
        cap, load, res = self.cap, self.load, self.arc_res
        for a in range(self.arc_start[p], self.arc_start[p + 1]):
            f = cap[res[a]] - load[res[a]]
            if f > 0:
                total += f
        return min(total / use, room)

    # --- changing ---

    def place(self, p: int, amount: float) -> float:
        """Put up to `amount` units on pair p, latest week first; returns the units placed."""
        use = self.p_use[p]
        left = amount
        cap, load, res, arc_qty = self.cap, self.load, self.arc_res, self.arc_qty
        for a in range(self.arc_start[p + 1] - 1, self.arc_start[p] - 1, -1):
            r = res[a]
            take = left if use <= 0 else min(left, (cap[r] - load[r]) / use)
            if take > EPS:
                arc_qty[a] += take
                load[r] += take * use
                left -= take
                if left <= EPS:
                    left = 0.0
                    break
        placed = amount - left
        if placed > 0:
            j, s = self.p_order[p], self.p_sup[p]
            self.pair_qty[p] += placed
            self.vol[s] += placed
            self.alloc[j][p] = self.alloc[j].get(p, 0.0) + placed
            self.on_supplier[s].add(j)
            self.order_cost[j] += placed * (self.p_cost[p] - self.pen[j])
        return placed

    def remove(self, j: int) -> list[tuple[int, float]]:
        """Take order j out; returns its arcs and units so `restore` can put it back."""
        saved = []
        use_of, res, arc_qty, load = self.p_use, self.arc_res, self.arc_qty, self.load
        for p in self.alloc[j]:
            use = use_of[p]
            for a in range(self.arc_start[p], self.arc_start[p + 1]):
                x = arc_qty[a]
                if x > 0:
                    saved.append((a, x))
                    load[res[a]] -= x * use
                    arc_qty[a] = 0.0
            s = self.p_sup[p]
            self.vol[s] -= self.pair_qty[p]
            self.pair_qty[p] = 0.0
            self.on_supplier[s].discard(j)
        self.alloc[j] = {}
        self.order_cost[j] = self.pen[j] * self.qty[j]
        return saved

    def restore(self, j: int, saved: list[tuple[int, float]]) -> None:
        pair_of = self.core.arc_pair
        for a, x in saved:
            p = int(pair_of[a])
            use = self.p_use[p]
            self.arc_qty[a] += x
            self.load[self.arc_res[a]] += x * use
            s = self.p_sup[p]
            self.pair_qty[p] += x
            self.vol[s] += x
            self.alloc[j][p] = self.alloc[j].get(p, 0.0) + x
            self.on_supplier[s].add(j)
            self.order_cost[j] += x * (self.p_cost[p] - self.pen[j])

    def insert(self, j: int, first: int | None = None) -> None:
        """Place order j as cheaply as the free capacity allows (pair `first` tried first).

        Unsplittable: the cheapest pair that holds all of it. Split: the cheapest pairs in turn,
        each taking at least the minimum lot, then any remainder topped up on pairs in use.
        """
        pairs = self.by_cost[j] if first is None else [first, *self.by_cost[j]]
        q = self.qty[j]
        if not self.split[j]:
            for p in pairs:
                if self.free(p) >= q - EPS:
                    self.place(p, q)
                    return
            return
        left, lot = q, self.min_lot[j]
        for p in pairs:
            if p in self.alloc[j]:
                continue
            take = min(self.free(p), left)
            if take < lot - EPS or take <= EPS:
                continue
            left -= self.place(p, take)
            if left <= EPS:
                return
        for p in list(self.alloc[j]):
            take = min(self.free(p), left)
            if take > EPS:
                left -= self.place(p, take)


def _sorted_pairs(core: CoreModel, key: np.ndarray) -> list[list[int]]:
    """Each order's pairs, lowest key first."""
    order = np.lexsort((key, core.pair_order))
    return [chunk.tolist() for chunk in np.split(order, core.order_start[1:-1])]


def construct(core: CoreModel, key: np.ndarray | None = None) -> AllocationState:
    """Regret greedy: orders with most to lose if their best pair fills up go first.

    `key` ranks the pairs instead of their cost (a cost with a price on the capacity they use,
    so that a cheap pair that eats a tight bucket is not always first)."""
    state = AllocationState(core)
    if key is not None:
        state.by_cost = _sorted_pairs(core, key)
    n = core.orders
    has_pairs = np.diff(core.order_start) > 0
    pending = np.flatnonzero(has_pairs)
    batch = max(1, int(REGRET_BATCH * n))
    while len(pending):
        regret = _regrets(state, pending, core.pair_cost if key is None else key)
        order = pending[np.argsort(-regret, kind="stable")]
        for j in order[:batch].tolist():
            state.insert(j)
        pending = order[batch:]
    if key is not None:
        state.by_cost = _sorted_pairs(core, core.pair_cost)
    return state


def capacity_keys(core: CoreModel) -> list[np.ndarray]:
    """Pair rankings for a multi-start greedy: cost alone, then cost plus a growing price on
    the share of its bucket a pair uses."""
    res = core.arc_resource[core.arc_start[:-1]] if core.arcs else np.zeros(0, dtype=np.int64)
    share = core.pair_use / np.maximum(core.capacity[res], EPS)
    scale = np.abs(core.pair_cost).mean() / max(float(share.mean()), EPS) if core.pairs else 1.0
    return [core.pair_cost + w * scale * share for w in (0.0, 0.25, 0.5, 1.0, 2.0)]


def _regrets(state: AllocationState, pending: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Per pending order: (second cheapest - cheapest) cost of pairs that fit it now."""
    core = state.core
    free_res = np.maximum(np.array(state.cap) - np.array(state.load), 0.0)
    use = core.pair_use
    with np.errstate(divide="ignore", invalid="ignore"):
        per_arc = free_res[core.arc_resource] / use[core.arc_pair]
    per_arc = np.where(use[core.arc_pair] > 0, per_arc, np.inf)
    free_pair = np.add.reduceat(per_arc, core.arc_start[:-1]) if core.arcs else per_arc
    vol_free = np.array(state.vol_cap) - np.array(state.vol)
    free_pair = np.minimum(np.minimum(free_pair, core.pair_max), vol_free[core.pair_supplier])
    j_of = core.pair_order
    need = np.where(core.splittable, np.maximum(core.min_lot, EPS), core.quantity)[j_of]
    cost = np.where(free_pair >= need - EPS, key, np.inf)
    starts = core.order_start[pending]
    lengths = core.order_start[pending + 1] - starts
    vals = cost[ranges(starts, lengths)]
    seg = np.repeat(np.arange(len(pending)), lengths)
    vals = vals[np.lexsort((vals, seg))]
    first = np.cumsum(lengths) - lengths
    best = np.where(lengths > 0, vals[np.minimum(first, max(len(vals) - 1, 0))], np.inf)
    second_at = np.minimum(first + 1, max(len(vals) - 1, 0))
    second = np.where(lengths > 1, vals[second_at], np.inf)
    pen = core.unmet_penalty[pending] + (key - core.pair_cost).max(initial=0.0)
    best = np.where(np.isfinite(best), best, pen)
    second = np.where(np.isfinite(second), second, pen)
    return (second - best) * core.quantity[pending]


def improve(state: AllocationState, deadline: float, seed: int = 0) -> None:
    """Shift (take an order out, put it back at its best) and ejection chains of two orders,
    until no move improves or the deadline passes."""
    rng = np.random.default_rng(seed)
    n = state.core.orders
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for count, j in enumerate(rng.permutation(n).tolist()):
            if count % 64 == 0 and time.monotonic() > deadline:
                return
            if _at_best(state, j):
                continue
            old = state.order_cost[j]
            saved = state.remove(j)
            state.insert(j)
            if state.order_cost[j] < old - 1e-9 * max(1.0, abs(old)):
                improved = True
            else:
                state.remove(j)
                state.restore(j, saved)
        for count, j in enumerate(rng.permutation(n).tolist()):
            if count % 16 == 0 and time.monotonic() > deadline:
                return
            if _at_best(state, j):
                continue
            if _eject(state, j, rng):
                improved = True


def _at_best(state: AllocationState, j: int) -> bool:
    """Served in full by its cheapest pair alone: no move can make it cheaper."""
    pairs = state.by_cost[j]
    if not pairs:
        return True
    alloc = state.alloc[j]
    return len(alloc) == 1 and pairs[0] in alloc and alloc[pairs[0]] >= state.qty[j] - EPS


def _eject(state: AllocationState, j: int, rng: np.random.Generator) -> bool:
    """Move j to a cheaper pair whose supplier is full by taking one order k off that supplier
    and putting k wherever is best: a swap when k lands where j was, a chain of two otherwise."""
    unit_now = state.order_cost[j] / max(state.qty[j], EPS)
    tried = 0
    for p in state.by_cost[j]:
        if state.p_cost[p] >= unit_now - 1e-12 or tried >= EJECT_PAIRS:
            break
        if p in state.alloc[j]:
            continue
        tried += 1
        others = [k for k in state.on_supplier[state.p_sup[p]] if k != j]
        if len(others) > EJECT_ORDERS:
            others = [others[i] for i in rng.choice(len(others), EJECT_ORDERS, replace=False)]
        for k in others:
            old = state.order_cost[j] + state.order_cost[k]
            saved_j, saved_k = state.remove(j), state.remove(k)
            state.insert(j, first=p)
            state.insert(k)
            new = state.order_cost[j] + state.order_cost[k]
            if new < old - 1e-9 * max(1.0, abs(old)):
                return True
            state.remove(j)
            state.remove(k)
            state.restore(j, saved_j)
            state.restore(k, saved_k)
    return False


def _objective(state: AllocationState) -> float:
    return state.objective()


def solve_heuristic(
    core: CoreModel,
    time_limit: float,
    seed: int = 0,
    local_search: bool = True,
    keys: list[np.ndarray] | None = None,
) -> CoreResult:
    """Multi-start regret greedy (one start per pair ranking in `keys`, by default cost with
    growing prices on capacity), the cheapest start improved by local search."""
    start = time.monotonic()
    state = min((construct(core, key) for key in keys or capacity_keys(core)), key=_objective)
    if local_search:
        improve(state, start + time_limit, seed)
    solution = state.solution()
    return CoreResult(
        solution=solution,
        objective=solution.objective(core),
        best_bound=None,
        status="heuristic",
        seconds=time.monotonic() - start,
        method="greedy" if not local_search else "heuristic",
    )


def first_come_first_served(core: CoreModel) -> CoreResult:
    """The status quo: orders in posting order, each to the cheapest suppliers with capacity
    left (one that takes it all when unsplittable), no look-ahead and no revision."""
    start = time.monotonic()
    state = AllocationState(core)
    for j in range(core.orders):
        state.insert(j)
    solution = state.solution()
    return CoreResult(
        solution=solution,
        objective=solution.objective(core),
        best_bound=None,
        status="heuristic",
        seconds=time.monotonic() - start,
        method="fcfs",
    )
