"""Bank credit in Debian's chromium, in Chinese and in English: the firm grants its partner
bank a consent from its bank sharing page, the bank's officer finds the firm on his home page
and opens its credit profile (revenue drawn, the firm's confidential revenue shown because the
firm consented), the firm sees the look in its log and withdraws, and the officer no longer
finds the firm nor opens its profile (tests/finance judge the rules)."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import pytest
from browsing import CHROMIUM, SCREENSHOTS, open_page

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "finance"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM}"),
]

TEXT = {
    "zh": {
        "granted": "授权成功",
        "withdrawn": "授权已撤回",
        "profile": "信用画像",
        "not_found": "404",
    },
    "en": {
        "granted": "Consent granted",
        "withdrawn": "Consent withdrawn",
        "profile": "Credit profile",
        "not_found": "404",
    },
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_firm_consents_bank_reads_firm_withdraws(site, live_server, browser, lang):
    from django.utils import timezone
    from financedata import build_finance
    from webdata import SECRET_REVENUE

    from clusterbrain.finance.models import Consent, ProfileView

    fin = build_finance(site)
    own = site.own
    base = live_server.url
    until = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()

    # the firm grants its partner bank a consent (everything but program awards)
    context, page, errors = open_page(browser, base, lang, "own-user", timeout=30_000)
    page.goto(base + "/finance/sharing/")
    page.select_option("#grant-form select[name=bank]", str(fin.bank.pk))
    page.fill("#grant-form input[name=ends_on]", until)
    page.uncheck("#grant-form input[name=sections][value=awards]")
    page.click("#grant-form button[type=submit]")
    page.wait_for_url(base + "/finance/sharing/")
    assert TEXT[lang]["granted"] in page.locator("#messages").inner_text()
    page.locator("#consent-table tr[data-status=live]").wait_for()
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-finance-{lang}-1-consent.png"))
    consent = Consent.objects.get()
    assert consent.sections == ["revenue", "orders", "certificates", "green"]

    # the officer finds the firm and opens its profile
    officer_context, officer, officer_errors = open_page(
        browser, base, lang, "bank", timeout=30_000
    )
    officer.goto(base + "/finance/bank/")
    officer.click(f"#firm-table tr[data-id='{own.pk}'] a")
    officer.wait_for_url(base + f"/finance/bank/firms/{own.pk}/")
    assert TEXT[lang]["profile"] in officer.locator("#profile-title").inner_text()
    officer.locator("[data-chart='chart-revenue'] .main-svg").first.wait_for()
    assert f"{SECRET_REVENUE:,}" in officer.locator("#revenue-table").inner_text()
    assert officer.locator("#section-awards").count() == 0
    officer.screenshot(
        path=str(SCREENSHOTS / f"clusterbrain-finance-{lang}-2-profile.png"), full_page=True
    )
    assert ProfileView.objects.filter(enterprise=own, viewer=fin.officer).count() == 1

    # the firm sees the look and withdraws
    page.reload()
    assert "bank" in page.locator("#log-table").inner_text()
    page.click(f"#consent-table tr[data-id='{consent.pk}'] .withdraw-form button")
    page.wait_for_url(base + "/finance/sharing/")
    assert TEXT[lang]["withdrawn"] in page.locator("#messages").inner_text()
    page.locator(f"#consent-table tr[data-id='{consent.pk}'][data-status=withdrawn]").wait_for()
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-finance-{lang}-3-withdrawn.png"))
    assert not errors, errors
    context.close()

    # the officer no longer finds it, nor opens its profile
    officer.goto(base + "/finance/bank/")
    officer.locator("#no-firms").wait_for()
    response = officer.goto(base + f"/finance/bank/firms/{own.pk}/")
    assert response is not None and response.status == 404
    assert f"{SECRET_REVENUE:,}" not in officer.content()
    assert not officer_errors, officer_errors
    officer_context.close()
    assert ProfileView.objects.filter(enterprise=own).count() == 1
