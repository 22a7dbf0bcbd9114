"""GAP files: the reader's errors name the line; the solvers against brute force and a
published optimum (read from ../shared/benchmarks/gap, never copied)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from clusterbrain.engines.allocation.gap import (
    GapFormatError,
    GapInstance,
    parse_gap,
    read_gap,
    solve_gap,
)

GAP_DIR = Path(__file__).resolve().parents[4] / "shared" / "benchmarks" / "gap"
needs_files = pytest.mark.skipif(not GAP_DIR.is_dir(), reason="../shared/benchmarks/gap absent")


def brute_force(instance: GapInstance) -> float | None:
    best = None
    for agents in itertools.product(range(instance.agents), repeat=instance.jobs):
        a = np.array(agents)
        if instance.is_feasible(a):
            value = instance.objective(a)
            best = value if best is None else min(best, value)
    return best


def random_instance(rng: np.random.Generator, m: int, n: int) -> GapInstance:
    cost = rng.integers(1, 30, size=(m, n)).astype(float)
    weight = rng.integers(1, 20, size=(m, n)).astype(float)
    capacity = np.floor(weight.sum(axis=1) / m * rng.uniform(1.0, 1.6, size=m))
    return GapInstance(cost, weight, capacity)


@pytest.mark.parametrize("seed", range(12))
def test_mip_matches_brute_force_and_the_heuristic_is_feasible_and_not_better(seed: int) -> None:
    rng = np.random.default_rng(seed)
    instance = random_instance(rng, int(rng.integers(2, 4)), int(rng.integers(4, 7)))
    optimum = brute_force(instance)
    ours = solve_gap(instance, "mip", time_limit=10)
    if optimum is None:
        assert ours.objective is None
        return
    assert ours.objective == pytest.approx(optimum)
    assert instance.is_feasible(ours.agent_of_job)
    assert ours.status == "optimal" and ours.gap == pytest.approx(0.0)
    greedy = solve_gap(instance, "greedy", time_limit=5)
    if greedy.objective is not None:
        assert instance.is_feasible(greedy.agent_of_job)
        assert greedy.objective >= optimum - 1e-9
    peer = solve_gap(instance, "cpsat", time_limit=10)
    assert peer.objective == pytest.approx(optimum)


@needs_files
def test_gap1_0_is_read_and_solved_to_its_known_optimum() -> None:
    instance = read_gap(GAP_DIR / "cattrysse1994" / "gap1-0")
    assert (instance.agents, instance.jobs) == (5, 15)
    result = solve_gap(instance, "mip", time_limit=20)
    assert result.objective == 261
    assert result.best_bound == 261 and result.status == "optimal"
    assert instance.is_feasible(result.agent_of_job)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "number of agents"),
        ("2 3\n1 2 3\n4 five 6\n", 3, "'five'"),
        ("-2 3\n", 1, "positive"),
        ("2 0\n", 1, "positive"),
        ("1 2\n1 2\n3 4\n", 3, "capacity b[1]"),  # missing the capacity
        ("1 2\n1 2\n3\n", 3, "capacity use w[1][2]"),  # a short matrix
        ("1 2\n1 2\n3 4\n9\n7\n", 5, "after the 1 capacities"),  # one number too many
        ("1 1\n1\n-4\n3\n", 3, "non-negative"),
        ("1.5 2\n", 1, "integer"),
    ],
)
def test_malformed_files_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(GapFormatError) as caught:
        parse_gap(text)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"line {line}: ")
    assert words in str(caught.value)


def test_numbers_may_wrap_lines_anywhere() -> None:
    one_line = parse_gap("2 2 1 2 3 4 5 6 7 8 10 11")
    wrapped = parse_gap("2\n2 1\n2 3 4 5\n6\n7 8\n10\n11\n")
    assert np.array_equal(one_line.cost, wrapped.cost)
    assert np.array_equal(one_line.capacity, [10, 11])
