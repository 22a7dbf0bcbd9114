"""Energy (tce) and CO₂e (t) of metered energy use. Scalars or numpy arrays alike, so one
record and a cluster's ten thousand records take the same code path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from clusterbrain.engines.green import factors

Num = TypeVar("Num", float, npt.NDArray[np.float64])


@dataclass(frozen=True)
class EnergyUse:
    """What a site used in a period; a missing meter is 0."""

    electricity_kwh: float = 0.0
    coal_t: float = 0.0
    natural_gas_m3: float = 0.0
    diesel_t: float = 0.0
    steam_gj: float = 0.0


def energy_tce(
    electricity_kwh: Num,
    coal_t: Num,
    natural_gas_m3: Num,
    diesel_t: Num,
    steam_gj: Num,
) -> Num:
    """Comprehensive energy use in tce (GB/T 2589-2020 coefficients)."""
    return (  # type: ignore[no-any-return]
        electricity_kwh * factors.TCE_PER_KWH
        + coal_t * factors.TCE_PER_T_COAL
        + natural_gas_m3 * factors.TCE_PER_M3_GAS
        + diesel_t * factors.TCE_PER_T_DIESEL
        + steam_gj * factors.TCE_PER_GJ_STEAM
    )


def co2e_t(
    electricity_kwh: Num,
    coal_t: Num,
    natural_gas_m3: Num,
    diesel_t: Num,
    steam_gj: Num,
) -> Num:
    """Tonnes of CO₂ from fuels burnt on site (scope 1) and electricity and heat bought
    (scope 2, location-based). Process emissions of tanning are negligible next to energy and
    are not counted; neither are the chemicals' upstream emissions (scope 3)."""
    return (  # type: ignore[no-any-return]
        electricity_kwh * factors.T_CO2_PER_KWH
        + coal_t * factors.T_CO2_PER_T_COAL
        + natural_gas_m3 * factors.T_CO2_PER_M3_GAS
        + diesel_t * factors.T_CO2_PER_T_DIESEL
        + steam_gj * factors.T_CO2_PER_GJ_STEAM
    )


def footprint(use: EnergyUse) -> tuple[float, float]:
    """(tce, tCO₂e) of one period's use."""
    values = (use.electricity_kwh, use.coal_t, use.natural_gas_m3, use.diesel_t, use.steam_gj)
    return float(energy_tce(*values)), float(co2e_t(*values))
