"""Attribute propagation over the whole lot graph, a level at a time.

Shares (origin region or country, deforestation-free verified, chrome-free tanned, LWG-rated
tannery) mix by the composition shares of the edges: a lot's share is the share-weighted mean
of its inputs' shares. Intensities (water, energy, CO₂e, chemicals per unit) add up by the
`per_unit` amounts of the edges (input units per unit of output, so yields and unit changes are
in them) plus the lot's own process intensity.

A share attribute is asserted where it is known (a farm's region, a tannery's process on the
lots it tans) and NaN elsewhere: a NaN lot with inputs inherits from them, a NaN origin is
unknown. Each share comes back with the part of the lot whose value is unknown, so a lot's
known shares and its unknown part of a categorical attribute sum to 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from clusterbrain.engines.genealogy.graph import LotGraph
from clusterbrain.engines.genealogy.model import FloatArray, IntArray


def _level_slices(graph: LotGraph) -> list[tuple[IntArray, IntArray, slice]]:
    """Per level ≥ 1: the lots made at that level, where each one's input edges start (relative
    to the slice), and the slice of edges."""
    slices = []
    for level in range(1, len(graph.level_ptr) - 1):
        a, b = int(graph.level_ptr[level]), int(graph.level_ptr[level + 1])
        if a == b:
            continue
        children = graph.child[a:b]
        starts = np.flatnonzero(np.r_[True, children[1:] != children[:-1]])
        slices.append((children[starts], starts, slice(a, b)))
    return slices


def propagate_shares(graph: LotGraph, asserted: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """(share, unknown), both lots × attributes, from `asserted` (lots × attributes, values in
    [0, 1], NaN where not asserted)."""
    values = np.array(asserted, dtype=np.float64, copy=True)
    if values.ndim == 1:
        values = values[:, None]
    if values.shape[0] != graph.n_lots:
        raise ValueError(f"asserted shares have {values.shape[0]} rows, the graph {graph.n_lots}")
    given = ~np.isnan(values)
    if ((values[given] < 0) | (values[given] > 1)).any():
        raise ValueError("asserted shares must lie in [0, 1]")
    unknown = (~given).astype(np.float64)
    values[~given] = 0.0
    for children, starts, edges in _level_slices(graph):
        weight = graph.share[edges][:, None]
        parents = graph.parent[edges]
        inherited = np.add.reduceat(values[parents] * weight, starts, axis=0)
        inherited_unknown = np.add.reduceat(unknown[parents] * weight, starts, axis=0)
        keep = given[children]
        values[children] = np.where(keep, values[children], inherited)
        unknown[children] = np.where(keep, 0.0, inherited_unknown)
    # Float sums of shares that add to 1 may land a hair outside [0, 1].
    np.clip(values, 0.0, 1.0, out=values)
    np.clip(unknown, 0.0, 1.0, out=unknown)
    return values, unknown


def propagate_intensities(graph: LotGraph, own: npt.ArrayLike) -> FloatArray:
    """Cumulative intensity per unit of each lot (lots × attributes) from `own` (the process
    intensity per unit of making that lot, NaN = 0)."""
    values = np.nan_to_num(np.array(own, dtype=np.float64, copy=True), nan=0.0)
    if values.ndim == 1:
        values = values[:, None]
    if values.shape[0] != graph.n_lots:
        raise ValueError(f"intensities have {values.shape[0]} rows, the graph {graph.n_lots}")
    for children, starts, edges in _level_slices(graph):
        weight = graph.per_unit[edges][:, None]
        carried = np.add.reduceat(values[graph.parent[edges]] * weight, starts, axis=0)
        values[children] += carried
    return values


def one_hot(codes: npt.ArrayLike, n_categories: int) -> FloatArray:
    """Lots × categories asserting a categorical attribute (origin region, country): 1 in the
    lot's category, NaN rows where the code is -1 (not asserted)."""
    codes = np.asarray(codes, dtype=np.int64)
    out = np.zeros((len(codes), n_categories))
    known = codes >= 0
    out[np.flatnonzero(known), codes[known]] = 1.0
    out[~known] = np.nan
    return out


@dataclass(frozen=True)
class Attributes:
    """Propagated attributes by name: `shares[name]` (lots × categories; one column for a
    yes/no attribute), `unknown[name]` (lots, the part of unknown value: for a categorical
    attribute every column shares it), `intensities[name]` (lots, per unit)."""

    shares: dict[str, FloatArray]
    unknown: dict[str, FloatArray]
    intensities: dict[str, FloatArray]


def propagate(
    graph: LotGraph,
    shares: Mapping[str, npt.ArrayLike],
    intensities: Mapping[str, npt.ArrayLike],
) -> Attributes:
    """All attributes in two passes over the levels: every share column in one matrix, every
    intensity in another."""
    share_blocks = [np.asarray(v, dtype=np.float64) for v in shares.values()]
    share_blocks = [b[:, None] if b.ndim == 1 else b for b in share_blocks]
    widths = [b.shape[1] for b in share_blocks]
    out_shares: dict[str, FloatArray] = {}
    out_unknown: dict[str, FloatArray] = {}
    if share_blocks:
        values, unknown = propagate_shares(graph, np.hstack(share_blocks))
        at = 0
        for name, width in zip(shares, widths, strict=True):
            out_shares[name] = values[:, at : at + width]
            # A categorical attribute is asserted whole or not at all: one unknown column.
            out_unknown[name] = unknown[:, at]
            at += width
    out_intensities: dict[str, FloatArray] = {}
    if intensities:
        matrix = propagate_intensities(
            graph, np.column_stack([np.asarray(v, np.float64) for v in intensities.values()])
        )
        for i, name in enumerate(intensities):
            out_intensities[name] = matrix[:, i]
    return Attributes(out_shares, out_unknown, out_intensities)
