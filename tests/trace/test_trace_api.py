"""The EPCIS endpoints over HTTP with the test client: capture jobs, single events, the query
parameters, paging with Link rel=next, errors as problem+json, and who may do what."""

from __future__ import annotations

import json
import re

import pytest
from tracedata import (
    COCOONS,
    COCOONS_2,
    CONTEXT,
    FABRIC,
    OTHER_SITE,
    OWN_MILL,
    OWN_SITE,
    SILK,
    body,
    declare,
)

from clusterbrain.accounts.auth import create_api_token
from clusterbrain.trace.models import CaptureJob, Event

pytestmark = pytest.mark.django_db

JSONLD = "application/ld+json"


def token_client(client_for, user):
    _token, key = create_api_token(user)
    return client_for(None, HTTP_AUTHORIZATION=f"Bearer {key}")


def events_of(response) -> list[dict]:
    return response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def ids(response) -> list[str]:
    return [e["eventID"] for e in events_of(response)]


def test_capture_with_a_token_gives_a_job(world, places, client_for):
    c = token_client(client_for, world.users.enterprise)
    r = c.post("/epcis/capture", body(declare(COCOONS, 100)), content_type=JSONLD)
    assert r.status_code == 202 and r["GS1-EPCIS-Version"] == "2.0.0"
    assert re.fullmatch(r"/epcis/capture/cj_[0-9a-f]{24}", r["Location"])
    job = c.get(r["Location"])
    assert job.status_code == 200
    data = job.json()
    assert data["success"] and not data["running"] and data["eventsStored"] == 1
    assert data["captureErrorBehaviour"] == "rollback" and data["errors"] == []
    assert c.get("/epcis/capture").json()[0]["captureID"] == data["captureID"]


def test_anonymous_gets_401_problem(world, client, places):
    r = client.post("/epcis/capture", body(declare(COCOONS, 1)), content_type=JSONLD)
    assert r.status_code == 401 and r["Content-Type"] == "application/problem+json"
    assert r.json()["type"] == "epcisException:SecurityException"
    assert client.get("/epcis/events").status_code == 401
    assert Event.objects.count() == 0


def test_bad_token_is_401(world, client_for, places):
    c = client_for(None, HTTP_AUTHORIZATION="Bearer cb_nonsense")
    assert c.get("/epcis/events").status_code == 401


def test_wrong_media_type_is_415(world, client_for, places):
    c = token_client(client_for, world.users.enterprise)
    r = c.post("/epcis/capture", "x=1", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415 and "application/json" in r.json()["detail"]


def test_rollback_is_400_naming_event_and_field_and_stores_nothing(world, places, client_for):
    c = token_client(client_for, world.users.enterprise)
    bad = declare(COCOONS_2, 5)
    bad["quantityList"][0]["quantity"] = "5"
    r = c.post("/epcis/capture", body(declare(COCOONS, 100), bad), content_type=JSONLD)
    assert r.status_code == 400
    data = r.json()
    assert set(data) >= {"type", "title", "status", "detail", "errors", "captureID"}
    [error] = data["errors"]
    assert error["event"] == 1 and error["field"] == "quantityList/0/quantity"
    assert error["loc"] == ["epcisBody", "eventList", 1, "quantityList", 0, "quantity"]
    assert "quantityList/0/quantity" in data["detail"] and Event.objects.count() == 0
    assert c.get(r["Location"]).json()["success"] is False


def test_proceed_stores_the_valid_events(world, places, client_for):
    c = token_client(client_for, world.users.enterprise)
    bad = declare(COCOONS_2, 5)
    bad["action"] = "EXPLODE"
    r = c.post(
        "/epcis/capture",
        body(declare(COCOONS, 100), bad),
        content_type=JSONLD,
        HTTP_GS1_CAPTURE_ERROR_BEHAVIOUR="proceed",
    )
    assert r.status_code == 202
    job = c.get(r["Location"]).json()
    assert job["eventsStored"] == 1 and job["success"] is False
    assert job["errors"][0]["event"] == 1 and job["errors"][0]["field"] == "action"
    assert Event.objects.count() == 1


def test_unknown_error_behaviour_is_refused(world, places, client_for):
    c = token_client(client_for, world.users.enterprise)
    r = c.post(
        "/epcis/capture",
        body(declare(COCOONS, 1)),
        content_type=JSONLD,
        HTTP_GS1_CAPTURE_ERROR_BEHAVIOUR="ignore",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["GS1-Capture-Error-Behaviour"]


def test_resending_is_idempotent_and_a_changed_event_is_refused(world, places, client_for):
    c = token_client(client_for, world.users.enterprise)
    event = declare(COCOONS, 100, event_id="urn:uuid:11111111-1111-4111-8111-111111111111")
    assert c.post("/epcis/capture", body(event), content_type=JSONLD).status_code == 202
    again = c.post("/epcis/capture", body(event), content_type=JSONLD)
    assert again.status_code == 202 and c.get(again["Location"]).json()["eventsDuplicate"] == 1
    event["quantityList"][0]["quantity"] = 99
    changed = c.post("/epcis/capture", body(event), content_type=JSONLD)
    assert changed.status_code == 400
    assert changed.json()["errors"][0]["code"] == "event_id_conflict"
    assert Event.objects.count() == 1


def test_single_event_endpoint(world, places, client_for):
    c = token_client(client_for, world.users.enterprise)
    event = declare(COCOONS, 100, event_id="urn:uuid:22222222-2222-4222-8222-222222222222")
    bare = c.post("/epcis/events", json.dumps(event), content_type="application/json")
    assert bare.status_code == 400 and bare.json()["errors"][0]["loc"] == ["@context"]
    event["@context"] = CONTEXT
    r = c.post("/epcis/events", json.dumps(event), content_type="application/json")
    assert r.status_code == 201
    assert r["Location"] == "/epcis/events/urn%3Auuid%3A22222222-2222-4222-8222-222222222222"
    got = c.get(r["Location"])
    assert got.status_code == 200 and got.json()["eventID"] == event["eventID"]
    doc = c.post("/epcis/events", body(event), content_type=JSONLD)
    assert doc.status_code == 400 and doc.json()["errors"][0]["code"] == "not_an_event"
    lone = c.post("/epcis/capture", json.dumps(event), content_type=JSONLD)
    assert lone.status_code == 400 and lone.json()["errors"][0]["code"] == "not_a_document"


def test_firm_capturing_at_another_firms_location_is_403(world, places, client_for):
    c = token_client(client_for, world.users.enterprise)
    r = c.post("/epcis/capture", body(declare(COCOONS, 1, site=OTHER_SITE)), content_type=JSONLD)
    assert r.status_code == 403
    assert {e["field"] for e in r.json()["errors"]} == {"bizLocation/id", "readPoint/id"}
    assert Event.objects.count() == 0


@pytest.mark.parametrize("role", ["office", "association", "bank"])
def test_roles_that_do_not_capture(world, places, client_for, role):
    c = token_client(client_for, getattr(world.users, role))
    jobs = CaptureJob.objects.count()
    r = c.post("/epcis/capture", body(declare(COCOONS, 1)), content_type=JSONLD)
    assert r.status_code == 403 and CaptureJob.objects.count() == jobs


def test_session_capture_needs_csrf(world, places):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users.enterprise)
    r = c.post("/epcis/capture", body(declare(COCOONS, 1)), content_type=JSONLD)
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    assert c.get("/epcis/events").status_code == 200  # reads need no token


def test_another_users_job_is_not_found(world, places, client_for):
    mine = token_client(client_for, world.users.enterprise)
    r = mine.post("/epcis/capture", body(declare(COCOONS, 1)), content_type=JSONLD)
    theirs = token_client(client_for, world.users.office)
    assert theirs.get(r["Location"]).status_code == 404
    assert token_client(client_for, world.users.admin).get(r["Location"]).status_code == 200


# --- query ------------------------------------------------------------------------------


def test_query_filters(world, chain, client_for):
    c = token_client(client_for, world.users.admin)

    def q(**params):
        r = c.get("/epcis/events", params)
        assert r.status_code == 200, r.content
        return ids(r)

    all_ids = q()
    assert len(all_ids) == 4
    e1, e2, e3, e4 = all_ids
    assert q(eventType="TransformationEvent") == [e3, e4]
    assert q(eventType="ObjectEvent|TransformationEvent") == all_ids
    assert q(EQ_bizStep="commissioning") == all_ids
    assert q(EQ_bizStep="https://ref.gs1.org/cbv/BizStep-commissioning") == all_ids
    assert q(EQ_disposition="active") == [e1, e2]
    assert q(EQ_action="ADD") == [e1, e2]
    assert q(MATCH_epcClass=COCOONS) == [e1]
    assert q(MATCH_inputEPCClass=COCOONS) == [e3]
    assert q(MATCH_outputEPCClass=SILK) == [e3]
    assert q(MATCH_anyEPCClass=SILK) == [e3, e4]
    assert q(MATCH_anyEPCClass=f"{FABRIC}|{COCOONS_2}") == [e2, e3, e4]
    assert q(MATCH_anyEPCClass="urn:epc:idpat:sgtin:6901234.012346.*") == [e3, e4]
    assert q(MATCH_epc="urn:epc:id:sgtin:1.2.3") == []
    assert q(GE_eventTime="2026-05-02T00:00:00+00:00") == [e3, e4]
    assert q(LT_eventTime="2026-05-02T00:00:00Z") == [e1, e2]
    assert q(EQ_bizLocation=OTHER_SITE) == [e2, e4]
    assert q(EQ_bizLocation="https://id.gs1.org/414/6905555000014") == [e2, e4]
    assert q(EQ_readPoint=OWN_MILL) == [e3]
    assert q(WD_bizLocation=OWN_SITE) == [e1]
    assert q(EQ_eventID=e4) == [e4]
    assert q(orderBy="eventTime", orderDirection="DESC") == [e4, e3, e2, e1]
    assert q(GE_recordTime="2000-01-01T00:00:00Z") == all_ids
    assert q(EXISTS_errorDeclaration="true") == []


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"EQ_bizstep": "shipping"}, "EQ_bizstep"),
        ({"GE_eventTime": "yesterday"}, "GE_eventTime"),
        ({"GE_eventTime": "2026-05-01T00:00:00"}, "GE_eventTime"),
        ({"eventType": "ThingEvent"}, "eventType"),
        ({"perPage": "0"}, "perPage"),
        ({"perPage": "many"}, "perPage"),
        ({"EQ_action": "MAYBE"}, "EQ_action"),
        ({"orderBy": "price"}, "orderBy"),
        ({"nextPageToken": "forged"}, "nextPageToken"),
        ({"MATCH_epc": "urn:epc:id:sgtin:1*"}, "MATCH_epc"),
    ],
)
def test_bad_query_parameter_is_400_naming_it(world, chain, client_for, params, name):
    c = token_client(client_for, world.users.admin)
    r = c.get("/epcis/events", params)
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json"
    data = r.json()
    assert data["type"] == "epcisException:QueryParameterException"
    assert data["errors"][0]["loc"] == [name] and name in data["detail"] or data["errors"][0]["msg"]


def test_paging_with_link_next(world, chain, client_for):
    c = token_client(client_for, world.users.admin)
    r = c.get("/epcis/events", {"perPage": 3, "eventType": "ObjectEvent|TransformationEvent"})
    assert len(events_of(r)) == 3
    link = r["Link"]
    m = re.fullmatch(r'<(http://testserver/epcis/events\?[^>]+)>; rel="next"', link)
    assert m and "nextPageToken=" in m.group(1) and "perPage=3" in m.group(1)
    second = c.get(m.group(1).replace("http://testserver", ""))
    assert second.status_code == 200 and len(events_of(second)) == 1
    assert "Link" not in second
    assert set(ids(r)) | set(ids(second)) == set(Event.objects.values_list("event_id", flat=True))
    # a token is bound to its query's filters
    token = re.search(r"nextPageToken=([^&>]+)", link).group(1)
    from urllib.parse import unquote

    other = c.get("/epcis/events", {"perPage": 3, "nextPageToken": unquote(token)})
    assert other.status_code == 400


def test_paging_by_event_time_descending(world, chain, client_for):
    c = token_client(client_for, world.users.admin)
    seen: list[str] = []
    url = "/epcis/events?perPage=1&orderBy=eventTime&orderDirection=DESC"
    while url:
        r = c.get(url)
        seen += ids(r)
        link = r.get("Link")
        url = re.match(r"<http://testserver([^>]+)>", link).group(1) if link else None
    times = [Event.objects.get(event_id=i).event_time for i in seen]
    assert len(seen) == 4 and times == sorted(times, reverse=True)


# --- who sees what ----------------------------------------------------------------------


def test_firm_sees_only_events_at_its_locations(world, chain, client_for):
    own = ids(token_client(client_for, world.users.enterprise).get("/epcis/events"))
    assert own == list(
        Event.objects.filter(enterprise=world.own).order_by("pk").values_list("event_id", flat=True)
    )
    assert len(own) == 2
    other_event = Event.objects.filter(enterprise=world.other).first()
    c = token_client(client_for, world.users.enterprise)
    assert c.get(f"/epcis/events/{other_event.event_id}").status_code == 404


def test_office_sees_its_cluster_only(world, chain, client_for):
    assert len(ids(token_client(client_for, world.users.office).get("/epcis/events"))) == 4
    assert ids(token_client(client_for, world.users.office_b).get("/epcis/events")) == []


def test_association_sees_sharing_members_only(world, chain, client_for):
    # neither `own` (a member that does not share) nor `other` (not a member) shares
    assert ids(token_client(client_for, world.users.association).get("/epcis/events")) == []


def test_bank_sees_nothing(world, chain, client_for):
    r = token_client(client_for, world.users.bank).get("/epcis/events")
    assert r.status_code == 403 and r.json()["type"] == "epcisException:SecurityException"


def test_openapi_lists_the_epcis_endpoints(client):
    spec = client.get("/epcis/openapi.json").json()
    assert {"/epcis/capture", "/epcis/events", "/epcis/capture/{capture_id}"} <= set(spec["paths"])
    params = {p["name"] for p in spec["paths"]["/epcis/events"]["get"]["parameters"]}
    assert {"MATCH_anyEPC", "perPage", "nextPageToken", "GE_eventTime"} <= params
    assert client.get("/api/docs").status_code == 200
