"""An exhibition of the `world` cluster `a` open for sign-up, with a booth plan of two zones."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clusterbrain.exhibitions import services


@pytest.fixture
def fair(world):
    today = timezone.localdate()
    e = services.create_exhibition(
        world.users.association,
        world.a,
        name_zh="海宁皮革展",
        name_en="Haining Leather Fair",
        venue="Haining Expo",
        city_zh="海宁",
        city_en="Haining",
        country="CN",
        scope="domestic",
        starts_on=today + datetime.timedelta(days=20),
        ends_on=today + datetime.timedelta(days=22),
        signup_deadline=today + datetime.timedelta(days=10),
        booth_fee="6800",
    )
    services.add_booths(
        world.users.association,
        e,
        [
            {"code": "A01", "area_m2": "9", "zone": "A", "corner": True},
            {"code": "A02", "area_m2": "9", "zone": "A"},
            {"code": "B01", "area_m2": "18", "zone": "B"},
            {"code": "B02", "area_m2": "18", "zone": "B", "corner": True},
        ],
    )
    assert e.booth_fee == Decimal("6800.00")
    return e
