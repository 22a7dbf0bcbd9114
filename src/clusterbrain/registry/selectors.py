"""Every non-trivial read of the registry. Permissions are applied here: a selector given a user
returns only what that user may see (accounts.permissions). Views and API handlers call these
and hold no queries of their own.

CONTRACT (shared by the web pages and the API; implementations may change, signatures may only
grow keyword arguments with defaults):

    clusters() -> list[Cluster]
    get_cluster(slug) -> Cluster                                   raises NotFound
    cluster_summary(cluster, user, year=None) -> ClusterSummary
    chain_report(cluster) -> engines.chain.ChainReport              (SQL aggregates → engine)
    chain_graph(cluster) -> ChainGraph                              links + edges + report, for the map
    link_detail(cluster, link_code, user, page=1, per_page=50) -> LinkDetail   raises NotFound
    enterprise_directory(cluster, user, filters: DirectoryFilters, page=1, per_page=25) -> DirectoryPage
    enterprise_profile(enterprise_id, user) -> EnterpriseProfile    raises NotFound
    firm_map(cluster, user, filters: DirectoryFilters) -> list[MapPoint]
    localisation(cluster, user, year=None) -> LocalisationFigures
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clusterbrain.chains.models import ChainEdge, ChainLink
from clusterbrain.engines.chain import ChainReport, LinkReport
from clusterbrain.registry.models import (
    Brand,
    Certification,
    Cluster,
    ClusterTarget,
    Enterprise,
    EnterpriseRole,
    EnterpriseYear,
    Facility,
)


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""  # matches name zh/en, USCC, main products, address
    link: str = ""  # chain link code
    certification: str = ""  # Certification.Kind value (valid today)
    size_class: str = ""  # Enterprise.SizeClass value
    min_capacity: float | None = None  # in the link's unit, per month (with `link`: that link)
    location: str = ""  # "in" | "out" (enterprise outside the cluster) | "outside_facility"
    above_size: bool | None = None
    member: bool | None = None
    leading: bool | None = None


@dataclass(frozen=True)
class DirectoryRow:
    enterprise: Enterprise
    links: list[ChainLink]
    capacity: float  # total monthly capacity (of the filtered link, if any)
    certifications: list[str]  # kinds


@dataclass(frozen=True)
class DirectoryPage:
    rows: list[DirectoryRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, (self.total + self.per_page - 1) // self.per_page)


@dataclass(frozen=True)
class KPI:
    indicator: str  # registry.models.Indicator value
    label: str
    actual: float | None
    target: float | None
    target_year: int | None
    unit: str  # "", "%", "yuan", "mu", "t"
    source: str  # "registry" (computed from the data) or "reported"

    @property
    def progress(self) -> float | None:
        if self.actual is None or not self.target:
            return None
        return self.actual / self.target


@dataclass(frozen=True)
class ClusterSummary:
    cluster: Cluster
    year: int
    enterprises: int
    in_cluster: int
    outside: int
    members: int
    leading: int
    above_size: int
    by_size_class: dict[str, int]
    certifications: dict[str, int]  # kind → firms holding a valid one
    brands: dict[str, int]  # status → count
    regional_brand: Brand | None
    chain_completeness: float
    gap_links: list[str]
    concentrated_links: list[str]
    localisation_rate: float | None
    output_value: float | None  # aggregate of the year, public as an aggregate
    kpis: list[KPI]
    is_demo: bool


@dataclass(frozen=True)
class ChainGraph:
    cluster: Cluster
    links: list[ChainLink]
    edges: list[ChainEdge]
    report: ChainReport


@dataclass(frozen=True)
class LinkFirm:
    enterprise: Enterprise
    capacity: float
    output: float
    share: float  # of the link's in-cluster capacity


@dataclass(frozen=True)
class LinkDetail:
    cluster: Cluster
    link: ChainLink
    report: LinkReport
    upstream: list[ChainLink]
    downstream: list[ChainLink]
    firms: list[LinkFirm]  # this page, by capacity descending
    total_firms: int
    page: int
    per_page: int


@dataclass(frozen=True)
class EnterpriseProfile:
    enterprise: Enterprise
    roles: list[EnterpriseRole]
    facilities: list[Facility]
    certifications: list[Certification]
    brands: list[Brand]
    can_view_confidential: bool
    can_edit: bool
    years: list[EnterpriseYear] = field(default_factory=list)  # empty unless confidential visible
    suppliers: list[dict[str, Any]] = field(default_factory=list)  # empty unless confidential
    customers: list[dict[str, Any]] = field(default_factory=list)  # empty unless confidential


@dataclass(frozen=True)
class MapPoint:
    enterprise_id: int
    name: str
    latitude: float
    longitude: float
    link: str  # main link code
    in_cluster: bool
    kind: str  # "enterprise" or a Facility.Kind


@dataclass(frozen=True)
class LocalisationFigures:
    year: int
    rate: float | None
    local_value: float
    total_value: float
    per_leading_firm: list[tuple[Enterprise, float | None]]  # empty unless enterprise statistics visible
    by_year: list[tuple[int, float | None]]  # cluster rate over time


def _not_implemented(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError


clusters = get_cluster = cluster_summary = chain_report = chain_graph = _not_implemented
link_detail = enterprise_directory = enterprise_profile = firm_map = localisation = _not_implemented
_ = (ClusterTarget,)
