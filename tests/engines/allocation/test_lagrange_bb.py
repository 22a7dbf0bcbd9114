"""The branch and bound by targets on the Lagrangian bound, against every assignment of small
instances enumerated: the first target with a solution is the optimum (every smaller one was
proven impossible), the bound it reports never exceeds the optimum, and the search from an
incumbent never returns anything worse than it."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_gap import brute_force, random_instance

from clusterbrain.engines.allocation import lagrange_bb
from clusterbrain.engines.allocation.core import CoreSolution
from clusterbrain.engines.allocation.gap import agent_of_job, gap_core
from clusterbrain.engines.allocation.lagrange import lagrange_bound
from clusterbrain.engines.allocation.lagrange_bb import (
    improve_by_targets,
    reoptimise_agents,
    target_search,
)
from clusterbrain.engines.allocation.mip import lp_relaxation
from clusterbrain.engines.allocation.tabu import gap_shaped


def _setup(seed: int, m: int, n: int):
    instance = random_instance(np.random.default_rng(seed), m, n)
    core = gap_core(instance)
    if not gap_shaped(core):
        return None
    relax = lp_relaxation(core, 5.0)
    # a few subgradient steps only: the search must be right from a weak bound too
    found = lagrange_bound(
        core, time.monotonic() + 5.0, relax.bound + 5.0, relax.order_dual, iterations=5
    )
    assert found is not None
    return instance, core, found


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(2, 4), n=st.integers(3, 7))
def test_the_first_target_with_a_solution_is_the_optimum(seed: int, m: int, n: int) -> None:
    built = _setup(seed, m, n)
    if built is None:
        return
    instance, core, lagrange = built
    optimum = brute_force(instance)
    result = target_search(core, lagrange, time.monotonic() + 30.0, upper=np.inf)
    assert result is not None
    if optimum is None:  # no assignment at all: every target is proven impossible, none found
        assert result.solution is None
        return
    assert result.solution is not None and not result.solution.violations(core)
    assert result.objective == optimum and result.lower == optimum
    agents = agent_of_job(core, result.solution)
    assert instance.is_feasible(agents) and instance.objective(agents) == optimum


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(2, 4), n=st.integers(3, 7))
def test_the_search_from_an_incumbent_finds_the_optimum_or_proves_it(
    seed: int, m: int, n: int
) -> None:
    built = _setup(seed, m, n)
    if built is None:
        return
    instance, core, lagrange = built
    # the worst feasible assignment as the incumbent
    feasible = [a for a in _assignments(instance) if instance.is_feasible(a)]
    if not feasible:
        return
    worst = max(feasible, key=instance.objective)
    optimum = min(instance.objective(a) for a in feasible)
    incumbent = _solution(core, worst)
    result = improve_by_targets(core, lagrange, incumbent, time.monotonic() + 30.0)
    assert result is not None
    if instance.objective(worst) == optimum:
        assert result.solution is None and result.lower == optimum
        return
    assert result.solution is not None and result.objective == optimum
    assert result.lower == optimum  # the search ended: nothing better exists
    assert not result.solution.violations(core)


def test_a_target_search_out_of_time_proves_only_what_it_finished() -> None:
    built = _setup(7, 4, 7)
    assert built is not None
    instance, core, lagrange = built
    result = target_search(core, lagrange, time.monotonic() - 1.0, upper=np.inf)
    assert result is not None and result.solution is None
    assert result.lower == np.ceil(lagrange.bound - 1e-6)  # nothing proven beyond the bound
    optimum = brute_force(instance)
    if optimum is not None:
        assert result.lower <= optimum


def _assignments(instance):
    import itertools

    for agents in itertools.product(range(instance.agents), repeat=instance.jobs):
        yield np.array(agents)


def _solution(core, agents) -> CoreSolution:
    x = np.zeros(core.arcs)
    for p in range(core.pairs):
        if agents[core.pair_order[p]] == core.arc_resource[p]:
            x[p] = core.quantity[core.pair_order[p]]
    return CoreSolution(x)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(2, 4), n=st.integers(3, 7))
def test_neighbourhoods_solved_exactly_never_worsen_and_never_pass_the_optimum(
    seed: int, m: int, n: int
) -> None:
    built = _setup(seed, m, n)
    if built is None:
        return
    instance, core, lagrange = built
    feasible = [a for a in _assignments(instance) if instance.is_feasible(a)]
    if not feasible:
        return
    worst = max(feasible, key=instance.objective)
    optimum = min(instance.objective(a) for a in feasible)
    result = reoptimise_agents(core, lagrange, _solution(core, worst), time.monotonic() + 0.5)
    assert result is not None and result.lower <= optimum
    if result.solution is None:
        return
    assert not result.solution.violations(core)
    agents = agent_of_job(core, result.solution)
    assert instance.is_feasible(agents)
    value = instance.objective(agents)
    assert value == result.objective and optimum <= value < instance.objective(worst)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(2, 4), n=st.integers(3, 7))
def test_the_target_search_keeps_distinct_feasible_elite_assignments_best_first(
    seed: int, m: int, n: int
) -> None:
    built = _setup(seed, m, n)
    if built is None:
        return
    instance, core, lagrange = built
    optimum = brute_force(instance)
    result = target_search(core, lagrange, time.monotonic() + 30.0, upper=np.inf)
    assert result is not None and len(result.elite) <= lagrange_bb.POOL
    values = [instance.objective(agents) for agents in result.elite]
    assert values == sorted(values)
    assert len({tuple(agents) for agents in result.elite}) == len(result.elite)
    for agents in result.elite:
        assert instance.is_feasible(agents)
        assert optimum is not None and instance.objective(agents) >= optimum


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_relinking_with_the_optimum_reaches_it_from_the_worst_assignment(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # fewer jobs freed than the two assignments differ in: the optimum is reached by points
    # on the path between them (some jobs where the optimum has them, a few freed)
    monkeypatch.setattr(lagrange_bb, "SUB_JOBS", 2)
    built = _setup(seed, 3, 7)
    assert built is not None
    instance, core, lagrange = built
    feasible = [a for a in _assignments(instance) if instance.is_feasible(a)]
    assert feasible
    worst = max(feasible, key=instance.objective)
    best = min(feasible, key=instance.objective)
    optimum = instance.objective(best)
    if instance.objective(worst) == optimum:
        return
    result = reoptimise_agents(
        core,
        lagrange,
        _solution(core, worst),
        time.monotonic() + 1.0,
        seed=seed,
        elite=(np.asarray(best), np.asarray(worst)),
    )
    assert result is not None and result.solution is not None
    assert not result.solution.violations(core)
    agents = agent_of_job(core, result.solution)
    assert instance.is_feasible(agents) and instance.objective(agents) == optimum
    assert result.objective == optimum and result.lower <= optimum


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(2, 4), n=st.integers(3, 7))
def test_relinking_with_any_elite_never_worsens_nor_passes_the_optimum(
    seed: int, m: int, n: int
) -> None:
    built = _setup(seed, m, n)
    if built is None:
        return
    instance, core, lagrange = built
    feasible = [a for a in _assignments(instance) if instance.is_feasible(a)]
    if not feasible:
        return
    rng = np.random.default_rng(seed)
    elite = tuple(np.asarray(feasible[i]) for i in rng.integers(len(feasible), size=3))
    worst = max(feasible, key=instance.objective)
    optimum = min(instance.objective(a) for a in feasible)
    result = reoptimise_agents(
        core, lagrange, _solution(core, worst), time.monotonic() + 0.3, seed=seed, elite=elite
    )
    assert result is not None and result.lower <= optimum
    if result.solution is None:
        return
    agents = agent_of_job(core, result.solution)
    assert instance.is_feasible(agents)
    value = instance.objective(agents)
    assert value == result.objective and optimum <= value < instance.objective(worst)
