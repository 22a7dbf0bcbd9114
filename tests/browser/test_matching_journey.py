"""Leading + matching in Debian's chromium, in Chinese and in English: the leading firm opens
its order with the allocation's proposal and confirms it; the supplier follows the notification
badge to the order and accepts its part. The order and the run are laid down beforehand with the
services (tests/matching judge the engine and every rule)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from browsing import CHROMIUM, SCREENSHOTS, open_page

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "matching"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM}"),
]

TEXT = {
    "zh": {"lang": "zh-Hans", "confirmed": "方案已确认", "accepted": "您已接单"},
    "en": {"lang": "en", "confirmed": "The proposal was confirmed", "accepted": "You accepted"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_buyer_confirms_and_supplier_accepts(site, live_server, browser, lang):
    from matchingdata import build_market, order_data

    from clusterbrain.matching import services
    from clusterbrain.matching.models import Assignment

    market = build_market(site)
    order = services.post_order(
        market.users.buyer, market.leading, order_data(market, quantity=100)
    )
    services.run_allocation(market.users.office, market.cluster, market.monday, time_limit=5)
    part = Assignment.objects.get(order=order)
    text = TEXT[lang]

    # The leading firm: Orders in the cluster nav → its order → confirm the proposal.
    context, page, errors = open_page(browser, live_server.url, lang, "buyer")
    page.goto(live_server.url + f"/c/{market.cluster.slug}/orders/")
    page.click(f"#placed-orders a:has-text('{order.reference}')")
    page.wait_for_url(re.compile(rf"/orders/{order.pk}/$"))
    assert page.locator(f"#proposal-table tr[data-supplier='{market.far.pk}']").count() == 1
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-matching-{lang}-1-proposal.png"))
    page.click("#confirm-proposal")
    page.locator(f"#messages .message:has-text('{text['confirmed']}')").wait_for()
    context.close()
    assert not errors, errors

    # The supplier: the badge counts the offer; the notification leads to the order.
    context, page, errors = open_page(browser, live_server.url, lang, "far-user")
    assert page.inner_text("#unread-count") == "1"
    page.click(".notifications-link")
    page.click("#notification-list a")
    page.wait_for_url(re.compile(rf"/orders/{order.pk}/$"))
    main = page.inner_text("main").casefold()  # the eyebrow is set in capitals
    assert "lead brand" in main or "龙头品牌" in main
    page.click(f"#accept-{part.pk}")
    page.locator(f"#messages .message:has-text('{text['accepted']}')").wait_for()
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-matching-{lang}-2-accepted.png"))
    context.close()
    assert not errors, errors
    part.refresh_from_db()
    assert part.status == Assignment.Status.ACCEPTED
