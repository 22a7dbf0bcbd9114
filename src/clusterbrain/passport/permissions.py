"""Who may publish passports and export EUDR data (DOMAIN.md: lot data is confidential; a
passport shows only what the firm published).

- a firm's own users publish, refresh and withdraw passports for the lots their firm owns, and
  export the EUDR statement of those lots;
- the cluster office sees its cluster's passports and exports EUDR data of its cluster's lots
  (it does not publish for a firm);
- platform admins may do everything; `None` is the platform itself (demo loaders);
- everyone, logged in or not, sees a published passport's page and JSON, and nothing else.
"""

from __future__ import annotations

from typing import Any

from clusterbrain.accounts import permissions
from clusterbrain.accounts.models import Role
from clusterbrain.trace.permissions import firm_of


def may_publish(user: Any, owner_id: int | None) -> bool:
    if user is None or permissions.is_admin(user):
        return True
    return owner_id is not None and firm_of(user) == owner_id


def _office_of(user: Any, cluster_id: int | None) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", None) == Role.OFFICE
        and cluster_id is not None
        and getattr(user, "cluster_id", None) == cluster_id
    )


def may_manage_list(user: Any) -> bool:
    """The passport list: firms (their own), offices (their cluster's), admins (all)."""
    if user is None or permissions.is_admin(user):
        return True
    if firm_of(user) is not None:
        return True
    return getattr(user, "role", None) == Role.OFFICE and bool(getattr(user, "cluster_id", None))


def may_export_eudr(user: Any, owner_id: int | None, cluster_id: int | None) -> bool:
    return may_publish(user, owner_id) or _office_of(user, cluster_id)


def sees_passport(user: Any, enterprise_id: int, cluster_id: int | None) -> bool:
    """The management view of a passport (withdrawn ones too)."""
    return may_publish(user, enterprise_id) or _office_of(user, cluster_id)
