"""Leading + matching services on a real database: orders, offers and calendars, allocation
runs through the engine with their reasons, the workflow to delivery, and refusals that change
nothing."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation
from matchingdata import order_data

from clusterbrain.errors import Forbidden, InvalidInput, NotFound
from clusterbrain.matching import selectors, services
from clusterbrain.matching.models import (
    AllocationRun,
    Assignment,
    CapacityWeek,
    Notification,
    OutsourcingOrder,
    SupplierOffer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the default language is Chinese)."""
    with translation.override("en"):
        yield


def post(market, **changes):
    return services.post_order(market.users.buyer, market.leading, order_data(market, **changes))


def run(market, user=None, **kwargs):
    kwargs.setdefault("time_limit", 5)
    return services.run_allocation(
        user or market.users.office, market.cluster, market.monday.isoformat(), **kwargs
    )


def parts(order):
    return {
        a.supplier_id: a.quantity for a in order.assignments.filter(status__in=Assignment.HOLDING)
    }


def fields_of(exc):
    return {e.loc[0] for e in exc.value.errors}


# --- orders ----------------------------------------------------------------------------------


def test_a_leading_firm_posts_an_order(market):
    order = post(market, required_certificates=["lwg_silver"], quality_tier="premium")
    assert order.status == OutsourcingOrder.Status.OPEN
    assert order.unit == "pieces"  # the link's unit when none is given
    assert order.required_certificates == ["lwg_silver"]
    assert order.buyer == market.leading and order.cluster == market.cluster


def test_bad_order_input_names_every_field_and_saves_nothing(market):
    with pytest.raises(InvalidInput) as exc:
        post(
            market,
            link_code="nowhere",
            quantity=-3,
            target_unit_price="abc",
            required_certificates=["lwg_platinum"],
            quality_tier="luxury",
            splittable="maybe",
            colour="red",
        )
    assert fields_of(exc) == {
        "link_code",
        "quantity",
        "target_unit_price",
        "required_certificates",
        "quality_tier",
        "splittable",
        "colour",
    }
    assert not OutsourcingOrder.objects.exists()


@pytest.mark.parametrize(
    "start_days, due_days, message",
    [
        (10, 3, "before the earliest start"),
        (0, 5, "no whole week"),  # Monday to Saturday: no Sunday inside
        (-30, -10, "in the past"),
    ],
)
def test_impossible_dates_are_refused_with_the_reason(market, start_days, due_days, message):
    with pytest.raises(InvalidInput) as exc:
        post(
            market,
            earliest_start=(market.monday + datetime.timedelta(days=start_days)).isoformat(),
            due_date=(market.monday + datetime.timedelta(days=due_days)).isoformat(),
        )
    assert fields_of(exc) == {"due_date"}
    assert message in exc.value.detail
    assert not OutsourcingOrder.objects.exists()


def test_only_the_leading_firms_own_users_post(market):
    users = market.users
    for user in (users.near, users.office, users.association, users.bank, None):
        with pytest.raises(Forbidden):
            services.post_order(user, market.leading, order_data(market))
    # a supplier is not a leading firm, even for itself
    with pytest.raises(Forbidden):
        services.post_order(users.near, market.near, order_data(market))
    assert not OutsourcingOrder.objects.exists()


# --- offers and capacity ---------------------------------------------------------------------


def test_offers_and_calendars_are_the_firms_own(market):
    for user in (market.users.association, market.users.office, market.users.cheap, None):
        with pytest.raises(Forbidden):
            services.set_offer(user, market.near, {"link_code": "sewing", "unit_price": "1"})
        with pytest.raises(Forbidden):
            services.set_capacity(user, market.near, "sewing", {market.monday.isoformat(): 5})
    assert SupplierOffer.objects.get(enterprise=market.near).unit_price == 12


def test_bad_offer_and_calendar_input_changes_nothing(market):
    user = market.users.near
    with pytest.raises(InvalidInput) as exc:
        services.set_offer(
            user, market.near, {"link_code": "sewing", "unit_price": "-1", "lead_weeks": 99}
        )
    assert fields_of(exc) == {"unit_price", "lead_weeks"}
    before = CapacityWeek.objects.filter(enterprise=market.near).count()
    with pytest.raises(InvalidInput) as exc:
        services.set_capacity(
            user,
            market.near,
            "sewing",
            {"2026-W99": 5, market.monday.isoformat(): -1, "2030-01-07": 3},
        )
    assert {e.loc for e in exc.value.errors} == {
        ("weeks", "2026-W99"),
        ("weeks", market.monday.isoformat()),
        ("weeks", "2030-01-07"),
    }
    assert CapacityWeek.objects.filter(enterprise=market.near).count() == before
    assert SupplierOffer.objects.get(enterprise=market.near).unit_price == 12
    # ISO week keys and clearing a week
    iso = market.monday.strftime("%G-W%V")
    services.set_capacity(user, market.near, "sewing", {iso: 0})
    assert not CapacityWeek.objects.filter(enterprise=market.near, week=market.monday).exists()


# --- allocation ------------------------------------------------------------------------------


def test_the_run_takes_the_cheapest_supplier_within_capacity(market):
    order = post(market)
    result = run(market)
    assert result.status == "optimal" and result.gap is not None and result.gap <= 1e-4
    order.refresh_from_db()
    assert order.status == OutsourcingOrder.Status.PROPOSED
    # far: 9 + transport beats cheap's 10 less the 5% local bonus; its lead week leaves 3 weeks
    assert parts(order) == {market.far.pk: 300}
    weeks = sorted(w.week for a in order.assignments.all() for w in a.weeks.all())
    assert weeks and max(weeks) <= market.monday + datetime.timedelta(weeks=2)
    assert Notification.objects.filter(user=market.users.buyer, kind="proposal").count() == 1


def test_in_cluster_only_and_capacity_split(market):
    order = post(market, local_preference="only")
    run(market)
    # cheap gives all it has (60 a week × 4), near the rest
    assert parts(order) == {market.cheap.pk: 240, market.near.pk: 60}


def test_certificates_tier_and_unsplittable_orders(market):
    lwg = post(market, required_certificates=["lwg_silver"])  # gold meets silver
    premium = post(market, quality_tier="premium", quantity=50)
    whole = post(market, splittable=False, local_preference="only", quantity=120)
    run(market)
    assert parts(lwg) == {market.near.pk: 300}
    assert parts(premium) == {market.near.pk: 50}
    assert len(parts(whole)) == 1 and sum(parts(whole).values()) == 120


def test_unmet_orders_say_which_constraint_binds(market):
    no_supplier = post(market, link_code="cutting")
    too_big = post(market, local_preference="only", quantity=5000)
    run(market)
    no_supplier.refresh_from_db()
    too_big.refresh_from_db()
    assert no_supplier.unmet_reason == "no_eligible_supplier"
    assert no_supplier.unmet_quantity == 300
    assert no_supplier.status == OutsourcingOrder.Status.OPEN
    assert too_big.unmet_reason == "capacity_in_window"
    assert too_big.unmet_excluded.get("certificate") == 1  # far is outside the cluster
    view = selectors.get_order(too_big.pk, market.users.buyer)
    assert "too little capacity" in view.unmet_text and "Excluded: 1 not meeting" in view.unmet_text
    assert Notification.objects.filter(order=no_supplier, kind="unmet").exists()


def test_dates_outside_the_period_bind(market):
    # posted long ago: now its due date falls in the period's first week, before a week ends
    order = post(market)
    OutsourcingOrder.objects.filter(pk=order.pk).update(
        earliest_start=market.monday - datetime.timedelta(weeks=3),
        due_date=market.monday + datetime.timedelta(days=2),
    )
    run(market)
    order.refresh_from_db()
    assert order.unmet_reason == "invalid_dates"


def test_a_run_needs_a_coordinator_and_valid_input(market):
    post(market)
    for user in (market.users.buyer, market.users.near, market.users.bank, market.users.office_b):
        with pytest.raises(Forbidden):
            run(market, user)
    with pytest.raises(InvalidInput) as exc:
        services.run_allocation(
            market.users.office, market.cluster, "soon", weeks=0, time_limit=-1, method="magic"
        )
    assert fields_of(exc) == {"period_start", "weeks", "time_limit", "method"}
    with pytest.raises(InvalidInput) as exc:
        services.run_allocation(market.users.office, market.cluster, "2001-01-01", weeks=4)
    assert fields_of(exc) == {"period_start"}  # no order in that period
    assert not AllocationRun.objects.exists()
    run(market, market.users.association)  # association staff of the cluster may


# --- the workflow ----------------------------------------------------------------------------


def test_journey_confirm_decline_reoptimise_deliver_inspect(market):
    users = market.users
    order = post(market, local_preference="only")
    run(market)
    proposal = {a.supplier_id: a for a in order.assignments.filter(status="proposed")}
    cheap, near = proposal[market.cheap.pk], proposal[market.near.pk]
    # suppliers see nothing of a proposal before the buyer confirms it
    with pytest.raises(NotFound):
        selectors.get_order(order.pk, users.cheap)
    with pytest.raises(NotFound):
        services.accept_assignment(users.cheap, cheap)
    # the buyer lowers near's part and confirms: both are offered
    services.confirm_proposal(users.buyer, order, {near.pk: 40})
    order.refresh_from_db()
    assert order.status == OutsourcingOrder.Status.CONFIRMED
    assert parts(order) == {market.cheap.pk: 240, market.near.pk: 40}
    assert Notification.objects.filter(user=users.cheap, kind="offered").exists()
    # a supplier sees its own part only: no competitor, and not the target price
    view = selectors.get_order(order.pk, users.cheap)
    assert not view.as_buyer and [a.supplier_id for a in view.assignments] == [market.cheap.pk]
    # near declines: only this order is re-planned, cheap's part stays, near is left out
    services.accept_assignment(users.cheap, cheap)
    services.decline_assignment(users.near, near, "machines down")
    order.refresh_from_db()
    assert Assignment.objects.get(pk=cheap.pk).status == "accepted"
    assert Notification.objects.filter(user=users.buyer, kind="declined").exists()
    assert AllocationRun.objects.filter(kind="reoptimise").count() == 1
    # in-cluster only, near declined, cheap's capacity is its own part: the rest stays unmet
    assert not order.assignments.filter(status="proposed").exists()
    assert order.status == OutsourcingOrder.Status.IN_PROGRESS
    assert order.unmet_reason == "no_eligible_supplier" and order.unmet_quantity == 60
    assert order.unmet_excluded == {"category": 1, "certificate": 2}
    # progress, delivery, inspection
    services.report_progress(users.cheap, cheap, 120, "half way")
    with pytest.raises(InvalidInput) as exc:
        services.report_progress(users.cheap, cheap, 999)
    assert fields_of(exc) == {"produced"}
    services.record_delivery(users.cheap, cheap, datetime.date.today().isoformat(), 240)
    with pytest.raises(NotFound):
        services.inspect_delivery(users.cheap, Assignment.objects.get(pk=cheap.pk), True)
    services.inspect_delivery(users.buyer, Assignment.objects.get(pk=cheap.pk), True, note="ok")
    history = selectors.supplier_history([market.cheap.pk])[market.cheap.pk]
    assert (history.deliveries, history.on_time, history.quality) == (1, 1.0, 1.0)
    order.refresh_from_db()
    assert order.status == OutsourcingOrder.Status.COMPLETED
    assert Notification.objects.filter(user=users.cheap, kind="inspected").exists()


def test_a_decline_that_can_be_re_placed_goes_to_another_supplier(market):
    users = market.users
    order = post(market, quantity=100)
    run(market)
    far = order.assignments.get(status="proposed")
    assert far.supplier == market.far
    services.confirm_proposal(users.buyer, order)
    services.decline_assignment(users.far, far)
    order.refresh_from_db()
    assert parts(order) == {market.cheap.pk: 100}
    assert order.status == OutsourcingOrder.Status.PROPOSED


def test_workflow_refusals_change_nothing(market):
    users = market.users
    order = post(market)
    with pytest.raises(InvalidInput):
        services.confirm_proposal(users.buyer, order)  # no proposal yet
    run(market)
    far = order.assignments.get(status="proposed")
    for user in (users.near, users.office, users.association, None):
        with pytest.raises(NotFound):
            services.confirm_proposal(user, order)
    with pytest.raises(InvalidInput) as exc:
        services.confirm_proposal(users.buyer, order, {far.pk: 999, 123456: 1})
    assert {e.loc for e in exc.value.errors} == {
        ("quantities", str(far.pk)),
        ("quantities", "123456"),
    }
    with pytest.raises(InvalidInput):
        services.confirm_proposal(users.buyer, order, {far.pk: 0})  # nobody left
    far.refresh_from_db()
    assert far.status == "proposed" and far.quantity == 300
    services.confirm_proposal(users.buyer, order)
    with pytest.raises(NotFound):
        services.accept_assignment(users.near, far)  # not its assignment
    with pytest.raises(InvalidInput) as exc:
        services.record_delivery(users.far, far, "2020-01-01", 10)  # not yet accepted
    assert fields_of(exc) == {"status"}
    services.accept_assignment(users.far, far)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(InvalidInput) as exc:
        services.record_delivery(users.far, far, tomorrow.isoformat(), 400)
    assert fields_of(exc) == {"delivered_on", "quantity"}
    with pytest.raises(InvalidInput):
        services.cancel_order(users.buyer, order)  # accepted: too late
    assert Assignment.objects.get(pk=far.pk).status == "accepted"


def test_cancelling_withdraws_offers(market):
    order = post(market, quantity=100)
    run(market)
    services.confirm_proposal(market.users.buyer, order)
    services.cancel_order(market.users.buyer, order)
    order.refresh_from_db()
    assert order.status == OutsourcingOrder.Status.CANCELLED
    assert set(order.assignments.values_list("status", flat=True)) == {"withdrawn"}
    assert Notification.objects.filter(user=market.users.far, kind="withdrawn").exists()


def test_notifications_are_read_by_their_user_only(market):
    post(market)
    run(market)
    note = Notification.objects.get(user=market.users.buyer)
    with pytest.raises(NotFound):
        services.mark_read(market.users.near, note.pk)
    assert selectors.unread_count(market.users.buyer) == 1
    assert "proposal" in selectors.notifications(market.users.buyer)[0].text
    assert services.mark_read(market.users.buyer) == 1
    assert selectors.unread_count(market.users.buyer) == 0


def test_the_allocate_verb(market, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    post(market, quantity=100)
    call_command("matching", "allocate", "--cluster", "alpha", "--from", market.monday.isoformat())
    assert "optimal" in capsys.readouterr().out
    with pytest.raises(CommandError) as exc:
        call_command("matching", "allocate", "--cluster", "alpha", "--from", "2001-01-01")
    assert exc.value.returncode == 2
    with pytest.raises(CommandError):
        call_command("matching", "allocate", "--cluster", "alpha", "--from", "soon")
