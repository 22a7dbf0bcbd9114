"""What the layout asks about traceability: whether the Lots entry of the cluster nav is for
this user (the answer is `trace.permissions`')."""

from __future__ import annotations

from typing import Any

from django import template

from clusterbrain.trace import permissions

register = template.Library()


@register.filter
def sees_lots(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and permissions.sees_trace(user)


@register.filter
def short_key(key: str) -> str:
    """The distinctive end of an EPC or class (`…012346.S1` of an LGTIN URN)."""
    return key if len(key) <= 36 else "…" + key[-34:]
