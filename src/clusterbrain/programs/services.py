"""Every write of support programs and applications: validation, permissions, transactions.

CONTRACT (pages, API; each raises errors.InvalidInput naming every field, Forbidden or NotFound,
and changes nothing when it raises):

    record_status(application, user, new_status, note="") -> ApplicationEvent
        the one way an application's status changes (also for the awards app); in the
        caller's transaction; checks the transition, not the caller's permission
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.errors import InvalidInput
from clusterbrain.programs.models import Application, ApplicationEvent

S = Application.Status
# Which status may follow which. Review moves submitted → under_review → awarded/rejected (the
# awards app); a firm withdraws anything not yet decided and may take a withdrawn one back to
# a draft while the program is open.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.UNDER_REVIEW, S.AWARDED, S.REJECTED, S.WITHDRAWN}),
    S.UNDER_REVIEW: frozenset({S.AWARDED, S.REJECTED, S.WITHDRAWN, S.SUBMITTED}),
    S.AWARDED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset({S.DRAFT}),
}


def record_status(
    application: Application, user: Any, new_status: str, note: str = ""
) -> ApplicationEvent:
    """Move `application` to `new_status` and log it. The move is a compare-and-set on the
    status the caller read, so two concurrent moves cannot both happen from the same state."""
    if new_status not in S.values:
        raise InvalidInput.field("status", _("Unknown status: %(status)s") % {"status": new_status})
    old = application.status
    if new_status not in TRANSITIONS[old]:
        raise InvalidInput.field(
            "status",
            _("An application that is %(old)s cannot become %(new)s.")
            % {"old": S(old).label, "new": S(new_status).label},
        )
    with transaction.atomic():
        now = timezone.now()
        changes: dict[str, Any] = {"status": new_status, "updated_at": now}
        if new_status == S.SUBMITTED and old == S.DRAFT:
            changes["submitted_at"] = now
        moved = Application.objects.filter(pk=application.pk, status=old).update(**changes)
        if not moved:
            raise InvalidInput.field(
                "status", _("The application was changed meanwhile; reload it and try again.")
            )
        for name, value in changes.items():
            setattr(application, name, value)
        return ApplicationEvent.objects.create(
            application=application,
            user=user if getattr(user, "is_authenticated", False) else None,
            from_status=old,
            to_status=new_status,
            note=note[:500],
        )
