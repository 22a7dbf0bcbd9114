"""Who may do what with outsourcing orders (DOMAIN.md: order details and prices are
confidential). Services and selectors call these; templates only reflect their answers.

- a leading firm's users post its orders, see them in full with the candidates' quotes, confirm
  or edit proposals and inspect deliveries;
- a supplier's users keep its offers and capacity calendar, see the orders offered to it (its
  own part only: never a competitor's quantity or price, never the buyer's target price),
  accept or decline them and report progress and delivery;
- the cluster's office and association staff run allocations and see aggregates;
- platform admins may do and see everything; everyone else sees nothing of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterbrain.accounts import permissions
from clusterbrain.accounts.models import Role

if TYPE_CHECKING:
    from clusterbrain.matching.models import Assignment, OutsourcingOrder
    from clusterbrain.registry.models import Cluster, Enterprise


def _firm_user_of(user: Any, enterprise_id: int | None) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and not getattr(user, "is_superuser", False)
        and getattr(user, "role", None) == Role.ENTERPRISE
        and enterprise_id is not None
        and getattr(user, "enterprise_id", None) == enterprise_id
    )


def firm_of(user: Any) -> int | None:
    """The firm an enterprise user acts for (None for every other role)."""
    if _firm_user_of(user, getattr(user, "enterprise_id", None)):
        return int(user.enterprise_id)
    return None


def can_post_orders(user: Any, buyer: Enterprise) -> bool:
    """The leading firm's own users (and admins)."""
    return buyer.is_leading and (permissions.is_admin(user) or _firm_user_of(user, buyer.pk))


def is_buyer(user: Any, order: OutsourcingOrder) -> bool:
    return permissions.is_admin(user) or _firm_user_of(user, order.buyer_id)


def is_supplier(user: Any, assignment: Assignment) -> bool:
    return permissions.is_admin(user) or _firm_user_of(user, assignment.supplier_id)


def can_keep_offers(user: Any, enterprise: Enterprise) -> bool:
    """A firm's prices and capacity calendar: its own users and admins (a price is the firm's
    business, not the association's)."""
    return permissions.is_admin(user) or _firm_user_of(user, enterprise.pk)


def can_coordinate(user: Any, cluster: Cluster) -> bool:
    """Run allocations over the cluster's open orders and see their aggregates."""
    role = None
    if getattr(user, "is_authenticated", False):
        role = Role.ADMIN if getattr(user, "is_superuser", False) else user.role
    return role == Role.ADMIN or (
        role in (Role.OFFICE, Role.ASSOCIATION) and user.cluster_id == cluster.pk
    )


def can_view_firm_figures(user: Any, cluster: Cluster) -> bool:
    """Matching figures per leading firm, and aggregates over fewer than k firms."""
    return permissions.can_view_enterprise_statistics(user, cluster)
