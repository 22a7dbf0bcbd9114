"""The trend-report pages: the cluster's list of published reports (and its drafts for the
association), composing a draft (sections added, reordered, removed; trends picked from the
current scan; a preview), the report page with its charts (plotly from our static files, drawn
from the frozen data) and its PDF. Reads and writes go through `market.reports`; a refused
section is a 422 with the error naming it, nothing saved."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clusterbrain.errors import FieldError, Forbidden, InvalidInput
from clusterbrain.market import charts, report_pdf, reports
from clusterbrain.market.models import ReportAudience, ReportSection, SectionKind, TrendReport
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.web.decorators import domain_errors


def report_lang(request: HttpRequest) -> str:
    """`?lang=zh|en`, else the request's language."""
    asked = request.GET.get("lang", "")
    if asked in ("zh", "en"):
        return asked
    return "en" if (get_language() or "").startswith("en") else "zh"


def section_chart(section: ReportSection) -> dict[str, Any] | None:
    data = section.data or {}
    if section.kind == SectionKind.CHART:
        if section.figure == "weekly_by_channel":
            return charts.weekly_by_channel(data.get("rows", []))
        key = "channel" if section.figure == "channels" else "category"
        rows = [{key: r["key"], "value": r["value"]} for r in data.get("rows", [])]
        return charts.by_key(rows, key)
    if section.kind == SectionKind.FORECAST and data.get("forecast"):
        return charts.forecast_chart(data)
    if section.kind == SectionKind.TREND:
        trend = data.get("trend") or {}
        if trend.get("direction") in ("rising", "falling") and trend.get("lift"):
            return charts.trend_lifts([trend])
    return None


def _report_context(report: TrendReport, lang: str) -> dict[str, Any]:
    sections = list(reports.sections_of(report))
    items: list[dict[str, Any]] = [
        {
            "section": s,
            "heading": s.heading(lang),
            "body": s.body(lang),
            "chart_id": f"chart-section-{s.pk}",
            "evidence": report_pdf.trend_evidence(s),
            "withheld": (s.data or {}).get("withheld") or 0,
        }
        for s in sections
    ]
    chart_specs = {}
    for section, item in zip(sections, items, strict=True):
        spec = section_chart(section)
        if spec is not None:
            chart_specs[item["chart_id"]] = spec
        else:
            item["chart_id"] = ""
    return {
        "report": report,
        "title": report.title(lang),
        "lang": lang,
        "items": items,
        "charts": chart_specs,
        "cluster": report.cluster,
        "active_nav": "market",
    }


@require_http_methods(["GET", "POST"])
@domain_errors
def report_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Published reports the user may read; the association's drafts and a form for a new one."""
    cluster = registry_selectors.get_cluster(slug)
    status = 200
    errors: list[Any] = []
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = request.POST.dict()
        try:
            report = reports.create_report(request.user, cluster, values)
        except InvalidInput as exc:
            errors, status = exc.errors, 422
        else:
            return redirect("market-report-compose", report_id=report.pk)
    context = {
        "cluster": cluster,
        "published": reports.published_reports(cluster, request.user),
        "drafts": reports.drafts(cluster, request.user),
        "can_compose": reports.can_compose(request.user, cluster),
        "audiences": ReportAudience.choices,
        "errors": errors,
        "values": values,
        "active_nav": "market",
    }
    return render(request, "market/report_list.html", context, status=status)


@require_http_methods(["GET"])
@domain_errors
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = reports.get_report(report_id, request.user)
    context = _report_context(report, report_lang(request))
    context["can_compose"] = reports.can_compose(request.user, report.cluster)
    return render(request, "market/report.html", context)


@require_http_methods(["GET"])
@domain_errors
def report_download(request: HttpRequest, report_id: int) -> HttpResponse:
    report = reports.get_report(report_id, request.user)
    lang = report_lang(request)
    content = report_pdf.render(report, list(reports.sections_of(report)), lang)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="trend-report-{report.pk}-v{report.version}-{lang}.pdf"'
    )
    return response


ACTIONS = ("header", "add", "up", "down", "remove", "publish", "new_version")


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def report_compose(request: HttpRequest, report_id: int) -> HttpResponse:
    """One form per action (header, add a section, up/down/remove one, publish); each is one
    service call, refused whole with its error shown, nothing saved."""
    report = reports.get_report(report_id, request.user)
    if not reports.can_compose(request.user, report.cluster):
        raise Forbidden(_("Only the cluster's association staff may compose trend reports."))
    status = 200
    errors: list[Any] = []
    values: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        values = request.POST.dict()
        try:
            if action == "header":
                reports.update_report(request.user, report, values)
                messages.success(request, _("The report was saved."))
            elif action == "add":
                reports.add_section(request.user, report, values)
                messages.success(request, _("The section was added."))
            elif action in ("up", "down", "remove"):
                raw = request.POST.get("section", "")
                section = reports.get_section(report, int(raw) if raw.isdigit() else 0)
                if action == "remove":
                    reports.remove_section(request.user, section)
                else:
                    reports.move_section(request.user, section, -1 if action == "up" else 1)
            elif action == "publish":
                reports.publish(request.user, report)
                messages.success(request, _("The report was published."))
                return redirect("market-report", report_id=report.pk)
            elif action == "new_version":
                copy = reports.new_version(request.user, report)
                messages.success(request, _("A new draft version was made."))
                return redirect("market-report-compose", report_id=copy.pk)
            else:
                raise InvalidInput.field("action", _("Unknown action."))
        except InvalidInput as exc:
            errors, status = exc.errors or [], 422
            if not errors:
                errors = [FieldError(("report",), exc.detail)]
        else:
            return redirect("market-report-compose", report_id=report.pk)
    lang = report_lang(request)
    context = _report_context(report, lang)
    choices = reports.figure_choices(report.cluster)
    context.update(
        can_compose=True,
        errors=errors,
        values=values,
        kinds=SectionKind.choices,
        chart_choices=choices["chart"],
        trend_choices=choices["trend"],
        forecast_choices=reports.forecast_choices(report.cluster)
        if request.GET.get("forecasts") or values.get("kind") == SectionKind.FORECAST
        else [],
        audiences=ReportAudience.choices,
    )
    return render(request, "market/report_compose.html", context, status=status)
