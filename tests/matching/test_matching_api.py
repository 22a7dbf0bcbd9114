"""Leading + matching over HTTP with the test client: the workflow journey through the JSON
API, each role's forbidden paths, and bad input as 4xx bodies naming the field (never a 500)."""

from __future__ import annotations

import datetime
import json
import logging

import pytest
from matchingdata import order_data

from clusterbrain.matching.models import Assignment, OutsourcingOrder

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_unhandled_errors(caplog):
    caplog.set_level(logging.ERROR, logger="clusterbrain.api")
    yield
    assert not [r for r in caplog.records if r.name == "clusterbrain.api"]


def send(client, method, url, data=None, **extra):
    return getattr(client, method)(
        url, data=json.dumps(data or {}), content_type="application/json", **extra
    )


def locs(response):
    return sorted(tuple(e["loc"]) for e in response.json()["errors"])


@pytest.fixture
def clients(market, client_for):
    u = market.users
    return {
        name: client_for(getattr(u, name))
        for name in ("buyer", "near", "cheap", "far", "office", "association", "bank", "admin")
    } | {"anonymous": client_for(None)}


def test_the_journey_over_the_api(market, clients):
    buyer, far, office = clients["buyer"], clients["far"], clients["office"]
    response = send(
        buyer, "post", "/api/v1/clusters/alpha/orders", order_data(market, quantity=100)
    )
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["status"] == "open" and order["target_unit_price"] == 11
    # candidates: the quotes, ranked, for the buyer
    response = buyer.get(f"/api/v1/orders/{order['id']}/candidates")
    assert response.status_code == 200
    ranked = [c["enterprise"]["id"] for c in response.json()["eligible"]]
    assert ranked == [market.far.pk, market.cheap.pk, market.near.pk]
    # the office runs the period
    response = send(
        office,
        "post",
        "/api/v1/clusters/alpha/allocation-runs",
        {"period_start": market.monday.isoformat(), "weeks": 8, "time_limit": 5},
    )
    assert response.status_code == 201, response.content
    run = response.json()
    assert run["status"] == "optimal" and run["orders_met"] == 1 and run["gap"] is not None
    assert "unit_price" not in json.dumps(run)  # aggregates only
    # the buyer confirms; far is offered its part and accepts
    order = buyer.get(f"/api/v1/orders/{order['id']}").json()
    assert order["status"] == "proposed"
    part = order["assignments"][0]["id"]
    assert (
        send(buyer, "post", f"/api/v1/orders/{order['id']}/confirm").json()["status"] == "confirmed"
    )
    seen = far.get(f"/api/v1/orders/{order['id']}").json()
    assert seen["target_unit_price"] is None and len(seen["assignments"]) == 1
    listed = far.get("/api/v1/clusters/alpha/orders").json()
    assert [o["id"] for o in listed["offered"]] == [order["id"]] and listed["placed"] == []
    assert send(far, "post", f"/api/v1/assignments/{part}/accept").status_code == 200
    response = send(far, "post", f"/api/v1/assignments/{part}/progress", {"produced": 50})
    assert response.json()["assignments"][0]["produced"] == 50
    today = datetime.date.today().isoformat()
    response = send(
        far,
        "post",
        f"/api/v1/assignments/{part}/delivery",
        {"delivered_on": today, "quantity": 100},
    )
    assert response.json()["assignments"][0]["on_time"] is True
    response = send(buyer, "post", f"/api/v1/assignments/{part}/inspection", {"passed": True})
    assert response.json()["status"] == "completed"
    notes = buyer.get("/api/v1/notifications").json()
    assert {n["kind"] for n in notes} >= {"proposal", "accepted", "progress", "delivered"}
    assert send(buyer, "post", "/api/v1/notifications/read").json()["marked"] == len(notes)
    figures = office.get("/api/v1/clusters/alpha/matching-figures").json()
    assert figures["smes_reached"] == 1 and figures["per_leading_firm"][0]["rate"] == 0.0
    public = clients["anonymous"].get("/api/v1/clusters/alpha/matching-figures").json()
    assert "per_leading_firm" not in public and public["localisation_rate"] is None


def test_forbidden_paths_for_each_role(market, clients):
    order = send(
        clients["buyer"], "post", "/api/v1/clusters/alpha/orders", order_data(market, quantity=100)
    ).json()
    oid = order["id"]
    # nobody but the buyer (and admins) sees the order or its candidates' quotes
    for name in ("near", "cheap", "far", "office", "association", "bank"):
        assert clients[name].get(f"/api/v1/orders/{oid}").status_code == 404, name
        assert clients[name].get(f"/api/v1/orders/{oid}/candidates").status_code == 404, name
        assert send(clients[name], "post", f"/api/v1/orders/{oid}/cancel").status_code == 404
    assert clients["admin"].get(f"/api/v1/orders/{oid}").status_code == 200
    assert clients["anonymous"].get(f"/api/v1/orders/{oid}").status_code == 401
    assert clients["anonymous"].get("/api/v1/clusters/alpha/orders").status_code == 401
    # posting: the leading firm's users only
    for name in ("near", "office", "bank"):
        response = send(clients[name], "post", "/api/v1/clusters/alpha/orders", order_data(market))
        assert response.status_code == 403, name
    # runs: the cluster's office and association only
    run = {"period_start": market.monday.isoformat(), "time_limit": 5}
    for name in ("buyer", "near", "bank"):
        response = send(clients[name], "post", "/api/v1/clusters/alpha/allocation-runs", run)
        assert response.status_code == 403, name
    run_id = send(
        clients["association"], "post", "/api/v1/clusters/alpha/allocation-runs", run
    ).json()["id"]
    for name in ("buyer", "far", "bank"):
        assert clients[name].get(f"/api/v1/allocation-runs/{run_id}").status_code == 404
    # a proposal is no one's to accept; once offered, only its supplier's
    part = Assignment.objects.get(order_id=oid)
    assert send(clients["far"], "post", f"/api/v1/assignments/{part.pk}/accept").status_code == 404
    send(clients["buyer"], "post", f"/api/v1/orders/{oid}/confirm")
    for name in ("near", "buyer", "office"):
        response = send(clients[name], "post", f"/api/v1/assignments/{part.pk}/accept")
        assert response.status_code == 404, name
    # a supplier's desk is its own; prices never leak to another supplier
    assert clients["cheap"].get(f"/api/v1/enterprises/{market.near.pk}/offers").status_code == 403
    assert (
        clients["association"].get(f"/api/v1/enterprises/{market.near.pk}/offers").status_code
        == 403
    )
    desk = clients["near"].get(f"/api/v1/enterprises/{market.near.pk}/offers").json()
    assert desk["offers"][0]["unit_price"] == 12
    seen = json.dumps(clients["far"].get(f"/api/v1/orders/{oid}").json())
    assert '"unit_price": 12' not in seen and '"unit_price": 10' not in seen
    assert Assignment.objects.get(pk=part.pk).status == "offered"


def test_bad_input_names_the_field_and_changes_nothing(market, clients):
    buyer = clients["buyer"]
    response = send(
        buyer,
        "post",
        "/api/v1/clusters/alpha/orders",
        order_data(market, quantity=-1, due_date="someday", max_share=3),
    )
    assert response.status_code == 422
    assert locs(response) == [("due_date",), ("max_share",), ("quantity",)]
    response = send(
        buyer,
        "post",
        "/api/v1/clusters/alpha/orders",
        order_data(market, link_code="nowhere", required_certificates=["gold"]),
    )
    assert response.status_code == 422
    assert locs(response) == [("link_code",), ("required_certificates",)]
    start = market.monday + datetime.timedelta(days=23)
    response = send(
        buyer,
        "post",
        "/api/v1/clusters/alpha/orders",
        order_data(market, earliest_start=start.isoformat()),
    )
    assert response.status_code == 422 and locs(response) == [("due_date",)]
    assert not OutsourcingOrder.objects.exists()
    response = send(
        clients["office"],
        "post",
        "/api/v1/clusters/alpha/allocation-runs",
        {"period_start": market.monday.isoformat(), "weeks": 99},
    )
    assert response.status_code == 422 and locs(response) == [("weeks",)]
    response = send(
        clients["near"],
        "put",
        f"/api/v1/enterprises/{market.near.pk}/capacity",
        {"link_code": "sewing", "weeks": {"next tuesday": 5}},
    )
    assert response.status_code == 422 and locs(response) == [("weeks", "next tuesday")]
    response = send(
        clients["near"],
        "put",
        f"/api/v1/enterprises/{market.near.pk}/offers",
        {"link_code": "hides", "unit_price": 3, "lead_weeks": 2},
    )
    assert response.status_code == 200
    assert [o["link"] for o in response.json()["offers"]] == ["hides", "sewing"]
    assert buyer.get("/api/v1/orders/99999999999999999999").status_code in (404, 422)
