"""The brand demo on a small stand-in for Shiling: eight member firms licensed (one expired,
one suspended), codes that verify and stay the same from load to load, every country among the
brand's registrations."""

from __future__ import annotations

import pytest

import factories
from clusterbrain.brand import selectors
from clusterbrain.brand.demo import load_brand_demo
from clusterbrain.brand.models import BrandLicence

pytestmark = pytest.mark.django_db


def stand_in():
    shiling = factories.cluster(slug="shiling")
    brand = factories.brand(
        shiling,
        None,
        is_regional=True,
        name_zh="狮岭皮具",
        name_en="Shiling Leather",
        countries_registered=["CN", "US", "GB", "DE", "FR", "IT", "JP", "AE"],
    )
    for i in range(12):
        factories.enterprise(shiling, is_member=i % 4 != 3, above_designated_size=i % 2 == 0)
    return shiling, brand


def test_demo_licences(world):
    shiling, brand = stand_in()
    load_brand_demo(shiling, seed=7)
    licences = list(BrandLicence.objects.filter(brand=brand))
    assert len(licences) == 8 and all(lic.licensee.is_member for lic in licences)
    outcomes = sorted(selectors.verify(lic.code).outcome for lic in licences)
    assert outcomes == ["expired", "suspended"] + ["valid"] * 6
    assert all(set(lic.countries) <= set(brand.countries_registered) for lic in licences)
    codes = sorted(lic.code for lic in licences)
    BrandLicence.objects.all().delete()
    load_brand_demo(shiling, seed=7)
    assert sorted(BrandLicence.objects.values_list("code", flat=True)) == codes


def test_no_licences_for_a_brand_without_registrations(world):
    xinji = factories.cluster(slug="xinji")
    factories.brand(xinji, None, is_regional=True, name_en="Xinji Leather")
    factories.enterprise(xinji, is_member=True)
    load_brand_demo(xinji, seed=1)
    assert not BrandLicence.objects.exists()
