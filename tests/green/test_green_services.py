"""Green services and selectors on a real database: footprint, field errors that change
nothing, one record per site and month, the import that writes all rows or none, grades,
the suppression of small aggregates and who may see what."""

from __future__ import annotations

import datetime

import pytest

from clusterbrain.errors import Forbidden, InvalidInput, NotFound
from clusterbrain.green import selectors, services
from clusterbrain.green.models import CarbonYear, ProductionRecord, WastewaterTest


def _locs(exc):
    return {e.loc[0] if len(e.loc) == 1 else e.loc for e in exc.value.errors}


def test_record_footprint_and_duplicate_month(world):
    import factories

    site = factories.facility(world.own)
    user = world.users.enterprise
    record = services.save_record(
        user,
        world.own,
        {
            "month": "2024-03",
            "facility": site.pk,
            "electricity_kwh": 1000,
            "coal_t": 1,
            "area_chrome_m2": 10,
        },
    )
    assert record.co2e_t == pytest.approx(0.5703 + 1.9003, abs=1e-4)
    assert record.energy_tce == pytest.approx(0.1229 + 0.7143, abs=1e-4)
    assert record.month == datetime.date(2024, 3, 1)
    with pytest.raises(InvalidInput) as exc:
        services.save_record(
            user, world.own, {"month": "2024-03-15", "facility": site.pk, "water_m3": 1}
        )
    assert _locs(exc) == {"month"}
    # the firm as a whole is another "site"
    services.save_record(user, world.own, {"month": "2024-03", "water_m3": 1})
    assert ProductionRecord.objects.count() == 2


def test_record_field_errors_change_nothing(world):
    user = world.users.enterprise
    future = (datetime.date.today() + datetime.timedelta(days=62)).strftime("%Y-%m")
    with pytest.raises(InvalidInput) as exc:
        services.save_record(
            user,
            world.own,
            {
                "month": future,
                "area_chrome_m2": -1,
                "water_m3": "x",
                "colour": "red",
                "facility": 999999,
            },
        )
    assert _locs(exc) == {"month", "area_chrome_m2", "water_m3", "colour", "facility"}
    with pytest.raises(InvalidInput) as exc:
        services.save_record(user, world.own, {"month": "2024-01"})
    assert _locs(exc) == {"area_chrome_m2"}  # an empty record
    with pytest.raises(InvalidInput) as exc:
        services.save_record(user, world.own, {"month": "2024-01", "output_quantity": 5})
    assert _locs(exc) == {"output_unit"}
    with pytest.raises(InvalidInput):
        services.save_record(user, world.own, {"month": "1999-12", "water_m3": 1})
    assert not ProductionRecord.objects.exists()


def test_another_firms_site_is_refused(world):
    import factories

    theirs = factories.facility(world.other)
    with pytest.raises(InvalidInput) as exc:
        services.save_record(
            world.users.enterprise,
            world.own,
            {"month": "2024-01", "water_m3": 1, "facility": theirs.pk},
        )
    assert _locs(exc) == {"facility"}


@pytest.mark.parametrize("who", ["office", "association", "bank", "office_b"])
def test_only_the_firm_writes(world, who):
    user = getattr(world.users, who)
    with pytest.raises(Forbidden):
        services.save_record(user, world.own, {"month": "2024-01", "water_m3": 1})
    with pytest.raises(Forbidden):
        services.add_test(
            user, world.own, {"sampled_on": "2024-01-05", "laboratory": "X", "cod_mg_l": 1}
        )
    with pytest.raises(Forbidden):
        services.set_carbon_year(user, world.own, 2024, {"value_added": 1})
    assert not ProductionRecord.objects.exists() and not WastewaterTest.objects.exists()
    assert not CarbonYear.objects.exists()


def test_a_firm_cannot_change_another_firms_record(world):
    record = services.save_record(
        world.users.admin, world.other, {"month": "2024-01", "water_m3": 1}
    )
    with pytest.raises(Forbidden):
        services.save_record(world.users.enterprise, world.other, {"water_m3": 5}, record)
    with pytest.raises(NotFound):  # a record of another firm passed under one's own firm
        services.save_record(world.users.enterprise, world.own, {"water_m3": 5}, record)
    with pytest.raises(Forbidden):
        services.delete_record(world.users.enterprise, record)
    record.refresh_from_db()
    assert record.water_m3 == 1


def test_wastewater_test_rules(world):
    user = world.users.enterprise
    test = services.add_test(
        user,
        world.own,
        {"sampled_on": "2024-04-10", "laboratory": "Lab", "discharge": "direct", "cod_mg_l": 150},
    )
    assert not test.compliant and test.exceeded == ["cod"] and test.cycle.code == "2024-04"
    ok = services.add_test(
        user, world.own, {"sampled_on": "2024-09-10", "laboratory": "Lab", "cod_mg_l": 150}
    )
    assert ok.compliant  # indirect: 300 mg/L
    with pytest.raises(InvalidInput) as exc:
        services.add_test(
            user,
            world.own,
            {
                "sampled_on": "2999-01-01",
                "laboratory": "",
                "discharge": "sea",
                "total_cr_mg_l": 0.1,
                "cr6_mg_l": 0.2,
            },
        )
    assert _locs(exc) == {"sampled_on", "laboratory", "discharge", "cr6_mg_l"}
    with pytest.raises(InvalidInput) as exc:
        services.add_test(user, world.own, {"sampled_on": "2024-01-01", "laboratory": "Lab"})
    assert _locs(exc) == {"total_cr_mg_l"}
    assert WastewaterTest.objects.count() == 2


def test_import_writes_every_row_or_none(world):
    user = world.users.enterprise
    rows = [
        {"month": "2024-01", "area_chrome_m2": 100, "water_m3": 5},
        {"month": "2024-02", "area_chrome_m2": -3},
        {"month": "2024-01", "water_m3": 2},
        {"month": "2024-03", "rainfall": 9, "water_m3": 1},
    ]
    with pytest.raises(InvalidInput) as exc:
        services.import_records(user, world.own, rows)
    assert {e.loc for e in exc.value.errors} == {
        ("row", 3, "area_chrome_m2"),
        ("row", 4, "month"),
        ("row", 5, "rainfall"),
    }
    assert not ProductionRecord.objects.exists()
    saved = services.import_records(user, world.own, [rows[0], {"month": "2024-02", "water_m3": 3}])
    assert len(saved) == 2
    # a second import of the same month replaces the figures
    services.import_records(user, world.own, [{"month": "2024-01", "water_m3": 9}])
    assert ProductionRecord.objects.get(month="2024-01-01").water_m3 == 9
    assert ProductionRecord.objects.count() == 2


def test_grades_known_answer_and_visibility(green):
    w = green.world
    table = selectors.cluster_grades(w.a, w.users.office)
    by_firm = {g.enterprise.pk: g for g in table.grades}
    assert by_firm[w.own.pk].grade == 1 and by_firm[w.own.pk].intensity == pytest.approx(0.12)
    assert by_firm[w.sharing.pk].grade == 2
    assert by_firm[w.leading.pk].grade == 3
    assert by_firm[w.other.pk].grade == 4
    assert by_firm[w.own.pk].benchmark == pytest.approx(0.30)
    # the firm sees its own grade; the association only where the member shares
    assert selectors.firm_grade(w.own, w.users.enterprise).grade == 1
    assert selectors.firm_grade(w.sharing, w.users.association).grade == 2
    for user in (w.users.association, w.users.bank, w.users.office_b, None):
        with pytest.raises(NotFound):
            selectors.firm_grade(w.own, user)
    for user in (w.users.enterprise, w.users.association, w.users.bank):
        with pytest.raises(Forbidden):
            selectors.cluster_grades(w.a, user)
    # published: anyone sees it
    services.set_carbon_year(
        w.users.enterprise, w.own, green.year, {"value_added": 10_000_000, "publishes_grade": True}
    )
    assert selectors.firm_grade(w.own, w.users.bank).grade == 1
    assert selectors.firm_grade(w.own, None).published


def test_incomplete_year_has_no_grade(green):
    w = green.world
    ProductionRecord.objects.filter(enterprise=w.other, month__month__gt=6).delete()
    by_firm = {g.enterprise.pk: g for g in selectors.cluster_grades(w.a, w.users.office).grades}
    assert by_firm[w.other.pk].grade is None and by_firm[w.other.pk].months == 6
    # the three complete firms: 120+240+360 over 3e7 → 0.24
    assert by_firm[w.own.pk].benchmark == pytest.approx(0.24)


def test_public_figures_and_suppression(green, settings):
    w = green.world
    public = selectors.figures(w.a, None)
    year = public.by_year[0]
    assert year.firms == 4 and year.chrome_free_share == pytest.approx(0.475)
    assert year.water_per_m2 == pytest.approx(40 / 1000)
    assert public.grade_distribution == {1: 1, 2: 1, 3: 1, 4: 1, 5: 0}
    assert public.firms == []  # per-firm rows: the office only
    settings.AGGREGATE_MIN_FIRMS = 5
    hidden = selectors.figures(w.a, w.users.enterprise)
    assert hidden.by_year[0].suppressed and hidden.by_year[0].chrome_free_share is None
    # an industry of fewer than k firms has no benchmark, so no firm is graded at all
    assert hidden.graded_firms == 0 and not hidden.grades_suppressed
    assert hidden.suppression_note
    office = selectors.figures(w.a, w.users.office)
    assert not office.by_year[0].suppressed and office.by_year[0].area_m2 == 48_000
    assert len(office.firms) == 4
    other_office = selectors.figures(w.a, w.users.office_b)
    assert other_office.by_year[0].suppressed and other_office.firms == []


def test_zdhc_and_compliance_figures(world, settings):
    from django.utils import timezone

    today = timezone.localdate()
    user = world.users.admin
    firms = [world.own, world.sharing, world.other]
    for firm in firms:
        services.save_record(user, firm, {"month": today.strftime("%Y-%m"), "water_m3": 10})
    services.add_test(
        user, world.own, {"sampled_on": today.isoformat(), "laboratory": "L", "total_cr_mg_l": 0.5}
    )
    services.add_test(
        user,
        world.sharing,
        {"sampled_on": today.isoformat(), "laboratory": "L", "total_cr_mg_l": 3},
    )
    figures = selectors.figures(world.a, None)
    assert figures.expected_firms == 3 and figures.tested_firms == 2
    assert figures.tested_share == pytest.approx(2 / 3)
    assert figures.overdue_firms == 1
    # two firms tested: fewer than k = 3, the rate is withheld from the public
    assert figures.compliance_rate is None and figures.compliance_suppressed
    assert selectors.figures(world.a, world.users.office).compliance_rate == pytest.approx(0.5)
    settings.AGGREGATE_MIN_FIRMS = 2
    assert selectors.figures(world.a, None).compliance_rate == pytest.approx(0.5)


def test_grade_distribution_withheld_below_k_graded_firms(green, settings):
    w = green.world
    # k = 4 firms are graded, but the public distribution needs k graded firms: drop one year
    ProductionRecord.objects.filter(enterprise=w.other, month__month=12).delete()
    settings.AGGREGATE_MIN_FIRMS = 3
    figures = selectors.figures(w.a, None)
    assert figures.graded_firms == 3 and figures.grade_distribution is not None
    ProductionRecord.objects.filter(enterprise=w.sharing, month__month=12).delete()
    figures = selectors.figures(w.a, None)
    assert figures.graded_firms == 0  # two complete firms: no benchmark
    settings.AGGREGATE_MIN_FIRMS = 2
    figures = selectors.figures(w.a, None)
    assert figures.graded_firms == 2 and figures.grade_distribution is not None
    settings.AGGREGATE_MIN_FIRMS = 3
    assert selectors.figures(w.a, w.users.office).firms


def test_lwg_counts_come_from_verified_certificates(world):
    import factories

    factories.certification(world.own, "lwg_gold")
    factories.certification(world.sharing, "lwg_silver", verified=False)
    factories.certification(world.other, "lwg_bronze", valid_until=datetime.date(2000, 1, 1))
    factories.certification(world.leading, "green_factory_national")
    figures = selectors.figures(world.a, None)
    assert figures.lwg_firms == 1 and figures.lwg["lwg_gold"] == 1
    assert figures.green_factories == 1
