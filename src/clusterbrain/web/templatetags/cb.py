"""Formatting for the pages: numbers the way each language writes them (万 / 亿 in Chinese,
thousand separators and million / billion in English), shares as percentages, and query
strings that keep the filters when paging."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from clusterbrain.bilingual import prefers_chinese

register = template.Library()


def _as_float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return float(value)
    try:
        return float(Decimal(str(value)))
    except (ArithmeticError, ValueError, TypeError):
        return None


def _trim(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _grouped(number: float, decimals: int = 0) -> str:
    text = f"{number:,.{decimals}f}"
    return _trim(text) if decimals else text


@register.filter
def num(value: Any, decimals: int = 0) -> str:
    """A plain number with thousand separators; empty input gives an en dash."""
    number = _as_float(value)
    if number is None:
        return "–"
    if decimals == 0 and abs(number - round(number)) > 1e-9 and abs(number) < 100:
        decimals = 1
    return _grouped(number, int(decimals))


def big_number(number: float) -> str:
    """Large counts and amounts in the active language's units (no currency)."""
    if prefers_chinese():
        if abs(number) >= 1e8:
            return _trim(f"{number / 1e8:,.2f}") + " 亿"
        if abs(number) >= 1e4:
            return _trim(f"{number / 1e4:,.1f}") + " 万"
        return _grouped(number)
    if abs(number) >= 1e9:
        return _trim(f"{number / 1e9:,.2f}") + " bn"
    if abs(number) >= 1e6:
        return _trim(f"{number / 1e6:,.1f}") + " m"
    return _grouped(number)


@register.filter
def big(value: Any) -> str:
    number = _as_float(value)
    return "–" if number is None else big_number(number)


@register.filter
def yuan(value: Any) -> str:
    """An amount of money: "1.02 亿元" in Chinese, "¥102 m" in English."""
    number = _as_float(value)
    if number is None:
        return "–"
    if prefers_chinese():
        if abs(number) >= 1e4:
            return big_number(number) + "元"
        return _grouped(number) + " 元"
    return "¥" + big_number(number)


@register.filter
def pct(value: Any, decimals: int = 1) -> str:
    """A share (0–1) as a percentage with at most `decimals` decimals (76.9%, 80%): every share
    on the pages reads the same way, in a card, a target or a table."""
    number = _as_float(value)
    if number is None:
        return "–"
    return _trim(f"{number * 100:.{max(0, int(decimals))}f}") + "%"


# How each language strings a list together: names with the enumeration comma in Chinese
# (皮革、鞋材) and a comma in English; clauses (reasons, explanations) with a full-width
# semicolon in Chinese and "; " in English.
SEPARATORS = {"list": ("、", ", "), "clauses": ("；", "; ")}


def join_in_language(items: Any, kind: str = "list") -> str:
    zh, en = SEPARATORS.get(kind, SEPARATORS["list"])
    return (zh if prefers_chinese() else en).join(str(item) for item in items if item != "")


@register.filter
def join_list(items: Any, attribute: str = "") -> str:
    """Names in a sentence, the way the active language lists them; `attribute` picks a field
    of each item (`links|join_list:"name"`). Escaped like any variable (the filter returns
    plain text)."""
    if attribute:
        items = [getattr(item, attribute, item) for item in items]
    return join_in_language(items, "list")


@register.filter
def join_clauses(items: Any) -> str:
    """Reasons or explanations one after another, in the active language's punctuation."""
    return join_in_language(items, "clauses")


@register.filter
def bar_width(value: Any) -> str:
    """A share (0–1) as a CSS width, capped at 100%."""
    number = _as_float(value) or 0.0
    return f"{max(0.0, min(number, 1.0)) * 100:.1f}%"


# Units of the cluster indicators (registry.models.Indicator) and how their values read.
YUAN_INDICATORS = {
    "output_value",
    "support_fund",
    "brand_campaign",
    "design_center",
    "regional_brand_value",
}
SHARE_INDICATORS = {"chain_completeness", "localisation_rate", "chrome_free_share"}


def format_indicator(value: Any, indicator: str = "", unit: str = "") -> str:
    number = _as_float(value)
    if number is None:
        return "–"
    if unit == "yuan" or indicator in YUAN_INDICATORS:
        return yuan(number)
    if unit == "%" or indicator in SHARE_INDICATORS:
        # Shares are kept as fractions; a value above 1 was entered as a percentage.
        return pct(number if number <= 1.0 else number / 100)
    if unit == "mu":
        return _("%(value)s mu") % {"value": big_number(number)}
    if unit == "t":
        return _("%(value)s t") % {"value": big_number(number)}
    return big_number(number) if abs(number) >= 1e5 else num(number)


@register.simple_tag
def indicator_value(value: Any, indicator: str = "", unit: str = "") -> str:
    return format_indicator(value, indicator, unit)


# Capacity units of the chain templates (chains/data/*.json), as each language writes them.
UNITS = {
    "pairs": pgettext_lazy("unit", "pairs"),
    "pieces": pgettext_lazy("unit", "pieces"),
    "sets": pgettext_lazy("unit", "sets"),
    "styles": pgettext_lazy("unit", "styles"),
    "units": pgettext_lazy("unit", "units"),
    "reports": pgettext_lazy("unit", "reports"),
    "parcels": pgettext_lazy("unit", "parcels"),
    "boxes": pgettext_lazy("unit", "boxes"),
    "yuan": pgettext_lazy("unit", "yuan"),
    "kg": pgettext_lazy("unit", "kg"),
    "t": pgettext_lazy("unit", "t"),
    "m": pgettext_lazy("unit", "m"),
    "m²": pgettext_lazy("unit", "m²"),
    "sq m": pgettext_lazy("unit", "m²"),
}


@register.filter
def unit(value: Any) -> str:
    """A capacity unit in the active language (unknown units as they are)."""
    label = UNITS.get(str(value or ""))
    return str(label) if label is not None else str(value or "")


@register.simple_tag(takes_context=True)
def qs(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced (None or "" removes them) and no
    empty parameter (`?q=&link=sewing` is written `?link=sewing`)."""
    from django.http import QueryDict

    request = context.get("request")
    params = QueryDict(mutable=True)
    if request is not None:
        for key, values in request.GET.lists():
            kept = [value for value in values if value != ""]
            if kept:
                params.setlist(key, kept)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return "?" + encoded if encoded else "?"


@register.simple_tag
def page_window(page: int, pages: int, radius: int = 2) -> list[int | None]:
    """Page numbers to show around the current one, None where a gap is."""
    shown: list[int | None] = []
    last = 0
    for number in range(1, pages + 1):
        if number in (1, pages) or abs(number - page) <= radius:
            if last and number - last > 1:
                shown.append(None)
            shown.append(number)
            last = number
    return shown


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


def suppressed_text(k: Any = None) -> str:
    """What a withheld aggregate shows instead of a number (never 0 or a blank, which would
    read as a figure)."""
    if not k:
        from clusterbrain.registry.selectors import min_firms

        k = min_firms()
    return _("suppressed (fewer than %(k)s firms)") % {"k": k}


@register.simple_tag
def suppressed(k: Any = None, note: str = "") -> SafeString:
    """A withheld aggregate: the short label, and why in its title."""
    if not note:
        from clusterbrain.registry.selectors import suppression_note

        note = suppression_note(int(k) if k else None)
    return format_html('<span class="suppressed" title="{}">{}</span>', note, suppressed_text(k))
