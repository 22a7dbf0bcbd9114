"""The shared EPCIS conformance documents, read from ../shared/benchmarks/epcis (never copied)."""

from __future__ import annotations

from pathlib import Path

import pytest

EPCIS_DIR = Path(__file__).resolve().parents[4] / "shared" / "benchmarks" / "epcis"
SCHEMA = EPCIS_DIR / "gs1" / "EPCIS-JSON-Schema.json"


needs_epcis_files = pytest.mark.skipif(
    not SCHEMA.is_file(),
    reason=f"{EPCIS_DIR} absent: the GS1 schema and conformance documents are not here",
)


def shared_files(*folders: str) -> list[Path]:
    out: list[Path] = []
    for folder in folders:
        d = EPCIS_DIR / folder
        if d.is_dir():
            out += sorted(p for p in d.iterdir() if p.suffix in (".json", ".jsonld"))
    return out
