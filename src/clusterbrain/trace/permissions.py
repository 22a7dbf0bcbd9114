"""Who may capture and see lot data (DOMAIN.md: lot data is confidential; decision 0011).

- an enterprise user captures events only at its own firm's locations, and sees the events
  at them and the lots its firm owns; for a trace it sees the lots upstream and downstream of
  its own lots with their shares and owner firms, but another firm's quantities only where
  that firm is its own;
- the cluster office sees every event and lot of its cluster (it does not capture: events
  are the firms' own records);
- association staff see the events and lots of members that share with the association;
- platform admins capture anywhere (also at locations nobody registered) and see everything;
- bank officers and the public see nothing of it (`/epcis` answers 401 to the anonymous).

`None` as the user of a service means the platform itself (demo loaders, management
commands), never a request.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from clusterbrain.accounts import permissions
from clusterbrain.accounts.models import Role


def firm_of(user: Any) -> int | None:
    """The firm an enterprise user acts for (None for every other role)."""
    if (
        getattr(user, "is_authenticated", False)
        and not permissions.is_admin(user)
        and getattr(user, "role", None) == Role.ENTERPRISE
    ):
        return getattr(user, "enterprise_id", None)
    return None


def may_capture(user: Any) -> bool:
    """Firms (at their own locations, checked per event) and platform admins."""
    return user is None or permissions.is_admin(user) or firm_of(user) is not None


def captures_anywhere(user: Any) -> bool:
    return user is None or permissions.is_admin(user)


def may_query(user: Any) -> bool:
    """Anyone whose role sees some lot data: firms, office, association, admins."""
    return scoped(user, "enterprise") is not None


def scoped(user: Any, firm_field: str, cluster_field: str | None = None) -> Q | None:
    """A filter on a model with a firm foreign key (`firm_field`) and optionally a cluster one:
    the rows `user` may see. None: nothing. Events at unregistered locations (no firm) are
    seen by admins only; the office sees its cluster's rows by their cluster."""
    if user is None or permissions.is_admin(user):
        return Q()
    role = getattr(user, "role", None)
    if not getattr(user, "is_authenticated", False):
        return None
    if role == Role.OFFICE and getattr(user, "cluster_id", None):
        if cluster_field:
            return Q(**{cluster_field: user.cluster_id})
        return Q(**{f"{firm_field}__cluster_id": user.cluster_id})
    firm = firm_of(user)
    if firm is not None:
        return Q(**{f"{firm_field}_id": firm})
    if role == Role.ASSOCIATION and getattr(user, "cluster_id", None):
        return Q(
            **{
                f"{firm_field}__cluster_id": user.cluster_id,
                f"{firm_field}__is_member": True,
                f"{firm_field}__shares_with_association": True,
            }
        )
    return None


def sees_quantities_of(user: Any, enterprise_id: int | None, cluster_id: int | None = None) -> bool:
    """A lot's quantities in someone else's trace: its own firm's, or a role that sees the
    owner's confidential figures (office of its cluster, sharing members for the association,
    admins). Lots with no known owner: admins, and the office of the lot's cluster
    (`cluster_id`, the lot's own; a lot with neither owner nor cluster is no office's, so an
    office never reads another cluster's figures through a lot nobody claimed)."""
    if user is None or permissions.is_admin(user):
        return True
    if enterprise_id is None:
        return (
            getattr(user, "role", None) == Role.OFFICE
            and cluster_id is not None
            and getattr(user, "cluster_id", None) == cluster_id
        )
    from clusterbrain.registry.models import Enterprise

    firm = Enterprise.all_objects.filter(pk=enterprise_id).first()
    return firm is not None and permissions.can_view_confidential(user, firm)


def sees_trace(user: Any) -> bool:
    """The lot pages: every role with some lot data."""
    return user is not None and scoped(user, "owner") is not None
