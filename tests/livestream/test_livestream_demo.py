"""The demo base: written for Xinji-like clusters only, consistent with the services' rules,
and the planted streamer ranks first for her category."""

from __future__ import annotations

import datetime

import pytest

import factories
from clusterbrain.livestream import selectors
from clusterbrain.livestream.demo import load_livestream_demo
from clusterbrain.livestream.models import LivestreamSession, SessionItem

pytestmark = pytest.mark.django_db


def test_demo_base(world):
    xinji = factories.cluster(slug="xinji")
    for _ in range(8):
        factories.enterprise(xinji, in_cluster=True)
    assert load_livestream_demo(world.a) == 0  # no base in other clusters
    n = load_livestream_demo(xinji, today=datetime.date(2026, 11, 24))
    assert n == 49
    done = LivestreamSession.objects.filter(cluster=xinji, status="done")
    assert done.count() == 45
    for s in done:
        assert 0 <= (s.returns_value or 0) <= (s.gmv or 0)
        assert (s.peak_viewers or 0) <= (s.viewers or 0)
        items = SessionItem.objects.filter(session=s)
        assert abs(sum(i.gmv for i in items) - (s.gmv or 0)) < 1
    # one streamer's sessions never overlap (one a day at most)
    days = [
        (s.streamer_id, s.start.date()) for s in LivestreamSession.objects.filter(cluster=xinji)
    ]
    assert len(days) == len(set(days))
    ranked = selectors.matches(xinji, world.users.admin, category="shearling_coat")
    assert ranked[0].streamer.name == "皮草小雪"
