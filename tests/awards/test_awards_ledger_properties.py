"""Property test of the ledger: any sequence of budget postings, awards, disbursements and
reversals (refused ones included) keeps available + committed + paid equal to the budget
posted, no account negative, no application's committed or paid negative, nothing posted
beyond the program's budget, and leaves the ledger unchanged when a step is refused."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterbrain.awards import selectors, services
from clusterbrain.awards.models import Account, LedgerEntry, Review, ReviewAssignment
from clusterbrain.errors import InvalidInput

APPS = 3
_codes = itertools.count(1)

amounts = st.decimals(min_value=Decimal("-10"), max_value=Decimal("700000"), places=2)
step = st.one_of(
    st.tuples(st.just("budget"), amounts),
    st.tuples(st.just("award"), st.integers(0, APPS - 1), amounts),
    st.tuples(st.just("disburse"), st.integers(0, APPS - 1), amounts),
    st.tuples(st.just("reverse"), st.integers(0, 30)),
)


def check(program, apps):
    b = selectors.balances(program)
    posted = -b[Account.FUND_SOURCE]
    assert b[Account.AVAILABLE] + b[Account.COMMITTED] + b[Account.PAID] == posted
    assert posted <= program.budget
    assert all(b[a] >= 0 for a in (Account.AVAILABLE, Account.COMMITTED, Account.PAID))
    for app in apps:
        own = selectors.balances(program, application=app)
        assert own[Account.COMMITTED] >= 0 and own[Account.PAID] >= 0
        assert own[Account.AVAILABLE] <= 0 and own[Account.FUND_SOURCE] == 0


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=14))
def test_ledger_invariants_hold_for_any_sequence(world, steps):
    from awarddata import make_application, make_program

    office = world.users.office
    program = make_program(world.a, budget="1000000.00", code=f"p{next(_codes)}")
    reviewers = [world.users.association, office]
    apps = []
    for i, firm in enumerate((world.own, world.sharing, world.other)[:APPS]):
        app = make_application(program, firm, requested="800000.00", status="under_review")
        for r in reviewers:
            a = ReviewAssignment.objects.create(application=app, reviewer=r, conflict=False)
            Review.objects.create(assignment=a, score=Decimal(60 + i))
        apps.append(app)
    for s in steps:
        before = list(LedgerEntry.objects.filter(program=program).values_list("pk", "amount"))
        try:
            if s[0] == "budget":
                services.post_budget(office, program, amount=s[1])
            elif s[0] == "award":
                services.decide(office, apps[s[1]], outcome="award", amount=s[2])
            elif s[0] == "disburse":
                services.disburse(office, apps[s[1]], amount=s[2])
            else:
                entries = list(LedgerEntry.objects.filter(program=program).order_by("pk"))
                if entries:
                    services.reverse_entry(office, entries[s[1] % len(entries)], reason="test")
        except InvalidInput:
            after = list(LedgerEntry.objects.filter(program=program).values_list("pk", "amount"))
            assert after == before
        for app in apps:
            app.refresh_from_db()
        check(program, apps)
