"""Demo data of green production, written for each demo cluster right after its registry and
matching demo (demo.loader.load_cluster calls `load_green_demo` in the same transaction):

- Xinji and Shiling: monthly records of up to 30 tanneries (the tanning link) over the last
  four full years and this year so far, each firm's chrome-free share rising year by year, so
  the cluster moves toward chrome-free tanning; water and energy per m² falling slightly;
- Wenzhou: sole and lasting shops (pairs), Hechi: reeling mills (t of raw silk, water-heavy);
- a value added per firm and full year (every firm graded), one firm in five publishing;
- wastewater tests of the tanneries and mills in both ZDHC cycles a year, a few exceeding the
  limits, some firms not yet tested in the current cycle (due) and a few that missed the last
  one too (overdue).

Bulk writes, a few thousand rows a cluster; deterministic for a seed.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from clusterbrain.engines.green import check_wastewater, co2e_t, energy_tce
from clusterbrain.engines.green.zdhc import cycle_of
from clusterbrain.green.models import CarbonYear, ProductionRecord, WastewaterTest
from clusterbrain.registry.models import Cluster, Enterprise, EnterpriseRole
from clusterbrain.registry.selectors import invalidate_cluster

# template → (link codes, kind, output unit); kind "tanning" records leather area by process
WET_LINKS = {
    "leather_goods": (("tanning",), "tanning", ""),
    "leather_garments": (("tanning_fur_dressing",), "tanning", ""),
    "footwear": (("soles_heels", "lasting_sole"), "output", "pairs"),
    "cocoon_silk": (("reeling",), "output", "t"),
}
FIRMS = 30
YEARS = 4
LABS = ("SGS 广州", "Intertek 上海", "BV 深圳", "CTI 华测")


def _firms(cluster: Cluster, codes: tuple[str, ...]) -> list[tuple[Enterprise, float]]:
    """The cluster's firms in the links, with their monthly capacity (largest first)."""
    best: dict[int, tuple[Enterprise, float]] = {}
    for role in (
        EnterpriseRole.objects.filter(
            enterprise__cluster=cluster, enterprise__in_cluster=True, link__code__in=codes
        )
        .select_related("enterprise")
        .order_by("-capacity_per_month", "enterprise_id")
    ):
        if role.enterprise_id not in best and len(best) < FIRMS:
            best[role.enterprise_id] = (role.enterprise, max(role.capacity_per_month, 1.0))
    return list(best.values())


def _months(today: datetime.date) -> list[datetime.date]:
    first = datetime.date(today.year - YEARS, 1, 1)
    months, month = [], first
    while month < today.replace(day=1):
        months.append(month)
        month = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def load_green_demo(cluster: Cluster, *, today: datetime.date | None = None, seed: int = 5) -> int:
    """Write the cluster's green demo data; returns the number of monthly records."""
    template = cluster.chain_template.slug
    if template not in WET_LINKS:
        return 0
    codes, kind, unit = WET_LINKS[template]
    rng = random.Random(f"{cluster.slug}-green-{seed}")
    today = today or datetime.date.today()
    firms = _firms(cluster, codes)
    months = _months(today)
    records: list[ProductionRecord] = []
    years: list[CarbonYear] = []
    tests: list[WastewaterTest] = []
    first_year = today.year - YEARS
    for firm, capacity in firms:
        start_share = rng.uniform(0.0, 0.35)
        step = rng.uniform(0.04, 0.14)
        efficiency = rng.uniform(0.7, 1.5)  # energy use relative to the link's typical
        monthly = capacity * rng.uniform(0.5, 0.9)
        co2_by_year: dict[int, float] = {}
        for month in months:
            t = month.year - first_year
            volume = monthly * rng.uniform(0.8, 1.15) * (0.6 if month.month == 2 else 1.0)
            improve = 1.0 - 0.03 * t
            if kind == "tanning":
                free = min(0.95, start_share + step * t + rng.uniform(-0.03, 0.03))
                veg = 0.05 if firm.pk % 5 == 0 else 0.0
                chrome = max(0.0, 1.0 - free - veg)
                areas = (volume * chrome, volume * max(free, 0.0), volume * veg, 0.0)
                water = volume * rng.uniform(0.08, 0.12) * improve  # m³ per m²
                kwh = volume * 1.6 * efficiency * improve
                coal = volume * 0.0009 * efficiency * improve
                gas = volume * 0.05 * efficiency
                output = None
            else:
                areas = (0.0, 0.0, 0.0, 0.0)
                per = 1.0 if unit == "pairs" else 1.0
                water = volume * (0.004 if unit == "pairs" else 900.0) * improve * per
                kwh = volume * (0.8 if unit == "pairs" else 9000.0) * efficiency * improve
                coal = volume * (0.0 if unit == "pairs" else 4.0) * efficiency * improve
                gas = volume * (0.02 if unit == "pairs" else 60.0) * efficiency
                output = round(volume, 1)
            use = (kwh, coal, gas, 0.0, 0.0)
            co2 = float(co2e_t(*use))
            co2_by_year[month.year] = co2_by_year.get(month.year, 0.0) + co2
            records.append(
                ProductionRecord(
                    enterprise=firm,
                    month=month,
                    area_chrome_m2=round(areas[0], 1),
                    area_chrome_free_m2=round(areas[1], 1),
                    area_vegetable_m2=round(areas[2], 1),
                    area_other_m2=areas[3],
                    output_quantity=output,
                    output_unit=unit if output else "",
                    water_m3=round(water, 1),
                    electricity_kwh=round(kwh),
                    coal_t=round(coal, 2),
                    natural_gas_m3=round(gas),
                    energy_tce=float(energy_tce(*use)),
                    co2e_t=co2,
                    chemicals_kg=round(volume * 0.3, 1) if kind == "tanning" else None,
                    chrome_agent_kg=round(areas[0] * 0.08, 1) if kind == "tanning" else None,
                    is_demo=True,
                )
            )
        # value added: about 1 t CO₂e per 10⁴ yuan on average, firms spread around it
        for year, co2 in co2_by_year.items():
            if year >= today.year:
                continue
            value_added = co2 / rng.uniform(0.25, 1.6) * 10_000
            years.append(
                CarbonYear(
                    enterprise=firm,
                    year=year,
                    value_added=Decimal(str(round(value_added, 2))),
                    publishes_grade=firm.pk % 5 == 0,
                    is_demo=True,
                )
            )
        # wastewater tests: one a cycle; every seventh firm has not yet tested in this cycle,
        # every thirteenth missed the last one too
        cycle = cycle_of(today)
        skip = {cycle} if firm.pk % 7 == 0 else set()
        if firm.pk % 13 == 0:
            skip |= {cycle, cycle.previous()}
        c = cycle_of(months[0])
        while c <= cycle:
            if c not in skip:
                low, high = c.start, min(c.end, today)
                if high >= low:
                    day = low + datetime.timedelta(days=rng.randrange((high - low).days + 1))
                    total_cr = round(
                        rng.uniform(0.05, 1.2) * (1.8 if rng.random() < 0.06 else 1), 2
                    )
                    cod = round(rng.uniform(40, 260), 0)
                    cr6 = round(min(total_cr, rng.uniform(0.0, 0.06)), 3)
                    exceeded = check_wastewater("indirect", total_cr=total_cr, cr6=cr6, cod=cod)
                    tests.append(
                        WastewaterTest(
                            enterprise=firm,
                            sampled_on=day,
                            laboratory=rng.choice(LABS),
                            report_number=f"WW{day:%Y%m}{firm.pk:05d}",
                            discharge="indirect",
                            total_cr_mg_l=total_cr if kind == "tanning" else None,
                            cr6_mg_l=cr6 if kind == "tanning" else None,
                            cod_mg_l=cod,
                            compliant=not exceeded if kind == "tanning" else cod <= 300,
                            exceeded=[e.parameter for e in exceeded] if kind == "tanning" else [],
                            is_demo=True,
                        )
                    )
            c = cycle_of(c.end + datetime.timedelta(days=1))
    ProductionRecord.objects.bulk_create(records, batch_size=2000)
    CarbonYear.objects.bulk_create(years, batch_size=2000)
    WastewaterTest.objects.bulk_create(tests, batch_size=2000)
    # bulk_create sends no signal: the registry's cached KPIs read these records
    invalidate_cluster(cluster.pk)
    return len(records)
