"""OR-Tools CP-SAT on a GAP instance, the benchmark's peer: one Boolean per (job, agent), each
job exactly once, each agent's capacity, minimise the cost (integer data, as in the files)."""

from __future__ import annotations

import time

import numpy as np
from ortools.sat.python import cp_model

from clusterbrain.engines.allocation.gap import GapInstance


def solve_gap_cpsat(
    instance: GapInstance, time_limit: float, workers: int = 2, seed: int = 0
) -> tuple[np.ndarray | None, float | None, float | None, str, float]:
    """(agent of each job or None, objective, best bound, status, seconds)."""
    start = time.monotonic()
    cost = np.rint(instance.cost).astype(np.int64)
    weight = np.rint(instance.weight).astype(np.int64)
    capacity = np.floor(instance.capacity + 1e-9).astype(np.int64)
    if not (np.allclose(cost, instance.cost) and np.allclose(weight, instance.weight)):
        raise ValueError("CP-SAT needs integer costs and capacity uses")
    m, n = instance.agents, instance.jobs
    model = cp_model.CpModel()
    fits = weight <= capacity[:, None]
    x = {(i, j): model.new_bool_var(f"x{i}_{j}") for i in range(m) for j in range(n) if fits[i, j]}
    for j in range(n):
        model.add_exactly_one(x[i, j] for i in range(m) if fits[i, j])
    for i in range(m):
        model.add(
            sum(int(weight[i, j]) * x[i, j] for j in range(n) if fits[i, j]) <= int(capacity[i])
        )
    model.minimize(sum(int(cost[i, j]) * var for (i, j), var in x.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    code = solver.solve(model)
    seconds = time.monotonic() - start
    status = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible"}.get(code, "no solution")
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None, None, status, seconds
    agents = np.full(n, -1, dtype=np.int64)
    for (i, j), var in x.items():
        if solver.value(var):
            agents[j] = i
    return (
        agents,
        float(solver.objective_value),
        float(solver.best_objective_bound),
        status,
        seconds,
    )
