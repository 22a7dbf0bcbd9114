"""Wastewater tests against GB 30486-2013 《制革及毛皮加工工业水污染物排放标准》 (Discharge
standard of water pollutants for leather and fur making industry; in force 2014-03-01 for new
firms, table 2 for existing firms from 2016-01-01). Table 2 limits, mg/L:

- total chromium 1.5 and hexavalent chromium 0.1, both at the workshop or production-facility
  wastewater outlet (车间或生产设施废水排放口), whatever the discharge;
- COD (CODcr) 100 for direct discharge (to the environment) and 300 for indirect discharge
  (to a public or park wastewater treatment plant), at the firm's total outlet.

The special limits of table 3 (key areas) are not applied here (decision 0012)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Discharge(StrEnum):
    DIRECT = "direct"
    INDIRECT = "indirect"


# parameter → limit in mg/L, per kind of discharge
DISCHARGE_LIMITS: dict[Discharge, dict[str, float]] = {
    Discharge.DIRECT: {"total_cr": 1.5, "cr6": 0.1, "cod": 100.0},
    Discharge.INDIRECT: {"total_cr": 1.5, "cr6": 0.1, "cod": 300.0},
}
STANDARD = "GB 30486-2013"


@dataclass(frozen=True)
class Exceedance:
    parameter: str  # "total_cr" | "cr6" | "cod"
    value: float
    limit: float


def check_wastewater(
    discharge: Discharge | str,
    *,
    total_cr: float | None = None,
    cr6: float | None = None,
    cod: float | None = None,
) -> list[Exceedance]:
    """The measured values above their limit (a value not measured is not judged). A value
    equal to the limit complies."""
    limits = DISCHARGE_LIMITS[Discharge(discharge)]
    measured = {"total_cr": total_cr, "cr6": cr6, "cod": cod}
    return [
        Exceedance(name, float(value), limits[name])
        for name, value in measured.items()
        if value is not None and value > limits[name]
    ]
