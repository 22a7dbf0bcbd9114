"""Who may do what with green production data (decision 0012). Services and selectors call
these; templates only reflect their answers.

- a firm's own users keep its records, wastewater tests and value added, and see them;
- those who may see the firm's confidential figures (accounts.permissions: the office of its
  cluster, association staff where the member shares, admins) see them too, never change them;
- a firm's carbon-efficiency grade: the same readers, and everyone once the firm publishes the
  year's grade. Banks see none of it until consent exists (issue 7 wraps `can_view_grade`);
- aggregates over at least k firms are public; the office and admins see every firm.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterbrain.accounts import permissions
from clusterbrain.accounts.models import Role

if TYPE_CHECKING:
    from clusterbrain.registry.models import Cluster, Enterprise


def firm_of(user: Any) -> int | None:
    """The firm an enterprise user acts for (None for every other role)."""
    if (
        getattr(user, "is_authenticated", False)
        and not getattr(user, "is_superuser", False)
        and getattr(user, "role", None) == Role.ENTERPRISE
        and getattr(user, "enterprise_id", None) is not None
    ):
        return int(user.enterprise_id)
    return None


def can_record(user: Any, enterprise: Enterprise) -> bool:
    """Write the firm's records, tests and value added: its own users and admins. The office
    and the association read; a figure the firm reports is the firm's word."""
    return permissions.is_admin(user) or firm_of(user) == enterprise.pk


def can_view(user: Any, enterprise: Enterprise) -> bool:
    """Records, tests, emissions and value added of one firm."""
    return permissions.can_view_confidential(user, enterprise)


def can_view_grade(user: Any, enterprise: Enterprise, published: bool) -> bool:
    """A firm's grade of a year: its confidential readers, or anyone once it is published.
    The bank's consent (issue 7) is to be added here."""
    return published or can_view(user, enterprise)


def can_view_firm_figures(user: Any, cluster: Cluster) -> bool:
    """Every firm's green figures and grade, and aggregates over fewer than k firms."""
    return permissions.can_view_enterprise_statistics(user, cluster)
