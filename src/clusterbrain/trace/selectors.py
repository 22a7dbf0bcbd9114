"""Every non-trivial read of lot traceability: the EPCIS event query, lots, and their
genealogy (trace back to origins, forward to products, recall) with each lot's share.

CONTRACT (pages, API, passports, the EUDR export; each enforces `trace.permissions`):

    query_events(user, params) -> EventPage           GET /epcis/events; QueryError naming a parameter
    event_json(event) -> dict                          the canonical event with its recordTime
    search_lots(user, q="", material="", firm=None, cluster=None, since=None, until=None,
                limit=50) -> list[Lot]
    get_lot(user, key_or_pk) -> Lot                    NotFound if absent or not visible
    lot_genealogy() -> Genealogy                       the cached lot graph (every event so far)
    trace(user, lot, direction="back"|"forward") -> LotTrace
        rows: every lot reached with its share, owner, quantity (None where hidden), ILMD
        attributes; edges among them with amounts for drawing
    recall(user, lot) -> LotTrace                      trace forward, end products first
    recall_csv(trace) -> str

A genealogy is built once per process from the stored events (`engines.epcis.to_genealogy`
then `engines.genealogy.build_lot_graph`) and extended with the events captured since, which
`TraceStamp` counts in the capture transaction: no page or request rebuilds it unless events
were captured (decision 0011).
"""  # noqa: E501

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date
from typing import Any

import numpy as np
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from clusterbrain.engines.epcis.to_genealogy import FeedBuilder, GenealogyFeed
from clusterbrain.engines.genealogy.graph import (
    LotGraph,
    build_lot_graph,
    trace_back,
    trace_forward,
)
from clusterbrain.engines.genealogy.model import Anomaly, Unit
from clusterbrain.errors import Forbidden, NotFound
from clusterbrain.registry.models import Cluster, Enterprise
from clusterbrain.trace import permissions
from clusterbrain.trace.models import Event, Lot, TraceStamp
from clusterbrain.trace.query import EventQuery, parse_query

_CHUNK = 900

try:
    import orjson
except ImportError:  # pragma: no cover - a dependency
    orjson = None  # type: ignore[assignment]


def _loads(document: str) -> Any:
    """A stored canonical event: orjson reads them at 2-3x json's speed (the genealogy cache
    reads every one when a process starts); json takes what orjson refuses (integers beyond
    64 bits)."""
    if orjson is not None:
        try:
            return orjson.loads(document)
        except orjson.JSONDecodeError:
            pass
    return json.loads(document)


# --- events ----------------------------------------------------------------------------------


def visible_events(user: Any) -> QuerySet[Event]:
    scope = permissions.scoped(user, "enterprise", "cluster_id")
    if scope is None:
        raise Forbidden(_("Your role sees no EPCIS events."))
    return Event.objects.filter(scope)


def event_json(event: Event) -> dict[str, Any]:
    """The stored canonical event with the recordTime this repository gave it."""
    out: dict[str, Any] = json.loads(event.document)
    out["recordTime"] = (
        event.record_time.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )
    return out


@dataclass
class EventPage:
    events: list[dict[str, Any]]
    next_token: str | None
    query: EventQuery


def query_events(user: Any, params: Mapping[str, Sequence[str]]) -> EventPage:
    """One page of the events `user` may see that match the SimpleEventQuery `params`."""
    q = parse_query(params)
    qs = q.apply(visible_events(user))
    rows = list(qs[: q.per_page + 1])
    more = len(rows) > q.per_page
    rows = rows[: q.per_page]
    token = q.token_after(rows[-1]) if more and rows else None
    return EventPage([event_json(e) for e in rows], token, q)


# --- lots ------------------------------------------------------------------------------------


def visible_lots(user: Any) -> QuerySet[Lot]:
    scope = permissions.scoped(user, "owner", "cluster_id")
    if scope is None:
        raise Forbidden(_("Your role sees no lot data."))
    return Lot.objects.filter(scope)


def search_lots(
    user: Any,
    q: str = "",
    material: str = "",
    firm: int | None = None,
    cluster: Cluster | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 50,
) -> list[Lot]:
    """Lots by identifier (lot number, EPC or class, any part), product class, owner firm and
    first-seen date, newest first."""
    qs = visible_lots(user).select_related("owner", "location")
    if q.strip():
        qs = qs.filter(Q(key__icontains=q.strip()) | Q(material__icontains=q.strip()))
    if material.strip():
        qs = qs.filter(material__icontains=material.strip())
    if firm:
        qs = qs.filter(owner_id=firm)
    if cluster is not None:
        qs = qs.filter(cluster=cluster)
    if since:
        qs = qs.filter(first_seen__date__gte=since)
    if until:
        qs = qs.filter(first_seen__date__lte=until)
    return list(qs.order_by("-first_seen", "key")[:limit])


def get_lot(user: Any, key_or_pk: str | int) -> Lot:
    qs = visible_lots(user).select_related("owner", "location", "cluster", "made_by")
    if isinstance(key_or_pk, int) or str(key_or_pk).isdigit():
        lot = qs.filter(pk=int(key_or_pk)).first()
    else:
        lot = qs.filter(key=str(key_or_pk)).first()
    if lot is None:
        raise NotFound(_("No such lot, or not one you may see."))
    return lot


def lot_firms(user: Any) -> list[Enterprise]:
    """The owner firms the lot search offers (those whose lots `user` sees)."""
    ids = visible_lots(user).exclude(owner=None).values_list("owner_id", flat=True).distinct()
    return list(Enterprise.all_objects.filter(pk__in=list(ids[:500])).order_by("name_zh"))


# --- genealogy -------------------------------------------------------------------------------


@dataclass
class Genealogy:
    """The lot graph of every event captured so far, and how far it has read."""

    count: int  # events read
    last_pk: int
    feed: GenealogyFeed
    graph: LotGraph
    builder: FeedBuilder  # the feed's builder, extended with the next events captured

    def row(self, key: str) -> int | None:
        return self.feed.lot_index.get(key)


_cache: dict[str, Genealogy] = {}
_lock = threading.Lock()


def _read_events(after_pk: int) -> tuple[list[dict[str, Any]], int]:
    events: list[dict[str, Any]] = []
    last = after_pk
    qs = Event.objects.filter(pk__gt=after_pk).order_by("pk").values_list("pk", "document")
    for pk, document in qs.iterator(chunk_size=5000):
        events.append(_loads(document))
        last = pk
    return events, last


def lot_genealogy() -> Genealogy:
    """The cached graph, extended if events were captured since it was read: only the new
    events are read and converted (`FeedBuilder`); the graph is built again from the feed.
    Captures commit in any order on PostgreSQL, so a count that does not add up reads
    everything again."""
    stamp = TraceStamp.objects.filter(pk=1).values_list("events", flat=True).first() or 0
    with _lock:
        cached = _cache.get("all")
        if cached is not None and cached.count == stamp:
            return cached
        builder: FeedBuilder | None = None
        if cached is not None and stamp > cached.count:
            new, last = _read_events(cached.last_pk)
            if cached.count + len(new) == stamp:
                builder, count = cached.builder.add(new), stamp
        if builder is None:
            events, last = _read_events(0)
            builder, count = FeedBuilder().add(events), len(events)
            del events
        feed = builder.feed()
        graph = build_lot_graph(feed.lots, feed.events, feed.lines)
        built = Genealogy(count, last, feed, graph, builder)
        _cache["all"] = built
        return built


def forget_genealogy() -> None:
    """Drop the cached graph (tests that empty the database under it)."""
    with _lock:
        _cache.clear()


@dataclass
class TraceRow:
    key: str
    share: float  # back: part of the traced lot from this one; forward: part of this from it
    depth: int  # steps from the traced lot
    is_end: bool  # back: an origin; forward: an end product
    lot: Lot | None  # None: named in events but not stored (cannot happen after capture)
    quantity: float | None  # None where the user may not see the owner's quantities
    uom: str
    attributes: dict[str, Any]

    @property
    def owner(self) -> Enterprise | None:
        return self.lot.owner if self.lot is not None else None


@dataclass
class TraceEdge:
    parent: str
    child: str
    amount: float | None  # input units into the output; None where hidden
    share: float  # the output's composition from the input


@dataclass
class LotTrace:
    lot: Lot
    direction: str
    rows: list[TraceRow]
    edges: list[TraceEdge]
    anomalies: list[str] = field(default_factory=list)

    @property
    def ends(self) -> list[TraceRow]:
        return [r for r in self.rows if r.is_end]


SHOWN_ANOMALIES = frozenset({"overconsumed", "cycle"})
_UNIT_NAMES = {Unit.KG: "KGM", Unit.M2: "MTK", Unit.METRE: "MTR", Unit.PIECE: "", Unit.HEAD: "HEA"}


def _lots_by_key(keys: Sequence[str]) -> dict[str, Lot]:
    out: dict[str, Lot] = {}
    keys = list(keys)
    for at in range(0, len(keys), _CHUNK):
        for lot in Lot.objects.filter(key__in=keys[at : at + _CHUNK]).select_related(
            "owner", "location"
        ):
            out[lot.key] = lot
    return out


def _depths(graph: LotGraph, start: int, lots: np.ndarray, back: bool) -> dict[int, int]:
    """Steps from `start` to each lot of the trace (shortest), by frontier."""
    wanted = set(lots.tolist())
    depth = {start: 0}
    frontier = [start]
    step = 0
    while frontier and len(depth) <= len(wanted):
        step += 1
        nxt: list[int] = []
        for lot in frontier:
            around = graph.inputs_of(lot) if back else graph.outputs_of(lot)
            for other in around.tolist():
                if other not in depth:
                    depth[other] = step
                    nxt.append(other)
        frontier = nxt
    return depth


def _anomaly_text(a: Anomaly, feed: GenealogyFeed) -> str:
    lots = ", ".join(feed.lot_keys[i] for i in a.lots[:3] if 0 <= i < len(feed.lot_keys))
    texts = {
        "output_above_input": _("More output than its inputs can give (%(lots)s)."),
        "unit_mismatch": _("Inputs and outputs in units with no declared factor (%(lots)s)."),
        "overconsumed": _("More was consumed than exists (%(lots)s)."),
        "cycle": _("Lots that descend from themselves (%(lots)s); those links are ignored."),
    }
    text = texts.get(str(a.code), str(a.code) + " (%(lots)s)")
    return text % {"lots": lots}


def trace(user: Any, lot: Lot, direction: str = "back") -> LotTrace:
    """The lots `lot` was made from (back) or went into (forward), each with its share, its
    owner firm and, where `user` may see them, its quantity and the edge amounts."""
    if direction not in ("back", "forward"):
        raise NotFound(_("A trace goes back or forward."))
    # the lot itself must be visible: callers pass one from get_lot
    g = lot_genealogy()
    start = g.row(lot.key)
    if start is None:
        return LotTrace(lot, direction, [], [])
    back = direction == "back"
    result = trace_back(g.graph, start) if back else trace_forward(g.graph, start)
    keys = [g.feed.lot_keys[i] for i in result.lots.tolist()]
    stored = _lots_by_key([*keys, lot.key])
    depth = _depths(g.graph, start, result.lots, back)
    quantity_cache: dict[tuple[int | None, int | None], bool] = {}

    def may_see(owner_id: int | None, cluster_id: int | None) -> bool:
        # the cluster matters only for lots with no owner
        at = (owner_id, cluster_id if owner_id is None else None)
        if at not in quantity_cache:
            quantity_cache[at] = permissions.sees_quantities_of(user, *at)
        return quantity_cache[at]

    rows: list[TraceRow] = []
    for i, key, share, end in zip(
        result.lots.tolist(), keys, result.share.tolist(), result.is_end.tolist(), strict=True
    ):
        row_lot = stored.get(key)
        owner_id = row_lot.owner_id if row_lot is not None else None
        quantity = (
            row_lot.quantity
            if row_lot is not None and may_see(owner_id, row_lot.cluster_id)
            else None
        )
        uom = (
            row_lot.uom
            if row_lot is not None
            else _UNIT_NAMES.get(Unit(int(g.feed.lots.unit[i])), "")
        )
        rows.append(
            TraceRow(
                key,
                float(share),
                depth.get(i, 0),
                bool(end),
                row_lot,
                quantity,
                uom,
                dict(g.feed.lot_attributes.get(i, {})) if row_lot is None else row_lot.attributes,
            )
        )
    rows.sort(key=lambda r: (not r.is_end, -r.share, r.key))
    members = {start, *result.lots.tolist()}
    edges: list[TraceEdge] = []
    graph = g.graph
    for child in members:
        lo, hi = int(graph.in_ptr[child]), int(graph.in_ptr[child + 1])
        for at in range(lo, hi):
            e = int(graph.in_edge[at])
            parent = int(graph.parent[e])
            if parent not in members:
                continue
            parent_key = g.feed.lot_keys[parent]
            owner = stored.get(parent_key)
            visible = (
                may_see(owner.owner_id, owner.cluster_id)
                if owner is not None
                else may_see(None, None)
            )
            edges.append(
                TraceEdge(
                    parent_key,
                    g.feed.lot_keys[child],
                    float(graph.amount[e]) if visible else None,
                    float(graph.share[e]),
                )
            )
    # Only findings that need no unit factors: the platform declares none between products
    # (kg of cocoons → kg of raw silk), so the engine's unit and yield checks would flag every
    # transformation; overconsumption is refused at capture and shows only for old data.
    anomalies = list(
        dict.fromkeys(
            _anomaly_text(a, g.feed)
            for a in graph.anomalies
            if str(a.code) in SHOWN_ANOMALIES and any(i in members for i in a.lots)
        )
    )[:20]
    return LotTrace(lot, direction, rows, edges, anomalies)


def recall(user: Any, lot: Lot) -> LotTrace:
    """Every lot made from `lot`, end products first (their owner and share of `lot`)."""
    return trace(user, lot, "forward")


def recall_csv(result: LotTrace) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "recalled_lot",
            "lot",
            "product_class",
            "end_product",
            "steps",
            "share_from_recalled_lot",
            "owner",
            "owner_uscc",
            "quantity",
            "unit",
        ]
    )
    for r in result.rows:
        owner = r.owner
        writer.writerow(
            [
                result.lot.key,
                r.key,
                r.lot.material if r.lot is not None else "",
                "yes" if r.is_end else "no",
                r.depth,
                f"{r.share:.6f}",
                owner.name if owner is not None else "",
                owner.uscc if owner is not None else "",
                "" if r.quantity is None else f"{r.quantity:g}",
                r.uom,
            ]
        )
    return out.getvalue()
