"""Who may see and change a firm's sales (decision 0015). Services and selectors call these.

Sales are more sensitive than the registry's confidential figures: they are a firm's customers,
prices and channels, which its neighbours compete on. So the association does not see a
member's sales even where the member shares its registry figures; only the firm itself, the
cluster office of its cluster (enterprise-level statistics, DOMAIN.md) and admins do. Everyone
else sees aggregates over at least k firms with no firm dominant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterbrain.accounts import permissions
from clusterbrain.green.permissions import firm_of

if TYPE_CHECKING:
    from clusterbrain.registry.models import Cluster, Enterprise

__all__ = ["can_record", "can_view", "can_view_firm_figures", "firm_of"]


def can_record(user: Any, enterprise: Enterprise) -> bool:
    """Import or change the firm's sales and leads: its own users and admins."""
    return permissions.is_admin(user) or firm_of(user) == enterprise.pk


def can_view(user: Any, enterprise: Enterprise) -> bool:
    """The firm's sales records, products and leads in full."""
    return can_record(user, enterprise) or can_view_firm_figures(user, enterprise.cluster)


def can_view_firm_figures(user: Any, cluster: Cluster) -> bool:
    """Every firm's sales figures, and aggregates unwithheld: the office of the cluster, admins."""
    return permissions.can_view_enterprise_statistics(user, cluster)
