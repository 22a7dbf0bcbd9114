"""The cluster registry: clusters, their firms, sites, chain roles, certificates, brands, figures.

Confidential (DOMAIN.md): yearly figures (revenue, output value, employees, exports) and supply
relations (customer and supplier lists, values). Everything else on an enterprise is public
profile. Which user may see what is decided in `registry.permissions`, never in templates.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import post_save
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clusterbrain.bilingual import BilingualName, pick
from clusterbrain.chains.models import ChainEdge, ChainLink, ChainTemplate
from clusterbrain.engines.resolution.uscc import USCCError, validate_uscc


def uscc_error_message(exc: USCCError) -> str:
    """The engine's USCC error in the user's language (the engine's own message is English)."""
    params = exc.params
    if exc.code == "length":
        reason = gettext("a code has 18 characters; this one has %(length)d") % {
            "length": params.get("length", 0)
        }
    elif exc.code == "character":
        reason = gettext(
            "the character %(character)s at position %(position)d is not allowed "
            "(digits and capital letters except I, O, S, V, Z)"
        ) % {"character": repr(params.get("character", "")), "position": params.get("position", 0)}
    elif exc.code == "check_character":
        reason = gettext(
            "the check character (position 18) is %(character)s, but the first 17 characters "
            "give %(expected)s"
        ) % {
            "character": repr(params.get("character", "")),
            "expected": repr(params.get("expected", "")),
        }
    else:
        reason = str(exc)
    return gettext("Invalid unified social credit code: %(reason)s") % {"reason": reason}


def validate_uscc_field(value: str) -> None:
    try:
        validate_uscc(value)
    except USCCError as exc:
        raise ValidationError(uscc_error_message(exc), code="invalid_uscc") from exc


def new_data_version() -> str:
    return uuid.uuid4().hex


class Cluster(BilingualName, models.Model):
    slug = models.SlugField(_("code"), unique=True, max_length=64)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    place_zh = models.CharField(_("place (Chinese)"), max_length=300, blank=True)
    place_en = models.CharField(_("place (English)"), max_length=300, blank=True)
    admin_division_codes = models.JSONField(
        _("administrative division codes"),
        default=list,
        help_text=_("GB/T 2260 codes of the districts the cluster covers."),
    )
    industry_zh = models.CharField(_("industry (Chinese)"), max_length=200, blank=True)
    industry_en = models.CharField(_("industry (English)"), max_length=200, blank=True)
    chain_template = models.ForeignKey(
        ChainTemplate,
        on_delete=models.PROTECT,
        related_name="clusters",
        verbose_name=_("chain template"),
    )
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    # Keys the cached aggregates of the cluster (registry.selectors); replaced whenever its
    # registry data changes. Random rather than a counter, so a cluster deleted and created
    # again never meets the cache entries of its predecessor.
    data_version = models.CharField(
        _("data version"), max_length=32, default=new_data_version, editable=False
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")

    def __str__(self) -> str:
        return self.name

    @property
    def place(self) -> str:
        return pick(self.place_zh, self.place_en)

    @property
    def industry(self) -> str:
        return pick(self.industry_zh, self.industry_en)

    @property
    def description(self) -> str:
        return pick(self.description_zh, self.description_en)


class Indicator(models.TextChoices):
    """Cluster-level indicators that targets and reported figures are kept for."""

    OUTPUT_VALUE = "output_value", _("chain output value (yuan)")
    ABOVE_SIZE_FIRMS = "above_size_firms", _("firms above designated size")
    ST_SMES = "st_smes", _("S&T SMEs")
    HIGH_TECH = "high_tech", _("high-tech enterprises")
    GREEN_FACTORIES = "green_factories", _("green factories")
    LWG_GOLD = "lwg_gold", _("LWG gold tanneries")
    WELL_KNOWN_TRADEMARKS = "well_known_trademarks", _("China well-known trademarks")
    WELL_KNOWN_BRANDS = "well_known_brands", _("well-known brands")
    CHAIN_COMPLETENESS = "chain_completeness", _("chain completeness")
    LOCALISATION_RATE = "localisation_rate", _("localisation rate")
    CHROME_FREE_SHARE = "chrome_free_share", _("chrome-free share")
    SUPPORT_FUND = "support_fund", _("support fund per year (yuan)")
    BRAND_CAMPAIGN = "brand_campaign", _("brand campaign (yuan)")
    DESIGN_CENTER = "design_center", _("design center investment (yuan)")
    REGIONAL_BRAND_VALUE = "regional_brand_value", _("regional brand value (yuan)")
    REGIONAL_BRAND_COUNTRIES = (
        "regional_brand_countries",
        _("countries the regional brand is registered in"),
    )
    MULBERRY_AREA = "mulberry_area_mu", _("mulberry area (mu)")
    COCOON_OUTPUT = "cocoon_output_t", _("fresh cocoon output (t/year)")
    FARMERS = "farmers", _("farm households and farmers")
    COCOON_SILK_FIRMS = "cocoon_silk_firms", _("cocoon-and-silk firms")
    REELING_FIRMS = "reeling_firms", _("reeling firms")
    PUBLIC_SERVICE_PLATFORMS = "public_service_platforms", _("provincial public service platforms")
    ACADEMICIAN_WORKSTATIONS = "academician_workstations", _("academician workstations")
    ENTERPRISES = "enterprises", _("registered enterprises")


class ClusterTarget(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1980), MaxValueValidator(2100)]
    )
    indicator = models.CharField(_("indicator"), max_length=40, choices=Indicator.choices)
    value = models.FloatField(_("target value"), validators=[MinValueValidator(0)])
    note_zh = models.CharField(_("note (Chinese)"), max_length=300, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["cluster", "year", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "year", "indicator"], name="clustertarget_unique"
            )
        ]
        verbose_name = _("cluster target")
        verbose_name_plural = _("cluster targets")

    def __str__(self) -> str:
        return f"{self.cluster} {self.year} {self.get_indicator_display()}"

    @property
    def note(self) -> str:
        return pick(self.note_zh, self.note_en)


class ClusterFigure(models.Model):
    """A figure reported for the cluster as a whole (by its office or a report), with its source."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="figures")
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.CharField(_("indicator"), max_length=40, choices=Indicator.choices)
    value = models.FloatField(_("value"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["cluster", "indicator", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "year", "indicator"], name="clusterfigure_unique"
            )
        ]
        verbose_name = _("reported cluster figure")
        verbose_name_plural = _("reported cluster figures")

    def __str__(self) -> str:
        return f"{self.cluster} {self.year} {self.get_indicator_display()}={self.value}"


class ActiveEnterpriseManager(models.Manager["Enterprise"]):
    """Firms not merged into another: what every page, figure and list counts."""

    def get_queryset(self) -> models.QuerySet[Enterprise]:
        return super().get_queryset().filter(merged_into__isnull=True)


class Enterprise(BilingualName, models.Model):
    class LegalForm(models.TextChoices):
        LLC = "llc", _("limited liability company")
        JOINT_STOCK = "joint_stock", _("joint-stock company")
        SOLE_PROPRIETOR = "sole_proprietor", _("individual business")
        PARTNERSHIP = "partnership", _("partnership")
        COOPERATIVE = "cooperative", _("farmers' cooperative")
        BRANCH = "branch", _("branch")
        STATE_OWNED = "state_owned", _("state-owned enterprise")
        FOREIGN = "foreign", _("foreign-invested enterprise")
        OTHER = "other", _("other")

    class SizeClass(models.TextChoices):
        LARGE = "large", _("large")
        MEDIUM = "medium", _("medium")
        SMALL = "small", _("small")
        MICRO = "micro", _("micro")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="enterprises")
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_uscc_field],
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    legal_form = models.CharField(
        _("legal form"), max_length=32, choices=LegalForm.choices, default=LegalForm.LLC
    )
    address_zh = models.CharField(_("address (Chinese)"), max_length=300, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    admin_division = models.CharField(_("administrative division code"), max_length=6, blank=True)
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    size_class = models.CharField(
        _("size class"), max_length=16, choices=SizeClass.choices, default=SizeClass.SMALL
    )
    above_designated_size = models.BooleanField(
        _("above designated size"),
        default=False,
        help_text=_(
            "Annual main-business revenue of at least 20 million yuan; "
            "kept from the latest yearly figures."
        ),
    )
    founded_year = models.PositiveSmallIntegerField(
        _("founding year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    is_member = models.BooleanField(_("member of the association"), default=False)
    shares_with_association = models.BooleanField(
        _("shares figures with the association"),
        default=False,
        help_text=_("Association staff may see this member's confidential figures."),
    )
    is_leading = models.BooleanField(_("leading firm (链主)"), default=False)
    in_cluster = models.BooleanField(
        _("in the cluster"),
        default=True,
        help_text=_("False for suppliers and partners registered outside the cluster."),
    )
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    main_products_zh = models.CharField(_("main products (Chinese)"), max_length=300, blank=True)
    main_products_en = models.CharField(_("main products (English)"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=100, blank=True)
    business_scope = models.TextField(_("business scope"), blank=True)
    # A firm found to be the same as another is kept, folded into it, so the merge can be undone;
    # the default manager no longer lists it and its pages lead to the firm it was merged into.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_firms",
        verbose_name=_("merged into"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActiveEnterpriseManager()
    all_objects = models.Manager()  # noqa: DJ012 (ruff reads a second manager as a field)

    class Meta:
        ordering = ["name_zh"]
        indexes = [
            models.Index(fields=["cluster", "name_zh"]),
            models.Index(fields=["cluster", "size_class"]),
            models.Index(fields=["cluster", "above_designated_size"]),
            models.Index(fields=["cluster", "in_cluster"]),
            # the directory's default order: the cluster's own firms first, then by name
            models.Index(
                fields=["cluster", "-in_cluster", "name_zh", "id"], name="enterprise_directory_idx"
            ),
            models.Index(fields=["cluster", "is_leading"]),
            # Covers the summary's counts: one GROUP BY over these columns, in this order, reads
            # the index alone and needs no sort (registry.selectors._enterprise_counts).
            models.Index(
                fields=[
                    "cluster",
                    "in_cluster",
                    "is_member",
                    "is_leading",
                    "above_designated_size",
                    "size_class",
                ],
                name="enterprise_counts_idx",
            ),
        ]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        base_manager_name = "all_objects"
        default_manager_name = "objects"

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        return pick(self.address_zh, self.address_en)

    @property
    def description(self) -> str:
        return pick(self.description_zh, self.description_en)

    @property
    def main_products(self) -> str:
        return pick(self.main_products_zh, self.main_products_en)


class Facility(BilingualName, models.Model):
    class Kind(models.TextChoices):
        HEADQUARTERS = "headquarters", _("headquarters")
        PRODUCTION = "production", _("production base")
        RND = "rnd", _("R&D centre")
        SALES = "sales", _("sales office / showroom")
        WAREHOUSE = "warehouse", _("warehouse")
        STALL = "stall", _("market stall")
        FARM = "farm", _("farm / base")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="facilities")
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PRODUCTION)
    address_zh = models.CharField(_("address (Chinese)"), max_length=300, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    admin_division = models.CharField(_("administrative division code"), max_length=6, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    in_cluster = models.BooleanField(_("in the cluster"), default=True)

    class Meta:
        ordering = ["enterprise", "kind"]
        indexes = [models.Index(fields=["enterprise", "in_cluster"])]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        return pick(self.address_zh, self.address_en)


class EnterpriseRole(models.Model):
    """An enterprise active in a chain link, for a product category, with its monthly capacity.

    `output_per_month` is the actual recent output in the same unit; both feed link coverage.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="roles")
    link = models.ForeignKey(ChainLink, on_delete=models.PROTECT, related_name="roles")
    product_category = models.CharField(_("product category"), max_length=100, blank=True)
    capacity_per_month = models.FloatField(
        _("capacity per month"), default=0, validators=[MinValueValidator(0)]
    )
    output_per_month = models.FloatField(
        _("output per month"), default=0, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["enterprise", "link"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "link", "product_category"], name="enterpriserole_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity_per_month__gte=0) & models.Q(output_per_month__gte=0),
                name="enterpriserole_nonnegative",
            ),
        ]
        indexes = [
            # A link's firms, with their capacity: a link's biggest firms are summed and ranked
            # from the index alone (registry.selectors._link_supply, link_detail).
            models.Index(
                fields=["link", "enterprise", "capacity_per_month"],
                name="role_link_firm_capacity_idx",
            ),
        ]
        verbose_name = _("chain role")
        verbose_name_plural = _("chain roles")

    def __str__(self) -> str:
        return f"{self.enterprise} @ {self.link}"


class Certification(models.Model):
    class Kind(models.TextChoices):
        LWG_GOLD = "lwg_gold", _("LWG gold")
        LWG_SILVER = "lwg_silver", _("LWG silver")
        LWG_BRONZE = "lwg_bronze", _("LWG bronze")
        LWG_AUDITED = "lwg_audited", _("LWG audited")
        GREEN_FACTORY_NATIONAL = "green_factory_national", _("green factory (national)")
        GREEN_FACTORY_PROVINCIAL = "green_factory_provincial", _("green factory (provincial)")
        HIGH_TECH = "high_tech", _("high-tech enterprise")
        ST_SME = "st_sme", _("S&T SME")
        SPECIALISED_SME = "specialised_sme", _("specialised and innovative SME (专精特新)")
        ISO9001 = "iso9001", _("ISO 9001")
        ISO14001 = "iso14001", _("ISO 14001")
        CHROME_FREE = "chrome_free", _("chrome-free process")
        PUBLIC_SERVICE_PLATFORM = "public_service_platform", _("provincial public service platform")
        ACADEMICIAN_WORKSTATION = "academician_workstation", _("academician workstation")

    GREEN_FACTORY_KINDS = (Kind.GREEN_FACTORY_NATIONAL, Kind.GREEN_FACTORY_PROVINCIAL)
    LWG_KINDS = (Kind.LWG_GOLD, Kind.LWG_SILVER, Kind.LWG_BRONZE, Kind.LWG_AUDITED)

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="certifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    number = models.CharField(_("certificate number"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    evidence = models.FileField(_("evidence file"), upload_to="evidence/%Y/", blank=True)
    # A firm's own claim counts in no public figure until association staff of its cluster (or an
    # admin) has checked it. False by default, so a row written without a thought is not
    # counted; stewards' and admins' entries, and loaders of checked data, set it.
    verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Checked by the association or an admin; only verified certificates count."),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        ordering = ["enterprise", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="certification_validity_order",
            )
        ]
        indexes = [models.Index(fields=["kind", "enterprise"])]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.enterprise}"

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The validity cannot end before it starts.")})


class Brand(BilingualName, models.Model):
    class Status(models.TextChoices):
        ORDINARY = "ordinary", _("registered trademark")
        WELL_KNOWN_BRAND = "well_known_brand", _("well-known brand")
        WELL_KNOWN_TRADEMARK = "well_known_trademark", _("China well-known trademark")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="brands", null=True, blank=True
    )
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="brands")
    is_regional = models.BooleanField(_("regional (collective) brand"), default=False)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    trademark_number = models.CharField(
        _("trademark registration number"), max_length=64, blank=True
    )
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.ORDINARY
    )
    countries_registered = models.JSONField(
        _("countries registered"), default=list, blank=True, help_text=_("ISO 3166 alpha-2 codes.")
    )
    value_yuan = models.FloatField(_("brand value (yuan)"), null=True, blank=True)

    class Meta:
        ordering = ["cluster", "name_zh"]
        indexes = [models.Index(fields=["cluster", "status"])]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name


class EnterpriseYear(models.Model):
    """Confidential yearly figures of an enterprise (yuan unless stated)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1980), MaxValueValidator(2100)]
    )
    revenue = models.DecimalField(
        _("revenue"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    output_value = models.DecimalField(
        _("output value"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    exports = models.DecimalField(
        _("exports"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["enterprise", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="enterpriseyear_unique")
        ]
        indexes = [
            # Output value by year (registry.selectors._output_by_year): the cluster's firms'
            # yearly rows with their output value, without reading the table; and the years
            # there are, one index step a year.
            models.Index(
                fields=["enterprise", "year", "output_value"], name="year_firm_output_idx"
            ),
            models.Index(fields=["year"], name="year_idx"),
        ]
        verbose_name = _("yearly figures")
        verbose_name_plural = _("yearly figures")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"


class SupplyRelation(models.Model):
    """What a buyer bought or outsourced from a supplier in a link in a year: the input of the
    localisation rate. Confidential: it is a customer and supplier list."""

    buyer = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="purchases")
    supplier = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="sales_to_firms"
    )
    link = models.ForeignKey(ChainLink, on_delete=models.PROTECT, related_name="supply_relations")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(
        _("value (yuan)"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["buyer", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "supplier", "link", "year"], name="supplyrelation_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(buyer=models.F("supplier")), name="supplyrelation_not_self"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="supplyrelation_value_nonnegative"
            ),
        ]
        indexes = [models.Index(fields=["year", "buyer"])]
        verbose_name = _("supply relation")
        verbose_name_plural = _("supply relations")

    def __str__(self) -> str:
        return f"{self.buyer} ← {self.supplier} ({self.year})"


# The fields of a firm that the cached cluster aggregates count by.
AGGREGATED_ENTERPRISE_FIELDS = frozenset(
    {"cluster", "in_cluster", "is_member", "is_leading", "above_designated_size", "size_class"}
)


def touch_clusters(clusters: models.QuerySet[Cluster]) -> None:
    """Mark the clusters' registry data as changed: their cached aggregates are not reused."""
    clusters.update(data_version=new_data_version())


def _touch_after_save(sender: type[models.Model], instance: models.Model, **kwargs: object) -> None:
    """Saves through the ORM anywhere (services, admin, loaders using create()) change the data
    the cached aggregates were computed from. bulk_create and queryset updates send no signal:
    code using them calls `registry.selectors.invalidate_cluster` (services and admin do).
    Deletes are not hooked, so Django can still delete in bulk; services and admin touch.
    A save limited to fields no aggregate reads (a firm's description) keeps the cache."""
    update_fields = kwargs.get("update_fields")
    if (
        isinstance(instance, Enterprise)
        and isinstance(update_fields, frozenset)
        and not update_fields & AGGREGATED_ENTERPRISE_FIELDS
    ):
        return
    if isinstance(instance, (Enterprise, Brand, ClusterTarget, ClusterFigure)):
        clusters = Cluster.objects.filter(pk=instance.cluster_id)
    elif isinstance(instance, SupplyRelation):
        clusters = Cluster.objects.filter(
            pk__in=Enterprise.objects.filter(
                pk__in=[instance.buyer_id, instance.supplier_id]
            ).values("cluster_id")
        )
    elif isinstance(instance, (ChainLink, ChainEdge)):
        clusters = Cluster.objects.filter(chain_template_id=instance.template_id)
    else:
        clusters = Cluster.objects.filter(
            pk__in=Enterprise.objects.filter(pk=getattr(instance, "enterprise_id", 0)).values(
                "cluster_id"
            )
        )
    touch_clusters(clusters)


for _model in (  # Facility is in no cached aggregate
    Enterprise,
    EnterpriseRole,
    Certification,
    EnterpriseYear,
    Brand,
    ClusterTarget,
    ClusterFigure,
    SupplyRelation,
    ChainLink,
    ChainEdge,
):
    post_save.connect(_touch_after_save, sender=_model, dispatch_uid=f"touch-{_model.__name__}")


# --- Registry stewardship: source lists, provenance, review, merges (issue 3) ---------------


class SourceKind(models.TextChoices):
    """Where a list of firms came from. The order is the default precedence of their values
    (settings.REGISTRY_SOURCE_PRECEDENCE overrides it): what a person entered on the platform
    first, then the market-regulation registry, the tax office, the chamber, buyers, others."""

    MANUAL = "manual", _("entered on the platform")
    REGISTRY = "registry", _("market-regulation registry")
    TAX = "tax", _("tax office above-size list")
    MEMBERS = "members", _("chamber member list")
    BRAND = "brand", _("brand firm's supplier list")
    OPEN_SUPPLY_HUB = "open_supply_hub", _("Open Supply Hub list")
    EXHIBITION = "exhibition", _("exhibition sign-ups")
    OTHER = "other", _("other list")


class ImportBatch(models.Model):
    """One uploaded list: staged (previewed) first, written into the registry on commit."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("preview")
        COMMITTED = "committed", _("committed")
        DISCARDED = "discarded", _("discarded")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="imports")
    source_name = models.CharField(_("source"), max_length=200)
    source_kind = models.CharField(
        _("kind of source"), max_length=20, choices=SourceKind.choices, default=SourceKind.OTHER
    )
    list_date = models.DateField(_("date of the list"))
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8)
    file_sha256 = models.CharField(max_length=64)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    # {"sheet": {"column index": "field"}}: what each column of each sheet was read as.
    mapping = models.JSONField(default=dict)
    # {"sheet": ["header", …]}: the headers as the file has them.
    headers = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PREVIEW)
    counts = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("imported list")
        verbose_name_plural = _("imported lists")

    def __str__(self) -> str:
        return f"{self.source_name} ({self.file_name})"


class SourceRecord(models.Model):
    """One row of an imported list, as read and as resolved."""

    class Status(models.TextChoices):
        PENDING = "pending", _("not yet resolved")
        INVALID = "invalid", _("not imported: has errors")
        MERGED = "merged", _("merged into a firm")
        CREATED = "created", _("new firm")
        REVIEW = "review", _("waiting for review")
        SKIPPED = "skipped", _("left out")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records")
    sheet = models.CharField(max_length=100, blank=True)
    row_number = models.PositiveIntegerField()
    raw = models.JSONField(default=dict)
    name = models.CharField(max_length=300, blank=True)
    name_en = models.CharField(max_length=300, blank=True)
    uscc = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=400, blank=True)
    address_en = models.CharField(max_length=400, blank=True)
    phone = models.CharField(max_length=100, blank=True)
    legal_representative = models.CharField(max_length=100, blank=True)
    products = models.CharField(max_length=300, blank=True)
    business_scope = models.TextField(blank=True)
    country = models.CharField(max_length=60, blank=True)
    sector = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # [{"field": …, "msg": …, "severity": "error" | "warning"}]
    problems = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_records",
    )
    # The resolution the preview proposes and the commit applied: "uscc", "model", "new", …
    resolution = models.CharField(max_length=12, blank=True)
    candidate = models.ForeignKey(
        Enterprise, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    match_probability = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "sheet", "row_number"]
        indexes = [
            models.Index(fields=["batch", "status"]),
            models.Index(fields=["enterprise"]),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.sheet}:{self.row_number} {self.name}"

    @property
    def has_errors(self) -> bool:
        return any(p.get("severity") == "error" for p in self.problems)


class FieldSource(models.Model):
    """A value of one field of a firm as one source gave it: the shown value is the one of the
    source ranked first (registry.stewardship.PRECEDENCE), the newest among equals."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="field_sources"
    )
    field = models.CharField(max_length=40)
    value = models.TextField()
    source_kind = models.CharField(max_length=20, choices=SourceKind.choices)
    source_name = models.CharField(max_length=200, blank=True)
    observed_on = models.DateField()
    record = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="fields"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enterprise", "field", "-observed_on", "-pk"]
        indexes = [models.Index(fields=["enterprise", "field"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id}.{self.field} = {self.value} ({self.source_kind})"


class EnterpriseAlias(models.Model):
    """Another name a firm goes by in some list; searched like its name."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("name"), max_length=300)
    folded = models.CharField(max_length=300, db_index=True)
    record = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="aliases"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enterprise", "name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "folded"], name="alias_unique_per_firm")
        ]
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")

    def __str__(self) -> str:
        return self.name


class MatchCandidate(models.Model):
    """A pair for association staff to judge: an imported row that may be an existing firm, or
    two firms that may be one (a user's "these are duplicates" flag, or two rows of one list)."""

    class Kind(models.TextChoices):
        RECORD = "record", _("imported row")
        FIRMS = "firms", _("two firms")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("the same firm")
        REJECTED = "rejected", _("different firms")
        SKIPPED = "skipped", _("skipped")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="match_candidates")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    record = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="candidates"
    )
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    match_probability = models.FloatField(null=True, blank=True)
    match_weight = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=list)
    note = models.CharField(_("note"), max_length=500, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-match_probability", "pk"]
        indexes = [models.Index(fields=["cluster", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class MergeEvent(models.Model):
    """The log of merges and their undoing: who, when, why, and what moved (so it can move back)."""

    class Kind(models.TextChoices):
        RECORD = "record", _("row merged into a firm")
        FIRMS = "firms", _("firms merged")
        UNMERGE_RECORD = "unmerge_record", _("row taken out of a firm")
        UNMERGE_FIRMS = "unmerge_firms", _("firms separated")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="merge_events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    record = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    automatic = models.BooleanField(default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    # What the merge moved, by table, and the merged firm's fields before it: what undo needs.
    moved = models.JSONField(default=dict)
    undone_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="undoes"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["cluster", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.enterprise_id} {self.at:%Y-%m-%d}"
