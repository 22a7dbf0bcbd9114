"""EUDR segregation, custody downgrades and the mass-balance ledger on hand-made chains."""

from __future__ import annotations

import numpy as np
import pytest
from test_genealogy_graph import NAN

from clusterbrain.engines.genealogy.custody import (
    custody_downgrades,
    eudr_segregation,
    mass_balance_ledger,
)
from clusterbrain.engines.genealogy.graph import build_lot_graph
from clusterbrain.engines.genealogy.model import (
    AnomalyCode,
    Custody,
    EventLines,
    EventTable,
    LotTable,
    Unit,
    UnitConversions,
)

CATTLE, HIDE, LEATHER = 0, 1, 2
SEG, MB = Custody.SEGREGATED, Custody.MASS_BALANCE


def leather_chain(custody_of_batch_b: int = SEG):
    """Cattle 0 (verified), 1 (verified), 2 (unknown origin) slaughtered into hides 3, 4, 5;
    tannery batch A: hides 3 + 4 → leather 6; batch B: hides 4 + 5 → leather 7 (hide 4 split);
    leather 6 + 7 → leather 8."""
    lots = LotTable.of(
        [CATTLE] * 3 + [HIDE] * 3 + [LEATHER] * 3,
        [Unit.HEAD] * 3 + [Unit.KG] * 3 + [Unit.M2] * 3,
        [10, 10, 10, NAN, NAN, NAN, NAN, NAN, NAN],
        custody=[SEG] * 7 + [custody_of_batch_b, SEG],
    )
    lines = EventLines.of(
        event=[0, 0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5],
        lot=[0, 3, 1, 4, 2, 5, 3, 4, 6, 4, 5, 7, 6, 7, 8],
        is_output=[0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1],
        quantity=[10, 350, 10, 350, 10, 350, 350, 175, 60, 175, 350, 60, 60, 60, 120],
    )
    events = EventTable.of([0, 0, 0, 0, 0, 2], site=[0, 0, 0, 1, 1, 1], period=[0, 0, 0, 0, 0, 1])
    conversions = UnitConversions()
    conversions.declare(CATTLE, Unit.HEAD, HIDE, Unit.KG, 35)
    conversions.declare(HIDE, Unit.KG, LEATHER, Unit.M2, 0.13)
    return lots, events, lines, conversions


def test_mixing_with_unknown_origin_taints_where_it_enters_and_below() -> None:
    lots, events, lines, conversions = leather_chain()
    graph = build_lot_graph(lots, events, lines, conversions)
    verified = np.array([True, True, False] + [False] * 6)
    result = eudr_segregation(graph, lots, verified, claimed=[0] * 7 + [1, 1])
    assert result.deforestation_free.tolist() == [1, 1, 0, 1, 1, 0, 1, 0, 0]
    tainted = [a for a in result.anomalies if a.code == AnomalyCode.EUDR_TAINTED]
    # Batch B mixed verified hide 4 with hide 5 (unknown cattle); leather 8 mixed 6 with 7.
    assert [(a.event, a.lots) for a in tainted] == [(4, (7, 5)), (5, (8, 7))]
    assert tainted[0].value == pytest.approx(350 / 525)  # the tainting part of the mix
    lost = [a.lots for a in result.anomalies if a.code == AnomalyCode.EUDR_CLAIM_LOST]
    assert lost == [(7,), (8,)]


def test_mass_balance_handling_loses_the_eudr_claim_even_with_clean_inputs() -> None:
    lots, events, lines, conversions = leather_chain(custody_of_batch_b=MB)
    graph = build_lot_graph(lots, events, lines, conversions)
    result = eudr_segregation(graph, lots, np.array([True] * 3 + [False] * 6))
    assert result.deforestation_free.tolist() == [1, 1, 1, 1, 1, 1, 1, 0, 0]
    assert [a.lots for a in result.anomalies] == [(7,), (8, 7)]
    [downgrade] = custody_downgrades(graph, lots)
    assert (downgrade.code, downgrade.lots) == (AnomalyCode.CUSTODY_DOWNGRADE, (8, 7))


def tannery_ledger(claims, carry_periods=0):
    """Tannery site 1: period 0 batches A and B, each 525 kg of hides → 60 m² (factor 0.13,
    yield 1 → up to 68.25 m² each). Hides 3 and 4 are certified, hide 5 is not."""
    lots, events, lines, conversions = leather_chain()
    graph = build_lot_graph(lots, events, lines, conversions)
    certified = np.array([1, 1, 0, 1, 1, 0, 0, 0, 0], float)
    return mass_balance_ledger(
        graph, lots, events, certified, np.asarray(claims, float), carry_periods=carry_periods
    )


def test_the_ledger_grants_claims_up_to_certified_input_times_yield() -> None:
    # Certified input at the tannery in period 0: 525 + 175 kg of hides × 0.13 = 91 m².
    ledger = tannery_ledger([NAN] * 6 + [60, 40, NAN])
    assert ledger.granted[6] == pytest.approx(60)
    assert ledger.granted[7] == pytest.approx(31)
    [refused] = ledger.anomalies
    assert (refused.code, refused.lots) == (AnomalyCode.LEDGER_REFUSED, (7,))
    assert (refused.value, refused.limit) == pytest.approx((40, 31))
    row = ledger.accounts.filter(site=1, period=0, material=LEATHER).row(0, named=True)
    assert row["credited"] == pytest.approx(91)
    assert row["granted"] == pytest.approx(91) and row["claimed"] == pytest.approx(100)
    assert row["balance"] == pytest.approx(0)


def test_unused_credits_expire_with_the_period_unless_carried() -> None:
    # Leather 8 (period 1, site 1) made from uncertified leather earns nothing: its claim can
    # only be met by period 0's 91 − 30 m² left over, if they are carried.
    claims = [NAN] * 6 + [30, NAN, 50]
    kept = tannery_ledger(claims, carry_periods=0)
    assert kept.granted[8] == 0
    leather_rows = kept.accounts.filter(material=LEATHER).sort("period")
    assert leather_rows["expired"].to_list() == pytest.approx([0, 61])
    carried = tannery_ledger(claims, carry_periods=1)
    assert carried.granted[8] == pytest.approx(50)
    assert carried.anomalies == []
    row = carried.accounts.filter(material=LEATHER, period=1).row(0, named=True)
    assert row["carried_in"] == pytest.approx(61) and row["balance"] == pytest.approx(11)
