"""A small outsourcing market on the shared `world` (tests/conftest.py): the leading firm of
cluster `alpha` buys sewing; three suppliers quote for it.

- `near` (world.own): in the cluster, LWG gold, premium tier, 12 yuan, 100 a week, lead 0;
- `cheap` (world.sharing): in the cluster, no certificate, 10 yuan, 60 a week, lead 0;
- `far`: registered in the cluster but located outside it, 9 yuan, 200 a week, lead 1.

Weeks start next Monday (`monday`), so every date is in the future whenever the tests run."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import factories


def build_market(world: SimpleNamespace) -> SimpleNamespace:
    from django.utils import timezone

    from clusterbrain.accounts.models import Role
    from clusterbrain.matching import services
    from clusterbrain.matching.problem import week_of
    from clusterbrain.registry.models import Certification, Enterprise

    a = world.a
    a.latitude, a.longitude = 23.46, 113.15
    a.save()
    monday = week_of(timezone.localdate()) + datetime.timedelta(weeks=1)
    near, cheap = world.own, world.sharing
    near.latitude, near.longitude = 23.45, 113.14
    near.save()
    cheap.latitude, cheap.longitude, cheap.size_class = 23.47, 113.16, Enterprise.SizeClass.MICRO
    cheap.save()
    far = factories.enterprise(
        a,
        name_zh="外地车缝",
        name_en="Far Sewing",
        in_cluster=False,
        latitude=28.7,
        longitude=115.9,
    )
    world.leading.latitude, world.leading.longitude = 23.46, 113.15
    world.leading.save()
    factories.certification(near, Certification.Kind.LWG_GOLD)
    users = world.users
    users.buyer = factories.user(Role.ENTERPRISE, enterprise=world.leading, username="buyer")
    users.near = world.users.enterprise
    users.cheap = factories.user(Role.ENTERPRISE, enterprise=cheap, username="cheap-user")
    users.far = factories.user(Role.ENTERPRISE, enterprise=far, username="far-user")
    for firm, user, price, units, lead, tier in (
        (near, users.near, "12", 100, 0, "premium"),
        (cheap, users.cheap, "10", 60, 0, "standard"),
        (far, users.far, "9", 200, 1, "standard"),
    ):
        factories.role(firm, "sewing", capacity=units * 4)
        services.set_offer(
            user,
            firm,
            {"link_code": "sewing", "unit_price": price, "lead_weeks": lead, "quality_tier": tier},
        )
        services.set_capacity(
            user,
            firm,
            "sewing",
            {(monday + datetime.timedelta(weeks=i)).isoformat(): units for i in range(8)},
        )
    return SimpleNamespace(
        world=world,
        cluster=a,
        leading=world.leading,
        near=near,
        cheap=cheap,
        far=far,
        users=users,
        monday=monday,
    )


def order_data(market: SimpleNamespace, **changes: object) -> dict[str, object]:
    """A valid order: 300 pairs of sewing in the market's first four weeks."""
    data: dict[str, object] = {
        "link_code": "sewing",
        "product_category": "women's boots",
        "quantity": 300,
        "target_unit_price": "11",
        "earliest_start": market.monday.isoformat(),
        "due_date": (market.monday + datetime.timedelta(days=27)).isoformat(),
    }
    data.update(changes)
    return data
