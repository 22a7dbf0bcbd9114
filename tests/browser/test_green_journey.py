"""Green production in Debian's chromium, in Chinese and in English: a tannery's user enters a
month's record and a wastewater test on its green page (the test exceeds a limit and says so);
the cluster office opens the green dashboard and finds the firm in its table and the charts
drawn. A year of records is laid down beforehand with the services (tests/green judge every
rule)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from browsing import CHROMIUM, SCREENSHOTS, open_page

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "green"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM}"),
]

TEXT = {
    "zh": {"lang": "zh-Hans", "saved": "记录已保存", "exceeds": "超出"},
    "en": {"lang": "en", "saved": "The record was saved", "exceeds": "exceeds"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_firm_records_and_office_sees_the_dashboard(site, live_server, browser, lang):
    from django.utils import timezone
    from greendata import build_green

    from clusterbrain.green.models import ProductionRecord, WastewaterTest

    build_green(site)
    today = timezone.localdate()
    text = TEXT[lang]
    firm = site.own

    # The tannery: the dashboard's link to its own page → a month's record → a test.
    context, page, errors = open_page(browser, live_server.url, lang, "own-user")
    page.goto(live_server.url + f"/c/{site.a.slug}/green/")
    page.click("#own-green-link")
    page.wait_for_url(re.compile(rf"/firms/{firm.pk}/green/$"))
    form = page.locator("#record-form")
    form.locator("input[name=month]").fill(today.strftime("%Y-%m"))
    form.locator("input[name=area_chrome_m2]").fill("700")
    form.locator("input[name=area_chrome_free_m2]").fill("300")
    form.locator("input[name=water_m3]").fill("90")
    form.locator("input[name=electricity_kwh]").fill("12000")
    form.locator("button[type=submit]").click()
    page.locator(f"#messages .message:has-text('{text['saved']}')").wait_for()
    assert page.locator(f"#records-table tr[data-month='{today:%Y-%m}']").count() == 1
    tests = page.locator("#test-form")
    tests.locator("input[name=sampled_on]").fill(today.isoformat())
    tests.locator("input[name=laboratory]").fill("SGS")
    tests.locator("input[name=total_cr_mg_l]").fill("2.1")
    tests.locator("input[name=cr6_mg_l]").fill("0.02")
    tests.locator("input[name=cod_mg_l]").fill("120")
    tests.locator("button[type=submit]").click()
    page.locator(f"#messages .message:has-text('{text['exceeds']}')").wait_for()
    assert page.locator("#cycle-state").get_attribute("data-state") == "tested"
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-green-{lang}-1-firm.png"), full_page=True)
    context.close()
    assert not errors, errors
    assert ProductionRecord.objects.filter(enterprise=firm, month=today.replace(day=1)).exists()
    assert WastewaterTest.objects.get(enterprise=firm).exceeded == ["total_cr"]

    # The office: the green dashboard with every firm and the charts drawn.
    context, page, errors = open_page(browser, live_server.url, lang, "office-a")
    page.goto(live_server.url + f"/c/{site.a.slug}/green/")
    assert page.locator(f"#green-firms tr[data-firm='{firm.pk}']").count() == 1
    page.locator("[data-chart='chart-green-chrome-free'] .main-svg").first.wait_for()
    assert page.inner_text("#green-tested").strip() not in ("", "–")
    page.screenshot(
        path=str(SCREENSHOTS / f"clusterbrain-green-{lang}-2-dashboard.png"), full_page=True
    )
    context.close()
    assert not errors, errors
