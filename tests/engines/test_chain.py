"""The chain engine on hand-made chains whose every figure was computed by hand, plus properties.

No database: the engine is plain Python and these tests must stay runnable without Django.
"""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterbrain.engines.chain import (
    ChainModelError,
    Edge,
    Link,
    LinkSupply,
    Relation,
    Role,
    aggregate_roles,
    aggregate_roles_frame,
    analyse_chain,
    firm_ids_by_capacity,
    localisation_rate,
)


def supply(link: str, capacities: list[float], outputs: list[float] | None = None) -> LinkSupply:
    """Supply of a link from its per-firm capacities, the way SQL would aggregate it."""
    outputs = outputs if outputs is not None else [0.0] * len(capacities)
    return LinkSupply(
        link=link,
        firms=len(capacities),
        capacity=float(sum(capacities)),
        output=float(sum(outputs)),
        capacity_sq=float(sum(c * c for c in capacities)),
    )


# A small leather-goods chain (Shiling-like). Hand computation of every figure:
#
#   hides      0 firms                      demand 1.2 × tanning output 800 = 960, coverage 0
#   tanning    500 + 500 = 1000, out 800    demand 0.5 × cutting output 1200 = 600,
#                                           coverage 1000/600 = 5/3, HHI 500000/1000² = 0.5
#   cutting    600+300+300+300 = 1500       demand 1.0 × sewing output 1600 = 1600,
#              out 1200                     coverage 1500/1600 = 0.9375,
#                                           HHI (360000 + 3·90000)/1500² = 630000/2250000 = 0.28
#   sewing     5 × 400 = 2000, out 1600     nothing downstream: demand None;
#                                           HHI 5·160000/2000² = 0.2
#   chemicals  1 firm, 10, out 10 (support) demand 0.02 × 800 = 16, coverage 10/16 = 0.625, HHI 1
#   logistics  0 firms (support)            edge without coefficient: demand None
#
#   core gaps: hides (no_firms, short), tanning (few_firms), cutting (short) → completeness 1/4.
LINKS = (
    Link("hides"),
    Link("tanning"),
    Link("cutting"),
    Link("sewing"),
    Link("chemicals", core=False),
    Link("logistics", core=False),
)
EDGES = (
    Edge("hides", "tanning", 1.2),
    Edge("tanning", "cutting", 0.5),
    Edge("cutting", "sewing", 1.0),
    Edge("chemicals", "tanning", 0.02),
    Edge("logistics", "sewing", None),
)
SUPPLY = {
    "tanning": supply("tanning", [500, 500], [400, 400]),
    "cutting": supply("cutting", [600, 300, 300, 300], [500, 300, 200, 200]),
    "sewing": supply("sewing", [400] * 5, [320] * 5),
    "chemicals": supply("chemicals", [10], [10]),
}


@pytest.fixture
def report():
    return analyse_chain(LINKS, EDGES, SUPPLY)


class TestDemandAndCoverage:
    def test_demand_is_coefficient_times_downstream_in_cluster_output(self, report):
        assert report.link("hides").demand == pytest.approx(960)
        assert report.link("tanning").demand == pytest.approx(600)
        assert report.link("cutting").demand == pytest.approx(1600)
        assert report.link("chemicals").demand == pytest.approx(16)

    def test_coverage_is_capacity_over_demand(self, report):
        assert report.link("hides").coverage == 0
        assert report.link("tanning").coverage == pytest.approx(5 / 3)
        assert report.link("cutting").coverage == pytest.approx(0.9375)
        assert report.link("chemicals").coverage == pytest.approx(0.625)

    def test_no_downstream_or_no_coefficient_means_unknown_demand(self, report):
        for code in ("sewing", "logistics"):
            assert report.link(code).demand is None
            assert report.link(code).coverage is None
        assert (
            "no downstream edge has a coefficient" in report.link("logistics").explanation.formula
        )
        assert "nothing downstream" in report.link("sewing").explanation.formula

    def test_demand_sums_over_several_downstream_links_skipping_unknown_coefficients(self):
        # materials feeds cutting (2 per unit, output 10 → 20) and sewing (0.5, output 40 → 20);
        # the edge to packing has no coefficient and adds nothing: demand 40, coverage 30/40.
        links = [Link("materials"), Link("cutting"), Link("sewing"), Link("packing")]
        edges = [
            Edge("materials", "cutting", 2.0),
            Edge("materials", "sewing", 0.5),
            Edge("materials", "packing"),
        ]
        supplies = {
            "materials": supply("materials", [10, 10, 10]),
            "cutting": supply("cutting", [5, 5], [5, 5]),
            "sewing": supply("sewing", [50], [40]),
            "packing": supply("packing", [100], [100]),
        }
        materials = analyse_chain(links, edges, supplies).link("materials")
        assert materials.demand == pytest.approx(40)
        assert materials.coverage == pytest.approx(0.75)
        assert materials.gap_reasons == ("short_of_demand",)
        assert materials.explanation.inputs["demand_from:cutting"] == pytest.approx(20)
        assert materials.explanation.inputs["demand_from:sewing"] == pytest.approx(20)
        assert "packing have no coefficient" in materials.explanation.formula

    def test_zero_downstream_output_gives_zero_demand_and_unknown_coverage(self):
        links = [Link("tanning"), Link("cutting")]
        edges = [Edge("tanning", "cutting", 0.5)]
        tanning = analyse_chain(links, edges, {"tanning": supply("tanning", [1, 1, 1])}).link(
            "tanning"
        )
        assert tanning.demand == 0
        assert tanning.coverage is None
        assert not tanning.is_gap

    def test_only_in_cluster_downstream_output_creates_demand(self):
        # cutting has roles only outside the cluster: no in-cluster output, so no local demand.
        roles = [Role(1, "tanning", 100, 50), Role(9, "cutting", 500, 500, in_cluster=False)]
        supplies = aggregate_roles(roles)
        tanning = analyse_chain(
            [Link("tanning"), Link("cutting")], [Edge("tanning", "cutting", 1.0)], supplies
        ).link("tanning")
        assert tanning.demand == 0


class TestConcentration:
    def test_two_equal_firms_give_hhi_one_half(self, report):
        assert report.link("tanning").hhi == pytest.approx(0.5)
        assert report.link("tanning").is_concentrated

    def test_hhi_hand_computed(self, report):
        assert report.link("cutting").hhi == pytest.approx(0.28)
        assert report.link("sewing").hhi == pytest.approx(0.2)
        assert report.link("chemicals").hhi == 1.0

    def test_concentration_threshold_is_strict(self, report):
        assert report.link("cutting").is_concentrated  # 0.28 > 0.25
        assert not report.link("sewing").is_concentrated  # 0.2
        four_equal = analyse_chain([Link("a")], [], {"a": supply("a", [1, 1, 1, 1])}).link("a")
        assert four_equal.hhi == pytest.approx(0.25)
        assert not four_equal.is_concentrated

    def test_no_capacity_no_hhi(self, report):
        assert report.link("hides").hhi is None
        assert not report.link("hides").is_concentrated
        zero = analyse_chain([Link("a")], [], {"a": supply("a", [0, 0, 0])}).link("a")
        assert zero.hhi is None

    def test_concentrated_links_listed_in_report_order(self, report):
        assert report.concentrated_links == ("chemicals", "tanning", "cutting")

    def test_threshold_is_a_parameter(self):
        r = analyse_chain([Link("a")], [], {"a": supply("a", [1, 1])}, hhi_threshold=0.6)
        assert r.link("a").hhi == pytest.approx(0.5)
        assert not r.link("a").is_concentrated


class TestGaps:
    def test_each_gap_reason(self, report):
        assert report.link("hides").gap_reasons == ("no_firms", "short_of_demand")
        assert report.link("tanning").gap_reasons == ("few_firms",)
        assert report.link("cutting").gap_reasons == ("short_of_demand",)
        assert report.link("sewing").gap_reasons == ()
        assert report.link("chemicals").gap_reasons == ("few_firms", "short_of_demand")
        assert report.link("logistics").gap_reasons == ("no_firms",)

    def test_is_gap_iff_any_reason(self, report):
        for link in report.links:
            assert link.is_gap == bool(link.gap_reasons)

    def test_gap_links_include_support_links_in_report_order(self, report):
        assert report.gap_links == ("hides", "chemicals", "tanning", "cutting", "logistics")

    def test_min_firms_and_coverage_threshold_are_parameters(self):
        r = analyse_chain(LINKS, EDGES, SUPPLY, min_firms=2, coverage_threshold=0.9)
        assert r.link("tanning").gap_reasons == ()  # 2 firms is enough; coverage 5/3
        assert r.link("cutting").gap_reasons == ()  # coverage 0.9375 ≥ 0.9
        assert r.link("chemicals").gap_reasons == ("few_firms", "short_of_demand")

    def test_link_missing_from_supply_has_no_firms(self, report):
        hides = report.link("hides")
        assert (hides.firms, hides.capacity, hides.output) == (0, 0.0, 0.0)


class TestCompleteness:
    def test_support_links_do_not_count(self, report):
        assert report.core_links == 4
        assert report.completeness == pytest.approx(0.25)
        assert "1 / 4" in report.explanation.formula
        assert "2 support link(s)" in report.explanation.formula

    def test_support_gaps_do_not_lower_completeness(self):
        links = [Link("a"), Link("b", core=False)]
        r = analyse_chain(links, [], {"a": supply("a", [1, 1, 1])})
        assert r.link("b").is_gap
        assert r.completeness == 1.0

    def test_no_core_links_gives_zero_and_says_why(self):
        r = analyse_chain([Link("machinery", core=False)], [], {})
        assert r.completeness == 0.0
        assert r.core_links == 0
        assert "no core links" in r.explanation.formula

    def test_empty_template(self):
        r = analyse_chain([], [], {})
        assert (r.links, r.completeness, r.core_links) == ((), 0.0, 0)

    def test_explanation_inputs(self, report):
        inputs = report.explanation.inputs
        assert inputs["core_links"] == 4
        assert inputs["core_gaps"] == 3
        assert inputs["support_links"] == 2
        assert report.explanation.counted == 4


class TestOrder:
    def test_report_order_of_the_fixture(self, report):
        # Ready links are taken by input position: hides (0) and chemicals (4) free tanning;
        # after cutting, sewing still waits for logistics (5).
        assert [link.link for link in report.links] == [
            "hides",
            "chemicals",
            "tanning",
            "cutting",
            "logistics",
            "sewing",
        ]

    def test_topological_upstream_first_ties_by_input_order(self):
        # Input order puts sewing first; ready links are taken in input order:
        # logistics, chemicals, hides have no upstream; then tanning, cutting, sewing.
        shuffled = [LINKS[3], LINKS[5], LINKS[2], LINKS[4], LINKS[1], LINKS[0]]
        r = analyse_chain(shuffled, EDGES, SUPPLY)
        assert [link.link for link in r.links] == [
            "logistics",
            "chemicals",
            "hides",
            "tanning",
            "cutting",
            "sewing",
        ]

    def test_unconnected_links_keep_input_order(self):
        links = [Link(code) for code in "dcab"]
        assert [r.link for r in analyse_chain(links, [], {}).links] == list("dcab")


class TestExplanation:
    def test_link_explanation_has_formula_inputs_and_counted(self, report):
        tanning = report.link("tanning").explanation
        assert "0.5 × output of cutting 1,200 = 600" in tanning.formula
        assert "capacity 1,000 / demand 600 = 1.6667" in tanning.formula
        assert "500,000 / 1,000² = 0.5" in tanning.formula
        assert "fewer than 3" in tanning.formula
        assert tanning.inputs["capacity"] == 1000
        assert tanning.inputs["demand"] == pytest.approx(600)
        assert tanning.inputs["firms"] == 2
        assert tanning.counted == 2

    def test_firm_ids_are_the_top_ones_and_counted_is_all(self):
        ids = list(range(100, 112))
        r = analyse_chain([Link("a")], [], {"a": supply("a", [1.0] * 12)}, firm_ids={"a": ids})
        explanation = r.link("a").explanation
        assert explanation.firm_ids == tuple(range(100, 110))
        assert explanation.counted == 12

    def test_support_link_says_it_is_not_counted(self, report):
        assert "not counted in completeness" in report.link("chemicals").explanation.formula

    def test_firm_ids_by_capacity_feeds_the_explanation(self):
        roles = [
            Role(7, "sew", 10),
            Role(3, "sew", 30),
            Role(5, "sew", 15),
            Role(5, "sew", 15),  # same firm, second product category: 30 in all
            Role(9, "sew", 99, in_cluster=False),
        ]
        assert firm_ids_by_capacity(roles) == {"sew": (3, 5, 7)}


class TestValidation:
    def test_duplicate_link_code(self):
        with pytest.raises(ChainModelError, match=r"'cutting' appears twice \(links 1 and 3\)"):
            analyse_chain([Link("cutting"), Link("sewing"), Link("cutting")], [], {})

    def test_edge_naming_unknown_link(self):
        with pytest.raises(ChainModelError, match="edge cutting → stitching names unknown link"):
            analyse_chain([Link("cutting")], [Edge("cutting", "stitching", 1.0)], {})

    def test_cycle_is_named(self):
        edges = [*EDGES, Edge("sewing", "hides", 1.0)]
        with pytest.raises(ChainModelError, match="cycle") as caught:
            analyse_chain(LINKS, edges, SUPPLY)
        message = str(caught.value)
        assert "hides → tanning → cutting → sewing → hides" in message

    def test_cycle_behind_an_acyclic_prefix(self):
        links = [Link("a"), Link("b"), Link("c"), Link("d")]
        edges = [Edge("a", "b"), Edge("b", "c"), Edge("c", "d"), Edge("d", "c")]
        with pytest.raises(ChainModelError, match="c → d → c"):
            analyse_chain(links, edges, {})

    def test_self_loop(self):
        with pytest.raises(ChainModelError, match="a → a"):
            analyse_chain([Link("a")], [Edge("a", "a", 1.0)], {})

    def test_duplicate_edge(self):
        with pytest.raises(ChainModelError, match="edge a → b appears twice"):
            analyse_chain([Link("a"), Link("b")], [Edge("a", "b", 1.0), Edge("a", "b", 2.0)], {})

    @pytest.mark.parametrize("coefficient", [-1.0, math.nan, math.inf])
    def test_bad_coefficient(self, coefficient):
        with pytest.raises(ChainModelError, match="edge a → b has coefficient"):
            analyse_chain([Link("a"), Link("b")], [Edge("a", "b", coefficient)], {})

    @pytest.mark.parametrize(
        ("field", "value"), [("capacity", -1.0), ("output", -0.5), ("capacity", math.nan)]
    )
    def test_negative_supply_names_the_link(self, field, value):
        bad = {"link": "tanning", "firms": 2, "capacity": 10.0, "output": 5.0, "capacity_sq": 50.0}
        bad[field] = value
        with pytest.raises(ChainModelError, match=f"link 'tanning': {field}"):
            analyse_chain([Link("tanning")], [], {"tanning": LinkSupply(**bad)})

    def test_capacity_sq_above_capacity_squared(self):
        impossible = LinkSupply("a", firms=2, capacity=10.0, output=0.0, capacity_sq=101.0)
        with pytest.raises(ChainModelError, match="link 'a': capacity_sq"):
            analyse_chain([Link("a")], [], {"a": impossible})

    def test_capacity_without_firms(self):
        with pytest.raises(ChainModelError, match="link 'a': capacity or output without any firm"):
            analyse_chain([Link("a")], [], {"a": LinkSupply("a", 0, 5.0, 0.0, 25.0)})

    def test_supply_filed_under_another_link(self):
        with pytest.raises(ChainModelError, match="under link 'a' is for link 'b'"):
            analyse_chain([Link("a")], [], {"a": supply("b", [1])})

    def test_supply_of_links_outside_the_template_is_ignored(self):
        r = analyse_chain([Link("a")], [], {"a": supply("a", [1, 1, 1]), "shoes": supply("x", [1])})
        assert [link.link for link in r.links] == ["a"]

    @pytest.mark.parametrize(
        "kwargs", [{"min_firms": 0}, {"hhi_threshold": 1.5}, {"coverage_threshold": -1.0}]
    )
    def test_nonsense_parameters(self, kwargs):
        with pytest.raises(ChainModelError):
            analyse_chain([Link("a")], [], {}, **kwargs)

    def test_is_a_value_error(self):
        assert issubclass(ChainModelError, ValueError)


def frame_of(roles: list[Role]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "enterprise_id": [r.enterprise_id for r in roles],
            "link": [r.link for r in roles],
            "capacity": [r.capacity for r in roles],
            "output": [r.output for r in roles],
            "in_cluster": [r.in_cluster for r in roles],
        },
        schema={
            "enterprise_id": pl.Int64,
            "link": pl.String,
            "capacity": pl.Float64,
            "output": pl.Float64,
            "in_cluster": pl.Boolean,
        },
    )


class TestAggregateRoles:
    ROLES = [
        Role(1, "sewing", 30, 20),
        Role(1, "sewing", 20, 10),  # same firm, another product category
        Role(2, "sewing", 50, 40),
        Role(3, "sewing", 1000, 900, in_cluster=False),
        Role(3, "cutting", 5, 5, in_cluster=False),
        Role(4, "sewing", 7, 7, in_cluster=False),
        Role(2, "cutting", 8, 6),
    ]

    @pytest.mark.parametrize(
        "aggregate", [aggregate_roles, lambda r: aggregate_roles_frame(frame_of(r))]
    )
    def test_firm_with_two_roles_counted_once_outside_ignored(self, aggregate):
        result = aggregate(self.ROLES)
        # sewing: firm 1 = 30 + 20 = 50, firm 2 = 50 → capacity² sum 5000 (not 900+400+2500).
        assert result["sewing"] == LinkSupply("sewing", 2, 100.0, 70.0, 5000.0, firms_outside=2)
        assert result["cutting"] == LinkSupply("cutting", 1, 8.0, 6.0, 64.0, firms_outside=1)
        assert list(result) == ["cutting", "sewing"]

    def test_hhi_from_aggregated_roles(self):
        sewing = analyse_chain([Link("sewing")], [], aggregate_roles(self.ROLES)).link("sewing")
        assert sewing.hhi == pytest.approx(0.5)
        assert sewing.firms == 2

    @pytest.mark.parametrize(
        "aggregate", [aggregate_roles, lambda r: aggregate_roles_frame(frame_of(r))]
    )
    def test_link_with_only_outside_firms(self, aggregate):
        result = aggregate([Role(9, "lasts", 40, in_cluster=False)])
        assert result == {"lasts": LinkSupply("lasts", 0, 0.0, 0.0, 0.0, firms_outside=1)}

    def test_firm_inside_and_outside_counts_in_both(self):
        roles = [Role(1, "sewing", 10), Role(1, "sewing", 90, in_cluster=False)]
        for result in (aggregate_roles(roles), aggregate_roles_frame(frame_of(roles))):
            assert result["sewing"] == LinkSupply("sewing", 1, 10.0, 0.0, 100.0, firms_outside=1)

    def test_empty(self):
        assert aggregate_roles([]) == {}
        assert aggregate_roles_frame(frame_of([])) == {}

    @pytest.mark.parametrize("value", [-1.0, math.nan, math.inf])
    def test_bad_capacity_names_link_and_firm(self, value):
        roles = [Role(1, "sewing", 10), Role(42, "cutting", value)]
        with pytest.raises(ChainModelError, match="link 'cutting': enterprise 42"):
            aggregate_roles(roles)
        with pytest.raises(ChainModelError, match="link 'cutting': enterprise 42"):
            aggregate_roles_frame(frame_of(roles))

    def test_negative_output(self):
        with pytest.raises(ChainModelError, match="link 'a': enterprise 1 has output"):
            aggregate_roles([Role(1, "a", 1.0, -2.0)])

    def test_frame_missing_column(self):
        with pytest.raises(ChainModelError, match="lacks column.*in_cluster"):
            aggregate_roles_frame(frame_of([Role(1, "a", 1.0)]).drop("in_cluster"))

    def test_frame_with_empty_field(self):
        df = frame_of([Role(1, "a", 1.0)]).with_columns(pl.lit(None, pl.Float64).alias("output"))
        with pytest.raises(ChainModelError, match="link 'a': enterprise 1"):
            aggregate_roles_frame(df)

    def test_frame_accepts_categorical_link_and_integer_amounts(self):
        df = pl.DataFrame(
            {
                "enterprise_id": [1, 2],
                "link": pl.Series(["a", "a"], dtype=pl.Categorical),
                "capacity": [3, 1],
                "output": [1, 1],
                "in_cluster": [True, True],
            }
        )
        assert aggregate_roles_frame(df) == {"a": LinkSupply("a", 2, 4.0, 2.0, 10.0)}


class TestLocalisation:
    # buyer 1 (leading): 600 local from 10, 400 from 11 outside → 0.6
    # buyer 2 (leading): 100 + 100 local → 1.0
    # buyer 3: 1000 outside → 0.0
    RELATIONS = [
        Relation(1, 10, "sewing", 600, True),
        Relation(1, 11, "sewing", 400, False),
        Relation(2, 10, "sewing", 100, True),
        Relation(2, 12, "soles", 100, True),
        Relation(3, 11, "sewing", 1000, False),
    ]

    def test_pooled_over_all_buyers(self):
        r = localisation_rate(self.RELATIONS)
        assert r.local_value == 800
        assert r.total_value == 2200
        assert r.rate == pytest.approx(800 / 2200)
        assert r.per_buyer == {1: pytest.approx(0.6), 2: 1.0, 3: 0.0}

    def test_leading_filter(self):
        r = localisation_rate(self.RELATIONS, leading_ids={1, 2})
        assert r.rate == pytest.approx(800 / 1200)
        assert set(r.per_buyer) == {1, 2}
        assert r.explanation.counted == 4
        assert r.explanation.inputs["relations"] == 4
        assert "800 / 1,200 = 0.6667" in r.explanation.formula
        assert "leading firms" in r.explanation.formula

    def test_explanation_lists_buyers_biggest_first(self):
        r = localisation_rate(self.RELATIONS)
        assert r.explanation.firm_ids == (1, 3, 2)  # 1 and 3 tie at 1000 (lower id first), then 2
        assert r.explanation.counted == 5

    def test_leading_firm_without_purchases_is_shown_as_unknown(self):
        r = localisation_rate(self.RELATIONS, leading_ids=[1, 4])
        assert r.per_buyer == {1: pytest.approx(0.6), 4: None}
        assert r.rate == pytest.approx(0.6)

    def test_no_value_gives_no_rate(self):
        assert localisation_rate([]).rate is None
        zero = localisation_rate([Relation(1, 2, "a", 0.0, True)])
        assert zero.rate is None
        assert zero.per_buyer == {1: None}
        assert "unknown" in zero.explanation.formula

    def test_negative_value_names_the_relation(self):
        with pytest.raises(ChainModelError, match="buyer 1 from supplier 2 has value -5"):
            localisation_rate([Relation(1, 2, "soles", -5.0, True)])

    def test_leading_ids_may_be_any_collection_or_empty(self):
        assert localisation_rate(self.RELATIONS, leading_ids=()).rate is None
        assert localisation_rate(self.RELATIONS, leading_ids=[3]).rate == 0.0


# --- properties ---------------------------------------------------------------------------

capacities = st.one_of(st.just(0.0), st.floats(min_value=1e-3, max_value=1e6))
roles_strategy = st.lists(
    st.builds(
        Role,
        enterprise_id=st.integers(0, 8),
        link=st.sampled_from(["hides", "tanning", "cutting", "sewing"]),
        capacity=capacities,
        output=capacities,
        in_cluster=st.booleans(),
    ),
    max_size=40,
)


@given(roles_strategy)
def test_python_and_frame_aggregation_agree(roles):
    expected = aggregate_roles(roles)
    actual = aggregate_roles_frame(frame_of(roles))
    assert list(actual) == list(expected)
    for link, want in expected.items():
        got = actual[link]
        assert (got.link, got.firms, got.firms_outside) == (
            want.link,
            want.firms,
            want.firms_outside,
        )
        for name in ("capacity", "output", "capacity_sq"):
            assert getattr(got, name) == pytest.approx(getattr(want, name), rel=1e-9, abs=1e-9)


@given(st.lists(capacities, min_size=1, max_size=30).filter(lambda cs: sum(cs) > 0))
def test_hhi_lies_between_one_over_n_and_one(firm_capacities):
    roles = [Role(i, "a", c) for i, c in enumerate(firm_capacities)]
    hhi = analyse_chain([Link("a")], [], aggregate_roles(roles)).link("a").hhi
    n = len(firm_capacities)
    assert hhi is not None
    assert 1 / n * (1 - 1e-9) <= hhi <= 1.0


@st.composite
def chains(draw):
    """A random DAG: edges only from a lower to a higher position, then links shuffled."""
    n = draw(st.integers(0, 12))
    codes = [f"l{i}" for i in range(n)]
    links = [Link(code, core=draw(st.booleans())) for code in codes]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=20)) if pairs else []
    edges = [
        Edge(codes[i], codes[j], draw(st.one_of(st.none(), st.floats(0, 10)))) for i, j in chosen
    ]
    supplies = {
        code: supply(code, caps, draw(st.lists(capacities, min_size=len(caps), max_size=len(caps))))
        for code in codes
        if (caps := draw(st.lists(capacities, max_size=5)))
    }
    return draw(st.permutations(links)), edges, supplies


@settings(max_examples=150)
@given(chains(), st.integers(1, 5))
def test_completeness_in_unit_interval_and_counts_core_non_gaps(chain, min_firms):
    links, edges, supplies = chain
    r = analyse_chain(links, edges, supplies, min_firms=min_firms)
    assert 0.0 <= r.completeness <= 1.0
    core = [link for link in r.links if link.core]
    if core:
        assert r.completeness == pytest.approx(sum(not x.is_gap for x in core) / len(core))
    position = {link.link: i for i, link in enumerate(r.links)}
    assert all(position[e.upstream] < position[e.downstream] for e in edges)
    for link in r.links:
        if link.hhi is not None:
            assert 0.0 < link.hhi <= 1.0


relations_strategy = st.lists(
    st.builds(
        Relation,
        buyer_id=st.integers(0, 5),
        supplier_id=st.integers(0, 20),
        link=st.just("sewing"),
        value=st.floats(min_value=0, max_value=1e9),
        supplier_in_cluster=st.booleans(),
    ),
    max_size=40,
)


@given(relations_strategy, st.one_of(st.none(), st.sets(st.integers(0, 7))))
def test_localisation_rates_in_unit_interval(relations, leading):
    r = localisation_rate(relations, leading)
    assert 0.0 <= r.local_value <= r.total_value
    assert r.rate is None or 0.0 <= r.rate <= 1.0
    assert all(rate is None or 0.0 <= rate <= 1.0 for rate in r.per_buyer.values())
    if leading is not None:
        assert set(r.per_buyer) == leading
