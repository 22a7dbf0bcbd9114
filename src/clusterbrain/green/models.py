"""Green production (issue 5, item 4): monthly production records per firm and site with the
leather tanned by process, water, energy and CO₂e; wastewater tests against GB 30486-2013 in
the ZDHC testing cycles; the yearly value added that the carbon-efficiency grade (碳效码)
divides by. LWG ratings and green-factory status are registry certificates
(registry.Certification), not kept twice.

Confidential (DOMAIN.md, decision 0012): a firm's records, tests, value added, emissions and
grade are seen by the firm, the office of its cluster, association staff where the member
shares, and admins; everyone else sees aggregates over at least k firms. `green.selectors`
enforces it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clusterbrain.engines.green.limits import Discharge
from clusterbrain.engines.green.zdhc import Cycle, cycle_of
from clusterbrain.registry.models import Enterprise, Facility

NONNEGATIVE = [MinValueValidator(0)]

# The leather areas by tanning process; the chrome-free share counts chrome-free and vegetable
# over all four (decision 0012: "other" is tanning whose chromium is not known, so it backs no
# chrome-free claim).
AREA_FIELDS = ("area_chrome_m2", "area_chrome_free_m2", "area_vegetable_m2", "area_other_m2")
CHROME_FREE_AREA_FIELDS = ("area_chrome_free_m2", "area_vegetable_m2")
ENERGY_FIELDS = ("electricity_kwh", "coal_t", "natural_gas_m3", "diesel_t", "steam_gj")


class TanningProcess(models.TextChoices):
    CHROME = "chrome", _("chrome")
    CHROME_FREE = "chrome_free", _("chrome-free")
    VEGETABLE = "vegetable", _("vegetable")
    OTHER = "other", _("other")


class ProductionRecord(models.Model):
    """One month of one site (or of the firm as a whole, without a site)."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="green_records"
    )
    facility = models.ForeignKey(
        Facility,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="green_records",
        verbose_name=_("site"),
    )
    month = models.DateField(_("month"), help_text=_("Stored as the first day of the month."))
    area_chrome_m2 = models.FloatField(
        _("leather tanned with chrome (m²)"), default=0, validators=NONNEGATIVE
    )
    area_chrome_free_m2 = models.FloatField(
        _("leather tanned chrome-free (m²)"), default=0, validators=NONNEGATIVE
    )
    area_vegetable_m2 = models.FloatField(
        _("leather tanned with vegetable tannins (m²)"), default=0, validators=NONNEGATIVE
    )
    area_other_m2 = models.FloatField(
        _("leather tanned otherwise (m²)"), default=0, validators=NONNEGATIVE
    )
    output_quantity = models.FloatField(
        _("other output"), null=True, blank=True, validators=NONNEGATIVE
    )
    output_unit = models.CharField(_("unit of the other output"), max_length=32, blank=True)
    water_m3 = models.FloatField(_("water (m³)"), null=True, blank=True, validators=NONNEGATIVE)
    electricity_kwh = models.FloatField(_("electricity (kWh)"), default=0, validators=NONNEGATIVE)
    coal_t = models.FloatField(_("coal (t)"), default=0, validators=NONNEGATIVE)
    natural_gas_m3 = models.FloatField(_("natural gas (m³)"), default=0, validators=NONNEGATIVE)
    diesel_t = models.FloatField(_("diesel (t)"), default=0, validators=NONNEGATIVE)
    steam_gj = models.FloatField(_("purchased steam (GJ)"), default=0, validators=NONNEGATIVE)
    chemicals_kg = models.FloatField(
        _("chemicals (kg)"), null=True, blank=True, validators=NONNEGATIVE
    )
    chrome_agent_kg = models.FloatField(
        _("chrome tanning agent (kg)"), null=True, blank=True, validators=NONNEGATIVE
    )
    # Computed from the energy fields with engines.green.factors whenever the record is saved
    # by the services (stored, so the dashboards sum them in SQL).
    energy_tce = models.FloatField(_("energy (tce)"), default=0)
    co2e_t = models.FloatField(_("CO₂e (t)"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["enterprise", "-month", "facility"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "facility", "month"],
                condition=models.Q(facility__isnull=False),
                name="green_record_site_month",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "month"],
                condition=models.Q(facility__isnull=True),
                name="green_record_firm_month",
            ),
            models.CheckConstraint(
                condition=models.Q(area_chrome_m2__gte=0)
                & models.Q(area_chrome_free_m2__gte=0)
                & models.Q(area_vegetable_m2__gte=0)
                & models.Q(area_other_m2__gte=0),
                name="green_record_areas_nonnegative",
            ),
        ]
        indexes = [models.Index(fields=["month", "enterprise"])]
        verbose_name = _("green production record")
        verbose_name_plural = _("green production records")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.month:%Y-%m}"

    @property
    def area_m2(self) -> float:
        return sum(getattr(self, name) for name in AREA_FIELDS)

    @property
    def chrome_free_share(self) -> float | None:
        area = self.area_m2
        if not area:
            return None
        return sum(getattr(self, name) for name in CHROME_FREE_AREA_FIELDS) / area


class WastewaterTest(models.Model):
    """A laboratory's wastewater test of a sample; judged against GB 30486-2013 when saved."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="wastewater_tests"
    )
    facility = models.ForeignKey(
        Facility,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="wastewater_tests",
        verbose_name=_("site"),
    )
    sampled_on = models.DateField(_("sample date"))
    laboratory = models.CharField(_("laboratory"), max_length=200)
    report_number = models.CharField(_("report number"), max_length=100, blank=True)
    discharge = models.CharField(
        _("discharge"),
        max_length=8,
        choices=[
            (Discharge.INDIRECT.value, _("indirect (to a treatment plant)")),
            (Discharge.DIRECT.value, _("direct (to the environment)")),
        ],
        default=Discharge.INDIRECT.value,
    )
    total_cr_mg_l = models.FloatField(
        _("total chromium (mg/L)"), null=True, blank=True, validators=NONNEGATIVE
    )
    cr6_mg_l = models.FloatField(
        _("hexavalent chromium (mg/L)"), null=True, blank=True, validators=NONNEGATIVE
    )
    cod_mg_l = models.FloatField(_("COD (mg/L)"), null=True, blank=True, validators=NONNEGATIVE)
    compliant = models.BooleanField(_("within the limits"), default=True)
    # The parameters above their limit: ["total_cr", "cr6", "cod"] (engines.green.limits).
    exceeded = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["enterprise", "-sampled_on", "-pk"]
        indexes = [models.Index(fields=["sampled_on", "enterprise"])]
        verbose_name = _("wastewater test")
        verbose_name_plural = _("wastewater tests")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.sampled_on}"

    @property
    def cycle(self) -> Cycle:
        return cycle_of(self.sampled_on)


class CarbonYear(models.Model):
    """A firm's value added in a year (income approach, yuan), the denominator of its carbon
    intensity, and whether the firm publishes that year's grade."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="carbon_years"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value_added = models.DecimalField(
        _("value added (yuan)"), max_digits=16, decimal_places=2, validators=NONNEGATIVE
    )
    publishes_grade = models.BooleanField(
        _("publish this year's carbon-efficiency grade"),
        default=False,
        help_text=_("Published grades are shown on the firm's public profile."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["enterprise", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="carbonyear_unique")
        ]
        indexes = [models.Index(fields=["year", "enterprise"])]
        verbose_name = _("value added and grade disclosure")
        verbose_name_plural = _("values added and grade disclosures")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"


class EnvironmentalViolation(models.Model):
    """An environmental authority's finding against a firm (a penalty decision, an order to
    rectify), kept by the cluster office until it is closed. An open one is the
    `open_environmental_violation` field of the support programs' eligibility rules."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="environmental_violations"
    )
    authority = models.CharField(_("authority"), max_length=200)
    found_on = models.DateField(_("found on"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["enterprise", "-found_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="open") & models.Q(closed_on__isnull=True))
                | (models.Q(status="closed") & models.Q(closed_on__gte=models.F("found_on"))),
                name="violation_closed_on_when_closed",
            )
        ]
        indexes = [models.Index(fields=["status", "enterprise"])]
        verbose_name = _("environmental violation")
        verbose_name_plural = _("environmental violations")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.found_on} ({self.get_status_display()})"
