"""Fixtures of the finance tests; the data builder is in financedata.py (shared with the
browser journey)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from financedata import build_finance  # noqa: E402


@pytest.fixture
def fin(world):
    return build_finance(world)
