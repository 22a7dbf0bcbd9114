"""Reads of the regional brand's licences with their permissions (decision 0021): verification
and the list of licensed members are public; terms and history are for the licensee, the
association and the office of the cluster; a licence another firm holds is a 404 to a firm, as
if it did not exist (its public face is on the verification page anyway)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.brand import codes, permissions
from clusterbrain.brand.models import BrandLicence, LicenceStatus
from clusterbrain.errors import Forbidden, NotFound
from clusterbrain.registry.models import Brand, Cluster, Enterprise
from clusterbrain.registry.selectors import as_id

# What a verifier is told, in order of the checks.
OUTCOMES = (
    "malformed",
    "mistyped",
    "unknown",
    "revoked",
    "suspended",
    "expired",
    "not_yet_valid",
    "valid",
)


@dataclass(frozen=True)
class Verification:
    """The public answer for a code: only what the licence shows to anyone."""

    code: str
    outcome: str
    licence: BrandLicence | None = None
    checked_on: datetime.date = field(default_factory=timezone.localdate)

    @property
    def is_valid(self) -> bool:
        return self.outcome == "valid"

    @property
    def message(self) -> str:
        return outcome_message(self.outcome)


def outcome_message(outcome: str) -> str:
    return {
        "malformed": _(
            "This is not a licence code. A code looks like SL-2026-7K3QM-9XD4P-T: letters, "
            "the year, ten symbols and a check symbol."
        ),
        "mistyped": _(
            "This code has a typing error: its check symbol does not match. Compare it with the "
            "label symbol by symbol (0 and O, 1 and I are read alike)."
        ),
        "unknown": _(
            "No licence has this code. The code is well formed, but it was never issued: the "
            "product may not be licensed to carry the regional brand."
        ),
        "revoked": _("This licence was revoked: the firm may no longer use the brand."),
        "suspended": _("This licence is suspended: the firm may not use the brand for now."),
        "expired": _("This licence has expired."),
        "not_yet_valid": _("This licence is not valid yet."),
        "valid": _("Valid licence: the firm may use the regional brand as shown."),
    }[outcome]


def verify(raw_code: str) -> Verification:
    parsed = codes.parse_code(raw_code)
    if not parsed.shape_ok:
        return Verification(parsed.code, "malformed")
    if not parsed.check_ok:
        return Verification(parsed.code, "mistyped")
    licence = (
        BrandLicence.objects.select_related("brand__cluster", "licensee")
        .filter(code=parsed.code)
        .first()
    )
    if licence is None:
        return Verification(parsed.code, "unknown")
    return Verification(parsed.code, licence.standing(), licence)


def regional_brands(cluster: Cluster) -> QuerySet[Brand]:
    """The cluster's regional brands with how many licences are valid today."""
    today = timezone.localdate()
    return Brand.objects.filter(cluster=cluster, is_regional=True).annotate(
        licensed=Count(
            "licences",
            filter=Q(
                licences__status=LicenceStatus.ACTIVE,
                licences__valid_from__lte=today,
                licences__valid_until__gte=today,
            ),
        )
    )


def get_regional_brand(brand_id: Any) -> Brand:
    pk = as_id(brand_id)
    brand = (
        Brand.objects.select_related("cluster").filter(pk=pk, is_regional=True).first()
        if pk
        else None
    )
    if brand is None:
        raise NotFound(_("No such regional brand."))
    return brand


def licensed_members(brand: Brand) -> QuerySet[BrandLicence]:
    """Who holds a licence valid today: public (a licence is meant to be shown)."""
    today = timezone.localdate()
    return (
        BrandLicence.objects.select_related("licensee")
        .filter(
            brand=brand,
            status=LicenceStatus.ACTIVE,
            valid_from__lte=today,
            valid_until__gte=today,
        )
        .order_by("licensee__name_zh", "code")
    )


def register(user: Any, cluster: Cluster) -> QuerySet[BrandLicence]:
    """Every licence of the cluster's regional brands, for the association and the office."""
    if not permissions.can_view_register(user, cluster):
        raise Forbidden(_("Only the association and the office of the cluster see its register."))
    return (
        BrandLicence.objects.select_related("brand", "licensee")
        .filter(brand__cluster=cluster)
        .order_by("licensee__name_zh", "-valid_until")
    )


def firm_licences(user: Any, firm: Enterprise) -> QuerySet[BrandLicence]:
    """A firm's own licences (all statuses), for the firm and the register's readers."""
    if permissions.firm_of(user) != firm.pk and not permissions.can_view_register(
        user, firm.cluster
    ):
        raise NotFound(_("No such enterprise."))
    return (
        BrandLicence.objects.select_related("brand")
        .filter(licensee=firm)
        .order_by("-valid_until", "code")
    )


def get_licence(user: Any, licence_id: Any) -> BrandLicence:
    pk = as_id(licence_id)
    licence = (
        BrandLicence.objects.select_related("brand__cluster", "licensee").filter(pk=pk).first()
        if pk
        else None
    )
    if licence is None or not permissions.can_view_licence(user, licence):
        raise NotFound(_("No such licence."))
    return licence


def member_choices(cluster: Cluster) -> QuerySet[Enterprise]:
    """The firms a licence may go to: members of the association in the cluster."""
    return Enterprise.objects.filter(cluster=cluster, is_member=True).order_by("name_zh")
