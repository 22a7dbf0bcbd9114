"""Exhibition groups with a real database: sign-up, allocation (automatic and by hand), leads
and the closing report; every refusal names its field and changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

import factories
from clusterbrain.errors import Forbidden, InvalidInput, NotFound
from clusterbrain.exhibitions import selectors, services
from clusterbrain.exhibitions.models import BoothAssignment, Exhibition, Lead, SignUp

pytestmark = pytest.mark.django_db


def open_fair(fair):
    """Move the fair so that it is on today (sign-up closed, leads may be recorded)."""
    today = timezone.localdate()
    fair.signup_deadline = today - datetime.timedelta(days=3)
    fair.starts_on = today - datetime.timedelta(days=1)
    fair.ends_on = today + datetime.timedelta(days=1)
    fair.save()
    return fair


def state():
    return (
        Exhibition.objects.count(),
        SignUp.objects.count(),
        BoothAssignment.objects.count(),
        Lead.objects.count(),
    )


def refused(fn, *args, **kwargs) -> InvalidInput:
    before = state()
    with pytest.raises(InvalidInput) as caught:
        fn(*args, **kwargs)
    assert state() == before
    return caught.value


def locs(exc):
    return sorted(e.loc for e in exc.errors)


def firm_user(firm, name):
    return factories.user("enterprise", enterprise=firm, username=name)


def test_create_refuses_bad_fields(world):
    today = timezone.localdate()
    exc = refused(
        services.create_exhibition,
        world.users.association,
        world.a,
        name_zh="",
        venue="Fiera",
        city_zh="米兰",
        country="IT",
        scope="domestic",
        starts_on=today,
        ends_on=today - datetime.timedelta(days=1),
        signup_deadline=today + datetime.timedelta(days=1),
        booth_fee="-5",
    )
    assert locs(exc) == [
        ("booth_fee",),
        ("ends_on",),
        ("name_zh",),
        ("scope",),
        ("signup_deadline",),
    ]
    with pytest.raises(Forbidden):
        services.create_exhibition(
            world.users.office,
            world.a,
            name_zh="x",
            venue="x",
            city_zh="x",
            country="CN",
            scope="domestic",
            starts_on=today,
            ends_on=today,
            signup_deadline=today,
            booth_fee="1",
        )


def test_booth_plan_rows_are_named(world, fair):
    exc = refused(
        services.add_booths,
        world.users.association,
        fair,
        [
            {"code": "C01", "area_m2": "9"},
            {"code": "A01", "area_m2": "9"},
            {"code": "c01", "area_m2": "x"},
        ],
    )
    assert locs(exc) == [("booths", 1, "code"), ("booths", 2, "area_m2"), ("booths", 2, "code")]


def test_sign_up_rules(world, fair):
    own = world.users.enterprise
    s = services.sign_up(own, fair, enterprise=world.own, booths_requested=2, preferred_zone="B")
    assert s.products == [] and s.booths_requested == 2
    assert locs(refused(services.sign_up, own, fair, enterprise=world.own)) == [("enterprise",)]
    with pytest.raises(Forbidden):  # a firm signs only itself up
        services.sign_up(own, fair, enterprise=world.sharing)
    assoc = world.users.association
    exc = refused(
        services.sign_up,
        assoc,
        fair,
        enterprise=world.sharing,
        booths_requested=0,
        preferred_zone="Z",
        area_requested="abc",
    )
    assert locs(exc) == [("area_requested",), ("booths_requested",), ("preferred_zone",)]
    exc = refused(services.sign_up, world.users.admin, fair, enterprise=world.outsider)
    assert locs(exc) == [("enterprise",)]


def test_sign_up_after_the_deadline_is_refused(world, fair):
    fair.signup_deadline = timezone.localdate() - datetime.timedelta(days=1)
    fair.save()
    exc = refused(services.sign_up, world.users.enterprise, fair, enterprise=world.own)
    assert locs(exc) == [("signup_deadline",)] and fair.signup_deadline.isoformat() in str(
        exc.errors[0].msg
    )


def test_allocation_members_first_then_order_and_manual_override(world, fair):
    assoc = world.users.association
    # `other` is not a member and signs up first; members are still served first
    first = services.sign_up(assoc, fair, enterprise=world.other, booths_requested=2)
    services.sign_up(assoc, fair, enterprise=world.own, booths_requested=2, preferred_zone="B")
    services.sign_up(assoc, fair, enterprise=world.sharing, booths_requested=1, preferred_zone="A")
    result = services.allocate_booths(assoc, fair)
    assert result.unmet == {first.pk: 1}
    plan = {b.code: b.assignment.signup.enterprise for b in selectors.booth_plan(fair)}
    assert plan["B01"] == plan["B02"] == world.own
    assert world.sharing in (plan["A01"], plan["A02"])
    # by hand: a taken booth is refused naming its holder; a firm not signed up is refused
    exc = refused(services.assign_booth, assoc, fair, booth_code="B01", enterprise=world.other)
    assert locs(exc) == [("booth",)] and world.own.name in exc.errors[0].msg
    exc = refused(services.assign_booth, assoc, fair, booth_code="A01", enterprise=world.leading)
    assert ("enterprise",) in locs(exc)
    exc = refused(services.assign_booth, assoc, fair, booth_code="Q9", enterprise=world.other)
    assert locs(exc) == [("booth",)]
    services.free_booth(assoc, fair, booth_code="b01")
    services.assign_booth(assoc, fair, booth_code="B01", enterprise=world.other)
    # a new automatic run keeps the hand-placed booth
    services.allocate_booths(assoc, fair)
    b01 = BoothAssignment.objects.get(booth__code="B01")
    assert b01.signup.enterprise == world.other and b01.method == "manual"
    assert BoothAssignment.objects.count() == 4
    with pytest.raises(Forbidden):
        services.allocate_booths(world.users.enterprise, fair)


def test_allocation_without_sign_ups_or_after_the_fair(world, fair):
    assoc = world.users.association
    assert locs(refused(services.allocate_booths, assoc, fair)) == [("signups",)]
    services.sign_up(assoc, fair, enterprise=world.own)
    fair.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    fair.starts_on = fair.signup_deadline = fair.ends_on
    fair.save()
    assert locs(refused(services.allocate_booths, assoc, fair)) == [("exhibition",)]


def test_leads_are_the_firms_own(world, fair, settings):
    own, assoc = world.users.enterprise, world.users.association
    s_own = services.sign_up(own, fair, enterprise=world.own)
    s_sharing = services.sign_up(assoc, fair, enterprise=world.sharing)
    lead = {"buyer_company": "Moskva Kozha", "country": "ru", "contact_email": "a@b.ru"}
    exc = refused(services.record_lead, own, s_own, lead)
    assert locs(exc) == [("exhibition",)]  # the fair has not opened
    open_fair(fair)
    s_own.exhibition.refresh_from_db()
    x = services.record_lead(own, s_own, lead)
    assert x.country == "RU"
    # over-long texts and too many products are refused by field, not cut
    long = {**lead, "notes": "n" * 2001, "contact_name": "c" * 121}
    long["products"] = [f"product {i}" for i in range(31)]
    assert locs(refused(services.record_lead, own, s_own, long)) == [
        ("contact_name",),
        ("notes",),
        ("products",),
    ]
    with pytest.raises(InvalidInput):
        services.update_follow_up(own, x, follow_up="contacted", notes="n" * 2001)
    x.refresh_from_db()
    assert x.follow_up != "contacted" and x.notes == ""
    exc = refused(
        services.record_lead,
        own,
        s_own,
        {"buyer_company": "", "country": "Russia", "contact_email": "nope", "interest": "huge"},
    )
    assert locs(exc) == [("buyer_company",), ("contact_email",), ("country",), ("interest",)]
    sharing_user = firm_user(world.sharing, "sharing-user")
    s_sharing.exhibition.refresh_from_db()
    services.record_lead(sharing_user, s_sharing, {"buyer_company": "Seoul", "country": "KR"})
    services.record_lead(sharing_user, s_sharing, {"buyer_company": "Berlin", "country": "RU"})
    # nobody else reads or writes a firm's leads: not the association, not another firm
    for user in (assoc, world.users.office, sharing_user, world.users.bank):
        with pytest.raises(NotFound):
            selectors.leads(user, s_own)
        with pytest.raises(NotFound):
            services.record_lead(user, s_own, lead)
    with pytest.raises(NotFound):
        services.update_follow_up(assoc, x, follow_up="quoted")
    assert [y.buyer_company for y in selectors.leads(own, s_own)] == ["Moskva Kozha"]
    services.update_follow_up(own, x, follow_up="quoted")
    assert locs(refused(services.update_follow_up, own, x, follow_up="married")) == [("follow_up",)]
    # the association's report counts by country, names no buyer
    settings.AGGREGATE_MIN_FIRMS = 2  # RU's leads come from two firms, KR's from one
    report = selectors.closing_report(assoc, fair)
    assert report.leads_total == 3 and report.leads_by_country == [("RU", 2), ("", 1)]
    settings.AGGREGATE_MIN_FIRMS = 3
    report = selectors.closing_report(assoc, fair)
    assert report.leads_total is None and report.leads_by_country == []
    for who in (own, world.users.office_b, world.users.bank):
        with pytest.raises(Forbidden):
            selectors.closing_report(who, fair)


def test_report_totals_and_fees(world, fair):
    assoc = world.users.association
    services.sign_up(assoc, fair, enterprise=world.own, booths_requested=3)
    services.sign_up(assoc, fair, enterprise=world.sharing, booths_requested=3)
    services.allocate_booths(assoc, fair)
    r = selectors.closing_report(world.users.office, fair)
    assert r.booths_given == r.booths_total == 4 and r.unmet == 2
    assert r.fees_total == fair.booth_fee * 4
    assert str(r.fees_total) == "27200.00"


def test_a_firm_sees_only_its_own_sign_up(world, fair):
    assoc = world.users.association
    services.sign_up(assoc, fair, enterprise=world.own)
    services.sign_up(assoc, fair, enterprise=world.sharing)
    assert [s.enterprise for s in selectors.signups(world.users.enterprise, fair)] == [world.own]
    assert len(selectors.signups(world.users.office, fair)) == 2
    with pytest.raises(Forbidden):
        selectors.signups(world.users.bank, fair)


def test_withdraw_before_the_fair(world, fair):
    own = world.users.enterprise
    s = services.sign_up(own, fair, enterprise=world.own)
    services.allocate_booths(world.users.association, fair)
    services.withdraw(own, s)
    assert not SignUp.objects.exists() and not BoothAssignment.objects.exists()
