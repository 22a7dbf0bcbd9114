"""Every non-trivial read of green production, with its permissions (green.permissions).

CONTRACT:

    firm_green(enterprise, user, today=None) -> FirmGreen          the firm's page; NotFound
                                                                    unless its figures are visible
    get_record(record_id, user) / get_test(test_id, user)          the same readers
    firm_grade(enterprise, user, year=None) -> FirmGrade | None    its readers, or anyone once
                                                                    published (the bank's consent
                                                                    check wraps this, issue 7)
    cluster_grades(cluster, user, year=None) -> GradeTable          office and admins only
    figures(cluster, user, today=None) -> GreenFigures              the dashboard and overview
    chrome_free_by_year(cluster) -> {year: (share, firms)}         unguarded: registry's KPI

Aggregates over fewer than k firms (settings.AGGREGATE_MIN_FIRMS, decision 0003) are withheld
from everyone but the cluster's office and admins; counts of certificates are not.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.bilingual import pick
from clusterbrain.engines.green import Cycle, CycleStatus, cycle_of, cycle_status, grade_firms
from clusterbrain.errors import Forbidden, NotFound
from clusterbrain.green import permissions
from clusterbrain.green.models import (
    AREA_FIELDS,
    CHROME_FREE_AREA_FIELDS,
    CarbonYear,
    ProductionRecord,
    WastewaterTest,
)
from clusterbrain.registry.models import Certification, Cluster, Enterprise, EnterpriseRole
from clusterbrain.registry.selectors import (
    as_id,
    counted_certification_q,
    min_firms,
    suppression_note,
)

MONTHS_FOR_A_GRADE = 12
RECORDS_SHOWN = 36
TESTS_SHOWN = 24
FIRM_ROWS_SHOWN = 500
LWG_EXPIRY_WARNING_DAYS = 90
TANNING_Q = (
    Q(area_chrome_m2__gt=0)
    | Q(area_chrome_free_m2__gt=0)
    | Q(area_vegetable_m2__gt=0)
    | Q(area_other_m2__gt=0)
)
NO_INDUSTRY = ""


def _today() -> datetime.date:
    return timezone.localdate()


def _sum(fields: tuple[str, ...]) -> Any:
    expression: Any = F(fields[0])
    for name in fields[1:]:
        expression = expression + F(name)
    return expression


# --- grades ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FirmGrade:
    enterprise: Enterprise
    year: int
    industry: str  # chain link code of the firm's main activity ("" without one)
    industry_name: str
    emissions_t: float
    value_added: float | None  # yuan
    months: int  # months of the year with a record
    intensity: float | None  # tCO₂e per 10,000 yuan of value added
    benchmark: float | None  # the industry's intensity (None: fewer than k firms)
    ratio: float | None  # K = intensity ÷ benchmark
    grade: int | None  # 1 (best) … 5
    level: int | None  # 1 low, 2 medium, 3 high carbon (absolute scale)
    peers: int  # firms behind the benchmark
    published: bool

    @property
    def complete(self) -> bool:
        return self.months >= MONTHS_FOR_A_GRADE


@dataclass(frozen=True)
class GradeTable:
    year: int | None
    years: list[int]
    grades: list[FirmGrade]
    industries: list[tuple[str, str, int, float | None]]  # code, name, firms, benchmark


def _industries(firm_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each firm's industry: the chain link of its largest role by monthly capacity (ties: the
    earlier link in the chain). Firms without a role form an industry of their own."""
    best: dict[int, tuple[float, int, str, str]] = {}
    rows = EnterpriseRole.objects.filter(enterprise_id__in=firm_ids).values_list(
        "enterprise_id",
        "capacity_per_month",
        "link__stage",
        "link__code",
        "link__name_zh",
        "link__name_en",
    )
    for firm, capacity, stage, code, name_zh, name_en in rows:
        key = (float(capacity or 0), -int(stage or 0))
        current = best.get(firm)
        if current is None or key > (current[0], current[1]):
            best[firm] = (key[0], key[1], code, pick(name_zh, name_en))
    return {firm: (b[2], b[3]) for firm, b in best.items()}


def _grade_rows(cluster: Cluster, year: int, firm_ids: list[int] | None = None) -> list[FirmGrade]:
    """The grades of the cluster's firms with a value added in `year`, each within its industry
    among the cluster's firms with a complete year. Unguarded: callers check who may see."""
    years = CarbonYear.objects.filter(
        enterprise__cluster=cluster, enterprise__in_cluster=True, year=year
    ).select_related("enterprise")
    carbon = {row.enterprise_id: row for row in years}
    if not carbon:
        return []
    emissions = {
        row["enterprise_id"]: (float(row["co2e"] or 0.0), int(row["months"]))
        for row in ProductionRecord.objects.filter(
            enterprise_id__in=list(carbon),
            month__gte=datetime.date(year, 1, 1),
            month__lt=datetime.date(year + 1, 1, 1),
        )
        .values("enterprise_id")
        .annotate(co2e=Sum("co2e_t"), months=Count("month", distinct=True))
        .order_by()
    }
    ids = sorted(carbon)
    industries = _industries(ids)
    complete = [emissions.get(pk, (0.0, 0))[1] >= MONTHS_FOR_A_GRADE for pk in ids]
    report = grade_firms(
        [industries.get(pk, (NO_INDUSTRY, ""))[0] for pk in ids],
        [emissions.get(pk, (0.0, 0))[0] for pk in ids],
        # an incomplete year has no intensity: it neither gets a grade nor moves the benchmark
        [
            float(carbon[pk].value_added) if ok else 0.0
            for pk, ok in zip(ids, complete, strict=True)
        ],
        min_peers=min_firms(),
    )
    wanted = set(firm_ids) if firm_ids is not None else None

    def _value(array: np.ndarray[Any, Any], i: int) -> float | None:
        value = float(array[i])
        return value if np.isfinite(value) else None

    grades = []
    for i, pk in enumerate(ids):
        if wanted is not None and pk not in wanted:
            continue
        row = carbon[pk]
        code, name = industries.get(pk, (NO_INDUSTRY, ""))
        grades.append(
            FirmGrade(
                enterprise=row.enterprise,
                year=year,
                industry=code,
                industry_name=name or _("no chain link"),
                emissions_t=emissions.get(pk, (0.0, 0))[0],
                value_added=float(row.value_added),
                months=emissions.get(pk, (0.0, 0))[1],
                intensity=_value(report.intensity, i),
                benchmark=_value(report.benchmark, i),
                ratio=_value(report.ratio, i),
                grade=int(report.grade[i]) or None,
                level=int(report.level[i]) or None,
                peers=int(report.peers[i]),
                published=row.publishes_grade,
            )
        )
    return grades


def _grade_years(cluster: Cluster) -> list[int]:
    return sorted(
        set(CarbonYear.objects.filter(enterprise__cluster=cluster).values_list("year", flat=True))
    )


def firm_grade(enterprise: Enterprise, user: Any, year: int | None = None) -> FirmGrade | None:
    """The firm's grade of `year` (default: its latest year with a value added), or None when
    it has none. NotFound unless `user` may see it: the firm's confidential readers, or anyone
    once the firm published that year's grade."""
    years = CarbonYear.objects.filter(enterprise=enterprise)
    row = (years.filter(year=year) if year else years.order_by("-year")).first()
    if row is None:
        if not permissions.can_view(user, enterprise):
            raise NotFound(_("No published grade for this firm."))
        return None
    if not permissions.can_view_grade(user, enterprise, row.publishes_grade):
        raise NotFound(_("No published grade for this firm."))
    rows = _grade_rows(enterprise.cluster, row.year, [enterprise.pk])
    return rows[0] if rows else None


def cluster_grades(cluster: Cluster, user: Any, year: int | None = None) -> GradeTable:
    """Every firm's grade of a year, and each industry's benchmark: the office and admins."""
    if not permissions.can_view_firm_figures(user, cluster):
        raise Forbidden(_("Only the cluster office sees every firm's carbon-efficiency grade."))
    years = _grade_years(cluster)
    year = year or (years[-1] if years else None)
    grades = _grade_rows(cluster, year) if year else []
    industries: dict[str, tuple[str, int, float | None]] = {}
    for g in grades:
        if g.industry not in industries or g.benchmark is not None:
            graded = sum(1 for x in grades if x.industry == g.industry and x.intensity is not None)
            industries[g.industry] = (g.industry_name, graded, g.benchmark)
    return GradeTable(
        year=year,
        years=years,
        grades=sorted(grades, key=lambda g: (g.industry, g.grade or 9, g.enterprise.name_zh)),
        industries=[(code, *rest) for code, rest in sorted(industries.items())],
    )


# --- a firm's page ---------------------------------------------------------------------------


@dataclass
class FirmGreen:
    enterprise: Enterprise
    can_record: bool
    records: list[ProductionRecord]
    tests: list[WastewaterTest]
    cycle: CycleStatus
    expects_tests: bool  # the firm uses water or has tested: the ZDHC cycles concern it
    lwg: list[Certification]
    green_factory: list[Certification]
    grades: list[FirmGrade]
    facilities: list[Any]
    warnings: list[str] = field(default_factory=list)


def _visible_firm(enterprise: Enterprise, user: Any) -> None:
    if not permissions.can_view(user, enterprise):
        raise NotFound(_("No such enterprise."))


def _cycle_name(cycle: Cycle) -> str:
    if cycle.kind == "april":
        return _("April cycle %(year)d") % {"year": cycle.year}
    return _("October cycle %(year)d") % {"year": cycle.year}


def cycle_name(cycle: Cycle) -> str:
    """The cycle as pages call it ("April cycle 2026": sampling 1 Nov 2025 – 30 Apr 2026)."""
    return _cycle_name(cycle)


def firm_green(enterprise: Enterprise, user: Any, today: datetime.date | None = None) -> FirmGreen:
    _visible_firm(enterprise, user)
    today = today or _today()
    records = list(
        ProductionRecord.objects.filter(enterprise=enterprise)
        .select_related("facility")
        .order_by("-month", "facility_id")[:RECORDS_SHOWN]
    )
    tests = list(
        WastewaterTest.objects.filter(enterprise=enterprise)
        .select_related("facility")
        .order_by("-sampled_on", "-pk")[:TESTS_SHOWN]
    )
    status = cycle_status([t.sampled_on for t in tests], today)
    expects = (
        bool(tests)
        or ProductionRecord.objects.filter(
            enterprise=enterprise,
            water_m3__gt=0,
            month__gte=(today - datetime.timedelta(days=365)).replace(day=1),
        ).exists()
    )
    certificates = list(
        Certification.objects.filter(
            enterprise=enterprise,
            kind__in=[*Certification.LWG_KINDS, *Certification.GREEN_FACTORY_KINDS],
        ).order_by("-valid_until", "kind")
    )
    grades = []
    for year in (
        CarbonYear.objects.filter(enterprise=enterprise)
        .order_by("-year")
        .values_list("year", flat=True)
    ):
        grades += _grade_rows(enterprise.cluster, year, [enterprise.pk])
    warnings = []
    if expects and status.state == "overdue":
        warnings.append(
            _(
                "Wastewater test overdue: no sample in the last cycle nor yet in the %(cycle)s "
                "(sampling until %(end)s)."
            )
            % {"cycle": _cycle_name(status.cycle), "end": status.cycle.end.isoformat()}
        )
    elif expects and status.state == "due":
        warnings.append(
            _("Wastewater test due in the %(cycle)s: sample by %(end)s (%(days)d days left).")
            % {
                "cycle": _cycle_name(status.cycle),
                "end": status.cycle.end.isoformat(),
                "days": status.days_left,
            }
        )
    if status.too_close:
        warnings.append(
            _("This cycle's sample was taken less than three months after the previous one.")
        )
    if tests and not tests[0].compliant:
        warnings.append(
            _("The latest wastewater test (%(date)s) exceeds the GB 30486-2013 limits.")
            % {"date": tests[0].sampled_on.isoformat()}
        )
    for cert in certificates:
        if cert.kind in Certification.LWG_KINDS and cert.valid_until:
            if cert.valid_until < today:
                warnings.append(
                    _("The LWG audit expired on %(date)s.") % {"date": cert.valid_until.isoformat()}
                )
            elif (cert.valid_until - today).days <= LWG_EXPIRY_WARNING_DAYS:
                warnings.append(
                    _("The LWG audit expires on %(date)s: plan the next audit.")
                    % {"date": cert.valid_until.isoformat()}
                )
    return FirmGreen(
        enterprise=enterprise,
        can_record=permissions.can_record(user, enterprise),
        records=records,
        tests=tests,
        cycle=status,
        expects_tests=expects,
        lwg=[c for c in certificates if c.kind in Certification.LWG_KINDS],
        green_factory=[c for c in certificates if c.kind in Certification.GREEN_FACTORY_KINDS],
        grades=grades,
        facilities=list(enterprise.facilities.order_by("kind", "name_zh")),
        warnings=warnings,
    )


def get_record(record_id: Any, user: Any) -> ProductionRecord:
    pk = as_id(record_id)
    record = (
        ProductionRecord.objects.select_related("enterprise", "enterprise__cluster", "facility")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if record is None or not permissions.can_view(user, record.enterprise):
        raise NotFound(_("No such record."))
    return record


def get_test(test_id: Any, user: Any) -> WastewaterTest:
    pk = as_id(test_id)
    test = (
        WastewaterTest.objects.select_related("enterprise", "enterprise__cluster", "facility")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if test is None or not permissions.can_view(user, test.enterprise):
        raise NotFound(_("No such wastewater test."))
    return test


def records_of(
    enterprise: Enterprise, user: Any, year: int | None = None
) -> QuerySet[ProductionRecord]:
    _visible_firm(enterprise, user)
    rows = ProductionRecord.objects.filter(enterprise=enterprise).select_related("facility")
    if year:
        rows = rows.filter(month__year=year)
    return rows.order_by("-month", "facility_id")


def tests_of(enterprise: Enterprise, user: Any) -> QuerySet[WastewaterTest]:
    _visible_firm(enterprise, user)
    return (
        WastewaterTest.objects.filter(enterprise=enterprise)
        .select_related("facility")
        .order_by("-sampled_on", "-pk")
    )


# --- the cluster's figures -------------------------------------------------------------------


@dataclass(frozen=True)
class YearGreen:
    """Tanning of a year: firms that tanned, area, chrome-free share, and water, energy and
    CO₂e per m² over the records that tanned. Figures None when withheld (`suppressed`)."""

    year: int
    firms: int
    area_m2: float | None
    chrome_free_share: float | None
    water_per_m2: float | None  # m³/m²
    energy_per_m2: float | None  # kgce/m²
    co2e_per_m2: float | None  # kg CO₂e/m²
    suppressed: bool = False


@dataclass(frozen=True)
class OutputGreen:
    """Other output (pairs of shoes, t of raw silk …) of a year: water and energy per unit."""

    year: int
    unit: str
    firms: int
    quantity: float | None
    water_per_unit: float | None
    energy_per_unit: float | None  # kgce per unit
    suppressed: bool = False


@dataclass(frozen=True)
class FirmRow:
    """One firm on the office's dashboard."""

    enterprise: Enterprise
    state: str  # tested | due | overdue | "" (no water use recorded, no test)
    last_sample: datetime.date | None
    last_compliant: bool | None
    chrome_free_share: float | None  # of the latest year with tanning
    grade: int | None
    lwg: str  # the firm's best counted LWG rating kind, "" without one


@dataclass
class GreenFigures:
    cluster: Cluster
    today: datetime.date
    by_year: list[YearGreen]
    output_by_year: list[OutputGreen]
    tests: int
    compliant_tests: int
    compliance_firms: int
    compliance_rate: float | None
    compliance_suppressed: bool
    cycle: Cycle
    expected_firms: int
    # None with the share when the cycle's figures rest on fewer than k firms: the counts
    # would give the withheld share back
    tested_firms: int | None
    due_firms: int | None
    overdue_firms: int | None
    tested_share: float | None
    cycle_suppressed: bool
    lwg: dict[str, int]
    lwg_firms: int
    green_factories: int
    grade_year: int | None
    grade_distribution: dict[int, int] | None
    graded_firms: int
    grades_suppressed: bool
    firms: list[FirmRow]
    can_view_firms: bool
    min_firms: int

    @property
    def latest(self) -> YearGreen | None:
        return self.by_year[-1] if self.by_year else None

    @property
    def cycle_name(self) -> str:
        return _cycle_name(self.cycle)

    @property
    def any_withheld(self) -> bool:
        return (
            any(y.suppressed for y in self.by_year)
            or any(o.suppressed for o in self.output_by_year)
            or self.compliance_suppressed
            or self.cycle_suppressed
            or self.grades_suppressed
        )

    @property
    def suppression_note(self) -> str:
        return suppression_note(self.min_firms) if self.any_withheld else ""

    @property
    def has_data(self) -> bool:
        return bool(self.by_year or self.output_by_year or self.tests or self.expected_firms)


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _tanning_by_year(cluster: Cluster, allowed: bool, k: int) -> list[YearGreen]:
    rows = (
        ProductionRecord.objects.filter(
            TANNING_Q, enterprise__cluster=cluster, enterprise__in_cluster=True
        )
        .annotate(year=ExtractYear("month"))
        .values("year")
        .annotate(
            firms=Count("enterprise", distinct=True),
            area=Sum(_sum(AREA_FIELDS)),
            chrome_free=Sum(_sum(CHROME_FREE_AREA_FIELDS)),
            water=Sum("water_m3"),
            water_area=Sum(_sum(AREA_FIELDS), filter=Q(water_m3__isnull=False)),
            tce=Sum("energy_tce"),
            co2e=Sum("co2e_t"),
        )
        .order_by("year")
    )
    years = []
    for row in rows:
        area = float(row["area"] or 0.0)
        hidden = not allowed and row["firms"] < k
        years.append(
            YearGreen(
                year=int(row["year"]),
                firms=int(row["firms"]),
                area_m2=None if hidden else area,
                chrome_free_share=None if hidden else _ratio(float(row["chrome_free"] or 0), area),
                water_per_m2=None
                if hidden
                else _ratio(float(row["water"] or 0), float(row["water_area"] or 0)),
                energy_per_m2=None if hidden else _ratio(float(row["tce"] or 0) * 1000, area),
                co2e_per_m2=None if hidden else _ratio(float(row["co2e"] or 0) * 1000, area),
                suppressed=hidden,
            )
        )
    return years


def chrome_free_by_year(cluster: Cluster) -> dict[int, tuple[float | None, int]]:
    """Each year's chrome-free share of the leather the cluster's firms tanned, and how many
    firms tanned (the caller withholds a year below k firms): the registry's KPI reads it.
    Unguarded. One query."""
    return {y.year: (y.chrome_free_share, y.firms) for y in _tanning_by_year(cluster, True, 0)}


def _output_by_year(cluster: Cluster, allowed: bool, k: int) -> list[OutputGreen]:
    rows = (
        ProductionRecord.objects.filter(
            ~TANNING_Q,
            enterprise__cluster=cluster,
            enterprise__in_cluster=True,
            output_quantity__gt=0,
        )
        .annotate(year=ExtractYear("month"))
        .values("year", "output_unit")
        .annotate(
            firms=Count("enterprise", distinct=True),
            quantity=Sum("output_quantity"),
            water=Sum("water_m3"),
            water_quantity=Sum("output_quantity", filter=Q(water_m3__isnull=False)),
            tce=Sum("energy_tce"),
        )
        .order_by("output_unit", "year")
    )
    result = []
    for row in rows:
        hidden = not allowed and row["firms"] < k
        quantity = float(row["quantity"] or 0.0)
        result.append(
            OutputGreen(
                year=int(row["year"]),
                unit=row["output_unit"],
                firms=int(row["firms"]),
                quantity=None if hidden else quantity,
                water_per_unit=None
                if hidden
                else _ratio(float(row["water"] or 0), float(row["water_quantity"] or 0)),
                energy_per_unit=None if hidden else _ratio(float(row["tce"] or 0) * 1000, quantity),
                suppressed=hidden,
            )
        )
    return result


def figures(cluster: Cluster, user: Any, today: datetime.date | None = None) -> GreenFigures:
    """The cluster's green figures: chrome-free share, water, energy and CO₂e per m² by year
    (and per unit of other output), wastewater compliance over the last twelve months, the share
    of firms that tested in the current ZDHC cycle, LWG and green-factory counts, the grade
    distribution; per firm for the office. About a dozen queries whatever the number of firms."""
    today = today or _today()
    k = min_firms()
    allowed = permissions.can_view_firm_figures(user, cluster)
    in_cluster = Q(enterprise__cluster=cluster, enterprise__in_cluster=True)

    since = today - datetime.timedelta(days=365)
    recent = WastewaterTest.objects.filter(in_cluster, sampled_on__gt=since, sampled_on__lte=today)
    counts = recent.aggregate(
        tests=Count("pk"),
        compliant=Count("pk", filter=Q(compliant=True)),
        firms=Count("enterprise", distinct=True),
    )
    compliance_hidden = not allowed and counts["firms"] < k

    cycle = cycle_of(today)
    water_users = set(
        ProductionRecord.objects.filter(
            in_cluster, water_m3__gt=0, month__gte=since.replace(day=1)
        ).values_list("enterprise_id", flat=True)
    )
    samples: dict[int, list[datetime.date]] = defaultdict(list)
    last_compliant: dict[int, bool] = {}
    for firm, sampled_on, compliant in (
        WastewaterTest.objects.filter(in_cluster, sampled_on__lte=today)
        .order_by("enterprise_id", "sampled_on", "pk")
        .values_list("enterprise_id", "sampled_on", "compliant")
    ):
        samples[firm].append(sampled_on)
        last_compliant[firm] = compliant
    expected = water_users | set(samples)
    states = {firm: cycle_status(samples.get(firm, []), today) for firm in expected}
    tested = sum(1 for s in states.values() if s.state == "tested")
    cycle_hidden = not allowed and len(expected) < k

    lwg_rows = (
        Certification.objects.filter(
            counted_certification_q(today=today),
            in_cluster,
            kind__in=[*Certification.LWG_KINDS, *Certification.GREEN_FACTORY_KINDS],
        )
        .values("kind")
        .annotate(firms=Count("enterprise", distinct=True))
    )
    by_kind = {row["kind"]: int(row["firms"]) for row in lwg_rows}
    counted = Certification.objects.filter(counted_certification_q(today=today), in_cluster)
    lwg_firms = (
        counted.filter(kind__in=Certification.LWG_KINDS).values("enterprise").distinct().count()
    )
    green_factories = (
        counted.filter(kind__in=Certification.GREEN_FACTORY_KINDS)
        .values("enterprise")
        .distinct()
        .count()
    )

    years = _grade_years(cluster)
    complete_years = [y for y in years if y < today.year] or years
    grade_year = complete_years[-1] if complete_years else None
    grades = _grade_rows(cluster, grade_year) if grade_year else []
    graded = [g for g in grades if g.grade]
    distribution = {grade: sum(1 for g in graded if g.grade == grade) for grade in range(1, 6)}
    grades_hidden = not allowed and len(graded) < k

    by_year = _tanning_by_year(cluster, allowed, k)
    firms: list[FirmRow] = []
    if allowed:
        grade_of = {g.enterprise.pk: g.grade for g in grades}
        latest_tanning = max((y.year for y in by_year), default=None)
        shares: dict[int, float | None] = {}
        if latest_tanning is not None:
            for row in (
                ProductionRecord.objects.filter(
                    TANNING_Q,
                    in_cluster,
                    month__gte=datetime.date(latest_tanning, 1, 1),
                    month__lt=datetime.date(latest_tanning + 1, 1, 1),
                )
                .values("enterprise_id")
                .annotate(area=Sum(_sum(AREA_FIELDS)), free=Sum(_sum(CHROME_FREE_AREA_FIELDS)))
                .order_by()
            ):
                shares[row["enterprise_id"]] = _ratio(
                    float(row["free"] or 0), float(row["area"] or 0)
                )
        lwg_of: dict[int, str] = {}
        order: dict[str, int] = {str(kind): i for i, kind in enumerate(Certification.LWG_KINDS)}
        for firm_id, kind in counted.filter(kind__in=Certification.LWG_KINDS).values_list(
            "enterprise_id", "kind"
        ):
            if firm_id not in lwg_of or order[kind] < order[lwg_of[firm_id]]:
                lwg_of[firm_id] = kind
        ids = expected | set(shares) | set(grade_of)
        for enterprise in Enterprise.objects.filter(pk__in=ids).order_by("name_zh", "pk")[
            :FIRM_ROWS_SHOWN
        ]:
            status = states.get(enterprise.pk)
            firms.append(
                FirmRow(
                    enterprise=enterprise,
                    state=status.state if status else "",
                    last_sample=status.last_sample if status else None,
                    last_compliant=last_compliant.get(enterprise.pk),
                    chrome_free_share=shares.get(enterprise.pk),
                    grade=grade_of.get(enterprise.pk),
                    lwg=lwg_of.get(enterprise.pk, ""),
                )
            )
    return GreenFigures(
        cluster=cluster,
        today=today,
        by_year=by_year,
        output_by_year=_output_by_year(cluster, allowed, k),
        tests=int(counts["tests"]),
        compliant_tests=int(counts["compliant"]),
        compliance_firms=int(counts["firms"]),
        compliance_rate=None
        if compliance_hidden
        else _ratio(float(counts["compliant"]), float(counts["tests"])),
        compliance_suppressed=compliance_hidden and counts["tests"] > 0,
        cycle=cycle,
        expected_firms=len(expected),
        tested_firms=None if cycle_hidden else tested,
        due_firms=None if cycle_hidden else sum(1 for s in states.values() if s.state == "due"),
        overdue_firms=None
        if cycle_hidden
        else sum(1 for s in states.values() if s.state == "overdue"),
        tested_share=None if cycle_hidden else _ratio(float(tested), float(len(expected))),
        cycle_suppressed=cycle_hidden and bool(expected),
        lwg={kind: by_kind.get(kind, 0) for kind in Certification.LWG_KINDS},
        lwg_firms=lwg_firms,
        green_factories=green_factories,
        grade_year=grade_year,
        grade_distribution=None if grades_hidden else distribution,
        graded_firms=len(graded),
        grades_suppressed=grades_hidden and bool(graded),
        firms=firms,
        can_view_firms=allowed,
        min_firms=k,
    )
