"""The exhibitions demo on a small stand-in for Xinji: a past fair allocated with leads, an
upcoming one open for sign-up; the allocation honours the rule and books no booth twice."""

from __future__ import annotations

import pytest
from django.utils import timezone

import factories
from clusterbrain.exhibitions.demo import load_exhibitions_demo
from clusterbrain.exhibitions.models import BoothAssignment, Exhibition, Lead

pytestmark = pytest.mark.django_db


def test_demo_exhibitions(world):
    xinji = factories.cluster(slug="xinji")
    for i in range(15):
        factories.enterprise(xinji, is_member=True, is_leading=i == 0)
    load_exhibitions_demo(xinji, seed=3)
    past, upcoming = sorted(Exhibition.objects.filter(cluster=xinji), key=lambda e: e.starts_on)
    today = timezone.localdate()
    assert past.ends_on < today and past.scope == "domestic"
    assert upcoming.signup_deadline > today and upcoming.scope == "abroad"
    given = BoothAssignment.objects.filter(booth__exhibition=past)
    asked = sum(s.booths_requested for s in past.signups.all())
    assert given.count() == min(asked, past.booths.count())
    assert Lead.objects.filter(signup__exhibition=past).count() > 0
    assert not BoothAssignment.objects.filter(booth__exhibition=upcoming).exists()
    assert upcoming.signups.count() == 5
