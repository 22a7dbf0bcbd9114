"""Reads of leading + matching: the explained candidate search, who sees which order, run
aggregates for coordinators, and the dashboard figures with small-aggregate suppression."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation
from matchingdata import order_data

import factories
from clusterbrain.errors import Forbidden, NotFound
from clusterbrain.matching import selectors, services
from clusterbrain.matching.models import Assignment

pytestmark = pytest.mark.django_db


def post(market, **changes):
    return services.post_order(market.users.buyer, market.leading, order_data(market, **changes))


def test_candidates_are_ranked_and_exclusions_explained(market):
    from clusterbrain.registry.models import Certification

    factories.role(market.world.other, "sewing", capacity=500)  # capable, but quotes nothing
    order = post(market, required_certificates=[Certification.Kind.LWG_SILVER])
    with translation.override("en"):
        search = selectors.candidates(order, market.users.buyer)
    assert [c.firm for c in search.eligible] == [market.near]
    near = search.eligible[0]
    assert near.rank == 1 and near.unit_price == 12 and near.free_capacity == 400
    assert near.covers == 1.0 and near.in_cluster and near.distance_km is not None
    assert near.certificates == ["lwg_silver"]
    why = {c.firm.pk: c.excluded for c in search.excluded}
    assert why[market.cheap.pk] == ["lacks LWG silver"]
    assert why[market.far.pk] == ["lacks LWG silver"]
    assert why[market.world.other.pk] == ["no price or no capacity in this link"]
    assert search.window is not None and search.window[0] == market.monday
    # The page leads with how many firms each reason excludes, most first.
    summary = dict(search.excluded_summary)
    assert summary["lacks LWG silver"] == 2
    assert summary["no price or no capacity in this link"] >= 1
    counts = [count for _reason, count in search.excluded_summary]
    assert counts == sorted(counts, reverse=True)


def test_candidates_rank_by_what_the_allocation_pays_and_name_price_and_dates(market):
    due = (market.monday + datetime.timedelta(days=6)).isoformat()
    order = post(market, target_unit_price="7.5", due_date=due)
    with translation.override("en"):
        search = selectors.candidates(order, market.users.buyer)
    why = {c.firm.pk: c.excluded for c in search.excluded}
    assert any("above the target" in text for text in why[market.near.pk])
    assert any("lead time of 1 week" in text for text in why[market.far.pk])
    order = post(market)
    ranked = [c.firm for c in selectors.candidates(order, market.users.buyer).eligible]
    assert ranked == [market.far, market.cheap, market.near]


def test_candidates_show_quotes_to_the_buyer_only(market):
    order = post(market)
    for user in (
        market.users.near,
        market.users.cheap,
        market.users.office,
        market.users.association,
        market.users.bank,
        None,
    ):
        with pytest.raises(NotFound):
            selectors.candidates(order, user)
    assert selectors.candidates(order, market.users.admin).eligible


def test_who_sees_which_order(market):
    order = post(market, quantity=100)
    services.run_allocation(market.users.office, market.cluster, market.monday, time_limit=5)
    for user in (market.users.far, market.users.near, market.users.office, market.users.bank, None):
        with pytest.raises(NotFound):
            selectors.get_order(order.pk, user)  # a proposal is offered to nobody yet
    services.confirm_proposal(market.users.buyer, order)
    view = selectors.get_order(order.pk, market.users.far)
    assert not view.as_buyer and len(view.assignments) == 1
    for user in (market.users.near, market.users.office, market.users.association, None):
        with pytest.raises(NotFound):
            selectors.get_order(order.pk, user)
    lists = selectors.orders_for(market.cluster, market.users.far)
    assert lists.placed == [] and [a.order for a in lists.offered] == [order]
    assert not lists.can_post
    lists = selectors.orders_for(market.cluster, market.users.buyer)
    assert lists.placed == [order] and lists.can_post and not lists.can_coordinate
    lists = selectors.orders_for(market.cluster, market.users.office)
    assert lists.placed == [] and lists.offered == [] and lists.can_coordinate


def test_run_views_are_aggregates_for_coordinators(market):
    post(market, link_code="cutting")
    post(market, quantity=100)
    run = services.run_allocation(
        market.users.association, market.cluster, market.monday, time_limit=5
    )
    view = selectors.get_run(run.pk, market.users.office)
    assert view.orders_met == 1 and view.orders_unmet == 1
    assert view.unmet_by_reason[0][0] == "no_eligible_supplier"
    assert view.placed_units == 100 and view.local_share == 0.0  # far is outside
    for user in (market.users.buyer, market.users.far, market.users.office_b, None):
        with pytest.raises(NotFound):
            selectors.get_run(run.pk, user)
    assert selectors.runs(market.cluster, market.users.buyer) == []


def test_the_supplier_desk_is_the_firms_own(market):
    desk = selectors.offers_of(market.near, market.users.near)
    assert [o.link.code for o in desk.offers] == ["sewing"]
    sewing = desk.offers[0].link_id
    assert desk.calendar[sewing][1] == 100  # next week
    for user in (market.users.cheap, market.users.association, market.users.office, None):
        with pytest.raises(Forbidden):
            selectors.offers_of(market.near, user)


def _taken(market, supplier, buyer, value, year_offset=0):
    from clusterbrain.matching.models import OutsourcingOrder

    order = OutsourcingOrder.objects.create(
        cluster=market.cluster,
        buyer=buyer,
        link=factories.link(market.cluster, "sewing"),
        product_category="boots",
        quantity=10,
        unit="pairs",
        target_unit_price=value / 10,
        earliest_start=datetime.date(2025, 1, 6),
        due_date=datetime.date(2025 + year_offset, 2, 28),
    )
    return Assignment.objects.create(
        order=order,
        supplier=supplier,
        quantity=10,
        unit_price=value / 10,
        status=Assignment.Status.COMPLETED,
    )


def test_figures_localisation_utilisation_and_smes_with_suppression(market, settings):
    settings.AGGREGATE_MIN_FIRMS = 2
    _taken(market, market.cheap, market.leading, 600)
    _taken(market, market.far, market.leading, 400)
    public = selectors.figures(market.cluster, None)
    # one leading buyer behind each part: withheld from the public, shown to the office
    assert public.suppressed_years == [2025] and public.rate is None
    assert public.per_leading_firm == []
    office = selectors.figures(market.cluster, market.users.office)
    assert office.rate == pytest.approx(0.6) and office.suppressed_years == []
    assert office.per_leading_firm[0][0] == market.leading
    assert office.per_leading_firm[0][1] == pytest.approx(0.6)
    second = factories.enterprise(market.cluster, is_leading=True)
    _taken(market, market.near, second, 1000)
    _taken(market, market.far, second, 1000)
    # the part bought outside the cluster rests on one supplier: still withheld
    assert selectors.figures(market.cluster, None).rate is None
    farther = factories.enterprise(market.cluster, in_cluster=False, size_class="large")
    _taken(market, farther, second, 1000)
    public = selectors.figures(market.cluster, None)
    assert public.rate == pytest.approx(1600 / 4000) and public.by_year == [(2025, 0.4)]
    assert public.smes_reached == 3  # all but the large firm
    # capacity utilisation: 3 suppliers in sewing, none holding work in the next weeks yet
    sewing = public.utilisation[0]
    assert sewing.link.code == "sewing" and sewing.suppliers == 3 and sewing.rate == 0.0
