"""Money exactly as the ledger holds it: a Decimal to the fen, thousands separated (the site's
`num` filter goes through float, fine for figures, not for a ledger)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import gettext, gettext_lazy

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


_DETAIL_LABELS = {
    "amount": gettext_lazy("Amount (yuan)"),
    "tranche": gettext_lazy("Tranche"),
    "reason": gettext_lazy("Reason"),
    "note": gettext_lazy("Note"),
    "conflict": gettext_lazy("Conflict of interest"),
    "reviewer": gettext_lazy("Reviewer"),
    "score": gettext_lazy("Score"),
    "original": gettext_lazy("Original entry"),
}


@register.filter
def audit_details(detail: Any) -> list[tuple[str, str]]:
    """An audit event's details with translated labels (amounts as money, yes/no for flags);
    empty values left out."""
    rows = []
    for key, value in (detail or {}).items():
        if value in ("", None):
            continue
        if isinstance(value, bool):
            shown = str(gettext("yes") if value else gettext("no"))
        elif key == "amount":
            shown = money(value)
        elif key == "original":
            shown = f"#{value}"
        else:
            shown = str(value)
        rows.append((str(_DETAIL_LABELS.get(key, key)), shown))
    return rows


@register.filter
def decides_awards(user: Any, cluster: Any) -> bool:
    """For the nav link to the office's awards page (awards-office) of `cluster`."""
    from clusterbrain.awards.permissions import is_office

    return cluster is not None and is_office(user, cluster)


@register.filter
def reviews_awards(user: Any) -> bool:
    """For the nav link to the reviewer's queue (awards-queue): association and office users."""
    from clusterbrain.accounts.models import Role

    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", None) in (Role.ASSOCIATION, Role.OFFICE)
    )
