"""The JSON API: one NinjaAPI, each domain adds its router under /api/v1/. OpenAPI at /api/docs."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="clusterbrain API",
    version="1",
    description="The cluster registry, chains and figures. Same permissions as the pages.",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
