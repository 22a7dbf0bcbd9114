"""Reads of review, awards, the ledger and outcomes, each checking who asks (decision 0019).
Balances are sums of ledger entries, computed here and nowhere else."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.accounts.models import Role, User
from clusterbrain.awards import permissions
from clusterbrain.awards.models import (
    Account,
    AuditEvent,
    Decision,
    EntryKind,
    LedgerEntry,
    OutcomeReport,
    Review,
    ReviewAssignment,
)
from clusterbrain.errors import Forbidden, NotFound
from clusterbrain.programs import permissions as program_permissions
from clusterbrain.programs.models import Application, ProgramCriterion, SupportProgram
from clusterbrain.registry.models import Certification, Cluster, EnterpriseYear
from clusterbrain.registry.selectors import as_id

DEFAULT_REVIEWS_NEEDED = 2
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def reviews_needed(program: SupportProgram) -> int:
    """Reviews an application needs before the office decides: the program's setting, else 2."""
    return int(getattr(program, "min_reviews", None) or DEFAULT_REVIEWS_NEEDED)


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def weighted_score(criteria: Iterable[ProgramCriterion], scores: Mapping[int, Decimal]) -> Decimal:
    """One review's total on 0–100: each criterion's score over its highest score, weighted by
    the criterion's weight (equal weights when all are zero)."""
    rows = [(c.weight, Decimal(c.max_score), scores[c.pk]) for c in criteria if c.max_score]
    total_weight = sum((w for w, _m, _s in rows), Decimal(0))
    if not rows:
        return ZERO
    if total_weight == 0:
        rows = [(Decimal(1), m, s) for _w, m, s in rows]
        total_weight = Decimal(len(rows))
    return _q(sum((w * s / m for w, m, s in rows), Decimal(0)) / total_weight * HUNDRED)


def application_score(application: Application) -> Decimal | None:
    """The mean of the submitted reviews' weighted scores (None before the first review)."""
    scores = list(
        Review.objects.filter(assignment__application=application).values_list("score", flat=True)
    )
    if not scores:
        return None
    return _q(sum(scores, Decimal(0)) / len(scores))


# --- balances ------------------------------------------------------------------------------------


def balances(
    program: SupportProgram, *, application: Application | None = None
) -> dict[str, Decimal]:
    """Every account's balance (debits − credits) over the program's entries, or over one
    application's entries."""
    entries = LedgerEntry.objects.filter(program=program)
    if application is not None:
        entries = entries.filter(application=application)
    result = {a: ZERO for a in Account.values}
    for row in entries.values("debit").annotate(total=Sum("amount")):
        result[row["debit"]] += row["total"]
    for out in entries.values("credit").annotate(total=Sum("amount")):
        result[out["credit"]] -= out["total"]
    return result


def budget_posted(program: SupportProgram) -> Decimal:
    return -balances(program)[Account.FUND_SOURCE]


# --- access ------------------------------------------------------------------------------------


def get_program(program_id: Any, user: Any) -> SupportProgram:
    """A program for its office's ledger and outcome pages: 404 for anyone who is not staff of
    its cluster, 403 for its association staff."""
    pk = as_id(program_id)
    program = SupportProgram.objects.select_related("cluster").filter(pk=pk).first() if pk else None
    if program is None or not program_permissions.is_staff_of(user, program.cluster):
        raise NotFound(_("No such program."))
    if not permissions.is_office(user, program.cluster):
        raise Forbidden(_("Only the cluster office of the program may see this."))
    return program


def get_application(application_id: Any, user: Any) -> Application:
    """An application its firm, the staff of its cluster or one of its reviewers may see;
    404 for everyone else (a bank, another firm, another cluster)."""
    pk = as_id(application_id)
    application = (
        Application.objects.select_related("program__cluster", "enterprise").filter(pk=pk).first()
        if pk
        else None
    )
    if application is None:
        raise NotFound(_("No such application."))
    if program_permissions.can_view_application(user, application):
        return application
    if (
        getattr(user, "is_authenticated", False)
        and ReviewAssignment.objects.filter(application=application, reviewer=user).exists()
    ):
        return application
    raise NotFound(_("No such application."))


def get_assignment(assignment_id: Any, user: Any) -> ReviewAssignment:
    """A review assignment: its reviewer (while still association staff or office of the
    cluster) and the office of the cluster; 404 for others."""
    pk = as_id(assignment_id)
    assignment = (
        ReviewAssignment.objects.select_related(
            "application__program__cluster", "application__enterprise", "reviewer"
        )
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if assignment is None:
        raise NotFound(_("No such review."))
    cluster = assignment.application.program.cluster
    if not (
        # a reviewer who has since left the association or office reads it no more
        (
            assignment.reviewer_id == getattr(user, "pk", None)
            and permissions.can_be_reviewer(user, cluster)
        )
        or permissions.is_office(user, cluster)
    ):
        raise NotFound(_("No such review."))
    return assignment


def get_entry(entry_id: Any, user: Any) -> LedgerEntry:
    pk = as_id(entry_id)
    entry = (
        LedgerEntry.objects.select_related("program__cluster").filter(pk=pk).first() if pk else None
    )
    if entry is None or not permissions.is_office(user, entry.program.cluster):
        raise NotFound(_("No such ledger entry."))
    return entry


def candidate_reviewers(cluster: Cluster) -> QuerySet[User]:
    return User.objects.filter(
        cluster=cluster,
        role__in=(Role.ASSOCIATION, Role.OFFICE),
        is_active=True,
        is_superuser=False,
    ).order_by("role", "username")


# --- reviewer ------------------------------------------------------------------------------------


@dataclass
class QueueItem:
    assignment: ReviewAssignment
    state: str  # "declare", "score", "done", "conflict", "closed"


def reviewer_queue(user: Any) -> list[QueueItem]:
    """The reviewer's assignments, the ones waiting for them first."""
    if not getattr(user, "is_authenticated", False):
        raise Forbidden(_("Log in to see your reviews."))
    if getattr(user, "role", None) not in (Role.ASSOCIATION, Role.OFFICE):
        raise Forbidden(_("Reviews are for association staff and cluster office users."))
    rows = (
        ReviewAssignment.objects.filter(reviewer=user)
        .select_related("application__program", "application__enterprise", "review")
        .order_by("-assigned_at", "-pk")
    )
    items = []
    for a in rows:
        if a.conflict:
            state = "conflict"
        elif hasattr(a, "review"):
            state = "done"
        elif a.application.status != Application.Status.UNDER_REVIEW:
            state = "closed"
        elif a.conflict is None:
            state = "declare"
        else:
            state = "score"
        items.append(QueueItem(a, state))
    order = {"declare": 0, "score": 1, "done": 2, "closed": 3, "conflict": 4}
    items.sort(key=lambda i: order[i.state])
    return items


@dataclass
class ReviewRow:
    assignment: ReviewAssignment
    review: Review | None
    scores: dict[int, Decimal]  # criterion pk → score


def _review_rows(application: Application) -> list[ReviewRow]:
    rows = []
    for a in (
        ReviewAssignment.objects.filter(application=application)
        .select_related("reviewer", "review")
        .prefetch_related("review__scores")
    ):
        review = getattr(a, "review", None)
        scores = {s.criterion_id: s.score for s in review.scores.all()} if review else {}
        rows.append(ReviewRow(a, review, scores))
    return rows


@dataclass
class AssignmentView:
    assignment: ReviewAssignment
    application: Application
    criteria: list[ProgramCriterion]
    opened: bool  # the reviewer declared no conflict: the application is open to them
    own: ReviewRow | None
    others: list[ReviewRow]  # only once the viewer's own review is in (office: always)


def assignment_view(assignment: ReviewAssignment, user: Any) -> AssignmentView:
    application = assignment.application
    office = permissions.is_office(user, application.program.cluster)
    rows = _review_rows(application)
    own = next((r for r in rows if r.assignment.pk == assignment.pk), None)
    submitted = own is not None and own.review is not None
    others = (
        [r for r in rows if r.assignment.pk != assignment.pk and r.review is not None]
        if (submitted or office)
        else []
    )
    return AssignmentView(
        assignment=assignment,
        application=application,
        criteria=list(application.program.criteria.all()),
        opened=assignment.conflict is False or office,
        own=own,
        others=others,
    )


# --- office --------------------------------------------------------------------------------------


@dataclass
class DecisionView:
    application: Application
    criteria: list[ProgramCriterion]
    rows: list[ReviewRow]
    score: Decimal | None
    reviews: int
    needed: int
    available: Decimal  # the program's budget still available
    budget: Decimal
    decision: Decision | None
    committed: Decimal  # to this application
    paid: Decimal
    entries: list[LedgerEntry]
    reviewers: list[User] = field(default_factory=list)  # who may still be assigned

    @property
    def can_decide(self) -> bool:
        return (
            self.decision is None
            and self.application.status == Application.Status.UNDER_REVIEW
            and self.reviews >= self.needed
        )

    @property
    def can_assign(self) -> bool:
        return self.application.status in (
            Application.Status.SUBMITTED,
            Application.Status.UNDER_REVIEW,
        )


def decision_view(application: Application, user: Any) -> DecisionView:
    """The office's page of one application: the reviews side by side, the score, the budget
    left, the decision and the application's money."""
    program = application.program
    if not permissions.is_office(user, program.cluster):
        raise Forbidden(_("Only the cluster office of the program may see this."))
    rows = _review_rows(application)
    program_balances = balances(program)
    own = balances(program, application=application)
    assigned = {r.assignment.reviewer_id for r in rows}
    return DecisionView(
        application=application,
        criteria=list(program.criteria.all()),
        rows=rows,
        score=application_score(application),
        reviews=sum(1 for r in rows if r.review is not None),
        needed=reviews_needed(program),
        available=program_balances[Account.AVAILABLE],
        budget=program.budget,
        decision=Decision.objects.filter(application=application).first(),
        committed=own[Account.COMMITTED],
        paid=own[Account.PAID],
        entries=list(
            LedgerEntry.objects.filter(application=application).select_related(
                "created_by", "reversal"
            )
        ),
        reviewers=[u for u in candidate_reviewers(program.cluster) if u.pk not in assigned],
    )


@dataclass
class LedgerView:
    program: SupportProgram
    balances: dict[str, Decimal]
    posted: Decimal
    unposted: Decimal
    entries: list[LedgerEntry]
    reversed_ids: set[int]
    audit: list[AuditEvent]


def ledger(program: SupportProgram, user: Any) -> LedgerView:
    if not permissions.is_office(user, program.cluster):
        raise Forbidden(_("Only the cluster office of the program may see this."))
    b = balances(program)
    entries = list(
        LedgerEntry.objects.filter(program=program).select_related(
            "application__enterprise", "created_by", "reverses"
        )
    )
    return LedgerView(
        program=program,
        balances=b,
        posted=-b[Account.FUND_SOURCE],
        unposted=program.budget + b[Account.FUND_SOURCE],
        entries=entries,
        reversed_ids={e.reverses_id for e in entries if e.reverses_id is not None},
        audit=list(audit_trail(program, user)),
    )


def audit_trail(program: SupportProgram, user: Any) -> QuerySet[AuditEvent]:
    if not permissions.is_office(user, program.cluster):
        raise Forbidden(_("Only the cluster office of the program may see this."))
    return (
        AuditEvent.objects.filter(program=program)
        .select_related("application__enterprise")
        .order_by("-at", "-pk")
    )


@dataclass
class ProgramRow:
    program: SupportProgram
    balances: dict[str, Decimal]
    counts: dict[str, int]


def office_overview(cluster: Cluster, user: Any) -> list[ProgramRow]:
    """The cluster's programs with their applications by status and their balances."""
    if not program_permissions.is_staff_of(user, cluster):
        raise NotFound(_("No such cluster."))
    if not permissions.is_office(user, cluster):
        raise Forbidden(_("Only the cluster office may see this."))
    rows = []
    for program in SupportProgram.objects.filter(cluster=cluster).exclude(status="draft"):
        counts = {s: 0 for s in Application.Status.values}
        for status in program.applications.values_list("status", flat=True):
            counts[status] += 1
        rows.append(ProgramRow(program, balances(program), counts))
    return rows


def applications_to_review(program: SupportProgram) -> QuerySet[Application]:
    return (
        Application.objects.filter(program=program)
        .exclude(status__in=(Application.Status.DRAFT, Application.Status.WITHDRAWN))
        .select_related("enterprise")
        .order_by("status", "pk")
    )


# --- firm ----------------------------------------------------------------------------------------


@dataclass
class AwardView:
    application: Application
    decision: Decision | None
    committed: Decimal
    paid: Decimal
    payments: list[LedgerEntry]  # disbursements and their reversals, oldest first
    report: OutcomeReport | None
    indicators: dict[str, Any]  # frozen when submitted, else as of today


def award_view(application: Application, user: Any) -> AwardView:
    """What the firm (and the office) sees of an application's award: never the reviews."""
    if not permissions.can_view_award(user, application):
        raise NotFound(_("No such application."))
    decision = Decision.objects.filter(application=application).first()
    own = balances(application.program, application=application)
    payments = list(
        LedgerEntry.objects.filter(application=application)
        .filter(Q(kind=EntryKind.DISBURSEMENT) | Q(reverses__kind=EntryKind.DISBURSEMENT))
        .select_related("reverses")
    )
    report = OutcomeReport.objects.filter(application=application).first()
    indicators: dict[str, Any] = {}
    if report is not None:
        indicators = report.indicators if report.is_submitted else outcome_indicators(application)
    return AwardView(
        application=application,
        decision=decision,
        committed=own[Account.COMMITTED],
        paid=own[Account.PAID],
        payments=payments,
        report=report,
        indicators=indicators,
    )


def outcome_indicators(application: Application) -> dict[str, Any]:
    """What changed at the firm since its award, from the platform's own data: revenue and
    employees of the year before the award against the latest year after it, and the verified
    certificates whose validity began after the award."""
    decision = Decision.objects.filter(application=application).first()
    if decision is None:
        return {}
    award_day = timezone.localdate(decision.decided_at)
    base_year = award_day.year - 1
    years = {
        y.year: y
        for y in EnterpriseYear.objects.filter(
            enterprise_id=application.enterprise_id, year__gte=base_year
        )
    }
    before = years.get(base_year)
    later = [y for y in years if y > base_year]
    after = years[max(later)] if later else None

    def change(a: Any, b: Any) -> str | None:
        return None if a is None or b is None else str(b - a)

    def pct(a: Any, b: Any) -> str | None:
        if a is None or b is None or not a:
            return None
        return str(_q((Decimal(b) - Decimal(a)) / Decimal(a) * HUNDRED))

    rev_before = before.revenue if before else None
    rev_after = after.revenue if after else None
    emp_before = before.employees if before else None
    emp_after = after.employees if after else None
    gained = sorted(
        Certification.objects.filter(
            enterprise_id=application.enterprise_id,
            verified=True,
            valid_from__gte=award_day,
        ).values_list("kind", flat=True)
    )
    return {
        "award_date": award_day.isoformat(),
        "baseline_year": base_year if before else None,
        "followup_year": after.year if after else None,
        "revenue_before": None if rev_before is None else str(rev_before),
        "revenue_after": None if rev_after is None else str(rev_after),
        "revenue_change": change(rev_before, rev_after),
        "revenue_change_pct": pct(rev_before, rev_after),
        "employees_before": emp_before,
        "employees_after": emp_after,
        "employees_change": None
        if emp_before is None or emp_after is None
        else emp_after - emp_before,
        "certificates_gained": gained,
    }


@dataclass
class OutcomeSummary:
    program: SupportProgram
    awarded: int
    submitted: int
    overdue: int
    pending: int
    amount_awarded: Decimal
    revenue_change: Decimal | None  # summed over submitted reports with both years known
    employees_change: int | None
    certificates_gained: int
    reports: list[OutcomeReport]


def outcome_summary(
    program: SupportProgram, user: Any, today: datetime.date | None = None
) -> OutcomeSummary:
    if not permissions.is_office(user, program.cluster):
        raise Forbidden(_("Only the cluster office of the program may see this."))
    day = today or timezone.localdate()
    reports = list(
        OutcomeReport.objects.filter(application__program=program).select_related(
            "application__enterprise", "application__award_decision"
        )
    )
    done = [r for r in reports if r.is_submitted]
    revenue = [
        Decimal(r.indicators["revenue_change"]) for r in done if r.indicators.get("revenue_change")
    ]
    employees = [
        int(r.indicators["employees_change"])
        for r in done
        if r.indicators.get("employees_change") is not None
    ]
    return OutcomeSummary(
        program=program,
        awarded=len(reports),
        submitted=len(done),
        overdue=sum(1 for r in reports if not r.is_submitted and r.due_on < day),
        pending=sum(1 for r in reports if not r.is_submitted and r.due_on >= day),
        amount_awarded=sum((r.application.award_decision.amount or ZERO for r in reports), ZERO),
        revenue_change=sum(revenue, ZERO) if revenue else None,
        employees_change=sum(employees) if employees else None,
        certificates_gained=sum(len(r.indicators.get("certificates_gained", [])) for r in done),
        reports=reports,
    )
