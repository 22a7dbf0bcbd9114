"""Reads of the livestream base with its permissions (decision 0016): the schedule and
streamers' public profiles for signed-in users; a firm's items, fee shares and ROI for the firm
(and the office, admins); session totals — an aggregate over the firms featured — withheld
below k firms or under one dominant firm for everyone but the office of the cluster and admins
(decisions 0003, 0015)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.errors import Forbidden, InvalidInput, NotFound
from clusterbrain.livestream import permissions, scoring, services
from clusterbrain.livestream.models import LivestreamSession, SessionItem, SessionStatus, Streamer
from clusterbrain.market.selectors import DOMINANCE
from clusterbrain.registry.models import Cluster, Enterprise
from clusterbrain.registry.selectors import as_id, min_firms, suppression_note


def _require_member(user: Any) -> None:
    if not permissions.is_member_user(user):
        raise Forbidden(_("Sign in to see the livestream base."))


def streamers(cluster: Cluster, user: Any) -> QuerySet[Streamer]:
    """The streamers the base works with (public profile; the commission rate is for the
    operator, and the API leaves it out for others)."""
    _require_member(user)
    return Streamer.objects.filter(cluster=cluster)


def get_streamer(streamer_id: Any, user: Any) -> Streamer:
    _require_member(user)
    pk = as_id(streamer_id)
    found = Streamer.objects.select_related("cluster").filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound(_("No such streamer."))
    return found


def get_session(session_id: Any, user: Any) -> LivestreamSession:
    _require_member(user)
    pk = as_id(session_id)
    found = (
        LivestreamSession.objects.select_related("streamer", "cluster").filter(pk=pk).first()
        if pk
        else None
    )
    if found is None:
        raise NotFound(_("No such session."))
    return found


@dataclass(frozen=True)
class Totals:
    """A session's results as shown to one viewer: None values with `withheld` when they rest
    on fewer than k firms or one firm dominates."""

    viewers: int | None
    peak_viewers: int | None
    items_shown: int | None
    orders: int | None
    gmv: float | None
    returns_value: float | None
    fees: float | None
    roi: float | None
    firms: int
    withheld: bool
    min_firms: int

    @property
    def suppression_note(self) -> str:
        return suppression_note(self.min_firms) if self.withheld else ""


def _featured(session: LivestreamSession, items: list[SessionItem]) -> set[int]:
    return {f.pk for f in session.firms.all()} | {i.enterprise_id for i in items}


def totals(session: LivestreamSession, user: Any, items: list[SessionItem] | None = None) -> Totals:
    items = list(session.items.all()) if items is None else items
    firms = _featured(session, items)
    k = min_firms()
    open_ = permissions.can_view_all_figures(user, session.cluster)
    by_firm: dict[int, float] = defaultdict(float)
    for it in items:
        by_firm[it.enterprise_id] += it.gmv
    total = sum(by_firm.values())
    dominant = total > 0 and max(by_firm.values()) / total >= DOMINANCE
    # Once items sold, the totals rest on the firms that sold, not on every firm featured: a
    # featured firm that sold nothing let a seller of a two-seller session take the session's
    # GMV less its own for the other's (review of issue 6).
    sellers = {f for f, gmv in by_firm.items() if gmv > 0}
    resting_on = sellers if sellers else firms
    withheld = not open_ and (len(resting_on) < k or dominant)
    if withheld:
        return Totals(None, None, None, None, None, None, None, None, len(firms), True, k)
    return Totals(
        session.viewers,
        session.peak_viewers,
        session.items_shown,
        session.orders,
        session.gmv,
        session.returns_value,
        session.fees,
        scoring.roi(session.gmv or 0.0, session.returns_value or 0.0, session.fees)
        if session.status == SessionStatus.DONE
        else None,
        len(firms),
        False,
        k,
    )


def _session_row(s: LivestreamSession, firms: set[int]) -> scoring.SessionRow:
    return scoring.SessionRow(
        s.pk,
        s.streamer_id,
        s.fees,
        s.viewers or 0,
        s.orders or 0,
        s.gmv or 0.0,
        s.returns_value or 0.0,
        tuple(sorted(firms)),
    )


def _item_row(i: SessionItem) -> scoring.ItemRow:
    return scoring.ItemRow(i.session_id, i.enterprise_id, i.category, i.gmv, i.returns_value)


@dataclass
class SessionView:
    session: LivestreamSession
    totals: Totals
    items: list[SessionItem]  # the items this viewer may see
    all_items: bool  # every firm's, or only the viewer's own firm's
    own_firm: int | None
    own_fees: float | None
    own_roi: float | None
    firms: list[Enterprise]
    can_manage: bool


def session_view(session: LivestreamSession, user: Any) -> SessionView:
    items = list(session.items.select_related("enterprise", "product"))
    firms = list(session.firms.all())
    open_ = permissions.can_view_all_figures(user, session.cluster)
    own = permissions.firm_of(user)
    visible = items if open_ else [i for i in items if i.enterprise_id == own]
    own_fees = own_roi = None
    featured = _featured(session, items)
    if own is not None and own in featured and session.status == SessionStatus.DONE:
        row = _session_row(session, featured)
        fs = scoring.firm_sessions(own, [row], [_item_row(i) for i in items])
        if fs:
            own_fees, own_roi = fs[0].fees, fs[0].roi
    return SessionView(
        session,
        totals(session, user, items),
        visible,
        open_,
        own,
        own_fees,
        own_roi,
        firms,
        permissions.can_manage(user, session.cluster),
    )


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@dataclass
class Week:
    start: datetime.date
    days: list[tuple[datetime.date, list[LivestreamSession]]]


def schedule(cluster: Cluster, user: Any, start: datetime.date, weeks: int = 2) -> list[Week]:
    """The base's sessions by week and day from the Monday of `start`: who streams when, for
    which firms, and the status. No figures (those are per session)."""
    _require_member(user)
    if not services.FIRST_YEAR <= start.year <= services.LAST_YEAR:
        # the first and last weeks a date can hold have no fortnight after or before them
        raise InvalidInput.field("week", services._year_message())
    monday = week_start(start)
    first = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
    last = first + datetime.timedelta(days=7 * weeks)
    sessions = (
        LivestreamSession.objects.filter(cluster=cluster, start__gte=first, start__lt=last)
        .select_related("streamer")
        .prefetch_related("firms")
        .order_by("start")
    )
    by_day: dict[datetime.date, list[LivestreamSession]] = defaultdict(list)
    for s in sessions:
        by_day[timezone.localtime(s.start).date()].append(s)
    out = []
    for w in range(weeks):
        ws = monday + datetime.timedelta(days=7 * w)
        days = [
            (ws + datetime.timedelta(days=d), by_day.get(ws + datetime.timedelta(days=d), []))
            for d in range(7)
        ]
        out.append(Week(ws, days))
    return out


def _done(
    cluster: Cluster,
) -> tuple[list[scoring.SessionRow], list[scoring.ItemRow], dict[int, LivestreamSession]]:
    sessions = {
        s.pk: s
        for s in LivestreamSession.objects.filter(cluster=cluster, status=SessionStatus.DONE)
        .select_related("streamer")
        .order_by("start")
    }
    featured: dict[int, set[int]] = defaultdict(set)
    for sid, fid in LivestreamSession.firms.through.objects.filter(
        livestreamsession_id__in=list(sessions)
    ).values_list("livestreamsession_id", "enterprise_id"):
        featured[sid].add(fid)
    items = [
        scoring.ItemRow(*row)
        for row in SessionItem.objects.filter(session__in=list(sessions)).values_list(
            "session_id", "enterprise_id", "category", "gmv", "returns_value"
        )
    ]
    for it in items:
        featured[it.session].add(it.firm)
    rows = [_session_row(s, featured[s.pk]) for s in sessions.values()]
    return rows, items, sessions


@dataclass
class FirmRoi:
    enterprise: Enterprise
    sessions: list[dict[str, Any]]
    gmv: float
    returns: float
    fees: float
    roi: float | None
    by_streamer: list[dict[str, Any]] = field(default_factory=list)


def firm_roi(enterprise: Enterprise, user: Any) -> FirmRoi:
    """The firm's GMV, returns, fee share and ROI per session and in all (decision 0016). Only
    the firm itself, the office of its cluster and admins; others get 404 as for an absent firm."""
    if not permissions.can_view_firm(user, enterprise):
        raise NotFound(_("No such enterprise."))
    rows, items, sessions = _done(enterprise.cluster)
    per = scoring.firm_sessions(enterprise.pk, rows, items)
    out = []
    streamer_totals: dict[int, list[scoring.FirmSession]] = defaultdict(list)
    for fs in per:
        s = sessions[fs.session]
        streamer_totals[s.streamer_id].append(fs)
        out.append(
            {
                "session": s,
                "id": s.pk,
                "start": s.start,
                "streamer": s.streamer.name,
                "gmv": fs.gmv,
                "returns": fs.returns,
                "fees": fs.fees,
                "roi": fs.roi,
            }
        )
    names = {s.streamer_id: s.streamer for s in sessions.values()}
    by_streamer: list[dict[str, Any]] = [
        {
            "streamer": names[sid],
            "sessions": len(v),
            "gmv": sum(x.gmv for x in v),
            "fees": sum(x.fees for x in v),
            "roi": scoring.total_roi(v),
        }
        for sid, v in streamer_totals.items()
    ]
    by_streamer.sort(key=lambda r: -(r["roi"] if r["roi"] is not None else -1e9))
    return FirmRoi(
        enterprise,
        out,
        sum(f.gmv for f in per),
        sum(f.returns for f in per),
        sum(f.fees for f in per),
        scoring.total_roi(per),
        by_streamer,
    )


@dataclass
class MatchRow:
    streamer: Streamer
    rank: int
    score: float
    fit: float
    conversion: float | None
    return_rate: float | None
    peer_roi: float | None
    peer_roi_withheld: bool
    sessions: int
    reasons: list[str]


def firm_categories(enterprise: Enterprise) -> set[str]:
    """What a firm sells: its products' categories and what it sold in past sessions."""
    cats = set(enterprise.products.values_list("category", flat=True))
    cats |= set(
        SessionItem.objects.filter(enterprise=enterprise).values_list("category", flat=True)
    )
    return {c for c in cats if c}


def _pct(x: float) -> str:
    return f"{x * 100:.1f} %"


def matches(
    cluster: Cluster, user: Any, *, enterprise: Enterprise | None = None, category: str = ""
) -> list[MatchRow]:
    """Streamers ranked for a firm (its categories) or a category, each with why. Peers' ROI
    is an aggregate over other firms' figures: withheld below k firms for all but the office
    and admins. A firm's ranking is for the firm itself (and the office, admins)."""
    _require_member(user)
    if enterprise is not None:
        if not permissions.can_view_firm(user, enterprise):
            raise NotFound(_("No such enterprise."))
        cats = firm_categories(enterprise)
    else:
        cats = {category.strip()} if category.strip() else set()
    open_ = permissions.can_view_all_figures(user, cluster)
    k = min_firms()
    people = {s.pk: s for s in Streamer.objects.filter(cluster=cluster)}
    rows, items, _sessions = _done(cluster)
    ranked = scoring.match_streamers(
        {pk: s.categories for pk, s in people.items()},
        rows,
        items,
        cats,
        exclude_firm=enterprise.pk if enterprise is not None else None,
        k=1 if open_ else k,
        dominance=1.01 if open_ else DOMINANCE,
    )
    out = []
    for n, m in enumerate(ranked, start=1):
        withheld = m.peer_withheld
        reasons = [
            _("%(share)s of the streamer's past GMV was in these categories.")
            % {"share": _pct(m.fit)}
            if m.sessions
            else (
                _("No sessions yet; the streamer lists these categories.")
                if m.fit
                else _("No sessions yet, and the streamer does not list these categories.")
            )
        ]
        if m.conversion is not None:
            reasons.append(
                _("Converts %(rate)s of viewers into orders.") % {"rate": _pct(m.conversion)}
            )
        if m.return_rate is not None:
            reasons.append(_("Returns are %(rate)s of GMV.") % {"rate": _pct(m.return_rate)})
        if m.figures_withheld:
            reasons.append(suppression_note(k))
        if m.peer_roi is not None and not withheld:
            reasons.append(
                _(
                    "Other firms selling these categories with this streamer made an ROI "
                    "of %(roi).2f over %(n)d firms."
                )
                % {"roi": m.peer_roi, "n": m.peer_firms}
            )
        elif withheld:
            reasons.append(suppression_note(k))
        out.append(
            MatchRow(
                people[m.streamer],
                n,
                m.score,
                m.fit,
                m.conversion,
                m.return_rate,
                None if withheld else m.peer_roi,
                withheld,
                m.sessions,
                reasons,
            )
        )
    return out
