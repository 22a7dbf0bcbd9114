"""Fixtures of the adversarial review tests: the trace, passport and green test data builders
(tests/trace/tracedata.py, tests/passport/passportdata.py, tests/green/greendata.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_TESTS = Path(__file__).resolve().parents[1]
for _sub in ("trace", "passport", "green", "engines/epcis"):
    sys.path.insert(0, str(_TESTS / _sub))


@pytest.fixture(autouse=True)
def _fresh_genealogy():
    """Each test's database starts empty: the per-process lot graph must not outlive it."""
    from clusterbrain.trace.selectors import forget_genealogy

    forget_genealogy()
    yield
    forget_genealogy()
