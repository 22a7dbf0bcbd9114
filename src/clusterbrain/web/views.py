"""The server-rendered pages. Every read goes through `registry.selectors` and every write
through `registry.services`; a view parses the request, calls them and picks a template (the
whole page, or for an HTMX request the part that changes)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from clusterbrain.accounts import permissions
from clusterbrain.chains.models import ChainLink
from clusterbrain.green import selectors as green_selectors
from clusterbrain.green.views import chart_specs as green_chart_specs
from clusterbrain.matching import charts as matching_charts
from clusterbrain.matching import selectors as matching_selectors
from clusterbrain.registry import selectors
from clusterbrain.registry.models import Brand, Certification, Cluster, Indicator
from clusterbrain.web import chainmap, charts
from clusterbrain.web.decorators import domain_errors
from clusterbrain.web.forms import DirectoryFilterForm
from clusterbrain.web.templatetags.cb import num, pct, unit

DIRECTORY_PER_PAGE = 25
LINK_FIRMS_PER_PAGE = 20


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _wants_partial(request: HttpRequest) -> bool:
    """An HTMX request for a part of a page (a history restore wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    if htmx is None or not htmx:
        return False
    return not htmx.history_restore_request and not htmx.boosted


def _render(
    request: HttpRequest, full: str, partial: str | None, context: dict[str, Any]
) -> HttpResponse:
    template = partial if partial and _wants_partial(request) else full
    response = render(request, template, context)
    if partial:
        patch_vary_headers(response, ["HX-Request"])
    return response


def gap_reason_label(reason: str) -> str:
    from django.conf import settings

    return {
        "no_firms": _("no firm in the cluster"),
        "few_firms": _("fewer than %(n)s firms in the cluster") % {"n": settings.CHAIN_MIN_FIRMS},
        "short_of_demand": _("capacity short of downstream demand"),
    }.get(reason, reason)


def link_explanation(detail: selectors.LinkDetail) -> list[str]:
    """The engine's explanation of a link's figures, in the reader's language."""
    report, unit_label = detail.report, unit(detail.link.unit)
    names = {link.code: link.name for link in detail.downstream}
    lines = []
    for key, value in report.explanation.inputs.items():
        if key.startswith("demand_from:"):
            code = key.split(":", 1)[1]
            lines.append(
                _("Demand from %(link)s: %(value)s %(unit)s a month")
                % {"link": names.get(code, code), "value": num(value), "unit": unit_label}
            )
    if report.demand is None:
        lines.append(_("Demand unknown: no link downstream with an input coefficient."))
    if report.coverage is not None and report.demand:
        lines.append(
            _("Coverage = capacity %(capacity)s ÷ demand %(demand)s = %(coverage)s")
            % {
                "capacity": num(report.capacity),
                "demand": num(report.demand),
                "coverage": pct(report.coverage),
            }
        )
    if report.hhi is not None:
        lines.append(
            _("HHI = Σ (capacity of each firm)² ÷ (capacity of the link)² = %(hhi)s")
            % {"hhi": f"{report.hhi:.2f}"}
        )
    else:
        lines.append(_("HHI unknown: no capacity in the cluster."))
    if not detail.link.is_core:
        lines.append(_("A support link is shown but not counted in the chain's completeness."))
    return lines


def _link_rows(links: list[ChainLink], reports: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for link in links:
        report = reports.get(link.code)
        status = charts.link_status(report)
        rows.append(
            {
                "link": link,
                "report": report,
                "status": status,
                "status_label": chainmap.status_label(status),
                "reasons": [gap_reason_label(r) for r in (report.gap_reasons if report else ())],
            }
        )
    return rows


@domain_errors
def home(request: HttpRequest) -> HttpResponse:
    summaries = [selectors.cluster_summary(c, request.user) for c in selectors.clusters()]
    context = {"summaries": summaries, "any_demo": any(s.is_demo for s in summaries)}
    return render(request, "web/home.html", context)


@domain_errors
def cluster_overview(request: HttpRequest, slug: str) -> HttpResponse:
    cluster = selectors.get_cluster(slug)
    summary = selectors.cluster_summary(cluster, request.user)
    graph = selectors.chain_graph(cluster)
    localisation = selectors.localisation(cluster, request.user)
    reports = {report.link: report for report in graph.report.links}
    links_by_code = {link.code: link for link in graph.links}
    figures = selectors.reported_figures(cluster)
    output_series = selectors.output_value_series(cluster, request.user)
    kpi_targets = {kpi.indicator: kpi for kpi in summary.kpis}

    loc_kpi = kpi_targets.get(Indicator.LOCALISATION_RATE)
    out_kpi = kpi_targets.get(Indicator.OUTPUT_VALUE)
    chart_specs = {
        "chart-links": charts.firms_by_link(
            [link for link in graph.links if link.is_core]
            + [link for link in graph.links if not link.is_core],
            reports,
        ),
        "chart-size": charts.size_split(summary.by_size_class),
        "chart-certs": charts.certifications(summary.certifications),
        "chart-localisation": charts.localisation_over_time(
            localisation.by_year,
            loc_kpi.target if loc_kpi else None,
            withheld=localisation.suppressed_years,
            note=localisation.suppression_note,
        ),
        "chart-output": charts.output_value(
            [(f.year, f.value) for f in output_series if f.value is not None],
            sorted((f.year, f.value) for f in figures if f.indicator == Indicator.OUTPUT_VALUE),
            (out_kpi.target_year, out_kpi.target)
            if out_kpi and out_kpi.target and out_kpi.target_year
            else None,
            withheld=[f.year for f in output_series if f.suppressed],
            note=selectors.suppression_note(summary.min_firms or None),
        ),
    }
    gaps = _link_rows([links_by_code[c] for c in summary.gap_links if c in links_by_code], reports)
    concentrated = _link_rows(
        [links_by_code[c] for c in summary.concentrated_links if c in links_by_code], reports
    )
    matching = matching_selectors.figures(cluster, request.user)
    chart_specs["chart-matching-localisation"] = charts.localisation_over_time(
        matching.by_year, withheld=matching.suppressed_years, note=matching.suppression_note
    )
    chart_specs["chart-utilisation"] = matching_charts.capacity_utilisation(matching.utilisation)
    green = green_selectors.figures(cluster, request.user)
    chart_specs.update(green_chart_specs(green))
    indicator_labels = dict(Indicator.choices)
    reported = [
        {"figure": f, "label": indicator_labels.get(f.indicator, f.indicator)} for f in figures
    ]
    context = {
        "cluster": cluster,
        "summary": summary,
        "graph": graph,
        "localisation": localisation,
        "charts": chart_specs,
        "gaps": gaps,
        "concentrated": concentrated,
        "matching": matching,
        "green": green,
        "reported": reported,
        "certification_labels": dict(Certification.Kind.choices),
        "any_certification": any(summary.certifications.values()),
        "brand_labels": dict(Brand.Status.choices),
        "active_nav": "overview",
    }
    return render(request, "web/cluster_overview.html", context)


def _chain_context(cluster: Cluster, selected: str | None = None) -> dict[str, Any]:
    graph = selectors.chain_graph(cluster)
    reports = {report.link: report for report in graph.report.links}
    return {
        "cluster": cluster,
        "graph": graph,
        "chain_svg": chainmap.render_svg(cluster.slug, graph.links, graph.edges, reports, selected),
        "link_rows": _link_rows(list(graph.links), reports),
        "active_nav": "chain",
    }


@domain_errors
def chain_map(request: HttpRequest, slug: str) -> HttpResponse:
    cluster = selectors.get_cluster(slug)
    return render(request, "web/chain_map.html", _chain_context(cluster))


@domain_errors
def chain_link(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    cluster = selectors.get_cluster(slug)
    detail = selectors.link_detail(
        cluster, code, request.user, page=_page_number(request), per_page=LINK_FIRMS_PER_PAGE
    )
    status = charts.link_status(detail.report)
    panel = {
        "detail": detail,
        "status": status,
        "status_label": chainmap.status_label(status),
        "reasons": [gap_reason_label(r) for r in detail.report.gap_reasons],
        "pages": max(1, (detail.total_firms + detail.per_page - 1) // detail.per_page),
        "explanation": link_explanation(detail),
    }
    if _wants_partial(request):
        response = render(request, "web/partials/link_panel.html", {"cluster": cluster, **panel})
    else:
        context = _chain_context(cluster, selected=code)
        response = render(request, "web/chain_map.html", {**context, **panel})
    patch_vary_headers(response, ["HX-Request"])
    return response


def canonical_query(request: HttpRequest, **changes: Any) -> str:
    """The query string as the pages write it: no empty parameter (a filter form sends every
    field, set or not), no `page=1`, with `changes` applied ("" or None removes)."""
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [value for value in values if value != ""]
        if kept:
            params.setlist(key, kept)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    if params.get("page") == "1":
        params.pop("page")
    encoded = params.urlencode()
    return "?" + encoded if encoded else ""


def _canonical(request: HttpRequest, response_for: Any, **changes: Any) -> HttpResponse:
    """Serve the page at its canonical URL: a plain request for another URL is redirected to
    it; an HTMX request is answered, and the URL it pushes into the history is the canonical
    one (HX-Push-Url)."""
    url = request.path + canonical_query(request, **changes)
    if not _wants_partial(request) and url != request.get_full_path():
        return redirect(url)
    response: HttpResponse = response_for()
    if _wants_partial(request):
        response["HX-Push-Url"] = url
    return response


@domain_errors
def directory(request: HttpRequest, slug: str) -> HttpResponse:
    cluster = selectors.get_cluster(slug)
    links = selectors.chain_links(cluster)
    form = DirectoryFilterForm(request.GET or None, links=links)
    filters = form.filters()
    requested = _page_number(request)
    result = selectors.enterprise_directory(
        cluster, request.user, filters, page=requested, per_page=DIRECTORY_PER_PAGE
    )
    if requested > result.pages and result.page != result.pages:
        # Past the last page: the last one (the selector may already have returned it).
        result = selectors.enterprise_directory(
            cluster, request.user, filters, page=result.pages, per_page=DIRECTORY_PER_PAGE
        )
    context = {
        "cluster": cluster,
        "form": form,
        "filters": filters,
        "filter_link": next((link for link in links if link.code == filters.link), None),
        "result": result,
        "certification_labels": dict(Certification.Kind.choices),
        "can_register": permissions.can_create_enterprise(request.user, cluster),
        "active_nav": "firms",
    }
    return _canonical(
        request,
        lambda: _render(
            request, "web/directory.html", "web/partials/directory_results.html", context
        ),
        page=result.page if requested != 1 else None,
    )


@domain_errors
def firm_map(request: HttpRequest, slug: str) -> HttpResponse:
    cluster = selectors.get_cluster(slug)
    links = selectors.chain_links(cluster)
    form = DirectoryFilterForm(request.GET or None, links=links)
    del form.fields["order"]  # a map has no order
    points = selectors.firm_map(cluster, request.user, form.filters())
    centre = (
        (cluster.latitude, cluster.longitude)
        if cluster.latitude is not None and cluster.longitude is not None
        else None
    )
    context = {
        "cluster": cluster,
        "form": form,
        "points": points,
        "firms": points.firms,
        "unlocated_firms": points.firms - points.located_firms,
        "outside_sites": points.outside_sites,
        "shown": points.shown,
        "total_points": points.total_points,
        "truncated": points.truncated,
        "map_spec": charts.firm_map(points, links, centre),
        "active_nav": "map",
    }
    return _canonical(
        request,
        lambda: _render(
            request, "web/firm_map.html", "web/partials/firm_map_results.html", context
        ),
    )


def _relations(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Supplier / customer rows of the profile selector, with the partner's profile link."""
    return [
        {
            "name": row.get("name", ""),
            "id": row.get("enterprise_id"),
            "link": row.get("link_name") or row.get("link", ""),
            "year": row.get("year"),
            "value": row.get("value"),
            "in_cluster": row.get("in_cluster"),
        }
        for row in rows
    ]


@domain_errors
def enterprise_profile(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    profile = selectors.enterprise_profile(enterprise_id, request.user)
    context: dict[str, Any] = {
        "profile": profile,
        "enterprise": profile.enterprise,
        "cluster": profile.enterprise.cluster,
        "today": timezone.localdate(),
        "can_verify": permissions.can_verify_certification(request.user, profile.enterprise),
        "show_evidence": permissions.can_view_evidence(request.user, profile.enterprise),
        "active_nav": "firms",
    }
    if profile.can_view_confidential:
        context["years_chart"] = charts.yearly_figures(profile.years) if profile.years else None
        context["relation_blocks"] = [
            (_("Suppliers"), _relations(profile.suppliers)),
            (_("Customers"), _relations(profile.customers)),
        ]
    return render(request, "web/enterprise_profile.html", context)
