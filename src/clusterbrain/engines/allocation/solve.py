"""One entry point for every solver over the core model, under one time limit.

The MIP path (ours): the LP relaxation gives the bound and each pair's reduced cost; an
LP-guided greedy with local search gives the first solution; HiGHS then solves the model
restricted to the pairs of low reduced cost (a "core" of the problem, a small share of all
pairs), widening it while it solves, and fix-and-optimise improves the rest of the time. A pair
whose reduced cost exceeds (best solution − LP bound) cannot be in a better solution, so once the
restricted model holds every other pair its optimum is the optimum of the whole.
"""

from __future__ import annotations

import logging
import time
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from clusterbrain.engines.allocation.core import CoreModel, CoreResult, CoreSolution, restrict
from clusterbrain.engines.allocation.heuristic import (
    capacity_keys,
    feasible_part,
    improve,
    repair,
    solve_heuristic,
    state_from,
)
from clusterbrain.engines.allocation.lns import fix_and_optimise
from clusterbrain.engines.allocation.mip import lp_relaxation, solve_mip

if TYPE_CHECKING:  # numba is imported only where a generalized assignment needs it
    from clusterbrain.engines.allocation.lagrange_bb import TargetResult

log = logging.getLogger(__name__)

LP_SHARE = 0.4  # the most of the time limit the LP relaxation may take
HEURISTIC_SHARE = 0.05
RESTRICTED_SHARE = 0.4  # of the time left, per restricted MIP
PAIRS_PER_ORDER = 4.0  # the first restricted model: about this many pairs per order
# Above this many pairs HiGHS's branch and bound did not improve the warm start in the time (the
# cluster at 2,000 orders: 85,000 pairs of reduced cost 0); the LP-guided local search does.
MAX_RESTRICTED_PAIRS = 30_000
# Generalized assignments: the tabu search from the LP's shares before the restricted MIP (at
# most this share of the time left, less once it stops improving: TABU_PATIENCE of the limit,
# scaled down below 1,000 orders) and again after it, before fix-and-optimise.
TABU_SHARE = 0.5
TABU_PATIENCE = 0.1
LAGRANGE_SHARE = 0.1  # of the time left: the subgradient ascent (under a second to 100 jobs)
TARGET_SHARE = 0.4  # of the time left: the branch and bound by targets on the Lagrangian bound
# of the time left after the tabu search: a few agents' (or jobs') reassignment solved exactly by
# the branch and bound, again and again (d20100: 6,211 -> 6,188-6,194 in 20 s, where the search
# from the incumbent below got 6,206 in 27 s)
REOPTIMISE_SHARE = 0.6
DESCEND_SHARE = 0.8  # of the time left then: the target search resumed
LOCAL_SEARCH_SHARE = (
    1.0  # of the time left; fix-and-optimise only if it stops early (it gains little there)
)


class Method(StrEnum):
    MIP = "mip"  # LP, LP-guided heuristic, restricted HiGHS MIPs, fix-and-optimise
    GREEDY = "greedy"  # regret greedy and local search only
    CPSAT = "cpsat"  # OR-Tools CP-SAT (GAP files only: the benchmark's peer)


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"  # proven within the relative gap asked for
    FEASIBLE = "feasible"  # stopped at the time limit with a solution and a bound
    HEURISTIC = "heuristic"  # a solution without a bound


def solve_core(
    core: CoreModel,
    method: Method | str = Method.MIP,
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-4,
    seed: int = 0,
) -> CoreResult:
    method = Method(method)
    if method is Method.GREEDY:
        return solve_heuristic(core, time_limit, seed=seed)
    if method is Method.CPSAT:
        raise ValueError("CP-SAT solves GAP instances only: use gap.solve_gap")
    return _solve_mip_path(core, time_limit, mip_rel_gap, seed)


def _solve_mip_path(
    core: CoreModel, time_limit: float, mip_rel_gap: float, seed: int
) -> CoreResult:
    start = time.monotonic()
    deadline = start + time_limit
    left = lambda: deadline - time.monotonic()  # noqa: E731
    relax = lp_relaxation(core, LP_SHARE * time_limit)
    rc = relax.pair_rc
    keys = capacity_keys(core)
    if relax.bound is not None:
        keys = [rc + 1e-6 * core.pair_cost, *keys]
    initial = None if relax.arc_qty is None else feasible_part(core, relax.arc_qty)
    heuristic = solve_heuristic(
        core, min(HEURISTIC_SHARE * time_limit, left()), seed, keys=keys, initial=initial
    )
    best, upper = heuristic.solution, heuristic.objective
    if relax.bound is None:  # the LP alone is too big for the time: improve without a bound
        best = fix_and_optimise(core, best, deadline, seed=seed)
        best, upper = _repaired(core, best, best.objective(core), deadline, seed)
        return _result(core, best, None, SolveStatus.HEURISTIC, start)
    lp_bound = lower = relax.bound
    log.debug("LP %.1f in %.1fs; heuristic %.1f", lp_bound, relax.seconds, upper)
    # numba is imported here only: the cluster's own models never need it
    from clusterbrain.engines.allocation.tabu import gap_shaped, tabu_search

    gap_like = gap_shaped(core)

    def tabu(best: CoreSolution, share: float, run: int) -> tuple[CoreSolution, float]:
        patience = max(0.5, TABU_PATIENCE * time_limit * min(1.0, core.orders / 1000))
        found = tabu_search(
            core,
            best,
            time.monotonic() + share * left(),
            seed + run,
            pair_rc=rc,
            lp_bound=lp_bound,
            target=np.ceil(lp_bound - 1e-6) if core.integral_objective else lp_bound,
            pair_share=relax.pair_share,
            patience=patience,
        )
        log.debug("tabu search %d: %.1f", run, found.objective(core))
        return found, found.objective(core)

    # integral objective: a strictly better solution costs at most upper − 1
    slack = 1.0 - 1e-6 if core.integral_objective else 0.0
    lagrange = None
    # good assignments other than the incumbent, for the neighbourhoods to relink with
    elite: list[np.ndarray] = []
    if gap_like and left() > 0.5 and not _proven(core, upper, lower, mip_rel_gap):
        from clusterbrain.engines.allocation.lagrange import lagrange_bound

        # the subgradient step aims a little above the LP bound (the heuristic's cost is far)
        aim = min(upper, lp_bound + 0.003 * abs(lp_bound) + 1.0)
        lagrange = lagrange_bound(
            core, time.monotonic() + LAGRANGE_SHARE * left(), aim, prices=relax.order_dual
        )
        if lagrange is not None:
            # both are lower bounds of every solution that uses the pair: keep the stronger
            rc = np.maximum(rc, lagrange.pair_bound - lp_bound)
            lower = max(lower, lagrange.bound)
            log.debug(
                "Lagrangian bound %.2f (%d iterations, %.1fs); %d of %d pairs can improve %.0f",
                lagrange.bound,
                lagrange.iterations,
                lagrange.seconds,
                int((rc <= upper - slack - lp_bound + 1e-9).sum()),
                core.pairs,
                upper,
            )
    if lagrange is not None and left() > 0.5 and not _proven(core, upper, lower, mip_rel_gap):
        from clusterbrain.engines.allocation.lagrange_bb import target_search

        found = target_search(core, lagrange, time.monotonic() + TARGET_SHARE * left(), upper)
        if found is not None:
            elite.extend(found.elite)
            best, upper, lower = _take(core, found, best, upper, lower)
            log.debug(
                "target search: %s after %d nodes in %.1fs, bound %.0f",
                found.objective,
                found.nodes,
                found.seconds,
                found.lower,
            )
    if gap_like and left() > 0.5 and not _proven(core, upper, lower, mip_rel_gap):
        before, before_cost = best, upper
        best, upper = tabu(best, TABU_SHARE, 0)
        if lagrange is not None and upper < before_cost - 0.5:
            from clusterbrain.engines.allocation.lagrange_bb import assignment_of

            elite.append(assignment_of(core, before))
    if lagrange is not None and left() > 0.5 and not _proven(core, upper, lower, mip_rel_gap):
        from clusterbrain.engines.allocation.lagrange_bb import reoptimise_agents

        deadline_here = time.monotonic() + REOPTIMISE_SHARE * left()
        found = reoptimise_agents(
            core, lagrange, best, deadline_here, seed, floor=lower, elite=tuple(elite)
        )
        if found is not None:
            best, upper, lower = _take(core, found, best, upper, lower)
            log.debug("neighbourhoods solved exactly: %.0f (%d nodes)", upper, found.nodes)
    if lagrange is not None and left() > 0.5 and not _proven(core, upper, lower, mip_rel_gap):
        from clusterbrain.engines.allocation.lagrange_bb import target_search

        # the targets again from the first one not refuted, up to the best less one: the
        # first solution found is optimal, and reaching the best proves it (d10100 under load:
        # the first search stopped at 6,346, the optimum 6,347 the next target)
        found = target_search(
            core, lagrange, time.monotonic() + DESCEND_SHARE * left(), upper, start_target=lower
        )
        if found is not None:
            best, upper, lower = _take(core, found, best, upper, lower)
            log.debug("target search again: %.0f (%d nodes), bound %.0f", upper, found.nodes, lower)
    # only a binary-only pair's reduced cost proves it out of every better solution
    binary_only = ~core.splittable[core.pair_order] & (np.diff(core.arc_start) == 1)
    share = min(1.0, PAIRS_PER_ORDER * core.orders / max(core.pairs, 1))
    delta = float(np.quantile(rc, share)) if core.pairs else 0.0
    too_big, first = False, True
    while left() > 0.5 and not _proven(core, upper, lower, mip_rel_gap):
        if np.isfinite(delta):
            delta = min(delta, upper - slack - lp_bound)
        mask = (rc <= delta + 1e-9) | (best.pair_qty(core) > 0)
        if first and int(mask.sum()) > MAX_RESTRICTED_PAIRS:
            too_big = True  # HiGHS's search does not get anywhere at this size: local search
            break
        first = False
        sub, _, arcs = restrict(
            core, np.arange(core.orders), mask, core.capacity, core.supplier_volume
        )
        result = solve_mip(
            sub, RESTRICTED_SHARE * left(), CoreSolution(best.arc_qty[arcs]), mip_rel_gap, seed
        )
        if result.objective < upper and not result.solution.violations(sub):
            best = _lift(core, arcs, result.solution)
            upper = best.objective(core)
        log.debug(
            "restricted MIP: %d of %d pairs (reduced cost <= %.2f): %s %.1f in %.1fs",
            sub.pairs,
            core.pairs,
            delta,
            result.status,
            result.objective,
            result.seconds,
        )
        if result.status != SolveStatus.OPTIMAL or result.best_bound is None:
            break
        excluded = ~mask
        if not (excluded & ~binary_only).any():
            # a better solution lives in the restricted model or pays an excluded pair's cost
            outside = lp_bound + float(rc[excluded].min(initial=np.inf))
            if upper - slack <= outside + 1e-9:
                lower = upper
                break
            lower = max(lower, min(result.best_bound, outside))
        if delta >= upper - slack - lp_bound - 1e-9:
            # widening cannot prove more (the pairs left out are not binary): the whole model
            delta = np.inf
        else:
            delta *= 2.0
    if too_big and left() > 0.5:
        # the LP-guided local search, most of the time left; fix-and-optimise the rest
        state = state_from(core, best)
        improve(state, time.monotonic() + LOCAL_SEARCH_SHARE * left(), seed)
        repair(state, deadline, seed)
        if state.objective() < upper:
            best = state.solution()
            upper = best.objective(core)
        log.debug("local search: %.1f", upper)
    if gap_like and left() > 0.5 and not _proven(core, upper, lower, mip_rel_gap):
        best, upper = tabu(best, TABU_SHARE, 1)
    if left() > 0.5 and not _proven(core, upper, lower, mip_rel_gap):
        mask = (rc <= delta + 1e-9) | (best.pair_qty(core) > 0)
        if too_big:
            mask = np.ones(core.pairs, dtype=bool)
        sub, _, arcs = restrict(
            core, np.arange(core.orders), mask, core.capacity, core.supplier_volume
        )
        improved = fix_and_optimise(sub, CoreSolution(best.arc_qty[arcs]), deadline, seed=seed)
        if improved.objective(sub) < upper:
            best = _lift(core, arcs, improved)
            upper = best.objective(core)
        log.debug("fix-and-optimise on %d pairs: %.1f", sub.pairs, upper)
    best, upper = _repaired(core, best, upper, deadline, seed)
    proven = _proven(core, upper, lower, mip_rel_gap)
    return _result(
        core, best, lower, SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE, start
    )


def _take(
    core: CoreModel, found: TargetResult, best: CoreSolution, upper: float, lower: float
) -> tuple[CoreSolution, float, float]:
    """A branch and bound's answer taken in: its bound, and its solution where it is better."""
    lower = max(lower, found.lower)
    if (
        found.solution is not None
        and found.objective is not None
        and found.objective < upper
        and not found.solution.violations(core)
    ):
        return found.solution, found.objective, lower
    return best, upper, lower


def _repaired(
    core: CoreModel, best: CoreSolution, upper: float, deadline: float, seed: int
) -> tuple[CoreSolution, float]:
    """The final repair: no order left short while a supplier it may go to has room."""
    state = state_from(core, best)
    if repair(state, deadline, seed) and state.objective() < upper:
        solution = state.solution()
        if not solution.violations(core):
            return solution, solution.objective(core)
    return best, upper


def _lift(core: CoreModel, arcs: np.ndarray, solution: CoreSolution) -> CoreSolution:
    x = np.zeros(core.arcs)
    x[arcs] = solution.arc_qty
    return CoreSolution(x)


def _proven(core: CoreModel, upper: float, lower: float, mip_rel_gap: float) -> bool:
    if core.integral_objective and upper - lower < 1.0 - 1e-6:
        return True
    return upper - lower <= mip_rel_gap * max(abs(upper), 1e-9) + 1e-9


def _result(
    core: CoreModel, solution: CoreSolution, bound: float | None, status: SolveStatus, start: float
) -> CoreResult:
    objective = solution.objective(core)
    if bound is not None and core.integral_objective:
        bound = float(np.ceil(bound - 1e-6))  # every objective is an integer
    return CoreResult(
        solution=solution,
        objective=objective,
        best_bound=None if bound is None else min(bound, objective),
        status=status.value,
        seconds=time.monotonic() - start,
        method=Method.MIP.value,
    )
