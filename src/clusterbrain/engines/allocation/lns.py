"""Fix-and-optimise: free the orders of a few suppliers, keep everything else, solve that
sub-model exactly with HiGHS, keep the result when it is cheaper; repeat until the deadline.

The sub-model is the core model restricted to the chosen suppliers' pairs with the capacity
the fixed orders leave, so the same MIP builder serves it. Suppliers are chosen around a random
one: those that its orders would rather go to, so a round can move orders between them.
"""

from __future__ import annotations

import time

import numpy as np

from clusterbrain.engines.allocation.core import EPS, CoreModel, CoreSolution, restrict
from clusterbrain.engines.allocation.mip import solve_mip

# Orders freed per round to start with; the round size adapts to how fast rounds solve.
START_ORDERS = 120
MAX_ORDERS = 2000
ROUND_SECONDS = 3.0


def fix_and_optimise(
    core: CoreModel, solution: CoreSolution, deadline: float, seed: int = 0
) -> CoreSolution:
    rng = np.random.default_rng(seed)
    x = solution.arc_qty.copy()
    use_a = core.pair_use[core.arc_pair]
    order_of_arc = core.pair_order[core.arc_pair]
    supplier_of_pair = core.pair_supplier
    per_supplier = max(1.0, core.orders / max(core.suppliers, 1))
    target_orders = float(START_ORDERS)
    while time.monotonic() < deadline - 0.2:
        pq = np.bincount(core.arc_pair, x, minlength=core.pairs)
        chosen = _choose_suppliers(core, pq, rng, max(2, int(target_orders / per_supplier)))
        in_chosen = np.zeros(core.suppliers, dtype=bool)
        in_chosen[chosen] = True
        at_chosen = in_chosen[supplier_of_pair]
        used = pq > EPS
        outside = np.bincount(core.pair_order[used & ~at_chosen], minlength=core.orders) > 0
        touches = np.bincount(core.pair_order[at_chosen], minlength=core.orders) > 0
        free_orders = touches & ~outside
        orders = np.flatnonzero(free_orders)
        if len(orders) == 0:
            continue
        fixed_arc = ~free_orders[order_of_arc]
        load = np.bincount(
            core.arc_resource[fixed_arc], x[fixed_arc] * use_a[fixed_arc], core.capacity.size
        )
        fixed_pair = ~free_orders[core.pair_order]
        volume = np.bincount(supplier_of_pair[fixed_pair], pq[fixed_pair], core.suppliers)
        sub, _, arcs = restrict(
            core,
            orders,
            at_chosen,
            np.maximum(core.capacity - load, 0.0),
            np.maximum(core.supplier_volume - volume, 0.0),
        )
        warm = CoreSolution(x[arcs])
        before = warm.objective(sub)
        seconds = min(ROUND_SECONDS, deadline - time.monotonic())
        if seconds <= 0.05:
            break
        result = solve_mip(
            sub, seconds, warm_start=warm, mip_rel_gap=0.0, seed=int(rng.integers(1 << 30))
        )
        if result.objective < before - 1e-9 * max(
            1.0, abs(before)
        ) and not result.solution.violations(sub):
            x[arcs] = result.solution.arc_qty
        # grow the rounds while they solve to optimality quickly, shrink them when they do not
        if result.status == "optimal" and result.seconds < ROUND_SECONDS / 3:
            target_orders = min(MAX_ORDERS, target_orders * 1.25)
        elif result.status != "optimal":
            target_orders = max(10.0, target_orders / 1.5)
    return CoreSolution(x)


def _choose_suppliers(
    core: CoreModel, pair_qty: np.ndarray, rng: np.random.Generator, how_many: int
) -> np.ndarray:
    """A random supplier and those its orders have cheaper pairs at (their wishes), topped up
    with random suppliers."""
    seed_supplier = int(rng.integers(core.suppliers))
    used = pair_qty > EPS
    mine = np.unique(core.pair_order[used & (core.pair_supplier == seed_supplier)])
    wished = np.zeros(core.suppliers)
    if len(mine):
        mask = np.zeros(core.orders, dtype=bool)
        mask[mine] = True
        pairs = np.flatnonzero(mask[core.pair_order])
        current = np.full(core.orders, np.inf)
        here = used & (core.pair_supplier == seed_supplier)
        np.minimum.at(current, core.pair_order[here], core.pair_cost[here])
        cheaper = pairs[core.pair_cost[pairs] < current[core.pair_order[pairs]]]
        np.add.at(wished, core.pair_supplier[cheaper], 1.0)
    wished[seed_supplier] = 0
    noise = rng.random(core.suppliers)
    score = wished + noise  # wishes first, ties and the rest at random
    others = np.argsort(-score)[: max(0, how_many - 1)]
    return np.unique(np.concatenate([[seed_supplier], others]))
