"""The registry stewardship API under /api/v1/: imports (stage, preview, map, commit), the
review queue, merges and their undoing, duplicate flags, provenance, exports. Thin: parse, call
`registry.stewardship`, return a schema. Every endpoint needs a session or token; all but the
duplicate flag need association staff or the cluster office of the cluster (403 otherwise)."""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from clusterbrain.accounts.auth import WRITE_AUTH
from clusterbrain.errors import InvalidInput
from clusterbrain.registry import importing, selectors, stewardship
from clusterbrain.registry.api import ERRORS, _user
from clusterbrain.registry.models import (
    ImportBatch,
    MatchCandidate,
    MergeEvent,
    SourceRecord,
)

router = Router(tags=["registry stewardship"])


class MappingError(Schema):
    loc: list[str | int]
    msg: str


class ImportOut(Schema):
    id: int
    cluster: str
    source: str
    source_kind: str
    list_date: datetime.date
    file_name: str
    file_format: str
    encoding: str
    status: str
    headers: dict[str, list[str]]
    mapping: dict[str, dict[str, str]]
    mapping_errors: list[MappingError] = []
    counts: dict[str, int]
    created_at: datetime.datetime
    committed_at: datetime.datetime | None


def _import_out(batch: ImportBatch, mapping_errors: list[Any] | None = None) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "cluster": batch.cluster.slug,
        "source": batch.source_name,
        "source_kind": batch.source_kind,
        "list_date": batch.list_date,
        "file_name": batch.file_name,
        "file_format": batch.file_format,
        "encoding": batch.encoding,
        "status": batch.status,
        "headers": batch.headers,
        "mapping": batch.mapping,
        "mapping_errors": [{"loc": list(e.loc), "msg": e.msg} for e in mapping_errors or []],
        "counts": batch.counts,
        "created_at": batch.created_at,
        "committed_at": batch.committed_at,
    }


class Problem(Schema):
    field: str
    msg: str
    severity: str


class RowOut(Schema):
    id: int
    sheet: str
    row: int
    name: str
    name_en: str
    uscc: str
    address: str
    phone: str
    legal_representative: str
    status: str
    resolution: str
    candidate_id: int | None
    candidate_name: str | None
    match_probability: float | None
    enterprise_id: int | None
    problems: list[Problem]


def _row_out(r: SourceRecord) -> dict[str, Any]:
    return {
        "id": r.pk,
        "sheet": r.sheet,
        "row": r.row_number,
        "name": r.name,
        "name_en": r.name_en,
        "uscc": r.uscc,
        "address": r.address,
        "phone": r.phone,
        "legal_representative": r.legal_representative,
        "status": r.status,
        "resolution": r.resolution,
        "candidate_id": r.candidate_id,
        "candidate_name": r.candidate.name if r.candidate_id and r.candidate else None,
        "match_probability": r.match_probability,
        "enterprise_id": r.enterprise_id,
        "problems": [
            {
                "field": p.get("field", ""),
                "msg": importing.problem_message(p),
                "severity": p.get("severity", "error"),
            }
            for p in r.problems
        ],
    }


SourceKindIn = Literal[
    "registry", "tax", "members", "brand", "open_supply_hub", "exhibition", "other"
]


class ImportForm(Schema):
    source: str = Field(..., max_length=200, description="Where the list came from")
    source_kind: SourceKindIn = Field("other", description="Kind of source: sets precedence")
    list_date: datetime.date | None = Field(None, description="Date of the list (default today)")
    mapping: str = Field(
        "",
        description='Optional JSON: {"sheet name": {"column index": "field"}}; CSV has one '
        'sheet named "". Fields: ' + ", ".join(importing.IMPORT_FIELDS),
    )


def _parse_mapping(text: str) -> dict[str, dict[str, str]] | None:
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput.field(
            "mapping", _("The mapping is not valid JSON: %(e)s") % {"e": exc}
        ) from exc
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise InvalidInput.field(
            "mapping", _('The mapping is an object: {"sheet": {"column index": "field"}}.')
        )
    return {str(s): {str(k): str(v) for k, v in cols.items()} for s, cols in value.items()}


@router.post(
    "/clusters/{slug}/imports",
    response={201: ImportOut, **ERRORS},
    auth=WRITE_AUTH,
)
def stage_import(
    request: HttpRequest,
    slug: str,
    payload: Form[ImportForm],
    file: UploadedFile = File(...),  # noqa: B008 - ninja's parameter marker
) -> Status[dict[str, Any]]:
    """multipart/form-data: a CSV (UTF-8 or GBK) or XLSX list of firms. The rows are staged and
    previewed (problems per row, the proposed resolution per row); nothing enters the registry
    until `POST /imports/{id}/commit`. A list whose name column cannot be recognised is refused
    (422) unless `mapping` names it."""
    cluster = selectors.get_cluster(slug)
    stewardship.require_steward(_user(request), cluster)
    importing.check_size(file.size or 0)
    content = file.read()
    preview = stewardship.stage_import(
        _user(request),
        cluster,
        content=content,
        file_name=file.name or "upload",
        source_name=payload.source,
        source_kind=payload.source_kind,
        list_date=payload.list_date,
        mapping=_parse_mapping(payload.mapping),
        strict=True,
    )
    return Status(201, _import_out(preview.batch, preview.mapping_errors))


@router.get("/imports/{import_id}", response={200: ImportOut, **ERRORS}, auth=WRITE_AUTH)
def get_import(request: HttpRequest, import_id: int) -> dict[str, Any]:
    return _import_out(stewardship.get_batch(_user(request), import_id))


class RowsQuery(Schema):
    problems_only: bool = False
    resolution: str = Field("", description="uscc, merge, review, new, same_as_row")
    page: int = Field(1, ge=1)
    per_page: int = Field(100, ge=1, le=1000)


class RowsOut(Schema):
    total: int
    page: int
    rows: list[RowOut]


@router.get("/imports/{import_id}/rows", response={200: RowsOut, **ERRORS}, auth=WRITE_AUTH)
def import_rows(request: HttpRequest, import_id: int, filters: Query[RowsQuery]) -> dict[str, Any]:
    batch = stewardship.get_batch(_user(request), import_id)
    qs = batch.records.select_related("candidate").order_by("sheet", "row_number", "pk")
    if filters.problems_only:
        qs = qs.exclude(problems=[])
    if filters.resolution:
        qs = qs.filter(resolution=filters.resolution)
    total = qs.count()
    start = (filters.page - 1) * filters.per_page
    return {
        "total": total,
        "page": filters.page,
        "rows": [_row_out(r) for r in qs[start : start + filters.per_page]],
    }


class MappingIn(Schema):
    mapping: dict[str, dict[str, str]]


@router.put("/imports/{import_id}/mapping", response={200: ImportOut, **ERRORS}, auth=WRITE_AUTH)
def remap_import(request: HttpRequest, import_id: int, payload: MappingIn) -> dict[str, Any]:
    """Which column of which sheet is which field; the preview is computed again."""
    user = _user(request)
    batch = stewardship.get_batch(user, import_id)
    preview = stewardship.remap_import(user, batch, payload.mapping)
    return _import_out(preview.batch, preview.mapping_errors)


class CommitOut(Schema):
    id: int
    status: str
    merged: int = 0
    created: int = 0
    review: int = 0
    errors: int = 0


@router.post("/imports/{import_id}/commit", response={200: CommitOut, **ERRORS}, auth=WRITE_AUTH)
def commit_import(request: HttpRequest, import_id: int) -> dict[str, Any]:
    """Write the rows without errors into the registry, in one transaction."""
    user = _user(request)
    batch = stewardship.get_batch(user, import_id)
    counts = stewardship.commit_import(user, batch)
    return {"id": batch.pk, "status": ImportBatch.Status.COMMITTED, **counts}


@router.post("/imports/{import_id}/discard", response={200: ImportOut, **ERRORS}, auth=WRITE_AUTH)
def discard_import(request: HttpRequest, import_id: int) -> dict[str, Any]:
    user = _user(request)
    batch = stewardship.discard_import(user, stewardship.get_batch(user, import_id))
    return _import_out(batch)


# --- review -----------------------------------------------------------------------------------


class FirmSide(Schema):
    kind: str
    id: int | None
    name: str
    name_en: str
    uscc: str
    address: str
    phone: str
    legal_representative: str
    products: str
    source: str


class ExplanationItem(Schema):
    comparison: str
    level: str
    weight: float
    left: str = ""
    right: str = ""


class CandidateOut(Schema):
    id: int
    kind: str
    status: str
    match_probability: float | None
    match_weight: float | None
    left: FirmSide
    right: FirmSide
    explanation: list[ExplanationItem]
    note: str
    raised_by: str | None


def _firm_side(firm: Any) -> dict[str, Any]:
    return {
        "kind": "enterprise",
        "id": firm.pk,
        "name": firm.name_zh,
        "name_en": firm.name_en,
        "uscc": firm.uscc or "",
        "address": firm.address_zh or firm.address_en,
        "phone": firm.phone,
        "legal_representative": firm.legal_representative,
        "products": firm.main_products_zh,
        "source": _("registry"),
    }


def _candidate_out(c: MatchCandidate) -> dict[str, Any]:
    if c.record is not None:
        r = c.record
        left = {
            "kind": "row",
            "id": r.pk,
            "name": r.name,
            "name_en": r.name_en,
            "uscc": r.uscc,
            "address": r.address or r.address_en,
            "phone": r.phone,
            "legal_representative": r.legal_representative,
            "products": r.products,
            "source": f"{r.batch.source_name} ({r.batch.list_date})",
        }
    else:
        left = _firm_side(c.other)
    return {
        "id": c.pk,
        "kind": c.kind,
        "status": c.status,
        "match_probability": c.match_probability,
        "match_weight": c.match_weight,
        "left": left,
        "right": _firm_side(c.enterprise),
        "explanation": c.explanation,
        "note": c.note,
        "raised_by": c.raised_by.username if c.raised_by_id and c.raised_by else None,
    }


class ReviewQuery(Schema):
    status: Literal["open", "skipped", "decided"] = "open"
    page: int = Field(1, ge=1)
    per_page: int = Field(50, ge=1, le=500)


class ReviewOut(Schema):
    total: int
    items: list[CandidateOut]


@router.get("/clusters/{slug}/review", response={200: ReviewOut, **ERRORS}, auth=WRITE_AUTH)
def review_queue(request: HttpRequest, slug: str, filters: Query[ReviewQuery]) -> dict[str, Any]:
    cluster = selectors.get_cluster(slug)
    items, total = stewardship.review_queue(
        _user(request),
        cluster,
        status=filters.status,
        limit=filters.per_page,
        offset=(filters.page - 1) * filters.per_page,
    )
    return {"total": total, "items": [_candidate_out(c) for c in items]}


class DecisionIn(Schema):
    decision: Literal["accept", "reject", "skip"]
    reason: str = Field("", max_length=500)


@router.post(
    "/review/{candidate_id}/decision", response={200: CandidateOut, **ERRORS}, auth=WRITE_AUTH
)
def decide(request: HttpRequest, candidate_id: int, payload: DecisionIn) -> dict[str, Any]:
    """accept: the same firm (merged); reject: different firms (an imported row becomes a firm
    of its own); skip: later."""
    user = _user(request)
    candidate = stewardship.get_candidate(user, candidate_id)
    return _candidate_out(
        stewardship.decide(user, candidate, payload.decision, reason=payload.reason)
    )


class BulkIn(Schema):
    ids: list[int] = Field(..., min_length=1, max_length=1000)
    decision: Literal["accept", "reject", "skip"]


class BulkOut(Schema):
    decided: list[int]
    errors: list[MappingError]


@router.post("/clusters/{slug}/review/bulk", response={200: BulkOut, **ERRORS}, auth=WRITE_AUTH)
def decide_many(request: HttpRequest, slug: str, payload: BulkIn) -> dict[str, Any]:
    """Each pair in its own transaction; the ones that cannot be decided are listed by id."""
    cluster = selectors.get_cluster(slug)
    result = stewardship.decide_many(_user(request), cluster, payload.ids, payload.decision)
    return {
        "decided": result.decided,
        "errors": [{"loc": list(e.loc), "msg": e.msg} for e in result.errors],
    }


# --- duplicates, merges -------------------------------------------------------------------------


class FlagIn(Schema):
    other: int = Field(..., description="The id of the firm this one duplicates")
    note: str = Field("", max_length=500)


@router.post(
    "/enterprises/{enterprise_id}/duplicate-flags",
    response={201: CandidateOut, **ERRORS},
    auth=WRITE_AUTH,
)
def flag_duplicate(
    request: HttpRequest, enterprise_id: int, payload: FlagIn
) -> Status[dict[str, Any]]:
    """Any signed-in user: "these two firms are one". Association staff decide in the queue."""
    enterprise = selectors.get_enterprise(enterprise_id)
    candidate = stewardship.flag_duplicate(
        _user(request), enterprise, payload.other, note=payload.note
    )
    return Status(201, _candidate_out(candidate))


class MergeIn(Schema):
    other: int = Field(..., description="The firm to fold into this one")
    reason: str = Field("", max_length=500)


class MergeOut(Schema):
    id: int
    kind: str
    enterprise_id: int
    other_id: int | None
    record_id: int | None
    reason: str
    automatic: bool
    user: str | None
    at: datetime.datetime
    undone_by: int | None


def _merge_out(e: MergeEvent) -> dict[str, Any]:
    return {
        "id": e.pk,
        "kind": e.kind,
        "enterprise_id": e.enterprise_id,
        "other_id": e.other_id,
        "record_id": e.record_id,
        "reason": e.reason,
        "automatic": e.automatic,
        "user": e.user.username if e.user_id and e.user else None,
        "at": e.at,
        "undone_by": e.undone_by_id,
    }


@router.post(
    "/enterprises/{enterprise_id}/merge", response={201: MergeOut, **ERRORS}, auth=WRITE_AUTH
)
def merge_firms(
    request: HttpRequest, enterprise_id: int, payload: MergeIn
) -> Status[dict[str, Any]]:
    """Fold `other` into this firm (reversible: `POST /merges/{id}/undo`)."""
    event = stewardship.merge_firms(
        _user(request), enterprise_id, payload.other, reason=payload.reason
    )
    return Status(201, _merge_out(event))


class UndoIn(Schema):
    reason: str = Field("", max_length=500)


@router.post("/merges/{merge_id}/undo", response={201: MergeOut, **ERRORS}, auth=WRITE_AUTH)
def undo_merge(request: HttpRequest, merge_id: int, payload: UndoIn) -> Status[dict[str, Any]]:
    user = _user(request)
    event = stewardship.get_merge_event(user, merge_id)
    return Status(201, _merge_out(stewardship.undo_merge(user, event, reason=payload.reason)))


@router.get("/clusters/{slug}/merges", response={200: list[MergeOut], **ERRORS}, auth=WRITE_AUTH)
def merge_history(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    cluster = selectors.get_cluster(slug)
    return [_merge_out(e) for e in stewardship.merge_history(_user(request), cluster)]


class SourceValue(Schema):
    value: str
    source_kind: str
    source: str
    observed_on: datetime.date
    shown: bool
    import_id: int | None
    row: int | None


class FieldOut(Schema):
    field: str
    shown: str
    sources: list[SourceValue]


class ProvenanceOut(Schema):
    enterprise_id: int
    fields: list[FieldOut]
    aliases: list[str]


@router.get(
    "/enterprises/{enterprise_id}/provenance",
    response={200: ProvenanceOut, **ERRORS},
    auth=WRITE_AUTH,
)
def provenance(request: HttpRequest, enterprise_id: int) -> dict[str, Any]:
    """Each field's value per source and date, the shown one marked; the firm's aliases."""
    enterprise = selectors.get_enterprise(enterprise_id)
    fields = stewardship.provenance(_user(request), enterprise)
    return {
        "enterprise_id": enterprise.pk,
        "fields": [
            {
                "field": f.field,
                "shown": f.shown,
                "sources": [
                    {
                        "value": s.value,
                        "source_kind": s.source_kind,
                        "source": s.source_name,
                        "observed_on": s.observed_on,
                        "shown": i == 0,
                        "import_id": s.record.batch_id if s.record_id and s.record else None,
                        "row": s.record.row_number if s.record_id and s.record else None,
                    }
                    for i, s in enumerate(f.sources)
                ],
            }
            for f in fields
        ],
        "aliases": list(enterprise.aliases.values_list("name", flat=True)),
    }


class ExportQuery(Schema):
    format: Literal["registry", "osh"] = "registry"
    file: Literal["csv", "xlsx"] = "csv"


@router.get("/clusters/{slug}/export", response={200: None, **ERRORS}, auth=WRITE_AUTH)
def export(request: HttpRequest, slug: str, query: Query[ExportQuery]) -> HttpResponse:
    """The cluster's firms in our columns or Open Supply Hub's facility-list columns; cells that
    a spreadsheet would run as formulas are escaped."""
    cluster = selectors.get_cluster(slug)
    headers, rows = stewardship.export_rows(_user(request), cluster, query.format)
    return export_response(f"{cluster.slug}-{query.format}", headers, rows, query.file)


def export_response(
    stem: str, headers: list[str], rows: list[list[Any]], kind: str
) -> HttpResponse:
    if kind == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("firms")
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(headers)
        writer.writerows(rows)
        # A BOM so Excel opens UTF-8 Chinese text correctly.
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{kind}"'
    response["Cache-Control"] = "private, no-store"
    return response
