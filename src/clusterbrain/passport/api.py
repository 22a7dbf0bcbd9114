"""Product passports and EUDR data in the JSON API under /api/v1/.

- `GET /api/v1/passports/{slug}`: a published passport, public (no login), the documented
  schema `PassportOut` (the page's `?format=json` answers the same document);
- `GET /api/v1/eudr/lots/{lot_id}` and `…/geojson`: the due-diligence statement of a leather lot
  and its origin plots as GeoJSON, for the lot's owner firm and its cluster office; a lot that
  cannot have one is a 422 with every problem at its field (`loc`, e.g. `["plots", …]`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from clusterbrain.accounts.auth import READ_AUTH, WRITE_AUTH
from clusterbrain.passport import eudr, selectors
from clusterbrain.registry.api import ERRORS, READ_ERRORS
from clusterbrain.trace import selectors as trace_selectors

router = Router(tags=["passports"])


class FirmName(Schema):
    name_zh: str
    name_en: str


class ProductName(Schema):
    material: str
    name_zh: str
    name_en: str


class ProductOut(Schema):
    gtin: str
    lot: str | None
    serial: str | None
    name_zh: str
    name_en: str
    material: str
    unit: str  # UN/CEFACT code of what one unit is (H87 piece, MTK m², KGM kg)


class MaterialShare(ProductName):
    share_pct: float  # percent of the product's content


class CountryShare(Schema):
    country: str
    share_pct: float


class OriginItem(Schema):
    country: str | None
    share_pct: float
    region: str | None = None  # with level region or farm
    farm: str | None = None  # with level farm


class OriginsOut(Schema):
    level: str  # country | region | farm | none (what the firm chose to show)
    countries: list[CountryShare]
    unknown_country_pct: float | None
    items: list[OriginItem]


class StepOut(Schema):
    product: ProductName
    firm: FirmName | None  # None: an origin, or the firm chose not to name processors
    origin: bool
    # first and last day the product of this step was made for this chain (ISO dates)
    from_: str = Field(alias="from")
    to: str


class FlagShare(Schema):
    share_pct: float  # part of the product with the quality
    unknown_pct: float  # part nobody stated it for (neither yes nor no)


class CertificateOut(Schema):
    kind: str  # registry certification kind (lwg_gold, chrome_free, iso14001 …)
    issuer: str
    valid_until: str | None


class FirmCertificates(Schema):
    firm: FirmName
    certificates: list[CertificateOut]


class CarbonGrade(Schema):
    year: int
    grade: int  # 1 (best) … 5, the firm's published carbon-efficiency grade


class CertificatesOut(Schema):
    # deforestation_free, chrome_free, lwg_rated; only those someone up the chain stated
    shares: dict[str, FlagShare]
    firms: list[FirmCertificates]
    carbon_grade: CarbonGrade | None


class FootprintOut(Schema):
    per_unit: str  # the product's unit the figures are per
    basis: str  # cradle_to_gate_declared: each firm's declared process figures, carried by yield
    water_m3: float | None
    energy_kwh: float | None
    co2e_kg: float | None


class PassportOut(Schema):
    schema_: str = Field(alias="schema")  # https://clusterbrain.org/schemas/passport/1
    slug: str
    digital_link: str
    short_link: str
    published_at: str
    computed_at: str
    product: ProductOut
    publisher: FirmName
    materials: list[MaterialShare]
    origin_materials: list[MaterialShare]
    origins: OriginsOut
    steps: list[StepOut]
    certificates: CertificatesOut | None
    footprint: FootprintOut | None


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def export_document(passport: Any, base: str) -> dict[str, Any]:
    """The JSON export, shaped by `PassportOut` (the page's `?format=json` and the API)."""
    document = selectors.public_json(passport, base)
    return PassportOut.model_validate(document).model_dump(by_alias=True, mode="json")


def passport_document(request: HttpRequest, slug: str) -> dict[str, Any]:
    return export_document(selectors.public_by_slug(slug), base_url(request))


@router.get(
    "/passports/{slug}",
    response={200: PassportOut, **READ_ERRORS},
    auth=READ_AUTH,
    by_alias=True,
)
def get_passport(request: HttpRequest, slug: str) -> dict[str, Any]:
    """A published passport (anyone); a withdrawn or unknown one is 404."""
    return passport_document(request, slug)


@router.get("/eudr/lots/{lot_id}", response={200: dict[str, Any], **ERRORS}, auth=WRITE_AUTH)
def eudr_statement(request: HttpRequest, lot_id: int) -> dict[str, Any]:
    """The lot's EUDR due-diligence statement (TRACES fields, geolocation as GeoJSON)."""
    lot = trace_selectors.get_lot(request.auth, lot_id)  # type: ignore[attr-defined]
    return eudr.eudr_export(request.auth, lot).statement  # type: ignore[attr-defined]


@router.get(
    "/eudr/lots/{lot_id}/geojson", response={200: dict[str, Any], **ERRORS}, auth=WRITE_AUTH
)
def eudr_geojson(request: HttpRequest, lot_id: int) -> dict[str, Any]:
    """The origin plots of the lot's statement as a GeoJSON FeatureCollection."""
    lot = trace_selectors.get_lot(request.auth, lot_id)  # type: ignore[attr-defined]
    return eudr.eudr_export(request.auth, lot).geojson  # type: ignore[attr-defined]
