"""Review, decisions and the ledger through the services, on a real database: the invariants,
the forbidden paths and refused input (nothing changed)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from awarddata import reviewed
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import translation

from clusterbrain.accounts.models import Role
from clusterbrain.awards import selectors, services
from clusterbrain.awards.models import (
    Account,
    AuditEvent,
    Decision,
    ImmutableRecord,
    LedgerEntry,
    OutcomeReport,
)
from clusterbrain.errors import Forbidden, InvalidInput, NotFound

D = Decimal


def state():
    """Everything a refused call must leave as it was."""
    from clusterbrain.awards.models import Review, ReviewAssignment
    from clusterbrain.programs.models import Application

    return (
        list(LedgerEntry.objects.values_list("pk", "amount")),
        list(Decision.objects.values_list("pk", flat=True)),
        list(Application.objects.order_by("pk").values_list("status", flat=True)),
        ReviewAssignment.objects.count(),
        Review.objects.count(),
        AuditEvent.objects.count(),
    )


def award(grant, application, amount, budget=True):
    if budget and not LedgerEntry.objects.filter(program=grant.program, kind="budget").exists():
        services.post_budget(grant.office, grant.program)
    reviewed(grant, application)
    return services.decide(grant.office, application, outcome="award", amount=amount)


# --- review ------------------------------------------------------------------------------------


def test_review_flow_scores_weighted_mean_and_moves_status(grant):
    app = grant.apps.own
    reviewed(grant, app)
    assert app.status == "under_review"
    # (2*8/10 + 1*4/5)/3*100 = 80.00; (2*6/10 + 1*5/5)/3*100 = 73.33
    scores = sorted(row.review.score for row in selectors._review_rows(app) if row.review)
    assert scores == [D("73.33"), D("80.00")]
    assert selectors.application_score(app) == D("76.67")
    actions = list(AuditEvent.objects.filter(application=app).values_list("action", flat=True))
    assert actions.count("assigned") == 2 and actions.count("declared") == 2
    assert actions.count("reviewed") == 2


def test_reviewer_sees_others_scores_only_after_submitting(grant):
    app = grant.apps.own
    first = services.assign_reviewer(grant.office, app, grant.reviewers.assoc)
    second = services.assign_reviewer(grant.office, app, grant.reviewers.assoc2)
    for a, r in ((first, grant.reviewers.assoc), (second, grant.reviewers.assoc2)):
        services.declare_conflict(r, a, conflict=False)
    services.submit_review(grant.reviewers.assoc, first, scores={"impact": 9, "feasibility": 5})
    view = selectors.assignment_view(second, grant.reviewers.assoc2)
    assert view.others == []
    services.submit_review(grant.reviewers.assoc2, second, scores={"impact": 1, "feasibility": 1})
    view = selectors.assignment_view(second, grant.reviewers.assoc2)
    assert [r.review.score for r in view.others] == [D("93.33")]


def test_conflict_declared_excludes_the_reviewer(grant):
    app = grant.apps.own
    a = services.assign_reviewer(grant.office, app, grant.reviewers.assoc)
    with pytest.raises(InvalidInput) as exc:  # scoring before declaring
        services.submit_review(grant.reviewers.assoc, a, scores={"impact": 5, "feasibility": 5})
    assert exc.value.errors[0].loc == ("conflict",)
    with pytest.raises(InvalidInput) as exc:  # a note longer than its column is refused
        services.declare_conflict(grant.reviewers.assoc, a, conflict=True, note="c" * 501)
    assert exc.value.errors[0].loc == ("note",)
    services.declare_conflict(grant.reviewers.assoc, a, conflict=True, note="My cousin runs it.")
    before = state()
    with pytest.raises(Forbidden):
        services.submit_review(grant.reviewers.assoc, a, scores={"impact": 5, "feasibility": 5})
    with pytest.raises(InvalidInput):  # the declaration is final
        services.declare_conflict(grant.reviewers.assoc, a, conflict=False)
    assert state() == before
    view = selectors.assignment_view(a, grant.reviewers.assoc)
    assert not view.opened
    assert [i.state for i in selectors.reviewer_queue(grant.reviewers.assoc)] == ["conflict"]


def test_a_reviewer_of_the_applicant_firm_is_refused(world, grant):
    import factories
    from clusterbrain.accounts.models import Role

    seconded = factories.user(Role.ASSOCIATION, cluster=world.a, enterprise=world.own)
    with translation.override("en"), pytest.raises(InvalidInput, match="applicant firm"):
        services.assign_reviewer(grant.office, grant.apps.own, seconded)
    services.assign_reviewer(grant.office, grant.apps.sharing, seconded)


def test_conflict_needs_a_note(grant):
    a = services.assign_reviewer(grant.office, grant.apps.own, grant.reviewers.assoc)
    with pytest.raises(InvalidInput) as exc:
        services.declare_conflict(grant.reviewers.assoc, a, conflict=True, note=" ")
    assert exc.value.errors[0].loc == ("note",)


def test_scores_refused_by_criterion_and_nothing_saved(grant):
    a = services.assign_reviewer(grant.office, grant.apps.own, grant.reviewers.assoc)
    services.declare_conflict(grant.reviewers.assoc, a, conflict=False)
    before = state()
    bad = [
        ({"impact": 11, "feasibility": 2}, ("scores", "impact")),
        ({"impact": -1, "feasibility": 2}, ("scores", "impact")),
        ({"impact": 5}, ("scores", "feasibility")),
        ({"impact": "x", "feasibility": 2}, ("scores", "impact")),
        ({"impact": "NaN", "feasibility": 2}, ("scores", "impact")),
        ({"impact": 5, "feasibility": 2, "beauty": 3}, ("scores", "beauty")),
    ]
    for scores, loc in bad:
        with pytest.raises(InvalidInput) as exc:
            services.submit_review(grant.reviewers.assoc, a, scores=scores)
        assert loc in [e.loc for e in exc.value.errors], scores
    assert state() == before


def test_who_may_review_and_assign(world, grant):
    app = grant.apps.own
    firm_user = world.users.enterprise
    with pytest.raises(InvalidInput) as exc:  # a firm is no reviewer
        services.assign_reviewer(grant.office, app, firm_user)
    assert exc.value.errors[0].loc == ("reviewer",)
    for outsider in (world.users.office_b, world.users.bank, world.users.admin):
        with pytest.raises(InvalidInput):
            services.assign_reviewer(grant.office, app, outsider)
    for not_office in (world.users.association, firm_user, world.users.office_b, world.users.bank):
        with pytest.raises(Forbidden):
            services.assign_reviewer(not_office, app, grant.reviewers.assoc2)
    a = services.assign_reviewer(grant.office, app, grant.reviewers.assoc)
    with pytest.raises(Forbidden):  # only the assigned reviewer declares and scores
        services.declare_conflict(grant.reviewers.assoc2, a, conflict=False)
    services.declare_conflict(grant.reviewers.assoc, a, conflict=False)
    with pytest.raises(Forbidden):
        services.submit_review(firm_user, a, scores={"impact": 5, "feasibility": 5})
    with pytest.raises(NotFound):
        selectors.get_assignment(a.pk, firm_user)
    with pytest.raises(NotFound):
        selectors.get_assignment(a.pk, world.users.office_b)
    with pytest.raises(Forbidden):
        selectors.reviewer_queue(firm_user)


# --- decisions and the budget ------------------------------------------------------------------


def test_award_commits_from_available_and_moves_status(grant):
    decision = award(grant, grant.apps.own, "300000")
    assert decision.amount == D("300000.00") and decision.score == D("76.67")
    b = selectors.balances(grant.program)
    assert b[Account.AVAILABLE] == D("700000.00") and b[Account.COMMITTED] == D("300000.00")
    assert b[Account.FUND_SOURCE] == D("-1000000.00")
    grant.apps.own.refresh_from_db()
    assert grant.apps.own.status == "awarded"
    report = OutcomeReport.objects.get(application=grant.apps.own)
    assert report.due_on.year == decision.decided_at.year + 1


def test_decide_needs_enough_reviews(grant):
    services.post_budget(grant.office, grant.program)
    app = grant.apps.own
    a = services.assign_reviewer(grant.office, app, grant.reviewers.assoc)
    services.declare_conflict(grant.reviewers.assoc, a, conflict=False)
    services.submit_review(grant.reviewers.assoc, a, scores={"impact": 5, "feasibility": 5})
    before = state()
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        services.decide(grant.office, app, outcome="award", amount="1000")
    assert "at least 2 reviews" in exc.value.detail
    assert state() == before


def test_award_above_remaining_budget_is_refused_naming_amounts(grant):
    award(grant, grant.apps.own, "400000")
    award(grant, grant.apps.sharing, "400000", budget=False)
    app = reviewed(grant, grant.apps.other)
    before = state()
    with pytest.raises(InvalidInput) as exc:
        services.decide(grant.office, app, outcome="award", amount="200000.01")
    err = exc.value
    assert err.errors[0].loc == ("amount",)
    assert "200,000.01" in err.detail and "200,000.00" in err.detail
    assert state() == before
    services.decide(grant.office, app, outcome="award", amount="200000")
    assert selectors.balances(grant.program)[Account.AVAILABLE] == D("0.00")


def test_award_amount_refused_when_bad(grant):
    services.post_budget(grant.office, grant.program)
    app = reviewed(grant, grant.apps.own)
    before = state()
    for amount in ("-5", "0", "abc", "NaN", "Infinity", "1.001", "", None, "400000.01", "1e30"):
        with pytest.raises(InvalidInput) as exc:
            services.decide(grant.office, app, outcome="award", amount=amount)
        assert exc.value.errors[0].loc == ("amount",), amount
    with pytest.raises(InvalidInput) as exc:
        services.decide(grant.office, app, outcome="reject", reason="")
    assert exc.value.errors[0].loc == ("reason",)
    with pytest.raises(InvalidInput):
        services.decide(grant.office, app, outcome="maybe")
    assert state() == before


def test_max_award_per_firm(world):
    from awarddata import make_application, make_program

    program = make_program(world.a, code="small", max_award="50000")
    app = make_application(program, world.own, requested="80000")
    office = world.users.office
    services.post_budget(office, program)
    import factories
    from clusterbrain.accounts.models import Role

    for _n in range(2):
        r = factories.user(Role.ASSOCIATION, cluster=world.a)
        a = services.assign_reviewer(office, app, r)
        services.declare_conflict(r, a, conflict=False)
        services.submit_review(r, a, scores={"impact": 5, "feasibility": 3})
    with pytest.raises(InvalidInput, match="50,000.00"):
        services.decide(office, app, outcome="award", amount="60000")


def test_reject_with_reason(grant):
    app = reviewed(grant, grant.apps.own)
    decision = services.decide(grant.office, app, outcome="reject", reason="Out of scope.")
    assert decision.amount is None
    app.refresh_from_db()
    assert app.status == "rejected"
    assert not LedgerEntry.objects.exists()
    with pytest.raises(InvalidInput):  # decided once
        services.decide(grant.office, app, outcome="award", amount="1")


def test_only_the_office_of_the_cluster_decides_and_moves_money(world, grant):
    services.post_budget(grant.office, grant.program)
    app = reviewed(grant, grant.apps.own)
    for user in (
        world.users.association,
        world.users.enterprise,
        world.users.office_b,
        world.users.bank,
    ):
        with pytest.raises(Forbidden):
            services.decide(user, app, outcome="award", amount="1000")
        with pytest.raises(Forbidden):
            services.post_budget(user, grant.program, amount="1")
    services.decide(world.users.admin, app, outcome="award", amount="1000")
    for user in (world.users.association, world.users.enterprise, world.users.bank):
        with pytest.raises(Forbidden):
            services.disburse(user, app, amount="1")


def test_budget_posting_never_exceeds_the_program_budget(grant):
    services.post_budget(grant.office, grant.program, amount="600000")
    with pytest.raises(InvalidInput, match="400,000.00"):
        services.post_budget(grant.office, grant.program, amount="400000.01")
    entry = services.post_budget(grant.office, grant.program)
    assert entry.amount == D("400000.00")
    with pytest.raises(InvalidInput):
        services.post_budget(grant.office, grant.program)
    assert selectors.budget_posted(grant.program) == D("1000000.00")


# --- disbursements and reversals ---------------------------------------------------------------


def test_disbursements_in_tranches_never_above_committed(grant):
    app = grant.apps.own
    award(grant, app, "300000")
    first = services.disburse(grant.office, app, amount="100000", memo="first tranche")
    second = services.disburse(grant.office, app, amount="150000")
    assert (first.tranche, second.tranche) == (1, 2)
    before = state()
    with pytest.raises(InvalidInput) as exc:
        services.disburse(grant.office, app, amount="50000.01")
    assert exc.value.errors[0].loc == ("amount",)
    assert "50,000.01" in exc.value.detail and "50,000.00" in exc.value.detail
    for amount in ("-1", "0", "x"):
        with pytest.raises(InvalidInput):
            services.disburse(grant.office, app, amount=amount)
    assert state() == before
    view = selectors.award_view(app, grant.office)
    assert (view.committed, view.paid) == (D("50000.00"), D("250000.00"))


def test_disbursement_needs_an_award(grant):
    app = reviewed(grant, grant.apps.own)
    with pytest.raises(InvalidInput) as exc:
        services.disburse(grant.office, app, amount="1")
    assert exc.value.errors[0].loc == ("application",)


def test_reversal_is_a_counter_entry_naming_the_original(grant):
    app = grant.apps.own
    award(grant, app, "300000")
    payment = services.disburse(grant.office, app, amount="100000")
    award_entry = LedgerEntry.objects.get(kind="award")
    before = state()
    with pytest.raises(InvalidInput) as exc:  # paid money must come back first
        services.reverse_entry(grant.office, award_entry, reason="Cancelled")
    assert exc.value.errors[0].loc == ("entry",)
    with pytest.raises(InvalidInput) as exc:
        services.reverse_entry(grant.office, payment, reason="")
    assert exc.value.errors[0].loc == ("reason",)
    assert state() == before
    back = services.reverse_entry(grant.office, payment, reason="Paid to the wrong account")
    assert (back.debit, back.credit, back.amount) == ("committed", "paid", D("100000.00"))
    assert back.reverses_id == payment.pk and back.application_id == app.pk
    with pytest.raises(InvalidInput):
        services.reverse_entry(grant.office, payment, reason="again")
    with pytest.raises(InvalidInput):
        services.reverse_entry(grant.office, back, reason="undo the undo")
    services.reverse_entry(grant.office, award_entry, reason="Award cancelled")
    b = selectors.balances(grant.program)
    assert b[Account.AVAILABLE] == D("1000000.00")
    assert b[Account.COMMITTED] == b[Account.PAID] == D("0.00")
    assert LedgerEntry.objects.get(pk=payment.pk).amount == D("100000.00")  # untouched


# --- immutability -------------------------------------------------------------------------------


def test_entries_refuse_save_update_and_delete(grant):
    entry = services.post_budget(grant.office, grant.program)
    entry.amount = D("1")
    with pytest.raises(ImmutableRecord):
        entry.save()
    with pytest.raises(ImmutableRecord):
        entry.delete()
    with pytest.raises(ImmutableRecord):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("1"))
    with pytest.raises(ImmutableRecord):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    event = AuditEvent.objects.first()
    with pytest.raises(ImmutableRecord):
        event.save()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == D("1000000.00")


def test_raw_sql_cannot_change_an_amount(grant):
    entry = services.post_budget(grant.office, grant.program)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE awards_ledgerentry SET amount = 1 WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE awards_ledgerentry SET debit = 'paid' WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == D("1000000.00")
    # Who posted it may be forgotten (a deleted account), not what was posted.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE awards_ledgerentry SET created_by_id = NULL WHERE id = %s", [entry.pk]
        )
    assert LedgerEntry.objects.get(pk=entry.pk).created_by_id is None


def test_deleting_the_cluster_cascades_through_the_ledger(world, grant):
    app = grant.apps.own
    award(grant, app, "300000")
    services.disburse(grant.office, app, amount="100000")
    services.reverse_entry(grant.office, LedgerEntry.objects.get(kind="disbursement"), reason="x")
    world.a.delete()
    assert not LedgerEntry.objects.exists() and not AuditEvent.objects.exists()


# --- outcome -------------------------------------------------------------------------------------


def test_outcome_report_a_year_later(world, grant):
    import factories

    app = grant.apps.own
    services.post_budget(grant.office, grant.program)
    reviewed(grant, app)
    decided = datetime.datetime(2025, 3, 1, 10, tzinfo=datetime.UTC)
    services.decide(grant.office, app, outcome="award", amount="300000", decided_at=decided)
    factories.year(world.own, 2025, revenue=36_000_000, output_value=30_000_000, employees=135)
    from clusterbrain.registry.models import Certification

    Certification.objects.create(
        enterprise=world.own, kind="iso14001", valid_from=datetime.date(2025, 9, 1), verified=True
    )
    report = OutcomeReport.objects.get(application=app)
    assert report.due_on == datetime.date(2026, 3, 1)
    with pytest.raises(InvalidInput, match="2026-01-30"):
        services.submit_outcome(
            world.users.enterprise, app, statement="x", today=datetime.date(2025, 12, 1)
        )
    with pytest.raises(Forbidden):
        services.submit_outcome(grant.office, app, statement="x", today=datetime.date(2026, 3, 1))
    with pytest.raises(InvalidInput):
        services.submit_outcome(
            world.users.enterprise, app, statement=" ", today=datetime.date(2026, 3, 1)
        )
    report = services.submit_outcome(
        world.users.enterprise,
        app,
        statement="Two new drums; chrome-free line.",
        today=datetime.date(2026, 3, 1),
    )
    ind = report.indicators
    assert (ind["baseline_year"], ind["followup_year"]) == (2024, 2025)
    assert D(ind["revenue_change"]) == D("6000000.00") and ind["revenue_change_pct"] == "20.00"
    assert ind["employees_change"] == 15 and ind["certificates_gained"] == ["iso14001"]
    summary = selectors.outcome_summary(
        grant.program, grant.office, today=datetime.date(2026, 3, 2)
    )
    assert (summary.awarded, summary.submitted, summary.overdue) == (1, 1, 0)
    assert summary.revenue_change == D("6000000.00") and summary.certificates_gained == 1
    with pytest.raises(Forbidden):
        selectors.outcome_summary(grant.program, world.users.association)


def test_firm_sees_its_own_award_only(world, grant):
    award(grant, grant.apps.sharing, "100000")
    services.disburse(grant.office, grant.apps.sharing, amount="40000")
    with pytest.raises(NotFound):
        selectors.award_view(grant.apps.sharing, world.users.enterprise)
    with pytest.raises(NotFound):
        selectors.award_view(grant.apps.sharing, world.users.bank)
    with pytest.raises(NotFound):
        selectors.get_application(grant.apps.sharing.pk, world.users.bank)
    with pytest.raises(NotFound):
        selectors.get_application(grant.apps.sharing.pk, world.users.office_b)
    own = selectors.award_view(grant.apps.own, world.users.enterprise)
    assert own.decision is None and own.payments == []
    with pytest.raises(NotFound):
        selectors.get_program(grant.program.pk, world.users.office_b)
    with pytest.raises(Forbidden):
        selectors.get_program(grant.program.pk, world.users.association)


def test_a_reviewer_who_changed_role_no_longer_reviews(grant):
    """An assignment outlives a change of role: once the reviewer has moved to a firm (or left
    the cluster's association), they neither open, declare nor score; the office still reads
    the assignment and assigns someone else."""
    app = grant.apps.own
    reviewer = grant.reviewers.assoc
    a = services.assign_reviewer(grant.office, app, reviewer)
    services.declare_conflict(reviewer, a, conflict=False)
    assert selectors.get_assignment(a.pk, reviewer) == a
    reviewer.role = Role.ENTERPRISE
    reviewer.save(update_fields=["role"])
    before = state()
    with pytest.raises(Forbidden):
        services.submit_review(reviewer, a, scores={"impact": 5, "feasibility": 5})
    with pytest.raises(NotFound):
        selectors.get_assignment(a.pk, reviewer)
    assert state() == before
    assert selectors.get_assignment(a.pk, grant.office) == a
