"""Every write of product passports: publish, refresh, withdraw.

CONTRACT (pages, API, demo; each raises errors.InvalidInput naming every field, Forbidden or
NotFound, and changes nothing when it raises):

    publish(user, lot, title_zh, title_en="", origins="region", show_firms=True,
            show_certificates=True, show_footprint=True, slug="") -> Passport
        the lot's owner firm (or an admin, or the platform: user None); publishing a key
        that was withdrawn publishes it again with the new choices
    refresh(user, passport) -> Passport          computes the content again from the genealogy
    withdraw(user, passport) -> Passport         the public page answers 404 from then on

The content (`snapshot.build`) is computed here, inside the transaction, and nothing else is
ever shown publicly (decision 0013).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.engines.passport.digital_link import product_key
from clusterbrain.errors import FieldError, Forbidden, InvalidInput
from clusterbrain.passport import permissions, snapshot
from clusterbrain.passport.models import Passport
from clusterbrain.registry.models import Enterprise
from clusterbrain.trace.models import Lot

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{2,39}$")


def _new_slug() -> str:
    while True:
        slug = secrets.token_urlsafe(6).lower().replace("_", "x").replace("-", "y")
        if not Passport.objects.filter(slug=slug).exists():
            return slug


def _choices(
    title_zh: str, title_en: str, origins: str, slug: str, errors: list[FieldError]
) -> None:
    if not (title_zh or "").strip():
        errors.append(FieldError(("title_zh",), _("This field is required.")))
    if len((title_zh or "").strip()) > 200:
        errors.append(
            FieldError(("title_zh",), _("Enter at most %(limit)s characters.") % {"limit": 200})
        )
    if len((title_en or "").strip()) > 200:
        errors.append(
            FieldError(("title_en",), _("Enter at most %(limit)s characters.") % {"limit": 200})
        )
    if origins not in Passport.Origins.values:
        errors.append(
            FieldError(
                ("origins",),
                _("Choose one of: %(limit)s.") % {"limit": ", ".join(Passport.Origins.values)},
            )
        )
    if slug and not _SLUG.match(slug):
        errors.append(
            FieldError(
                ("slug",),
                _("3 to 40 characters: lower-case letters, digits and hyphens, not first."),
            )
        )


def publish(
    user: Any,
    lot: Lot,
    title_zh: str,
    title_en: str = "",
    origins: str = Passport.Origins.REGION,
    show_firms: bool = True,
    show_certificates: bool = True,
    show_footprint: bool = True,
    slug: str = "",
) -> Passport:
    """Publish (or publish again) the passport of one of the firm's lots or serials."""
    if not permissions.may_publish(user, lot.owner_id):
        raise Forbidden(_("Only the firm that owns this lot publishes its passport."))
    slug = (slug or "").strip().lower()
    errors: list[FieldError] = []
    _choices(title_zh, title_en, origins, slug, errors)
    key = product_key(lot.key)
    if key is None:
        errors.append(
            FieldError(
                ("lot",),
                _(
                    "A passport needs a GTIN with a lot or a serial number (an LGTIN or SGTIN, "
                    "or a Digital Link with 01 and 10 or 21); %(key)s is neither."
                )
                % {"key": lot.key},
            )
        )
    if lot.owner_id is None:
        errors.append(FieldError(("lot",), _("Nobody owns this lot yet: it cannot be published.")))
    existing = None
    if key is not None:
        existing = Passport.objects.filter(
            gtin=key.gtin, lot_number=key.lot, serial=key.serial
        ).first()
        if existing is not None and existing.enterprise_id != lot.owner_id:
            errors.append(
                FieldError(("lot",), _("Another firm publishes the passport of this product key."))
            )
    taken = Passport.objects.filter(slug=slug)
    if existing is not None:
        taken = taken.exclude(pk=existing.pk)
    if slug and taken.exists():
        errors.append(FieldError(("slug",), _("This short address is taken.")))
    if errors:
        raise InvalidInput(errors[0].msg, errors)
    assert key is not None and lot.owner_id is not None
    owner = Enterprise.all_objects.get(pk=lot.owner_id)
    now = timezone.now()
    try:
        with transaction.atomic():
            passport = existing or Passport(
                gtin=key.gtin,
                lot_number=key.lot,
                serial=key.serial,
                slug=slug or _new_slug(),
                published_at=now,
            )
            if slug:
                passport.slug = slug
            passport.enterprise = owner
            passport.lot = lot
            passport.title_zh = title_zh.strip()
            passport.title_en = (title_en or "").strip()
            passport.origins = origins
            passport.show_firms = bool(show_firms)
            passport.show_certificates = bool(show_certificates)
            passport.show_footprint = bool(show_footprint)
            passport.status = Passport.Status.PUBLISHED
            passport.published_at = now
            passport.withdrawn_at = None
            passport.published_by = user if getattr(user, "pk", None) else None
            _compute(passport, now)
            passport.save()
    except IntegrityError:
        # Another publish got in between the checks above and this save (the same short address,
        # or the same product key): answer as the checks would have, with nothing saved.
        same_key = Q(gtin=key.gtin, lot_number=key.lot, serial=key.serial)
        if slug and Passport.objects.filter(slug=slug).exclude(same_key).exists():
            raise InvalidInput.field("slug", _("This short address is taken.")) from None
        raise InvalidInput.field(
            "lot", _("The passport was published by another request at the same moment; reload.")
        ) from None
    return passport


def _compute(passport: Passport, now: Any) -> None:
    key = {"gtin": passport.gtin, "lot": passport.lot_number, "serial": passport.serial}
    passport.snapshot = snapshot.build(
        passport.lot,
        passport.enterprise,
        key,
        (passport.title_zh, passport.title_en),
        snapshot.Options(
            passport.origins,
            passport.show_firms,
            passport.show_certificates,
            passport.show_footprint,
        ),
        timezone.localdate(now),
    )
    passport.refreshed_at = now


def refresh(user: Any, passport: Passport) -> Passport:
    """Compute the content again (new events downstream of the origins, new certificates)."""
    if not permissions.may_publish(user, passport.enterprise_id):
        raise Forbidden(_("Only the firm that published this passport refreshes it."))
    with transaction.atomic():
        passport = Passport.objects.select_for_update().get(pk=passport.pk)
        _compute(passport, timezone.now())
        passport.save(update_fields=["snapshot", "refreshed_at"])
    return passport


def withdraw(user: Any, passport: Passport) -> Passport:
    if not permissions.may_publish(user, passport.enterprise_id):
        raise Forbidden(_("Only the firm that published this passport withdraws it."))
    with transaction.atomic():
        passport = Passport.objects.select_for_update().get(pk=passport.pk)
        passport.status = Passport.Status.WITHDRAWN
        passport.withdrawn_at = timezone.now()
        passport.save(update_fields=["status", "withdrawn_at"])
    return passport
