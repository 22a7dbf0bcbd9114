"""Review, award decisions, the disbursement ledger and outcome reports (issue 7 item 2,
decision 0019).

The ledger is double entry and append-only: each `LedgerEntry` moves an amount from one of a
program's accounts (credit) to another (debit); a balance is a sum of entries, never a stored
figure. An entry is never changed or deleted by the application: a mistake is undone by a
reversal entry that names the original. The model refuses `save()` on an existing row and
`delete()`; a database trigger (migration 0002) refuses an UPDATE of the money columns even from
raw SQL. DELETE stays possible at database level so that deleting a whole (demo) cluster
cascades.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clusterbrain.errors import DomainError
from clusterbrain.programs.models import Application, ProgramCriterion, SupportProgram

# An outcome report opens this many days before it is due.
OUTCOME_WINDOW_DAYS = 30


class ImmutableRecord(DomainError):
    """An attempt to change or delete a ledger entry or an audit event."""

    status_code = 409


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk UPDATE and DELETE refused like the single-row ones. Django's deletion collector does
    not go through `QuerySet.delete`, so a cluster's cascade still removes the rows."""

    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecord(str(_("Ledger entries and audit events cannot be changed.")))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord(str(_("Ledger entries and audit events cannot be deleted.")))


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecord(
                str(
                    _("Ledger entries and audit events cannot be changed; post a reversal instead.")
                )
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord(str(_("Ledger entries and audit events cannot be deleted.")))


class ReviewAssignment(models.Model):
    """A reviewer asked by the office to score one application. The reviewer declares a
    conflict of interest (or none) before the application's scores open to them; a declared
    conflict leaves the assignment closed for good."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="review_assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="review_assignments",
        verbose_name=_("reviewer"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    # None until declared.
    conflict = models.BooleanField(_("conflict of interest"), null=True, blank=True)
    conflict_note = models.CharField(_("declaration note"), max_length=500, blank=True)
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)

    class Meta:
        ordering = ["application", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="awards_one_assignment_per_reviewer"
            )
        ]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application_id}"

    @property
    def may_score(self) -> bool:
        return self.conflict is False


class Review(models.Model):
    """One reviewer's submitted scores. `score` is the weighted total on 0–100: each criterion's
    score over its highest score, weighted by the criterion's weight."""

    assignment = models.OneToOneField(
        ReviewAssignment, on_delete=models.CASCADE, related_name="review"
    )
    score = models.DecimalField(_("weighted score (0–100)"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        ordering = ["assignment__application", "submitted_at", "pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.assignment} {self.score}"


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ProgramCriterion, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["review", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="awards_score_once"),
            models.CheckConstraint(condition=models.Q(score__gte=0), name="awards_score_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


class Decision(models.Model):
    class Outcome(models.TextChoices):
        AWARD = "award", _("award")
        REJECT = "reject", _("reject")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="award_decision"
    )
    outcome = models.CharField(_("decision"), max_length=8, choices=Outcome.choices)
    amount = models.DecimalField(
        _("amount awarded (yuan)"), null=True, blank=True, max_digits=16, decimal_places=2
    )
    reason = models.TextField(_("reason"), blank=True)
    # What the office saw when it decided.
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    reviews = models.PositiveSmallIntegerField(_("reviews"), default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(outcome="award", amount__gt=0))
                | models.Q(outcome="reject", amount__isnull=True),
                name="awards_decision_amount",
            )
        ]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.outcome} {self.amount or ''}"


class Account(models.TextChoices):
    """A program's accounts. Debit-normal: balance = debits − credits, so the fund source (where
    the budget comes from) runs negative by the budget posted."""

    FUND_SOURCE = "fund_source", _("fund source")
    AVAILABLE = "available", _("budget available")
    COMMITTED = "committed", pgettext_lazy("ledger account", "committed")
    PAID = "paid", _("paid")


class EntryKind(models.TextChoices):
    BUDGET = "budget", _("budget posted")
    AWARD = "award", _("award committed")
    DISBURSEMENT = "disbursement", _("disbursement")
    REVERSAL = "reversal", _("reversal")


# What each kind moves: (debit, credit). A reversal moves its original's the other way.
MOVES: dict[str, tuple[str, str]] = {
    EntryKind.BUDGET: (Account.AVAILABLE, Account.FUND_SOURCE),
    EntryKind.AWARD: (Account.COMMITTED, Account.AVAILABLE),
    EntryKind.DISBURSEMENT: (Account.PAID, Account.COMMITTED),
}


class LedgerEntry(AppendOnly):
    """One balanced journal entry: `amount` debited to one account and credited to another."""

    program = models.ForeignKey(
        SupportProgram, on_delete=models.CASCADE, related_name="ledger_entries"
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    debit = models.CharField(_("debit"), max_length=12, choices=Account.choices)
    credit = models.CharField(_("credit"), max_length=12, choices=Account.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=16, decimal_places=2)
    # A reversal names the entry it undoes; one reversal per entry (one-to-one).
    reverses = models.OneToOneField(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="reversal"
    )
    tranche = models.PositiveSmallIntegerField(_("tranche"), null=True, blank=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)

    class Meta:
        ordering = ["program", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="awards_entry_amount_gt_0"
            ),
            models.CheckConstraint(
                condition=~models.Q(debit=models.F("credit")), name="awards_entry_two_accounts"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="reversal", reverses__isnull=False)
                | (~models.Q(kind="reversal") & models.Q(reverses__isnull=True)),
                name="awards_entry_reversal_names_original",
            ),
        ]
        indexes = [models.Index(fields=["program", "application"])]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.credit}→{self.debit} {self.amount}"


class AuditEvent(AppendOnly):
    """Who did what, when, to a program's review and money: the office reads it in full."""

    class Action(models.TextChoices):
        ASSIGNED = "assigned", _("reviewer assigned")
        DECLARED = "declared", _("conflict of interest declared")
        REVIEWED = "reviewed", _("review submitted")
        AWARDED = "awarded", _("award decided")
        REJECTED = "rejected", _("rejection decided")
        BUDGET = "budget", _("budget posted")
        DISBURSED = "disbursed", _("disbursement paid")
        REVERSED = "reversed", _("entry reversed")
        OUTCOME = "outcome", _("outcome report submitted")

    program = models.ForeignKey(
        SupportProgram, on_delete=models.CASCADE, related_name="audit_events"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_events"
    )
    entry = models.ForeignKey(
        LedgerEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_events"
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The actor's username, kept when the account is gone.
    actor_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["program", "at", "pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"


class OutcomeReport(models.Model):
    """What came of an award a year later: indicators from the platform's own data, frozen when
    the firm submits its statement beside them."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="outcome_report"
    )
    due_on = models.DateField(_("due on"))
    statement = models.TextField(_("the firm's statement"), blank=True)
    # {"baseline_year", "followup_year", "revenue_before", "revenue_after", "revenue_change",
    #  "employees_before", "employees_after", "employees_change", "certificates_gained": [...]}
    indicators = models.JSONField(default=dict, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("outcome report")
        verbose_name_plural = _("outcome reports")

    def __str__(self) -> str:
        return f"{self.application_id} due {self.due_on}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def opens_on(self) -> datetime.date:
        """The firm may submit from a month before the report is due."""
        return self.due_on - datetime.timedelta(days=OUTCOME_WINDOW_DAYS)

    @property
    def is_open(self) -> bool:
        return not self.is_submitted and timezone.localdate() >= self.opens_on
