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


def can_verify_certification(user: Any, enterprise: Enterprise) -> bool:
    """Association staff of the firm's cluster check its certificates (and admins do); a firm's
    own claim is never its own proof."""
    role = _role(user)
    return role == Role.ADMIN or (
        role == Role.ASSOCIATION and user.cluster_id == enterprise.cluster_id
    )


def can_view_evidence(user: Any, enterprise: Enterprise) -> bool:
    """Certificate evidence files (scans that may carry personal data): the firm itself, the
    association and the office of its cluster, admins."""
    role = _role(user)
    if role == Role.ADMIN:
        return True
    if role == Role.ENTERPRISE:
        return user.enterprise_id is not None and user.enterprise_id == enterprise.pk
    if role in (Role.ASSOCIATION, Role.OFFICE):
        return user.cluster_id == enterprise.cluster_id
    return False


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


STEWARD_GROUP = "Data stewards"
# What association staff do in the admin: keep their cluster's registry (the admin scopes every
# list to their cluster and hides figures of firms that do not share). Chain templates are
# shared by clusters, so stewards only read them; no steward creates a cluster or deletes.
STEWARD_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "registry": {
        "cluster": ("view", "change"),
        "clustertarget": ("view", "add", "change"),
        "clusterfigure": ("view", "add", "change"),
        "enterprise": ("view", "add", "change"),
        "enterpriserole": ("view", "add", "change"),
        "facility": ("view", "add", "change"),
        "certification": ("view", "add", "change"),
        "brand": ("view", "add", "change"),
        "enterpriseyear": ("view", "add", "change"),
        "supplyrelation": ("view", "add", "change"),
    },
    "chains": {
        "chaintemplate": ("view",),
        "chainlink": ("view",),
        "chainedge": ("view",),
    },
}


def ensure_steward_group() -> Any:
    """The "Data stewards" group with exactly STEWARD_PERMISSIONS, created or brought up to
    date (idempotent). Give it to association staff with `is_staff` for admin access:
    `user.groups.add(ensure_steward_group())`."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for app_label in STEWARD_PERMISSIONS:
        # Permissions are created after migrate; make sure they exist when called earlier.
        create_permissions(apps.get_app_config(app_label), verbosity=0)
    wanted = {
        (app_label, f"{action}_{model}")
        for app_label, models in STEWARD_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    }
    candidates = Permission.objects.filter(
        content_type__app_label__in=list(STEWARD_PERMISSIONS)
    ).select_related("content_type")
    chosen = [p for p in candidates if (p.content_type.app_label, p.codename) in wanted]
    group, _created = Group.objects.get_or_create(name=STEWARD_GROUP)
    group.permissions.set(chosen)
    return group


def can_steward_registry(user: Any, cluster: Cluster) -> bool:
    """Imports, the review queue, merges and provenance of a cluster's registry: its association
    staff and its cluster office (and platform admins)."""
    role = _role(user)
    return role == Role.ADMIN or (
        role in (Role.ASSOCIATION, Role.OFFICE) and user.cluster_id == cluster.pk
    )
