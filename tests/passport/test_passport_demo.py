"""The demo chains: Hechi silk and Xinji leather build through EPCIS capture, their passports
resolve by Digital Link, the EUDR-ready lot exports and the tainted one is refused, and a
reload replaces them (trace rows no longer block deleting the demo firms)."""

from __future__ import annotations

import pytest


@pytest.fixture
def demo(db):
    from clusterbrain.demo.loader import ensure_templates, load_demo

    ensure_templates()
    load_demo(["hechi", "xinji"])


def test_demo_chains_build_and_their_passports_resolve(demo, client):
    from clusterbrain.passport.models import Passport
    from clusterbrain.trace.models import Location, Lot

    farms = Location.objects.filter(kind="farm", enterprise__cluster__slug="hechi")
    assert farms.count() == 240
    assert all(23.7 < f.latitude < 25.2 and 107 < f.longitude < 109.1 for f in farms)
    slugs = set(Passport.objects.values_list("slug", flat=True))
    assert slugs == {"hechi-quilt", "hechi-scarf", "xinji-jacket"}
    for p in Passport.objects.all():
        r = client.get(p.path, HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 200, p.path
        assert p.lot.owner == p.enterprise
    quilt = Passport.objects.get(slug="hechi-quilt").snapshot
    assert quilt["origins"]["countries"] == [{"country": "CN", "share_pct": 100.0}]
    assert len({o["region"] for o in quilt["origins"]["items"]}) == 6  # Hechi's six counties
    jacket = Passport.objects.get(slug="xinji-jacket").snapshot
    assert jacket["certificates"]["shares"]["lwg_rated"]["share_pct"] == 100.0
    raw_silk = Lot.objects.filter(material__endswith=".01003")
    dried = Lot.objects.filter(material__endswith=".01002")
    fresh = sum(
        lot.quantity
        for lot in Lot.objects.filter(material__endswith=".01001", location__kind="farm")
    )
    # about 0.125 kg of raw silk per kg of fresh cocoons
    assert sum(x.quantity for x in raw_silk) / fresh == pytest.approx(
        0.42 * 0.98 * 0.30 * 0.97, rel=0.01
    )
    assert dried.exists()


def test_demo_eudr_ready_and_tainted_lots(demo):
    from clusterbrain.errors import InvalidInput
    from clusterbrain.passport import eudr
    from clusterbrain.trace.models import Lot

    ready = Lot.objects.get(key__endswith=".XJ-CF-01")
    statement = eudr.eudr_export(None, ready).statement
    assert statement["commodities"][0]["countriesOfProduction"] == ["BR", "CN"]
    with pytest.raises(InvalidInput):
        eudr.eudr_export(None, Lot.objects.get(key__endswith=".XJ-CF-02"))


def test_demo_reload_replaces_the_chains(demo):
    from clusterbrain.demo.loader import load_demo
    from clusterbrain.passport.models import Passport
    from clusterbrain.trace.models import Event

    events = Event.objects.count()
    load_demo(["xinji"])
    assert Event.objects.count() == events
    assert Passport.objects.filter(slug="xinji-jacket", status="published").count() == 1
