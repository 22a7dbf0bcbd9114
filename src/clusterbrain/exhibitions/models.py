"""Exhibition groups the association leads to fairs at home and abroad (issue 7 item 5,
decision 0022): the fair and its booth plan, the firms that sign up, the booths they are given,
and the buyer leads each firm records at its booth.

A firm's leads are its own customer contacts (confidential, DOMAIN.md): only the firm reads them;
the association sees how many there are per exhibition and country, never who. Validation lives
in `services`, which names the field or row of each refused value.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clusterbrain.bilingual import BilingualName, pick
from clusterbrain.registry.models import Cluster, Enterprise


class Scope(models.TextChoices):
    DOMESTIC = "domestic", _("domestic")
    ABROAD = "abroad", _("abroad")


class Exhibition(BilingualName, models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="exhibitions")
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    venue = models.CharField(_("venue"), max_length=200)
    city_zh = models.CharField(_("city (Chinese)"), max_length=100)
    city_en = models.CharField(_("city (English)"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 alpha-2."))
    scope = models.CharField(_("domestic or abroad"), max_length=10, choices=Scope.choices)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    signup_deadline = models.DateField(_("sign-up deadline"))
    booth_fee = models.DecimalField(
        _("fee per booth (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    allocated_at = models.DateTimeField(_("booths allocated at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "pk"]
        indexes = [models.Index(fields=["cluster", "starts_on"], name="exhibition_cluster_start")]
        verbose_name = _("exhibition")
        verbose_name_plural = _("exhibitions")

    def __str__(self) -> str:
        return self.name

    @property
    def city(self) -> str:
        return pick(self.city_zh, self.city_en)

    @property
    def description(self) -> str:
        return pick(self.description_zh, self.description_en)


class Booth(models.Model):
    exhibition = models.ForeignKey(Exhibition, on_delete=models.CASCADE, related_name="booths")
    code = models.CharField(_("booth"), max_length=20)
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=7, decimal_places=2, validators=[MinValueValidator(0)]
    )
    zone = models.CharField(_("zone"), max_length=40, blank=True)
    corner = models.BooleanField(_("corner"), default=False)

    class Meta:
        ordering = ["exhibition_id", "zone", "code"]
        constraints = [
            models.UniqueConstraint(fields=["exhibition", "code"], name="exhibition_booth_code")
        ]
        verbose_name = _("booth")
        verbose_name_plural = _("booths")

    def __str__(self) -> str:
        return self.code


class SignUp(models.Model):
    exhibition = models.ForeignKey(Exhibition, on_delete=models.CASCADE, related_name="signups")
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="exhibition_signups"
    )
    booths_requested = models.PositiveSmallIntegerField(_("booths requested"), default=1)
    area_requested = models.DecimalField(
        _("area wanted per booth (m²)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    products = models.JSONField(_("products shown"), default=list, blank=True)
    preferred_zone = models.CharField(_("preferred zone"), max_length=40, blank=True)
    signed_up_at = models.DateTimeField(_("signed up at"))

    class Meta:
        ordering = ["exhibition_id", "signed_up_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["exhibition", "enterprise"], name="exhibition_signup_once"
            )
        ]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")

    def __str__(self) -> str:
        return f"{self.exhibition_id}:{self.enterprise_id}"


class BoothAssignment(models.Model):
    """A booth given to a signed-up firm. One row per booth (the booth is the primary key's
    unique target), so the database itself refuses a double booking."""

    class Method(models.TextChoices):
        AUTO = "auto", _("automatic")
        MANUAL = "manual", _("by hand")

    booth = models.OneToOneField(Booth, on_delete=models.CASCADE, related_name="assignment")
    signup = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="assignments")
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        ordering = ["booth__code"]

    def __str__(self) -> str:
        return f"{self.booth.code} → {self.signup.enterprise_id}"


class FollowUp(models.TextChoices):
    NEW = "new", _("new")
    CONTACTED = "contacted", _("contacted")
    SAMPLES = "samples", _("samples sent")
    QUOTED = "quoted", _("quoted")
    ORDERED = "ordered", _("ordered")
    LOST = "lost", _("lost")


class Interest(models.TextChoices):
    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


class Lead(models.Model):
    """A buyer met at the booth. Confidential to the exhibiting firm."""

    signup = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="leads")
    buyer_company = models.CharField(_("buyer company"), max_length=200)
    country = models.CharField(_("country"), max_length=2)
    contact_name = models.CharField(_("contact"), max_length=120, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=60, blank=True)
    interest = models.CharField(
        _("interest"), max_length=8, choices=Interest.choices, default=Interest.MEDIUM
    )
    products = models.JSONField(_("products of interest"), default=list, blank=True)
    follow_up = models.CharField(
        _("follow-up"), max_length=12, choices=FollowUp.choices, default=FollowUp.NEW
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["signup", "country"], name="exhibition_lead_country")]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self) -> str:
        return self.buyer_company
