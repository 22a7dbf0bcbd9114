"""Every conversion and emission factor of the green figures, in one place with its source.
A factor that changes (the grid's, every year or two) is changed here, and decision 0012 says
which publication it comes from.

Energy in tonnes of standard coal equivalent (tce), GB/T 2589-2020 《综合能耗计算通则》
(appendix A, reference conversion coefficients; electricity at its equivalent calorific value):
"""

from __future__ import annotations

# --- energy, tce per unit -------------------------------------------------------------------
TCE_PER_KWH = 0.1229e-3  # electricity, 0.1229 kgce/kWh (calorific equivalent)
TCE_PER_T_COAL = 0.7143  # raw coal, 0.7143 kgce/kg
TCE_PER_M3_GAS = 1.2143e-3  # natural gas, 1.2143 kgce/m³ (the table's 1.1000–1.3300 range)
TCE_PER_T_DIESEL = 1.4571  # diesel, 1.4571 kgce/kg
TCE_PER_GJ_STEAM = 0.03412  # purchased heat (steam), 0.03412 kgce/MJ

# --- CO₂ per unit ---------------------------------------------------------------------------
# Purchased electricity: national grid average emission factor, 0.5703 tCO₂/MWh, published by
# the Ministry of Ecology and Environment for enterprises' greenhouse-gas reports
# (环办气候函〔2023〕43号). Scope 2, location-based.
T_CO2_PER_KWH = 0.5703e-3

# Fuels: low calorific value × carbon content × oxidation rate × 44/12, with the defaults of the
# NDRC's 《工业其他行业企业温室气体排放核算方法与报告指南（试行）》 (2015), appendix table 2.1.
_C_TO_CO2 = 44.0 / 12.0
# raw coal: 20.908 GJ/t × 26.37 tC/TJ × 94 % → 1.9003 tCO₂/t
T_CO2_PER_T_COAL = 20.908 * 26.37e-3 * 0.94 * _C_TO_CO2
# natural gas: 389.31 GJ/10⁴ m³ × 15.3 tC/TJ × 99 % → 2.1622 tCO₂ per 1,000 m³
T_CO2_PER_M3_GAS = 389.31e-4 * 15.3e-3 * 0.99 * _C_TO_CO2
# diesel: 42.652 GJ/t × 20.2 tC/TJ × 98 % → 3.0959 tCO₂/t
T_CO2_PER_T_DIESEL = 42.652 * 20.2e-3 * 0.98 * _C_TO_CO2
# purchased heat (steam): the same guideline's default, 0.11 tCO₂/GJ
T_CO2_PER_GJ_STEAM = 0.11

# Where each factor comes from, for pages and the API (shown beside the figures).
SOURCES = {
    "electricity": "MEE 环办气候函〔2023〕43号: national grid 0.5703 tCO₂/MWh",
    "coal": "NDRC 工业其他行业温室气体核算指南 (2015): raw coal 1.9003 tCO₂/t",
    "natural_gas": "NDRC 工业其他行业温室气体核算指南 (2015): 2.1622 tCO₂/1,000 m³",
    "diesel": "NDRC 工业其他行业温室气体核算指南 (2015): 3.0959 tCO₂/t",
    "steam": "NDRC 工业其他行业温室气体核算指南 (2015): heat 0.11 tCO₂/GJ",
    "tce": "GB/T 2589-2020 综合能耗计算通则, appendix A",
}
