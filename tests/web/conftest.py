"""Fixtures of the page tests; the data builder is in webdata.py (shared with tests/browser)."""

from __future__ import annotations

import pytest
from webdata import build_site


@pytest.fixture
def site(world):
    return build_site(world)
