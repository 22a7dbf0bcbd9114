"""Facts asserted on lots (ILMD) carried down a small graph: origin countries and a verified
flag mix by composition, a tannery's process holds on what it tanned, intensities add through
the per-unit amounts, and what nobody stated stays unknown."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clusterbrain.engines.genealogy.graph import build_lot_graph
from clusterbrain.engines.genealogy.model import EventKind, EventLines, EventTable, LotTable, Unit
from clusterbrain.engines.passport.chain import NS, assertions, local_name, profiles, read


def _graph():
    # lots: 0 BR hides (60 kg), 1 CN hides (40 kg), 2 unknown hides (100 kg),
    # 3 leather from 0+1 (13 m²), 4 leather from 2 (13 m²), 5 garments from 3 (5 pieces, 11 m²)
    lots = LotTable.of(
        [0, 0, 0, 1, 1, 2],
        [Unit.KG, Unit.KG, Unit.KG, Unit.M2, Unit.M2, Unit.PIECE],
        [60, 40, 100, math.nan, math.nan, math.nan],
    )
    events = EventTable.of([EventKind.TRANSFORMATION] * 3)
    lines = EventLines.of(
        [0, 0, 0, 1, 1, 2, 2],
        [0, 1, 3, 2, 4, 3, 5],
        [False, False, True, False, True, False, True],
        [60, 40, 13, 100, 13, 11, 5],
    )
    return build_lot_graph(lots, events, lines)


def test_facts_propagate_with_unknown_parts_and_intensities():
    graph = _graph()
    attrs = {
        0: {NS + "originCountry": "BR", NS + "deforestationFree": True},
        1: {"https://example.com/x#originCountry": "cn", NS + "deforestationFree": False},
        3: {NS + "tanning": "chrome_free", NS + "waterM3PerUnit": 0.1},
        4: {NS + "tanning": "chrome"},
        5: {NS + "energyKwhPerUnit": 2.0, NS + "waterM3PerUnit": "bad"},
    }
    facts = assertions(graph.n_lots, attrs, is_origin=graph.is_origin, lwg_rated={3: True})
    prof = profiles(graph, facts, [3, 4, 5])
    garments = prof[5]
    assert garments.countries.parts == pytest.approx({"BR": 0.6, "CN": 0.4})
    assert garments.countries.unknown == pytest.approx(0.0)
    assert garments.flags["deforestation_free"].parts["yes"] == pytest.approx(0.6)
    assert garments.flags["chrome_free"].parts["yes"] == pytest.approx(1.0)
    assert garments.flags["lwg_rated"].parts["yes"] == pytest.approx(1.0)
    # 11 m² for 5 pieces at 0.1 m³/m², plus the garment maker's 2 kWh a piece
    assert garments.intensities["water_m3"] == pytest.approx(11 / 5 * 0.1)
    assert garments.intensities["energy_kwh"] == pytest.approx(2.0)
    assert garments.intensities["co2e_kg"] is None  # nobody declared it
    chrome = prof[4]
    assert chrome.countries.parts == {} and chrome.countries.unknown == pytest.approx(1.0)
    assert chrome.flags["chrome_free"].parts["yes"] == 0.0
    assert chrome.flags["deforestation_free"].unknown == pytest.approx(1.0)
    assert chrome.flags["lwg_rated"].unknown == pytest.approx(1.0)


def test_reading_facts_by_local_name():
    assert local_name("https://clusterbrain.org/voc/tanning") == "tanning"
    assert local_name("cb:hsCode") == "hsCode"
    assert read({"urn:x:netMassKg": 5}, "netMassKg") == 5
    assert read(None, "x") is None and read({}, "x") is None


def test_origin_facts_count_on_origin_lots_only():
    graph = _graph()
    attrs = {3: {NS + "originCountry": "DE"}, 0: {NS + "originCountry": "BR"}}
    facts = assertions(graph.n_lots, attrs, is_origin=graph.is_origin)
    assert facts.countries == ["BR"]
    assert np.isnan(facts.flags["deforestation_free"]).all()
