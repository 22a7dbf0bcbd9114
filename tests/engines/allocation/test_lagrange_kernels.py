"""The compiled kernels of the branch and bound's nodes, against every assignment of small
instances enumerated: a node's subgradient ascent never bounds above the best assignment that
keeps its fixed jobs (and at one step is exactly L(λ) of `knapsack_value`), and the repair of
a node's knapsacks returns a feasible assignment of the cost it reports, never below the
optimum; the local search never makes an assignment worse or infeasible."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_gap import random_instance

from clusterbrain.engines.allocation.lagrange import (
    knapsack_value,
    lagrangian_heuristic,
    local_search,
    node_ascent,
)


def _data(seed: int, m: int, n: int):
    instance = random_instance(np.random.default_rng(seed), m, n)
    cost = instance.cost.astype(float)
    weight = np.round(instance.weight).astype(np.int64)
    cap = np.round(instance.capacity).astype(np.int64)
    present = np.ones((m, n), dtype=np.bool_)
    return instance, cost, weight, cap, present


def _feasible(weight, cap, agents) -> bool:
    load = np.zeros(cap.size, dtype=np.int64)
    np.add.at(load, agents, weight[agents, np.arange(agents.size)])
    return bool((load <= cap).all())


def _assignments(m: int, n: int):
    for agents in itertools.product(range(m), repeat=n):
        yield np.array(agents)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    m=st.integers(2, 4),
    n=st.integers(3, 6),
    fixed=st.integers(0, 2),
    steps=st.integers(1, 30),
    shift=st.floats(-5.0, 5.0),
)
def test_node_ascent_never_bounds_above_the_best_assignment_under_its_fixing(
    seed: int, m: int, n: int, fixed: int, steps: int, shift: float
) -> None:
    instance, cost, weight, cap, present = _data(seed, m, n)
    rng = np.random.default_rng(seed + 1)
    assigned = np.full(n, -1, dtype=np.int64)
    assigned[:fixed] = rng.integers(0, m, size=fixed)
    free = assigned < 0
    rest = cap - np.bincount(
        assigned[~free], weights=weight[assigned[~free], np.flatnonzero(~free)], minlength=m
    ).astype(np.int64)
    if (rest < 0).any():
        return
    fixed_cost = float(cost[assigned[~free], np.flatnonzero(~free)].sum())
    allowed = present & free[None, :]
    lam = np.sort(cost, axis=0)[min(1, m - 1)] + shift
    x = np.zeros((m, n), dtype=np.bool_)
    best, state = node_ascent(
        cost, weight, rest, allowed, free, lam.copy(), fixed_cost, 1e9, 1, 8, 0.9, x
    )
    # one step: L(λ) at the start prices, as the one-shot kernel computes it
    y = np.zeros((m, n), dtype=np.bool_)
    start = np.where(free, lam, 0.0)
    assert abs(best - (knapsack_value(cost, weight, rest, allowed, start, y) + fixed_cost)) < 1e-6
    # the knapsacks it returns fit and hold free jobs only
    assert ((weight * x).sum(axis=1) <= rest).all() and not x[:, ~free].any()
    best, state = node_ascent(
        cost, weight, rest, allowed, free, lam.copy(), fixed_cost, 1e9, steps, 8, 0.9, x
    )
    consistent = [
        instance.objective(a)
        for a in _assignments(m, n)
        if (a[~free] == assigned[~free]).all() and instance.is_feasible(a)
    ]
    if consistent:
        assert best <= min(consistent) + 1e-6
    if state == 2:  # the knapsacks take every free job once: an assignment of cost `best`
        assert (x[:, free].sum(axis=0) == 1).all()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(2, 4), n=st.integers(3, 6))
def test_repaired_knapsacks_are_feasible_and_never_below_the_optimum(
    seed: int, m: int, n: int
) -> None:
    instance, cost, weight, cap, present = _data(seed, m, n)
    rng = np.random.default_rng(seed + 2)
    x = rng.random((m, n)) < 0.4  # any knapsacks: jobs taken twice, by none
    assigned = np.full(n, -1, dtype=np.int64)
    agent = np.empty(n, dtype=np.int64)
    value = lagrangian_heuristic(cost, weight, cap, present, assigned, x, agent)
    feasible = [instance.objective(a) for a in _assignments(m, n) if instance.is_feasible(a)]
    if not np.isfinite(value):
        return  # no room found for a job: nothing claimed
    assert feasible, "a repaired assignment where none exists"
    assert _feasible(weight, cap, agent) and (agent >= 0).all()
    assert value == instance.objective(agent) >= min(feasible)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(2, 4), n=st.integers(3, 8))
def test_local_search_never_worsens_nor_overfills(seed: int, m: int, n: int) -> None:
    instance, cost, weight, cap, present = _data(seed, m, n)
    start = next((a for a in _assignments(m, n) if instance.is_feasible(a)), None)
    if start is None:
        return
    agent = start.astype(np.int64).copy()
    load = np.zeros(m, dtype=np.int64)
    np.add.at(load, agent, weight[agent, np.arange(n)])
    local_search(cost, weight, cap, present, agent, load)
    assert _feasible(weight, cap, agent)
    assert instance.objective(agent) <= instance.objective(start)
    expected = np.zeros(m, dtype=np.int64)
    np.add.at(expected, agent, weight[agent, np.arange(n)])
    assert (load == expected).all()
