"""The Lagrangian bound of a generalized assignment and its pair bounds, against every
assignment of small instances enumerated: the bound is below the optimum (and, started at the
LP's duals, not below the LP's), and no pair's bound exceeds the cost of any solution that uses
the pair, so dropping the pairs whose bound reaches the best known never drops a better
solution."""

from __future__ import annotations

import dataclasses
import itertools
import time

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_gap import brute_force, random_instance

from clusterbrain.engines.allocation.core import CoreModel
from clusterbrain.engines.allocation.gap import GapInstance, gap_core, solve_gap
from clusterbrain.engines.allocation.lagrange import integral_gap_data, lagrange_bound
from clusterbrain.engines.allocation.mip import lp_relaxation
from clusterbrain.engines.allocation.tabu import gap_shaped


def _solutions(instance: GapInstance) -> list[tuple[np.ndarray, float]]:
    found = []
    for agents in itertools.product(range(instance.agents), repeat=instance.jobs):
        a = np.array(agents)
        if instance.is_feasible(a):
            found.append((a, instance.objective(a)))
    return found


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(2, 3), n=st.integers(3, 6))
@example(seed=1987, m=3, n=3)  # a job that fits no agent
def test_bound_and_pair_bounds_never_exceed_a_solution(seed: int, m: int, n: int) -> None:
    instance = random_instance(np.random.default_rng(seed), m, n)
    core = gap_core(instance)
    relax = lp_relaxation(core, 5.0)
    assert relax.bound is not None
    found = lagrange_bound(core, time.monotonic() + 5.0, relax.bound + 5.0, relax.order_dual)
    if not gap_shaped(core):  # a job that fits no agent: no assignment, no bound
        assert found is None and not _solutions(instance)
        return
    assert found is not None
    assert found.bound >= relax.bound - 1e-6  # the first prices tried are the LP's duals
    pair_of = {
        (int(i), int(j)): p
        for p, (i, j) in enumerate(zip(core.arc_resource, core.pair_order, strict=True))
    }
    solutions = _solutions(instance)
    for agents, value in solutions:
        assert found.bound <= value + 1e-6
        for j, i in enumerate(agents):
            assert found.pair_bound[pair_of[(int(i), j)]] <= value + 1e-6
    if solutions:
        # the pairs that survive a best known solution's cost hold an optimal one
        optimum = min(v for _, v in solutions)
        keep = found.pair_bound <= optimum + 1e-6
        assert any(
            all(keep[pair_of[(int(i), j)]] for j, i in enumerate(a))
            for a, v in solutions
            if v == optimum
        )


def test_tight_instance_bound_is_above_the_lp() -> None:
    # two agents of capacity 10, three jobs of weight 6 on either: the LP splits a job, any
    # knapsack holds one job, so the Lagrangian sees that a third job goes somewhere dear
    cost = np.array([[1.0, 1.0, 1.0], [2.0, 2.0, 100.0]])
    weight = np.array([[6.0, 6.0, 6.0], [6.0, 6.0, 6.0]])
    instance = GapInstance(cost, weight, np.array([12.0, 6.0]))
    core = gap_core(instance)
    relax = lp_relaxation(core, 5.0)
    found = lagrange_bound(core, time.monotonic() + 5.0, 10.0, relax.order_dual)
    assert found is not None and relax.bound is not None
    assert brute_force(instance) == 4.0
    assert relax.bound <= found.bound <= 4.0 + 1e-6


def test_fractional_weights_have_no_knapsack_tables() -> None:
    core = gap_core(random_instance(np.random.default_rng(1), 2, 4))
    assert integral_gap_data(core) is not None
    fields = {f.name: getattr(core, f.name) for f in dataclasses.fields(core) if f.init}
    halves = CoreModel(**{**fields, "pair_use": core.pair_use + 0.5})
    assert integral_gap_data(halves) is None
    assert lagrange_bound(halves, time.monotonic() + 1.0, 100.0) is None


def test_models_beyond_the_limits_have_no_knapsack_tables(monkeypatch) -> None:
    """Above `JOB_LIMIT` jobs or `TABLE_LIMIT` cells the Lagrangian path is skipped (measured:
    at 1,600 jobs the tabu search and HiGHS do better alone); at the limits it runs."""
    from clusterbrain.engines.allocation import lagrange

    instance = random_instance(np.random.default_rng(3), 3, 8)
    core = gap_core(instance)
    cells = int(np.round(core.capacity).sum()) * core.orders
    monkeypatch.setattr(lagrange, "JOB_LIMIT", core.orders)
    monkeypatch.setattr(lagrange, "TABLE_LIMIT", cells)
    assert integral_gap_data(core) is not None
    monkeypatch.setattr(lagrange, "JOB_LIMIT", core.orders - 1)
    assert integral_gap_data(core) is None
    assert lagrange_bound(core, time.monotonic() + 1.0, 100.0) is None
    monkeypatch.setattr(lagrange, "JOB_LIMIT", core.orders)
    monkeypatch.setattr(lagrange, "TABLE_LIMIT", cells - 1)
    assert integral_gap_data(core) is None


def test_solver_with_the_lagrangian_fixing_still_proves_the_optimum() -> None:
    for seed in range(6):
        rng = np.random.default_rng(500 + seed)
        instance = random_instance(rng, 3, 6)
        optimum = brute_force(instance)
        ours = solve_gap(instance, "mip", time_limit=10)
        if optimum is None:
            assert ours.objective is None
            continue
        assert ours.objective == optimum
        assert ours.best_bound is not None and ours.best_bound <= optimum
