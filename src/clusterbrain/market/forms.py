"""Forms of the market pages; the rules are the services' (ServiceForm puts their errors back)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clusterbrain.market.models import LeadStatus, PriceBand
from clusterbrain.web.forms import ServiceForm


class UploadForm(ServiceForm):
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xlsm,text/csv"}),
        help_text=_("CSV (UTF-8 or GBK) or Excel .xlsx (its first sheet): one row a sale."),
    )


class LeadForm(ServiceForm):
    exhibition = forms.CharField(label=_("Exhibition"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    buyer_country = forms.CharField(label=_("Buyer's country"), max_length=80)
    category = forms.CharField(label=_("Category of interest"), max_length=80, required=False)
    estimated_value = forms.FloatField(
        label=_("Estimated value (yuan)"), min_value=0, required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=LeadStatus.choices)


class ProductForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    category = forms.CharField(label=_("Category"), max_length=80)
    material = forms.CharField(label=_("Material"), max_length=80, required=False)
    colour = forms.CharField(label=_("Colour"), max_length=80, required=False)
    style_tags = forms.CharField(
        label=_("Style tags"),
        max_length=400,
        required=False,
        help_text=_("Separated by commas; a sale of the product counts under the first."),
    )
    price_band = forms.ChoiceField(
        label=_("Price band"), choices=[("", "—"), *PriceBand.choices], required=False
    )
    sku = forms.CharField(label=_("SKU"), max_length=80, required=False)
