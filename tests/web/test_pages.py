"""The server-rendered pages, through the real URLs, with a real database: what each shows, in
both languages, to whom; the edit form; the HTMX partials; query counts; the catalogue."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from webdata import SECRET_REVENUE_TEXTS, build_site

import factories
from clusterbrain.registry import selectors
from clusterbrain.registry.models import Enterprise

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HX = {"HTTP_HX_REQUEST": "true"}


def page_urls(site) -> dict[str, str]:
    return {
        "home": reverse("home"),
        "overview": reverse("cluster-overview", args=["alpha"]),
        "chain": reverse("chain-map", args=["alpha"]),
        "link": reverse("chain-link", args=["alpha", "tanning"]),
        "directory": reverse("directory", args=["alpha"]),
        "directory_filtered": reverse("directory", args=["alpha"]) + "?q=Leather&link=tanning",
        "map": reverse("firm-map", args=["alpha"]),
        "profile": reverse("enterprise-profile", args=[site.own.pk]),
        "login": reverse("login"),
    }


def get(client: Client, url: str, lang: dict[str, str] = ZH, **extra):
    response = client.get(url, **lang, **extra)
    return response, response.content.decode()


# --- every page, both languages ---------------------------------------------------------------

# What each page shows, in Chinese and in English (beside names and figures).
LABELS = {
    "home": ("产业集群", "Chain completeness"),
    "overview": ("产业链完整度", "Chain completeness"),
    "chain": ("产业链图谱", "Chain map"),
    "link": ("本环节", "in this link"),
    "directory": ("筛选", "Filters"),
    "directory_filtered": ("筛选", "Filters"),
    "map": ("企业与厂区地图", "Map of firms and sites"),
    "profile": ("产业链角色", "Chain roles"),
    "login": ("登录", "Log in"),
}


@pytest.mark.parametrize("page", list(LABELS))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders_for_a_visitor_in_both_languages(site, client, page, lang):
    response, html = get(client, page_urls(site)[page], ZH if lang == "zh" else EN)
    assert response.status_code == 200
    zh_label, en_label = LABELS[page]
    if lang == "zh":
        assert '<html lang="zh-Hans">' in html
        assert zh_label in html
        assert "概览" in html or page in ("home", "login")
    else:
        assert '<html lang="en">' in html
        assert en_label in html
        assert "Overview" in html or page in ("home", "login")
    assert "Traceback" not in html


def test_language_cookie_switches_the_language(site, client):
    client.cookies["django_language"] = "en"
    _response, html = get(client, reverse("cluster-overview", args=["alpha"]), lang={})
    assert "Chain completeness" in html and "Alpha cluster" in html
    client.cookies["django_language"] = "zh-hans"
    _response, html = get(client, reverse("cluster-overview", args=["alpha"]), lang={})
    assert "产业链完整度" in html and "甲集群" in html


def test_set_language_posts_back_to_the_page(site, client):
    url = reverse("directory", args=["alpha"]) + "?q=Own"
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    _response, html = get(client, url, lang={})
    assert "Own Leather" in html and "Filters" in html


def test_home_lists_the_clusters_with_key_figures(site, client):
    _response, html = get(client, reverse("home"))
    assert "甲集群" in html and "乙集群" in html
    assert reverse("cluster-overview", args=["alpha"]) in html
    assert "演示数据" in html  # alpha is demo data
    _response, html = get(client, reverse("home"), EN)
    assert "Alpha cluster" in html and "Demo data" in html


def test_overview_shows_kpis_charts_chain_brand_and_reported_figures(site, client):
    _response, html = get(client, reverse("cluster-overview", args=["alpha"]), EN)
    assert "Shiling Town, Huadu, Guangzhou" in html
    assert "Targets" in html and 'role="progressbar"' in html
    assert "firms above designated size" in html
    for chart in ("chart-links", "chart-size", "chart-certs", "chart-localisation", "chart-output"):
        assert f'id="{chart}"' in html
    assert "plotly-4.1.1.min.js" in html
    assert "Shiling Leather" in html and "¥20 bn" in html and "3 countries" in html
    assert "Huadu district report 2023" in html and "support fund per year" in html
    assert "Gaps" in html and "Concentration risks" in html
    assert "Demo data" in html


def test_overview_in_chinese_writes_amounts_in_yi_and_wan(site, client):
    _response, html = get(client, reverse("cluster-overview", args=["alpha"]))
    assert "200 亿元" in html  # regional brand value
    assert "5,000 万元" in html  # support fund


def test_chain_map_draws_every_link_as_an_svg_node_with_its_status(site, client):
    _response, html = get(client, reverse("chain-map", args=["alpha"]), EN)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chainmap-svg"' in html
    for code in ("hides", "tanning", "cutting", "sewing", "machinery"):
        assert f'data-link="{code}"' in html
        assert reverse("chain-link", args=["alpha", code]) in html
    assert 'hx-target="#link-panel"' in html
    assert "node--support" in html  # machinery
    assert re.search(r'class="node node--(gap|concentrated|ok)', html)
    assert "Choose a link" in html


def test_link_page_works_as_a_full_page_and_as_an_htmx_panel(site, client):
    url = reverse("chain-link", args=["alpha", "tanning"])
    response, html = get(client, url, EN)
    assert response.status_code == 200
    assert "<html" in html and "chainmap-svg" in html  # the map with the panel open
    assert "is-selected" in html
    for name in ("Own Leather", "Sharing Leather", "Other Goods", "Lead Brand"):
        assert name in html
    assert reverse("enterprise-profile", args=[site.own.pk]) in html
    assert "Raw hides" in html and "Cutting" in html  # upstream and downstream
    response, partial = get(client, url, EN, **HX)
    assert response.status_code == 200
    assert "<html" not in partial and "chainmap-svg" not in partial
    assert 'data-link="tanning"' in partial and "Own Leather" in partial
    assert "HX-Request" in response["Vary"]


def test_link_firms_are_paginated(site, client):
    for _ in range(25):
        factories.role(factories.enterprise(site.a), "cutting", capacity=10)
    url = reverse("chain-link", args=["alpha", "cutting"])
    _response, html = get(client, url, EN, **HX)
    assert "page 1 of 2" in html and "?page=2" in html
    _response, html = get(client, url + "?page=2", EN, **HX)
    assert "page 2 of 2" in html


def test_unknown_cluster_link_and_firm_are_friendly_404s(site, client):
    for url in (
        reverse("cluster-overview", args=["nowhere"]),
        reverse("chain-link", args=["alpha", "no-such-link"]),
        reverse("enterprise-profile", args=[999999]),
        reverse("directory", args=["nowhere"]),
    ):
        response, html = get(client, url, EN)
        assert response.status_code == 404
        assert "This page does not exist" in html and "Traceback" not in html


# --- directory and map ------------------------------------------------------------------------


def test_directory_searches_and_filters_from_the_query_string(site, client):
    url = reverse("directory", args=["alpha"])
    _response, html = get(client, url, EN)
    for name in ("Own Leather", "Sharing Leather", "Other Goods", "Lead Brand"):
        assert name in html
    _response, html = get(client, url + "?q=Sharing", EN)
    assert "Sharing Leather" in html and "Other Goods" not in html
    _response, html = get(client, url + "?certification=lwg_gold", EN)
    assert "Own Leather" in html and "Sharing Leather" not in html
    _response, html = get(client, url + "?leading=yes", EN)
    assert "Lead Brand" in html and "Own Leather" not in html
    _response, html = get(client, url + "?link=cutting", EN)
    assert "Other Goods" in html and "Own Leather" not in html
    _response, html = get(client, url + "?min_capacity=40000&link=sewing", EN)
    assert "Lead Brand" in html and "Other Goods" not in html
    _response, html = get(client, url + "?location=outside_facility", EN)
    assert "Lead Brand" in html and "Own Leather" not in html
    _response, html = get(client, url + "?member=yes&q=Leather", EN)
    assert "Own Leather" in html and "Lead Brand" not in html
    # The filter form shows what is set.
    assert 'value="Leather"' in html


def test_directory_sorts_by_the_chosen_order(site, client):
    url = reverse("directory", args=["alpha"])
    _response, html = get(client, url + "?link=sewing&order=capacity", EN)
    assert "Sort by" in html
    # Lead Brand sews far more than the others, so it comes first by capacity.
    sewers = [name for name in ("Lead Brand", "Other Goods", "Own Leather") if name in html]
    assert sewers and html.index("Lead Brand") == min(html.index(n) for n in sewers)
    # Capacity without a link falls back to the default order instead of an error.
    response, _html = get(client, url + "?order=capacity", EN)
    assert response.status_code == 200


def test_directory_ignores_an_invalid_filter_and_says_so(site, client):
    response, html = get(client, reverse("directory", args=["alpha"]) + "?min_capacity=lots", EN)
    assert response.status_code == 200
    assert "Enter a number" in html and "Own Leather" in html


def test_directory_paginates_and_keeps_the_filters(site, client):
    factories.populate(site.a, 60)
    selectors.invalidate_cluster(site.a.pk)
    url = reverse("directory", args=["alpha"])
    _response, html = get(client, url + "?q=Bulk", EN)
    assert "60</strong> enterprises" in html
    assert "?q=Bulk&amp;page=2" in html
    _response, html = get(client, url + "?q=Bulk&page=3", EN)
    assert 'aria-current="page" class="current">3<' in html


def test_directory_htmx_request_returns_only_the_results(site, client):
    response, html = get(client, reverse("directory", args=["alpha"]) + "?q=Own", EN, **HX)
    assert response.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert "Own Leather" in html and "Other Goods" not in html
    assert "HX-Request" in response["Vary"]
    # A history restore wants the whole page.
    response, html = get(
        client,
        reverse("directory", args=["alpha"]) + "?q=Own",
        EN,
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
        **HX,
    )
    assert "<html" in html


def test_map_plots_firms_and_outside_sites_without_tiles(site, client):
    import json

    response, html = get(client, reverse("firm-map", args=["alpha"]), EN)
    assert response.status_code == 200
    spec = json.loads(
        re.search(r'id="firm-map-spec" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    names = [name for trace in spec["data"] for name in trace.get("text", [])]
    assert "Own Leather" in names
    assert "Lead Brand Jiangxi production base" in names
    symbols = [s for trace in spec["data"] for s in (trace["marker"].get("symbol") or [])]
    assert "diamond-open" in symbols  # outside the cluster
    assert spec["layout"]["yaxis"]["scaleanchor"] == "x"
    urls = [c[0] for trace in spec["data"] for c in trace.get("customdata", [])]
    assert reverse("enterprise-profile", args=[site.own.pk]) in urls
    assert "mapbox" not in html and "tile" not in json.dumps(spec["layout"])
    response, partial = get(client, reverse("firm-map", args=["alpha"]) + "?q=Own", EN, **HX)
    assert "<html" not in partial and "firm-map-spec" in partial


# --- profile and confidentiality ---------------------------------------------------------------


def profile_html(site, user=None, lang=EN) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("enterprise-profile", args=[site.own.pk]), **lang)
    assert response.status_code == 200
    return response.content.decode()


def assert_no_secret(html: str) -> None:
    for text in SECRET_REVENUE_TEXTS:
        assert text not in html, text


def test_public_profile_shows_registration_roles_sites_certificates(site, client):
    html = profile_html(site)
    assert "Own Leather" in html and "自家皮革" in html
    assert site.own.uscc in html
    assert "1 Leather Road, Shiling" in html and "2001" in html
    assert "Tanning" in html and "LWG gold" in html and "LWG-4711" in html
    assert "2099-12-31" in html
    html = (
        Client().get(reverse("enterprise-profile", args=[site.leading.pk]), **EN).content.decode()
    )
    assert "Lead Brand Jiangxi production base" in html and "outside the cluster" in html
    assert "Leadmark" in html


@pytest.mark.parametrize("who", ["anonymous", "bank", "other_firm", "association", "office_b"])
def test_confidential_figures_are_absent_for_those_who_may_not_see_them(site, who):
    users = site.users
    other_firm_user = factories.user(enterprise=site.other, username="other-user")
    user = {
        "anonymous": None,
        "bank": users.bank,
        "other_firm": other_firm_user,
        "association": users.association,  # own is a member that does not share
        "office_b": users.office_b,
    }[who]
    for lang in (EN, ZH):
        html = profile_html(site, user, lang)
        assert_no_secret(html)
        assert "Lead Brand" not in html  # its customer list
        assert "years-chart" not in html
    if who != "association":  # stewards of the registry may edit, not read figures
        assert "Edit profile" not in profile_html(site, user)


@pytest.mark.parametrize("who", ["own", "office", "admin"])
def test_confidential_figures_are_shown_to_the_firm_and_the_office(site, who):
    user = {"own": site.users.enterprise, "office": site.users.office, "admin": site.users.admin}[
        who
    ]
    html = profile_html(site, user)
    assert "¥87.7 m" in html  # revenue
    assert "Lead Brand" in html  # a customer
    assert 'id="years-chart"' in html
    assert "Confidential figures" in html
    html = profile_html(site, user, ZH)
    assert "8,765.4 万元" in html
    if who in ("own", "admin"):
        assert reverse("enterprise-edit", args=[site.own.pk]) in html


def test_header_shows_the_user_and_role(site):
    client = Client()
    client.force_login(site.users.office)
    _response, html = get(client, reverse("cluster-overview", args=["alpha"]), EN)
    assert "office-a" in html and "cluster office" in html and "Log out" in html
    _response, html = get(Client(), reverse("home"), EN)
    assert "Log in" in html


# --- the edit form ------------------------------------------------------------------------------


def edit_url(firm: Enterprise) -> str:
    return reverse("enterprise-edit", args=[firm.pk])


def form_data(firm: Enterprise, **changes) -> dict:
    from clusterbrain.web.forms import EnterpriseForm

    data = {}
    for name, value in EnterpriseForm.initial_from(firm).items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    data.update(changes)
    return data


def test_own_firm_edits_its_profile(site):
    client = Client()
    client.force_login(site.users.enterprise)
    response = client.get(edit_url(site.own), **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="name_zh"' in html and 'name="shares_with_association"' in html
    assert 'name="is_member"' not in html  # the association's to set
    response = client.post(
        edit_url(site.own),
        form_data(site.own, name_en="Own Leather Works", founded_year=1999),
        **EN,
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("enterprise-profile", args=[site.own.pk])
    site.own.refresh_from_db()
    assert site.own.name_en == "Own Leather Works" and site.own.founded_year == 1999
    html = client.get(response["Location"], **EN).content.decode()
    assert "The profile was saved." in html


def test_association_staff_see_the_classification_fields(site):
    client = Client()
    client.force_login(site.users.association)
    html = client.get(edit_url(site.other), **EN).content.decode()
    assert 'name="is_member"' in html and 'name="shares_with_association"' not in html
    response = client.post(edit_url(site.other), form_data(site.other, is_member="on"), **EN)
    assert response.status_code == 302
    site.other.refresh_from_db()
    assert site.other.is_member


def test_invalid_input_shows_the_field_error_and_saves_nothing(site):
    client = Client()
    client.force_login(site.users.enterprise)
    before = Enterprise.objects.get(pk=site.own.pk)
    response = client.post(
        edit_url(site.own),
        form_data(
            site.own, name_en="Should Not Be Saved", uscc="91440114ABCDEFGH12", latitude="123"
        ),
        **EN,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was saved" in html
    uscc_field = re.search(
        r'<div class="field field--error">\s*<label for="id_uscc">.*?</div>', html, re.S
    )
    assert uscc_field and "errorlist" in uscc_field.group(0)
    latitude_field = re.search(r'<label for="id_latitude">.*?</div>', html, re.S)
    assert latitude_field and "errorlist" in latitude_field.group(0)
    assert 'value="Should Not Be Saved"' in html  # the input is kept for correction
    after = Enterprise.objects.get(pk=site.own.pk)
    assert (after.name_en, after.uscc, after.latitude) == (
        before.name_en,
        before.uscc,
        before.latitude,
    )


def test_invalid_input_errors_are_translated(site):
    client = Client()
    client.force_login(site.users.enterprise)
    response = client.post(edit_url(site.own), form_data(site.own, founded_year="abc"), **ZH)
    assert response.status_code == 422
    assert "请输入整数" in response.content.decode()


def test_other_firm_gets_403_and_visitor_goes_to_login(site):
    client = Client()
    client.force_login(site.users.enterprise)
    for method in (client.get, client.post):
        response = method(edit_url(site.other), **EN)
        assert response.status_code == 403
        assert "You may not open this page" in response.content.decode()
    site.other.refresh_from_db()
    bank = Client()
    bank.force_login(site.users.bank)
    assert bank.get(edit_url(site.own)).status_code == 403
    response = Client().get(edit_url(site.own))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_login_page_logs_in_and_shows_no_secret(site, client):
    response, html = get(client, reverse("login"), EN)
    assert "password" in html.lower()
    assert factories.PASSWORD not in html
    response = client.post(
        reverse("login"), {"username": "own-user", "password": factories.PASSWORD}, **EN
    )
    assert response.status_code == 302
    response = client.post(reverse("login"), {"username": "own-user", "password": "wrong"}, **EN)
    assert "do not match" in response.content.decode()


# --- query counts -------------------------------------------------------------------------------


def measure(client: Client, urls: dict[str, str]) -> dict[str, int]:
    counts = {}
    for name, url in urls.items():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, **EN)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(queries)
    return counts


@pytest.mark.parametrize("as_office", [False, True])
def test_no_page_query_count_grows_with_the_number_of_firms(site, as_office):
    client = Client()
    if as_office:
        client.force_login(site.users.office)
    urls = page_urls(site)
    urls["directory_page2"] = reverse("directory", args=["alpha"]) + "?page=2"
    urls["link_cutting"] = reverse("chain-link", args=["alpha", "cutting"])
    urls["map_filtered"] = reverse("firm-map", args=["alpha"]) + "?link=tanning&location=in"
    factories.populate(site.a, 40)
    selectors.invalidate_cluster(site.a.pk)
    small = measure(client, urls)
    factories.populate(site.a, 160, seed=1)
    selectors.invalidate_cluster(site.a.pk)
    large = measure(client, urls)
    assert small == large


# --- the catalogue --------------------------------------------------------------------------------

LOCALE = Path(__file__).resolve().parents[2] / "src" / "clusterbrain" / "locale"


def po_entries(path: Path) -> list[dict]:
    """msgid, msgid_plural, msgstr[...] and flags of each entry: just enough of the format."""
    entries, entry, field = [], None, None

    def unquote(text: str) -> str:
        return (
            bytes(text.strip()[1:-1], "utf-8")
            .decode("unicode_escape")
            .encode("latin-1")
            .decode("utf-8")
        )

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": "", "obsolete": False}
        if line.startswith("#,"):
            entry["flags"] += line[2:]
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += unquote(line)
        else:
            field, _space, rest = line.partition(" ")
            entry[field] = unquote(rest)
    return entries


# The main catalogue, and the apps' own (apps built side by side keep their messages apart;
# Django reads each app's locale/ after LOCALE_PATHS, so the main catalogue wins on a clash).
CATALOGUES = sorted(LOCALE.parent.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_every_app_catalogue_is_found():
    assert LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po" in CATALOGUES
    assert len(CATALOGUES) >= 2


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: po.parts[-5])
def test_chinese_catalogue_is_complete_and_compiled(po):
    mo = po.with_suffix(".mo")
    assert po.exists() and mo.exists()
    entries = [e for e in po_entries(po) if not e["obsolete"] and e.get("msgid")]
    if po.is_relative_to(LOCALE):
        assert len(entries) > 300
    msgids = [(e.get("msgctxt"), e["msgid"]) for e in entries]
    assert len(msgids) == len(set(msgids)), "duplicate msgids"
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not fuzzy, fuzzy[:10]
    empty = [
        e["msgid"]
        for e in entries
        if not all(v.strip() for k, v in e.items() if k.startswith("msgstr"))
    ]
    assert not empty, empty[:10]
    # The compiled catalogue is the one Django reads: it must say what the .po says.
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    stale = []
    for e in entries:
        if "msgid_plural" in e:
            continue
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if compiled.get(key) != e["msgstr"]:
            stale.append(e["msgid"])
    assert not stale, f"run compilemessages: {stale[:5]}"


def test_catalogue_translates_through_django(site):
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Chain map") == "产业链图谱"
        assert str(Enterprise._meta.verbose_name) == "企业"
    with translation.override("en"):
        assert translation.gettext("Chain map") == "Chain map"


def test_build_site_is_reusable(world):
    # The browser tests build the same small cluster.
    assert build_site(world).a.is_demo


# --- errors ---------------------------------------------------------------------------------------


def test_an_unexpected_error_is_the_friendly_500_page(site, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "cluster_summary", broken)
    client = Client(raise_request_exception=False)
    response = client.get(reverse("cluster-overview", args=["alpha"]), **ZH)
    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器端出现了问题" in html
    assert "boom" not in html and "Traceback" not in html


def test_a_domain_error_is_a_4xx_page_with_its_message(site, monkeypatch):
    from clusterbrain.errors import Forbidden, InvalidInput

    def invalid(*args, **kwargs):
        raise InvalidInput.field("year", "The year must be between 1980 and 2100.")

    monkeypatch.setattr(selectors, "cluster_summary", invalid)
    response = Client().get(reverse("cluster-overview", args=["alpha"]), **EN)
    assert response.status_code == 422
    assert "The year must be between 1980 and 2100." in response.content.decode()

    def forbidden(*args, **kwargs):
        raise Forbidden("Not for you.")

    monkeypatch.setattr(selectors, "chain_graph", forbidden)
    response = Client().get(reverse("chain-map", args=["alpha"]), **EN)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client = Client()
    client.force_login(site.users.bank)
    response = client.get(reverse("chain-map", args=["alpha"]), **EN)
    assert response.status_code == 403
    assert "You may not open this page" in response.content.decode()


def test_an_empty_cluster_renders_every_page(client):
    factories.cluster(slug="empty", name_en="Empty cluster")
    for url in (
        reverse("home"),
        reverse("cluster-overview", args=["empty"]),
        reverse("chain-map", args=["empty"]),
        reverse("chain-link", args=["empty", "hides"]),
        reverse("directory", args=["empty"]),
        reverse("firm-map", args=["empty"]),
    ):
        for lang in (ZH, EN):
            response, html = get(client, url, lang)
            assert response.status_code == 200, url
    _response, html = get(client, reverse("directory", args=["empty"]), EN)
    assert "No enterprise matches these filters." in html
    _response, html = get(client, reverse("firm-map", args=["empty"]), EN)
    assert "No firm with a location matches these filters." in html


def test_leading_firms_localisation_only_for_the_office(site):
    url = reverse("cluster-overview", args=["alpha"])
    office = Client()
    office.force_login(site.users.office)
    html = office.get(url, **EN).content.decode()
    assert "Localisation by leading firm" in html and "Lead Brand" in html
    for user in (None, site.users.association, site.users.enterprise, site.users.bank):
        client = Client()
        if user is not None:
            client.force_login(user)
        html = client.get(url, **EN).content.decode()
        assert "Localisation by leading firm" not in html
