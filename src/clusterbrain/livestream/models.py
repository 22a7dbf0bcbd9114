"""The livestream base (issue 6 item 5, decision 0016): streamers the cluster's base works with,
sessions it schedules, and what each featured firm sold in them.

A session's items are each firm's own figures (like its sales, decision 0015); the session's
totals are an aggregate over the firms featured and are withheld below k firms for everyone but
the office of the cluster and admins (decision 0003). Validation lives in `services`, which
names the field of each refused value; the model validators are a second line for the admin.
"""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clusterbrain.market.models import Product
from clusterbrain.registry.models import Cluster, Enterprise

NONNEGATIVE = [MinValueValidator(0)]


class Platform(models.TextChoices):
    DOUYIN = "douyin", _("Douyin")
    KUAISHOU = "kuaishou", _("Kuaishou")
    TAOBAO_LIVE = "taobao_live", _("Taobao Live")
    WECHAT_CHANNELS = "wechat_channels", _("WeChat Channels")
    OTHER = "other", _("other platform")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    LIVE = "live", _("live")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class Streamer(models.Model):
    """A streamer (host) the base works with. Name, platform, categories and followers are the
    public profile; the commission rate is the base's business with the streamer."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="streamers")
    name = models.CharField(_("name"), max_length=120)
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    followers = models.PositiveIntegerField(_("followers"), default=0)
    commission_rate = models.FloatField(
        _("commission rate"), default=0.0, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )

    class Meta:
        ordering = ["cluster_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "name", "platform"], name="livestream_streamer_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"


class LivestreamSession(models.Model):
    """One broadcast at the base. Results are blank until the base records them."""

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="livestream_sessions"
    )
    streamer = models.ForeignKey(Streamer, on_delete=models.CASCADE, related_name="sessions")
    firms = models.ManyToManyField(Enterprise, related_name="livestream_sessions", blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    start = models.DateTimeField(_("scheduled start"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    status = models.CharField(
        _("status"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    viewers = models.PositiveIntegerField(_("viewers"), null=True, blank=True)
    peak_viewers = models.PositiveIntegerField(_("peak viewers"), null=True, blank=True)
    items_shown = models.PositiveIntegerField(_("items shown"), null=True, blank=True)
    orders = models.PositiveIntegerField(_("orders"), null=True, blank=True)
    gmv = models.FloatField(_("GMV (yuan)"), null=True, blank=True, validators=NONNEGATIVE)
    returns_value = models.FloatField(
        _("returns (yuan)"), null=True, blank=True, validators=NONNEGATIVE
    )
    slot_fee = models.FloatField(_("slot fee (yuan)"), default=0.0, validators=NONNEGATIVE)
    commission = models.FloatField(_("commission (yuan)"), default=0.0, validators=NONNEGATIVE)

    class Meta:
        ordering = ["-start", "-pk"]
        indexes = [models.Index(fields=["cluster", "start"], name="livestream_session_start")]

    def __str__(self) -> str:
        return f"{self.streamer.name} {self.start:%Y-%m-%d %H:%M}"

    @property
    def end(self) -> datetime.datetime:
        return self.start + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def fees(self) -> float:
        return (self.slot_fee or 0.0) + (self.commission or 0.0)


class SessionItem(models.Model):
    """What one featured firm sold in a session: a product of its own, or a category."""

    session = models.ForeignKey(LivestreamSession, on_delete=models.CASCADE, related_name="items")
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="livestream_items"
    )
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="livestream_items"
    )
    category = models.CharField(_("category"), max_length=80)
    units = models.FloatField(_("units sold"), default=0.0, validators=NONNEGATIVE)
    gmv = models.FloatField(_("GMV (yuan)"), default=0.0, validators=NONNEGATIVE)
    returns_value = models.FloatField(_("returns (yuan)"), default=0.0, validators=NONNEGATIVE)

    class Meta:
        ordering = ["session_id", "enterprise_id", "pk"]

    def __str__(self) -> str:
        return f"{self.session_id} {self.category} {self.gmv:g}"
