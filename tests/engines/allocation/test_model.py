"""The cluster model: each constraint on an instance small enough to know the answer, the
binding reason of every unmet order, and the MIP against brute force on random instances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from clusterbrain.engines.allocation.model import (
    AllocationProblem,
    AllocationResult,
    Order,
    Reason,
    Supplier,
    allocate_orders,
)

LIMIT = 10.0


def supplier(
    sid: str,
    weekly: list[float],
    price: float = 10.0,
    category: str = "stitching",
    **kw: object,
) -> Supplier:
    return Supplier(id=sid, capacity={category: weekly}, price={category: price}, **kw)  # type: ignore[arg-type]


def order(oid: str, quantity: float, **kw: object) -> Order:
    values: dict[str, object] = {"category": "stitching", "earliest_start": 0, "due": 3}
    values.update(kw)
    return Order(id=oid, quantity=quantity, **values)  # type: ignore[arg-type]


def solve(
    orders: list[Order], suppliers: list[Supplier], weeks: int = 4, **kw: object
) -> AllocationResult:
    problem = AllocationProblem(orders=orders, suppliers=suppliers, weeks=weeks, **kw)  # type: ignore[arg-type]
    return allocate_orders(problem, "mip", LIMIT)


def served(result: AllocationResult, oid: str, sid: str | None = None) -> float:
    return sum(
        a.quantity for a in result.assignments if a.order_id == oid and sid in (None, a.supplier_id)
    )


def only_unmet(result: AllocationResult) -> tuple[str, float, Reason]:
    assert len(result.unmet) == 1, result.unmet
    u = result.unmet[0]
    return u.order_id, u.quantity, u.reason


def test_weekly_capacity_holds_and_the_rest_is_unmet_for_capacity_in_window() -> None:
    result = solve([order("o", 250, due=1)], [supplier("a", [100, 100, 500, 500])])
    by_week = {a.week: a.quantity for a in result.assignments}
    assert by_week == pytest.approx({0: 100, 1: 100})
    assert only_unmet(result) == ("o", pytest.approx(50), Reason.CAPACITY_IN_WINDOW)


def test_production_fits_between_earliest_start_and_due_less_the_lead_time() -> None:
    result = solve(
        [order("o", 100, earliest_start=1, due=3)],
        [supplier("a", [1000] * 4, lead_weeks=1)],
    )
    assert {a.week for a in result.assignments} <= {1, 2}
    late = solve([order("o", 100, due=1)], [supplier("a", [1000] * 4, lead_weeks=2)])
    oid, _, reason = only_unmet(late)
    assert reason is Reason.NO_ELIGIBLE_SUPPLIER
    assert late.unmet[0].excluded == {"dates": 1}


def test_impossible_dates_of_the_order_itself() -> None:
    result = solve([order("o", 10, earliest_start=3, due=1)], [supplier("a", [100] * 4)])
    assert only_unmet(result)[2] is Reason.INVALID_DATES


def test_certificates_and_category_decide_eligibility_and_are_counted() -> None:
    suppliers = [
        supplier("cheap-uncertified", [1000] * 4, price=5),
        supplier("wrong-link", [1000] * 4, category="lasting", certificates=frozenset({"lwg"})),
        supplier("certified", [1000] * 4, price=9, certificates=frozenset({"lwg", "iso"})),
    ]
    result = solve([order("o", 100, certificates=frozenset({"lwg"}))], suppliers)
    assert served(result, "o", "certified") == pytest.approx(100) and not result.unmet
    nobody = solve([order("o", 100, certificates=frozenset({"lwg"}))], suppliers[:2])
    assert only_unmet(nobody)[2] is Reason.NO_ELIGIBLE_SUPPLIER
    assert nobody.unmet[0].excluded == {"certificate": 1, "category": 1}


def test_minimum_lot_per_supplier_when_split() -> None:
    suppliers = [supplier("a", [25] * 4, price=9), supplier("b", [10] * 4, price=10)]
    result = solve([order("o", 120, min_lot=50)], suppliers)
    assert served(result, "o", "b") == 0  # 40 units in b's window: below the lot
    assert only_unmet(result) == ("o", pytest.approx(20), Reason.MIN_LOT)
    without = solve([order("o", 120)], suppliers)
    assert served(without, "o", "b") == pytest.approx(20) and not without.unmet


def test_an_unsplittable_order_goes_to_one_supplier_or_is_unmet() -> None:
    suppliers = [supplier("a", [15] * 4), supplier("b", [15] * 4)]
    whole = solve([order("o", 100, splittable=False)], suppliers)
    assert only_unmet(whole) == ("o", pytest.approx(100), Reason.UNSPLITTABLE)
    fits = solve([order("o", 50, splittable=False)], suppliers)
    assert len({a.supplier_id for a in fits.assignments}) == 1 and not fits.unmet


def test_maximum_share_of_an_order_per_supplier() -> None:
    result = solve([order("o", 100, max_share=0.6)], [supplier("a", [1000] * 4)])
    assert served(result, "o") == pytest.approx(60)
    assert only_unmet(result) == ("o", pytest.approx(40), Reason.MAX_SHARE)


def test_maximum_share_of_the_period_volume_per_supplier() -> None:
    suppliers = [supplier("a", [1000] * 4, price=5), supplier("b", [1000] * 4, price=9)]
    orders = [order("o1", 150), order("o2", 50)]
    result = solve(orders, suppliers, max_supplier_share=0.5)
    volume_a = sum(a.quantity for a in result.assignments if a.supplier_id == "a")
    assert volume_a == pytest.approx(100) and not result.unmet


def test_local_bonus_changes_the_choice() -> None:
    suppliers = [
        supplier("local", [1000] * 4, price=10.0, in_cluster=True),
        supplier("far", [1000] * 4, price=9.8, in_cluster=False),
    ]
    with_bonus = solve([order("o", 100)], suppliers, local_bonus=0.05)
    assert served(with_bonus, "o", "local") == pytest.approx(100)
    no_bonus = solve([order("o", 100)], suppliers, local_bonus=0.0)
    assert served(no_bonus, "o", "far") == pytest.approx(100)


def test_capacity_taken_by_other_orders() -> None:
    orders = [order("o1", 100, splittable=False), order("o2", 100, splittable=False, due=3)]
    result = solve(orders, [supplier("a", [40] * 4)])
    assert only_unmet(result)[1:] == (pytest.approx(100), Reason.CAPACITY_TAKEN)


def test_price_over_target_excludes_a_supplier() -> None:
    result = solve(
        [order("o", 10, target_price=8.0)],
        [supplier("a", [100] * 4, price=10.0)],
        max_price_over_target=0.1,
    )
    assert only_unmet(result)[2] is Reason.NO_ELIGIBLE_SUPPLIER
    assert result.unmet[0].excluded == {"price": 1}


# --- random instances against brute force ---------------------------------------------------


def brute_force(problem: AllocationProblem) -> float:
    """Unsplittable orders over two weeks: every choice of a supplier (or none) per order;
    a supplier's set is feasible when week-0-only, week-1-only and all orders each fit."""
    penalty = 100.0 * max(s.price["stitching"] for s in problem.suppliers)
    best = np.inf
    n_sup = len(problem.suppliers)
    for choice in itertools.product(range(-1, n_sup), repeat=len(problem.orders)):
        cost = 0.0
        ok = True
        for i, s in enumerate(problem.suppliers):
            mine = [o for o, c in zip(problem.orders, choice, strict=True) if c == i]
            cap = s.capacity["stitching"]
            only0 = only1 = both = 0.0
            for o in mine:
                last = min(o.due - s.lead_weeks, 1)
                first = o.earliest_start
                if first > last:
                    ok = False
                elif first == last == 0:
                    only0 += o.quantity
                elif first == last == 1:
                    only1 += o.quantity
                else:
                    both += o.quantity
            if only0 > cap[0] or only1 > cap[1] or only0 + only1 + both > cap[0] + cap[1]:
                ok = False
            unit = s.price["stitching"] * (1 - problem.local_bonus if s.in_cluster else 1)
            cost += unit * sum(o.quantity for o in mine)
        if not ok:
            continue
        cost += penalty * sum(
            o.quantity for o, c in zip(problem.orders, choice, strict=True) if c < 0
        )
        best = min(best, cost)
    return best


@pytest.mark.parametrize("seed", range(10))
def test_mip_matches_brute_force_on_random_unsplittable_instances(seed: int) -> None:
    rng = np.random.default_rng(seed)
    suppliers = [
        supplier(
            f"s{i}",
            [float(rng.integers(0, 60)), float(rng.integers(0, 60))],
            price=float(rng.integers(5, 15)),
            lead_weeks=int(rng.integers(0, 2)),
            in_cluster=bool(rng.random() < 0.5),
        )
        for i in range(3)
    ]
    orders = []
    for j in range(4):
        start = int(rng.integers(0, 2))
        orders.append(
            order(
                f"o{j}",
                float(rng.integers(5, 50)),
                splittable=False,
                earliest_start=start,
                due=int(rng.integers(start, 2)),
            )
        )
    problem = AllocationProblem(orders=orders, suppliers=suppliers, weeks=2)
    optimum = brute_force(problem)
    ours = allocate_orders(problem, "mip", LIMIT)
    assert ours.objective == pytest.approx(optimum, rel=1e-6)
    assert ours.status == "optimal"
    greedy = allocate_orders(problem, "greedy", LIMIT)
    assert greedy.objective >= optimum - 1e-6
    for result in (ours, greedy):  # every assignment within capacity and window
        for s in suppliers:
            for week in (0, 1):
                used = sum(
                    a.quantity
                    for a in result.assignments
                    if a.supplier_id == s.id and a.week == week
                )
                assert used <= s.capacity["stitching"][week] + 1e-6
