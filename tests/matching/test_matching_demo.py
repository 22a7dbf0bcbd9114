"""The demo build includes leading + matching: offers, capacity calendars, open orders with a
run's proposals (some confirmed, so a supplier has an offer to answer), past deliveries, and a
supplier login printed with the others."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_cluster_has_orders_calendars_and_a_supplier_login():
    from clusterbrain.demo.loader import load_demo
    from clusterbrain.demo.users import planned_logins
    from clusterbrain.matching.models import (
        AllocationRun,
        Assignment,
        CapacityWeek,
        OutsourcingOrder,
        SupplierOffer,
    )

    load_demo(["wenzhou"])
    orders = OutsourcingOrder.objects.filter(cluster__slug="wenzhou")
    assert orders.filter(status__in=("proposed", "confirmed", "open")).count() >= 10
    assert orders.filter(status="completed").exists()
    assert SupplierOffer.objects.filter(enterprise__cluster__slug="wenzhou").count() >= 20
    assert CapacityWeek.objects.filter(enterprise__cluster__slug="wenzhou").count() >= 300
    # a run that placed the orders (proven optimal in well under its 10 s, but on a machine
    # loaded enough the limit can end it first with a feasible solution: no timing here)
    run = AllocationRun.objects.filter(cluster__slug="wenzhou").first()
    assert (
        run is not None and run.status in ("optimal", "feasible", "heuristic") and run.objective > 0
    )
    assert Assignment.objects.filter(order__cluster__slug="wenzhou", status="offered").exists()
    assert orders.filter(unmet_reason="no_eligible_supplier").exists()
    logins = {login.username: values for login, values in planned_logins()}
    assert logins["firm-wenzhou-1"]["enterprise"].is_leading
    supplier = logins["supplier-wenzhou"]["enterprise"]
    assert Assignment.objects.filter(supplier=supplier, status="offered").exists()
