"""Who may do what with the regional brand's licences (decision 0021). Services and selectors
call these; templates only reflect their answers.

The association of the cluster stewards the collective brand: it grants, suspends, revokes and
renews licences. A licence's public face (code, licensee, products, countries, period, status)
is for everyone; its terms and history are for the licensee, the association and the office of
the cluster, and admins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterbrain.accounts import permissions
from clusterbrain.accounts.models import Role
from clusterbrain.market.permissions import firm_of

if TYPE_CHECKING:
    from clusterbrain.brand.models import BrandLicence
    from clusterbrain.registry.models import Cluster

__all__ = ["can_manage", "can_view_licence", "can_view_register", "firm_of"]


def _staff_of(user: Any, cluster: Cluster, roles: tuple[str, ...]) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", None) in roles
        and user.cluster_id == cluster.pk
    )


def can_manage(user: Any, cluster: Cluster) -> bool:
    """Grant, suspend, reinstate, revoke, renew: the association of the cluster, admins."""
    return permissions.is_admin(user) or _staff_of(user, cluster, (Role.ASSOCIATION,))


def can_view_register(user: Any, cluster: Cluster) -> bool:
    """Every licence of the cluster with terms and history: the association, the office."""
    return permissions.is_admin(user) or _staff_of(user, cluster, (Role.ASSOCIATION, Role.OFFICE))


def can_view_licence(user: Any, licence: BrandLicence) -> bool:
    """Terms, history and the QR code download: the licensee's own users, and the register's
    readers of the brand's cluster."""
    return firm_of(user) == licence.licensee_id or can_view_register(user, licence.brand.cluster)
