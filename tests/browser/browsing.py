"""Where the browser journeys find Debian's chromium and put their screenshots."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("CLUSTERBRAIN_SCREENSHOTS", "/tmp"))

HTML_LANG = {"zh": "zh-Hans", "en": "en"}


def open_page(browser, base, lang, username=None, timeout=20_000):
    """A desktop page of the site in `lang` ("zh" or "en"), logged in as `username` (None: a
    visitor): (context, page, the page's JavaScript errors)."""
    import factories

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(timeout)
    if username:
        page.goto(base + "/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("section.login button[type=submit]")
        page.wait_for_url(base + "/")
    else:
        page.goto(base + "/")
    if lang == "en":
        page.click(".lang-switch button[value=en]")
        page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == HTML_LANG[lang]
    return context, page, errors
