"""The green API over HTTP with the test client: records, tests, value added and grades in
the firm's scope, the office's table, public figures, and the forbidden paths."""

from __future__ import annotations

import pytest

from clusterbrain.green.models import ProductionRecord, WastewaterTest

API = "/api/v1"


def test_firm_records_over_http(world, client_for):
    c = client_for(world.users.enterprise)
    url = f"{API}/enterprises/{world.own.pk}/green/records"
    response = c.post(
        url,
        {"month": "2024-02", "area_chrome_free_m2": 500, "electricity_kwh": 2000},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["chrome_free_share"] == 1.0 and body["co2e_t"] == pytest.approx(1.1406)
    rid = body["id"]
    duplicate = c.post(url, {"month": "2024-02", "water_m3": 1}, content_type="application/json")
    assert duplicate.status_code == 422 and duplicate.json()["errors"][0]["loc"] == ["month"]
    bad = c.post(url, {"month": "2024-03", "water_m3": -1}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["water_m3"]
    unknown = c.post(url, {"month": "2024-03", "rain": 1}, content_type="application/json")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == ["rain"]
    patched = c.patch(
        f"{API}/green/records/{rid}", {"water_m3": 12}, content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["water_m3"] == 12
    assert patched.json()["area_chrome_free_m2"] == 500  # kept
    assert [r["month"] for r in c.get(url).json()] == ["2024-02"]
    assert c.delete(f"{API}/green/records/{rid}").status_code == 204
    assert not ProductionRecord.objects.exists()


def test_tests_and_cycle_over_http(world, client_for):
    c = client_for(world.users.enterprise)
    url = f"{API}/enterprises/{world.own.pk}/green/tests"
    response = c.post(
        url,
        {"sampled_on": "2024-03-01", "laboratory": "SGS", "cr6_mg_l": 0.2},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["exceeded"] == ["cr6"] and response.json()["cycle"] == "2024-04"
    bad = c.post(
        url, {"sampled_on": "2024-13-01", "laboratory": "x"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["sampled_on"]
    assert len(c.get(url).json()) == 1
    cycle = c.get(f"{API}/enterprises/{world.own.pk}/green/cycle").json()
    assert cycle["state"] == "overdue"


def test_grades_over_http(green, client_for):
    w = green.world
    own = client_for(w.users.enterprise).get(f"{API}/enterprises/{w.own.pk}/green/grade")
    assert own.status_code == 200
    assert own.json()["grade"] == 1 and own.json()["intensity"] == pytest.approx(0.12)
    # not published: 404 for the public, a bank, another cluster's office
    for user in (None, w.users.bank, w.users.office_b):
        assert client_for(user).get(f"{API}/enterprises/{w.own.pk}/green/grade").status_code == 404
    table = client_for(w.users.office).get(f"{API}/clusters/{w.a.slug}/green/grades").json()
    assert sorted(g["grade"] for g in table["grades"]) == [1, 2, 3, 4]
    for user in (w.users.enterprise, w.users.association, w.users.office_b):
        assert client_for(user).get(f"{API}/clusters/{w.a.slug}/green/grades").status_code == 403
    assert client_for(None).get(f"{API}/clusters/{w.a.slug}/green/grades").status_code == 401
    # the firm publishes: the public sees the grade, not the figures behind it
    put = client_for(w.users.enterprise).put(
        f"{API}/enterprises/{w.own.pk}/green/years/{green.year}",
        {"value_added": 10_000_000, "publishes_grade": True},
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["published"]
    public = client_for(None).get(f"{API}/enterprises/{w.own.pk}/green/grade").json()
    assert public["grade"] == 1
    assert public["emissions_t"] is None and public["value_added"] is None
    assert public["intensity"] is None


def test_forbidden_writes_over_http(world, client_for):
    url = f"{API}/enterprises/{world.own.pk}/green/records"
    data = {"month": "2024-02", "water_m3": 1}
    assert client_for(None).post(url, data, content_type="application/json").status_code == 401
    assert (
        client_for(world.users.office).post(url, data, content_type="application/json").status_code
        == 403
    )
    # a firm not visible to the caller is 404 for reads
    assert client_for(world.users.bank).get(url).status_code == 404
    other = client_for(world.users.enterprise).post(
        f"{API}/enterprises/{world.other.pk}/green/tests",
        {"sampled_on": "2024-03-01", "laboratory": "SGS", "cod_mg_l": 1},
        content_type="application/json",
    )
    assert other.status_code == 403
    assert not ProductionRecord.objects.exists() and not WastewaterTest.objects.exists()


def test_public_figures_over_http(green, client_for, settings):
    w = green.world
    body = client_for(None).get(f"{API}/clusters/{w.a.slug}/green").json()
    assert body["by_year"][0]["chrome_free_share"] == pytest.approx(0.475)
    settings.AGGREGATE_MIN_FIRMS = 5
    body = client_for(None).get(f"{API}/clusters/{w.a.slug}/green").json()
    assert body["by_year"][0]["suppressed"] and body["by_year"][0]["chrome_free_share"] is None
    office = client_for(w.users.office).get(f"{API}/clusters/{w.a.slug}/green").json()
    assert office["by_year"][0]["chrome_free_share"] == pytest.approx(0.475)
    factors = client_for(None).get(f"{API}/green/factors").json()
    assert (
        factors["t_co2_per_kwh"] == pytest.approx(0.0005703) and "electricity" in factors["sources"]
    )
