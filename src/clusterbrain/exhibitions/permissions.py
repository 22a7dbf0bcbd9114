"""Who may do what with exhibition groups (decision 0022). Services and selectors call these.

The association of the cluster organises: it creates the exhibition and its booth plan,
allocates booths and may sign a firm up on its behalf. A firm signs itself up, sees its own
booths and fee, and records and reads its own leads: buyer contacts are the firm's customer
list (confidential, DOMAIN.md), so nobody else reads them, not the association, not the office;
they see counts per exhibition and country in the closing report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterbrain.accounts import permissions
from clusterbrain.accounts.models import Role
from clusterbrain.market.permissions import firm_of

if TYPE_CHECKING:
    from clusterbrain.registry.models import Cluster

__all__ = ["can_manage", "can_read_report", "firm_of"]


def _staff_of(user: Any, cluster: Cluster, roles: tuple[str, ...]) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", None) in roles
        and user.cluster_id == cluster.pk
    )


def can_manage(user: Any, cluster: Cluster) -> bool:
    """Create exhibitions and booth plans, allocate booths, sign firms up: the association of
    the cluster, admins."""
    return permissions.is_admin(user) or _staff_of(user, cluster, (Role.ASSOCIATION,))


def can_read_report(user: Any, cluster: Cluster) -> bool:
    """Every sign-up and the closing report (lead counts, never contacts): the association and
    the office of the cluster, admins."""
    return permissions.is_admin(user) or _staff_of(user, cluster, (Role.ASSOCIATION, Role.OFFICE))
