"""Support programs' pages: what each role sees, the forms' refusals by field (422, nothing
saved), and the forbidden paths."""

from __future__ import annotations

import pytest
from programsdata import PDF, PNG, upload

import factories
from clusterbrain.programs.models import Application, ApplicationDocument, SupportProgram

pytestmark = pytest.mark.django_db


def en(client_for, user=None):
    return client_for(user, HTTP_ACCEPT_LANGUAGE="en")


def test_firm_sees_programs_with_its_verdict_and_why(world, client_for, prog):
    c = en(client_for, world.users.enterprise)
    r = c.get("/c/alpha/programs/")
    assert r.status_code == 200
    assert b"Smart and green upgrading fund" in r.content
    assert b"status--ok" in r.content
    r = c.get("/c/alpha/programs/upgrade-2026/")
    html = r.content.decode()
    assert 'id="reasons"' in html and 'data-status="met"' in html
    assert 'id="apply-form"' in html


def test_ineligible_firm_sees_the_failing_condition_and_no_apply_form(world, client_for, prog):
    user = factories.user("enterprise", enterprise=world.other)
    html = en(client_for, user).get("/c/alpha/programs/upgrade-2026/").content.decode()
    assert 'data-field="open_environmental_violation" data-status="not_met"' in html
    assert "not open_environmental_violation" in html
    assert 'id="apply-form"' not in html
    # the Chinese page says the same in Chinese
    html = (
        client_for(user, HTTP_ACCEPT_LANGUAGE="zh-hans")
        .get("/c/alpha/programs/upgrade-2026/")
        .content.decode()
    )
    assert "贵企业是否符合条件？" in html and "不满足" in html and "不符合条件" in html


def test_apply_upload_submit_through_pages(world, client_for, prog, settings):
    c = en(client_for, world.users.enterprise)
    r = c.post(
        "/c/alpha/programs/upgrade-2026/",
        {"action": "apply", "requested_amount": "800000", "project": "环保改造"},
    )
    assert r.status_code == 302
    application = Application.objects.get()
    page = f"/programs/applications/{application.pk}/"
    assert r["Location"] == page
    r = c.post(page, {"action": "upload", "document": "plan", "file": upload("p.pdf", PNG)})
    assert r.status_code == 422
    assert b"Project plan" in r.content and b"PNG" in r.content
    assert not ApplicationDocument.objects.exists()
    r = c.post(page, {"action": "submit"})
    assert r.status_code == 422 and b"Project plan" in r.content
    r = c.post(page, {"action": "upload", "document": "plan", "file": upload("p.pdf", PDF)})
    assert r.status_code == 302
    r = c.get(f"{page}documents/plan/")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert c.post(page, {"action": "submit"}).status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"
    html = c.get("/programs/applications/").content.decode()
    assert 'data-status="submitted"' in html


def test_application_page_is_404_for_others(world, client_for, prog):
    application = Application.objects.create(
        program=prog.program, enterprise=world.own, requested_amount=1000
    )
    page = f"/programs/applications/{application.pk}/"
    stranger = factories.user("enterprise", enterprise=world.sharing)
    for user in (stranger, world.users.bank, world.users.office_b):
        assert client_for(user).get(page).status_code == 404
        assert client_for(user).get(f"{page}documents/plan/").status_code == 404
        assert client_for(user).post(page, {"action": "withdraw"}).status_code == 404
    assert client_for().get(page).status_code == 302  # to the login page
    for user in (world.users.office, world.users.association):
        r = client_for(user).get(page)
        assert r.status_code == 200 and b'id="submit-form"' not in r.content
    assert Application.objects.get().status == "draft"


def test_office_edit_form_shows_rule_errors_inline_and_saves_nothing(world, client_for, prog):
    c = en(client_for, world.users.office)
    r = c.get("/c/alpha/programs/upgrade-2026/edit/")
    assert r.status_code == 200 and b"open_environmental_violation" in r.content
    data = {
        "code": "upgrade-2026",
        "name_zh": "改名",
        "budget": "50000000",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "applications_open": "2026-01-01",
        "applications_close": "2030-12-31",
        "eligibility_rule": "is_member and\nrevnue >= 1",
        "criterion-0-key": "tech",
        "criterion-0-name_zh": "技术",
        "criterion-0-weight": "1",
        "document-0-key": "plan",
        "document-0-name_en": "Plan",
        "document-0-allowed_types": "pdf",
    }
    r = c.post("/c/alpha/programs/upgrade-2026/edit/", data)
    assert r.status_code == 422
    html = r.content.decode()
    assert 'data-field="eligibility_rule"' in html and "Line 2, column 1" in html
    assert "revenue" in html  # the suggestion
    assert SupportProgram.objects.get().name_zh == "智能化绿色化改造专项资金"
    data["eligibility_rule"] = "is_member"
    r = c.post("/c/alpha/programs/upgrade-2026/edit/", data)
    assert r.status_code == 302
    program = SupportProgram.objects.get()
    assert program.name_zh == "改名" and program.eligibility_rule == "is_member"
    assert [c.key for c in program.criteria.all()] == ["tech"]


def test_rule_check_partial(world, client_for):
    c = en(client_for, world.users.association)
    r = c.post("/c/alpha/programs/rule-check/", {"eligibility_rule": "revenue >= "})
    assert r.status_code == 200 and b"Line 1, column" in r.content
    r = c.post("/c/alpha/programs/rule-check/", {"eligibility_rule": "REVENUE >= 5%"})
    assert b"revenue &gt;= 5%" in r.content or b"revenue &gt;= 0.05" in r.content
    assert (
        client_for(world.users.enterprise).post("/c/alpha/programs/rule-check/").status_code == 404
    )


def test_new_program_page_for_staff_only(world, client_for):
    assert client_for(world.users.association).get("/c/alpha/programs/new/").status_code == 200
    for user in (world.users.enterprise, world.users.bank, world.users.office_b):
        assert client_for(user).get("/c/alpha/programs/new/").status_code == 404


def test_office_opens_from_the_page(world, client_for):
    from programsdata import build_program

    prog = build_program(world, open_it=False)
    c = en(client_for, world.users.office)
    assert b'id="open-program"' in c.get("/c/alpha/programs/upgrade-2026/").content
    assert c.post("/c/alpha/programs/upgrade-2026/", {"action": "open"}).status_code == 302
    prog.program.refresh_from_db()
    assert prog.program.status == "open"
    r = client_for(world.users.association).post(
        "/c/alpha/programs/upgrade-2026/", {"action": "closed"}
    )
    assert r.status_code == 403


def test_a_value_of_the_wrong_kind_is_named_as_the_value(world, client_for):
    """`revenue >= "big"`: revenue is a number field; the value written is what is wrong, so
    the message says so (in both languages) instead of "revenue is a number; this condition
    needs a number"."""
    url = f"/api/v1/clusters/{world.a.slug}/program-rule-check"
    office = client_for(world.users.office)
    for rule, words in (
        ('revenue >= "big"', ('the value "big" is a text in quotes', "write a number")),
        ("is_member = 3", ("the value 3 is a number", "write a yes/no value")),
    ):
        r = office.post(
            url, {"rule": rule}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert r.status_code == 422
        message = r.json()["errors"][0]["msg"]
        assert all(w in message for w in words), message
        assert "this condition needs" not in message
    r = office.post(
        url,
        {"rule": 'revenue >= "big"'},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert '值 "big" 是带引号的文本' in r.json()["errors"][0]["msg"]


def test_the_office_records_and_closes_violations_on_a_page(world, client_for):
    """The cluster office records an authority's finding against a firm by its unified social
    credit code, the firm then fails `not open_environmental_violation`, and the office closes
    it; refused input (no such firm, a firm of another cluster, a date in the future, closing
    before it was found) is a 422 naming the field with nothing saved; association staff,
    firms and another cluster's office get 403, anonymous the login page."""
    import datetime

    from django.urls import reverse
    from django.utils import timezone

    from clusterbrain.green.models import EnvironmentalViolation
    from clusterbrain.programs.profiles import profile_of

    url = reverse("programs-violations", args=[world.a.slug])
    office = client_for(world.users.office)
    listing = office.get(reverse("programs-list", args=[world.a.slug])).content.decode()
    assert f'href="{url}"' in listing
    today = timezone.localdate()
    record = {"action": "record", "authority": "区生态环境局", "found_on": str(today)}
    for firm, field in (("nonsense", "enterprise"), (world.outsider.uscc, "enterprise")):
        r = office.post(url, {**record, "enterprise": firm})
        assert r.status_code == 422 and f'data-field="{field}"' in r.content.decode()
    tomorrow = str(today + datetime.timedelta(days=1))
    r = office.post(url, {**record, "enterprise": world.own.uscc, "found_on": tomorrow})
    assert r.status_code == 422 and 'data-field="found_on"' in r.content.decode()
    assert not EnvironmentalViolation.objects.exists()
    r = office.post(url, {**record, "enterprise": world.own.uscc.lower()})
    assert r.status_code == 302
    v = EnvironmentalViolation.objects.get()
    assert v.enterprise == world.own and profile_of(world.own)["open_environmental_violation"]
    page = office.get(url).content.decode()
    assert f'data-violation="{v.pk}" data-status="open"' in page
    yesterday = str(today - datetime.timedelta(days=1))
    r = office.post(url, {"action": "close", "violation": v.pk, "closed_on": yesterday})
    assert r.status_code == 422 and 'data-field="closed_on"' in r.content.decode()
    for user in (world.users.association, world.users.enterprise, world.users.office_b):
        c = client_for(user)
        assert c.get(url).status_code == 403, user.username
        assert c.post(url, {"action": "close", "violation": v.pk}).status_code == 403
    assert client_for(None).get(url).status_code == 302
    r = client_for(world.users.office_b).get(reverse("programs-violations", args=[world.b.slug]))
    assert r.status_code == 200 and "区生态环境局" not in r.content.decode()
    r = office.post(url, {"action": "close", "violation": v.pk, "closed_on": str(today)})
    assert r.status_code == 302
    v.refresh_from_db()
    assert v.status == "closed" and not profile_of(world.own)["open_environmental_violation"]
    r = office.post(url, {"action": "close", "violation": v.pk})
    assert r.status_code == 422 and 'data-field="status"' in r.content.decode()
    assert 'data-status="closed"' in office.get(f"{url}?status=closed").content.decode()
    assert f'data-violation="{v.pk}"' not in office.get(f"{url}?status=open").content.decode()
