"""A regional brand of the `world` cluster `a` and one licence of it held by `own`."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

import factories
from clusterbrain.brand import services

TODAY = timezone.localdate()


@pytest.fixture
def brand(world):
    return factories.brand(
        world.a,
        None,
        is_regional=True,
        name_zh="狮岭皮具",
        name_en="Shiling Leather",
        countries_registered=["CN", "US", "DE", "IT"],
    )


@pytest.fixture
def licence(world, brand):
    return services.grant_licence(
        world.users.association,
        brand,
        licensee=world.own,
        products=["手袋 Handbags", "钱包 Wallets"],
        countries=["CN", "DE"],
        valid_from=TODAY - datetime.timedelta(days=30),
        valid_until=TODAY + datetime.timedelta(days=700),
        terms="CONFIDENTIAL-TERMS royalty 1.5 %",
    )
