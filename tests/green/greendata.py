"""A cluster's green data with known answers, written with the services (the rules under test)
on the `world` of tests/conftest.py: four tanneries of cluster `alpha` (own, sharing, other,
leading; all in the `tanning` link) with twelve monthly records of 2024 and a value added, so
each firm's carbon intensity and grade can be worked out by hand:

    firm      CO₂e 2024 (t)   value added (yuan)   intensity (t/10⁴ yuan)
    own          120            10,000,000             0.12
    sharing      240            10,000,000             0.24
    other        480            10,000,000             0.48
    leading      360            10,000,000             0.36
    industry    1200            40,000,000             0.30   → K: 0.4 0.8 1.6 1.2 → grades 1 2 4 3

CO₂e comes from electricity only: 120 t a year = 10 t a month = 10 / 0.5703e-3 kWh.
"""

from __future__ import annotations

from types import SimpleNamespace

from clusterbrain.engines.green import factors

YEAR = 2024
VALUE_ADDED = 10_000_000
CO2E = {"own": 120.0, "sharing": 240.0, "other": 480.0, "leading": 360.0}
# m² tanned a month: chrome, chrome-free
AREAS = {
    "own": (600.0, 400.0),
    "sharing": (1000.0, 0.0),
    "other": (500.0, 500.0),
    "leading": (0.0, 1000.0),
}


def kwh_for(co2e_t_per_month: float) -> float:
    return co2e_t_per_month / factors.T_CO2_PER_KWH


def record_data(month: str, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {"month": month, "area_chrome_m2": 1000.0, "water_m3": 50.0}
    data.update(fields)
    return data


def build_green(world: SimpleNamespace, *, year: int = YEAR) -> SimpleNamespace:
    from clusterbrain.green import services

    admin = world.users.admin
    firms = {
        "own": world.own,
        "sharing": world.sharing,
        "other": world.other,
        "leading": world.leading,
    }
    for name, firm in firms.items():
        chrome, free = AREAS[name]
        for month in range(1, 13):
            services.save_record(
                admin,
                firm,
                {
                    "month": f"{year}-{month:02d}",
                    "area_chrome_m2": chrome,
                    "area_chrome_free_m2": free,
                    "water_m3": 40.0,
                    "electricity_kwh": kwh_for(CO2E[name] / 12),
                },
            )
        services.set_carbon_year(admin, firm, year, {"value_added": VALUE_ADDED})
    return SimpleNamespace(world=world, firms=firms, year=year)
