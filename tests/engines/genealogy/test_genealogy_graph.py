"""The lot graph on hand-made chains whose answers are worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from clusterbrain.engines.genealogy.graph import build_lot_graph, trace_back, trace_forward
from clusterbrain.engines.genealogy.model import (
    AnomalyCode,
    EventKind,
    EventLines,
    EventTable,
    LotTable,
    Unit,
    UnitConversions,
)

COCOON, SILK, FABRIC = 0, 1, 2
NAN = float("nan")


def silk_chain():
    """Deliveries 0 (100 kg) and 1 (300 kg) aggregated into station lot 2; lot 2 and delivery 3
    (400 kg) reeled into raw silk 4 (80 kg) and 5 (20 kg); silk 4 woven into fabric 6 (900 m²).

    Lot 4 is half lot 2 and half lot 3, so 1/8 lot 0, 3/8 lot 1, 1/2 lot 3."""
    lots = LotTable.of(
        [COCOON, COCOON, COCOON, COCOON, SILK, SILK, FABRIC],
        [Unit.KG] * 6 + [Unit.M2],
        [100, 300, NAN, 400, NAN, NAN, NAN],
    )
    events = EventTable.of(
        [EventKind.AGGREGATION, EventKind.AGGREGATION, EventKind.TRANSFORMATION, 0],
        process_yield=[1, 1, 1, 0.9],
    )
    lines = EventLines.of(
        event=[0, 0, 1, 1, 2, 2, 2, 2, 3, 3],
        lot=[0, 2, 1, 2, 2, 3, 4, 5, 4, 6],
        is_output=[0, 1, 0, 1, 0, 0, 1, 1, 0, 1],
        quantity=[100, 100, 300, 300, 400, 400, 80, 20, 80, 900],
    )
    conversions = UnitConversions()
    conversions.declare(COCOON, Unit.KG, SILK, Unit.KG, 0.125)
    conversions.declare(SILK, Unit.KG, FABRIC, Unit.M2, 12.5)
    return lots, events, lines, conversions


def test_trace_back_gives_every_ancestor_and_each_origin_share() -> None:
    graph = build_lot_graph(*silk_chain())
    assert graph.anomalies == []
    back = trace_back(graph, 6)
    assert back.as_dict() == pytest.approx({0: 0.125, 1: 0.375, 2: 0.5, 3: 0.5, 4: 1.0})
    origins, shares = back.ends()
    assert origins.tolist() == [0, 1, 3]
    assert shares.sum() == pytest.approx(1.0)


def test_trace_forward_is_the_recall_with_the_recalled_lot_share() -> None:
    graph = build_lot_graph(*silk_chain())
    forward = trace_forward(graph, 1)
    assert forward.as_dict() == pytest.approx({2: 0.75, 4: 0.375, 5: 0.375, 6: 0.375})
    products, _ = forward.ends()
    assert products.tolist() == [5, 6]
    assert trace_forward(graph, 6).lots.size == 0  # an end product reaches nothing
    assert trace_back(graph, 0).lots.size == 0  # nor does an origin


def test_edges_carry_amounts_shares_and_per_unit_through_the_yield() -> None:
    graph = build_lot_graph(*silk_chain())
    # Lot 3's 400 kg are shared 80:20 between the two silk lots.
    into_4 = graph.in_edge[graph.in_ptr[4] : graph.in_ptr[5]]
    amounts = dict(zip(graph.parent[into_4].tolist(), graph.amount[into_4], strict=True))
    assert amounts == pytest.approx({2: 320.0, 3: 320.0})
    per_unit = graph.per_unit[into_4]
    assert per_unit == pytest.approx([4.0, 4.0])  # kg of cocoons per kg of silk
    assert graph.level.tolist() == [0, 0, 1, 0, 2, 2, 3]
    assert graph.inputs_of(6).tolist() == [4]
    assert sorted(graph.outputs_of(2).tolist()) == [4, 5]


def test_mixed_units_are_converted_before_shares_are_taken() -> None:
    # 10 head of cattle (×35 kg) and 150 kg of hides into one hide lot: 350 : 150.
    lots = LotTable.of([0, 1, 1], [Unit.HEAD, Unit.KG, Unit.KG], [10, 150, NAN])
    lines = EventLines.of([0, 0, 0], [0, 1, 2], [0, 0, 1], [10, 150, 480])
    conversions = UnitConversions()
    conversions.declare(0, Unit.HEAD, 1, Unit.KG, 35)
    graph = build_lot_graph(lots, EventTable.of([0]), lines, conversions)
    assert trace_back(graph, 2).as_dict() == pytest.approx({0: 0.7, 1: 0.3})
    assert graph.anomalies == []


def codes(graph) -> list[AnomalyCode]:
    return [a.code for a in graph.anomalies]


def test_output_above_input_times_factor_and_yield_is_flagged_with_the_event() -> None:
    lots, events, lines, conversions = silk_chain()
    # Fabric 6 from 80 kg of silk at yield 0.9 may hold 900 m²; 960 m² is 6.7 % too much.
    lines.quantity[-1] = 960
    graph = build_lot_graph(lots, events, lines, conversions)
    [found] = graph.anomalies
    assert (found.code, found.event, found.lots) == (AnomalyCode.OUTPUT_ABOVE_INPUT, 3, (6,))
    assert found.value == pytest.approx(960 / 900)
    assert found.limit == pytest.approx(1.02)
    lines.quantity[-1] = 915  # within the 2 % tolerance
    assert build_lot_graph(lots, events, lines, conversions).anomalies == []


def test_unit_mismatch_without_a_declared_factor() -> None:
    lots, events, lines, _ = silk_chain()
    conversions = UnitConversions()
    conversions.declare(COCOON, Unit.KG, SILK, Unit.KG, 0.125)  # none for silk → fabric m²
    graph = build_lot_graph(lots, events, lines, conversions)
    mismatch = [a for a in graph.anomalies if a.code == AnomalyCode.UNIT_MISMATCH]
    assert [(a.event, a.lots) for a in mismatch] == [(3, (4, 6))]
    assert trace_back(graph, 6).as_dict()[4] == 1.0  # the graph is still traced


def test_consuming_more_than_a_lot_holds() -> None:
    lots, events, lines, conversions = silk_chain()
    lines.quantity[5] = 450  # lot 3 holds 400 kg
    graph = build_lot_graph(lots, events, lines, conversions)
    [over] = [a for a in graph.anomalies if a.code == AnomalyCode.OVERCONSUMED]
    assert over.lots == (3,) and over.value == 450 and over.limit == 400


def test_cycles_are_reported_and_their_edges_dropped() -> None:
    # 0 → 1 → 2 → 1 (a relabelled lot fed back into itself), 2 → 3.
    lots = LotTable.of([0] * 4, [Unit.KG] * 4, [10, NAN, NAN, NAN])
    lines = EventLines.of(
        [0, 0, 1, 1, 2, 2, 3, 3], [0, 1, 1, 2, 2, 1, 2, 3], [0, 1, 0, 1, 0, 1, 0, 1], [10] * 8
    )
    graph = build_lot_graph(lots, EventTable.of([1, 1, 1, 1]), lines)
    [cycle] = [a for a in graph.anomalies if a.code == AnomalyCode.CYCLE]
    assert cycle.lots == (1, 2)
    # Every edge inside the cycle goes (no order among its lots is sounder than another):
    # the lots outside it are traced up to it.
    assert trace_back(graph, 3).lots.tolist() == [2]
    assert trace_forward(graph, 0).lots.tolist() == [1]


def test_self_loop_is_a_cycle_and_unknown_lots_are_named() -> None:
    lots = LotTable.of([0, 0], [Unit.KG] * 2, [5, NAN])
    lines = EventLines.of([0, 0, 1, 1], [0, 1, 1, 7], [0, 1, 0, 1], [5, 5, 5, 5])
    graph = build_lot_graph(lots, EventTable.of([0, 0]), lines)
    found = {(a.code, a.lots) for a in graph.anomalies}
    assert (AnomalyCode.UNKNOWN_LOT, (7,)) in found
    lines = EventLines.of([0, 0, 1, 1], [0, 1, 1, 1], [0, 1, 0, 1], [5, 5, 5, 5])
    graph = build_lot_graph(lots, EventTable.of([0, 0]), lines)
    assert [(a.code, a.lots) for a in graph.anomalies] == [(AnomalyCode.CYCLE, (1,))]


def test_allocation_weights_override_output_quantities() -> None:
    # 100 kg in; outputs 50 kg silk and 50 kg pupae, but silk carries 90 % of the burden.
    lots = LotTable.of([0, 1, 2], [Unit.KG] * 3, [100, NAN, NAN])
    lines = EventLines.of([0, 0, 0], [0, 1, 2], [0, 1, 1], [100, 50, 50], [NAN, 9, 1])
    conversions = UnitConversions()
    conversions.declare(0, Unit.KG, 1, Unit.KG, 0.6)
    conversions.declare(0, Unit.KG, 2, Unit.KG, 0.6)
    graph = build_lot_graph(lots, EventTable.of([0]), lines, conversions)
    amounts = dict(zip(graph.child.tolist(), graph.amount.tolist(), strict=True))
    assert amounts == pytest.approx({1: 90.0, 2: 10.0})
    assert graph.anomalies == []


def test_empty_graph() -> None:
    lots = LotTable.of([0], [Unit.KG], [1])
    graph = build_lot_graph(lots, EventTable.of([]), EventLines.of([], [], [], []))
    assert graph.n_edges == 0 and trace_back(graph, 0).lots.size == 0
    assert np.array_equal(graph.level, [0])
