"""The seeded chains: sound (no anomalies), reproducible, shaped as the docstring says."""

from __future__ import annotations

import numpy as np

from clusterbrain.engines.genealogy.custody import eudr_segregation
from clusterbrain.engines.genealogy.generator import generate_hechi_chain, generate_xinji_chain
from clusterbrain.engines.genealogy.graph import build_lot_graph, trace_back
from clusterbrain.engines.genealogy.propagation import propagate


def test_a_tiny_hechi_chain_is_sound_and_reproducible() -> None:
    chain = generate_hechi_chain(2_000, 20_000, stations=10, mills=3, weavers=5, seed=1)
    again = generate_hechi_chain(2_000, 20_000, stations=10, mills=3, weavers=5, seed=1)
    assert np.array_equal(chain.lines.quantity, again.lines.quantity)
    fresh = chain.lots.quantity[chain.origins].sum()
    assert np.isclose(fresh, 204_800_000 * 20_000 / 2_500_000)
    graph = build_lot_graph(chain.lots, chain.events, chain.lines, chain.conversions)
    assert graph.anomalies == []
    assert graph.is_origin[chain.origins].all() and graph.is_end[chain.end_products].all()
    origins, shares = trace_back(graph, int(chain.end_products[0])).ends()
    assert set(origins.tolist()) <= set(chain.origins.tolist()) and np.isclose(shares.sum(), 1)
    attributes = propagate(graph, chain.shares, chain.intensities)
    county = attributes.shares["origin_county"][chain.end_products]
    unknown = attributes.unknown["origin_county"][chain.end_products]
    assert np.allclose(county.sum(axis=1) + unknown, 1.0)
    assert (attributes.intensities["co2e_kg"][chain.end_products] > 0).all()
    assert chain.events_represented > 4 * 20_000


def test_a_tiny_xinji_chain_segregates_most_leather() -> None:
    chain = generate_xinji_chain(2_000, 200, seed=2)
    graph = build_lot_graph(chain.lots, chain.events, chain.lines, chain.conversions)
    assert graph.anomalies == []
    eudr = eudr_segregation(graph, chain.lots, chain.verified_origin)
    free = eudr.deforestation_free[chain.end_products]
    assert 0 < free.mean() < 1
    attributes = propagate(graph, chain.shares, chain.intensities)
    chrome_free = attributes.shares["chrome_free"][chain.end_products, 0]
    chromium = attributes.intensities["chromium_kg"][chain.end_products]
    assert (chromium[chrome_free == 1] == 0).all() and (chromium[chrome_free == 0] > 0).all()
