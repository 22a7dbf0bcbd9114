"""The tabu search of generalized assignments: it only ever hands back a feasible solution no
worse than the one it was given (whatever it crosses on the way, over capacity), it starts from
the LP's shares when asked, and it leaves models of another shape alone."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest
from test_gap import brute_force, random_instance

from clusterbrain.engines.allocation.core import CoreModel, CoreSolution
from clusterbrain.engines.allocation.gap import GapInstance, agent_of_job, gap_core
from clusterbrain.engines.allocation.heuristic import solve_heuristic
from clusterbrain.engines.allocation.mip import lp_relaxation
from clusterbrain.engines.allocation.tabu import gap_shaped, tabu_search


def _fields(core: CoreModel) -> dict[str, np.ndarray]:
    return {f.name: getattr(core, f.name) for f in dataclasses.fields(core) if f.init}


def test_only_generalized_assignments_are_gap_shaped() -> None:
    core = gap_core(random_instance(np.random.default_rng(0), 3, 6))
    assert gap_shaped(core)
    split = CoreModel(**{**_fields(core), "splittable": np.ones(core.orders, dtype=bool)})
    assert not gap_shaped(split)
    capped = CoreModel(**{**_fields(core), "supplier_volume": np.full(core.suppliers, 3.0)})
    assert not gap_shaped(capped)
    # a greedy solution of a model of another shape comes back as it was
    start = solve_heuristic(split, 1.0).solution
    assert tabu_search(split, start, time.monotonic() + 1.0) is start


@pytest.mark.parametrize("seed", range(10))
def test_never_worse_than_its_start_always_feasible_never_below_the_optimum(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    instance = random_instance(rng, int(rng.integers(2, 4)), int(rng.integers(5, 8)))
    optimum = brute_force(instance)
    core = gap_core(instance)
    start = solve_heuristic(core, 1.0, local_search=False).solution
    agents = agent_of_job(core, start)
    if optimum is None or (agents < 0).any():
        pytest.skip("no full assignment to start from")
    relax = lp_relaxation(core, 5.0)
    assert relax.bound is not None and relax.pair_share is not None
    for share in (None, relax.pair_share):
        found = tabu_search(
            core,
            start,
            time.monotonic() + 0.3,
            seed=seed,
            pair_rc=relax.pair_rc,
            lp_bound=relax.bound,
            pair_share=share,
        )
        assert not found.violations(core)
        result = agent_of_job(core, found)
        assert (result >= 0).all() and instance.is_feasible(result)
        assert instance.objective(result) == pytest.approx(found.objective(core))
        assert optimum - 1e-9 <= found.objective(core) <= start.objective(core) + 1e-9


def test_an_incomplete_start_is_returned_unchanged() -> None:
    core = gap_core(random_instance(np.random.default_rng(3), 3, 6))
    empty = CoreSolution(np.zeros(core.arcs))
    assert tabu_search(core, empty, time.monotonic() + 0.5) is empty


def test_an_overfilled_start_is_searched_back_to_the_cheapest_packing() -> None:
    """Two agents holding two jobs each: the start from the shares puts all four jobs on the
    cheap agent, over its capacity; the search must cross back to the cheapest feasible
    packing (jobs 2 and 3 there, 0 and 1 on the dear agent: 1 + 1 + 5 + 6 = 13), better than
    the feasible solution it was given (0 and 1 there: 1 + 1 + 7 + 8 = 17)."""
    cost = np.array([[1.0, 1.0, 1.0, 1.0], [5.0, 6.0, 7.0, 8.0]])
    instance = GapInstance(cost, np.ones((2, 4)), np.array([2.0, 2.0]))
    core = gap_core(instance)
    at = {(int(core.pair_order[p]), int(core.pair_supplier[p])): p for p in range(core.pairs)}
    x = np.zeros(core.arcs)
    for job, agent in ((0, 0), (1, 0), (2, 1), (3, 1)):
        x[at[job, agent]] = 1.0
    start = CoreSolution(x)
    assert start.objective(core) == pytest.approx(17.0)
    share = np.where(core.pair_supplier == 0, 1.0, 0.0)
    found = tabu_search(core, start, time.monotonic() + 2.0, pair_share=share, target=13.0)
    assert not found.violations(core)
    assert found.objective(core) == pytest.approx(13.0)
    assert agent_of_job(core, found).tolist() == [1, 1, 0, 0]


def test_from_the_lp_shares_it_completes_a_start_that_left_a_job_out() -> None:
    """The greedy may leave a job out on a tight instance; from the LP's shares the search
    needs no feasible start, and hands back a full assignment or the start unchanged."""
    cost = np.array([[1.0, 1.0, 1.0, 1.0], [5.0, 6.0, 7.0, 8.0]])
    core = gap_core(GapInstance(cost, np.ones((2, 4)), np.array([2.0, 2.0])))
    at = {(int(core.pair_order[p]), int(core.pair_supplier[p])): p for p in range(core.pairs)}
    x = np.zeros(core.arcs)
    for job, agent in ((0, 0), (1, 0), (2, 1)):  # job 3 left out
        x[at[job, agent]] = 1.0
    start = CoreSolution(x)
    assert tabu_search(core, start, time.monotonic() + 0.5) is start  # no shares: unchanged
    share = np.full(core.pairs, 0.5)
    found = tabu_search(core, start, time.monotonic() + 2.0, pair_share=share, target=13.0)
    assert not found.violations(core)
    assert found.objective(core) == pytest.approx(13.0)
