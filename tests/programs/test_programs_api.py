"""Support programs over HTTP: the office's and the firm's journeys, each role's forbidden
paths, and bad input (rules, documents) as 4xx bodies naming the field, with nothing saved."""

from __future__ import annotations

import json
import logging

import pytest
from programsdata import PDF, PNG, program_data

import factories
from clusterbrain.programs.models import Application, ApplicationDocument, SupportProgram

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_unhandled_errors(caplog):
    caplog.set_level(logging.ERROR, logger="clusterbrain.api")
    yield
    assert not [r for r in caplog.records if r.name == "clusterbrain.api"]


def send(client, url, data=None, method="post"):
    return getattr(client, method)(
        url, data=json.dumps(data or {}), content_type="application/json"
    )


def locs(response):
    return [tuple(e["loc"]) for e in response.json()["errors"]]


def test_office_creates_edits_opens_a_program(world, client_for):
    c = client_for(world.users.office)
    r = send(c, "/api/v1/clusters/alpha/programs", program_data())
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "draft" and body["budget"] == "50000000.00"
    assert [d["key"] for d in body["documents"]] == ["plan", "budget_sheet"]
    r = send(
        c,
        "/api/v1/clusters/alpha/programs/upgrade-2026",
        {"name_en": "Upgrading fund 2026"},
        method="patch",
    )
    assert r.status_code == 200 and r.json()["name_en"] == "Upgrading fund 2026"
    assert r.json()["eligibility_rule"].startswith("size_class")  # untouched
    # anonymous callers do not see drafts
    assert client_for().get("/api/v1/clusters/alpha/programs/upgrade-2026").status_code == 404
    r = send(c, "/api/v1/clusters/alpha/programs/upgrade-2026/status", {"status": "open"})
    assert r.status_code == 200 and r.json()["status"] == "open"
    r = client_for().get("/api/v1/clusters/alpha/programs")
    assert [p["code"] for p in r.json()] == ["upgrade-2026"]


@pytest.mark.parametrize(
    ("rule", "needle"),
    [
        ("revnue >= 1", "revnue"),
        ('"tanning" in chain_links and', "Line 1, column"),
        ("size_class >= 3", "size_class"),
        ('is_member\nand "gold" in certificates', "Line 2, column 5"),
    ],
)
def test_bad_rule_is_422_naming_field_and_position_and_saves_nothing(
    world, client_for, rule, needle
):
    c = client_for(world.users.office, HTTP_ACCEPT_LANGUAGE="en")
    r = send(c, "/api/v1/clusters/alpha/programs", program_data(eligibility_rule=rule))
    assert r.status_code == 422, r.content
    assert locs(r) == [("eligibility_rule",)]
    assert needle in r.json()["errors"][0]["msg"]
    assert not SupportProgram.objects.exists()
    zh = client_for(world.users.office, HTTP_ACCEPT_LANGUAGE="zh-hans")
    r = send(zh, "/api/v1/clusters/alpha/programs", program_data(eligibility_rule=rule))
    assert r.status_code == 422 and "行" in r.json()["detail"]
    r = send(c, "/api/v1/clusters/alpha/program-rule-check", {"rule": rule})
    assert r.status_code == 422 and locs(r) == [("rule",)]


def test_a_bad_rule_in_an_edit_changes_nothing(world, client_for, prog):
    c = client_for(world.users.office)
    r = send(
        c,
        "/api/v1/clusters/alpha/programs/upgrade-2026",
        {"name_en": "Changed", "eligibility_rule": "revenue >= 'x'"},
        method="patch",
    )
    assert r.status_code == 422
    program = SupportProgram.objects.get()
    assert program.name_en == "Smart and green upgrading fund"
    assert program.eligibility_rule.startswith("size_class")


def test_rule_check_and_fields(world, client_for):
    c = client_for(world.users.association, HTTP_ACCEPT_LANGUAGE="en")
    r = send(c, "/api/v1/clusters/alpha/program-rule-check", {"rule": "revenue >= 'high'"})
    assert r.status_code == 422 and "revenue" in r.json()["detail"]
    r = send(c, "/api/v1/clusters/alpha/program-rule-check", {"rule": "revenue_growth >= 5%"})
    assert r.status_code == 200 and r.json()["fields_used"] == ["revenue_growth"]
    r = client_for().get("/api/v1/clusters/alpha/program-fields")
    names = {f["name"]: f for f in r.json()}
    assert "tanning" in names["chain_links"]["choices"]
    bank = client_for(world.users.bank)
    r = send(bank, "/api/v1/clusters/alpha/program-rule-check", {"rule": ""})
    assert r.status_code == 403


def test_who_may_write_programs(world, client_for, prog):
    for user in (world.users.enterprise, world.users.bank, world.users.office_b):
        c = client_for(user)
        assert send(c, "/api/v1/clusters/alpha/programs", program_data(code="x")).status_code == 403
        r = send(c, "/api/v1/clusters/alpha/programs/upgrade-2026/status", {"status": "closed"})
        assert r.status_code == 403
    assert send(client_for(), "/api/v1/clusters/alpha/programs", program_data()).status_code == 401


def test_firm_matches_applies_uploads_submits(world, client_for, prog):
    c = client_for(world.users.enterprise, HTTP_ACCEPT_LANGUAGE="en")
    r = c.get("/api/v1/programs/matching")
    assert r.status_code == 200
    [match] = r.json()
    assert match["eligible"] is True
    assert {x["status"] for x in match["reasons"]} == {"met"}
    r = send(
        c,
        "/api/v1/clusters/alpha/programs/upgrade-2026/applications",
        {"requested_amount": "1500000", "project": "智能裁断线"},
    )
    assert r.status_code == 201, r.content
    app_id = r.json()["id"]
    assert r.json()["missing_documents"] == ["plan"]
    r = send(c, f"/api/v1/applications/{app_id}/submit")
    assert r.status_code == 422 and locs(r) == [("documents", "plan")]
    r = c.post(
        f"/api/v1/applications/{app_id}/documents",
        {"document": "plan", "file": factories_file("plan.pdf", PDF)},
    )
    assert r.status_code == 201, r.content
    assert r.json()["documents"][0]["content_type"] == "application/pdf"
    r = send(c, f"/api/v1/applications/{app_id}/submit")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert [e["to_status"] for e in r.json()["events"]] == ["draft", "submitted"]
    assert c.get("/api/v1/applications/mine").json()[0]["id"] == app_id
    # the office and association see it; the program's list too
    for user in (world.users.office, world.users.association):
        r = client_for(user).get("/api/v1/clusters/alpha/programs/upgrade-2026/applications")
        assert [a["id"] for a in r.json()] == [app_id] and r["X-Total-Count"] == "1"
    r = c.get("/api/v1/applications/mine?per_page=1001")
    assert r.status_code == 422 and "per_page" in r.content.decode()
    r = send(c, f"/api/v1/applications/{app_id}/withdraw", {"note": "later"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"


def factories_file(name, content):
    from programsdata import upload

    return upload(name, content)


def test_wrong_document_is_422_naming_it_and_nothing_stored(world, client_for, prog):
    c = client_for(world.users.enterprise, HTTP_ACCEPT_LANGUAGE="en")
    r = send(
        c,
        "/api/v1/clusters/alpha/programs/upgrade-2026/applications",
        {"requested_amount": 1000},
    )
    app_id = r.json()["id"]
    r = c.post(
        f"/api/v1/applications/{app_id}/documents",
        {"document": "plan", "file": factories_file("plan.pdf", PNG)},
    )
    assert r.status_code == 422
    assert locs(r) == [("file",)]
    assert "Project plan" in r.json()["detail"] and "PNG" in r.json()["detail"]
    r = c.post(
        f"/api/v1/applications/{app_id}/documents",
        {"document": "plan", "file": factories_file("big.pdf", PDF + b"0" * (1024 * 1024))},
    )
    assert r.status_code == 422 and "1 MB" in r.json()["detail"]
    r = c.post(f"/api/v1/applications/{app_id}/documents", {"document": "plan"})
    assert r.status_code == 422
    assert not ApplicationDocument.objects.exists()


def test_ineligible_firm_gets_422_listing_conditions(world, client_for, prog):
    user = factories.user("enterprise", enterprise=world.other)
    c = client_for(user, HTTP_ACCEPT_LANGUAGE="en")
    r = send(
        c, "/api/v1/clusters/alpha/programs/upgrade-2026/applications", {"requested_amount": 10}
    )
    assert r.status_code == 422
    assert locs(r) == [("eligibility", "open_environmental_violation")]
    assert "not open_environmental_violation" in r.json()["detail"]
    assert not Application.objects.exists()


def test_other_firms_banks_and_other_clusters_get_404(world, client_for, prog):
    c = client_for(world.users.enterprise)
    app_id = send(
        c, "/api/v1/clusters/alpha/programs/upgrade-2026/applications", {"requested_amount": 10}
    ).json()["id"]
    stranger = factories.user("enterprise", enterprise=world.sharing)
    for user in (stranger, world.users.bank, world.users.office_b):
        other = client_for(user)
        assert other.get(f"/api/v1/applications/{app_id}").status_code == 404
        assert send(other, f"/api/v1/applications/{app_id}/withdraw").status_code == 404
        assert other.get("/api/v1/applications/mine").json() == []
        r = other.get("/api/v1/clusters/alpha/programs/upgrade-2026/applications")
        assert r.status_code in (403, 404)
        assert r.status_code == 404
    assert client_for().get(f"/api/v1/applications/{app_id}").status_code == 401
    # the bank and the other cluster's office cannot apply either
    r = send(
        client_for(world.users.bank),
        "/api/v1/clusters/alpha/programs/upgrade-2026/applications",
        {"requested_amount": 10},
    )
    assert r.status_code == 403
    assert Application.objects.count() == 1


def test_matching_is_for_firms(world, client_for):
    assert client_for(world.users.office).get("/api/v1/programs/matching").status_code == 403
    assert client_for().get("/api/v1/programs/matching").status_code == 401


def test_bad_ids_and_unknown_fields(world, client_for, prog):
    c = client_for(world.users.office)
    assert c.get("/api/v1/applications/999999999999999999999").status_code in (404, 422)
    assert c.get("/api/v1/clusters/alpha/programs/nope").status_code == 404
    r = send(c, "/api/v1/clusters/alpha/programs", program_data(code="x2", colour="red"))
    assert r.status_code == 422 and ("colour",) in locs(r)


def test_office_records_and_closes_violations_over_http(world, client_for):
    office = client_for(world.users.office, HTTP_ACCEPT_LANGUAGE="en")
    url = f"/api/v1/enterprises/{world.own.pk}/environmental-violations"
    r = send(office, url, {"authority": "环保局", "found_on": "2026-13-01"})
    assert r.status_code == 422 and locs(r) == [("found_on",)]
    r = send(office, url, {"authority": "环保局", "found_on": "2026-01-05", "description": "超标"})
    assert r.status_code == 201 and r.json()["status"] == "open"
    vid = r.json()["id"]
    # the firm sees its own; another firm, the bank and the other cluster's office do not
    own = client_for(world.users.enterprise)
    assert [v["id"] for v in own.get(url).json()] == [vid]
    stranger = factories.user("enterprise", enterprise=world.sharing)
    for user in (stranger, world.users.bank, world.users.office_b):
        assert client_for(user).get(url).status_code == 404
        assert (
            send(client_for(user), url, {"authority": "x", "found_on": "2026-01-01"}).status_code
            == 403
        )
        assert (
            send(client_for(user), f"/api/v1/environmental-violations/{vid}/close").status_code
            == 404
        )
    assert send(own, f"/api/v1/environmental-violations/{vid}/close").status_code == 404
    r = office.get("/api/v1/clusters/alpha/environmental-violations?status=open")
    assert [v["id"] for v in r.json()] == [vid]
    assert (
        client_for(world.users.association)
        .get("/api/v1/clusters/alpha/environmental-violations")
        .status_code
        == 403
    )
    r = send(office, f"/api/v1/environmental-violations/{vid}/close", {"closed_on": "2026-01-01"})
    assert r.status_code == 422 and locs(r) == [("closed_on",)]
    r = send(office, f"/api/v1/environmental-violations/{vid}/close", {"closed_on": "2026-02-01"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert (
        office.get(
            "/api/v1/enterprises/99999999999999999999999/environmental-violations"
        ).status_code
        == 404
    )
