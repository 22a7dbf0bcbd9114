"""What the layout asks about registry stewardship: whether the user stewards a cluster's
registry (the "Registry" entry of the cluster nav, the sources on a profile). The answer is
`accounts.permissions`'; a template only reflects it."""

from __future__ import annotations

from typing import Any

from django import template

from clusterbrain.accounts import permissions

register = template.Library()


@register.filter
def can_steward(user: Any, cluster: Any) -> bool:
    """`{% if user|can_steward:cluster %}`: false without a cluster (pages outside one)."""
    if not cluster:
        return False
    return permissions.can_steward_registry(user, cluster)
