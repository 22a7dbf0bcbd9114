"""A server deployed without GS1's EPCIS JSON schema (not shipped, decision 0010): capture
answers 503 naming the setting and stores nothing (no capture job, no event); `manage.py check`
warns; reads still work. These run whether or not the schema is present here: each test points
the setting at a file that does not exist."""

from __future__ import annotations

import json

import pytest
from django.core import checks

from clusterbrain.accounts.auth import create_api_token
from clusterbrain.engines.epcis.validate import SCHEMA_ENV
from clusterbrain.trace.models import CaptureJob, Event

pytestmark = pytest.mark.django_db

DOC = {
    "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
    "type": "EPCISDocument",
    "schemaVersion": "2.0",
    "creationDate": "2026-11-25T08:00:00Z",
    "epcisBody": {
        "eventList": [
            {
                "type": "ObjectEvent",
                "eventTime": "2026-11-25T08:00:00Z",
                "eventTimeZoneOffset": "+08:00",
                "action": "ADD",
                "epcList": ["urn:epc:id:sgtin:0614141.107346.2018"],
                "bizStep": "commissioning",
            }
        ]
    },
}


@pytest.fixture
def no_schema(monkeypatch, tmp_path):
    missing = tmp_path / "EPCIS-JSON-Schema.json"
    monkeypatch.setenv(SCHEMA_ENV, str(missing))
    return missing


def token_client(client_for, user):
    _token, key = create_api_token(user)
    return client_for(None, HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.parametrize("path", ["/epcis/capture", "/epcis/events"])
def test_capture_without_the_schema_is_503_and_stores_nothing(world, client_for, no_schema, path):
    c = token_client(client_for, world.users.enterprise)
    r = c.post(
        path,
        json.dumps(
            DOC
            if path.endswith("capture")
            else DOC["epcisBody"]["eventList"][0] | {"@context": DOC["@context"]}
        ),
        content_type="application/ld+json",
    )
    assert r.status_code == 503, r.content
    assert r["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == 503 and SCHEMA_ENV in problem["detail"]
    assert str(no_schema) not in problem["detail"]  # the server's paths stay on the server
    assert CaptureJob.objects.count() == 0 and Event.objects.count() == 0


def test_malformed_json_is_still_a_400_without_the_schema(world, client_for, no_schema):
    c = token_client(client_for, world.users.enterprise)
    r = c.post("/epcis/capture", b"{not json", content_type="application/json")
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json"


def test_reads_work_without_the_schema(world, client_for, no_schema):
    c = token_client(client_for, world.users.enterprise)
    r = c.get("/epcis/events")
    assert r.status_code == 200
    assert r.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == []


def test_check_warns_and_names_the_setting(no_schema):
    found = [m for m in checks.run_checks() if m.id == "trace.W001"]
    assert len(found) == 1 and found[0].level == checks.WARNING
    assert SCHEMA_ENV in found[0].hint and str(no_schema) in found[0].hint


def test_check_is_quiet_with_the_schema(no_schema):
    no_schema.write_text("{}", encoding="utf-8")  # a file is there (its content is capture's)
    assert not [m for m in checks.run_checks() if m.id == "trace.W001"]
