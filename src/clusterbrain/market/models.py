"""Market intelligence (issue 6): a firm's products and its sales from every channel, its
exhibition leads, and the column mapping its e-commerce exports need.

A firm's sales are its own (DOMAIN.md, decision 0015): the firm sees them in full, the cluster
office of its cluster and admins see enterprise-level statistics, everyone else sees aggregates
over at least k firms with no firm dominant. `market.selectors` enforces it.

Values are kept in yuan (CNY), the cluster's base currency, beside the currency and amount the
file gave and the rate used: a file in another currency is read only with an explicit rate
(decision 0015), so no figure depends on a rate the platform guessed.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clusterbrain.registry.models import Cluster, Enterprise

NONNEGATIVE = [MinValueValidator(0)]
BASE_CURRENCY = "CNY"


class Channel(models.TextChoices):
    MARKET_STALL = "market_stall", _("wholesale-market stall")
    ECOMMERCE = "ecommerce", _("e-commerce")
    LIVESTREAM = "livestream", _("livestream")
    EXHIBITION = "exhibition", _("exhibition")
    WHOLESALE = "wholesale", _("wholesale")
    OTHER = "other", _("other")


class PriceBand(models.TextChoices):
    BUDGET = "budget", _("budget")
    MID = "mid", _("mid-range")
    PREMIUM = "premium", _("premium")
    LUXURY = "luxury", _("luxury")


class Product(models.Model):
    """A firm's product with the attributes trends are read on. Style tags are a list; a sale
    carries one style (the first tag), the one the trend scan counts."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=80)
    material = models.CharField(_("material"), max_length=80, blank=True)
    colour = models.CharField(_("colour"), max_length=80, blank=True)
    style_tags = models.JSONField(_("style tags"), default=list, blank=True)
    price_band = models.CharField(
        _("price band"), max_length=16, choices=PriceBand.choices, blank=True
    )
    sku = models.CharField(_("SKU"), max_length=80, blank=True)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)

    class Meta:
        ordering = ["enterprise_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "sku"],
                condition=~models.Q(sku=""),
                name="market_product_sku_unique_per_firm",
            )
        ]

    def __str__(self) -> str:
        return self.name


class SalesImport(models.Model):
    """One imported file: which rows came from where, and who brought them."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="sales_imports"
    )
    file_name = models.CharField(max_length=255)
    rows = models.PositiveIntegerField(default=0)
    rates = models.JSONField(default=dict, blank=True)  # currency → yuan per unit, as given
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows} rows)"


class SalesRecord(models.Model):
    """Sales of one product (or of the attributes alone) in one channel on one date. Weekly
    figures are enough for trends and forecasts; the date is kept as given."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="sales")
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="sales"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    date = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=80)
    material = models.CharField(_("material"), max_length=80, blank=True)
    colour = models.CharField(_("colour"), max_length=80, blank=True)
    style = models.CharField(_("style"), max_length=80, blank=True)
    price_band = models.CharField(
        _("price band"), max_length=16, choices=PriceBand.choices, blank=True
    )
    quantity = models.FloatField(_("quantity"), validators=NONNEGATIVE)
    value = models.FloatField(_("value (yuan)"), validators=NONNEGATIVE)
    currency = models.CharField(_("currency"), max_length=3, default=BASE_CURRENCY)
    value_original = models.FloatField(_("value in its currency"), validators=NONNEGATIVE)
    # livestream sessions are another app's (issue 6 item 5): a free reference until then
    session_ref = models.CharField(_("livestream session"), max_length=80, blank=True)
    source = models.ForeignKey(
        SalesImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["enterprise", "date"], name="market_sales_firm_date"),
            models.Index(fields=["date"], name="market_sales_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.channel} {self.category} ×{self.quantity:g}"


class ImportMapping(models.Model):
    """A firm's column mapping: its export's headers (normalised) → our fields ("" = ignore),
    offered again on the next import of the same export."""

    enterprise = models.OneToOneField(
        Enterprise, on_delete=models.CASCADE, related_name="sales_mapping"
    )
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"mapping of firm {self.enterprise_id}"


class LeadStatus(models.TextChoices):
    NEW = "new", _("new")
    CONTACTED = "contacted", _("contacted")
    QUOTED = "quoted", _("quoted")
    WON = "won", _("won")
    LOST = "lost", _("lost")


class ExhibitionLead(models.Model):
    """A buyer met at an exhibition: the firm's own, like its sales."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="exhibition_leads"
    )
    exhibition = models.CharField(_("exhibition"), max_length=200)
    date = models.DateField(_("date"))
    buyer_country = models.CharField(_("buyer's country"), max_length=80)
    category = models.CharField(_("category of interest"), max_length=80, blank=True)
    estimated_value = models.FloatField(
        _("estimated value (yuan)"), null=True, blank=True, validators=NONNEGATIVE
    )
    status = models.CharField(
        _("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW
    )

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.exhibition} {self.date} {self.buyer_country}"


def _token() -> str:
    return secrets.token_hex(8)


class MarketStamp(models.Model):
    """The cluster's sales data version: replaced by every write of sales, so trend scans and
    forecasts cached under it (decision 0015, as 0002) are never older than the data."""

    cluster = models.OneToOneField(Cluster, on_delete=models.CASCADE, related_name="market_stamp")
    version = models.CharField(max_length=32, default=_token)

    def __str__(self) -> str:
        return f"{self.cluster_id}:{self.version}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class ReportAudience(models.TextChoices):
    MEMBERS = "members", _("members")
    PUBLIC = "public", _("public")


class TrendReport(models.Model):
    """The association's seasonal trend release (issue 6 item 4). Its figures are frozen into
    its sections when composed, so a published report says what it said on the day, whatever
    the sales imported since; once published it is never changed (a new version is a new
    draft copied from it, decision 0015 addendum)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="trend_reports")
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    season = models.CharField(_("season"), max_length=80, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    audience = models.CharField(
        _("audience"), max_length=16, choices=ReportAudience.choices, default=ReportAudience.MEMBERS
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_versions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title_zh

    def title(self, lang: str) -> str:
        return (self.title_en or self.title_zh) if lang == "en" else self.title_zh


class SectionKind(models.TextChoices):
    TEXT = "text", _("text")
    CHART = "chart", _("chart of a figure")
    TREND = "trend", _("highlighted trend")
    FORECAST = "forecast", _("forecast chart")


class ReportSection(models.Model):
    """One section in order. `figure` names what was frozen (e.g. `weekly_by_channel`,
    `categories`, `material:suede`, `handbag|livestream`); `data` holds it as composed, with
    nothing withheld in it."""

    report = models.ForeignKey(TrendReport, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=SectionKind.choices)
    heading_zh = models.CharField(_("heading (Chinese)"), max_length=200, blank=True)
    heading_en = models.CharField(_("heading (English)"), max_length=200, blank=True)
    body_zh = models.TextField(_("text (Chinese)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    figure = models.CharField(_("figure"), max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["report_id", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}#{self.order} {self.kind}"

    def heading(self, lang: str) -> str:
        return (self.heading_en or self.heading_zh) if lang == "en" else self.heading_zh

    def body(self, lang: str) -> str:
        return (self.body_en or self.body_zh) if lang == "en" else self.body_zh
