"""The market pages: a firm's sales dashboard and its import (upload → mapping with a preview
→ import or check), the cluster's market page (aggregates and the trend scan's findings) and
its forecasts. Reads go through `market.selectors`, writes through `market.services`; a refused
import shows every problem by row and column (422), nothing saved."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clusterbrain.errors import Forbidden, InvalidInput, NotFound
from clusterbrain.market import charts, importing, permissions, selectors, services
from clusterbrain.market.forms import LeadForm, ProductForm, UploadForm
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry.models import Enterprise
from clusterbrain.web.decorators import domain_errors
from clusterbrain.web.forms import ServiceForm

UPLOAD_SECONDS = 3600


def _field_choices() -> list[tuple[str, str]]:
    return [("", _("— ignore this column —")), *[(f, f) for f in importing.FIELDS]]


@require_http_methods(["GET"])
@domain_errors
def cluster(request: HttpRequest, slug: str) -> HttpResponse:
    """Public aggregates of the cluster's sales and the trend scan (withheld below k firms or
    under one dominant firm); the office also sees every firm's totals."""
    current = registry_selectors.get_cluster(slug)
    market = selectors.cluster_market(current, request.user)
    trends = selectors.trends(current, request.user)
    context = {
        "cluster": current,
        "market": market,
        "trends": trends,
        "charts": {
            "chart-market-weekly": charts.weekly_by_channel(market.weekly),
            "chart-market-channels": charts.by_key(market.channels, "channel"),
            "chart-market-categories": charts.by_key(market.categories, "category"),
            "chart-market-trends": charts.trend_lifts(trends.findings),
        },
        "own_firm": permissions.firm_of(request.user),
        "active_nav": "market",
    }
    return render(request, "market/cluster.html", context)


@require_http_methods(["GET"])
@domain_errors
def forecasts(request: HttpRequest, slug: str) -> HttpResponse:
    current = registry_selectors.get_cluster(slug)
    result = selectors.forecasts(current, request.user)
    chosen = result.get(request.GET.get("series", "")) or (
        result.series[0] if result.series else None
    )
    context = {
        "cluster": current,
        "result": result,
        "chosen": chosen,
        "charts": {"chart-forecast": charts.forecast_chart(chosen)} if chosen else {},
        "active_nav": "market",
    }
    return render(request, "market/forecasts.html", context)


@login_required
@require_http_methods(["GET"])
@domain_errors
def firm(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = registry_selectors.get_enterprise(enterprise_id)
    view = selectors.firm_sales(enterprise, request.user)
    context = {
        "cluster": enterprise.cluster,
        "enterprise": enterprise,
        "view": view,
        "charts": {
            "chart-firm-weekly": charts.weekly_by_channel(view.weekly),
            "chart-firm-categories": charts.by_key(view.categories, "category"),
            "chart-firm-channels": charts.by_key(view.channels, "channel"),
        },
        "active_nav": "market",
    }
    return render(request, "market/firm.html", context)


def _upload_key(request: HttpRequest, enterprise_id: int) -> str:
    """One pending file per user and firm (kept with its token): a key per token let one
    user fill the cache, 20 MB an upload, by uploading again and again."""
    return f"clusterbrain:market:upload:{request.user.pk}:{enterprise_id}"


def _pending(request: HttpRequest, enterprise_id: int, token: str) -> tuple[bytes, str] | None:
    stored = cache.get(_upload_key(request, enterprise_id))
    if not stored or not token or not secrets.compare_digest(stored[0], token):
        return None
    return stored[1], stored[2]


def _row_errors(exc: InvalidInput) -> list[dict[str, Any]]:
    return [
        {"row": e.loc[1], "field": str(e.loc[2]), "msg": e.msg}
        for e in exc.errors
        if len(e.loc) >= 3 and e.loc[0] == "row"
    ]


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def import_sales(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Step 1 uploads the file (kept an hour for this user and firm); step 2 shows its first
    rows with a field chosen for each column (the firm's saved mapping, else known names) and
    imports or checks it. Every row is imported or none."""
    enterprise = registry_selectors.get_enterprise(enterprise_id)
    if not permissions.can_record(request.user, enterprise):
        raise Forbidden(_("Only the firm's own users may record its sales."))
    status = 200
    context: dict[str, Any] = {
        "cluster": enterprise.cluster,
        "enterprise": enterprise,
        "fields": importing.FIELDS,
        "required": importing.REQUIRED,
        "field_choices": _field_choices(),
        "max_rows": importing.max_rows(),
        "active_nav": "market",
    }
    form = UploadForm()
    token = request.POST.get("token", "") if request.method == "POST" else ""
    if request.method == "POST" and not token:
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.check_import(request.user, enterprise, upload.size or 0)
                content = upload.read()
                preview = importing.preview(
                    content, upload.name or "upload", services.saved_mapping(enterprise)
                )
            except InvalidInput as exc:
                for msg in [e.msg for e in exc.errors] or [exc.detail]:
                    form.add_error("file", msg)
            else:
                token = secrets.token_urlsafe(12)
                cache.set(
                    _upload_key(request, enterprise.pk),
                    (token, content, upload.name or "upload"),
                    UPLOAD_SECONDS,
                )
                context.update(preview=preview, token=token, file_name=upload.name)
        if form.errors:
            status = 422
    elif request.method == "POST":
        stored = _pending(request, enterprise.pk, token)
        if stored is None:
            # an unbound form takes no error (add_error on it raised: a stale token was a 500)
            form = UploadForm(data={}, files=MultiValueDict())
            form.is_valid()
            form.errors["file"] = form.error_class(
                [_("The uploaded file has expired: upload it again.")]
            )
            status = 422
        else:
            content, name = stored
            preview = importing.preview(content, name, services.saved_mapping(enterprise))
            # "-" is "ignore this column"; "" (nothing chosen) leaves the column unknown
            chosen = {
                header: request.POST.get(f"map_{i}", "")
                for i, header in enumerate(preview.headers)
                if header
            }
            mapping = {h: ("" if v == "-" else v) for h, v in chosen.items() if v}
            preview.fields = [mapping.get(h, "") for h in preview.headers]
            preview.known = [bool(chosen.get(h)) for h in preview.headers]
            rates_text = request.POST.get("rates", "")
            dry_run = bool(request.POST.get("dry_run"))
            context.update(
                preview=preview, token=token, file_name=name, rates=rates_text, dry_run=dry_run
            )
            try:
                result = services.import_file(
                    request.user,
                    enterprise,
                    content,
                    name,
                    mapping=mapping,
                    rates=importing.parse_rates(rates_text),
                    dry_run=dry_run,
                )
            except InvalidInput as exc:
                context.update(
                    problem=exc.detail,
                    row_errors=_row_errors(exc),
                    other_errors=[e for e in exc.errors if not e.loc or e.loc[0] != "row"],
                )
                status = 422
            else:
                if result.dry_run:
                    context["result"] = result
                else:
                    cache.delete(_upload_key(request, enterprise.pk))
                    messages.success(
                        request,
                        _("%(rows)d sales imported (%(first)s to %(last)s).")
                        % {"rows": result.rows, "first": result.first, "last": result.last},
                    )
                    return redirect("market-firm", enterprise_id=enterprise.pk)
    context["form"] = form
    return render(request, "market/import.html", context, status=status)


def _firm_page(
    request: HttpRequest,
    enterprise_id: int,
    template: str,
    form_class: type[ServiceForm],
    add: Callable[[Any, Enterprise, dict[str, Any]], Any],
    listing: Callable[[Enterprise, Any], Any],
    added: str,
) -> HttpResponse:
    """A firm's own list with an add form (products, exhibition leads): the list for whoever
    may see the firm's sales, the form for its own users; a refused form is a 422 with each
    problem beside its field, nothing saved."""
    enterprise = registry_selectors.get_enterprise(enterprise_id)
    items = listing(enterprise, request.user)  # 404 for anyone the firm's sales are hidden from
    can_record = permissions.can_record(request.user, enterprise)
    form = form_class()
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                add(request.user, enterprise, form.cleaned_data)
            except InvalidInput as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(request, added)
                return redirect(request.path)
        status = 422
    context = {
        "cluster": enterprise.cluster,
        "enterprise": enterprise,
        "items": items,
        "form": form,
        "can_record": can_record,
        "active_nav": "market",
    }
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@domain_errors
def products(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    return _firm_page(
        request,
        enterprise_id,
        "market/products.html",
        ProductForm,
        services.add_product,
        selectors.products_of,
        _("The product was added."),
    )


@require_http_methods(["GET", "POST"])
@domain_errors
def leads(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    return _firm_page(
        request,
        enterprise_id,
        "market/leads.html",
        LeadForm,
        services.add_lead,
        selectors.leads_of,
        _("The lead was added."),
    )


@require_http_methods(["GET"])
@domain_errors
def imports(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = registry_selectors.get_enterprise(enterprise_id)
    context = {
        "cluster": enterprise.cluster,
        "enterprise": enterprise,
        "items": selectors.imports_of(enterprise, request.user),
        "can_record": permissions.can_record(request.user, enterprise),
        "active_nav": "market",
    }
    return render(request, "market/imports.html", context)


@require_http_methods(["POST"])
@domain_errors
def delete_import(request: HttpRequest, enterprise_id: int, import_id: int) -> HttpResponse:
    batch = selectors.get_import(import_id, request.user)
    if batch.enterprise_id != enterprise_id:
        raise NotFound(_("No such import."))
    rows = services.delete_import(request.user, batch)
    messages.success(
        request,
        _("The import %(name)s was taken back: %(rows)d sales deleted.")
        % {"name": batch.file_name, "rows": rows},
    )
    return redirect("market-imports", enterprise_id)
