"""The livestream base in the JSON API under /api/v1/ (decision 0016). Every call needs a
session (with CSRF) or a bearer token: anonymous callers get 401. Writes are the base
operator's (the association of the cluster) and admins' (403 for others); a firm's ROI and its
match list are the firm's own (404 for others, like an absent firm); session totals resting on
fewer than k firms or on one dominant firm are null and flagged `withheld` but for the office of
the cluster and admins. Errors: `{"detail": …, "errors": [{"loc": […], "msg": …}]}`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from clusterbrain.accounts.auth import WRITE_AUTH
from clusterbrain.errors import FieldError, InvalidInput
from clusterbrain.livestream import permissions, selectors, services
from clusterbrain.livestream.models import LivestreamSession, Platform, Streamer
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry.api import ERRORS
from clusterbrain.registry.models import Enterprise
from clusterbrain.registry.selectors import as_id

router = Router(tags=["livestream"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class StreamerOut(Schema):
    id: int
    name: str
    platform: str
    categories: list[str]
    followers: int
    commission_rate: float | None = Field(description="Only for the base's operator")


def streamer_out(s: Streamer, user: Any) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "platform": s.platform,
        "categories": list(s.categories),
        "followers": s.followers,
        "commission_rate": s.commission_rate if permissions.can_manage(user, s.cluster) else None,
    }


class StreamerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=120)
    platform: Platform
    categories: list[str] = []
    followers: int = 0
    commission_rate: float = Field(0.0, allow_inf_nan=False)


@router.get(
    "/clusters/{slug}/livestream/streamers",
    response={200: list[StreamerOut], **ERRORS},
    auth=WRITE_AUTH,
)
def list_streamers(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """The streamers the base works with: public profile (commission rate for the operator)."""
    user = _user(request)
    cluster = registry_selectors.get_cluster(slug)
    return [streamer_out(s, user) for s in selectors.streamers(cluster, user)]


@router.post(
    "/clusters/{slug}/livestream/streamers",
    response={201: StreamerOut, **ERRORS},
    auth=WRITE_AUTH,
)
def add_streamer(request: HttpRequest, slug: str, payload: StreamerIn) -> Status[dict[str, Any]]:
    user = _user(request)
    cluster = registry_selectors.get_cluster(slug)
    s = services.save_streamer(
        user,
        cluster,
        name=payload.name,
        platform=payload.platform.value,
        categories=payload.categories,
        followers=payload.followers,
        commission_rate=payload.commission_rate,
    )
    return Status(201, streamer_out(s, user))


class TotalsOut(Schema):
    viewers: int | None
    peak_viewers: int | None
    items_shown: int | None
    orders: int | None
    gmv: float | None = Field(description="yuan")
    returns_value: float | None
    fees: float | None = Field(description="slot fee + commission, yuan")
    roi: float | None = Field(description="(GMV - returns - fees) / fees")
    firms: int
    withheld: bool


class ItemOut(Schema):
    id: int
    enterprise: int
    product: int | None
    category: str
    units: float
    gmv: float
    returns_value: float


class SessionOut(Schema):
    id: int
    streamer: int
    streamer_name: str
    title: str
    start: datetime.datetime
    duration_minutes: int
    status: str
    firms: list[int]


class SessionDetail(SessionOut):
    totals: TotalsOut
    items: list[ItemOut] = Field(description="Every firm's for the office; the viewer's own else")
    own_fees: float | None = Field(description="The viewer's firm's share of the fees")
    own_roi: float | None


def session_out(s: LivestreamSession) -> dict[str, Any]:
    return {
        "id": s.pk,
        "streamer": s.streamer_id,
        "streamer_name": s.streamer.name,
        "title": s.title,
        "start": s.start,
        "duration_minutes": s.duration_minutes,
        "status": s.status,
        "firms": sorted(f.pk for f in s.firms.all()),
    }


def detail_out(s: LivestreamSession, user: Any) -> dict[str, Any]:
    view = selectors.session_view(s, user)
    t = view.totals
    return {
        **session_out(s),
        "totals": {k: getattr(t, k) for k in TotalsOut.model_fields},
        "items": [
            {
                "id": i.pk,
                "enterprise": i.enterprise_id,
                "product": i.product_id,
                "category": i.category,
                "units": i.units,
                "gmv": i.gmv,
                "returns_value": i.returns_value,
            }
            for i in view.items
        ],
        "own_fees": view.own_fees,
        "own_roi": view.own_roi,
    }


class WeekQuery(Schema):
    week: datetime.date | None = Field(None, description="Any day of the first week")
    weeks: int = Field(2, ge=1, le=12)


@router.get(
    "/clusters/{slug}/livestream/sessions",
    response={200: list[SessionOut], **ERRORS},
    auth=WRITE_AUTH,
)
def list_sessions(request: HttpRequest, slug: str, query: Query[WeekQuery]) -> list[dict[str, Any]]:
    """The base's schedule from the Monday of `week` (this week when absent)."""
    cluster = registry_selectors.get_cluster(slug)
    weeks = selectors.schedule(
        cluster, _user(request), query.week or timezone.localdate(), query.weeks
    )
    return [session_out(s) for w in weeks for _day, day in w.days for s in day]


class SessionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    streamer: int
    start: datetime.datetime
    duration_minutes: int | None = None
    end: datetime.datetime | None = None
    firms: list[int] = []
    title: str = Field("", max_length=200)
    slot_fee: float = Field(0.0, allow_inf_nan=False)


@router.post(
    "/clusters/{slug}/livestream/sessions",
    response={201: SessionDetail, **ERRORS},
    auth=WRITE_AUTH,
)
def add_session(request: HttpRequest, slug: str, payload: SessionIn) -> Status[dict[str, Any]]:
    """Schedule a session; an overlapping one of the same streamer is refused at `start`."""
    user = _user(request)
    cluster = registry_selectors.get_cluster(slug)
    streamer = selectors.get_streamer(payload.streamer, user)
    if streamer.cluster_id != cluster.pk:
        raise InvalidInput.field("streamer", _("This streamer does not work with this base."))
    # an id beyond the database's integer (10**30) overflowed the query: a 500
    ids = [as_id(pk) for pk in payload.firms]
    firms = list(Enterprise.objects.filter(pk__in=[pk for pk in ids if pk is not None]))
    found = {f.pk for f in firms}
    missing = [i for i, pk in enumerate(ids) if pk is None or pk not in found]
    if missing:
        raise InvalidInput(
            _("No such enterprise."),
            [FieldError(("firms", i), _("No such enterprise.")) for i in missing],
        )
    s = services.schedule_session(
        user,
        streamer,
        start=payload.start,
        duration_minutes=payload.duration_minutes,
        end=payload.end,
        firms=firms,
        title=payload.title,
        slot_fee=payload.slot_fee,
    )
    return Status(201, detail_out(s, user))


@router.get(
    "/livestream/sessions/{session_id}", response={200: SessionDetail, **ERRORS}, auth=WRITE_AUTH
)
def get_session(request: HttpRequest, session_id: int) -> dict[str, Any]:
    user = _user(request)
    return detail_out(selectors.get_session(session_id, user), user)


class ItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    enterprise: int
    product: int | None = None
    category: str = Field("", max_length=80)
    units: float = Field(0.0, allow_inf_nan=False)
    gmv: float = Field(0.0, allow_inf_nan=False)
    returns_value: float = Field(0.0, allow_inf_nan=False)


class ResultsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    viewers: int | None = None
    peak_viewers: int | None = None
    items_shown: int | None = None
    orders: int | None = None
    gmv: float | None = Field(None, allow_inf_nan=False)
    returns_value: float | None = Field(None, allow_inf_nan=False)
    slot_fee: float | None = Field(None, allow_inf_nan=False)
    commission: float | None = Field(
        None, allow_inf_nan=False, description="Default: the streamer's rate × (GMV - returns)"
    )
    items: list[ItemIn] = []


@router.post(
    "/livestream/sessions/{session_id}/results",
    response={200: SessionDetail, **ERRORS},
    auth=WRITE_AUTH,
)
def record_results(request: HttpRequest, session_id: int, payload: ResultsIn) -> dict[str, Any]:
    """Record the results (the session becomes done); items replace earlier ones. Refused
    values are named by field (`["items", n, field]` for an item), nothing saved."""
    user = _user(request)
    session = selectors.get_session(session_id, user)
    data = payload.model_dump()
    items = data.pop("items")
    commission = data.pop("commission")
    results = {k: v for k, v in data.items() if v is not None}
    s = services.record_results(user, session, results=results, items=items, commission=commission)
    return detail_out(s, user)


@router.post(
    "/livestream/sessions/{session_id}/cancel",
    response={200: SessionDetail, **ERRORS},
    auth=WRITE_AUTH,
)
def cancel_session(request: HttpRequest, session_id: int) -> dict[str, Any]:
    user = _user(request)
    s = services.cancel_session(user, selectors.get_session(session_id, user))
    return detail_out(s, user)


class FirmSessionOut(Schema):
    session: int
    start: datetime.datetime
    streamer: str
    gmv: float
    returns: float
    fees: float = Field(description="The firm's share of the session's fees, by its GMV share")
    roi: float | None


class FirmRoiOut(Schema):
    enterprise: int
    gmv: float
    returns: float
    fees: float
    roi: float | None
    sessions: list[FirmSessionOut]


@router.get(
    "/enterprises/{enterprise_id}/livestream/roi",
    response={200: FirmRoiOut, **ERRORS},
    auth=WRITE_AUTH,
)
def firm_roi(request: HttpRequest, enterprise_id: int) -> dict[str, Any]:
    """The firm's livestream ROI per session and in all: the firm's own (and the office's)."""
    firm = registry_selectors.get_enterprise(enterprise_id)
    r = selectors.firm_roi(firm, _user(request))
    return {
        "enterprise": firm.pk,
        "gmv": r.gmv,
        "returns": r.returns,
        "fees": r.fees,
        "roi": r.roi,
        "sessions": [{**s, "session": s["id"]} for s in r.sessions],
    }


class MatchQuery(Schema):
    enterprise: int | None = Field(None, description="Rank for this firm's categories")
    category: str = Field("", max_length=80, description="…or for one category")


class MatchOut(Schema):
    rank: int
    streamer: StreamerOut
    score: float
    fit: float
    conversion: float | None
    return_rate: float | None
    peer_roi: float | None
    peer_roi_withheld: bool
    sessions: int
    reasons: list[str]


@router.get(
    "/clusters/{slug}/livestream/matches",
    response={200: list[MatchOut], **ERRORS},
    auth=WRITE_AUTH,
)
def matches(request: HttpRequest, slug: str, query: Query[MatchQuery]) -> list[dict[str, Any]]:
    """Streamers ranked for a firm or a category, each with its reasons."""
    user = _user(request)
    cluster = registry_selectors.get_cluster(slug)
    firm = (
        registry_selectors.get_enterprise(query.enterprise)
        if query.enterprise is not None
        else None
    )
    rows = selectors.matches(cluster, user, enterprise=firm, category=query.category)
    return [
        {
            **{k: getattr(m, k) for k in MatchOut.model_fields if k != "streamer"},
            "streamer": streamer_out(m.streamer, user),
        }
        for m in rows
    ]
