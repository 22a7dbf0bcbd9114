"""Who may do what in review, awards and the ledger (decision 0019). Services and selectors
call these; templates only reflect their answers.

- the cluster office of the program's cluster (and admins) assign reviewers, decide, post the
  budget, disburse, reverse, and read the ledger, the audit trail and the outcome summary;
- reviewers are association staff or office users of the program's cluster; each sees only the
  applications assigned to them, and other reviewers' scores only after submitting their own;
- a firm sees its own application's decision, payments and outcome report, nothing else;
- bank officers, other clusters and other firms see nothing (404: existence is confidential).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterbrain.accounts.models import Role
from clusterbrain.green.permissions import firm_of
from clusterbrain.programs import permissions as program_permissions

if TYPE_CHECKING:
    from clusterbrain.programs.models import Application
    from clusterbrain.registry.models import Cluster

__all__ = ["can_be_reviewer", "can_view_award", "firm_of", "is_office"]


def is_office(user: Any, cluster: Cluster) -> bool:
    """Assign, decide, move money and read the ledger: the office of the cluster, admins."""
    return program_permissions.is_office(user, cluster)


def can_be_reviewer(user: Any, cluster: Cluster) -> bool:
    """Association staff and office users of the cluster; never a firm, a bank or an admin
    without a cluster."""
    return (
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", True)
        and not getattr(user, "is_superuser", False)
        and getattr(user, "role", None) in (Role.ASSOCIATION, Role.OFFICE)
        and user.cluster_id == cluster.pk
    )


def can_view_award(user: Any, application: Application) -> bool:
    """The decision, payments and outcome report of one application: the applicant firm and
    the office."""
    return firm_of(user) == application.enterprise_id or is_office(
        user, application.program.cluster
    )
