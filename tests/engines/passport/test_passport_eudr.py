"""The EUDR due-diligence data of a leather lot: what TRACES takes, and every problem named."""

from __future__ import annotations

import dataclasses

import pytest

from clusterbrain.engines.passport.eudr import (
    EudrError,
    LeatherLot,
    Operator,
    Plot,
    UpstreamStatement,
    due_diligence_statement,
)

FARM_A = Plot("BR-MT-0001", "Fazenda Boa Vista", "BR", point=(-55.123456789, -12.5), share=0.75)
FARM_B = Plot(
    "CN-HE-0002",
    "Xinji cattle farm 2",
    "CN",
    polygon=((115.2, 37.9), (115.21, 37.9), (115.21, 37.91), (115.2, 37.91), (115.2, 37.9)),
    area_ha=12.0,
    share=0.25,
)
LOT = LeatherLot(
    reference="https://id.gs1.org/01/06901234567892/10/XJ-2026-41",
    hs_code="4107.12",
    description="Bovine crust leather, chrome-free",
    net_mass_kg=1250.0,
    area_m2=3400.0,
    operator=Operator("Xinji Tannery Co.", "CN", "Xinji, Hebei", "CN130181"),
    plots=(FARM_A, FARM_B),
    upstream=(UpstreamStatement("25BRABC123", "VX9K2"),),
)


def test_statement_carries_operator_goods_countries_and_geojson() -> None:
    dds = due_diligence_statement(LOT)
    goods = dds["commodities"][0]
    assert dds["activityType"] == "EXPORT"
    assert goods["hsHeading"] == "410712"
    assert goods["goodsMeasure"] == {
        "netWeight": 1250.0,
        "supplementaryUnit": 3400.0,
        "supplementaryUnitQualifier": "MTK",
    }
    assert goods["countriesOfProduction"] == ["BR", "CN"]
    features = goods["geolocation"]["features"]
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [-55.123457, -12.5]}
    assert features[1]["geometry"]["type"] == "Polygon"
    assert features[1]["properties"]["Area"] == 12.0
    assert [f["properties"]["ShareOfLot"] for f in features] == [0.75, 0.25]
    assert dds["associatedStatements"] == [
        {"referenceNumber": "25BRABC123", "verificationNumber": "VX9K2"}
    ]


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"hs_code": "4106.21"}, "hs_code"),  # goat or kid skin: outside Annex I
        ({"hs_code": "4202.21"}, "hs_code"),  # handbags: leather articles are outside it
        ({"hs_code": "41x7"}, "hs_code"),
        ({"net_mass_kg": 0.0}, "net_mass_kg"),
        ({"net_mass_kg": float("nan")}, "net_mass_kg"),
        ({"tainted": True}, "reference"),
        ({"plots": ()}, "plots"),
        ({"operator": Operator("", "CN")}, "operator.name"),
        ({"operator": Operator("X", "China")}, "operator.country"),
        ({"plots": (dataclasses.replace(FARM_A, point=(-12.5, -155.1)),)}, "plots[0].point"),
        ({"plots": (dataclasses.replace(FARM_A, point=None),)}, "plots[0].point"),
        (
            {"plots": (dataclasses.replace(FARM_A, deforestation_free=False),)},
            "plots[0].deforestation_free",
        ),
        (
            {"plots": (dataclasses.replace(FARM_B, polygon=FARM_B.polygon[:-1]),)},
            "plots[0].polygon",
        ),
        (
            {
                "plots": (
                    dataclasses.replace(FARM_B, polygon=((0, 0), (1, 1), (1, 0), (0, 1), (0, 0))),
                )
            },
            "plots[0].polygon",
        ),  # a bow tie: its sides cross
        ({"plots": (FARM_A, dataclasses.replace(FARM_B, country="cn"))}, "plots[1].country"),
    ],
)
def test_each_problem_names_its_field(change: dict, loc: str) -> None:
    with pytest.raises(EudrError) as caught:
        due_diligence_statement(dataclasses.replace(LOT, **change))
    assert loc in [p.loc for p in caught.value.problems]


def test_all_problems_are_reported_at_once() -> None:
    bad = dataclasses.replace(LOT, hs_code="4105", net_mass_kg=-1.0, plots=())
    with pytest.raises(EudrError) as caught:
        due_diligence_statement(bad)
    assert {p.loc for p in caught.value.problems} == {"hs_code", "net_mass_kg", "plots"}


def test_a_square_ring_does_not_cross_itself_but_a_bow_tie_does() -> None:
    due_diligence_statement(dataclasses.replace(LOT, plots=(FARM_B,)))
