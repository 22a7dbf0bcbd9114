"""A support program in the `world` cluster `a` with two weighted criteria, three submitted
applications and three reviewers (two association staff, one office user)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from awarddata import make_application, make_program  # noqa: E402

import factories  # noqa: E402


@pytest.fixture
def grant(world):
    from clusterbrain.accounts.models import Role

    program = make_program(world.a)
    apps = SimpleNamespace(
        own=make_application(program, world.own),
        sharing=make_application(program, world.sharing),
        other=make_application(program, world.other, requested="900000.00"),
    )
    reviewers = SimpleNamespace(
        assoc=world.users.association,
        assoc2=factories.user(Role.ASSOCIATION, cluster=world.a, username="assoc-a2"),
        office=factories.user(Role.OFFICE, cluster=world.a, username="office-a2"),
    )
    return SimpleNamespace(
        program=program, apps=apps, reviewers=reviewers, office=world.users.office
    )
