"""Lot traceability in Debian's chromium, in Chinese and in English: the reeling firm searches
its lots, opens its raw silk, sees the genealogy drawn back to the cocoon lots with their
shares, and follows the recall to the fabric made from it (owner and share, CSV link). The
chain is captured beforehand with the capture service (tests/trace judge capture and every
rule)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from browsing import CHROMIUM, SCREENSHOTS, open_page

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "trace"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM}"),
]

TEXT = {
    "zh": {"lang": "zh-Hans", "back": "向上追溯", "recall": "召回", "origin": "是"},
    "en": {"lang": "en", "back": "Trace back", "recall": "Recall", "origin": "yes"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lot_search_genealogy_and_recall(site, live_server, browser, lang):
    from tracedata import COCOONS, COCOONS_2, FABRIC, SILK, silk_chain

    from clusterbrain.trace.models import Lot
    from clusterbrain.trace.selectors import forget_genealogy

    forget_genealogy()
    silk_chain(site)
    silk = Lot.objects.get(key=SILK)
    text = TEXT[lang]

    context, page, errors = open_page(browser, live_server.url, lang, "own-user")
    # the cluster nav leads to the lots; the search swaps its results in (HTMX)
    page.goto(live_server.url + f"/c/{site.a.slug}/")
    page.click(".cluster-nav a[href*='/trace/lots/']")
    page.wait_for_url(re.compile(r"/trace/lots/\?cluster="))
    page.fill("#lot-search input[name=q]", "012346")
    page.click("#lot-search button[type=submit]")
    page.wait_for_url(re.compile(r"q=012346"))
    rows = page.locator("#lot-table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1 and rows.first.get_attribute("data-lot") == SILK
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-trace-{lang}-1-search.png"))

    # the lot: its genealogy drawn, cocoon origins with their shares
    page.click(f"#lot-table a[href='/trace/lots/{silk.pk}/']")
    page.wait_for_url(re.compile(rf"/trace/lots/{silk.pk}/$"))
    assert text["back"] in page.inner_text("#back-title")
    page.locator("[data-chart='chart-trace-back'].is-drawn").wait_for()
    back = page.locator("#trace-back-table")
    assert back.locator(f"tr[data-lot='{COCOONS}'] td").nth(3).inner_text() == "66.7%"
    assert back.locator(f"tr[data-lot='{COCOONS_2}'] td").nth(3).inner_text() == "33.3%"
    # the other firm's cocoon quantity is not shown to this firm
    assert back.locator(f"tr[data-lot='{COCOONS_2}'] td").nth(4).inner_text() == "—"
    assert page.inner_text("#origin-count") == "2"
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-trace-{lang}-2-genealogy.png"))

    # the recall: the fabric woven from it, its owner, the CSV
    page.click("#open-recall")
    page.wait_for_url(re.compile(rf"/trace/lots/{silk.pk}/recall/$"))
    assert text["recall"] in page.inner_text("h1")
    fabric = page.locator(f"#recall-table tr[data-lot='{FABRIC}']")
    assert fabric.locator("td").nth(3).inner_text() == "100%"
    assert "Other Goods" in fabric.inner_text() or "他家皮具" in fabric.inner_text()
    assert text["origin"] in fabric.locator("td").nth(5).inner_text()
    assert page.get_attribute("#recall-csv", "href").endswith("?format=csv")
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-trace-{lang}-3-recall.png"))
    context.close()
    assert not errors, errors
