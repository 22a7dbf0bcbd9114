"""The product passport in Debian's chromium, in Chinese and in English: a shopper's phone scans
the label's QR code (opens the GS1 Digital Link, no login) and reads the passport, opens the JSON
export; the firm that published it finds it in its passport list and the QR code image loads.
The leather chain is laid down with the demo's own builder (tests/passport judge the content)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from browsing import CHROMIUM, SCREENSHOTS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "passport"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM}"),
]

TEXT = {
    "zh": {"lang": "zh-Hans", "title": "无铬鞣牛皮夹克（辛集）", "origins": "源头"},
    "en": {"lang": "en", "title": "Chrome-free leather jacket (Xinji)", "origins": "Origins"},
}


@pytest.fixture
def chain(transactional_db, world):
    from passportdata import leather_chain

    from clusterbrain.trace.selectors import forget_genealogy

    forget_genealogy()
    built = leather_chain(world)
    yield built
    forget_genealogy()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_scan_the_label_and_read_the_passport(chain, world, live_server, browser, lang):
    import factories
    from clusterbrain.accounts.models import Role
    from clusterbrain.passport.models import Passport

    passport = Passport.objects.get(slug="alpha-jacket")
    base = live_server.url
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(20_000)
    page.goto(base + passport.path)  # what the camera opens
    if lang == "en":
        page.click(".lang-switch button[value=en]")
        page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == TEXT[lang]["lang"]
    assert page.locator("#passport-title").inner_text() == TEXT[lang]["title"]
    assert TEXT[lang]["origins"] in page.locator("#origins-title").inner_text()
    assert page.locator("#origins li").count() == 2
    assert "100.0 %" in page.locator("#cert-shares").inner_text()
    assert page.locator("#steps li").count() == 4
    # fits the phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.screenshot(path=str(SCREENSHOTS / f"passport-phone-{lang}.png"), full_page=True)
    with page.expect_response(lambda r: "format=json" in r.url) as answer:
        page.click("#json-export")
    document = json.loads(answer.value.body())
    assert document["slug"] == "alpha-jacket" and document["product"]["lot"] == "JK2601"
    # a withdrawn or unknown product is a friendly page, not an error
    page.goto(base + "/01/00694801020041/10/JK2601")
    assert page.locator(".error-code").inner_text() == "404"
    assert errors == []
    phone.close()

    owner = factories.user(Role.ENTERPRISE, enterprise=world.leading, username=f"lead-{lang}")
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = desk.new_page()
    page.set_default_timeout(20_000)
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", owner.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("section.login button[type=submit]")
    page.wait_for_url(base + "/")
    if lang == "en":
        page.click(".lang-switch button[value=en]")
        page.wait_for_load_state("networkidle")
    page.click("a.passports-link")
    page.click("#passport-list tbody a")
    page.wait_for_selector("#qr-image")
    page.wait_for_function("document.querySelector('#qr-image').naturalWidth > 0")
    assert page.locator("#digital-link").inner_text().endswith(passport.path)
    page.screenshot(path=str(SCREENSHOTS / f"passport-manage-{lang}.png"), full_page=True)
    desk.close()
