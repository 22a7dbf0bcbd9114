"""Tests that capture EPCIS events need GS1's EPCIS 2.0 JSON schema, which clusterbrain does not
ship (decision 0010): CI reads it from ../shared/benchmarks/epcis, a deployment from
CLUSTERBRAIN_EPCIS_SCHEMA. Where neither is there (a clone outside the workspace), those tests
are skipped with the reason, instead of failing on a file that is not ours to ship.
`tests/api/test_epcis_schema_missing.py` checks what a server without the schema answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterbrain.engines.epcis.validate import SchemaNotFound, schema_path


def schema_missing() -> str | None:
    """Why the schema cannot be read, or None when it can."""
    try:
        schema_path()
    except SchemaNotFound as exc:
        return str(exc)
    return None


MISSING = schema_missing()

# the tests that capture events (directly, or in their fixtures), relative to tests/
CAPTURING = (
    "trace/",
    "passport/",
    "review/test_issue5_review.py",
    "browser/test_trace_journey.py",
    "browser/test_passport_journey.py",
    "bench/test_trace_capture_bench.py",
)

TESTS = Path(__file__).resolve().parent


def skip_capturing(items: list[pytest.Item]) -> None:
    """Mark the capturing tests skipped, with the reason, when the schema cannot be read."""
    if MISSING is None:
        return
    skip = pytest.mark.skip(reason=f"captures EPCIS events, which needs GS1's schema: {MISSING}")
    for item in items:
        where = item.path.resolve()
        if where.is_relative_to(TESTS) and where.relative_to(TESTS).as_posix().startswith(
            CAPTURING
        ):
            item.add_marker(skip)
