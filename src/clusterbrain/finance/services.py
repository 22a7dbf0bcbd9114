"""Every write of bank credit: consents granted and withdrawn, a bank officer's look at a
profile (logged in the same transaction that reads it), loan applications and their steps.
Each is one transaction; refused input names each field and changes nothing (decision 0020).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from clusterbrain.accounts.models import Role
from clusterbrain.errors import FieldError, Forbidden, InvalidInput, NotFound
from clusterbrain.finance import permissions, selectors
from clusterbrain.finance.models import (
    LOAN_TRANSITIONS,
    BankOfficer,
    Consent,
    ConsentStatus,
    LoanApplication,
    LoanEvent,
    LoanStatus,
    PartnerBank,
    ProfileView,
    Section,
)
from clusterbrain.registry.models import Enterprise
from clusterbrain.registry.selectors import as_id

# A consent covers at most a year, both ends included (a leap year's 366 days).
MAX_CONSENT_DAYS = 366
MAX_TERM_MONTHS = 360
# DecimalField(max_digits=14, decimal_places=2)
MAX_AMOUNT = Decimal("999999999999.99")


def _raise(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput(
            errors[0].msg if len(errors) == 1 else _("Check the fields below."), errors
        )


def _date(errors: list[FieldError], name: str, value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    parsed = None
    if isinstance(value, str) and value.strip():
        try:
            parsed = parse_date(value.strip())
        except ValueError:
            parsed = None
        if parsed is None:
            errors.append(FieldError((name,), _("Enter a date as YYYY-MM-DD.")))
        return parsed
    errors.append(FieldError((name,), _("This field is required.")))
    return None


def _partner_bank(errors: list[FieldError], firm: Enterprise, value: Any) -> PartnerBank | None:
    pk = as_id(value)
    bank = PartnerBank.objects.filter(pk=pk, clusters=firm.cluster_id).first() if pk else None
    if bank is None:
        errors.append(FieldError(("bank",), _("Choose one of your cluster's partner banks.")))
    return bank


@transaction.atomic
def grant_consent(
    user: Any,
    *,
    bank: Any,
    ends_on: Any,
    sections: Iterable[str],
    starts_on: Any = None,
    today: datetime.date | None = None,
) -> Consent:
    """The user's firm lets `bank` read the named sections of its credit profile from
    `starts_on` (default today) to `ends_on`, both included, at most a year. A period that
    overlaps another consent to the same bank that is not withdrawn is refused: one consent
    at a time says unambiguously what the bank may read."""
    firm = selectors.own_firm(user)
    day = today or selectors.today()
    errors: list[FieldError] = []
    chosen_bank = _partner_bank(errors, firm, bank)
    start = day if starts_on in (None, "") else _date(errors, "starts_on", starts_on)
    end = _date(errors, "ends_on", ends_on)
    if start is not None and start < day:
        errors.append(FieldError(("starts_on",), _("A consent cannot start in the past.")))
    if start is not None and end is not None:
        if end < start:
            errors.append(
                FieldError(("ends_on",), _("The consent must end on or after its start."))
            )
        elif (end - start).days + 1 > MAX_CONSENT_DAYS:
            errors.append(
                FieldError(
                    ("ends_on",), _("A consent lasts at most one year; choose an earlier end.")
                )
            )
    raw = [str(s) for s in (sections or ())]
    unknown = [s for s in raw if s not in Section.values]
    if unknown:
        errors.append(
            FieldError(
                ("sections",),
                _("Unknown section %(name)r; choose from: %(known)s.")
                % {"name": unknown[0], "known": ", ".join(Section.values)},
            )
        )
    elif not raw:
        errors.append(FieldError(("sections",), _("Choose at least one section to share.")))
    if chosen_bank is not None and start is not None and end is not None and end >= start:
        # The firm's row is the lock that keeps two grants at once from both passing this check.
        Enterprise.objects.select_for_update().filter(pk=firm.pk).first()
        clash = Consent.objects.filter(
            enterprise=firm,
            bank=chosen_bank,
            withdrawn_at__isnull=True,
            starts_on__lte=end,
            ends_on__gte=start,
        ).first()
        if clash is not None:
            errors.append(
                FieldError(
                    ("starts_on",),
                    _(
                        "Your consent to this bank from %(start)s to %(end)s covers part of this "
                        "period; withdraw it first."
                    )
                    % {"start": clash.starts_on.isoformat(), "end": clash.ends_on.isoformat()},
                )
            )
    _raise(errors)
    assert chosen_bank is not None and start is not None and end is not None
    return Consent.objects.create(
        enterprise=firm,
        bank=chosen_bank,
        sections=selectors.ordered_sections(raw),
        starts_on=start,
        ends_on=end,
        granted_by=user,
        granted_at=timezone.now(),
    )


@transaction.atomic
def withdraw_consent(user: Any, consent_id: Any, *, today: datetime.date | None = None) -> Consent:
    """End the firm's consent now: from this moment its bank reads nothing more. The consent
    stays in the history with the time of withdrawal."""
    consent = selectors.get_own_consent(consent_id, user)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    status = consent.status_on(today or selectors.today())
    if status == ConsentStatus.WITHDRAWN:
        raise InvalidInput.field("consent", _("This consent was already withdrawn."))
    if status == ConsentStatus.EXPIRED:
        raise InvalidInput.field("consent", _("This consent has already expired."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = user
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return consent


@transaction.atomic
def open_credit_profile(
    user: Any,
    enterprise_id: Any,
    *,
    channel: str = "page",
    today: datetime.date | None = None,
) -> tuple[selectors.CreditProfile, Consent]:
    """A bank officer reads a firm's credit profile: only through a live consent of the firm to
    the officer's bank, only its sections, and the look is logged for the firm. Anyone else,
    and an officer without such a consent, gets NotFound, as for a firm that does not exist."""
    bank = permissions.bank_of(user)
    pk = as_id(enterprise_id)
    firm = Enterprise.objects.select_related("cluster").filter(pk=pk).first() if pk else None
    day = today or selectors.today()
    consent = selectors.live_consent(firm, bank, day) if bank and firm else None
    if consent is None or firm is None or bank is None:
        raise NotFound(_("No such enterprise."))
    profile = selectors.build_credit_profile(firm, consent.sections, day)
    ProfileView.objects.create(
        consent=consent,
        enterprise=firm,
        bank=bank,
        viewer=user,
        viewer_name=user.get_username(),
        sections=list(profile.sections),
        channel=channel if channel in ("page", "api") else "page",
        viewed_at=timezone.now(),
    )
    return profile, consent


def _amount(errors: list[FieldError], value: Any) -> Decimal | None:
    if value is None or value == "":
        errors.append(FieldError(("amount",), _("This field is required.")))
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors.append(FieldError(("amount",), _("Enter an amount in yuan, e.g. 500000.00.")))
        return None
    if not amount.is_finite():
        errors.append(FieldError(("amount",), _("Enter a finite number.")))
        return None
    if amount <= 0:
        errors.append(FieldError(("amount",), _("Enter an amount greater than 0.")))
        return None
    if amount > MAX_AMOUNT:  # before quantize, which raises beyond the context's precision
        errors.append(FieldError(("amount",), _("This amount is too large.")))
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errors.append(FieldError(("amount",), _("Enter the amount to the fen (two decimals).")))
        return None
    return amount


def _term(errors: list[FieldError], value: Any) -> int | None:
    if value is None or value == "":
        errors.append(FieldError(("term_months",), _("This field is required.")))
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or number != number.to_integral_value():
        errors.append(FieldError(("term_months",), _("Enter a whole number.")))
        return None
    if not 1 <= number <= MAX_TERM_MONTHS:
        errors.append(
            FieldError(
                ("term_months",),
                _("Enter a term between 1 and %(max)d months.") % {"max": MAX_TERM_MONTHS},
            )
        )
        return None
    return int(number)


def _event(
    application: LoanApplication, status: str, user: Any, note: str, at: datetime.datetime
) -> LoanEvent:
    return LoanEvent.objects.create(
        application=application,
        status=status,
        note=note,
        by=user,
        by_name=user.get_username() if user is not None else "",
        at=at,
    )


@transaction.atomic
def apply_for_loan(
    user: Any,
    *,
    bank: Any,
    amount: Any,
    purpose: str,
    term_months: Any,
    today: datetime.date | None = None,
) -> LoanApplication:
    """The user's firm applies for a loan to a bank it has a live consent with: the bank then
    reads the profile it decides on."""
    firm = selectors.own_firm(user)
    day = today or selectors.today()
    errors: list[FieldError] = []
    chosen_bank = _partner_bank(errors, firm, bank)
    if chosen_bank is not None and selectors.live_consent(firm, chosen_bank, day) is None:
        errors.append(
            FieldError(
                ("bank",),
                _("Give this bank a live consent to your credit profile before applying."),
            )
        )
    value = _amount(errors, amount)
    text = (purpose or "").strip()
    if not text:
        errors.append(FieldError(("purpose",), _("This field is required.")))
    elif len(text) > 500:
        errors.append(FieldError(("purpose",), _("Enter at most 500 characters.")))
    months = _term(errors, term_months)
    _raise(errors)
    assert chosen_bank is not None and value is not None and months is not None
    now = timezone.now()
    application = LoanApplication.objects.create(
        enterprise=firm,
        bank=chosen_bank,
        amount=value,
        purpose=text,
        term_months=months,
        status=LoanStatus.RECEIVED,
        applied_by=user,
        created_at=now,
        updated_at=now,
    )
    _event(application, LoanStatus.RECEIVED, user, "", now)
    return application


@transaction.atomic
def move_loan(user: Any, loan_id: Any, *, status: str, note: str = "") -> LoanApplication:
    """The bank's officer moves an application to its next status, with a note for the firm
    (a rejection must say why)."""
    bank = permissions.bank_of(user)
    application = selectors.get_loan(loan_id, user)
    if bank is None or application.bank_id != bank.pk:
        raise Forbidden(_("Only the bank's officers decide on its applications."))
    application = LoanApplication.objects.select_for_update().get(pk=application.pk)
    errors: list[FieldError] = []
    text = (note or "").strip()
    if status not in LoanStatus.values:
        errors.append(
            FieldError(
                ("status",),
                _("Choose one of: %(limit)s.") % {"limit": ", ".join(LoanStatus.values)},
            )
        )
    elif status not in LOAN_TRANSITIONS[application.status]:
        allowed = LOAN_TRANSITIONS[application.status]
        errors.append(
            FieldError(
                ("status",),
                _("An application that is %(current)s cannot become %(wanted)s.")
                % {
                    "current": LoanStatus(application.status).label,
                    "wanted": LoanStatus(status).label,
                }
                + (
                    " "
                    + _("Next: %(limit)s.")
                    % {"limit": ", ".join(str(LoanStatus(s).label) for s in allowed)}
                    if allowed
                    else ""
                ),
            )
        )
    if status == LoanStatus.REJECTED and not text:
        errors.append(FieldError(("note",), _("Say why the application is rejected.")))
    if len(text) > 1000:
        errors.append(FieldError(("note",), _("Enter at most 1000 characters.")))
    _raise(errors)
    now = timezone.now()
    application.status = status
    application.updated_at = now
    application.save(update_fields=["status", "updated_at"])
    _event(application, status, user, text, now)
    return application


@transaction.atomic
def link_officer(user: Any, bank: PartnerBank) -> BankOfficer:
    """Make a bank-role user an officer of `bank` (admins do this; the demo links its own)."""
    if getattr(user, "role", None) != Role.BANK:
        raise InvalidInput.field("user", _("Only a user with the bank officer role can be linked."))
    link, _created = BankOfficer.objects.update_or_create(user=user, defaults={"bank": bank})
    return link
