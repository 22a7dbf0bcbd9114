"""Chain templates: the links of an industry's chain as a DAG, with input coefficients."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from clusterbrain.bilingual import BilingualName


class ChainTemplate(BilingualName, models.Model):
    slug = models.SlugField(_("code"), unique=True, max_length=64)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    industry = models.CharField(_("industry"), max_length=64)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("chain template")
        verbose_name_plural = _("chain templates")

    def __str__(self) -> str:
        return self.name


class ChainLink(BilingualName, models.Model):
    class Kind(models.TextChoices):
        CORE = "core", _("core")
        SUPPORT = "support", _("support")

    template = models.ForeignKey(ChainTemplate, on_delete=models.CASCADE, related_name="links")
    code = models.SlugField(_("code"), max_length=64)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CORE)
    stage = models.PositiveSmallIntegerField(
        _("stage"), default=0, help_text=_("Position from upstream (0) to downstream.")
    )
    unit = models.CharField(_("capacity unit"), max_length=32, default="pieces")
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        ordering = ["template", "stage", "code"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="chainlink_unique_code")
        ]
        verbose_name = _("chain link")
        verbose_name_plural = _("chain links")

    def __str__(self) -> str:
        return self.name

    @property
    def is_core(self) -> bool:
        return self.kind == self.Kind.CORE


class ChainEdge(models.Model):
    """Material or service flow from an upstream link to a downstream link.

    `input_coefficient` is the quantity of upstream output (in the upstream link's unit) needed
    per unit of downstream output, where known; it turns downstream output into upstream demand.
    """

    template = models.ForeignKey(ChainTemplate, on_delete=models.CASCADE, related_name="edges")
    upstream = models.ForeignKey(
        ChainLink, on_delete=models.CASCADE, related_name="downstream_edges"
    )
    downstream = models.ForeignKey(
        ChainLink, on_delete=models.CASCADE, related_name="upstream_edges"
    )
    input_coefficient = models.FloatField(_("input coefficient"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["upstream", "downstream"], name="chainedge_unique"),
            models.CheckConstraint(
                condition=~models.Q(upstream=models.F("downstream")), name="chainedge_no_self_loop"
            ),
            models.CheckConstraint(
                condition=models.Q(input_coefficient__isnull=True)
                | models.Q(input_coefficient__gte=0),
                name="chainedge_coefficient_nonnegative",
            ),
        ]
        verbose_name = _("chain edge")
        verbose_name_plural = _("chain edges")

    def __str__(self) -> str:
        return f"{self.upstream} → {self.downstream}"
