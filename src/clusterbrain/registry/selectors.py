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
    firm_map(cluster, user, filters: DirectoryFilters) -> FirmMap (a list[MapPoint] with totals)
    localisation(cluster, user, year=None) -> LocalisationFigures

    Added later: output_value_by_year(cluster, user=None), output_value_series(cluster, user),
    reported_figures(cluster), chain_links(cluster), get_enterprise(enterprise_id),
    enterprise_years(enterprise, user), invalidate_cluster(id, *, recompute=True),
    check_filters(cluster, filters), get_certification(certification_id),
    recompute_after_commit(id), recompute_cluster(id) -> bool.

Performance: every selector runs a fixed number of SQL queries whatever the number of firms
(tests/registry/test_query_counts.py). Per-link supply is one GROUP BY in the database (firms,
capacity, output and Σ per-firm capacity², a firm with several roles in a link counted once),
handed to `engines.chain.analyse_chain`; counts are conditional aggregates of one query each;
lists load one page and prefetch for that page only.

What counts (DOMAIN.md): cluster statistics (size classes, above designated size, certificates,
chain supply) count firms *in* the cluster; firms registered outside it (suppliers, partners)
appear in the directory and in `outside`. A certificate is valid when it has no end date or ends
today or later; it counts (cluster figures, KPIs, the directory's certification filter and
badges) when it is valid and verified by the association or an admin.

Small totals (statistical disclosure control): a public sum of confidential figures is withheld
(None, with a `*_suppressed` flag) when fewer than `settings.AGGREGATE_MIN_FIRMS` (k) firms
contributed, so no total is one firm's figure in disguise:

- output value of a year: at least k in-cluster firms reported an output value that year;
- localisation of a year: the purchases are split into a local and an outside part (their sum
  and the rate follow from the two); each part that is not zero needs at least k distinct leading
  buyers *and* at least k distinct suppliers, so neither a buyer's purchases nor a supplier's
  sales can be read off. All of the year's figures (rate, local, total) go together.

Users who may see enterprise statistics of the cluster (its office, admins) see every figure.
"""  # noqa: E501

from __future__ import annotations

import datetime
import logging
import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.accounts import permissions
from clusterbrain.bilingual import pick
from clusterbrain.chains.models import ChainEdge, ChainLink
from clusterbrain.engines.chain import (
    ChainReport,
    Edge,
    Link,
    LinkReport,
    LinkSupply,
    LocalisationReport,
    Relation,
    analyse_chain,
    localisation_rate,
)
from clusterbrain.errors import FieldError, Forbidden, InvalidInput, NotFound
from clusterbrain.registry.models import (
    Brand,
    Certification,
    Cluster,
    ClusterFigure,
    ClusterTarget,
    Enterprise,
    EnterpriseAlias,
    EnterpriseRole,
    EnterpriseYear,
    Facility,
    Indicator,
    SupplyRelation,
    touch_clusters,
)

T = TypeVar("T")

# How long cached cluster aggregates live (settings.AGGREGATE_CACHE_SECONDS overrides it): they
# are keyed by the cluster's data version and recomputed after every write (see "cache" below).
AGGREGATE_CACHE_SECONDS = 24 * 60 * 60
DIRECTORY_MAX_PER_PAGE = 100
LINK_MAX_PER_PAGE = 200
# Points a map returns at most (WebGL scatter draws 50,000 without trouble); past it the firms in
# the cluster are thinned, never the sites outside it (FirmMap.truncated says so).
MAP_MAX_POINTS = 50_000
PROFILE_MAX_RELATIONS = 200
# Firm ids an explanation of a link names (largest capacity first).
EXPLANATION_TOP_FIRMS = 10
# A reeling firm has a role in a link whose code contains "reeling". A cocoon-and-silk firm
# (茧丝绸企业, Hechi's "20 firms, 15 of them reeling") turns cocoons into silk and silk goods: a
# role in one of these links of the cocoon_silk template. Farm households, egg producers,
# purchase stations and dryers are the sericulture around them, not counted.
REELING_KEYWORD = "reeling"
COCOON_SILK_LINKS = ("reeling", "throwing", "weaving_knitting", "dyeing_printing", "silk_products")

LOCATIONS = ("in", "out", "outside_facility")


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
    # "" (in-cluster firms first, then by name) | "name" | "founded" (oldest first) |
    # "capacity" (largest monthly capacity in `link` first; needs `link`)
    order: str = ""


DIRECTORY_ORDERS = ("", "name", "founded", "capacity")


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
    source: str  # "registry" (counted from the data), "green_records" (measured) or "reported"
    # The latest figure reported for the indicator (shown beside a registry count, e.g. the
    # "103 firms above designated size" of a news report). Shares ("%") are fractions 0–1.
    reported: float | None = None
    reported_year: int | None = None
    reported_source: str = ""
    # The registry's figure is withheld (too few firms behind it); `actual` falls back to the
    # reported figure, if any.
    suppressed: bool = False
    # The year of a measured `actual` (source "green_records": the chrome-free share).
    actual_year: int | None = None

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
    localisation_year: int | None = None  # the year `localisation_rate` is of
    green_factories: int = 0  # firms with a valid green-factory certificate (either level)
    chain_report: ChainReport | None = None
    # Withheld for this user: fewer than `min_firms` firms behind the figure (module docstring).
    output_value_suppressed: bool = False
    localisation_suppressed: bool = False
    min_firms: int = 0

    @property
    def suppression_note(self) -> str:
        """Why a figure shows no value, for the page (empty when nothing is withheld)."""
        if not (self.output_value_suppressed or self.localisation_suppressed):
            return ""
        return suppression_note(self.min_firms)


@dataclass(frozen=True)
class YearFigure:
    """A public aggregate of one year; `value` is None when it is withheld (`suppressed`)."""

    year: int
    value: float | None
    suppressed: bool = False


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

    @property
    def pages(self) -> int:
        return max(1, (self.total_firms + self.per_page - 1) // self.per_page)


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
    valid_certifications: list[str] = field(default_factory=list)  # kinds valid today
    # Kinds valid today and verified: what counts in the cluster's figures. `certifications`
    # lists every certificate, unverified ones too (Certification.verified tells them apart).
    verified_certifications: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MapPoint:
    enterprise_id: int
    name: str
    latitude: float
    longitude: float
    link: str  # main link code
    in_cluster: bool
    kind: str  # "enterprise" or a Facility.Kind


class FirmMap(list[MapPoint]):
    """The points of a map (a list, as it always was) and the true totals behind them.

    firms            firms matching the filters
    located_firms    of them, those with coordinates (one "enterprise" point each)
    sites            located sites (facilities) of the matching firms
    outside_sites    of them, those outside the cluster (always all shown, up to the limit)
    truncated        True when the limit left points out; `shown` points are in the list
    """

    def __init__(
        self,
        points: Any = (),
        *,
        firms: int = 0,
        located_firms: int = 0,
        sites: int = 0,
        outside_sites: int = 0,
        truncated: bool = False,
    ) -> None:
        super().__init__(points)
        self.firms = firms
        self.located_firms = located_firms
        self.sites = sites
        self.outside_sites = outside_sites
        self.truncated = truncated

    @property
    def shown(self) -> int:
        return len(self)

    @property
    def total_points(self) -> int:
        return self.located_firms + self.sites


@dataclass(frozen=True)
class LocalisationFigures:
    year: int
    rate: float | None
    local_value: float | None  # None when withheld (`suppressed`)
    total_value: float | None
    per_leading_firm: list[
        tuple[Enterprise, float | None]
    ]  # empty unless enterprise statistics visible
    by_year: list[tuple[int, float | None]]  # cluster rate over time; None in withheld years
    can_view_enterprise_statistics: bool = False
    report: LocalisationReport | None = None  # None when withheld
    suppressed: bool = False  # this year's figures are withheld from this user
    suppressed_years: list[int] = field(default_factory=list)  # years of `by_year` withheld
    min_firms: int = 0

    @property
    def suppression_note(self) -> str:
        if not (self.suppressed or self.suppressed_years):
            return ""
        return suppression_note(self.min_firms)


# --- helpers ---------------------------------------------------------------------------------


def min_firms() -> int:
    """k of the disclosure rule: the fewest firms a public aggregate of confidential figures
    may rest on (settings.AGGREGATE_MIN_FIRMS, at least 1)."""
    return max(1, int(getattr(settings, "AGGREGATE_MIN_FIRMS", 3)))


def suppression_note(k: int | None = None) -> str:
    k = k or min_firms()
    return _(
        "Withheld: fewer than %(k)d firms are behind this figure, so it would reveal a firm's "
        "confidential data."
    ) % {"k": k}


def _today() -> datetime.date:
    return timezone.localdate()


def valid_certification_q(prefix: str = "", today: datetime.date | None = None) -> Q:
    """Certificates valid today: no end date, or ending today or later."""
    today = today or _today()
    return Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": today})


def counted_certification_q(prefix: str = "", today: datetime.date | None = None) -> Q:
    """Certificates that count in public figures and filters: valid today and verified."""
    return valid_certification_q(prefix, today) & Q(**{f"{prefix}verified": True})


# The years a figure can be of (as EnterpriseYear and ClusterTarget allow).
FIRST_YEAR = 1980
LAST_YEAR = 2100
MAX_PAGE = 1_000_000
# Database integer keys are signed 64-bit: a larger id cannot exist (and would overflow SQLite).
MAX_ID = 2**63 - 1
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


def as_id(value: Any) -> int | None:
    """A database id from user input, or None when it cannot be one."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number <= MAX_ID else None


def _clean_text(value: str) -> str:
    """Search text as the database can take it: no NUL (PostgreSQL refuses it), no lone
    surrogates (not encodable)."""
    return value.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8").strip()


def _page_count(total: int, per_page: int) -> int:
    return max(1, (total + per_page - 1) // per_page)


def _clamp_page(page: Any, per_page: Any, maximum: int) -> tuple[int, int]:
    try:
        page = min(MAX_PAGE, max(1, int(page)))
    except (TypeError, ValueError, OverflowError):
        page = 1
    try:
        per_page = min(maximum, max(1, int(per_page)))
    except (TypeError, ValueError, OverflowError):
        per_page = min(25, maximum)
    return page, per_page


# --- cache -----------------------------------------------------------------------------------
#
# Aggregates over a whole cluster (chain supply, counts, output, localisation) take 100–300 ms
# on SQLite at 100,000 firms, and are the same for every user. They are cached under the
# cluster's `data_version`, which every write replaces (services and admin explicitly, other ORM
# saves through a post_save hook), so a cached figure is never older than the data it came
# from; one small query reads the version.
#
# A write does not leave the work to the next reader: `invalidate_cluster` (services, admin,
# loaders) also recomputes the cluster's aggregates once its transaction commits, once per
# cluster and transaction however many rows changed (`recompute_after_commit`), under the
# version that was committed. The read after a write is then a cached read; the writer pays the
# recompute, after its data is safely committed, and a failure there is logged, never raised
# (the next read computes). Writes that only touch the version (the post_save hook, for ORM
# saves outside the services) leave the recompute to the next read.
#
# The timeout (settings.AGGREGATE_CACHE_SECONDS, a day by default; certificates' validity puts
# the day in the facts' key anyway) bounds what a write that bypasses both the services and the
# hooks (queryset updates, raw deletes, bulk_create without `invalidate_cluster`) could leave
# stale; a short one would make a quiet cluster's pages cold again between writes.

logger = logging.getLogger(__name__)


def _cache_seconds() -> int:
    return int(getattr(settings, "AGGREGATE_CACHE_SECONDS", AGGREGATE_CACHE_SECONDS))


def invalidate_cluster(cluster_id: int, *, recompute: bool = True) -> None:
    """The cluster's registry data changed: its cached aggregates are not to be reused. Services
    and admin call this; so must any code that writes with bulk_create or queryset updates.

    With `recompute` (the default) the aggregates are computed again once the current
    transaction commits (at once outside a transaction), so the next read finds them cached;
    `recompute=False` leaves that to the next read (the benchmark's cold reads)."""
    touch_clusters(Cluster.objects.filter(pk=cluster_id))
    if recompute:
        recompute_after_commit(cluster_id)


class _Recompute:
    """The on_commit callback that recomputes one cluster's aggregates (one a transaction)."""

    def __init__(self, cluster_id: int) -> None:
        self.cluster_id = cluster_id

    def __call__(self) -> None:
        recompute_cluster(self.cluster_id)

    def __repr__(self) -> str:
        return f"_Recompute(cluster_id={self.cluster_id})"


def recompute_after_commit(cluster_id: int, using: str | None = None) -> None:
    """Recompute the cluster's aggregates after the current transaction commits; nothing when
    it rolls back. Debounced: one recompute per cluster and transaction, however many writes
    asked (a callback dropped with a rolled-back savepoint is registered again by the next)."""
    connection_ = transaction.get_connection(using)
    if connection_.in_atomic_block:
        for entry in connection_.run_on_commit:
            callback = entry[1]
            if isinstance(callback, _Recompute) and callback.cluster_id == cluster_id:
                return
    transaction.on_commit(_Recompute(cluster_id), using=using)


def recompute_cluster(cluster_id: int) -> bool:
    """Compute and cache every aggregate of the cluster under its committed data version
    (those already cached under it are kept). The version is read first, so the figures are at
    least as new as the version they are filed under. Never raises: a failure is logged and
    the next read computes what is missing. True when all were stored."""
    try:
        cluster = Cluster.objects.filter(pk=cluster_id).first()
        if cluster is None:  # deleted in the meantime: nothing to keep
            return True
        version = _data_version(cluster)
        _chain(cluster, version)
        _facts(cluster, version)
        _localisation_by_year(cluster, version)
        _localisation_parts(cluster, version)
    except Exception:
        logger.exception(
            "Recomputing the cached aggregates of cluster %s failed; the next read computes them",
            cluster_id,
        )
        return False
    return True


def _data_version(cluster: Cluster) -> str:
    version = Cluster.objects.filter(pk=cluster.pk).values_list("data_version", flat=True).first()
    return version or "deleted"


def _cached(cluster: Cluster, version: str, name: str, compute: Callable[[], T]) -> T:
    key = f"clusterbrain:registry:{cluster.pk}:{version}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, _cache_seconds())
    return value


# --- clusters --------------------------------------------------------------------------------


def clusters() -> list[Cluster]:
    return list(Cluster.objects.select_related("chain_template").order_by("slug"))


def get_cluster(slug: str) -> Cluster:
    cluster = None
    if isinstance(slug, str) and _SLUG.match(slug):
        cluster = Cluster.objects.select_related("chain_template").filter(slug=slug).first()
    if cluster is None:
        raise NotFound(_("No cluster %(slug)r.") % {"slug": slug})
    return cluster


# --- chain -----------------------------------------------------------------------------------


def _template_links(cluster: Cluster) -> tuple[list[ChainLink], list[ChainEdge]]:
    links = list(ChainLink.objects.filter(template_id=cluster.chain_template_id))
    edges = list(ChainEdge.objects.filter(template_id=cluster.chain_template_id))
    by_id = {link.pk: link for link in links}
    for edge in edges:
        # Both ends are links of the same template: fill the relations from the list we have.
        edge.upstream = by_id[edge.upstream_id]
        edge.downstream = by_id[edge.downstream_id]
    return links, edges


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: Any, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _link_supply(
    cluster: Cluster, links: list[ChainLink]
) -> tuple[dict[str, LinkSupply], dict[str, tuple[int, ...]]]:
    """Per-link supply and each link's biggest firms, in one query of two parts.

    Supply: the inner GROUP BY sums a firm's roles in a link first, so Σ capacity² is per firm (a
    firm with two product categories in a link is one competitor, as in `aggregate_roles`). It
    groups by (in_cluster, firm, link): the order in which the plan reads the cluster's firms
    (index on cluster, in_cluster) and each firm's roles (index on enterprise, link), so SQLite
    groups as it reads, with no sort.

    Biggest firms, for the explanations: one `ORDER BY … LIMIT` a link over that link's in-cluster
    firms (the index on link, enterprise, capacity; a top-N sort), far cheaper than ranking every
    firm of every link with a window function (measured in docs/benchmarks.md).
    """
    role, ent = EnterpriseRole, Enterprise
    link_col, firm_col = _column(role, "link"), _column(role, "enterprise")
    capacity_col = _column(role, "capacity_per_month")
    supply_sql = f"""
        WITH per_firm AS (
            SELECT r.{link_col} AS link_id,
                   e.{_column(ent, "in_cluster")} AS inside,
                   SUM(r.{capacity_col}) AS cap,
                   SUM(r.{_column(role, "output_per_month")}) AS out
            FROM {_table(ent)} e
            JOIN {_table(role)} r ON r.{firm_col} = e.{_column(ent, "id")}
            WHERE e.{_column(ent, "cluster")} = %s
            GROUP BY e.{_column(ent, "in_cluster")}, e.{_column(ent, "id")}, r.{link_col}
        )
        SELECT 0 AS kind, link_id,
               SUM(CASE WHEN inside THEN 1 ELSE 0 END),
               SUM(CASE WHEN inside THEN cap ELSE 0 END),
               SUM(CASE WHEN inside THEN out ELSE 0 END),
               SUM(CASE WHEN inside THEN cap * cap ELSE 0 END),
               SUM(CASE WHEN inside THEN 0 ELSE 1 END)
        FROM per_firm GROUP BY link_id
    """
    top_sql = f"""
        SELECT 1, link_id, firm_id, cap, 0, 0, 0 FROM (
            SELECT r.{link_col} AS link_id, r.{firm_col} AS firm_id, SUM(r.{capacity_col}) AS cap
            FROM {_table(role)} r
            JOIN {_table(ent)} e ON e.{_column(ent, "id")} = r.{firm_col}
            WHERE r.{link_col} = %s AND e.{_column(ent, "cluster")} = %s
              AND e.{_column(ent, "in_cluster")}
            GROUP BY r.{link_col}, r.{firm_col}
            ORDER BY cap DESC, r.{firm_col}
            LIMIT %s
        ) top_{{index}}
    """
    sql = " UNION ALL ".join([supply_sql, *(top_sql.format(index=i) for i in range(len(links)))])
    params: list[int] = [cluster.pk]
    for each in links:
        params += [each.pk, cluster.pk, EXPLANATION_TOP_FIRMS]
    links_by_id = {link.pk: link for link in links}
    supply: dict[str, LinkSupply] = {}
    top: dict[str, list[tuple[float, int]]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, link_id, a, b, c, d, e in cursor.fetchall():
            link = links_by_id.get(link_id)
            if link is None:  # a role in a link of another template: not this chain's supply
                continue
            if kind == 0:
                supply[link.code] = LinkSupply(
                    link=link.code,
                    firms=int(a or 0),
                    capacity=float(b or 0.0),
                    output=float(c or 0.0),
                    capacity_sq=float(d or 0.0),
                    firms_outside=int(e or 0),
                )
            else:
                top[link.code].append((-float(b or 0.0), int(a)))
    firm_ids = {code: tuple(firm for _cap, firm in sorted(rows)) for code, rows in top.items()}
    return supply, firm_ids


def _engine_links(links: list[ChainLink]) -> list[Link]:
    return [
        Link(code=link.code, core=link.is_core, unit=link.unit, name=link.name) for link in links
    ]


def _engine_edges(edges: list[ChainEdge]) -> list[Edge]:
    return [
        Edge(
            upstream=edge.upstream.code,
            downstream=edge.downstream.code,
            coefficient=edge.input_coefficient,
        )
        for edge in edges
    ]


def _analyse(cluster: Cluster, links: list[ChainLink], edges: list[ChainEdge]) -> ChainReport:
    supply, firm_ids = _link_supply(cluster, links)
    return analyse_chain(
        _engine_links(links),
        _engine_edges(edges),
        supply,
        min_firms=settings.CHAIN_MIN_FIRMS,
        hhi_threshold=settings.CHAIN_HHI_THRESHOLD,
        firm_ids=firm_ids,
    )


def _chain(
    cluster: Cluster, version: str | None = None
) -> tuple[list[ChainLink], list[ChainEdge], ChainReport]:
    def compute() -> tuple[list[ChainLink], list[ChainEdge], ChainReport]:
        links, edges = _template_links(cluster)
        return links, edges, _analyse(cluster, links, edges)

    return _cached(cluster, version or _data_version(cluster), "chain", compute)


def chain_report(cluster: Cluster) -> ChainReport:
    """Coverage, gaps, concentration and completeness of the cluster's chain.
    1 query when cached, 4 when not."""
    return _chain(cluster)[2]


def chain_graph(cluster: Cluster) -> ChainGraph:
    links, edges, report = _chain(cluster)
    return ChainGraph(cluster=cluster, links=links, edges=edges, report=report)


def link_detail(
    cluster: Cluster, link_code: str, user: Any, page: int = 1, per_page: int = 50
) -> LinkDetail:
    """One link: its report, neighbours, and a page of its in-cluster firms by capacity.
    A page past the last is the last (`page` says which was returned).

    Capacity and output per month are public profile (firms offer them for matching); yearly
    figures are not touched here."""
    page, per_page = _clamp_page(page, per_page, LINK_MAX_PER_PAGE)
    links, edges, chain = _chain(cluster)
    link = next((item for item in links if item.code == link_code), None)
    if link is None:
        raise NotFound(_("This cluster's chain has no link %(code)r.") % {"code": link_code})
    report = chain.link(link.code)
    upstream = [e.upstream for e in edges if e.downstream_id == link.pk]
    downstream = [e.downstream for e in edges if e.upstream_id == link.pk]

    page = min(page, _page_count(report.firms, per_page))
    offset = (page - 1) * per_page
    rows = list(
        EnterpriseRole.objects.filter(
            link=link, enterprise__cluster=cluster, enterprise__in_cluster=True
        )
        .values("enterprise_id")
        .annotate(capacity=Sum("capacity_per_month"), output=Sum("output_per_month"))
        .order_by("-capacity", "enterprise_id")[offset : offset + per_page]
    )
    enterprises = Enterprise.objects.in_bulk([row["enterprise_id"] for row in rows])
    total_capacity = report.capacity
    firms = [
        LinkFirm(
            enterprise=enterprises[row["enterprise_id"]],
            capacity=float(row["capacity"] or 0.0),
            output=float(row["output"] or 0.0),
            share=(float(row["capacity"] or 0.0) / total_capacity) if total_capacity else 0.0,
        )
        for row in rows
    ]
    return LinkDetail(
        cluster=cluster,
        link=link,
        report=report,
        upstream=sorted(upstream, key=lambda item: (item.stage, item.code)),
        downstream=sorted(downstream, key=lambda item: (item.stage, item.code)),
        firms=firms,
        total_firms=report.firms,
        page=page,
        per_page=per_page,
    )


# --- localisation ----------------------------------------------------------------------------


def _localisation_by_year(
    cluster: Cluster, version: str | None = None
) -> dict[int, LocalisationReport]:
    return _cached(
        cluster,
        version or _data_version(cluster),
        "localisation",
        lambda: _compute_localisation_by_year(cluster),
    )


def _compute_localisation_by_year(cluster: Cluster) -> dict[int, LocalisationReport]:
    """Leading firms' purchases, summed in SQL per (year, buyer, link) and split into local and
    not local; one engine report per year. One query.

    A supplier is local when it is registered in this cluster and in it. The engine sees one
    relation per (buyer, link, local?) rather than per supplier: the rates are the same, and the
    row count no longer grows with the number of suppliers.
    """
    local = Q(supplier__cluster_id=cluster.pk, supplier__in_cluster=True)
    rows = (
        SupplyRelation.objects.filter(buyer__cluster=cluster, buyer__is_leading=True)
        .values("year", "buyer_id", "link__code")
        .annotate(
            local=Coalesce(Sum("value", filter=local), Value(0), output_field=FloatField()),
            total=Coalesce(Sum("value"), Value(0), output_field=FloatField()),
        )
        .order_by()
    )
    per_year: dict[int, list[Relation]] = defaultdict(list)
    buyers: set[int] = set()
    for row in rows:
        local_value, total = float(row["local"]), float(row["total"])
        buyers.add(row["buyer_id"])
        relations = per_year[row["year"]]
        relations.append(Relation(row["buyer_id"], 0, row["link__code"], local_value, True))
        if total > local_value:
            relations.append(
                Relation(row["buyer_id"], 0, row["link__code"], total - local_value, False)
            )
    return {
        year: localisation_rate(relations, leading_ids={r.buyer_id for r in relations})
        for year, relations in sorted(per_year.items())
    }


# (local buyers, local suppliers, outside buyers, outside suppliers) of a year: distinct firms
# behind each part of the leading firms' purchases (relations of positive value).
LocalisationParts = tuple[int, int, int, int]


def _localisation_parts(
    cluster: Cluster, version: str | None = None
) -> dict[int, LocalisationParts]:
    return _cached(
        cluster,
        version or _data_version(cluster),
        "localisation-parts",
        lambda: _compute_localisation_parts(cluster),
    )


def _compute_localisation_parts(cluster: Cluster) -> dict[int, LocalisationParts]:
    """How many distinct buyers and suppliers stand behind each part of each year. One query."""
    local = Q(supplier__cluster_id=cluster.pk, supplier__in_cluster=True)
    rows = (
        SupplyRelation.objects.filter(buyer__cluster=cluster, buyer__is_leading=True, value__gt=0)
        .values("year")
        .annotate(
            local_buyers=Count("buyer", distinct=True, filter=local),
            local_suppliers=Count("supplier", distinct=True, filter=local),
            outside_buyers=Count("buyer", distinct=True, filter=~local),
            outside_suppliers=Count("supplier", distinct=True, filter=~local),
        )
        .order_by()
    )
    return {
        row["year"]: (
            row["local_buyers"],
            row["local_suppliers"],
            row["outside_buyers"],
            row["outside_suppliers"],
        )
        for row in rows
    }


def _localisation_disclosable(parts: LocalisationParts | None, k: int) -> bool:
    """Each part with purchases rests on at least k buyers and k suppliers (module docstring)."""
    if parts is None:
        return True
    local_buyers, local_suppliers, outside_buyers, outside_suppliers = parts
    return all(
        (buyers == 0 and suppliers == 0) or (buyers >= k and suppliers >= k)
        for buyers, suppliers in (
            (local_buyers, local_suppliers),
            (outside_buyers, outside_suppliers),
        )
    )


def _default_year() -> int:
    return _today().year - 1


def localisation(cluster: Cluster, user: Any, year: int | None = None) -> LocalisationFigures:
    """The cluster's localisation rate (public, an aggregate, withheld in years with too few
    firms behind it) and, for the cluster office and admins only, each leading firm's rate
    (enterprise-level statistics; they also see withheld years). 1–3 queries."""
    version = _data_version(cluster)
    reports = _localisation_by_year(cluster, version)
    parts = _localisation_parts(cluster, version)
    if year is None:
        year = max(reports) if reports else _default_year()
    report = reports.get(year)
    allowed = permissions.can_view_enterprise_statistics(user, cluster)
    k = min_firms()

    def withheld(y: int) -> bool:
        return not allowed and not _localisation_disclosable(parts.get(y), k)

    suppressed = report is not None and withheld(year)
    per_leading: list[tuple[Enterprise, float | None]] = []
    if allowed:
        leading = Enterprise.objects.filter(cluster=cluster, is_leading=True).order_by(
            "name_zh", "pk"
        )
        per_buyer = report.per_buyer if report else {}
        per_leading = [(firm, per_buyer.get(firm.pk)) for firm in leading]
    shown = None if suppressed else report
    return LocalisationFigures(
        year=year,
        rate=shown.rate if shown else None,
        local_value=None if suppressed else (report.local_value if report else 0.0),
        total_value=None if suppressed else (report.total_value if report else 0.0),
        per_leading_firm=per_leading,
        by_year=[(y, None if withheld(y) else r.rate) for y, r in sorted(reports.items())],
        can_view_enterprise_statistics=allowed,
        report=report if allowed else _without_firms(shown),
        suppressed=suppressed,
        suppressed_years=[y for y in sorted(reports) if withheld(y)],
        min_firms=k,
    )


def _without_firms(report: LocalisationReport | None) -> LocalisationReport | None:
    """The cluster-level report without per-firm figures or ids, for those who may not see them."""
    if report is None:
        return None
    explanation = replace(report.explanation, firm_ids=())
    return replace(report, per_buyer={}, explanation=explanation)


# --- summary and KPIs ------------------------------------------------------------------------

UNITS = {
    Indicator.OUTPUT_VALUE: "yuan",
    Indicator.CHAIN_COMPLETENESS: "%",
    Indicator.LOCALISATION_RATE: "%",
    Indicator.CHROME_FREE_SHARE: "%",
    Indicator.SUPPORT_FUND: "yuan",
    Indicator.BRAND_CAMPAIGN: "yuan",
    Indicator.DESIGN_CENTER: "yuan",
    Indicator.REGIONAL_BRAND_VALUE: "yuan",
    Indicator.MULBERRY_AREA: "mu",
    Indicator.COCOON_OUTPUT: "t",
}
ROLE_COUNT_INDICATORS = (Indicator.REELING_FIRMS, Indicator.COCOON_SILK_FIRMS)


def _share(value: float | None, unit: str) -> float | None:
    """Shares are kept as fractions; a target or figure entered as a percentage (85) is read as
    0.85, so progress compares like with like."""
    if value is None or unit != "%":
        return value
    return value / 100.0 if value > 1.0 else value


def _role_counts(cluster: Cluster) -> dict[str, int]:
    cocoon = Q(link__code__in=COCOON_SILK_LINKS) | Q(link__code__contains=REELING_KEYWORD)
    return EnterpriseRole.objects.filter(
        enterprise__cluster=cluster, enterprise__in_cluster=True
    ).aggregate(
        reeling=Count("enterprise", distinct=True, filter=Q(link__code__contains=REELING_KEYWORD)),
        cocoon_silk=Count("enterprise", distinct=True, filter=cocoon),
    )


# Indicators the platform measures from records rather than counts: where the figure comes from.
MEASURED_SOURCES = {Indicator.CHROME_FREE_SHARE.value: "green_records"}


def _kpis(
    facts: dict[str, Any],
    registry: dict[str, float | None],
    suppressed: frozenset[str] = frozenset(),
    years: dict[str, int] | None = None,
) -> list[KPI]:
    """One KPI per indicator with a target (the nearest one from this year on, else the latest)
    or a reported figure. The actual comes from the registry where the registry can count it
    (or the green records measure it: `years` gives the year measured), else from the latest
    reported figure; so does a registry figure withheld (`suppressed`)."""
    this_year = _today().year
    by_indicator: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for indicator, target_year, value in sorted(facts["targets"], key=lambda t: t[1]):
        by_indicator[indicator].append((target_year, value))
    targets = {
        indicator: next((t for t in rows if t[0] >= this_year), rows[-1])
        for indicator, rows in by_indicator.items()
    }
    figures: dict[str, tuple[int, float, str]] = {}
    for indicator, figure_year, value, source in sorted(facts["figures"], key=lambda f: -f[1]):
        figures.setdefault(indicator, (figure_year, value, source))

    kpis = []
    for indicator in Indicator:
        if indicator.value not in targets and indicator.value not in figures:
            continue
        unit = UNITS.get(indicator, "")
        target = targets.get(indicator.value)
        figure = figures.get(indicator.value)
        actual = registry.get(indicator.value)
        source = MEASURED_SOURCES.get(indicator.value, "registry")
        if actual is None:
            actual = _share(figure[1], unit) if figure else None
            source = "reported"
        kpis.append(
            KPI(
                indicator=indicator.value,
                label=str(indicator.label),
                actual=actual,
                target=_share(target[1], unit) if target else None,
                target_year=target[0] if target else None,
                unit=unit,
                source=source,
                reported=_share(figure[1], unit) if figure else None,
                reported_year=figure[0] if figure else None,
                reported_source=figure[2] if figure else "",
                suppressed=indicator.value in suppressed,
                actual_year=(years or {}).get(indicator.value) if source != "reported" else None,
            )
        )
    return kpis


def _enterprise_counts(cluster: Cluster) -> dict[str, int]:
    """The summary's firm counts: one GROUP BY over the columns they count by, in the order of
    the index that covers them (`enterprise_counts_idx`), so the database reads that index alone
    and groups without sorting; at most 64 groups are added up here."""
    columns = ("in_cluster", "is_member", "is_leading", "above_designated_size", "size_class")
    names = ("enterprises", "in_cluster", "members", "leading", "above_size")
    counts = dict.fromkeys(names, 0) | {f"size_{size}": 0 for size in Enterprise.SizeClass.values}
    rows = (
        Enterprise.objects.filter(cluster=cluster)
        .values_list(*columns)
        .annotate(n=Count("pk"))
        .order_by()
    )
    for inside, member, leading, above, size, n in rows:
        counts["enterprises"] += n
        counts["members"] += n if member else 0
        if inside:
            counts["in_cluster"] += n
            counts["leading"] += n if leading else 0
            counts["above_size"] += n if above else 0
            key = f"size_{size}"
            if key in counts:
                counts[key] += n
    return counts


def _figure_years() -> list[int]:
    """The years any firm has figures for, read off the index on year (one step a year)."""
    table, year = _table(EnterpriseYear), _column(EnterpriseYear, "year")
    sql = f"""
        WITH RECURSIVE years(y) AS (
            SELECT MIN({year}) FROM {table}
            UNION ALL
            SELECT (SELECT MIN({year}) FROM {table} WHERE {year} > y) FROM years
            WHERE y IS NOT NULL
        )
        SELECT y FROM years WHERE y IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [int(row[0]) for row in cursor.fetchall()]


# Years of output value summed in one pass of filtered aggregates (two a year); past it, a
# GROUP BY year.
OUTPUT_YEARS_PER_PASS = 40


def _output_by_year(cluster: Cluster) -> tuple[dict[int, float], dict[int, int]]:
    """In-cluster firms' output value summed per year, and how many firms reported it (the
    disclosure rule reads it). Two queries: the years there are, then one pass over the
    cluster's firms with a filtered SUM and COUNT per year. (A GROUP BY year would sort every
    yearly row of the cluster; (enterprise, year) is unique, so COUNT is of firms.)"""
    rows = EnterpriseYear.objects.filter(
        enterprise__cluster=cluster, enterprise__in_cluster=True, output_value__isnull=False
    )
    years = _figure_years()
    totals: dict[int, float] = {}
    firms: dict[int, int] = {}
    if len(years) > OUTPUT_YEARS_PER_PASS:  # a registry of very many years: sort them instead
        grouped = rows.values("year").annotate(total=Sum("output_value"), n=Count("pk"))
        for group in grouped.order_by():
            totals[group["year"]] = float(group["total"] or 0.0)
            firms[group["year"]] = int(group["n"])
        return totals, firms
    if not years:
        return totals, firms
    aggregates: dict[str, Any] = {}
    for y in years:
        aggregates[f"total_{y}"] = Sum("output_value", filter=Q(year=y))
        aggregates[f"firms_{y}"] = Count("pk", filter=Q(year=y))
    row = rows.aggregate(**aggregates)
    for y in years:
        if row[f"firms_{y}"]:
            totals[y] = float(row[f"total_{y}"] or 0.0)
            firms[y] = int(row[f"firms_{y}"])
    return totals, firms


def _compute_facts(cluster: Cluster, today: datetime.date) -> dict[str, Any]:
    """Every count of the summary, in plain values: 8–9 queries, each one aggregate."""
    counts = _enterprise_counts(cluster)

    cert_counts = Certification.objects.filter(
        counted_certification_q(today=today),
        enterprise__cluster=cluster,
        enterprise__in_cluster=True,
    ).aggregate(
        green=Count(
            "enterprise", distinct=True, filter=Q(kind__in=Certification.GREEN_FACTORY_KINDS)
        ),
        **{
            f"kind_{kind}": Count("enterprise", distinct=True, filter=Q(kind=kind))
            for kind in Certification.Kind.values
        },
    )

    brands = dict.fromkeys(Brand.Status.values, 0)
    for row in (
        Brand.objects.filter(cluster=cluster, is_regional=False)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        brands[row["status"]] = row["n"]
    regional_brand = (
        Brand.objects.filter(cluster=cluster, is_regional=True)
        .order_by(F("value_yuan").desc(nulls_last=True), "pk")
        .first()
    )

    output_by_year, output_firms_by_year = _output_by_year(cluster)
    targets = list(
        ClusterTarget.objects.filter(cluster=cluster).values_list("indicator", "year", "value")
    )
    figures = list(
        ClusterFigure.objects.filter(cluster=cluster).values_list(
            "indicator", "year", "value", "source"
        )
    )
    wanted = {t[0] for t in targets} | {f[0] for f in figures}
    role_counts = _role_counts(cluster) if wanted & set(ROLE_COUNT_INDICATORS) else {}
    chrome_free: dict[int, tuple[float | None, int]] = {}
    if Indicator.CHROME_FREE_SHARE in wanted:
        from clusterbrain.green.selectors import chrome_free_by_year

        chrome_free = chrome_free_by_year(cluster)
    return {
        "counts": counts,
        "certifications": {k: cert_counts[f"kind_{k}"] for k in Certification.Kind.values},
        "green": cert_counts["green"],
        "brands": brands,
        "regional_brand": regional_brand,
        "output_by_year": output_by_year,
        "output_firms_by_year": output_firms_by_year,
        "targets": targets,
        "figures": figures,
        "role_counts": role_counts,
        "chrome_free": chrome_free,
    }


def _facts(cluster: Cluster, version: str | None = None) -> dict[str, Any]:
    today = _today()
    # Certificates expire at midnight: the day is part of the key. (v2: with the firms behind
    # each year's output and verified certificates only; v3: the measured chrome-free share.)
    return _cached(
        cluster,
        version or _data_version(cluster),
        f"facts:v3:{today.isoformat()}",
        lambda: _compute_facts(cluster, today),
    )


def cluster_summary(cluster: Cluster, user: Any, year: int | None = None) -> ClusterSummary:
    """The cluster's public figures: counts, certificates, brands, chain, localisation, output
    value, KPIs. Aggregates only, the same for every user, except that output value and
    localisation rest on confidential figures and are withheld when too few firms are behind
    them (module docstring), unless `user` may see enterprise statistics of the cluster.
    1 query when cached; about 14 when not, whatever the number of firms."""
    version = _data_version(cluster)
    facts = _facts(cluster, version)
    _links, _edges, report = _chain(cluster, version)
    reports = _localisation_by_year(cluster, version)
    unrestricted = permissions.can_view_enterprise_statistics(user, cluster)
    k = min_firms()

    counts, certifications, brands = facts["counts"], facts["certifications"], facts["brands"]
    output_by_year = facts["output_by_year"]
    if year is None:
        year = max(output_by_year) if output_by_year else _default_year()
    output_value = output_by_year.get(year)
    output_suppressed = (
        output_value is not None
        and not unrestricted
        and facts["output_firms_by_year"].get(year, 0) < k
    )
    if output_suppressed:
        output_value = None
    loc_year = year if year in reports else max((y for y in reports if y <= year), default=None)
    loc_rate = reports[loc_year].rate if loc_year is not None else None
    loc_suppressed = (
        loc_year is not None
        and not unrestricted
        and not _localisation_disclosable(_localisation_parts(cluster, version).get(loc_year), k)
    )
    if loc_suppressed:
        loc_rate = None
    # The chrome-free share measured from the green records of its latest year, withheld like
    # output value when fewer than k firms tanned that year; the reported figure stands in.
    chrome_free_year = max(facts["chrome_free"], default=None)
    chrome_free, chrome_free_firms = facts["chrome_free"].get(chrome_free_year, (None, 0))
    chrome_free_suppressed = chrome_free is not None and not unrestricted and chrome_free_firms < k
    if chrome_free_suppressed:
        chrome_free = None
    suppressed = frozenset(
        indicator
        for indicator, hidden in (
            (Indicator.OUTPUT_VALUE.value, output_suppressed),
            (Indicator.LOCALISATION_RATE.value, loc_suppressed),
            (Indicator.CHROME_FREE_SHARE.value, chrome_free_suppressed),
        )
        if hidden
    )

    registry: dict[str, float | None] = {
        Indicator.ENTERPRISES: float(counts["enterprises"]),
        Indicator.ABOVE_SIZE_FIRMS: float(counts["above_size"]),
        Indicator.ST_SMES: float(certifications[Certification.Kind.ST_SME]),
        Indicator.HIGH_TECH: float(certifications[Certification.Kind.HIGH_TECH]),
        Indicator.GREEN_FACTORIES: float(facts["green"]),
        Indicator.LWG_GOLD: float(certifications[Certification.Kind.LWG_GOLD]),
        Indicator.WELL_KNOWN_TRADEMARKS: float(brands[Brand.Status.WELL_KNOWN_TRADEMARK]),
        Indicator.WELL_KNOWN_BRANDS: float(brands[Brand.Status.WELL_KNOWN_BRAND]),
        Indicator.CHAIN_COMPLETENESS: report.completeness if report.core_links else None,
        Indicator.LOCALISATION_RATE: loc_rate,
        Indicator.OUTPUT_VALUE: output_value,
        Indicator.CHROME_FREE_SHARE: chrome_free,
    }
    if facts["role_counts"]:
        registry[Indicator.REELING_FIRMS] = float(facts["role_counts"]["reeling"])
        registry[Indicator.COCOON_SILK_FIRMS] = float(facts["role_counts"]["cocoon_silk"])

    return ClusterSummary(
        cluster=cluster,
        year=year,
        enterprises=counts["enterprises"],
        in_cluster=counts["in_cluster"],
        outside=counts["enterprises"] - counts["in_cluster"],
        members=counts["members"],
        leading=counts["leading"],
        above_size=counts["above_size"],
        by_size_class={size: counts[f"size_{size}"] for size in Enterprise.SizeClass.values},
        certifications=dict(certifications),
        brands=dict(brands),
        regional_brand=facts["regional_brand"],
        chain_completeness=report.completeness,
        gap_links=list(report.gap_links),
        concentrated_links=list(report.concentrated_links),
        localisation_rate=loc_rate,
        output_value=output_value,
        kpis=_kpis(
            facts,
            registry,
            suppressed,
            {Indicator.CHROME_FREE_SHARE.value: chrome_free_year} if chrome_free_year else {},
        ),
        is_demo=cluster.is_demo,
        localisation_year=loc_year,
        green_factories=facts["green"],
        chain_report=report,
        output_value_suppressed=output_suppressed,
        localisation_suppressed=loc_suppressed,
        min_firms=k,
    )


def output_value_series(cluster: Cluster, user: Any = None) -> list[YearFigure]:
    """In-cluster firms' output value summed per year, oldest first: public as an aggregate,
    withheld (value None, `suppressed`) in years fewer than k firms reported, unless `user`
    may see enterprise statistics of the cluster. Cached with the summary's figures."""
    facts = _facts(cluster)
    unrestricted = permissions.can_view_enterprise_statistics(user, cluster)
    k = min_firms()
    series = []
    for year, total in sorted(facts["output_by_year"].items()):
        hidden = not unrestricted and facts["output_firms_by_year"].get(year, 0) < k
        series.append(YearFigure(year, None if hidden else total, hidden))
    return series


def output_value_by_year(cluster: Cluster, user: Any = None) -> list[tuple[int, float]]:
    """The years of `output_value_series` that `user` may see, as (year, total), oldest first
    (withheld years are left out; `output_value_series` marks them)."""
    return [
        (figure.year, figure.value)
        for figure in output_value_series(cluster, user)
        if figure.value is not None
    ]


def reported_figures(cluster: Cluster) -> list[ClusterFigure]:
    """Figures reported for the cluster as a whole, with their source (public), by indicator
    and latest year first."""
    return list(ClusterFigure.objects.filter(cluster=cluster).order_by("indicator", "-year"))


def chain_links(cluster: Cluster) -> list[ChainLink]:
    """The links of the cluster's chain template in template order (filter choices)."""
    return list(ChainLink.objects.filter(template_id=cluster.chain_template_id))


# --- directory, map, profile -----------------------------------------------------------------


def check_filters(cluster: Cluster, filters: DirectoryFilters) -> None:
    """The directory's and the map's filters name things that exist, else InvalidInput naming
    each bad filter (the API answers 422; the page's form never sends such values). One query
    when a link is given."""
    errors: list[FieldError] = []
    if filters.link and not (
        isinstance(filters.link, str)
        and ChainLink.objects.filter(
            template_id=cluster.chain_template_id, code=_clean_text(filters.link)
        ).exists()
    ):
        errors.append(
            FieldError(
                ("link",),
                _("%(code)r is not a link of this cluster's chain.") % {"code": filters.link},
            )
        )
    choices = (
        ("certification", filters.certification, Certification.Kind.values),
        ("size_class", filters.size_class, Enterprise.SizeClass.values),
        ("location", filters.location, LOCATIONS),
    )
    for name, value, allowed in choices:
        if value and value not in allowed:
            errors.append(
                FieldError(
                    (name,),
                    _("%(value)r is not one of the choices: %(choices)s.")
                    % {"value": value, "choices": ", ".join(allowed)},
                )
            )
    capacity = filters.min_capacity
    if capacity is not None and (
        isinstance(capacity, bool)
        or not isinstance(capacity, int | float)
        or not math.isfinite(capacity)
        or capacity < 0
    ):
        errors.append(FieldError(("min_capacity",), _("Enter a finite number of at least 0.")))
    if filters.order not in DIRECTORY_ORDERS:
        errors.append(
            FieldError(
                ("order",),
                _("%(value)r is not one of the choices: %(choices)s.")
                % {"value": filters.order, "choices": ", ".join(o for o in DIRECTORY_ORDERS if o)},
            )
        )
    elif filters.order == "capacity" and not filters.link:
        errors.append(
            FieldError(("order",), _("Sorting by capacity needs a chain link to compare in."))
        )
    if errors:
        detail = errors[0].msg if len(errors) == 1 else _("Some filters need correcting.")
        raise InvalidInput(detail, errors)


def _filtered_enterprises(cluster: Cluster, filters: DirectoryFilters) -> QuerySet[Enterprise]:
    qs = Enterprise.objects.filter(cluster=cluster)
    text = _clean_text(filters.q or "")
    if text:
        match: Any = (
            Q(name_zh__icontains=text)
            | Q(name_en__icontains=text)
            | Q(main_products_zh__icontains=text)
            | Q(main_products_en__icontains=text)
            | Q(address_zh__icontains=text)
            | Q(address_en__icontains=text)
        )
        if len(text) <= 18:
            match |= Q(uscc=text.upper())
        # Other names a firm goes by in imported lists are found too (EnterpriseAlias).
        match |= Exists(
            EnterpriseAlias.objects.filter(enterprise=OuterRef("pk"), name__icontains=text)
        )
        qs = qs.filter(match)
    roles = EnterpriseRole.objects.filter(enterprise=OuterRef("pk"))
    if filters.link:
        roles = roles.filter(
            link__code=_clean_text(filters.link), link__template_id=cluster.chain_template_id
        )
        qs = qs.filter(Exists(roles))
    if filters.min_capacity is not None or (filters.order == "capacity" and filters.link):
        capacity = (
            roles.order_by()
            .values("enterprise")
            .annotate(total=Sum("capacity_per_month"))
            .values("total")
        )
        qs = qs.annotate(
            filtered_capacity=Coalesce(Subquery(capacity), Value(0.0), output_field=FloatField())
        )
        if filters.min_capacity is not None:
            qs = qs.filter(filtered_capacity__gte=filters.min_capacity)
    if filters.certification:
        qs = qs.filter(
            Exists(
                Certification.objects.filter(
                    counted_certification_q(),
                    enterprise=OuterRef("pk"),
                    kind=filters.certification,
                )
            )
        )
    if filters.size_class:
        qs = qs.filter(size_class=filters.size_class)
    if filters.location == "in":
        qs = qs.filter(in_cluster=True)
    elif filters.location == "out":
        qs = qs.filter(in_cluster=False)
    elif filters.location == "outside_facility":
        qs = qs.filter(Exists(Facility.objects.filter(enterprise=OuterRef("pk"), in_cluster=False)))
    if filters.above_size is not None:
        qs = qs.filter(above_designated_size=filters.above_size)
    if filters.member is not None:
        qs = qs.filter(is_member=filters.member)
    if filters.leading is not None:
        qs = qs.filter(is_leading=filters.leading)
    return qs


def enterprise_directory(
    cluster: Cluster,
    user: Any,
    filters: DirectoryFilters,
    page: int = 1,
    per_page: int = 25,
) -> DirectoryPage:
    """Public profiles matching the filters, by name: one COUNT, one page, two prefetches.
    Filters are checked first (`check_filters`, InvalidInput naming each); a page past the last
    is the last (`page` says which was returned)."""
    check_filters(cluster, filters)
    page, per_page = _clamp_page(page, per_page, DIRECTORY_MAX_PER_PAGE)
    qs = _filtered_enterprises(cluster, filters)
    total = qs.count()
    page = min(page, _page_count(total, per_page))
    offset = (page - 1) * per_page
    if offset >= total:
        return DirectoryPage(rows=[], total=total, page=page, per_page=per_page)
    role_qs = EnterpriseRole.objects.select_related("link").order_by("link__stage", "link__code")
    cert_qs = Certification.objects.filter(counted_certification_q()).order_by("kind")
    enterprises = list(
        qs.order_by(*_directory_order(filters)).prefetch_related(
            Prefetch("roles", queryset=role_qs, to_attr="page_roles"),
            Prefetch("certifications", queryset=cert_qs, to_attr="valid_certs"),
        )[offset : offset + per_page]
    )
    rows = []
    for enterprise in enterprises:
        roles = enterprise.page_roles
        counted = [r for r in roles if r.link.code == filters.link] if filters.link else roles
        links: dict[int, ChainLink] = {}
        for role in roles:
            links.setdefault(role.link_id, role.link)
        rows.append(
            DirectoryRow(
                enterprise=enterprise,
                links=list(links.values()),
                capacity=float(sum(r.capacity_per_month for r in counted)),
                certifications=sorted({c.kind for c in enterprise.valid_certs}),
            )
        )
    return DirectoryPage(rows=rows, total=total, page=page, per_page=per_page)


def _directory_order(filters: DirectoryFilters) -> tuple[Any, ...]:
    """The default puts the cluster's own firms before suppliers registered elsewhere (whose
    names would otherwise lead the list: 东莞…, 佛山… sort before 广州…); the index
    (cluster, in_cluster, name_zh) serves it."""
    if filters.order == "name":
        return ("name_zh", "pk")
    if filters.order == "founded":
        return (F("founded_year").asc(nulls_last=True), "name_zh", "pk")
    if filters.order == "capacity":
        return (F("filtered_capacity").desc(), "name_zh", "pk")
    return ("-in_cluster", "name_zh", "pk")


def firm_map(
    cluster: Cluster, user: Any, filters: DirectoryFilters, *, limit: int = MAP_MAX_POINTS
) -> FirmMap:
    """Located firms matching the filters and their located sites (production bases elsewhere
    show where the cluster's firms really make things), with the true totals. Four queries.

    At most `limit` points: sites outside the cluster come first (the few points that show the
    cluster's reach), then firms, then sites inside the cluster; `truncated` says whether any
    were left out. Filters are checked as for the directory (`check_filters`)."""
    check_filters(cluster, filters)
    limit = max(0, int(limit))
    qs = _filtered_enterprises(cluster, filters)
    located = Q(latitude__isnull=False, longitude__isnull=False)
    firm_totals = qs.aggregate(n=Count("pk"), located=Count("pk", filter=located))
    sites_qs = Facility.objects.filter(located, enterprise__in=qs.values("pk"))
    site_totals = sites_qs.aggregate(n=Count("pk"), outside=Count("pk", filter=Q(in_cluster=False)))
    firms_located, sites, outside = (
        int(firm_totals["located"] or 0),
        int(site_totals["n"] or 0),
        int(site_totals["outside"] or 0),
    )

    site_link = (
        EnterpriseRole.objects.filter(enterprise=OuterRef("enterprise_id"))
        .order_by("-capacity_per_month", "pk")
        .values("link__code")[:1]
    )
    site_fields = (
        "enterprise_id",
        "name_zh",
        "name_en",
        "latitude",
        "longitude",
        "in_cluster",
        "kind",
        "main_link",
    )

    def site_points(in_cluster: bool, room: int) -> list[MapPoint]:
        if room <= 0:
            return []
        rows: Any = (
            sites_qs.filter(in_cluster=in_cluster)
            .annotate(main_link=Subquery(site_link))
            .order_by("pk")
            .values(*site_fields)[:room]
        )
        return [
            MapPoint(
                enterprise_id=row["enterprise_id"],
                name=pick(row["name_zh"], row["name_en"]),
                latitude=row["latitude"],
                longitude=row["longitude"],
                link=row["main_link"] or "",
                in_cluster=row["in_cluster"],
                kind=row["kind"],
            )
            for row in rows
        ]

    outside_points = site_points(False, min(outside, limit)) if outside else []
    room = limit - len(outside_points)
    firm_points: list[MapPoint] = []
    if firms_located and room > 0:
        main_link = (
            EnterpriseRole.objects.filter(enterprise=OuterRef("pk"))
            .order_by("-capacity_per_month", "pk")
            .values("link__code")[:1]
        )
        rows: Any = (
            qs.filter(located)
            .annotate(main_link=Subquery(main_link))
            .order_by("pk")
            .values("pk", "name_zh", "name_en", "latitude", "longitude", "in_cluster", "main_link")[
                :room
            ]
        )
        firm_points = [
            MapPoint(
                enterprise_id=row["pk"],
                name=pick(row["name_zh"], row["name_en"]),
                latitude=row["latitude"],
                longitude=row["longitude"],
                link=row["main_link"] or "",
                in_cluster=row["in_cluster"],
                kind="enterprise",
            )
            for row in rows
        ]
    room -= len(firm_points)
    inside_points = site_points(True, min(sites - outside, room)) if sites > outside else []
    points = firm_points + outside_points + inside_points
    return FirmMap(
        points,
        firms=int(firm_totals["n"] or 0),
        located_firms=firms_located,
        sites=sites,
        outside_sites=outside,
        truncated=len(points) < firms_located + sites,
    )


def _relations(rows: QuerySet[SupplyRelation], other: str) -> list[dict[str, Any]]:
    result = []
    for relation in rows[:PROFILE_MAX_RELATIONS]:
        firm = getattr(relation, other)
        result.append(
            {
                "id": firm.pk,
                "enterprise_id": firm.pk,
                "name": firm.name,
                "name_zh": firm.name_zh,
                "name_en": firm.name_en,
                "in_cluster": firm.in_cluster,
                "cluster_id": firm.cluster_id,
                "link": relation.link.code,
                "link_name": relation.link.name,
                "year": relation.year,
                "value": float(relation.value),
            }
        )
    return result


def enterprise_profile(enterprise_id: int, user: Any) -> EnterpriseProfile:
    """The public profile of one firm, plus its yearly figures and customer and supplier lists
    when `user` may see them (otherwise those lists are empty and never queried)."""
    pk = as_id(enterprise_id)
    if pk is None:
        raise NotFound(_("No such enterprise."))
    enterprise = (
        Enterprise.objects.select_related("cluster", "cluster__chain_template")
        .prefetch_related(
            Prefetch(
                "roles",
                queryset=EnterpriseRole.objects.select_related("link").order_by(
                    "link__stage", "link__code", "product_category"
                ),
            ),
            "facilities",
            Prefetch("certifications", queryset=Certification.objects.order_by("kind", "pk")),
            Prefetch("brands", queryset=Brand.objects.order_by("name_zh", "pk")),
        )
        .filter(pk=pk)
        .first()
    )
    if enterprise is None:
        raise NotFound(_("No such enterprise."))
    confidential = permissions.can_view_confidential(user, enterprise)
    certifications = list(enterprise.certifications.all())
    today = _today()
    profile: dict[str, Any] = {}
    if confidential:
        profile["years"] = list(
            EnterpriseYear.objects.filter(enterprise=enterprise).order_by("-year")
        )
        profile["suppliers"] = _relations(
            SupplyRelation.objects.filter(buyer=enterprise)
            .select_related("supplier", "link")
            .order_by("-year", "-value", "pk"),
            "supplier",
        )
        profile["customers"] = _relations(
            SupplyRelation.objects.filter(supplier=enterprise)
            .select_related("buyer", "link")
            .order_by("-year", "-value", "pk"),
            "buyer",
        )
    return EnterpriseProfile(
        enterprise=enterprise,
        roles=list(enterprise.roles.all()),
        facilities=list(enterprise.facilities.all()),
        certifications=certifications,
        brands=list(enterprise.brands.all()),
        can_view_confidential=confidential,
        can_edit=permissions.can_edit_enterprise(user, enterprise),
        valid_certifications=sorted(
            {c.kind for c in certifications if c.valid_until is None or c.valid_until >= today}
        ),
        verified_certifications=sorted(
            {
                c.kind
                for c in certifications
                if c.verified and (c.valid_until is None or c.valid_until >= today)
            }
        ),
        **profile,
    )


def get_enterprise(enterprise_id: Any) -> Enterprise:
    """One firm by id (its public profile is visible to all), with its cluster."""
    pk = as_id(enterprise_id)
    if pk is None:
        raise NotFound(_("No such enterprise."))
    enterprise = Enterprise.objects.select_related("cluster").filter(pk=pk).first()
    if enterprise is None:
        raise NotFound(_("No such enterprise."))
    return enterprise


def get_certification(certification_id: Any) -> Certification:
    """One certificate by id, with its firm and the firm's cluster (certificates are public
    profile; their evidence files are not: `certification_evidence`)."""
    pk = as_id(certification_id)
    certification = (
        Certification.objects.select_related("enterprise", "enterprise__cluster")
        .filter(pk=pk)
        .first()
        if pk is not None
        else None
    )
    if certification is None:
        raise NotFound(_("No such certification."))
    return certification


def certification_evidence(certification_id: Any, user: Any) -> Certification:
    """The certificate whose evidence file `user` may download: the firm itself, the
    association and the office of its cluster, admins. NotFound for everyone else, and when
    there is no file, so the answer tells an outsider nothing."""
    certification = get_certification(certification_id)
    if not (
        certification.evidence and permissions.can_view_evidence(user, certification.enterprise)
    ):
        raise NotFound(_("No such evidence file."))
    return certification


def enterprise_years(enterprise: Enterprise, user: Any) -> list[EnterpriseYear]:
    """The firm's yearly figures, latest first; Forbidden for users who may not see them."""
    if not permissions.can_view_confidential(user, enterprise):
        raise Forbidden(_("You may not see this enterprise's figures."))
    return list(EnterpriseYear.objects.filter(enterprise=enterprise).order_by("-year"))
