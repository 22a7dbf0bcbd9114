"""Support awards in the JSON API under /api/v1/ (issue 7)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["awards"])
