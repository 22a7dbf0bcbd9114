"""The lot pages: search (HTMX swaps the results), a lot with its genealogy drawn (trace back to
origins, forward to products), and the recall list with its CSV. Reads go through
`trace.selectors`, which enforce who sees which lots and whose quantities."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from clusterbrain.errors import FieldError, InvalidInput
from clusterbrain.registry.models import Cluster
from clusterbrain.trace import charts, permissions, selectors
from clusterbrain.web.decorators import domain_errors

TABLE_ROWS = 200


def _date(request: HttpRequest, name: str, errors: list[FieldError]) -> datetime.date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        errors.append(FieldError((name,), _("Enter a date as YYYY-MM-DD.")))
        return None


def _firm(request: HttpRequest, errors: list[FieldError]) -> int | None:
    raw = request.GET.get("firm", "").strip()
    if not raw:
        return None
    # isdecimal, not isdigit: "²" is a digit int() refuses; and a key the database can hold
    if raw.isascii() and raw.isdecimal() and int(raw) < 2**63:
        return int(raw)
    errors.append(FieldError(("firm",), _("Choose a firm from the list.")))
    return None


def _cluster(request: HttpRequest) -> Cluster | None:
    slug = request.GET.get("cluster", "").strip()
    return Cluster.objects.filter(slug=slug).first() if slug else None


@login_required
@domain_errors
def lot_search(request: HttpRequest) -> HttpResponse:
    errors: list[FieldError] = []
    since = _date(request, "since", errors)
    until = _date(request, "until", errors)
    firm = _firm(request, errors)
    cluster = _cluster(request)
    lots = selectors.search_lots(
        request.user,
        q=request.GET.get("q", ""),
        material=request.GET.get("material", ""),
        firm=firm,
        cluster=cluster,
        since=since,
        until=until,
        limit=100,
    )
    context: dict[str, Any] = {
        "lots": lots,
        "errors": errors,
        "firms": selectors.lot_firms(request.user),
        "values": request.GET,
        "firm": firm,
        "cluster": cluster,
        "active_nav": "lots",
    }
    htmx: Any = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request and not htmx.boosted
    template = "trace/partials/lot_results.html" if partial else "trace/lots.html"
    return render(request, template, context, status=422 if errors else 200)


def _sees_quantity(request: HttpRequest, lot: Any) -> bool:
    return permissions.sees_quantities_of(request.user, lot.owner_id, lot.cluster_id)


@login_required
@domain_errors
def lot_detail(request: HttpRequest, lot_id: int) -> HttpResponse:
    lot = selectors.get_lot(request.user, lot_id)
    back = selectors.trace(request.user, lot, "back")
    forward = selectors.trace(request.user, lot, "forward")
    charts_ = {
        "chart-trace-back": charts.genealogy_sankey(back),
        "chart-trace-forward": charts.genealogy_sankey(forward),
    }
    context = {
        "lot": lot,
        "back": back,
        "forward": forward,
        "back_rows": back.rows[:TABLE_ROWS],
        "forward_ends": forward.ends[:20],
        "charts": charts_,
        "has_chart": any(charts_.values()),
        "sees_quantity": _sees_quantity(request, lot),
        "cluster": lot.cluster,
        "active_nav": "lots",
        "table_rows": TABLE_ROWS,
    }
    return render(request, "trace/lot.html", context)


@login_required
@domain_errors
def lot_recall(request: HttpRequest, lot_id: int) -> HttpResponse:
    lot = selectors.get_lot(request.user, lot_id)
    result = selectors.recall(request.user, lot)
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            selectors.recall_csv(result), content_type="text/csv; charset=utf-8"
        )
        name = "".join(c if c.isalnum() or c in ".-_" else "_" for c in lot.key)[-80:]
        response["Content-Disposition"] = f'attachment; filename="recall-{name}.csv"'
        return response
    if request.GET.get("format") not in (None, "", "html"):
        raise InvalidInput.field("format", _("Choose csv or html."))
    context = {
        "lot": lot,
        "recall": result,
        "rows": result.rows[:TABLE_ROWS],
        "table_rows": TABLE_ROWS,
        "cluster": lot.cluster,
        "active_nav": "lots",
    }
    return render(request, "trace/recall.html", context)
