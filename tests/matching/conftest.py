"""Fixtures of the matching tests; the data builder is in matchingdata.py (shared with the API,
page and browser tests)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from matchingdata import build_market  # noqa: E402


@pytest.fixture
def market(world):
    return build_market(world)
