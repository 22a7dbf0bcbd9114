"""Shares and intensities propagated over hand-made chains with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from test_genealogy_graph import NAN, silk_chain

from clusterbrain.engines.genealogy.graph import build_lot_graph
from clusterbrain.engines.genealogy.propagation import (
    one_hot,
    propagate,
    propagate_intensities,
    propagate_shares,
)


def test_categorical_origin_shares_mix_by_composition() -> None:
    graph = build_lot_graph(*silk_chain())
    # Deliveries 0 and 3 from county 0, delivery 1 from county 1; nothing else asserted.
    region = one_hot([0, 1, -1, 0, -1, -1, -1], 2)
    shares, unknown = propagate_shares(graph, region)
    assert shares[2] == pytest.approx([0.25, 0.75])
    assert shares[4] == pytest.approx([0.625, 0.375])
    assert shares[6] == pytest.approx([0.625, 0.375])
    assert unknown[[2, 4, 6], 0] == pytest.approx([0, 0, 0])


def test_unknown_origins_are_counted_apart_and_shares_plus_unknown_sum_to_one() -> None:
    graph = build_lot_graph(*silk_chain())
    region = one_hot([0, -1, -1, 0, -1, -1, -1], 2)  # delivery 1's county not recorded
    attributes = propagate(graph, {"county": region}, {})
    assert attributes.shares["county"][6] == pytest.approx([0.625, 0.0])
    assert attributes.unknown["county"][6] == pytest.approx(0.375)
    total = attributes.shares["county"].sum(axis=1) + attributes.unknown["county"]
    assert total == pytest.approx(np.ones(7))


def test_a_share_asserted_downstream_overrides_what_came_in() -> None:
    # Chrome-free is a tannery's process: asserted on the lot it tans, inherited below it.
    graph = build_lot_graph(*silk_chain())
    asserted = np.array([NAN, NAN, NAN, NAN, 1.0, 0.0, NAN])
    shares, unknown = propagate_shares(graph, asserted)
    assert shares[[4, 5, 6], 0] == pytest.approx([1.0, 0.0, 1.0])
    assert unknown[[4, 6], 0] == pytest.approx([0.0, 0.0])
    assert unknown[2, 0] == 1.0  # above the tannery nothing is known


def test_intensities_add_up_through_yields_and_unit_changes() -> None:
    graph = build_lot_graph(*silk_chain())
    # Water: 1 L/kg on farms 0 and 1, 2 L/kg on farm 3, 10 L/kg reeling, 0.5 L/m² weaving.
    own = np.array([1.0, 1.0, 0.0, 2.0, 10.0, 10.0, 0.5])
    water = propagate_intensities(graph, own)[:, 0]
    assert water[2] == pytest.approx(1.0)  # aggregation: 400 kg at 1 L/kg
    # 1 kg of silk took 4 kg of lot 2 and 4 kg of lot 3 (800 kg for 100 kg of silk).
    assert water[4] == pytest.approx(10 + 4 * 1 + 4 * 2)
    assert water[5] == pytest.approx(water[4])
    # 1 m² of fabric took 80/900 kg of silk.
    assert water[6] == pytest.approx(0.5 + 80 / 900 * 22)


def test_total_burden_is_conserved_when_outputs_share_it_by_quantity() -> None:
    graph = build_lot_graph(*silk_chain())
    own = np.array([1.0, 1.0, 0.0, 2.0, 0.0, 0.0, 0.0])
    water = propagate_intensities(graph, own)[:, 0]
    farm_water = 100 * 1 + 300 * 1 + 400 * 2
    assert water[4] * 80 + water[5] * 20 == pytest.approx(farm_water)


def test_bad_shares_and_shapes_are_refused() -> None:
    graph = build_lot_graph(*silk_chain())
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        propagate_shares(graph, np.full(7, 1.5))
    with pytest.raises(ValueError, match="rows"):
        propagate_shares(graph, np.zeros(3))
    with pytest.raises(ValueError, match="rows"):
        propagate_intensities(graph, np.zeros(3))
