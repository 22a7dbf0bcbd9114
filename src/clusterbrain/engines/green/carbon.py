"""The carbon-efficiency grade (碳效码) of firms within their industry, as Huzhou grades its
industrial firms (decision 0012):

- carbon intensity L = tCO₂e ÷ value added in 10,000 yuan, per firm and year;
- the industry's benchmark is the same ratio over all its graded firms (Σ tCO₂e ÷ Σ value
  added), so a large firm weighs as much as its value added;
- the carbon-efficiency value K = L ÷ benchmark, graded 1 (best) to 5:
  K ≤ 0.6 → 1, ≤ 0.8 → 2, ≤ 1.2 → 3 (about the industry average), ≤ 2.0 → 4, above → 5;
- the carbon-efficiency level, against the province's absolute scale rather than the industry:
  L ≤ 0.6 t per 10,000 yuan low (1), ≤ 2.0 medium (2), above high (3).

A firm without positive value added has no intensity and no grade; an industry with fewer than
`min_peers` firms with an intensity has no benchmark, and its firms no grade (one firm's
average is its own figure, and a grade against it says nothing).

Vectorised over all firms of all industries at once: one `np.unique` and a few `bincount`s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

GRADE_THRESHOLDS: tuple[float, ...] = (0.6, 0.8, 1.2, 2.0)
LEVEL_THRESHOLDS: tuple[float, ...] = (0.6, 2.0)
YUAN_PER_UNIT = 10_000.0  # intensity is per 10,000 yuan (万元) of value added
NO_GRADE = 0

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class GradeReport:
    """Per firm (in the order given): intensity L, its industry's benchmark, K, grade 1–5 (0:
    none), level 1–3 (0: none) and the number of firms behind the benchmark. Per industry (in
    `industries` order): benchmark, firms graded, Σ emissions and Σ value added."""

    intensity: Floats
    benchmark: Floats
    ratio: Floats
    grade: Ints
    level: Ints
    peers: Ints
    industries: npt.NDArray[Any]
    industry_benchmark: Floats
    industry_firms: Ints
    industry_emissions: Floats
    industry_value_added: Floats

    def distribution(self) -> dict[int, int]:
        """Firms per grade 1–5 (grades only, the ungraded left out)."""
        counts = np.bincount(self.grade, minlength=6)
        return {grade: int(counts[grade]) for grade in range(1, 6)}


def grade_of_ratio(ratio: float, thresholds: Sequence[float] = GRADE_THRESHOLDS) -> int:
    """The grade of one K value (0 for a value that is not a finite number ≥ 0)."""
    if not np.isfinite(ratio) or ratio < 0:
        return NO_GRADE
    return int(np.searchsorted(np.asarray(thresholds), ratio, side="left")) + 1


def grade_firms(
    industry: Sequence[Any] | npt.NDArray[Any],
    emissions_t: Sequence[float] | Floats,
    value_added_yuan: Sequence[float] | Floats,
    *,
    min_peers: int = 3,
    thresholds: Sequence[float] = GRADE_THRESHOLDS,
) -> GradeReport:
    """Grade each firm within its industry. `industry` holds any hashable codes (chain link
    codes, GB/T 4754 codes); emissions ≥ 0 in tCO₂e; value added in yuan."""
    emissions = np.asarray(emissions_t, dtype=np.float64)
    value_added = np.asarray(value_added_yuan, dtype=np.float64)
    codes = np.asarray(industry)
    if not (len(codes) == len(emissions) == len(value_added)):
        raise ValueError("industry, emissions_t and value_added_yuan differ in length")
    if len(codes) == 0:
        empty = np.zeros(0)
        none = np.zeros(0, dtype=np.int64)
        return GradeReport(empty, empty, empty, none, none, none, codes, empty, none, empty, empty)
    industries, index = np.unique(codes, return_inverse=True)
    index = index.reshape(-1)
    usable = (
        (value_added > 0) & np.isfinite(value_added) & np.isfinite(emissions) & (emissions >= 0)
    )
    units = np.where(usable, value_added / YUAN_PER_UNIT, np.nan)
    intensity = np.where(usable, emissions / np.where(usable, units, 1.0), np.nan)

    n = len(industries)
    firms = np.bincount(index, weights=usable.astype(np.float64), minlength=n).astype(np.int64)
    sum_e = np.bincount(index, weights=np.where(usable, emissions, 0.0), minlength=n)
    sum_units = np.bincount(index, weights=np.where(usable, units, 0.0), minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        ind_benchmark = np.where(
            (firms >= max(1, min_peers)) & (sum_units > 0), sum_e / sum_units, np.nan
        )
        benchmark = ind_benchmark[index]
        ratio = np.where(
            usable & np.isfinite(benchmark) & (benchmark > 0), intensity / benchmark, np.nan
        )
    graded = np.isfinite(ratio)
    grade = np.where(
        graded,
        np.searchsorted(np.asarray(thresholds, dtype=np.float64), np.nan_to_num(ratio), "left") + 1,
        NO_GRADE,
    ).astype(np.int64)
    level = np.where(
        usable,
        np.searchsorted(np.asarray(LEVEL_THRESHOLDS), np.nan_to_num(intensity), "left") + 1,
        NO_GRADE,
    ).astype(np.int64)
    return GradeReport(
        intensity=intensity,
        benchmark=benchmark,
        ratio=ratio,
        grade=grade,
        level=level,
        peers=firms[index],
        industries=industries,
        industry_benchmark=ind_benchmark,
        industry_firms=firms,
        industry_emissions=np.asarray(sum_e, dtype=np.float64),
        industry_value_added=np.asarray(sum_units * YUAN_PER_UNIT, dtype=np.float64),
    )
