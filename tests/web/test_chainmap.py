"""The server-side SVG of the chain map: layout, wrapping, escaping."""

from __future__ import annotations

import re

import pytest

import factories
from clusterbrain.registry import selectors
from clusterbrain.web.chainmap import render_svg, wrap

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name, lines",
    [
        ("制革鞣制（蓝湿皮、坯革）", ["制革鞣制（蓝湿皮、坯", "革）"]),  # no line starts with "）"
        ("原辅材料流通（皮革、PU及合成革、里布）", ["原辅材料流通（皮革、PU", "及合成革、里布）"]),
        ("Tanning (wet blue, crust)", ["Tanning (wet blue,", "crust)"]),  # whole words
        ("裁断", ["裁断"]),
    ],
)
def test_names_wrap_between_characters_or_words(name, lines):
    assert wrap(name, 148) == lines


def test_long_names_are_cut_with_an_ellipsis():
    lines = wrap("Materials distribution (leather, PU and synthetics, linings, hardware)", 148)
    assert len(lines) == 2 and lines[-1].endswith("…")


def test_every_link_is_a_node_linking_to_its_panel_and_names_are_escaped():
    cluster = factories.cluster(slug="svg")
    link = factories.link(cluster, "cutting")
    link.name_zh = link.name_en = '<script>alert("x")</script>'
    link.save()
    graph = selectors.chain_graph(cluster)
    reports = {r.link: r for r in graph.report.links}
    svg = render_svg("svg", graph.links, graph.edges, reports, selected="tanning")
    assert svg.count('<a class="node') == 5
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert re.search(r'class="node node--\w+ is-selected"[^>]*data-link="tanning"', svg)
    assert svg.count('<path class="edge') == 4
    assert 'href="/c/svg/chain/cutting/"' in svg


def test_edges_over_rows_and_against_the_stage_order_are_drawn():
    from clusterbrain.chains.models import ChainEdge

    cluster = factories.cluster(slug="loops")
    hides, sewing = factories.link(cluster, "hides"), factories.link(cluster, "sewing")
    ChainEdge.objects.create(template=cluster.chain_template, upstream=hides, downstream=sewing)
    hides.stage = 9  # drawn below the links it feeds
    hides.save()
    selectors.invalidate_cluster(cluster.pk)
    graph = selectors.chain_graph(cluster)
    svg = render_svg("loops", graph.links, graph.edges, {r.link: r for r in graph.report.links})
    assert svg.count('<path class="edge') == 5
    assert " Q" not in svg  # no edge runs over rows now: hides is last
    hides.stage = 0
    hides.save()
    selectors.invalidate_cluster(cluster.pk)
    graph = selectors.chain_graph(cluster)
    svg = render_svg("loops", graph.links, graph.edges, {r.link: r for r in graph.report.links})
    assert " Q" in svg  # hides → sewing goes round tanning and cutting
