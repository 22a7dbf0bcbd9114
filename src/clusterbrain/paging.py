"""Pages of an API list: `?page=` and `?per_page=`, the list itself as the body (so a client that
reads one page sees the shape it always saw) and the rest in headers, as GitHub's API does:
`X-Total-Count` and a `Link` header with `rel="next"`, `rel="prev"`, `rel="first"` and
`rel="last"` (RFC 8288). A page past the end is an empty list, never an error."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Schema

PER_PAGE_DEFAULT = 100
PER_PAGE_MAX = 1000

T = TypeVar("T")


class Paging(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="page number, from 1")
    per_page: int = Field(
        PER_PAGE_DEFAULT,
        ge=1,
        le=PER_PAGE_MAX,
        description=f"rows per page, at most {PER_PAGE_MAX}",
    )


def _link(request: HttpRequest, page: int, per_page: int, rel: str) -> str:
    query = request.GET.copy()
    query["page"], query["per_page"] = str(page), str(per_page)
    url = (
        request.build_absolute_uri(request.path)
        + "?"
        + urlencode(sorted(query.lists()), doseq=True)
    )
    return f'<{url}>; rel="{rel}"'


def paged(
    request: HttpRequest,
    response: HttpResponse,
    rows: QuerySet[Any, Any] | Sequence[T],
    paging: Paging,
    out: Callable[[Any], dict[str, Any]],
) -> list[dict[str, Any]]:
    """One page of `rows` through `out`, with the total and links set on `response`."""
    total = rows.count() if isinstance(rows, QuerySet) else len(rows)
    per_page = paging.per_page
    start = (paging.page - 1) * per_page
    last = max(1, -(-total // per_page))
    links = [_link(request, 1, per_page, "first"), _link(request, last, per_page, "last")]
    if start + per_page < total:
        links.insert(0, _link(request, paging.page + 1, per_page, "next"))
    if paging.page > 1:
        links.insert(0, _link(request, min(paging.page - 1, last), per_page, "prev"))
    response["X-Total-Count"] = str(total)
    response["Link"] = ", ".join(links)
    return [out(row) for row in rows[start : start + per_page]]
