"""Chain-of-custody rules: EUDR segregation and the mass-balance ledger.

EUDR (Regulation (EU) 2023/1115) admits no mass balance: a lot keeps a deforestation-free claim
only if every origin it descends from is verified (known, geolocated, deforestation-free) and
no lot on the way was handled under mass balance. A lot that mixes a clean input with an
unknown or unverified one, or is itself mass balance, is where the taint enters: reported there
with the inputs that caused it, once, not at every lot downstream.

The mass-balance ledger keeps, per (site, output material, unit, period), the certified credits
the site's events earned (certified input × factor × yield) and grants claims on them: a claim is
granted up to the credits available and the rest refused, so certified output never exceeds
certified input × yield. Credits unused at the end of a period are carried for `carry_periods`
further periods (0: they expire with the period), oldest spent first.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from clusterbrain.engines.genealogy.graph import LotGraph
from clusterbrain.engines.genealogy.model import (
    Anomaly,
    AnomalyCode,
    BoolArray,
    Custody,
    EventTable,
    FloatArray,
    LotTable,
)


@dataclass(frozen=True)
class EudrResult:
    deforestation_free: BoolArray  # per lot: may claim deforestation-free
    anomalies: list[Anomaly]


def eudr_segregation(
    graph: LotGraph,
    lots: LotTable,
    verified_origin: npt.ArrayLike,
    *,
    claimed: npt.ArrayLike | None = None,
) -> EudrResult:
    """`verified_origin` per lot (read at origins: unknown origins are False). `claimed`, per
    lot, marks lots sold as deforestation-free: one that loses the claim is reported too."""
    verified = np.asarray(verified_origin, dtype=bool)
    mass_balance = lots.custody == Custody.MASS_BALANCE
    clean = verified & graph.is_origin & ~mass_balance
    anomalies: list[Anomaly] = []
    for level in range(1, len(graph.level_ptr) - 1):
        a, b = int(graph.level_ptr[level]), int(graph.level_ptr[level + 1])
        if a == b:
            continue
        children = graph.child[a:b]
        starts = np.flatnonzero(np.r_[True, children[1:] != children[:-1]])
        made = children[starts]
        parent_clean = clean[graph.parent[a:b]]
        all_clean = np.minimum.reduceat(parent_clean.astype(np.int8), starts).astype(bool)
        any_clean = np.maximum.reduceat(parent_clean.astype(np.int8), starts).astype(bool)
        clean[made] = all_clean & ~mass_balance[made]
        # Taint enters here: some input was clean and the lot is not.
        entering = np.flatnonzero(any_clean & ~clean[made])
        for i in entering:
            lot = int(made[i])
            lo = a + int(starts[i])
            hi = a + (int(starts[i + 1]) if i + 1 < len(starts) else b - a)
            culprits = graph.parent[lo:hi][~clean[graph.parent[lo:hi]]]
            anomalies.append(
                Anomaly(
                    AnomalyCode.EUDR_TAINTED,
                    int(graph.event[lo]),
                    (lot, *sorted(set(culprits.tolist()))),
                    float(graph.share[lo:hi][~clean[graph.parent[lo:hi]]].sum()),
                    0.0,
                )
            )
    if claimed is not None:
        for lost in np.flatnonzero(np.asarray(claimed, dtype=bool) & ~clean):
            anomalies.append(Anomaly(AnomalyCode.EUDR_CLAIM_LOST, -1, (int(lost),)))
    return EudrResult(clean, anomalies)


def custody_downgrades(graph: LotGraph, lots: LotTable) -> list[Anomaly]:
    """Lots handled as identity preserved or segregated with an input handled under mass
    balance: the stricter model cannot be claimed."""
    strict = lots.custody[graph.child] != Custody.MASS_BALANCE
    loose = lots.custody[graph.parent] == Custody.MASS_BALANCE
    bad = np.flatnonzero(strict & loose)
    found: dict[int, list[int]] = {}
    events: dict[int, int] = {}
    for e in bad:
        found.setdefault(int(graph.child[e]), []).append(int(graph.parent[e]))
        events.setdefault(int(graph.child[e]), int(graph.event[e]))
    return [
        Anomaly(AnomalyCode.CUSTODY_DOWNGRADE, events[lot], (lot, *sorted(set(inputs))))
        for lot, inputs in sorted(found.items())
    ]


@dataclass(frozen=True)
class Ledger:
    """`accounts`: one row per (site, material, unit, period) with credited, carried_in, claimed,
    granted, expired and balance (carried on). `granted` per lot (NaN where nothing claimed);
    `anomalies`: a `LEDGER_REFUSED` per claim cut, value = asked, limit = granted."""

    accounts: pl.DataFrame
    granted: FloatArray
    anomalies: list[Anomaly]


def mass_balance_ledger(
    graph: LotGraph,
    lots: LotTable,
    events: EventTable,
    certified_share: npt.ArrayLike,
    claims: npt.ArrayLike,
    *,
    carry_periods: int = 0,
) -> Ledger:
    """Credits from every edge: amount × factor × the event's yield × the certified share of
    the input (its certified content, e.g. a propagated share or a granted claim ÷ quantity),
    booked at the event's site and period in the output's material and unit. `claims` per lot:
    certified quantity an output lot claims (NaN: none), booked where and when it was made."""
    share = np.clip(np.nan_to_num(np.asarray(certified_share, np.float64)), 0.0, 1.0)
    claim = np.asarray(claims, dtype=np.float64)
    credit = graph.amount * graph.factor * events.process_yield[graph.event] * share[graph.parent]
    credits = pl.DataFrame(
        {
            "site": events.site[graph.event],
            "material": lots.material[graph.child],
            "unit": lots.unit[graph.child],
            "period": events.period[graph.event],
            "credit": credit,
        }
    )
    credits = credits.group_by("site", "material", "unit", "period").agg(pl.col("credit").sum())
    # Where and when each claiming lot was made: its first input edge's event.
    claiming = np.flatnonzero(~np.isnan(claim) & (claim > 0) & ~graph.is_origin)
    first_edge = graph.in_edge[graph.in_ptr[claiming]]
    made_by = graph.event[first_edge]
    asks = pl.DataFrame(
        {
            "lot": claiming,
            "site": events.site[made_by],
            "material": lots.material[claiming],
            "unit": lots.unit[claiming],
            "period": events.period[made_by],
            "asked": claim[claiming],
        }
    ).sort("site", "material", "unit", "period", "lot")
    granted = np.full(len(lots), np.nan)
    anomalies: list[Anomaly] = []
    rows: list[dict[str, float | int]] = []

    credit_map: dict[tuple[int, ...], dict[int, float]] = {}
    for site, material, unit, period, value in credits.iter_rows():
        credit_map.setdefault((site, material, unit), {})[period] = value
    ask_map: dict[tuple[int, ...], dict[int, list[tuple[int, float]]]] = {}
    for lot, site, material, unit, period, asked in asks.iter_rows():
        ask_map.setdefault((site, material, unit), {}).setdefault(period, []).append((lot, asked))

    for account in sorted(set(credit_map) | set(ask_map)):
        earned = credit_map.get(account, {})
        asked_in = ask_map.get(account, {})
        pool: deque[list[float]] = deque()  # [period earned, amount left], oldest first
        periods = sorted(set(earned) | set(asked_in))
        for period in range(periods[0], periods[-1] + 1):
            expired = 0.0
            while pool and pool[0][0] < period - carry_periods:
                expired += pool.popleft()[1]
            carried_in = sum(amount for _, amount in pool)
            new = earned.get(period, 0.0)
            if new > 0:
                pool.append([period, new])
            available = carried_in + new
            asked_total = granted_total = 0.0
            for lot, asked in asked_in.get(period, []):
                give = min(asked, available)
                available -= give
                asked_total += asked
                granted_total += give
                granted[lot] = give
                if give < asked - 1e-9:
                    anomalies.append(Anomaly(AnomalyCode.LEDGER_REFUSED, -1, (lot,), asked, give))
            spend = granted_total
            while spend > 0 and pool:
                take = min(spend, pool[0][1])
                pool[0][1] -= take
                spend -= take
                if pool[0][1] <= 1e-12:
                    pool.popleft()
            if period in earned or period in asked_in or expired:
                rows.append(
                    {
                        "site": account[0],
                        "material": account[1],
                        "unit": account[2],
                        "period": period,
                        "credited": new,
                        "carried_in": carried_in,
                        "claimed": asked_total,
                        "granted": granted_total,
                        "expired": expired,
                        "balance": sum(amount for _, amount in pool),
                    }
                )
    schema = {
        "site": pl.Int64,
        "material": pl.Int64,
        "unit": pl.Int64,
        "period": pl.Int64,
        "credited": pl.Float64,
        "carried_in": pl.Float64,
        "claimed": pl.Float64,
        "granted": pl.Float64,
        "expired": pl.Float64,
        "balance": pl.Float64,
    }
    return Ledger(pl.DataFrame(rows, schema=schema), granted, anomalies)
