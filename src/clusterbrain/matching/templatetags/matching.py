"""What the layout asks about matching: the unread notifications badge and whether the Orders
entry of the cluster nav is for this user. The answers are the selectors' and permissions'."""

from __future__ import annotations

from typing import Any

from django import template

from clusterbrain.matching import permissions, selectors

register = template.Library()


@register.simple_tag
def unread_notifications(user: Any) -> int:
    return selectors.unread_count(user)


@register.filter
def sees_orders(user: Any, cluster: Any) -> bool:
    """Firm users of the cluster, its coordinators, admins."""
    if not cluster or not getattr(user, "is_authenticated", False):
        return False
    firm_cluster = getattr(getattr(user, "enterprise", None), "cluster_id", None)
    return permissions.can_coordinate(user, cluster) or (
        permissions.firm_of(user) is not None and firm_cluster == cluster.pk
    )
