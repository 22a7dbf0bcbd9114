"""Tabu search over a penalised capacity violation, for models of the generalized-assignment
shape (every order unsplittable, each pair in one bucket), after Yagiura, Ibaraki and Glover.

Why: on the tight d-type GAP instances the LP bound is within a few units of the optimum, yet
neither HiGHS on the restricted model nor fix-and-optimise found it in a minute; the search that
is known to is a tabu search allowed to overfill buckets at an adaptive price per bucket, so it
crosses infeasible regions a feasible-only local search cannot leave. Each iteration looks at
every shift (a job to another agent of its candidate list) and every swap (two jobs trade
agents) and makes the best move not tabu; that is hundreds of thousands of evaluations per
iteration, so the loop is compiled with numba (cached on disk: the compile is paid once per
machine). The candidates of a job are its pairs of lowest LP reduced cost, and a pair whose
reduced cost exceeds (best − LP bound) is left out, as it cannot be in a better solution.
"""

from __future__ import annotations

import logging
import time

import numpy as np
from numba import njit

from clusterbrain.engines.allocation.core import EPS, CoreModel, CoreSolution

log = logging.getLogger(__name__)

# the dense job × bucket matrices must stay small
DENSE_LIMIT = 20_000_000
CANDIDATES = 5  # agents per job looked at (lowest reduced cost first)
CHUNK_SECONDS = 0.5  # the compiled loop returns to check the clock about this often
ALPHA_UP = 1.02  # the price of an overfilled bucket rises by this each iteration it stays over
ALPHA_DOWN = 0.99  # and every price falls by this each iteration the solution is feasible
STALL = 4.0  # restart from the best after this many × jobs iterations without a better one
CORE_DELTA: float | None = None
CHAINS = True
TENURE = (0.025, 0.1)  # tabu tenure drawn between these shares of the jobs (at least 3 and 6)


def gap_shaped(core: CoreModel) -> bool:
    """Whether the model is a generalized assignment: one bucket per pair, unsplittable orders,
    no share or volume caps that bind, each order at most one pair per bucket."""
    if core.pairs == 0 or core.orders == 0:
        return False
    if core.splittable.any() or (np.diff(core.arc_start) != 1).any():
        return False
    if (np.diff(core.order_start) == 0).any() or np.isfinite(core.supplier_volume).any():
        return False
    if (core.pair_max < core.quantity[core.pair_order] - EPS).any():
        return False
    if core.orders * core.capacity.size > DENSE_LIMIT:
        return False
    key = core.pair_order.astype(np.int64) * core.capacity.size + core.arc_resource
    return len(np.unique(key)) == core.pairs


@njit(cache=True)
def _search(
    cost: np.ndarray,  # (R, n) inf where the job has no pair at the bucket
    weight: np.ndarray,  # (R, n)
    cap: np.ndarray,  # (R,)
    cand: np.ndarray,  # (n, K) buckets, -1 padded
    assign: np.ndarray,  # (n,) current bucket of each job; updated
    alpha: np.ndarray,  # (R,) price of a unit over capacity; updated
    tabu: np.ndarray,  # (R, n) iteration until which the job may not go back; updated
    best_assign: np.ndarray,  # (n,) best feasible; updated
    best: np.ndarray,  # [best feasible cost, iteration it was found]; updated
    it0: int,
    iters: int,
    seed: int,
    tenure_lo: int,
    tenure_hi: int,
    alpha_min: float,
    alpha_up: float,
    alpha_down: float,
    chains: bool,
) -> int:
    np.random.seed(seed)
    n_res, n = cost.shape
    k_cand = cand.shape[1]
    load = np.zeros(n_res)
    members = np.empty((n_res, n), dtype=np.int64)
    count = np.zeros(n_res, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    cur = 0.0
    for j in range(n):
        i = assign[j]
        load[i] += weight[i, j]
        members[i, count[i]] = j
        pos[j] = count[i]
        count[i] += 1
        cur += cost[i, j]
    total_over = 0.0
    for i in range(n_res):
        if load[i] > cap[i]:
            total_over += load[i] - cap[i]
    it = it0
    for it in range(it0, it0 + iters):
        best_d = np.inf
        bj = -1
        bi2 = -1
        bk = -1
        bi3 = -1
        bdc = 0.0
        offset = np.random.randint(n)
        for jj in range(n):
            j = jj + offset
            if j >= n:
                j -= n
            i = assign[j]
            cij = cost[i, j]
            li_out = load[i] - weight[i, j]
            oi = max(0.0, load[i] - cap[i])
            ai = alpha[i]
            for t in range(k_cand):
                i2 = cand[j, t]
                if i2 < 0:
                    break
                if i2 == i:
                    continue
                dc = cost[i2, j] - cij
                l2_in = load[i2] + weight[i2, j]
                o2 = max(0.0, load[i2] - cap[i2])
                a2 = alpha[i2]
                free_j = tabu[i2, j] <= it
                # shift j to i2
                ni = max(0.0, li_out - cap[i])
                n2 = max(0.0, l2_in - cap[i2])
                d = dc + ai * (ni - oi) + a2 * (n2 - o2)
                if d < best_d - 1e-12:
                    feasible = total_over + (ni - oi) + (n2 - o2) <= 1e-9
                    if free_j or (feasible and cur + dc < best[0] - 1e-9):
                        best_d = d
                        bj = j
                        bi2 = i2
                        bk = -1
                        bdc = dc
                # swap j with a job k of i2
                for s in range(count[i2]):
                    k = members[i2, s]
                    cik = cost[i, k]
                    if cik == np.inf:
                        continue
                    dcs = dc + cik - cost[i2, k]
                    ni = max(0.0, li_out + weight[i, k] - cap[i])
                    n2 = max(0.0, l2_in - weight[i2, k] - cap[i2])
                    d = dcs + ai * (ni - oi) + a2 * (n2 - o2)
                    if d < best_d - 1e-12:
                        feasible = total_over + (ni - oi) + (n2 - o2) <= 1e-9
                        if (free_j and tabu[i, k] <= it) or (
                            feasible and cur + dcs < best[0] - 1e-9
                        ):
                            best_d = d
                            bj = j
                            bi2 = i2
                            bk = k
                            bi3 = i
                            bdc = dcs
                    if not chains:
                        continue
                    # ejection chain: j to i2, k from i2 to a third bucket i3
                    n2 = max(0.0, l2_in - weight[i2, k] - cap[i2])
                    ni = max(0.0, li_out - cap[i])
                    base = dc - cost[i2, k] + ai * (ni - oi) + a2 * (n2 - o2)
                    for u in range(k_cand):
                        i3 = cand[k, u]
                        if i3 < 0:
                            break
                        if i3 in (i, i2):
                            continue
                        o3 = max(0.0, load[i3] - cap[i3])
                        n3 = max(0.0, load[i3] + weight[i3, k] - cap[i3])
                        d = base + cost[i3, k] + alpha[i3] * (n3 - o3)
                        if d < best_d - 1e-12:
                            dce = dc - cost[i2, k] + cost[i3, k]
                            feasible = total_over + (ni - oi) + (n2 - o2) + (n3 - o3) <= 1e-9
                            if (free_j and tabu[i3, k] <= it) or (
                                feasible and cur + dce < best[0] - 1e-9
                            ):
                                best_d = d
                                bj = j
                                bi2 = i2
                                bk = k
                                bi3 = i3
                                bdc = dce
        if bj < 0:
            continue
        i = assign[bj]
        # move bj from i to bi2
        _move(bj, i, bi2, assign, load, members, count, pos, weight)
        tabu[i, bj] = it + np.random.randint(tenure_lo, tenure_hi + 1)
        if bk >= 0:
            _move(bk, bi2, bi3, assign, load, members, count, pos, weight)
            tabu[bi2, bk] = it + np.random.randint(tenure_lo, tenure_hi + 1)
        cur += bdc
        total_over = 0.0
        for r in range(n_res):
            if load[r] > cap[r] + 1e-9:
                total_over += load[r] - cap[r]
                alpha[r] *= alpha_up
        if total_over <= 1e-9:
            best[2] += 1
            for r in range(n_res):
                alpha[r] = max(alpha_min, alpha[r] * alpha_down)
            if cur < best[0] - 1e-9:
                best[0] = cur
                best[1] = it
                for j in range(n):
                    best_assign[j] = assign[j]
    return it + 1


@njit(cache=True)
def _move(
    j: int,
    i: int,
    i2: int,
    assign: np.ndarray,
    load: np.ndarray,
    members: np.ndarray,
    count: np.ndarray,
    pos: np.ndarray,
    weight: np.ndarray,
) -> None:
    load[i] -= weight[i, j]
    last = members[i, count[i] - 1]
    members[i, pos[j]] = last
    pos[last] = pos[j]
    count[i] -= 1
    members[i2, count[i2]] = j
    pos[j] = count[i2]
    count[i2] += 1
    load[i2] += weight[i2, j]
    assign[j] = i2


def tabu_search(
    core: CoreModel,
    solution: CoreSolution,
    deadline: float,
    seed: int = 0,
    pair_rc: np.ndarray | None = None,
    lp_bound: float | None = None,
    target: float | None = None,
    pair_share: np.ndarray | None = None,
    patience: float | None = None,
) -> CoreSolution:
    """A better feasible solution than `solution` (which must assign every order) or it
    itself: never worse. Starts from `solution`, or from each order's largest `pair_share`
    (the LP's) when given; stops at the deadline, once the objective reaches `target`, or
    after `patience` seconds without a better solution."""
    if not gap_shaped(core):
        return solution
    n, n_res = core.orders, core.capacity.size
    q = core.quantity[core.pair_order]
    res = core.arc_resource  # one arc per pair: arc index == pair index
    pq = solution.pair_qty(core)
    chosen = np.flatnonzero(pq > 0.5)
    complete = len(chosen) == n and len(np.unique(core.pair_order[chosen])) == n
    if not complete and pair_share is None:
        return solution
    if complete and solution.violations(core):
        return solution
    # an incomplete start (the greedy left an order out) is only beaten by a full assignment
    start_cost = float(core.pair_cost[chosen] @ q[chosen]) if complete else np.inf
    rc = np.zeros(core.pairs) if pair_rc is None else pair_rc
    allowed = np.ones(core.pairs, dtype=bool)
    if lp_bound is not None and pair_rc is not None:
        delta = start_cost - lp_bound
        if CORE_DELTA is not None:
            delta = min(delta, CORE_DELTA)
        allowed = rc <= delta + 1e-6
    if complete:
        allowed[chosen] = True
    cost = np.full((n_res, n), np.inf)
    weight = np.zeros((n_res, n))
    pair_at = np.full((n_res, n), -1, dtype=np.int64)
    p = np.flatnonzero(allowed)
    cost[res[p], core.pair_order[p]] = core.pair_cost[p] * q[p]
    weight[res[p], core.pair_order[p]] = core.pair_use[p] * q[p]
    pair_at[res[p], core.pair_order[p]] = p
    # candidates: each job's allowed buckets, lowest reduced cost (then cost) first
    order = np.lexsort((core.pair_cost, rc, core.pair_order))
    order = order[allowed[order]]
    jobs = core.pair_order[order]
    first = np.searchsorted(jobs, np.arange(n))
    rank = np.arange(len(order)) - first[jobs]
    keep = rank < CANDIDATES
    cand = np.full((n, CANDIDATES), -1, dtype=np.int64)
    cand[jobs[keep], rank[keep]] = res[order[keep]]
    assign = np.zeros(n, dtype=np.int64)
    if complete:
        assign[core.pair_order[chosen]] = res[chosen]
    if pair_share is not None:  # each job at its largest LP share: over capacity by a little
        by_share = np.lexsort((-pair_share, core.pair_order))
        top = by_share[np.searchsorted(core.pair_order[by_share], np.arange(n))]
        assign = res[top].astype(np.int64)
        cost[res[top], np.arange(n)] = core.pair_cost[top] * q[top]
        weight[res[top], np.arange(n)] = core.pair_use[top] * q[top]
        pair_at[res[top], np.arange(n)] = top
    # the price of a unit over capacity starts at the typical cost per unit of capacity use
    ratio = np.abs(core.pair_cost[p]) / np.maximum(core.pair_use[p], EPS)
    base = float(np.median(ratio)) if len(ratio) else 1.0
    base = base if base > 0 else 1.0
    alpha = np.full(n_res, base)
    tabu = np.zeros((n_res, n), dtype=np.int64)
    best_assign = assign.copy()
    best = np.array([min(start_cost, 1e300), 0.0, 0.0])
    cap = core.capacity.astype(float)
    rng = np.random.default_rng(seed)
    tenure_lo, tenure_hi = max(3, int(TENURE[0] * n)), max(6, int(TENURE[1] * n))
    it, chunk = 0, 50
    stall = int(STALL * n)
    last_gain, last_best = time.monotonic(), best[0]
    while time.monotonic() < deadline and (target is None or best[0] > target + 1e-9):
        began = time.monotonic()
        if best[0] < last_best:
            last_gain, last_best = began, best[0]
        elif patience is not None and began - last_gain > patience:
            break
        it = _search(
            cost, weight, cap, cand, assign, alpha, tabu, best_assign, best, it, chunk,
            int(rng.integers(1 << 30)), tenure_lo, tenure_hi, 0.01 * base,
            ALPHA_UP, ALPHA_DOWN, CHAINS,
        )  # fmt: skip
        took = time.monotonic() - began
        if it == chunk:  # the first chunk may include loading (or compiling) the loop
            last_gain = time.monotonic()
        rate = chunk / max(took, 1e-6)
        chunk = int(max(10, min(rate * CHUNK_SECONDS, rate * (deadline - time.monotonic()))))
        if it - int(best[1]) > stall:  # intensify: back to the best, prices reset
            assign[:] = best_assign
            alpha[:] = base
            tabu[:] = 0
            best[1] = it
    log.debug(
        "tabu search: %d iterations (%d feasible), %.1f -> %.1f", it, best[2], start_cost, best[0]
    )
    if best[0] >= min(start_cost, 1e300) - 1e-9:
        return solution
    x = np.zeros(core.arcs)
    x[pair_at[best_assign, np.arange(n)]] = core.quantity
    result = CoreSolution(x)
    return result if not result.violations(core) else solution
