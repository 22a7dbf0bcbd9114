"""Support programs (issue 7, item 1): what a cluster office offers (budget, period, window,
eligibility rule, scoring criteria, required documents), and the firms' applications to it.

The eligibility rule is data: text in the rule language of `engines.rules`, over the fields of
`programs.profiles.profile_fields()`; `programs.services` checks it whenever a program is saved.
An application keeps a frozen copy of the firm's profile and verdict at submission, so a later
change to the firm or the rule does not rewrite what the reviewers judged.

Review and awards (the `awards` app) set an application's status through
`programs.services.record_status`, which writes the ApplicationEvent beside it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clusterbrain.bilingual import BilingualName, pick
from clusterbrain.registry.models import Cluster, Enterprise

# The document types an office may ask for, by the key the services detect from the content.
DOCUMENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class SupportProgram(BilingualName, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open for applications")
        CLOSED = "closed", _("closed")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="programs")
    code = models.SlugField(_("code"), max_length=64)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    budget = models.DecimalField(
        _("budget (yuan)"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    max_award = models.DecimalField(
        _("largest award per firm (yuan)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    applications_open = models.DateField(_("applications open on"))
    applications_close = models.DateField(_("applications close on"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    eligibility_rule = models.TextField(
        _("eligibility rule"),
        blank=True,
        help_text=_("In the rule language; empty means every firm of the cluster."),
    )
    # The rule as the engine formats it, kept beside the text the office wrote.
    eligibility_canonical = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["cluster", "-applications_open", "code"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "code"], name="program_code_per_cluster"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="program_period_order",
            ),
            models.CheckConstraint(
                condition=models.Q(applications_close__gte=models.F("applications_open")),
                name="program_window_order",
            ),
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="program_budget_gte_0"),
        ]
        indexes = [models.Index(fields=["cluster", "status"])]
        verbose_name = _("support program")
        verbose_name_plural = _("support programs")

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        return pick(self.description_zh, self.description_en)


class ProgramCriterion(BilingualName, models.Model):
    """One scoring criterion the reviewers score (0 … max_score), weighted in the total."""

    program = models.ForeignKey(SupportProgram, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(_("key"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    max_score = models.PositiveSmallIntegerField(_("highest score"), default=10)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["program", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["program", "key"], name="criterion_key_per_program")
        ]
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")

    def __str__(self) -> str:
        return self.name


class ProgramDocument(BilingualName, models.Model):
    """A document the program asks applicants for: which file types, how large, required or not."""

    program = models.ForeignKey(SupportProgram, on_delete=models.CASCADE, related_name="documents")
    key = models.SlugField(_("key"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    # Keys of DOCUMENT_TYPES, e.g. ["pdf", "jpg"].
    allowed_types = models.JSONField(_("allowed file types"), default=list)
    max_size_mb = models.PositiveSmallIntegerField(_("largest size (MB)"), default=10)
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["program", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["program", "key"], name="document_key_per_program")
        ]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        UNDER_REVIEW = "under_review", _("under review")
        AWARDED = "awarded", _("awarded")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    program = models.ForeignKey(
        SupportProgram, on_delete=models.CASCADE, related_name="applications"
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="program_applications"
    )
    requested_amount = models.DecimalField(
        _("requested amount (yuan)"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    project = models.TextField(_("project description"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The firm's profile (profiles.profile_of) and the verdict on it when submitted:
    # {"eligible": bool, "outcome": bool | None, "rule": str,
    #  "conditions": [{"text", "field", "outcome", "actual"}]}
    profile_snapshot = models.JSONField(default=dict, blank=True)
    verdict_snapshot = models.JSONField(default=dict, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["program", "-submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "enterprise"], name="application_one_per_firm"
            ),
            models.CheckConstraint(
                condition=models.Q(requested_amount__gte=0), name="application_amount_gte_0"
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status"]),
            models.Index(fields=["enterprise", "status"]),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.program}"


def application_upload_to(instance: ApplicationDocument, filename: str) -> str:
    # The stored name is ours, never the uploader's (which may carry a path or odd characters).
    return f"programs/{instance.application_id}/{instance.document.key}.{instance.file_type}"


class ApplicationDocument(models.Model):
    """A file uploaded for one of the program's documents; its type is read from its content."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(ProgramDocument, on_delete=models.CASCADE, related_name="uploads")
    file = models.FileField(_("file"), upload_to=application_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    file_type = models.CharField(_("file type"), max_length=8)  # a key of DOCUMENT_TYPES
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "document__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "document"], name="one_upload_per_document"
            )
        ]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self) -> str:
        return f"{self.application} {self.document.key}"


class ApplicationEvent(models.Model):
    """The status history of an application: who moved it, when, from what to what, and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=12, choices=Application.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Application.Status.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["application", "at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} → {self.to_status}"
