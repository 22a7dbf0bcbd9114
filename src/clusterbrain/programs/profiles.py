"""Enterprise profiles: the fields an eligibility rule may name, and their values per firm.

`profile_frame` builds the profiles of many firms with one query per source table (firms, chain
roles, certificates, brands, yearly figures, violations, deliveries, and the carbon grades of
their clusters), never one per firm, so matching 100,000 firms against 50 programs is a few
bulk reads and vectorised rule evaluation (`CompiledRule.evaluate_frame`). `profile_of` is the
same for one firm, so a verdict on a page and in a benchmark cannot disagree.

Missing values are nulls (the rule language's UNKNOWN): a firm that reported no revenue is
neither above nor below a threshold. Lists (chain links, certificates) are empty, not null,
when the firm has none: that is known.
"""

from __future__ import annotations

import datetime
from typing import Any

import polars as pl
from django.db import connections
from django.db.models import Count, F, FloatField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from clusterbrain.engines.rules import Field
from clusterbrain.registry.models import (
    Brand,
    Certification,
    Cluster,
    Enterprise,
    EnterpriseRole,
    EnterpriseYear,
)

SIZE_CLASSES = tuple(Enterprise.SizeClass.values)
CERTIFICATE_KINDS = tuple(Certification.Kind.values)

# name, type, zh label, en label (choices added below where the values are a closed set)
_FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("size_class", "text", "企业规模", "size class"),
    ("above_designated_size", "bool", "规模以上企业", "above designated size"),
    ("is_member", "bool", "商会/协会会员", "member of the association"),
    ("is_leading", "bool", "链主企业", "leading firm"),
    ("in_cluster", "bool", "位于集群内", "in the cluster"),
    ("founded_year", "number", "成立年份", "founding year"),
    ("years_in_operation", "number", "经营年限（年）", "years in operation"),
    ("chain_links", "text_list", "所在产业链环节", "chain links"),
    ("certificates", "text_list", "有效资质认证", "valid certificates"),
    ("verified_certificates", "text_list", "已核验的有效资质认证", "verified valid certificates"),
    ("brand_count", "number", "品牌数量", "number of brands"),
    ("revenue", "number", "营业收入（元，最近年度）", "revenue (yuan, latest year)"),
    ("output_value", "number", "产值（元，最近年度）", "output value (yuan, latest year)"),
    ("employees", "number", "从业人数（最近年度）", "employees (latest year)"),
    ("exports", "number", "出口额（元，最近年度）", "exports (yuan, latest year)"),
    (
        "revenue_growth",
        "number",
        "营业收入增长率（最近年度对上一年）",
        "revenue growth (latest year on the year before)",
    ),
    (
        "open_environmental_violation",
        "bool",
        "有未结案的环境违法记录",
        "has an open environmental violation",
    ),
    ("carbon_grade", "number", "碳效等级（1 最优 … 5）", "carbon-efficiency grade (1 best … 5)"),
    ("on_time_delivery_rate", "number", "外协订单准时交付率", "on-time delivery rate of orders"),
)

FIELD_NAMES = tuple(name for name, *_rest in _FIELDS)
_DTYPES: dict[str, Any] = {
    "bool": pl.Boolean,
    "number": pl.Float64,
    "text": pl.Utf8,
    "text_list": pl.List(pl.Utf8),
}


def profile_fields(cluster: Cluster | None = None) -> dict[str, Field]:
    """The fields a rule may name. With a cluster, `chain_links` only takes the codes of its
    chain template's links, so a misspelt link is an error when the rule is saved."""
    link_codes: tuple[str, ...] | None = None
    if cluster is not None:
        link_codes = tuple(cluster.chain_template.links.values_list("code", flat=True))
    choices: dict[str, tuple[str, ...] | None] = {
        "size_class": SIZE_CLASSES,
        "certificates": CERTIFICATE_KINDS,
        "verified_certificates": CERTIFICATE_KINDS,
        "chain_links": link_codes,
    }
    return {
        name: Field(
            name=name,
            type=kind,  # type: ignore[arg-type]
            choices=choices.get(name),
            label_zh=label_zh,
            label_en=label_en,
        )
        for name, kind, label_zh, label_en in _FIELDS
    }


def _empty(enterprise_ids: list[int]) -> pl.DataFrame:
    return pl.DataFrame({"enterprise_id": enterprise_ids}, schema={"enterprise_id": pl.Int64})


def _lists(rows: list[tuple[int, str]], column: str) -> pl.DataFrame:
    """(firm, value) rows as one sorted, distinct list per firm."""
    frame = pl.DataFrame(
        rows, schema={"enterprise_id": pl.Int64, column: pl.Utf8}, orient="row"
    ).unique()
    return frame.group_by("enterprise_id").agg(pl.col(column).sort())


def _fetch(queryset: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows of a values_list query as the database driver returns them: Django's per-value
    converters are most of the time of a bulk read, and the columns here need none (numbers
    are cast to float in SQL, booleans are cast by polars). The selected columns are plain
    fields first, then annotations, in the order given."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _years(firms: QuerySet[Enterprise, Any]) -> pl.DataFrame:
    """Each firm's latest reported year's figures and its revenue growth on the year before."""
    # Only the firm's two latest years are read: the latest and the one growth compares with.
    latest_year = (
        EnterpriseYear.objects.filter(enterprise_id=OuterRef("enterprise_id"))
        .order_by("-year")
        .values("year")[:1]
    )
    rows = _fetch(
        EnterpriseYear.objects.filter(enterprise__in=firms)
        .alias(latest=Subquery(latest_year))
        .filter(year__gte=F("latest") - 1)
        .annotate(
            r=Cast("revenue", FloatField()),
            o=Cast("output_value", FloatField()),
            x=Cast("exports", FloatField()),
        )
        .values_list("enterprise_id", "year", "employees", "r", "o", "x")
        .order_by()
    )
    schema = {
        "enterprise_id": pl.Int64,
        "year": pl.Int64,
        "employees": pl.Float64,
        "revenue": pl.Float64,
        "output_value": pl.Float64,
        "exports": pl.Float64,
    }
    frame = pl.DataFrame(rows, schema=schema, orient="row").sort(["enterprise_id", "year"])
    latest = frame.group_by("enterprise_id").agg(
        pl.col("year").last().alias("_year"),
        pl.col("revenue").last(),
        pl.col("output_value").last(),
        pl.col("employees").last(),
        pl.col("exports").last(),
        # the year before the latest, only when it is the calendar year before
        pl.col("year").tail(2).first().alias("_prev_year"),
        pl.col("revenue").tail(2).first().alias("_prev_revenue"),
    )
    growth = (
        pl.when(
            (pl.col("_prev_year") == pl.col("_year") - 1)
            & (pl.col("_prev_revenue") > 0)
            & pl.col("revenue").is_not_null()
        )
        .then(pl.col("revenue") / pl.col("_prev_revenue") - 1.0)
        .otherwise(None)
    )
    return latest.with_columns(growth.alias("revenue_growth")).drop(
        "_year", "_prev_year", "_prev_revenue"
    )


def _violations(firms: QuerySet[Enterprise, Any]) -> set[int]:
    from clusterbrain.green.models import EnvironmentalViolation

    return set(
        EnvironmentalViolation.objects.filter(
            enterprise__in=firms, status=EnvironmentalViolation.Status.OPEN
        )
        .values_list("enterprise_id", flat=True)
        .distinct()
    )


def _deliveries(firms: QuerySet[Enterprise, Any]) -> pl.DataFrame:
    from clusterbrain.matching.models import Assignment

    rows = _fetch(
        Assignment.objects.filter(supplier__in=firms, on_time__isnull=False)
        .values("supplier_id")
        .annotate(delivered=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
        .values_list("supplier_id", "delivered", "on_time")
        .order_by()
    )
    frame = pl.DataFrame(
        rows,
        schema={"enterprise_id": pl.Int64, "delivered": pl.Int64, "on_time": pl.Int64},
        orient="row",
    )
    return frame.select(
        "enterprise_id",
        (pl.col("on_time") / pl.col("delivered")).alias("on_time_delivery_rate"),
    )


def _carbon_grades(firms: QuerySet[Enterprise, Any]) -> dict[int, float]:
    """Each firm's grade of its latest graded year. green.selectors grades a cluster's year as
    a whole (a firm's grade depends on its industry's benchmark in the cluster), so the years
    are graded newest first, and only until every firm with a value added has its grade."""
    from clusterbrain.green.models import CarbonYear
    from clusterbrain.green.selectors import _grade_rows

    rows = list(
        CarbonYear.objects.filter(enterprise__in=firms)
        .values_list("enterprise__cluster_id", "year", "enterprise_id")
        .order_by()
    )
    pending: dict[int, set[int]] = {}
    years: dict[int, set[int]] = {}
    for cluster_id, year, firm in rows:
        pending.setdefault(cluster_id, set()).add(firm)
        years.setdefault(cluster_id, set()).add(year)
    grades: dict[int, float] = {}
    for cluster in Cluster.objects.filter(pk__in=list(pending)):
        waiting = pending[cluster.pk]
        for year in sorted(years[cluster.pk], reverse=True):
            for row in _grade_rows(cluster, year):
                if row.grade and row.enterprise.pk in waiting:
                    grades[row.enterprise.pk] = float(row.grade)
                    waiting.discard(row.enterprise.pk)
            if not waiting:
                break
    return grades


def profile_frame(
    enterprises: QuerySet[Enterprise], today: datetime.date | None = None
) -> pl.DataFrame:
    """One row per firm of `enterprises`: `enterprise_id` and a column per profile field, typed
    as the rule engine reads them (bool, Float64, Utf8, List(Utf8)); missing values null."""
    today = today or timezone.localdate()
    firms = enterprises.order_by().values("pk")
    flags = ("above_designated_size", "is_member", "is_leading", "in_cluster")
    base = pl.DataFrame(
        _fetch(enterprises.order_by().values_list("pk", "size_class", "founded_year", *flags)),
        schema={
            "enterprise_id": pl.Int64,
            "size_class": pl.Utf8,
            "founded_year": pl.Float64,
            # as the driver gives them: 0/1 from SQLite, bool from PostgreSQL
            **{name: pl.Int8 for name in flags},
        },
        orient="row",
    ).with_columns(pl.col(name).cast(pl.Boolean) for name in flags)
    base = base.with_columns(
        pl.when(pl.col("founded_year") <= today.year)
        .then(today.year - pl.col("founded_year"))
        .otherwise(None)
        .alias("years_in_operation")
    )
    links = _lists(
        _fetch(
            EnterpriseRole.objects.filter(enterprise__in=firms)
            .values_list("enterprise_id", "link__code")
            .order_by()
        ),
        "chain_links",
    )
    valid = Certification.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        enterprise__in=firms,
    )
    cert_rows = _fetch(valid.values_list("enterprise_id", "kind", "verified").order_by())
    certificates = _lists([(e, k) for e, k, _v in cert_rows], "certificates")
    verified = _lists([(e, k) for e, k, v in cert_rows if v], "verified_certificates")
    brands = pl.DataFrame(
        _fetch(
            Brand.objects.filter(enterprise__in=firms)
            .values("enterprise_id")
            .annotate(n=Count("pk"))
            .values_list("enterprise_id", "n")
            .order_by()
        ),
        schema={"enterprise_id": pl.Int64, "brand_count": pl.Float64},
        orient="row",
    )
    violating = _violations(firms)
    frame = (
        base.join(links, on="enterprise_id", how="left")
        .join(certificates, on="enterprise_id", how="left")
        .join(verified, on="enterprise_id", how="left")
        .join(brands, on="enterprise_id", how="left")
        .join(_years(firms), on="enterprise_id", how="left")
        .join(_deliveries(firms), on="enterprise_id", how="left")
    )
    grades = _carbon_grades(firms)
    empty_list = pl.lit([], dtype=pl.List(pl.Utf8))
    frame = frame.with_columns(
        pl.col("chain_links").fill_null(empty_list),
        pl.col("certificates").fill_null(empty_list),
        pl.col("verified_certificates").fill_null(empty_list),
        pl.col("brand_count").fill_null(0.0),
        pl.col("enterprise_id").is_in(list(violating)).alias("open_environmental_violation"),
        pl.col("enterprise_id")
        .replace_strict(grades, default=None, return_dtype=pl.Float64)
        .alias("carbon_grade"),
    )
    return frame.select(
        "enterprise_id", *(pl.col(name).cast(_DTYPES[kind]) for name, kind, *_r in _FIELDS)
    )


def profile_of(enterprise: Enterprise, today: datetime.date | None = None) -> dict[str, Any]:
    """One firm's profile as plain values (JSON-ready: numbers as floats, lists as lists)."""
    frame = profile_frame(Enterprise.all_objects.filter(pk=enterprise.pk), today=today)
    if frame.height == 0:
        return {name: None for name in FIELD_NAMES}
    row = frame.row(0, named=True)
    return {name: row[name] for name in FIELD_NAMES}
