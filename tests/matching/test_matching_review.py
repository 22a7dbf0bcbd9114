"""Regressions from the review of leading + matching: each test is a defect found by trying the
forbidden paths and bad input over HTTP, fixed in the app. Bad input is a 4xx naming the field
with nothing changed; figures over fewer than k firms stay withheld (decision 0003)."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from matchingdata import order_data

from clusterbrain.matching import selectors, services
from clusterbrain.matching.models import (
    AllocationRun,
    Assignment,
    AssignmentWeek,
    CapacityWeek,
    OutsourcingOrder,
)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _no_unhandled_errors(caplog):
    caplog.set_level(logging.ERROR)
    yield
    assert not [r for r in caplog.records if r.name in ("clusterbrain.api", "django.request")]


def send(client, method, url, data=None):
    return getattr(client, method)(
        url, data=json.dumps(data or {}), content_type="application/json", **EN
    )


def locs(response):
    return sorted(tuple(e["loc"]) for e in response.json()["errors"])


def placed_order(market, **changes):
    order = services.post_order(market.users.buyer, market.leading, order_data(market, **changes))
    services.run_allocation(market.users.office, market.cluster, market.monday, time_limit=5)
    return order


# --- dates and sizes the engine cannot take -------------------------------------------------


def test_a_period_beyond_the_calendars_is_refused_not_a_500(market, client_for):
    """Was: a period starting in year 9999 overflowed the date arithmetic (500 on the API and
    the page, a traceback from the CLI)."""
    services.post_order(market.users.buyer, market.leading, order_data(market))
    office = client_for(market.users.office)
    response = send(
        office, "post", "/api/v1/clusters/alpha/allocation-runs", {"period_start": "9999-12-27"}
    )
    assert response.status_code == 422 and locs(response) == [("period_start",)]
    assert "two years ahead" in response.json()["errors"][0]["msg"]
    response = office.post(
        reverse("matching-allocation", args=["alpha"]),
        {"period_start": "9999-12-31", "weeks": "12", "method": "mip"},
        **EN,
    )
    assert response.status_code == 422 and "two years ahead" in response.content.decode()
    with pytest.raises(CommandError) as exc:
        call_command("matching", "allocate", "--cluster", "alpha", "--from", "9999-12-27")
    assert exc.value.returncode == 2
    assert not AllocationRun.objects.exists() and not Assignment.objects.exists()


def test_huge_quantities_and_capacities_are_refused(market, client_for):
    """Was: an order of 1e300 units was posted and run, crowding every other order out of the
    allocation with a meaningless objective; a week of 1e300 units was stored."""
    buyer, near = client_for(market.users.buyer), client_for(market.users.near)
    response = send(
        buyer, "post", "/api/v1/clusters/alpha/orders", order_data(market, quantity=1e300)
    )
    assert response.status_code == 422 and locs(response) == [("quantity",)]
    response = send(
        buyer,
        "post",
        "/api/v1/clusters/alpha/orders",
        order_data(market, quantity=5e9, min_lot=2e9),
    )
    assert response.status_code == 422 and locs(response) == [("min_lot",), ("quantity",)]
    assert not OutsourcingOrder.objects.exists()
    week = market.monday.isoformat()
    before = CapacityWeek.objects.get(enterprise=market.near, week=market.monday).units
    response = send(
        near,
        "put",
        f"/api/v1/enterprises/{market.near.pk}/capacity",
        {"link_code": "sewing", "weeks": {week: 1e300}},
    )
    assert response.status_code == 422 and locs(response) == [("weeks", week)]
    assert CapacityWeek.objects.get(enterprise=market.near, week=market.monday).units == before


def test_order_shares_and_lots_name_the_field_at_fault(market):
    """Was: the service read a largest share of 0 as 1 (one supplier may take all), and a
    minimum lot above the quantity also blamed the (default) largest share."""
    from clusterbrain.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        services.post_order(market.users.buyer, market.leading, order_data(market, max_share=0))
    assert [e.loc for e in exc.value.errors] == [("max_share",)]
    with pytest.raises(InvalidInput) as exc:
        services.post_order(market.users.buyer, market.leading, order_data(market, min_lot=400))
    assert [e.loc for e in exc.value.errors] == [("min_lot",)]
    assert not OutsourcingOrder.objects.exists()


def test_misspelt_api_fields_are_refused(market, client_for):
    """Was: the API dropped unknown fields silently, so `min_lots` posted an order with no
    minimum lot at all."""
    buyer = client_for(market.users.buyer)
    response = send(
        buyer, "post", "/api/v1/clusters/alpha/orders", order_data(market, min_lots=100)
    )
    assert response.status_code == 422 and locs(response) == [("min_lots",)]
    assert not OutsourcingOrder.objects.exists()
    response = send(
        client_for(market.users.office),
        "post",
        "/api/v1/clusters/alpha/allocation-runs",
        {"period_start": market.monday.isoformat(), "week": 4},
    )
    assert response.status_code == 422 and locs(response) == [("week",)]


# --- the workflow ---------------------------------------------------------------------------


def test_a_delivery_dated_before_the_assignment_is_refused(market, client_for):
    """Was: a supplier could date its delivery years back and so enter every delivery in its
    record as on time."""
    order = placed_order(market, quantity=100)
    part = order.assignments.get()
    services.confirm_proposal(market.users.buyer, order)
    far = client_for(market.users.far)
    assert send(far, "post", f"/api/v1/assignments/{part.pk}/accept").status_code == 200
    response = send(
        far,
        "post",
        f"/api/v1/assignments/{part.pk}/delivery",
        {"delivered_on": "2000-01-01", "quantity": 100},
    )
    assert response.status_code == 422 and locs(response) == [("delivered_on",)]
    assert "before the part was assigned" in response.json()["errors"][0]["msg"]
    part.refresh_from_db()
    assert part.status == Assignment.Status.ACCEPTED and part.on_time is None
    response = send(
        far,
        "post",
        f"/api/v1/assignments/{part.pk}/delivery",
        {"delivered_on": timezone.localdate().isoformat(), "quantity": 100},
    )
    assert response.status_code == 200
    assert response.json()["assignments"][0]["on_time"] is True


def test_an_unsplittable_proposal_cannot_be_lowered(market, client_for):
    """Was: lowering the one supplier of an order that may not be split left the rest to the
    next allocation, which placed it as a second part: the order was split after all."""
    order = placed_order(market, quantity=150, splittable=False)
    part = order.assignments.get(status=Assignment.Status.PROPOSED)
    buyer = client_for(market.users.buyer)
    response = send(
        buyer, "post", f"/api/v1/orders/{order.pk}/confirm", {"quantities": {str(part.pk): 100}}
    )
    assert response.status_code == 422 and locs(response) == [("quantities", str(part.pk))]
    assert "may not be split" in response.json()["errors"][0]["msg"]
    part.refresh_from_db()
    assert part.status == Assignment.Status.PROPOSED and part.quantity == 150
    response = send(buyer, "post", f"/api/v1/orders/{order.pk}/confirm")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"


# --- aggregates over few firms -------------------------------------------------------------


def test_a_run_over_few_firms_is_withheld_from_the_association(market, client_for, settings):
    """Was: association staff read a run's objective, purchase cost and units; a run over one
    order (every re-optimisation) is that one leading firm's order value."""
    settings.AGGREGATE_MIN_FIRMS = 3
    order = placed_order(market, quantity=100)
    run = order.assignments.get().run
    association = client_for(market.users.association)
    body = association.get(f"/api/v1/allocation-runs/{run.pk}").json()
    assert body["withheld"] is True and body["orders_met"] == 1
    for name in ("objective", "purchase_cost", "best_bound", "placed_quantity", "local_share"):
        assert body[name] is None, name
    html = association.get(reverse("matching-run", args=[run.pk]), **EN).content.decode()
    assert "suppressed" in html and "900" not in html  # 100 units at far's 9 yuan
    office = client_for(market.users.office).get(f"/api/v1/allocation-runs/{run.pk}").json()
    assert office["withheld"] is False and office["purchase_cost"] == pytest.approx(900)
    assert office["placed_quantity"] == 100


def test_utilisation_resting_on_one_buyer_is_withheld(market, client_for, settings):
    """Was: a link's utilisation was shown once k suppliers kept a calendar, even when the
    units held were one leading firm's orders at one supplier (its order book, in units)."""
    settings.AGGREGATE_MIN_FIRMS = 3
    order = placed_order(market, quantity=100)
    services.confirm_proposal(market.users.buyer, order)
    services.accept_assignment(market.users.far, order.assignments.get())
    assert AssignmentWeek.objects.filter(assignment__order=order).exists()
    public = client_for(None).get("/api/v1/clusters/alpha/matching-figures").json()
    sewing = next(u for u in public["utilisation"] if u["link"] == "sewing")
    assert sewing["suppliers"] == 3 and sewing["suppressed"] is True
    assert sewing["used"] is None and sewing["rate"] is None
    office = selectors.figures(market.cluster, market.users.office)
    sewing = next(u for u in office.utilisation if u.link.code == "sewing")
    assert not sewing.suppressed and sewing.used > 0
    # with nothing held, three calendars are enough: the capacity is the cluster's
    Assignment.objects.filter(order=order).update(status=Assignment.Status.DECLINED)
    sewing = next(
        u for u in selectors.figures(market.cluster, None).utilisation if u.link.code == "sewing"
    )
    assert not sewing.suppressed and sewing.rate == 0.0
