"""Canonical form and eventIDs: stable round trips over the conformance documents."""

from __future__ import annotations

import copy
import json

import pytest
from epcis_files import needs_epcis_files, shared_files

from clusterbrain.engines.epcis.normalise import (
    canonical_json,
    digital_link,
    event_hash_id,
    normalise_document,
    normalise_event,
    pre_hash_string,
    query_document,
)
from clusterbrain.engines.epcis.validate import check_document

VALID = shared_files("Capture/Documents", "Capture/Events", "gs1/examples")

pytestmark = needs_epcis_files


def events_of_file(path) -> list[dict]:
    doc, problems = check_document(path.read_bytes())
    assert not problems
    return normalise_document(doc)


@pytest.mark.parametrize("path", VALID, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_round_trip_stable(path) -> None:
    events = events_of_file(path)
    assert events
    again = [normalise_event(json.loads(canonical_json(e))) for e in events]
    assert again == events
    for e in events:
        assert e["eventID"]
        assert "@context" not in e


def test_event_ids_given_kept_else_hashed_and_unique() -> None:
    ids: list[str] = []
    for path in VALID:
        ids += [e["eventID"] for e in events_of_file(path)]
    hashed = [i for i in ids if i.startswith("ni:///sha-256;")]
    assert hashed and all(i.endswith("?ver=CBV2.0") and len(i) == 14 + 64 + 11 for i in hashed)


EVENT = {
    "type": "ObjectEvent",
    "eventTime": "2026-07-22T06:45:00.5+08:00",
    "eventTimeZoneOffset": "+08:00",
    "action": "ADD",
    "bizStep": "https://ref.gs1.org/cbv/BizStep-commissioning",
    "epcList": ["urn:epc:id:sgtin:6901234.012345.2", "urn:epc:id:sgtin:6901234.012345.1"],
    "quantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.012345.L1", "quantity": 12.0}],
    "hechi:station": "S-17",
}
PREFIXES = {"hechi": "https://example.org/hechi/"}


def test_canonical_form() -> None:
    e = normalise_event(EVENT, PREFIXES)
    assert e["eventTime"] == "2026-07-22T06:45:00.500+08:00"  # the offset is kept
    assert e["bizStep"] == "commissioning"
    assert e["quantityList"][0]["quantity"] == 12
    assert e["https://example.org/hechi/station"] == "S-17"
    assert e["eventID"].startswith("ni:///sha-256;")


def test_event_id_idempotent_and_content_bound() -> None:
    first = normalise_event(EVENT, PREFIXES)
    assert normalise_event(first) == first
    assert event_hash_id(first) == first["eventID"]  # the hash ignores the eventID itself
    # the same event written differently: bare bizStep, list order, UTC time, keys reordered
    other = copy.deepcopy(EVENT)
    other["bizStep"] = "commissioning"
    other["epcList"].reverse()
    other["eventTime"] = "2026-07-21T22:45:00.500Z"
    other = dict(reversed(list(other.items())))
    assert normalise_event(other, PREFIXES)["eventID"] == first["eventID"]
    changed = copy.deepcopy(EVENT)
    changed["quantityList"][0]["quantity"] = 13
    assert normalise_event(changed, PREFIXES)["eventID"] != first["eventID"]


def test_given_event_id_kept() -> None:
    e = normalise_event({**EVENT, "eventID": "urn:uuid:5d3c1c3e-0000-4000-8000-000000000001"})
    assert e["eventID"] == "urn:uuid:5d3c1c3e-0000-4000-8000-000000000001"


def test_pre_hash_string_order() -> None:
    s = pre_hash_string(normalise_event(EVENT, PREFIXES))
    assert s.startswith("eventType=ObjectEventeventTime=2026-07-21T22:45:00.500Z")
    assert s.index("epcList") < s.index("quantityList") < s.index("action") < s.index("bizStep")
    assert "bizStep=https://ref.gs1.org/cbv/BizStep-commissioning" in s
    assert s.endswith("https://example.org/hechi/station=S-17")


def test_event_hash_matches_reference_vector() -> None:
    """The event of `tests/examples/epcisDocWithSingleEvent.jsonld` in GS1 Germany's reference
    implementation (RalphTro/epcis-event-hash-generator, MIT) and its published hash."""
    event = {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "epcList": ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018"],
        "eventTime": "2022-02-16T20:33:31.116000-06:00",
        "eventTimeZoneOffset": "-06:00",
        "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
        "bizTransactionList": [
            {"type": "po", "bizTransaction": "http://transaction.acme.com/po/12345678"}
        ],
    }
    assert pre_hash_string(event) == (
        "eventType=ObjectEventeventTime=2022-02-17T02:33:31.116ZeventTimeZoneOffset=-06:00"
        "epcListepc=https://id.gs1.org/01/10614141073464/21/2017"
        "epc=https://id.gs1.org/01/10614141073464/21/2018action=OBSERVE"
        "bizStep=https://ref.gs1.org/cbv/BizStep-shipping"
        "disposition=https://ref.gs1.org/cbv/Disp-in_transit"
        "readPointid=https://id.gs1.org/414/0614141073467/254/1234"
        "bizTransactionListbizTransaction=http://transaction.acme.com/po/12345678"
        "type=https://ref.gs1.org/cbv/BTT-po"
    )
    assert normalise_event(event)["eventID"] == (
        "ni:///sha-256;3e0f2437f4cb5e8a1b832b769c0eed1bf3e1421f14061132e9800ded03f10182?ver=CBV2.0"
    )


@pytest.mark.parametrize(
    ("epc", "link"),
    [
        ("urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908"),
        (
            "urn:epc:class:lgtin:4012345.012345.998877",
            "https://id.gs1.org/01/04012345123456/10/998877",
        ),
        ("urn:epc:id:sgln:4012345.00011.0", "https://id.gs1.org/414/4012345000115"),
        ("urn:epc:id:pgln:0614141.00000", "https://id.gs1.org/417/0614141000005"),
        ("urn:epc:id:gdti:4012345.11111.123", "https://id.gs1.org/253/4012345111118123"),
    ],
)
def test_digital_link(epc: str, link: str) -> None:
    assert digital_link(epc) == link


@pytest.mark.parametrize("path", VALID, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_returned_as_query_document_valid_and_equivalent(path) -> None:
    events = events_of_file(path)
    body = query_document(events, "2026-07-22T10:30:00Z")
    again, problems = check_document(json.dumps(body))
    assert problems == [], [p.as_dict() for p in problems]
    assert normalise_document(again) == events
