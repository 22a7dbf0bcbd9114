"""The regional brand in the JSON API under /api/v1/ (decision 0021). Verification and the list
of licensed members are public (no login); the register, terms and history need a session (with
CSRF) or a bearer token; writes are the association's of the cluster (403 for others); another
firm's licence is a 404. Errors: `{"detail": …, "errors": [{"loc": […], "msg": …}]}`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from clusterbrain.accounts.auth import READ_AUTH, WRITE_AUTH
from clusterbrain.brand import selectors, services
from clusterbrain.brand.models import BrandLicence
from clusterbrain.errors import InvalidInput
from clusterbrain.paging import Paging, paged
from clusterbrain.programs.schemas import StrictIn
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry.api import ERRORS, READ_ERRORS
from clusterbrain.registry.models import Enterprise
from clusterbrain.registry.selectors import as_id

router = Router(tags=["brand"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class PublicLicenceOut(Schema):
    code: str
    brand: int
    brand_name: str
    licensee: int
    licensee_name: str
    products: list[str]
    countries: list[str]
    valid_from: datetime.date
    valid_until: datetime.date
    standing: str = Field(description="valid, not_yet_valid, expired, suspended or revoked")


class EventOut(Schema):
    action: str
    at: datetime.datetime
    reason: str
    valid_until: datetime.date | None


class LicenceOut(PublicLicenceOut):
    id: int
    status: str
    status_reason: str
    terms: str
    events: list[EventOut]
    verify_url: str


def public_out(licence: BrandLicence) -> dict[str, Any]:
    return {
        "code": licence.code,
        "brand": licence.brand_id,
        "brand_name": licence.brand.name,
        "licensee": licence.licensee_id,
        "licensee_name": licence.licensee.name,
        "products": list(licence.products),
        "countries": list(licence.countries),
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "standing": licence.standing(),
    }


def licence_out(request: HttpRequest, licence: BrandLicence) -> dict[str, Any]:
    return {
        **public_out(licence),
        "id": licence.pk,
        "status": licence.status,
        "status_reason": licence.status_reason,
        "terms": licence.terms,
        "events": [
            {"action": e.action, "at": e.at, "reason": e.reason, "valid_until": e.valid_until}
            for e in licence.events.all()
        ],
        "verify_url": request.build_absolute_uri(reverse("brand-verify-code", args=[licence.code])),
    }


class VerificationOut(Schema):
    code: str = Field(description="The code as read (canonical spelling when well formed)")
    outcome: str = Field(description=", ".join(selectors.OUTCOMES))
    message: str
    licence: PublicLicenceOut | None


@router.get("/brand/verify/{code}", response={200: VerificationOut, **READ_ERRORS}, auth=READ_AUTH)
def verify(request: HttpRequest, code: str) -> dict[str, Any]:
    """Anyone may verify a licence code: the outcome and the licence's public face only."""
    v = selectors.verify(code)
    return {
        "code": v.code,
        "outcome": v.outcome,
        "message": v.message,
        "licence": public_out(v.licence) if v.licence is not None else None,
    }


class BrandOut(Schema):
    id: int
    name: str
    name_zh: str
    name_en: str
    trademark_number: str
    countries_registered: list[str]
    licensed_members: int


@router.get(
    "/clusters/{slug}/brand/brands", response={200: list[BrandOut], **READ_ERRORS}, auth=READ_AUTH
)
def brands(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    cluster = registry_selectors.get_cluster(slug)
    return [
        {
            "id": b.pk,
            "name": b.name,
            "name_zh": b.name_zh,
            "name_en": b.name_en,
            "trademark_number": b.trademark_number,
            "countries_registered": list(b.countries_registered or ()),
            "licensed_members": b.licensed,  # type: ignore[attr-defined]
        }
        for b in selectors.regional_brands(cluster)
    ]


@router.get(
    "/brand/brands/{brand_id}/licensees",
    response={200: list[PublicLicenceOut], **READ_ERRORS},
    auth=READ_AUTH,
)
def licensees(
    request: HttpRequest, response: HttpResponse, brand_id: int, paging: Query[Paging]
) -> list[dict[str, Any]]:
    """The members licensed today: public; a page at a time (`X-Total-Count`, `Link`)."""
    brand = selectors.get_regional_brand(brand_id)
    return paged(request, response, selectors.licensed_members(brand), paging, public_out)


@router.get(
    "/clusters/{slug}/brand/licences", response={200: list[LicenceOut], **ERRORS}, auth=WRITE_AUTH
)
def register(
    request: HttpRequest, response: HttpResponse, slug: str, paging: Query[Paging]
) -> list[dict[str, Any]]:
    """Every licence of the cluster: the association and the office (403 for others); a page
    at a time."""
    cluster = registry_selectors.get_cluster(slug)
    rows = selectors.register(_user(request), cluster).prefetch_related("events")
    return paged(request, response, rows, paging, lambda lic: licence_out(request, lic))


class GrantIn(StrictIn):
    brand: int
    licensee: int
    products: list[str]
    countries: list[str]
    valid_from: datetime.date
    valid_until: datetime.date
    terms: str = Field("", max_length=5000)


@router.post(
    "/clusters/{slug}/brand/licences", response={201: LicenceOut, **ERRORS}, auth=WRITE_AUTH
)
def grant(request: HttpRequest, slug: str, payload: GrantIn) -> Status[dict[str, Any]]:
    """Grant a licence; a country the brand is not registered in is refused at its index."""
    user = _user(request)
    cluster = registry_selectors.get_cluster(slug)
    brand = selectors.get_regional_brand(payload.brand)
    if brand.cluster_id != cluster.pk:
        raise InvalidInput.field("brand", _("This brand is not of this cluster."))
    licensee = Enterprise.objects.filter(pk=as_id(payload.licensee) or 0).first()
    if licensee is None:
        raise InvalidInput.field("licensee", _("No such enterprise."))
    licence = services.grant_licence(
        user,
        brand,
        licensee=licensee,
        products=payload.products,
        countries=payload.countries,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        terms=payload.terms,
    )
    return Status(201, licence_out(request, licence))


@router.get("/brand/licences/{licence_id}", response={200: LicenceOut, **ERRORS}, auth=WRITE_AUTH)
def licence(request: HttpRequest, licence_id: int) -> dict[str, Any]:
    return licence_out(request, selectors.get_licence(_user(request), licence_id))


@router.get(
    "/enterprises/{enterprise_id}/brand/licences",
    response={200: list[LicenceOut], **ERRORS},
    auth=WRITE_AUTH,
)
def firm_licences(request: HttpRequest, enterprise_id: int) -> list[dict[str, Any]]:
    """A firm's own licences: the firm, the association and the office (404 for others)."""
    firm = registry_selectors.get_enterprise(enterprise_id)
    rows = selectors.firm_licences(_user(request), firm).prefetch_related("events")
    return [licence_out(request, lic) for lic in rows]


class ReasonIn(StrictIn):
    reason: str = Field("", max_length=300)


class RenewIn(StrictIn):
    valid_until: datetime.date
    reason: str = Field("", max_length=300)


def _managed(request: HttpRequest, licence_id: int) -> BrandLicence:
    """The licence as its reader sees it: a firm's write on another firm's licence is a 404."""
    return selectors.get_licence(_user(request), licence_id)


@router.post(
    "/brand/licences/{licence_id}/suspend", response={200: LicenceOut, **ERRORS}, auth=WRITE_AUTH
)
def suspend(request: HttpRequest, licence_id: int, payload: ReasonIn) -> dict[str, Any]:
    lic = services.suspend_licence(
        _user(request), _managed(request, licence_id), reason=payload.reason
    )
    return licence_out(request, lic)


@router.post(
    "/brand/licences/{licence_id}/reinstate",
    response={200: LicenceOut, **ERRORS},
    auth=WRITE_AUTH,
)
def reinstate(request: HttpRequest, licence_id: int, payload: ReasonIn) -> dict[str, Any]:
    lic = services.reinstate_licence(
        _user(request), _managed(request, licence_id), reason=payload.reason
    )
    return licence_out(request, lic)


@router.post(
    "/brand/licences/{licence_id}/revoke", response={200: LicenceOut, **ERRORS}, auth=WRITE_AUTH
)
def revoke(request: HttpRequest, licence_id: int, payload: ReasonIn) -> dict[str, Any]:
    lic = services.revoke_licence(
        _user(request), _managed(request, licence_id), reason=payload.reason
    )
    return licence_out(request, lic)


@router.post(
    "/brand/licences/{licence_id}/renew", response={200: LicenceOut, **ERRORS}, auth=WRITE_AUTH
)
def renew(request: HttpRequest, licence_id: int, payload: RenewIn) -> dict[str, Any]:
    lic = services.renew_licence(
        _user(request),
        _managed(request, licence_id),
        valid_until=payload.valid_until,
        reason=payload.reason,
    )
    return licence_out(request, lic)
