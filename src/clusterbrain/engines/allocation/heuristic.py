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
# The multi-start stops adding starts after this share of the heuristic's time.
STARTS_SHARE = 0.5


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
        self.by_cost = sorted_pairs(core, core.pair_cost)
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

    def take_off(self, p: int, amount: float) -> None:
        """Take `amount` units off pair p (which holds at least that), earliest week first."""
        use = self.p_use[p]
        left = amount
        j, s = self.p_order[p], self.p_sup[p]
        for a in range(self.arc_start[p], self.arc_start[p + 1]):
            take = min(self.arc_qty[a], left)
            if take > 0:
                self.arc_qty[a] -= take
                self.load[self.arc_res[a]] -= take * use
                left -= take
                if left <= 0:
                    break
        removed = amount - left
        self.pair_qty[p] -= removed
        self.vol[s] -= removed
        self.order_cost[j] -= removed * (self.p_cost[p] - self.pen[j])
        if self.pair_qty[p] <= EPS:
            self.pair_qty[p] = 0.0
            self.alloc[j].pop(p, None)
            self.on_supplier[s].discard(j)
        else:
            self.alloc[j][p] = self.pair_qty[p]

    def served(self, j: int) -> float:
        return math.fsum(self.alloc[j].values())

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
            if EPS < left - take < lot - EPS and left - lot >= lot - EPS:
                take = left - lot  # leave a whole lot for the next supplier, not a crumb
            left -= self.place(p, take)
            if left <= EPS:
                return
        for p in list(self.alloc[j]):
            take = min(self.free(p), left)
            if take > EPS:
                left -= self.place(p, take)


def sorted_pairs(core: CoreModel, key: np.ndarray) -> list[list[int]]:
    """Each order's pairs, lowest key first."""
    order = np.lexsort((key, core.pair_order))
    return [chunk.tolist() for chunk in np.split(order, core.order_start[1:-1])]


def construct(
    core: CoreModel, key: np.ndarray | None = None, initial: CoreSolution | None = None
) -> AllocationState:
    """Regret greedy: orders with most to lose if their best pair fills up go first.

    `key` ranks the pairs instead of their cost (a cost with a price on the capacity they use,
    so that a cheap pair that eats a tight bucket is not always first). `initial` holds some
    orders already (e.g. those the LP relaxation serves feasibly); the others are inserted."""
    state = AllocationState(core) if initial is None else state_from(core, initial)
    if key is not None:
        state.by_cost = sorted_pairs(core, key)
    n = core.orders
    has_pairs = np.diff(core.order_start) > 0
    if initial is not None:
        has_pairs &= np.array([not a for a in state.alloc])
    pending = np.flatnonzero(has_pairs)
    batch = max(1, int(REGRET_BATCH * n))
    while len(pending):
        regret = _regrets(state, pending, core.pair_cost if key is None else key)
        order = pending[np.argsort(-regret, kind="stable")]
        for j in order[:batch].tolist():
            state.insert(j)
        pending = order[batch:]
    if key is not None:
        state.by_cost = sorted_pairs(core, core.pair_cost)
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


def _eject(
    state: AllocationState, j: int, rng: np.random.Generator, cheaper_only: bool = True
) -> bool:
    """Move j to a cheaper pair whose supplier is full by taking one order k off that supplier
    and putting k wherever is best: a swap when k lands where j was, a chain of two otherwise.
    `cheaper_only=False` (repair) tries j's cheapest pairs whatever j pays now."""
    unit_now = state.order_cost[j] / max(state.qty[j], EPS)
    tried = 0
    for p in state.by_cost[j]:
        if (cheaper_only and state.p_cost[p] >= unit_now - 1e-12) or tried >= EJECT_PAIRS:
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


def state_from(core: CoreModel, solution: CoreSolution) -> AllocationState:
    """The local search's state holding a given solution."""
    state = AllocationState(core)
    x = solution.arc_qty
    arcs = np.flatnonzero(x > 0)
    orders = core.pair_order[core.arc_pair[arcs]]
    for j in np.unique(orders).tolist():
        mine = arcs[orders == j]
        state.restore(j, list(zip(mine.tolist(), x[mine].tolist(), strict=True)))
    return state


def repair(state: AllocationState, deadline: float, seed: int = 0) -> int:
    """Give orders left short the capacity that is still free; returns how many gained.

    Per short order, cheapest first: take it out and insert it again (the insertion leaves
    whole lots), top it up or open a new supplier by lowering the others to their minimum lot,
    and, while time is left, eject one order from a supplier that could take it (no matter
    the price: an unmet unit costs more than any supplier). The first two run whatever the
    deadline: they look at one order's pairs only, so an order is never left unplaced while a
    supplier it could go to has room, short of the combinatorics of lots and shares."""
    rng = np.random.default_rng(seed)
    core = state.core
    has_pairs = np.diff(core.order_start) > 0
    gained = 0
    for _ in range(4):
        short = [
            j for j in np.flatnonzero(has_pairs).tolist() if state.served(j) < state.qty[j] - 1e-6
        ]
        short.sort(key=lambda j: -state.pen[j] * (state.qty[j] - state.served(j)))
        changed = False
        for j in short:
            old = state.order_cost[j]
            tolerance = 1e-9 * max(1.0, abs(old))
            saved = state.remove(j)
            state.insert(j)
            if state.order_cost[j] < old - tolerance:
                gained += 1
                changed = True
                continue
            state.remove(j)
            state.restore(j, saved)
            if state.split[j] and _rebalance(state, j):
                gained += 1
                changed = True
                continue
            if time.monotonic() < deadline and _eject(state, j, rng, cheaper_only=False):
                gained += 1
                changed = True
        if not changed:
            break
    return gained


def _rebalance(state: AllocationState, j: int) -> bool:
    """Serve more of split order j without taking it out: top up its suppliers, open a new one
    for what is left, lowering the others (never below the minimum lot) when what is left is
    less than a lot. Only done when it lowers the cost."""
    left = state.qty[j] - state.served(j)
    lot = state.min_lot[j]
    pen = state.pen[j]
    for p in sorted(state.alloc[j], key=lambda p: state.p_cost[p]):
        take = min(state.free(p), left)
        if take > EPS and state.p_cost[p] < pen:
            left -= state.place(p, take)
    if left <= 1e-6:
        return True
    for p in state.by_cost[j]:
        if p in state.alloc[j] or state.p_cost[p] >= pen:
            continue
        free = state.free(p)
        if free < lot - EPS or free <= EPS:
            continue
        if left >= lot - EPS:
            state.place(p, min(free, left))
            return True
        need = lot - left  # units to move from the other suppliers to reach a lot here
        movable = sorted(state.alloc[j], key=lambda u: -state.p_cost[u])
        spare = [(u, max(0.0, state.pair_qty[u] - lot)) for u in movable]
        if sum(r for _, r in spare) < need - EPS:
            continue
        delta = lot * state.p_cost[p] - left * pen
        plan = []
        rest = need
        for u, r in spare:
            if rest <= EPS:
                break
            take = min(r, rest)
            if take > EPS:
                plan.append((u, take))
                delta -= take * state.p_cost[u]
                rest -= take
        if delta >= 0:
            continue
        for u, take in plan:
            state.take_off(u, take)
        state.place(p, lot)
        return True
    return False


def _objective(state: AllocationState) -> float:
    return state.objective()


def feasible_part(core: CoreModel, arc_qty: np.ndarray) -> CoreSolution:
    """The orders a fractional solution (the LP relaxation's) serves by every rule: an
    unsplittable order whole at one supplier, a split one in lots between the minimum and its
    share; the others are left out, for the greedy to insert."""
    x = np.where(arc_qty > 1e-6, arc_qty, 0.0)
    pq = np.bincount(core.arc_pair, x, minlength=core.pairs)
    j = core.pair_order
    used = pq > 1e-6
    whole = ~core.splittable[j]
    bad_pair = used & (
        (whole & (np.abs(pq - core.quantity[j]) > 1e-6))
        | (~whole & (pq < core.min_lot[j] - 1e-6))
        | (pq > core.pair_max + 1e-6)
    )
    bad = np.bincount(j[bad_pair], minlength=core.orders) > 0
    bad |= np.bincount(j[used & whole], minlength=core.orders) > 1
    keep = ~bad[core.pair_order[core.arc_pair]]
    x = np.where(keep, x, 0.0)
    # the LP's tolerances may overfill a bucket by a hair: drop the orders in such buckets
    load = np.bincount(core.arc_resource, x * core.pair_use[core.arc_pair], core.capacity.size)
    over = load > core.capacity * (1 + 1e-9) + 1e-7
    if over.any():
        hit = np.zeros(core.orders, dtype=bool)
        hit[core.pair_order[core.arc_pair[over[core.arc_resource] & (x > 0)]]] = True
        x = np.where(hit[core.pair_order[core.arc_pair]], 0.0, x)
    volume = np.bincount(core.pair_supplier[core.arc_pair], x, minlength=core.suppliers)
    if (volume > core.supplier_volume + 1e-7).any():
        return CoreSolution(np.zeros(core.arcs))
    return CoreSolution(x)


def solve_heuristic(
    core: CoreModel,
    time_limit: float,
    seed: int = 0,
    local_search: bool = True,
    keys: list[np.ndarray] | None = None,
    initial: CoreSolution | None = None,
) -> CoreResult:
    """Multi-start regret greedy (one start per pair ranking in `keys`, by default cost with
    growing prices on capacity; with `initial`, one more: the first key from that partial
    solution), the cheapest start improved by local search and a repair of short orders."""
    start = time.monotonic()
    deadline = start + time_limit
    keys = keys or capacity_keys(core)
    candidates: list[tuple[np.ndarray, CoreSolution | None]] = [(key, None) for key in keys]
    if initial is not None:
        candidates.append((keys[0], initial))
    starts: list[AllocationState] = []
    for key, partial in candidates:
        if starts and time.monotonic() - start > STARTS_SHARE * time_limit:
            break  # a large model: as many starts as half the time allows
        state = construct(core, key, partial)
        if local_search:
            repair(state, start, seed)  # without ejections: cheap, and fair between starts
        starts.append(state)
    state = min(starts, key=_objective)
    if local_search:
        improve(state, deadline, seed)
        repair(state, deadline, seed)
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
