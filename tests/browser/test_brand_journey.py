"""Verifying a regional brand licence in Debian's chromium, in Chinese and in English: an
anonymous visitor types a code from a label into the verification form and reads the licence's
public face (licensee, brand, products, countries, period, never the terms); a code with one
symbol mistyped is told apart from a code nobody issued; a suspended licence says so. The
licensee then downloads its QR code (tests/brand judge the rules)."""

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
    "zh": {
        "title": "区域品牌许可查验",
        "valid": "许可有效",
        "mistyped": "编码有输入错误",
        "unknown": "没有这个编码的许可",
        "suspended": "该许可已暂停",
    },
    "en": {
        "title": "Verify a regional brand licence",
        "valid": "Valid licence",
        "mistyped": "This code has a typing error",
        "unknown": "No licence has this code",
        "suspended": "This licence is suspended",
    },
}


def _typo(code: str) -> str:
    from clusterbrain.brand.codes import ALPHABET

    i = 9  # inside the random part
    return code[:i] + ALPHABET[(ALPHABET.index(code[i]) + 5) % 32] + code[i + 1 :]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_visitor_verifies_a_licence_code(site, live_server, browser, lang):
    from django.utils import timezone

    from clusterbrain.brand import services
    from clusterbrain.brand.codes import check_symbol
    from clusterbrain.registry.models import Brand

    world = site
    brand = Brand.objects.get(cluster=world.a, is_regional=True)
    today = timezone.localdate()
    licence = services.grant_licence(
        world.users.association,
        brand,
        licensee=world.own,
        products=["手袋 Handbags", "钱包 Wallets"],
        countries=["CN", "DE"],
        valid_from=today - datetime.timedelta(days=10),
        valid_until=today + datetime.timedelta(days=700),
        terms="SECRET-ROYALTY-TERMS",
    )
    other = services.grant_licence(
        world.users.association,
        brand,
        licensee=world.sharing,
        products=["Belts"],
        countries=["US"],
        valid_from=today - datetime.timedelta(days=10),
        valid_until=today + datetime.timedelta(days=300),
    )
    services.suspend_licence(world.users.association, other, reason="spot check")
    text = TEXT[lang]
    base = live_server.url
    context, page, errors = open_page(browser, base, lang)
    page.goto(base + "/brand/verify/")
    assert page.locator("#verify-title").inner_text() == text["title"]

    # a label's code typed in lower case with spaces: still found
    page.fill("#code", licence.code.lower().replace("-", " "))
    page.click("#verify-form button[type=submit]")
    page.wait_for_url(f"**/brand/verify/{licence.code}/")
    result = page.locator("#verification")
    assert result.get_attribute("data-outcome") == "valid"
    assert text["valid"] in result.locator("h2").inner_text()
    name = world.own.name_zh if lang == "zh" else world.own.name_en
    assert page.locator("#licensee").inner_text() == name
    assert page.locator("#countries").inner_text() == "CN, DE"
    assert "手袋 Handbags" in page.locator("#products").inner_text()
    assert (
        page.locator("#period").inner_text()
        == f"{licence.valid_from:%Y-%m-%d} – {licence.valid_until:%Y-%m-%d}"
    )
    assert "SECRET-ROYALTY-TERMS" not in page.content()
    page.screenshot(path=str(SCREENSHOTS / f"brand-verify-{lang}.png"), full_page=True)

    # one symbol mistyped: the check symbol tells it apart from a code nobody was given
    page.fill("#code", _typo(licence.code))
    page.click("#verify-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#verification").get_attribute("data-outcome") == "mistyped"
    assert text["mistyped"] in page.locator("#outcome-message").inner_text()
    assert page.locator("#licence-facts").count() == 0

    body = "ABCDEFGHJK"
    unknown = f"SL-2026-{body[:5]}-{body[5:]}-{check_symbol('2026' + body)}"
    page.fill("#code", unknown)
    page.click("#verify-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#verification").get_attribute("data-outcome") == "unknown"
    assert text["unknown"] in page.locator("#outcome-message").inner_text()

    page.fill("#code", other.code)
    page.click("#verify-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#verification").get_attribute("data-outcome") == "suspended"
    assert text["suspended"] in page.locator("#outcome-message").inner_text()
    assert errors == []
    context.close()


def test_licensee_downloads_its_qr_code(site, live_server, browser):
    from django.utils import timezone

    import factories
    from clusterbrain.brand import services
    from clusterbrain.registry.models import Brand

    world = site
    brand = Brand.objects.get(cluster=world.a, is_regional=True)
    today = timezone.localdate()
    licence = services.grant_licence(
        world.users.association,
        brand,
        licensee=world.own,
        products=["Handbags"],
        countries=["CN"],
        valid_from=today,
        valid_until=today + datetime.timedelta(days=30),
    )
    user = world.users.enterprise
    user.set_password(factories.PASSWORD)
    user.save()
    context, page, errors = open_page(browser, live_server.url, "en", user.username)
    page.goto(f"{live_server.url}/firms/{world.own.pk}/brand/")
    page.click(f"#firm-licences a:has-text('{licence.code}')")
    assert page.locator("#licence-code").inner_text() == licence.code
    # the image loads after the page: wait for it rather than read its size at once
    page.wait_for_function(
        "() => { const i = document.querySelector('#qr-image'); return i.complete; }"
    )
    assert page.evaluate("document.querySelector('#qr-image').naturalWidth") > 0
    with page.expect_download() as download:
        page.click("#qr-svg")
    assert download.value.suggested_filename == f"licence-{licence.code}.svg"
    assert errors == []
    context.close()
