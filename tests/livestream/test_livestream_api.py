"""The livestream base over HTTP: the operator's journey, each role's forbidden paths, and bad
input as 4xx bodies naming the field (never a 500)."""

from __future__ import annotations

import json
import logging

import pytest

from clusterbrain.livestream.models import LivestreamSession, SessionItem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_unhandled_errors(caplog):
    caplog.set_level(logging.ERROR, logger="clusterbrain.api")
    yield
    assert not [r for r in caplog.records if r.name == "clusterbrain.api"]


def send(client, url, data=None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


def locs(response):
    return sorted(tuple(e["loc"]) for e in response.json()["errors"])


def test_operator_journey(world, base, client_for):
    c = client_for(world.users.association)
    r = send(
        c,
        "/api/v1/clusters/alpha/livestream/streamers",
        {
            "name": "阿华",
            "platform": "wechat_channels",
            "categories": ["belts"],
            "followers": 9000,
            "commission_rate": 0.08,
        },
    )
    assert r.status_code == 201, r.content
    streamer = r.json()["id"]
    r = send(
        c,
        "/api/v1/clusters/alpha/livestream/sessions",
        {
            "streamer": streamer,
            "start": "2026-06-01T20:00:00+08:00",
            "duration_minutes": 90,
            "firms": [world.own.pk, world.other.pk],
            "slot_fee": 300,
        },
    )
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    assert r.json()["status"] == "planned"
    r = send(
        c,
        f"/api/v1/livestream/sessions/{sid}/results",
        {
            "viewers": 800,
            "orders": 40,
            "gmv": 4000,
            "returns_value": 400,
            "items": [
                {"enterprise": world.own.pk, "category": "belts", "gmv": 3000},
                {"enterprise": world.other.pk, "category": "belts", "gmv": 1000},
            ],
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "done"
    s = LivestreamSession.objects.get(pk=sid)
    assert s.commission == pytest.approx(0.08 * 3600)
    # the firm sees its own item and its fee share
    own = client_for(world.users.enterprise).get(f"/api/v1/livestream/sessions/{sid}").json()
    assert [i["enterprise"] for i in own["items"]] == [world.own.pk]
    assert own["own_fees"] == pytest.approx((300 + 288) * 0.75)
    roi = client_for(world.users.enterprise).get(
        f"/api/v1/enterprises/{world.own.pk}/livestream/roi"
    )
    assert roi.status_code == 200 and len(roi.json()["sessions"]) == 3


def test_bad_input_named(world, base, client_for):
    c = client_for(world.users.association)
    r = send(
        c,
        "/api/v1/clusters/alpha/livestream/sessions",
        {
            "streamer": base.bags.pk,
            "start": "2026-06-01T20:00:00+08:00",
            "end": "2026-06-01T19:00:00+08:00",
        },
    )
    assert r.status_code == 422 and locs(r) == [("end",)]
    r = send(
        c,
        "/api/v1/clusters/alpha/livestream/sessions",
        {"streamer": base.bags.pk, "start": "tomorrow", "duration_minutes": 60},
    )
    assert r.status_code == 422 and locs(r) == [("start",)]
    r = send(
        c,
        "/api/v1/clusters/alpha/livestream/sessions",
        {"streamer": base.bags.pk, "start": base.planned.start.isoformat(), "duration_minutes": 30},
    )
    assert r.status_code == 422 and locs(r) == [("start",)]
    r = send(
        c,
        f"/api/v1/livestream/sessions/{base.planned.pk}/results",
        {
            "gmv": 100,
            "returns_value": 150,
            "orders": -1,
            "items": [{"enterprise": world.outsider.pk, "category": "x", "gmv": -5}],
        },
    )
    assert r.status_code == 422
    assert locs(r) == [
        ("items", 0, "enterprise"),
        ("items", 0, "gmv"),
        ("orders",),
        ("returns_value",),
    ]
    assert not SessionItem.objects.filter(session=base.planned).exists()
    r = send(c, "/api/v1/clusters/alpha/livestream/streamers", {"name": "x", "platform": "tv"})
    assert r.status_code == 422 and locs(r) == [("platform",)]


def test_forbidden_paths(world, base, client_for):
    sid = base.done.pk
    anon = client_for(None)
    assert anon.get("/api/v1/clusters/alpha/livestream/streamers").status_code == 401
    assert anon.get(f"/api/v1/livestream/sessions/{sid}").status_code == 401
    for user in (world.users.enterprise, world.users.office, world.users.bank):
        c = client_for(user)
        r = send(
            c, "/api/v1/clusters/alpha/livestream/streamers", {"name": "x", "platform": "douyin"}
        )
        assert r.status_code == 403
        r = send(c, f"/api/v1/livestream/sessions/{base.planned.pk}/results", {"gmv": 1})
        assert r.status_code == 403
        assert send(c, f"/api/v1/livestream/sessions/{base.planned.pk}/cancel").status_code == 403
    assert LivestreamSession.objects.get(pk=base.planned.pk).status == "planned"
    # another firm's ROI and ranking are 404, as for an absent firm
    for user in (world.users.association, world.users.bank, world.users.office_b):
        c = client_for(user)
        assert c.get(f"/api/v1/enterprises/{world.own.pk}/livestream/roi").status_code == 404
        r = c.get(f"/api/v1/clusters/alpha/livestream/matches?enterprise={world.own.pk}")
        assert r.status_code == 404
    # a firm never sees another firm's items; the bank not even its own
    sharing = client_for(world.users.enterprise).get(f"/api/v1/livestream/sessions/{sid}").json()
    assert world.sharing.pk not in [i["enterprise"] for i in sharing["items"]]
    assert (
        client_for(world.users.bank).get(f"/api/v1/livestream/sessions/{sid}").json()["items"] == []
    )
    # the commission rate is the operator's business
    rows = client_for(world.users.enterprise).get("/api/v1/clusters/alpha/livestream/streamers")
    assert {r["commission_rate"] for r in rows.json()} == {None}
    assert (
        client_for(world.users.bank).get("/api/v1/livestream/sessions/99999999").status_code == 404
    )


def test_totals_withheld_over_http(world, base, client_for, settings):
    settings.AGGREGATE_MIN_FIRMS = 3
    url = f"/api/v1/livestream/sessions/{base.two.pk}"
    t = client_for(world.users.enterprise).get(url).json()["totals"]
    assert t["withheld"] and t["gmv"] is None and t["roi"] is None
    t = client_for(world.users.office).get(url).json()["totals"]
    assert not t["withheld"] and t["gmv"] == 8000


def test_schedule_and_matches(world, base, client_for):
    c = client_for(world.users.bank)
    r = c.get("/api/v1/clusters/alpha/livestream/sessions?week=2026-03-02&weeks=2")
    assert [s["id"] for s in r.json()] == [base.done.pk, base.two.pk, base.planned.pk]
    r = c.get("/api/v1/clusters/alpha/livestream/matches?category=shoes")
    assert r.status_code == 200
    assert r.json()[0]["streamer"]["id"] == base.shoes.pk and r.json()[0]["reasons"]
    r = client_for(world.users.enterprise).get(
        f"/api/v1/clusters/alpha/livestream/matches?enterprise={world.own.pk}"
    )
    assert r.status_code == 200 and len(r.json()) == 2
