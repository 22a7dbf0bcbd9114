"""Properties on random lot DAGs (hypothesis): shares stay in [0, 1] and sum to 1 where every
origin is known, traces forward and back agree, certified output never exceeds certified
input × yield."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterbrain.engines.genealogy.custody import mass_balance_ledger
from clusterbrain.engines.genealogy.graph import (
    LotGraph,
    build_lot_graph,
    trace_back,
    trace_forward,
)
from clusterbrain.engines.genealogy.model import EventLines, EventTable, LotTable, Unit
from clusterbrain.engines.genealogy.propagation import one_hot, propagate


@st.composite
def lot_dags(draw):
    """Origins first, then events that each read some earlier lots (part of what they hold)
    and make new ones: a DAG by construction, with mixing, splits and shared inputs."""
    n_origins = draw(st.integers(1, 6))
    held = [float(draw(st.integers(10, 1000))) for _ in range(n_origins)]
    left = list(held)
    events, lines = [], []  # (site, period, yield); (event, lot, is_output, qty)
    for e in range(draw(st.integers(0, 8))):
        candidates = [i for i, q in enumerate(left) if q > 1e-6]
        if not candidates:
            break
        inputs = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=4, unique=True))
        process_yield = draw(st.sampled_from([1.0, 0.9, 0.5]))
        events.append((draw(st.integers(0, 1)), draw(st.integers(0, 2)), process_yield))
        taken = 0.0
        for lot in inputs:
            part = left[lot] * draw(st.sampled_from([1.0, 0.5, 0.25]))
            left[lot] -= part
            taken += part
            lines.append((e, lot, False, part))
        n_out = draw(st.integers(1, 3))
        weights = [draw(st.integers(1, 5)) for _ in range(n_out)]
        for w in weights:
            qty = taken * process_yield * w / sum(weights)
            lines.append((e, len(held), True, qty))
            held.append(float("nan"))
            left.append(qty)
    n = len(held)
    lots = LotTable.of([0] * n, [Unit.KG] * n, held, site=[0] * n)
    table = EventTable.of(
        [0] * len(events),
        site=[s for s, _, _ in events],
        period=[p for _, p, _ in events],
        process_yield=[y for _, _, y in events],
    )
    if lines:
        e, lot, out, qty = zip(*lines, strict=True)
    else:
        e, lot, out, qty = (), (), (), ()
    regions = [draw(st.integers(0, 2)) for _ in range(n_origins)]
    certified = [draw(st.sampled_from([0.0, 0.3, 1.0])) for _ in range(n)]
    claims = [draw(st.sampled_from([float("nan"), 5.0, 50.0, 500.0])) for _ in range(n)]
    return lots, table, EventLines.of(e, lot, out, qty), regions, certified, claims


def _graph(dag) -> LotGraph:
    lots, events, lines, *_ = dag
    graph = build_lot_graph(lots, events, lines)
    assert graph.anomalies == []  # sound by construction
    return graph


@settings(max_examples=150, deadline=None)
@given(lot_dags())
def test_shares_stay_in_0_1_and_sum_to_1_where_origins_are_known(dag) -> None:
    lots, _, _, regions, certified, _ = dag
    graph = _graph(dag)
    codes = np.full(len(lots), -1)
    codes[: len(regions)] = regions
    certified_asserted = np.where(graph.is_origin, certified, np.nan)
    attributes = propagate(
        graph, {"region": one_hot(codes, 3), "certified": certified_asserted}, {}
    )
    for values in attributes.shares.values():
        assert ((values >= 0) & (values <= 1)).all()
    made = ~graph.is_origin
    assert np.allclose(attributes.shares["region"][made].sum(axis=1), 1.0)
    assert np.allclose(attributes.unknown["region"], 0.0)
    for lot in np.flatnonzero(made):
        origins, shares = trace_back(graph, int(lot)).ends()
        assert np.isclose(shares.sum(), 1.0)
        expected = (shares * np.asarray(certified)[origins]).sum()
        assert np.isclose(attributes.shares["certified"][lot, 0], expected)


@settings(max_examples=150, deadline=None)
@given(lot_dags())
def test_trace_forward_and_back_agree(dag) -> None:
    graph = _graph(dag)
    n = graph.n_lots
    back = [trace_back(graph, lot).as_dict() for lot in range(n)]
    for lot in range(n):
        forward = trace_forward(graph, lot).as_dict()
        assert set(forward) == {x for x in range(n) if lot in back[x]}
        for x, share in forward.items():
            assert np.isclose(share, back[x][lot])
        products = set(trace_forward(graph, lot).ends()[0].tolist())
        assert products == {x for x in range(n) if lot in back[x] and graph.is_end[x]}


@settings(max_examples=150, deadline=None)
@given(lot_dags(), st.integers(0, 2))
def test_certified_output_never_exceeds_certified_input_times_yield(dag, carry) -> None:
    lots, events, _, _, certified, claims = dag
    graph = _graph(dag)
    ledger = mass_balance_ledger(
        graph, lots, events, np.asarray(certified), np.asarray(claims), carry_periods=carry
    )
    credit = graph.amount * graph.factor * events.process_yield[graph.event]
    credit *= np.asarray(certified)[graph.parent]
    granted = np.nan_to_num(ledger.granted)
    assert granted.sum() <= credit.sum() + 1e-6
    assert (granted <= np.nan_to_num(np.asarray(claims)) + 1e-9).all()
    for row in ledger.accounts.iter_rows(named=True):
        assert row["granted"] <= row["credited"] + row["carried_in"] + 1e-6
        assert row["balance"] >= -1e-9
