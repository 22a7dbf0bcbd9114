"""An exhibition group in Debian's chromium, in Chinese and in English: a firm signs up on the
fair's page (an area that is not a number refused by field first), the association allocates
the booths with the page's button, and the firm finds its booth and fee on the page
(tests/exhibitions judge the allocation rule and who sees leads)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from browsing import CHROMIUM, SCREENSHOTS, open_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM}"),
]

TEXT = {
    "zh": {"signed": "报名成功", "allocated": "已分配展位：1", "booths": "本企业展位"},
    "en": {"signed": "Signed up", "allocated": "Booths allocated: 1", "booths": "Your booths"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_firm_signs_up_and_finds_its_booth(site, live_server, browser, lang):
    from django.utils import timezone

    from clusterbrain.exhibitions import services
    from clusterbrain.exhibitions.models import SignUp

    world = site
    today = timezone.localdate()
    fair = services.create_exhibition(
        world.users.association,
        world.a,
        name_zh="米兰国际皮革展",
        name_en="LINEAPELLE Milan",
        venue="Fiera Milano",
        city_zh="米兰",
        city_en="Milan",
        country="IT",
        scope="abroad",
        starts_on=today + datetime.timedelta(days=40),
        ends_on=today + datetime.timedelta(days=42),
        signup_deadline=today + datetime.timedelta(days=20),
        booth_fee="32000",
    )
    services.add_booths(
        world.users.association,
        fair,
        [
            {"code": "H1", "area_m2": "12", "zone": "H1"},
            {"code": "H2", "area_m2": "16", "zone": "H2", "corner": True},
        ],
    )
    text = TEXT[lang]
    base = live_server.url
    url = f"{base}/exhibitions/{fair.pk}/"
    context, page, errors = open_page(browser, base, lang, world.users.enterprise.username)
    page.goto(url)
    page.fill("#signup-form input[name=area_requested]", "twelve")
    page.click("#signup-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#form-errors li[data-field=area_requested]").count() == 1
    assert not SignUp.objects.exists()
    page.fill("#signup-form input[name=area_requested]", "16")
    page.select_option("#signup-form select[name=preferred_zone]", "H2")
    page.fill("#signup-form input[name=products]", "皮衣 Leather jackets")
    page.click("#signup-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert text["signed"] in page.locator("#messages").inner_text()
    assert page.locator("#own-signup").count() == 1

    staff, desk, staff_errors = open_page(browser, base, lang, world.users.association.username)
    desk.goto(url)
    desk.click("#allocate-form button[type=submit]")
    desk.wait_for_load_state("networkidle")
    assert text["allocated"] in desk.locator("#messages").inner_text()
    name = world.own.name_zh if lang == "zh" else world.own.name_en
    assert name in desk.locator("tr[data-booth=H2]").inner_text()
    staff.close()

    page.goto(url)
    own = page.locator("#own-booths").inner_text()
    assert text["booths"] in own and "H2" in own and "¥32,000" in own
    page.screenshot(path=str(SCREENSHOTS / f"exhibition-firm-{lang}.png"), full_page=True)
    assert errors == [] and staff_errors == []
    context.close()
