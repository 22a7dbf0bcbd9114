"""The association's trend-release reports (issue 6 item 4): services (every write in a
transaction, permissions checked here) and selectors (who sees which report).

- Composing and publishing: association staff of the cluster, and admins. A firm, the office,
  a bank never compose: the report speaks for the association.
- Figures are frozen when a section is added, always from the public view of the market
  selectors (user None), so a report never carries a figure the public may not see, even when
  an admin composes it. A section whose figure is withheld (fewer than k firms, or one firm
  dominant) is refused with an error naming the section; in a chart with some cells withheld
  those cells are left out and counted, as on the market page.
- A published report is immutable: every edit of it is refused; `new_version` copies it into
  a new draft (decision 0015, addendum).
- Who reads: a public report anyone; a members report the association's members (users of
  member firms of the cluster), its staff, the cluster office and admins; a draft only the
  association staff of its cluster and admins.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.accounts import permissions as account_permissions
from clusterbrain.accounts.models import Role
from clusterbrain.errors import FieldError, Forbidden, InvalidInput, NotFound
from clusterbrain.market import selectors
from clusterbrain.market.models import (
    ReportAudience,
    ReportSection,
    ReportStatus,
    SectionKind,
    TrendReport,
)
from clusterbrain.market.services import text_problem
from clusterbrain.registry.models import Cluster

CHART_FIGURES = ("weekly_by_channel", "channels", "categories")
TREND_KEYS = ("column", "value", "direction", "growth", "lift", "q", "firms", "channels")


# --- permissions -----------------------------------------------------------------------------


def can_compose(user: Any, cluster: Cluster) -> bool:
    """Association staff of the cluster and admins."""
    if account_permissions.is_admin(user):
        return True
    return (
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", None) == Role.ASSOCIATION
        and getattr(user, "cluster_id", None) == cluster.pk
    )


def is_member(user: Any, cluster: Cluster) -> bool:
    """Reads members reports: users of the cluster's member firms, its association and office
    staff, admins."""
    if account_permissions.is_admin(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    role = getattr(user, "role", None)
    if role in (Role.ASSOCIATION, Role.OFFICE):
        return bool(getattr(user, "cluster_id", None) == cluster.pk)
    if role == Role.ENTERPRISE and getattr(user, "enterprise", None) is not None:
        firm = user.enterprise
        return bool(firm.cluster_id == cluster.pk and firm.is_member)
    return False


def can_view(user: Any, report: TrendReport) -> bool:
    if report.status == ReportStatus.DRAFT:
        return can_compose(user, report.cluster)
    if report.audience == ReportAudience.PUBLIC:
        return True
    return is_member(user, report.cluster)


# --- selectors -------------------------------------------------------------------------------


def get_report(report_id: int, user: Any) -> TrendReport:
    report = TrendReport.objects.select_related("cluster", "author").filter(pk=report_id).first()
    if report is None or not can_view(user, report):
        raise NotFound(_("No such report."))
    return report


def published_reports(cluster: Cluster, user: Any) -> list[TrendReport]:
    rows = TrendReport.objects.filter(cluster=cluster, status=ReportStatus.PUBLISHED)
    if not is_member(user, cluster):
        rows = rows.filter(audience=ReportAudience.PUBLIC)
    return list(rows.order_by("-published_at", "-pk"))


def drafts(cluster: Cluster, user: Any) -> list[TrendReport]:
    if not can_compose(user, cluster):
        return []
    return list(TrendReport.objects.filter(cluster=cluster, status=ReportStatus.DRAFT))


def sections_of(report: TrendReport) -> QuerySet[ReportSection]:
    return report.sections.order_by("order", "pk")


def figure_choices(cluster: Cluster) -> dict[str, list[tuple[str, str]]]:
    """What a composer may pick, from the public view: trends found by the current scan (the
    withheld ones are not offered) and forecast series not withheld."""
    trends = selectors.trends(cluster, None)
    trend_choices = [
        (f"{f['column']}:{f['value']}", f"{f['value']} ({f['column']}, {f['direction']})")
        for f in trends.findings
        if not f.get("suppressed")
    ]
    return {
        "chart": [
            ("weekly_by_channel", _("Weekly sales by channel")),
            ("channels", _("By channel")),
            ("categories", _("By category")),
        ],
        "trend": trend_choices,
    }


def forecast_choices(cluster: Cluster) -> list[tuple[str, str]]:
    result = selectors.forecasts(cluster, None)
    return [(s["key"], f"{s['category']} · {s['channel']}") for s in result.series]


# --- freezing figures ------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON-safe: dates as ISO strings, non-finite floats as null."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _refuse(position: int, msg: str) -> InvalidInput:
    return InvalidInput(msg, [FieldError(("sections", position, "figure"), msg)])


def _chart_data(cluster: Cluster, figure: str, position: int) -> dict[str, Any]:
    market = selectors.cluster_market(cluster, None)
    if figure == "weekly_by_channel":
        rows = market.weekly
        shown = [
            {"week": r["week"], "channel": r["channel"], "value": r["value"]}
            for r in rows
            if not r["withheld"] and r["value"] is not None
        ]
    elif figure in ("channels", "categories"):
        key = "channel" if figure == "channels" else "category"
        rows = market.channels if figure == "channels" else market.categories
        shown = [
            {"key": r[key], "value": r["value"]}
            for r in rows
            if not r["withheld"] and r["value"] is not None
        ]
    else:
        raise _refuse(
            position,
            _("Section %(n)d: no such figure “%(figure)s”.") % {"n": position, "figure": figure},
        )
    if not shown:
        raise _refuse(
            position,
            _(
                "Section %(n)d: the figure “%(figure)s” is withheld (it rests on fewer than "
                "%(k)d firms or on one dominant firm) and cannot go into a report."
            )
            % {"n": position, "figure": figure, "k": market.min_firms},
        )
    return _plain(
        {
            "rows": shown,
            "withheld": len(rows) - len(shown),
            "since": market.since,
            "until": market.until,
        }
    )


def _trend_data(cluster: Cluster, figure: str, position: int) -> dict[str, Any]:
    column, _sep, value = figure.partition(":")
    trends = selectors.trends(cluster, None)
    row = next((r for r in trends.values if r["column"] == column and r["value"] == value), None)
    if row is None:
        raise _refuse(
            position,
            _("Section %(n)d: “%(figure)s” is not in the current trend scan.")
            % {"n": position, "figure": figure},
        )
    if row.get("suppressed"):
        raise _refuse(
            position,
            _(
                "Section %(n)d: the trend “%(figure)s” is withheld (it rests on fewer than "
                "%(k)d firms or on one dominant firm) and cannot go into a report."
            )
            % {"n": position, "figure": figure, "k": trends.min_firms},
        )
    evidence = {k: row.get(k) for k in TREND_KEYS}
    evidence.update(recent_quantity=row.get("recent"), baseline_quantity=row.get("baseline"))
    return _plain({"trend": evidence, "recent": trends.recent, "baseline": trends.baseline})


def _forecast_data(cluster: Cluster, figure: str, position: int) -> dict[str, Any]:
    result = selectors.forecasts(cluster, None)
    series = result.get(figure)
    if series is None:
        withheld = any(f"{w['category']}|{w['channel']}" == figure for w in result.withheld)
        msg = (
            _(
                "Section %(n)d: the forecast “%(figure)s” is withheld (it rests on fewer than "
                "%(k)d firms or on one dominant firm) and cannot go into a report."
            )
            if withheld
            else _("Section %(n)d: no forecast “%(figure)s”.")
        )
        raise _refuse(position, msg % {"n": position, "figure": figure, "k": result.min_firms})
    fc = series["forecast"]
    return _plain(
        {
            "category": series["category"],
            "channel": series["channel"],
            "model": series["model"],
            "mase": series["mase"],
            "history": series["history"],
            "forecast": {
                k: fc.get(k, []) for k in ("ds", "mean", "lo_80", "hi_80", "lo_95", "hi_95")
            },
        }
    )


def _freeze(cluster: Cluster, kind: str, figure: str, position: int) -> dict[str, Any]:
    if kind == SectionKind.TEXT:
        return {}
    if not figure:
        raise _refuse(position, _("Section %(n)d: choose a figure.") % {"n": position})
    if kind == SectionKind.CHART:
        return _chart_data(cluster, figure, position)
    if kind == SectionKind.TREND:
        return _trend_data(cluster, figure, position)
    return _forecast_data(cluster, figure, position)


# --- services --------------------------------------------------------------------------------


def _check_compose(user: Any, cluster: Cluster) -> None:
    if not can_compose(user, cluster):
        raise Forbidden(_("Only the cluster's association staff may compose trend reports."))


def _check_draft(user: Any, report: TrendReport) -> None:
    _check_compose(user, report.cluster)
    if report.status != ReportStatus.DRAFT:
        raise Forbidden(
            _("A published report cannot be changed: make a new version of it instead.")
        )


def _clean_header(data: dict[str, Any]) -> dict[str, Any]:
    errors = []
    title_zh = str(data.get("title_zh") or "").strip()
    if not title_zh:
        errors.append(FieldError(("title_zh",), _("A Chinese title is required.")))
    audience = str(data.get("audience") or ReportAudience.MEMBERS)
    if audience not in ReportAudience.values:
        errors.append(FieldError(("audience",), _("The audience is members or public.")))
    for name, limit in (("title_zh", 200), ("title_en", 200), ("season", 80)):
        if problem := text_problem(str(data.get(name) or ""), limit):
            errors.append(FieldError((name,), problem))
    if errors:
        raise InvalidInput(errors[0].msg, errors)
    return {
        "title_zh": title_zh,
        "title_en": str(data.get("title_en") or "").strip(),
        "season": str(data.get("season") or "").strip(),
        "audience": audience,
    }


@transaction.atomic
def create_report(user: Any, cluster: Cluster, data: dict[str, Any]) -> TrendReport:
    _check_compose(user, cluster)
    return TrendReport.objects.create(cluster=cluster, author=user, **_clean_header(data))


@transaction.atomic
def update_report(user: Any, report: TrendReport, data: dict[str, Any]) -> TrendReport:
    _check_draft(user, report)
    for name, value in _clean_header(data).items():
        setattr(report, name, value)
    report.save()
    return report


@transaction.atomic
def add_section(user: Any, report: TrendReport, data: dict[str, Any]) -> ReportSection:
    """Freezes the section's figure now, from the public view; a withheld one is refused."""
    _check_draft(user, report)
    position = report.sections.count() + 1
    kind = str(data.get("kind") or "")
    if kind not in SectionKind.values:
        msg = _("Section %(n)d: choose what kind of section it is.") % {"n": position}
        raise InvalidInput(msg, [FieldError(("sections", position, "kind"), msg)])
    figure = str(data.get("figure") or "").strip()
    texts = {
        k: str(data.get(k) or "").strip()
        for k in ("heading_zh", "heading_en", "body_zh", "body_en")
    }
    limits = {"heading_zh": 200, "heading_en": 200, "body_zh": 20_000, "body_en": 20_000}
    problems = [
        FieldError(("sections", position, k), f"{_('Section %(n)d:') % {'n': position}} {p}")
        for k, text in texts.items()
        if (p := text_problem(text, limits[k]))
    ]
    if problems:
        raise InvalidInput(problems[0].msg, problems)
    if kind == SectionKind.TEXT and not (texts["body_zh"] or texts["body_en"]):
        msg = _("Section %(n)d: a text section needs its text.") % {"n": position}
        raise InvalidInput(msg, [FieldError(("sections", position, "body_zh"), msg)])
    frozen = _freeze(report.cluster, kind, figure, position)
    last = report.sections.aggregate(m=Max("order"))["m"] or 0
    return ReportSection.objects.create(
        report=report,
        order=last + 1,
        kind=kind,
        figure=figure if kind != SectionKind.TEXT else "",
        data=frozen,
        **texts,
    )


@transaction.atomic
def move_section(user: Any, section: ReportSection, step: int) -> None:
    """Swaps the section with its neighbour above (step -1) or below (+1)."""
    report = section.report
    _check_draft(user, report)
    ordered = list(sections_of(report))
    i = next(i for i, s in enumerate(ordered) if s.pk == section.pk)
    j = i + (1 if step > 0 else -1)
    if not 0 <= j < len(ordered):
        return
    ordered[i], ordered[j] = ordered[j], ordered[i]
    for n, s in enumerate(ordered, start=1):
        if s.order != n:
            s.order = n
            s.save(update_fields=["order"])


@transaction.atomic
def remove_section(user: Any, section: ReportSection) -> None:
    _check_draft(user, section.report)
    section.delete()


def get_section(report: TrendReport, section_id: int) -> ReportSection:
    section = report.sections.filter(pk=section_id).first()
    if section is None:
        raise NotFound(_("No such section."))
    return section


@transaction.atomic
def publish(user: Any, report: TrendReport) -> TrendReport:
    _check_draft(user, report)
    if not report.sections.exists():
        raise InvalidInput.field("sections", _("A report needs at least one section."))
    report.status = ReportStatus.PUBLISHED
    report.published_at = timezone.now()
    report.save(update_fields=["status", "published_at"])
    return report


@transaction.atomic
def new_version(user: Any, report: TrendReport) -> TrendReport:
    """A draft copy of a published report with its frozen sections: the published one stays
    as it was read."""
    _check_compose(user, report.cluster)
    if report.status != ReportStatus.PUBLISHED:
        raise InvalidInput.field("status", _("Only a published report gets a new version."))
    copy = TrendReport.objects.create(
        cluster=report.cluster,
        title_zh=report.title_zh,
        title_en=report.title_en,
        season=report.season,
        audience=report.audience,
        author=user,
        version=report.version + 1,
        previous=report,
    )
    ReportSection.objects.bulk_create(
        ReportSection(
            report=copy,
            order=s.order,
            kind=s.kind,
            heading_zh=s.heading_zh,
            heading_en=s.heading_en,
            body_zh=s.body_zh,
            body_en=s.body_en,
            figure=s.figure,
            data=s.data,
        )
        for s in sections_of(report)
    )
    return copy


# --- demo ------------------------------------------------------------------------------------

DEMO_REPORTS = {
    "wenzhou": (
        ReportAudience.PUBLIC,
        "温州鞋业趋势发布",
        "Wenzhou footwear trend release",
    ),
    "xinji": (
        ReportAudience.MEMBERS,
        "辛集皮衣会员趋势简报",
        "Xinji leather garments: members' trend brief",
    ),
}


def load_report_demo(cluster: Cluster) -> TrendReport | None:
    """A published trend report for the demo (Wenzhou public, Xinji members), composed from the
    demo sales by the same freezing as the compose page: the public view, nothing withheld.
    No author (the demo's users are made later); no forecast section (it takes seconds)."""
    spec = DEMO_REPORTS.get(cluster.slug)
    if spec is None:
        return None
    audience, title_zh, title_en = spec
    report = TrendReport.objects.create(
        cluster=cluster,
        title_zh=title_zh,
        title_en=title_en,
        season=str(timezone.localdate().year + 1) + " SS",
        audience=audience,
    )
    trends = selectors.trends(cluster, None)
    picked = [f for f in trends.findings if not f.get("suppressed")][:3]
    rows: list[ReportSection] = [
        ReportSection(
            report=report,
            kind=SectionKind.TEXT,
            heading_zh="本季概述",
            heading_en="The season at a glance",
            body_zh="本报告依据集群企业的销售数据编制；企业数不足或由单一企业主导的数字不予公开。",
            body_en="Composed from the sales of the cluster's firms; figures resting on too few "
            "firms or on one dominant firm are withheld.",
        )
    ]
    for figure, zh, en in (
        ("weekly_by_channel", "各渠道周销售额", "Weekly sales by channel"),
        ("categories", "各品类销售额", "Sales by category"),
    ):
        try:
            data = _chart_data(cluster, figure, len(rows) + 1)
        except InvalidInput:
            continue
        rows.append(
            ReportSection(
                report=report,
                kind=SectionKind.CHART,
                figure=figure,
                heading_zh=zh,
                heading_en=en,
                data=data,
            )
        )
    names = {"rising": ("上升", "Rising"), "falling": ("下降", "Falling"), "new": ("新出现", "New")}
    for f in picked:
        figure = f"{f['column']}:{f['value']}"
        zh, en = names.get(f["direction"], ("", ""))
        rows.append(
            ReportSection(
                report=report,
                kind=SectionKind.TREND,
                figure=figure,
                heading_zh=f"{zh}：{f['value']}",
                heading_en=f"{en}: {f['value']}",
                data=_trend_data(cluster, figure, len(rows) + 1),
            )
        )
    for n, row in enumerate(rows, start=1):
        row.order = n
    ReportSection.objects.bulk_create(rows)
    report.status = ReportStatus.PUBLISHED
    report.published_at = timezone.now()
    report.save(update_fields=["status", "published_at"])
    return report
