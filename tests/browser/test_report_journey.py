"""Trend-release reports in Debian's chromium, in Chinese and in English: the association's
staff create a draft from the market page, add a text, a chart and a trend picked from the
current scan, preview it (charts drawn by our plotly), publish it to the public and download
its PDF; a visitor then finds it in the cluster's list. The sales are the demo's (tests/market
judge permissions, suppression and immutability)."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

import pytest
from browsing import CHROMIUM, SCREENSHOTS, open_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM}"),
]

HEADINGS = {"zh": ("概述", "各渠道周销售", "重点趋势"), "en": ("Overview", "Weekly sales", "Trend")}


@pytest.fixture
def market_cluster(site):
    import factories
    from clusterbrain.accounts.models import Role
    from clusterbrain.market.demo import load_market_demo

    template = factories.chain_template("leather_goods", [], [])
    cluster = factories.cluster(slug="sl", name_zh="狮岭", name_en="Shiling", template=template)
    for _ in range(40):
        factories.enterprise(cluster)
    assert load_market_demo(cluster, today=datetime.date.today()) > 25_000
    factories.user(Role.ASSOCIATION, cluster=cluster, username="assoc-sl")
    return cluster


def _add(page, kind, figure, heading, body=""):
    page.select_option("#kind", kind)
    if figure is not None:
        page.select_option("#figure", figure)
    page.fill(f"#heading_{'en' if heading.isascii() else 'zh'}", heading)
    if body:
        page.fill(f"#body_{'en' if body.isascii() else 'zh'}", body)
    page.click("#add-section")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_association_publishes_a_report_and_its_pdf(market_cluster, live_server, browser, lang):
    pypdf = pytest.importorskip("pypdf")
    from clusterbrain.market.models import TrendReport

    base = live_server.url
    context, page, errors = open_page(browser, base, lang, "assoc-sl", timeout=30_000)
    page.goto(base + "/c/sl/market/")
    page.click("#reports-link")
    page.wait_for_url(re.compile(r"/c/sl/market/reports/$"))
    page.fill("#title_zh", "秋冬趋势发布")
    page.fill("#title_en", "Autumn-winter trend release")
    page.select_option("#audience", "public")
    page.click("#create-report")
    page.wait_for_url(re.compile(r"/market/reports/\d+/compose/$"))
    overview, weekly, trend = HEADINGS[lang]
    body = "Sheepskin leads." if lang == "en" else "羊皮领涨。"
    _add(page, "text", None, overview, body)
    _add(page, "chart", "weekly_by_channel", weekly)
    trend_value = page.locator("#figure optgroup").nth(1).locator("option").first
    figure = trend_value.get_attribute("value")
    assert figure and ":" in figure
    _add(page, "trend", figure, trend)
    assert page.locator("#section-list li").count() == 3
    assert page.locator("#compose-errors").count() == 0
    page.locator(".report-section .main-svg").first.wait_for()  # the preview's chart
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-report-{lang}-1-compose.png"))
    page.click("#publish")
    page.wait_for_url(re.compile(r"/market/reports/\d+/$"))
    assert page.locator("#draft-badge").count() == 0
    page.locator("[data-kind='chart'] .main-svg").first.wait_for()
    assert page.locator(".trend-evidence").count() == 1
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-report-{lang}-2-published.png"))
    with page.expect_download() as download_info:
        page.click("#pdf-link")
    content = Path(download_info.value.path()).read_bytes()
    assert content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)
    for heading in (overview, weekly, trend, figure.split(":", 1)[1]):
        assert heading in text, heading
    context.close()
    assert not errors, errors

    report = TrendReport.objects.get(cluster=market_cluster)
    assert report.status == "published" and report.sections.count() == 3
    context, page, errors = open_page(browser, base, lang, timeout=30_000)
    page.goto(base + "/c/sl/market/reports/")
    page.click(f"#published-reports li[data-id='{report.pk}'] a")
    page.wait_for_url(re.compile(rf"/market/reports/{report.pk}/$"))
    page.locator("[data-kind='chart'] .main-svg").first.wait_for()
    context.close()
    assert not errors, errors
