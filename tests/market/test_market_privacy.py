"""Privacy of a firm's sales: others reach neither its records nor aggregates that single it
out (fewer than k firms, or one firm dominant), in pages and API alike."""

from __future__ import annotations

import datetime

import pytest

from clusterbrain.market.models import SalesRecord
from clusterbrain.market.services import touch_cluster


def _sell(firm, category, quantity, value, channel="ecommerce", day=None):
    day = day or datetime.date.today() - datetime.timedelta(days=10)
    SalesRecord.objects.create(
        enterprise=firm,
        channel=channel,
        date=day,
        category=category,
        quantity=quantity,
        value=value,
        value_original=value,
    )


@pytest.fixture
def sales(world):
    for firm in (world.own, world.sharing, world.other):
        _sell(firm, "handbag", 10, 1000)
    _sell(world.leading, "luggage", 5, 777_777)  # one firm's category
    touch_cluster(world.a)
    return world


@pytest.mark.parametrize("who", ["enterprise", "association", "bank", "office_b"])
def test_a_firms_records_are_hidden_from_others(sales, client_for, who):
    client = client_for(getattr(sales.users, who))
    assert client.get(f"/api/v1/enterprises/{sales.leading.pk}/sales").status_code == 404
    assert client.get(f"/firms/{sales.leading.pk}/sales/").status_code == 404


def test_the_firm_and_the_office_see_the_records(sales, client_for):
    own = client_for(sales.users.enterprise).get(f"/api/v1/enterprises/{sales.own.pk}/sales")
    assert own.status_code == 200 and own.json()["count"] == 1
    office = client_for(sales.users.office).get(f"/api/v1/enterprises/{sales.leading.pk}/sales")
    assert office.status_code == 200 and office.json()["results"][0]["value"] == 777_777


def test_a_category_of_one_firm_is_withheld_in_api_and_page(sales, client_for):
    for user in (None, sales.users.enterprise, sales.users.association, sales.users.bank):
        client = client_for(user)
        body = client.get("/api/v1/clusters/alpha/market").json()
        cats = {c["category"]: c for c in body["categories"]}
        assert cats["luggage"]["withheld"] and cats["luggage"]["value"] is None
        # the total would give the one firm away: the handbag row is withheld beside it
        assert cats["handbag"]["withheld"]
        assert body["firm_rows"] == []
        page = client.get("/c/alpha/market/").content.decode()
        assert "777" not in page and "777777" not in page.replace(",", "")


def test_the_office_sees_figures_unwithheld(sales, client_for):
    body = client_for(sales.users.office).get("/api/v1/clusters/alpha/market").json()
    cats = {c["category"]: c for c in body["categories"]}
    assert cats["luggage"]["value"] == 777_777 and not cats["luggage"]["withheld"]
    assert {r["enterprise"] for r in body["firm_rows"]} == {
        sales.own.pk,
        sales.sharing.pk,
        sales.other.pk,
        sales.leading.pk,
    }


def test_a_dominant_firm_is_withheld_though_k_firms_sold(sales, client_for):
    for firm, value in ((sales.own, 100), (sales.sharing, 100), (sales.other, 100_000)):
        _sell(firm, "belt", 1, value)
    touch_cluster(sales.a)
    body = client_for(None).get("/api/v1/clusters/alpha/market").json()
    belt = next(c for c in body["categories"] if c["category"] == "belt")
    assert belt["firms"] == 3 and belt["withheld"]
