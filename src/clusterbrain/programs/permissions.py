"""Who may do what with support programs and applications (decision 0018). Services and
selectors call these; templates only reflect their answers.

- the cluster office of the program's cluster (and admins) define, edit, open and close
  programs; association staff of the cluster may draft and edit programs that are drafts (the
  chamber runs programs with the office), but only the office opens or closes one;
- every signed-in user of the cluster (and the public) sees open and closed programs; drafts
  only their editors;
- a firm's users apply for their firm, upload, submit, withdraw, and see their own
  applications only;
- the office and association staff of the cluster (and admins) see all of the cluster's
  applications; bank officers, other clusters and other firms see none (404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterbrain.accounts import permissions
from clusterbrain.accounts.models import Role
from clusterbrain.green.permissions import firm_of

if TYPE_CHECKING:
    from clusterbrain.programs.models import Application, SupportProgram
    from clusterbrain.registry.models import Cluster


def _role(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    return str(user.role)


def is_office(user: Any, cluster: Cluster) -> bool:
    role = _role(user)
    return role == Role.ADMIN or (role == Role.OFFICE and user.cluster_id == cluster.pk)


def is_staff_of(user: Any, cluster: Cluster) -> bool:
    """The office or association staff of the cluster, or an admin."""
    role = _role(user)
    return role == Role.ADMIN or (
        role in (Role.OFFICE, Role.ASSOCIATION) and user.cluster_id == cluster.pk
    )


def can_draft_program(user: Any, cluster: Cluster) -> bool:
    return is_staff_of(user, cluster)


def can_edit_program(user: Any, program: SupportProgram) -> bool:
    if is_office(user, program.cluster):
        return True
    return is_staff_of(user, program.cluster) and program.status == program.Status.DRAFT


def can_publish_program(user: Any, program: SupportProgram) -> bool:
    """Open or close: the office decides what public money is offered."""
    return is_office(user, program.cluster)


def can_view_program(user: Any, program: SupportProgram) -> bool:
    if program.status != program.Status.DRAFT:
        return True
    return is_staff_of(user, program.cluster)


def can_apply(user: Any, program: SupportProgram) -> bool:
    """A firm's users, for their own firm of the program's cluster."""
    firm = firm_of(user)
    return (
        firm is not None
        and getattr(user, "enterprise", None) is not None
        and (user.enterprise.cluster_id == program.cluster_id)
    )


def can_view_application(user: Any, application: Application) -> bool:
    if firm_of(user) == application.enterprise_id:
        return True
    return is_staff_of(user, application.program.cluster)


def can_act_for(user: Any, application: Application) -> bool:
    """Upload, submit, withdraw: the applicant firm's own users only."""
    return firm_of(user) == application.enterprise_id


def is_admin(user: Any) -> bool:
    return permissions.is_admin(user)
