"""Trace test data: locations of the `world` firms and small EPCIS documents of a silk chain
(cocoons declared at a station, reeled into raw silk at a mill, woven into fabric), shared by
the service, API, page and browser tests."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]

# SGLNs of the world's firms: own (the enterprise user's), other, outsider (cluster b)
OWN_SITE = "urn:epc:id:sgln:6901234.00001.0"
OWN_MILL = "urn:epc:id:sgln:6901234.00002.0"
OTHER_SITE = "urn:epc:id:sgln:6905555.00001.0"
OUTSIDE_SITE = "urn:epc:id:sgln:6907777.00001.0"

COCOONS = "urn:epc:class:lgtin:6901234.012345.C1"
COCOONS_2 = "urn:epc:class:lgtin:6905555.012345.C2"
SILK = "urn:epc:class:lgtin:6901234.012346.S1"
FABRIC = "urn:epc:class:lgtin:6905555.012347.F1"


def add_locations(world: Any) -> SimpleNamespace:
    from clusterbrain.trace import services

    return SimpleNamespace(
        own_site=services.add_location(None, world.own, OWN_SITE, "Own station", "station"),
        own_mill=services.add_location(None, world.own, OWN_MILL, "Own mill", "factory"),
        other_site=services.add_location(None, world.other, OTHER_SITE, "Other weaver"),
        outside=services.add_location(None, world.outsider, OUTSIDE_SITE, "Outside site"),
    )


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-05-01T08:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


def body(*events: dict[str, Any]) -> bytes:
    return json.dumps(document(*events)).encode()


def declare(
    lot: str, quantity: float, site: str = OWN_SITE, event_id: str | None = None, **extra: Any
) -> dict[str, Any]:
    """An ObjectEvent ADD commissioning `quantity` kg of a lot at `site`."""
    e: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": "2026-05-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "epcList": [],
        "quantityList": [{"epcClass": lot, "quantity": quantity, "uom": "KGM"}],
        "readPoint": {"id": site},
        "bizLocation": {"id": site},
        **extra,
    }
    if event_id:
        e["eventID"] = event_id
    return e


def transform(
    inputs: list[tuple[str, float]],
    outputs: list[tuple[str, float]],
    site: str = OWN_MILL,
    time: str = "2026-05-02T08:00:00+08:00",
    event_id: str | None = None,
) -> dict[str, Any]:
    e: dict[str, Any] = {
        "type": "TransformationEvent",
        "eventTime": time,
        "eventTimeZoneOffset": "+08:00",
        "inputQuantityList": [{"epcClass": k, "quantity": q, "uom": "KGM"} for k, q in inputs],
        "outputQuantityList": [{"epcClass": k, "quantity": q, "uom": "KGM"} for k, q in outputs],
        "bizStep": "commissioning",
        "readPoint": {"id": site},
        "bizLocation": {"id": site},
    }
    if event_id:
        e["eventID"] = event_id
    return e


def silk_chain(world: Any) -> SimpleNamespace:
    """Own declares 100 kg of cocoons, other declares 50; own reels both into 40 kg silk; other
    weaves the silk into fabric. Captured by the platform (user None)."""
    from clusterbrain.trace import services

    places = add_locations(world)
    outcome = services.capture(
        None,
        document(
            declare(COCOONS, 100, event_id="urn:uuid:00000000-0000-4000-8000-000000000001"),
            declare(COCOONS_2, 50, OTHER_SITE, "urn:uuid:00000000-0000-4000-8000-000000000002"),
            transform(
                [(COCOONS, 100), (COCOONS_2, 50)],
                [(SILK, 40)],
                event_id="urn:uuid:00000000-0000-4000-8000-000000000003",
            ),
            transform(
                [(SILK, 40)],
                [(FABRIC, 500)],
                OTHER_SITE,
                "2026-05-03T08:00:00+08:00",
                "urn:uuid:00000000-0000-4000-8000-000000000004",
            ),
        ),
    )
    assert outcome.success, outcome.problems
    return places
