"""Every write on the regional brand's licences: grant, suspend, reinstate, revoke, renew. Only
the association of the brand's cluster (and admins) write; each write is one transaction and
leaves a history event; refused input names each field and changes nothing (decision 0021)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.brand import codes, permissions
from clusterbrain.brand.models import BrandLicence, LicenceEvent, LicenceStatus
from clusterbrain.errors import FieldError, Forbidden, InvalidInput
from clusterbrain.registry.models import Brand, Enterprise
from clusterbrain.textinput import bounded, within

MAX_PRODUCTS = 30
MAX_YEARS = 10


def _require_manage(user: Any, brand: Brand) -> None:
    if not permissions.can_manage(user, brand.cluster):
        raise Forbidden(_("Only the association of the cluster may license its regional brand."))


def _raise(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput(
            errors[0].msg if len(errors) == 1 else _("Check the fields below."), errors
        )


def _clean_products(errors: list[FieldError], products: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for i, p in enumerate(products or ()):
        text = bounded(errors, ("products", i), p, 100)
        if text and text not in cleaned:
            cleaned.append(text)
    if not cleaned:
        errors.append(FieldError(("products",), _("Name at least one product.")))
    elif len(cleaned) > MAX_PRODUCTS:
        errors.append(FieldError(("products",), _("At most %(n)d products.") % {"n": MAX_PRODUCTS}))
    return cleaned


def _clean_countries(errors: list[FieldError], brand: Brand, countries: Sequence[str]) -> list[str]:
    registered = {str(c).upper() for c in brand.countries_registered or ()}
    cleaned: list[str] = []
    for i, c in enumerate(countries or ()):
        code = str(c or "").strip().upper()
        if not code:
            continue
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            errors.append(
                FieldError(
                    ("countries", i),
                    _("%(code)r is not an ISO 3166 alpha-2 country code (like CN, DE, US).")
                    % {"code": code},
                )
            )
        elif code not in registered:
            errors.append(
                FieldError(
                    ("countries", i),
                    _(
                        "The brand %(brand)s is not registered in %(code)s; it is registered "
                        "in: %(registered)s."
                    )
                    % {
                        "brand": brand.name,
                        "code": code,
                        "registered": ", ".join(sorted(registered)) or "—",
                    },
                )
            )
        elif code not in cleaned:
            cleaned.append(code)
    if not cleaned and not any(e.loc[0] == "countries" for e in errors):
        errors.append(FieldError(("countries",), _("Name at least one country.")))
    return cleaned


def _check_period(
    errors: list[FieldError], valid_from: datetime.date | None, valid_until: datetime.date | None
) -> None:
    if valid_from is None:
        errors.append(FieldError(("valid_from",), _("This field is required.")))
    if valid_until is None:
        errors.append(FieldError(("valid_until",), _("This field is required.")))
    if valid_from is None or valid_until is None:
        return
    if valid_until < valid_from:
        errors.append(
            FieldError(("valid_until",), _("The licence must end on or after its first day."))
        )
    elif (valid_until - valid_from).days > MAX_YEARS * 366:
        errors.append(
            FieldError(
                ("valid_until",), _("A licence runs for at most %(n)d years.") % {"n": MAX_YEARS}
            )
        )


def _event(licence: BrandLicence, action: str, user: Any, reason: str = "") -> LicenceEvent:
    return LicenceEvent.objects.create(
        licence=licence,
        action=action,
        actor=user if getattr(user, "is_authenticated", False) else None,
        reason=reason[:300],
        valid_until=licence.valid_until,
    )


def _check_no_overlap(
    errors: list[FieldError],
    brand: Brand,
    licensee: Enterprise,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
) -> None:
    """One licence per firm and brand at a time: a second one over the same days would give a
    verifier two answers (one suspended, say, and one valid). Revoked licences do not count."""
    if valid_from is None or valid_until is None:
        return
    held = (
        BrandLicence.objects.select_for_update()
        .filter(brand=brand, licensee=licensee, valid_from__lte=valid_until)
        .filter(valid_until__gte=valid_from)
        .exclude(status=LicenceStatus.REVOKED)
        .order_by("valid_from")
        .first()
    )
    if held is not None:
        errors.append(
            FieldError(
                ("licensee",),
                _(
                    "%(firm)s already holds licence %(code)s for %(brand)s from %(start)s to "
                    "%(end)s: renew that licence, or revoke it before granting a new one."
                )
                % {
                    "firm": licensee.name,
                    "code": held.code,
                    "brand": brand.name,
                    "start": held.valid_from.isoformat(),
                    "end": held.valid_until.isoformat(),
                },
            )
        )


@transaction.atomic
def grant_licence(
    user: Any,
    brand: Brand,
    *,
    licensee: Enterprise | None,
    products: Sequence[str],
    countries: Sequence[str],
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
    terms: str = "",
) -> BrandLicence:
    """License the cluster's regional brand to one of its member firms, with a fresh code."""
    _require_manage(user, brand)
    errors: list[FieldError] = []
    if not brand.is_regional:
        errors.append(
            FieldError(("brand",), _("Only a regional (collective) brand is licensed here."))
        )
    if licensee is None:
        errors.append(FieldError(("licensee",), _("Choose a member firm of the cluster.")))
    elif licensee.cluster_id != brand.cluster_id:
        errors.append(FieldError(("licensee",), _("This firm is not of the brand's cluster.")))
    elif not licensee.is_member:
        errors.append(
            FieldError(
                ("licensee",),
                _("%(firm)s is not a member of the association; only members are licensed.")
                % {"firm": licensee.name},
            )
        )
    product_list = _clean_products(errors, products)
    terms_text = bounded(errors, "terms", terms, 5000)
    country_list = _clean_countries(errors, brand, countries)
    _check_period(errors, valid_from, valid_until)
    if licensee is not None and not errors:
        _check_no_overlap(errors, brand, licensee, valid_from, valid_until)
    _raise(errors)
    assert licensee is not None and valid_from is not None and valid_until is not None
    prefix = codes.prefix_for(brand.name_en, brand.cluster.slug)
    for _attempt in range(5):
        code = codes.new_code(prefix, valid_from.year)
        if not BrandLicence.objects.filter(code=code).exists():
            break
    try:
        with transaction.atomic():
            licence = BrandLicence.objects.create(
                brand=brand,
                licensee=licensee,
                code=code,
                terms=terms_text,
                products=product_list,
                countries=country_list,
                valid_from=valid_from,
                valid_until=valid_until,
            )
    except IntegrityError as exc:  # two grants drew the same 50 random bits: vanishingly rare
        raise InvalidInput.field("code", _("Please try again.")) from exc
    _event(licence, LicenceEvent.Action.GRANTED, user)
    return licence


def _reason(reason: str) -> str:
    text = within("reason", reason, 300)
    if not text:
        raise InvalidInput.field("reason", _("Give the reason (the licensee reads it)."))
    return text


def _locked(licence: BrandLicence) -> BrandLicence:
    return (
        BrandLicence.objects.select_for_update().select_related("brand__cluster").get(pk=licence.pk)
    )


@transaction.atomic
def suspend_licence(user: Any, licence: BrandLicence, *, reason: str) -> BrandLicence:
    _require_manage(user, licence.brand)
    licence = _locked(licence)
    if licence.status != LicenceStatus.ACTIVE:
        raise InvalidInput.field(
            "status",
            _("Only an active licence can be suspended; this one is %(status)s.")
            % {"status": licence.get_status_display()},
        )
    text = _reason(reason)
    licence.status, licence.status_reason = LicenceStatus.SUSPENDED, text
    licence.save(update_fields=["status", "status_reason", "updated_at"])
    _event(licence, LicenceEvent.Action.SUSPENDED, user, text)
    return licence


@transaction.atomic
def reinstate_licence(user: Any, licence: BrandLicence, *, reason: str = "") -> BrandLicence:
    _require_manage(user, licence.brand)
    licence = _locked(licence)
    if licence.status != LicenceStatus.SUSPENDED:
        raise InvalidInput.field(
            "status",
            _("Only a suspended licence can be reinstated; this one is %(status)s.")
            % {"status": licence.get_status_display()},
        )
    licence.status, licence.status_reason = LicenceStatus.ACTIVE, ""
    licence.save(update_fields=["status", "status_reason", "updated_at"])
    _event(licence, LicenceEvent.Action.REINSTATED, user, (reason or "").strip())
    return licence


@transaction.atomic
def revoke_licence(user: Any, licence: BrandLicence, *, reason: str) -> BrandLicence:
    """Revocation is final: a revoked code keeps verifying as revoked, and is never renewed."""
    _require_manage(user, licence.brand)
    licence = _locked(licence)
    if licence.status == LicenceStatus.REVOKED:
        raise InvalidInput.field("status", _("This licence is already revoked."))
    text = _reason(reason)
    licence.status, licence.status_reason = LicenceStatus.REVOKED, text
    licence.save(update_fields=["status", "status_reason", "updated_at"])
    _event(licence, LicenceEvent.Action.REVOKED, user, text)
    return licence


@transaction.atomic
def renew_licence(
    user: Any, licence: BrandLicence, *, valid_until: datetime.date | None, reason: str = ""
) -> BrandLicence:
    """Extend the period; the code stays, so printed labels and QR codes keep working."""
    _require_manage(user, licence.brand)
    licence = _locked(licence)
    errors: list[FieldError] = []
    if licence.status == LicenceStatus.REVOKED:
        errors.append(FieldError(("status",), _("A revoked licence cannot be renewed.")))
    if valid_until is None:
        errors.append(FieldError(("valid_until",), _("This field is required.")))
    elif valid_until <= licence.valid_until:
        errors.append(
            FieldError(
                ("valid_until",),
                _("A renewal ends after the current end (%(day)s).")
                % {"day": licence.valid_until.isoformat()},
            )
        )
    elif valid_until < timezone.localdate():
        errors.append(FieldError(("valid_until",), _("A renewal ends in the future.")))
    else:
        _check_period(errors, licence.valid_from, valid_until)
    _raise(errors)
    assert valid_until is not None
    licence.valid_until = valid_until
    licence.save(update_fields=["valid_until", "updated_at"])
    _event(licence, LicenceEvent.Action.RENEWED, user, (reason or "").strip())
    return licence
