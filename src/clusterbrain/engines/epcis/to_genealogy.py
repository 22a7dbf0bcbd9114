"""Captured (normalised) events into the genealogy engine's tables.

Lots: a class-level `epcClass` (an LGTIN `urn:epc:class:lgtin:…` or a Digital Link with a
`/10/` lot) is a lot measured in its uom; an instance EPC (SGTIN, SSCC, a `/21/` Digital Link…)
is a lot of 1 piece. The material of a lot is its product class (company prefix + item
reference, or GTIN), else the identifier itself.

- TransformationEvent: inputs → outputs, with quantities (EPCs count 1 piece).
- AggregationEvent ADD: children → parent (AGGREGATION); DELETE: parent → children
  (DISAGGREGATION); OBSERVE makes no edge.
- ObjectEvent ADD declares lots (quantity from quantityList), DELETE / OBSERVE make no edge.
  Its ILMD (and a transformation's) is kept as attributes of the lots it names.
- A shipping / receiving / departing / arriving event (Object or Transaction) with a
  source or destination location is a `Shipments` row: the lot moves, no edge.
- TransactionEvent otherwise, and AssociationEvent (sensors / assets attached to a thing, not
  material flow), make no edge; both are listed in `links` for the Django side.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from clusterbrain.engines.genealogy.model import (
    EventKind,
    EventLines,
    EventTable,
    LotTable,
    Shipments,
    Unit,
)

# UN/CEFACT Rec 20 codes → the engine's units; the caller may pass its own (e.g. head of cattle)
UOM_UNITS: dict[str, Unit] = {
    "KGM": Unit.KG,
    "MTK": Unit.M2,
    "MTR": Unit.METRE,
    "H87": Unit.PIECE,
    "C62": Unit.PIECE,
    "EA": Unit.PIECE,
    "HEA": Unit.HEAD,
}
SHIPPING_STEPS = frozenset({"shipping", "receiving", "departing", "arriving", "accepting"})

_LGTIN = re.compile(r"^urn:epc:class:lgtin:([^.]+\.[^.]+)\.")
_SGTIN = re.compile(r"^urn:epc:id:sgtin:([^.]+\.[^.]+)\.")
_IDPAT = re.compile(r"^urn:epc:idpat:sgtin:([^.]+\.[^.]+)\.")
_DL_GTIN = re.compile(r"^https?://[^/]+/(?:[^/]+/)*01/(\d{14})(?:/|$)")


def material_of(identifier: str) -> str:
    """The product class of an EPC or EPC class (the lot or serial dropped)."""
    for pattern in (_LGTIN, _SGTIN, _IDPAT):
        m = pattern.match(identifier)
        if m:
            return "gtin:" + m.group(1)
    m = _DL_GTIN.match(identifier)
    if m:
        return "gtin:" + m.group(1)
    return identifier


@dataclass
class GenealogyFeed:
    """Tables for `build_lot_graph` and the key maps the Django side keeps."""

    lots: LotTable
    events: EventTable
    lines: EventLines
    shipments: Shipments
    lot_keys: list[str]  # row → EPC or epcClass
    materials: list[str]  # material index → product class
    sites: list[str]  # site index → location id ("" = unknown, index 0)
    event_ids: list[str]  # EventTable row → eventID
    shipment_event_ids: list[str]  # Shipments.event → eventID
    lot_attributes: dict[int, dict[str, Any]] = field(default_factory=dict)  # from ILMD
    links: list[dict[str, Any]] = field(default_factory=list)  # transactions, associations
    problems: list[tuple[str, str]] = field(default_factory=list)  # (eventID, message)

    def lot(self, key: str) -> int:
        return self.lot_index[key]

    @property
    def lot_index(self) -> dict[str, int]:
        """Lot key → row (built once: `lot_keys.index` is a scan)."""
        index: dict[str, int] | None = self.__dict__.get("_lot_index")
        if index is None or len(index) != len(self.lot_keys):
            index = {key: row for row, key in enumerate(self.lot_keys)}
            self.__dict__["_lot_index"] = index
        return index


_PIECE = int(Unit.PIECE)


class _Builder:
    def __init__(self, uoms: dict[str, Unit]) -> None:
        self.uoms = uoms
        self.unit_codes = {uom: int(unit) for uom, unit in uoms.items()}  # int() once
        self.lot_index: dict[str, int] = {}
        self.lot_keys: list[str] = []
        self.lot_material: list[int] = []
        self.lot_unit: list[int] = []
        self.lot_site: list[int] = []
        self.lot_qty: list[float] = []
        self.materials: dict[str, int] = {}
        self.sites: dict[str, int] = {"": 0}
        self.problems: list[tuple[str, str]] = []

    def site(self, location: Any) -> int:
        key = location.get("id", "") if isinstance(location, dict) else ""
        return self.sites.setdefault(key, len(self.sites))

    def unit(self, uom: str | None, event_id: str) -> int:
        if uom is None:
            return _PIECE
        code = self.unit_codes.get(uom)
        if code is not None:
            return code
        self.problems.append((event_id, f"unit {uom!r} has no genealogy unit; counted as pieces"))
        return _PIECE

    def lot(self, key: str, unit: int, site: int) -> int:
        at = self.lot_index.get(key)
        if at is None:
            at = len(self.lot_keys)
            self.lot_index[key] = at
            self.lot_keys.append(key)
            material = material_of(key)
            self.lot_material.append(self.materials.setdefault(material, len(self.materials)))
            self.lot_unit.append(unit)
            self.lot_site.append(site)
            self.lot_qty.append(math.nan)
        return at

    def items(
        self, event: dict[str, Any], epcs: str, quantities: str, site: int
    ) -> list[tuple[int, float]]:
        """(lot, quantity) of an EPC list (1 piece each) and a quantity list."""
        event_id = str(event.get("eventID", ""))
        out = [(self.lot(e, _PIECE, site), 1.0) for e in event.get(epcs) or []]
        lot_index = self.lot_index
        for q in event.get(quantities) or []:
            unit = self.unit(q.get("uom"), event_id)
            key = q["epcClass"]
            lot = lot_index.get(key)
            if lot is None:
                lot = self.lot(key, unit, site)
            if self.lot_unit[lot] != unit:
                self.problems.append(
                    (
                        event_id,
                        f"{q['epcClass']} given in {q.get('uom') or 'a count (no uom)'}, "
                        f"first seen in {Unit(self.lot_unit[lot]).name}",
                    )
                )
            quantity = q.get("quantity")
            out.append((lot, float(quantity) if quantity is not None else math.nan))
        return out


def _period(event: dict[str, Any]) -> int:
    """The month of the eventTime in its own offset (year × 12 + month − 1)."""
    text = str(event["eventTime"])
    # canonical (normalise: YYYY-MM-DDTHH:MM:SS.mmm±HH:MM): the fields, without parsing
    if len(text) == 29 and text[4] == "-" and text[7] == "-" and text[19] == ".":
        year, month = text[:4], text[5:7]
        if year.isdigit() and month.isdigit() and "01" <= month <= "12":
            return int(year) * 12 + int(month) - 1
    t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t.year * 12 + t.month - 1


def _location(items: list[dict[str, Any]] | None) -> dict[str, str] | None:
    for item in items or []:
        if item.get("type") in ("location", "possessing_party", "owning_party"):
            return {"id": item.get("source") or item.get("destination") or ""}
    return None


class FeedBuilder:
    """`to_genealogy` in steps: `add` events in capture order, `feed()` the tables of all added
    so far. A cache of every captured event extends its feed with the events captured since
    (reading and converting only those) instead of converting everything again (0011)."""

    def __init__(self, uoms: dict[str, Unit] | None = None) -> None:
        self.b = _Builder({**UOM_UNITS, **(uoms or {})})
        self.kind: list[int] = []
        self.ev_site: list[int] = []
        self.ev_period: list[int] = []
        self.event_ids: list[str] = []
        self.l_event: list[int] = []
        self.l_lot: list[int] = []
        self.l_out: list[bool] = []
        self.l_qty: list[float] = []
        self.sh: dict[str, list[int]] = {k: [] for k in ("lot", "event", "from", "to", "period")}
        self.shipment_ids: list[str] = []
        self.attributes: dict[int, dict[str, Any]] = {}
        self.links: list[dict[str, Any]] = []

    def _add_event(
        self,
        k: EventKind,
        e: dict[str, Any],
        site: int,
        ins: list[tuple[int, float]],
        outs: list[tuple[int, float]],
    ) -> None:
        row = len(self.kind)
        self.kind.append(int(k))
        self.ev_site.append(site)
        self.ev_period.append(_period(e))
        self.event_ids.append(str(e.get("eventID", "")))
        for lots, is_out in ((ins, False), (outs, True)):
            for lot, q in lots:
                self.l_event.append(row)
                self.l_lot.append(lot)
                self.l_out.append(is_out)
                self.l_qty.append(q)

    def add(self, events: list[dict[str, Any]]) -> FeedBuilder:
        b = self.b
        sh = self.sh
        for e in events:
            t = e.get("type")
            action = e.get("action")
            site = b.site(e.get("bizLocation") or e.get("readPoint"))
            touched: list[tuple[int, float]] = []
            if t == "TransformationEvent":
                ins = b.items(e, "inputEPCList", "inputQuantityList", site)
                outs = b.items(e, "outputEPCList", "outputQuantityList", site)
                self._add_event(EventKind.TRANSFORMATION, e, site, ins, outs)
                touched = outs
            elif t == "AggregationEvent" and action in ("ADD", "DELETE") and e.get("parentID"):
                parent = [(b.lot(e["parentID"], _PIECE, site), 1.0)]
                children = b.items(e, "childEPCs", "childQuantityList", site)
                if action == "ADD":
                    self._add_event(EventKind.AGGREGATION, e, site, children, parent)
                else:
                    self._add_event(EventKind.DISAGGREGATION, e, site, parent, children)
            elif t == "ObjectEvent":
                touched = b.items(e, "epcList", "quantityList", site)
                if action == "ADD":
                    for lot, q in touched:
                        if not math.isnan(q):
                            b.lot_qty[lot] = q
            elif t in ("TransactionEvent", "AssociationEvent"):
                touched = b.items(e, "epcList", "quantityList", site)
                self.links.append(
                    {
                        "eventID": e.get("eventID"),
                        "type": t,
                        "action": action,
                        "parentID": e.get("parentID"),
                        "lots": [lot for lot, _ in touched],
                        "bizTransactionList": e.get("bizTransactionList", []),
                    }
                )
            if isinstance(e.get("ilmd"), dict):
                for lot, _ in touched:
                    self.attributes.setdefault(lot, {}).update(e["ilmd"])
            if t in ("ObjectEvent", "TransactionEvent") and e.get("bizStep") in SHIPPING_STEPS:
                src, dst = _location(e.get("sourceList")), _location(e.get("destinationList"))
                if src or dst:
                    for lot, _ in touched:
                        sh["lot"].append(lot)
                        sh["event"].append(len(self.shipment_ids))
                        sh["from"].append(b.site(src) if src else site)
                        sh["to"].append(b.site(dst) if dst else site)
                        sh["period"].append(_period(e))
                    self.shipment_ids.append(str(e.get("eventID", "")))
        return self

    def feed(self) -> GenealogyFeed:
        """The tables of every event added so far (fresh arrays and lists: a feed handed out
        earlier does not change when more events are added)."""
        b = self.b
        sh = self.sh

        def ints(values: list[int]) -> np.ndarray:
            return np.asarray(values, dtype=np.int64)

        return GenealogyFeed(
            lots=LotTable.of(b.lot_material, b.lot_unit, b.lot_qty, site=b.lot_site),
            events=EventTable.of(
                ints(self.kind), site=ints(self.ev_site), period=ints(self.ev_period)
            ),
            lines=EventLines.of(
                ints(self.l_event), ints(self.l_lot), np.asarray(self.l_out, bool), self.l_qty
            ),
            shipments=Shipments(
                ints(sh["lot"]),
                ints(sh["event"]),
                ints(sh["from"]),
                ints(sh["to"]),
                ints(sh["period"]),
            ),
            lot_keys=list(b.lot_keys),
            materials=list(b.materials),
            sites=list(b.sites),
            event_ids=list(self.event_ids),
            shipment_event_ids=list(self.shipment_ids),
            lot_attributes={row: dict(a) for row, a in self.attributes.items()},
            links=list(self.links),
            problems=list(b.problems),
        )


def to_genealogy(
    events: list[dict[str, Any]], uoms: dict[str, Unit] | None = None
) -> GenealogyFeed:
    """Tables from normalised events (`normalise_document`), in capture order. Periods are
    months (year × 12 + month − 1); sites are bizLocation ids."""
    return FeedBuilder(uoms).add(events).feed()


@dataclass(frozen=True)
class Overconsumption:
    """An event that took more of a lot than the lot holds (its declared quantity, else what
    the events before it produced): the event that crossed the line, for the capture error."""

    event_id: str
    lot_key: str
    consumed: float  # taken by this event and the ones before it
    held: float


def overconsumption(
    feed: GenealogyFeed,
    tolerance: float = 0.02,
    stock: dict[str, tuple[float, float, float]] | None = None,
) -> list[Overconsumption]:
    """Transformations and aggregations, in capture order, that consume more of a known lot
    than exists (lots neither declared nor produced here are not judged: their stock is
    elsewhere). Tolerance as the genealogy engine's (2 %).

    `stock` gives, per lot key, (declared or NaN, produced, consumed) by events captured
    before `feed`'s: a capture judges only its new events, seeded with what is stored."""
    lines = feed.lines
    # plain lists: indexing numpy arrays one element at a time was most of this function's time
    declared_at: list[float] = feed.lots.quantity.tolist()
    produced_at = [0.0] * len(declared_at)
    consumed_at = [0.0] * len(declared_at)
    lot_index = feed.lot_index
    for key, (was_declared, was_produced, was_consumed) in (stock or {}).items():
        at = lot_index.get(key)
        if at is None:
            continue
        if math.isnan(declared_at[at]):
            declared_at[at] = was_declared
        produced_at[at] += was_produced
        consumed_at[at] += was_consumed
    known = [d == d for d in declared_at]  # not NaN
    out: list[Overconsumption] = []
    flagged: set[int] = set()
    order = np.argsort(lines.event, kind="stable")
    lots = lines.lot[order].tolist()
    quantities = lines.quantity[order].tolist()
    outputs = lines.is_output[order].tolist()
    events = lines.event[order].tolist()
    for lot, q, is_output, event in zip(lots, quantities, outputs, events, strict=True):
        if q != q:  # NaN: no quantity
            continue
        if is_output:
            produced_at[lot] += q
            continue
        consumed_at[lot] += q
        held = declared_at[lot] if known[lot] else produced_at[lot]
        judged = known[lot] or produced_at[lot] > 0
        if judged and lot not in flagged and consumed_at[lot] > held * (1 + tolerance) + 1e-9:
            flagged.add(lot)
            out.append(
                Overconsumption(
                    feed.event_ids[event], feed.lot_keys[lot], float(consumed_at[lot]), float(held)
                )
            )
    return out
