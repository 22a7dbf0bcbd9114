"""The registry's JSON API under /api/v1/: parse, call a selector or service, return a schema.

Reads are public (aggregates and public profiles; confidential blocks only for users allowed to
see them); writes need a session (with CSRF) or a bearer token, else 401. Errors come back as
`{"detail": …, "errors": [{"loc": […], "msg": …}]}` (handlers in `clusterbrain.api`).
"""

from __future__ import annotations

import os
from enum import Enum
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from clusterbrain.accounts.auth import READ_AUTH, WRITE_AUTH
from clusterbrain.registry import schemas, selectors, services
from clusterbrain.registry.models import Certification, Enterprise

router = Router(tags=["registry"])


class ErrorItem(Schema):
    loc: list[str | int]
    msg: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}
READ_ERRORS = {404: ErrorOut, 422: ErrorOut}

Location = Enum("Location", {name: name for name in selectors.LOCATIONS}, type=str)  # type: ignore[misc]
CertificationKind = Enum(  # type: ignore[misc]
    "CertificationKind", {v: v for v in Certification.Kind.values}, type=str
)
SizeClass = Enum("SizeClass", {v: v for v in Enterprise.SizeClass.values}, type=str)  # type: ignore[misc]


class DirectoryQuery(Schema):
    q: str = Field("", description="Name (zh/en), USCC, main products or address")
    link: str = Field("", description="Chain link code")
    certification: CertificationKind | None = Field(None, description="Valid certificate kind")
    size_class: SizeClass | None = None
    min_capacity: float | None = Field(
        None, ge=0, allow_inf_nan=False, description="Monthly capacity (of `link`)"
    )
    location: Location | None = Field(
        None,
        description="in: in the cluster; out: registered outside; outside_facility: "
        "has a site outside the cluster",
    )
    above_size: bool | None = None
    member: bool | None = None
    leading: bool | None = None
    order: str = Field(
        "",
        description="'' (in-cluster firms first, then by name), name, founded (oldest first), "
        "capacity (largest monthly capacity in `link` first; needs `link`)",
    )
    page: int = Field(1, ge=1)
    per_page: int = Field(25, ge=1, le=selectors.DIRECTORY_MAX_PER_PAGE)

    def filters(self) -> selectors.DirectoryFilters:
        return selectors.DirectoryFilters(
            q=self.q,
            link=self.link,
            certification=self.certification.value if self.certification else "",
            size_class=self.size_class.value if self.size_class else "",
            min_capacity=self.min_capacity,
            location=self.location.value if self.location else "",
            above_size=self.above_size,
            member=self.member,
            leading=self.leading,
            order=self.order,
        )


class LinkPageQuery(Schema):
    page: int = Field(1, ge=1)
    per_page: int = Field(50, ge=1, le=selectors.LINK_MAX_PER_PAGE)


class LeadingFirmRate(schemas.EnterpriseRef):
    rate: float | None


class LocalisationOut(Schema):
    year: int
    rate: float | None
    local_value: float | None
    total_value: float | None
    by_year: list[tuple[int, float | None]]
    suppressed: bool = Field(
        False, description="This year's figures are withheld: too few leading buyers or suppliers."
    )
    suppressed_years: list[int] = Field(
        default_factory=list, description="Years of by_year whose rate is withheld (null)."
    )
    suppression_note: str = ""
    per_leading_firm: list[LeadingFirmRate] | None = Field(
        default=None, description="Only for the cluster office and admins."
    )


def _year_query() -> Any:
    return Query(
        None,
        ge=selectors.FIRST_YEAR,
        le=selectors.LAST_YEAR,
        description="Calendar year (default: the latest with figures)",
    )


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- reads -----------------------------------------------------------------------------------


@router.get("/clusters", response=list[schemas.ClusterOut], auth=READ_AUTH)
def list_clusters(request: HttpRequest) -> list[dict[str, Any]]:
    return [schemas.cluster_out(cluster) for cluster in selectors.clusters()]


@router.get(
    "/clusters/{slug}", response={200: schemas.ClusterDetailOut, **READ_ERRORS}, auth=READ_AUTH
)
def get_cluster(request: HttpRequest, slug: str) -> dict[str, Any]:
    return schemas.cluster_out(selectors.get_cluster(slug), detail=True)


@router.get(
    "/clusters/{slug}/summary", response={200: schemas.SummaryOut, **READ_ERRORS}, auth=READ_AUTH
)
def cluster_summary(
    request: HttpRequest,
    slug: str,
    year: int | None = _year_query(),
) -> dict[str, Any]:
    """Public aggregates. Output value and localisation are withheld (null, with a
    `*_suppressed` flag) when fewer than `min_firms` firms are behind them, except for the
    cluster's office and admins."""
    cluster = selectors.get_cluster(slug)
    user = _user(request)
    return schemas.summary_out(
        selectors.cluster_summary(cluster, user, year=year),
        selectors.output_value_series(cluster, user),
    )


@router.get(
    "/clusters/{slug}/chain", response={200: schemas.ChainOut, **READ_ERRORS}, auth=READ_AUTH
)
def cluster_chain(request: HttpRequest, slug: str) -> dict[str, Any]:
    return schemas.chain_out(selectors.chain_graph(selectors.get_cluster(slug)))


@router.get(
    "/clusters/{slug}/chain/{link_code}",
    response={200: schemas.LinkDetailOut, **READ_ERRORS},
    auth=READ_AUTH,
)
def chain_link(
    request: HttpRequest, slug: str, link_code: str, paging: Query[LinkPageQuery]
) -> dict[str, Any]:
    cluster = selectors.get_cluster(slug)
    detail = selectors.link_detail(
        cluster, link_code, _user(request), page=paging.page, per_page=paging.per_page
    )
    return schemas.link_detail_out(detail)


@router.get(
    "/clusters/{slug}/enterprises",
    response={200: schemas.DirectoryOut, **READ_ERRORS},
    auth=READ_AUTH,
)
def enterprise_directory(
    request: HttpRequest, slug: str, filters: Query[DirectoryQuery]
) -> dict[str, Any]:
    cluster = selectors.get_cluster(slug)
    page = selectors.enterprise_directory(
        cluster, _user(request), filters.filters(), page=filters.page, per_page=filters.per_page
    )
    return schemas.directory_out(page)


@router.get(
    "/clusters/{slug}/localisation",
    response={200: LocalisationOut, **READ_ERRORS},
    auth=READ_AUTH,
    exclude_unset=True,
)
def cluster_localisation(
    request: HttpRequest,
    slug: str,
    year: int | None = _year_query(),
) -> dict[str, Any]:
    cluster = selectors.get_cluster(slug)
    figures = selectors.localisation(cluster, _user(request), year=year)
    data: dict[str, Any] = {
        "year": figures.year,
        "rate": figures.rate,
        "local_value": figures.local_value,
        "total_value": figures.total_value,
        "by_year": figures.by_year,
        "suppressed": figures.suppressed,
        "suppressed_years": figures.suppressed_years,
        "suppression_note": figures.suppression_note,
    }
    if figures.can_view_enterprise_statistics:
        data["per_leading_firm"] = [
            {**schemas.enterprise_ref(firm), "rate": rate}
            for firm, rate in figures.per_leading_firm
        ]
    return data


@router.get(
    "/enterprises/{enterprise_id}",
    response={200: schemas.EnterpriseOut, **READ_ERRORS},
    auth=READ_AUTH,
    exclude_unset=True,
)
def get_enterprise(request: HttpRequest, enterprise_id: int) -> dict[str, Any]:
    return schemas.enterprise_out(selectors.enterprise_profile(enterprise_id, _user(request)))


@router.get(
    "/enterprises/{enterprise_id}/years",
    response={200: list[schemas.YearOut], **ERRORS},
    auth=WRITE_AUTH,
)
def enterprise_years(request: HttpRequest, enterprise_id: int) -> list[dict[str, Any]]:
    enterprise = selectors.get_enterprise(enterprise_id)
    return [schemas.year_out(y) for y in selectors.enterprise_years(enterprise, _user(request))]


# --- writes ----------------------------------------------------------------------------------


def _profile(request: HttpRequest, enterprise_id: int) -> dict[str, Any]:
    return schemas.enterprise_out(selectors.enterprise_profile(enterprise_id, _user(request)))


@router.post(
    "/clusters/{slug}/enterprises",
    response={201: schemas.EnterpriseOut, **ERRORS},
    auth=WRITE_AUTH,
    exclude_unset=True,
)
def create_enterprise(
    request: HttpRequest, slug: str, payload: schemas.EnterpriseCreateIn
) -> Status[dict[str, Any]]:
    cluster = selectors.get_cluster(slug)
    enterprise = services.create_enterprise(
        _user(request), cluster, payload.model_dump(exclude_unset=True)
    )
    return Status(201, _profile(request, enterprise.pk))


@router.patch(
    "/enterprises/{enterprise_id}",
    response={200: schemas.EnterpriseOut, **ERRORS},
    auth=WRITE_AUTH,
    exclude_unset=True,
)
def update_enterprise(
    request: HttpRequest, enterprise_id: int, payload: schemas.EnterprisePatchIn
) -> dict[str, Any]:
    enterprise = selectors.get_enterprise(enterprise_id)
    services.update_enterprise(_user(request), enterprise, payload.model_dump(exclude_unset=True))
    return _profile(request, enterprise.pk)


@router.put(
    "/enterprises/{enterprise_id}/roles",
    response={200: schemas.RoleOut, **ERRORS},
    auth=WRITE_AUTH,
)
def set_role(request: HttpRequest, enterprise_id: int, payload: schemas.RoleIn) -> dict[str, Any]:
    """Set the firm's role in a link for a product category (created, or its figures replaced)."""
    enterprise = selectors.get_enterprise(enterprise_id)
    role = services.set_role(
        _user(request),
        enterprise,
        link_code=payload.link_code,
        product_category=payload.product_category,
        capacity_per_month=payload.capacity_per_month,
        output_per_month=payload.output_per_month,
    )
    return schemas.role_out(role)


@router.delete(
    "/enterprises/{enterprise_id}/roles/{role_id}", response={204: None, **ERRORS}, auth=WRITE_AUTH
)
def remove_role(request: HttpRequest, enterprise_id: int, role_id: int) -> Status[None]:
    enterprise = selectors.get_enterprise(enterprise_id)
    services.remove_role(_user(request), enterprise, role_id)
    return Status(204, None)


@router.post(
    "/enterprises/{enterprise_id}/facilities",
    response={201: schemas.FacilityOut, **ERRORS},
    auth=WRITE_AUTH,
)
def add_facility(
    request: HttpRequest, enterprise_id: int, payload: schemas.FacilityIn
) -> Status[dict[str, Any]]:
    enterprise = selectors.get_enterprise(enterprise_id)
    facility = services.add_facility(_user(request), enterprise, payload.model_dump())
    return Status(201, schemas.facility_out(facility))


@router.post(
    "/enterprises/{enterprise_id}/certifications",
    response={201: schemas.CertificationOut, **ERRORS},
    auth=WRITE_AUTH,
)
def add_certification(
    request: HttpRequest,
    enterprise_id: int,
    payload: Form[schemas.CertificationIn],
    evidence: UploadedFile | None = File(None),  # noqa: B008 - ninja's parameter marker
) -> Status[dict[str, Any]]:
    """multipart/form-data (or form-encoded without a file): the certificate's fields and an
    optional evidence file (PDF, JPEG or PNG, size limited by EVIDENCE_MAX_BYTES); a JSON body
    is refused with 415. A certificate the firm adds counts in no public figure until the
    association verifies it; one added by the association or an admin is verified."""
    enterprise = selectors.get_enterprise(enterprise_id)
    certification = services.add_certification(
        _user(request), enterprise, payload.model_dump(), evidence=evidence
    )
    return Status(201, schemas.certification_out(certification))


@router.delete(
    "/enterprises/{enterprise_id}/certifications/{certification_id}",
    response={204: None, **ERRORS},
    auth=WRITE_AUTH,
)
def remove_certification(
    request: HttpRequest, enterprise_id: int, certification_id: int
) -> Status[None]:
    """The firm itself, association staff of its cluster, admins; the evidence file goes too."""
    enterprise = selectors.get_enterprise(enterprise_id)
    services.remove_certification(_user(request), enterprise, certification_id)
    return Status(204, None)


@router.post(
    "/certifications/{certification_id}/verify",
    response={200: schemas.CertificationOut, **ERRORS},
    auth=WRITE_AUTH,
)
def verify_certification(request: HttpRequest, certification_id: int) -> dict[str, Any]:
    """Association staff of the firm's cluster, admins: the certificate counts from now on."""
    certification = selectors.get_certification(certification_id)
    return schemas.certification_out(services.verify_certification(_user(request), certification))


@router.get(
    "/certifications/{certification_id}/evidence",
    response={200: None, **READ_ERRORS},
    auth=READ_AUTH,
    openapi_extra={
        "responses": {
            200: {
                "description": "The evidence file (PDF, JPEG or PNG), as an attachment.",
                "content": {
                    "application/pdf": {},
                    "image/jpeg": {},
                    "image/png": {},
                },
            }
        }
    },
)
def certification_evidence(request: HttpRequest, certification_id: int) -> FileResponse:
    """The firm itself, the association and the office of its cluster, admins; 404 for
    everyone else (media files are not served publicly)."""
    certification = selectors.certification_evidence(certification_id, _user(request))
    evidence = certification.evidence
    response = FileResponse(
        evidence.open("rb"), as_attachment=True, filename=os.path.basename(evidence.name or "")
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.put(
    "/enterprises/{enterprise_id}/years/{year}",
    response={200: schemas.YearOut, **ERRORS},
    auth=WRITE_AUTH,
)
def record_year(
    request: HttpRequest, enterprise_id: int, year: int, payload: schemas.YearIn
) -> dict[str, Any]:
    """Replace the firm's figures of one year (a figure left out is unknown)."""
    enterprise = selectors.get_enterprise(enterprise_id)
    record = services.record_year(_user(request), enterprise, year, payload.model_dump())
    return schemas.year_out(record)
