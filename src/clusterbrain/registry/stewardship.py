"""Registry stewardship: imported lists staged, previewed and committed; rows resolved into firms
(exact on a valid USCC, else by the Splink model of `engines.resolution`); the review queue;
merges and their undoing; field provenance and the precedence that picks a shown value.

Every function that writes is a transaction and checks its user first: only association staff
and the cluster office of the cluster (and platform admins) steward its registry. The one write
open to any signed-in user is the "these are duplicates" flag."""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from clusterbrain.accounts import permissions
from clusterbrain.errors import FieldError, Forbidden, InvalidInput, NotFound
from clusterbrain.registry import importing, selectors
from clusterbrain.registry.models import (
    Brand,
    Certification,
    Cluster,
    Enterprise,
    EnterpriseAlias,
    EnterpriseRole,
    EnterpriseYear,
    Facility,
    FieldSource,
    ImportBatch,
    MatchCandidate,
    MergeEvent,
    SourceKind,
    SourceRecord,
    SupplyRelation,
)

log = logging.getLogger(__name__)

# The firm's fields a list can give, and the record column each is read from.
TRACKED_FIELDS = (
    "name_zh",
    "name_en",
    "uscc",
    "address_zh",
    "address_en",
    "phone",
    "legal_representative",
    "main_products_zh",
    "business_scope",
)

DEFAULT_PRECEDENCE = tuple(SourceKind.values)
DEFAULT_THRESHOLDS = {"auto_merge": 0.97, "review": 0.6}


# --- settings ---------------------------------------------------------------------------------


def precedence() -> tuple[str, ...]:
    """Source kinds, most trusted first (settings.REGISTRY_SOURCE_PRECEDENCE)."""
    order = tuple(getattr(settings, "REGISTRY_SOURCE_PRECEDENCE", DEFAULT_PRECEDENCE))
    return order + tuple(k for k in DEFAULT_PRECEDENCE if k not in order)


def thresholds(source_kind: str) -> dict[str, float]:
    """Match-probability thresholds of a source kind: at or above `auto_merge` a row is merged
    without review, at or above `review` it waits in the queue, below it is a new firm.
    settings.REGISTRY_LINK_THRESHOLDS = {"default": {…}, "exhibition": {…}}."""
    configured = getattr(settings, "REGISTRY_LINK_THRESHOLDS", {})
    merged = dict(DEFAULT_THRESHOLDS)
    merged.update(configured.get("default", {}))
    merged.update(configured.get(source_kind, {}))
    return merged


# --- permissions ------------------------------------------------------------------------------


def require_steward(user: Any, cluster: Cluster) -> None:
    if not permissions.can_steward_registry(user, cluster):
        raise Forbidden(
            _("Only association staff and the cluster office of %(cluster)s steward its registry.")
            % {"cluster": cluster.name}
        )


# --- reading names ----------------------------------------------------------------------------


def _fold(text: str) -> str:
    from clusterbrain.engines.resolution.text import fold

    return fold(text)


def _is_chinese(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def _record_values(record: SourceRecord) -> dict[str, str]:
    """A record's values under the firm's field names."""
    name, name_en = record.name, record.name_en
    if name and not _is_chinese(name) and not name_en:
        name, name_en = "", name
    values = {
        "name_zh": name,
        "name_en": name_en,
        "uscc": record.uscc,
        "address_zh": record.address if _is_chinese(record.address) else "",
        "address_en": record.address_en
        or (record.address if record.address and not _is_chinese(record.address) else ""),
        "phone": record.phone,
        "legal_representative": record.legal_representative,
        "main_products_zh": record.products,
        "business_scope": record.business_scope,
    }
    return {k: v for k, v in values.items() if v}


# --- staging ----------------------------------------------------------------------------------


@dataclass
class ImportPreview:
    batch: ImportBatch
    mapping_errors: list[FieldError]
    counts: dict[str, int]


def _check_source(source_name: str, source_kind: str, list_date: datetime.date | None) -> None:
    errors = []
    if not source_name.strip():
        errors.append(FieldError(("source",), _("Name the source of the list.")))
    if source_kind not in SourceKind.values or source_kind == SourceKind.MANUAL:
        errors.append(
            FieldError(
                ("source_kind",),
                _("Unknown kind of source “%(kind)s”; one of: %(kinds)s.")
                % {
                    "kind": source_kind,
                    "kinds": ", ".join(k for k in SourceKind.values if k != SourceKind.MANUAL),
                },
            )
        )
    if list_date is not None and list_date > timezone.localdate():
        errors.append(FieldError(("list_date",), _("The list cannot be dated in the future.")))
    if errors:
        raise InvalidInput(errors[0].msg, errors)


@transaction.atomic
def stage_import(
    user: Any,
    cluster: Cluster,
    *,
    content: bytes,
    file_name: str,
    source_name: str,
    source_kind: str = SourceKind.OTHER,
    list_date: datetime.date | None = None,
    mapping: Mapping[str, Mapping[str, str]] | None = None,
    strict: bool = True,
) -> ImportPreview:
    """Read a list and stage it for preview: nothing enters the registry before `commit_import`.

    With `strict` (API and CLI) a list whose columns cannot be mapped is refused outright; the
    page stages it anyway so the user can choose the columns on the preview."""
    require_steward(user, cluster)
    _check_source(source_name, source_kind, list_date)
    table = importing.read_table(content, file_name)
    chosen = {s: dict(m) for s, m in (mapping or importing.default_mapping(table)).items()}
    for sheet in table.sheets:
        chosen.setdefault(sheet.name, {})
    mapping_errors = _mapping_errors(table, chosen)
    if strict and mapping_errors:
        raise InvalidInput(mapping_errors[0].msg, mapping_errors)
    batch = ImportBatch.objects.create(
        cluster=cluster,
        source_name=source_name.strip(),
        source_kind=source_kind,
        list_date=list_date or timezone.localdate(),
        file_name=file_name[:255],
        file_format=table.file_format,
        file_sha256=hashlib.sha256(content).hexdigest(),
        encoding=table.encoding,
        mapping=chosen,
        headers={s.name: s.headers for s in table.sheets},
        created_by=user,
    )
    records = []
    for sheet in table.sheets:
        for r, cells in enumerate(sheet.rows):
            formulas = [c for (row, c) in sheet.formulas if row == r]
            records.append(
                SourceRecord(
                    batch=batch,
                    sheet=sheet.name,
                    row_number=r + 2,
                    raw={"cells": cells, "formulas": formulas},
                )
            )
    SourceRecord.objects.bulk_create(records, batch_size=2000)
    return _refresh_preview(batch, table)


def _mapping_errors(
    table: importing.Table, mapping: Mapping[str, Mapping[str, str]]
) -> list[FieldError]:
    try:
        importing.check_mapping(table, mapping)
    except InvalidInput as exc:
        return exc.errors
    return []


def _table_of(batch: ImportBatch) -> importing.Table:
    """The staged cells as the reader gave them (so a new mapping re-reads without the file)."""
    sheets: dict[str, importing.Sheet] = {
        name: importing.Sheet(name, list(headers), []) for name, headers in batch.headers.items()
    }
    for record in batch.records.order_by("sheet", "row_number", "pk"):
        sheet = sheets.setdefault(record.sheet, importing.Sheet(record.sheet, [], []))
        index = len(sheet.rows)
        sheet.rows.append(list(record.raw.get("cells", [])))
        for c in record.raw.get("formulas", []):
            sheet.formulas.add((index, int(c)))
    return importing.Table(batch.file_format, batch.encoding, list(sheets.values()))


def _refresh_preview(batch: ImportBatch, table: importing.Table | None = None) -> ImportPreview:
    """Re-read the staged rows with the batch's mapping and propose each row's resolution."""
    table = table or _table_of(batch)
    mapping_errors = _mapping_errors(table, batch.mapping)
    records = list(batch.records.order_by("sheet", "row_number", "pk"))
    if mapping_errors:
        for record in records:
            record.status = SourceRecord.Status.PENDING
            record.problems = []
        SourceRecord.objects.bulk_update(records, ["status", "problems"], batch_size=2000)
        batch.counts = {"rows": len(records)}
        batch.save(update_fields=["counts"])
        return ImportPreview(batch, mapping_errors, batch.counts)
    rows = importing.read_rows(table, batch.mapping)
    for record, row in zip(records, rows, strict=True):
        v = row.values
        for name in importing.IMPORT_FIELDS:
            value = v.get(name, None if name in ("latitude", "longitude") else "")
            limit = getattr(SourceRecord._meta.get_field(name), "max_length", None)
            setattr(record, name, value[:limit] if limit and isinstance(value, str) else value)
        record.problems = row.problems
    proposals = propose_resolutions(batch.cluster, records, batch.source_kind)
    for record in records:
        proposal = proposals.get(record.pk)
        if record.has_errors or proposal is None:
            record.status = SourceRecord.Status.INVALID
            record.resolution, record.candidate, record.match_probability = "", None, None
            continue
        record.status = SourceRecord.Status.PENDING
        record.resolution = proposal.action
        record.candidate_id = proposal.enterprise_id
        record.match_probability = proposal.probability
        record.raw = {**record.raw, "same_as": proposal.row_peer}
    SourceRecord.objects.bulk_update(
        records,
        [
            *importing.IMPORT_FIELDS,
            "problems",
            "raw",
            "status",
            "resolution",
            "candidate",
            "match_probability",
        ],
        batch_size=1000,
    )
    batch.counts = _preview_counts(records)
    batch.save(update_fields=["counts"])
    return ImportPreview(batch, [], batch.counts)


def _preview_counts(records: Sequence[SourceRecord]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    counts["rows"] = len(records)
    for record in records:
        if record.status == SourceRecord.Status.INVALID:
            counts["errors"] += 1
        else:
            counts[record.resolution or "new"] += 1
        if any(p.get("severity") == "warning" for p in record.problems):
            counts["warnings"] += 1
    return dict(counts)


def _stewarded(user: Any, queryset: Any, raw_id: Any, missing: str) -> Any:
    """One object of a cluster's registry by id, or NotFound when it is absent or the user does
    not steward its cluster (we do not tell which)."""
    pk = selectors.as_id(raw_id)
    found = queryset.filter(pk=pk).first() if pk is not None else None
    if found is None or not permissions.can_steward_registry(user, found.cluster):
        raise NotFound(missing)
    return found


def get_batch(user: Any, batch_id: Any) -> ImportBatch:
    return _stewarded(
        user, ImportBatch.objects.select_related("cluster"), batch_id, _("No such import.")
    )


@transaction.atomic
def remap_import(
    user: Any, batch: ImportBatch, mapping: Mapping[str, Mapping[str, str]]
) -> ImportPreview:
    """Choose which column holds which field, then preview again."""
    batch = _locked_preview(user, batch)
    table = _table_of(batch)
    clean: dict[str, dict[str, str]] = {}
    for sheet in table.sheets:
        given = mapping.get(sheet.name, {})
        clean[sheet.name] = {
            str(k): str(v) for k, v in given.items() if v and str(k).isdigit() and int(k) < 500
        }
    unknown = [s for s in mapping if s not in {t.name for t in table.sheets}]
    if unknown:
        raise InvalidInput.field(
            "mapping", _("No sheet named “%(sheet)s”.") % {"sheet": unknown[0]}
        )
    errors = _mapping_errors(table, clean)
    if errors:
        raise InvalidInput(errors[0].msg, errors)
    batch.mapping = clean
    batch.save(update_fields=["mapping"])
    return _refresh_preview(batch, table)


def _locked_preview(user: Any, batch: ImportBatch) -> ImportBatch:
    require_steward(user, batch.cluster)
    locked = ImportBatch.objects.select_for_update().select_related("cluster").get(pk=batch.pk)
    if locked.status != ImportBatch.Status.PREVIEW:
        raise InvalidInput.field(
            "status",
            _("This import was already %(status)s.") % {"status": locked.get_status_display()},
        )
    return locked


@transaction.atomic
def discard_import(user: Any, batch: ImportBatch) -> ImportBatch:
    batch = _locked_preview(user, batch)
    batch.records.all().delete()
    batch.status = ImportBatch.Status.DISCARDED
    batch.save(update_fields=["status"])
    return batch


# --- resolution proposals ---------------------------------------------------------------------


@dataclass
class Proposal:
    action: str  # "uscc" | "merge" | "review" | "new" | "same_as_row"
    enterprise_id: int | None = None
    probability: float | None = None
    weight: float | None = None
    pair: dict[str, Any] = field(default_factory=dict)
    row_peer: int | None = None  # for new rows of one list that are one firm: the first row


def _firm_record(firm: Mapping[str, Any], unique_id: str, source: str) -> dict[str, Any]:
    """A firm's fields (a values() row or a model's vars) as a linkage record."""
    return {
        "unique_id": unique_id,
        "source": source,
        "name": firm["name_zh"] or firm["name_en"],
        "name_en": firm["name_en"] if firm["name_zh"] else "",
        "uscc": firm["uscc"] or "",
        "address": firm["address_zh"] or firm["address_en"],
        "phone": firm["phone"],
        "legal_rep": firm["legal_representative"],
        "products": firm["main_products_zh"],
    }


def _existing_records(cluster: Cluster) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The cluster's firms as linkage records: one per firm and one per alias."""
    firms = Enterprise.objects.filter(cluster=cluster).values(
        "pk",
        "name_zh",
        "name_en",
        "uscc",
        "address_zh",
        "address_en",
        "phone",
        "legal_representative",
        "main_products_zh",
    )
    out: list[dict[str, Any]] = []
    owner: dict[str, int] = {}
    by_pk: dict[int, dict[str, Any]] = {}
    for f in firms.iterator(chunk_size=5000):
        uid = f"e{f['pk']}"
        record = _firm_record(f, uid, "registry")
        out.append(record)
        owner[uid] = f["pk"]
        by_pk[f["pk"]] = record
    aliases = EnterpriseAlias.objects.filter(enterprise__cluster=cluster).values(
        "pk", "enterprise_id", "name"
    )
    for a in aliases.iterator(chunk_size=5000):
        base = by_pk.get(a["enterprise_id"])
        if base is None:
            continue
        uid = f"a{a['pk']}"
        out.append({**base, "unique_id": uid, "name": a["name"], "name_en": ""})
        owner[uid] = a["enterprise_id"]
    # The rows already resolved into a firm, as their lists gave them: a new row that agrees
    # with any version of a firm (another list's phone, address or contact) is found.
    rows = SourceRecord.objects.filter(
        enterprise__cluster=cluster,
        enterprise__merged_into__isnull=True,
        status__in=[SourceRecord.Status.MERGED, SourceRecord.Status.CREATED],
    )
    for r in rows.iterator(chunk_size=5000):
        if r.enterprise_id not in by_pk:
            continue
        uid = f"s{r.pk}"
        out.append({**_new_record(r), "unique_id": uid, "source": "registry"})
        owner[uid] = r.enterprise_id
    return out, owner


def _new_record(record: SourceRecord) -> dict[str, Any]:
    return {
        "unique_id": f"r{record.pk}",
        "source": "new",
        "name": record.name or record.name_en,
        "name_en": record.name_en if record.name else "",
        "uscc": record.uscc,
        "address": record.address or record.address_en,
        "phone": record.phone,
        "legal_rep": record.legal_representative,
        "products": record.products,
    }


def propose_resolutions(
    cluster: Cluster, records: Sequence[SourceRecord], source_kind: str
) -> dict[int, Proposal]:
    """What each good row would become: merged into a firm (exact USCC, or the model at or above
    the auto-merge threshold), a review pair, or a new firm. Rows of one list that are one firm
    become one firm. Rows with errors get no proposal (and a USCC of another cluster's firm is
    such an error, added here)."""
    limits = thresholds(source_kind)
    good = [r for r in records if not r.has_errors]
    proposals: dict[int, Proposal] = {}
    usccs = {r.uscc for r in good if r.uscc}
    by_uscc = {
        e.uscc: e
        for e in Enterprise.all_objects.filter(uscc__in=usccs).select_related(
            "cluster", "merged_into"
        )
    }
    pending = []
    for record in good:
        owner = by_uscc.get(record.uscc) if record.uscc else None
        if owner is not None:
            if owner.merged_into_id is not None:
                owner = owner.merged_into
            if owner is not None and owner.cluster_id != cluster.pk:
                record.problems = [
                    *record.problems,
                    importing._problem(
                        "uscc",
                        gettext_noop("This USCC belongs to %(firm)s, registered in %(cluster)s."),
                        {"firm": owner.name, "cluster": owner.cluster.name},
                    ),
                ]
                continue
            if owner is not None:
                proposals[record.pk] = Proposal("uscc", owner.pk, 1.0)
                continue
        pending.append(record)
    if not pending:
        return proposals
    existing, owner_of = _existing_records(cluster)
    pairs = _link(pending, existing, limits["review"])
    best: dict[int, tuple[float, float, int, dict[str, Any]]] = {}
    row_links: list[tuple[int, int, float]] = []
    for pair in pairs:
        left, right = str(pair["unique_id_l"]), str(pair["unique_id_r"])
        p = float(pair["match_probability"])
        w = float(pair.get("match_weight") or 0.0)
        if left.startswith("r") and right.startswith("r"):
            row_links.append((int(left[1:]), int(right[1:]), p))
            continue
        if left.startswith("r"):
            row, other = int(left[1:]), right
        elif right.startswith("r"):
            row, other = int(right[1:]), left
        else:
            continue
        firm = owner_of.get(other)
        if firm is None:
            continue
        if row not in best or p > best[row][0]:
            best[row] = (p, w, firm, dict(pair))
    by_pk = {r.pk: r for r in pending}
    uscc_of = dict(
        Enterprise.objects.filter(pk__in={b[2] for b in best.values()}).values_list("pk", "uscc")
    )
    for record in pending:
        hit = best.get(record.pk)
        if hit is None:
            proposals[record.pk] = Proposal("new")
            continue
        p, w, firm, pair = hit
        theirs = uscc_of.get(firm) or ""
        if record.uscc and theirs and theirs != record.uscc:
            # Two valid codes name two legal entities, whatever the names say.
            proposals[record.pk] = Proposal("new")
        elif p >= limits["auto_merge"]:
            proposals[record.pk] = Proposal("merge", firm, p, w, pair)
        else:
            proposals[record.pk] = Proposal("review", firm, p, w, pair)
    # Rows of this list that are one firm: the first of them decides; the others follow it.
    parent = {pk: pk for pk in by_pk}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, p in row_links:
        if a in parent and b in parent and p >= limits["auto_merge"]:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = defaultdict(list)
    for pk in by_pk:
        groups[root(pk)].append(pk)
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort()
        leader = next((m for m in members if proposals[m].action in ("merge", "uscc")), members[0])
        lead = proposals[leader]
        for m in members:
            if m == leader or proposals[m].action in ("merge", "uscc"):
                continue
            if by_pk[m].uscc and by_pk[leader].uscc and by_pk[m].uscc != by_pk[leader].uscc:
                continue
            if lead.action in ("merge", "uscc"):
                proposals[m] = Proposal("merge", lead.enterprise_id, lead.probability, lead.weight)
            elif proposals[m].action == "new":
                proposals[m] = Proposal("same_as_row", None, None, None, row_peer=leader)
    return proposals


def _link(
    pending: Sequence[SourceRecord], existing: list[dict[str, Any]], review: float
) -> list[dict[str, Any]]:
    """Scored pairs (new row × firm, new row × new row) at or above the review threshold."""
    import math

    from clusterbrain.engines.resolution.features import firm_features
    from clusterbrain.engines.resolution.linkage import link_new_records, load_default_model

    model = load_default_model()
    new = firm_features(_new_record(r) for r in pending)
    old = firm_features(existing) if existing else firm_features([])
    review = min(max(review, 1e-9), 1 - 1e-9)
    min_weight = math.log2(review / (1 - review)) - 1e-9
    pairs = link_new_records(model, new, old, min_weight=min_weight)
    return [dict(row) for row in pairs.to_dicts() if float(row["match_probability"]) >= review]


# --- commit -----------------------------------------------------------------------------------


@transaction.atomic
def commit_import(user: Any, batch: ImportBatch) -> dict[str, int]:
    """Write the good rows into the registry as the preview proposes them, re-proposed now (the
    registry may have changed since): merges, review pairs, new firms. Rows with errors are left
    out. One transaction: a failure leaves the registry as it was."""
    batch = _locked_preview(user, batch)
    preview = _refresh_preview(batch)
    if preview.mapping_errors:
        raise InvalidInput(preview.mapping_errors[0].msg, preview.mapping_errors)
    records = list(batch.records.order_by("sheet", "row_number", "pk"))
    good = [r for r in records if r.status != SourceRecord.Status.INVALID]
    if not good:
        raise InvalidInput.field("file", _("No row can be imported: every row has errors."))
    created_for_row: dict[int, Enterprise] = {}
    counts: dict[str, int] = defaultdict(int)
    # Stored text is never translated (readers differ in language): the merge log shows the
    # row and its list beside an automatic merge, so it needs no reason of its own.
    reason = ""
    for record in good:
        action = record.resolution
        if action in ("uscc", "merge") and record.candidate_id:
            firm = Enterprise.objects.get(pk=record.candidate_id)
            attach_record(user, record, firm, reason=reason, automatic=True)
            counts["merged"] += 1
        elif action == "review" and record.candidate_id:
            record.status = SourceRecord.Status.REVIEW
            record.save(update_fields=["status"])
            MatchCandidate.objects.create(
                cluster=batch.cluster,
                kind=MatchCandidate.Kind.RECORD,
                record=record,
                enterprise_id=record.candidate_id,
                match_probability=record.match_probability,
                explanation=[],
            )
            counts["review"] += 1
        else:
            leader_pk = record.raw.get("same_as") if record.resolution == "same_as_row" else None
            if leader_pk is not None and leader_pk in created_for_row:
                attach_record(
                    user, record, created_for_row[leader_pk], reason=reason, automatic=True
                )
                counts["merged"] += 1
            else:
                firm = create_from_record(user, record, batch)
                created_for_row[record.pk] = firm
                counts["created"] += 1
    counts["errors"] = len(records) - len(good)
    _explain_review_pairs(batch)
    batch.status = ImportBatch.Status.COMMITTED
    batch.committed_by = user
    batch.committed_at = timezone.now()
    batch.counts = {**batch.counts, **{f"committed_{k}": v for k, v in counts.items()}}
    batch.save(update_fields=["status", "committed_by", "committed_at", "counts"])
    selectors.invalidate_cluster(batch.cluster_id)
    return dict(counts)


def _explain_review_pairs(batch: ImportBatch) -> None:
    """Store the model's explanation on each review pair of the batch (what the page shows)."""
    candidates = list(
        MatchCandidate.objects.filter(
            record__batch=batch, status=MatchCandidate.Status.OPEN
        ).select_related("record", "enterprise")
    )
    if not candidates:
        return
    for candidate in candidates:
        candidate.explanation, candidate.match_weight = explain_candidate(candidate)
    MatchCandidate.objects.bulk_update(candidates, ["explanation", "match_weight"])


def explain_candidate(candidate: MatchCandidate) -> tuple[list[dict[str, Any]], float | None]:
    """Why the model thinks the pair is one firm: each comparison's level and weight."""
    from clusterbrain.engines.resolution.features import firm_features
    from clusterbrain.engines.resolution.linkage import (
        explain_pair,
        link_new_records,
        load_default_model,
    )

    firm = candidate.enterprise
    right = _firm_record(vars(firm), f"e{firm.pk}", "registry")
    if candidate.record is not None:
        left = _new_record(candidate.record)
    elif candidate.other is not None:
        left = _firm_record(vars(candidate.other), f"r{candidate.other.pk}", "new")
    else:
        return [], None
    try:
        model = load_default_model()
        pairs = link_new_records(
            model, firm_features([left]), firm_features([right]), min_weight=-1e9
        )
        rows = pairs.to_dicts()
        if not rows:
            return [], None
        pair = rows[0]
        items = explain_pair(model, pair)
    except Exception:  # an explanation is a help, never a reason to fail a decision
        log.exception("explaining match candidate %s", candidate.pk)
        return [], None
    return [
        {
            "comparison": str(getattr(i, "comparison", "")),
            "level": str(getattr(i, "level", "")),
            "weight": float(getattr(i, "match_weight", 0.0) or 0.0),
            "left": str(getattr(i, "left", "") or ""),
            "right": str(getattr(i, "right", "") or ""),
        }
        for i in items
    ], float(pair.get("match_weight") or 0.0)


# --- provenance and shown values --------------------------------------------------------------


def _rank(kind: str) -> int:
    order = precedence()
    return order.index(kind) if kind in order else len(order)


def ensure_baseline(enterprise: Enterprise) -> None:
    """Before a list first changes a firm, what the firm's record held becomes a source like any
    other ("entered on the platform"), so precedence can keep or replace it and an undo can
    bring it back."""
    have = set(
        FieldSource.objects.filter(enterprise=enterprise).values_list("field", flat=True).distinct()
    )
    observed = (
        timezone.localtime(enterprise.updated_at).date()
        if enterprise.updated_at
        else timezone.localdate()
    )
    FieldSource.objects.bulk_create(
        [
            FieldSource(
                enterprise=enterprise,
                field=name,
                value=str(getattr(enterprise, name)),
                source_kind=SourceKind.MANUAL,
                source_name="",  # shown as its kind, "entered on the platform"
                observed_on=observed,
            )
            for name in TRACKED_FIELDS
            if name not in have and getattr(enterprise, name)
        ]
    )


def record_manual_values(user: Any, enterprise: Enterprise, fields: Iterable[str]) -> None:
    """A person's edit of a firm's profile is a source too (ranked first by default)."""
    names = [f for f in fields if f in TRACKED_FIELDS]
    if not names:
        return
    ensure_baseline(enterprise)
    today = timezone.localdate()
    FieldSource.objects.bulk_create(
        [
            FieldSource(
                enterprise=enterprise,
                field=name,
                value=str(getattr(enterprise, name) or ""),
                source_kind=SourceKind.MANUAL,
                source_name=getattr(user, "username", "")[:200],
                observed_on=today,
                recorded_by=user if getattr(user, "is_authenticated", False) else None,
            )
            for name in names
        ]
    )


def shown_values(enterprise: Enterprise) -> dict[str, FieldSource]:
    """For each tracked field, the source whose value is shown: the kind ranked first, the
    newest among equals (then the last recorded)."""
    best: dict[str, FieldSource] = {}
    for source in FieldSource.objects.filter(enterprise=enterprise):
        current = best.get(source.field)
        key = (_rank(source.source_kind), -source.observed_on.toordinal(), -source.pk)
        if current is None or key < (
            _rank(current.source_kind),
            -current.observed_on.toordinal(),
            -current.pk,
        ):
            best[source.field] = source
    return best


def apply_precedence(enterprise: Enterprise) -> list[str]:
    """Set the firm's fields to their shown values. A USCC already held by another firm is not
    taken (that is a merge to review, not a field to overwrite)."""
    shown = shown_values(enterprise)
    changed = []
    for name in TRACKED_FIELDS:
        source = shown.get(name)
        value = source.value if source is not None else ""
        if name == "uscc":
            value = value or None  # type: ignore[assignment]
            if (
                value
                and Enterprise.all_objects.filter(uscc=value).exclude(pk=enterprise.pk).exists()
            ):
                continue
        elif name == "name_zh" and not value:
            continue  # a firm always has a name
        limit = getattr(Enterprise._meta.get_field(name), "max_length", None)
        if isinstance(value, str) and limit:
            value = value[:limit]
        if getattr(enterprise, name) != value:
            setattr(enterprise, name, value)
            changed.append(name)
    if changed:
        enterprise.save(update_fields=[*changed, "updated_at"])
    return changed


def _add_alias(enterprise: Enterprise, name: str, record: SourceRecord | None) -> None:
    if not name:
        return
    folded = _fold(name)[:300]
    if folded in {_fold(enterprise.name_zh), _fold(enterprise.name_en or "")}:
        return
    EnterpriseAlias.objects.get_or_create(
        enterprise=enterprise, folded=folded, defaults={"name": name[:300], "record": record}
    )


def attach_record(
    user: Any,
    record: SourceRecord,
    enterprise: Enterprise,
    *,
    reason: str = "",
    automatic: bool = False,
) -> MergeEvent:
    """Merge an imported row into a firm: its values become sources of the firm's fields, its
    names aliases; the shown values follow precedence. Logged, reversible by `undo_merge`."""
    ensure_baseline(enterprise)
    values = _record_values(record)
    FieldSource.objects.bulk_create(
        [
            FieldSource(
                enterprise=enterprise,
                field=name,
                value=value,
                source_kind=record.batch.source_kind,
                source_name=record.batch.source_name,
                observed_on=record.batch.list_date,
                record=record,
                recorded_by=user,
            )
            for name, value in values.items()
        ]
    )
    before = {name: getattr(enterprise, name) for name in TRACKED_FIELDS}
    apply_precedence(enterprise)
    for name in (record.name, record.name_en):
        _add_alias(enterprise, name, record)
    record.enterprise = enterprise
    record.status = SourceRecord.Status.MERGED
    record.save(update_fields=["enterprise", "status"])
    return MergeEvent.objects.create(
        cluster_id=enterprise.cluster_id,
        kind=MergeEvent.Kind.RECORD,
        enterprise=enterprise,
        record=record,
        reason=reason[:500],
        automatic=automatic,
        user=user,
        moved={"before": {k: v for k, v in before.items() if v}},
    )


LEGAL_FORMS = {
    "ltd": Enterprise.LegalForm.LLC,
    "joint_stock": Enterprise.LegalForm.JOINT_STOCK,
    "individual": Enterprise.LegalForm.SOLE_PROPRIETOR,
    "business_dept": Enterprise.LegalForm.SOLE_PROPRIETOR,
    "trading": Enterprise.LegalForm.SOLE_PROPRIETOR,
    "partnership": Enterprise.LegalForm.PARTNERSHIP,
    "coop": Enterprise.LegalForm.COOPERATIVE,
}


def create_from_record(user: Any, record: SourceRecord, batch: ImportBatch) -> Enterprise:
    from clusterbrain.engines.resolution.names import parse_company_name

    values = _record_values(record)
    parsed = parse_company_name(record.name or record.name_en)
    legal_form = LEGAL_FORMS.get(parsed.legal_form, Enterprise.LegalForm.OTHER)
    if parsed.branch:
        legal_form = Enterprise.LegalForm.BRANCH
    uscc = values.get("uscc") or None
    if uscc and Enterprise.all_objects.filter(uscc=uscc).exists():
        uscc = None
    firm = Enterprise.objects.create(
        cluster_id=batch.cluster_id,
        name_zh=(values.get("name_zh") or values.get("name_en") or "")[:200],
        name_en=values.get("name_en", "")[:200],
        uscc=uscc,
        legal_form=legal_form,
        address_zh=values.get("address_zh", "")[:300],
        address_en=values.get("address_en", "")[:300],
        phone=values.get("phone", "")[:100],
        legal_representative=values.get("legal_representative", "")[:100],
        main_products_zh=values.get("main_products_zh", "")[:300],
        business_scope=values.get("business_scope", ""),
        latitude=record.latitude,
        longitude=record.longitude,
        is_member=batch.source_kind == SourceKind.MEMBERS,
    )
    FieldSource.objects.bulk_create(
        [
            FieldSource(
                enterprise=firm,
                field=name,
                value=value,
                source_kind=batch.source_kind,
                source_name=batch.source_name,
                observed_on=batch.list_date,
                record=record,
                recorded_by=user,
            )
            for name, value in values.items()
        ]
    )
    record.enterprise = firm
    record.status = SourceRecord.Status.CREATED
    record.save(update_fields=["enterprise", "status"])
    return firm


# --- merging firms and undoing ----------------------------------------------------------------

# Rows that belong to a firm and move with it in a merge: (model, foreign key, unique fields
# that may clash with the survivor's own rows — a clashing row stays with the merged firm).
_MOVABLE: tuple[tuple[type[Any], str, tuple[str, ...]], ...] = (
    (EnterpriseRole, "enterprise", ("link_id", "product_category")),
    (Facility, "enterprise", ()),
    (Certification, "enterprise", ()),
    (Brand, "enterprise", ()),
    (EnterpriseYear, "enterprise", ("year",)),
    (EnterpriseAlias, "enterprise", ("folded",)),
    (SourceRecord, "enterprise", ()),
)


def _label(model: type[Any]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _move_rows(source: Enterprise, target: Enterprise) -> dict[str, list[int]]:
    moved: dict[str, list[int]] = {}
    for model, fk, unique in _MOVABLE:
        rows = model.objects.filter(**{fk: source})
        if unique:
            taken = set(model.objects.filter(**{fk: target}).values_list(*unique))
            ids = [pk for pk, *key in rows.values_list("pk", *unique) if tuple(key) not in taken]
        else:
            ids = list(rows.values_list("pk", flat=True))
        if ids:
            model.objects.filter(pk__in=ids).update(**{fk: target})
            moved[_label(model)] = ids
    # Values from lists move (they rank by their source); what the merged firm's record held
    # stays with it (its names become aliases) and only fills the survivor's empty fields, so a
    # merge never replaces a value a person entered for the survivor.
    ids = list(
        FieldSource.objects.filter(enterprise=source, record__isnull=False).values_list(
            "pk", flat=True
        )
    )
    if ids:
        FieldSource.objects.filter(pk__in=ids).update(enterprise=target)
        moved[_label(FieldSource)] = ids
    # Supply relations: either side may be the merged firm; one that would become the firm
    # buying from itself, or repeat a relation the survivor has, stays behind.
    for side, other_side in (("buyer", "supplier"), ("supplier", "buyer")):
        ids = []
        for rel in SupplyRelation.objects.filter(**{side: source}):
            counterpart = getattr(rel, f"{other_side}_id")
            if counterpart == target.pk:
                continue
            clash = SupplyRelation.objects.filter(
                **{side: target, other_side + "_id": counterpart},
                link_id=rel.link_id,
                year=rel.year,
            ).exists()
            if not clash:
                ids.append(rel.pk)
        if ids:
            SupplyRelation.objects.filter(pk__in=ids).update(**{side: target})
            moved[f"registry.supplyrelation.{side}"] = ids
    from clusterbrain.accounts.models import User

    ids = list(User.objects.filter(enterprise=source).values_list("pk", flat=True))
    if ids:
        User.objects.filter(pk__in=ids).update(enterprise=target)
        moved["accounts.user"] = ids
    return moved


def _move_back(moved: Mapping[str, list[int]], survivor: Enterprise, merged: Enterprise) -> None:
    from clusterbrain.accounts.models import User

    models: dict[str, tuple[type[Any], str]] = {_label(m): (m, fk) for m, fk, _u in _MOVABLE}
    models[_label(FieldSource)] = (FieldSource, "enterprise")
    models["accounts.user"] = (User, "enterprise")
    for label, ids in moved.items():
        if label.startswith("registry.supplyrelation."):
            side = label.rsplit(".", 1)[1]
            SupplyRelation.objects.filter(pk__in=ids, **{side: survivor}).update(**{side: merged})
            continue
        if label not in models:
            continue
        model, fk = models[label]
        model.objects.filter(pk__in=ids, **{fk: survivor}).update(**{fk: merged})


def _steward_pair(user: Any, a: Enterprise, b: Enterprise) -> None:
    if a.pk == b.pk:
        raise InvalidInput.field("other", _("A firm cannot be merged with itself."))
    if a.cluster_id != b.cluster_id:
        raise InvalidInput.field("other", _("Only firms of one cluster can be merged."))
    require_steward(user, a.cluster)


def _active(pk: Any, loc: str) -> Enterprise:
    firm_pk = selectors.as_id(pk)
    firm = (
        Enterprise.all_objects.select_for_update().filter(pk=firm_pk).first() if firm_pk else None
    )
    if firm is None:
        raise NotFound(_("No such enterprise."))
    if firm.merged_into_id is not None:
        raise InvalidInput.field(
            loc, _("%(firm)s was already merged into another firm.") % {"firm": firm.name}
        )
    return firm


@transaction.atomic
def merge_firms(
    user: Any, survivor_id: Any, merged_id: Any, *, reason: str = "", automatic: bool = False
) -> MergeEvent:
    """Fold firm `merged_id` into `survivor_id`: its roles, sites, certificates, brands, yearly
    figures, relations, sources, aliases, rows and users move (rows that would clash with the
    survivor's own stay behind); its names become aliases; the merged firm is kept, hidden, so
    `undo_merge` can separate them again."""
    survivor = _active(survivor_id, "enterprise")
    merged = _active(merged_id, "other")
    _steward_pair(user, survivor, merged)
    ensure_baseline(survivor)
    ensure_baseline(merged)
    snapshot = {name: getattr(merged, name) for name in TRACKED_FIELDS}
    survivor_before = {name: getattr(survivor, name) for name in TRACKED_FIELDS}
    moved = _move_rows(merged, survivor)
    merged.merged_into = survivor
    merged.uscc = None
    merged.save(update_fields=["merged_into", "uscc", "updated_at"])
    aliases_before = set(
        EnterpriseAlias.objects.filter(enterprise=survivor).values_list("pk", flat=True)
    )
    for name in (merged.name_zh, merged.name_en):
        _add_alias(survivor, name, None)
    new_aliases = sorted(
        set(EnterpriseAlias.objects.filter(enterprise=survivor).values_list("pk", flat=True))
        - aliases_before
    )
    filled = FieldSource.objects.bulk_create(
        [
            FieldSource(
                enterprise=survivor,
                field=name,
                value=str(value),
                source_kind=SourceKind.MANUAL,
                source_name=merged.name_zh[:200],
                observed_on=timezone.localdate(),
                recorded_by=user,
            )
            for name, value in snapshot.items()
            if value and not survivor_before.get(name)
        ]
    )
    apply_precedence(survivor)
    selectors.invalidate_cluster(survivor.cluster_id)
    return MergeEvent.objects.create(
        cluster_id=survivor.cluster_id,
        kind=MergeEvent.Kind.FIRMS,
        enterprise=survivor,
        other=merged,
        reason=reason[:500],
        automatic=automatic,
        user=user,
        moved={
            "rows": moved,
            "merged_fields": snapshot,
            "survivor_fields": survivor_before,
            "aliases_added": new_aliases,
            "sources_added": [f.pk for f in filled],
        },
    )


def get_merge_event(user: Any, event_id: Any) -> MergeEvent:
    return _stewarded(
        user,
        MergeEvent.objects.select_related("cluster", "enterprise", "other", "record__batch"),
        event_id,
        _("No such merge."),
    )


@transaction.atomic
def undo_merge(user: Any, event: MergeEvent, *, reason: str = "") -> MergeEvent:
    """Reverse a merge: a merged row leaves its firm and becomes a firm of its own; merged firms
    are separated again, each with what it brought. Logged like the merge."""
    event = MergeEvent.objects.select_for_update().select_related("cluster").get(pk=event.pk)
    require_steward(user, event.cluster)
    if event.kind not in (MergeEvent.Kind.RECORD, MergeEvent.Kind.FIRMS):
        raise InvalidInput.field("event", _("Only a merge can be undone."))
    if event.undone_by_id is not None:
        raise InvalidInput.field("event", _("This merge was already undone."))
    if event.kind == MergeEvent.Kind.RECORD:
        undo = _undo_record(user, event, reason)
    else:
        undo = _undo_firms(user, event, reason)
    event.undone_by = undo
    event.save(update_fields=["undone_by"])
    selectors.invalidate_cluster(event.cluster_id)
    return undo


def _undo_record(user: Any, event: MergeEvent, reason: str) -> MergeEvent:
    if event.record_id is None:
        raise InvalidInput.field("event", _("This merge has no imported row."))
    record = SourceRecord.objects.select_related("batch").get(pk=event.record_id)
    firm = Enterprise.all_objects.get(pk=record.enterprise_id) if record.enterprise_id else None
    if firm is None or record.status != SourceRecord.Status.MERGED:
        raise InvalidInput.field("event", _("This row is no longer in a firm."))
    if firm.merged_into_id is not None:
        raise InvalidInput.field(
            "event",
            _("The firm was since merged into another; undo that merge first."),
        )
    FieldSource.objects.filter(record=record).delete()
    EnterpriseAlias.objects.filter(record=record).delete()
    apply_precedence(firm)
    new_firm = create_from_record(user, record, record.batch)
    return MergeEvent.objects.create(
        cluster_id=firm.cluster_id,
        kind=MergeEvent.Kind.UNMERGE_RECORD,
        enterprise=firm,
        other=new_firm,
        record=record,
        reason=reason[:500],
        user=user,
    )


def _undo_firms(user: Any, event: MergeEvent, reason: str) -> MergeEvent:
    survivor = Enterprise.all_objects.select_for_update().get(pk=event.enterprise_id)
    if event.other_id is None:
        raise InvalidInput.field("event", _("This merge names no merged firm."))
    merged = Enterprise.all_objects.select_for_update().get(pk=event.other_id)
    if merged.merged_into_id != survivor.pk:
        raise InvalidInput.field("event", _("These firms are no longer merged."))
    if survivor.merged_into_id is not None:
        raise InvalidInput.field(
            "event", _("The firm was since merged into another; undo that merge first.")
        )
    moved = event.moved.get("rows", {})
    _move_back(moved, survivor, merged)
    EnterpriseAlias.objects.filter(pk__in=event.moved.get("aliases_added", [])).delete()
    FieldSource.objects.filter(pk__in=event.moved.get("sources_added", [])).delete()
    apply_precedence(survivor)
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated_at"])
    apply_precedence(merged)
    return MergeEvent.objects.create(
        cluster_id=survivor.cluster_id,
        kind=MergeEvent.Kind.UNMERGE_FIRMS,
        enterprise=survivor,
        other=merged,
        reason=reason[:500],
        user=user,
    )


# --- review queue -----------------------------------------------------------------------------

DECISIONS = ("accept", "reject", "skip")


def surviving_firm(firm: Enterprise) -> Enterprise:
    """The firm itself, or the one it ended up in through merges (A into B, B into C: C)."""
    seen = {firm.pk}
    while firm.merged_into_id is not None and firm.merged_into_id not in seen:
        seen.add(firm.merged_into_id)
        firm = Enterprise.all_objects.get(pk=firm.merged_into_id)
    return firm


def get_candidate(user: Any, candidate_id: Any) -> MatchCandidate:
    return _stewarded(
        user,
        MatchCandidate.objects.select_related("cluster", "record__batch", "enterprise", "other"),
        candidate_id,
        _("No such review item."),
    )


@transaction.atomic
def decide(
    user: Any, candidate: MatchCandidate, decision: str, *, reason: str = ""
) -> MatchCandidate:
    """Accept (the same firm: merge), reject (different firms: an imported row becomes a firm of
    its own) or skip (decide later)."""
    if decision not in DECISIONS:
        raise InvalidInput.field(
            "decision",
            _("Unknown decision “%(value)s”; one of: %(choices)s.")
            % {"value": decision, "choices": ", ".join(DECISIONS)},
        )
    candidate = (
        MatchCandidate.objects.select_for_update(of=("self",))
        .select_related("cluster", "record__batch", "enterprise", "other")
        .get(pk=candidate.pk)
    )
    require_steward(user, candidate.cluster)
    if candidate.status not in (MatchCandidate.Status.OPEN, MatchCandidate.Status.SKIPPED):
        raise InvalidInput.field(
            "decision",
            _("This pair was already decided: %(status)s.")
            % {"status": candidate.get_status_display()},
        )
    why = reason
    if decision == "skip":
        candidate.status = MatchCandidate.Status.SKIPPED
    elif candidate.kind == MatchCandidate.Kind.RECORD:
        record = candidate.record
        assert record is not None
        if record.status != SourceRecord.Status.REVIEW:
            raise InvalidInput.field("decision", _("This row was already resolved."))
        if decision == "accept":
            target = surviving_firm(candidate.enterprise)
            attach_record(user, record, target, reason=why)
            candidate.status = MatchCandidate.Status.ACCEPTED
            MatchCandidate.objects.filter(record=record).exclude(pk=candidate.pk).filter(
                status__in=[MatchCandidate.Status.OPEN, MatchCandidate.Status.SKIPPED]
            ).update(
                status=MatchCandidate.Status.REJECTED, decided_by=user, decided_at=timezone.now()
            )
        else:
            candidate.status = MatchCandidate.Status.REJECTED
            still_open = (
                MatchCandidate.objects.filter(record=record)
                .exclude(pk=candidate.pk)
                .filter(status__in=[MatchCandidate.Status.OPEN, MatchCandidate.Status.SKIPPED])
                .exists()
            )
            if not still_open:
                create_from_record(user, record, record.batch)
        selectors.invalidate_cluster(candidate.cluster_id)
    else:
        if decision == "accept":
            assert candidate.other is not None
            merge_firms(user, candidate.enterprise.pk, candidate.other.pk, reason=why)
            candidate.status = MatchCandidate.Status.ACCEPTED
        else:
            candidate.status = MatchCandidate.Status.REJECTED
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    return candidate


@dataclass
class BulkResult:
    decided: list[int]
    errors: list[FieldError]


def decide_many(user: Any, cluster: Cluster, ids: Iterable[Any], decision: str) -> BulkResult:
    """Each pair decided in its own transaction: one that cannot be (already decided, firm since
    merged) is reported by its id and the others go ahead."""
    require_steward(user, cluster)
    decided, errors = [], []
    for raw in ids:
        try:
            candidate = get_candidate(user, raw)
            if candidate.cluster_id != cluster.pk:
                raise NotFound(_("No such review item."))
            decide(user, candidate, decision)
            decided.append(candidate.pk)
        except (InvalidInput, NotFound, Forbidden) as exc:
            errors.append(FieldError(("ids", str(raw)), exc.detail))
    return BulkResult(decided, errors)


def review_queue(
    user: Any, cluster: Cluster, *, status: str = "open", limit: int = 50, offset: int = 0
) -> tuple[list[MatchCandidate], int]:
    require_steward(user, cluster)
    statuses = {
        "open": [MatchCandidate.Status.OPEN],
        "skipped": [MatchCandidate.Status.SKIPPED],
        "decided": [MatchCandidate.Status.ACCEPTED, MatchCandidate.Status.REJECTED],
    }.get(status)
    if statuses is None:
        raise InvalidInput.field("status", _("Unknown status “%(value)s”.") % {"value": status})
    qs = MatchCandidate.objects.filter(cluster=cluster, status__in=statuses).select_related(
        "record__batch", "enterprise", "other", "raised_by", "decided_by"
    )
    order = ("-decided_at", "-pk") if status == "decided" else ("-match_probability", "pk")
    total = qs.count()
    return list(qs.order_by(*order)[offset : offset + limit]), total


# --- duplicate flags --------------------------------------------------------------------------


@transaction.atomic
def flag_duplicate(
    user: Any, enterprise: Enterprise, other_id: Any, *, note: str = ""
) -> MatchCandidate:
    """Any signed-in user may say two firms are one; association staff decide."""
    if not getattr(user, "is_authenticated", False):
        raise Forbidden(_("Sign in to report duplicates."))
    other_pk = selectors.as_id(other_id)
    other = Enterprise.objects.filter(pk=other_pk).first() if other_pk else None
    if other is None or other.cluster_id != enterprise.cluster_id:
        raise InvalidInput.field(
            "other", _("Choose another firm of the same cluster (its number in the directory).")
        )
    if other.pk == enterprise.pk:
        raise InvalidInput.field("other", _("A firm cannot be a duplicate of itself."))
    if len(note) > 500:
        raise InvalidInput.field("note", _("At most 500 characters."))
    a, b = sorted((enterprise.pk, other.pk))
    pair = Q(enterprise_id=a, other_id=b) | Q(enterprise_id=b, other_id=a)
    existing = MatchCandidate.objects.filter(pair, kind=MatchCandidate.Kind.FIRMS).exclude(
        status=MatchCandidate.Status.ACCEPTED
    )
    open_one = existing.filter(
        status__in=[MatchCandidate.Status.OPEN, MatchCandidate.Status.SKIPPED]
    ).first()
    if open_one is not None:
        return open_one
    candidate = MatchCandidate.objects.create(
        cluster_id=enterprise.cluster_id,
        kind=MatchCandidate.Kind.FIRMS,
        enterprise_id=a,
        other_id=b,
        note=note.strip(),
        raised_by=user,
    )
    candidate.explanation, candidate.match_weight = explain_candidate(candidate)
    candidate.save(update_fields=["explanation", "match_weight"])
    return candidate


# --- reads ------------------------------------------------------------------------------------


@dataclass
class FieldProvenance:
    field: str
    shown: str
    sources: list[FieldSource]


def provenance(user: Any, enterprise: Enterprise) -> list[FieldProvenance]:
    """Each tracked field's values by source and date, the shown one first."""
    require_steward(user, enterprise.cluster)
    by_field: dict[str, list[FieldSource]] = defaultdict(list)
    for source in FieldSource.objects.filter(enterprise=enterprise).select_related("record__batch"):
        by_field[source.field].append(source)
    out = []
    for name in TRACKED_FIELDS:
        sources = sorted(
            by_field.get(name, []),
            key=lambda s: (_rank(s.source_kind), -s.observed_on.toordinal(), -s.pk),
        )
        out.append(FieldProvenance(name, str(getattr(enterprise, name) or ""), sources))
    return out


def merge_history(
    user: Any, cluster: Cluster, *, enterprise: Enterprise | None = None, limit: int = 100
) -> list[MergeEvent]:
    require_steward(user, cluster)
    qs = MergeEvent.objects.filter(cluster=cluster).select_related(
        "enterprise", "other", "record__batch", "user", "undone_by"
    )
    if enterprise is not None:
        qs = qs.filter(Q(enterprise=enterprise) | Q(other=enterprise))
    return list(qs[:limit])


def imports(user: Any, cluster: Cluster, limit: int = 50) -> list[ImportBatch]:
    require_steward(user, cluster)
    return list(ImportBatch.objects.filter(cluster=cluster).select_related("created_by")[:limit])


# --- export -----------------------------------------------------------------------------------


def export_rows(
    user: Any, cluster: Cluster, fmt: str = "registry"
) -> tuple[list[str], list[list[Any]]]:
    """The cluster's firms as a list to hand on: our columns, or Open Supply Hub's facility-list
    columns. Cells are neutralised against formula injection."""
    require_steward(user, cluster)
    firms = Enterprise.objects.filter(cluster=cluster).order_by("pk")
    if fmt == "osh":
        headers = list(importing.OSH_COLUMNS)
        rows = [
            [
                "CN",
                f.name_en or f.name_zh,
                f.address_en or f.address_zh,
                cluster.industry_en,
                f.main_products_en or f.main_products_zh,
                "",
                "",
                "",
                f.latitude if f.latitude is not None else "",
                f.longitude if f.longitude is not None else "",
            ]
            for f in firms.iterator(chunk_size=2000)
        ]
    elif fmt == "registry":
        headers = [
            "企业名称",
            "英文名称",
            "统一社会信用代码",
            "地址",
            "法定代表人",
            "联系电话",
            "主营产品",
            "经营范围",
        ]
        rows = [
            [
                f.name_zh,
                f.name_en,
                f.uscc or "",
                f.address_zh,
                f.legal_representative,
                f.phone,
                f.main_products_zh,
                f.business_scope,
            ]
            for f in firms.iterator(chunk_size=2000)
        ]
    else:
        raise InvalidInput.field(
            "format", _("Unknown format “%(value)s”; registry or osh.") % {"value": fmt}
        )
    return headers, [[importing.safe_cell(v) for v in row] for row in rows]
