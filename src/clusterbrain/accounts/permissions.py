"""Who may see and change what (DOMAIN.md, "Who uses it"). Services and selectors call these;
templates only reflect their answers.

- public visitor (anonymous) and bank officer (until consent exists, issue 7): public profiles
  and aggregates only;
- enterprise user: its own firm in full, and may edit it;
- association staff: confidential figures of members who share them, in its cluster; stewards
  the registry of its cluster;
- cluster office: everything in its cluster, enterprise-level statistics included;
- platform admin: everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterbrain.accounts.models import Role

if TYPE_CHECKING:
    from clusterbrain.registry.models import Cluster, Enterprise


def _role(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    return user.role


def is_admin(user: Any) -> bool:
    return _role(user) == Role.ADMIN


def can_view_confidential(user: Any, enterprise: Enterprise) -> bool:
    """Revenue, output value, employees, exports, customer and supplier lists of one firm."""
    role = _role(user)
    if role is None or role == Role.BANK:
        return False
    if role == Role.ADMIN:
        return True
    if role == Role.ENTERPRISE:
        return user.enterprise_id is not None and user.enterprise_id == enterprise.pk
    if role == Role.OFFICE:
        return user.cluster_id == enterprise.cluster_id
    if role == Role.ASSOCIATION:
        return (
            user.cluster_id == enterprise.cluster_id
            and enterprise.is_member
            and enterprise.shares_with_association
        )
    return False


def can_edit_enterprise(user: Any, enterprise: Enterprise) -> bool:
    """The firm's own users keep its profile; association staff steward their cluster's registry."""
    role = _role(user)
    if role == Role.ADMIN:
        return True
    if role == Role.ENTERPRISE:
        return user.enterprise_id is not None and user.enterprise_id == enterprise.pk
    if role == Role.ASSOCIATION:
        return user.cluster_id == enterprise.cluster_id
    return False


def can_create_enterprise(user: Any, cluster: Cluster) -> bool:
    role = _role(user)
    return role == Role.ADMIN or (role == Role.ASSOCIATION and user.cluster_id == cluster.pk)


def can_view_enterprise_statistics(user: Any, cluster: Cluster) -> bool:
    """Enterprise-level statistics (rankings by revenue, per-firm localisation) of a cluster."""
    role = _role(user)
    return role == Role.ADMIN or (role == Role.OFFICE and user.cluster_id == cluster.pk)


def confidential_enterprise_filter(user: Any) -> dict[str, Any] | None:
    """A queryset filter (on Enterprise) for the firms whose confidential figures `user` may see.

    None means no firm at all; an empty dict means every firm.
    """
    role = _role(user)
    if role == Role.ADMIN:
        return {}
    if role == Role.OFFICE and user.cluster_id:
        return {"cluster_id": user.cluster_id}
    if role == Role.ASSOCIATION and user.cluster_id:
        return {"cluster_id": user.cluster_id, "is_member": True, "shares_with_association": True}
    if role == Role.ENTERPRISE and user.enterprise_id:
        return {"pk": user.enterprise_id}
    return None
