"""Every read of product passports, with its permissions (passport.permissions).

CONTRACT:

    public_by_slug(slug) -> Passport            published only; NotFound otherwise (anyone)
    public_by_path(path) -> Passport            a Digital Link path `/01/{gtin}/10/{lot}` or
                                                `/21/{serial}`; NotFound naming the bad part
    passports_for(user) -> list[Passport]       the firm's own, the office's cluster's, all (admin)
    get_passport(user, pk) -> Passport          the management view (withdrawn ones too)
    publishable_lot(user, lot_id) -> Lot        a lot the user's firm may publish; NotFound or
                                                Forbidden otherwise
    public_json(passport, base) -> dict         the documented JSON export (schema in api.py)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from django.utils.translation import gettext as _

from clusterbrain.engines.passport.digital_link import DigitalLinkError, ProductKey, parse_path
from clusterbrain.errors import FieldError, Forbidden, NotFound
from clusterbrain.passport import permissions
from clusterbrain.passport.models import Passport
from clusterbrain.trace import selectors as trace_selectors
from clusterbrain.trace.models import Lot
from clusterbrain.trace.permissions import firm_of

_PARTS = {
    "gtin": "GTIN (01)",
    "lot": "lot (10)",
    "serial": "serial (21)",
    "path": "path",
}


def public_by_slug(slug: str) -> Passport:
    passport = (
        Passport.objects.select_related("enterprise")
        .filter(slug=(slug or "").lower(), status=Passport.Status.PUBLISHED)
        .first()
    )
    if passport is None:
        raise NotFound(_("No published passport at this address."))
    return passport


def _published(key: ProductKey) -> Passport | None:
    return (
        Passport.objects.select_related("enterprise")
        .filter(
            gtin=key.gtin,
            lot_number=key.lot,
            serial=key.serial,
            status=Passport.Status.PUBLISHED,
        )
        .first()
    )


def _slashed_key(path: str) -> ProductKey | None:
    """The key of `/01/{gtin}/10/{a}/{b}…` read as one lot (or serial) `a/b…`. A lot number may
    hold a "/" (GS1 set 82), which the link escapes as %2F, but the web server hands the view
    the decoded path, so the escaped slash arrives as a separator."""
    parts = [p for p in path.split("?")[0].split("/") if p]
    if len(parts) < 5 or parts[0] != "01" or parts[2] not in ("10", "21"):
        return None
    value = unquote("/".join(parts[3:]))
    try:
        if parts[2] == "10":
            return ProductKey(gtin=parts[1], lot=value)
        return ProductKey(gtin=parts[1], serial=value)
    except DigitalLinkError:
        return None


def public_by_path(path: str) -> Passport:
    """The passport a Digital Link names. A malformed link is a NotFound that names the part."""
    try:
        key = parse_path(path)
    except DigitalLinkError as exc:
        slashed = _slashed_key(path) if exc.part == "path" else None
        found = _published(slashed) if slashed is not None else None
        if found is not None:
            return found
        part = _PARTS.get(exc.part, exc.part)
        raise NotFound(
            _("This is not a product link we can read: the %(part)s is wrong (%(why)s).")
            % {"part": part, "why": str(exc)},
            [FieldError((exc.part,), str(exc))],
        ) from exc
    passport = _published(key)
    if passport is None:
        raise NotFound(_("No published passport for this product."))
    return passport


def passports_for(user: Any) -> list[Passport]:
    if not permissions.may_manage_list(user):
        raise Forbidden(_("Your role has no product passports."))
    qs = Passport.objects.select_related("enterprise", "lot").order_by("-published_at", "pk")
    firm = firm_of(user)
    if firm is not None:
        qs = qs.filter(enterprise_id=firm)
    elif user is not None and getattr(user, "role", None) == "office":
        qs = qs.filter(enterprise__cluster_id=user.cluster_id)
    elif not permissions.may_publish(user, None):  # not admin
        return []
    return list(qs[:500])


def get_passport(user: Any, pk: Any) -> Passport:
    try:
        passport = Passport.objects.select_related("enterprise", "lot").get(pk=int(pk))
    except (Passport.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("No such passport, or not one you may see.")) from None
    if not permissions.sees_passport(user, passport.enterprise_id, passport.enterprise.cluster_id):
        raise NotFound(_("No such passport, or not one you may see."))
    return passport


def publishable_lot(user: Any, lot_id: Any) -> Lot:
    lot = trace_selectors.get_lot(user, lot_id)
    if not permissions.may_publish(user, lot.owner_id):
        raise Forbidden(_("Only the firm that owns this lot publishes its passport."))
    return lot


def passport_of_lot(lot: Lot) -> Passport | None:
    return Passport.objects.filter(lot=lot).first()


def public_json(passport: Passport, base: str) -> dict[str, Any]:
    """The published content with its addresses; the shape `api.PassportOut` documents."""
    return {
        **passport.snapshot,
        "slug": passport.slug,
        "digital_link": base.rstrip("/") + passport.path,
        "short_link": f"{base.rstrip('/')}/p/{passport.slug}",
        "published_at": passport.published_at.isoformat(),
        "computed_at": passport.refreshed_at.isoformat(),
    }
