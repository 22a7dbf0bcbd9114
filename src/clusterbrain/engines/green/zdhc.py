"""The ZDHC wastewater testing cycles: a supplier samples twice a calendar year, once in the
April cycle (sampling from 1 November to 30 April) and once in the October cycle (1 May to
31 October), at least three months apart. Only the sampling date places a test in its cycle
(ZDHC knowledge base, "How many wastewater testing cycles are to be completed per year").

A firm's state in the current cycle: `tested` (a sample in it), `due` (none yet, but the
previous cycle was tested) or `overdue` (none yet, and the previous cycle was missed too)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

MIN_GAP_MONTHS = 3
APRIL, OCTOBER = "april", "october"


@dataclass(frozen=True, order=True)
class Cycle:
    year: int
    kind: str  # APRIL | OCTOBER

    @property
    def start(self) -> datetime.date:
        if self.kind == APRIL:
            return datetime.date(self.year - 1, 11, 1)
        return datetime.date(self.year, 5, 1)

    @property
    def end(self) -> datetime.date:
        """The last sampling day (the cycle's deadline)."""
        if self.kind == APRIL:
            return datetime.date(self.year, 4, 30)
        return datetime.date(self.year, 10, 31)

    def previous(self) -> Cycle:
        return Cycle(self.year, APRIL) if self.kind == OCTOBER else Cycle(self.year - 1, OCTOBER)

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    @property
    def code(self) -> str:
        return f"{self.year}-{'04' if self.kind == APRIL else '10'}"


def cycle_of(day: datetime.date) -> Cycle:
    if 5 <= day.month <= 10:
        return Cycle(day.year, OCTOBER)
    return Cycle(day.year + 1 if day.month >= 11 else day.year, APRIL)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


@dataclass(frozen=True)
class CycleStatus:
    cycle: Cycle
    state: str  # "tested" | "due" | "overdue"
    last_sample: datetime.date | None
    days_left: int  # to the cycle's last sampling day (0 on it)
    too_close: bool  # sampled less than three months after the previous cycle's sample


def cycle_status(samples: Iterable[datetime.date], today: datetime.date) -> CycleStatus:
    """Where a firm stands in the cycle `today` falls in (samples dated after today are
    ignored: a future date is a typo, not a test)."""
    dates = sorted(d for d in samples if d <= today)
    current = cycle_of(today)
    previous = current.previous()
    in_current = [d for d in dates if current.contains(d)]
    in_previous = [d for d in dates if previous.contains(d)]
    if in_current:
        state = "tested"
    elif in_previous:
        state = "due"
    else:
        state = "overdue"
    too_close = bool(
        in_current and in_previous and in_current[0] < add_months(in_previous[-1], MIN_GAP_MONTHS)
    )
    return CycleStatus(
        cycle=current,
        state=state,
        last_sample=dates[-1] if dates else None,
        days_left=(current.end - today).days,
        too_close=too_close,
    )
