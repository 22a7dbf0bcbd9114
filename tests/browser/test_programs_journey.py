"""Support programs in Debian's chromium, in Chinese and in English: a firm opens the cluster's
programs, sees that it qualifies and why (each condition with its value), applies, uploads its
project plan (a PNG in its place refused by content first), submits and follows the status;
the office's rule editor shows a misspelt field inline as one types (HTMX). tests/programs
judge the rules, documents and permissions."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from browsing import CHROMIUM, SCREENSHOTS, open_page

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "programs"))

from programsdata import PDF, PNG, build_program  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM}"),
]

TEXT = {
    "zh": {
        "title": "扶持项目",
        "eligible": "符合条件",
        "met": "满足",
        "started": "申报已创建",
        "submitted": "已提交",
        "line": "第 2 行",
    },
    "en": {
        "title": "Support programs",
        "eligible": "eligible",
        "met": "met",
        "started": "Application started",
        "submitted": "submitted",
        "line": "Line 2",
    },
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_firm_sees_why_applies_and_submits(site, live_server, browser, lang):
    from clusterbrain.programs.models import Application

    world = site
    prog = build_program(world)
    t = TEXT[lang]
    context, page, errors = open_page(browser, live_server.url, lang, "own-user", timeout=30_000)
    page.goto(live_server.url + f"/c/{world.a.slug}/programs/")
    assert t["title"] in page.locator("h1").inner_text()
    row = page.locator(f"#programs tr[data-code='{prog.program.code}']")
    assert t["eligible"] in row.locator(".verdict").inner_text()
    row.locator("a").click()
    page.locator("#reasons").wait_for()
    # the why: every condition met, the environmental one with the firm's value
    assert page.locator("#reasons tr[data-status='met']").count() == 4
    violation = page.locator("#reasons tr[data-field='open_environmental_violation']")
    assert "not open_environmental_violation" in violation.inner_text()
    assert t["met"] in violation.inner_text()
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-programs-{lang}-1-why.png"))
    page.fill("#apply-form input[name=requested_amount]", "800000")
    page.fill("#apply-form textarea[name=project]", "智能裁断线改造")
    page.click("#apply-button")
    page.wait_for_url("**/programs/applications/*/")
    assert t["started"] in page.locator("#messages").inner_text()
    # a PNG offered as the project plan is refused by its content, naming the document
    plan = page.locator("#application-documents tr[data-key='plan']")
    plan.locator("input[type=file]").set_input_files(
        {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PNG}
    )
    plan.locator("button[type=submit]").click()
    page.locator("#form-errors").wait_for()
    assert "PNG" in page.locator("#form-errors").inner_text()
    plan = page.locator("#application-documents tr[data-key='plan']")
    plan.locator("input[type=file]").set_input_files(
        {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    plan.locator("button[type=submit]").click()
    page.locator("#application-documents tr[data-key='plan'] a").wait_for()
    page.click("#submit-application")
    page.locator("#application-status[data-status='submitted']").wait_for()
    assert t["submitted"] in page.locator("#application-status").inner_text()
    assert page.locator("#history li").count() == 2
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-programs-{lang}-2-submitted.png"))
    assert not errors, errors
    context.close()
    application = Application.objects.get()
    assert application.status == "submitted" and application.documents.count() == 1
    # the office's rule editor: a misspelt field shown where it is, as one types
    context, page, errors = open_page(browser, live_server.url, lang, "office-a", timeout=30_000)
    page.goto(live_server.url + f"/c/{world.a.slug}/programs/{prog.program.code}/edit/")
    page.fill("#eligibility_rule", "is_member\nand revnue >= 1")
    page.locator("#rule-check .errorlist").wait_for()
    message = page.locator("#rule-check").inner_text()
    assert t["line"] in message and "revnue" in message and "revenue" in message
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-programs-{lang}-3-rule.png"))
    assert not errors, errors
    context.close()


VIOLATION_TEXT = {
    "zh": {"title": "环境违法记录", "open": "未结案", "closed": "已结案", "recorded": "已为"},
    "en": {
        "title": "Environmental violations",
        "open": "open",
        "closed": "closed",
        "recorded": "Violation recorded",
    },
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_office_records_and_closes_a_violation(site, live_server, browser, lang):
    """The office follows the link from the programs list, records an authority's finding
    against a firm by its credit code (a firm that is not of the cluster named first), sees it
    open, and closes it."""
    from clusterbrain.green.models import EnvironmentalViolation

    world = site
    t = VIOLATION_TEXT[lang]
    context, page, errors = open_page(browser, live_server.url, lang, "office-a", timeout=30_000)
    page.goto(live_server.url + f"/c/{world.a.slug}/programs/")
    page.click("#violations-link")
    page.locator("#violations-title").wait_for()
    assert t["title"] in page.locator("h1").inner_text()
    page.fill("#violation-enterprise", world.outsider.uscc)
    page.fill("#violation-authority", "区生态环境局")
    page.fill("#violation-found-on", "2026-01-05")
    page.click("#record-violation")
    page.locator("#form-errors li[data-field='enterprise']").wait_for()
    page.fill("#violation-enterprise", world.own.uscc)
    page.click("#record-violation")
    page.locator("#messages").wait_for()
    assert t["recorded"] in page.locator("#messages").inner_text()
    row = page.locator("#violations tr[data-status='open']")
    assert t["open"] in row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-violations-{lang}-1-open.png"))
    row.locator(".close-form button").click()
    page.locator("#violations tr[data-status='closed']").wait_for()
    assert t["closed"] in page.locator("#violations tr[data-status='closed']").inner_text()
    assert not errors, errors
    context.close()
    assert EnvironmentalViolation.objects.get().status == "closed"
