"""Demo data of leading + matching, written for each demo cluster right after its registry
(demo.loader.load_cluster calls `load_matching_demo` in the same transaction):

- offers (price, lead time, tier) and a 16-week capacity calendar for up to 12 suppliers in each
  of the cluster's four busiest outsourced links, from their chain roles' monthly capacity;
- two years of completed orders of the leading firms (on-time and quality records, the
  localisation of outsourced value over time);
- open orders of the leading firms for the coming weeks, one allocation run over them, the
  proposals of every second leading firm confirmed (its suppliers have offers to answer).

Deterministic for a seed; dates follow the day of the build (`today`).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db.models import Count

from clusterbrain.matching import services
from clusterbrain.matching.models import (
    Assignment,
    CapacityWeek,
    OutsourcingOrder,
    QualityTier,
    SupplierOffer,
)
from clusterbrain.matching.problem import week_of
from clusterbrain.registry.models import Cluster, Enterprise, EnterpriseRole

# The processes leading firms outsource, per chain template, with a typical price per unit.
OUTSOURCED = {
    "footwear": {
        "cutting": 4.0,
        "upper_stitching": 12.0,
        "lasting_sole": 15.0,
        "finishing_packing": 3.0,
        "soles_heels": 9.0,
    },
    "leather_goods": {"cutting": 6.0, "sewing": 25.0, "finishing": 8.0, "inspection_packing": 2.0},
    "leather_garments": {"cutting_sewing": 60.0, "fur_collar": 30.0, "dyeing_finishing": 20.0},
    "cocoon_silk": {"reeling": 52000.0, "throwing": 8000.0, "weaving_knitting": 12.0},
}
SUPPLIERS_PER_LINK = 12
CALENDAR_WEEKS = 16
LEADING_FIRMS = 6


def _links(cluster: Cluster) -> dict[int, tuple[str, float]]:
    """The outsourced links of the cluster's template that have firms: link id → (code, price)."""
    prices = OUTSOURCED.get(cluster.chain_template.slug, {})
    rows = (
        EnterpriseRole.objects.filter(
            enterprise__cluster=cluster, enterprise__is_leading=False, link__code__in=prices
        )
        .values("link_id", "link__code")
        .annotate(n=Count("enterprise", distinct=True))
        .order_by("-n", "link__code")
    )
    return {row["link_id"]: (row["link__code"], prices[row["link__code"]]) for row in rows[:4]}


def _price(base: float, rng: random.Random) -> Decimal:
    return Decimal(str(round(base * rng.uniform(0.85, 1.2), 2)))


def load_matching_demo(
    cluster: Cluster, *, today: datetime.date | None = None, seed: int = 4
) -> int:
    """Write the cluster's matching demo data; returns the number of orders. Nothing when the
    cluster has no leading firm or no firm in an outsourced link."""
    rng = random.Random(f"{cluster.slug}-{seed}")
    today = today or datetime.date.today()
    links = _links(cluster)
    leading = list(
        Enterprise.objects.filter(cluster=cluster, is_leading=True, in_cluster=True).order_by("pk")[
            :LEADING_FIRMS
        ]
    )
    if not links or not leading:
        return 0
    monday = week_of(today)
    suppliers: dict[int, list[tuple[Enterprise, float]]] = {}
    offers, calendar = [], []
    for link_id, (_code, base) in links.items():
        roles = (
            EnterpriseRole.objects.filter(
                link_id=link_id, enterprise__cluster=cluster, enterprise__is_leading=False
            )
            .select_related("enterprise")
            .order_by("enterprise_id")
        )
        chosen: dict[int, tuple[Enterprise, float]] = {}
        for role in roles:
            if len(chosen) >= SUPPLIERS_PER_LINK:
                break
            if role.enterprise_id not in chosen and role.capacity_per_month > 0:
                chosen[role.enterprise_id] = (role.enterprise, role.capacity_per_month / 4.33)
        suppliers[link_id] = list(chosen.values())
        for firm, weekly in chosen.values():
            offers.append(
                SupplierOffer(
                    enterprise=firm,
                    link_id=link_id,
                    unit_price=_price(base, rng) if firm.in_cluster else _price(base * 0.9, rng),
                    lead_weeks=0 if firm.in_cluster else rng.choice((1, 2)),
                    quality_tier=QualityTier.PREMIUM
                    if firm.above_designated_size
                    else QualityTier.STANDARD,
                )
            )
            for w in range(CALENDAR_WEEKS):
                calendar.append(
                    CapacityWeek(
                        enterprise=firm,
                        link_id=link_id,
                        week=monday + datetime.timedelta(weeks=w),
                        units=round(weekly * rng.uniform(0.7, 1.1)),
                    )
                )
    SupplierOffer.objects.bulk_create(offers)
    CapacityWeek.objects.bulk_create(calendar, batch_size=2000)
    count = _history(cluster, leading, links, suppliers, rng, today)
    count += _open_orders(cluster, leading, links, suppliers, rng, monday)
    run = services.allocate_period(cluster, monday + datetime.timedelta(weeks=1), 12, 10.0)
    for i, firm in enumerate(leading):
        if i % 2:
            continue
        for order in OutsourcingOrder.objects.filter(
            buyer=firm, status=OutsourcingOrder.Status.PROPOSED, assignments__run=run
        ).distinct():
            services.confirm_proposal(_BuyerStandIn(firm), order)
    return count


class _BuyerStandIn:
    """Acts as the leading firm's own user when the demo confirms its proposals."""

    is_authenticated = True
    is_superuser = True
    role = "admin"

    def __init__(self, firm: Enterprise) -> None:
        self.enterprise_id = firm.pk


def _history(
    cluster: Cluster,
    leading: list[Enterprise],
    links: dict[int, tuple[str, float]],
    suppliers: dict[int, list[tuple[Enterprise, float]]],
    rng: random.Random,
    today: datetime.date,
) -> int:
    """Completed orders of the last two years, each split between two or three suppliers."""
    count = 0
    for year in (today.year - 2, today.year - 1):
        for firm in leading:
            for _n in range(3):
                link_id = rng.choice(list(links))
                pool = suppliers[link_id]
                if not pool:
                    continue
                due = datetime.date(year, rng.randint(2, 11), rng.randint(1, 28))
                parts = rng.sample(pool, min(len(pool), rng.randint(2, 3)))
                quantity = sum(round(weekly * rng.uniform(0.5, 1.5)) for _f, weekly in parts)
                order = OutsourcingOrder.objects.create(
                    cluster=cluster,
                    buyer=firm,
                    link_id=link_id,
                    product_category=_category(cluster, rng),
                    quantity=max(quantity, 1),
                    unit=_unit(link_id),
                    target_unit_price=_price(links[link_id][1], rng),
                    earliest_start=due - datetime.timedelta(weeks=5),
                    due_date=due,
                    status=OutsourcingOrder.Status.COMPLETED,
                    is_demo=True,
                )
                share = order.quantity / len(parts)
                for supplier, _weekly in parts:
                    late = rng.random() < 0.15
                    passed = rng.random() > 0.1
                    offer = SupplierOffer.objects.get(enterprise=supplier, link_id=link_id)
                    delivered = due + datetime.timedelta(days=rng.randint(1, 6) if late else -2)
                    Assignment.objects.create(
                        order=order,
                        supplier=supplier,
                        quantity=round(share),
                        unit_price=offer.unit_price,
                        status=Assignment.Status.COMPLETED,
                        produced=round(share),
                        delivered_on=delivered,
                        delivered_quantity=round(share),
                        on_time=not late,
                        quality_passed=passed,
                        accepted_quantity=round(share) if passed else 0,
                    )
                count += 1
    return count


def _open_orders(
    cluster: Cluster,
    leading: list[Enterprise],
    links: dict[int, tuple[str, float]],
    suppliers: dict[int, list[tuple[Enterprise, float]]],
    rng: random.Random,
    monday: datetime.date,
) -> int:
    count = 0
    for firm in leading:
        for n in range(3):
            link_id = rng.choice(list(links))
            weekly = sorted(w for _f, w in suppliers[link_id]) or [100.0]
            start = monday + datetime.timedelta(weeks=1 + rng.randint(0, 3))
            weeks = rng.randint(3, 6)
            OutsourcingOrder.objects.create(
                cluster=cluster,
                buyer=firm,
                link_id=link_id,
                product_category=_category(cluster, rng),
                quantity=round(weekly[len(weekly) // 2] * weeks * rng.uniform(0.6, 1.6)),
                unit=_unit(link_id),
                target_unit_price=_price(links[link_id][1], rng),
                earliest_start=start,
                due_date=start + datetime.timedelta(weeks=weeks, days=-1),
                splittable=n != 2,
                min_lot=0 if n != 1 else round(weekly[0]),
                max_share=1.0 if n != 1 else 0.6,
                quality_tier=QualityTier.PREMIUM if n == 1 else QualityTier.STANDARD,
                local_preference=OutsourcingOrder.LocalPreference.ONLY
                if n == 0
                else OutsourcingOrder.LocalPreference.PREFER,
                is_demo=True,
            )
            count += 1
    # One order asking for what few suppliers have: where none has it, the demo shows the reason.
    link_id = next(iter(links))
    start = monday + datetime.timedelta(weeks=2)
    OutsourcingOrder.objects.create(
        cluster=cluster,
        buyer=leading[0],
        link_id=link_id,
        product_category=_category(cluster, rng),
        quantity=5000,
        unit=_unit(link_id),
        target_unit_price=_price(links[link_id][1], rng),
        earliest_start=start,
        due_date=start + datetime.timedelta(weeks=4, days=-1),
        required_certificates=["lwg_gold", "chrome_free"],
        local_preference=OutsourcingOrder.LocalPreference.ONLY,
        is_demo=True,
    )
    return count + 1


def _unit(link_id: int) -> str:
    from clusterbrain.chains.models import ChainLink

    return ChainLink.objects.filter(pk=link_id).values_list("unit", flat=True).first() or ""


CATEGORIES = {
    "footwear": ["男士商务皮鞋", "女士短靴", "休闲运动鞋", "儿童凉鞋"],
    "leather_goods": ["女士手袋", "商务公文包", "拉杆箱", "钱包"],
    "leather_garments": ["羊皮夹克", "皮草领大衣", "机车皮衣"],
    "cocoon_silk": ["桑蚕丝 6A", "真丝素绉缎", "蚕丝被面料"],
}


def _category(cluster: Cluster, rng: random.Random) -> str:
    return rng.choice(CATEGORIES.get(cluster.chain_template.slug, ["产品"]))


def demo_supplier(cluster: Cluster) -> Enterprise | None:
    """The supplier the demo's supplier login works for: one with an order offered to it."""
    assignment = (
        Assignment.objects.filter(
            order__cluster=cluster, status=Assignment.Status.OFFERED, order__is_demo=True
        )
        .select_related("supplier")
        .order_by("supplier_id")
        .first()
    )
    return assignment.supplier if assignment else None
