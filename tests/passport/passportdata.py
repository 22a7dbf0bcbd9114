"""Passport test data: the demo chain builders run on the `world` firms at a small size."""

from __future__ import annotations

import datetime
from typing import Any

import factories


def leather_chain(world: Any) -> Any:
    from clusterbrain.passport.demo import xinji_chain
    from clusterbrain.registry.models import Certification

    factories.certification(
        world.own,
        Certification.Kind.LWG_GOLD,
        valid_until=datetime.date.today() + datetime.timedelta(days=300),
        issuer="Leather Working Group",
    )
    return xinji_chain(
        world.a,
        firms={"trader": [world.sharing], "tannery": [world.own], "garments": [world.leading]},
    )


def silk_chain(world: Any) -> Any:
    from clusterbrain.passport.demo import hechi_chain

    return hechi_chain(
        world.a,
        households=12,
        firms={
            "coop": [world.other],
            "station": [world.other, world.sharing],
            "mill": [world.sharing],
            "weaver": [world.own],
            "maker": [world.own],
        },
    )
