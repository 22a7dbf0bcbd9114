"""The query parameters of `GET /epcis/events` (EPCIS 2.0 SimpleEventQuery, REST binding: a
list value is `a|b|c`), turned into a queryset filter. An unknown parameter or a bad value is a
`QueryError` naming it, never silently ignored (a misspelt filter would return everything)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from clusterbrain.engines.epcis import cbv
from clusterbrain.engines.epcis.normalise import digital_link
from clusterbrain.errors import FieldError, InvalidInput
from clusterbrain.trace.models import Event, EventKey

PER_PAGE_DEFAULT = 30
PER_PAGE_MAX = 1000
_TOKEN_SALT = "clusterbrain.trace.nextPageToken"

R = EventKey.Role
# MATCH_* parameter → the EventKey roles it looks in (EPCIS 2.0 §8.2.7.1)
MATCH_ROLES: dict[str, tuple[str, ...]] = {
    "MATCH_epc": (R.EPC, R.CHILD),
    "MATCH_parentID": (R.PARENT,),
    "MATCH_inputEPC": (R.INPUT,),
    "MATCH_outputEPC": (R.OUTPUT,),
    "MATCH_anyEPC": (R.EPC, R.PARENT, R.CHILD, R.INPUT, R.OUTPUT),
    "MATCH_epcClass": (R.EPC_CLASS, R.CHILD_CLASS),
    "MATCH_inputEPCClass": (R.INPUT_CLASS,),
    "MATCH_outputEPCClass": (R.OUTPUT_CLASS,),
    "MATCH_anyEPCClass": (R.EPC_CLASS, R.CHILD_CLASS, R.INPUT_CLASS, R.OUTPUT_CLASS),
}
TIME_PARAMS = {
    "GE_eventTime": ("event_time", "gte"),
    "LT_eventTime": ("event_time", "lt"),
    "GE_recordTime": ("record_time", "gte"),
    "LT_recordTime": ("record_time", "lt"),
}
EQ_PARAMS = {"EQ_action": "action", "EQ_eventID": "event_id"}
CBV_PARAMS = {
    "EQ_bizStep": ("biz_step", cbv.BIZ_STEP),
    "EQ_disposition": ("disposition", cbv.DISPOSITION),
}
LOCATION_PARAMS = {
    "EQ_bizLocation": "biz_location",
    "EQ_readPoint": "read_point",
    "WD_bizLocation": "biz_location",
    "WD_readPoint": "read_point",
}
TYPED_PREFIXES = {
    "EQ_bizTransaction_": R.BIZ_TRANSACTION,
    "EQ_source_": R.SOURCE,
    "EQ_destination_": R.DESTINATION,
}
PAGING = {"perPage", "nextPageToken", "orderBy", "orderDirection"}
KNOWN = (
    {"eventType"}
    | set(MATCH_ROLES)
    | set(TIME_PARAMS)
    | set(EQ_PARAMS)
    | set(CBV_PARAMS)
    | set(LOCATION_PARAMS)
    | {"EXISTS_errorDeclaration"}
    | PAGING
)
_IDPAT = re.compile(r"^urn:epc:idpat:([a-z]+):(.*)$")


class QueryError(InvalidInput):
    """A query parameter the repository does not know or cannot read (400, naming it)."""

    status_code = 400


@dataclass
class EventQuery:
    filter: Q = field(default_factory=Q)
    per_page: int = PER_PAGE_DEFAULT
    order_by: str = "pk"  # pk (capture order) or event_time / record_time
    descending: bool = False
    after: tuple[str, int] | None = None  # (order value, pk) of the last event of the page
    fingerprint: str = ""

    def apply(self, qs: QuerySet[Event]) -> QuerySet[Event]:
        qs = qs.filter(self.filter)
        column = self.order_by
        if self.after is not None:
            value, pk = self.after
            op = "lt" if self.descending else "gt"
            if column == "pk":
                qs = qs.filter(**{f"pk__{op}": pk})
            else:
                at = datetime.fromisoformat(value)
                qs = qs.filter(Q(**{f"{column}__{op}": at}) | Q(**{column: at, f"pk__{op}": pk}))
        sign = "-" if self.descending else ""
        order = [f"{sign}pk"] if column == "pk" else [f"{sign}{column}", f"{sign}pk"]
        return qs.order_by(*order)

    def token_after(self, event: Event) -> str:
        value = "" if self.order_by == "pk" else getattr(event, self.order_by).isoformat()
        return signing.dumps(
            {"f": self.fingerprint, "v": value, "pk": event.pk}, salt=_TOKEN_SALT, compress=True
        )


def _bad(name: str, msg: str) -> QueryError:
    return QueryError(msg, [FieldError((name,), msg)])


def _values(name: str, raw: str) -> list[str]:
    values = [v.strip() for v in raw.split("|") if v.strip()]
    if not values:
        raise _bad(name, _("%(name)s needs a value.") % {"name": name})
    return values


def _time(name: str, raw: str) -> datetime:
    try:
        t = datetime.fromisoformat(raw.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        t = None
    if t is None or t.tzinfo is None:
        raise _bad(
            name,
            _("%(name)s must be a date and time with its offset, e.g. 2026-07-22T06:45:00+08:00.")
            % {"name": name},
        )
    return t


def _epc_filter(name: str, values: list[str], roles: Sequence[str]) -> Q:
    """Events naming one of `values` (or a pattern `urn:epc:idpat:…*`, or the Digital Link of a
    URN) in one of `roles`. Exact identifiers are looked up in the identifier index (the
    events named, then those events); patterns test each event's identifiers."""
    prefixes: list[str] = []
    exact: set[str] = set()
    for value in values:
        pattern = _IDPAT.match(value)
        if pattern and value.endswith("*"):
            scheme, rest = pattern.groups()
            prefix = rest[:-1]
            prefixes.append(f"urn:epc:id:{scheme}:{prefix}")
            if scheme == "sgtin":  # the same product's lots (LGTIN classes)
                prefixes.append(f"urn:epc:class:lgtin:{prefix}")
        elif "*" in value:
            raise _bad(name, _("Only urn:epc:idpat:…* patterns may use *: %(v)s") % {"v": value})
        else:
            exact |= {value, digital_link(value)}
    out = Q()
    if exact:
        named = EventKey.objects.filter(value__in=sorted(exact), role__in=list(roles))
        out |= Q(pk__in=named.values("event_id"))
    if prefixes:
        match = Q()
        for prefix in prefixes:
            match |= Q(value__startswith=prefix)
        keys = EventKey.objects.filter(match, role__in=list(roles), event=OuterRef("pk"))
        out |= Q(Exists(keys))
    return out


def parse_query(params: Mapping[str, Sequence[str]]) -> EventQuery:
    """An `EventQuery` from request.GET (a QueryDict: name → list of values)."""
    q = EventQuery()
    filters: list[Q] = []
    fingerprint: dict[str, list[str]] = {}
    for name in sorted(params):
        raws = list(params[name])
        if not raws:
            continue
        raw = raws[-1]
        known_prefix = next((p for p in TYPED_PREFIXES if name.startswith(p)), None)
        if name not in KNOWN and known_prefix is None:
            raise _bad(name, _("Unknown query parameter %(name)s.") % {"name": name})
        if name not in PAGING:
            fingerprint[name] = raws
        if name == "eventType":
            types = _values(name, raw)
            unknown = [t for t in types if t not in cbv.EVENT_TYPES]
            if unknown:
                raise _bad(
                    name,
                    _("Unknown event type %(t)s: choose from %(all)s.")
                    % {"t": unknown[0], "all": ", ".join(sorted(cbv.EVENT_TYPES))},
                )
            filters.append(Q(event_type__in=types))
        elif name in MATCH_ROLES:
            filters.append(_epc_filter(name, _values(name, raw), MATCH_ROLES[name]))
        elif name in TIME_PARAMS:
            column, op = TIME_PARAMS[name]
            filters.append(Q(**{f"{column}__{op}": _time(name, raw)}))
        elif name in EQ_PARAMS:
            values = _values(name, raw)
            if name == "EQ_action":
                unknown = [v for v in values if v not in cbv.ACTIONS]
                if unknown:
                    raise _bad(
                        name, _("action %(v)s is not ADD, OBSERVE or DELETE.") % {"v": unknown[0]}
                    )
            filters.append(Q(**{f"{EQ_PARAMS[name]}__in": values}))
        elif name in CBV_PARAMS:
            column, vocab = CBV_PARAMS[name]
            values = [cbv.canonical_cbv(v, vocab) for v in _values(name, raw)]
            filters.append(Q(**{f"{column}__in": values}))
        elif name in LOCATION_PARAMS:
            column = LOCATION_PARAMS[name]
            values = [digital_link(v) for v in _values(name, raw)]
            if name.startswith("WD_"):
                # "with descendants": a location and the sub-locations under it, i.e. the same
                # GLN with any extension (SGLN …/254/… in Digital Link form)
                sub = Q()
                for v in values:
                    base = re.sub(r"/254/.*$", "", v)
                    sub |= Q(**{column: base}) | Q(**{f"{column}__startswith": base + "/254/"})
                    sub |= Q(**{column: v})
                filters.append(sub)
            else:
                filters.append(Q(**{f"{column}__in": values}))
        elif known_prefix is not None:
            kind = name[len(known_prefix) :]
            if not kind:
                raise _bad(name, _("%(name)s needs a type after the underscore.") % {"name": name})
            role = TYPED_PREFIXES[known_prefix]
            vocab = cbv.BIZ_TRANSACTION_TYPE if role == R.BIZ_TRANSACTION else cbv.SOURCE_DEST_TYPE
            kind = cbv.canonical_cbv(kind, vocab)
            wanted = _values(name, raw)
            keys = EventKey.objects.filter(role=role, qualifier=kind, value__in=wanted)
            filters.append(Q(pk__in=keys.values("event_id")))
        elif name == "EXISTS_errorDeclaration":
            filters.append(Q(document__contains='"errorDeclaration":'))
        elif name == "perPage":
            try:
                q.per_page = int(raw)
            except ValueError:
                raise _bad(name, _("perPage must be a whole number.")) from None
            if not 1 <= q.per_page <= PER_PAGE_MAX:
                raise _bad(
                    name,
                    _("perPage must be between 1 and %(max)d.") % {"max": PER_PAGE_MAX},
                )
        elif name == "orderBy":
            order = {"eventTime": "event_time", "recordTime": "record_time"}.get(raw.strip())
            if order is None:
                raise _bad(name, _("orderBy is eventTime or recordTime."))
            q.order_by = order
        elif name == "orderDirection":
            if raw.strip() not in ("ASC", "DESC"):
                raise _bad(name, _("orderDirection is ASC or DESC."))
            q.descending = raw.strip() == "DESC"
    for f in filters:
        q.filter &= f
    q.fingerprint = hashlib.sha256(
        json.dumps([fingerprint, q.order_by, q.descending], sort_keys=True).encode()
    ).hexdigest()[:16]
    token = params.get("nextPageToken")
    if token:
        q.after = _read_token(token[-1], q.fingerprint)
    return q


def _read_token(token: str, fingerprint: str) -> tuple[str, int]:
    try:
        data: Any = signing.loads(token, salt=_TOKEN_SALT)
    except signing.BadSignature:
        raise _bad(
            "nextPageToken", _("This nextPageToken is not one this repository gave.")
        ) from None
    if not isinstance(data, dict) or data.get("f") != fingerprint:
        raise _bad(
            "nextPageToken",
            _(
                "This nextPageToken belongs to a query with other parameters: repeat them as in "
                "the Link header."
            ),
        )
    return str(data.get("v", "")), int(data.get("pk", 0))
