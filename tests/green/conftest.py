"""Fixtures of the green tests; the data builder is in greendata.py (shared with the browser
journey)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from greendata import build_green  # noqa: E402


@pytest.fixture
def green(world):
    return build_green(world)
