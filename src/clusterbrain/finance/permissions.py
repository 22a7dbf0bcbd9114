"""Who may do what with bank credit (decision 0020). Services and selectors call these.

Consent is the permission: a bank officer reads a firm's credit profile only through a live
consent of that firm to the officer's own bank, and only the sections it names. No role reads a
profile for a bank in its place (not the association that arranged the partnership, not the
office); the firm itself keeps its consents, sees who looked and follows its applications.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterbrain.accounts.models import Role
from clusterbrain.green.permissions import firm_of

if TYPE_CHECKING:
    from clusterbrain.finance.models import PartnerBank

__all__ = ["bank_of", "firm_of"]


def bank_of(user: Any) -> PartnerBank | None:
    """The bank a bank-role user reads for (None for every other user, and for a bank-role user
    no bank has been linked to: the free-text organisation grants nothing)."""
    if (
        not getattr(user, "is_authenticated", False)
        or not getattr(user, "is_active", False)
        or getattr(user, "is_superuser", False)
        or getattr(user, "role", None) != Role.BANK
    ):
        return None
    from clusterbrain.finance.models import BankOfficer

    link = BankOfficer.objects.select_related("bank").filter(user_id=user.pk).first()
    return link.bank if link is not None else None
