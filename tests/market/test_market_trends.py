"""The cluster's trend page on demo-like data (the generator's planted trends written through
the demo loader's path) shows the planted rising, falling and new values, and the rare value
sold by one firm as withheld."""

from __future__ import annotations

import datetime

import pytest

import factories
from clusterbrain.market.demo import load_market_demo

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture
def demo_like(db, settings):
    template = factories.chain_template("leather_goods", [], [])
    cluster = factories.cluster(slug="sl", name_zh="狮岭", name_en="Shiling", template=template)
    for _ in range(40):
        factories.enterprise(cluster)
    assert load_market_demo(cluster, today=TODAY) > 25_000
    return cluster


def test_trend_page_and_api_show_the_planted_trends(demo_like, client_for, monkeypatch):
    from clusterbrain.market import selectors

    monkeypatch.setattr(selectors, "_today", lambda: TODAY)
    client = client_for(None)
    body = client.get("/api/v1/clusters/sl/market/trends").json()
    found = {(v["column"], v["value"]): v for v in body["values"]}
    rising = found[("material", "sheepskin")]
    assert rising["direction"] == "rising" and "livestream" in rising["channels"]
    assert found[("style", "business")]["direction"] == "falling"
    assert found[("colour", "caramel")]["direction"] == "new"
    rare = found[("material", "ostrich")]
    assert rare["suppressed"] and rare["recent"] is None
    page = client.get("/c/sl/market/").content.decode()
    assert 'data-value="sheepskin" data-direction="rising"' in page
    assert 'id="trend-withheld"' in page and "ostrich" in page


def test_forecast_page_and_api_show_backtest_and_intervals(demo_like, client_for):
    client = client_for(None)
    body = client.get("/api/v1/clusters/sl/market/forecasts").json()
    assert body["series"] and body["mase"] is not None and body["mase_naive"] is not None
    point = body["series"][0]["forecast"][0]
    assert point["lo_95"] <= point["lo_80"] <= point["mean"] <= point["hi_80"] <= point["hi_95"]
    page = client.get("/c/sl/market/forecasts/")
    assert page.status_code == 200
    assert 'id="mase-naive"' in page.content.decode() and "chart-forecast" in page.content.decode()
