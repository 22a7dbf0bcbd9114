"""Concurrent awards from one budget on PostgreSQL: several threads, each on its own database
connection, award at the same moment; the program row's lock makes them queue, so the sum
committed never exceeds the budget and every refused award names the remaining budget."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from clusterbrain.awards import selectors, services
from clusterbrain.awards.models import Account, Decision, LedgerEntry
from clusterbrain.errors import InvalidInput

THREADS = 8


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row locks (select_for_update is a no-op and writers are serialised "
    "by the file lock); CI runs this with DATABASE_URL=postgresql://…",
)
def test_concurrent_awards_never_exceed_the_budget(transactional_db):
    from awarddata import make_application, make_program

    import factories
    from clusterbrain.accounts.models import Role
    from clusterbrain.awards.models import Review, ReviewAssignment

    cluster = factories.cluster(slug="race", name_zh="竞", name_en="Race")
    office = factories.user(Role.OFFICE, cluster=cluster, username="office-race")
    program = make_program(cluster, budget="1000000.00")
    services.post_budget(office, program)
    reviewers = [factories.user(Role.ASSOCIATION, cluster=cluster) for _ in range(2)]
    applications = []
    for i in range(THREADS):
        firm = factories.enterprise(cluster, name_zh=f"竞争{i}", name_en=f"Racer {i}")
        app = make_application(program, firm, requested="300000.00", status="under_review")
        for r in reviewers:
            a = ReviewAssignment.objects.create(application=app, reviewer=r, conflict=False)
            Review.objects.create(assignment=a, score=Decimal("80.00"))
        applications.append(app)

    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = [None] * THREADS

    def award(i: int) -> None:
        try:
            barrier.wait()
            services.decide(office, applications[i], outcome="award", amount="300000")
            outcomes[i] = "awarded"
        except InvalidInput as exc:
            outcomes[i] = exc
        except Exception as exc:  # reported below, never swallowed
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=award, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    refused = [o for o in outcomes if isinstance(o, InvalidInput)]
    others = [o for o in outcomes if o != "awarded" and not isinstance(o, InvalidInput)]
    assert not others, others
    assert outcomes.count("awarded") == 3 and len(refused) == THREADS - 3
    for exc in refused:
        assert exc.errors[0].loc == ("amount",)
        assert "100,000.00" in exc.detail  # what was left when its turn came
    committed = sum(
        LedgerEntry.objects.filter(kind="award").values_list("amount", flat=True), Decimal(0)
    )
    assert committed == Decimal("900000.00") <= program.budget
    assert Decision.objects.count() == 3
    b = selectors.balances(program)
    assert b[Account.AVAILABLE] == Decimal("100000.00")
    assert b[Account.AVAILABLE] + b[Account.COMMITTED] + b[Account.PAID] == program.budget
