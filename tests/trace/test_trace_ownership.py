"""Who owns a lot after firms' own captures (decision 0011): a receipt moves a lot to the
receiving firm only when its owner shipped it to one of the receiver's locations; a firm never
declares, outputs or rewrites the facts of a lot another firm owns or made."""

from __future__ import annotations

import pytest
from tracedata import CONTEXT, OTHER_SITE, OWN_MILL, OWN_SITE, body, declare, document, transform

import factories
from clusterbrain.accounts.models import Role
from clusterbrain.trace import services
from clusterbrain.trace.models import Event, Lot

pytestmark = pytest.mark.django_db

LOT = "urn:epc:class:lgtin:6901234.012345.T1"
VOC = CONTEXT + [{"cb": "https://clusterbrain.org/voc/"}]


@pytest.fixture
def other_user(world, places):
    return factories.user(Role.ENTERPRISE, enterprise=world.other, username="other-owner")


def _move(lot, step, site, time, destination=None):
    e = {
        "type": "ObjectEvent",
        "eventTime": time,
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": step,
        "epcList": [],
        "quantityList": [{"epcClass": lot, "quantity": 10, "uom": "KGM"}],
        "readPoint": {"id": site},
        "bizLocation": {"id": site},
    }
    if destination:
        e["destinationList"] = [
            {"type": "location", "destination": destination},
        ]
    return e


def _owner(key=LOT):
    return Lot.objects.get(key=key).owner_id


def test_a_receipt_without_a_shipment_leaves_the_owner(world, other_user):
    assert services.capture(world.users.enterprise, body(declare(LOT, 10))).success
    receipt = _move(LOT, "receiving", OTHER_SITE, "2026-05-04T08:00:00+08:00")
    outcome = services.capture(other_user, body(receipt))
    assert outcome.success  # the receiver's own record of what arrived is kept
    assert _owner() == world.own.pk
    # a shipment to another place (own's own site) does not count for other either
    shipment = _move(LOT, "shipping", OWN_SITE, "2026-05-05T08:00:00+08:00", OWN_SITE)
    assert services.capture(world.users.enterprise, body(shipment)).success
    receipt["eventTime"] = "2026-05-06T08:00:00+08:00"
    assert services.capture(other_user, body(receipt)).success
    assert _owner() == world.own.pk


def test_a_receipt_of_a_lot_shipped_to_the_receiver_moves_it(world, other_user):
    assert services.capture(world.users.enterprise, body(declare(LOT, 10))).success
    shipment = _move(LOT, "shipping", OWN_SITE, "2026-05-04T08:00:00+08:00", OTHER_SITE)
    assert services.capture(world.users.enterprise, body(shipment)).success
    assert _owner() == world.own.pk  # shipped, not yet received
    receipt = _move(LOT, "receiving", OTHER_SITE, "2026-05-05T08:00:00+08:00")
    assert services.capture(other_user, body(receipt)).success
    lot = Lot.objects.get(key=LOT)
    assert lot.owner == world.other and lot.location.uri == OTHER_SITE
    # own, no longer the owner, cannot take it back by receiving it itself
    back = _move(LOT, "receiving", OWN_SITE, "2026-05-06T08:00:00+08:00")
    assert services.capture(world.users.enterprise, body(back)).success
    assert _owner() == world.other.pk


def test_an_observation_in_a_later_capture_does_not_take_an_owned_lot(world, other_user):
    assert services.capture(world.users.enterprise, body(declare(LOT, 10))).success
    seen = _move(LOT, "inspecting", OTHER_SITE, "2026-05-04T08:00:00+08:00")
    assert services.capture(other_user, body(seen)).success
    assert _owner() == world.own.pk
    # nor for the platform: only a receipt moves a lot that has an owner
    seen["eventTime"] = "2026-05-05T08:00:00+08:00"
    assert services.capture(None, body(seen)).success
    assert _owner() == world.own.pk


@pytest.mark.parametrize("how", ["declare", "output"])
def test_making_another_firms_lot_is_refused_naming_the_field(world, other_user, how):
    ilmd = {"cb:deforestationFree": False}
    first = declare(LOT, 10, ilmd=ilmd)
    assert services.capture(None, document(first) | {"@context": VOC}).success
    before = Lot.objects.get(key=LOT)
    mine = "urn:epc:class:lgtin:6905555.012345.M1"
    if how == "declare":
        forged = declare(LOT, 1, OTHER_SITE, ilmd={"cb:deforestationFree": True})
        field = "quantityList/0/epcClass"
    else:
        forged = transform([(mine, 1)], [(LOT, 1)], OTHER_SITE)
        field = "outputQuantityList/0/epcClass"
    events = [declare(mine, 5, OTHER_SITE), forged]
    outcome = services.capture(other_user, document(*events) | {"@context": VOC})
    assert [(p.event, p.field, p.code) for p in outcome.problems] == [(1, field, "lot_not_yours")]
    assert Event.objects.count() == 1  # rollback: nothing of the document stored
    outcome = services.capture(
        other_user, document(*events) | {"@context": VOC}, error_behaviour="proceed"
    )
    assert outcome.stored == 1 and [p.code for p in outcome.problems] == ["lot_not_yours"]
    after = Lot.objects.get(key=LOT)
    assert after.owner == world.own and after.attributes == before.attributes
    assert after.declared == 10 and Lot.objects.get(key=mine).owner_id == world.other.pk


def test_the_maker_declares_its_own_lot_again(world, other_user):
    assert services.capture(world.users.enterprise, body(declare(LOT, 10))).success
    again = declare(LOT, 12, event_id="urn:uuid:00000000-0000-4000-8000-0000000000aa")
    assert services.capture(world.users.enterprise, body(again)).success
    assert Lot.objects.get(key=LOT).declared == 12


def test_over_http_a_claim_on_another_firms_lot_is_403_naming_it(world, other_user, client_for):
    from clusterbrain.accounts.auth import create_api_token

    assert services.capture(world.users.enterprise, body(declare(LOT, 10))).success
    _token, key = create_api_token(other_user)
    c = client_for(None, HTTP_AUTHORIZATION=f"Bearer {key}")
    r = c.post("/epcis/capture", body(declare(LOT, 1, OTHER_SITE)), content_type="application/json")
    assert r.status_code == 403, r.content
    [error] = r.json()["errors"]
    assert error["code"] == "lot_not_yours"
    assert error["loc"] == ["epcisBody", "eventList", 0, "quantityList", 0, "epcClass"]
    assert Event.objects.count() == 1 and _owner() == world.own.pk


def test_quantities_of_a_lot_nobody_owns_only_for_admins_and_its_clusters_office(world, places):
    from clusterbrain.trace import permissions, selectors

    nobodys = "urn:epc:class:lgtin:6909999.012345.N1"
    made = "urn:epc:class:lgtin:6901234.012345.N2"
    unregistered = declare(nobodys, 30, site="urn:epc:id:sgln:6909999.00001.0")
    assert services.capture(world.users.admin, body(unregistered)).success
    assert services.capture(None, body(transform([(nobodys, 30)], [(made, 20)], OWN_MILL))).success
    assert Lot.objects.get(key=nobodys).owner is None
    start = Lot.objects.get(key=made)

    def seen(user):
        rows = {r.key: r for r in selectors.trace(user, start, "back").rows}
        edges = {e.parent: e for e in selectors.trace(user, start, "back").edges}
        return rows[nobodys].quantity, edges[nobodys].amount

    assert seen(world.users.admin) == (30, 30)
    # the office of own's cluster sees own's lot, but not a lot no firm of its cluster holds
    assert seen(world.users.office) == (None, None)
    assert permissions.sees_quantities_of(world.users.office, None, world.a.pk)
    assert not permissions.sees_quantities_of(world.users.office_b, None, world.a.pk)
    assert not permissions.sees_quantities_of(world.users.office, None, None)


def test_a_shipment_committed_after_the_receipt_was_planned_still_moves_the_lot(
    world, other_user, monkeypatch
):
    """The lots' changes are worked out before the write lock (decision 0011); a receipt's claim
    reads the shipments then. The owner's shipment to the receiver commits after that read and
    before the receipt's write: the lot rows look the same (a shipment changes no stock), so
    the write plans the receipt again under the lock, where the shipment is seen, and the lot
    moves as it would have had the two come one after the other."""
    assert services.capture(world.users.enterprise, body(declare(LOT, 10))).success
    shipment = _move(LOT, "shipping", OWN_SITE, "2026-05-04T08:00:00+08:00", OTHER_SITE)
    plan_lots = services._plan_lots
    shipped: list[services.CaptureOutcome] = []
    plans: list[bool] = []

    def plan_then_the_shipment(*args, **kwargs):
        plan = plan_lots(*args, **kwargs)
        plans.append(plan.exact)
        if len(plans) == 1:  # the receipt's plan, made without the lock: now the owner ships
            shipped.append(services.capture(world.users.enterprise, body(shipment)))
        return plan

    monkeypatch.setattr(services, "_plan_lots", plan_then_the_shipment)
    receipt = _move(LOT, "receiving", OTHER_SITE, "2026-05-05T08:00:00+08:00")
    outcome = services.capture(other_user, body(receipt))
    assert shipped[0].success and outcome.success
    # the receipt's first plan read the shipments (none yet), so it was not exact
    assert plans[0] is False
    lot = Lot.objects.get(key=LOT)
    assert lot.owner == world.other and lot.location.uri == OTHER_SITE
