"""Registry reads: summary figures, the chain from SQL aggregates, directory filters, KPIs."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

import factories
from clusterbrain.accounts.models import Role
from clusterbrain.chains.models import ChainEdge, ChainLink
from clusterbrain.engines.chain import (
    Edge,
    Link,
    aggregate_roles,
    analyse_chain,
    firm_ids_by_capacity,
)
from clusterbrain.engines.chain import (
    Role as EngineRole,
)
from clusterbrain.errors import Forbidden, InvalidInput, NotFound
from clusterbrain.registry import selectors
from clusterbrain.registry.models import Brand, Certification, EnterpriseRole
from clusterbrain.registry.selectors import DirectoryFilters

ANON = AnonymousUser()
TODAY = timezone.localdate()
PAST = TODAY - datetime.timedelta(days=1)
FUTURE = TODAY + datetime.timedelta(days=365)


@pytest.fixture
def leather(db):
    """A cluster whose chain figures are easy to check by hand."""
    cluster = factories.cluster(slug="leather", name_zh="皮革城", name_en="Leather Town")
    firms = {}
    for name, fields in {
        "t1": {"above_designated_size": True, "size_class": "large", "is_member": True},
        "t2": {"size_class": "medium"},
        "t3": {},
        "c1": {"is_leading": True, "size_class": "large", "above_designated_size": True},
        "s1": {},
        "out": {"in_cluster": False, "above_designated_size": True},
    }.items():
        firms[name] = factories.enterprise(cluster, name_en=f"Firm {name}", **fields)
    # tanning: t1 has two product categories (one competitor with 600), t2 300, t3 100
    factories.role(firms["t1"], "tanning", 400, 300, product_category="cow")
    factories.role(firms["t1"], "tanning", 200, 100, product_category="sheep")
    factories.role(firms["t2"], "tanning", 300, 200)
    factories.role(firms["t3"], "tanning", 100, 50)
    factories.role(firms["out"], "tanning", 5000, 5000)  # outside: not supply
    factories.role(firms["c1"], "cutting", 800, 400)
    factories.role(firms["s1"], "sewing", 1000, 500)
    factories.role(firms["c1"], "sewing", 200, 100)
    return cluster, firms


def engine_report(cluster):
    """The same analysis, computed by the engine from the raw roles."""
    roles = [
        EngineRole(
            enterprise_id=r.enterprise_id,
            link=r.link.code,
            capacity=r.capacity_per_month,
            output=r.output_per_month,
            in_cluster=r.enterprise.in_cluster,
        )
        for r in EnterpriseRole.objects.filter(enterprise__cluster=cluster).select_related(
            "link", "enterprise"
        )
    ]
    links = [
        Link(code=link.code, core=link.is_core, unit=link.unit, name=link.name)
        for link in ChainLink.objects.filter(template=cluster.chain_template)
    ]
    edges = [
        Edge(e.upstream.code, e.downstream.code, e.input_coefficient)
        for e in ChainEdge.objects.filter(template=cluster.chain_template).select_related(
            "upstream", "downstream"
        )
    ]
    return analyse_chain(
        links,
        edges,
        aggregate_roles(roles),
        min_firms=settings.CHAIN_MIN_FIRMS,
        hhi_threshold=settings.CHAIN_HHI_THRESHOLD,
        firm_ids=firm_ids_by_capacity(roles),
    )


def test_chain_report_from_sql_equals_engine_on_raw_roles(leather):
    cluster, firms = leather
    report = selectors.chain_report(cluster)
    assert report == engine_report(cluster)
    tanning = report.link("tanning")
    assert tanning.firms == 3 and tanning.capacity == 1000 and tanning.firms_outside == 1
    assert tanning.hhi == pytest.approx((600**2 + 300**2 + 100**2) / 1000**2)
    assert tanning.explanation.firm_ids == (firms["t1"].pk, firms["t2"].pk, firms["t3"].pk)
    # demand for tanning = 2.0 × cutting output 400
    assert tanning.demand == 800 and tanning.coverage == pytest.approx(1.25)
    assert report.link("hides").gap_reasons[0] == "no_firms"
    assert report.link("cutting").gap_reasons == ("few_firms",)


def test_chain_graph_and_link_detail(leather):
    cluster, firms = leather
    graph = selectors.chain_graph(cluster)
    assert [link.code for link in graph.links] == [
        "hides",
        "machinery",
        "tanning",
        "cutting",
        "sewing",
    ]
    assert {(e.upstream.code, e.downstream.code) for e in graph.edges} == {
        (u, d) for u, d, _c in factories.LEATHER_EDGES
    }
    detail = selectors.link_detail(cluster, "tanning", ANON, page=1, per_page=2)
    assert [f.enterprise for f in detail.firms] == [firms["t1"], firms["t2"]]
    assert detail.firms[0].capacity == 600 and detail.firms[0].share == pytest.approx(0.6)
    assert detail.total_firms == 3 and detail.pages == 2
    assert [link.code for link in detail.upstream] == ["hides"]
    assert [link.code for link in detail.downstream] == ["cutting"]
    second = selectors.link_detail(cluster, "tanning", ANON, page=2, per_page=2)
    assert [f.enterprise for f in second.firms] == [firms["t3"]]
    beyond = selectors.link_detail(cluster, "tanning", ANON, page=9, per_page=2)
    assert beyond.page == 2 and beyond.firms == second.firms
    with pytest.raises(NotFound):
        selectors.link_detail(cluster, "reeling", ANON)


def test_summary_counts(leather):
    cluster, firms = leather
    factories.certification(firms["t1"], "lwg_gold", valid_until=FUTURE)
    factories.certification(firms["t2"], "lwg_gold", valid_until=PAST)  # expired
    factories.certification(firms["t3"], "lwg_gold")  # no end date
    factories.certification(firms["out"], "lwg_gold")  # outside the cluster
    factories.certification(firms["t1"], "green_factory_national")
    factories.certification(firms["t1"], "green_factory_provincial")
    factories.certification(firms["c1"], "green_factory_provincial", valid_until=TODAY)
    factories.brand(cluster, firms["c1"], status=Brand.Status.WELL_KNOWN_BRAND)
    factories.brand(cluster, firms["c1"], status=Brand.Status.WELL_KNOWN_TRADEMARK)
    regional = factories.brand(
        cluster, None, is_regional=True, status=Brand.Status.WELL_KNOWN_TRADEMARK, value_yuan=2e10
    )
    factories.year(firms["t1"], 2023, output_value=1_000_000)
    factories.year(firms["t1"], 2024, output_value=3_000_000)
    factories.year(firms["c1"], 2024, output_value=2_000_000)
    factories.year(firms["t2"], 2024, output_value=500_000)
    factories.year(firms["out"], 2024, output_value=9_000_000)  # outside: not counted

    summary = selectors.cluster_summary(cluster, ANON)
    assert summary.year == 2024 and summary.output_value == 5_500_000
    assert (summary.enterprises, summary.in_cluster, summary.outside) == (6, 5, 1)
    assert summary.above_size == 2 and summary.leading == 1 and summary.members == 1
    assert summary.by_size_class == {"large": 2, "medium": 1, "small": 2, "micro": 0}
    assert summary.certifications["lwg_gold"] == 2
    assert summary.certifications["green_factory_provincial"] == 2
    assert summary.green_factories == 2  # t1 holds both levels: one firm
    assert summary.brands == {"ordinary": 0, "well_known_brand": 1, "well_known_trademark": 1}
    assert summary.regional_brand == regional
    assert summary.chain_completeness == pytest.approx(1 / 4)
    assert set(summary.gap_links) >= {"hides", "cutting", "sewing"}
    assert not summary.output_value_suppressed
    # 2023: one firm reported. Its figure is withheld from the public, not from the office.
    withheld = selectors.cluster_summary(cluster, ANON, year=2023)
    assert withheld.output_value is None and withheld.output_value_suppressed
    office = factories.user(Role.OFFICE, cluster=cluster)
    assert selectors.cluster_summary(cluster, office, year=2023).output_value == 1_000_000


def test_unverified_certificates_do_not_count(leather):
    cluster, firms = leather
    factories.certification(firms["t1"], "lwg_gold")
    factories.certification(firms["t2"], "lwg_gold", verified=False)  # the firm's own claim
    factories.target(cluster, "lwg_gold", TODAY.year + 1, 7)
    summary = selectors.cluster_summary(cluster, ANON)
    assert summary.certifications["lwg_gold"] == 1
    assert {k.indicator: k.actual for k in summary.kpis}["lwg_gold"] == 1
    page = selectors.enterprise_directory(cluster, ANON, DirectoryFilters(certification="lwg_gold"))
    assert [row.enterprise for row in page.rows] == [firms["t1"]]
    everyone = selectors.enterprise_directory(cluster, ANON, DirectoryFilters())
    badges = {row.enterprise.pk: row.certifications for row in everyone.rows}
    assert badges[firms["t2"].pk] == [] and badges[firms["t1"].pk] == ["lwg_gold"]
    # The profile lists the claim, marked unverified; it is valid, but does not count.
    profile = selectors.enterprise_profile(firms["t2"].pk, ANON)
    assert [(c.kind, c.verified) for c in profile.certifications] == [("lwg_gold", False)]
    assert profile.valid_certifications == ["lwg_gold"]
    assert profile.verified_certifications == []


# --- small totals ----------------------------------------------------------------------------


@pytest.fixture
def buyers(db):
    """Three leading firms buying from three local and three outside suppliers in 2024; in
    2023 only one leading firm bought anything."""
    cluster = factories.cluster()
    elsewhere = factories.cluster(template=cluster.chain_template)
    leading = [factories.enterprise(cluster, is_leading=True) for _ in range(3)]
    local = [factories.enterprise(cluster) for _ in range(3)]
    outside = [factories.enterprise(elsewhere) for _ in range(3)]
    for i, buyer in enumerate(leading):
        factories.relation(buyer, local[i], "tanning", 2024, 300)
        factories.relation(buyer, outside[i], "hides", 2024, 100)
    factories.relation(leading[0], local[1], "tanning", 2023, 500)
    return cluster, leading, local, outside


def test_localisation_needs_enough_buyers_and_suppliers(buyers):
    cluster, leading, local, outside = buyers
    office = factories.user(Role.OFFICE, cluster=cluster)
    public = selectors.localisation(cluster, ANON)
    assert public.year == 2024 and public.rate == pytest.approx(0.75)
    assert (public.local_value, public.total_value) == (900, 1200)
    assert not public.suppressed and public.suppressed_years == [2023]
    assert public.by_year == [(2023, None), (2024, pytest.approx(0.75))]
    assert public.suppression_note
    one_buyer = selectors.localisation(cluster, ANON, year=2023)
    assert one_buyer.suppressed and one_buyer.report is None
    assert (one_buyer.rate, one_buyer.local_value, one_buyer.total_value) == (None, None, None)
    summary = selectors.cluster_summary(cluster, ANON, year=2023)
    assert summary.localisation_rate is None and summary.localisation_suppressed
    # The office (and admins) see every year.
    seen = selectors.localisation(cluster, office, year=2023)
    assert seen.rate == 1.0 and not seen.suppressed and seen.suppressed_years == []
    assert selectors.cluster_summary(cluster, office, year=2023).localisation_rate == 1.0


def test_localisation_withheld_when_one_supplier_makes_a_part(buyers):
    """Three buyers, but everything outside the cluster came from one supplier: the outside
    part (total − local) would be that supplier's sales."""
    cluster, leading, local, outside = buyers
    from clusterbrain.registry.models import SupplyRelation

    SupplyRelation.objects.filter(supplier__in=outside[1:]).update(supplier=outside[0])
    selectors.invalidate_cluster(cluster.pk)
    figures = selectors.localisation(cluster, ANON)
    assert figures.suppressed and figures.rate is None
    # Zero-valued relations are no contribution.
    SupplyRelation.objects.filter(supplier=outside[0]).update(value=0)
    selectors.invalidate_cluster(cluster.pk)
    figures = selectors.localisation(cluster, ANON)
    assert not figures.suppressed and figures.rate == 1.0


def test_small_totals_setting(buyers, settings):
    cluster, leading, local, outside = buyers
    settings.AGGREGATE_MIN_FIRMS = 1
    assert selectors.localisation(cluster, ANON, year=2023).rate == 1.0
    settings.AGGREGATE_MIN_FIRMS = 4
    assert selectors.localisation(cluster, ANON).suppressed


def test_output_value_series(world):
    factories.year(world.own, 2023, output_value=1_000_000)
    public = selectors.output_value_series(world.a, ANON)
    assert [(f.year, f.value, f.suppressed) for f in public] == [
        (2023, None, True),
        (2024, 100_000_000, False),
    ]
    assert selectors.output_value_by_year(world.a) == [(2024, 100_000_000)]
    for user in (world.users.office, world.users.admin):
        assert selectors.output_value_by_year(world.a, user) == [
            (2023, 1_000_000),
            (2024, 100_000_000),
        ]
    for user in (world.users.association, world.users.office_b, world.users.enterprise):
        assert selectors.output_value_by_year(world.a, user) == [(2024, 100_000_000)]


def test_kpis_fall_back_to_reported_figures_when_withheld(world):
    factories.year(world.own, 2023, output_value=1_000_000)
    factories.target(world.a, "output_value", TODAY.year + 5, 1e9)
    factories.figure(world.a, "output_value", 2022, 9e7, source="office")
    factories.target(world.a, "localisation_rate", TODAY.year + 5, 0.9)
    kpis = {k.indicator: k for k in selectors.cluster_summary(world.a, ANON, year=2023).kpis}
    output = kpis["output_value"]
    assert (output.actual, output.source, output.suppressed) == (9e7, "reported", True)
    latest = {k.indicator: k for k in selectors.cluster_summary(world.a, ANON).kpis}
    localisation = latest["localisation_rate"]  # one leading buyer in the world
    assert (localisation.actual, localisation.suppressed) == (None, True)
    assert not latest["output_value"].suppressed  # 2024: four firms reported
    office = selectors.cluster_summary(world.a, world.users.office, year=2023)
    kpis = {k.indicator: k for k in office.kpis}
    assert (kpis["output_value"].actual, kpis["output_value"].suppressed) == (1_000_000, False)
    office_latest = selectors.cluster_summary(world.a, world.users.office)
    kpis = {k.indicator: k for k in office_latest.kpis}
    assert kpis["localisation_rate"].actual == pytest.approx(0.8)


def test_localisation(world, settings):
    settings.AGGREGATE_MIN_FIRMS = 1  # the world has one leading firm
    figures = selectors.localisation(world.a, ANON)
    assert figures.year == 2024
    assert figures.rate == pytest.approx(0.8)  # 800k of 1M bought in the cluster
    assert figures.per_leading_firm == [] and figures.by_year == [(2024, pytest.approx(0.8))]
    assert figures.report.per_buyer == {}
    office = selectors.localisation(world.a, world.users.office)
    assert office.per_leading_firm == [(world.leading, pytest.approx(0.8))]
    for user in (world.users.association, world.users.office_b, world.users.enterprise):
        assert selectors.localisation(world.a, user).per_leading_firm == []
    assert selectors.localisation(world.a, world.users.admin).per_leading_firm
    summary = selectors.cluster_summary(world.a, ANON)
    assert summary.localisation_rate == pytest.approx(0.8) and summary.localisation_year == 2024


def test_one_leading_firm_reveals_no_localisation(world):
    """With the default k = 3 the world's single leading firm's purchases stay private."""
    figures = selectors.localisation(world.a, ANON)
    assert figures.suppressed and figures.rate is None and figures.local_value is None
    assert figures.by_year == [(2024, None)] and figures.suppressed_years == [2024]
    summary = selectors.cluster_summary(world.a, ANON)
    assert summary.localisation_rate is None and summary.localisation_suppressed
    assert summary.suppression_note
    for user in (world.users.office, world.users.admin):
        assert selectors.localisation(world.a, user).rate == pytest.approx(0.8)
        assert selectors.cluster_summary(world.a, user).localisation_rate == pytest.approx(0.8)
    for user in (world.users.association, world.users.office_b, world.users.enterprise):
        assert selectors.localisation(world.a, user).rate is None


def test_kpis_actual_against_target(leather):
    cluster, firms = leather
    this_year = TODAY.year
    factories.target(cluster, "above_size_firms", this_year - 2, 1)  # past: superseded
    factories.target(cluster, "above_size_firms", this_year + 5, 10)
    factories.target(cluster, "above_size_firms", this_year + 1, 4)  # nearest future
    factories.target(cluster, "chain_completeness", this_year + 3, 90)  # a percentage
    factories.target(cluster, "support_fund", this_year + 1, 50_000_000)
    factories.figure(cluster, "support_fund", 2023, 40_000_000, source="Shiling report")
    factories.figure(cluster, "support_fund", 2022, 30_000_000)
    factories.figure(cluster, "above_size_firms", 2022, 103)
    factories.figure(cluster, "mulberry_area_mu", 2023, 960_000)

    kpis = {k.indicator: k for k in selectors.cluster_summary(cluster, ANON).kpis}
    assert set(kpis) == {
        "above_size_firms",
        "chain_completeness",
        "support_fund",
        "mulberry_area_mu",
    }
    above = kpis["above_size_firms"]
    assert (above.actual, above.target, above.target_year, above.source) == (
        2,
        4,
        this_year + 1,
        "registry",
    )
    assert above.progress == pytest.approx(0.5) and above.reported == 103
    completeness = kpis["chain_completeness"]
    assert completeness.target == pytest.approx(0.9) and completeness.unit == "%"
    assert completeness.actual == pytest.approx(0.25)
    fund = kpis["support_fund"]
    assert (fund.actual, fund.source, fund.reported_year, fund.reported_source) == (
        40_000_000,
        "reported",
        2023,
        "Shiling report",
    )
    mulberry = kpis["mulberry_area_mu"]
    assert (mulberry.actual, mulberry.target, mulberry.unit) == (960_000, None, "mu")


def test_silk_firm_counts(db):
    cluster = factories.cluster(template=factories.tiny_silk_template())
    reelers = [factories.enterprise(cluster) for _ in range(3)]
    for firm in reelers:
        factories.role(firm, "reeling", 10)
        factories.role(firm, "cocoon_stations", 100)
    station = factories.enterprise(cluster)
    factories.role(station, "cocoon_stations", 100)
    weaver = factories.enterprise(cluster)
    factories.role(weaver, "weaving_knitting", 1000)
    factories.target(cluster, "reeling_firms", TODAY.year + 1, 15)
    factories.target(cluster, "cocoon_silk_firms", TODAY.year + 1, 20)
    kpis = {k.indicator: k for k in selectors.cluster_summary(cluster, ANON).kpis}
    assert kpis["reeling_firms"].actual == 3
    assert kpis["cocoon_silk_firms"].actual == 4  # reelers and the weaver, not the station


# --- directory -------------------------------------------------------------------------------


@pytest.fixture
def directory(leather):
    cluster, firms = leather
    factories.certification(firms["t1"], "lwg_gold")
    factories.certification(firms["t2"], "lwg_gold", valid_until=PAST)
    factories.facility(firms["t2"], in_cluster=False)
    firms["t3"].main_products_zh = "牛皮鞣制"
    firms["t3"].save()
    return cluster, firms


def names(page):
    return {row.enterprise.name_en for row in page.rows}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (DirectoryFilters(), {"t1", "t2", "t3", "c1", "s1", "out"}),
        (DirectoryFilters(q="firm T3"), {"t3"}),
        (DirectoryFilters(q="牛皮"), {"t3"}),
        (DirectoryFilters(link="tanning"), {"t1", "t2", "t3", "out"}),
        (DirectoryFilters(link="sewing"), {"s1", "c1"}),
        (DirectoryFilters(certification="lwg_gold"), {"t1"}),
        (DirectoryFilters(size_class="large"), {"t1", "c1"}),
        (DirectoryFilters(min_capacity=500), {"t1", "c1", "s1", "out"}),
        (DirectoryFilters(link="sewing", min_capacity=500), {"s1"}),
        (DirectoryFilters(location="in"), {"t1", "t2", "t3", "c1", "s1"}),
        (DirectoryFilters(location="out"), {"out"}),
        (DirectoryFilters(location="outside_facility"), {"t2"}),
        (DirectoryFilters(above_size=True), {"t1", "c1", "out"}),
        (DirectoryFilters(above_size=False), {"t2", "t3", "s1"}),
        (DirectoryFilters(member=True), {"t1"}),
        (DirectoryFilters(leading=True), {"c1"}),
        (DirectoryFilters(link="tanning", location="in", above_size=True), {"t1"}),
    ],
)
def test_directory_filters(directory, filters, expected):
    cluster, _firms = directory
    page = selectors.enterprise_directory(cluster, ANON, filters, per_page=100)
    assert names(page) == {f"Firm {name}" for name in expected}
    assert page.total == len(expected)


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        (DirectoryFilters(link="nonexistent"), "link"),
        (DirectoryFilters(link="reeling"), "link"),  # a link of another chain
        (DirectoryFilters(certification="nobel"), "certification"),
        (DirectoryFilters(size_class="huge"), "size_class"),
        (DirectoryFilters(location="moon"), "location"),
        (DirectoryFilters(min_capacity=float("nan")), "min_capacity"),
        (DirectoryFilters(min_capacity=float("inf")), "min_capacity"),
        (DirectoryFilters(min_capacity=-1), "min_capacity"),
    ],
)
def test_directory_and_map_refuse_unknown_filters(directory, filters, field):
    cluster, _firms = directory
    for read in (selectors.enterprise_directory, selectors.firm_map):
        with pytest.raises(InvalidInput) as caught:
            read(cluster, ANON, filters)
        assert [e.loc for e in caught.value.errors] == [(field,)]


def test_directory_by_uscc(directory):
    cluster, firms = directory
    page = selectors.enterprise_directory(cluster, ANON, DirectoryFilters(q=firms["s1"].uscc))
    assert [row.enterprise for row in page.rows] == [firms["s1"]]


def test_directory_rows(directory):
    cluster, firms = directory
    page = selectors.enterprise_directory(cluster, ANON, DirectoryFilters(link="sewing"))
    rows = {row.enterprise.name_en: row for row in page.rows}
    assert rows["Firm c1"].capacity == 200  # the filtered link only
    assert [link.code for link in rows["Firm c1"].links] == ["cutting", "sewing"]
    everything = selectors.enterprise_directory(cluster, ANON, DirectoryFilters())
    rows = {row.enterprise.name_en: row for row in everything.rows}
    assert rows["Firm c1"].capacity == 1000
    assert rows["Firm t1"].certifications == ["lwg_gold"]
    assert rows["Firm t2"].certifications == []  # expired


def test_directory_pagination(db):
    cluster = factories.cluster()
    firms = [factories.enterprise(cluster, name_zh=f"企业{i:02d}") for i in range(23)]
    pages = [
        selectors.enterprise_directory(cluster, ANON, DirectoryFilters(), page=p, per_page=10)
        for p in (1, 2, 3, 4)
    ]
    # A page past the last is the last, and says so.
    assert [len(p.rows) for p in pages] == [10, 10, 3, 3]
    assert [p.page for p in pages] == [1, 2, 3, 3]
    assert all(p.total == 23 and p.pages == 3 for p in pages)
    seen = [row.enterprise for p in pages[:3] for row in p.rows]
    assert seen == sorted(firms, key=lambda f: f.name_zh)
    assert pages[3].rows == pages[2].rows
    empty = selectors.enterprise_directory(
        factories.cluster(), ANON, DirectoryFilters(), page=5, per_page=10
    )
    assert (empty.rows, empty.page, empty.pages) == ([], 1, 1)
    clamped = selectors.enterprise_directory(cluster, ANON, DirectoryFilters(), per_page=10_000)
    assert clamped.per_page == selectors.DIRECTORY_MAX_PER_PAGE


def test_directory_orders(db):
    cluster = factories.cluster()
    outside = factories.enterprise(cluster, name_zh="东莞外地供应商", in_cluster=False)
    old = factories.enterprise(cluster, name_zh="广州老厂", founded_year=1990)
    new = factories.enterprise(cluster, name_zh="广州新厂", founded_year=2015)
    unknown = factories.enterprise(cluster, name_zh="广州某厂", founded_year=None)
    factories.role(old, "sewing", 100)
    factories.role(new, "sewing", 900)
    factories.role(unknown, "cutting", 5000)

    def order(**filters):
        page = selectors.enterprise_directory(cluster, ANON, DirectoryFilters(**filters))
        return [row.enterprise for row in page.rows]

    # The cluster's own firms first, though 东 sorts before 广.
    assert order() == sorted([old, unknown, new], key=lambda f: f.name_zh) + [outside]
    assert order(order="name") == sorted([outside, old, new, unknown], key=lambda f: f.name_zh)
    assert order(order="founded")[:2] == [old, new]
    assert set(order(order="founded")[2:]) == {unknown, outside}  # no founding year: last
    # Capacity within the chosen link only: the cutter's 5000 does not count for sewing.
    assert order(link="sewing", order="capacity") == [new, old]


@pytest.mark.parametrize(
    "filters", [DirectoryFilters(order="revenue"), DirectoryFilters(order="capacity")]
)
def test_directory_refuses_unknown_or_unanchored_orders(directory, filters):
    cluster, _firms = directory
    with pytest.raises(InvalidInput) as caught:
        selectors.enterprise_directory(cluster, ANON, filters)
    assert [e.loc for e in caught.value.errors] == [("order",)]


# --- profile, map ----------------------------------------------------------------------------


def test_profile_hides_confidential_figures(world):
    public = selectors.enterprise_profile(world.own.pk, ANON)
    assert not public.can_view_confidential and public.years == [] and public.customers == []
    own = selectors.enterprise_profile(world.own.pk, world.users.enterprise)
    assert own.can_view_confidential and own.can_edit
    assert [y.year for y in own.years] == [2024]
    assert own.customers[0]["enterprise_id"] == world.leading.pk
    leading = selectors.enterprise_profile(world.leading.pk, world.users.office)
    assert {s["enterprise_id"] for s in leading.suppliers} == {
        world.own.pk,
        world.sharing.pk,
        world.outsider.pk,
    }
    with pytest.raises(NotFound):
        selectors.enterprise_profile(999_999, ANON)
    with pytest.raises(NotFound):
        selectors.enterprise_profile("abc", ANON)


def test_enterprise_years_permission(world):
    assert selectors.enterprise_years(world.sharing, world.users.association)
    with pytest.raises(Forbidden):
        selectors.enterprise_years(world.own, world.users.association)
    with pytest.raises(Forbidden):
        selectors.enterprise_years(world.own, ANON)


def test_firm_map(db):
    cluster = factories.cluster()
    located = factories.enterprise(cluster, latitude=23.4, longitude=113.2)
    factories.role(located, "cutting", 10)
    factories.role(located, "sewing", 50)
    factories.enterprise(cluster)  # no coordinates: not on the map
    factories.facility(located, latitude=28.0, longitude=116.0, in_cluster=False)
    points = selectors.firm_map(cluster, ANON, DirectoryFilters())
    assert [(p.kind, p.link, p.in_cluster) for p in points] == [
        ("enterprise", "sewing", True),
        ("production", "sewing", False),
    ]
    assert selectors.firm_map(cluster, ANON, DirectoryFilters(link="hides")) == []
    points = selectors.firm_map(cluster, ANON, DirectoryFilters())
    assert (points.firms, points.located_firms, points.sites, points.outside_sites) == (2, 1, 1, 1)
    assert not points.truncated and points.shown == points.total_points == 2


def test_firm_map_beyond_the_limit_keeps_outside_sites_and_true_totals(db):
    """Firms with the lowest ids used to fill the map: past the limit, the production bases
    outside the cluster (of firms created last) vanished and the counts were wrong."""
    cluster = factories.cluster()
    firms = [factories.enterprise(cluster, latitude=23 + i / 100, longitude=113) for i in range(8)]
    factories.enterprise(cluster)  # not located
    for firm in firms[-2:]:
        factories.facility(firm, latitude=28.0, longitude=116.0, in_cluster=False)
    factories.facility(firms[0], latitude=23.5, longitude=113.2, in_cluster=True)
    points = selectors.firm_map(cluster, ANON, DirectoryFilters(), limit=5)
    assert points.shown == len(points) == 5 and points.truncated
    assert (points.firms, points.located_firms, points.sites, points.outside_sites) == (9, 8, 3, 2)
    assert points.total_points == 11
    outside = [p for p in points if not p.in_cluster]
    assert {p.enterprise_id for p in outside} == {firms[-1].pk, firms[-2].pk}
    assert [p.kind for p in points].count("enterprise") == 3
    everything = selectors.firm_map(cluster, ANON, DirectoryFilters())
    assert everything.shown == 11 and not everything.truncated
    assert selectors.MAP_MAX_POINTS >= 50_000


def test_clusters(world):
    assert [c.slug for c in selectors.clusters()] == ["alpha", "beta"]
    assert selectors.get_cluster("beta") == world.b
    with pytest.raises(NotFound):
        selectors.get_cluster("gamma")


def test_certification_kinds_complete():
    assert set(Certification.GREEN_FACTORY_KINDS) <= set(Certification.Kind.values)
    assert Role.OFFICE == "office"


def test_page_helpers(world):
    factories.figure(world.a, "support_fund", 2023, 5e7)
    for firm in (world.own, world.sharing, world.other):
        factories.year(firm, 2023, output_value=1_000_000)
    assert selectors.output_value_by_year(world.a) == [(2023, 3_000_000), (2024, 100_000_000)]
    assert [f.indicator for f in selectors.reported_figures(world.a)] == ["support_fund"]
    assert [link.code for link in selectors.chain_links(world.a)][:2] == ["hides", "machinery"]
    assert selectors.enterprise_profile(world.own.pk, world.users.enterprise).customers[0][
        "id"
    ] == (world.leading.pk)


def test_biggest_firms_of_each_link_match_the_engine(db):
    """The explanations name each link's ten biggest in-cluster firms by summed capacity (a firm
    with several product categories in a link is one firm), ties by id; another cluster on the
    same template, and outside firms, never appear."""
    cluster = factories.cluster()
    other = factories.cluster(template=cluster.chain_template)
    firms = [factories.enterprise(cluster) for _ in range(14)]
    for i, firm in enumerate(firms):
        factories.role(firm, "tanning", 100 + 10 * (i % 7), product_category="cow")
    for firm in firms[:3]:  # 150 + 150 > any single role
        factories.role(firm, "tanning", 150, product_category="sheep")
    factories.role(factories.enterprise(cluster, in_cluster=False), "tanning", 10_000)
    factories.role(factories.enterprise(other), "tanning", 20_000)
    report = selectors.chain_report(cluster)
    assert report == engine_report(cluster)
    ids = report.link("tanning").explanation.firm_ids
    assert len(ids) == 10 and set(ids[:3]) == {f.pk for f in firms[:3]}
    assert report.link("tanning").explanation.counted == 14


def test_output_value_by_year_sums_every_year(db, monkeypatch):
    """One filtered sum a year over the years any firm reported (another cluster's years too);
    the same figures with the GROUP BY kept for registries of very many years."""
    cluster = factories.cluster()
    other = factories.cluster()
    office = factories.user(Role.OFFICE, cluster=cluster)
    a, b = factories.enterprise(cluster), factories.enterprise(cluster)
    outside = factories.enterprise(cluster, in_cluster=False)
    factories.year(a, 2019, output_value=1_000)
    factories.year(a, 2024, output_value=2_500.5)
    factories.year(b, 2024, output_value=500)
    factories.year(b, 2021, revenue=9_000)  # no output value: not a year of output
    factories.year(outside, 2022, output_value=7_000)
    factories.year(factories.enterprise(other), 2010, output_value=3_000)
    expected = [(2019, 1_000.0), (2024, 3_000.5)]
    assert selectors.output_value_by_year(cluster, office) == expected
    monkeypatch.setattr(selectors, "OUTPUT_YEARS_PER_PASS", 1)
    from django.core.cache import cache

    cache.clear()
    assert selectors.output_value_by_year(cluster, office) == expected
    assert selectors.output_value_by_year(factories.cluster(), office) == []
