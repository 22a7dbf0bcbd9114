"""The shared EPCIS conformance documents over HTTP (read from ../shared, never copied): every
valid one captured by a platform admin and returned equivalent by `GET /epcis/events`
(normalised events compared, recordTime being the repository's own); every invalid one
refused with the event and the field named, nothing stored."""

from __future__ import annotations

import json

import pytest
from epcis_files import needs_epcis_files, shared_files

from clusterbrain.engines.epcis.normalise import normalise_document, normalise_event
from clusterbrain.engines.epcis.validate import check_document
from clusterbrain.trace.models import Event

VALID = shared_files("Capture/Documents", "Capture/Events", "gs1/examples")
INVALID = shared_files("Capture/Invalid", "Query/Invalid")
# refused as a whole document (no event index): decision 0010
DOCUMENT_LEVEL = {"EPCISDocument_without_context.json"}

pytestmark = [pytest.mark.django_db, needs_epcis_files]


def _comparable(event: dict) -> dict:
    event = normalise_event(event)
    event.pop("recordTime", None)
    return event


@pytest.mark.parametrize("path", VALID, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_document_captured_and_returned_equivalent(world, client_for, path):
    admin = client_for(world.users.admin)
    raw = path.read_bytes()
    doc, problems = check_document(raw)
    assert not problems
    single = doc.get("type") != "EPCISDocument" and doc.get("type") != "EPCISQueryDocument"
    url = "/epcis/events" if single else "/epcis/capture"
    response = admin.post(url, raw, content_type="application/ld+json")
    assert response.status_code in (201, 202), response.content
    job = admin.get(response["Location"]) if not single else None
    if job is not None:
        assert job.status_code == 200 and job.json()["success"] is True, job.content
    expected = [_comparable(e) for e in normalise_document(doc)]
    got = admin.get("/epcis/events", {"perPage": 1000})
    assert got.status_code == 200
    body = got.json()
    assert body["type"] == "EPCISQueryDocument"
    returned = body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert all("recordTime" in e for e in returned)
    by_id = {e["eventID"]: _comparable(e) for e in returned}
    # repeated eventIDs with the same content are stored once
    assert len(by_id) == len({e["eventID"] for e in expected}) == Event.objects.count()
    for e in expected:
        assert by_id[e["eventID"]] == e


@pytest.mark.parametrize("path", INVALID, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_invalid_document_refused_naming_event_and_field(world, client_for, path):
    admin = client_for(world.users.admin)
    response = admin.post("/epcis/capture", path.read_bytes(), content_type="application/json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "epcisException:ValidationException" and body["status"] == 400
    assert body["detail"] and body["errors"]
    for error in body["errors"]:
        assert error["msg"] and error["loc"] and "code" in error
    if path.name not in DOCUMENT_LEVEL:
        # the event index always; the field too, except where the problem is the event's
        # missing lists as a whole ("needs at least one of: epcList, quantityList")
        assert any(e["event"] is not None for e in body["errors"]), body
        assert any(e["field"] or "needs at least one of" in e["msg"] for e in body["errors"])
    assert Event.objects.count() == 0
    job = admin.get(response["Location"]).json()
    assert job["success"] is False and job["eventsStored"] == 0
    assert json.dumps(job["errors"]) == json.dumps(body["errors"])
