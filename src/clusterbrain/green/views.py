"""The green pages: a firm's records, wastewater tests, LWG audits, value added and grades
(with its warnings), a record's edit page, and the cluster's green dashboard. Reads go through
`green.selectors`, writes through `green.services` (LWG audits through the registry's
certificate service: an LWG rating is a certificate); a refused write shows the page again with
the errors on the fields (status 422), nothing saved; success redirects (post/redirect/get)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clusterbrain.errors import Forbidden, InvalidInput
from clusterbrain.green import charts, importing, permissions, selectors, services
from clusterbrain.green.forms import ImportForm, LwgForm, RecordForm, WastewaterTestForm, YearForm
from clusterbrain.green.models import ProductionRecord
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry import services as registry_services
from clusterbrain.web.decorators import domain_errors

FORMS = ("record", "test", "year", "lwg")


def _forms(facilities: list[Any], data: Any = None, which: str = "") -> dict[str, Any]:
    today = timezone.localdate()
    bound = {name: data if name == which else None for name in FORMS}
    return {
        "record_form": RecordForm(
            bound["record"], facilities=facilities, initial={"month": today.strftime("%Y-%m")}
        ),
        # one page, four forms: each its own element ids (test_laboratory, year_value_added …)
        "test_form": WastewaterTestForm(
            bound["test"],
            facilities=facilities,
            initial={"sampled_on": today.isoformat()},
            auto_id="test_%s",
        ),
        "year_form": YearForm(bound["year"], initial={"year": today.year - 1}, auto_id="year_%s"),
        "lwg_form": LwgForm(bound["lwg"], auto_id="lwg_%s"),
    }


def _page(
    request: HttpRequest, view: selectors.FirmGreen, forms: dict[str, Any], status: int = 200
) -> HttpResponse:
    enterprise = view.enterprise
    context = {
        "cluster": enterprise.cluster,
        "enterprise": enterprise,
        "view": view,
        "cycle_name": selectors.cycle_name(view.cycle.cycle),
        "active_nav": "green",
        **forms,
    }
    return render(request, "green/firm.html", context, status=status)


def _save(request: HttpRequest, view: selectors.FirmGreen, which: str, form: Any) -> str | None:
    """Run the service behind `which`; the success message, or None after putting the
    service's errors on the form."""
    enterprise = view.enterprise
    user = request.user
    try:
        if which == "record":
            services.save_record(user, enterprise, form.service_data())
            return _("The record was saved.")
        if which == "test":
            test = services.add_test(user, enterprise, form.service_data())
            if test.compliant:
                return _("The wastewater test was saved: within the GB 30486-2013 limits.")
            return _("The wastewater test was saved: it exceeds the GB 30486-2013 limits.")
        if which == "year":
            data = {
                "value_added": form.cleaned_data["value_added"],
                "publishes_grade": form.cleaned_data["publishes_grade"],
            }
            services.set_carbon_year(user, enterprise, form.cleaned_data["year"], data)
            return _("The value added was saved.")
        if not permissions.can_record(user, enterprise):
            raise Forbidden(_("Only the firm's own users may record its green production data."))
        registry_services.add_certification(
            user, enterprise, {**form.cleaned_data, "issuer": "Leather Working Group"}
        )
        return _("The LWG audit was saved; the association checks it before it counts.")
    except InvalidInput as exc:
        form.add_domain_errors(exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def firm(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = registry_selectors.get_enterprise(enterprise_id)
    view = selectors.firm_green(enterprise, request.user)
    if request.method == "GET":
        return _page(request, view, _forms(view.facilities))
    which = request.POST.get("form", "")
    if which not in FORMS:
        which = "record"
    forms = _forms(view.facilities, request.POST, which)
    form = forms[f"{which}_form"]
    if form.is_valid():
        message = _save(request, view, which, form)
        if message:
            messages.success(request, message)
            return redirect("green-firm", enterprise_id=enterprise.pk)
    view = selectors.firm_green(enterprise, request.user)
    return _page(request, view, forms, status=422)


def _record_initial(record: ProductionRecord) -> dict[str, Any]:
    initial = {name: getattr(record, name) for name in RecordForm.base_fields if name != "facility"}
    initial["month"] = record.month.strftime("%Y-%m")
    initial["facility"] = str(record.facility_id or "")
    return {k: ("" if v is None else v) for k, v in initial.items()}


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def record(request: HttpRequest, record_id: int) -> HttpResponse:
    """Change one record (the firm's users); its readers see it read-only."""
    current = selectors.get_record(record_id, request.user)
    enterprise = current.enterprise
    facilities = list(enterprise.facilities.order_by("kind", "name_zh"))
    status = 200
    if request.method == "POST":
        form = RecordForm(request.POST, facilities=facilities)
        if form.is_valid():
            try:
                services.save_record(request.user, enterprise, form.service_data(), current)
            except InvalidInput as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(request, _("The record was saved."))
                return redirect("green-firm", enterprise_id=enterprise.pk)
        status = 422
    else:
        form = RecordForm(initial=_record_initial(current), facilities=facilities)
    context = {
        "cluster": enterprise.cluster,
        "enterprise": enterprise,
        "record": current,
        "form": form,
        "can_record": permissions.can_record(request.user, enterprise),
        "active_nav": "green",
    }
    return render(request, "green/record.html", context, status=status)


@login_required
@require_POST
@domain_errors
def record_delete(request: HttpRequest, record_id: int) -> HttpResponse:
    current = selectors.get_record(record_id, request.user)
    services.delete_record(request.user, current)
    messages.success(request, _("The record was deleted."))
    return redirect("green-firm", enterprise_id=current.enterprise_id)


@login_required
@require_POST
@domain_errors
def test_delete(request: HttpRequest, test_id: int) -> HttpResponse:
    test = selectors.get_test(test_id, request.user)
    services.delete_test(request.user, test)
    messages.success(request, _("The wastewater test was deleted."))
    return redirect("green-firm", enterprise_id=test.enterprise_id)


@domain_errors
def cluster(request: HttpRequest, slug: str) -> HttpResponse:
    """The cluster's green dashboard: public aggregates (withheld below k firms); the office
    also sees every firm's state and grade."""
    current = registry_selectors.get_cluster(slug)
    figures = selectors.figures(current, request.user)
    grades = (
        selectors.cluster_grades(current, request.user, figures.grade_year)
        if figures.can_view_firms
        else None
    )
    context = {
        "cluster": current,
        "green": figures,
        "grades": grades,
        "charts": chart_specs(figures),
        "active_nav": "green",
        "own_firm": permissions.firm_of(request.user),
    }
    return render(request, "green/dashboard.html", context)


def chart_specs(figures: selectors.GreenFigures) -> dict[str, Any]:
    """The green charts by element id (the overview's section and the dashboard share them)."""
    return {
        "chart-green-chrome-free": charts.chrome_free_share(figures.by_year),
        "chart-green-intensity": charts.intensity_per_m2(figures.by_year),
        "chart-green-grades": charts.grade_distribution(figures.grade_distribution),
    }


# The import's columns beyond the record form's fields, as the column guide explains them.
EXTRA_COLUMNS = {
    "site": (
        gettext_lazy("Site"),
        gettext_lazy("The site's name or number (below); empty: the firm as a whole."),
    ),
    "facility": (gettext_lazy("Site number"), gettext_lazy("Instead of site: its number.")),
    "process": (
        gettext_lazy("Tanning process"),
        gettext_lazy(
            "With area_m2, instead of the four area columns: chrome, chrome_free, "
            "vegetable or other."
        ),
    ),
    "area_m2": (gettext_lazy("Area tanned (m²)"), gettext_lazy("The area of that process.")),
    "month": (gettext_lazy("Month"), gettext_lazy("YYYY-MM, from 2000 to this month.")),
}


def column_label(name: str) -> str:
    """A column's name in the reader's language."""
    if name in EXTRA_COLUMNS:
        return str(EXTRA_COLUMNS[name][0])
    field = RecordForm.base_fields.get(name)
    return str(field.label) if field is not None and field.label else name


def _column_guide() -> list[tuple[str, str, str]]:
    guide = []
    for name in (*importing.COLUMNS, *importing.OTHER_COLUMNS):
        field = RecordForm.base_fields.get(name)
        note = EXTRA_COLUMNS[name][1] if name in EXTRA_COLUMNS else ""
        if not note and field is not None and field.help_text:
            note = field.help_text
        guide.append((name, column_label(name), str(note)))
    return guide


def _row_errors(exc: InvalidInput) -> list[dict[str, Any]]:
    rows = []
    for error in exc.errors:
        if len(error.loc) >= 3 and error.loc[0] == "row":
            name = str(error.loc[2])
            rows.append(
                {"row": error.loc[1], "field": name, "label": column_label(name), "msg": error.msg}
            )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def import_records(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Upload a CSV/XLSX file of monthly records: every row or none. A refused file shows
    every problem by row and column (422); a checked file its counts; an import goes back to
    the firm's page with its counts."""
    enterprise = registry_selectors.get_enterprise(enterprise_id)
    if not permissions.can_record(request.user, enterprise):
        raise Forbidden(_("Only the firm's own users may record its green production data."))
    status, result, row_errors = 200, None, []
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.check_import(request.user, enterprise, upload.size or 0)
                result = services.import_file(
                    request.user,
                    enterprise,
                    upload.read(),
                    upload.name or "upload",
                    dry_run=form.cleaned_data["dry_run"],
                )
            except InvalidInput as exc:
                row_errors = _row_errors(exc)
                if row_errors:
                    form.add_error(None, exc.detail)
                else:
                    for error in exc.errors:
                        form.add_error("file", error.msg)
                    if not exc.errors:
                        form.add_error("file", exc.detail)
            else:
                if not result.dry_run:
                    messages.success(
                        request,
                        _("%(rows)d rows imported: %(created)d new records, %(replaced)d replaced.")
                        % {
                            "rows": result.rows,
                            "created": result.created,
                            "replaced": result.replaced,
                        },
                    )
                    return redirect("green-firm", enterprise_id=enterprise.pk)
        if form.errors:
            status = 422
    else:
        form = ImportForm()
    context = {
        "cluster": enterprise.cluster,
        "enterprise": enterprise,
        "form": form,
        "result": result,
        "row_errors": row_errors,
        "columns": _column_guide(),
        "sites": list(enterprise.facilities.order_by("kind", "name_zh")),
        "max_rows": importing.max_rows(),
        "active_nav": "green",
    }
    return render(request, "green/import.html", context, status=status)


@require_http_methods(["GET"])
def import_template(request: HttpRequest, file_format: str) -> HttpResponse:
    """The import's columns as an empty CSV or XLSX file (not confidential: no login)."""
    headers, _rows = importing.template_rows()
    if file_format == "csv":
        import csv
        import io

        out = io.StringIO()
        csv.writer(out).writerow(headers)
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    elif file_format == "xlsx":
        import io

        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "records"
        sheet.append(headers)
        data = io.BytesIO()
        book.save(data)
        response = HttpResponse(
            data.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404(_("No such template."))
    response["Content-Disposition"] = f'attachment; filename="green-records.{file_format}"'
    return response
