"""A visitor's journey through the pages in Debian's chromium, in Chinese and in English:
clusters → overview → chain map → a link (the HTMX panel) → a firm's profile, plus the
directory's live search and the map. Every request must stay on the test server: the pages
load no font, script or tile from the network."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from browsing import CHROMIUM, SCREENSHOTS
from webdata import SECRET_REVENUE_TEXTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"Debian chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    ),
]

# What the pages say in each language.
TEXT = {
    "zh": {
        "cluster": "甲集群",
        "overview": "产业链完整度",
        "chain_nav": "产业链图谱",
        "panel": "本环节共 4 家企业",
        "firm": "自家皮革",
        "roles": "产业链角色",
        "directory_nav": "企业",
        "filters": "筛选",
        "search": "共享",
        "found": "共享皮革",
        "map_nav": "地图",
        "map_title": "企业与厂区地图",
        "lang": "zh-Hans",
    },
    "en": {
        "cluster": "Alpha cluster",
        "overview": "Chain completeness",
        "chain_nav": "Chain map",
        "panel": "4 firms in this link",
        "firm": "Own Leather",
        "roles": "Chain roles",
        "directory_nav": "Enterprises",
        "filters": "Filters",
        "search": "Sharing",
        "found": "Sharing Leather",
        "map_nav": "Map",
        "map_title": "Map of firms and sites",
        "lang": "en",
    },
}


def nav(page, name: str) -> None:
    page.locator(".cluster-nav").get_by_role("link", name=name, exact=True).click()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-journey-{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_visitor_journey(site, live_server, browser, lang):
    text = TEXT[lang]
    server = urlsplit(live_server.url)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_default_timeout(15_000)

    # The clusters; Chinese by default, English through the language switch.
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    if lang == "en":
        page.click(".lang-switch button[value=en]")
        page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == text["lang"]
    shot(page, f"{lang}-1-home")

    # Overview: key figures and the plotly charts, drawn from our own static files.
    page.click(f".cluster-card h3 a:has-text('{text['cluster']}')")
    page.wait_for_url(re.compile(r"/c/alpha/$"))
    assert text["overview"] in page.inner_text("main")
    page.wait_for_selector(".chart.is-drawn")
    assert page.locator(".chart.is-drawn").count() >= 4
    assert page.locator(".chart.is-drawn svg.main-svg").count() >= 4
    shot(page, f"{lang}-2-overview")

    # Chain map: one SVG node per link, coloured by status.
    nav(page, text["chain_nav"])
    page.wait_for_url(re.compile(r"/c/alpha/chain/$"))
    nodes = page.locator(".chainmap-svg a.node")
    assert nodes.count() == 5
    assert page.locator(".chainmap-svg a.node.node--support").count() == 1

    # A link: HTMX loads its panel without leaving the page, and pushes the link's URL.
    page.evaluate("window.__samePage = true")
    page.click(".chainmap-svg a.node[data-link=tanning]")
    page.wait_for_selector("#link-panel .panel[data-link=tanning]")
    page.wait_for_url(re.compile(r"/c/alpha/chain/tanning/$"))
    assert page.evaluate("window.__samePage") is True  # no full reload
    panel = page.inner_text("#link-panel")
    assert text["panel"] in panel and text["firm"] in panel
    assert "is-selected" in page.get_attribute(".chainmap-svg a.node[data-link=tanning]", "class")
    shot(page, f"{lang}-3-chain-link")

    # A firm from the panel: its public profile, no confidential figure.
    page.click(f"#link-panel a:has-text('{text['firm']}')")
    page.wait_for_url(re.compile(rf"/firms/{site.own.pk}/$"))
    assert text["firm"] in page.inner_text("h1")
    main = page.inner_text("main")
    assert text["roles"] in main and site.own.uscc in main
    html = page.content()
    for secret in SECRET_REVENUE_TEXTS:
        assert secret not in html
    shot(page, f"{lang}-4-profile")

    # Directory: the search box updates the results in place and keeps them in the URL.
    nav(page, text["directory_nav"])
    page.wait_for_url(re.compile(r"/c/alpha/firms/$"))
    assert text["filters"] in page.inner_text("form.filters")
    page.evaluate("window.__samePage = true")
    page.fill("input[name=q]", text["search"])
    page.wait_for_url(re.compile(r"[?&]q="))
    page.wait_for_function("() => document.querySelectorAll('#results .firm-row').length === 1")
    assert text["found"] in page.inner_text("#results")
    assert page.evaluate("window.__samePage") is True
    # The pushed URL carries the search only, not every empty filter of the form.
    assert urlsplit(page.url).query == urlencode({"q": text["search"]})
    shot(page, f"{lang}-5-directory")

    # Map: the plotly scatter of firms and sites, with no tiles.
    nav(page, text["map_nav"])
    page.wait_for_url(re.compile(r"/c/alpha/map/$"))
    assert text["map_title"] in page.inner_text("h1")
    page.wait_for_selector(".chart--map.is-drawn")
    assert page.locator(".chart--map .scatterlayer .point").count() >= 5
    shot(page, f"{lang}-6-map")
    # A point opens the firm's profile.
    box = page.locator(".chart--map .scatterlayer .point").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r"/firms/\d+/$"))
    assert page.locator(".breadcrumbs").count() == 1

    context.close()
    assert not errors, errors
    outside = [
        url
        for url in requests
        if urlsplit(url).scheme in ("http", "https", "ws", "wss")
        and urlsplit(url).hostname not in (server.hostname, "localhost", "127.0.0.1")
    ]
    assert not outside, outside
    assert any("/static/vendor/plotly" in url for url in requests)
    assert any("/static/django_htmx/htmx" in url for url in requests)


EDIT_TEXT = {
    "zh": {
        "my_firm": "我的企业",
        "edit_roles": "编辑产业链角色",
        "negative": "负",
        "saved": "产业链角色已保存",
        "link": "裁断",
        "roles": "产业链角色",
    },
    "en": {
        "my_firm": "My firm",
        "edit_roles": "Edit chain roles",
        "negative": "negative",
        "saved": "The chain role was saved.",
        "link": "Cutting",
        "roles": "Chain roles",
    },
}
# The browser logs every 4xx response, the 422 of a refused form included: that one is expected.
EXPECTED_CONSOLE = "the server responded with a status of 422"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_enterprise_user_keeps_its_chain_roles(site, live_server, browser, lang):
    """Log in → My firm → the chain roles editor: a negative capacity is refused on its field
    (the editor swapped in place by HTMX, nothing saved), corrected, saved, and on the profile."""
    import factories
    from clusterbrain.registry.models import EnterpriseRole

    text = EDIT_TEXT[lang]
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and EXPECTED_CONSOLE not in msg.text
            else None
        ),
    )
    page.set_default_timeout(15_000)

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "own-user")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("section.login button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    if lang == "en":
        page.click(".lang-switch button[value=en]")
        page.wait_for_load_state("networkidle")

    page.get_by_role("link", name=text["my_firm"], exact=True).click()
    page.wait_for_url(re.compile(rf"/firms/{site.own.pk}/$"))
    page.get_by_role("link", name=text["edit_roles"]).click()
    page.wait_for_url(re.compile(rf"/firms/{site.own.pk}/edit/roles/$"))

    page.evaluate("window.__samePage = true")
    page.select_option("select[name=link_code]", "cutting")
    page.fill("input[name=product_category]", "handbags")
    page.fill("input[name=capacity_per_month]", "-5")
    page.click("#role-form button[type=submit]")
    page.wait_for_selector("#editor .form-alert")
    assert page.evaluate("window.__samePage") is True  # swapped by HTMX, no reload
    error = page.inner_text("#editor .field--error .errorlist")
    assert text["negative"] in error
    assert page.evaluate("document.activeElement.classList.contains('form-alert')")
    assert page.input_value("input[name=product_category]") == "handbags"
    assert not EnterpriseRole.objects.filter(enterprise=site.own, link__code="cutting").exists()
    shot(page, f"{lang}-7-role-error")

    page.fill("input[name=capacity_per_month]", "1200")
    page.click("#role-form button[type=submit]")
    page.wait_for_selector(f"#messages .message:has-text('{text['saved']}')")
    assert page.evaluate("window.__samePage") is True
    assert page.locator("#editor .form-alert").count() == 0
    assert text["link"] in page.inner_text("#roles-table")
    shot(page, f"{lang}-8-role-saved")
    role = EnterpriseRole.objects.get(enterprise=site.own, link__code="cutting")
    assert (role.capacity_per_month, role.product_category) == (1200, "handbags")

    page.goto(live_server.url + f"/firms/{site.own.pk}/")
    roles = page.locator("section[aria-labelledby=roles-title]").inner_text()
    assert text["link"] in roles and "1,200" in roles and "handbags" in roles
    context.close()
    assert not errors, errors
