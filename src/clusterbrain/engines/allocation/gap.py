"""Generalized assignment problems in OR-Library format (minimisation form).

The file is whitespace separated and its numbers may wrap lines anywhere: `m n`, the m×n cost
matrix row by row (agent i, job j), the m×n capacity-use matrix, then the m capacities. Every
error names the line where the reader stopped and what it expected there, since the usual fault
is a truncated or hand-edited file whose rows no longer line up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from clusterbrain.engines.allocation.core import CoreModel, CoreSolution


class GapFormatError(ValueError):
    """A GAP file that does not hold `m n`, two m×n matrices and m capacities, and nothing else."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class GapInstance:
    """Assigning job j to agent i costs `cost[i, j]` and uses `weight[i, j]` of `capacity[i]`."""

    cost: np.ndarray  # (m, n) float
    weight: np.ndarray  # (m, n) float
    capacity: np.ndarray  # (m,) float
    name: str = ""

    @property
    def agents(self) -> int:
        return int(self.cost.shape[0])

    @property
    def jobs(self) -> int:
        return int(self.cost.shape[1])

    def objective(self, agent_of_job: np.ndarray) -> float:
        return float(self.cost[agent_of_job, np.arange(self.jobs)].sum())

    def is_feasible(self, agent_of_job: np.ndarray) -> bool:
        if len(agent_of_job) != self.jobs or (agent_of_job < 0).any():
            return False
        load = np.zeros(self.agents)
        np.add.at(load, agent_of_job, self.weight[agent_of_job, np.arange(self.jobs)])
        return bool((load <= self.capacity + 1e-9).all())


class _Reader:
    """Numbers of the file one at a time, remembering the line of the last one read."""

    def __init__(self, text: str) -> None:
        lines = text.splitlines()
        self._tokens = ((n, t) for n, line in enumerate(lines, start=1) for t in line.split())
        self.last_line = max(1, len(lines))
        self.line = 1

    def take(self, what: str, integer: bool = False, at_least: float | None = None) -> float:
        try:
            self.line, token = next(self._tokens)
        except StopIteration:
            raise GapFormatError(self.last_line, f"the file ends; expected {what}") from None
        try:
            value = int(token) if integer else float(token)
        except ValueError:
            kind = "an integer" if integer else "a number"
            raise GapFormatError(self.line, f"expected {kind} ({what}), found {token!r}") from None
        if not np.isfinite(value):
            raise GapFormatError(self.line, f"expected a finite number ({what}), found {token!r}")
        if at_least is not None and value < at_least:
            bound = "positive" if at_least > 0 else "non-negative"
            raise GapFormatError(self.line, f"{what} must be {bound}, found {token}")
        return value

    def rest(self) -> tuple[int, str] | None:
        return next(self._tokens, None)


def parse_gap(text: str, name: str = "") -> GapInstance:
    """Read an instance from the text of a file; raises `GapFormatError` naming the line."""
    reader = _Reader(text)
    m = int(reader.take("the number of agents m", integer=True, at_least=1))
    n = int(reader.take("the number of jobs n", integer=True, at_least=1))
    cost = np.empty((m, n))
    weight = np.empty((m, n))
    capacity = np.empty(m)
    for i in range(m):
        for j in range(n):
            cost[i, j] = reader.take(f"cost c[{i + 1}][{j + 1}] of the {m}×{n} cost matrix")
    for i in range(m):
        for j in range(n):
            weight[i, j] = reader.take(
                f"capacity use w[{i + 1}][{j + 1}] of the {m}×{n} capacity-use matrix",
                at_least=0,
            )
    for i in range(m):
        capacity[i] = reader.take(f"capacity b[{i + 1}] of {m}", at_least=0)
    extra = reader.rest()
    if extra is not None:
        raise GapFormatError(
            extra[0],
            f"unexpected {extra[1]!r} after the {m} capacities; expected the end of the file "
            f"(are m={m} and n={n} right?)",
        )
    return GapInstance(cost=cost, weight=weight, capacity=capacity, name=name)


def read_gap(path: str | Path) -> GapInstance:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise GapFormatError(1, f"not a text file ({exc.reason})") from None
    return parse_gap(text, name=path.name)


def gap_core(instance: GapInstance) -> CoreModel:
    """The instance as the core model: jobs are unsplittable single units, agents are both the
    suppliers and their one capacity bucket, pairs only where the job fits the agent at all."""
    m, n = instance.agents, instance.jobs
    fits = instance.weight <= instance.capacity[:, None]
    job, agent = np.nonzero(fits.T)  # sorted by job, then agent
    counts = np.bincount(job, minlength=n)
    # leaving a job out must cost more than any assignment of all the others
    penalty = 1.0 + float(np.abs(instance.cost).max(initial=0.0)) * n
    return CoreModel(
        quantity=np.ones(n),
        splittable=np.zeros(n, dtype=bool),
        min_lot=np.zeros(n),
        unmet_penalty=np.full(n, penalty),
        order_start=np.concatenate([[0], np.cumsum(counts)]),
        pair_supplier=agent,
        pair_cost=instance.cost[agent, job],
        pair_use=instance.weight[agent, job],
        pair_max=np.ones(len(job)),
        arc_start=np.arange(len(job) + 1),
        arc_resource=agent,
        capacity=instance.capacity.astype(float),
        supplier_volume=np.full(m, np.inf),
    )


def agent_of_job(core: CoreModel, solution: CoreSolution) -> np.ndarray:
    """Each job's agent in a solution of `gap_core`, -1 where the job is left out."""
    pq = solution.pair_qty(core)
    agents = np.full(core.orders, -1, dtype=np.int64)
    used = pq > 0.5
    agents[core.pair_order[used]] = core.pair_supplier[used]
    return agents


@dataclass(frozen=True)
class GapResult:
    agent_of_job: np.ndarray  # -1: the job is left out (the solver found no full assignment)
    objective: float | None  # None when not every job is assigned
    best_bound: float | None
    gap: float | None  # (objective - bound) / objective
    status: str  # optimal | feasible | heuristic | no solution
    seconds: float
    method: str


def solve_gap(
    instance: GapInstance, method: str = "mip", time_limit: float = 60.0, seed: int = 0
) -> GapResult:
    """Solve to proven optimality if the time allows (relative gap 0: objectives are compared
    with published optima). `method`: mip (ours), greedy (ours, heuristic alone), cpsat (peer)."""
    if method == "cpsat":
        from clusterbrain.engines.allocation.cpsat import solve_gap_cpsat

        agents, objective, bound, status, seconds = solve_gap_cpsat(instance, time_limit, seed=seed)
        if agents is None:
            agents = np.full(instance.jobs, -1, dtype=np.int64)
    else:
        from clusterbrain.engines.allocation.solve import solve_core

        core = gap_core(instance)
        result = solve_core(core, method, time_limit, mip_rel_gap=0.0, seed=seed)
        agents = agent_of_job(core, result.solution)
        objective = instance.objective(agents) if (agents >= 0).all() else None
        bound, status, seconds = result.best_bound, result.status, result.seconds
        if objective is None and status != "heuristic":
            status = "no solution"
    gap = None
    if objective is not None and bound is not None:
        gap = max(0.0, objective - bound) / max(abs(objective), 1e-9)
    return GapResult(agents, objective, bound, gap, status, seconds, method)
