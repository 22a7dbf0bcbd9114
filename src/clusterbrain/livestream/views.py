"""The livestream base's pages: the schedule by week (with the operator's form to schedule a
session), a session's results, a firm's ROI and the streamer match. Reads go through
`livestream.selectors`, writes through `livestream.services`; a refused form shows each error
by its field (422), nothing saved."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from clusterbrain.errors import DomainError, Forbidden, InvalidInput
from clusterbrain.livestream import charts, permissions, selectors, services
from clusterbrain.livestream.models import Platform
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry.models import Enterprise
from clusterbrain.registry.selectors import as_id
from clusterbrain.web.decorators import domain_errors


def _schedule_post(request: HttpRequest, cluster: Any) -> list[dict[str, Any]]:
    """The operator's form: returns the errors by field (empty when scheduled)."""
    data = request.POST
    errors: list[dict[str, Any]] = []
    streamer = None
    try:
        streamer = selectors.get_streamer(data.get("streamer"), request.user)
        if streamer.cluster_id != cluster.pk:
            streamer = None
    except DomainError:
        streamer = None
    if streamer is None:
        errors.append({"field": "streamer", "msg": _("Choose a streamer of this base.")})
    start = parse_datetime(data.get("start", "") or "")
    if start is None:
        errors.append({"field": "start", "msg": _("Enter a date and time as YYYY-MM-DD HH:MM.")})
    if errors or streamer is None or start is None:
        return errors
    posted = data.getlist("firms")
    firm_ids = [pk for i in posted if (pk := as_id(i)) is not None]
    firms = list(Enterprise.objects.filter(pk__in=firm_ids))
    if len(firms) != len(set(posted)):  # not a firm (an id of 10**30 overflowed the query)
        return [{"field": "firms", "msg": _("No such enterprise.")}]
    try:
        services.schedule_session(
            request.user,
            streamer,
            start=start,
            duration_minutes=data.get("duration_minutes") or None,  # type: ignore[arg-type]
            firms=firms,
            title=data.get("title", ""),
            slot_fee=data.get("slot_fee") or 0,  # type: ignore[arg-type]
        )
    except InvalidInput as exc:
        return [{"field": str(e.loc[0]), "msg": e.msg} for e in exc.errors]
    return []


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def schedule(request: HttpRequest, slug: str) -> HttpResponse:
    """Two weeks of the base's sessions, calendar-like, from the week asked for."""
    cluster = registry_selectors.get_cluster(slug)
    try:
        day = parse_date(request.GET.get("week", "") or "") or timezone.localdate()
    except ValueError:  # well formed, not a date (2026-02-30)
        raise InvalidInput.field("week", _("Enter a date as YYYY-MM-DD.")) from None
    status, errors = 200, []
    if request.method == "POST":
        if not permissions.can_manage(request.user, cluster):
            raise Forbidden(_("Only the livestream base's operator (the association) may do this."))
        errors = _schedule_post(request, cluster)
        if not errors:
            messages.success(request, _("Session scheduled."))
            return redirect(f"{request.path}?week={request.POST.get('start', '')[:10]}")
        status = 422
    weeks = selectors.schedule(cluster, request.user, day)
    monday = selectors.week_start(day)
    manage = permissions.can_manage(request.user, cluster)
    context = {
        "cluster": cluster,
        "weeks": weeks,
        "today": timezone.localdate(),
        "prev": monday - datetime.timedelta(days=14),
        "next": monday + datetime.timedelta(days=14),
        "streamers": selectors.streamers(cluster, request.user),
        "can_manage": manage,
        "firms": Enterprise.objects.filter(cluster=cluster).order_by("name_zh")[:300]
        if manage
        else [],
        "errors": errors,
        "form": request.POST if request.method == "POST" else {},
        "own_firm": permissions.firm_of(request.user),
        "active_nav": "livestream",
    }
    return render(request, "livestream/schedule.html", context, status=status)


# Empty item rows the results form offers beyond the featured firms (more: save, then reopen).
_SPARE_ITEM_ROWS = 2
_MAX_ITEM_ROWS = 60
_ITEM_KEY = re.compile(r"^item-(\d+)-")
_LABELS = {
    "viewers": gettext_lazy("Viewers"),
    "peak_viewers": gettext_lazy("Peak viewers"),
    "items_shown": gettext_lazy("Items shown"),
    "orders": gettext_lazy("Orders"),
    "gmv": gettext_lazy("GMV (yuan)"),
    "returns_value": gettext_lazy("Returns (yuan)"),
    "slot_fee": gettext_lazy("Slot fee (yuan)"),
    "commission": gettext_lazy("Commission (yuan)"),
    "enterprise": gettext_lazy("Firm"),
    "category": gettext_lazy("Category"),
    "units": gettext_lazy("Units"),
    "product": gettext_lazy("Product"),
    "status": gettext_lazy("Status"),
    "items": gettext_lazy("Items"),
}


def _item_rows(data: Any) -> list[dict[str, str]]:
    """The results form's item rows as sent (`item-<n>-<field>`), blank rows dropped."""
    rows = []
    for n in range(_MAX_ITEM_ROWS):
        row = {
            f: (data.get(f"item-{n}-{f}") or "").strip()
            for f in ("enterprise", "category", "units", "gmv", "returns_value")
        }
        if any(row.values()):
            rows.append(row)
    return rows


def _results_post(request: HttpRequest, s: Any) -> list[dict[str, str]]:
    """The operator's results form: the errors by field (empty when recorded). Item errors are
    named by their row as the form shows it (1-based)."""
    data = request.POST
    items = _item_rows(data)
    beyond = [
        key
        for key, value in data.items()
        if (m := _ITEM_KEY.match(key))
        and (len(m.group(1)) > 4 or int(m.group(1)) >= _MAX_ITEM_ROWS)
        and str(value).strip()
    ]
    if beyond:  # were dropped without a word, the results saved without them
        msg = _("The form holds at most %(n)d item rows.") % {"n": _MAX_ITEM_ROWS}
        return [{"field": "items", "label": str(_LABELS["items"]), "msg": msg}]
    try:
        services.record_results(
            request.user,
            s,
            results={f: data.get(f, "") for f in (*services.RESULT_FIELDS, "slot_fee")},
            items=items,
            commission=data.get("commission") or None,  # type: ignore[arg-type]
        )
    except InvalidInput as exc:
        errors = []
        for e in exc.errors:
            if len(e.loc) >= 3 and e.loc[0] == "items" and isinstance(e.loc[1], int):
                field = f"item-{e.loc[1]}-{e.loc[2]}"
                label = _("Item row %(row)d, %(field)s") % {
                    "row": e.loc[1] + 1,
                    "field": _LABELS.get(str(e.loc[2]), e.loc[2]),
                }
            else:
                field = str(e.loc[0]) if e.loc else "items"
                label = str(_LABELS.get(field, field))
            errors.append({"field": field, "label": label, "msg": e.msg})
        return errors
    return []


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def session(request: HttpRequest, session_id: int) -> HttpResponse:
    """A session's results; the base's operator records them here (or cancels a planned one)."""
    s = selectors.get_session(session_id, request.user)
    manage = permissions.can_manage(request.user, s.cluster)
    status, errors = 200, []
    if request.method == "POST":
        if not manage:
            raise Forbidden(_("Only the livestream base's operator (the association) may do this."))
        if request.POST.get("action") == "cancel":
            services.cancel_session(request.user, s)
            messages.success(request, _("Session cancelled."))
            return redirect(request.path)
        errors = _results_post(request, s)
        if not errors:
            messages.success(request, _("Results recorded."))
            return redirect(request.path)
        status = 422
        s.refresh_from_db()
    view = selectors.session_view(s, request.user)
    featured = list(s.firms.order_by("name_zh"))
    form_rows: list[dict[str, Any]] = []
    if manage and s.status != "cancelled":
        if request.method == "POST":
            sent = _item_rows(request.POST)
            form_rows = sent + [{} for _n in range(_SPARE_ITEM_ROWS)]
        else:
            # The operator enters each firm's figures but reads them back only where its role
            # sees them (decision 0016): the rows start from the featured firms, not the figures.
            form_rows = [{"enterprise": str(f.pk)} for f in featured]
            form_rows += [{} for _n in range(_SPARE_ITEM_ROWS)]
    form: Any = request.POST if request.method == "POST" else {}
    if manage and request.method == "GET" and s.status == "done" and not view.totals.withheld:
        form = {f: getattr(s, f) for f in (*services.RESULT_FIELDS, *services.FEE_FIELDS)}
    context = {
        "cluster": s.cluster,
        "s": s,
        "view": view,
        "charts": {"chart-session-items": charts.items(view.items)} if view.items else {},
        "active_nav": "livestream",
        "can_manage": manage,
        "errors": errors,
        "error_fields": {e["field"] for e in errors},
        "form": form,
        "result_labels": [(f, _LABELS[f]) for f in (*services.RESULT_FIELDS, *services.FEE_FIELDS)],
        "form_rows": form_rows[:_MAX_ITEM_ROWS],
        "firms": Enterprise.objects.filter(cluster=s.cluster).order_by("name_zh")[:300]
        if manage
        else [],
    }
    return render(request, "livestream/session.html", context, status=status)


@login_required
@require_http_methods(["GET"])
@domain_errors
def firm_roi(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = registry_selectors.get_enterprise(enterprise_id)
    roi = selectors.firm_roi(enterprise, request.user)
    context = {
        "cluster": enterprise.cluster,
        "enterprise": enterprise,
        "roi": roi,
        "charts": {
            "chart-roi-sessions": charts.firm_sessions(roi.sessions),
            "chart-roi-streamers": charts.by_streamer(roi.by_streamer),
        },
        "active_nav": "livestream",
    }
    return render(request, "livestream/firm.html", context)


@login_required
@require_http_methods(["GET"])
@domain_errors
def match(request: HttpRequest, slug: str) -> HttpResponse:
    """Streamers ranked for the user's own firm, or for a category typed in."""
    cluster = registry_selectors.get_cluster(slug)
    category = (request.GET.get("category") or "").strip()[:80]
    firm = None
    own = permissions.firm_of(request.user)
    if not category and own is not None:
        firm = registry_selectors.get_enterprise(own)
        if firm.cluster_id != cluster.pk:
            firm = None
    rows = (
        selectors.matches(cluster, request.user, enterprise=firm, category=category)
        if (firm is not None or category)
        else []
    )
    context = {
        "cluster": cluster,
        "rows": rows,
        "firm": firm,
        "category": category,
        "platforms": dict(Platform.choices),
        "charts": {"chart-match": charts.match_scores(rows)} if rows else {},
        "active_nav": "livestream",
    }
    return render(request, "livestream/match.html", context)
