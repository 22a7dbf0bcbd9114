"""Booth allocation as an assignment problem (decision 0022). No Django here: plain data in,
plain pairs out, so the rule is tested alone.

Each firm's request is split into one slot per booth asked for; slots and booths form a cost
matrix solved exactly by `scipy.optimize.linear_sum_assignment` (the Hungarian method's
successor, min-cost perfect matching on a rectangle). The rule, in order of weight:

1. Priority decides who goes without when booths run short: association members first, then
   by sign-up time. Leaving a slot empty costs `U × (n − rank)`, with U above every preference
   cost taken together, so no arrangement of zones or sizes is worth leaving an earlier firm
   short to serve a later one.
2. The preferred zone (10 per booth outside it), then the requested size (up to 3, by the
   relative gap in m²), then corners (−1: they go to earlier firms). Each weighted by
   `n − rank`, so among conflicting wishes the earlier firm's wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ZONE_COST = 10.0
SIZE_COST = 3.0
CORNER_BONUS = 1.0


@dataclass(frozen=True)
class BoothSpec:
    id: int
    area_m2: float
    zone: str
    corner: bool


@dataclass(frozen=True)
class BoothRequest:
    id: int
    booths: int
    area_m2: float | None
    zone: str
    rank: int  # 0 = first served


@dataclass(frozen=True)
class Allocation:
    pairs: list[tuple[int, int]]  # (request id, booth id)
    unmet: dict[int, int]  # request id → booths it asked for but did not get
    cost: float


def allocate(requests: Sequence[BoothRequest], booths: Sequence[BoothSpec]) -> Allocation:
    from scipy.optimize import linear_sum_assignment

    slots = [r for r in sorted(requests, key=lambda r: (r.rank, r.id)) for _ in range(r.booths)]
    if not slots or not booths:
        return Allocation([], {r.id: r.booths for r in requests if r.booths > 0}, 0.0)
    n = max(r.rank for r in requests) + 1
    weight = np.array([float(n - r.rank) for r in slots])
    area = np.array([b.area_m2 for b in booths])
    zone = np.array([b.zone for b in booths], dtype=object)
    corner = np.array([b.corner for b in booths], dtype=float)
    prefs = np.zeros((len(slots), len(booths)))
    for i, r in enumerate(slots):
        if r.zone:
            prefs[i] += ZONE_COST * (zone != r.zone)
        if r.area_m2:
            prefs[i] += SIZE_COST * np.minimum(1.0, np.abs(area - r.area_m2) / r.area_m2)
        prefs[i] -= CORNER_BONUS * corner
        prefs[i] *= weight[i]
    # Above any sum of preference costs, so priority is lexicographic.
    unit = (ZONE_COST + SIZE_COST + CORNER_BONUS) * float(weight.max()) * len(slots) + 1.0
    empty = np.full((len(slots), len(slots)), np.inf)
    np.fill_diagonal(empty, unit * weight)
    rows, cols = linear_sum_assignment(np.hstack([prefs, empty]))
    pairs: list[tuple[int, int]] = []
    unmet: dict[int, int] = {}
    cost = 0.0
    for i, j in zip(rows, cols, strict=True):
        if j < len(booths):
            pairs.append((slots[i].id, booths[j].id))
            cost += float(prefs[i, j])
        else:
            unmet[slots[i].id] = unmet.get(slots[i].id, 0) + 1
    return Allocation(pairs, unmet, cost)
