"""Fixtures of the programs tests; the data builder is in programsdata.py (shared with the
browser journey)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from programsdata import build_program  # noqa: E402


@pytest.fixture
def prog(world):
    return build_program(world)
