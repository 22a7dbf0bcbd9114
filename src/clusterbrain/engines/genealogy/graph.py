"""The lot graph in compact arrays, its checks, and trace queries.

An edge runs from an input lot to an output lot of one event; an event of m inputs and n
outputs makes m·n edges, each input's quantity shared among the outputs by their allocation
weights. Per edge the graph keeps

- `amount`: the input's quantity (input unit) that went into this output;
- `share`: the part of the output's composition that came from this input (inputs converted to
  the output's unit by the declared factors; the shares of an output's inputs sum to 1);
- `per_unit`: input units per unit of output produced (amount ÷ the output's produced
  quantity), what carries intensities through yields and unit changes.

Edges are stored twice as CSR (by output: its inputs; by input: its outputs), both plain numpy,
and every lot has a level (the longest path from an origin), so whole-graph propagation runs a
level at a time with vectorised segment sums, and a trace is a few vectorised frontier steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from clusterbrain.engines.genealogy.model import (
    Anomaly,
    AnomalyCode,
    BoolArray,
    EventLines,
    EventTable,
    FloatArray,
    IntArray,
    LotTable,
    UnitConversions,
)

DEFAULT_TOLERANCE = 0.02  # above input × factor × yield by more than this is an anomaly


def _grouped_arange(counts: IntArray) -> IntArray:
    """0..c-1 for every count c, concatenated."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    ends = np.cumsum(counts)
    return np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts)


def _csr(keys: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """(indptr, order): `order` sorts rows by key (stable), `indptr` bounds each key's rows."""
    order = np.argsort(keys, kind="stable")
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=indptr[1:])
    return indptr, order


def gather(indptr: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """Positions of every CSR entry of `rows`, and for each the index into `rows` it came from."""
    starts = indptr[rows]
    counts = indptr[rows + 1] - starts
    source = np.repeat(np.arange(len(rows), dtype=np.int64), counts)
    return np.repeat(starts, counts) + _grouped_arange(counts), source


@dataclass(frozen=True)
class LotGraph:
    n_lots: int
    # edges, sorted by (level of output, output): a level's edges are one contiguous slice
    parent: IntArray
    child: IntArray
    event: IntArray
    amount: FloatArray
    share: FloatArray
    per_unit: FloatArray
    factor: FloatArray  # input → output unit factor (1 where undeclared, then flagged)
    # CSR by output: in_edge[in_ptr[c]:in_ptr[c+1]] are the edges into lot c
    in_ptr: IntArray
    in_edge: IntArray
    in_parent: IntArray  # parent[in_edge], kept so a trace back gathers without a copy
    in_share: FloatArray  # share[in_edge]
    # CSR by input: out_edge[out_ptr[p]:out_ptr[p+1]] are the edges leaving lot p
    out_ptr: IntArray
    out_edge: IntArray
    out_child: IntArray  # child[out_edge], kept so a forward trace gathers without a copy
    out_share: FloatArray  # share[out_edge]
    level: IntArray
    level_ptr: IntArray  # edges of outputs at level L: level_ptr[L]:level_ptr[L+1]
    produced: FloatArray  # per lot, quantity its events produced (0 for origins)
    consumed: FloatArray  # per lot, quantity events took from it
    is_origin: BoolArray  # lots no event made (no inputs)
    is_end: BoolArray  # lots nothing was made from: end products (and unused lots)
    anomalies: list[Anomaly] = field(default_factory=list)

    @property
    def n_edges(self) -> int:
        return len(self.parent)

    def inputs_of(self, lot: int) -> IntArray:
        return self.in_parent[self.in_ptr[lot] : self.in_ptr[lot + 1]]

    def outputs_of(self, lot: int) -> IntArray:
        return self.out_child[self.out_ptr[lot] : self.out_ptr[lot + 1]]


def build_lot_graph(
    lots: LotTable,
    events: EventTable,
    lines: EventLines,
    conversions: UnitConversions | None = None,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
) -> LotGraph:
    """Edges, shares, levels and the build-time anomalies (unknown lots, unit mismatches,
    output above input × factor × yield, over-consumed lots, cycles) from the event tables.

    Incremental capture appends rows to the tables and builds again: a build is a few sorts over
    the edges (seconds at ten million events), far cheaper than keeping a mutable graph."""
    conversions = conversions or UnitConversions()
    n = len(lots)
    anomalies: list[Anomaly] = []

    bad = (lines.lot < 0) | (lines.lot >= n)
    for row in np.flatnonzero(bad):
        anomalies.append(
            Anomaly(AnomalyCode.UNKNOWN_LOT, int(lines.event[row]), (int(lines.lot[row]),))
        )
    ok = ~bad
    ev, lot, out, qty = lines.event[ok], lines.lot[ok], lines.is_output[ok], lines.quantity[ok]
    alloc = np.where(np.isnan(lines.allocation[ok]), qty, lines.allocation[ok])
    n_events = len(events)

    # Produced and consumed quantity per lot.
    produced = np.bincount(lot[out], weights=qty[out], minlength=n).astype(np.float64)
    consumed = np.bincount(lot[~out], weights=qty[~out], minlength=n).astype(np.float64)

    # Cross product inputs × outputs within each event.
    in_rows = np.flatnonzero(~out)
    out_rows = np.flatnonzero(out)
    in_rows = in_rows[np.argsort(ev[in_rows], kind="stable")]
    out_rows = out_rows[np.argsort(ev[out_rows], kind="stable")]
    n_in = np.bincount(ev[in_rows], minlength=n_events)
    in_start = np.zeros(n_events + 1, np.int64)
    np.cumsum(n_in, out=in_start[1:])
    out_alloc_total = np.bincount(ev[out_rows], weights=alloc[out_rows], minlength=n_events)
    reps = n_in[ev[out_rows]]
    edge_out = np.repeat(out_rows, reps)
    edge_in = in_rows[np.repeat(in_start[ev[out_rows]], reps) + _grouped_arange(reps)]
    e_event = ev[edge_out]
    parent, child = lot[edge_in], lot[edge_out]
    with np.errstate(invalid="ignore", divide="ignore"):
        out_part = alloc[edge_out] / out_alloc_total[e_event]
    out_part = np.nan_to_num(out_part, nan=0.0)
    amount = qty[edge_in] * out_part

    factor = conversions.lookup(
        lots.material[parent], lots.unit[parent], lots.material[child], lots.unit[child]
    )
    missing = np.isnan(factor)
    if missing.any():
        for e in np.unique(e_event[missing]):
            pairs = missing & (e_event == e)
            involved = np.unique(np.concatenate([child[pairs], parent[pairs]]))
            anomalies.append(Anomaly(AnomalyCode.UNIT_MISMATCH, int(e), tuple(involved.tolist())))
        factor = np.where(missing, 1.0, factor)
    converted = amount * factor

    # Output above input × factor × yield, per (event, output material and unit): each input
    # could have become at most quantity × factor × yield of that output material.
    if len(edge_out):
        group_key = (e_event * (int(lots.material.max()) + 1) + lots.material[child]) * 8
        group_key += lots.unit[child]
        keys, group = np.unique(group_key, return_inverse=True)
        width = len(qty) + 1
        pair_in = np.unique(group * width + edge_in, return_index=True)[1]
        capacity = np.bincount(
            group[pair_in],
            weights=qty[edge_in[pair_in]]
            * factor[pair_in]
            * events.process_yield[e_event[pair_in]],
            minlength=len(keys),
        )
        pair_out = np.unique(group * width + edge_out, return_index=True)[1]
        made = np.bincount(group[pair_out], weights=qty[edge_out[pair_out]], minlength=len(keys))
        for g in np.flatnonzero(made > capacity * (1 + tolerance) + 1e-9):
            outs = np.unique(child[pair_out[group[pair_out] == g]])
            anomalies.append(
                Anomaly(
                    AnomalyCode.OUTPUT_ABOVE_INPUT,
                    int(e_event[pair_out[group[pair_out] == g][0]]),
                    tuple(outs.tolist()),
                    float(made[g] / capacity[g]) if capacity[g] > 0 else float("inf"),
                    1 + tolerance,
                )
            )

    # Over-consumed lots: more taken than declared (or, undeclared, than produced).
    held = np.where(np.isnan(lots.quantity), produced, lots.quantity)
    for p in np.flatnonzero(consumed > held * (1 + tolerance) + 1e-9):
        anomalies.append(
            Anomaly(
                AnomalyCode.OVERCONSUMED,
                -1,
                (int(p),),
                float(consumed[p]),
                float(held[p]),
            )
        )

    keep = _drop_cycles(n, parent, child, e_event, anomalies)
    return _assemble(
        n,
        parent[keep],
        child[keep],
        e_event[keep],
        amount[keep],
        converted[keep],
        factor[keep],
        produced,
        consumed,
        anomalies,
    )


def _levels(n: int, parent: IntArray, child: IntArray) -> tuple[IntArray, BoolArray]:
    """Longest-path level of every lot by Kahn's algorithm a frontier at a time; the mask of
    lots never reached (on or below a cycle)."""
    out_ptr, out_order = _csr(parent, n)
    targets = child[out_order]
    indeg = np.bincount(child, minlength=n)
    level = np.zeros(n, np.int64)
    frontier = np.flatnonzero(indeg == 0)
    done = np.zeros(n, bool)
    done[frontier] = True
    depth = 0
    while len(frontier):
        positions, _ = gather(out_ptr, frontier)
        reached = targets[positions]
        if not len(reached):
            break
        depth += 1
        nodes, hits = np.unique(reached, return_counts=True)
        indeg[nodes] -= hits
        level[nodes] = depth
        frontier = nodes[indeg[nodes] == 0]
        done[frontier] = True
    return level, ~done


def _drop_cycles(
    n: int, parent: IntArray, child: IntArray, event: IntArray, anomalies: list[Anomaly]
) -> BoolArray:
    """Mask of edges to keep: edges inside a strongly connected component (a cycle) are
    dropped and the component reported once. Tarjan runs only on the lots Kahn's algorithm could
    not order, which is empty in sound data."""
    keep = np.ones(len(parent), bool)
    _, stuck = _levels(n, parent, child)
    if not stuck.any():
        return keep
    sub = stuck[parent] & stuck[child]
    edges = np.flatnonzero(sub)
    adjacency: dict[int, list[int]] = {}
    for p, c in zip(parent[edges].tolist(), child[edges].tolist(), strict=True):
        adjacency.setdefault(p, []).append(c)
    component = _strongly_connected(adjacency)
    for e in edges:
        p, c = int(parent[e]), int(child[e])
        if component.get(p) is not None and component.get(p) == component.get(c):
            keep[e] = False
    groups: dict[int, list[int]] = {}
    for lot_id, comp in component.items():
        groups.setdefault(comp, []).append(lot_id)
    for comp, members in sorted(groups.items()):
        inside = [e for e in edges if not keep[e] and component.get(int(parent[e])) == comp]
        if not inside:
            continue
        anomalies.append(Anomaly(AnomalyCode.CYCLE, int(event[inside[0]]), tuple(sorted(members))))
    return keep


def _strongly_connected(adjacency: dict[int, list[int]]) -> dict[int, int]:
    """Iterative Tarjan: lot → component number, only for components that hold a cycle."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    result: dict[int, int] = {}
    counter = 0
    comp_no = 0
    nodes = set(adjacency) | {c for cs in adjacency.values() for c in cs}
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            children = adjacency.get(v, [])
            if i < len(children):
                work.append((v, i + 1))
                w = children[i]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if work:
                parent_v = work[-1][0]
                low[parent_v] = min(low[parent_v], low[v])
            if low[v] == index[v]:
                members = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    members.append(w)
                    if w == v:
                        break
                cyclic = len(members) > 1 or v in adjacency.get(v, [])
                if cyclic:
                    for w in members:
                        result[w] = comp_no
                    comp_no += 1
    return result


def _assemble(
    n: int,
    parent: IntArray,
    child: IntArray,
    event: IntArray,
    amount: FloatArray,
    converted: FloatArray,
    factor: FloatArray,
    produced: FloatArray,
    consumed: FloatArray,
    anomalies: list[Anomaly],
) -> LotGraph:
    level, _ = _levels(n, parent, child)
    order = np.lexsort((child, level[child]))
    parent, child, event = parent[order], child[order], event[order]
    amount, converted, factor = amount[order], converted[order], factor[order]
    total_in = np.bincount(child, weights=converted, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.nan_to_num(converted / total_in[child], nan=0.0)
        # A lot made twice (two aggregations into one pallet) holds what both produced.
        per_unit = np.nan_to_num(amount / produced[child], nan=0.0, posinf=0.0)
    in_ptr, in_edge = _csr(child, n)
    out_ptr, out_edge = _csr(parent, n)
    max_level = int(level.max(initial=0))
    level_ptr = np.searchsorted(level[child], np.arange(max_level + 2), side="left")
    return LotGraph(
        n_lots=n,
        parent=parent,
        child=child,
        event=event,
        amount=amount,
        share=share,
        per_unit=per_unit,
        factor=factor,
        in_ptr=in_ptr,
        in_edge=in_edge,
        in_parent=parent[in_edge],
        in_share=share[in_edge],
        out_ptr=out_ptr,
        out_edge=out_edge,
        out_child=child[out_edge],
        out_share=share[out_edge],
        level=level,
        level_ptr=level_ptr,
        produced=produced,
        consumed=consumed,
        is_origin=np.diff(in_ptr) == 0,
        is_end=np.diff(out_ptr) == 0,
        anomalies=anomalies,
    )


@dataclass(frozen=True)
class Trace:
    """The lots a trace reached (the queried lot excluded) with, per lot, its share:

    - back: the part of the queried lot's content that came from (or through) that lot;
      over the origins (`is_end`) these sum to 1;
    - forward: the part of that lot's content that came from the queried lot; `is_end` marks
      end products (lots nothing was made from).
    """

    lot: int
    lots: IntArray
    share: FloatArray
    is_end: BoolArray

    def ends(self) -> tuple[IntArray, FloatArray]:
        return self.lots[self.is_end], self.share[self.is_end]

    def as_dict(self) -> dict[int, float]:
        return dict(zip(self.lots.tolist(), self.share.tolist(), strict=True))


def _push(
    lot: int,
    ptr: IntArray,
    targets: IntArray,
    weights: FloatArray,
    ends: BoolArray,
    max_steps: int,
) -> Trace:
    frontier = np.array([lot], np.int64)
    mass = np.ones(1)
    reached: list[IntArray] = []
    carried: list[FloatArray] = []
    for _ in range(max_steps):
        positions, source = gather(ptr, frontier)
        if not len(positions):
            break
        nodes = targets[positions]
        flow = mass[source] * weights[positions]
        frontier, inverse = np.unique(nodes, return_inverse=True)
        mass = np.bincount(inverse, weights=flow, minlength=len(frontier)).astype(np.float64)
        reached.append(frontier)
        carried.append(mass)
    if not reached:
        return Trace(lot, np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool))
    all_lots, inverse = np.unique(np.concatenate(reached), return_inverse=True)
    share = np.bincount(inverse, weights=np.concatenate(carried), minlength=len(all_lots))
    return Trace(lot, all_lots, np.clip(share, 0.0, 1.0), ends[all_lots])


def trace_back(graph: LotGraph, lot: int) -> Trace:
    """Every lot `lot` was made from, with its share of `lot`'s content (recall's inverse)."""
    return _push(
        lot,
        graph.in_ptr,
        graph.in_parent,
        graph.in_share,
        graph.is_origin,
        int(graph.level[lot]) + 1,
    )


def trace_forward(graph: LotGraph, lot: int) -> Trace:
    """Every lot made from `lot` (a recall), with the part of its content that came from `lot`."""
    max_level = len(graph.level_ptr) - 1
    return _push(
        lot,
        graph.out_ptr,
        graph.out_child,
        graph.out_share,
        graph.is_end,
        max_level - int(graph.level[lot]) + 1,
    )
