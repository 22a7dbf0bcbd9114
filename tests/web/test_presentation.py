"""How the pages write things: lists and reasons in each language's punctuation, shares with one
decimal everywhere, plotly in Chinese on Chinese pages, withheld aggregates said to be withheld,
canonical directory URLs (no empty parameter, no page past the last) and an honest map."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

import factories
from clusterbrain.registry import selectors
from clusterbrain.web import charts, views
from clusterbrain.web.templatetags.cb import format_indicator, join_clauses, join_list, pct

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HX = {"HTTP_HX_REQUEST": "true"}


def html_of(url: str, lang=EN, client: Client | None = None, **extra) -> str:
    response = (client or Client()).get(url, **lang, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# --- punctuation and percentages ---------------------------------------------------------------


def test_lists_and_reasons_follow_the_language():
    names = [SimpleNamespace(name="Cutting"), SimpleNamespace(name="Sewing")]
    with translation.override("en"):
        assert join_list(names, "name") == "Cutting, Sewing"
        assert join_clauses(["no firm", "short of demand"]) == "no firm; short of demand"
    with translation.override("zh-hans"):
        assert join_list(["裁断", "车缝"]) == "裁断、车缝"
        assert join_clauses(["集群内无企业", "产能不足"]) == "集群内无企业；产能不足"


def test_directory_and_chain_pages_use_the_languages_separators(site):
    factories.role(site.own, "cutting", capacity=10)
    html = html_of(reverse("directory", args=["alpha"]) + "?q=Own", EN)
    assert "Tanning, Cutting" in html and "、" not in html
    html = html_of(reverse("directory", args=["alpha"]) + "?q=Own", ZH)
    assert "制革鞣制、裁断" in html or "、" in html
    # A link with two gap reasons: none of the firms of `hides` is in the cluster.
    report = selectors.chain_report(site.a)
    reasons = next(r.gap_reasons for r in report.links if len(r.gap_reasons) > 1)
    with translation.override("zh-hans"):
        zh = "；".join(views.gap_reason_label(r) for r in reasons)
    with translation.override("en"):
        en = "; ".join(views.gap_reason_label(r) for r in reasons)
    for url in (reverse("cluster-overview", args=["alpha"]), reverse("chain-map", args=["alpha"])):
        assert zh in html_of(url, ZH) and en in html_of(url, EN)


def test_shares_have_one_decimal_wherever_they_appear():
    assert pct(10 / 13) == "76.9%"
    assert format_indicator(10 / 13, "chain_completeness") == "76.9%"
    assert format_indicator(76.923, "", "%") == "76.9%"
    assert pct(0.8) == "80%" and pct(1) == "100%" and pct(None) == "–"


def test_overview_writes_completeness_the_same_in_the_card_and_the_targets(site):
    factories.target(site.a, "chain_completeness", 2030, 0.9)
    html = html_of(reverse("cluster-overview", args=["alpha"]))
    summary = selectors.cluster_summary(site.a, None)
    shown = pct(summary.chain_completeness)
    assert html.count(shown) >= 3  # tile, targets, chain card
    assert not re.search(r"\d+\.\d\d%", html)


# --- plotly in Chinese ---------------------------------------------------------------------------


def test_chinese_pages_load_our_plotly_locale(site):
    for url in (reverse("cluster-overview", args=["alpha"]), reverse("firm-map", args=["alpha"])):
        assert "web/plotly-locale-zh-cn.js" in html_of(url, ZH)
        assert "web/plotly-locale-zh-cn.js" not in html_of(url, EN)


def test_the_locale_file_translates_the_toolbar():
    from django.contrib.staticfiles import finders

    path = finders.find("web/plotly-locale-zh-cn.js")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    assert 'moduleType: "locale"' in text and 'name: "zh-CN"' in text
    for english in ("Zoom in", "Zoom out", "Reset axes", "Autoscale", "Pan"):
        assert f'"{english}":' in text
    with open(finders.find("web/app.js"), encoding="utf-8") as handle:
        app = handle.read()
    assert 'config.locale = "zh-CN"' in app and "sendChartToCloud" in app


# --- withheld aggregates --------------------------------------------------------------------------


@pytest.fixture
def strict(settings, site):
    """k = 10: the four firms of the small cluster are too few for any output total."""
    from django.core.cache import cache

    settings.AGGREGATE_MIN_FIRMS = 10
    cache.clear()
    return site


def test_withheld_output_value_is_said_to_be_withheld(strict):
    for url in (reverse("home"), reverse("cluster-overview", args=["alpha"])):
        html = html_of(url)
        assert "suppressed (fewer than 10 firms)" in html
        assert "¥0" not in html
        html = html_of(url, ZH)
        assert "已隐去（少于 10 家企业）" in html
    html = html_of(reverse("cluster-overview", args=["alpha"]))
    spec = json.loads(
        re.search(r'id="chart-output" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    marks = [a for a in spec["layout"]["annotations"] if a.get("hovertext")]
    assert [a["x"] for a in marks] == [2024]
    assert marks[0]["text"] == "suppressed (fewer than 10 firms)"
    bars = [trace for trace in spec["data"] if trace["type"] == "bar"]
    assert not bars  # no bar of 0 for the withheld year


def test_the_office_sees_the_figures_others_do_not(strict):
    client = Client()
    client.force_login(strict.users.office)
    html = html_of(reverse("cluster-overview", args=["alpha"]), client=client)
    assert "suppressed (fewer than" not in html


# --- directory URLs -----------------------------------------------------------------------------


def test_a_page_past_the_last_goes_to_the_last(site):
    factories.populate(site.a, 60)
    selectors.invalidate_cluster(site.a.pk)
    url = reverse("directory", args=["alpha"])
    response = Client().get(url + "?q=Bulk&page=9999", **EN)
    assert response.status_code == 302 and response["Location"] == url + "?q=Bulk&page=3"
    response = Client().get(url + "?q=Bulk&page=9999", **EN, **HX)
    assert response.status_code == 200
    assert response["HX-Push-Url"] == url + "?q=Bulk&page=3"
    html = response.content.decode()
    assert 'aria-current="page" class="current">3<' in html and "No enterprise matches" not in html
    # No match at all: one page, and it says so.
    response = Client().get(url + "?q=nothing-matches&page=5", **EN)
    assert response.status_code == 302 and response["Location"] == url + "?q=nothing-matches"


def test_empty_filter_parameters_are_dropped(site):
    url = reverse("directory", args=["alpha"])
    query = "?q=&link=sewing&certification=&size_class=&min_capacity=&location=&page=1"
    response = Client().get(url + query, **EN)
    assert response.status_code == 302 and response["Location"] == url + "?link=sewing"
    response = Client().get(url + query, **EN, **HX)
    assert response.status_code == 200 and response["HX-Push-Url"] == url + "?link=sewing"
    map_url = reverse("firm-map", args=["alpha"])
    response = Client().get(map_url + "?q=&location=in", **EN)
    assert response.status_code == 302 and response["Location"] == map_url + "?location=in"
    # Paging links carry no empty parameter either.
    factories.populate(site.a, 60)
    selectors.invalidate_cluster(site.a.pk)
    html = Client().get(url + "?q=Bulk", **EN).content.decode()
    assert "?q=Bulk&amp;page=2" in html and "q=&amp;" not in html


# --- the map ------------------------------------------------------------------------------------


def test_the_map_counts_the_true_totals_and_says_when_it_shows_fewer(site, monkeypatch):
    url = reverse("firm-map", args=["alpha"])
    html = html_of(url)
    assert "Showing" not in html
    assert "4</strong> firms" in html and "1 site outside the cluster" in html
    real = selectors.firm_map

    def two_points(cluster, user, filters, **kwargs):
        return real(cluster, user, filters, limit=2)

    monkeypatch.setattr(selectors, "firm_map", two_points)
    html = html_of(url)
    assert "Showing 2 of 5 firms and sites" in html
    assert "4</strong> firms" in html  # the firms matching, not the points drawn


def test_many_points_are_drawn_with_webgl():
    def point(i: int, inside: bool = True) -> SimpleNamespace:
        return SimpleNamespace(
            enterprise_id=i,
            name=f"Firm {i}",
            latitude=23 + i / 1e4,
            longitude=113 + i / 1e4,
            link="",
            in_cluster=inside,
            kind="enterprise",
        )

    few = charts.firm_map([point(i) for i in range(10)], [], None)
    assert {trace["type"] for trace in few["data"]} == {"scatter"}
    many = charts.firm_map([point(i, i % 100) for i in range(charts.WEBGL_POINTS + 1)], [], None)
    assert {trace["type"] for trace in many["data"]} == {"scattergl"}
