"""Captured events into the genealogy tables."""

from __future__ import annotations

import math

import numpy as np
from epcis_files import needs_epcis_files, shared_files

from clusterbrain.engines.epcis import check_document, normalise_document, to_genealogy
from clusterbrain.engines.epcis.to_genealogy import material_of, overconsumption
from clusterbrain.engines.genealogy.graph import build_lot_graph, trace_back
from clusterbrain.engines.genealogy.model import EventKind, Unit

CTX = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    {"hechi": "https://example.org/hechi/"},
]
COCOON_A = "urn:epc:class:lgtin:6901234.000011.C-A"
COCOON_B = "urn:epc:class:lgtin:6901234.000011.C-B"
SILK = "urn:epc:class:lgtin:6901234.000022.S-1"
PUPAE = "urn:epc:class:lgtin:6901234.000033.P-1"
MILL = {"id": "urn:epc:id:sgln:6901234.00001.0"}

pytestmark = needs_epcis_files


def event(kind: str, time: str, **fields) -> dict:
    return {"type": kind, "eventTime": time, "eventTimeZoneOffset": "+08:00", **fields}


def q(cls: str, kg: float) -> dict:
    return {"epcClass": cls, "quantity": kg, "uom": "KGM"}


DOC = {
    "@context": CTX,
    "type": "EPCISDocument",
    "schemaVersion": "2.0",
    "creationDate": "2026-06-01T08:00:00+08:00",
    "epcisBody": {
        "eventList": [
            event(
                "ObjectEvent",
                "2026-05-20T08:00:00+08:00",
                action="ADD",
                bizStep="commissioning",
                quantityList=[q(COCOON_A, 100), q(COCOON_B, 300)],
                ilmd={"hechi:originCounty": "Yizhou"},
            ),
            event(
                "TransformationEvent",
                "2026-06-01T09:00:00+08:00",
                bizStep="https://example.org/hechi/reeling",
                bizLocation=MILL,
                inputQuantityList=[q(COCOON_A, 100), q(COCOON_B, 300)],
                outputQuantityList=[q(SILK, 50), q(PUPAE, 200)],
                ilmd={"hechi:silkGrade": "5A"},
            ),
            event(
                "AggregationEvent",
                "2026-06-02T09:00:00+08:00",
                action="ADD",
                bizStep="packing",
                parentID="urn:epc:id:sscc:6901234.0000000001",
                childQuantityList=[q(SILK, 50)],
            ),
            event(
                "ObjectEvent",
                "2026-06-03T09:00:00+08:00",
                action="OBSERVE",
                bizStep="shipping",
                epcList=["urn:epc:id:sscc:6901234.0000000001"],
                sourceList=[{"type": "location", "source": MILL["id"]}],
                destinationList=[
                    {"type": "location", "destination": "urn:epc:id:sgln:6901234.00002.0"}
                ],
            ),
        ]
    },
}


def feed():
    doc, problems = check_document(__import__("json").dumps(DOC))
    assert problems == [], [p.as_dict() for p in problems]
    return to_genealogy(normalise_document(doc))


def test_transformation_lines() -> None:
    f = feed()
    a, b, silk, pupae = (f.lot(k) for k in (COCOON_A, COCOON_B, SILK, PUPAE))
    assert list(f.events.kind) == [EventKind.TRANSFORMATION, EventKind.AGGREGATION]
    rows = f.lines.event == 0
    got = sorted(
        zip(f.lines.lot[rows], f.lines.is_output[rows], f.lines.quantity[rows], strict=True)
    )
    assert got == sorted(
        [(a, False, 100.0), (b, False, 300.0), (silk, True, 50.0), (pupae, True, 200.0)]
    )
    assert (
        f.lots.unit[silk] == Unit.KG
        and f.lots.quantity[a] == 100
        and math.isnan(f.lots.quantity[silk])
    )
    assert (
        f.materials[f.lots.material[a]] == f.materials[f.lots.material[b]] == "gtin:6901234.000011"
    )
    assert f.sites[f.events.site[0]] == MILL["id"]
    assert f.events.period[0] == 2026 * 12 + 5
    assert f.lot_attributes[a] == {"https://example.org/hechi/originCounty": "Yizhou"}
    assert f.lot_attributes[silk] == {"https://example.org/hechi/silkGrade": "5A"}


def test_aggregation_and_shipment() -> None:
    f = feed()
    pallet = f.lot("urn:epc:id:sscc:6901234.0000000001")
    rows = f.lines.event == 1
    assert sorted(zip(f.lines.lot[rows], f.lines.is_output[rows], strict=True)) == [
        (f.lot(SILK), False),
        (pallet, True),
    ]
    assert f.lots.unit[pallet] == Unit.PIECE
    assert list(f.shipments.lot) == [pallet]
    assert f.sites[f.shipments.from_site[0]] == MILL["id"]
    assert f.sites[f.shipments.to_site[0]] == "urn:epc:id:sgln:6901234.00002.0"


def test_trace_back_through_engine() -> None:
    f = feed()
    graph = build_lot_graph(f.lots, f.events, f.lines)
    trace = trace_back(graph, f.lot("urn:epc:id:sscc:6901234.0000000001"))
    origins = {int(x) for x in np.asarray(trace.lots)}
    assert {f.lot(COCOON_A), f.lot(COCOON_B)} <= origins


def test_material_of() -> None:
    assert material_of("urn:epc:id:sgtin:0614141.107346.2017") == "gtin:0614141.107346"
    assert material_of("https://id.gs1.org/01/09521141012345/10/L1") == "gtin:09521141012345"
    assert material_of("urn:epc:id:sscc:0614141.1234567890") == "urn:epc:id:sscc:0614141.1234567890"


def test_all_conformance_events_map() -> None:
    events = []
    for path in shared_files("Capture/Documents", "Capture/Events"):
        doc, problems = check_document(path.read_bytes())
        events += normalise_document(doc)
    f = to_genealogy(events)
    assert len(f.events) > 0 and len(f.lines) > 0 and len(f.lots) == len(f.lot_keys)
    build_lot_graph(f.lots, f.events, f.lines)


def test_overconsumption_names_the_event() -> None:
    doc = __import__("copy").deepcopy(DOC)
    events = doc["epcisBody"]["eventList"]
    events.append(
        event(
            "TransformationEvent",
            "2026-06-04T09:00:00+08:00",
            eventID="urn:uuid:00000000-0000-4000-8000-000000000002",
            bizStep="https://example.org/hechi/reeling",
            inputQuantityList=[q(COCOON_A, 5)],  # all 100 kg of lot A went into silk already
            outputQuantityList=[q("urn:epc:class:lgtin:6901234.000022.S-2", 0.1)],
        )
    )
    f = to_genealogy(normalise_document(doc))
    assert overconsumption(feed()) == []
    [o] = overconsumption(f)
    assert (o.event_id, o.lot_key, o.consumed, o.held) == (
        "urn:uuid:00000000-0000-4000-8000-000000000002",
        COCOON_A,
        105.0,
        100.0,
    )


def _same_feed(a, b) -> None:
    for table in ("lots", "events", "lines", "shipments"):
        ta, tb = getattr(a, table), getattr(b, table)
        for name in vars(ta):
            np.testing.assert_array_equal(getattr(ta, name), getattr(tb, name), err_msg=name)
    for name in ("lot_keys", "materials", "sites", "event_ids", "shipment_event_ids"):
        assert getattr(a, name) == getattr(b, name), name
    assert a.lot_attributes == b.lot_attributes and a.links == b.links
    assert a.problems == b.problems


@needs_epcis_files
def test_feed_built_in_steps_is_the_feed_built_at_once() -> None:
    """The genealogy cache extends its feed with the events captured since: the tables must
    be those of converting every event at once, and a feed handed out before must not move."""
    from clusterbrain.engines.epcis.to_genealogy import FeedBuilder

    events = []
    for path in shared_files("Capture/Documents", "Capture/Events"):
        doc, _problems = check_document(path.read_bytes())
        events += normalise_document(doc)
    assert len(events) > 20
    whole = to_genealogy(events)
    builder = FeedBuilder()
    first = builder.add(events[:7]).feed()
    kept = (list(first.lot_keys), first.lines.lot.copy())
    for at in range(7, len(events), 5):
        builder.add(events[at : at + 5])
    _same_feed(builder.feed(), whole)
    assert first.lot_keys == kept[0] and np.array_equal(first.lines.lot, kept[1])
    _same_feed(first, to_genealogy(events[:7]))


def test_period_is_the_month_in_the_events_own_offset():
    from datetime import datetime

    from clusterbrain.engines.epcis.normalise import _time
    from clusterbrain.engines.epcis.to_genealogy import _period

    for sent in (
        "2026-05-01T00:30:00+08:00",  # April in UTC, May where it happened
        "2026-12-31T23:59:59.999-05:00",
        "2026-01-01T00:00:00Z",
        "2026-07-15T12:00:00.1234+02:00",
    ):
        canonical = _time(sent)
        t = datetime.fromisoformat(sent.replace("Z", "+00:00"))
        assert _period({"eventTime": canonical}) == t.year * 12 + t.month - 1
        assert _period({"eventTime": sent}) == t.year * 12 + t.month - 1
