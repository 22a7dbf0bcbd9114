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

# one subgradient step fills every agent's knapsack table (jobs × capacity): above this many
# cells in all, a few hundred steps take seconds the tabu search has used better so far (chu's
# largest instances are 1.6 M cells; yagiura's start at 1.9 M, c40400, and d40400 is 6.4 M)
TABLE_LIMIT = 1_700_000


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
    capacity is an integer and the tables stay small, else None."""
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
    if int(np.round(core.capacity).sum()) * n > TABLE_LIMIT:
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
