"""The awards demo on a cluster whose programs demo left submitted applications: reviews,
two awards with tranches and one reversal, a rejection, an outcome report; the same again
after the cluster is deleted and loaded anew (the demo's reload)."""

from __future__ import annotations

from decimal import Decimal

from awarddata import make_application, make_program

import factories
from clusterbrain.awards import selectors
from clusterbrain.awards.demo import load_awards_demo
from clusterbrain.awards.models import (
    Account,
    AuditEvent,
    Decision,
    LedgerEntry,
    OutcomeReport,
    Review,
)


def demo_cluster():
    cluster = factories.cluster(slug="demo-awards", name_zh="演示", name_en="Demo", is_demo=True)
    program = make_program(cluster, budget="5000000.00")
    for i in range(5):
        firm = factories.enterprise(cluster, name_zh=f"演示企业{i}", name_en=f"Demo firm {i}")
        factories.year(firm, 2024, revenue=20_000_000 + i, output_value=1, employees=100 + i)
        make_application(program, firm, requested=f"{800000 + 100000 * i}.00")
    load_awards_demo(cluster, seed=2026)
    return cluster, program


def snapshot(program):
    return (
        [
            (e.kind, e.debit, e.credit, e.amount, e.tranche, e.reverses is not None)
            for e in LedgerEntry.objects.filter(program=program).order_by("pk")
        ],
        sorted(program.applications.values_list("status", flat=True)),
        sorted(
            Review.objects.filter(assignment__application__program=program).values_list(
                "score", flat=True
            )
        ),
    )


def test_demo_awards_and_reload(db):
    cluster, program = demo_cluster()
    b = selectors.balances(program)
    assert b[Account.AVAILABLE] + b[Account.COMMITTED] + b[Account.PAID] == program.budget
    assert b[Account.PAID] > 0 and b[Account.COMMITTED] > 0
    kinds = list(LedgerEntry.objects.filter(program=program).values_list("kind", flat=True))
    assert kinds.count("award") == 2 and kinds.count("reversal") == 1
    assert kinds.count("disbursement") == 4
    statuses = sorted(program.applications.values_list("status", flat=True))
    assert statuses == ["awarded", "awarded", "rejected", "submitted", "under_review"]
    reports = OutcomeReport.objects.filter(application__program=program)
    assert reports.count() == 2 and reports.filter(submitted_at__isnull=False).count() == 1
    assert AuditEvent.objects.filter(program=program, action="reversed").count() == 1
    assert (
        not AuditEvent.objects.filter(actor__isnull=False)
        .exclude(action__in=("declared", "reviewed"))
        .exists()
    )
    # every event dated when it happened, not when the demo was loaded
    for event in AuditEvent.objects.filter(program=program).select_related("entry"):
        if event.entry is not None:
            assert event.at == event.entry.created_at, event.action
    decided = {d.application_id: d.decided_at for d in Decision.objects.all()}
    for event in AuditEvent.objects.filter(action__in=("awarded", "rejected")):
        assert event.at == decided[event.application_id]
    first = snapshot(program)

    cluster.delete()  # the demo's reload deletes the cluster, cascading through the ledger
    assert not LedgerEntry.objects.exists()
    cluster, program = demo_cluster()
    assert snapshot(program) == first
    assert Decimal(0) < first[0][0][3]


def test_demo_without_programs_does_nothing(world):
    load_awards_demo(world.a, seed=1)
    assert not LedgerEntry.objects.exists()
