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

import gc
import hashlib
import json
import math
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.engines.epcis import cbv
from clusterbrain.engines.epcis.normalise import Normaliser, canonical_bytes, digital_link
from clusterbrain.engines.epcis.to_genealogy import (
    GenealogyFeed,
    material_of,
    overconsumption,
    to_genealogy,
)
from clusterbrain.engines.epcis.validate import (
    Problem,
    declared_prefixes,
    event_list,
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

try:
    import orjson
except ImportError:  # pragma: no cover - a dependency (engines.epcis.normalise uses it too)
    orjson = None  # type: ignore[assignment]

ROLLBACK = CaptureJob.Behaviour.ROLLBACK
PROCEED = CaptureJob.Behaviour.PROCEED
MAX_EVENTS = 100_000  # per document; GS1-EPCIS-Capture-Limit
_CHUNK = 900  # identifiers per IN (...) query, under every backend's parameter limit
RECEIVING_STEPS = frozenset({"receiving", "arriving", "accepting"})
MAKING_TYPES = frozenset({"TransformationEvent", "AggregationEvent"})

# (list in the event, EventKey role, is a quantity list). Roles as plain str (`.value`): the
# sqlite3 module binds an exact str directly, a str subclass (the Role member) through its
# adapter look-up, 0.35 us more per identifier row
_KEY_LISTS: tuple[tuple[str, str, bool], ...] = (
    ("epcList", EventKey.Role.EPC.value, False),
    ("childEPCs", EventKey.Role.CHILD.value, False),
    ("inputEPCList", EventKey.Role.INPUT.value, False),
    ("outputEPCList", EventKey.Role.OUTPUT.value, False),
    ("quantityList", EventKey.Role.EPC_CLASS.value, True),
    ("childQuantityList", EventKey.Role.CHILD_CLASS.value, True),
    ("inputQuantityList", EventKey.Role.INPUT_CLASS.value, True),
    ("outputQuantityList", EventKey.Role.OUTPUT_CLASS.value, True),
)
_TYPED_LISTS: tuple[tuple[str, str, str], ...] = (
    ("bizTransactionList", "bizTransaction", EventKey.Role.BIZ_TRANSACTION.value),
    ("sourceList", "source", EventKey.Role.SOURCE.value),
    ("destinationList", "destination", EventKey.Role.DESTINATION.value),
)
_PARENT = EventKey.Role.PARENT.value


_NOT_YOURS = frozenset({"location_not_yours", "lot_not_yours"})


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
        return bool(self.problems) and all(p.code in _NOT_YOURS for p in self.problems)


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


@dataclass(slots=True)
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
    keys: list[_Key] = field(default_factory=list)
    time: str = ""  # eventTime, canonical
    biz: str = ""  # bizLocation id as sent
    read: str = ""  # readPoint id as sent
    biz_key: str = ""  # bizLocation id in Digital Link form (Location.key)
    read_key: str = ""  # readPoint id in Digital Link form
    pk: int = 0  # given in _store
    db_time: Any = None  # eventTime as the backend takes it, given before the write


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for at in range(0, len(values), _CHUNK):
        yield values[at : at + _CHUNK]


def _rows_in(sql: str, values: Sequence[str]) -> list[tuple[Any, ...]]:
    """Rows of `sql` whose `{marks}` is an IN list, for every chunk of `values`: raw SQL, since
    building the ORM's `__in` lookups of a bulk capture cost more than running them."""
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(values):
            cursor.execute(sql.format(marks=", ".join(["%s"] * len(chunk))), list(chunk))
            out.extend(cursor.fetchall())
    return out


def _new_ids(table: str, n: int) -> list[int]:
    """`n` primary keys for rows about to be inserted, in capture order, so the identifier and
    lot rows need not read the events back. SQLite: above the table's highest id ever (the
    caller holds the write lock, taken by saving the capture job in the same transaction);
    PostgreSQL: from the id column's sequence."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return sorted(int(r[0]) for r in cursor.fetchall())
        cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608
        top = int(cursor.fetchone()[0] or 0)
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            if row is not None:
                top = max(top, int(row[0]))
    return list(range(top + 1, top + n + 1))


def _time_adapter() -> Any:
    """The backend's datetime parameter adapter; on SQLite the same text Django writes (naive
    UTC, `str()` of the datetime) without its per-call settings lookups."""
    if connection.vendor != "sqlite":
        return connection.ops.adapt_datetimefield_value

    def adapt(value: datetime) -> str:
        return str(value.astimezone(UTC).replace(tzinfo=None))

    return adapt


def _event_time_adapter() -> Any:
    """A canonical eventTime (`engines.epcis.normalise`: milliseconds and the sender's
    offset) as the backend takes it. On SQLite a UTC time's text is cut from the string, as
    `str()` of the naive UTC datetime reads (`.fff000` only when there are milliseconds),
    without parsing it; other offsets and backends go through the datetime."""
    adapt = _time_adapter()
    if connection.vendor != "sqlite":
        return lambda text: adapt(_event_time(text))

    def adapt_text(text: str) -> Any:
        if len(text) == 29 and text.endswith("+00:00") and text[19] == ".":
            ms = text[20:23]
            return f"{text[:10]} {text[11:19]}" if ms == "000" else f"{text[:10]} {text[11:23]}000"
        return adapt(_event_time(text))

    return adapt_text


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
    known = _locations({p.biz_key for p in prepared} | {p.read_key for p in prepared})
    anywhere = permissions.captures_anywhere(user)
    firm = permissions.firm_of(user)
    kept: list[_Prepared] = []
    for p in prepared:
        biz = p.biz_key
        read = p.read_key
        p.location = known.get(biz) or known.get(read)
        if not anywhere:
            wrong = [
                (name, raw)
                for name, key, raw in (
                    ("bizLocation", biz, p.biz),
                    ("readPoint", read, p.read),
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
    refuse an eventID seen with other content. Content is compared by hash, and where the
    hashes differ by the stored document's value (a hash of another serialisation of the same
    content, from an older version, is not a conflict)."""
    ids = sorted({str(p.event["eventID"]) for p in prepared})
    table = Event._meta.db_table
    stored: dict[str, str] = dict(
        _rows_in(
            f"SELECT event_id, content_hash FROM {table} WHERE event_id IN ({{marks}})",  # noqa: S608
            ids,
        )
    )
    if stored:
        differ = sorted(
            str(p.event["eventID"])
            for p in prepared
            if stored.get(str(p.event["eventID"]), p.content_hash) != p.content_hash
        )
        documents: dict[str, Any] = {
            event_id: json.loads(document)
            for event_id, document in _rows_in(
                f"SELECT event_id, document FROM {table} WHERE event_id IN ({{marks}})",  # noqa: S608
                differ,
            )
        }
        for p in prepared:
            event_id = str(p.event["eventID"])
            if event_id in documents and documents[event_id] == p.event:
                stored[event_id] = p.content_hash
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


_Key = tuple[str, str, str, float | None, str]  # EventKey (role, value, qualifier, quantity, uom)
# lot key → (pk, declared, produced, consumed, owner, made_by) as stored, or None when not
# stored: what the checks read, compared by the write with what is stored then
_LotRow = tuple[int, float | None, float, float, int | None, int | None]
_LotRows = dict[str, _LotRow | None]


def _stored_lots(keys: Iterable[str], known: _LotRows) -> None:
    """Read the stored rows of the lots in `keys` not read yet into `known`."""
    missing = sorted(k for k in set(keys) if k not in known)
    if not missing:
        return
    for k in missing:
        known[k] = None
    known.update(_lot_rows(missing))


def _lot_rows(keys: Sequence[str]) -> list[tuple[str, _LotRow]]:
    """Stored lots: key → (pk, declared, produced, consumed, owner firm, event that made it)."""
    return [
        (key, (pk, declared, produced, consumed, owner, made_by))
        for key, pk, declared, produced, consumed, owner, made_by in _rows_in(
            "SELECT key, id, declared, produced, consumed, owner_id, made_by_id "
            f"FROM {Lot._meta.db_table} WHERE key IN ({{marks}})",  # noqa: S608
            keys,
        )
    ]


def _stock(keys: Sequence[str], known: _LotRows) -> dict[str, tuple[float, float, float]]:
    _stored_lots(keys, known)
    out: dict[str, tuple[float, float, float]] = {}
    for key in keys:
        row = known[key]
        if row is not None:
            out[key] = (math.nan if row[1] is None else row[1], row[2], row[3])
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
    prepared: list[_Prepared], problems: list[Problem], known: _LotRows
) -> tuple[list[_Prepared], GenealogyFeed]:
    """Refuse the events that take more of a lot than exists; the next round judges the rest
    again without them (an event refused changes what the later ones may take)."""
    while True:
        feed = to_genealogy([p.event for p in prepared])
        if not prepared:
            return prepared, feed
        found = overconsumption(feed, stock=_stock(feed.lot_keys, known))
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
    normaliser = Normaliser(prefixes, times_checked=True)  # validate() checked every time
    sha256 = hashlib.sha256
    dl = _dl
    for index, (pointer, raw) in enumerate(events_of(doc)):
        if index in bad:
            continue
        # an event's own context wins over the document's; nested ones are in `prefixes`
        norm = (
            Normaliser({**prefixes, **declared_prefixes(raw, standard=False)}, times_checked=True)
            if "@context" in raw
            else normaliser
        )
        try:
            event = norm.event(raw)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            problems.append(Problem(index, pointer, "cannot_normalise", str(exc)))
            continue
        event.pop("recordTime", None)  # the repository's to set (EPCIS 2.0 §7.4.1)
        keys = _keys_of(event)
        biz, read = _location_id(event, "bizLocation"), _location_id(event, "readPoint")
        if _maybe_too_long(event, keys, biz, read):
            long = _too_long(index, pointer, event)
            if long:
                problems.extend(long)
                continue
        data = canonical_bytes(event)
        out.append(
            _Prepared(
                index,
                pointer,
                event,
                data.decode("utf-8"),
                sha256(data).hexdigest(),
                None,
                None,
                None,
                keys,
                str(event["eventTime"]),
                biz,
                read,
                dl(biz),
                dl(read),
            )
        )
    return out


def _maybe_too_long(event: dict[str, Any], keys: list[_Key], biz: str, read: str) -> bool:
    """Whether `_too_long` could find anything (it names the fields; this only looks at
    lengths, and almost never says yes)."""
    limit = URI_LENGTH
    if len(str(event.get("eventID", ""))) > EVENT_ID_LENGTH:
        return True
    for name in ("bizStep", "disposition", "parentID"):
        value = event.get(name)
        if isinstance(value, str) and len(value) > limit:
            return True
    if len(biz) > limit or len(read) > limit:
        return True
    for _role, value, qualifier, _q, _u in keys:
        if len(value) > limit or len(qualifier) > limit:
            return True
    for list_name, _member, _role in _TYPED_LISTS:
        for item in event.get(list_name) or ():
            kind = item.get("type") if isinstance(item, dict) else None
            if isinstance(kind, str) and len(kind) > limit:
                return True
    return False


def _event_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _keys_of(event: dict[str, Any]) -> list[tuple[str, str, str, float | None, str]]:
    """(role, value, qualifier, quantity, uom) of every identifier the event names."""
    out: list[tuple[str, str, str, float | None, str]] = []
    if isinstance(event.get("parentID"), str):
        out.append((_PARENT, event["parentID"], "", None, ""))
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


def _store(
    job: CaptureJob,
    prepared: list[_Prepared],
    feed: GenealogyFeed,
    known: _LotRows,
    plan: _LotPlan,
    anywhere: bool = True,
    verify: bool = False,
) -> None:
    """Events, their identifiers, the lots they name and the stamp: one transaction (the
    caller's, which has saved the job: on SQLite that holds the write lock; on PostgreSQL the
    capture counter's row lock, taken first, queues concurrent captures here so the lots read
    again below are the committed ones). Rows go in with executemany, not the ORM: at bulk
    sizes building model instances and their SQL was most of capture's time, and the events'
    ids are given here rather than read back (0011). `verify`: the checks ran before the
    transaction, so `_Stale` if the lots they read changed since."""
    _lock_captures()
    now = _time_adapter()(job.created_at)
    event_table = Event._meta.db_table
    for p, pk in zip(prepared, _new_ids(event_table, len(prepared)), strict=True):
        p.pk = pk
    _insert(
        event_table,
        (
            "id",
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
                p.pk,
                str(e["eventID"]),
                p.content_hash,
                str(e.get("type", "")),
                p.db_time,
                now,
                str(e.get("action") or ""),
                str(e.get("bizStep") or ""),
                str(e.get("disposition") or ""),
                p.read_key,
                p.biz_key,
                p.location.pk if p.location is not None else None,
                p.firm_id,
                p.cluster_id,
                job.pk,
                p.document,
            )
            for p in prepared
            for e in (p.event,)
        ],
    )
    _insert(
        EventKey._meta.db_table,
        ("event_id", "position", "role", "value", "qualifier", "quantity", "uom"),
        [(p.pk, at, *key) for p in prepared for at, key in enumerate(p.keys)],
    )
    _store_lots(plan, prepared, feed, known, anywhere, verify)
    TraceStamp.objects.filter(pk=1).update(
        events=F("events") + len(prepared), last_event=prepared[-1].pk
    )


@dataclass
class _LotChange:
    material: str
    uom: str
    first_seen: Any  # as the backend takes it
    declared: float | None = None
    produced: float = 0.0
    consumed: float = 0.0
    owner_id: int | None = None
    location_id: int | None = None
    cluster_id: int | None = None
    made_by: _Prepared | None = None  # the event that made it (its pk is given in _store)
    attributes: dict[str, Any] = field(default_factory=dict)
    owner_changed: bool = False

    @property
    def made_by_id(self) -> int | None:
        return self.made_by.pk if self.made_by is not None else None


@dataclass
class _LotPlan:
    """What the new events change in the lots they name, worked out from the stored lots the
    checks read (`known`), so that the Python of it runs before the write lock; the write
    reads those lots again and, if any changed meanwhile, the capture is judged again."""

    changes: dict[str, _LotChange]
    # False when a receipt's claim read the shipments (`_shipped_to`): a shipment committed
    # since would not show in the lots read again, so the write plans once more under the lock
    exact: bool = True


def _made_names(event: dict[str, Any]) -> list[tuple[str, str]]:
    """(lot, pointer within the event) of the lots an event makes: ObjectEvent ADD, a
    transformation's outputs, an aggregation's new parent."""
    kind, action = event.get("type"), event.get("action")
    if kind == "TransformationEvent":
        lists = ("outputEPCList", "outputQuantityList")
    elif kind == "ObjectEvent" and action == "ADD":
        lists = ("epcList", "quantityList")
    elif kind == "AggregationEvent" and action == "ADD":
        parent = event.get("parentID")
        return [(parent, "/parentID")] if isinstance(parent, str) else []
    else:
        return []
    out: list[tuple[str, str]] = []
    for j, epc in enumerate(event.get(lists[0]) or ()):
        if isinstance(epc, str):
            out.append((epc, f"/{lists[0]}/{j}"))
    for j, q in enumerate(event.get(lists[1]) or ()):
        if isinstance(q, dict) and isinstance(q.get("epcClass"), str):
            out.append((q["epcClass"], f"/{lists[1]}/{j}/epcClass"))
    return out


def _lot_holders(keys: Sequence[str]) -> dict[str, tuple[int | None, int | None]]:
    """Stored lot → (owner firm, firm of the event that made it)."""
    lot_table, event_table = Lot._meta.db_table, Event._meta.db_table
    return {
        key: (owner, maker)
        for key, owner, maker in _rows_in(
            f"SELECT l.key, l.owner_id, e.enterprise_id FROM {lot_table} l "  # noqa: S608
            f"LEFT JOIN {event_table} e ON e.id = l.made_by_id WHERE l.key IN ({{marks}})",
            keys,
        )
    }


def _json_adapter() -> Any:
    """The backend's JSONField parameter; on SQLite (a text column Django reads with
    json.loads) orjson's text, 5x quicker than json.dumps and read back the same (only the
    spaces differ)."""
    ops = connection.ops
    if connection.vendor != "sqlite" or orjson is None:
        return lambda value: ops.adapt_json_value(value, None)

    def adapt(value: Any) -> Any:
        try:
            text = orjson.dumps(value)
        except TypeError:  # orjson.JSONEncodeError: integers beyond 64 bits
            return ops.adapt_json_value(value, None)
        # orjson writes NaN and infinities as null, json as NaN/Infinity (read back as such)
        return text.decode() if b"null" not in text else ops.adapt_json_value(value, None)

    return adapt


def _check_lot_claims(
    user: Any, prepared: list[_Prepared], problems: list[Problem]
) -> list[_Prepared]:
    """Refuse a firm's event that makes (ADD, transformation output, aggregation parent) a lot
    another firm owns or made: it would take the lot over and rewrite its ILMD facts (origin,
    deforestation-free…), which only its maker states (decision 0011). The platform and
    admins capture as before."""
    if permissions.captures_anywhere(user) or not prepared:
        return prepared
    firm = permissions.firm_of(user)
    made = {p.index: _made_names(p.event) for p in prepared}
    holders = _lot_holders(sorted({key for names in made.values() for key, _ in names}))
    bad: set[int] = set()
    for p in prepared:
        for key, member in made[p.index]:
            owner, maker = holders.get(key, (None, None))
            if (owner is not None and owner != firm) or (maker is not None and maker != firm):
                bad.add(p.index)
                problems.append(
                    Problem(
                        p.index,
                        p.pointer + member,
                        "lot_not_yours",
                        _(
                            "Lot %(lot)s is another firm's: only the firm that made it declares "
                            "it or its facts; record what you received with a receiving event."
                        )
                        % {"lot": key},
                    )
                )
    return [p for p in prepared if p.index not in bad]


def _shipped_to(keys: Sequence[str]) -> dict[str, set[tuple[int, int]]]:
    """Lot → {(shipping firm, destination firm)}: the shipping/departing events naming the lot
    whose destinations are registered locations, as the receiving firm's claim reads them."""
    if not keys:
        return {}
    event_table, key_table = Event._meta.db_table, EventKey._meta.db_table
    rows = _rows_in(
        f"SELECT k.value, e.enterprise_id, d.value FROM {key_table} k "  # noqa: S608
        f"JOIN {event_table} e ON e.id = k.event_id "
        f"JOIN {key_table} d ON d.event_id = k.event_id AND d.role = 'destination' "
        "WHERE k.role IN ('epc', 'epcClass') AND e.enterprise_id IS NOT NULL "
        f"AND e.biz_step IN ('shipping', 'departing') AND k.value IN ({{marks}})",
        keys,
    )
    destinations = _locations({_dl(d) for _k, _f, d in rows})
    out: dict[str, set[tuple[int, int]]] = {}
    for key, shipper, destination in rows:
        where = destinations.get(_dl(destination))
        if where is not None and where.enterprise_id is not None:
            out.setdefault(key, set()).add((shipper, where.enterprise_id))
    return out


def _plan_lots(
    prepared: list[_Prepared], feed: GenealogyFeed, known: _LotRows, anywhere: bool = True
) -> _LotPlan:
    """Lots named by the new events: stock from the genealogy lines (as overconsumption reads
    it), owner = the firm that made it, or that last received it at its location. A firm's
    receipt takes over a lot another firm owns only when that firm shipped it to one of the
    receiver's locations (`anywhere`: the platform and admins, whose receipts move it as
    recorded); any other event names a lot without changing an owner it has (decision 0011).
    `known` holds the stored rows of the feed's lots (the overconsumption check read them)."""
    if not feed.lot_keys:
        return _LotPlan({})
    owners = {k: lot[4] for k in feed.lot_keys if (lot := known.get(k)) is not None}
    shipped: dict[str, set[tuple[int, int]]] | None = None
    changes: dict[str, _LotChange] = {}
    uoms: dict[str, str] = {}
    for p in prepared:
        for _role, value, _qualifier, _quantity, uom in p.keys:
            if uom and value not in uoms:  # only the quantity lists' rows have a uom
                uoms[value] = uom
    # the feed has every lot's product class already
    lot_index = feed.lot_index
    material_rows = feed.lots.material.tolist()
    materials = feed.materials

    def change(key: str, p: _Prepared) -> _LotChange:
        c = changes.get(key)
        if c is None:
            row = lot_index.get(key)
            material = material_of(key) if row is None else materials[material_rows[row]]
            c = changes[key] = _LotChange(material, uoms.get(key, ""), p.db_time)
        return c

    # who made or holds what, in capture order
    for p in prepared:
        e = p.event
        kind, action = e.get("type"), e.get("action")
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
        firm = p.firm_id
        where = p.location.pk if p.location is not None else None
        for key in made:
            c = change(key, p)
            if c.made_by is None:
                c.made_by = p
            if firm is not None:
                c.owner_id, c.location_id, c.cluster_id = firm, where, p.cluster_id
                c.owner_changed = True
        if held:
            receiving = e.get("bizStep") in RECEIVING_STEPS
            for key in held:
                c = change(key, p)
                if firm is None:
                    continue
                owner = c.owner_id if c.owner_changed else owners.get(key)
                takes = owner is None or owner == firm
                if not takes and receiving:
                    if anywhere:
                        takes = True
                    else:
                        if shipped is None:
                            shipped = _shipped_to(list(feed.lot_keys))
                        takes = (owner, firm) in shipped.get(key, set())
                if takes:
                    c.owner_id, c.location_id, c.cluster_id = firm, where, p.cluster_id
                    c.owner_changed = True
    lot_keys = feed.lot_keys
    lines = feed.lines
    for lot, q, is_output in zip(
        lines.lot.tolist(), lines.quantity.tolist(), lines.is_output.tolist(), strict=True
    ):
        if q != q:  # NaN: no quantity given
            continue
        line = changes.get(lot_keys[lot])
        if line is None:
            continue
        if is_output:
            line.produced += q
        else:
            line.consumed += q
    for row, declared in enumerate(feed.lots.quantity.tolist()):
        declaring = changes.get(lot_keys[row]) if declared == declared else None
        if declaring is not None:
            declaring.declared = declared
    for row, attributes in feed.lot_attributes.items():
        described = changes.get(lot_keys[row])
        if described is not None:
            described.attributes.update(attributes)
    _stored_lots(changes, known)  # lots the feed does not have (an aggregation's OBSERVE)
    return _LotPlan(changes, exact=shipped is None)


def _store_lots(
    plan: _LotPlan,
    prepared: list[_Prepared],
    feed: GenealogyFeed,
    known: _LotRows,
    anywhere: bool = True,
    verify: bool = False,
) -> None:
    """The planned lots written, inside the write transaction. `verify`: the checks and the
    plan ran before the lock, so the stored lots are read again first, and `_Stale` if another
    capture stored, consumed or claimed any of them since."""
    if not plan.changes:
        return
    if verify:  # else the checks and the plan read them under this lock already
        reread = list(dict.fromkeys([*feed.lot_keys, *plan.changes]))
        now = dict(_lot_rows(reread))
        if any(known.get(key) != now.get(key) for key in reread):
            raise _Stale("lots")
        if not plan.exact:  # the shipments read again, under the lock
            plan = _plan_lots(prepared, feed, known, anywhere)
    changes = plan.changes
    attributes_json = _json_adapter()
    no_attributes = attributes_json({})
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
                c.first_seen,
                c.made_by_id,
                attributes_json(c.attributes) if c.attributes else no_attributes,
            )
            for key, c in changes.items()
            if known[key] is None
        ],
    )
    updates = [(lot_row[0], c) for key, c in changes.items() if (lot_row := known[key]) is not None]
    if not updates:
        return
    table = Lot._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET produced = produced + %s, consumed = consumed + %s, "  # noqa: S608
            "declared = COALESCE(%s, declared), made_by_id = COALESCE(made_by_id, %s) "
            "WHERE id = %s",
            [(c.produced, c.consumed, c.declared, c.made_by_id, pk) for pk, c in updates],
        )
        owned = [
            (c.owner_id, c.location_id, c.cluster_id, pk) for pk, c in updates if c.owner_changed
        ]
        if owned:
            cursor.executemany(
                f"UPDATE {table} SET owner_id = %s, location_id = %s, cluster_id = %s "  # noqa: S608
                "WHERE id = %s",
                owned,
            )
    with_attrs = {pk: c.attributes for pk, c in updates if c.attributes}
    if with_attrs:
        had = dict(Lot.objects.filter(pk__in=list(with_attrs)).values_list("pk", "attributes"))
        merged = [
            Lot(pk=pk, attributes={**(had.get(pk) or {}), **a}) for pk, a in with_attrs.items()
        ]
        Lot.objects.bulk_update(merged, ["attributes"], batch_size=500)


def _names(event: dict[str, Any], epcs: str, quantities: str) -> list[str]:
    out = [e for e in event.get(epcs) or () if isinstance(e, str)]
    for q in event.get(quantities) or ():
        if isinstance(q, dict) and isinstance(q.get("epcClass"), str):
            out.append(q["epcClass"])
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
    with _collector_paused():
        return _capture(user, body, error_behaviour, single_event)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a document is captured: normalising allocates a few
    dicts per event, which set off collections that walk every live object (the caller's event
    list and caches included), a fifth of bulk capture's CPU time (decision 0011). The collector
    runs again, as it was, when the document is done, and takes whatever cycles were left."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _capture(
    user: Any, body: bytes | str | dict[str, Any], error_behaviour: str, single_event: bool
) -> CaptureOutcome:
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
    events = event_list(doc)[1] if isinstance(doc, dict) else []
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
    try:
        return _check_and_store(user, job, prepared, problems, error_behaviour, locked=False)
    except (_Stale, IntegrityError):
        # another capture committed, between our checks and our write, events or lots this
        # document names (or the same new eventIDs): judge it again holding the write lock
        job.pk = None
        return _check_and_store(user, job, prepared, problems, error_behaviour, locked=True)


class _Stale(Exception):
    """Lots the checks read changed before the write (another capture committed them)."""


def _check_and_store(
    user: Any,
    job: CaptureJob,
    prepared: list[_Prepared],
    problems: list[Problem],
    error_behaviour: str,
    *,
    locked: bool,
) -> CaptureOutcome:
    """The checks that read stored events and lots, then the write. Optimistically
    (`locked=False`) the checks run outside the transaction, so concurrent captures (several
    server workers) overlap their Python work and queue only for the write; the write reads
    the batch's lots again under the lock and raises `_Stale` when another capture changed
    them since, and a concurrent insert of the same eventID raises IntegrityError: the caller
    then runs everything again with `locked=True`, the checks inside the transaction after the
    lock is taken (SQLite: saving the job; PostgreSQL: the capture counter's row lock)."""
    problems = list(problems)
    # optimistic: no transaction around the checks. On SQLite a transaction whose reads come
    # before its first write cannot wait for the write lock (SQLITE_BUSY_SNAPSHOT when another
    # capture committed meanwhile); the write's transaction starts with a write instead
    with transaction.atomic() if locked else nullcontext():
        if locked:
            job.save()
            _lock_captures()
        judged = len(problems)
        prepared, duplicates = _check_event_ids(prepared, problems)
        prepared = _check_lot_claims(user, prepared, problems)
        known: _LotRows = {}
        prepared, feed = _check_overconsumption(prepared, problems, known)
        if not locked and len(problems) > judged:
            # these checks read stored events and lots one after another without the lock: a
            # capture committed between them (its eventIDs unseen, its stock seen) makes our
            # copies of its events look like overconsumption. Problems are only reported as
            # judged under the lock, where every read sees the same state.
            raise _Stale("problems")
        problems.sort(key=lambda p: (-1 if p.event is None else p.event, p.pointer))
        if problems and error_behaviour == ROLLBACK:
            _finish(job, problems, 0, 0)
            job.save()
            return CaptureOutcome(job, problems=problems)
        anywhere = permissions.captures_anywhere(user)
        adapt = _event_time_adapter()
        for p in prepared:
            p.db_time = adapt(p.time)
        # the lots' changes worked out before the write's lock (optimistically: from the lots
        # the checks read, which the write reads again and compares)
        plan = _plan_lots(prepared, feed, known, anywhere)
        with transaction.atomic():
            _finish(job, problems, len(prepared), duplicates)
            job.save()
            if prepared:
                _store(job, prepared, feed, known, plan, anywhere, verify=not locked)
    return CaptureOutcome(job, len(prepared), duplicates, problems)


def _lock_captures() -> None:
    """Serialise captures from here to the commit: on SQLite the transaction's first write
    holds the write lock already; on PostgreSQL the capture counter's row."""
    TraceStamp.objects.select_for_update().get_or_create(pk=1)


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
