"""Who may do what at the livestream base (decision 0016). Services and selectors call these.

The association runs the base: it keeps streamers, schedules sessions and records results. A
featured firm's items are its own sales figures (decision 0015): the firm sees its own, the
office of the cluster and admins see every firm's; nobody else sees a firm's figures. Session
totals are an aggregate over the firms featured, shown unwithheld only to the office and admins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterbrain.accounts import permissions
from clusterbrain.accounts.models import Role
from clusterbrain.market.permissions import firm_of

if TYPE_CHECKING:
    from clusterbrain.registry.models import Cluster, Enterprise

__all__ = ["can_manage", "can_view_all_figures", "can_view_firm", "firm_of", "is_member_user"]


def can_manage(user: Any, cluster: Cluster) -> bool:
    """Keep streamers, schedule sessions, record results: the association of the cluster, admins."""
    if permissions.is_admin(user):
        return True
    return (
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", None) == Role.ASSOCIATION
        and user.cluster_id == cluster.pk
    )


def can_view_all_figures(user: Any, cluster: Cluster) -> bool:
    """Every firm's items and session totals unwithheld: the office of the cluster, admins."""
    return permissions.can_view_enterprise_statistics(user, cluster)


def can_view_firm(user: Any, enterprise: Enterprise) -> bool:
    """One firm's items, fees and ROI: the firm itself, and those who see every firm's."""
    return firm_of(user) == enterprise.pk or can_view_all_figures(user, enterprise.cluster)


def is_member_user(user: Any) -> bool:
    """Streamers' public profiles and the schedule: any signed-in user."""
    return bool(getattr(user, "is_authenticated", False))
