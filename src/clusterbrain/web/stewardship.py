"""The registry stewardship pages of a cluster (/c/<slug>/registry/…): imported lists with their
preview, column mapping and commit; the review queue; the merge log; exports. And on a firm's
profile: the "these are duplicates" flag any signed-in user may raise, and for stewards the
firm's sources, aliases and merges.

Every right is checked by `registry.stewardship` (association staff and the cluster office of
the cluster, admins); a view only parses the request, calls it and picks a template. Forms post
to their own URL and redirect (post/redirect/get); with HTMX a review decision brings the next
pair in place, and the duplicate flag answers in place."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clusterbrain.errors import FieldError, InvalidInput, NotFound
from clusterbrain.registry import importing, selectors, stewardship
from clusterbrain.registry.models import (
    Cluster,
    Enterprise,
    ImportBatch,
    MatchCandidate,
    MergeEvent,
    SourceKind,
    SourceRecord,
)
from clusterbrain.registry.selectors import DirectoryFilters, as_id
from clusterbrain.registry.stewardship_api import export_response
from clusterbrain.web import views
from clusterbrain.web.decorators import domain_errors
from clusterbrain.web.forms import ServiceForm

ROWS_PER_PAGE = 50
REVIEW_PER_PAGE = 25
MERGES_SHOWN = 200
PICK_LIMIT = 8

IMPORT_FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "name_en": gettext_lazy("English name"),
    "uscc": gettext_lazy("USCC"),
    "address": gettext_lazy("Address"),
    "address_en": gettext_lazy("English address"),
    "phone": gettext_lazy("Phone"),
    "legal_representative": gettext_lazy("Legal representative"),
    "products": gettext_lazy("Main products"),
    "business_scope": gettext_lazy("Business scope"),
    "country": gettext_lazy("Country"),
    "sector": gettext_lazy("Sector"),
    "latitude": gettext_lazy("Latitude"),
    "longitude": gettext_lazy("Longitude"),
}

# What the preview proposes for a row (SourceRecord.resolution), as the page says it.
ACTION_LABELS = {
    "uscc": gettext_lazy("merge: same USCC"),
    "merge": gettext_lazy("merge: the model is sure"),
    "review": gettext_lazy("to the review queue"),
    "new": gettext_lazy("new firm"),
    "same_as_row": gettext_lazy("new firm, one with another row"),
}
ACTION_FILTERS = ("uscc", "merge", "review", "new", "same_as_row", "errors")

REVIEW_STATUSES = ("open", "skipped", "decided")

# The fields a review pair is compared on, in the order shown.
COMPARED_FIELDS = (
    ("name", gettext_lazy("Name")),
    ("name_en", gettext_lazy("English name")),
    ("uscc", gettext_lazy("USCC")),
    ("address", gettext_lazy("Address")),
    ("phone", gettext_lazy("Phone")),
    ("legal_representative", gettext_lazy("Legal representative")),
    ("products", gettext_lazy("Main products")),
)

# The linkage model's comparisons and their levels (engines.resolution.linkage), as the page
# names them; one the page does not know is shown as the model names it.
COMPARISON_LABELS = {
    "prior": gettext_lazy("Before comparing (two firms at random)"),
    "core_name": gettext_lazy("Trade name (字号)"),
    "industry": gettext_lazy("Industry words"),
    "legal_form": gettext_lazy("Legal form"),
    "branch": gettext_lazy("Branch"),
    "location": gettext_lazy("Town, district and city"),
    "street_address": gettext_lazy("Road and number"),
    "phone_local": gettext_lazy("Phone"),
    "legal_rep_key": gettext_lazy("Legal representative"),
    "uscc": gettext_lazy("USCC"),
}
LEVEL_LABELS = {
    "Probability two random records match": gettext_lazy("how often two firms are one"),
    "Exact match, same trade words": gettext_lazy("the same, and the same trade words"),
    "Exact match": gettext_lazy("the same"),
    "Missing": gettext_lazy("missing on one side"),
    "All other comparisons": gettext_lazy("different"),
    "Exact match on the other-language name": gettext_lazy("the same as the other-language name"),
    "Same pinyin, different characters": gettext_lazy("same pinyin, different characters"),
    "Jaro-Winkler >= 0.92": gettext_lazy("very similar"),
    "Jaro-Winkler >= 0.85": gettext_lazy("similar"),
    "Same family (皮具/皮革/皮毛)": gettext_lazy("same family of trades"),
    "Neither is a branch": gettext_lazy("neither is a branch"),
    "Same branch": gettext_lazy("the same branch"),
    "Branch differs": gettext_lazy("different branches"),
    "Same town": gettext_lazy("same town"),
    "Same district": gettext_lazy("same district"),
    "Same city": gettext_lazy("same city"),
    "No conflict (different detail)": gettext_lazy("no conflict (told in different detail)"),
    "Different place": gettext_lazy("different places"),
    "Same road and number": gettext_lazy("same road and number"),
    "Same road": gettext_lazy("same road"),
    "Different road": gettext_lazy("different roads"),
}


def _field_label(name: str) -> str:
    """A firm's field by its model label ("Name (Chinese)")."""
    return str(capfirst(getattr(Enterprise._meta.get_field(name), "verbose_name", name)))


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """To the page the form was on (`next`, if it is one of ours), else `default`."""
    target = request.POST.get("next", "") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return redirect(target)


def _person(user: Any) -> str:
    if user is None:
        return "–"
    return str(user.get_full_name() or user.username)


def _error_text(error: InvalidInput) -> str:
    """A service's refusal as one message: every error it names."""
    msgs = [e.msg for e in error.errors] or [error.detail]
    return " ".join(dict.fromkeys(msgs))


def _registry_context(
    request: HttpRequest, cluster: Cluster, active: str, **extra: Any
) -> dict[str, Any]:
    """What every registry page's layout shows: the tabs, with the number of open pairs."""
    open_pairs = extra.pop("open_pairs", None)
    if open_pairs is None:
        open_pairs = stewardship.review_queue(request.user, cluster, status="open", limit=0)[1]
    tabs = [
        ("imports", _("Imports"), reverse("registry-imports", args=[cluster.slug])),
        ("review", _("Review queue"), reverse("registry-review", args=[cluster.slug])),
        ("merges", _("Merge log"), reverse("registry-merges", args=[cluster.slug])),
    ]
    return {
        "cluster": cluster,
        "active_nav": "registry",
        "registry_tab": active,
        "registry_tabs": [
            {"key": key, "label": label, "url": url, "active": key == active}
            for key, label, url in tabs
        ],
        "open_pairs": open_pairs,
        **extra,
    }


def _steward_cluster(request: HttpRequest, slug: str) -> Cluster:
    cluster = selectors.get_cluster(slug)
    stewardship.require_steward(request.user, cluster)
    return cluster


# --- imports --------------------------------------------------------------------------------


class ImportUploadForm(ServiceForm):
    """A list to stage: the file and where it came from (its rank among sources)."""

    file = forms.FileField(
        label=gettext_lazy("File"),
        allow_empty_file=True,  # the reader says "The file is empty." in its own words
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xlsm,text/csv"}),
        help_text=gettext_lazy(
            "CSV (UTF-8 or GBK) or Excel .xlsx; every sheet of a workbook is read."
        ),
    )
    source = forms.CharField(
        label=gettext_lazy("Source of the list"),
        max_length=200,
        help_text=gettext_lazy("For example: Huadu market-regulation registry, 2025 member list."),
    )
    source_kind = forms.ChoiceField(
        label=gettext_lazy("Kind of source"),
        choices=[(k, v) for k, v in SourceKind.choices if k != SourceKind.MANUAL],
        initial=SourceKind.OTHER,
        help_text=gettext_lazy("Decides which source's value a firm shows when lists disagree."),
    )
    list_date = forms.DateField(
        label=gettext_lazy("Date of the list"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("When the list was drawn up; today if left empty."),
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def imports(request: HttpRequest, slug: str) -> HttpResponse:
    """The cluster's imported lists, the form to upload one, and the exports."""
    cluster = selectors.get_cluster(slug)
    batches = stewardship.imports(request.user, cluster)
    status = 200
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                importing.check_size(upload.size or 0)
                preview = stewardship.stage_import(
                    request.user,
                    cluster,
                    content=upload.read(),
                    file_name=upload.name or "upload",
                    source_name=form.cleaned_data["source"],
                    source_kind=form.cleaned_data["source_kind"],
                    list_date=form.cleaned_data["list_date"],
                    strict=False,
                )
            except InvalidInput as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(
                    request,
                    _("%(file)s was read: check the preview, then commit the good rows.")
                    % {"file": preview.batch.file_name},
                )
                return redirect("registry-import", slug=cluster.slug, import_id=preview.batch.pk)
        status = 422
    else:
        form = ImportUploadForm()
    context = _registry_context(
        request,
        cluster,
        "imports",
        form=form,
        batches=batches,
        max_mb=f"{importing.max_import_bytes() / 1048576:.0f}",
        exports=[
            (_("Our columns"), "registry"),
            (_("Open Supply Hub's facility-list columns"), "osh"),
        ],
    )
    return render(request, "web/stewardship/imports.html", context, status=status)


def _batch_of(request: HttpRequest, slug: str, import_id: int) -> ImportBatch:
    batch = stewardship.get_batch(request.user, import_id)
    if batch.cluster.slug != slug:
        raise NotFound(_("No such import."))
    return batch


def _mapping_problems(batch: ImportBatch) -> list[FieldError]:
    """Why the batch's columns cannot be read as they are mapped (nothing when they can)."""
    with_rows = set(batch.records.values_list("sheet", flat=True).distinct())
    table = importing.Table(
        batch.file_format,
        batch.encoding,
        [
            importing.Sheet(name, list(headers), [[]] if name in with_rows else [])
            for name, headers in batch.headers.items()
        ],
    )
    try:
        importing.check_mapping(table, batch.mapping)
    except InvalidInput as exc:
        return exc.errors
    return []


def _mapping_editor(
    batch: ImportBatch,
    chosen: dict[str, dict[str, str]],
    errors: list[FieldError],
) -> list[dict[str, Any]]:
    """Each sheet with each column: its header, a few sample cells, the field it is read as
    and the mapping errors that name it."""
    sheets = []
    for s_index, (name, headers) in enumerate(batch.headers.items()):
        samples = [
            r.raw.get("cells", [])
            for r in batch.records.filter(sheet=name).order_by("row_number", "pk")[:3]
        ]
        sheet_errors = [
            e.msg for e in errors if len(e.loc) == 2 and e.loc[0] == "mapping" and e.loc[1] == name
        ]
        columns = []
        for c_index, header in enumerate(headers):
            column_errors = [
                e.msg
                for e in errors
                if len(e.loc) == 3
                and e.loc[0] == "mapping"
                and e.loc[1] == name
                and str(e.loc[2]) == str(c_index)
            ]
            columns.append(
                {
                    "input": f"map-{s_index}-{c_index}",
                    "number": c_index + 1,
                    "header": header,
                    "samples": [cells[c_index] for cells in samples if c_index < len(cells)],
                    "field": chosen.get(name, {}).get(str(c_index), ""),
                    "errors": column_errors,
                }
            )
        sheets.append(
            {"name": name, "columns": columns, "errors": sheet_errors, "rows": len(samples)}
        )
    return sheets


def _posted_mapping(batch: ImportBatch, data: QueryDict) -> dict[str, dict[str, str]]:
    """The mapping editor's selects (`map-<sheet>-<column>`) as {sheet: {column: field}}."""
    return {
        name: {
            str(c): data.get(f"map-{s}-{c}", "")
            for c in range(len(headers))
            if data.get(f"map-{s}-{c}", "")
        }
        for s, (name, headers) in enumerate(batch.headers.items())
    }


@dataclass(frozen=True)
class RowFilters:
    problems: bool = False
    action: str = ""
    page: int = 1

    @classmethod
    def of(cls, data: QueryDict) -> RowFilters:
        action = data.get("action", "")
        return cls(
            problems=data.get("problems") == "1",
            action=action if action in ACTION_FILTERS else "",
            page=_page(data),
        )

    def query(self, **changes: Any) -> str:
        values = {**{"problems": "1" if self.problems else "", "action": self.action}, **changes}
        page = values.pop("page", None)
        if page and int(page) > 1:
            values["page"] = str(page)
        return urlencode({k: v for k, v in values.items() if v})


def _page(data: QueryDict) -> int:
    try:
        return max(1, int(data.get("page", "1")))
    except ValueError:
        return 1


def _problem_rows(record: SourceRecord) -> list[dict[str, str]]:
    return [
        {
            "label": str(IMPORT_FIELD_LABELS.get(p.get("field", ""), p.get("field", ""))),
            "msg": importing.problem_message(p),
            "severity": "warning" if p.get("severity") == "warning" else "error",
        }
        for p in record.problems
    ]


def _row_view(record: SourceRecord) -> dict[str, Any]:
    severity: dict[str, str] = {}
    for p in record.problems:
        name = p.get("field", "")
        if p.get("severity") == "error" or name not in severity:
            severity[name] = "warning" if p.get("severity") == "warning" else "error"
    if record.status == SourceRecord.Status.INVALID:
        action = str(SourceRecord.Status.INVALID.label)
    else:
        action = str(ACTION_LABELS.get(record.resolution, record.resolution or "–"))
    return {
        "record": record,
        "problems": _problem_rows(record),
        "severity": severity,
        "action": action,
        "committed": record.status
        in (SourceRecord.Status.MERGED, SourceRecord.Status.CREATED, SourceRecord.Status.REVIEW),
    }


def _preview_context(
    request: HttpRequest,
    batch: ImportBatch,
    *,
    posted: dict[str, dict[str, str]] | None = None,
    mapping_errors: list[FieldError] | None = None,
) -> dict[str, Any]:
    filters = RowFilters.of(request.GET)
    in_preview = batch.status == ImportBatch.Status.PREVIEW
    if mapping_errors is None:
        mapping_errors = _mapping_problems(batch) if in_preview else []
    rows = batch.records.select_related("candidate", "enterprise").order_by(
        "sheet", "row_number", "pk"
    )
    if filters.problems:
        rows = rows.exclude(problems=[])
    if filters.action == "errors":
        rows = rows.filter(status=SourceRecord.Status.INVALID)
    elif filters.action:
        rows = rows.filter(resolution=filters.action).exclude(status=SourceRecord.Status.INVALID)
    total = rows.count()
    pages = max(1, (total + ROWS_PER_PAGE - 1) // ROWS_PER_PAGE)
    page = min(filters.page, pages)
    start = (page - 1) * ROWS_PER_PAGE
    counts = batch.counts
    good = counts.get("rows", 0) - counts.get("errors", 0)
    summary = [
        ("rows", _("Rows"), counts.get("rows", 0)),
        ("errors", _("With errors"), counts.get("errors", 0)),
        ("warnings", _("With warnings"), counts.get("warnings", 0)),
        ("uscc", _("Merge by USCC"), counts.get("uscc", 0)),
        ("merge", _("Merge by the model"), counts.get("merge", 0)),
        ("review", _("To review"), counts.get("review", 0)),
        ("new", _("New firms"), counts.get("new", 0) + counts.get("same_as_row", 0)),
    ]
    committed = [
        ("merged", _("Merged into firms"), counts.get("committed_merged", 0)),
        ("created", _("New firms"), counts.get("committed_created", 0)),
        ("review", _("Waiting for review"), counts.get("committed_review", 0)),
        ("errors", _("Left out (errors)"), counts.get("committed_errors", 0)),
    ]
    return _registry_context(
        request,
        batch.cluster,
        "imports",
        batch=batch,
        in_preview=in_preview,
        mapping_errors=mapping_errors,
        sheets=_mapping_editor(batch, posted or batch.mapping, mapping_errors),
        field_choices=[("", _("not imported"))]
        + [(k, IMPORT_FIELD_LABELS[k]) for k in importing.IMPORT_FIELDS],
        summary=summary,
        committed=committed,
        good_rows=good if not mapping_errors else 0,
        filters=filters,
        action_choices=[("", _("every action"))]
        + [(k, ACTION_LABELS[k]) for k in ACTION_FILTERS if k in ACTION_LABELS]
        + [("errors", _("rows with errors"))],
        rows=[_row_view(r) for r in rows[start : start + ROWS_PER_PAGE]],
        total_rows=total,
        page=page,
        pages=pages,
        prev_query=filters.query(page=page - 1) if page > 1 else None,
        next_query=filters.query(page=page + 1) if page < pages else None,
        multi_sheet=len(batch.headers) > 1,
        committed_by=_person(batch.committed_by),
    )


@login_required
@domain_errors
def import_preview(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    """A staged list: its columns, its problems and what each row would become; after the
    commit, what each row became."""
    batch = _batch_of(request, slug, import_id)
    return render(request, "web/stewardship/import_preview.html", _preview_context(request, batch))


@login_required
@require_POST
@domain_errors
def import_mapping(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    batch = _batch_of(request, slug, import_id)
    chosen = _posted_mapping(batch, request.POST)
    try:
        stewardship.remap_import(request.user, batch, chosen)
    except InvalidInput as exc:
        batch.refresh_from_db()
        context = _preview_context(request, batch, posted=chosen, mapping_errors=exc.errors)
        context["mapping_refused"] = True
        return render(request, "web/stewardship/import_preview.html", context, status=422)
    messages.success(request, _("The columns were saved and the rows read again."))
    return redirect("registry-import", slug=slug, import_id=batch.pk)


@login_required
@require_POST
@domain_errors
def import_commit(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    batch = _batch_of(request, slug, import_id)
    try:
        counts = stewardship.commit_import(request.user, batch)
    except InvalidInput as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _(
                "The list was committed: %(merged)s rows merged into firms, %(created)s new "
                "firms, %(review)s pairs to review."
            )
            % {
                "merged": counts.get("merged", 0),
                "created": counts.get("created", 0),
                "review": counts.get("review", 0),
            },
        )
    return redirect("registry-import", slug=slug, import_id=batch.pk)


@login_required
@require_POST
@domain_errors
def import_discard(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    batch = _batch_of(request, slug, import_id)
    try:
        stewardship.discard_import(request.user, batch)
    except InvalidInput as exc:
        messages.error(request, _error_text(exc))
        return redirect("registry-import", slug=slug, import_id=batch.pk)
    messages.success(
        request, _("%(file)s was discarded; nothing was written.") % {"file": batch.file_name}
    )
    return redirect("registry-imports", slug=slug)


@login_required
@domain_errors
def export(request: HttpRequest, slug: str) -> HttpResponse:
    """The cluster's firms as CSV or XLSX, in our columns or Open Supply Hub's."""
    cluster = selectors.get_cluster(slug)
    kind = request.GET.get("file", "csv")
    if kind not in ("csv", "xlsx"):
        raise InvalidInput.field(
            "file", _("Unknown file type “%(value)s”; csv or xlsx.") % {"value": kind}
        )
    fmt = request.GET.get("format", "registry")
    headers, rows = stewardship.export_rows(request.user, cluster, fmt)
    return export_response(f"{cluster.slug}-{fmt}", headers, rows, kind)


# --- review queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewState:
    """Where the reviewer is: the tab, one pair at a time (at a position) or a list (a page)."""

    status: str = "open"
    view: str = "one"
    at: int = 0
    page: int = 1

    @classmethod
    def of(cls, data: QueryDict) -> ReviewState:
        status = data.get("status", "open")
        status = status if status in REVIEW_STATUSES else "open"
        view = "list" if data.get("view") == "list" or status == "decided" else "one"
        try:
            at = max(0, int(data.get("at", "0")))
        except ValueError:
            at = 0
        return cls(status=status, view=view, at=at, page=_page(data))

    def query(self) -> str:
        values = {"status": self.status if self.status != "open" else ""}
        if self.view == "list":
            values["view"] = "list" if self.status != "decided" else ""
            values["page"] = str(self.page) if self.page > 1 else ""
        else:
            values["at"] = str(self.at) if self.at else ""
        encoded = urlencode({k: v for k, v in values.items() if v})
        return "?" + encoded if encoded else ""


def _folded(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value or "").casefold().split())


def _firm_side(firm: Enterprise) -> dict[str, Any]:
    return {
        "kind": _("firm in the registry"),
        "title": firm.name,
        "url": reverse("enterprise-profile", args=[firm.pk]),
        "values": {
            "name": firm.name_zh,
            "name_en": firm.name_en,
            "uscc": firm.uscc or "",
            "address": firm.address_zh or firm.address_en,
            "phone": firm.phone,
            "legal_representative": firm.legal_representative,
            "products": firm.main_products_zh or firm.main_products_en,
        },
        "source": _("registry record"),
        "date": timezone.localtime(firm.updated_at).date() if firm.updated_at else None,
    }


def _record_side(record: SourceRecord, slug: str) -> dict[str, Any]:
    batch = record.batch
    where = (
        _("sheet %(sheet)s, row %(row)s") % {"sheet": record.sheet, "row": record.row_number}
        if record.sheet
        else _("row %(row)s") % {"row": record.row_number}
    )
    return {
        "kind": _("imported row"),
        "title": record.name or record.name_en,
        "url": reverse("registry-import", args=[slug, batch.pk]),
        "where": where,
        "values": {
            "name": record.name,
            "name_en": record.name_en,
            "uscc": record.uscc,
            "address": record.address or record.address_en,
            "phone": record.phone,
            "legal_representative": record.legal_representative,
            "products": record.products,
        },
        "source": f"{batch.source_name} · {batch.get_source_kind_display()}",
        "date": batch.list_date,
    }


def _comparison(left: dict[str, str], right: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for name, label in COMPARED_FIELDS:
        a, b = left.get(name, "") or "", right.get(name, "") or ""
        if not a and not b:
            state = "empty"
        elif not a or not b:
            state = "missing"
        elif _folded(a) == _folded(b):
            state = "same"
        else:
            state = "differs"
        rows.append({"label": label, "left": a, "right": b, "state": state})
    return rows


def _weight(item: dict[str, Any]) -> float:
    """A comparison's weight, bounded: "impossible" (−∞) is drawn as the largest bar."""
    try:
        weight = float(item.get("weight") or 0.0)
    except (TypeError, ValueError):
        return 0.0
    if math.isnan(weight):
        return 0.0
    return max(-99.0, min(99.0, weight))


def _explanation(candidate: MatchCandidate) -> list[dict[str, Any]]:
    items = [i for i in candidate.explanation if isinstance(i, dict)]
    largest = max((abs(_weight(i)) for i in items), default=0.0) or 1.0
    out = []
    for item in items:
        weight = _weight(item)
        name = str(item.get("comparison", ""))
        level = str(item.get("level", ""))
        out.append(
            {
                "label": COMPARISON_LABELS.get(name, name),
                "level": LEVEL_LABELS.get(level, level),
                "values": [str(item.get(side) or "") for side in ("left", "right")],
                "weight": weight,
                "sign": "for" if weight > 0 else ("against" if weight < 0 else "neutral"),
                "width": max(2, round(abs(weight) / largest * 100)) if weight else 0,
            }
        )
    return out


def _review_item(candidate: MatchCandidate, slug: str) -> dict[str, Any]:
    if candidate.record is not None:
        left = _record_side(candidate.record, slug)
    elif candidate.other is not None:
        left = _firm_side(candidate.other)
    else:  # a pair without its second side cannot be shown side by side
        left = {"kind": "", "title": "–", "values": {}, "source": "", "date": None}
    right = _firm_side(candidate.enterprise)
    return {
        "candidate": candidate,
        "left": left,
        "right": right,
        "fields": _comparison(left["values"], right["values"]),
        "explanation": _explanation(candidate),
        "probability": candidate.match_probability,
        "decidable": candidate.status
        in (MatchCandidate.Status.OPEN, MatchCandidate.Status.SKIPPED),
    }


def _review_context(request: HttpRequest, cluster: Cluster, state: ReviewState) -> dict[str, Any]:
    user = request.user
    totals = {
        status: stewardship.review_queue(user, cluster, status=status, limit=0)[1]
        for status in REVIEW_STATUSES
    }
    total = totals[state.status]
    item = None
    rows: list[dict[str, Any]] = []
    pages = 1
    if state.view == "one":
        at = min(state.at, max(0, total - 1))
        state = replace(state, at=at)
        items, _total = stewardship.review_queue(
            user, cluster, status=state.status, limit=1, offset=at
        )
        item = _review_item(items[0], cluster.slug) if items else None
    else:
        pages = max(1, (total + REVIEW_PER_PAGE - 1) // REVIEW_PER_PAGE)
        state = replace(state, page=min(state.page, pages))
        items, _total = stewardship.review_queue(
            user,
            cluster,
            status=state.status,
            limit=REVIEW_PER_PAGE,
            offset=(state.page - 1) * REVIEW_PER_PAGE,
        )
        rows = [_review_item(c, cluster.slug) for c in items]
    base = reverse("registry-review", args=[cluster.slug])
    tab_labels = {"open": _("Open"), "skipped": _("Skipped"), "decided": _("Decided")}
    return _registry_context(
        request,
        cluster,
        "review",
        state=state,
        item=item,
        rows=rows,
        total=total,
        pages=pages,
        position=state.at + 1,
        status_tabs=[
            {
                "key": s,
                "label": tab_labels[s],
                "count": totals[s],
                "url": base + ReviewState(status=s, view=state.view).query(),
                "active": s == state.status,
            }
            for s in REVIEW_STATUSES
        ],
        one_url=base + replace(state, view="one").query(),
        list_url=base + replace(state, view="list", page=1).query(),
        prev_url=base + replace(state, at=state.at - 1).query() if state.at > 0 else None,
        next_url=base + replace(state, at=state.at + 1).query() if state.at + 1 < total else None,
        prev_page_url=base + replace(state, page=state.page - 1).query()
        if state.page > 1
        else None,
        next_page_url=base + replace(state, page=state.page + 1).query()
        if state.page < pages
        else None,
        here=base + state.query(),
        open_pairs=totals["open"],
    )


@login_required
@domain_errors
def review_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """The pairs to judge: one at a time (with keyboard shortcuts) or as a list (bulk)."""
    cluster = _steward_cluster(request, slug)
    state = ReviewState.of(request.GET)
    context = _review_context(request, cluster, state)
    return render(request, "web/stewardship/review.html", context)


def _decision_message(candidate: MatchCandidate, decision: str) -> str:
    item = _review_item(candidate, candidate.cluster.slug)
    names = {"left": item["left"]["title"], "right": item["right"]["title"]}
    if decision == "accept":
        return _("Accepted: %(left)s is %(right)s; they are one firm now.") % names
    if decision == "reject":
        return _("Rejected: %(left)s and %(right)s are different firms.") % names
    return _("Skipped: %(left)s and %(right)s wait for later.") % names


@login_required
@require_POST
@domain_errors
def review_decide(request: HttpRequest, slug: str, candidate_id: int) -> HttpResponse:
    """Accept, reject or skip one pair; then the queue again at the same place, which now holds
    the next pair (with HTMX, only the queue's body is swapped in)."""
    cluster = _steward_cluster(request, slug)
    candidate = stewardship.get_candidate(request.user, candidate_id)
    if candidate.cluster_id != cluster.pk:
        raise NotFound(_("No such review item."))
    decision = request.POST.get("decision", "")
    state = ReviewState.of(request.POST)
    try:
        stewardship.decide(request.user, candidate, decision)
    except InvalidInput as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _decision_message(candidate, decision))
        if decision == "skip" and state.status == "skipped" and state.view == "one":
            state = replace(state, at=state.at + 1)  # a skipped pair stays in its tab
    url = reverse("registry-review", args=[cluster.slug]) + state.query()
    if not views._wants_partial(request):
        return redirect(url)
    context = _review_context(request, cluster, state)
    response = render(request, "web/stewardship/review.html", context)
    response["HX-Push-Url"] = context["here"]
    return response


@login_required
@require_POST
@domain_errors
def review_bulk(request: HttpRequest, slug: str) -> HttpResponse:
    """Accept or reject the ticked pairs; each is decided on its own and those that cannot be
    are reported by number."""
    cluster = _steward_cluster(request, slug)
    state = ReviewState.of(request.POST)
    back = reverse("registry-review", args=[cluster.slug]) + replace(state, view="list").query()
    decision = request.POST.get("decision", "")
    ids = request.POST.getlist("ids")
    if decision not in ("accept", "reject"):
        messages.error(request, _("Choose to accept or to reject the selected pairs."))
        return redirect(back)
    if not ids:
        messages.info(request, _("Select at least one pair first."))
        return redirect(back)
    result = stewardship.decide_many(request.user, cluster, ids, decision)
    if result.decided:
        messages.success(
            request,
            (
                _("%(n)s pairs accepted as one firm each.")
                if decision == "accept"
                else _("%(n)s pairs rejected as different firms.")
            )
            % {"n": len(result.decided)},
        )
    for error in result.errors:
        messages.error(
            request,
            _("Pair %(id)s: %(msg)s")
            % {"id": error.loc[-1] if error.loc else "?", "msg": error.msg},
        )
    return redirect(back)


# --- merges ---------------------------------------------------------------------------------


def _merge_rows(events: list[MergeEvent]) -> list[dict[str, Any]]:
    return [
        {
            "event": e,
            "undoable": e.kind in (MergeEvent.Kind.RECORD, MergeEvent.Kind.FIRMS)
            and e.undone_by_id is None,
        }
        for e in events
    ]


@login_required
@domain_errors
def merge_log(request: HttpRequest, slug: str) -> HttpResponse:
    """Every merge and undo of the cluster's registry: who, when, why; undo from here."""
    cluster = selectors.get_cluster(slug)
    events = stewardship.merge_history(request.user, cluster, limit=MERGES_SHOWN)
    context = _registry_context(
        request, cluster, "merges", merges=_merge_rows(events), limit=MERGES_SHOWN
    )
    return render(request, "web/stewardship/merges.html", context)


@login_required
@require_POST
@domain_errors
def merge_undo(request: HttpRequest, slug: str, merge_id: int) -> HttpResponse:
    event = stewardship.get_merge_event(request.user, merge_id)
    if event.cluster.slug != slug:
        raise NotFound(_("No such merge."))
    try:
        stewardship.undo_merge(request.user, event, reason=request.POST.get("reason", "").strip())
    except InvalidInput as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The merge was undone: %(what)s.") % {"what": _merged(event)})
    return _back(request, reverse("registry-merges", args=[slug]))


def _merged(event: MergeEvent) -> str:
    if event.kind == MergeEvent.Kind.FIRMS and event.other is not None:
        return _("%(other)s and %(firm)s are separate firms again") % {
            "other": event.other.name,
            "firm": event.enterprise.name,
        }
    return _("the row is a firm of its own again")


# --- a firm's registry record and the duplicate flag ------------------------------------------


def _survivor(enterprise_id: Any) -> int | None:
    """The firm a merged firm was folded into (through later merges too), or None."""
    pk = as_id(enterprise_id)
    seen: set[int] = set()
    survivor = None
    while pk is not None and pk not in seen:
        seen.add(pk)
        nxt = Enterprise.all_objects.filter(pk=pk).values_list("merged_into_id", flat=True).first()
        if nxt is None:
            break
        survivor = pk = nxt
    return survivor


def enterprise_profile(request: HttpRequest, enterprise_id: int) -> HttpResponseBase:
    """The public profile; the address of a firm merged into another leads to that firm."""
    try:
        return views.enterprise_profile(request, enterprise_id)
    except Http404:
        survivor = _survivor(enterprise_id)
        if survivor is None:
            raise
        return redirect("enterprise-profile", enterprise_id=survivor)


@login_required
@domain_errors
def firm_registry(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """A firm's registry record for stewards: each tracked field's values by source, the
    aliases, the merges; the form to merge another firm into it. The profile loads its body."""
    survivor = _survivor(enterprise_id)
    if survivor is not None:
        return redirect("firm-registry", enterprise_id=survivor)
    firm = selectors.get_enterprise(enterprise_id)
    fields = stewardship.provenance(request.user, firm)
    history = stewardship.merge_history(request.user, firm.cluster, enterprise=firm)
    provenance_rows = []
    for item in fields:
        marked = False
        sources = []
        for source in item.sources:
            shown = not marked and source.value == item.shown
            marked = marked or shown
            sources.append({"source": source, "shown": shown})
        provenance_rows.append(
            {"label": _field_label(item.field), "shown": item.shown, "sources": sources}
        )
    context = {
        "enterprise": firm,
        "cluster": firm.cluster,
        "active_nav": "registry",
        "provenance": provenance_rows,
        "aliases": list(firm.aliases.order_by("name")),
        "merges": _merge_rows(history),
        "here": reverse("enterprise-profile", args=[firm.pk]),
    }
    return render(request, "web/stewardship/firm_registry.html", context)


def _chosen_firm(request: HttpRequest) -> str:
    """The other firm: picked from the search, else typed as its number."""
    return (request.POST.get("other_pick") or request.POST.get("other", "")).strip()


@login_required
@require_POST
@domain_errors
def firm_merge(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Merge another firm into this one (it keeps this one's page; the other's page leads here)."""
    firm = selectors.get_enterprise(enterprise_id)
    stewardship.require_steward(request.user, firm.cluster)
    other = _chosen_firm(request)
    profile = reverse("enterprise-profile", args=[firm.pk])
    if not other:
        messages.error(request, _("Choose the firm to merge into this one."))
        return _back(request, profile)
    try:
        event = stewardship.merge_firms(
            request.user, firm.pk, other, reason=request.POST.get("reason", "").strip()
        )
    except InvalidInput as exc:
        messages.error(request, _error_text(exc))
    else:
        assert event.other is not None
        messages.success(
            request,
            _("%(other)s was merged into %(firm)s. The merge can be undone below.")
            % {"other": event.other.name, "firm": firm.name},
        )
    return _back(request, profile)


@login_required
@require_POST
@domain_errors
def flag_duplicate(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Any signed-in user: "this firm and that one are the same". Association staff decide."""
    firm = selectors.get_enterprise(enterprise_id)
    other = _chosen_firm(request)
    note = request.POST.get("note", "").strip()
    errors: list[str] = []
    confirmation = ""
    if not other:
        errors.append(_("Choose the other firm: search for it or give its number."))
    else:
        try:
            candidate = stewardship.flag_duplicate(request.user, firm, other, note=note)
        except InvalidInput as exc:
            errors = [e.msg for e in exc.errors] or [exc.detail]
        else:
            pair = candidate.other if candidate.enterprise_id == firm.pk else candidate.enterprise
            confirmation = _(
                "Thank you. The association staff of %(cluster)s will check whether %(firm)s "
                "and %(other)s are one firm."
            ) % {
                "cluster": firm.cluster.name,
                "firm": firm.name,
                "other": pair.name if pair else "",
            }
    if views._wants_partial(request):
        context = {
            "enterprise": firm,
            "cluster": firm.cluster,
            "errors": errors,
            "confirmation": confirmation,
            "values": {} if confirmation else {"other": other, "note": note},
        }
        return render(
            request,
            "web/stewardship/includes/duplicate_form.html",
            context,
            status=422 if errors else 200,
        )
    if errors:
        for error in errors:
            messages.error(request, error)
    else:
        messages.success(request, confirmation)
    return redirect("enterprise-profile", enterprise_id=firm.pk)


@login_required
@domain_errors
def firm_pick(request: HttpRequest, slug: str) -> HttpResponse:
    """Firms of the cluster whose name, USCC or address matches, to pick one in a form."""
    cluster = selectors.get_cluster(slug)
    q = request.GET.get("q", "").strip()[:100]
    exclude = as_id(request.GET.get("exclude"))
    found: list[Enterprise] = []
    if q:
        try:
            page = selectors.enterprise_directory(
                cluster, request.user, DirectoryFilters(q=q), page=1, per_page=PICK_LIMIT + 1
            )
        except InvalidInput:
            page = None
        if page is not None:
            found = [row.enterprise for row in page.rows if row.enterprise.pk != exclude]
    context = {"firms": found[:PICK_LIMIT], "q": q, "more": len(found) > PICK_LIMIT}
    return render(request, "web/stewardship/includes/firm_pick.html", context)
