"""Forms of the pages. They parse and label input; the rules live in the registry services,
whose InvalidInput errors are put back on the fields (`add_domain_errors`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from clusterbrain.chains.models import ChainLink
from clusterbrain.errors import InvalidInput
from clusterbrain.registry.models import Certification, Enterprise
from clusterbrain.registry.selectors import DirectoryFilters

YES_NO = [("", _("any")), ("yes", _("yes")), ("no", _("no"))]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class DirectoryFilterForm(forms.Form):
    """The directory's and the map's filters, all in the query string."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, USCC, product or address")}
        ),
    )
    link = forms.ChoiceField(label=_("Chain link"), required=False)
    certification = forms.ChoiceField(
        label=_("Certification"),
        required=False,
        choices=[("", _("any"))] + list(Certification.Kind.choices),
    )
    size_class = forms.ChoiceField(
        label=_("Size class"),
        required=False,
        choices=[("", _("any"))] + list(Enterprise.SizeClass.choices),
    )
    min_capacity = forms.FloatField(
        label=_("Minimum capacity per month"), required=False, min_value=0
    )
    location = forms.ChoiceField(
        label=_("Location"),
        required=False,
        choices=[
            ("", _("any")),
            ("in", _("in the cluster")),
            ("out", _("outside the cluster")),
            ("outside_facility", _("with a site outside the cluster")),
        ],
    )
    above_size = forms.ChoiceField(label=_("Above designated size"), required=False, choices=YES_NO)
    member = forms.ChoiceField(label=_("Association member"), required=False, choices=YES_NO)
    leading = forms.ChoiceField(label=_("Leading firm"), required=False, choices=YES_NO)

    def __init__(self, data: Any = None, *, links: Sequence[ChainLink] = (), **kwargs: Any):
        super().__init__(data, **kwargs)
        link_field = self.fields["link"]
        assert isinstance(link_field, forms.ChoiceField)
        link_field.choices = [("", _("any"))] + [(link.code, link.name) for link in links]

    def filters(self) -> DirectoryFilters:
        """The filters to apply: the valid ones (an invalid value is shown and ignored)."""
        if not self.is_bound:
            return DirectoryFilters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return DirectoryFilters(
            q=(data.get("q") or "").strip(),
            link=data.get("link") or "",
            certification=data.get("certification") or "",
            size_class=data.get("size_class") or "",
            min_capacity=data.get("min_capacity"),
            location=data.get("location") or "",
            above_size=_yes_no(data.get("above_size") or ""),
            member=_yes_no(data.get("member") or ""),
            leading=_yes_no(data.get("leading") or ""),
        )

    @property
    def active(self) -> int:
        """How many filters (besides the search box) are set."""
        if not self.is_bound:
            return 0
        return sum(1 for name in self.fields if name != "q" and self.data.get(name))


# The public profile a firm keeps; figures have their own forms and services.
PROFILE_FIELDS = [
    "name_zh",
    "name_en",
    "uscc",
    "legal_form",
    "size_class",
    "founded_year",
    "address_zh",
    "address_en",
    "admin_division",
    "latitude",
    "longitude",
    "main_products_zh",
    "main_products_en",
    "description_zh",
    "description_en",
    "website",
]
# The association's classification of a firm (stewards only) and the firm's own consent.
STEWARD_FIELDS = ["is_member", "is_leading", "in_cluster"]
CONSENT_FIELDS = ["shares_with_association"]


class EnterpriseForm(forms.Form):
    """The public profile of an enterprise. Labels come from the model; validation beyond types
    is the service's (`services.update_enterprise`). Stewards also see the classification
    fields, the firm itself (and an admin) the consent to share figures."""

    def __init__(
        self, *args: Any, steward: bool = False, consent: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.editable = list(PROFILE_FIELDS)
        if steward:
            self.editable += STEWARD_FIELDS
        if consent:
            self.editable += CONSENT_FIELDS
        self.fields.update(fields_for_model(Enterprise, fields=self.editable))
        for name in ("description_zh", "description_en"):
            self.fields[name].widget.attrs.update({"rows": 4})

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        groups = [
            (_("Names"), ["name_zh", "name_en"]),
            (_("Registration"), ["uscc", "legal_form", "size_class", "founded_year"]),
            (
                _("Address and location"),
                ["address_zh", "address_en", "admin_division", "latitude", "longitude"],
            ),
            (
                _("Profile"),
                [
                    "main_products_zh",
                    "main_products_en",
                    "description_zh",
                    "description_en",
                    "website",
                ],
            ),
            (_("Classification by the association"), STEWARD_FIELDS),
            (_("Sharing"), CONSENT_FIELDS),
        ]
        return [
            (str(title), [self[name] for name in names if name in self.fields])
            for title, names in groups
            if any(name in self.fields for name in names)
        ]

    @staticmethod
    def initial_from(enterprise: Enterprise) -> dict[str, Any]:
        names = PROFILE_FIELDS + STEWARD_FIELDS + CONSENT_FIELDS
        return {name: getattr(enterprise, name) for name in names}

    def changes(self) -> dict[str, Any]:
        """The cleaned values of the fields that differ from the enterprise (a partial update)."""
        data = {}
        for name in self.changed_data:
            value = self.cleaned_data.get(name)
            if name == "uscc" and isinstance(value, str):
                value = value.strip().upper() or None
            data[name] = value
        return data

    def add_domain_errors(self, error: InvalidInput) -> None:
        placed = False
        for item in error.errors:
            name = str(item.loc[0]) if item.loc else None
            if name in self.fields:
                self.add_error(name, item.msg)
                placed = True
            else:
                self.add_error(None, item.msg)
                placed = True
        if not placed:
            self.add_error(None, error.detail)
