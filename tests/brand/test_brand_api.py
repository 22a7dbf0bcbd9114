"""The regional brand over HTTP: public verification (no login, nothing confidential), the
association's journey, forbidden paths and bad input as 4xx bodies naming the field."""

from __future__ import annotations

import datetime
import json
import logging

import pytest
from django.utils import timezone

import factories
from clusterbrain.brand.models import BrandLicence

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _no_unhandled_errors(caplog):
    caplog.set_level(logging.ERROR, logger="clusterbrain.api")
    yield
    assert not [r for r in caplog.records if r.name == "clusterbrain.api"]


def send(client, url, data=None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


def locs(response):
    return sorted(tuple(e["loc"]) for e in response.json()["errors"])


def test_anyone_verifies_and_sees_no_terms(client_for, licence):
    r = client_for().get(f"/api/v1/brand/verify/{licence.code}")
    assert r.status_code == 200
    body = r.json()
    assert body["outcome"] == "valid" and body["licence"]["licensee_name"]
    assert body["licence"]["countries"] == ["CN", "DE"]
    assert "CONFIDENTIAL" not in r.content.decode() and "terms" not in body["licence"]
    r = client_for().get("/api/v1/brand/verify/SL-2026-AAAAA-AAAAA-0")
    assert r.json()["outcome"] in ("mistyped", "unknown") and r.json()["licence"] is None


def test_public_list_of_licensed_members(client_for, brand, licence, world):
    r = client_for().get(f"/api/v1/brand/brands/{brand.pk}/licensees")
    assert r.status_code == 200 and [x["code"] for x in r.json()] == [licence.code]
    assert r["X-Total-Count"] == "1" and 'rel="next"' not in r["Link"]
    r = client_for().get(f"/api/v1/brand/brands/{brand.pk}/licensees?page=2")
    assert r.status_code == 200 and r.json() == [] and 'rel="prev"' in r["Link"]
    r = client_for().get("/api/v1/clusters/alpha/brand/brands")
    assert r.json()[0]["licensed_members"] == 1


def test_association_journey(client_for, world, brand):
    c = client_for(world.users.association)
    r = send(
        c,
        "/api/v1/clusters/alpha/brand/licences",
        {
            "brand": brand.pk,
            "licensee": world.sharing.pk,
            "products": ["Belts"],
            "countries": ["US", "IT"],
            "valid_from": TODAY.isoformat(),
            "valid_until": (TODAY + datetime.timedelta(days=365)).isoformat(),
            "terms": "t",
        },
    )
    assert r.status_code == 201, r.content
    lic = r.json()
    assert lic["verify_url"].endswith(f"/brand/verify/{lic['code']}/")
    r = send(c, f"/api/v1/brand/licences/{lic['id']}/suspend", {"reason": "audit"})
    assert r.status_code == 200 and r.json()["standing"] == "suspended"
    r = send(c, f"/api/v1/brand/licences/{lic['id']}/reinstate", {})
    assert r.json()["standing"] == "valid"
    r = send(
        c,
        f"/api/v1/brand/licences/{lic['id']}/renew",
        {"valid_until": (TODAY + datetime.timedelta(days=900)).isoformat()},
    )
    assert r.status_code == 200
    r = send(c, f"/api/v1/brand/licences/{lic['id']}/revoke", {"reason": "left"})
    assert [e["action"] for e in r.json()["events"]] == [
        "granted",
        "suspended",
        "reinstated",
        "renewed",
        "revoked",
    ]
    r = c.get("/api/v1/clusters/alpha/brand/licences")
    assert [x["code"] for x in r.json()] == [lic["code"]]


def test_bad_grant_names_the_field_and_saves_nothing(client_for, world, brand):
    c = client_for(world.users.association)
    r = send(
        c,
        "/api/v1/clusters/alpha/brand/licences",
        {
            "brand": brand.pk,
            "licensee": world.other.pk,
            "products": [],
            "countries": ["CN", "JP"],
            "valid_from": TODAY.isoformat(),
            "valid_until": (TODAY - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert r.status_code == 422
    assert locs(r) == [("countries", 1), ("licensee",), ("products",), ("valid_until",)]
    assert "JP" in r.content.decode()
    r = send(c, "/api/v1/clusters/alpha/brand/licences", {"brand": brand.pk})
    assert r.status_code == 422
    assert not BrandLicence.objects.exists()


def test_forbidden_paths(client_for, world, brand, licence):
    payload = {
        "brand": brand.pk,
        "licensee": world.own.pk,
        "products": ["x"],
        "countries": ["CN"],
        "valid_from": TODAY.isoformat(),
        "valid_until": TODAY.isoformat(),
    }
    assert send(client_for(), "/api/v1/clusters/alpha/brand/licences", payload).status_code == 401
    for user in (world.users.enterprise, world.users.office, world.users.bank):
        r = send(client_for(user), "/api/v1/clusters/alpha/brand/licences", payload)
        assert r.status_code == 403
    other = client_for(world.users.office_b)
    assert other.get("/api/v1/clusters/alpha/brand/licences").status_code == 403
    assert other.get(f"/api/v1/brand/licences/{licence.pk}").status_code == 404
    firm2 = client_for(factories.user("enterprise", enterprise=world.sharing, username="s2"))
    assert firm2.get(f"/api/v1/brand/licences/{licence.pk}").status_code == 404
    assert firm2.get(f"/api/v1/enterprises/{world.own.pk}/brand/licences").status_code == 404
    r = send(firm2, f"/api/v1/brand/licences/{licence.pk}/revoke", {"reason": "x"})
    assert r.status_code == 404
    own = client_for(world.users.enterprise)
    r = send(own, f"/api/v1/brand/licences/{licence.pk}/revoke", {"reason": "x"})
    assert r.status_code == 403
    r = own.get(f"/api/v1/enterprises/{world.own.pk}/brand/licences")
    assert r.status_code == 200 and r.json()[0]["terms"].startswith("CONFIDENTIAL")
    licence.refresh_from_db()
    assert licence.status == "active"
