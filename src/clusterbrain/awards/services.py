"""Every write of review, awards and the ledger (decision 0019). Each function is one
transaction: refused input names its field and changes nothing; every action leaves an
`AuditEvent`. Every money movement first locks the program's row (`select_for_update`), so two
offices awarding at once from one budget are serialised and the second sees the first's entry
before it checks the balance."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.awards import permissions, selectors
from clusterbrain.awards.models import (
    MOVES,
    Account,
    AuditEvent,
    Decision,
    EntryKind,
    LedgerEntry,
    OutcomeReport,
    Review,
    ReviewAssignment,
    ReviewScore,
)
from clusterbrain.errors import FieldError, Forbidden, InvalidInput
from clusterbrain.programs.models import Application, SupportProgram
from clusterbrain.textinput import within

CENT = Decimal("0.01")
MAX_MONEY = Decimal("99999999999999.99")
OPEN_FOR_REVIEW = (Application.Status.SUBMITTED, Application.Status.UNDER_REVIEW)


def yuan(amount: Decimal) -> str:
    """An amount as the messages show it: thousands separated, two decimals."""
    return f"{amount:,.2f}"


def money(value: Any, field: str = "amount") -> Decimal:
    """A positive amount of yuan with at most two decimals, or InvalidInput at `field`."""
    if isinstance(value, bool) or value is None or value == "":
        raise InvalidInput.field(field, _("Enter an amount in yuan."))
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise InvalidInput.field(field, _("Enter an amount in yuan.")) from None
    if not amount.is_finite():
        raise InvalidInput.field(field, _("Enter a finite number."))
    if amount <= 0:
        raise InvalidInput.field(field, _("Enter an amount greater than 0."))
    if amount > MAX_MONEY:
        raise InvalidInput.field(field, _("This amount is too large."))
    if amount != amount.quantize(CENT):
        raise InvalidInput.field(field, _("Enter the amount to the fen (two decimals at most)."))
    return amount.quantize(CENT)


def _record_status(application: Application, user: Any, status: str, note: str = "") -> None:
    from clusterbrain.programs.services import record_status

    record_status(application, _who(user), status, note=note)


def _who(user: Any) -> Any:
    """The user to name in a row: a saved, signed-in user (the demo loader acts as an unsaved
    office user, named in the audit trail but in no foreign key)."""
    if getattr(user, "is_authenticated", False) and getattr(user, "pk", None) is not None:
        return user
    return None


def _audit(
    program: SupportProgram,
    action: str,
    actor: Any,
    *,
    application: Application | None = None,
    entry: LedgerEntry | None = None,
    at: datetime.datetime | None = None,
    **detail: Any,
) -> AuditEvent:
    return AuditEvent.objects.create(
        program=program,
        application=application,
        entry=entry,
        action=action,
        actor=_who(actor),
        actor_name=actor.get_username() if getattr(actor, "is_authenticated", False) else "",
        at=at or timezone.now(),
        detail={k: (str(v) if isinstance(v, Decimal) else v) for k, v in detail.items()},
    )


def _require_office(user: Any, program: SupportProgram) -> None:
    if not permissions.is_office(user, program.cluster):
        raise Forbidden(_("Only the cluster office of the program may do this."))


def _lock_program(program: SupportProgram) -> SupportProgram:
    return (
        SupportProgram.objects.select_for_update(of=("self",))
        .select_related("cluster")
        .get(pk=program.pk)
    )


def _lock_application(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("program__cluster", "enterprise")
        .get(pk=application.pk)
    )


# --- review ----------------------------------------------------------------------------------


@transaction.atomic
def assign_reviewer(
    user: Any, application: Application, reviewer: Any, *, at: datetime.datetime | None = None
) -> ReviewAssignment:
    """The office asks association staff or an office user of the cluster to review a
    submitted application; the first assignment puts it under review."""
    application = _lock_application(application)
    program = application.program
    _require_office(user, program)
    if application.status not in OPEN_FOR_REVIEW:
        raise InvalidInput.field(
            "application",
            _("Only a submitted application can get reviewers (this one is %(status)s).")
            % {"status": application.get_status_display()},
        )
    if reviewer is None or not permissions.can_be_reviewer(reviewer, program.cluster):
        raise InvalidInput.field(
            "reviewer",
            _("A reviewer must be association staff or an office user of this cluster."),
        )
    if getattr(reviewer, "enterprise_id", None) == application.enterprise_id:
        # Association staff seconded from a member firm keep the link to it: never their own.
        raise InvalidInput.field(
            "reviewer", _("This reviewer works for the applicant firm: a conflict of interest.")
        )
    if ReviewAssignment.objects.filter(application=application, reviewer=reviewer).exists():
        raise InvalidInput.field("reviewer", _("This reviewer is already assigned."))
    assignment = ReviewAssignment.objects.create(
        application=application,
        reviewer=reviewer,
        assigned_by=_who(user),
        assigned_at=at or timezone.now(),
    )
    if application.status == Application.Status.SUBMITTED:
        _record_status(application, user, Application.Status.UNDER_REVIEW, _("Reviewers assigned."))
    _audit(
        program,
        AuditEvent.Action.ASSIGNED,
        user,
        application=application,
        at=at,
        reviewer=reviewer.get_username(),
    )
    return assignment


@transaction.atomic
def declare_conflict(
    user: Any,
    assignment: ReviewAssignment,
    *,
    conflict: bool,
    note: str = "",
    at: datetime.datetime | None = None,
) -> ReviewAssignment:
    """The reviewer's declaration, made once, before the application opens to them. A conflict
    closes the assignment: the office assigns someone else."""
    assignment = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.reviewer_id != getattr(user, "pk", None):
        raise Forbidden(_("Only the assigned reviewer declares for this review."))
    _require_still_reviewer(user, assignment)
    if assignment.conflict is not None:
        raise InvalidInput.field("conflict", _("You have already declared for this application."))
    if not isinstance(conflict, bool):
        raise InvalidInput.field("conflict", _("Enter true or false."))
    note = within("note", note, 500)
    if conflict and not note:
        raise InvalidInput.field("note", _("Say briefly what the conflict of interest is."))
    assignment.conflict = conflict
    assignment.conflict_note = note
    assignment.declared_at = at or timezone.now()
    assignment.save(update_fields=["conflict", "conflict_note", "declared_at"])
    application = assignment.application
    _audit(
        application.program,
        AuditEvent.Action.DECLARED,
        user,
        application=application,
        at=at,
        conflict=conflict,
        note=assignment.conflict_note,
    )
    return assignment


def _require_still_reviewer(user: Any, assignment: ReviewAssignment) -> None:
    """An assignment outlives a change of role: someone who has since left the association or
    the office (or moved to a firm, a bank or another cluster) no longer declares or scores."""
    if not permissions.can_be_reviewer(user, assignment.application.program.cluster):
        raise Forbidden(
            _(
                "You are no longer association staff or office of this cluster, so you cannot "
                "review its applications; the office assigns another reviewer."
            )
        )


@transaction.atomic
def submit_review(
    user: Any,
    assignment: ReviewAssignment,
    *,
    scores: Mapping[str, Any],
    comment: str = "",
    at: datetime.datetime | None = None,
) -> Review:
    """Score every criterion of the program (0 … its highest score) once. The weighted score
    is kept with the review."""
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("application__program__cluster")
        .get(pk=assignment.pk)
    )
    if assignment.reviewer_id != getattr(user, "pk", None):
        raise Forbidden(_("Only the assigned reviewer scores this application."))
    _require_still_reviewer(user, assignment)
    if assignment.conflict is None:
        raise InvalidInput.field(
            "conflict", _("Declare whether you have a conflict of interest before scoring.")
        )
    if assignment.conflict:
        raise Forbidden(
            _("You declared a conflict of interest: you cannot score this application.")
        )
    if Review.objects.filter(assignment=assignment).exists():
        raise InvalidInput.field("scores", _("You have already submitted this review."))
    application = assignment.application
    if application.status != Application.Status.UNDER_REVIEW:
        raise InvalidInput.field(
            "application",
            _("This application is no longer under review (it is %(status)s).")
            % {"status": application.get_status_display()},
        )
    criteria = list(application.program.criteria.all())
    if not criteria:
        raise InvalidInput.field("scores", _("The program has no scoring criteria."))
    errors: list[FieldError] = []
    given = dict(scores or {})
    known = {c.key for c in criteria}
    for key in sorted(set(given) - known):
        errors.append(FieldError(("scores", key), _("No such criterion in this program.")))
    values: dict[int, Decimal] = {}
    for c in criteria:
        raw = given.get(c.key)
        loc = ("scores", c.key)
        if raw is None or raw == "" or isinstance(raw, bool):
            errors.append(FieldError(loc, _("Score every criterion.")))
            continue
        try:
            value = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            errors.append(FieldError(loc, _("Enter a number.")))
            continue
        if not value.is_finite() or value < 0 or value > c.max_score:
            errors.append(
                FieldError(loc, _("Enter a score from 0 to %(max)s.") % {"max": c.max_score})
            )
            continue
        if value != value.quantize(CENT):
            errors.append(FieldError(loc, _("Enter at most two decimals.")))
            continue
        values[c.pk] = value
    if errors:
        raise InvalidInput(
            errors[0].msg if len(errors) == 1 else _("Check the scores below."), errors
        )
    review = Review.objects.create(
        assignment=assignment,
        score=selectors.weighted_score(criteria, values),
        comment=(comment or "").strip(),
        submitted_at=at or timezone.now(),
    )
    ReviewScore.objects.bulk_create(
        ReviewScore(review=review, criterion_id=pk, score=v) for pk, v in values.items()
    )
    _audit(
        application.program,
        AuditEvent.Action.REVIEWED,
        user,
        application=application,
        at=at,
        score=review.score,
    )
    return review


# --- decision and money ------------------------------------------------------------------------


def _balance(
    program: SupportProgram, account: str, application: Application | None = None
) -> Decimal:
    return selectors.balances(program, application=application)[account]


def _one_year_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@transaction.atomic
def decide(
    user: Any,
    application: Application,
    *,
    outcome: str,
    amount: Any = None,
    reason: str = "",
    decided_at: datetime.datetime | None = None,
) -> Decision:
    """Award (an amount, committed from the budget still available) or reject (with a reason)
    an application under review, once it has enough reviews. The program's row is locked
    before the budget is read, so concurrent awards cannot together exceed it."""
    program = _lock_program(application.program)
    application = _lock_application(application)
    _require_office(user, program)
    if Decision.objects.filter(application=application).exists():
        raise InvalidInput.field("outcome", _("This application has already been decided."))
    if application.status != Application.Status.UNDER_REVIEW:
        raise InvalidInput.field(
            "outcome",
            _("Only an application under review can be decided (this one is %(status)s).")
            % {"status": application.get_status_display()},
        )
    if outcome not in Decision.Outcome.values:
        raise InvalidInput.field(
            "outcome",
            _("Choose one of: %(limit)s.") % {"limit": ", ".join(Decision.Outcome.values)},
        )
    reviews = Review.objects.filter(assignment__application=application)
    count = reviews.count()
    needed = selectors.reviews_needed(program)
    if count < needed:
        raise InvalidInput.field(
            "outcome",
            _("Decide after at least %(needed)d reviews; this application has %(count)d.")
            % {"needed": needed, "count": count},
        )
    reason = within("reason", reason, 2000)
    value: Decimal | None = None
    if outcome == Decision.Outcome.REJECT:
        if not reason:
            raise InvalidInput.field("reason", _("Give the reason for the rejection."))
    else:
        value = money(amount)
        if program.max_award is not None and value > program.max_award:
            raise InvalidInput.field(
                "amount",
                _(
                    "The award of %(amount)s yuan is above the program's largest award per firm, "
                    "%(max)s yuan."
                )
                % {"amount": yuan(value), "max": yuan(program.max_award)},
            )
        if value > application.requested_amount:
            raise InvalidInput.field(
                "amount",
                _("The award of %(amount)s yuan is above the %(requested)s yuan requested.")
                % {"amount": yuan(value), "requested": yuan(application.requested_amount)},
            )
        available = _balance(program, Account.AVAILABLE)
        if value > available:
            raise InvalidInput.field(
                "amount",
                _(
                    "The award of %(amount)s yuan exceeds the remaining budget of %(available)s "
                    "yuan; nothing was awarded."
                )
                % {"amount": yuan(value), "available": yuan(available)},
            )
    when = decided_at or timezone.now()
    decision = Decision.objects.create(
        application=application,
        outcome=outcome,
        amount=value,
        reason=reason,
        score=selectors.application_score(application),
        reviews=count,
        decided_by=_who(user),
        decided_at=when,
    )
    if value is not None:
        entry = _post(
            program, EntryKind.AWARD, value, user, application=application, memo=reason, at=when
        )
        OutcomeReport.objects.create(
            application=application, due_on=_one_year_after(timezone.localdate(when))
        )
        _record_status(application, user, Application.Status.AWARDED, reason)
        _audit(
            program,
            AuditEvent.Action.AWARDED,
            user,
            application=application,
            entry=entry,
            at=when,
            amount=value,
        )
    else:
        _record_status(application, user, Application.Status.REJECTED, reason)
        _audit(
            program,
            AuditEvent.Action.REJECTED,
            user,
            application=application,
            at=when,
            reason=reason,
        )
    return decision


def _post(
    program: SupportProgram,
    kind: str,
    amount: Decimal,
    user: Any,
    *,
    application: Application | None = None,
    memo: str = "",
    reverses: LedgerEntry | None = None,
    tranche: int | None = None,
    at: datetime.datetime | None = None,
) -> LedgerEntry:
    if reverses is not None:
        debit, credit = reverses.credit, reverses.debit
    else:
        debit, credit = MOVES[kind]
    return LedgerEntry.objects.create(
        program=program,
        application=application,
        kind=kind,
        debit=debit,
        credit=credit,
        amount=amount,
        reverses=reverses,
        tranche=tranche,
        memo=(memo or "")[:300],
        created_by=_who(user),
        created_at=at or timezone.now(),
    )


@transaction.atomic
def post_budget(
    user: Any,
    program: SupportProgram,
    *,
    amount: Any = None,
    memo: str = "",
    at: datetime.datetime | None = None,
) -> LedgerEntry:
    """Move budget from the fund source into the program's available account: by default all
    of the program's budget not yet posted; never more than that."""
    program = _lock_program(program)
    _require_office(user, program)
    memo = within("memo", memo, 300)
    posted = selectors.budget_posted(program)
    unposted = program.budget - posted
    value = unposted if amount in (None, "") else money(amount)
    if value <= 0:
        raise InvalidInput.field(
            "amount",
            _("The program's budget of %(budget)s yuan is posted in full.")
            % {"budget": yuan(program.budget)},
        )
    if value > unposted:
        raise InvalidInput.field(
            "amount",
            _(
                "Posting %(amount)s yuan would exceed the program's budget: %(unposted)s yuan of "
                "%(budget)s are not posted yet."
            )
            % {"amount": yuan(value), "unposted": yuan(unposted), "budget": yuan(program.budget)},
        )
    entry = _post(program, EntryKind.BUDGET, value, user, memo=memo, at=at)
    _audit(program, AuditEvent.Action.BUDGET, user, entry=entry, at=at, amount=value)
    return entry


@transaction.atomic
def disburse(
    user: Any,
    application: Application,
    *,
    amount: Any,
    memo: str = "",
    at: datetime.datetime | None = None,
) -> LedgerEntry:
    """Pay a tranche of an award: never more than is still committed to the application."""
    program = _lock_program(application.program)
    application = _lock_application(application)
    _require_office(user, program)
    value = money(amount)
    memo = within("memo", memo, 300)
    decision = Decision.objects.filter(application=application).first()
    if decision is None or decision.outcome != Decision.Outcome.AWARD:
        raise InvalidInput.field("application", _("This application has no award to pay."))
    committed = _balance(program, Account.COMMITTED, application)
    if value > committed:
        raise InvalidInput.field(
            "amount",
            _(
                "The disbursement of %(amount)s yuan exceeds the %(committed)s yuan still "
                "committed to this award; nothing was paid."
            )
            % {"amount": yuan(value), "committed": yuan(committed)},
        )
    tranche = (
        LedgerEntry.objects.filter(application=application, kind=EntryKind.DISBURSEMENT).count() + 1
    )
    entry = _post(
        program,
        EntryKind.DISBURSEMENT,
        value,
        user,
        application=application,
        memo=memo,
        tranche=tranche,
        at=at,
    )
    _audit(
        program,
        AuditEvent.Action.DISBURSED,
        user,
        application=application,
        entry=entry,
        at=at,
        amount=value,
        tranche=tranche,
    )
    return entry


@transaction.atomic
def reverse_entry(
    user: Any, entry: LedgerEntry, *, reason: str, at: datetime.datetime | None = None
) -> LedgerEntry:
    """Undo an entry by a counter-entry of the same amount the other way, naming it. An entry
    is reversed at most once, a reversal never; what the reversal takes back must still be
    there (a paid award is reversed after its disbursements)."""
    program = _lock_program(entry.program)
    _require_office(user, program)
    entry = LedgerEntry.objects.select_related("application").get(pk=entry.pk)
    reason = within("reason", reason, 300)
    if not reason:
        raise InvalidInput.field("reason", _("Give the reason for the reversal."))
    if entry.kind == EntryKind.REVERSAL:
        raise InvalidInput.field("entry", _("A reversal cannot be reversed; post a new entry."))
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise InvalidInput.field("entry", _("This entry has already been reversed."))
    held = _balance(program, entry.debit, entry.application)
    if entry.amount > held:
        raise InvalidInput.field(
            "entry",
            _(
                "Reversing %(amount)s yuan needs that much in “%(account)s”, which holds "
                "%(held)s yuan; reverse the later entries first."
            )
            % {
                "amount": yuan(entry.amount),
                "account": Account(entry.debit).label,
                "held": yuan(held),
            },
        )
    reversal = _post(
        program,
        EntryKind.REVERSAL,
        entry.amount,
        user,
        application=entry.application,
        memo=reason,
        reverses=entry,
        at=at,
    )
    _audit(
        program,
        AuditEvent.Action.REVERSED,
        user,
        application=entry.application,
        entry=reversal,
        at=at,
        original=entry.pk,
        amount=entry.amount,
        reason=reason,
    )
    return reversal


# --- outcome -----------------------------------------------------------------------------------


@transaction.atomic
def submit_outcome(
    user: Any, application: Application, *, statement: str, today: datetime.date | None = None
) -> OutcomeReport:
    """The firm's statement a year after the award, frozen with the indicators the platform
    computes from its data on that day."""
    report = (
        OutcomeReport.objects.select_for_update(of=("self",))
        .select_related("application__program__cluster", "application__enterprise")
        .filter(application=application)
        .first()
    )
    if permissions.firm_of(user) != application.enterprise_id:
        raise Forbidden(_("Only the firm that received the award reports its outcome."))
    if report is None:
        raise InvalidInput.field("application", _("This application has no award to report on."))
    if report.is_submitted:
        raise InvalidInput.field("statement", _("The outcome report has already been submitted."))
    day = today or timezone.localdate()
    opens = report.opens_on
    if day < opens:
        raise InvalidInput.field(
            "statement",
            _("The outcome report opens on %(opens)s (it is due on %(due)s).")
            % {"opens": opens.isoformat(), "due": report.due_on.isoformat()},
        )
    statement = within("statement", statement, 5000)
    if not statement:
        raise InvalidInput.field("statement", _("Describe what the award achieved."))
    report.statement = statement
    report.indicators = selectors.outcome_indicators(report.application)
    report.submitted_by = user
    report.submitted_at = timezone.now()
    report.save()
    _audit(
        report.application.program,
        AuditEvent.Action.OUTCOME,
        user,
        application=report.application,
    )
    return report
