"""Market intelligence in Debian's chromium, in Chinese and in English: a firm imports its
sales export whose headers it maps itself (upload → preview → map → import) and its dashboard
draws the charts; the public sees the cluster's market page with the trends found and its
charts, and the forecasts page with the intervals drawn as bands. The cluster's sales are the
demo's (tests/market judge the import rules, privacy and the planted trends)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from browsing import CHROMIUM, SCREENSHOTS, open_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM}"),
]

TEXT = {
    "zh": {"lang": "zh-Hans", "imported": "已导入 12 笔销售", "band": "95% 区间"},
    "en": {"lang": "en", "imported": "12 sales imported", "band": "95 % interval"},
}


def _export(path: Path) -> Path:
    """An e-commerce export with its own headers: none of them is one of our field names."""
    start = datetime.date.today() - datetime.timedelta(weeks=12)
    lines = ["Order date,Platform,类目,Qty,Paid,Note"]
    for i in range(12):
        day = start + datetime.timedelta(weeks=i)
        lines.append(f"{day.isoformat()},JD,handbag,{2 + i % 3},{520 + 10 * i},order {i}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_firm_imports_with_a_mapping_and_sees_its_charts(
    site, live_server, browser, lang, tmp_path
):
    from clusterbrain.market.models import SalesRecord

    firm = site.own
    context, page, errors = open_page(browser, live_server.url, lang, "own-user", timeout=30_000)
    page.goto(live_server.url + f"/firms/{firm.pk}/sales/")
    page.click("#import-link")
    page.wait_for_url(re.compile(rf"/firms/{firm.pk}/sales/import/$"))
    page.set_input_files("#upload-form input[type=file]", str(_export(tmp_path / "jd.csv")))
    page.click("#upload-button")
    page.locator("#mapping-preview").wait_for()
    # the firm's own headers, mapped by hand; the note column is ignored
    for header, field in (
        ("Order date", "date"),
        ("Platform", "channel"),
        ("类目", "category"),
        ("Qty", "quantity"),
        ("Paid", "value"),
        ("Note", "-"),
    ):
        page.select_option(f"select[data-header='{header}']", field)
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-market-{lang}-1-mapping.png"))
    page.click("#import-button")
    page.wait_for_url(re.compile(rf"/firms/{firm.pk}/sales/$"))
    page.locator(f"#messages .message:has-text('{TEXT[lang]['imported']}')").wait_for()
    for chart in ("chart-firm-weekly", "chart-firm-channels"):
        page.locator(f"[data-chart='{chart}'] .main-svg").first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-market-{lang}-2-dashboard.png"))
    context.close()
    assert not errors, errors
    rows = SalesRecord.objects.filter(enterprise=firm)
    assert rows.count() == 12 and set(rows.values_list("channel", flat=True)) == {"ecommerce"}


@pytest.fixture
def market_cluster(site):
    import factories
    from clusterbrain.market.demo import load_market_demo

    template = factories.chain_template("leather_goods", [], [])
    cluster = factories.cluster(slug="sl", name_zh="狮岭", name_en="Shiling", template=template)
    for _ in range(40):
        factories.enterprise(cluster)
    assert load_market_demo(cluster, today=datetime.date.today()) > 25_000
    return cluster


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_public_sees_trends_charts_and_forecast_bands(market_cluster, live_server, browser, lang):
    context, page, errors = open_page(browser, live_server.url, lang, timeout=30_000)
    page.goto(live_server.url + f"/c/{market_cluster.slug}/market/")
    findings = page.locator("#trend-findings [data-direction]")
    assert findings.count() >= 2
    directions = set(findings.evaluate_all("rows => rows.map(r => r.dataset.direction)"))
    assert {"rising", "falling"} <= directions
    assert page.locator("#trend-withheld").count() == 1  # the one-firm material
    for chart in ("chart-market-weekly", "chart-market-channels"):
        page.locator(f"[data-chart='{chart}'] .main-svg").first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-market-{lang}-3-cluster.png"))
    page.click("#forecasts-link")
    page.wait_for_url(re.compile(r"/market/forecasts/$"))
    assert page.locator("#mase-ours").count() == 1 and page.locator("#mase-naive").count() == 1
    chart = page.locator("[data-chart='chart-forecast']")
    chart.locator(".main-svg").first.wait_for()
    # two interval bands, each a filled area, named in the legend in the page's language
    assert chart.locator(".scatterlayer .js-fill").count() >= 2
    legend = chart.locator(".legend .legendtext").evaluate_all("ts => ts.map(t => t.textContent)")
    assert TEXT[lang]["band"] in legend, legend
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-market-{lang}-4-forecasts.png"))
    context.close()
    assert not errors, errors
