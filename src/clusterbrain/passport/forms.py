from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clusterbrain.passport.models import Passport


class PublishForm(forms.Form):
    title_zh = forms.CharField(label=_("Product name (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Product name (English)"), max_length=200, required=False)
    origins = forms.ChoiceField(
        label=_("Origins shown"), choices=Passport.Origins.choices, initial="region"
    )
    show_firms = forms.BooleanField(
        label=_("Name the processing firms"), required=False, initial=True
    )
    show_certificates = forms.BooleanField(
        label=_("Show certificates"), required=False, initial=True
    )
    show_footprint = forms.BooleanField(
        label=_("Show the footprint (water, energy, CO₂e per unit)"), required=False, initial=True
    )
    slug = forms.CharField(
        label=_("Short address (optional)"),
        max_length=40,
        required=False,
        help_text=_("Lower-case letters, digits and hyphens; left empty, one is made up."),
    )
