"""A small base in the `world` cluster `a`: two streamers, three firms featured in sessions."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from clusterbrain.livestream import services

T0 = timezone.make_aware(datetime.datetime(2026, 3, 2, 19, 0))


def at(days: int, hours: int = 0) -> datetime.datetime:
    return T0 + datetime.timedelta(days=days, hours=hours)


@pytest.fixture
def base(world):
    assoc = world.users.association
    bags = services.save_streamer(
        assoc,
        world.a,
        name="小美",
        platform="douyin",
        categories=["bags"],
        followers=120_000,
        commission_rate=0.1,
    )
    shoes = services.save_streamer(
        assoc,
        world.a,
        name="Shoe Sam",
        platform="kuaishou",
        categories=["shoes"],
        followers=50_000,
        commission_rate=0.05,
    )
    firms = [world.own, world.sharing, world.other]
    done = services.schedule_session(
        assoc, bags, start=at(0), duration_minutes=120, firms=firms, slot_fee=1000
    )
    services.record_results(
        assoc,
        done,
        results={
            "viewers": 10_000,
            "peak_viewers": 2_000,
            "items_shown": 30,
            "orders": 500,
            "gmv": 50_000,
            "returns_value": 5_000,
        },
        commission=1_000,
        items=[
            {
                "enterprise": world.own.pk,
                "category": "bags",
                "units": 100,
                "gmv": 20_000,
                "returns_value": 2_000,
            },
            {
                "enterprise": world.sharing.pk,
                "category": "bags",
                "units": 100,
                "gmv": 20_000,
                "returns_value": 2_000,
            },
            {
                "enterprise": world.other.pk,
                "category": "belts",
                "units": 50,
                "gmv": 10_000,
                "returns_value": 1_000,
            },
        ],
    )
    two = services.schedule_session(
        assoc,
        shoes,
        start=at(1),
        duration_minutes=60,
        firms=[world.own, world.sharing],
        slot_fee=500,
    )
    services.record_results(
        assoc,
        two,
        results={"viewers": 5_000, "orders": 50, "gmv": 8_000, "returns_value": 2_000},
        commission=500,
        items=[
            {"enterprise": world.own.pk, "category": "shoes", "gmv": 6_000, "returns_value": 1_500},
            {
                "enterprise": world.sharing.pk,
                "category": "shoes",
                "gmv": 2_000,
                "returns_value": 500,
            },
        ],
    )
    planned = services.schedule_session(
        assoc, bags, start=at(7), duration_minutes=90, firms=[world.own]
    )
    return SimpleNamespace(at=at, bags=bags, shoes=shoes, done=done, two=two, planned=planned)
