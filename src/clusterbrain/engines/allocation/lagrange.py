"""Lagrangian bound of a generalized assignment, and the pairs it proves out of every better
solution.

Why: on the tight d-type GAP instances the LP bound leaves (best − bound) wide enough that the
LP's reduced costs keep most pairs, and HiGHS does not close the restricted model in a minute.
Dualising the assignment rows (one agent per job) at prices λ leaves one 0–1 knapsack per agent,

    L(λ) = Σ_j λ_j − Σ_i max { Σ_j (λ_j − c_ij)·x_ij : Σ_j w_ij·x_ij ≤ b_i },

a lower bound at every λ and, as knapsacks lack the LP's integrality, at least as strong as the
LP's at the best λ (Fisher, Jaikumar and Van Wassenhove 1986). Capacities and weights of the
published instances are integers, so each knapsack is solved exactly by dynamic programming over
capacity, forward and backward: from the two tables the best knapsack with a given job forced in
or forced out costs O(capacity) more per job. The bound with job j on agent i (j forced into i's
knapsack and out of every other agent's) is L(λ) plus those losses; where it reaches the best
known solution, no strictly better solution uses the pair (costs are integers), so the pair can
be dropped exactly, whatever heuristic chose the best.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numba import njit

from clusterbrain.engines.allocation.core import CoreModel

# one subgradient step fills every agent's knapsack table (jobs × capacity), and the branch
# and bound's neighbourhoods free ~35 jobs at a time: measured on yagiura2004 (decision 0007),
# the path pays up to 900 jobs and ~33 M cells (d60900: 218 steps in 5.8 s, +0.40 % → +0.35 %;
# d40400, 6.4 M cells: +0.70 % → +0.19 %), not at 1,600 jobs (21-104 M cells: d801600 +0.21 %
# → +0.27 %), where the tabu search and HiGHS do better alone
TABLE_LIMIT = 35_000_000
JOB_LIMIT = 1_000


@dataclass
class LagrangeBound:
    bound: float  # max over the prices tried of L(λ): a lower bound of every solution
    pair_bound: np.ndarray  # (P,) a lower bound of every solution that uses the pair
    prices: np.ndarray  # (n,) the λ that gave pair_bound
    # (P,) 1 where the pair is in its agent's knapsack at those prices: nearly an assignment
    # (most jobs in exactly one knapsack), a start for the tabu search
    pair_taken: np.ndarray
    iterations: int
    seconds: float


def integral_gap_data(
    core: CoreModel,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(cost, weight, capacity, present) as dense agent × job matrices when every weight and
    capacity is an integer and the model is small enough (`JOB_LIMIT`, `TABLE_LIMIT`), else None."""
    from clusterbrain.engines.allocation.tabu import gap_shaped

    if not gap_shaped(core) or not core.integral_objective:
        return None
    use = core.pair_use * core.quantity[core.pair_order]
    if not np.allclose(use, np.round(use)) or not np.allclose(
        core.capacity, np.round(core.capacity)
    ):
        return None
    if (use < 0).any() or (core.capacity < 0).any():
        return None
    m, n = core.capacity.size, core.orders
    if n > JOB_LIMIT or int(np.round(core.capacity).sum()) * n > TABLE_LIMIT:
        return None
    cost = np.zeros((m, n))
    weight = np.zeros((m, n), dtype=np.int64)
    present = np.zeros((m, n), dtype=np.bool_)
    q = core.quantity[core.pair_order]
    cost[core.arc_resource, core.pair_order] = core.pair_cost * q
    weight[core.arc_resource, core.pair_order] = np.round(use).astype(np.int64)
    present[core.arc_resource, core.pair_order] = True
    return cost, weight, np.round(core.capacity).astype(np.int64), present


@njit(cache=True)
def _knapsack(
    profit: np.ndarray,
    weight: np.ndarray,
    items: np.ndarray,
    count: int,
    cap: int,
    take: np.ndarray,
    table: np.ndarray,
) -> float:
    """Best profit over items[:count] (positive profits), `take` marks the items chosen."""
    for c in range(cap + 1):
        table[0, c] = 0.0
    for k in range(count):
        j = items[k]
        p = profit[j]
        w = weight[j]
        for c in range(cap + 1):
            table[k + 1, c] = table[k, c]
        if w <= cap:
            for c in range(w, cap + 1):
                v = table[k, c - w] + p
                if v > table[k + 1, c]:
                    table[k + 1, c] = v
    c = cap
    for k in range(count - 1, -1, -1):
        j = items[k]
        t = table[k + 1, c] != table[k, c]
        take[j] = t
        if t:
            c -= weight[j]
    return table[count, cap]


@njit(cache=True)
def knapsack_value(
    cost: np.ndarray,
    weight: np.ndarray,
    cap: np.ndarray,
    allowed: np.ndarray,
    lam: np.ndarray,
    x: np.ndarray,
) -> float:
    """L(λ) over the allowed pairs (the fixed jobs' cost not included); x gets the knapsacks."""
    m, n = cost.shape
    value = 0.0
    for j in range(n):
        value += lam[j]
    profit = np.zeros(n)
    take = np.zeros(n, dtype=np.bool_)
    items = np.zeros(n, dtype=np.int64)
    table = np.zeros((n + 1, max(cap.max(), 0) + 1))
    for i in range(m):
        count = 0
        for j in range(n):
            x[i, j] = False
            if allowed[i, j]:
                p = lam[j] - cost[i, j]
                if p > 0 and weight[i, j] <= cap[i]:
                    profit[j] = p
                    items[count] = j
                    count += 1
        if count == 0:
            continue
        value -= _knapsack(profit, weight[i], items, count, cap[i], take, table)
        for k in range(count):
            x[i, items[k]] = take[items[k]]
    return value


@njit(cache=True)
def knapsack_pair_bounds(
    cost: np.ndarray,
    weight: np.ndarray,
    cap: np.ndarray,
    allowed: np.ndarray,
    lam: np.ndarray,
    pair: np.ndarray,
) -> float:
    """L(λ) and, in `pair`, the bound of the solutions with job j on agent i (inf where the
    pair is not allowed): the knapsack with j forced in, the other agents' with j forced out,
    from forward and backward tables over the allowed items."""
    m, n = cost.shape
    value = 0.0
    for j in range(n):
        value += lam[j]
    force_in = np.full((m, n), np.inf)
    force_out = np.zeros((m, n))
    items = np.zeros(n, dtype=np.int64)
    top = max(cap.max(), 0)
    fwd = np.zeros((n + 1, top + 1))
    bwd = np.zeros((n + 1, top + 1))
    for i in range(m):
        b = cap[i]
        if b < 0:
            continue
        count = 0
        for j in range(n):
            if allowed[i, j] and weight[i, j] <= b:
                items[count] = j
                count += 1
        for c in range(b + 1):
            fwd[0, c] = 0.0
            bwd[count, c] = 0.0
        for k in range(count):
            j = items[k]
            p = lam[j] - cost[i, j]
            w = weight[i, j]
            for c in range(b + 1):
                fwd[k + 1, c] = fwd[k, c]
            if p > 0:
                for c in range(w, b + 1):
                    v = fwd[k, c - w] + p
                    if v > fwd[k + 1, c]:
                        fwd[k + 1, c] = v
        for k in range(count - 1, -1, -1):
            j = items[k]
            p = lam[j] - cost[i, j]
            w = weight[i, j]
            for c in range(b + 1):
                bwd[k, c] = bwd[k + 1, c]
            if p > 0:
                for c in range(w, b + 1):
                    v = bwd[k + 1, c - w] + p
                    if v > bwd[k, c]:
                        bwd[k, c] = v
        best = fwd[count, b]
        value -= best
        for k in range(count):
            j = items[k]
            without = 0.0
            for c in range(b + 1):
                v = fwd[k, c] + bwd[k + 1, b - c]
                if v > without:
                    without = v
            force_out[i, j] = best - without
            rest = b - weight[i, j]
            with_j = -np.inf
            for c in range(rest + 1):
                v = fwd[k, c] + bwd[k + 1, rest - c]
                if v > with_j:
                    with_j = v
            force_in[i, j] = best - (with_j + lam[j] - cost[i, j])
    for j in range(n):
        out_all = 0.0
        for i in range(m):
            out_all += force_out[i, j]
        for i in range(m):
            pair[i, j] = value + force_in[i, j] + out_all - force_out[i, j]
    return value


def _pair_bounds(
    data: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], lam: np.ndarray
) -> tuple[float, np.ndarray]:
    """L(λ) and, per agent × job, the bound of the solutions with the job on that agent."""
    cost, weight, cap, present = data
    pair = np.empty(cost.shape)
    value = knapsack_pair_bounds(cost, weight, cap, present, lam, pair)
    return value, pair


def lagrange_bound(
    core: CoreModel,
    deadline: float,
    upper: float,
    prices: np.ndarray | None = None,
    iterations: int = 400,
) -> LagrangeBound | None:
    """Subgradient ascent of L(λ) from `prices` (the LP's order duals are a good start), with
    the step set by the distance to `upper` (Polyak), halved when the bound stalls. None where
    the model is not an integral generalized assignment."""
    data = integral_gap_data(core)
    if data is None:
        return None
    start = time.monotonic()
    cost, weight, cap, present = data
    m, n = cost.shape
    if prices is None:
        big = np.where(present, cost, np.inf)
        prices = np.sort(big, axis=0)[min(1, m - 1)]
        prices = np.where(np.isfinite(prices), prices, big.min(axis=0))
    lam = np.asarray(prices, dtype=float).copy()
    x = np.zeros((m, n), dtype=np.bool_)
    best_value, best_lam = -np.inf, lam.copy()
    scale, stall, it = 1.0, 0, 0
    while it < iterations and time.monotonic() < deadline:
        it += 1
        value = knapsack_value(cost, weight, cap, present, lam, x)
        if value > best_value + 1e-9:
            best_value, best_lam, stall = value, lam.copy(), 0
        else:
            stall += 1
            if stall >= 20:
                scale, stall = scale / 2.0, 0
                if scale < 1e-4:
                    break
        g = 1.0 - x.sum(axis=0)
        norm = float((g * g).sum())
        if norm == 0.0:
            break  # the knapsacks assign every job once: the bound is a solution's cost
        # aim above the best bound so far: an aim below the dual optimum would stall the steps
        aim = max(upper, best_value + 0.001 * abs(best_value) + 1.0)
        lam = lam + scale * max(aim - value, 1e-3) / norm * g
    bound, pair = _pair_bounds(data, best_lam)
    bound = max(bound, best_value)
    knapsack_value(cost, weight, cap, present, best_lam, x)
    pair_bound = pair[core.arc_resource, core.pair_order]
    taken = x[core.arc_resource, core.pair_order].astype(float)
    return LagrangeBound(bound, pair_bound, best_lam, taken, it, time.monotonic() - start)


@njit(cache=True)
def local_search(
    cost: np.ndarray,
    weight: np.ndarray,
    cap: np.ndarray,
    present: np.ndarray,
    agent: np.ndarray,
    load: np.ndarray,
) -> None:
    """Shift and swap moves that lower the cost and keep every capacity, first improvement,
    until none is left (in place)."""
    m, n = cost.shape
    improved = True
    while improved:
        improved = False
        for j in range(n):
            a = agent[j]
            best, to = 0.0, -1
            for i in range(m):
                if i != a and present[i, j] and load[i] + weight[i, j] <= cap[i]:
                    d = cost[i, j] - cost[a, j]
                    if d < best - 1e-9:
                        best, to = d, i
            if to >= 0:
                load[a] -= weight[a, j]
                load[to] += weight[to, j]
                agent[j] = to
                improved = True
        for j in range(n):
            for k in range(j + 1, n):
                a = agent[j]
                b = agent[k]
                if a == b or not present[b, j] or not present[a, k]:
                    continue
                d = cost[b, j] + cost[a, k] - cost[a, j] - cost[b, k]
                if d >= -1e-9:
                    continue
                if load[a] - weight[a, j] + weight[a, k] > cap[a]:
                    continue
                if load[b] - weight[b, k] + weight[b, j] > cap[b]:
                    continue
                load[a] += weight[a, k] - weight[a, j]
                load[b] += weight[b, j] - weight[b, k]
                agent[j] = b
                agent[k] = a
                improved = True


@njit(cache=True)
def lagrangian_heuristic(
    cost: np.ndarray,
    weight: np.ndarray,
    cap: np.ndarray,
    present: np.ndarray,
    assigned: np.ndarray,
    x: np.ndarray,
    agent: np.ndarray,
) -> float:
    """A feasible assignment (in `agent`) from a node's knapsacks: the fixed jobs where they
    are, each free job a knapsack takes on its cheapest such agent, the rest, heaviest first,
    where they fit cheapest (moving one job away to make room if need be), then
    `local_search` over every job (fixed ones too: it is a heuristic for the whole problem).
    Its cost, or inf when a job finds no room."""
    m, n = cost.shape
    load = np.zeros(m, dtype=np.int64)
    for j in range(n):
        a = assigned[j]
        if a < 0:
            for i in range(m):
                if x[i, j] and (a < 0 or cost[i, j] < cost[a, j]):
                    a = i
        agent[j] = a
        if a >= 0:
            load[a] += weight[a, j]
    # the jobs left, heaviest first, where they fit cheapest
    left = np.empty(n, dtype=np.int64)
    heavy = np.empty(n)
    count = 0
    for j in range(n):
        if agent[j] < 0:
            left[count] = j
            h = 0.0
            for i in range(m):
                if present[i, j] and weight[i, j] > h:
                    h = weight[i, j]
            heavy[count] = -h
            count += 1
    order = np.argsort(heavy[:count])
    for t in range(count):
        j = left[order[t]]
        to = -1
        for i in range(m):
            fits = present[i, j] and load[i] + weight[i, j] <= cap[i]
            if fits and (to < 0 or cost[i, j] < cost[to, j]):
                to = i
        if to >= 0:
            agent[j] = to
            load[to] += weight[to, j]
            continue
        # make room: move one job k from agent i to agent h, then put j on i
        best, bi, bk, bh = np.inf, -1, -1, -1
        for k in range(n):
            i = agent[k]
            if i < 0 or not present[i, j]:
                continue
            if load[i] - weight[i, k] + weight[i, j] > cap[i]:
                continue
            for h in range(m):
                if h != i and present[h, k] and load[h] + weight[h, k] <= cap[h]:
                    d = cost[i, j] + cost[h, k] - cost[i, k]
                    if d < best:
                        best, bi, bk, bh = d, i, k, h
        if bi < 0:
            return np.inf
        load[bi] += weight[bi, j] - weight[bi, bk]
        load[bh] += weight[bh, bk]
        agent[bk] = bh
        agent[j] = bi
    for i in range(m):
        if load[i] > cap[i]:
            return np.inf
    local_search(cost, weight, cap, present, agent, load)
    total = 0.0
    for j in range(n):
        total += cost[agent[j], j]
    return total


@njit(cache=True)
def _agent_knapsack(
    i: int,
    cost: np.ndarray,
    weight: np.ndarray,
    cap: int,
    allowed: np.ndarray,
    lam: np.ndarray,
    x: np.ndarray,
    items: np.ndarray,
    best: np.ndarray,
    keep: np.ndarray,
) -> float:
    """Agent i's knapsack at prices λ over its allowed pairs, by one table row over capacity
    (only up to the items' total weight) and a bit per item and capacity to read the choice
    back; x[i] gets the items taken. Returns the best profit."""
    m, n = cost.shape
    count = 0
    total = 0
    for j in range(n):
        x[i, j] = False
        if allowed[i, j] and lam[j] - cost[i, j] > 0 and weight[i, j] <= cap:
            items[count] = j
            count += 1
            total += weight[i, j]
    if count == 0:
        return 0.0
    if total <= cap:  # every item fits
        value = 0.0
        for k in range(count):
            j = items[k]
            x[i, j] = True
            value += lam[j] - cost[i, j]
        return value
    top = total if total < cap else cap
    for c in range(top + 1):
        keep[0, c] = 0.0
    for k in range(count):
        j = items[k]
        p = lam[j] - cost[i, j]
        w = weight[i, j]
        for c in range(top + 1):
            keep[k + 1, c] = keep[k, c]
        for c in range(w, top + 1):
            v = keep[k, c - w] + p
            if v > keep[k + 1, c]:
                keep[k + 1, c] = v
    c = top
    for k in range(count - 1, -1, -1):
        if keep[k + 1, c] != keep[k, c]:
            j = items[k]
            x[i, j] = True
            c -= weight[i, j]
    return keep[count, top]


@njit(cache=True)
def node_ascent(
    cost: np.ndarray,
    weight: np.ndarray,
    cap: np.ndarray,
    allowed: np.ndarray,
    free: np.ndarray,
    lam: np.ndarray,
    fixed_cost: float,
    target: float,
    steps: int,
    stall_limit: int,
    decay: float,
    x: np.ndarray,
) -> tuple[float, int]:
    """Subgradient steps of a node's Lagrangian bound from `lam` (allowed: the open pairs of
    the free jobs; cap: what the fixed jobs leave). On return `lam` holds the best prices and
    `x` the knapsacks at them. Returns (best bound, state): state 1 when the bound exceeds the
    target (pruned), 2 when the knapsacks take every free job once (a solution of cost equal
    to the bound), else 0. An agent's knapsack is solved again only when a price of one of
    its items moved."""
    m, n = cost.shape
    top = 0
    for i in range(m):
        if cap[i] > top:
            top = cap[i]
    items = np.empty(n, dtype=np.int64)
    best_row = np.empty(1)
    keep = np.empty((n + 1, top + 1))
    values = np.zeros(m)
    g = np.zeros(n)
    old = np.empty(n)
    best_lam = lam.copy()
    best_x = np.zeros((m, n), dtype=np.bool_)
    for j in range(n):
        if not free[j]:
            lam[j] = 0.0
    dirty = np.ones(m, dtype=np.bool_)
    best = -np.inf
    scale = 1.0
    stall = 0
    for _step in range(steps):
        value = fixed_cost
        for j in range(n):
            if free[j]:
                value += lam[j]
        for i in range(m):
            if dirty[i]:
                values[i] = _agent_knapsack(
                    i, cost, weight, cap[i], allowed, lam, x, items, best_row, keep
                )
            value -= values[i]
        norm = 0.0
        for j in range(n):
            g[j] = 0.0
            if free[j]:
                s = 1.0
                for i in range(m):
                    if x[i, j]:
                        s -= 1.0
                g[j] = s
                norm += s * s
        if value > best + 1e-9:
            best = value
            stall = 0
            for j in range(n):
                best_lam[j] = lam[j]
            for i in range(m):
                for j in range(n):
                    best_x[i, j] = x[i, j]
        else:
            stall += 1
        if best > target + 1e-6:
            break
        if norm == 0.0:
            return value, 2  # x (at lam) assigns every free job once
        if stall >= stall_limit:
            break
        step = scale * max(target + 1.0 - value, 1e-3) / norm
        for j in range(n):
            old[j] = lam[j]
            lam[j] += step * g[j]
        for i in range(m):
            dirty[i] = False
            for j in range(n):
                moved = g[j] != 0.0 and allowed[i, j]
                if moved and (old[j] > cost[i, j] or lam[j] > cost[i, j]):
                    dirty[i] = True
                    break
        scale *= decay
    for j in range(n):
        lam[j] = best_lam[j]
    for i in range(m):
        for j in range(n):
            x[i, j] = best_x[i, j]
    return best, 1 if best > target + 1e-6 else 0
