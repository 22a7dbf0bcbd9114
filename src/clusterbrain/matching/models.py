"""Leading + matching (issue 4): outsourcing orders, suppliers' offers and capacity calendars,
allocation runs and what they assigned, the workflow to delivery, and in-app notifications.

Confidential (DOMAIN.md): prices and order details. An order is seen by its leading firm, by the
suppliers it was offered to (their own part only, never a competitor's price) and by platform
admins; the cluster's office and association see aggregates. `matching.selectors` enforces it.

Weeks are ISO weeks, stored as the date of their Monday.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clusterbrain.chains.models import ChainLink
from clusterbrain.registry.models import Cluster, Enterprise


class QualityTier(models.TextChoices):
    STANDARD = "standard", _("standard")
    PREMIUM = "premium", _("premium")


class SupplierOffer(models.Model):
    """What a supplier quotes for work in a chain link: its price per unit (of the link's unit),
    lead time to the buyer, and the highest quality tier it works to. Confidential: the price is
    shown to the supplier itself and, for their own orders, to leading firms."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="offers")
    link = models.ForeignKey(ChainLink, on_delete=models.PROTECT, related_name="offers")
    unit_price = models.DecimalField(
        _("unit price (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    lead_weeks = models.PositiveSmallIntegerField(
        _("lead time (weeks)"),
        default=0,
        help_text=_("Weeks from the end of production to arrival at the buyer."),
    )
    quality_tier = models.CharField(
        _("quality tier"), max_length=16, choices=QualityTier.choices, default=QualityTier.STANDARD
    )
    products = models.CharField(_("products"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["enterprise", "link"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "link"], name="supplieroffer_unique"),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="supplieroffer_price_nonnegative"
            ),
        ]
        verbose_name = _("supplier offer")
        verbose_name_plural = _("supplier offers")

    def __str__(self) -> str:
        return f"{self.enterprise} @ {self.link}"


class CapacityWeek(models.Model):
    """A supplier's capacity in a link in one ISO week (units of the link)."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="capacity_weeks"
    )
    link = models.ForeignKey(ChainLink, on_delete=models.PROTECT, related_name="+")
    week = models.DateField(_("week (Monday)"))
    units = models.FloatField(_("units"), validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["enterprise", "link", "week"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "link", "week"], name="capacityweek_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(units__gte=0), name="capacityweek_nonnegative"
            ),
        ]
        indexes = [models.Index(fields=["link", "week"])]
        verbose_name = _("capacity week")
        verbose_name_plural = _("capacity calendar")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.link} {self.week:%G-W%V}: {self.units:g}"


class OutsourcingOrder(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        PROPOSED = "proposed", _("proposal to confirm")
        CONFIRMED = "confirmed", _("waiting for suppliers")
        IN_PROGRESS = "in_progress", _("in production")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    class LocalPreference(models.TextChoices):
        PREFER = "prefer", _("prefer suppliers in the cluster")
        ONLY = "only", _("suppliers in the cluster only")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="orders")
    buyer = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="orders_placed")
    link = models.ForeignKey(ChainLink, on_delete=models.PROTECT, related_name="orders")
    product_category = models.CharField(_("product category"), max_length=100)
    quantity = models.FloatField(_("quantity"), validators=[MinValueValidator(0)])
    unit = models.CharField(_("unit"), max_length=32)
    target_unit_price = models.DecimalField(
        _("target unit price (yuan)"), max_digits=12, decimal_places=2
    )
    earliest_start = models.DateField(_("earliest start"))
    due_date = models.DateField(_("due date"))
    required_certificates = models.JSONField(_("required certificates"), default=list, blank=True)
    quality_tier = models.CharField(
        _("quality tier"), max_length=16, choices=QualityTier.choices, default=QualityTier.STANDARD
    )
    splittable = models.BooleanField(_("may be split between suppliers"), default=True)
    min_lot = models.FloatField(_("minimum lot per supplier"), default=0)
    max_share = models.FloatField(
        _("largest share per supplier"),
        default=1.0,
        help_text=_("When split: the most of the order one supplier may take (0–1)."),
    )
    local_preference = models.CharField(
        _("in-cluster preference"),
        max_length=8,
        choices=LocalPreference.choices,
        default=LocalPreference.PREFER,
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    # The reason the last allocation left units of the order unplaced (engine Reason code).
    unmet_reason = models.CharField(max_length=32, blank=True)
    unmet_quantity = models.FloatField(default=0)
    unmet_excluded = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["cluster", "status"]),
            models.Index(fields=["buyer", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_date__gte=models.F("earliest_start")),
                name="order_due_after_start",
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_quantity"),
        ]
        verbose_name = _("outsourcing order")
        verbose_name_plural = _("outsourcing orders")

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"OO-{self.pk or 0:05d}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.PROPOSED)


class AllocationRun(models.Model):
    """One call of the allocation engine: all open orders of a period, or (a re-optimisation)
    the orders a supplier's decline affected, with everything else held fixed."""

    class Kind(models.TextChoices):
        PERIOD = "period", _("all open orders of a period")
        REOPTIMISE = "reoptimise", _("re-optimisation after a decline")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="allocation_runs")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PERIOD)
    period_start = models.DateField(_("first week (Monday)"))
    weeks = models.PositiveSmallIntegerField(_("weeks"))
    time_limit = models.FloatField(_("time limit (seconds)"))
    status = models.CharField(_("solver status"), max_length=12)  # optimal | feasible | heuristic
    method = models.CharField(max_length=40)
    objective = models.FloatField(_("objective"))
    purchase_cost = models.FloatField(_("purchase cost"))
    best_bound = models.FloatField(_("best bound"), null=True, blank=True)
    gap = models.FloatField(_("gap"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"))
    orders = models.PositiveIntegerField(_("orders"))
    suppliers = models.PositiveIntegerField(_("suppliers"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")

    def __str__(self) -> str:
        return f"{self.cluster} {self.period_start} ({self.get_kind_display()})"


class Assignment(models.Model):
    """The part of an order one supplier makes: proposed by a run, offered once the leading firm
    confirms, then accepted or declined, produced, delivered and inspected."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        OFFERED = "offered", _("offered")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        DELIVERED = "delivered", _("delivered")
        COMPLETED = "completed", _("inspected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    # What holds capacity: everything but what was declined or withdrawn.
    HOLDING = (
        Status.PROPOSED,
        Status.OFFERED,
        Status.ACCEPTED,
        Status.DELIVERED,
        Status.COMPLETED,
    )
    # What counts as outsourced (the supplier took the work on).
    TAKEN = (Status.ACCEPTED, Status.DELIVERED, Status.COMPLETED)

    order = models.ForeignKey(
        OutsourcingOrder, on_delete=models.CASCADE, related_name="assignments"
    )
    run = models.ForeignKey(
        AllocationRun, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments"
    )
    supplier = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="assignments")
    quantity = models.FloatField(_("quantity"), validators=[MinValueValidator(0)])
    unit_price = models.DecimalField(_("unit price (yuan)"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    produced = models.FloatField(_("produced so far"), default=0)
    progress_note = models.CharField(_("progress note"), max_length=300, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    delivered_quantity = models.FloatField(_("delivered quantity"), null=True, blank=True)
    on_time = models.BooleanField(null=True, blank=True)
    quality_passed = models.BooleanField(_("quality accepted"), null=True, blank=True)
    accepted_quantity = models.FloatField(_("accepted quantity"), null=True, blank=True)
    inspection_note = models.CharField(_("inspection note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        indexes = [
            models.Index(fields=["supplier", "status"]),
            models.Index(fields=["order", "status"]),
        ]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.order} → {self.supplier} ({self.quantity:g})"

    @property
    def value(self) -> float:
        return float(self.unit_price) * self.quantity


class AssignmentWeek(models.Model):
    """The units of an assignment made in one week: what it takes from the capacity calendar."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="weeks")
    week = models.DateField()
    quantity = models.FloatField()

    class Meta:
        ordering = ["assignment", "week"]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.week}: {self.quantity:g}"


class UnmetOrder(models.Model):
    """What a run could not place of an order, and the constraint that binds (engine Reason)."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="unmet")
    order = models.ForeignKey(OutsourcingOrder, on_delete=models.CASCADE, related_name="unmet")
    quantity = models.FloatField()
    reason = models.CharField(max_length=32)
    excluded = models.JSONField(default=dict, blank=True)  # reason → suppliers excluded

    class Meta:
        ordering = ["run", "order"]

    def __str__(self) -> str:
        return f"{self.order}: {self.quantity:g} unmet ({self.reason})"


class Notification(models.Model):
    """A message in the app. Stored as a kind and parameters and worded when read, so each
    reader sees it in their own language."""

    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("a proposal is ready")
        UNMET = "unmet", _("an order could not be placed")
        OFFERED = "offered", _("an order was offered")
        ACCEPTED = "accepted", _("a supplier accepted")
        DECLINED = "declined", _("a supplier declined")
        PROGRESS = "progress", _("production progress")
        DELIVERED = "delivered", _("delivered")
        INSPECTED = "inspected", _("inspected")
        WITHDRAWN = "withdrawn", _("an offer was withdrawn")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    order = models.ForeignKey(
        OutsourcingOrder,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.order_id}"
