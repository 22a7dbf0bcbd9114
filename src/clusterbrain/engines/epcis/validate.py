"""Parse and validate EPCIS 2.0 JSON/JSON-LD: GS1's JSON schema, then the checks it cannot make
(CBV code lists, time formats, namespaced extensions).

Errors are data (`Problem`): the event's index in its event list (None for the document), the
JSON pointer of the offending member, a stable code and a message. The schema is GS1's file,
read from a path (argument, env `CLUSTERBRAIN_EPCIS_SCHEMA`, else the shared benchmark copy
beside the repository); it is not redistributed with clusterbrain (decision 0010).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from clusterbrain.engines.epcis import cbv

try:
    import orjson
except ImportError:  # pragma: no cover - a dependency; the engine works without it
    orjson = None  # type: ignore[assignment]

SCHEMA_ENV = "CLUSTERBRAIN_EPCIS_SCHEMA"
REPO_ROOT = Path(__file__).resolve().parents[4]
DEFAULT_SCHEMA = REPO_ROOT.parent / "shared/benchmarks/epcis/gs1/EPCIS-JSON-Schema.json"

# prefixes every EPCIS 2.0 document has through GS1's context
STANDARD_PREFIXES = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": "https://ref.gs1.org/cbv/",
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": "https://gs1.org/voc/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "http://schema.org/",
}

EVENT_FIELDS = frozenset(
    [
        "@context",
        "type",
        "eventID",
        "eventTime",
        "eventTimeZoneOffset",
        "recordTime",
        "certificationInfo",
        "errorDeclaration",
        "epcList",
        "quantityList",
        "action",
        "bizStep",
        "disposition",
        "persistentDisposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        "sourceList",
        "destinationList",
        "sensorElementList",
        "ilmd",
        "parentID",
        "childEPCs",
        "childQuantityList",
        "inputEPCList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
        "transformationID",
    ]
)
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_OFFSET = re.compile(r"^[+-](0\d|1[0-4]):[0-5]\d$")
_REQUIRED = re.compile(r"^'(.+?)' is a required property$")
_ABSOLUTE = re.compile(r"^(https?|urn):\S+$")


class SchemaNotFound(FileNotFoundError):
    """GS1's EPCIS JSON schema is not at the configured path."""


@dataclass(frozen=True)
class Problem:
    event: int | None  # index in the event list; None: the document itself
    pointer: str  # JSON pointer of the member (or of where a missing one belongs)
    code: str  # malformed_json, missing_field, wrong_type, quantity_not_number, unknown_cbv_value…
    message: str

    @property
    def field(self) -> str:
        """The pointer relative to its event, e.g. `quantityList/0/quantity`."""
        m = re.match(
            r"^(?:/epcisBody(?:/queryResults/resultsBody)?/eventList/\d+)?/?(.*)$", self.pointer
        )
        return m.group(1) if m else self.pointer

    def as_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "pointer": self.pointer,
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }


def schema_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The schema file: the argument, else env `CLUSTERBRAIN_EPCIS_SCHEMA`, else the shared copy."""
    chosen = Path(path or os.environ.get(SCHEMA_ENV) or DEFAULT_SCHEMA)
    if not chosen.is_file():
        raise SchemaNotFound(
            f"GS1's EPCIS 2.0 JSON schema is not at {chosen}: set {SCHEMA_ENV} (or pass the "
            "path) to a copy of EPCIS-JSON-Schema.json from https://ref.gs1.org/standards/epcis/"
        )
    return chosen


@lru_cache(maxsize=4)
def _fast_validator(path: str) -> Any:
    """jsonschema-rs's compiled validator of the same schema, or None where it is not
    installed. It only answers valid / not valid (30× faster than jsonschema on a bulk
    document, decision 0011); a document it refuses is validated again by jsonschema for
    the problems, so what is refused and how it is worded never depend on it."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a dependency; kept optional for the engine
        return None
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    return jsonschema_rs.Draft7Validator(schema)


@lru_cache(maxsize=4)
def _validator(path: str) -> jsonschema.Draft7Validator:
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    return jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


class _NotJson(ValueError):
    """A token Python's json module takes but JSON (RFC 8259) does not have."""


def _not_a_number(name: str) -> Any:
    # Python reads NaN/Infinity/-Infinity by default; a lot of NaN kilograms breaks stock,
    # mass balance and every sum downstream, and they are not JSON
    raise _NotJson(f"{name} is not a JSON number")


def _quantity_problem(v: Any) -> tuple[str, str] | None:
    """(code, message) when `v` is no quantity a lot can hold: not a number, not finite (1e400
    reads as infinity, 10**400 overflows a double) or below zero."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return "quantity_not_number", f"quantity {_short(json.dumps(v), 40)} must be a JSON number"
    try:
        finite = math.isfinite(float(v))
    except OverflowError:
        finite = False
    if not finite:
        return "quantity_not_number", "quantity must be a finite number a double can hold"
    if v < 0:
        return "quantity_negative", f"quantity {v!r} is below zero"
    return None


def parse(data: str | bytes) -> tuple[Any, list[Problem]]:
    """The JSON value of a request body, or None with a problem naming line and column."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            return None, [Problem(None, "", "not_utf8", f"body is not UTF-8 at byte {e.start}")]
    try:
        doc = json.loads(data, parse_constant=_not_a_number)
    except json.JSONDecodeError as e:
        return None, [
            Problem(None, "", "malformed_json", f"line {e.lineno} column {e.colno}: {e.msg}")
        ]
    except _NotJson as e:
        return None, [Problem(None, "", "malformed_json", str(e))]
    except RecursionError:
        # the C decoder gives up at Python's recursion limit; no EPCIS document nests so deep
        return None, [Problem(None, "", "malformed_json", "the JSON nests too deeply")]
    if not isinstance(doc, dict):
        return None, [Problem(None, "", "not_an_object", "an EPCIS document is a JSON object")]
    return doc, []


def event_list(doc: dict[str, Any]) -> tuple[str | None, list[Any]]:
    """(pointer of the event list, its events) of an EPCISDocument or EPCISQueryDocument;
    (None, [doc]) for a lone event; (None, []) for anything else. `events_of` without making
    a pointer string per event, for callers that only need the events or their number."""
    kind = doc.get("type")
    body = doc.get("epcisBody")
    if kind == "EPCISDocument" and isinstance(body, dict):
        base, events = "/epcisBody/eventList", body.get("eventList")
    elif kind == "EPCISQueryDocument" and isinstance(body, dict):
        results = (body.get("queryResults") or {}).get("resultsBody") or {}
        base, events = "/epcisBody/queryResults/resultsBody/eventList", results.get("eventList")
    elif kind in cbv.EVENT_TYPES:
        return None, [doc]
    else:
        return None, []
    if not isinstance(events, list):
        return None, []
    return base, events


def events_of(doc: dict[str, Any]) -> list[tuple[str, Any]]:
    """(pointer, event) of every event in an EPCISDocument, EPCISQueryDocument or lone event."""
    base, events = event_list(doc)
    if base is None:
        return [("", e) for e in events]
    return [(f"{base}/{i}", e) for i, e in enumerate(events)]


def _take_context(ctx: Any, prefixes: dict[str, str]) -> None:
    for item in ctx if isinstance(ctx, list) else [ctx]:
        if isinstance(item, dict):
            for k, v in item.items():
                if isinstance(v, str) and not k.startswith("@"):
                    prefixes[k] = v


def _shallow_contexts(doc: Any) -> list[Any] | None:
    """The `@context`s of a document and of its events, in document order, when no other member
    has one; else None. Serialising the document (orjson, C) and counting is 3x cheaper than
    walking it in Python, and nested contexts are rare. A string equal to "@context" counts
    too, which only sends the document to the walk."""
    if orjson is None or not isinstance(doc, dict) or doc.get("type") in cbv.EVENT_TYPES:
        return None
    contexts = [doc["@context"]] if "@context" in doc else []
    for event in event_list(doc)[1]:
        if isinstance(event, dict) and "@context" in event:
            contexts.append(event["@context"])
    try:
        data = orjson.dumps(doc)
    except TypeError:  # orjson.JSONEncodeError: integers beyond 64 bits
        return None
    return contexts if data.count(b'"@context"') == len(contexts) else None


def declared_prefixes(doc: Any, standard: bool = True) -> dict[str, str]:
    """Prefix → IRI from every `@context` in the document (document, event or nested level),
    over GS1's standard prefixes (`standard=False`: the declared ones alone, so an event's
    own context does not put back a standard prefix its document redefined)."""
    prefixes = dict(STANDARD_PREFIXES) if standard else {}
    shallow = _shallow_contexts(doc)
    if shallow is not None:
        for ctx in shallow:
            _take_context(ctx, prefixes)
        return prefixes

    def visit(node: Any) -> None:
        # recurses into containers only: most members are strings, and this walk reads every
        # event of a bulk capture
        if isinstance(node, dict):
            if "@context" in node:
                _take_context(node["@context"], prefixes)
            for v in node.values():
                if isinstance(v, dict | list):
                    visit(v)
        elif isinstance(node, list):
            for v in node:
                if isinstance(v, dict | list):
                    visit(v)

    visit(doc)
    return prefixes


def _pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


_EVENT_INDEX = re.compile(r"^/epcisBody(?:/queryResults/resultsBody)?/eventList/(\d+)")


def _event_index(pointer: str) -> int | None:
    m = _EVENT_INDEX.match(pointer)
    return int(m.group(1)) if m else None


def _short(text: str, n: int = 200) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _schema_problem(error: ValidationError, seen: set[str]) -> Problem | None:
    pointer = _pointer(error.absolute_path)
    if error.validator in ("anyOf", "oneOf") and any(s.startswith(pointer + "/") for s in seen):
        return None  # an alternative failed because of a problem already reported inside it
    if error.validator in ("anyOf", "oneOf") and error.context:
        missing = [_REQUIRED.match(c.message) for c in error.context if c.validator == "required"]
        if len(missing) == len(error.context) and all(missing):
            names = sorted({m.group(1) for m in missing if m})
            return Problem(
                _event_index(pointer),
                pointer,
                "missing_field",
                "needs at least one of: " + ", ".join(names),
            )
        error = best_match(error.context)
        pointer = _pointer(error.absolute_path)
    code = {
        "required": "missing_field",
        "type": "wrong_type",
        "enum": "not_allowed_value",
        "additionalProperties": "unknown_field",
        "format": "bad_format",
        "pattern": "bad_format",
    }.get(str(error.validator), "schema")
    message = error.message
    if error.validator == "required":
        m = _REQUIRED.match(message)
        if m:
            # GS1's May 2023 schema requires sensorReport `type` even when the report is an
            # `exception` (an alarm or error condition), as valid conformance documents use
            instance = error.instance
            if m.group(1) == "type" and isinstance(instance, dict) and "exception" in instance:
                return None
            pointer = f"{pointer}/{m.group(1)}"
            message = f"{m.group(1)} is required"
    elif error.validator in ("enum", "type"):
        message = f"{_short(json.dumps(error.instance), 80)}: " + (
            f"not one of {error.validator_value}"
            if error.validator == "enum"
            else f"must be of type {error.validator_value}"
        )
    return Problem(_event_index(pointer), pointer, code, _short(message))


def _time_problem(value: Any, pointer: str, event: int | None, name: str) -> Problem | None:
    if not isinstance(value, str) or not _TIME.match(value):
        return Problem(
            event,
            pointer,
            "bad_time",
            f"{name} {_short(json.dumps(value), 60)} is not an RFC 3339 time with a timezone "
            "(e.g. 2026-07-22T06:45:00+02:00)",
        )
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return Problem(event, pointer, "bad_time", f"{name} {value!r} is not a valid date/time")
    return None


def _namespaced(key: str, prefixes: dict[str, str]) -> bool:
    if _ABSOLUTE.match(key):
        return True
    prefix, colon, local = key.partition(":")
    return bool(colon and local and prefix in prefixes)


_CBV_MEMO: dict[tuple[str, str], str | None] = {}  # (value, vocabulary) → check_cbv's verdict
_CBV_FIELDS = (("bizStep", cbv.BIZ_STEP), ("disposition", cbv.DISPOSITION))
_TYPED_LISTS = (
    ("bizTransactionList", cbv.BIZ_TRANSACTION_TYPE),
    ("sourceList", cbv.SOURCE_DEST_TYPE),
    ("destinationList", cbv.SOURCE_DEST_TYPE),
)
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
_INF = math.inf


def _cbv_problem(value: Any, vocab: cbv.Vocabulary) -> str | None:
    """`cbv.check_cbv`, remembered: a bulk document repeats the same few words."""
    if type(value) is not str:
        return cbv.check_cbv(value, vocab)
    memo = (value, vocab.web)
    if memo in _CBV_MEMO:
        return _CBV_MEMO[memo]
    why = cbv.check_cbv(value, vocab)
    if len(_CBV_MEMO) > 10_000:  # values are the sender's: keep the memo small
        _CBV_MEMO.clear()
    _CBV_MEMO[memo] = why
    return why


def _check_event(
    i: int | None,
    base: str,
    event: Any,
    prefixes: dict[str, str],
    namespaced: dict[str, bool] | None = None,
) -> list[Problem]:
    """Our checks of one event; `namespaced` remembers `_namespaced` for the document's
    prefixes across its events (ILMD and extension keys repeat)."""
    out: list[Problem] = []
    if not isinstance(event, dict):
        return [Problem(i, base, "wrong_type", "an event is a JSON object")]
    if namespaced is None:
        namespaced = {}

    def has_namespace(key: str) -> bool:
        known = namespaced.get(key)
        if known is None:
            known = namespaced[key] = _namespaced(key, prefixes)
        return known

    def add(pointer: str, code: str, message: str) -> None:
        out.append(Problem(i, base + pointer, code, message))

    kind = event.get("type")
    if kind not in cbv.EVENT_TYPES:
        add("/type", "unknown_event_type", f"{kind!r} is not an EPCIS 2.0 event type")
    if "eventTime" not in event:
        add("/eventTime", "missing_event_time", "eventTime is required")
    elif p := _time_problem(event["eventTime"], base + "/eventTime", i, "eventTime"):
        out.append(p)
    if "eventTimeZoneOffset" in event and not (
        isinstance(event["eventTimeZoneOffset"], str)
        and _OFFSET.match(event["eventTimeZoneOffset"])
    ):
        add("/eventTimeZoneOffset", "bad_time", "eventTimeZoneOffset must look like +02:00")
    if "action" in event and event["action"] not in cbv.ACTIONS:
        add("/action", "unknown_action", f"action {event['action']!r} is not ADD, OBSERVE, DELETE")
    for name, vocab in _CBV_FIELDS:
        if name in event:
            value = event[name]
            if type(value) is str and value in vocab.words:
                continue  # a bare CBV word, as most are
            if why := _cbv_problem(value, vocab):
                add(f"/{name}", "unknown_cbv_value", why)
    persistent = event.get("persistentDisposition")
    if isinstance(persistent, dict):
        for part in ("set", "unset"):
            for j, v in enumerate(persistent.get(part) or []):
                if why := cbv.check_cbv(v, cbv.DISPOSITION):
                    add(f"/persistentDisposition/{part}/{j}", "unknown_cbv_value", why)
    error = event.get("errorDeclaration")
    if isinstance(error, dict):
        if "reason" in error and (why := cbv.check_cbv(error["reason"], cbv.ERROR_REASON)):
            add("/errorDeclaration/reason", "unknown_cbv_value", why)
        if "declarationTime" in error and (
            p := _time_problem(
                error["declarationTime"],
                base + "/errorDeclaration/declarationTime",
                i,
                "declarationTime",
            )
        ):
            out.append(p)
    for list_name, vocab in _TYPED_LISTS:
        for j, item in enumerate(event.get(list_name) or []):
            if (
                isinstance(item, dict)
                and "type" in item
                and (why := _cbv_problem(item["type"], vocab))
            ):
                add(f"/{list_name}/{j}/type", "unknown_cbv_value", why)
    for list_name in _QUANTITY_LISTS:
        for j, q in enumerate(event.get(list_name) or []):
            if isinstance(q, dict) and "quantity" in q:
                v = q["quantity"]
                # the common case first: a finite double or a small integer, not negative
                if (type(v) is float and 0.0 <= v < _INF) or (type(v) is int and 0 <= v < 2**53):
                    continue
                if bad := _quantity_problem(v):
                    add(f"/{list_name}/{j}/quantity", *bad)
    ilmd = event.get("ilmd")
    if isinstance(ilmd, dict):
        for key in ilmd:
            if not has_namespace(key):
                add(
                    "/ilmd/" + key.replace("~", "~0").replace("/", "~1"),
                    "extension_without_namespace",
                    f"ILMD field {key!r} needs a namespace (prefix:name with the prefix in "
                    "@context, or a full URI)",
                )
    for key in event:
        if key not in EVENT_FIELDS and not has_namespace(key):
            add(
                "/" + key.replace("~", "~0").replace("/", "~1"),
                "extension_without_namespace",
                f"{key!r} is not an EPCIS field and has no namespace",
            )
    return out


def validate(
    doc: Any,
    schema: str | os.PathLike[str] | None = None,
    *,
    fast_schema: bool = True,
    prefixes: dict[str, str] | None = None,
) -> list[Problem]:
    """Every problem of a parsed document, own checks first; [] when it may be captured.
    `fast_schema=False` asks jsonschema alone (the benchmark's baseline, the fast path's test);
    `prefixes`: `declared_prefixes(doc)` when the caller has it already (a walk of the whole
    document, a tenth of capture's time at bulk sizes)."""
    if not isinstance(doc, dict):
        return [Problem(None, "", "not_an_object", "an EPCIS document is a JSON object")]
    problems: list[Problem] = []
    kind = doc.get("type")
    if kind not in ("EPCISDocument", "EPCISQueryDocument") and kind not in cbv.EVENT_TYPES:
        problems.append(
            Problem(
                None,
                "/type",
                "unknown_document_type",
                f"type {kind!r} is not an EPCIS document, query document or event type",
            )
        )
    if "creationDate" in doc and (
        p := _time_problem(doc["creationDate"], "/creationDate", None, "creationDate")
    ):
        problems.append(p)
    if prefixes is None:
        prefixes = declared_prefixes(doc)
    namespaced: dict[str, bool] = {}
    base, events = event_list(doc)
    for i, event in enumerate(events):
        # its index is its place in the list, as `_event_index` reads it from the pointer
        # (a lone event has none)
        if base is None:
            problems.extend(_check_event(None, "", event, prefixes, namespaced))
        else:
            problems.extend(_check_event(i, f"{base}/{i}", event, prefixes, namespaced))
    seen = {p.pointer for p in problems}
    path = str(schema_path(schema))
    fast = _fast_validator(path) if fast_schema else None
    if fast is not None and fast.is_valid(doc):
        return sorted(problems, key=lambda p: (-1 if p.event is None else p.event, p.pointer))
    validator = _validator(path)
    for error in validator.iter_errors(doc):
        p = _schema_problem(error, seen)
        if p is not None and p.pointer not in seen:
            seen.add(p.pointer)
            problems.append(p)
    return sorted(problems, key=lambda p: (-1 if p.event is None else p.event, p.pointer))


def check_document(
    data: str | bytes, schema: str | os.PathLike[str] | None = None
) -> tuple[Any, list[Problem]]:
    """Parse and validate a request body: (document or None, problems)."""
    doc, problems = parse(data)
    if problems:
        return None, problems
    return doc, validate(doc, schema)


def rejected_events(problems: list[Problem]) -> tuple[bool, set[int]]:
    """(the document itself is bad, indices of bad events): under `proceed` the other events
    may be stored; under `rollback` any problem stores nothing."""
    return (
        any(p.event is None for p in problems),
        {p.event for p in problems if p.event is not None},
    )


def iter_event_problems(problems: list[Problem], index: int) -> Iterator[Problem]:
    return (p for p in problems if p.event == index)
