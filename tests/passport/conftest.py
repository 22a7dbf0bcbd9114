"""Fixtures of the passport tests: small demo-like chains built by the demo's own builders
(`passport.demo`) on the `world` firms, captured through the trace app."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def _fresh_genealogy():
    """Each test's database starts empty: the per-process graph must not outlive it."""
    from clusterbrain.trace.selectors import forget_genealogy

    forget_genealogy()
    yield
    forget_genealogy()


@pytest.fixture
def leather(world):
    """Xinji-like chain: `sharing` trades hides, `own` tans (LWG gold), `leading` sews."""
    from passportdata import leather_chain

    return leather_chain(world)


@pytest.fixture
def silk(world):
    """Hechi-like chain with 12 households: `other` is the cooperative and a station,
    `sharing` reels, `own` weaves and sews (owner of the quilts and the scarf)."""
    from passportdata import silk_chain

    return silk_chain(world)
