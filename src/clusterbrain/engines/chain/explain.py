"""Shared wording helpers for explanations: numbers a person reads, not repr() noise."""

from __future__ import annotations

TOP_IDS = 10  # ids an explanation names; `counted` says how many there were


def fmt(value: float) -> str:
    """Thousands separators, at most four decimals, no trailing zeros: 1,200 · 0.3333 · 12.5."""
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
