"""Fixtures of the trace tests; data builders in tracedata.py (shared with the browser test)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engines" / "epcis"))


@pytest.fixture(autouse=True)
def _fresh_genealogy():
    """Each test's database starts empty: the per-process graph must not outlive it."""
    from clusterbrain.trace.selectors import forget_genealogy

    forget_genealogy()
    yield
    forget_genealogy()


@pytest.fixture
def places(world):
    from tracedata import add_locations

    return add_locations(world)


@pytest.fixture
def chain(world):
    from tracedata import silk_chain

    return silk_chain(world)
