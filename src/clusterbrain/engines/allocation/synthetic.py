"""Seeded cluster instances for tests and the benchmark: open orders of a period, suppliers
with weekly capacity calendars, prices, lead times, certificates, in or out of the cluster."""

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
    load: float = 0.5,
) -> AllocationProblem:
    """Orders ask for about `load` of the cluster's capacity in their categories overall."""
    rng = np.random.default_rng(seed)
    supplier_list = []
    cap_by_category = dict.fromkeys(CATEGORIES, 0.0)
    for i in range(suppliers):
        cats = rng.choice(len(CATEGORIES), size=int(rng.integers(1, 3)), replace=False)
        base = float(rng.lognormal(np.log(400), 0.6))
        capacity, price = {}, {}
        for c in cats.tolist():
            name = CATEGORIES[c]
            weekly = base * rng.uniform(0.6, 1.4, size=weeks)
            weekly[rng.random(weeks) < 0.08] = 0.0  # holidays and maintenance
            capacity[name] = [round(float(v)) for v in weekly]
            price[name] = round(float(rng.uniform(8, 16) * (1 + 0.1 * c)), 2)
            cap_by_category[name] += float(sum(capacity[name]))
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
    demand_share = rng.dirichlet(np.ones(len(CATEGORIES)) * 5)
    total_cap = sum(cap_by_category.values())
    order_list = []
    for j in range(orders):
        c = int(rng.choice(len(CATEGORIES), p=demand_share))
        name = CATEGORIES[c]
        mean = load * cap_by_category[name] / max(orders * demand_share[c], 1.0)
        quantity = float(round(max(50.0, rng.lognormal(np.log(mean), 0.5))))
        start = int(rng.integers(0, weeks - 2))
        due = min(weeks - 1, start + int(rng.integers(2, 7)))
        splittable = bool(rng.random() < 0.7)
        order_list.append(
            Order(
                id=f"O{j:05d}",
                category=name,
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
    del total_cap
    return AllocationProblem(
        orders=order_list,
        suppliers=supplier_list,
        weeks=weeks,
        local_bonus=0.05,
        transport_per_unit_km=0.002,
        max_supplier_share=0.05,
    )
