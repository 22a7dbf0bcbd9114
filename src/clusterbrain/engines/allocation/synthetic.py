"""Seeded cluster instances for tests and the benchmark: open orders of a period, suppliers
with weekly capacity calendars, prices, lead times, certificates, in or out of the cluster.

The load is set per chain link and week, where it binds: each order's quantity is spread evenly
over the weeks of its window (from earliest start to due less the typical lead time of a week),
and the quantities of each link are scaled so that in its busiest week the link's capacity is
`slack` times that demand (1.3: 30% more capacity than orders, in the tightest week; the other
weeks have more). Unmet quantity is then the exception that certificates, lead times, minimum
lots and unsplittable orders make it, not the rule. Unsplittable orders are sized for one
supplier (about one to two weeks of a typical supplier's capacity), as a brand sizes an order it
will not split; split orders are larger.
"""

from __future__ import annotations

import numpy as np

from clusterbrain.engines.allocation.model import AllocationProblem, Order, Supplier

CATEGORIES = ("cutting", "stitching", "lasting", "finishing", "sole_making", "reeling")
CERTIFICATES = ("lwg_silver", "chrome_free", "iso9001")


def generate_cluster_problem(
    orders: int = 2000,
    suppliers: int = 500,
    weeks: int = 12,
    seed: int = 0,
    load: float | None = None,
    slack: float = 1.3,
) -> AllocationProblem:
    """`slack`: capacity over demand in each link's busiest week (see the module's note).
    `load` (optional, older form): demand as a share of each link's capacity over the whole
    period instead, ignoring when the orders fall (0.5 overloads the weeks most orders share)."""
    rng = np.random.default_rng(seed)
    supplier_list = []
    n_cat = len(CATEGORIES)
    cap = np.zeros((n_cat, weeks))
    weekly_base = []
    for i in range(suppliers):
        cats = rng.choice(n_cat, size=int(rng.integers(1, 3)), replace=False)
        base = float(rng.lognormal(np.log(400), 0.6))
        weekly_base.append(base)
        capacity, price = {}, {}
        for c in cats.tolist():
            name = CATEGORIES[c]
            weekly = base * rng.uniform(0.6, 1.4, size=weeks)
            weekly[rng.random(weeks) < 0.08] = 0.0  # holidays and maintenance
            capacity[name] = [round(float(v)) for v in weekly]
            price[name] = round(float(rng.uniform(8, 16) * (1 + 0.1 * c)), 2)
            cap[c] += np.array(capacity[name], dtype=float)
        certs = frozenset(c for c in CERTIFICATES if rng.random() < 0.45)
        local = bool(rng.random() < 0.7)
        supplier_list.append(
            Supplier(
                id=f"S{i:04d}",
                capacity=capacity,
                price=price,
                lead_weeks=int(rng.integers(0, 3)),
                certificates=certs,
                in_cluster=local,
                distance_km=float(rng.uniform(1, 30) if local else rng.uniform(80, 600)),
            )
        )
    typical = float(np.median(weekly_base)) if weekly_base else 400.0
    demand_share = rng.dirichlet(np.ones(n_cat) * 5)
    drafts = []
    spread = np.zeros((n_cat, weeks))
    for _ in range(orders):
        c = int(rng.choice(n_cat, p=demand_share))
        start = int(rng.integers(0, max(weeks - 2, 1)))
        due = min(weeks - 1, start + int(rng.integers(2, 7)))
        splittable = bool(rng.random() < 0.7)
        # relative size: split orders several suppliers' worth, whole ones one supplier's
        size = float(rng.lognormal(np.log(4.0 if splittable else 1.0), 0.5))
        last = max(start, due - 1)  # a typical lead time of one week
        spread[c, start : last + 1] += size / (last - start + 1)
        drafts.append((c, start, due, splittable, size))
    scale = np.zeros(n_cat)
    for c in range(n_cat):
        if load is not None:
            total = float(sum(d[4] for d in drafts if d[0] == c))
            scale[c] = load * cap[c].sum() / max(total, 1e-9)
        else:
            busy = spread[c] > 0
            ratio = cap[c][busy] / (slack * spread[c][busy]) if busy.any() else np.array([0.0])
            scale[c] = float(ratio.min())
    order_list = []
    for j, (c, start, due, splittable, size) in enumerate(drafts):
        quantity = float(max(20.0, round(scale[c] * size)))
        if not splittable:  # one supplier must be able to take it in its window
            quantity = float(min(quantity, round(typical * float(rng.uniform(0.6, 2.0)))))
        order_list.append(
            Order(
                id=f"O{j:05d}",
                category=CATEGORIES[c],
                quantity=quantity,
                earliest_start=start,
                due=due,
                certificates=frozenset(c for c in CERTIFICATES if rng.random() < 0.2),
                splittable=splittable,
                min_lot=round(quantity * float(rng.uniform(0.1, 0.3))) if splittable else 0.0,
                max_share=0.6 if splittable and rng.random() < 0.3 else 1.0,
                target_price=None,
            )
        )
    return AllocationProblem(
        orders=order_list,
        suppliers=supplier_list,
        weeks=weeks,
        local_bonus=0.05,
        transport_per_unit_km=0.002,
        max_supplier_share=0.05,
    )
