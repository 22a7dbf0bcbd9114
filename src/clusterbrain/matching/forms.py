"""Forms of the matching pages. They parse and label input; the rules are the services', whose
InvalidInput errors are put back on the fields (`ServiceForm.add_domain_errors`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clusterbrain.chains.models import ChainLink
from clusterbrain.matching.models import OutsourcingOrder, QualityTier
from clusterbrain.registry.models import Certification
from clusterbrain.web.forms import ServiceForm, date_field, number_field


def _link_choices(links: Sequence[ChainLink]) -> list[tuple[str, str]]:
    from clusterbrain.web.templatetags.cb import unit

    choices: list[tuple[str, str]] = [("", str(_("Choose a link")))]
    for link in links:
        choices.append((link.code, f"{link.name} · {unit(link.unit)}" if link.unit else link.name))
    return choices


class OrderForm(ServiceForm):
    link_code = forms.CharField(label=_("Chain link"), max_length=64)
    product_category = forms.CharField(label=_("Product category"), max_length=100)
    quantity = number_field(_("Quantity"), required=True)
    unit = forms.CharField(
        label=_("Unit"), required=False, max_length=32, help_text=_("Default: the link's unit.")
    )
    target_unit_price = number_field(_("Target unit price (yuan)"), required=True)
    earliest_start = date_field(_("Earliest start"))
    due_date = date_field(_("Due date"))
    required_certificates = forms.MultipleChoiceField(
        label=_("Required certificates"),
        required=False,
        choices=Certification.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("An LWG rating meets every requirement at or below it."),
    )
    quality_tier = forms.ChoiceField(label=_("Quality tier"), choices=QualityTier.choices)
    splittable = forms.BooleanField(
        label=_("May be split between suppliers"), required=False, initial=True
    )
    min_lot = number_field(_("Minimum lot per supplier"))
    max_share = number_field(
        _("Largest share per supplier"), help_text=_("0–1; empty: one supplier may take all.")
    )
    local_preference = forms.ChoiceField(
        label=_("In-cluster preference"), choices=OutsourcingOrder.LocalPreference.choices
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, links: Sequence[ChainLink] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["link_code"].widget = forms.Select(choices=_link_choices(links))

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["min_lot"] = data.get("min_lot") or 0
        data["max_share"] = data.get("max_share") or 1
        return data


class OfferForm(ServiceForm):
    link_code = forms.CharField(label=_("Chain link"), max_length=64)
    unit_price = number_field(_("Unit price (yuan)"), required=True)
    lead_weeks = number_field(
        _("Lead time (weeks)"), help_text=_("From the end of production to arrival.")
    )
    quality_tier = forms.ChoiceField(label=_("Quality tier"), choices=QualityTier.choices)
    products = forms.CharField(label=_("Products"), required=False, max_length=200)

    def __init__(self, *args: Any, links: Sequence[ChainLink] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["link_code"].widget = forms.Select(choices=_link_choices(links))

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["lead_weeks"] = data.get("lead_weeks") or 0
        return data


class RunForm(ServiceForm):
    period_start = date_field(_("First week"))
    weeks = number_field(_("Weeks"), required=True)
    time_limit = number_field(_("Time limit (seconds)"))
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[("mip", _("MIP (HiGHS), best bound")), ("greedy", _("heuristic only"))],
    )
