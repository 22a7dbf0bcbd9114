"""Forms of the green pages. They parse and label input; the rules are the services', whose
InvalidInput errors are put back on the fields (`ServiceForm.add_domain_errors`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clusterbrain.engines.green.limits import Discharge
from clusterbrain.registry.models import Certification, Facility
from clusterbrain.web.forms import ServiceForm, date_field, number_field


def _site_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Site"), required=False)


def _site_choices(facilities: Sequence[Facility]) -> list[tuple[str, str]]:
    return [("", str(_("the firm as a whole")))] + [(str(f.pk), f.name) for f in facilities]


class RecordForm(ServiceForm):
    month = forms.CharField(
        label=_("Month"),
        max_length=10,
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
    facility = _site_field()
    area_chrome_m2 = number_field(_("Leather tanned with chrome (m²)"))
    area_chrome_free_m2 = number_field(
        _("Leather tanned chrome-free (m²)"), help_text=_("Wet-white: aldehyde, synthetic tannins.")
    )
    area_vegetable_m2 = number_field(_("Leather tanned with vegetable tannins (m²)"))
    area_other_m2 = number_field(
        _("Leather tanned otherwise (m²)"),
        help_text=_("Counted as not chrome-free: the chromium content is not known."),
    )
    output_quantity = number_field(
        _("Other output"), help_text=_("Firms that do not tan: pairs, kg of raw silk …")
    )
    output_unit = forms.CharField(
        label=_("Unit of the other output"), required=False, max_length=32
    )
    water_m3 = number_field(_("Water (m³)"))
    electricity_kwh = number_field(_("Electricity (kWh)"))
    coal_t = number_field(_("Coal (t)"))
    natural_gas_m3 = number_field(_("Natural gas (m³)"))
    diesel_t = number_field(_("Diesel (t)"))
    steam_gj = number_field(_("Purchased steam (GJ)"))
    chemicals_kg = number_field(_("Chemicals (kg)"))
    chrome_agent_kg = number_field(_("Chrome tanning agent (kg)"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, facilities: Sequence[Facility] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site = self.fields["facility"]
        assert isinstance(site, forms.ChoiceField)
        site.choices = _site_choices(facilities)

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.fields}


class WastewaterTestForm(ServiceForm):
    sampled_on = date_field(_("Sample date"))
    laboratory = forms.CharField(label=_("Laboratory"), max_length=200, required=False)
    report_number = forms.CharField(label=_("Report number"), max_length=100, required=False)
    facility = _site_field()
    discharge = forms.ChoiceField(
        label=_("Discharge"),
        required=False,
        choices=[
            (Discharge.INDIRECT.value, _("indirect (to a treatment plant): COD ≤ 300 mg/L")),
            (Discharge.DIRECT.value, _("direct (to the environment): COD ≤ 100 mg/L")),
        ],
    )
    total_cr_mg_l = number_field(_("Total chromium (mg/L)"), help_text=_("Limit 1.5 mg/L"))
    cr6_mg_l = number_field(_("Hexavalent chromium (mg/L)"), help_text=_("Limit 0.1 mg/L"))
    cod_mg_l = number_field(_("COD (mg/L)"))

    def __init__(self, *args: Any, facilities: Sequence[Facility] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site = self.fields["facility"]
        assert isinstance(site, forms.ChoiceField)
        site.choices = _site_choices(facilities)

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.fields}


class YearForm(ServiceForm):
    year = forms.CharField(label=_("Year"), max_length=4)
    value_added = number_field(
        _("Value added (yuan)"),
        required=True,
        help_text=_("Income approach: wages, depreciation, taxes on production and profit."),
    )
    publishes_grade = forms.BooleanField(
        label=_("Publish this year's carbon-efficiency grade"), required=False
    )


class LwgForm(ServiceForm):
    """An LWG audit result, kept as the registry's certificate (registry.services)."""

    kind = forms.ChoiceField(
        label=_("LWG rating"),
        choices=[(k.value, k.label) for k in Certification.LWG_KINDS],
    )
    valid_from = date_field(_("Audit date"))
    valid_until = date_field(_("Expiry"))
    number = forms.CharField(label=_("Audit number"), max_length=100, required=False)


class ImportForm(ServiceForm):
    """A file of monthly records; the reader and the service judge it."""

    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,  # the reader says "The file is empty." in its own words
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xlsm,text/csv"}),
        help_text=_(
            "CSV (UTF-8 or GBK) or Excel .xlsx (its first sheet), with the template's columns."
        ),
    )
    dry_run = forms.BooleanField(label=_("Only check the file, save nothing"), required=False)
