"""The platform at 100,000 firms: load time, page server time and SQL queries per page, each beside
a naive baseline run in the same process on the same data.

    .venv/bin/python -m bench.platform_bench --firms 100000 [--requests 200] [--db PATH]
        [--layout one|four] [--cluster shiling] [--out docs/benchmarks.md]

What it measures (the issue's benchmark):

a. Generate and load ≈ `--firms` firms with the demo generator and loader. `--layout one` (the
   default) puts them all in one cluster (`--cluster`, Shiling by default: the heaviest case for
   the per-cluster aggregates, since every page figure is over one cluster's firms); `--layout
   four` spreads them over the four seed clusters at one common `--scale`. Generation and load are
   timed apart. Baseline: the same rows written with one `Model.objects.create()` per row (in one
   transaction, rolled back), for the first `--load-sample` firms of the measured cluster and their
   rows, extrapolated linearly by row count.
b. Pages, through Django's test client (the whole request: URL routing, middleware, selectors,
   template or schema; no network): the cluster overview, the chain map, a directory search (a
   common name word and a chain-link filter) and GET /api/v1/clusters/{slug}/summary, `--requests`
   times each in three modes:
   - STEADY STATE: reads with nothing written in between (the cluster's aggregates cached);
   - AFTER A WRITE: before every request a real write through the services
     (`registry.services.set_role`: a firm's capacity in a link, +1 and back), committed, then the
     request; only the request is timed (the write, with the recompute of the cluster's
     aggregates it triggers on commit, is timed apart and reported in its own row);
   - COLD: the cached aggregates dropped before every request without recomputing them
     (`invalidate_cluster(…, recompute=False)`), so every aggregate is computed from SQL: the
     full recompute, the cost a write now pays on commit (and a read after a cache loss).
   The file cache of the production settings is used.
c. Naive baseline: the same figures (summary counts, certificates, output by year, localisation,
   per-link firms/capacity/output/HHI and completeness, the directory filter's total and first page)
   computed with one ORM query per firm per relation, `--naive-runs` times. The bench checks they
   equal the selectors' figures (a failed check stops the run), then prints naive time ÷ our cold
   p50.
d. SQL queries per page, cold, steady and after a write, at scale 1 of the measured cluster and
   at the full size; a difference is flagged.

Targets (printed, never asserted): generate + load ≤ 120 s; each page's p95 ≤ 150 ms in steady
state and right after a write (what a user meets). The cold recompute and the write are reported
beside them, with no target.
The database is a fresh SQLite file (the production settings: WAL, synchronous=NORMAL) under a
temporary directory unless `--db` names one; `--reuse` measures an existing one without loading.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.report import markdown_table, write_section

REPO = Path(__file__).resolve().parents[1]
SECTION = "platform_bench"
LOAD_TARGET_SECONDS = 120.0
PAGE_TARGET_MS = 150.0
# A common word of the cluster's firm names and its busiest chain link: the search a visitor
# looking for suppliers types (about half the firms carry the word; the link narrows it).
DIRECTORY_QUERIES = {
    "shiling": ("皮具", "sewing"),
    "xinji": ("皮革", "cutting_sewing"),
    "wenzhou": ("鞋业", "upper_stitching"),
    "hechi": ("桑蚕", "mulberry_rearing"),
}
PAGES = ("overview", "chain map", "directory search", "summary API")
NAIVE_OF_PAGE = {
    "overview": "summary",
    "chain map": "chain",
    "directory search": "directory",
    "summary API": "summary",
}
DIRECTORY_PER_PAGE = 25


# --- set-up ----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.platform_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--firms", type=int, default=100_000, help="firms to load (≈)")
    parser.add_argument("--requests", type=int, default=200, help="requests per page and mode")
    parser.add_argument("--layout", choices=("one", "four"), default="one")
    parser.add_argument("--cluster", default="shiling", help="the cluster of --layout one")
    parser.add_argument("--db", type=Path, help="SQLite file (default: under a temporary dir)")
    parser.add_argument("--reuse", action="store_true", help="measure an existing --db, no load")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--out", type=Path, help="markdown file whose section to write")
    parser.add_argument("--load-sample", type=int, default=2_000, help="firms of the create() run")
    parser.add_argument("--naive-runs", type=int, default=3, help="runs of the naive baseline")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if args.firms < 1 or args.requests < 1 or args.naive_runs < 1 or args.load_sample < 1:
        parser.error("--firms, --requests, --naive-runs and --load-sample must be positive")
    if args.reuse and (args.db is None or not args.db.exists()):
        parser.error("--reuse needs an existing --db")
    if args.db is not None and args.db.exists() and not args.reuse:
        parser.error(f"{args.db} exists: remove it, or pass --reuse to measure it as it is")
    return args


def configure_django(db_path: Path, data_dir: Path) -> None:
    """The production settings on a benchmark SQLite file, with the default (file) cache."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "clusterbrain.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path.resolve()}"
    os.environ["CLUSTERBRAIN_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ.pop("CACHE_URL", None)
    (data_dir / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT, for whitenoise
    import django

    django.setup()


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        nproc = str(len(os.sched_getaffinity(0)))
    except AttributeError:
        nproc = str(os.cpu_count())
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "nproc": nproc,
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "commit": commit or "unknown",
        "os": platform.platform(),
    }


def load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    p50: float
    p95: float
    max: float
    n: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Stats:
        ordered = sorted(samples)
        rank = max(0, math.ceil(0.95 * len(ordered)) - 1)  # nearest-rank 95th percentile
        return cls(statistics.median(ordered), ordered[rank], ordered[-1], len(ordered))


@dataclass
class LoadFigures:
    firms: int = 0
    rows: int = 0
    generate_s: float = 0.0
    load_s: float = 0.0
    per_cluster: list[tuple[str, int, int, float, float]] = field(default_factory=list)
    sample_firms: int = 0
    sample_rows: int = 0
    sample_s: float = 0.0

    @property
    def total_s(self) -> float:
        return self.generate_s + self.load_s

    @property
    def naive_s(self) -> float:
        return self.sample_s / self.sample_rows * self.rows if self.sample_rows else 0.0


@dataclass
class PageFigures:
    url: str
    steady: Stats  # cached, nothing written in between
    after_write: Stats  # the request right after a committed write through the services
    cold: Stats  # the aggregates computed from SQL (cache dropped, no recompute)
    write: Stats  # the writes before the after-write requests, their recompute on commit included
    bytes: int


@dataclass
class Result:
    args: argparse.Namespace
    machine: dict[str, str]
    slug: str = ""
    layout: str = ""
    scale: int = 0
    cluster_firms: int = 0
    load: LoadFigures | None = None
    pages: dict[str, PageFigures] = field(default_factory=dict)
    naive: dict[str, Stats] = field(default_factory=dict)
    naive_firms: int = 0
    # (cold, steady, after a write) SQL queries of one request per page
    queries_tiny: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    queries_full: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    tiny_firms: int = 0
    checked: list[str] = field(default_factory=list)
    write: str = ""  # what the after-write requests' writes change
    load_before: str = ""
    load_after: str = ""
    started: str = ""
    seconds: float = 0.0


# --- a. generate and load --------------------------------------------------------------------


def plan_scale(slugs: Sequence[str], firms: int, seed: int, day: date) -> int:
    """The scale whose firm count across `slugs` is nearest `firms` (firms grow linearly with the
    scale: fixed notable firms plus ordinary firms times the scale)."""
    from clusterbrain.demo.generator import generate_cluster

    one = sum(len(generate_cluster(s, scale=1, seed=seed, as_of=day).firms) for s in slugs)
    two = sum(len(generate_cluster(s, scale=2, seed=seed, as_of=day).firms) for s in slugs)
    per_scale = two - one
    return max(1, round((firms - (one - per_scale)) / per_scale))


class _Rollback(Exception):
    pass


def naive_load_sample(data: Any, sample: int) -> tuple[int, int, float]:
    """Write the cluster row, the first `sample` firms, their rows and the relations between
    them with one `save()` a row (what `create()` does), in one transaction that is rolled back.
    The rows are the loader's own (`demo.loader.*_row`). (firms, rows, s)."""
    from django.db import transaction
    from django.utils import timezone

    from clusterbrain.chains.models import ChainLink, ChainTemplate
    from clusterbrain.demo import loader

    firms = data.firms[:sample]
    template = ChainTemplate.objects.get(slug=data.template)
    links = dict(ChainLink.objects.filter(template=template).values_list("code", "pk"))
    rows = 0
    elapsed = 0.0
    try:
        with transaction.atomic():
            started = time.perf_counter()
            cluster = loader.cluster_row(data, template)
            cluster.save()
            rows += 1
            now = timezone.now()
            saved: dict[str, int] = {}
            for f in firms:
                firm = loader.enterprise_row(cluster, f)
                firm.save()
                saved[f.uscc] = firm.pk
                children = [
                    *(loader.role_row(firm.pk, r, links) for r in f.roles),
                    *(loader.facility_row(firm.pk, x) for x in f.facilities),
                    *(loader.certification_row(firm.pk, c, now) for c in f.certifications),
                    *(loader.brand_row(cluster, firm.pk, b) for b in f.brands),
                    *(loader.year_row(firm.pk, y) for y in f.years),
                ]
                for row in children:
                    row.save()
                rows += 1 + len(children)
            others = [
                *(loader.brand_row(cluster, None, b) for b in data.regional_brands),
                *(
                    loader.relation_row(saved[s.buyer], saved[s.supplier], s, links)
                    for s in data.supply
                    if s.buyer in saved and s.supplier in saved
                ),
                *(loader.target_row(cluster, t) for t in data.targets),
                *(loader.figure_row(cluster, g) for g in data.figures),
            ]
            for row in others:
                row.save()
            rows += len(others)
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return len(firms), rows, elapsed


def generate_and_load(
    slugs: Sequence[str], scale: int, seed: int, day: date, sample: int, say: Callable[[str], None]
) -> LoadFigures:
    """Generate and load each cluster in turn (the measured one first, as `load_demo` does one
    at a time), timing the two apart; the create() baseline runs on the first one's data before
    it is loaded, so both write into the same database state."""
    from clusterbrain.demo.generator import generate_cluster
    from clusterbrain.demo.loader import count_rows, load_cluster

    figures = LoadFigures()
    for index, slug in enumerate(slugs):
        started = time.perf_counter()
        data = generate_cluster(slug, scale=scale, seed=seed, as_of=day)
        generate_s = time.perf_counter() - started
        if index == 0:
            say(f"create() baseline: first {sample} firms of {slug}")
            figures.sample_firms, figures.sample_rows, figures.sample_s = naive_load_sample(
                data, sample
            )
        rows = count_rows(data)
        say(f"loading {slug}: {len(data.firms):,} firms, {rows:,} rows")
        started = time.perf_counter()
        loaded = load_cluster(data)
        load_s = time.perf_counter() - started
        figures.firms += loaded.firms
        figures.rows += loaded.rows
        figures.generate_s += generate_s
        figures.load_s += load_s
        figures.per_cluster.append((slug, loaded.firms, loaded.rows, generate_s, load_s))
        del data
    return figures


# --- b, d. pages -----------------------------------------------------------------------------


def page_urls(slug: str) -> dict[str, str]:
    from django.urls import reverse

    q, link = DIRECTORY_QUERIES.get(slug, ("有限", ""))
    return {
        "overview": reverse("cluster-overview", args=[slug]),
        "chain map": reverse("chain-map", args=[slug]),
        "directory search": reverse("directory", args=[slug])
        + "?"
        + urlencode({"q": q, "link": link}),
        "summary API": f"/api/v1/clusters/{slug}/summary",
    }


def _get(client: Any, url: str) -> Any:
    response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"GET {url} answered {response.status_code}")
    return response


class Writer:
    """A real write through the services, as a steward makes it: one in-cluster firm's capacity
    in one of its links, set to its value + 1 and back in turn (each write is committed by the
    service's transaction, whose commit recomputes the cluster's aggregates). `restore()` puts
    the original value back."""

    def __init__(self, cluster_id: int) -> None:
        from clusterbrain.accounts.models import Role, User
        from clusterbrain.registry.models import EnterpriseRole

        self.user = User.objects.filter(username="bench-steward").first() or User(
            username="bench-steward"
        )
        self.user.role, self.user.cluster_id = Role.ASSOCIATION, cluster_id
        self.user.save()
        role = (
            EnterpriseRole.objects.filter(
                enterprise__cluster_id=cluster_id, enterprise__in_cluster=True
            )
            .select_related("enterprise", "link")
            .order_by("pk")
            .first()
        )
        if role is None:
            raise SystemExit("the measured cluster has no chain role to write")
        self.role = role
        self.capacity = role.capacity_per_month
        self.count = 0

    def _set(self, capacity: float) -> None:
        from clusterbrain.registry import services

        services.set_role(
            self.user,
            self.role.enterprise,
            link_code=self.role.link.code,
            product_category=self.role.product_category,
            capacity_per_month=capacity,
            output_per_month=self.role.output_per_month,
        )

    def __call__(self) -> float:
        """One write; its server time in ms."""
        self.count += 1
        started = time.perf_counter()
        self._set(self.capacity + self.count % 2)
        return (time.perf_counter() - started) * 1000

    def describe(self) -> str:
        role = self.role
        return (
            f"firm {role.enterprise_id}'s capacity in `{role.link.code}` "
            f"({self.capacity:,.2f} ↔ {self.capacity + 1:,.2f} per month)"
        )

    def restore(self) -> None:
        if self.count % 2:
            self._set(self.capacity)
            self.count = 0


def time_pages(
    cluster_id: int, urls: dict[str, str], requests: int, write: Writer
) -> dict[str, PageFigures]:
    from django.test import Client

    from clusterbrain.registry.selectors import invalidate_cluster

    client = Client()
    result = {}
    try:
        for name, url in urls.items():
            size = len(_get(client, url).content)  # warms imports, templates, SQLite's page cache
            samples: dict[str, list[float]] = {"steady": [], "after": [], "cold": [], "write": []}
            for mode in ("steady", "after", "cold"):
                for _ in range(requests):
                    if mode == "after":
                        samples["write"].append(write())
                    elif mode == "cold":
                        invalidate_cluster(cluster_id, recompute=False)
                    started = time.perf_counter()
                    _get(client, url)
                    samples[mode].append((time.perf_counter() - started) * 1000)
            result[name] = PageFigures(
                url,
                steady=Stats.of(samples["steady"]),
                after_write=Stats.of(samples["after"]),
                cold=Stats.of(samples["cold"]),
                write=Stats.of(samples["write"]),
                bytes=size,
            )
    finally:
        write.restore()
    return result


def count_page_queries(cluster_id: int, urls: dict[str, str]) -> dict[str, tuple[int, int, int]]:
    """SQL queries of one request per page: (cold, steady, right after a write)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from clusterbrain.registry.selectors import invalidate_cluster

    client = Client()
    write = Writer(cluster_id)
    counts = {}
    try:
        for name, url in urls.items():
            invalidate_cluster(cluster_id, recompute=False)
            with CaptureQueriesContext(connection) as cold:
                _get(client, url)
            with CaptureQueriesContext(connection) as steady:
                _get(client, url)
            write()
            with CaptureQueriesContext(connection) as after:
                _get(client, url)
            counts[name] = (len(cold), len(steady), len(after))
    finally:
        write.restore()
    return counts


# --- c. the figures: selectors and the naive baseline ----------------------------------------


def _ascii_fold(text: str) -> str:
    """SQLite's LIKE (icontains) ignores case for ASCII letters only."""
    return text.translate({c: c + 32 for c in range(ord("A"), ord("Z") + 1)})


def _chain_figures(report: Any) -> dict[str, Any]:
    return {
        "completeness": report.completeness,
        "gap_links": sorted(report.gap_links),
        "concentrated_links": sorted(report.concentrated_links),
        "links": {
            r.link: {
                "firms": r.firms,
                "capacity": r.capacity,
                "output": r.output,
                "hhi": r.hhi,
                "firms_outside": r.firms_outside,
                "is_gap": r.is_gap,
                "is_concentrated": r.is_concentrated,
            }
            for r in report.links
        },
    }


def selector_figures(cluster: Any, q: str, link: str) -> dict[str, Any]:
    from clusterbrain.registry import selectors

    summary = selectors.cluster_summary(cluster, None)
    localisation = selectors.localisation(cluster, None)
    page = selectors.enterprise_directory(
        cluster, None, selectors.DirectoryFilters(q=q, link=link), per_page=DIRECTORY_PER_PAGE
    )
    chain = _chain_figures(selectors.chain_report(cluster))
    return {
        "summary": {
            "enterprises": summary.enterprises,
            "in_cluster": summary.in_cluster,
            "outside": summary.outside,
            "members": summary.members,
            "leading": summary.leading,
            "above_size": summary.above_size,
            "by_size_class": summary.by_size_class,
            "certifications": summary.certifications,
            "green_factories": summary.green_factories,
            "output_by_year": dict(selectors.output_value_by_year(cluster)),
            "localisation_by_year": dict(localisation.by_year),
            "chain": chain,
        },
        "chain": chain,
        "directory": {
            "total": page.total,
            "rows": [
                [row.enterprise.pk, row.capacity, list(row.certifications)] for row in page.rows
            ],
        },
    }


def _naive_chain_model(cluster: Any) -> tuple[list[Any], list[Any]]:
    from clusterbrain.chains.models import ChainEdge, ChainLink
    from clusterbrain.engines.chain import Edge, Link

    links = [
        Link(code=link.code, core=link.is_core, unit=link.unit, name=link.name)
        for link in ChainLink.objects.filter(template_id=cluster.chain_template_id)
    ]
    edges = [
        Edge(e.upstream.code, e.downstream.code, e.input_coefficient)
        for e in ChainEdge.objects.filter(template_id=cluster.chain_template_id).select_related(
            "upstream", "downstream"
        )
    ]
    return links, edges


def _naive_analyse(cluster: Any, roles: list[Any]) -> Any:
    from django.conf import settings

    from clusterbrain.engines.chain import aggregate_roles, analyse_chain

    links, edges = _naive_chain_model(cluster)
    return analyse_chain(
        links,
        edges,
        aggregate_roles(roles),
        min_firms=settings.CHAIN_MIN_FIRMS,
        hhi_threshold=settings.CHAIN_HHI_THRESHOLD,
    )


def _firm_roles(cluster: Any, firm: Any) -> list[Any]:
    """One query: the firm's roles in its cluster's chain, as engine roles."""
    from clusterbrain.engines.chain import Role

    return [
        Role(
            firm.pk, role.link.code, role.capacity_per_month, role.output_per_month, firm.in_cluster
        )
        for role in firm.roles.select_related("link")
        if role.link.template_id == cluster.chain_template_id
    ]


def naive_chain(cluster: Any) -> dict[str, Any]:
    from clusterbrain.registry.models import Enterprise

    roles = []
    for firm in Enterprise.objects.filter(cluster=cluster):
        roles.extend(_firm_roles(cluster, firm))
    return _chain_figures(_naive_analyse(cluster, roles))


def naive_summary(cluster: Any) -> dict[str, Any]:
    """The summary's figures as a loop over the cluster's firms, querying each firm's roles,
    certificates and yearly figures (and a leading firm's purchases) one query at a time."""
    from django.utils import timezone

    from clusterbrain.engines.chain import Relation, localisation_rate
    from clusterbrain.registry.models import Certification, Enterprise

    today = timezone.localdate()
    green_kinds = set(Certification.GREEN_FACTORY_KINDS)
    counts = dict.fromkeys(("enterprises", "in_cluster", "members", "leading", "above_size"), 0)
    by_size = dict.fromkeys(Enterprise.SizeClass.values, 0)
    certifications = dict.fromkeys(Certification.Kind.values, 0)
    green = 0
    output: dict[int, Decimal] = defaultdict(Decimal)
    relations: dict[int, list[Any]] = defaultdict(list)
    roles = []
    for firm in Enterprise.objects.filter(cluster=cluster):
        counts["enterprises"] += 1
        counts["members"] += firm.is_member
        roles.extend(_firm_roles(cluster, firm))
        if firm.in_cluster:
            counts["in_cluster"] += 1
            counts["leading"] += firm.is_leading
            counts["above_size"] += firm.above_designated_size
            by_size[firm.size_class] += 1
            kinds = {
                c.kind
                for c in firm.certifications.all()
                if c.valid_until is None or c.valid_until >= today
            }
            for kind in kinds:
                certifications[kind] += 1
            green += bool(kinds & green_kinds)
            for year in firm.years.all():
                if year.output_value is not None:
                    output[year.year] += year.output_value
        if firm.is_leading:
            for r in firm.purchases.select_related("supplier", "link"):
                local = r.supplier.cluster_id == cluster.pk and r.supplier.in_cluster
                relations[r.year].append(
                    Relation(firm.pk, r.supplier_id, r.link.code, float(r.value), local)
                )
    localisation = {
        year: localisation_rate(rows, leading_ids={r.buyer_id for r in rows}).rate
        for year, rows in sorted(relations.items())
    }
    return {
        **counts,
        "outside": counts["enterprises"] - counts["in_cluster"],
        "by_size_class": by_size,
        "certifications": certifications,
        "green_factories": green,
        "output_by_year": {year: float(total) for year, total in output.items()},
        "localisation_by_year": localisation,
        "chain": _chain_figures(_naive_analyse(cluster, roles)),
    }


def naive_directory(cluster: Any, q: str, link: str) -> dict[str, Any]:
    """The directory search as a loop over the firms: the text matched in Python, each
    candidate's roles queried for the link filter, the first page's certificates per firm."""
    from django.utils import timezone

    from clusterbrain.registry.models import Enterprise

    today = timezone.localdate()
    text = _ascii_fold(q.strip())
    matches = []
    for firm in Enterprise.objects.filter(cluster=cluster):
        if text:
            fields = (
                firm.name_zh,
                firm.name_en,
                firm.main_products_zh,
                firm.main_products_en,
                firm.address_zh,
                firm.address_en,
            )
            found = any(text in _ascii_fold(value or "") for value in fields)
            if not found and not (len(text) <= 18 and firm.uscc == q.strip().upper()):
                continue
        roles = list(firm.roles.select_related("link"))
        if link:
            roles = [
                r
                for r in roles
                if r.link.code == link and r.link.template_id == cluster.chain_template_id
            ]
            if not roles:
                continue
        matches.append((firm, roles))
    matches.sort(key=lambda match: (not match[0].in_cluster, match[0].name_zh, match[0].pk))
    rows = []
    for firm, roles in matches[:DIRECTORY_PER_PAGE]:
        kinds = sorted(
            {
                c.kind
                for c in firm.certifications.all()
                if c.valid_until is None or c.valid_until >= today
            }
        )
        rows.append([firm.pk, float(sum(r.capacity_per_month for r in roles)), kinds])
    return {"total": len(matches), "rows": rows}


NAIVE = {"summary": naive_summary, "chain": naive_chain, "directory": naive_directory}


def differences(ours: Any, theirs: Any, path: str = "") -> list[str]:
    """Where two figure trees differ (floats within 1e-9, relative: summing order differs)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        found = []
        for key in sorted(set(ours) | set(theirs), key=str):
            if key not in ours or key not in theirs:
                found.append(f"{path}/{key}: only in {'ours' if key in ours else 'baseline'}")
            else:
                found += differences(ours[key], theirs[key], f"{path}/{key}")
        return found
    if isinstance(ours, list | tuple) and isinstance(theirs, list | tuple):
        if len(ours) != len(theirs):
            return [f"{path}: {len(ours)} items against {len(theirs)}"]
        return [
            d
            for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    numbers = (int, float, Decimal)
    if (
        isinstance(ours, numbers)
        and isinstance(theirs, numbers)
        and not isinstance(ours, bool)
        and not isinstance(theirs, bool)
    ):
        if math.isclose(float(ours), float(theirs), rel_tol=1e-9, abs_tol=1e-9):
            return []
    elif ours == theirs:
        return []
    return [f"{path}: ours {ours!r}, baseline {theirs!r}"]


def check_and_time_naive(
    cluster: Any, runs: int, say: Callable[[str], None]
) -> tuple[dict[str, Stats], list[str]]:
    """Run each naive computation `runs` times, checking its figures against the selectors'."""
    q, link = DIRECTORY_QUERIES.get(cluster.slug, ("有限", ""))
    ours = selector_figures(cluster, q, link)
    arguments: dict[str, tuple[Any, ...]] = {
        "summary": (cluster,),
        "chain": (cluster,),
        "directory": (cluster, q, link),
    }
    timings: dict[str, Stats] = {}
    checked = []
    for name, compute in NAIVE.items():
        samples = []
        for run in range(runs):
            started = time.perf_counter()
            figures = compute(*arguments[name])
            samples.append((time.perf_counter() - started) * 1000)
            say(f"naive {name}: run {run + 1}/{runs}, {samples[-1] / 1000:.1f} s")
            if run == 0:
                found = differences(ours[name], figures)
                if found:
                    raise AssertionError(
                        f"naive {name} figures differ from the selectors' on {cluster.slug}:\n"
                        + "\n".join(found[:20])
                    )
                checked.append(name)
        timings[name] = Stats.of(samples)
    return timings, checked


# --- the run ---------------------------------------------------------------------------------


def run(args: argparse.Namespace, say: Callable[[str], None]) -> Result:
    from django.core.management import call_command
    from django.utils import timezone

    from clusterbrain.demo.generator import generate_cluster
    from clusterbrain.demo.loader import delete_demo_cluster, ensure_templates, load_cluster
    from clusterbrain.demo.specs import CLUSTERS, DEFAULT_SEED
    from clusterbrain.registry.models import Cluster, Enterprise

    result = Result(args=args, machine=machine())
    result.started = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime())
    result.load_before = load_average()
    began = time.perf_counter()
    seed = DEFAULT_SEED if args.seed is None else args.seed
    day = timezone.localdate()
    say("migrating")
    call_command("migrate", verbosity=0)

    if args.reuse:
        clusters = list(Cluster.objects.filter(is_demo=True))
        if not clusters:
            raise SystemExit(f"{args.db} holds no demo cluster")
        cluster = max(clusters, key=lambda c: Enterprise.objects.filter(cluster=c).count())
        result.layout = "reused"
    else:
        if args.layout == "one":
            if args.cluster not in CLUSTERS:
                raise SystemExit(f"unknown cluster {args.cluster!r}; known: {sorted(CLUSTERS)}")
            slugs = [args.cluster]
        else:
            # The biggest first: its pages are measured and the create() baseline runs on it.
            slugs = sorted(
                CLUSTERS,
                key=lambda s: -len(generate_cluster(s, scale=1, seed=seed, as_of=day).firms),
            )
        result.layout = args.layout
        result.scale = plan_scale(slugs, args.firms, seed, day)

        # d. query counts at scale 1 of the measured cluster, in this database, then removed.
        say(f"scale 1 of {slugs[0]}: query counts and figure check")
        ensure_templates()
        tiny = load_cluster(generate_cluster(slugs[0], scale=1, seed=seed, as_of=day))
        result.tiny_firms = tiny.firms
        tiny_cluster = Cluster.objects.get(pk=tiny.cluster_id)
        result.queries_tiny = count_page_queries(tiny.cluster_id, page_urls(slugs[0]))
        check_and_time_naive(tiny_cluster, 1, lambda _line: None)
        delete_demo_cluster(slugs[0])

        say(f"generate and load: {', '.join(slugs)} at scale {result.scale}")
        result.load = generate_and_load(slugs, result.scale, seed, day, args.load_sample, say)
        cluster = Cluster.objects.get(slug=slugs[0])

    result.slug = cluster.slug
    result.cluster_firms = Enterprise.objects.filter(cluster=cluster).count()
    urls = page_urls(cluster.slug)
    result.queries_full = count_page_queries(cluster.pk, urls)
    say(f"pages: {args.requests} requests each in steady state, after a write, and cold")
    writer = Writer(cluster.pk)
    result.write = writer.describe()
    result.pages = time_pages(cluster.pk, urls, args.requests, writer)
    say(f"naive baseline: {args.naive_runs} run(s) of each")
    result.naive_firms = result.cluster_firms
    result.naive, checked = check_and_time_naive(cluster, args.naive_runs, say)
    result.checked = [f"{name} ({result.cluster_firms:,} firms)" for name in checked]
    if result.tiny_firms:
        result.checked += [f"all at scale 1 ({result.tiny_firms:,} firms)"]
    result.load_after = load_average()
    result.seconds = time.perf_counter() - began
    return result


# --- report ----------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _seconds(value: float) -> str:
    return f"{value:,.1f} s" if value >= 1 else f"{value:.2f} s"


def _ratio(baseline: float, ours: float) -> str:
    if ours <= 0:
        return "–"
    ratio = baseline / ours
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:,.1f}×"


def _verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


MODES = (
    # (attribute, label, has the page target)
    ("steady", "steady state", True),
    ("after_write", "read after a write", True),
    ("cold", "cold: full recompute", False),
)


def rows_of(result: Result) -> list[list[str]]:
    """The main table: measure, ours, baseline, ratio, target, pass/fail."""
    rows = []
    load = result.load
    if load is not None:
        rows.append(
            [
                f"generate + load {load.firms:,} firms ({load.rows:,} rows)",
                f"{_seconds(load.total_s)} (generate {_seconds(load.generate_s)}, "
                f"load {_seconds(load.load_s)})",
                f"{_seconds(load.naive_s)} (load only, create() a row: "
                f"{load.sample_rows:,} rows of {load.sample_firms:,} firms in "
                f"{_seconds(load.sample_s)}, × {load.rows / max(1, load.sample_rows):,.1f})",
                _ratio(load.naive_s, load.load_s) + " (load)",
                f"≤ {LOAD_TARGET_SECONDS:.0f} s",
                _verdict(load.total_s <= LOAD_TARGET_SECONDS),
            ]
        )
    for name, page in result.pages.items():
        naive = result.naive.get(NAIVE_OF_PAGE[name])
        for attribute, label, targeted in MODES:
            stats: Stats = getattr(page, attribute)
            cold = attribute == "cold"
            rows.append(
                [
                    f"{name}, {label} (p50 / p95 / max ms)",
                    f"{_ms(stats.p50)} / {_ms(stats.p95)} / {_ms(stats.max)}",
                    (
                        f"{_ms(naive.p50)} ms naive {NAIVE_OF_PAGE[name]} (p50 of {naive.n})"
                        if naive and cold
                        else ""
                    ),
                    _ratio(naive.p50, stats.p50) if naive and cold else "",
                    f"p95 ≤ {PAGE_TARGET_MS:.0f} ms" if targeted else "none (reported)",
                    _verdict(stats.p95 <= PAGE_TARGET_MS) if targeted else "–",
                ]
            )
    writes = [page.write for page in result.pages.values()]
    if writes:
        rows.append(
            [
                "write through the services (`set_role`), its recompute on commit included "
                "(p50 / p95 / max ms)",
                f"{_ms(statistics.median(w.p50 for w in writes))} / "
                f"{_ms(max(w.p95 for w in writes))} / {_ms(max(w.max for w in writes))}",
                "",
                "",
                "none (reported)",
                "–",
            ]
        )
    return rows


def query_rows(result: Result) -> list[list[str]]:
    rows = []
    for name in PAGES:
        tiny = result.queries_tiny.get(name)
        full = result.queries_full.get(name)
        same = "–" if tiny is None else "yes" if tiny == full else "NO: differs"
        rows.append(
            [
                name,
                " / ".join(str(n) for n in tiny) if tiny else "–",
                " / ".join(str(n) for n in full) if full else "–",
                same,
            ]
        )
    return rows


HEADERS = ["measure", "ours", "naive baseline", "ratio", "target", "result"]
QUERY_HEADERS = [
    "page",
    "queries at scale 1 (cold / steady / after a write)",
    "at full size (cold / steady / after a write)",
    "same",
]


def print_report(result: Result) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200, highlight=False)
    title = (
        f"clusterbrain platform benchmark: {result.cluster_firms:,} firms in {result.slug} "
        f"(layout {result.layout}, scale {result.scale})"
    )
    table = Table(title=title, show_lines=False)
    for header in HEADERS:
        table.add_column(header, overflow="fold", no_wrap=header == "measure")
    for row in rows_of(result):
        table.add_row(*row)
    console.print(table)
    queries = Table(title="SQL queries per page")
    for header in QUERY_HEADERS:
        queries.add_column(header)
    for row in query_rows(result):
        queries.add_row(*row)
    console.print(queries)
    if result.load is not None:
        per = Table(title="generate and load per cluster")
        for header in ("cluster", "firms", "rows", "generate", "load"):
            per.add_column(header)
        for slug, firms, rows, gen, load in result.load.per_cluster:
            per.add_row(slug, f"{firms:,}", f"{rows:,}", _seconds(gen), _seconds(load))
        console.print(per)
    console.print("naive figures match the selectors: " + ", ".join(result.checked))
    for name, page in result.pages.items():
        console.print(f"  {name}: GET {page.url} ({page.bytes:,} bytes)")
    console.print(f"the write before each after-write request: set_role, {result.write}")
    console.print(
        f"load average before / after (1, 5, 15 min): {result.load_before} | {result.load_after}; "
        f"whole run {_seconds(result.seconds)}"
    )


def markdown(result: Result) -> str:
    m = result.machine
    args = result.args
    command = (
        f".venv/bin/python -m bench.platform_bench --firms {args.firms} --requests {args.requests}"
        f" --layout {args.layout}"
        + (f" --cluster {args.cluster}" if args.layout == "one" else "")
        + f" --naive-runs {args.naive_runs} --load-sample {args.load_sample}"
    )
    where = (
        f"one cluster, `{result.slug}`"
        if result.layout == "one"
        else f"`{result.slug}`, the biggest of the clusters loaded"
    )
    if result.load is not None:
        data = (
            f"the demo generator at scale {result.scale}, layout `{result.layout}`: "
            f"{result.load.firms:,} firms loaded in all, the pages of `{result.slug}` "
            f"({result.cluster_firms:,} firms)."
        )
    else:
        data = f"an existing database (`--reuse`), `{result.slug}`, {result.cluster_firms:,} firms."
    lines = [
        f"## Platform benchmark: {result.cluster_firms:,} firms in {where}",
        "",
        f"Run {result.started} at commit `{m['commit']}`: `{command}` "
        f"(whole run {_seconds(result.seconds)}).",
        "",
        f"Machine: {m['nproc']} CPUs (`nproc`), {m['cpu']}, {m['ram']} RAM, {m['os']}; "
        f"Python {m['python']}, SQLite {m['sqlite']}. Database: a SQLite file on local disk "
        "(the production settings: WAL, synchronous=NORMAL), Django's file cache. "
        f"Load average (1, 5, 15 min) before the run {result.load_before}, after it "
        f"{result.load_after}: the machine is shared with other engineers' concurrent test "
        f"runs on its {m['nproc']} CPUs, so these times are upper bounds for an idle machine.",
        "",
        f"Data: {data}",
        "",
        markdown_table(HEADERS, rows_of(result)),
    ]
    lines += [
        "",
        "Steady state: reads with nothing written in between (the cluster's aggregates "
        "cached). Read after a write: before every request a real write through the services "
        f"(`registry.services.set_role`, {result.write}) is committed, and the cluster's "
        "aggregates are recomputed by that commit (`transaction.on_commit`, "
        "`registry.selectors.recompute_after_commit`); only the request is timed, the write "
        "(its recompute included) has its own row. Cold: the cached aggregates dropped "
        "before every request without a recompute (`invalidate_cluster(…, recompute=False)`), "
        "so summary, chain and localisation aggregates are computed from SQL in the request: "
        "the full recompute, which each write now pays on commit and a read pays only after "
        "a cache loss; it has no target. Times are server times through Django's test client "
        "(routing, middleware, selectors, template or JSON). "
        f"{result.args.requests} requests per page and mode. The naive baseline computes the "
        "same figures with one ORM query per firm per relation (roles, certificates, yearly "
        "figures, a leading firm's purchases) and was checked equal to the selectors' figures "
        f"in the same run: {', '.join(result.checked)}. Ratio = baseline ÷ our cold p50.",
        "",
        "SQL queries per page (one request: cold / steady state / right after a write), at "
        "scale 1 of the same cluster and at the full size:",
        "",
        markdown_table(QUERY_HEADERS, query_rows(result)),
    ]
    lines += ["", "Pages requested:", ""]
    lines += [f"- {name}: `GET {page.url}`" for name, page in result.pages.items()]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="cb-platform-bench-"))
    db_path = args.db or workdir / "bench.sqlite3"
    try:
        configure_django(db_path, workdir / "data")

        def say(line: str) -> None:
            print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)

        result = run(args, say)
        print_report(result)
        if args.out is not None:
            key = (
                SECTION if args.layout == "one" and not args.reuse else f"{SECTION}:{result.layout}"
            )
            write_section(args.out, key, markdown(result))
            say(f"wrote the section {key!r} of {args.out}")
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
