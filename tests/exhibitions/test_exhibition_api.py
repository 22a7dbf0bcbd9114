"""Exhibition groups over HTTP: the organisers' journey, a firm's sign-up and leads, forbidden
paths and bad input as 4xx bodies naming the field (never a 500)."""

from __future__ import annotations

import datetime
import json
import logging

import pytest
from django.utils import timezone

import factories
from clusterbrain.exhibitions.models import BoothAssignment, Lead, SignUp

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


def test_organisers_journey(client_for, world):
    today = timezone.localdate()
    c = client_for(world.users.association)
    r = send(
        c,
        "/api/v1/clusters/alpha/exhibitions",
        {
            "name_zh": "米兰皮革展",
            "name_en": "LINEAPELLE",
            "venue": "Fiera Milano",
            "city_zh": "米兰",
            "city_en": "Milan",
            "country": "IT",
            "scope": "abroad",
            "starts_on": (today + datetime.timedelta(days=40)).isoformat(),
            "ends_on": (today + datetime.timedelta(days=42)).isoformat(),
            "signup_deadline": (today + datetime.timedelta(days=20)).isoformat(),
            "booth_fee": "32000.50",
        },
    )
    assert r.status_code == 201, r.content
    eid = r.json()["id"]
    assert r.json()["booth_fee"] == "32000.50"
    r = send(
        c,
        f"/api/v1/exhibitions/{eid}/booths",
        {"booths": [{"code": "H1", "area_m2": "12", "zone": "H"}, {"code": "H2", "area_m2": 16}]},
    )
    assert r.status_code == 201 and len(r.json()["booths"]) == 2
    r = send(c, f"/api/v1/exhibitions/{eid}/booths", {"booths": [{"code": "h1", "area_m2": 9}]})
    assert r.status_code == 422 and locs(r) == [("booths", 0, "code")]
    own = client_for(world.users.enterprise)
    r = send(own, f"/api/v1/exhibitions/{eid}/signups", {"preferred_zone": "H"})
    assert r.status_code == 201 and r.json()["enterprise"] == world.own.pk
    r = send(own, f"/api/v1/exhibitions/{eid}/signups", {})
    assert r.status_code == 422 and locs(r) == [("enterprise",)]
    r = send(
        c, f"/api/v1/exhibitions/{eid}/assignments", {"booth": "H2", "enterprise": world.sharing.pk}
    )
    assert r.status_code == 422 and locs(r) == [("enterprise",)]  # not signed up
    r = send(c, f"/api/v1/exhibitions/{eid}/allocate")
    assert r.status_code == 200 and r.json()["assigned"] == 1
    r = send(
        c, f"/api/v1/exhibitions/{eid}/assignments", {"booth": "H2", "enterprise": world.own.pk}
    )
    assert r.status_code == 201 and r.json()["enterprise"] == world.own.pk
    r = send(
        c, f"/api/v1/exhibitions/{eid}/assignments", {"booth": "H2", "enterprise": world.own.pk}
    )
    assert r.status_code == 422 and locs(r) == [("booth",)]  # double booking
    r = own.get(f"/api/v1/exhibitions/{eid}/signups")
    assert [s["booths"] for s in r.json()] == [["H1", "H2"]] and r.json()[0]["fee"] == "64001.00"
    r = client_for().get(f"/api/v1/exhibitions/{eid}")
    assert r.status_code == 200 and {b["enterprise"] for b in r.json()["booths"]} == {world.own.pk}
    assert client_for().get("/api/v1/clusters/alpha/exhibitions").status_code == 200
    r = c.get(f"/api/v1/exhibitions/{eid}/report")
    assert r.json()["booths_given"] == 2 and r.json()["fees_total"] == "64001.00"


def test_bad_exhibition_and_forbidden_writes(client_for, world, fair):
    c = client_for(world.users.association)
    r = send(c, "/api/v1/clusters/alpha/exhibitions", {"name_zh": "x"})
    assert r.status_code == 422
    r = send(
        client_for(world.users.enterprise),
        f"/api/v1/exhibitions/{fair.pk}/booths",
        {"booths": [{"code": "Z1", "area_m2": 9}]},
    )
    assert r.status_code == 403
    assert send(client_for(), f"/api/v1/exhibitions/{fair.pk}/allocate").status_code == 401
    assert (
        send(client_for(world.users.office), f"/api/v1/exhibitions/{fair.pk}/allocate").status_code
        == 403
    )
    r = send(
        client_for(world.users.office_b),
        f"/api/v1/exhibitions/{fair.pk}/signups",
        {"enterprise": world.own.pk},
    )
    assert r.status_code == 403
    assert (
        client_for(world.users.bank).get(f"/api/v1/exhibitions/{fair.pk}/signups").status_code
        == 403
    )
    assert (
        client_for(world.users.bank).get(f"/api/v1/exhibitions/{fair.pk}/report").status_code == 403
    )
    assert client_for().get("/api/v1/exhibitions/999999").status_code == 404
    assert not SignUp.objects.exists() and not BoothAssignment.objects.exists()


def test_late_sign_up_is_refused(client_for, world, fair):
    fair.signup_deadline = timezone.localdate() - datetime.timedelta(days=1)
    fair.save()
    r = send(client_for(world.users.enterprise), f"/api/v1/exhibitions/{fair.pk}/signups", {})
    assert r.status_code == 422 and locs(r) == [("signup_deadline",)]
    assert not SignUp.objects.exists()


def test_leads_over_http_are_the_firms_own(client_for, world, fair, settings):
    own = client_for(world.users.enterprise)
    sid = send(own, f"/api/v1/exhibitions/{fair.pk}/signups", {}).json()["id"]
    today = timezone.localdate()
    fair.signup_deadline, fair.starts_on = today - datetime.timedelta(days=2), today
    fair.save()
    url = f"/api/v1/exhibitions/signups/{sid}/leads"
    r = send(
        own, url, {"buyer_company": "Seoul Leather", "country": "KR", "contact_email": "k@s.kr"}
    )
    assert r.status_code == 201, r.content
    lead_id = r.json()["id"]
    r = send(own, url, {"buyer_company": "X", "country": "Korea"})
    assert r.status_code == 422 and locs(r) == [("country",)]
    r = send(own, f"/api/v1/exhibitions/leads/{lead_id}", {"follow_up": "ordered"})
    assert r.json()["follow_up"] == "ordered"
    other = client_for(factories.user("enterprise", enterprise=world.sharing, username="s9"))
    for c in (other, client_for(world.users.association), client_for(world.users.office)):
        assert c.get(url).status_code == 404
        assert send(c, url, {"buyer_company": "Y", "country": "DE"}).status_code == 404
        assert (
            send(c, f"/api/v1/exhibitions/leads/{lead_id}", {"follow_up": "lost"}).status_code
            == 404
        )
    r = client_for(world.users.association).get(f"/api/v1/exhibitions/{fair.pk}/report")
    assert r.json()["leads_total"] is None and r.json()["leads_by_country"] == []  # one firm
    settings.AGGREGATE_MIN_FIRMS = 1
    r = client_for(world.users.association).get(f"/api/v1/exhibitions/{fair.pk}/report")
    assert r.json()["leads_by_country"] == [{"country": "KR", "leads": 1}]
    assert "Seoul" not in r.content.decode() and "k@s.kr" not in r.content.decode()
    assert Lead.objects.get().follow_up == "ordered"


def test_odd_ids_are_field_errors(client_for, world, fair):
    c = client_for(world.users.association)
    huge = 10**30
    r = send(c, f"/api/v1/exhibitions/{fair.pk}/assignments", {"booth": "A01", "enterprise": huge})
    assert r.status_code == 422
    r = send(c, f"/api/v1/exhibitions/{fair.pk}/signups", {"enterprise": huge})
    assert r.status_code == 422
    page = client_for(world.users.association)
    for firm in ("abc", str(huge)):
        r = page.post(
            f"/exhibitions/{fair.pk}/", {"action": "assign", "booth": "A01", "enterprise": firm}
        )
        assert r.status_code == 422
        r = page.post(f"/exhibitions/{fair.pk}/", {"action": "signup", "enterprise": firm})
        assert r.status_code == 422
    r = page.post(f"/exhibitions/{fair.pk}/", {"action": "withdraw", "signup": "x"})
    assert r.status_code == 404
    assert not SignUp.objects.exists()
