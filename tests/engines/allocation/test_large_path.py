"""What the cluster's size needs: the compact LP (the bound) against the LP as built for the
MIP, the insertion that leaves whole lots, the repair of short orders, the LP-guided local
search path, and the generator's load. Small instances; never how fast."""

from __future__ import annotations

import numpy as np
import pytest

from clusterbrain.engines.allocation import solve as solve_module
from clusterbrain.engines.allocation.core import CoreSolution
from clusterbrain.engines.allocation.heuristic import (
    AllocationState,
    feasible_part,
    repair,
    state_from,
)
from clusterbrain.engines.allocation.mip import build_highs, lp_relaxation
from clusterbrain.engines.allocation.model import (
    AllocationProblem,
    Order,
    Reason,
    Supplier,
    allocate_orders,
    compile_problem,
)
from clusterbrain.engines.allocation.synthetic import CATEGORIES, generate_cluster_problem


def small(seed: int, orders: int = 40, suppliers: int = 12) -> AllocationProblem:
    return generate_cluster_problem(orders=orders, suppliers=suppliers, weeks=6, seed=seed)


@pytest.mark.parametrize("seed", range(4))
def test_compact_lp_has_the_optimum_of_the_lp_built_for_the_mip(seed: int) -> None:
    core = compile_problem(small(seed)).core
    relax = lp_relaxation(core, 30.0)
    h, _ = build_highs(core, relax=True)
    h.run()
    assert relax.bound is not None and relax.arc_qty is not None
    assert relax.bound == pytest.approx(h.getInfo().objective_function_value, rel=1e-7)
    assert (relax.pair_rc >= 0).all()
    # the part of the LP's solution kept as a start obeys every rule
    assert feasible_part(core, relax.arc_qty).violations(core) == []


def two_suppliers(cap_a: float, cap_b: float, quantity: float, lot: float) -> AllocationProblem:
    return AllocationProblem(
        orders=[Order("o", "cutting", quantity, 0, 0, min_lot=lot)],
        suppliers=[
            Supplier("a", {"cutting": [cap_a]}, {"cutting": 10.0}),
            Supplier("b", {"cutting": [cap_b]}, {"cutting": 11.0}),
        ],
        weeks=1,
    )


def test_insertion_leaves_a_whole_lot_for_the_next_supplier() -> None:
    # a takes 200 of 250 and leaves 50, below the lot of 100: it takes 150 instead
    core = compile_problem(two_suppliers(200, 150, 250, 100)).core
    state = AllocationState(core)
    state.insert(0)
    assert state.served(0) == pytest.approx(250)
    assert sorted(state.pair_qty) == pytest.approx([100, 150])
    assert state.solution().violations(core) == []


def test_repair_opens_a_supplier_by_lowering_another_to_its_lot() -> None:
    # start from a at 200 and 50 unmet: b needs a lot of 100, so a gives 50 up
    core = compile_problem(two_suppliers(200, 150, 250, 100)).core
    x = np.zeros(core.arcs)
    x[0] = 200.0
    state = state_from(core, CoreSolution(x))
    assert state.served(0) == pytest.approx(200)
    assert repair(state, 0.0) == 1
    assert state.served(0) == pytest.approx(250)
    assert state.solution().violations(core) == []


@pytest.mark.parametrize("method", ["mip", "greedy"])
@pytest.mark.parametrize("seed", range(3))
def test_no_order_is_left_unplaced_while_a_supplier_has_room(method: str, seed: int) -> None:
    problem = small(seed, orders=60, suppliers=15)
    result = allocate_orders(problem, method, 5.0, seed=seed)
    assert [u for u in result.unmet if u.reason is Reason.NOT_PLACED] == []


def test_the_local_search_path_when_the_restricted_model_is_too_big(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = small(1, orders=60, suppliers=15)
    monkeypatch.setattr(solve_module, "MAX_RESTRICTED_PAIRS", 0)
    result = allocate_orders(problem, "mip", 3.0)
    compiled = compile_problem(problem)
    assert result.best_bound is not None and result.best_bound <= result.objective + 1e-6
    assert result.gap is not None
    assert not [u for u in result.unmet if u.reason is Reason.NOT_PLACED]
    # the answer obeys every rule: rebuild its arcs and check
    index = {(o.id): j for j, o in enumerate(problem.orders)}
    sup = {s.id: i for i, s in enumerate(problem.suppliers)}
    core = compiled.core
    x = np.zeros(core.arcs)
    for a in result.assignments:
        j, i = index[a.order_id], sup[a.supplier_id]
        pairs = range(int(core.order_start[j]), int(core.order_start[j + 1]))
        p = next(p for p in pairs if core.pair_supplier[p] == i)
        arcs = range(int(core.arc_start[p]), int(core.arc_start[p + 1]))
        x[next(k for k in arcs if compiled.arc_week[k] == a.week)] += a.quantity
    assert CoreSolution(x).violations(core) == []


def test_generated_capacity_exceeds_the_demand_of_each_link_in_every_week() -> None:
    problem = generate_cluster_problem(orders=300, suppliers=80, weeks=8, seed=3, slack=1.3)
    cap = np.zeros((len(CATEGORIES), problem.weeks))
    for s in problem.suppliers:
        for name, weekly in s.capacity.items():
            cap[CATEGORIES.index(name)] += weekly
    spread = np.zeros_like(cap)
    for o in problem.orders:
        last = max(o.earliest_start, o.due - 1)
        spread[CATEGORIES.index(o.category), o.earliest_start : last + 1] += o.quantity / (
            last - o.earliest_start + 1
        )
    busy = spread > 0
    # quantities are rounded and at least 20 units: a little under 1.3 at worst
    assert (cap[busy] >= 1.25 * spread[busy]).all()
    assert cap[busy].sum() > spread[busy].sum()
