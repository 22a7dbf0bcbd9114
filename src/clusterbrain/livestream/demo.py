"""Demo livestream base of Xinji (the base at the International Leather City that Xinji's
report mentions) and of Shiling: five streamers each, about 45 sessions over the last year
with results and a few planned in the next two weeks (demo.loader calls `load_livestream_demo`
in the same transaction as the registry).

One streamer per cluster is planted as the clear fit for one category (most of her GMV in it,
the best conversion, few returns) so the match page has a right answer to show; the others
sell a mix. Written with bulk_create (well under a second a cluster); deterministic for a seed.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from clusterbrain.livestream.models import (
    LivestreamSession,
    SessionItem,
    SessionStatus,
    Streamer,
)
from clusterbrain.registry.models import Cluster, Enterprise

# name, platform, categories (first = strongest), followers, commission rate, conversion, returns
STREAMERS = {
    "xinji": [
        ("皮草小雪", "douyin", ["shearling_coat", "fur_collar"], 860_000, 0.12, 0.055, 0.08),
        ("辛集皮衣哥", "kuaishou", ["leather_jacket", "leather_vest"], 420_000, 0.10, 0.030, 0.18),
        (
            "阿强穿搭",
            "douyin",
            ["leather_jacket", "leather_trousers"],
            1_300_000,
            0.15,
            0.022,
            0.25,
        ),
        ("皮都优选", "taobao_live", ["leather_vest", "fur_collar"], 210_000, 0.08, 0.026, 0.15),
        (
            "老李工厂店",
            "wechat_channels",
            ["leather_trousers", "leather_jacket"],
            65_000,
            0.06,
            0.035,
            0.12,
        ),
    ],
    "shiling": [
        ("包包阿美", "douyin", ["handbag", "wallet"], 950_000, 0.12, 0.050, 0.09),
        ("狮岭箱包王", "kuaishou", ["luggage", "backpack"], 380_000, 0.10, 0.028, 0.16),
        ("潮包小陈", "douyin", ["backpack", "handbag"], 720_000, 0.14, 0.024, 0.22),
        ("皮具好物", "taobao_live", ["belt", "wallet"], 160_000, 0.08, 0.030, 0.14),
        ("花都源头厂", "wechat_channels", ["wallet", "belt"], 48_000, 0.06, 0.033, 0.11),
    ],
}
PRICE = {
    "shearling_coat": 1500.0, "fur_collar": 160.0, "leather_jacket": 680.0,
    "leather_vest": 380.0, "leather_trousers": 420.0, "handbag": 260.0, "wallet": 90.0,
    "backpack": 180.0, "luggage": 420.0, "belt": 70.0,
}  # fmt: skip
SESSIONS = 45
PLANNED = 4
FIRMS = 20


def load_livestream_demo(
    cluster: Cluster, *, today: datetime.date | None = None, seed: int = 5
) -> int:
    """Write the cluster's demo base; returns the number of sessions (0 for other clusters)."""
    people = STREAMERS.get(cluster.slug)
    if people is None:
        return 0
    firms = list(
        Enterprise.objects.filter(cluster=cluster, in_cluster=True)
        .order_by("-is_leading", "-above_designated_size", "pk")
        .values_list("pk", flat=True)[:FIRMS]
    )
    if len(firms) < 3:
        return 0
    rng = random.Random(f"{cluster.slug}:{seed}")
    streamers = Streamer.objects.bulk_create(
        Streamer(cluster=cluster, name=n, platform=p, categories=c, followers=f, commission_rate=r)
        for n, p, c, f, r, _conv, _ret in people
    )
    profile = {s.pk: people[i] for i, s in enumerate(streamers)}
    all_categories = sorted({c for p in people for c in p[2]})
    firm_categories = {f: rng.sample(all_categories, 2) for f in firms}
    today = today or timezone.localdate()
    sessions: list[LivestreamSession] = []
    featured: list[list[int]] = []
    plans: list[list[tuple[int, str, float, float, float]]] = []
    for i in range(SESSIONS + PLANNED):
        planned = i >= SESSIONS
        day = (
            today + datetime.timedelta(days=2 + 3 * (i - SESSIONS))
            if planned
            else today - datetime.timedelta(days=360 - i * 8)
        )
        streamer = rng.choice(streamers)
        _n, _p, cats, followers, rate, conv, ret = profile[streamer.pk]
        start = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(rng.choice([19, 20]), 0))
        )
        chosen = rng.sample(firms, rng.randint(3, 5))
        session = LivestreamSession(
            cluster=cluster,
            streamer=streamer,
            start=start,
            duration_minutes=rng.choice([120, 150, 180]),
            status=SessionStatus.PLANNED if planned else SessionStatus.DONE,
            slot_fee=float(rng.choice([2000, 3000, 5000, 8000])),
        )
        items: list[tuple[int, str, float, float, float]] = []
        if not planned:
            viewers = int(followers * rng.uniform(0.08, 0.2))
            orders = int(viewers * conv * rng.uniform(0.8, 1.2))
            gmv = returns = 0.0
            shares = [rng.uniform(0.5, 1.5) for _ in chosen]
            for firm, share in zip(chosen, shares, strict=True):
                # the streamer's own categories sell; a firm's other ones barely
                cat = cats[0] if rng.random() < 0.6 else rng.choice(firm_categories[firm])
                fit = 1.0 if cat in cats else 0.2
                units = max(1.0, round(orders * share / sum(shares) * fit))
                value = units * PRICE[cat] * rng.uniform(0.6, 0.9)  # livestream prices
                back = value * ret * rng.uniform(0.7, 1.3)
                items.append((firm, cat, units, round(value, 2), round(back, 2)))
                gmv += round(value, 2)
                returns += round(back, 2)
            session.viewers = viewers
            session.peak_viewers = int(viewers * rng.uniform(0.15, 0.3))
            session.items_shown = rng.randint(20, 60)
            session.orders = orders
            session.gmv = round(gmv, 2)
            session.returns_value = round(returns, 2)
            session.commission = round(rate * (gmv - returns), 2)
        sessions.append(session)
        featured.append(chosen)
        plans.append(items)
    LivestreamSession.objects.bulk_create(sessions)
    through = LivestreamSession.firms.through
    through.objects.bulk_create(
        through(livestreamsession_id=s.pk, enterprise_id=f)
        for s, chosen in zip(sessions, featured, strict=True)
        for f in chosen
    )
    SessionItem.objects.bulk_create(
        SessionItem(
            session_id=s.pk,
            enterprise_id=firm,
            category=cat,
            units=units,
            gmv=value,
            returns_value=back,
        )
        for s, items in zip(sessions, plans, strict=True)
        for firm, cat, units, value, back in items
    )
    return len(sessions)
