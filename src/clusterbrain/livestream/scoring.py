"""ROI and streamer matching in plain Python (no Django): the selectors feed them plain rows,
tests feed them known answers (decision 0016).

ROI of a session: (GMV − returns − fees) ÷ fees, fees = slot fee + commission. A firm's share of
a session's fees is the session's fees × the firm's share of the items' GMV; a session whose
items sold nothing splits its fees equally among the firms featured. A firm's ROI over many
sessions is the sum of its net (GMV − returns − fee share) over the sum of its fee shares, so a
large session weighs as much as its money, not as one vote. No fees: ROI is None (undefined).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SessionRow:
    session: int
    streamer: int
    fees: float
    viewers: int
    orders: int
    gmv: float
    returns: float
    firms: tuple[int, ...]  # every firm featured


@dataclass(frozen=True)
class ItemRow:
    session: int
    firm: int
    category: str
    gmv: float
    returns: float


def roi(gmv: float, returns: float, fees: float) -> float | None:
    if fees <= 0:
        return None
    return (gmv - returns - fees) / fees


def fee_shares(session: SessionRow, items: Sequence[ItemRow]) -> dict[int, float]:
    """Each featured firm's share of the session's fees, by its share of the items' GMV."""
    by_firm: dict[int, float] = defaultdict(float)
    for it in items:
        by_firm[it.firm] += it.gmv
    total = sum(by_firm.values())
    firms = set(session.firms) | set(by_firm)
    if not firms:
        return {}
    if total <= 0:
        return {f: session.fees / len(firms) for f in firms}
    return {f: session.fees * by_firm.get(f, 0.0) / total for f in firms}


@dataclass
class FirmSession:
    session: int
    gmv: float
    returns: float
    fees: float

    @property
    def roi(self) -> float | None:
        return roi(self.gmv, self.returns, self.fees)


def firm_sessions(
    firm: int, sessions: Iterable[SessionRow], items: Sequence[ItemRow]
) -> list[FirmSession]:
    """The firm's GMV, returns and fee share in each session it was featured in or sold in."""
    by_session: dict[int, list[ItemRow]] = defaultdict(list)
    for it in items:
        by_session[it.session].append(it)
    out = []
    for s in sessions:
        its = by_session.get(s.session, [])
        if firm not in s.firms and not any(i.firm == firm for i in its):
            continue
        own = [i for i in its if i.firm == firm]
        out.append(
            FirmSession(
                s.session,
                sum(i.gmv for i in own),
                sum(i.returns for i in own),
                fee_shares(s, its).get(firm, 0.0),
            )
        )
    return out


def total_roi(rows: Iterable[FirmSession]) -> float | None:
    rows = list(rows)
    return roi(sum(r.gmv for r in rows), sum(r.returns for r in rows), sum(r.fees for r in rows))


# --- matching --------------------------------------------------------------------------------

WEIGHTS = {"fit": 0.4, "conversion": 0.25, "returns": 0.15, "roi": 0.2}


@dataclass
class Match:
    streamer: int
    score: float
    fit: float
    conversion: float | None
    return_rate: float | None
    peer_roi: float | None
    peer_firms: int
    sessions: int
    reasons: list[str] = field(default_factory=list)  # message keys with values, see selectors
    # withheld (fewer than k firms or one dominant): the streamer's conversion and return rate
    # (the firms' orders and returns as ratios) and, apart, the peers' ROI. The fit stays: the
    # categories a firm sells are on its public profile, not a figure
    figures_withheld: bool = False
    peer_withheld: bool = False


def _rests_on_few(gmv_by_firm: dict[int, float], firms: set[int], k: int, dominance: float) -> bool:
    total = sum(gmv_by_firm.values())
    top = max(gmv_by_firm.values(), default=0.0)
    # once items sold, the firms that sold (a featured firm or an item of 0 yuan made up k)
    sellers = {f for f, gmv in gmv_by_firm.items() if gmv > 0}
    return len(sellers or firms) < k or (total > 0 and top / total >= dominance)


def match_streamers(
    streamers: dict[int, Sequence[str]],
    sessions: Sequence[SessionRow],
    items: Sequence[ItemRow],
    categories: set[str],
    *,
    exclude_firm: int | None = None,
    k: int = 1,
    dominance: float = 1.01,
) -> list[Match]:
    """Rank streamers for `categories` by category fit (share of the streamer's past item GMV
    in them; a declared category without history counts half), past conversion (orders ÷
    viewers), return rate (returns ÷ GMV) and the ROI other firms made on those categories with
    the streamer. Each part is scaled to 0..1 across the candidates before weighting, so one
    streamer's huge audience does not drown the others; a missing part scores 0.

    A streamer's conversion and return rate resting on fewer than `k` firms or on one firm's
    `dominance` share of the items' GMV are left out, and so are peers' ROIs resting on so
    few: before scaling and weighting, so the score — whose other parts are shown — does not
    give them back. The defaults leave nothing out (the office and admins)."""
    by_session = {s.session: s for s in sessions}
    items_of: dict[int, list[ItemRow]] = defaultdict(list)
    for it in items:
        items_of[it.session].append(it)
    raw: list[Match] = []
    for sid, declared in streamers.items():
        own = [s for s in sessions if s.streamer == sid]
        gmv_all = sum(i.gmv for s in own for i in items_of[s.session])
        gmv_cat = sum(i.gmv for s in own for i in items_of[s.session] if i.category in categories)
        by_firm: dict[int, float] = defaultdict(float)
        for s in own:
            for i in items_of[s.session]:
                by_firm[i.firm] += i.gmv
        featured = {f for s in own for f in s.firms} | set(by_firm)
        hidden = bool(own) and _rests_on_few(by_firm, featured, k, dominance)
        fit = gmv_cat / gmv_all if gmv_all > 0 else 0.5 if categories & set(declared) else 0.0
        viewers = sum(s.viewers for s in own)
        conversion = sum(s.orders for s in own) / viewers if viewers and not hidden else None
        gmv = sum(s.gmv for s in own)
        return_rate = sum(s.returns for s in own) / gmv if gmv and not hidden else None
        peer_by_firm: dict[int, float] = defaultdict(float)
        peer_gmv = peer_returns = peer_fees = 0.0
        peers: set[int] = set()
        for s in own:
            its = items_of[s.session]
            shares = fee_shares(by_session[s.session], its)
            for f in {i.firm for i in its if i.category in categories}:
                if f == exclude_firm:
                    continue
                cat_items = [i for i in its if i.firm == f]
                firm_gmv = sum(i.gmv for i in cat_items)
                in_cat = sum(i.gmv for i in cat_items if i.category in categories)
                part = in_cat / firm_gmv if firm_gmv else 0.0
                peer_gmv += in_cat
                peer_by_firm[f] += in_cat
                peer_returns += sum(i.returns for i in cat_items if i.category in categories)
                peer_fees += shares.get(f, 0.0) * part
                peers.add(f)
        peer_hidden = bool(peers) and _rests_on_few(peer_by_firm, peers, k, dominance)
        raw.append(
            Match(
                sid,
                0.0,
                fit,
                conversion,
                return_rate,
                None if peer_hidden else roi(peer_gmv, peer_returns, peer_fees),
                len(peers),
                len(own),
                figures_withheld=hidden,
                peer_withheld=peer_hidden,
            )
        )
    max_conv = max((m.conversion or 0.0 for m in raw), default=0.0)
    max_roi = max((m.peer_roi or 0.0 for m in raw), default=0.0)
    for m in raw:
        conv = (m.conversion or 0.0) / max_conv if max_conv > 0 else 0.0
        ret = 1.0 - min(1.0, m.return_rate) if m.return_rate is not None else 0.0
        r = max(0.0, m.peer_roi or 0.0) / max_roi if max_roi > 0 else 0.0
        m.score = (
            WEIGHTS["fit"] * m.fit
            + WEIGHTS["conversion"] * conv
            + WEIGHTS["returns"] * ret
            + WEIGHTS["roi"] * r
        )
    raw.sort(key=lambda m: (-m.score, m.streamer))
    return raw
