"""Every write of lot traceability: EPCIS capture and trace locations.

CONTRACT (API, pages, CLI and demo loaders):

    capture(user, body, *, error_behaviour="rollback", single_event=False) -> CaptureOutcome
        body: the request body (bytes/str) or an already parsed document (dict): an
        EPCISDocument or EPCISQueryDocument, or with single_event=True one event.
    capture_events(user, events, *, error_behaviour="rollback", batch_size=5000) -> list[CaptureOutcome]
        events as Python dicts (demo and bulk loaders), captured in documents of batch_size.
    add_location(user, enterprise, uri, name, kind="factory", facility=None,
                 latitude=None, longitude=None) -> Location
    recount_events() -> None
        after events were deleted outside capture (a demo reload): the capture counter and
        this process's genealogy cache follow the table again.

`user` None is the platform itself (demo loaders, management commands); a request always
passes its user. Capture never raises for a bad event: problems come back as data in the
outcome (and in its capture job) with the event index and the JSON pointer of the field, and
under `rollback` nothing is stored if there is any; under `proceed` the valid events are.
A user who may not capture at all gets `Forbidden` (nothing recorded).

What capture checks, in order: the document (JSON, GS1's schema, CBV code lists:
`engines.epcis.validate`); per event, that its bizLocation/readPoint belong to the capturing
firm (`permissions`); eventID re-sent with the same content (a duplicate: counted, not
stored) or with other content (an error naming the event); that no transformation or
aggregation consumes more of a lot than it holds (declared, or produced by earlier events,
2 % tolerance: `engines.epcis.to_genealogy.overconsumption` seeded with the stored stock).
"""  # noqa: E501

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.engines.epcis import cbv
from clusterbrain.engines.epcis.normalise import canonical_json, digital_link, normalise_event
from clusterbrain.engines.epcis.to_genealogy import (
    SHIPPING_STEPS,
    GenealogyFeed,
    material_of,
    overconsumption,
    to_genealogy,
)
from clusterbrain.engines.epcis.validate import (
    Problem,
    declared_prefixes,
    events_of,
    parse,
    rejected_events,
    validate,
)
from clusterbrain.errors import Forbidden, InvalidInput
from clusterbrain.registry.models import Enterprise, Facility
from clusterbrain.trace import permissions
from clusterbrain.trace.models import (
    EVENT_ID_LENGTH,
    URI_LENGTH,
    CaptureJob,
    Event,
    EventKey,
    Location,
    Lot,
    TraceStamp,
)

ROLLBACK = CaptureJob.Behaviour.ROLLBACK
PROCEED = CaptureJob.Behaviour.PROCEED
MAX_EVENTS = 100_000  # per document; GS1-EPCIS-Capture-Limit
_CHUNK = 900  # identifiers per IN (...) query, under every backend's parameter limit
RECEIVING_STEPS = frozenset({"receiving", "arriving", "accepting"})
MAKING_TYPES = frozenset({"TransformationEvent", "AggregationEvent"})

# (list in the event, EventKey role, is a quantity list)
_KEY_LISTS: tuple[tuple[str, str, bool], ...] = (
    ("epcList", EventKey.Role.EPC, False),
    ("childEPCs", EventKey.Role.CHILD, False),
    ("inputEPCList", EventKey.Role.INPUT, False),
    ("outputEPCList", EventKey.Role.OUTPUT, False),
    ("quantityList", EventKey.Role.EPC_CLASS, True),
    ("childQuantityList", EventKey.Role.CHILD_CLASS, True),
    ("inputQuantityList", EventKey.Role.INPUT_CLASS, True),
    ("outputQuantityList", EventKey.Role.OUTPUT_CLASS, True),
)
_TYPED_LISTS: tuple[tuple[str, str, str], ...] = (
    ("bizTransactionList", "bizTransaction", EventKey.Role.BIZ_TRANSACTION),
    ("sourceList", "source", EventKey.Role.SOURCE),
    ("destinationList", "destination", EventKey.Role.DESTINATION),
)


@dataclass
class CaptureOutcome:
    """What a capture did: its job (always saved), the events stored and those sent again."""

    job: CaptureJob
    stored: int = 0
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return not self.problems

    @property
    def only_permission_problems(self) -> bool:
        return bool(self.problems) and all(p.code == "location_not_yours" for p in self.problems)


def problem_dict(p: Problem) -> dict[str, Any]:
    """A problem as an entry of the API's `errors` list (and of the capture job's)."""
    loc: list[str | int] = []
    for part in p.pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        loc.append(int(part) if part.isdigit() else part)
    return {
        "loc": loc or ["body"],
        "msg": p.message,
        "code": p.code,
        "event": p.event,
        "field": p.field,
    }


def _new_job(user: Any, behaviour: str, received: int) -> CaptureJob:
    firm = permissions.firm_of(user)
    now = timezone.now()
    return CaptureJob(
        capture_id="cj_" + secrets.token_hex(12),
        user=user if getattr(user, "pk", None) else None,
        enterprise_id=firm,
        created_at=now,
        finished_at=now,
        running=False,
        success=False,
        error_behaviour=behaviour,
        events_received=received,
    )


def _finish(job: CaptureJob, problems: list[Problem], stored: int, duplicates: int) -> None:
    job.success = not problems
    job.events_stored = stored
    job.events_duplicate = duplicates
    job.errors = [problem_dict(p) for p in problems]
    job.finished_at = timezone.now()


@dataclass
class _Prepared:
    """A valid, normalised event ready to store."""

    index: int
    pointer: str
    event: dict[str, Any]  # canonical, recordTime dropped
    document: str
    content_hash: str
    location: Location | None
    firm_id: int | None
    cluster_id: int | None


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for at in range(0, len(values), _CHUNK):
        yield values[at : at + _CHUNK]


# EPCIS data names the same few locations over and over
_dl = lru_cache(maxsize=65_536)(digital_link)


def _location_id(event: dict[str, Any], name: str) -> str:
    value = event.get(name)
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return ""


def _too_long(index: int, pointer: str, event: dict[str, Any]) -> list[Problem]:
    """Values the indexed columns keep whole: longer ones are refused, not cut."""
    out: list[Problem] = []
    if len(str(event.get("eventID", ""))) > EVENT_ID_LENGTH:
        out.append(
            Problem(
                index,
                pointer + "/eventID",
                "too_long",
                _("eventID is longer than %(n)d characters.") % {"n": EVENT_ID_LENGTH},
            )
        )
    checks: list[tuple[str, Any]] = [
        ("/bizStep", event.get("bizStep")),
        ("/disposition", event.get("disposition")),
        ("/readPoint/id", _location_id(event, "readPoint")),
        ("/bizLocation/id", _location_id(event, "bizLocation")),
        ("/parentID", event.get("parentID")),
    ]
    for list_name, _role, is_quantity in _KEY_LISTS:
        for j, item in enumerate(event.get(list_name) or []):
            value = item.get("epcClass") if is_quantity and isinstance(item, dict) else item
            suffix = "/epcClass" if is_quantity else ""
            checks.append((f"/{list_name}/{j}{suffix}", value))
    for list_name, member, _role in _TYPED_LISTS:
        for j, item in enumerate(event.get(list_name) or []):
            if isinstance(item, dict):
                checks.append((f"/{list_name}/{j}/{member}", item.get(member)))
                checks.append((f"/{list_name}/{j}/type", item.get("type")))
    for where, value in checks:
        if isinstance(value, str) and len(value) > URI_LENGTH:
            out.append(
                Problem(
                    index,
                    pointer + where,
                    "too_long",
                    _("%(field)s is longer than %(n)d characters.")
                    % {"field": where.lstrip("/"), "n": URI_LENGTH},
                )
            )
    return out


def _locations(keys: set[str]) -> dict[str, Location]:
    found: dict[str, Location] = {}
    for chunk in _chunks(sorted(k for k in keys if k)):
        for loc in Location.objects.filter(key__in=chunk).select_related("enterprise"):
            found[loc.key] = loc
    return found


def _check_locations(
    user: Any, prepared: list[_Prepared], problems: list[Problem]
) -> list[_Prepared]:
    """Attach each event's location and firm; refuse events at another firm's location."""
    ids = {
        _dl(_location_id(p.event, name)) for p in prepared for name in ("bizLocation", "readPoint")
    }
    known = _locations(ids)
    anywhere = permissions.captures_anywhere(user)
    firm = permissions.firm_of(user)
    kept: list[_Prepared] = []
    for p in prepared:
        biz = _dl(_location_id(p.event, "bizLocation"))
        read = _dl(_location_id(p.event, "readPoint"))
        p.location = known.get(biz) or known.get(read)
        if not anywhere:
            wrong = [
                (name, raw)
                for name, key, raw in (
                    ("bizLocation", biz, _location_id(p.event, "bizLocation")),
                    ("readPoint", read, _location_id(p.event, "readPoint")),
                )
                if key and (key not in known or known[key].enterprise_id != firm)
            ]
            for name, raw in wrong:
                problems.append(
                    Problem(
                        p.index,
                        f"{p.pointer}/{name}/id",
                        "location_not_yours",
                        _(
                            "%(field)s %(uri)s is not one of your firm's trace locations: "
                            "register it first, or capture only events at your own locations."
                        )
                        % {"field": name, "uri": raw},
                    )
                )
            if not biz and not read:
                problems.append(
                    Problem(
                        p.index,
                        f"{p.pointer}/bizLocation",
                        "location_not_yours",
                        _("The event needs a bizLocation or readPoint at one of your locations."),
                    )
                )
                continue
            if wrong:
                continue
        if p.location is not None:
            p.firm_id = p.location.enterprise_id
            p.cluster_id = p.location.enterprise.cluster_id
        kept.append(p)
    return kept


def _check_event_ids(
    prepared: list[_Prepared], problems: list[Problem]
) -> tuple[list[_Prepared], int]:
    """Drop events captured before with the same content (and repeats within the document);
    refuse an eventID seen with other content."""
    ids = sorted({str(p.event["eventID"]) for p in prepared})
    stored: dict[str, str] = {}
    for chunk in _chunks(ids):
        stored.update(
            Event.objects.filter(event_id__in=chunk).values_list("event_id", "content_hash")
        )
    seen: dict[str, str] = {}
    kept: list[_Prepared] = []
    duplicates = 0
    for p in prepared:
        event_id = str(p.event["eventID"])
        earlier = stored.get(event_id, seen.get(event_id))
        if earlier is None:
            seen[event_id] = p.content_hash
            kept.append(p)
        elif earlier == p.content_hash:
            duplicates += 1
        else:
            problems.append(
                Problem(
                    p.index,
                    f"{p.pointer}/eventID",
                    "event_id_conflict",
                    _(
                        "eventID %(id)s was captured before with different content: an event "
                        "cannot be changed (send an error declaration, or a new eventID)."
                    )
                    % {"id": event_id},
                )
            )
    return kept, duplicates


def _stock(keys: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    out: dict[str, tuple[float, float, float]] = {}
    for chunk in _chunks(list(keys)):
        for key, declared, produced, consumed in Lot.objects.filter(key__in=chunk).values_list(
            "key", "declared", "produced", "consumed"
        ):
            out[key] = (math.nan if declared is None else declared, produced, consumed)
    return out


def _where_consumed(p: _Prepared, lot_key: str) -> str:
    for list_name, member in (
        ("inputQuantityList", "/quantity"),
        ("childQuantityList", "/quantity"),
        ("inputEPCList", ""),
        ("childEPCs", ""),
    ):
        for j, item in enumerate(p.event.get(list_name) or []):
            value = item.get("epcClass") if isinstance(item, dict) else item
            if value == lot_key:
                return f"{p.pointer}/{list_name}/{j}{member}"
    return p.pointer


def _check_overconsumption(
    prepared: list[_Prepared], problems: list[Problem]
) -> tuple[list[_Prepared], GenealogyFeed]:
    """Refuse the events that take more of a lot than exists; the next round judges the rest
    again without them (an event refused changes what the later ones may take)."""
    while True:
        feed = to_genealogy([p.event for p in prepared])
        if not prepared:
            return prepared, feed
        found = overconsumption(feed, stock=_stock(feed.lot_keys))
        if not found:
            return prepared, feed
        by_id = {str(p.event["eventID"]): p for p in prepared}
        bad: set[int] = set()
        for o in found:
            p = by_id[o.event_id]
            bad.add(p.index)
            problems.append(
                Problem(
                    p.index,
                    _where_consumed(p, o.lot_key),
                    "overconsumed",
                    _(
                        "Consumes more of lot %(lot)s than exists: %(taken)s taken in all, "
                        "%(held)s declared or produced by earlier events."
                    )
                    % {"lot": o.lot_key, "taken": f"{o.consumed:g}", "held": f"{o.held:g}"},
                )
            )
        prepared = [p for p in prepared if p.index not in bad]


def _prepare(
    doc: dict[str, Any], prefixes: dict[str, str], bad: set[int], problems: list[Problem]
) -> list[_Prepared]:
    out: list[_Prepared] = []
    for index, (pointer, raw) in enumerate(events_of(doc)):
        if index in bad:
            continue
        # an event's own context wins over the document's; nested ones are in `prefixes`
        local = (
            {**prefixes, **declared_prefixes(raw, standard=False)}
            if "@context" in raw
            else prefixes
        )
        try:
            event = normalise_event(raw, local)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            problems.append(Problem(index, pointer, "cannot_normalise", str(exc)))
            continue
        event.pop("recordTime", None)  # the repository's to set (EPCIS 2.0 §7.4.1)
        long = _too_long(index, pointer, event)
        if long:
            problems.extend(long)
            continue
        document = canonical_json(event)
        out.append(
            _Prepared(
                index,
                pointer,
                event,
                document,
                hashlib.sha256(document.encode("utf-8")).hexdigest(),
                None,
                None,
                None,
            )
        )
    return out


def _event_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _keys_of(event: dict[str, Any]) -> list[tuple[str, str, str, float | None, str]]:
    """(role, value, qualifier, quantity, uom) of every identifier the event names."""
    out: list[tuple[str, str, str, float | None, str]] = []
    if isinstance(event.get("parentID"), str):
        out.append((EventKey.Role.PARENT, event["parentID"], "", None, ""))
    for list_name, role, is_quantity in _KEY_LISTS:
        for item in event.get(list_name) or []:
            if is_quantity:
                if isinstance(item, dict) and isinstance(item.get("epcClass"), str):
                    q = item.get("quantity")
                    out.append(
                        (
                            role,
                            item["epcClass"],
                            "",
                            float(q) if isinstance(q, int | float) else None,
                            str(item.get("uom") or ""),
                        )
                    )
            elif isinstance(item, str):
                out.append((role, item, "", None, ""))
    for list_name, member, role in _TYPED_LISTS:
        for item in event.get(list_name) or []:
            if isinstance(item, dict) and isinstance(item.get(member), str):
                out.append((role, item[member], str(item.get("type") or ""), None, ""))
    return out


def _insert(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            rows,
        )


def _store(job: CaptureJob, prepared: list[_Prepared], feed: GenealogyFeed) -> None:
    """Events, their identifiers, the lots they name and the stamp: one transaction (the
    caller's). Rows go in with executemany, not the ORM: at bulk sizes building model
    instances and their SQL was most of capture's time (decision 0011)."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(job.created_at)
    _insert(
        Event._meta.db_table,
        (
            "event_id",
            "content_hash",
            "event_type",
            "event_time",
            "record_time",
            "action",
            "biz_step",
            "disposition",
            "read_point",
            "biz_location",
            "location_id",
            "enterprise_id",
            "cluster_id",
            "capture_job_id",
            "document",
        ),
        [
            (
                str(p.event["eventID"]),
                p.content_hash,
                str(p.event.get("type", "")),
                ops.adapt_datetimefield_value(_event_time(str(p.event["eventTime"]))),
                now,
                str(p.event.get("action") or ""),
                str(p.event.get("bizStep") or ""),
                str(p.event.get("disposition") or ""),
                _dl(_location_id(p.event, "readPoint")),
                _dl(_location_id(p.event, "bizLocation")),
                _pk(p.location),
                p.firm_id,
                p.cluster_id,
                job.pk,
                p.document,
            )
            for p in prepared
        ],
    )
    pks: dict[str, int] = {}
    ids = [str(p.event["eventID"]) for p in prepared]
    for chunk in _chunks(ids):
        pks.update(Event.objects.filter(event_id__in=chunk).values_list("event_id", "pk"))
    key_rows: list[tuple[Any, ...]] = []
    for p in prepared:
        pk = pks[str(p.event["eventID"])]
        for role, value, qualifier, quantity, uom in _keys_of(p.event):
            key_rows.append((pk, role, value, qualifier, quantity, uom))
    _insert(
        EventKey._meta.db_table,
        ("event_id", "role", "value", "qualifier", "quantity", "uom"),
        key_rows,
    )
    _store_lots(prepared, pks, feed)
    stamp, _created = TraceStamp.objects.select_for_update().get_or_create(pk=1)
    TraceStamp.objects.filter(pk=stamp.pk).update(
        events=F("events") + len(prepared), last_event=max(pks.values())
    )


@dataclass
class _LotChange:
    material: str
    uom: str
    first_seen: datetime
    declared: float | None = None
    produced: float = 0.0
    consumed: float = 0.0
    owner_id: int | None = None
    location_id: int | None = None
    cluster_id: int | None = None
    made_by: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    owner_changed: bool = False


def _store_lots(prepared: list[_Prepared], pks: dict[str, int], feed: GenealogyFeed) -> None:
    """Lots named by the new events: stock from the genealogy lines (as overconsumption reads
    it), owner = the firm that made it, or that last received it at its location."""
    if not feed.lot_keys:
        return
    changes: dict[str, _LotChange] = {}
    uoms: dict[str, str] = {}
    for p in prepared:
        for list_name, _role, is_quantity in _KEY_LISTS:
            if is_quantity:
                for item in p.event.get(list_name) or []:
                    if isinstance(item, dict) and item.get("uom"):
                        uoms.setdefault(str(item.get("epcClass")), str(item["uom"]))

    def change(key: str, p: _Prepared) -> _LotChange:
        c = changes.get(key)
        if c is None:
            c = _LotChange(
                material_of(key), uoms.get(key, ""), _event_time(str(p.event["eventTime"]))
            )
            changes[key] = c
        return c

    # who made or holds what, in capture order
    for p in prepared:
        e = p.event
        kind, action, step = e.get("type"), e.get("action"), e.get("bizStep")
        made: list[str] = []
        held: list[str] = []
        if kind == "TransformationEvent":
            made = _names(e, "outputEPCList", "outputQuantityList")
            for key in _names(e, "inputEPCList", "inputQuantityList"):
                change(key, p)
        elif kind == "AggregationEvent":
            children = _names(e, "childEPCs", "childQuantityList")
            parent = [e["parentID"]] if isinstance(e.get("parentID"), str) else []
            if action == "ADD":
                made = parent
                held = children
            else:
                held = parent + children
        else:
            names = _names(e, "epcList", "quantityList")
            if kind == "ObjectEvent" and action == "ADD":
                made = names
            else:
                held = names
            if isinstance(e.get("parentID"), str):
                held.append(e["parentID"])
        for key in made:
            c = change(key, p)
            if c.made_by is None:
                c.made_by = pks[str(e["eventID"])]
            if p.firm_id is not None:
                c.owner_id, c.location_id, c.cluster_id = p.firm_id, _pk(p.location), p.cluster_id
                c.owner_changed = True
        for key in held:
            c = change(key, p)
            receiving = step in RECEIVING_STEPS or (
                step in SHIPPING_STEPS and step != "shipping" and step != "departing"
            )
            if p.firm_id is not None and (receiving or c.owner_id is None):
                c.owner_id, c.location_id, c.cluster_id = p.firm_id, _pk(p.location), p.cluster_id
                c.owner_changed = True
    lines = feed.lines
    for i in range(len(lines)):
        key = feed.lot_keys[int(lines.lot[i])]
        q = float(lines.quantity[i])
        if math.isnan(q) or key not in changes:
            continue
        if lines.is_output[i]:
            changes[key].produced += q
        else:
            changes[key].consumed += q
    for row, key in enumerate(feed.lot_keys):
        declared = float(feed.lots.quantity[row])
        if key in changes and not math.isnan(declared):
            changes[key].declared = declared
        if key in changes and row in feed.lot_attributes:
            changes[key].attributes.update(feed.lot_attributes[row])

    existing: dict[str, tuple[int, dict[str, Any]]] = {}
    keys = list(changes)
    for chunk in _chunks(keys):
        for pk, key, attrs in Lot.objects.filter(key__in=chunk).values_list(
            "pk", "key", "attributes"
        ):
            existing[key] = (pk, attrs or {})
    ops = connection.ops
    _insert(
        Lot._meta.db_table,
        (
            "key",
            "material",
            "uom",
            "declared",
            "produced",
            "consumed",
            "owner_id",
            "location_id",
            "cluster_id",
            "first_seen",
            "made_by_id",
            "attributes",
        ),
        [
            (
                key,
                c.material[:URI_LENGTH],
                c.uom[:8],
                c.declared,
                c.produced,
                c.consumed,
                c.owner_id,
                c.location_id,
                c.cluster_id,
                ops.adapt_datetimefield_value(c.first_seen),
                c.made_by,
                ops.adapt_json_value(c.attributes, None),
            )
            for key, c in changes.items()
            if key not in existing
        ],
    )
    updates = [(key, c) for key, c in changes.items() if key in existing]
    if not updates:
        return
    table = Lot._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET produced = produced + %s, consumed = consumed + %s, "  # noqa: S608
            "declared = COALESCE(%s, declared), made_by_id = COALESCE(made_by_id, %s) "
            "WHERE id = %s",
            [(c.produced, c.consumed, c.declared, c.made_by, existing[k][0]) for k, c in updates],
        )
        owned = [
            (c.owner_id, c.location_id, c.cluster_id, existing[k][0])
            for k, c in updates
            if c.owner_changed
        ]
        if owned:
            cursor.executemany(
                f"UPDATE {table} SET owner_id = %s, location_id = %s, cluster_id = %s "  # noqa: S608
                "WHERE id = %s",
                owned,
            )
    with_attrs = [
        Lot(pk=existing[k][0], attributes={**existing[k][1], **c.attributes})
        for k, c in updates
        if c.attributes
    ]
    if with_attrs:
        Lot.objects.bulk_update(with_attrs, ["attributes"], batch_size=500)


def _pk(location: Location | None) -> int | None:
    return location.pk if location is not None else None


def _names(event: dict[str, Any], epcs: str, quantities: str) -> list[str]:
    out = [e for e in event.get(epcs) or [] if isinstance(e, str)]
    out += [
        q["epcClass"]
        for q in event.get(quantities) or []
        if isinstance(q, dict) and isinstance(q.get("epcClass"), str)
    ]
    return out


def capture(
    user: Any,
    body: bytes | str | dict[str, Any],
    *,
    error_behaviour: str = ROLLBACK,
    single_event: bool = False,
) -> CaptureOutcome:
    """Validate, check and store an EPCIS document (or one event); see the module note."""
    if not permissions.may_capture(user):
        raise Forbidden(
            _("Only firms (at their own locations) and platform admins capture EPCIS events.")
        )
    if error_behaviour not in (ROLLBACK, PROCEED):
        raise InvalidInput.field(
            "GS1-Capture-Error-Behaviour",
            _("Choose rollback or proceed (not %(value)s).") % {"value": error_behaviour},
        )
    if isinstance(body, dict):
        doc: Any = body
        problems: list[Problem] = []
    else:
        doc, problems = parse(body)
    if not problems:
        problems = _document_kind(doc, single_event)
    prefixes = declared_prefixes(doc) if not problems else {}
    if not problems:
        problems = validate(doc, prefixes=prefixes)
    events = events_of(doc) if isinstance(doc, dict) else []
    job = _new_job(user, error_behaviour, len(events))
    doc_bad, bad_events = rejected_events(problems)
    if len(events) > MAX_EVENTS:
        problems.append(
            Problem(
                None,
                "/epcisBody/eventList",
                "too_many_events",
                _("At most %(n)d events per document: split it.") % {"n": MAX_EVENTS},
            )
        )
        doc_bad = True
    if doc_bad:
        _finish(job, problems, 0, 0)
        job.save()
        return CaptureOutcome(job, problems=problems)
    prepared = _prepare(doc, prefixes, bad_events, problems)
    prepared = _check_locations(user, prepared, problems)
    prepared, duplicates = _check_event_ids(prepared, problems)
    prepared, feed = _check_overconsumption(prepared, problems)
    problems.sort(key=lambda p: (-1 if p.event is None else p.event, p.pointer))
    if problems and error_behaviour == ROLLBACK:
        _finish(job, problems, 0, 0)
        job.save()
        return CaptureOutcome(job, problems=problems)
    with transaction.atomic():
        _finish(job, problems, len(prepared), duplicates)
        job.save()
        if prepared:
            _store(job, prepared, feed)
    return CaptureOutcome(job, len(prepared), duplicates, problems)


def _document_kind(doc: Any, single_event: bool) -> list[Problem]:
    kind = doc.get("type") if isinstance(doc, dict) else None
    if single_event and kind not in cbv.EVENT_TYPES:
        return [
            Problem(
                None,
                "/type",
                "not_an_event",
                _(
                    "POST /epcis/events takes one event (type ObjectEvent, … ); send "
                    "documents to /epcis/capture."
                ),
            )
        ]
    if not single_event and kind not in ("EPCISDocument", "EPCISQueryDocument"):
        return [
            Problem(
                None,
                "/type",
                "not_a_document",
                _(
                    "POST /epcis/capture takes an EPCISDocument or EPCISQueryDocument; send a "
                    "single event to /epcis/events."
                ),
            )
        ]
    return []


def capture_events(
    user: Any,
    events: Sequence[dict[str, Any]],
    *,
    error_behaviour: str = ROLLBACK,
    batch_size: int = 5000,
    context: list[Any] | None = None,
) -> list[CaptureOutcome]:
    """Bulk capture of events given as dicts (demo chains, loaders): one EPCISDocument and one
    transaction per `batch_size` events, in order, so a lot produced in one batch may be
    consumed in a later one. Stops at the first batch with problems under rollback."""
    outcomes: list[CaptureOutcome] = []
    for at in range(0, len(events), batch_size):
        doc = {
            "@context": context
            or ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": timezone.now().isoformat(timespec="milliseconds"),
            "epcisBody": {"eventList": list(events[at : at + batch_size])},
        }
        outcome = capture(user, doc, error_behaviour=error_behaviour)
        outcomes.append(outcome)
        if outcome.problems and error_behaviour == ROLLBACK:
            break
    return outcomes


def add_location(
    user: Any,
    enterprise: Enterprise,
    uri: str,
    name: str,
    kind: str = Location.Kind.FACTORY,
    facility: Facility | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Location:
    """A trace location of `enterprise`: its own users, the association stewarding its
    cluster, admins (and the platform)."""
    from clusterbrain.accounts.permissions import can_edit_enterprise

    if user is not None and not can_edit_enterprise(user, enterprise):
        raise Forbidden(_("Only the firm itself or its cluster's stewards add its locations."))
    uri = (uri or "").strip()
    errors = []
    if not uri or len(uri) > URI_LENGTH or " " in uri or ":" not in uri:
        errors.append(("uri", _("Enter an SGLN URN or a GS1 Digital Link URI.")))
    if not (name or "").strip():
        errors.append(("name", _("This field is required.")))
    if kind not in Location.Kind.values:
        errors.append(
            ("kind", _("Choose one of: %(limit)s.") % {"limit": ", ".join(Location.Kind.values)})
        )
    if facility is not None and facility.enterprise_id != enterprise.pk:
        errors.append(("facility", _("The facility belongs to another firm.")))
    for name_, value, low, high in (
        ("latitude", latitude, -90, 90),
        ("longitude", longitude, -180, 180),
    ):
        if value is not None and not (low <= value <= high):
            errors.append(
                (
                    name_,
                    _("Enter a value between %(low)s and %(high)s.") % {"low": low, "high": high},
                )
            )
    uri_ok = not any(f == "uri" for f, _m in errors)
    if uri_ok and Location.objects.filter(key=digital_link(uri)).exists():
        errors.append(("uri", _("This location is registered already.")))
    if errors:
        from clusterbrain.errors import FieldError

        raise InvalidInput(errors[0][1], [FieldError((f,), m) for f, m in errors])
    with transaction.atomic():
        location = Location(
            uri=uri,
            name=name.strip(),
            enterprise=enterprise,
            facility=facility,
            kind=kind,
            latitude=latitude,
            longitude=longitude,
        )
        location.save()
    return location


def recount_events() -> None:
    """Events are never deleted by the platform's own writes; a loader that deletes them
    (replacing demo chains) calls this so the genealogy caches read the table again."""
    from django.db.models import Max

    from clusterbrain.trace import selectors

    with transaction.atomic():
        stamp, _created = TraceStamp.objects.select_for_update().get_or_create(pk=1)
        stamp.events = Event.objects.count()
        stamp.last_event = Event.objects.aggregate(m=Max("pk"))["m"] or 0
        stamp.save(update_fields=["events", "last_event"])
    selectors.forget_genealogy()
