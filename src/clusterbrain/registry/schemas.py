"""The registry API's JSON shapes, and the functions that fill them from selector results.

Names come in both languages (`name_zh`, `name_en`) plus `name` in the language of the request
(Accept-Language, via `bilingual.pick`). Confidential blocks are filled only from what the
selectors returned, and the selectors return them only to users allowed to see them.
"""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from clusterbrain.bilingual import pick
from clusterbrain.chains.models import ChainLink
from clusterbrain.engines.chain import ChainReport, Explanation, LinkReport
from clusterbrain.registry import selectors
from clusterbrain.registry.models import (
    Brand,
    Certification,
    Cluster,
    Enterprise,
    EnterpriseRole,
    EnterpriseYear,
    Facility,
)

# --- output ----------------------------------------------------------------------------------


class Bilingual(Schema):
    name: str
    name_zh: str
    name_en: str


class ClusterOut(Bilingual):
    slug: str
    place: str
    place_zh: str
    place_en: str
    industry: str
    industry_zh: str
    industry_en: str
    admin_division_codes: list[str]
    chain_template: str
    latitude: float | None
    longitude: float | None
    is_demo: bool


class ClusterDetailOut(ClusterOut):
    description: str
    description_zh: str
    description_en: str


class BrandOut(Bilingual):
    id: int
    enterprise_id: int | None
    is_regional: bool
    status: str
    trademark_number: str
    countries_registered: list[str]
    value_yuan: float | None


class KPIOut(Schema):
    indicator: str
    label: str
    actual: float | None
    target: float | None
    target_year: int | None
    progress: float | None
    unit: str
    source: str = Field(
        description='"registry" (counted from the data), "green_records" (measured from the '
        'firms\' green production records, in `actual_year`) or "reported"'
    )
    actual_year: int | None = None
    reported: float | None
    reported_year: int | None
    reported_source: str
    suppressed: bool = Field(
        False,
        description="The registry's figure is withheld (too few firms behind it); `actual` is "
        "the reported figure, if any.",
    )


class YearFigureOut(Schema):
    year: int
    value: float | None
    suppressed: bool = False


class SummaryOut(Schema):
    cluster: str
    year: int
    enterprises: int
    in_cluster: int
    outside: int
    members: int
    leading: int
    above_size: int
    by_size_class: dict[str, int]
    certifications: dict[str, int]
    green_factories: int
    brands: dict[str, int]
    regional_brand: BrandOut | None
    chain_completeness: float
    gap_links: list[str]
    concentrated_links: list[str]
    localisation_rate: float | None
    localisation_year: int | None
    output_value: float | None
    kpis: list[KPIOut]
    is_demo: bool
    output_value_suppressed: bool = Field(
        False,
        description="output_value is withheld: fewer than `min_firms` firms reported one.",
    )
    localisation_suppressed: bool = Field(
        False,
        description="localisation_rate is withheld: too few leading buyers or suppliers.",
    )
    suppression_note: str = Field("", description="Why figures are withheld, for people.")
    min_firms: int = Field(
        0, description="The fewest firms a public aggregate of confidential figures rests on."
    )
    output_value_by_year: list[YearFigureOut] = Field(
        default_factory=list,
        description="In-cluster output value per year; withheld years have value null.",
    )


class ExplanationOut(Schema):
    formula: str
    inputs: dict[str, float]
    firm_ids: list[int]
    counted: int


class LinkRef(Bilingual):
    code: str


class LinkReportOut(LinkRef):
    kind: str
    core: bool
    stage: int
    unit: str
    firms: int
    firms_outside: int
    capacity: float
    output: float
    demand: float | None
    coverage: float | None
    hhi: float | None
    is_gap: bool
    gap_reasons: list[str]
    is_concentrated: bool
    explanation: ExplanationOut


class EdgeOut(Schema):
    upstream: str
    downstream: str
    input_coefficient: float | None


class ChainOut(Schema):
    cluster: str
    template: str
    completeness: float
    core_links: int
    gap_links: list[str]
    concentrated_links: list[str]
    links: list[LinkReportOut]
    edges: list[EdgeOut]
    explanation: ExplanationOut


class EnterpriseRef(Bilingual):
    id: int
    uscc: str | None
    in_cluster: bool


class LinkFirmOut(Schema):
    enterprise: EnterpriseRef
    capacity: float
    output: float
    share: float


class LinkDetailOut(Schema):
    cluster: str
    link: LinkReportOut
    upstream: list[LinkRef]
    downstream: list[LinkRef]
    firms: list[LinkFirmOut]
    total: int
    page: int
    per_page: int
    pages: int


class DirectoryItemOut(EnterpriseRef):
    size_class: str
    above_designated_size: bool
    is_member: bool
    is_leading: bool
    main_products: str
    links: list[LinkRef]
    capacity: float
    certifications: list[str]


class DirectoryOut(Schema):
    items: list[DirectoryItemOut]
    total: int
    page: int
    per_page: int
    pages: int


class RoleOut(Schema):
    id: int
    link: LinkRef
    product_category: str
    capacity_per_month: float
    output_per_month: float
    unit: str


class FacilityOut(Bilingual):
    id: int
    kind: str
    address: str
    address_zh: str
    address_en: str
    admin_division: str
    latitude: float | None
    longitude: float | None
    in_cluster: bool


class CertificationOut(Schema):
    id: int
    kind: str
    label: str
    issuer: str
    number: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    valid: bool
    verified: bool = Field(
        False,
        description="Checked by the association or an admin; only verified, valid "
        "certificates count in the cluster's figures.",
    )
    verified_at: datetime.datetime | None = None
    has_evidence: bool


class YearOut(Schema):
    year: int
    revenue: float | None
    output_value: float | None
    employees: int | None
    exports: float | None


class RelationOut(Bilingual):
    enterprise_id: int
    in_cluster: bool
    link: str
    link_name: str
    year: int
    value: float


class ConfidentialOut(Schema):
    years: list[YearOut]
    suppliers: list[RelationOut]
    customers: list[RelationOut]


class EnterpriseOut(EnterpriseRef):
    cluster: str
    legal_form: str
    address: str
    address_zh: str
    address_en: str
    admin_division: str
    latitude: float | None
    longitude: float | None
    size_class: str
    above_designated_size: bool
    founded_year: int | None
    is_member: bool
    is_leading: bool
    description: str
    description_zh: str
    description_en: str
    main_products: str
    main_products_zh: str
    main_products_en: str
    website: str
    is_demo: bool
    roles: list[RoleOut]
    facilities: list[FacilityOut]
    certifications: list[CertificationOut]
    brands: list[BrandOut]
    can_edit: bool
    can_view_confidential: bool
    confidential: ConfidentialOut | None = Field(
        default=None, description="Present only for users allowed to see the firm's figures."
    )


# --- input -----------------------------------------------------------------------------------


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class EnterprisePatchIn(_Input):
    """Only the keys sent change."""

    uscc: str | None = None
    name_zh: str | None = None
    name_en: str | None = None
    legal_form: str | None = None
    address_zh: str | None = None
    address_en: str | None = None
    admin_division: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    size_class: str | None = None
    founded_year: int | None = None
    description_zh: str | None = None
    description_en: str | None = None
    main_products_zh: str | None = None
    main_products_en: str | None = None
    website: str | None = None
    is_member: bool | None = None
    is_leading: bool | None = None
    in_cluster: bool | None = None
    shares_with_association: bool | None = None


class EnterpriseCreateIn(EnterprisePatchIn):
    name_zh: str  # type: ignore[assignment]


class RoleIn(_Input):
    link_code: str
    product_category: str = ""
    capacity_per_month: float
    output_per_month: float = 0.0


class FacilityIn(_Input):
    name_zh: str
    name_en: str = ""
    kind: str = Facility.Kind.PRODUCTION.value
    address_zh: str = ""
    address_en: str = ""
    admin_division: str = ""
    latitude: float | None = None
    longitude: float | None = None
    in_cluster: bool = True


class CertificationIn(Schema):
    kind: str
    issuer: str = ""
    number: str = ""
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None


class YearIn(_Input):
    """All four figures; one left out or null is unknown (PUT replaces the year)."""

    revenue: float | None = None
    output_value: float | None = None
    employees: int | None = None
    exports: float | None = None


# --- from selector results to the shapes above -----------------------------------------------


def _names(obj: Any) -> dict[str, str]:
    return {"name": pick(obj.name_zh, obj.name_en), "name_zh": obj.name_zh, "name_en": obj.name_en}


def cluster_out(cluster: Cluster, *, detail: bool = False) -> dict[str, Any]:
    data = {
        **_names(cluster),
        "slug": cluster.slug,
        "place": cluster.place,
        "place_zh": cluster.place_zh,
        "place_en": cluster.place_en,
        "industry": cluster.industry,
        "industry_zh": cluster.industry_zh,
        "industry_en": cluster.industry_en,
        "admin_division_codes": [str(code) for code in cluster.admin_division_codes or []],
        "chain_template": cluster.chain_template.slug,
        "latitude": cluster.latitude,
        "longitude": cluster.longitude,
        "is_demo": cluster.is_demo,
    }
    if detail:
        data.update(
            description=cluster.description,
            description_zh=cluster.description_zh,
            description_en=cluster.description_en,
        )
    return data


def brand_out(brand: Brand) -> dict[str, Any]:
    return {
        **_names(brand),
        "id": brand.pk,
        "enterprise_id": brand.enterprise_id,
        "is_regional": brand.is_regional,
        "status": brand.status,
        "trademark_number": brand.trademark_number,
        "countries_registered": list(brand.countries_registered or []),
        "value_yuan": brand.value_yuan,
    }


def summary_out(
    summary: selectors.ClusterSummary, output_by_year: list[selectors.YearFigure] | None = None
) -> dict[str, Any]:
    return {
        "cluster": summary.cluster.slug,
        "year": summary.year,
        "enterprises": summary.enterprises,
        "in_cluster": summary.in_cluster,
        "outside": summary.outside,
        "members": summary.members,
        "leading": summary.leading,
        "above_size": summary.above_size,
        "by_size_class": summary.by_size_class,
        "certifications": summary.certifications,
        "green_factories": summary.green_factories,
        "brands": summary.brands,
        "regional_brand": brand_out(summary.regional_brand) if summary.regional_brand else None,
        "chain_completeness": summary.chain_completeness,
        "gap_links": summary.gap_links,
        "concentrated_links": summary.concentrated_links,
        "localisation_rate": summary.localisation_rate,
        "localisation_year": summary.localisation_year,
        "output_value": summary.output_value,
        "kpis": [
            {
                "indicator": k.indicator,
                "label": k.label,
                "actual": k.actual,
                "target": k.target,
                "target_year": k.target_year,
                "progress": k.progress,
                "unit": k.unit,
                "source": k.source,
                "reported": k.reported,
                "reported_year": k.reported_year,
                "reported_source": k.reported_source,
                "suppressed": k.suppressed,
                "actual_year": k.actual_year,
            }
            for k in summary.kpis
        ],
        "is_demo": summary.is_demo,
        "output_value_suppressed": summary.output_value_suppressed,
        "localisation_suppressed": summary.localisation_suppressed,
        "suppression_note": summary.suppression_note,
        "min_firms": summary.min_firms,
        "output_value_by_year": [
            {"year": f.year, "value": f.value, "suppressed": f.suppressed}
            for f in output_by_year or []
        ],
    }


def explanation_out(explanation: Explanation) -> dict[str, Any]:
    return {
        "formula": explanation.formula,
        "inputs": dict(explanation.inputs),
        "firm_ids": list(explanation.firm_ids),
        "counted": explanation.counted,
    }


def link_ref(link: ChainLink) -> dict[str, Any]:
    return {**_names(link), "code": link.code}


def link_report_out(link: ChainLink, report: LinkReport) -> dict[str, Any]:
    return {
        **link_ref(link),
        "kind": link.kind,
        "core": report.core,
        "stage": link.stage,
        "unit": link.unit,
        "firms": report.firms,
        "firms_outside": report.firms_outside,
        "capacity": report.capacity,
        "output": report.output,
        "demand": report.demand,
        "coverage": report.coverage,
        "hhi": report.hhi,
        "is_gap": report.is_gap,
        "gap_reasons": list(report.gap_reasons),
        "is_concentrated": report.is_concentrated,
        "explanation": explanation_out(report.explanation),
    }


def chain_out(graph: selectors.ChainGraph) -> dict[str, Any]:
    report: ChainReport = graph.report
    by_code = {link.code: link for link in graph.links}
    return {
        "cluster": graph.cluster.slug,
        "template": graph.cluster.chain_template.slug,
        "completeness": report.completeness,
        "core_links": report.core_links,
        "gap_links": list(report.gap_links),
        "concentrated_links": list(report.concentrated_links),
        "links": [link_report_out(by_code[r.link], r) for r in report.links],
        "edges": [
            {
                "upstream": e.upstream.code,
                "downstream": e.downstream.code,
                "input_coefficient": e.input_coefficient,
            }
            for e in graph.edges
        ],
        "explanation": explanation_out(report.explanation),
    }


def enterprise_ref(enterprise: Enterprise) -> dict[str, Any]:
    return {
        **_names(enterprise),
        "id": enterprise.pk,
        "uscc": enterprise.uscc,
        "in_cluster": enterprise.in_cluster,
    }


def link_detail_out(detail: selectors.LinkDetail) -> dict[str, Any]:
    return {
        "cluster": detail.cluster.slug,
        "link": link_report_out(detail.link, detail.report),
        "upstream": [link_ref(link) for link in detail.upstream],
        "downstream": [link_ref(link) for link in detail.downstream],
        "firms": [
            {
                "enterprise": enterprise_ref(firm.enterprise),
                "capacity": firm.capacity,
                "output": firm.output,
                "share": firm.share,
            }
            for firm in detail.firms
        ],
        "total": detail.total_firms,
        "page": detail.page,
        "per_page": detail.per_page,
        "pages": detail.pages,
    }


def directory_out(page: selectors.DirectoryPage) -> dict[str, Any]:
    return {
        "items": [
            {
                **enterprise_ref(row.enterprise),
                "size_class": row.enterprise.size_class,
                "above_designated_size": row.enterprise.above_designated_size,
                "is_member": row.enterprise.is_member,
                "is_leading": row.enterprise.is_leading,
                "main_products": row.enterprise.main_products,
                "links": [link_ref(link) for link in row.links],
                "capacity": row.capacity,
                "certifications": row.certifications,
            }
            for row in page.rows
        ],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
    }


def role_out(role: EnterpriseRole) -> dict[str, Any]:
    return {
        "id": role.pk,
        "link": link_ref(role.link),
        "product_category": role.product_category,
        "capacity_per_month": role.capacity_per_month,
        "output_per_month": role.output_per_month,
        "unit": role.link.unit,
    }


def facility_out(facility: Facility) -> dict[str, Any]:
    return {
        **_names(facility),
        "id": facility.pk,
        "kind": facility.kind,
        "address": facility.address,
        "address_zh": facility.address_zh,
        "address_en": facility.address_en,
        "admin_division": facility.admin_division,
        "latitude": facility.latitude,
        "longitude": facility.longitude,
        "in_cluster": facility.in_cluster,
    }


def certification_out(
    certification: Certification, today: datetime.date | None = None
) -> dict[str, Any]:
    today = today or selectors._today()
    return {
        "id": certification.pk,
        "kind": certification.kind,
        "label": str(certification.get_kind_display()),
        "issuer": certification.issuer,
        "number": certification.number,
        "valid_from": certification.valid_from,
        "valid_until": certification.valid_until,
        "valid": certification.valid_until is None or certification.valid_until >= today,
        "verified": certification.verified,
        "verified_at": certification.verified_at,
        "has_evidence": bool(certification.evidence),
    }


def year_out(year: EnterpriseYear) -> dict[str, Any]:
    def number(value: Any) -> float | None:
        return None if value is None else float(value)

    return {
        "year": year.year,
        "revenue": number(year.revenue),
        "output_value": number(year.output_value),
        "employees": year.employees,
        "exports": number(year.exports),
    }


def enterprise_out(profile: selectors.EnterpriseProfile) -> dict[str, Any]:
    """The profile; the `confidential` key only when the selector allowed it (the endpoint
    drops unset keys, so it is absent rather than null for everyone else)."""
    firm = profile.enterprise
    data: dict[str, Any] = {
        **enterprise_ref(firm),
        "cluster": firm.cluster.slug,
        "legal_form": firm.legal_form,
        "address": firm.address,
        "address_zh": firm.address_zh,
        "address_en": firm.address_en,
        "admin_division": firm.admin_division,
        "latitude": firm.latitude,
        "longitude": firm.longitude,
        "size_class": firm.size_class,
        "above_designated_size": firm.above_designated_size,
        "founded_year": firm.founded_year,
        "is_member": firm.is_member,
        "is_leading": firm.is_leading,
        "description": firm.description,
        "description_zh": firm.description_zh,
        "description_en": firm.description_en,
        "main_products": firm.main_products,
        "main_products_zh": firm.main_products_zh,
        "main_products_en": firm.main_products_en,
        "website": firm.website,
        "is_demo": firm.is_demo,
        "roles": [role_out(role) for role in profile.roles],
        "facilities": [facility_out(f) for f in profile.facilities],
        "certifications": [certification_out(c) for c in profile.certifications],
        "brands": [brand_out(b) for b in profile.brands],
        "can_edit": profile.can_edit,
        "can_view_confidential": profile.can_view_confidential,
    }
    if profile.can_view_confidential:
        data["confidential"] = {
            "years": [year_out(y) for y in profile.years],
            "suppliers": [relation_out(r) for r in profile.suppliers],
            "customers": [relation_out(r) for r in profile.customers],
        }
    return data


def relation_out(relation: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": pick(relation["name_zh"], relation["name_en"]),
        "name_zh": relation["name_zh"],
        "name_en": relation["name_en"],
        "enterprise_id": relation["enterprise_id"],
        "in_cluster": relation["in_cluster"],
        "link": relation["link"],
        "link_name": relation["link_name"],
        "year": relation["year"],
        "value": relation["value"],
    }
