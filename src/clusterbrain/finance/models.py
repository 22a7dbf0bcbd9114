"""Bank credit (issue 7 item 3, decision 0020): partner banks and their officers, a firm's
consent to share a credit profile with one bank for a period, every view of a profile, and loan
applications with their history.

Consents, views and loan events are facts: a consent is never deleted or shortened, only
withdrawn (once, from that moment on); expiry is its end date passing, not a row a job has to
write. Validation lives in `services`, which names the field of each refused value.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clusterbrain.bilingual import BilingualName
from clusterbrain.registry.models import Cluster, Enterprise


class PartnerBank(BilingualName, models.Model):
    """A bank that finances a cluster's firms under an agreement with its chamber or office."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=200, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    clusters = models.ManyToManyField(
        Cluster, related_name="partner_banks", blank=True, verbose_name=_("clusters")
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_zh"]
        verbose_name = _("partner bank")
        verbose_name_plural = _("partner banks")

    def __str__(self) -> str:
        return self.name_zh


class BankOfficer(models.Model):
    """Which bank a bank-role user reads profiles for. The user's free-text `organisation` is a
    label; only this link grants anything."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bank_officer"
    )
    bank = models.ForeignKey(PartnerBank, on_delete=models.CASCADE, related_name="officers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bank officer")
        verbose_name_plural = _("bank officers")

    def __str__(self) -> str:
        return f"{self.user} @ {self.bank}"


class Section(models.TextChoices):
    """The parts of a credit profile a consent may name."""

    REVENUE = "revenue", _("revenue trend")
    ORDERS = "orders", _("orders fulfilled and on time")
    CERTIFICATES = "certificates", _("certificates")
    GREEN = "green", _("green grade")
    AWARDS = "awards", _("program awards")


class ConsentStatus(models.TextChoices):
    PENDING = "pending", _("not yet started")
    LIVE = "live", pgettext_lazy("consent", "live")
    WITHDRAWN = "withdrawn", _("withdrawn")
    EXPIRED = "expired", _("expired")


class Consent(models.Model):
    """A firm's consent that one bank reads the named sections of its credit profile from
    `starts_on` to `ends_on` (both days included), until withdrawn."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="bank_consents"
    )
    bank = models.ForeignKey(PartnerBank, on_delete=models.CASCADE, related_name="consents")
    sections = models.JSONField(_("sections"), default=list)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-pk"]
        indexes = [models.Index(fields=["bank", "ends_on"], name="finance_consent_bank_end")]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.enterprise_id} → {self.bank_id} {self.starts_on}…{self.ends_on}"

    def status_on(self, day: datetime.date) -> str:
        if self.withdrawn_at is not None:
            return ConsentStatus.WITHDRAWN
        if day < self.starts_on:
            return ConsentStatus.PENDING
        if day > self.ends_on:
            return ConsentStatus.EXPIRED
        return ConsentStatus.LIVE


class ProfileView(models.Model):
    """One look by a bank officer at a firm's credit profile: what the firm sees in its log."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="views")
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="bank_profile_views"
    )
    bank = models.ForeignKey(PartnerBank, on_delete=models.CASCADE, related_name="profile_views")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept beside the link so the log still says who looked after the user is deleted.
    viewer_name = models.CharField(_("viewer"), max_length=150)
    sections = models.JSONField(_("sections"), default=list)
    channel = models.CharField(_("channel"), max_length=8, default="page")  # page | api
    viewed_at = models.DateTimeField(_("viewed at"))

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        indexes = [
            models.Index(fields=["enterprise", "viewed_at"], name="finance_view_firm_at"),
            models.Index(fields=["bank", "viewed_at"], name="finance_view_bank_at"),
        ]

    def __str__(self) -> str:
        return f"{self.viewer_name} {self.enterprise_id} {self.viewed_at:%Y-%m-%d %H:%M}"


class LoanStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    UNDER_REVIEW = "under_review", _("under review")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    DISBURSED = "disbursed", _("disbursed")


# Where an application may go from each status; rejected and disbursed are final.
LOAN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    LoanStatus.RECEIVED: (LoanStatus.UNDER_REVIEW, LoanStatus.REJECTED),
    LoanStatus.UNDER_REVIEW: (LoanStatus.APPROVED, LoanStatus.REJECTED),
    LoanStatus.APPROVED: (LoanStatus.DISBURSED, LoanStatus.REJECTED),
    LoanStatus.REJECTED: (),
    LoanStatus.DISBURSED: (),
}


class LoanApplication(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="loan_applications"
    )
    bank = models.ForeignKey(
        PartnerBank, on_delete=models.CASCADE, related_name="loan_applications"
    )
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    purpose = models.CharField(_("purpose"), max_length=500)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    status = models.CharField(
        _("status"), max_length=14, choices=LoanStatus.choices, default=LoanStatus.RECEIVED
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("applied at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("loan application")
        verbose_name_plural = _("loan applications")

    def __str__(self) -> str:
        return f"{self.enterprise_id} → {self.bank_id} {self.amount} ({self.status})"


class LoanEvent(models.Model):
    """One step of an application (its filing included), never changed afterwards."""

    application = models.ForeignKey(
        LoanApplication, on_delete=models.CASCADE, related_name="events"
    )
    status = models.CharField(_("status"), max_length=14, choices=LoanStatus.choices)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.status} {self.at:%Y-%m-%d}"
