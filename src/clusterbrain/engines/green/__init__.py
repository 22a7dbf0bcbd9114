"""Green production figures (no Django): energy and CO₂e from metered use with documented
factors (`factors`), the carbon-efficiency grade of firms within their industry (Huzhou's
碳效码, `carbon`), wastewater tests against GB 30486-2013 (`limits`) and the ZDHC wastewater
testing cycles (`zdhc`). Inputs are numbers, numpy arrays and dates; outputs the same, so the
figures can be tested and benchmarked alone."""

from clusterbrain.engines.green.carbon import (
    GRADE_THRESHOLDS,
    GradeReport,
    grade_firms,
    grade_of_ratio,
)
from clusterbrain.engines.green.emissions import EnergyUse, co2e_t, energy_tce, footprint
from clusterbrain.engines.green.limits import (
    DISCHARGE_LIMITS,
    Discharge,
    Exceedance,
    check_wastewater,
)
from clusterbrain.engines.green.zdhc import Cycle, CycleStatus, cycle_of, cycle_status

__all__ = [
    "DISCHARGE_LIMITS",
    "GRADE_THRESHOLDS",
    "Cycle",
    "CycleStatus",
    "Discharge",
    "EnergyUse",
    "Exceedance",
    "GradeReport",
    "check_wastewater",
    "co2e_t",
    "cycle_of",
    "cycle_status",
    "energy_tce",
    "footprint",
    "grade_firms",
    "grade_of_ratio",
]
