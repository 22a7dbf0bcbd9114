"""Licences of a cluster's regional (collective) brand to member firms (issue 7 item 4,
decision 0021).

A licence is public by nature: anyone may verify a code and see who holds it for which products,
countries and period. The terms text and the history (who suspended it and why) are for the
licensee and the association. Validation lives in `services`, which names the field of each
refused value.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusterbrain.registry.models import Brand, Enterprise


class LicenceStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    REVOKED = "revoked", _("revoked")


class BrandLicence(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="licences")
    licensee = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="brand_licences"
    )
    code = models.CharField(_("licence code"), max_length=40, unique=True)
    terms = models.TextField(_("terms"), blank=True)
    products = models.JSONField(_("products"), default=list)
    countries = models.JSONField(_("countries"), default=list, help_text=_("ISO 3166 alpha-2."))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=12, choices=LicenceStatus.choices, default=LicenceStatus.ACTIVE
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["brand_id", "licensee__name_zh", "-valid_until"]
        indexes = [models.Index(fields=["brand", "status"], name="brand_licence_status")]
        verbose_name = _("brand licence")
        verbose_name_plural = _("brand licences")

    def __str__(self) -> str:
        return self.code

    def standing(self, on: datetime.date | None = None) -> str:
        """What a verifier is told: valid, not yet valid, expired, suspended or revoked. Revoked
        and suspended outrank the dates: a revoked licence is never "expired"."""
        if self.status != LicenceStatus.ACTIVE:
            return str(self.status)
        day = on or timezone.localdate()
        if day < self.valid_from:
            return "not_yet_valid"
        if day > self.valid_until:
            return "expired"
        return "valid"


class LicenceEvent(models.Model):
    """One step in a licence's history: granted, suspended, reinstated, revoked, renewed."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("granted")
        SUSPENDED = "suspended", _("suspended")
        REINSTATED = "reinstated", _("reinstated")
        REVOKED = "revoked", _("revoked")
        RENEWED = "renewed", _("renewed")

    licence = models.ForeignKey(BrandLicence, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["licence_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.licence_id} {self.action} {self.at:%Y-%m-%d}"
