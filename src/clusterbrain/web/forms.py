"""Forms of the pages. They parse and label input; the rules live in the registry services,
whose InvalidInput errors are put back on the fields (`add_domain_errors`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db import models
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from clusterbrain.chains.models import ChainLink
from clusterbrain.errors import InvalidInput
from clusterbrain.registry.models import Certification, Enterprise, Facility
from clusterbrain.registry.selectors import DirectoryFilters

YES_NO = [("", _("any")), ("yes", _("yes")), ("no", _("no"))]


class ServiceForm(forms.Form):
    """A form whose rules are a service's: `add_domain_errors` puts its InvalidInput back on
    the form, each error on the field its `loc` names (the forms name their fields as the
    services do), the rest above the form."""

    def add_domain_errors(self, error: InvalidInput) -> None:
        placed = False
        for item in error.errors:
            name = str(item.loc[0]) if item.loc else None
            if name in self.fields:
                self.add_error(name, self._labelled(name, item.msg))
            else:
                self.add_error(None, item.msg)
            placed = True
        if not placed:
            self.add_error(None, error.detail)

    def _labelled(self, name: str, msg: str) -> str:
        """A service may start a message with the field's code ("capacity_per_month cannot be
        negative."); beside the field its label reads better."""
        label = self.fields[name].label
        rest = msg[len(name) :]
        if label and msg.startswith(name) and not (rest[:1].isalnum() or rest[:1] == "_"):
            return f"{label}{rest}"
        return msg


def _order(order: str, *, link: str) -> str:
    """Capacity is compared within one link: without a link the default order serves."""
    return "" if order == "capacity" and not link else order


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
    order = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("in the cluster first, then name")),
            ("name", _("name")),
            ("founded", _("founding year (oldest first)")),
            ("capacity", _("capacity in the chosen link")),
        ],
    )

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
            order=_order(data.get("order") or "", link=data.get("link") or ""),
        )

    @property
    def active(self) -> int:
        """How many filters (besides the search box) are set."""
        if not self.is_bound:
            return 0
        return sum(1 for name in self.fields if name not in ("q", "order") and self.data.get(name))


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


def _formfield(field: Any, **kwargs: Any) -> forms.Field | None:
    """A model field's form field; a website without a scheme is read as https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    result: forms.Field | None = field.formfield(**kwargs)
    return result


class EnterpriseForm(ServiceForm):
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
        self.fields.update(
            fields_for_model(Enterprise, fields=self.editable, formfield_callback=_formfield)
        )
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

    def new_values(self) -> dict[str, Any]:
        """The values of a firm being registered: every field given (a blank one is left to
        the model's default)."""
        data: dict[str, Any] = {}
        for name in self.editable:
            value = self.cleaned_data.get(name)
            if name == "uscc" and isinstance(value, str):
                value = value.strip().upper()
            if value is None or value == "":
                continue
            data[name] = value
        return data

    @staticmethod
    def initial_for_new() -> dict[str, Any]:
        return {
            "in_cluster": True,
            "legal_form": Enterprise.LegalForm.LLC,
            "size_class": Enterprise.SizeClass.SMALL,
        }


# --- the parts of a profile kept by their own services ---------------------------------------
#
# The forms below only say which fields are required. Numbers and dates are passed on as typed:
# every rule (a number is a number, the link belongs to the cluster's chain, figures are not
# negative, a validity does not end before it starts, the evidence is a real PDF or image) is
# the service's, which reports all problems at once, each on the field it names.


def number_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=40,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def date_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=20, widget=forms.DateInput(attrs={"type": "date"})
    )


class RoleForm(ServiceForm):
    """A firm's activity in a chain link (`services.set_role`): saving a link and product
    category that exist again replaces their figures."""

    link_code = forms.CharField(label=_("Chain link"), max_length=64)
    product_category = forms.CharField(
        label=_("Product category"),
        required=False,
        max_length=200,
        help_text=_("Optional: one role per link and product category."),
    )
    capacity_per_month = number_field(_("Capacity per month"), required=True)
    output_per_month = number_field(_("Output per month"), help_text=_("Recent actual output."))

    def __init__(self, *args: Any, links: Sequence[ChainLink] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A select of the cluster's links, but any code is passed on: the service says which
        # codes are not links of this chain.
        from clusterbrain.web.templatetags.cb import unit

        choices: list[tuple[str, str]] = [("", str(_("Choose a link")))]
        for link in links:
            name = link.name if link.is_core else _("%(link)s (support)") % {"link": link.name}
            choices.append((link.code, f"{name} · {unit(link.unit)}" if link.unit else str(name)))
        self.fields["link_code"].widget = forms.Select(choices=choices)

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "link_code": data["link_code"],
            "product_category": data.get("product_category") or "",
            "capacity_per_month": data["capacity_per_month"],
            "output_per_month": data.get("output_per_month") or 0,
        }


FACILITY_FIELDS = [
    "name_zh",
    "name_en",
    "kind",
    "address_zh",
    "address_en",
    "admin_division",
    "latitude",
    "longitude",
    "in_cluster",
]


class FacilityForm(ServiceForm):
    """A site of the firm (`services.add_facility`): a production base, a warehouse, a stall."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"in_cluster": True, "kind": Facility.Kind.PRODUCTION})
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Facility, fields=FACILITY_FIELDS))
        for name in ("latitude", "longitude"):
            self.fields[name] = number_field(self.fields[name].label)

    def service_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in FACILITY_FIELDS:
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                continue
            data[name] = value
        data["in_cluster"] = bool(self.cleaned_data.get("in_cluster"))
        return data


class CertificationForm(ServiceForm):
    """A certificate with its evidence (`services.add_certification`). A firm's own entry stays
    "unverified (self-declared)" until the association checks it."""

    kind = forms.ChoiceField(label=_("Certificate"))
    issuer = forms.CharField(label=_("Issuer"), required=False, max_length=200)
    number = forms.CharField(label=_("Certificate number"), required=False, max_length=100)
    valid_from = date_field(_("Valid from"))
    valid_until = date_field(_("Valid until"))
    evidence = forms.FileField(
        label=_("Evidence file"),
        required=False,
        help_text=_("A scan of the certificate: PDF, JPEG or PNG."),
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", _("Choose a certificate"))] + list(Certification.Kind.choices)

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "issuer": data.get("issuer") or "",
            "number": data.get("number") or "",
            "valid_from": data.get("valid_from") or None,
            "valid_until": data.get("valid_until") or None,
        }


YEAR_FIGURES = ["revenue", "output_value", "employees", "exports"]


class YearForm(ServiceForm):
    """A year's confidential figures (`services.record_year`). A blank field keeps the figure
    recorded for that year, if any."""

    year = forms.CharField(
        label=_("Year"), max_length=10, widget=forms.NumberInput(attrs={"step": "1"})
    )
    revenue = number_field(_("Revenue (yuan)"))
    output_value = number_field(_("Output value (yuan)"))
    exports = number_field(_("Exports (yuan)"))
    employees = number_field(_("Employees"))

    def service_data(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in YEAR_FIGURES
            if self.cleaned_data.get(name) not in (None, "")
        }
