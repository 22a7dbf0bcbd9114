"""EUDR export of a leather lot over its genealogy: the statement and GeoJSON of a clean lot,
refusals (tainted mix, out-of-scope HS code, a farm without coordinates) with every problem at
its field, and who may export."""

from __future__ import annotations

import pytest


def _lot(key):
    from clusterbrain.trace.models import Lot

    return Lot.objects.get(key=key)


def test_clean_chrome_free_lot_gets_statement_and_geojson(leather, world, client_for):
    from clusterbrain.passport import eudr

    lot = _lot(leather.lots["eudr_ready"])
    export = eudr.eudr_export(world.users.enterprise, lot)  # `own` tanned it
    s = export.statement
    c = s["commodities"][0]
    assert s["operator"]["name"] == "Own Leather" and s["operator"]["identifier"] == world.own.uscc
    assert c["hsHeading"] == "4107" and c["countriesOfProduction"] == ["BR", "CN"]
    assert c["goodsMeasure"]["netWeight"] > 0 and c["goodsMeasure"]["supplementaryUnit"] > 0
    features = export.geojson["features"]
    assert len(features) == 7  # 4 Brazilian farms and the first 3 Chinese ones
    assert sum(f["properties"]["ShareOfLot"] for f in features) == pytest.approx(1.0, abs=1e-4)
    for f in features:
        lon, lat = f["geometry"]["coordinates"]
        assert f["geometry"]["type"] == "Point"
        assert (lat < 0 and lon < 0) or (30 < lat < 45 and 110 < lon < 120)
    assert {a["referenceNumber"][:4] for a in s["associatedStatements"]} == {"25BR"}
    page = client_for(world.users.enterprise).get(f"/trace/lots/{lot.pk}/eudr/?format=geojson")
    assert page.status_code == 200 and page.json() == export.geojson
    api = client_for(world.users.office).get(f"/api/v1/eudr/lots/{lot.pk}")
    assert api.status_code == 200 and api.json()["lot"] == lot.key


def test_tainted_lot_is_refused_with_its_fields(leather, world, client_for):
    from clusterbrain.errors import InvalidInput
    from clusterbrain.passport import eudr

    lot = _lot(leather.lots["eudr_tainted"])
    with pytest.raises(InvalidInput) as caught:
        eudr.eudr_export(world.users.enterprise, lot)
    locs = {".".join(map(str, e.loc)) for e in caught.value.errors}
    assert "reference" in locs  # the taint
    assert any(loc.endswith(".deforestation_free") for loc in locs)  # the unverified hide lot
    assert any(loc.endswith(".point") for loc in locs)  # it has no farm, so no geolocation
    c = client_for(world.users.enterprise)
    r = c.get(f"/api/v1/eudr/lots/{lot.pk}")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"]
    page = c.get(f"/trace/lots/{lot.pk}/eudr/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 422 and b"eudr-problems" in page.content
    assert c.get(f"/trace/lots/{lot.pk}/eudr/?format=json").status_code == 422


def test_garments_are_outside_annex_one(leather, world):
    from django.utils import translation

    from clusterbrain.errors import InvalidInput
    from clusterbrain.passport import eudr

    jackets = _lot(leather.lots["product"])
    for language, words in (("en", "Annex I"), ("zh-hans", "附件一")):
        with translation.override(language), pytest.raises(InvalidInput) as caught:
            eudr.eudr_export(None, jackets)
        problems = {e.loc: e.msg for e in caught.value.errors}
        assert set(problems) == {("hs_code",), ("net_mass_kg",)}  # pieces: no mass declared
        assert words in problems[("hs_code",)]


def test_a_farm_without_coordinates_is_named(leather, world):
    from clusterbrain.errors import InvalidInput
    from clusterbrain.passport import eudr
    from clusterbrain.trace.models import Location

    farm = Location.objects.filter(kind="farm", name__startswith="Mato Grosso").first()
    Location.objects.filter(pk=farm.pk).update(latitude=None, longitude=None)
    with pytest.raises(InvalidInput) as caught:
        eudr.eudr_export(None, _lot(leather.lots["eudr_ready"]))
    (problem,) = caught.value.errors
    assert problem.loc[0].startswith("plots[") and problem.loc[1] == "point"
    assert farm.uri in problem.msg or "geolocation" in problem.msg


def test_who_may_export(leather, world, client_for):
    from clusterbrain.errors import Forbidden, NotFound
    from clusterbrain.passport import eudr

    lot = _lot(leather.lots["eudr_ready"])  # owned by `own` in cluster a
    for user in (world.users.association, world.users.office_b):
        with pytest.raises((Forbidden, NotFound)):
            from clusterbrain.trace.selectors import get_lot

            eudr.eudr_export(user, get_lot(user, lot.pk))
    assert client_for(None).get(f"/api/v1/eudr/lots/{lot.pk}").status_code == 401
    assert client_for(world.users.bank).get(f"/api/v1/eudr/lots/{lot.pk}").status_code == 403
    assert client_for(None).get(f"/trace/lots/{lot.pk}/eudr/").status_code == 302
