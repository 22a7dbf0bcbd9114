"""Money exactly as the ledger holds it: a Decimal to the fen, thousands separated (the site's
`num` filter goes through float, fine for figures, not for a ledger)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any) -> str:
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return "—"


@register.filter
def get_score(scores: Any, criterion_id: Any) -> str:
    """A reviewer's score of one criterion ("—" when there is none)."""
    value = scores.get(criterion_id) if hasattr(scores, "get") else None
    return "—" if value is None else f"{value.normalize():f}"


@register.filter
def get_form_value(form: Any, key: str) -> str:
    """The score typed for a criterion, to show again after a refused form."""
    return str(form.get(f"score-{key}", "")) if hasattr(form, "get") else ""
