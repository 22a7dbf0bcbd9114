"""The matching pages in both languages: each role sees what it may, forms refuse bad input
with the field named (422, nothing saved), the workflow works through the pages, and the
cluster overview shows the matching figures."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from matchingdata import order_data

from clusterbrain.matching import services
from clusterbrain.matching.models import Assignment, OutsourcingOrder

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def get(client, url, lang=EN):
    response = client.get(url, **lang)
    return response, response.content.decode()


def placed_order(market, **changes):
    order = services.post_order(market.users.buyer, market.leading, order_data(market, **changes))
    services.run_allocation(market.users.office, market.cluster, market.monday, time_limit=5)
    return order


def test_pages_render_in_both_languages_for_each_role(market, client_for):
    order = placed_order(market, quantity=100)
    urls = {
        "buyer": [
            reverse("matching-orders", args=["alpha"]),
            reverse("matching-order-new", args=["alpha"]),
            reverse("matching-order", args=[order.pk]),
            reverse("matching-candidates", args=[order.pk]),
            reverse("matching-notifications"),
        ],
        "far": [
            reverse("matching-orders", args=["alpha"]),
            reverse("matching-supply", args=[market.far.pk]),
        ],
        "office": [
            reverse("matching-orders", args=["alpha"]),
            reverse("matching-allocation", args=["alpha"]),
            reverse("cluster-overview", args=["alpha"]),
        ],
    }
    for name, pages in urls.items():
        client = client_for(getattr(market.users, name))
        for url in pages:
            for lang in (ZH, EN):
                response, html = get(client, url, lang)
                assert response.status_code == 200, (name, url, html[:300])
    _r, html = get(client_for(market.users.buyer), reverse("matching-order", args=[order.pk]), ZH)
    assert "方案" in html and "确认" in html
    _r, html = get(client_for(market.users.buyer), reverse("matching-order", args=[order.pk]))
    assert "Proposal" in html and "Far Sewing" in html


def test_forbidden_pages_for_each_role(market, client_for):
    order = placed_order(market, quantity=100)
    order_url = reverse("matching-order", args=[order.pk])
    candidates = reverse("matching-candidates", args=[order.pk])
    for name in ("near", "far", "office", "association", "bank"):
        client = client_for(getattr(market.users, name))
        assert client.get(order_url).status_code == 404, name
        assert client.get(candidates).status_code == 404, name
    anonymous = client_for(None)
    assert anonymous.get(order_url).status_code == 302  # to the login page
    for name in ("buyer", "far", "bank"):
        client = client_for(getattr(market.users, name))
        assert client.get(reverse("matching-allocation", args=["alpha"])).status_code == 403
    assert (
        client_for(market.users.far).get(reverse("matching-order-new", args=["alpha"])).status_code
        == 403
    )
    supply = reverse("matching-supply", args=[market.near.pk])
    for name in ("far", "association", "office"):
        assert client_for(getattr(market.users, name)).get(supply).status_code == 403, name


def test_a_supplier_page_shows_its_part_only(market, client_for):
    order = placed_order(market, local_preference="only")  # cheap and near share it
    services.confirm_proposal(market.users.buyer, order)
    _r, html = get(client_for(market.users.cheap), reverse("matching-order", args=[order.pk]))
    assert "Sharing Leather" in html and "Own Leather" not in html
    assert "¥12" not in html and "¥11" not in html  # near's price, the target price
    assert "¥10" in html  # its own price


def test_posting_an_order_through_the_form(market, client_for):
    client = client_for(market.users.buyer)
    url = reverse("matching-order-new", args=["alpha"])
    data = {k: v for k, v in order_data(market).items()}
    data.update({"quality_tier": "standard", "local_preference": "prefer", "splittable": "on"})
    bad = dict(data, quantity="-5", due_date="2001-01-01")
    response = client.post(url, bad, **EN)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was saved" in html and "The due date is in the past." in html
    assert not OutsourcingOrder.objects.exists()
    response = client.post(url, data, **EN)
    order = OutsourcingOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "matching-order", args=[order.pk]
    )


def test_the_workflow_through_the_pages(market, client_for):
    order = placed_order(market, quantity=100)
    buyer, far = client_for(market.users.buyer), client_for(market.users.far)
    part = order.assignments.get()
    confirm = reverse("matching-order-action", args=[order.pk, "confirm"])
    response = buyer.post(confirm, {f"quantity-{part.pk}": "999"}, **EN)
    assert response.status_code == 422 and "Quantities" in response.content.decode()
    assert buyer.post(confirm, {f"quantity-{part.pk}": "80"}).status_code == 302
    accept = reverse("matching-assignment-action", args=[part.pk, "accept"])
    assert buyer.post(accept).status_code == 404
    assert far.post(accept).status_code == 302
    delivery = reverse("matching-assignment-action", args=[part.pk, "delivery"])
    response = far.post(delivery, {"delivered_on": "", "quantity": "80"}, **EN)
    assert response.status_code == 422 and "Delivered on" in response.content.decode()
    today = datetime.date.today().isoformat()
    assert far.post(delivery, {"delivered_on": today, "quantity": "80"}).status_code == 302
    inspection = reverse("matching-assignment-action", args=[part.pk, "inspection"])
    assert buyer.post(inspection, {"passed": "yes"}).status_code == 302
    part.refresh_from_db()
    assert part.status == Assignment.Status.COMPLETED and part.quantity == 80
    _r, html = get(buyer, reverse("matching-notifications"))
    assert "accepted its part of order" in html
    assert buyer.post(reverse("matching-notifications")).status_code == 302


def test_the_supplier_keeps_prices_and_calendar(market, client_for):
    client = client_for(market.users.near)
    url = reverse("matching-supply", args=[market.near.pk])
    response = client.post(url, {"form": "offer", "link_code": "tanning", "unit_price": "-2"}, **EN)
    assert response.status_code == 422
    response = client.post(
        url,
        {"form": "offer", "link_code": "tanning", "unit_price": "8", "quality_tier": "standard"},
    )
    assert response.status_code == 302
    week = market.monday.isoformat()
    response = client.post(
        url, {"form": "calendar", "link_code": "sewing", f"week-{week}": "-1"}, **EN
    )
    assert response.status_code == 422
    response = client.post(url, {"form": "calendar", "link_code": "sewing", f"week-{week}": "77"})
    assert response.status_code == 302
    _r, html = get(client, url)
    assert 'value="77"' in html


def test_the_overview_shows_the_matching_figures(market, client_for, settings):
    settings.AGGREGATE_MIN_FIRMS = 3
    url = reverse("cluster-overview", args=["alpha"])
    for lang, title in ((EN, "Leading + matching"), (ZH, "链主+配套")):
        _r, html = get(client_for(None), url, lang)
        assert title in html
    order = placed_order(market, quantity=100)
    services.confirm_proposal(market.users.buyer, order)
    services.accept_assignment(market.users.far, order.assignments.get())
    _r, html = get(client_for(None), url)
    assert "suppressed" in html and "matching-leading" not in html
    _r, html = get(client_for(market.users.office), url)
    assert 'id="matching-leading"' in html and "Lead Brand" in html
