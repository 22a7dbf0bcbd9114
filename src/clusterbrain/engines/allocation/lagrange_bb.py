"""Branch and bound on the Lagrangian bound with a target, for integral generalized assignments
(Posta, Ferland and Michelon 2012).

Why: on the tight d-type instances neither the tabu search nor HiGHS on the restricted model
found the optimum in a minute, yet the Lagrangian bound (`lagrange`) is within a few units of
it. Asking "is there a solution of cost at most T?" for T = ⌈bound⌉, ⌈bound⌉ + 1, … lets every
node of a depth-first search drop each pair whose Lagrangian bound exceeds T (the exact test of
`lagrange`, at the node's own prices), fix each job left with one agent, and stop at the
first solution found, which is optimal, since every smaller T was proven impossible. The
searches for small T are quick and prove a bound on the way; each further T costs a few times
the one before, so the search is given a share of the time and the other methods keep the rest.

A node is the jobs fixed so far and the pairs still allowed; its bound is a few subgradient
steps from its parent's prices (knapsacks over the allowed pairs of free jobs, each agent's
capacity less what its fixed jobs use). It branches on a free job that the knapsacks take zero
times or twice (else on any), the job with the fewest agents left first, and tries its agents
in order of their pair bound. The knapsack tables are compacted to the allowed items, so deep
nodes cost little. A node's steps run in one compiled loop (`lagrange.node_ascent`), which
solves an agent's knapsack again only when a price of one of its items moved.

Every node's knapsacks (pruned or not) are also repaired into a feasible assignment
(`lagrange.lagrangian_heuristic`: the fixed jobs kept, a job taken twice kept on its cheapest
agent, a job taken by none put where it fits, then shifts and swaps). A repaired assignment
within the target ends the search like a knapsack solution would (within T, every smaller T
refuted: optimal), and the best one is an upper bound when the time runs out: on chu1997's
d10200 it is 12,433 (optimum 12,430) where the tabu search stalled at 12,454.

`reoptimise_agents` uses the same search as a large-neighbourhood search: the jobs of a few
agents (or some jobs at random) are freed, the rest kept where the incumbent has them, and
the small problem is searched from the incumbent (target: best − 1) for a second at most; the
Lagrangian bound with the kept jobs' capacity taken prunes it hard, so each neighbourhood is
usually solved exactly. On d20100 it takes 6,211 to 6,188 (optimum 6,185) in 20 s.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from clusterbrain.engines.allocation.core import CoreModel, CoreSolution
from clusterbrain.engines.allocation.lagrange import (
    LagrangeBound,
    integral_gap_data,
    knapsack_pair_bounds,
    lagrangian_heuristic,
    node_ascent,
)

STEPS = 30  # subgradient steps per node at most (fewer when it stalls or prunes)
STALL = 8  # steps without a better bound before a node stops its ascent
SUB_JOBS = 35  # jobs freed per neighbourhood (about, when whole agents' jobs are)
SUB_SECONDS = 1.0  # the most one neighbourhood's search may take
DECAY = 0.9  # the step's scale shrinks by this each step
POOL = 16  # elite assignments kept (the best distinct repairs of the target search's nodes)
RELINK_EVERY = 3  # every this many neighbourhoods, one freed where an elite one differs


@dataclass
class TargetResult:
    solution: CoreSolution | None  # the optimum, when found
    objective: float | None
    lower: float  # every solution costs at least this (the targets proven impossible + 1)
    nodes: int
    seconds: float
    # the best distinct assignments (jobs' agents) the nodes were repaired into, best first
    elite: tuple[np.ndarray, ...] = ()


class _Search:
    """Depth-first search for a solution of cost at most a target, over dense agent × job data."""

    def __init__(
        self,
        cost: np.ndarray,
        weight: np.ndarray,
        cap: np.ndarray,
        present: np.ndarray,
        prices: np.ndarray,
        pool: int = 0,
    ) -> None:
        self.cost, self.weight, self.cap, self.present = cost, weight, cap, present
        self.pool_size = pool
        self.pool: list[tuple[float, np.ndarray]] = []  # (cost, assignment), best first
        self.prices = prices.astype(float)
        self.m, self.n = cost.shape
        self.nodes = 0
        self.heaviest = weight.max(axis=0)
        # the best assignment the nodes' knapsacks were repaired into (an upper bound)
        self.best: np.ndarray | None = None
        self.best_cost = np.inf
        self._agent = np.empty(self.n, dtype=np.int64)

    def _repair(self, assigned: np.ndarray, x: np.ndarray) -> None:
        value = lagrangian_heuristic(
            self.cost, self.weight, self.cap, self.present, assigned, x, self._agent
        )
        if value < self.best_cost - 1e-9:
            self.best_cost, self.best = value, self._agent.copy()
        if self.pool_size and np.isfinite(value):
            self._keep(value, self._agent)

    def _keep(self, value: float, agent: np.ndarray) -> None:
        """`agent` into the elite pool if it is among the best distinct ones seen."""
        pool = self.pool
        if len(pool) >= self.pool_size and value >= pool[-1][0]:
            return
        if any(np.array_equal(agent, other) for _, other in pool):
            return
        pool.append((value, agent.copy()))
        pool.sort(key=lambda entry: entry[0])
        del pool[self.pool_size :]

    def _bound(
        self, allowed: np.ndarray, assigned: np.ndarray, lam: np.ndarray, target: float
    ) -> tuple[float, np.ndarray, np.ndarray | None, np.ndarray]:
        """(bound, prices, pair bounds or None, knapsacks) at a node; pair bounds are None when
        the node is pruned or the knapsacks already assign every free job once."""
        free = assigned < 0
        fixed = np.flatnonzero(~free)
        cap = self.cap - np.bincount(
            assigned[fixed], weights=self.weight[assigned[fixed], fixed], minlength=self.m
        ).astype(np.int64)
        x = np.zeros((self.m, self.n), dtype=np.bool_)
        if (cap < 0).any():
            return np.inf, lam, None, x
        fixed_cost = float(self.cost[assigned[fixed], fixed].sum())
        open_pairs = allowed & free[None, :]
        lam = lam.copy()
        best, state = node_ascent(
            self.cost,
            self.weight,
            cap,
            open_pairs,
            free,
            lam,
            fixed_cost,
            target,
            STEPS,
            STALL,
            DECAY,
            x,
        )
        if state:
            if state == 1:  # pruned, yet its knapsacks may repair into a good solution
                self._repair(assigned, x)
            return best, lam, None, x
        best_lam = lam
        pair = np.empty((self.m, self.n))
        value = (
            knapsack_pair_bounds(self.cost, self.weight, cap, open_pairs, best_lam, pair)
            + fixed_cost
        )
        pair += fixed_cost
        self._repair(assigned, x)
        return max(best, value), best_lam, pair, x

    def run(
        self,
        target: float,
        deadline: float,
        descend: bool = False,
        start: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray | None, bool]:
        """(an assignment of cost at most `target` or None, whether the search was complete).
        With `descend`, each solution found lowers the target to its cost − 1 and the search
        goes on (a branch and bound from an incumbent); the best found is returned. `start`:
        the root's (allowed pairs, jobs' agents or -1), by default every pair and none."""
        if start is None:
            start = (self.present.copy(), np.full(self.n, -1, dtype=np.int64))
        stack = [(start[0], start[1], self.prices)]
        found: np.ndarray | None = None
        while stack:
            if time.monotonic() > deadline:
                return found, False
            allowed, assigned, lam = stack.pop()
            self.nodes += 1
            while True:
                bound, lam, pair, x = self._bound(allowed, assigned, lam, target)
                if self.best is not None and self.best_cost <= target + 1e-6:
                    found = self.best.copy()  # the repaired knapsacks reach the target
                    if not descend:
                        return found, True
                    target = self.best_cost - 1.0
                if bound > target + 1e-6:
                    break
                free = assigned < 0
                if pair is None:  # the knapsacks assign every free job once
                    solution = assigned.copy()
                    for j in np.flatnonzero(free):
                        solution[j] = int(np.argmax(x[:, j]))
                    if not descend:
                        return solution, True
                    found = solution
                    value = float(self.cost[solution, np.arange(self.n)].sum())
                    if value < self.best_cost:
                        self.best_cost, self.best = value, solution.copy()
                    target = value - 1.0
                    bound = np.inf
                    break
                allowed = allowed & (pair <= target + 1e-6)
                options = (allowed & free[None, :]).sum(axis=0)
                if (options[free] == 0).any():
                    bound = np.inf
                    break
                single = np.flatnonzero(free & (options == 1))
                if not single.size:
                    break
                assigned = assigned.copy()
                assigned[single] = np.argmax(allowed[:, single], axis=0)
            if bound > target + 1e-6:
                continue
            assert pair is not None
            free = assigned < 0
            options = (allowed & free[None, :]).sum(axis=0)
            candidates = np.flatnonzero(free)
            conflicts = candidates[x.sum(axis=0)[candidates] != 1]
            if conflicts.size:
                candidates = conflicts
            job = candidates[np.lexsort((-self.heaviest[candidates], options[candidates]))[0]]
            agents = np.flatnonzero(allowed[:, job])
            for agent in agents[np.argsort(-pair[agents, job])]:  # the best is popped first
                child_assigned = assigned.copy()
                child_assigned[job] = agent
                child_allowed = allowed.copy()
                child_allowed[:, job] = False
                child_allowed[agent, job] = True
                stack.append((child_allowed, child_assigned, lam))
        return found, True


def target_search(
    core: CoreModel,
    lagrange: LagrangeBound,
    deadline: float,
    upper: float,
    start_target: float = -np.inf,
) -> TargetResult | None:
    """The optimum by targets T = ⌈bound⌉, ⌈bound⌉ + 1, … below `upper` (the best solution
    known) until the deadline; None where the model is not an integral generalized assignment.
    Without a solution found, `lower` is the first target not proven impossible."""
    data = integral_gap_data(core)
    if data is None:
        return None
    start = time.monotonic()
    cost, weight, cap, present = data
    m, n = cost.shape
    # the Lagrangian's prices are per order; the search works in (agent, job) terms
    prices = lagrange.prices
    search = _Search(cost, weight, cap, present, prices, pool=POOL)
    # from the first target not yet refuted (a search resumed where an earlier one stopped)
    target = float(np.ceil(max(lagrange.bound, start_target) - 1e-6))
    # no assignment costs more than every job at its dearest agent: above that, none exists
    ceiling = float(np.where(present, cost, -np.inf).max(axis=0).sum())
    while (
        target < min(upper, search.best_cost) - 0.5
        and target < ceiling + 0.5
        and time.monotonic() < deadline
    ):
        assignment, complete = search.run(target, deadline)
        if assignment is not None:
            solution = _solution(core, assignment, m, n)
            return TargetResult(
                solution,
                solution.objective(core),
                target,
                search.nodes,
                time.monotonic() - start,
                _elite(search),
            )
        if not complete:
            break
        target += 1.0
    seconds = time.monotonic() - start
    if search.best is not None and search.best_cost < upper:
        # the best repaired knapsacks: optimal when every target below its cost was refuted
        solution = _solution(core, search.best, m, n)
        return TargetResult(
            solution, solution.objective(core), target, search.nodes, seconds, _elite(search)
        )
    return TargetResult(None, None, target, search.nodes, seconds, _elite(search))


def _elite(search: _Search) -> tuple[np.ndarray, ...]:
    return tuple(agent for _, agent in search.pool)


def improve_by_targets(
    core: CoreModel, lagrange: LagrangeBound, incumbent: CoreSolution, deadline: float
) -> TargetResult | None:
    """A branch and bound from the incumbent: the target is always the best cost found less
    one, so each node prunes and fixes against it. Returns the best solution found (None if
    none beat the incumbent); `lower` is the Lagrangian bound, or the incumbent's cost when the
    search ended complete (nothing better exists)."""
    data = integral_gap_data(core)
    if data is None:
        return None
    start = time.monotonic()
    cost, weight, cap, present = data
    m, n = cost.shape
    upper = incumbent.objective(core)
    search = _Search(cost, weight, cap, present, lagrange.prices)
    assignment, complete = search.run(upper - 1.0, deadline, descend=True)
    lower = float(np.ceil(lagrange.bound - 1e-6))
    if assignment is None:
        seconds = time.monotonic() - start
        return TargetResult(None, None, upper if complete else lower, search.nodes, seconds)
    solution = _solution(core, assignment, m, n)
    objective = solution.objective(core)
    return TargetResult(
        solution,
        objective,
        objective if complete else lower,
        search.nodes,
        time.monotonic() - start,
    )


def reoptimise_agents(
    core: CoreModel,
    lagrange: LagrangeBound,
    incumbent: CoreSolution,
    deadline: float,
    seed: int = 0,
    floor: float = -np.inf,
    elite: tuple[np.ndarray, ...] = (),
) -> TargetResult | None:
    """Large neighbourhoods solved exactly: a few agents at random, the incumbent's jobs on
    them free to go to any of them (or, every other time, SUB_JOBS jobs at random free to go
    to any agent), every other job where it is, and the branch and bound from the incumbent
    (target: best − 1) over that small problem for at most SUB_SECONDS; each better assignment
    found (the nodes' repairs included) becomes the incumbent. Returns the best found (None if
    none beat the incumbent); `lower` is the Lagrangian bound. Stops early at `floor` (a bound
    proven elsewhere).

    Every RELINK_EVERY-th neighbourhood relinks the incumbent with one of the `elite`
    assignments (jobs' agents: other good solutions, e.g. the target search's repairs): up to
    SUB_JOBS of the jobs where the two differ are freed (filled up with jobs at random when they
    differ in fewer), and the others kept where the incumbent has them or, every other time,
    where the elite one has them (a point on the path between the two; feasible, since the elite
    one is). An elite assignment equal to the incumbent leaves the pool."""
    data = integral_gap_data(core)
    if data is None:
        return None
    start = time.monotonic()
    cost, weight, cap, present = data
    m, n = cost.shape
    agent = assignment_of(core, incumbent)
    lower = float(np.ceil(lagrange.bound - 1e-6))
    floor = max(lower, floor)
    if (agent < 0).any() or m < 2:
        return TargetResult(None, None, lower, 0, 0.0)
    upper = float(cost[agent, np.arange(n)].sum())
    best_cost = upper
    search = _Search(cost, weight, cap, present, lagrange.prices)
    rng = np.random.default_rng(seed)
    k = max(2, min(m, int(round(SUB_JOBS * m / n))))
    rounds = 0
    pool = [np.asarray(other, dtype=np.int64) for other in elite if len(other) == n]
    pool = [other for other in pool if (other >= 0).all()]
    while time.monotonic() < deadline and best_cost > floor + 0.5:
        rounds += 1
        if pool and rounds % RELINK_EVERY == 0:
            index = int(rng.integers(len(pool)))
            other = pool[index]
            differ = np.flatnonzero(other != agent)
            if not differ.size:
                del pool[index]
                continue
            free = np.zeros(n, dtype=np.bool_)
            if differ.size > SUB_JOBS:
                differ = rng.choice(differ, size=SUB_JOBS, replace=False)
            free[differ] = True
            if differ.size < SUB_JOBS:
                rest = np.flatnonzero(~free)
                free[
                    rng.choice(rest, size=min(rest.size, SUB_JOBS - differ.size), replace=False)
                ] = True
            base = other if rng.random() < 0.5 else agent
            allowed = present.copy()
        else:
            chosen = np.zeros(m, dtype=np.bool_)
            chosen[rng.choice(m, size=k, replace=False)] = True
            free = chosen[agent]
            allowed = present & chosen[:, None]
            if rounds % 2 == 0:  # every other time: jobs at random, free to go anywhere
                free = np.zeros(n, dtype=np.bool_)
                free[rng.choice(n, size=min(n, SUB_JOBS), replace=False)] = True
                allowed = present.copy()
            base = agent
        # the jobs not freed stay where `base` has them
        allowed[:, ~free] = False
        allowed[base[~free], np.flatnonzero(~free)] = True
        assigned = np.where(free, -1, base)
        sub_deadline = min(deadline, time.monotonic() + SUB_SECONDS)
        search.run(best_cost - 1.0, sub_deadline, descend=True, start=(allowed, assigned))
        if search.best is not None and search.best_cost < best_cost - 0.5:
            agent, best_cost = search.best.copy(), search.best_cost
    seconds = time.monotonic() - start
    if best_cost >= upper - 0.5:
        return TargetResult(None, None, lower, search.nodes, seconds)
    solution = _solution(core, agent, m, n)
    return TargetResult(solution, solution.objective(core), lower, search.nodes, seconds)


def assignment_of(core: CoreModel, solution: CoreSolution) -> np.ndarray:
    """Each job's agent in a generalized assignment's solution (-1 where it has none)."""
    agent = np.full(core.orders, -1, dtype=np.int64)
    used = solution.pair_qty(core) > 0.5
    agent[core.pair_order[used]] = core.arc_resource[used]
    return agent


def _solution(core: CoreModel, assignment: np.ndarray, m: int, n: int) -> CoreSolution:
    pair_at = np.full((m, n), -1, dtype=np.int64)
    pair_at[core.arc_resource, core.pair_order] = np.arange(core.pairs)
    x = np.zeros(core.arcs)
    x[pair_at[assignment, np.arange(n)]] = core.quantity
    return CoreSolution(x)
