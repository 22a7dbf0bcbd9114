"""EPCIS 2.0 capture in plain Python: parse and validate JSON/JSON-LD documents against GS1's
JSON schema and the CBV code lists (`validate`), put events in a canonical form with an
eventID (`normalise`), and map them into the lot-genealogy tables (`to_genealogy`).

No Django import: the capture and query endpoints call these functions and store the result.
"""

from clusterbrain.engines.epcis.normalise import event_hash_id, normalise_document, normalise_event
from clusterbrain.engines.epcis.to_genealogy import (
    GenealogyFeed,
    Overconsumption,
    overconsumption,
    to_genealogy,
)
from clusterbrain.engines.epcis.validate import (
    Problem,
    SchemaNotFound,
    check_document,
    events_of,
    parse,
    validate,
)

__all__ = [
    "GenealogyFeed",
    "Overconsumption",
    "Problem",
    "SchemaNotFound",
    "check_document",
    "event_hash_id",
    "events_of",
    "normalise_document",
    "normalise_event",
    "overconsumption",
    "parse",
    "to_genealogy",
    "validate",
]
