"""A small cluster with everything a page shows: the shared `world` plus sites, certificates,
brands, targets, reported figures, locations and one distinctive confidential revenue."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import factories

# The own firm's revenue: a number that appears nowhere else, in every way a page could write
# it (plain, grouped, in 万 and in millions).
SECRET_REVENUE = 87_654_321
SECRET_REVENUE_TEXTS = ("87654321", "87,654,321", "8,765.4", "8765.4", "87.7 m", "87.65")


def build_site(world: SimpleNamespace) -> SimpleNamespace:
    from clusterbrain.registry.models import Brand, Certification, EnterpriseYear, Facility

    a = world.a
    a.place_zh, a.place_en = "广州市花都区狮岭镇", "Shiling Town, Huadu, Guangzhou"
    a.industry_zh, a.industry_en = "皮具箱包", "Leather goods"
    a.latitude, a.longitude, a.is_demo = 23.46, 113.15, True
    a.save()
    EnterpriseYear.objects.filter(enterprise=world.own, year=2024).update(
        revenue=Decimal(SECRET_REVENUE)
    )
    for i, firm in enumerate((world.own, world.sharing, world.other, world.leading)):
        firm.latitude, firm.longitude = 23.45 + i / 100, 113.14 + i / 100
        firm.address_zh = f"狮岭镇皮革路{i + 1}号"
        firm.address_en = f"{i + 1} Leather Road, Shiling"
        firm.founded_year = 2001 + i
        firm.save()
    factories.role(world.leading, "sewing", capacity=50_000, output=40_000)
    factories.role(world.other, "cutting", capacity=30_000, output=20_000)
    factories.facility(
        world.leading,
        name_zh="龙头品牌江西生产基地",
        name_en="Lead Brand Jiangxi production base",
        kind=Facility.Kind.PRODUCTION,
        in_cluster=False,
        latitude=28.68,
        longitude=115.86,
        address_zh="江西省南昌市",
        address_en="Nanchang, Jiangxi",
    )
    factories.certification(
        world.own,
        Certification.Kind.LWG_GOLD,
        valid_from=datetime.date(2024, 1, 1),
        valid_until=datetime.date(2099, 12, 31),
        issuer="Leather Working Group",
        number="LWG-4711",
    )
    factories.certification(world.sharing, Certification.Kind.ISO9001)
    factories.brand(
        a,
        None,
        is_regional=True,
        name_zh="狮岭皮具",
        name_en="Shiling Leather",
        countries_registered=["CN", "US", "DE"],
        value_yuan=20e9,
    )
    factories.brand(
        a, world.leading, name_zh="龙头", name_en="Leadmark", status=Brand.Status.WELL_KNOWN_BRAND
    )
    factories.target(a, "above_size_firms", 2030, 10)
    factories.target(a, "localisation_rate", 2030, 0.8)
    factories.target(a, "output_value", 2030, 1e9)
    factories.figure(a, "support_fund", 2023, 5e7, source="Huadu district report 2023")
    factories.figure(a, "output_value", 2023, 9e7, source="Cluster office")
    return world
