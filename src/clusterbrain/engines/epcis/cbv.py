"""CBV 2.0 code lists (the values GS1's EPCIS 2.0 JSON schema enumerates) and their URI forms.

A CBV value may be written as the bare word (`shipping`), the EPCIS 1.x URN
(`urn:epcglobal:cbv:bizstep:shipping`), the CBV 2.0 Web URI
(`https://ref.gs1.org/cbv/BizStep-shipping`) or its CURIE (`cbv:BizStep-shipping`). Any other
absolute URI or declared-prefix CURIE is a user vocabulary value and is allowed; an unknown bare
word, or an unknown word in one of GS1's own forms, is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CBV_WEB = "https://ref.gs1.org/cbv/"

EVENT_TYPES = frozenset(
    {
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
        "AssociationEvent",
    }
)
ACTIONS = frozenset({"ADD", "OBSERVE", "DELETE"})

BIZ_STEPS = frozenset(
    [
        "accepting",
        "arriving",
        "assembling",
        "collecting",
        "commissioning",
        "consigning",
        "creating_class_instance",
        "cycle_counting",
        "decommissioning",
        "departing",
        "destroying",
        "disassembling",
        "dispensing",
        "encoding",
        "entering_exiting",
        "holding",
        "inspecting",
        "installing",
        "killing",
        "loading",
        "other",
        "packing",
        "picking",
        "receiving",
        "removing",
        "repackaging",
        "repairing",
        "replacing",
        "reserving",
        "retail_selling",
        "shipping",
        "staging_outbound",
        "stock_taking",
        "stocking",
        "storing",
        "transporting",
        "unloading",
        "unpacking",
        "void_shipping",
        "sensor_reporting",
        "sampling",
    ]
)
DISPOSITIONS = frozenset(
    [
        "active",
        "container_closed",
        "damaged",
        "destroyed",
        "dispensed",
        "disposed",
        "encoded",
        "expired",
        "in_progress",
        "in_transit",
        "inactive",
        "no_pedigree_match",
        "non_sellable_other",
        "partially_dispensed",
        "recalled",
        "reserved",
        "retail_sold",
        "returned",
        "sellable_accessible",
        "sellable_not_accessible",
        "stolen",
        "unknown",
        "available",
        "completeness_verified",
        "completeness_inferred",
        "conformant",
        "container_open",
        "mismatch_instance",
        "mismatch_class",
        "mismatch_quantity",
        "needs_replacement",
        "non_conformant",
        "unavailable",
    ]
)
ERROR_REASONS = frozenset({"did_not_occur", "incorrect_data"})
BIZ_TRANSACTION_TYPES = frozenset(
    [
        "bol",
        "cert",
        "desadv",
        "inv",
        "pedigree",
        "po",
        "poc",
        "prodorder",
        "recadv",
        "rma",
        "testprd",
        "testres",
        "upevt",
    ]
)
SOURCE_DEST_TYPES = frozenset({"owning_party", "possessing_party", "location"})


@dataclass(frozen=True)
class Vocabulary:
    name: str  # the field, for messages
    words: frozenset[str]
    urn: str  # urn:epcglobal:cbv:<urn>:<word>
    web: str  # https://ref.gs1.org/cbv/<web>-<word>


BIZ_STEP = Vocabulary("bizStep", BIZ_STEPS, "bizstep", "BizStep")
DISPOSITION = Vocabulary("disposition", DISPOSITIONS, "disp", "Disp")
ERROR_REASON = Vocabulary("reason", ERROR_REASONS, "er", "ER")
BIZ_TRANSACTION_TYPE = Vocabulary("bizTransaction type", BIZ_TRANSACTION_TYPES, "btt", "BTT")
SOURCE_DEST_TYPE = Vocabulary("source/destination type", SOURCE_DEST_TYPES, "sdt", "SDT")

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def cbv_word(value: str, vocab: Vocabulary) -> str | None:
    """The bare CBV word a value stands for, or None when it is not one of GS1's forms."""
    if value in vocab.words:
        return value
    for prefix in (
        f"urn:epcglobal:cbv:{vocab.urn}:",
        f"{CBV_WEB}{vocab.web}-",
        f"cbv:{vocab.web}-",
        f"http://ref.gs1.org/cbv/{vocab.web}-",
    ):
        if value.startswith(prefix):
            return value[len(prefix) :]
    return None


def check_cbv(value: object, vocab: Vocabulary) -> str | None:
    """None if the value is allowed, else the reason it is not."""
    if not isinstance(value, str):
        return f"{vocab.name} must be a string"
    word = cbv_word(value, vocab)
    if word is not None:
        if word in vocab.words:
            return None
        return f"{word!r} is not a CBV {vocab.name} (in {value!r})"
    if _URI.match(value):
        return None  # a user vocabulary URI or CURIE
    return f"{value!r} is not a CBV {vocab.name} and not a URI"


def canonical_cbv(value: str, vocab: Vocabulary) -> str:
    """The bare word for a standard CBV value in any of its forms; other values unchanged."""
    word = cbv_word(value, vocab)
    return word if word is not None and word in vocab.words else value
