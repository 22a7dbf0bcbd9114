"""Enterprise profiles for eligibility rules: one bulk frame and one firm agree, and each field
comes from where the domain says."""

from __future__ import annotations

import datetime
from decimal import Decimal

import polars as pl
import pytest

import factories
from clusterbrain.green.models import CarbonYear, EnvironmentalViolation
from clusterbrain.matching.models import Assignment, OutsourcingOrder
from clusterbrain.programs.profiles import (
    FIELD_NAMES,
    profile_fields,
    profile_frame,
    profile_of,
)
from clusterbrain.registry.models import Enterprise

TODAY = datetime.date(2026, 6, 1)


def _deliver(buyer, supplier, on_time):
    order = OutsourcingOrder.objects.create(
        cluster=buyer.cluster,
        buyer=buyer,
        link=factories.link(buyer.cluster, "tanning"),
        product_category="crust",
        quantity=100,
        unit="m2",
        target_unit_price=Decimal("10"),
        earliest_start=TODAY,
        due_date=TODAY,
    )
    return Assignment.objects.create(
        order=order,
        supplier=supplier,
        quantity=100,
        unit_price=Decimal("10"),
        status=Assignment.Status.DELIVERED,
        delivered_on=TODAY,
        delivered_quantity=100,
        on_time=on_time,
    )


@pytest.fixture
def firms(world):
    own = world.own
    own.founded_year = 2010
    own.size_class = Enterprise.SizeClass.SMALL
    own.save()
    factories.year(own, 2025, revenue=36_000_000, output_value=30_000_000, employees=150)
    factories.certification(own, "lwg_gold")
    factories.certification(own, "iso9001", verified=False)
    factories.certification(own, "high_tech", valid_until=datetime.date(2025, 12, 31))
    factories.brand(world.a, own)
    factories.brand(world.a, own)
    factories.role(own, "hides", capacity=10)
    EnvironmentalViolation.objects.create(
        enterprise=world.other, authority="生态环境局", found_on=TODAY
    )
    EnvironmentalViolation.objects.create(
        enterprise=world.sharing,
        authority="生态环境局",
        found_on=datetime.date(2024, 1, 1),
        status="closed",
        closed_on=datetime.date(2024, 3, 1),
    )
    _deliver(world.leading, own, True)
    _deliver(world.leading, own, True)
    _deliver(world.leading, own, False)
    _deliver(world.leading, own, True)
    return world


def test_fields_have_labels_in_both_languages_and_choices():
    fields = profile_fields()
    assert tuple(fields) == FIELD_NAMES
    assert all(f.label_zh and f.label_en for f in fields.values())
    assert fields["size_class"].choices == ("large", "medium", "small", "micro")
    assert "lwg_gold" in fields["certificates"].choices
    assert fields["open_environmental_violation"].type == "bool"
    assert fields["chain_links"].type == "text_list"


def test_chain_link_choices_are_the_cluster_template_links(world):
    links = profile_fields(world.a)["chain_links"].choices
    assert "tanning" in links and "hides" in links


def test_profile_of_one_firm(firms):
    p = profile_of(firms.own, today=TODAY)
    assert p["size_class"] == "small"
    assert p["is_member"] is True and p["is_leading"] is False
    assert p["founded_year"] == 2010 and p["years_in_operation"] == 16
    assert p["chain_links"] == ["hides", "tanning"]
    # expired high_tech is gone; unverified iso9001 counts only among claimed certificates
    assert p["certificates"] == ["iso9001", "lwg_gold"]
    assert p["verified_certificates"] == ["lwg_gold"]
    assert p["brand_count"] == 2
    assert p["revenue"] == 36_000_000 and p["employees"] == 150
    assert p["revenue_growth"] == pytest.approx(0.2)
    assert p["exports"] is None
    assert p["open_environmental_violation"] is False
    assert p["on_time_delivery_rate"] == pytest.approx(0.75)
    assert p["carbon_grade"] is None


def test_frame_matches_one_firm_profiles_and_marks_unknowns(firms):
    frame = profile_frame(Enterprise.objects.filter(cluster=firms.a), today=TODAY)
    assert frame.columns == ["enterprise_id", *FIELD_NAMES]
    assert frame.height == 4
    assert frame.schema["chain_links"] == pl.List(pl.Utf8)
    assert frame.schema["revenue"] == pl.Float64
    rows = {r["enterprise_id"]: r for r in frame.iter_rows(named=True)}
    for firm in (firms.own, firms.other, firms.sharing, firms.leading):
        one = profile_of(firm, today=TODAY)
        assert {k: rows[firm.pk][k] for k in FIELD_NAMES} == one
    assert rows[firms.other.pk]["open_environmental_violation"] is True
    assert rows[firms.sharing.pk]["open_environmental_violation"] is False
    # one year reported: growth unknown; no founding year: age unknown; no deliveries: unknown
    assert rows[firms.other.pk]["revenue_growth"] is None
    assert rows[firms.other.pk]["years_in_operation"] is None
    assert rows[firms.other.pk]["on_time_delivery_rate"] is None
    assert rows[firms.other.pk]["certificates"] == []


def test_growth_needs_the_calendar_year_before(world):
    factories.year(world.other, 2026, revenue=60_000_000)  # 2024 then 2026: no 2025
    assert profile_of(world.other, today=TODAY)["revenue_growth"] is None
    assert profile_of(world.other, today=TODAY)["revenue"] == 60_000_000


def test_carbon_grade_is_the_latest_graded_year(world):
    from green.greendata import build_green

    build_green(world)  # grades of 2024: own 1, sharing 2, other 4, leading 3
    frame = profile_frame(Enterprise.objects.filter(cluster=world.a), today=TODAY)
    grades = dict(zip(frame["enterprise_id"], frame["carbon_grade"], strict=True))
    assert grades == {world.own.pk: 1, world.sharing.pk: 2, world.other.pk: 4, world.leading.pk: 3}
    assert CarbonYear.objects.filter(enterprise=world.own).count() == 1
