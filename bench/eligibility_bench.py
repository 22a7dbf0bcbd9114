"""Eligibility of every firm of a cluster against many support programs: our path (the firms'
profiles as one polars frame from a handful of bulk queries, then each rule evaluated on it
with polars expressions) beside the rules evaluated in the database with one ORM query per
firm and rule, on the same SQLite data in the same run.

    .venv/bin/python -m bench.eligibility_bench [--firms 100000] [--programs 50] [--sample 200]
        [--page-sample 20] [--repeat 3] [--cluster shiling] [--db PATH [--reuse] [--keep]]
        [--out docs/benchmarks.md]

Data: the demo generator's cluster at the scale nearest `--firms` (firms with chain roles,
certificates and yearly figures, as `clusterbrain demo` loads them), plus an open
environmental violation for `--violations` of its firms (bulk-created). Programs: `--programs`
rules drawn from a seeded generator of realistic rules (4-8 conditions over size class, chain
links, certificates, violations, growth, age, revenue, staff, membership, with `or` groups and
`not`), each compiled against `programs.profiles.profile_fields(cluster)`.

Ours: `programs.profiles.profile_frame` over all the cluster's firms, then
`CompiledRule.evaluate_frame` for every rule; both parts and the total are reported beside the
target (≤ 5 s for 100,000 firms and 50 programs, printed, never asserted).

Peer: each rule translated to a Django filter (chain links, certificates and violations as
`Exists` subqueries, the latest yearly figures and revenue growth as `Subquery` aliases, the
rule's three-valued logic kept by translating every node into a "TRUE" and a "FALSE" condition
so a missing value is never counted as met), then for each (firm, rule)
`Enterprise.objects.filter(pk=…).alias(…).filter(<rule is TRUE>).exists()`: one query per firm
and rule. It is timed on `--sample` firms (every rule) and extrapolated to all firms; the output
says so. A second peer, the per-firm path of a firm's own page (`profile_of(firm)` then
`CompiledRule.evaluate` for every rule), is timed on the first `--page-sample` firms of the
sample. All three must give the same eligible firms on the sample, or the run fails. Ours runs
`--repeat` times and the median run is reported (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
KEY = "eligibility_bench"
TARGET_SECONDS = 5.0
# Profile fields the ORM peer does not translate (the generated rules do not name them): the
# carbon grade is computed in Python by green.selectors, the on-time rate from assignments.
PEER_UNSUPPORTED = ("carbon_grade", "on_time_delivery_rate")
ENTERPRISE_COLUMNS = (
    "size_class",
    "above_designated_size",
    "is_member",
    "is_leading",
    "in_cluster",
    "founded_year",
)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.eligibility_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--firms", type=int, default=100_000, help="firms to load (≈)")
    parser.add_argument("--programs", type=int, default=50, help="rules to evaluate")
    parser.add_argument("--sample", type=int, default=200, help="firms of the per-query peer")
    parser.add_argument(
        "--page-sample", type=int, default=20, help="firms of the page path (first of the sample)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours (the median is kept)")
    parser.add_argument("--cluster", default="shiling", help="the demo cluster to load")
    parser.add_argument("--violations", type=float, default=0.02, help="share of firms with one")
    parser.add_argument("--db", type=Path, help="SQLite file (default: under a temporary dir)")
    parser.add_argument("--reuse", action="store_true", help="measure an existing --db, no load")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--out", type=Path, help="markdown file whose section to write")
    parser.add_argument("--seed", type=int, default=17, help="seed of the rules and the sample")
    args = parser.parse_args(argv)
    if min(args.firms, args.programs, args.sample, args.page_sample, args.repeat) < 1:
        parser.error("--firms, --programs, --sample, --page-sample and --repeat must be positive")
    if not 0 <= args.violations <= 1:
        parser.error("--violations is a share between 0 and 1")
    if args.reuse and (args.db is None or not args.db.exists()):
        parser.error("--reuse needs an existing --db")
    if args.db is not None and args.db.exists() and not args.reuse:
        parser.error(f"{args.db} exists: remove it, or pass --reuse to measure it as it is")
    return args


# --- data ------------------------------------------------------------------------------------


def load_cluster_of_size(
    slug: str, firms: int, day: date, say: Callable[[str], None]
) -> tuple[int, float]:
    """Generate and load the demo cluster at the scale nearest `firms`. (scale, seconds)"""
    from bench.platform_bench import plan_scale
    from clusterbrain.demo.generator import generate_cluster
    from clusterbrain.demo.loader import ensure_templates, load_cluster
    from clusterbrain.demo.specs import DEFAULT_SEED

    ensure_templates()
    scale = plan_scale([slug], firms, DEFAULT_SEED, day)
    started = time.perf_counter()
    data = generate_cluster(slug, scale=scale, seed=DEFAULT_SEED, as_of=day)
    say(f"loading {slug} at scale {scale}: {len(data.firms):,} firms")
    load_cluster(data)
    return scale, time.perf_counter() - started


def add_violations(cluster: Any, share: float, seed: int, day: date) -> int:
    """An open environmental violation for a seeded `share` of the cluster's firms (the demo
    generator writes none at scale), so `not open_environmental_violation` excludes some."""
    from clusterbrain.green.models import EnvironmentalViolation
    from clusterbrain.registry.models import Enterprise

    ids = list(Enterprise.objects.filter(cluster=cluster).values_list("pk", flat=True))
    chosen = random.Random(seed).sample(ids, round(len(ids) * share))
    EnvironmentalViolation.objects.bulk_create(
        [
            EnvironmentalViolation(
                enterprise_id=pk, authority="生态环境局 (bench)", found_on=day, is_demo=True
            )
            for pk in chosen
        ],
        batch_size=2_000,
    )
    return len(chosen)


# --- the programs' rules ---------------------------------------------------------------------


def generate_rules(count: int, links: Sequence[str], seed: int) -> list[str]:
    """`count` rules of the shape an office writes: 4-8 conditions joined by `and`, some of
    them `or` groups or negations, over the profile fields the peer can also express."""
    rng = random.Random(seed)
    common_links = list(links)
    certificates = ["iso9001", "st_sme", "iso14001", "high_tech", "specialised_sme"]
    green = ["green_factory_national", "green_factory_provincial", "iso14001"]

    def sizes() -> str:
        chosen = rng.sample(["micro", "small", "medium", "large"], rng.randint(2, 3))
        return "size_class in [" + ", ".join(f'"{s}"' for s in chosen) + "]"

    def link() -> str:
        first, second = rng.sample(common_links, 2)
        if rng.random() < 0.5:
            return f'"{first}" in chain_links'
        return f'("{first}" in chain_links or "{second}" in chain_links)'

    def certificate() -> str:
        first, second = rng.sample(certificates, 2)
        if rng.random() < 0.3:
            return f'("{first}" in certificates or "{second}" in verified_certificates)'
        return f'("{first}" in certificates or "{second}" in certificates or is_leading)'

    pool: list[Callable[[], str]] = [
        sizes,
        link,
        certificate,
        lambda: "not open_environmental_violation",
        lambda: f"revenue_growth >= {rng.choice([-5, -2, 0, 1, 2, 3, 5])}%",
        lambda: f"years_in_operation >= {rng.randint(2, 10)}",
        lambda: f"revenue >= {rng.choice([200_000, 500_000, 1_000_000, 2_000_000]):_}",
        lambda: f"revenue < {rng.choice([20_000_000, 50_000_000, 100_000_000]):_}",
        lambda: f"employees >= {rng.randint(3, 10)}",
        lambda: f"(employees <= {rng.choice([50, 100, 300])} or is_member)",
        lambda: "is_member",
        lambda: "not is_leading",
        lambda: "in_cluster = true",
        lambda: f"(exports > 0 or output_value >= {rng.choice([1, 2, 5])}_000_000)",
        lambda: "above_designated_size = false",
        lambda: f"founded_year <= {rng.randint(2015, 2022)}",
        lambda: "output_value is known",
        lambda: f'not "{rng.choice(green)}" in certificates',
        lambda: "(brand_count >= 1 or is_member)",
    ]
    rules = []
    for number in range(count):
        conditions = [make() for make in rng.sample(pool, rng.randint(4, 8))]
        comment = f"# programme {number + 1} (generated)\n" if rng.random() < 0.3 else ""
        rules.append(comment + "\nand ".join(conditions))
    return rules


# --- the peer: one ORM query per firm and rule -----------------------------------------------


class QueryTranslation:
    """A rule as Django conditions. Every node becomes a pair (TRUE when, FALSE when), so `not`
    swaps the pair instead of using SQL NOT, under which a comparison with a missing value
    (NULL) would count as met: the rule's three-valued logic, kept in SQL."""

    def __init__(self, fields: dict[str, Any], today: date) -> None:
        self.fields = fields
        self.today = today
        self.aliases: dict[str, Any] = {}

    # the values a rule compares, as aliases of the firm's row
    def value(self, name: str) -> str:
        from django.db.models import (
            Case,
            Count,
            ExpressionWrapper,
            F,
            FloatField,
            OuterRef,
            Q,
            Subquery,
            Value,
            When,
        )
        from django.db.models.functions import Cast, Coalesce

        from clusterbrain.registry.models import Brand, EnterpriseYear

        alias = f"v_{name}"
        if alias in self.aliases:
            return alias
        latest = EnterpriseYear.objects.filter(enterprise=OuterRef("pk")).order_by("-year")
        if name in ("size_class", "above_designated_size", "is_member", "is_leading") or name in (
            "in_cluster",
            "founded_year",
        ):
            self.aliases[alias] = F(name)
        elif name == "years_in_operation":
            self.aliases[alias] = Case(
                When(
                    founded_year__lte=self.today.year,
                    then=ExpressionWrapper(
                        Value(self.today.year) - F("founded_year"), output_field=FloatField()
                    ),
                ),
                default=None,
                output_field=FloatField(),
            )
        elif name in ("revenue", "output_value", "employees", "exports"):
            self.aliases[alias] = Cast(Subquery(latest.values(name)[:1]), FloatField())
        elif name == "brand_count":
            brands = (
                Brand.objects.filter(enterprise=OuterRef("pk"))
                .order_by()
                .values("enterprise")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            )
            self.aliases[alias] = Coalesce(Subquery(brands), Value(0))
        elif name == "revenue_growth":
            revenue = self.value("revenue")
            self.aliases["latest_year"] = Subquery(latest.values("year")[:1])
            before = EnterpriseYear.objects.filter(
                enterprise=OuterRef("pk"), year=OuterRef("latest_year") - 1
            ).values("revenue")[:1]
            self.aliases["revenue_before"] = Cast(Subquery(before), FloatField())
            self.aliases[alias] = Case(
                When(
                    Q(revenue_before__gt=0) & Q(**{f"{revenue}__isnull": False}),
                    then=F(revenue) / F("revenue_before") - Value(1.0),
                ),
                default=None,
                output_field=FloatField(),
            )
        else:
            raise ValueError(f"the ORM peer does not express {name!r}")
        return alias

    def exists(self, name: str, value: str | None = None) -> Any:
        from django.db.models import Exists, OuterRef, Q

        from clusterbrain.green.models import EnvironmentalViolation
        from clusterbrain.registry.models import Certification, EnterpriseRole

        if name == "open_environmental_violation":
            rows: Any = EnvironmentalViolation.objects.filter(
                enterprise=OuterRef("pk"), status=EnvironmentalViolation.Status.OPEN
            )
        elif name == "chain_links":
            rows = EnterpriseRole.objects.filter(enterprise=OuterRef("pk"), link__code=value)
        else:
            rows = Certification.objects.filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=self.today),
                Q(valid_until__isnull=True) | Q(valid_until__gte=self.today),
                enterprise=OuterRef("pk"),
                kind=value,
            )
            if name == "verified_certificates":
                rows = rows.filter(verified=True)
        return Exists(rows)

    def rails(self, node: Any) -> tuple[Any, Any]:
        """(the node is TRUE, the node is FALSE) as Q objects; neither holds when UNKNOWN."""
        from django.db.models import Q

        from clusterbrain.engines import rules as r

        always, never = Q(pk__isnull=False), Q(pk__in=[])
        if isinstance(node, r.Everyone):
            return always, never
        if isinstance(node, r.Not):
            true, false = self.rails(node.operand)
            return false, true
        if isinstance(node, r.And | r.Or):
            pairs = [self.rails(operand) for operand in node.operands]
            trues, falses = [p[0] for p in pairs], [p[1] for p in pairs]
            if isinstance(node, r.And):
                return _all(trues), _any(falses)
            return _any(trues), _all(falses)
        if node.field in PEER_UNSUPPORTED:
            raise ValueError(f"the ORM peer does not express {node.field!r}")
        set_valued = node.field in (
            "open_environmental_violation",
            "chain_links",
            "certificates",
            "verified_certificates",
        )
        if set_valued:  # never missing: a firm with no row has none
            if isinstance(node, r.IsKnown):
                return (always, never) if node.known else (never, always)
            if isinstance(node, r.Contains):
                found = Q(self.exists(node.field, node.value.value))
                missing = Q(~self.exists(node.field, node.value.value))
                return (missing, found) if node.negated else (found, missing)
            has = Q(self.exists(node.field))
            has_not = Q(~self.exists(node.field))
            if isinstance(node, r.BoolField):
                return has, has_not
            if isinstance(node, r.Compare):
                true, false = (has, has_not) if node.value.value else (has_not, has)
                return (true, false) if node.op == "=" else (false, true)
            values = {item.value for item in node.values.items}
            true = always if values == {True, False} else (has if True in values else has_not)
            false = never if values == {True, False} else (has_not if True in values else has)
            return (false, true) if node.negated else (true, false)
        v = self.value(node.field)
        known = Q(**{f"{v}__isnull": False})
        if isinstance(node, r.IsKnown):
            missing = Q(**{f"{v}__isnull": True})
            return (known, missing) if node.known else (missing, known)
        if isinstance(node, r.BoolField):
            return Q(**{v: True}), Q(**{v: False})
        if isinstance(node, r.InList):
            values = [item.value for item in node.values.items]
            found = Q(**{f"{v}__in": values})
            other = known & ~Q(**{f"{v}__in": values})
            return (other, found) if node.negated else (found, other)
        assert isinstance(node, r.Compare)
        x = node.value.value
        if self.fields[node.field].type == "number":
            lookups = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
            opposite = {"<": "gte", "<=": "gt", ">": "lte", ">=": "lt"}
            equal = Q(**{v: x})
            unequal = Q(**{f"{v}__lt": x}) | Q(**{f"{v}__gt": x})
            if node.op == "=":
                return equal, unequal
            if node.op == "!=":
                return unequal, equal
            return Q(**{f"{v}__{lookups[node.op]}": x}), Q(**{f"{v}__{opposite[node.op]}": x})
        equal = Q(**{v: x})
        unequal = known & ~Q(**{v: x})
        return (equal, unequal) if node.op == "=" else (unequal, equal)


def _all(conditions: list[Any]) -> Any:
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = combined & condition
    return combined


def _any(conditions: list[Any]) -> Any:
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = combined | condition
    return combined


def peer_queryset(rule: Any, fields: dict[str, Any], today: date) -> Any:
    """The firms for which `rule` is TRUE, as one filtered queryset."""
    from clusterbrain.registry.models import Enterprise

    translation = QueryTranslation(fields, today)
    true, _false = translation.rails(rule.node)
    return Enterprise.objects.alias(**translation.aliases).filter(true)


# --- runs ------------------------------------------------------------------------------------


@dataclass
class Result:
    args: argparse.Namespace
    started: str = ""
    load_before: str = ""
    load_after: str = ""
    slug: str = ""
    scale: int = 0
    load_s: float = 0.0
    firms: int = 0
    violations: int = 0
    rules: list[Any] = field(default_factory=list)
    conditions: list[int] = field(default_factory=list)
    frame_s: float = 0.0
    evaluate_s: float = 0.0
    eligible: list[int] = field(default_factory=list)
    sample: int = 0
    peer_s: float = 0.0
    peer_queries: int = 0
    page_s: float = 0.0
    page_sample: int = 0
    runs: list[float] = field(default_factory=list)
    checked: bool = False
    seconds: float = 0.0

    @property
    def ours_s(self) -> float:
        return self.frame_s + self.evaluate_s

    @property
    def factor(self) -> float:
        return self.firms / self.sample if self.sample else 0.0

    @property
    def peer_total_s(self) -> float:
        return self.peer_s * self.factor

    @property
    def page_factor(self) -> float:
        return self.firms / self.page_sample if self.page_sample else 0.0

    @property
    def page_total_s(self) -> float:
        return self.page_s * self.page_factor


def run(args: argparse.Namespace, say: Callable[[str], None]) -> Result:
    from django.core.management import call_command
    from django.utils import timezone

    from clusterbrain.engines.rules import compile_rule
    from clusterbrain.green.models import EnvironmentalViolation
    from clusterbrain.programs.profiles import profile_fields, profile_frame, profile_of
    from clusterbrain.registry.models import Cluster, Enterprise

    result = Result(args=args, started=f"{datetime.now(UTC):%a %b %d %H:%M:%S UTC %Y}")
    result.load_before = load_average()
    started = time.perf_counter()
    today = timezone.localdate()
    if not args.reuse:
        call_command("migrate", verbosity=0)
        result.scale, result.load_s = load_cluster_of_size(args.cluster, args.firms, today, say)
    cluster = Cluster.objects.get(slug=args.cluster)
    if not args.reuse and args.violations:
        add_violations(cluster, args.violations, args.seed, today)
    result.violations = EnvironmentalViolation.objects.filter(
        enterprise__cluster=cluster, status=EnvironmentalViolation.Status.OPEN
    ).count()
    firms = Enterprise.objects.filter(cluster=cluster)
    result.slug = cluster.slug
    fields = profile_fields(cluster)
    links = fields["chain_links"].choices or ()
    texts = generate_rules(args.programs, links, args.seed)
    rules = [compile_rule(text, fields) for text in texts]
    result.rules = rules
    result.conditions = [
        len(rule.node.operands) for rule in rules if hasattr(rule.node, "operands")
    ]

    say(f"ours: profile_frame over every firm, evaluate_frame for every rule, x {args.repeat}")
    runs = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        frame = profile_frame(firms, today=today)
        frame_s = time.perf_counter() - began
        began = time.perf_counter()
        eligible = [rule.evaluate_frame(frame) for rule in rules]
        evaluate_s = time.perf_counter() - began
        runs.append((frame_s + evaluate_s, frame_s, evaluate_s))
    runs.sort()
    result.runs = [total for total, _f, _e in runs]
    _total, result.frame_s, result.evaluate_s = runs[len(runs) // 2]
    result.firms = frame.height
    result.eligible = [int(mask.sum()) for mask in eligible]
    ids = frame.get_column("enterprise_id").to_list()

    rng = random.Random(args.seed)
    sample_ids = sorted(rng.sample(ids, min(args.sample, len(ids))))
    result.sample = len(sample_ids)
    row_of = {pk: index for index, pk in enumerate(ids)}
    ours = [{pk for pk in sample_ids if mask[row_of[pk]]} for mask in eligible]

    say(f"peer: one ORM query per firm and rule, {len(sample_ids)} firms x {len(rules)} rules")
    querysets = [peer_queryset(rule, fields, today) for rule in rules]
    peer: list[set[int]] = [set() for _ in rules]
    began = time.perf_counter()
    for pk in sample_ids:
        for index, queryset in enumerate(querysets):
            if queryset.filter(pk=pk).exists():
                peer[index].add(pk)
    result.peer_s = time.perf_counter() - began
    result.peer_queries = len(sample_ids) * len(rules)

    page_ids = sample_ids[: args.page_sample]
    result.page_sample = len(page_ids)
    say(f"page path: profile_of and evaluate, per firm, {len(page_ids)} firms")
    page: list[set[int]] = [set() for _ in rules]
    objects = Enterprise.objects.in_bulk(page_ids)
    began = time.perf_counter()
    for pk in page_ids:
        profile = profile_of(objects[pk], today=today)
        for index, rule in enumerate(rules):
            if rule.evaluate(profile).eligible:
                page[index].add(pk)
    result.page_s = time.perf_counter() - began

    for index, rule in enumerate(rules):
        on_page = {pk for pk in ours[index] if pk in objects}
        if ours[index] != peer[index] or on_page != page[index]:
            raise SystemExit(
                f"eligible firms differ on the sample for rule {index + 1}:\n{rule.canonical}\n"
                f"ours only {sorted(ours[index] - peer[index])[:10]}, "
                f"peer only {sorted(peer[index] - ours[index])[:10]}, "
                f"page path differs at {sorted(on_page ^ page[index])[:10]}"
            )
    result.checked = True
    result.seconds = time.perf_counter() - started
    result.load_after = load_average()
    return result


# --- report ----------------------------------------------------------------------------------


def load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _s(seconds: float) -> str:
    return f"{seconds:,.1f} s" if seconds >= 10 else f"{seconds:,.2f} s"


def rows_of(result: Result) -> list[list[str]]:
    n, p = result.firms, len(result.rules)
    ratio = result.peer_total_s / result.ours_s if result.ours_s else 0.0
    page_ratio = result.page_total_s / result.ours_s if result.ours_s else 0.0
    verdict = "pass" if result.ours_s <= TARGET_SECONDS else "miss"
    return [
        [
            f"eligibility of {n:,} firms x {p} programs",
            f"{_s(result.ours_s)} (profile_frame {_s(result.frame_s)}, "
            f"evaluate_frame x {p} {_s(result.evaluate_s)})",
            f"{_s(result.peer_total_s)} (extrapolated: {result.peer_queries:,} queries on "
            f"{result.sample} firms in {_s(result.peer_s)}, x {result.factor:,.1f})",
            f"{ratio:,.0f}x",
            f"≤ {TARGET_SECONDS:.0f} s",
            verdict,
        ],
        [
            "the same, a firm's page path (profile_of + evaluate, per firm)",
            "",
            f"{_s(result.page_total_s)} (extrapolated: {result.page_sample} firms in "
            f"{_s(result.page_s)}, x {result.page_factor:,.1f})",
            f"{page_ratio:,.0f}x",
            "none (reported)",
            "–",
        ],
    ]


HEADERS = ("measure", "ours", "peer", "ratio", "target", "result")


def print_report(result: Result) -> None:
    rows = rows_of(result)
    print(f"{result.firms:,} firms of {result.slug}, {len(result.rules)} programs")
    for row in rows:
        print(f"- {row[0]}")
        print(f"    ours  {row[1] or '-'}")
        print(f"    peer  {row[2]}")
        print(f"    ratio {row[3]}   target {row[4]}   {row[5]}")
    counts = sorted(result.eligible)
    print(
        f"eligible firms per program: min {counts[0]:,}, median "
        f"{statistics.median(counts):,.0f}, max {counts[-1]:,}"
    )
    print(
        f"eligible sets equal on the {result.sample} sampled firms: ours = peer "
        f"(= page path on the first {result.page_sample})"
    )
    print(
        "the peers are timed on samples and extrapolated linearly by firms "
        f"(x {result.factor:,.1f}, x {result.page_factor:,.1f})"
    )
    print("ours, every run (s): " + ", ".join(f"{total:.2f}" for total in result.runs))


MEASURED_CODE = ("src/clusterbrain/engines/rules", "src/clusterbrain/programs/profiles.py")


def uncommitted_note() -> str:
    """The working tree is shared by several engineers: say when the measured code differs
    from the commit named."""
    done = subprocess.run(
        ["git", "status", "--porcelain", "--", *MEASURED_CODE],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    changed = sorted({line[3:] for line in done.stdout.splitlines() if line.strip()})
    return f" (with uncommitted changes to {', '.join(changed)})" if changed else ""


def markdown(result: Result, meta: dict[str, str]) -> str:
    from bench.report import markdown_table

    args = result.args
    counts = sorted(result.eligible)
    command = (
        f".venv/bin/python -m bench.eligibility_bench --firms {args.firms} --programs "
        f"{args.programs} --sample {args.sample} --page-sample {args.page_sample} --repeat "
        f"{args.repeat} --cluster {args.cluster}" + (" --reuse" if args.reuse else "")
    )
    data = (
        f"the demo generator's `{result.slug}` at scale {result.scale} ({result.firms:,} firms, "
        f"loaded in {_s(result.load_s)}), an open environmental violation for "
        f"{result.violations:,} of them"
        if not args.reuse
        else f"an existing database (`--reuse`) of this benchmark, `{result.slug}`, "
        f"{result.firms:,} firms, {result.violations:,} of them with an open environmental "
        "violation"
    )
    sizes = sorted(result.conditions)
    lines = [
        f"## Eligibility: {result.firms:,} firms x {len(result.rules)} support programs",
        "",
        f"Run {result.started} at commit `{meta['commit']}`{uncommitted_note()}: `{command}` "
        "(whole run "
        f"{_s(result.seconds)}).",
        "",
        f"Machine: {meta['nproc']} CPUs (`nproc`), {meta['cpu']}, {meta['ram']} RAM, "
        f"{meta['os']}; Python {meta['python']}, SQLite {meta['sqlite']}. Load average (1, 5, "
        f"15 min) before the run {result.load_before}, after it {result.load_after}: the "
        "machine is shared with other engineers' jobs, so these times are upper bounds for an "
        "idle machine.",
        "",
        f"Data: {data}. Programs: {len(result.rules)} generated rules of "
        f"{sizes[0]}-{sizes[-1]} top-level conditions (some of them `or` groups and `not`) over "
        "size class, chain links, certificates, violations, revenue growth, age, revenue, "
        "staff, exports, membership; eligible firms per program: min "
        f"{counts[0]:,}, median {statistics.median(counts):,.0f}, max {counts[-1]:,}.",
        "",
        markdown_table(HEADERS, rows_of(result)),
    ]
    lines += [
        "",
        "Ours: `programs.profiles.profile_frame` (one bulk query per source table into one "
        "polars frame), then `CompiledRule.evaluate_frame` (one polars expression per rule, "
        "Kleene logic on nulls). Peer: every rule translated to a Django filter (`Exists` for "
        "chain links, certificates and violations, `Subquery` aliases for the latest yearly "
        "figures and growth; each node as a TRUE and a FALSE condition so that a missing value "
        "is never met, as in the rule language), then "
        "`Enterprise.objects.filter(pk=…).alias(…).filter(…).exists()` once per firm and rule; "
        f"timed on {result.sample} sampled firms x every rule and extrapolated by firms. The "
        "page path computes one firm's profile (`profile_of`) and evaluates every rule on it, "
        f"as a firm's page does; timed on the first {result.page_sample} firms of the sample. "
        "On the sample the three gave the same eligible firms for every program (checked in "
        f"the run; it stops otherwise). Ours ran {len(result.runs)} times "
        f"({', '.join(f'{t:.2f}' for t in result.runs)} s); the median run is shown. "
        "Ratio = peer ÷ ours.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(REPO))
    from bench.platform_bench import configure_django, machine
    from bench.report import write_section

    workdir = Path(tempfile.mkdtemp(prefix="cb-eligibility-bench-"))
    db_path = args.db or workdir / "bench.sqlite3"
    try:
        configure_django(db_path, workdir / "data")

        def say(line: str) -> None:
            print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)

        result = run(args, say)
        print_report(result)
        if args.out is not None:
            write_section(args.out, KEY, markdown(result, machine()))
            say(f"wrote the section {KEY!r} of {args.out}")
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
