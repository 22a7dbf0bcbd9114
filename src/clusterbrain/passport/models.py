"""Product passports (issue 5): a firm's public page for one of its lots or serials, reached by
a GS1 Digital Link (`/01/{gtin}/10/{lot}` or `/21/{serial}`) or a short `/p/{slug}`.

What is public is only the `snapshot`: computed from the genealogy when the firm publishes
(or refreshes) and limited to what the firm chose to show (decision 0013). The page never
traces at request time, so nobody's confidential figures are read for an anonymous visitor.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clusterbrain.registry.models import Enterprise
from clusterbrain.trace.models import Lot


class Passport(models.Model):
    class Origins(models.TextChoices):
        COUNTRY = "country", _("countries only")
        REGION = "region", _("countries and regions")
        FARM = "farm", _("down to the farms")
        NONE = "none", _("not shown")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    slug = models.SlugField(_("short address"), max_length=40, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="passports", verbose_name=_("firm")
    )
    lot = models.ForeignKey(
        Lot, on_delete=models.CASCADE, related_name="passports", verbose_name=_("lot")
    )
    gtin = models.CharField(_("GTIN"), max_length=14)
    lot_number = models.CharField(_("lot number"), max_length=20, blank=True)
    serial = models.CharField(_("serial number"), max_length=20, blank=True)
    title_zh = models.CharField(_("product name (Chinese)"), max_length=200)
    title_en = models.CharField(_("product name (English)"), max_length=200, blank=True)
    origins = models.CharField(
        _("origins shown"), max_length=8, choices=Origins.choices, default=Origins.REGION
    )
    show_firms = models.BooleanField(_("name the processing firms"), default=True)
    show_certificates = models.BooleanField(_("show certificates"), default=True)
    show_footprint = models.BooleanField(_("show the footprint"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED
    )
    snapshot = models.JSONField(_("published content"), default=dict)
    published_at = models.DateTimeField(_("published"))
    refreshed_at = models.DateTimeField(_("content computed"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["gtin", "lot_number", "serial"], name="passport_one_per_product_key"
            )
        ]
        verbose_name = _("product passport")
        verbose_name_plural = _("product passports")

    def __str__(self) -> str:
        return self.slug

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def path(self) -> str:
        """The Digital Link path on our own domain."""
        from clusterbrain.engines.passport.digital_link import ProductKey

        key = ProductKey(self.gtin, lot=self.lot_number, serial=self.serial)
        return key.path
