"""Validation: the shared conformance suite (every valid document accepted, every invalid one
rejected naming an event and a field) and hand-made bad input."""

from __future__ import annotations

import copy
import json

import pytest
from epcis_files import EPCIS_DIR, SCHEMA, needs_epcis_files, shared_files

from clusterbrain.engines.epcis.validate import (
    Problem,
    SchemaNotFound,
    check_document,
    rejected_events,
    schema_path,
    validate,
)

VALID = shared_files("Capture/Documents", "Capture/Events", "gs1/examples")
INVALID = shared_files("Capture/Invalid")
INVALID_QUERY_RESULTS = shared_files("Query/Invalid")

OBJECT_EVENT = {
    "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
    "type": "EPCISDocument",
    "schemaVersion": "2.0",
    "creationDate": "2026-07-22T10:30:00Z",
    "epcisBody": {
        "eventList": [
            {
                "type": "ObjectEvent",
                "eventTime": "2026-07-22T06:45:00+08:00",
                "eventTimeZoneOffset": "+08:00",
                "action": "ADD",
                "bizStep": "commissioning",
                "quantityList": [
                    {
                        "epcClass": "urn:epc:class:lgtin:6901234.012345.L2026",
                        "quantity": 250.5,
                        "uom": "KGM",
                    }
                ],
            }
        ]
    },
}

pytestmark = needs_epcis_files


def doc_with(**changes: object) -> dict:
    doc = copy.deepcopy(OBJECT_EVENT)
    event = doc["epcisBody"]["eventList"][0]
    for key, value in changes.items():
        if value is None:
            event.pop(key, None)
        else:
            event[key] = value
    return doc


def test_conformance_files_present() -> None:
    assert len(VALID) >= 43 + 47 - 1 and len(INVALID) == 15, EPCIS_DIR


@pytest.mark.parametrize("path", VALID, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_documents_accepted(path) -> None:
    doc, problems = check_document(path.read_bytes())
    assert problems == [], [p.as_dict() for p in problems]
    assert doc is not None


@pytest.mark.parametrize("path", INVALID + INVALID_QUERY_RESULTS, ids=lambda p: p.name)
def test_invalid_documents_rejected(path) -> None:
    doc, problems = check_document(path.read_bytes())
    assert problems
    for p in problems:
        assert p.code and p.message
        assert p.pointer or p.event is None or p.code == "missing_field"
    if "without_context" not in path.name:
        assert any(p.event is not None for p in problems), problems


def test_second_event_named() -> None:
    path = EPCIS_DIR / "Capture/Invalid/ObjectEvent_with_non_standard_bizStep_in_second_event.json"
    _, problems = check_document(path.read_text())
    assert [(p.event, p.field, p.code) for p in problems] == [(1, "bizStep", "unknown_cbv_value")]
    assert rejected_events(problems) == (False, {1})


def test_hand_made_good_document() -> None:
    assert validate(OBJECT_EVENT) == []


def test_malformed_json_line_and_column() -> None:
    text = json.dumps(OBJECT_EVENT, indent=1).replace('"ADD"', '"ADD",,', 1)
    doc, problems = check_document(text)
    assert doc is None
    [p] = problems
    assert p.code == "malformed_json" and p.event is None
    assert "line " in p.message and "column " in p.message


def test_quantity_as_text() -> None:
    doc = doc_with(
        quantityList=[{"epcClass": "urn:epc:class:lgtin:6901234.012345.L1", "quantity": "250"}]
    )
    problems = validate(doc)
    assert [(p.event, p.field, p.code) for p in problems] == [
        (0, "quantityList/0/quantity", "quantity_not_number")
    ]


@pytest.mark.parametrize(
    ("quantity", "code"),
    [
        (float("inf"), "quantity_not_number"),
        (float("nan"), "quantity_not_number"),
        (10**400, "quantity_not_number"),
        (-5, "quantity_negative"),
        (-0.5, "quantity_negative"),
    ],
)
def test_quantities_a_lot_cannot_hold(quantity: float, code: str) -> None:
    """Checked on the parsed document too, since bulk capture passes dicts, not text."""
    doc = doc_with(
        quantityList=[{"epcClass": "urn:epc:class:lgtin:6901234.012345.L1", "quantity": quantity}]
    )
    assert [(p.event, p.field, p.code) for p in validate(doc)] == [
        (0, "quantityList/0/quantity", code)
    ]


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_non_json_number_tokens_are_malformed(token: str) -> None:
    text = json.dumps(OBJECT_EVENT).replace('"ADD"', token, 1)
    doc, problems = check_document(text)
    assert doc is None and [p.code for p in problems] == ["malformed_json"]
    assert token in problems[0].message


def test_zero_quantity_and_a_deeply_nested_document() -> None:
    doc = doc_with(
        quantityList=[{"epcClass": "urn:epc:class:lgtin:6901234.012345.L1", "quantity": 0}]
    )
    assert validate(doc) == []
    doc, problems = check_document('{"a": ' * 5000 + "1" + "}" * 5000)
    assert doc is None and [p.code for p in problems] == ["malformed_json"]


def test_missing_event_time() -> None:
    problems = validate(doc_with(eventTime=None))
    assert (0, "eventTime", "missing_event_time") in [(p.event, p.field, p.code) for p in problems]


@pytest.mark.parametrize(
    "value",
    ["weaving", "urn:epcglobal:cbv:bizstep:weaving", "https://ref.gs1.org/cbv/BizStep-weaving"],
)
def test_unknown_biz_step(value: str) -> None:
    problems = validate(doc_with(bizStep=value))
    assert [(p.event, p.field, p.code) for p in problems] == [(0, "bizStep", "unknown_cbv_value")]
    assert "weaving" in problems[0].message


@pytest.mark.parametrize(
    "value",
    [
        "shipping",
        "https://ref.gs1.org/cbv/BizStep-shipping",
        "cbv:BizStep-shipping",
        "https://example.org/steps/reeling",  # a user vocabulary URI
    ],
)
def test_biz_step_forms_accepted(value: str) -> None:
    assert validate(doc_with(bizStep=value)) == []


def test_urn_cbv_form_is_xml_only() -> None:
    """GS1's JSON schema keeps the EPCIS 1.x URN form of CBV values out of JSON documents."""
    problems = validate(doc_with(bizStep="urn:epcglobal:cbv:bizstep:shipping"))
    assert [(p.field, p.code) for p in problems] == [("bizStep", "bad_format")]


def test_extension_needs_namespace_and_is_kept() -> None:
    problems = validate(doc_with(ilmd={"silkGrade": "6A"}))
    assert [(p.field, p.code) for p in problems] == [
        ("ilmd/silkGrade", "extension_without_namespace")
    ]
    doc = doc_with(ilmd={"hechi:silkGrade": "6A"}, **{"hechi:station": "S-17"})
    doc["@context"].append({"hechi": "https://example.org/hechi/"})
    assert validate(doc) == []


def test_lone_event_validates() -> None:
    event = {"@context": OBJECT_EVENT["@context"], **OBJECT_EVENT["epcisBody"]["eventList"][0]}
    assert validate(event) == []


def test_schema_path_errors_clearly(tmp_path, monkeypatch) -> None:
    with pytest.raises(SchemaNotFound, match="CLUSTERBRAIN_EPCIS_SCHEMA"):
        schema_path(tmp_path / "missing.json")
    monkeypatch.setenv("CLUSTERBRAIN_EPCIS_SCHEMA", str(SCHEMA))
    assert schema_path() == SCHEMA


def test_problem_as_dict() -> None:
    p = Problem(2, "/epcisBody/eventList/2/quantityList/0/quantity", "quantity_not_number", "m")
    assert p.as_dict()["field"] == "quantityList/0/quantity"


def test_prefixes_from_every_level_whichever_way_they_are_found() -> None:
    """The shortcut (contexts of the document and its events only, found by counting them in
    the serialised document) and the walk agree; a nested context sends the document to the
    walk, and so does a string that reads "@context"."""
    from clusterbrain.engines.epcis.validate import _shallow_contexts, declared_prefixes

    def doc(*events: dict) -> dict:
        return {
            "@context": [
                "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                {"a": "A:"},
            ],
            "type": "EPCISDocument",
            "epcisBody": {"eventList": list(events)},
        }

    shallow = doc(
        {"@context": {"b": "B:", "a": "A2:"}, "type": "ObjectEvent"}, {"type": "ObjectEvent"}
    )
    assert _shallow_contexts(shallow) is not None
    got = declared_prefixes(shallow)
    assert got["a"] == "A2:" and got["b"] == "B:" and got["gs1"] == "https://gs1.org/voc/"
    nested = doc({"type": "ObjectEvent", "ilmd": {"@context": {"c": "C:"}, "c:x": 1}})
    assert _shallow_contexts(nested) is None
    assert declared_prefixes(nested)["c"] == "C:"
    teasing = doc({"type": "ObjectEvent", "ex:note": "@context"})
    assert _shallow_contexts(teasing) is None
    assert declared_prefixes(teasing)["a"] == "A:"
