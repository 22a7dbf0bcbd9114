"""Filters of the passport pages: a published snapshot holds names in both languages and codes
(countries, certificate kinds, units); these pick the request's language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusterbrain.bilingual import pick
from clusterbrain.registry.models import Certification

register = template.Library()

COUNTRIES = {
    "CN": gettext_lazy("China"),
    "BR": gettext_lazy("Brazil"),
    "AU": gettext_lazy("Australia"),
    "US": gettext_lazy("United States"),
    "AR": gettext_lazy("Argentina"),
    "NZ": gettext_lazy("New Zealand"),
}
UNITS = {
    "H87": gettext_lazy("piece"),
    "C62": gettext_lazy("piece"),
    "MTK": gettext_lazy("m²"),
    "KGM": gettext_lazy("kg"),
    "MTR": gettext_lazy("m"),
    "HEA": gettext_lazy("head"),
}
FLAGS = {
    "deforestation_free": gettext_lazy("Verified deforestation-free origin"),
    "chrome_free": gettext_lazy("Chrome-free tanned"),
    "lwg_rated": gettext_lazy("Tanned at an LWG-rated tannery"),
}


@register.filter
def bi(value: Any) -> str:
    """`{"name_zh": …, "name_en": …}` in the request's language."""
    if not isinstance(value, dict):
        return ""
    return pick(str(value.get("name_zh") or ""), str(value.get("name_en") or ""))


@register.filter
def country(code: Any) -> str:
    if not code:
        return _("not known")
    name = COUNTRIES.get(str(code))
    return f"{name} ({code})" if name else str(code)


@register.filter
def unit_name(code: Any) -> str:
    return str(UNITS.get(str(code or ""), code or ""))


@register.filter
def flag_name(code: Any) -> str:
    return str(FLAGS.get(str(code), code))


@register.filter
def cert_name(kind: Any) -> str:
    try:
        return str(Certification.Kind(str(kind)).label)
    except ValueError:
        return str(kind)


@register.filter
def figure(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value):.3g}"
