"""Adversarial review of issue 6's apps (market, livestream) against DOMAIN.md's roles and
decisions 0014-0016: a firm's sales, products, leads and session items reach only the firm, the
office of its cluster and admins; an aggregate resting on fewer than k firms or on one dominant
firm is withheld and cannot be worked back from the figures shown beside it; bad input is a
4xx naming the field and changes nothing, never a 500.

Every test goes over HTTP with Django's test client (sessions and API tokens). A passing test
documents a path that was tried and held.
"""

from __future__ import annotations

import datetime
import io
import json
import os

import pytest
from django.utils import timezone

import factories
from clusterbrain.accounts.auth import create_api_token
from clusterbrain.accounts.models import Role
from clusterbrain.livestream import services as live
from clusterbrain.livestream.models import LivestreamSession, Streamer
from clusterbrain.market.models import (
    ExhibitionLead,
    Product,
    ReportSection,
    SalesRecord,
    TrendReport,
)
from clusterbrain.market.services import touch_cluster

pytestmark = pytest.mark.django_db

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
TODAY = datetime.date.today()


# --- helpers -----------------------------------------------------------------------------------


def token_client(client_for, user):
    _token, key = create_api_token(user)
    return client_for(None, HTTP_AUTHORIZATION=f"Bearer {key}")


def post_json(client, url, data):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(url, body, content_type="application/json")


def not_a_500(response):
    assert response.status_code < 500, (response.status_code, response.content[:500])
    assert b"Traceback" not in response.content


def locs(response):
    return [tuple(e["loc"]) for e in response.json().get("errors", [])]


def sell(firm, category, quantity, value, channel="ecommerce", day=None, **attrs):
    SalesRecord.objects.create(
        enterprise=firm,
        channel=channel,
        date=day or TODAY - datetime.timedelta(days=10),
        category=category,
        quantity=quantity,
        value=value,
        value_original=value,
        **attrs,
    )


def upload(client, firm, content, name="sales.csv", **fields):
    f = io.BytesIO(content)
    f.name = name
    return client.post(f"/api/v1/enterprises/{firm.pk}/sales/import", {"file": f, **fields})


@pytest.fixture
def market(world):
    """Cluster alpha: three firms sell handbags alike; `leading` alone sells luggage and
    wallets (two categories, each withheld), small beside the handbags so no total is
    dominated by it."""
    for firm in (world.own, world.sharing, world.other):
        sell(firm, "handbag", 10, 10_000)
    sell(world.leading, "luggage", 5, 777)
    sell(world.leading, "wallet", 3, 333)
    touch_cluster(world.a)
    return world


PUBLIC_VIEWERS = ("anonymous", "enterprise", "association", "bank", "office_b")


def viewer(world, who):
    return None if who == "anonymous" else getattr(world.users, who)


# --- k-anonymity: a withheld figure cannot be worked back ---------------------------------------


@pytest.mark.parametrize("who", PUBLIC_VIEWERS)
def test_two_withheld_categories_of_one_firm_are_not_the_total_less_the_rest(
    market, client_for, who
):
    """`leading` alone sells luggage and wallets: both withheld. The secondary rule withheld a
    sibling only when exactly one was withheld, so with two the cluster total less the shown
    handbags gave the one firm's sales (777 + 333 = 1,110 yuan). The withheld cells together
    must themselves rest on k firms with none dominant, or more is withheld."""
    body = client_for(viewer(market, who)).get("/api/v1/clusters/alpha/market").json()
    shown = [c["value"] for c in body["categories"] if not c["withheld"]]
    if body["value"] is not None and shown:
        assert round(body["value"] - sum(shown)) != 1_110
    chans = [c["value"] for c in body["channels"] if not c["withheld"]]
    if body["value"] is not None and chans:
        assert round(body["value"] - sum(chans)) != 1_110


@pytest.mark.parametrize("who", PUBLIC_VIEWERS)
def test_a_withheld_week_is_not_the_channel_total_less_the_other_weeks(world, client_for, who):
    """Three firms sell online every week; `leading` alone sells online in one week (its week
    withheld, fewer than k firms). The channel's 52-week total is shown, so the total less the
    weeks shown was the one firm's week: a weekly cell withheld must take a sibling with it."""
    for weeks_ago in (1, 2, 3):
        for firm in (world.own, world.sharing, world.other):
            sell(firm, "handbag", 10, 10_000, day=TODAY - datetime.timedelta(weeks=weeks_ago))
    sell(world.leading, "luggage", 5, 4_321, day=TODAY - datetime.timedelta(weeks=6))
    touch_cluster(world.a)
    body = client_for(viewer(world, who)).get("/api/v1/clusters/alpha/market").json()
    online = next(c for c in body["channels"] if c["channel"] == "ecommerce")
    weeks = [w for w in body["weekly"] if w["channel"] == "ecommerce"]
    assert any(w["withheld"] for w in weeks)
    if not online["withheld"]:
        rest = online["value"] - sum(w["value"] for w in weeks if not w["withheld"])
        assert round(rest) != 4_321


def test_the_office_still_sees_every_cell(market, client_for):
    """The fix withholds more from the public only: the office of the cluster sees every
    category, the total and the firms' rows unwithheld (decision 0015)."""
    body = client_for(market.users.office).get("/api/v1/clusters/alpha/market").json()
    cats = {c["category"]: c["value"] for c in body["categories"]}
    assert cats == {"handbag": 30_000, "luggage": 777, "wallet": 333}
    assert body["value"] == 31_110 and len(body["firm_rows"]) == 4


@pytest.mark.parametrize("who", ["association"])
def test_a_withheld_forecast_series_is_not_the_weekly_channel_less_the_series_shown(
    world, client_for, who
):
    """Three firms sell handbags online every week, `leading` alone sells luggage online every
    week: the luggage series is withheld, the handbag series shown (its history frozen into a
    report's forecast section) and the online channel's weekly quantity shown on the market
    API. The week's channel figure less the handbag history was `leading`'s luggage, week by
    week: the withheld series of a channel (and of a category) must add up to k firms."""
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    for w in range(1, 13):
        day = monday - datetime.timedelta(weeks=w)
        for n, firm in enumerate((world.own, world.sharing, world.other)):
            sell(firm, "handbag", 10 + n + w, 10_000, day=day)
        sell(world.leading, "luggage", 7, 700, day=day)
    touch_cluster(world.a)
    client = client_for(world.users.association)
    market = client.get("/api/v1/clusters/alpha/market").json()
    online = {w["week"]: w["quantity"] for w in market["weekly"] if w["channel"] == "ecommerce"}
    assert any(q is not None for q in online.values())
    forecasts = client.get("/api/v1/clusters/alpha/market/forecasts").json()
    shown = {(s["category"], s["channel"]) for s in forecasts["series"]}
    report = post_json(client, "/api/v1/clusters/alpha/market/reports", {"title_zh": "季报"})
    rid = report.json()["id"]
    added = post_json(
        client,
        f"/api/v1/market/reports/{rid}/sections",
        {"kind": "forecast", "figure": "handbag|ecommerce"},
    )
    not_a_500(added)
    if ("handbag", "ecommerce") in shown:
        assert added.status_code == 201
        history = added.json()["sections"][-1]["data"]["history"]
        for ds, y in zip(history["ds"], history["y"], strict=True):
            if online.get(ds) is not None:
                assert round(online[ds] - y) != 7, ds
    else:
        assert added.status_code == 422 and ("sections", 1, "figure") in locs(added)


# --- livestream: bad input is a 4xx naming the field, never a 500 ------------------------------


@pytest.fixture
def base(world):
    """A streamer of cluster alpha and a session that has taken place, featuring three firms."""
    assoc = world.users.association
    streamer = live.save_streamer(
        assoc, world.a, name="小美", platform="douyin", categories=["bags"], commission_rate=0.1
    )
    start = timezone.now() - datetime.timedelta(days=3)
    session = live.schedule_session(
        assoc,
        streamer,
        start=start,
        duration_minutes=60,
        firms=[world.own, world.sharing, world.other],
        slot_fee=1000,
    )
    return world, streamer, session


HUGE = 10**30


def test_huge_whole_numbers_at_the_livestream_base_are_refused_by_field(base, client_for):
    """Viewers, followers and a duration of 10**30 passed the checks (finite, not negative)
    and overflowed the database's integer column at the save (SQLite: OverflowError,
    PostgreSQL: out of range), or the date arithmetic: a 500 instead of the field named."""
    world, streamer, session = base
    client = client_for(world.users.association)
    r = post_json(client, f"/api/v1/livestream/sessions/{session.pk}/results", {"viewers": HUGE})
    not_a_500(r)
    assert r.status_code == 422 and ("viewers",) in locs(r)
    r = post_json(
        client,
        "/api/v1/clusters/alpha/livestream/streamers",
        {"name": "Big", "platform": "douyin", "followers": HUGE},
    )
    not_a_500(r)
    assert r.status_code == 422 and ("followers",) in locs(r)
    r = post_json(
        client,
        "/api/v1/clusters/alpha/livestream/sessions",
        {
            "streamer": streamer.pk,
            "start": (timezone.now() + datetime.timedelta(days=30)).isoformat(),
            "duration_minutes": 10**12,
        },
    )
    not_a_500(r)
    assert r.status_code == 422 and ("duration_minutes",) in locs(r)
    page = client.post(
        f"/livestream/sessions/{session.pk}/", {"viewers": "1e30", "orders": "99999999999999"}
    )
    not_a_500(page)
    assert page.status_code == 422
    session.refresh_from_db()
    assert session.viewers is None and session.status == "planned"
    assert not Streamer.objects.filter(name="Big").exists()
    assert LivestreamSession.objects.count() == 1


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "2026-02-30"])
def test_schedule_weeks_at_the_ends_of_the_calendar(base, client_for, week):
    """The schedule's `week`: the last or first representable week overflowed the date
    arithmetic (next/previous fortnight) and a well-formed impossible date raised in
    parse_date: a 500 on the page and the API instead of a 4xx or the nearest page."""
    world, _streamer, _session = base
    client = client_for(world.users.enterprise)
    page = client.get(f"/c/alpha/livestream/?week={week}")
    not_a_500(page)
    api = client.get(f"/api/v1/clusters/alpha/livestream/sessions?week={week}")
    not_a_500(api)
    if api.status_code != 200:
        assert api.status_code == 422 and any("week" in loc for loc in locs(api))


# --- market: bad input -------------------------------------------------------------------------


def test_nul_bytes_in_market_text_are_refused_by_field(market, client_for):
    """A NUL byte in a product's name, a lead's exhibition, a report's title or a section's
    text: PostgreSQL cannot store it (psycopg raises ValueError at the save: a 500 there, while
    SQLite kept it). Refused by field, nothing saved, on every database."""
    firm = market.own
    client = client_for(market.users.enterprise)
    r = post_json(
        client,
        f"/api/v1/enterprises/{firm.pk}/leads",
        {"exhibition": "Fair\x00", "date": "2026-01-05", "buyer_country": "IT"},
    )
    not_a_500(r)
    assert r.status_code == 422 and ("exhibition",) in locs(r)
    page = client.post(f"/firms/{firm.pk}/products/", {"name": "Bag\x00", "category": "handbag"})
    not_a_500(page)
    assert page.status_code == 422
    page = client.post(
        f"/firms/{firm.pk}/products/", {"name": "Bag", "category": "handbag", "sku": "S\x00"}
    )
    not_a_500(page)
    assert page.status_code == 422
    assoc = client_for(market.users.association)
    r = post_json(assoc, "/api/v1/clusters/alpha/market/reports", {"title_zh": "季\x00报"})
    not_a_500(r)
    assert r.status_code == 422 and ("title_zh",) in locs(r)
    rid = post_json(assoc, "/api/v1/clusters/alpha/market/reports", {"title_zh": "季报"}).json()[
        "id"
    ]
    r = post_json(
        assoc, f"/api/v1/market/reports/{rid}/sections", {"kind": "text", "body_zh": "a\x00b"}
    )
    not_a_500(r)
    assert r.status_code == 422 and ("sections", 1, "body_zh") in locs(r)
    assert not ExhibitionLead.objects.exists() and not Product.objects.exists()
    assert TrendReport.objects.count() == 1 and not ReportSection.objects.exists()


def test_nul_byte_in_a_sales_filter_is_refused(market, client_for):
    """`?category=` with a NUL byte would go into the query, which psycopg refuses (a 500 on
    PostgreSQL): refused before the view, naming `category`. Held."""
    client = client_for(market.users.enterprise)
    r = client.get(f"/api/v1/enterprises/{market.own.pk}/sales?category=a%00b")
    not_a_500(r)
    # the NUL middleware (web/) answers first: 400 naming the query parameter
    assert r.status_code in (400, 422) and any("category" in loc for loc in locs(r))


def test_nul_bytes_in_an_imported_file_are_named_by_row(market, client_for):
    """A CSV cell with a NUL byte: refused, nothing imported (PostgreSQL would refuse it at
    the insert: a 500 after every check passed). Held: the reader refuses the file."""
    client = client_for(market.users.enterprise)
    csv = "date,channel,category,quantity,value,product\n2026-01-05,online,hand\x00bag,1,10,x\n"
    r = upload(client, market.own, csv.encode())
    not_a_500(r)
    # the registry's reader takes a NUL for a binary file: the file is refused as a whole
    assert r.status_code == 422 and locs(r) in ([("row", 2, "category")], [("file",)])
    assert SalesRecord.objects.filter(enterprise=market.own).count() == 1


def test_section_headings_and_texts_over_their_length(market, client_for):
    """A section's heading is 200 characters in the table but was not checked: SQLite kept
    300, PostgreSQL refused it at the insert (a 500). A 422 naming the heading, nothing saved."""
    assoc = client_for(market.users.association)
    rid = post_json(assoc, "/api/v1/clusters/alpha/market/reports", {"title_zh": "季报"}).json()[
        "id"
    ]
    r = post_json(
        assoc,
        f"/api/v1/market/reports/{rid}/sections",
        {"kind": "text", "heading_zh": "长" * 300, "body_zh": "正文"},
    )
    not_a_500(r)
    assert r.status_code == 422 and ("sections", 1, "heading_zh") in locs(r)
    assert not ReportSection.objects.exists()
    page = assoc.post(
        f"/market/reports/{rid}/compose/",
        {"action": "add", "kind": "text", "heading_en": "x" * 201, "body_en": "body"},
    )
    not_a_500(page)
    assert page.status_code == 422 and not ReportSection.objects.exists()


@pytest.mark.parametrize(
    "quantity,value",
    [("1e308", "1e308"), ("1e400", "1"), ("nan", "1"), ("inf", "1"), ("1", "-0.0001")],
)
def test_huge_and_non_finite_numbers_in_an_import(market, client_for, quantity, value):
    """1e308 twice adds up to infinity in every total (the import's answer, the cluster's
    aggregates: JSON with Infinity, charts broken); 1e400, NaN and infinity are not numbers; a
    negative value is a return. Each is named by row and column, nothing imported."""
    client = client_for(market.users.enterprise)
    csv = (
        "date,channel,category,quantity,value\n"
        f"2026-01-05,online,handbag,{quantity},{value}\n"
        f"2026-01-06,online,handbag,{quantity},{value}\n"
    )
    r = upload(client, market.own, csv.encode())
    not_a_500(r)
    assert r.status_code == 422, r.content[:300]
    assert {loc[:2] for loc in locs(r)} >= {("row", 2)}
    assert SalesRecord.objects.filter(enterprise=market.own).count() == 1
    body = client_for(None).get("/api/v1/clusters/alpha/market")
    assert b"Infinity" not in body.content and b"NaN" not in body.content


def test_lead_values_beyond_a_float(market, client_for):
    """An estimated value of 10**400 (a JSON integer no float holds), 1e400 and a date in year
    0 or 99999: a 422 naming the field, no lead saved."""
    client = client_for(market.users.enterprise)
    url = f"/api/v1/enterprises/{market.own.pk}/leads"
    base = '{"exhibition": "Fair", "buyer_country": "IT", "date": "2026-01-05"'
    for body, field in (
        (base + ', "estimated_value": 1' + "0" * 400 + "}", "estimated_value"),
        (base + ', "estimated_value": 1e400}', "estimated_value"),
        ('{"exhibition": "Fair", "buyer_country": "IT", "date": "0000-01-01"}', "date"),
        ('{"exhibition": "Fair", "buyer_country": "IT", "date": "99999-01-01"}', "date"),
    ):
        r = post_json(client, url, body)
        not_a_500(r)
        assert r.status_code == 422 and any(field in loc for loc in locs(r)), (body[-40:], r.json())
    assert not ExhibitionLead.objects.exists()


def test_unknown_and_abusive_sales_query_parameters(market, client_for):
    """limit=10**9, a negative offset, an unknown channel: 422 naming the parameter. A sort or
    filter the endpoint does not have (`order_by=value`, `enterprise=…`) was silently ignored,
    so a caller believed a list filtered that was not: named and refused."""
    client = client_for(market.users.enterprise)
    url = f"/api/v1/enterprises/{market.own.pk}/sales"
    for query, name in (
        ("limit=1000000000", "limit"),
        ("offset=-1", "offset"),
        ("channel=secret", "channel"),
        ("order_by=value", "order_by"),
        (f"enterprise={market.leading.pk}", "enterprise"),
    ):
        r = client.get(f"{url}?{query}")
        not_a_500(r)
        assert r.status_code == 422 and any(name in loc for loc in locs(r)), (query, r.json())


def test_csrf_is_required_on_market_and_livestream_forms(base, client_for):
    """A logged-in session posting without the CSRF token (another site's form): refused 403
    on the pages and on the session-authenticated API, nothing saved."""
    world, _streamer, session = base
    from django.test import Client

    firm_client = Client(enforce_csrf_checks=True)
    firm_client.force_login(world.users.enterprise)
    r = firm_client.post(
        f"/firms/{world.own.pk}/leads/",
        {"exhibition": "Fair", "date": "2026-01-05", "buyer_country": "IT", "status": "new"},
    )
    assert r.status_code == 403
    r = post_json(
        firm_client,
        f"/api/v1/enterprises/{world.own.pk}/leads",
        {"exhibition": "Fair", "date": "2026-01-05", "buyer_country": "IT"},
    )
    assert r.status_code in (401, 403)
    assoc = Client(enforce_csrf_checks=True)
    assoc.force_login(world.users.association)
    r = assoc.post(f"/livestream/sessions/{session.pk}/", {"action": "cancel"})
    assert r.status_code == 403
    r = assoc.post("/c/alpha/market/reports/", {"title_zh": "季报"})
    assert r.status_code == 403
    session.refresh_from_db()
    assert session.status == "planned"
    assert not ExhibitionLead.objects.exists() and not TrendReport.objects.exists()


# --- livestream: a withheld figure cannot be worked back ---------------------------------------


def _done_session(world, streamer, days, firms, items, **results):
    assoc = world.users.association
    start = timezone.now() - datetime.timedelta(days=days)
    session = live.schedule_session(
        assoc, streamer, start=start, duration_minutes=60, firms=firms, slot_fee=0
    )
    live.record_results(assoc, session, results=results, items=items, commission=0)
    return session


@pytest.fixture
def two_streamers(world):
    """Amy streamed for three firms alike (peers' ROI 9 over 3 firms: shown); Bob once for
    `leading` alone (ROI 2, returns 25 %, 50 orders of 1,000 viewers: its own figures)."""
    assoc = world.users.association
    amy = live.save_streamer(assoc, world.a, name="Amy", platform="douyin", categories=["bags"])
    bob = live.save_streamer(assoc, world.a, name="Bob", platform="kuaishou", categories=["bags"])
    firms = [world.own, world.sharing, world.other]
    _done_session(
        world,
        amy,
        5,
        firms,
        [{"enterprise": f.pk, "category": "bags", "gmv": 10_000} for f in firms],
        viewers=10_000,
        orders=300,
        gmv=30_000,
        returns_value=0,
        slot_fee=3_000,
    )
    _done_session(
        world,
        bob,
        4,
        [world.leading],
        [
            {
                "enterprise": world.leading.pk,
                "category": "bags",
                "gmv": 8_000,
                "returns_value": 2_000,
            }
        ],
        viewers=1_000,
        orders=50,
        gmv=8_000,
        returns_value=2_000,
        slot_fee=2_000,
    )
    return world, amy, bob


@pytest.mark.parametrize("who", ["enterprise", "association", "bank"])
def test_a_withheld_peer_roi_is_not_the_score_less_its_other_parts(two_streamers, client_for, who):
    """Bob's peers' ROI rests on one firm: withheld. But the score is 0.4 fit + 0.25 conversion
    (scaled by the best) + 0.15 (1 − return rate) + 0.2 peers' ROI (scaled by the best), and
    every other part was shown: the score gave `leading`'s ROI back exactly (2.0 = (8,000 −
    2,000 − 2,000) ÷ 2,000). Nor may conversion and return rate of a streamer whose
    sessions rest on one firm be shown: they are that firm's orders and returns as ratios."""
    world, _amy, _bob = two_streamers
    client = client_for(getattr(world.users, who))
    rows = client.get("/api/v1/clusters/alpha/livestream/matches?category=bags")
    assert rows.status_code == 200
    by = {r["streamer"]["name"]: r for r in rows.json()}
    bob = by["Bob"]
    assert bob["peer_roi"] is None and bob["peer_roi_withheld"]
    shown = [r for r in by.values() if r["conversion"] is not None]
    max_conv = max(r["conversion"] for r in shown)
    max_roi = max((r["peer_roi"] or 0) for r in by.values())
    rest = 0.4 * bob["fit"] + 0.25 * (bob["conversion"] or 0) / max_conv
    rest += 0.15 * (1 - bob["return_rate"]) if bob["return_rate"] is not None else 0
    worked_back = (bob["score"] - rest) / 0.2 * max_roi
    assert abs(worked_back - 2.0) > 1e-6
    assert bob["return_rate"] is None and bob["conversion"] is None
    text = " ".join(bob["reasons"])
    assert "25.0 %" not in text and "5.0 %" not in text
    page = client.get("/c/alpha/livestream/match/?category=bags")
    assert page.status_code == 200 and "25.0 %" not in page.content.decode()


def test_the_office_sees_every_streamers_figures(two_streamers, client_for):
    """The office of the cluster sees Bob's conversion, return rate and peers' ROI: the rule
    withholds from the others only."""
    world, _amy, _bob = two_streamers
    rows = client_for(world.users.office).get(
        "/api/v1/clusters/alpha/livestream/matches?category=bags"
    )
    bob = next(r for r in rows.json() if r["streamer"]["name"] == "Bob")
    assert bob["peer_roi"] == pytest.approx(2.0) and bob["return_rate"] == pytest.approx(0.25)
    assert bob["conversion"] == pytest.approx(0.05)


def test_nul_and_over_long_texts_at_the_livestream_base(base, client_for):
    """A streamer's name or category, a session's title or an item's category with a NUL (JSON
    `\\u0000` passes the NUL middleware, which reads query strings and urlencoded forms only),
    a category of 500 characters, a title of 300 (cut silently to 200): refused by field,
    nothing saved (PostgreSQL refused the NUL at the save: a 500)."""
    world, streamer, session = base
    client = client_for(world.users.association)
    url = "/api/v1/clusters/alpha/livestream/streamers"
    for body, loc in (
        ({"name": "A\x00", "platform": "douyin"}, ("name",)),
        ({"name": "A", "platform": "douyin", "categories": ["b\x00"]}, ("categories", 0)),
        ({"name": "A", "platform": "douyin", "categories": ["b" * 500]}, ("categories", 0)),
    ):
        r = post_json(client, url, body)
        not_a_500(r)
        assert r.status_code == 422 and loc in locs(r), (body, r.json())
    r = post_json(
        client,
        "/api/v1/clusters/alpha/livestream/sessions",
        {
            "streamer": streamer.pk,
            "start": (timezone.now() + datetime.timedelta(days=30)).isoformat(),
            "duration_minutes": 60,
            "title": "t\x00",
        },
    )
    not_a_500(r)
    assert r.status_code == 422 and ("title",) in locs(r)
    r = post_json(
        client,
        f"/api/v1/livestream/sessions/{session.pk}/results",
        {"gmv": 10, "items": [{"enterprise": world.own.pk, "category": "b\x00", "gmv": 1}]},
    )
    not_a_500(r)
    assert r.status_code == 422 and ("items", 0, "category") in locs(r)
    page = client.post(
        f"/livestream/sessions/{session.pk}/",
        {"gmv": "10", "item-0-enterprise": str(world.own.pk), "item-0-category": "x" * 200},
    )
    not_a_500(page)
    assert page.status_code == 422
    assert Streamer.objects.count() == 1 and LivestreamSession.objects.count() == 1
    session.refresh_from_db()
    assert session.status == "planned" and not session.items.exists()


# --- access: another firm's data by id, through every endpoint ----------------------------------


@pytest.fixture
def leading_data(market, base):
    """`leading` has an import, a product, a lead and an item in a session; `own`'s user,
    the association, a bank, another cluster's office and a visitor try to reach them."""
    from clusterbrain.market import services as market_services

    world = market
    admin = world.users.admin
    batch_rows = "date,channel,category,quantity,value\n2026-01-05,online,luggage,1,4242\n"
    market_services.import_file(admin, world.leading, batch_rows.encode(), "lead.csv")
    market_services.add_product(admin, world.leading, {"name": "Trunk", "category": "luggage"})
    market_services.add_lead(
        admin,
        world.leading,
        {"exhibition": "Canton Fair", "date": "2026-01-05", "buyer_country": "DE"},
    )
    _w, _streamer, session = base
    live.record_results(
        world.users.association,
        session,
        results={"gmv": 9_000},
        items=[
            {"enterprise": world.own.pk, "category": "bags", "gmv": 3_000},
            {"enterprise": world.sharing.pk, "category": "bags", "gmv": 3_000},
            {"enterprise": world.leading.pk, "category": "bags", "gmv": 2_999},
        ],
    )
    from clusterbrain.market.models import SalesImport

    return world, SalesImport.objects.get(enterprise=world.leading), session


@pytest.mark.parametrize("who", ["enterprise", "association", "bank", "office_b"])
def test_another_firms_market_data_by_id_is_a_404_everywhere(leading_data, client_for, who):
    """Every read of `leading`'s sales, imports, products, leads, livestream ROI and match by
    its id, as another firm's user, the association (it does not see members' sales, 0015),
    a bank (no consent exists for market data) and another cluster's office: 404 as for a firm
    that does not exist, and none of its figures in the answer. Writes: 403 or 404."""
    world, batch, session = leading_data
    firm = world.leading.pk
    client = client_for(getattr(world.users, who))
    for url in (
        f"/api/v1/enterprises/{firm}/sales",
        f"/api/v1/enterprises/{firm}/leads",
        f"/api/v1/enterprises/{firm}/livestream/roi",
        f"/api/v1/clusters/alpha/livestream/matches?enterprise={firm}",
        f"/firms/{firm}/sales/",
        f"/firms/{firm}/sales/imports/",
        f"/firms/{firm}/products/",
        f"/firms/{firm}/leads/",
        f"/firms/{firm}/livestream/",
    ):
        r = client.get(url)
        not_a_500(r)
        assert r.status_code == 404, (url, r.status_code)
    for url, data in (
        (f"/firms/{firm}/products/", {"name": "Fake", "category": "luggage"}),
        (f"/firms/{firm}/leads/", {"exhibition": "F", "date": "2026-01-05", "buyer_country": "X"}),
        (f"/firms/{firm}/sales/imports/{batch.pk}/delete/", {}),
        (f"/firms/{world.own.pk}/sales/imports/{batch.pk}/delete/", {}),
    ):
        r = client.post(url, data)
        not_a_500(r)
        assert r.status_code in (403, 404), (url, r.status_code)
    r = post_json(
        client,
        f"/api/v1/enterprises/{firm}/leads",
        {"exhibition": "F", "date": "2026-01-05", "buyer_country": "X"},
    )
    assert r.status_code in (403, 404)
    r = upload(client, world.leading, b"date,channel,category,quantity,value\n")
    assert r.status_code in (403, 404)
    detail = client.get(f"/api/v1/livestream/sessions/{session.pk}")
    if detail.status_code == 200:
        body = detail.json()
        assert all(i["enterprise"] != firm for i in body["items"])
        assert b"2999" not in detail.content
    page = client.get(f"/livestream/sessions/{session.pk}/")
    assert b"2,999" not in page.content and b"2999" not in page.content
    assert SalesRecord.objects.filter(enterprise=world.leading).count() == 3
    assert Product.objects.filter(enterprise=world.leading).count() == 1
    assert ExhibitionLead.objects.filter(enterprise=world.leading).count() == 1


def test_a_visitor_reaches_no_firm_data(leading_data, client_for):
    """Anonymous: the API answers 401, the pages send to the login page (or 404), and no
    figure of the firm is in any answer."""
    world, _batch, session = leading_data
    firm = world.leading.pk
    client = client_for(None)
    for url in (
        f"/api/v1/enterprises/{firm}/sales",
        f"/api/v1/enterprises/{firm}/leads",
        f"/api/v1/enterprises/{firm}/livestream/roi",
        f"/api/v1/livestream/sessions/{session.pk}",
    ):
        assert client.get(url).status_code == 401, url
    for url in (
        f"/firms/{firm}/sales/",
        f"/firms/{firm}/products/",
        f"/firms/{firm}/leads/",
        f"/firms/{firm}/sales/imports/",
        f"/firms/{firm}/livestream/",
        f"/livestream/sessions/{session.pk}/",
    ):
        r = client.get(url)
        not_a_500(r)
        assert r.status_code in (302, 404), (url, r.status_code)
        assert b"4242" not in r.content and b"Canton" not in r.content


def test_the_office_of_another_cluster_and_its_association_cannot_run_this_base(
    leading_data, client_for
):
    """The association of cluster beta (and alpha's office) record results, cancel or schedule
    at alpha's base: 403, nothing changed."""
    world, _batch, session = leading_data
    beta_assoc = factories.user(Role.ASSOCIATION, cluster=world.b, username="assoc-b")
    for user in (beta_assoc, world.users.office, world.users.enterprise):
        client = client_for(user)
        r = post_json(client, f"/api/v1/livestream/sessions/{session.pk}/results", {"gmv": 1})
        assert r.status_code == 403
        r = post_json(client, f"/api/v1/livestream/sessions/{session.pk}/cancel", {})
        assert r.status_code == 403
        page = client.post(f"/livestream/sessions/{session.pk}/", {"action": "cancel"})
        assert page.status_code == 403
    session.refresh_from_db()
    assert session.status == "done" and session.gmv == 9_000


# --- trend reports: who reads and writes them ----------------------------------------------------


def test_drafts_and_members_reports_by_id(market, client_for):
    """A draft by id (page, PDF, API) for anyone but its cluster's association and admins: 404;
    a members report for a bank, a visitor or another cluster's office: 404; composing by the
    office, a firm or beta's association: 403/404, nothing saved."""
    assoc = client_for(market.users.association)
    draft = post_json(assoc, "/api/v1/clusters/alpha/market/reports", {"title_zh": "草稿"}).json()
    post_json(
        assoc, f"/api/v1/market/reports/{draft['id']}/sections", {"kind": "text", "body_zh": "x"}
    )
    members = post_json(assoc, "/api/v1/clusters/alpha/market/reports", {"title_zh": "会员"}).json()
    post_json(
        assoc, f"/api/v1/market/reports/{members['id']}/sections", {"kind": "text", "body_zh": "y"}
    )
    assert (
        post_json(assoc, f"/api/v1/market/reports/{members['id']}/publish", {}).status_code == 200
    )
    beta_assoc = factories.user(Role.ASSOCIATION, cluster=market.b, username="assoc-b")
    for user in (None, market.users.enterprise, market.users.office, market.users.bank, beta_assoc):
        client = client_for(user)
        for url in (
            f"/market/reports/{draft['id']}/",
            f"/market/reports/{draft['id']}/pdf/",
            f"/market/reports/{draft['id']}/compose/",
            f"/api/v1/market/reports/{draft['id']}",
        ):
            r = client.get(url)
            not_a_500(r)
            assert r.status_code in (302, 401, 404), (user, url, r.status_code)
        r = post_json(
            client,
            f"/api/v1/market/reports/{draft['id']}/sections",
            {"kind": "text", "body_zh": "injected"},
        )
        assert r.status_code in (401, 403, 404)
        r = post_json(client, "/api/v1/clusters/alpha/market/reports", {"title_zh": "x"})
        assert r.status_code in (401, 403)
    for user in (None, market.users.bank, market.users.office_b, beta_assoc):
        r = client_for(user).get(f"/market/reports/{members['id']}/pdf/")
        assert r.status_code in (302, 404), (user, r.status_code)
    assert TrendReport.objects.count() == 2
    assert not ReportSection.objects.filter(body_zh="injected").exists()


def test_cli_import_refusals_are_messages_not_tracebacks(market, tmp_path):
    """`clusterbrain market import`: a missing file, a firm that does not exist, a user who may
    not record the firm's sales, a file of 1e400s: each a CommandError naming the problem,
    nothing imported."""
    from django.core.management import CommandError, call_command

    good = tmp_path / "s.csv"
    good.write_text("date,channel,category,quantity,value\n2026-01-05,online,bag,1e400,1\n")
    for args in (
        [str(tmp_path / "missing.csv"), "--firm", str(market.own.pk), "--user", "admin"],
        [str(good), "--firm", "999999", "--user", "admin"],
        [str(good), "--firm", str(market.leading.pk), "--user", "own-user"],
        [str(good), "--firm", str(market.own.pk), "--user", "admin"],
        [str(good), "--firm", str(market.own.pk), "--user", "admin", "--rate", "USD=abc"],
    ):
        with pytest.raises(CommandError):
            call_command("market", "import", *args)
    assert SalesRecord.objects.count() == 5


# --- the trend scan: a column adds up to the market -----------------------------------------


@pytest.fixture
def trend_sales(world):
    """Sixty-two weeks of sales: three firms sell cowhide bags in black every week; `leading`
    alone sells suede and PU bags in black (two materials of one firm, both withheld)."""
    rows = []
    for w in range(62):
        day = TODAY - datetime.timedelta(weeks=w, days=1)
        for firm in (world.own, world.sharing, world.other):
            rows.append((firm, "cowhide", 20))
        rows.append((world.leading, "suede", 3))
        rows.append((world.leading, "pu", 2))
        for firm, material, q in rows[-5:]:
            sell(firm, "handbag", q, q * 100, day=day, material=material, colour="black")
    touch_cluster(world.a)
    return world


@pytest.mark.parametrize("who", ["anonymous", "enterprise", "association", "bank"])
def test_two_withheld_trend_values_of_one_firm_are_not_the_column_less_the_rest(
    trend_sales, client_for, who
):
    """The scan withholds a value of fewer than k firms and, when exactly one value of a
    column is withheld, the next smallest: with two (suede and PU, both `leading`'s) nothing
    more was withheld, and black (every firm's colour, the market's total) less cowhide gave
    `leading`'s recent quantity (8 weeks × 5 = 40). The withheld values of a column must add
    up to k firms with none dominant, as on the market page."""
    client = client_for(viewer(trend_sales, who))
    body = client.get("/api/v1/clusters/alpha/market/trends").json()
    values = body["values"]
    assert values, body["note"]
    by = {(v["column"], v["value"]): v for v in values}
    assert by[("material", "suede")]["suppressed"] and by[("material", "pu")]["suppressed"]
    black = by[("colour", "black")]
    shown = [v["recent"] for v in values if v["column"] == "material" and not v["suppressed"]]
    if black["recent"] is not None and shown:
        assert round(black["recent"] - sum(shown)) != 40
    page = client.get("/c/alpha/market/")
    not_a_500(page)


# --- imports: files built to exhaust the server -------------------------------------------------


def _workbook(last_cell):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["date", "channel", "category", "quantity", "value"])
    sheet.append(["2026-01-05", "online", "bag", 1, 1])
    sheet[last_cell] = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_tiny_workbook_declaring_a_huge_sheet_is_refused_at_once(market, client_for):
    """A 5 KB XLSX whose sheet is declared A1:XFD200000 (one cell set far away): openpyxl's
    read-only reader padded every row to 16,384 cells from row 1 — minutes of CPU and all
    memory for one upload (the import page, the API and the CLI alike). Refused as a file
    (422 naming `file`) before it is read; nothing imported."""
    client = client_for(market.users.enterprise)
    r = upload(client, market.own, _workbook("XFD200000"), name="bomb.xlsx")
    not_a_500(r)
    assert r.status_code == 422 and locs(r) == [("file",)]
    assert SalesRecord.objects.filter(enterprise=market.own).count() == 1


def test_a_zip_bomb_named_xlsx_is_refused(market, client_for):
    """A workbook whose parts unpack to more than 256 MB from a few hundred kilobytes:
    refused from the archive's directory, before anything is unpacked."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * (300 * 1024 * 1024))
    client = client_for(market.users.enterprise)
    r = upload(client, market.own, out.getvalue(), name="bomb.xlsx")
    not_a_500(r)
    assert r.status_code == 422 and locs(r) == [("file",)]


# --- ids, content types -----------------------------------------------------------------------


BIG_ID = 10**30


def test_ids_beyond_the_database_integer_are_404_or_named(base, market, client_for):
    """Ids of 10**30 in paths and bodies (a report, a session, a firm, a firm featured, an
    import): SQLite raises OverflowError and PostgreSQL an out-of-range error when such a
    number reaches a query — a 500. Each is a 404 (path) or a 422 naming the field (body)."""
    world, streamer, _session = base
    assoc = client_for(world.users.association)
    for url in (
        f"/api/v1/market/reports/{BIG_ID}",
        f"/market/reports/{BIG_ID}/",
        f"/market/reports/{BIG_ID}/pdf/",
        f"/api/v1/livestream/sessions/{BIG_ID}",
        f"/livestream/sessions/{BIG_ID}/",
        f"/api/v1/enterprises/{BIG_ID}/sales",
        f"/firms/{BIG_ID}/sales/",
        f"/firms/{BIG_ID}/livestream/",
        f"/api/v1/enterprises/{BIG_ID}/livestream/roi",
        f"/api/v1/clusters/alpha/livestream/matches?enterprise={BIG_ID}",
    ):
        r = assoc.get(url)
        not_a_500(r)
        assert r.status_code in (404, 422), (url, r.status_code)
    r = assoc.post(f"/firms/{world.own.pk}/sales/imports/{BIG_ID}/delete/")
    not_a_500(r)
    r = post_json(
        assoc,
        "/api/v1/clusters/alpha/livestream/sessions",
        {
            "streamer": streamer.pk,
            "start": (timezone.now() + datetime.timedelta(days=30)).isoformat(),
            "duration_minutes": 60,
            "firms": [BIG_ID],
        },
    )
    not_a_500(r)
    assert r.status_code == 422 and ("firms", 0) in locs(r)
    page = assoc.post(
        "/c/alpha/livestream/",
        {
            "streamer": str(streamer.pk),
            "start": "2026-12-30 10:00",
            "duration_minutes": "60",
            "firms": [str(BIG_ID)],
        },
    )
    not_a_500(page)
    assert page.status_code == 422  # not scheduled without the firm asked for
    r = post_json(
        assoc,
        "/api/v1/clusters/alpha/livestream/sessions",
        {"streamer": BIG_ID, "start": "2026-12-30T10:00:00+08:00", "duration_minutes": 60},
    )
    not_a_500(r)
    assert r.status_code in (404, 422)
    assert LivestreamSession.objects.count() == 1


def test_wrong_content_types_are_4xx(market, client_for):
    """JSON to the multipart import, a form to a JSON endpoint, text/plain, a body that is not
    JSON: 4xx, nothing saved."""
    client = client_for(market.users.enterprise)
    firm = market.own.pk
    cases = (
        (f"/api/v1/enterprises/{firm}/sales/import", '{"file": "x"}', "application/json"),
        (f"/api/v1/enterprises/{firm}/leads", "exhibition=F&date=2026-01-05", "text/plain"),
        (
            f"/api/v1/enterprises/{firm}/leads",
            "exhibition=F&date=2026-01-05",
            "application/x-www-form-urlencoded",
        ),
        (f"/api/v1/enterprises/{firm}/leads", "{not json", "application/json"),
        (f"/api/v1/enterprises/{firm}/leads", "[1, 2]", "application/json"),
    )
    for url, body, content_type in cases:
        r = client.post(url, body, content_type=content_type)
        not_a_500(r)
        assert 400 <= r.status_code < 500, (url, content_type, r.status_code)
    assert not ExhibitionLead.objects.exists()
    docs = client_for(None).get("/api/docs")
    assert docs.status_code in (200, 301, 302)
    schema = client_for(None).get("/api/v1/openapi.json")
    not_a_500(schema)


def test_compose_actions_with_a_section_id_beyond_the_integer(market, client_for):
    """The compose page's up/down/remove take `section` as digits: 40 nines overflowed the
    query (a 500). A 404 as for any section not in the report, nothing changed."""
    assoc = client_for(market.users.association)
    rid = post_json(assoc, "/api/v1/clusters/alpha/market/reports", {"title_zh": "季报"}).json()[
        "id"
    ]
    post_json(assoc, f"/api/v1/market/reports/{rid}/sections", {"kind": "text", "body_zh": "x"})
    for action in ("up", "down", "remove"):
        r = assoc.post(f"/market/reports/{rid}/compose/", {"action": action, "section": "9" * 40})
        not_a_500(r)
        assert r.status_code == 404
    assert ReportSection.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        "x" * 20_000,
        "长" * 20_000,
        "<b>bold</b> &amp; <font size=99>big</font> <img src='/etc/passwd'/> <a href='x'>",
        "\u202eevil\u202c \u200b\u200b zero-width 𝕦𝕟𝕚𝕔𝕠𝕕𝕖 🧳",
        "line\n" * 3_000,
    ],
    ids=["long-word", "long-cjk", "markup", "unicode", "many-lines"],
)
def test_report_pdf_of_odd_texts(market, client_for, body):
    """A section's text as long as allowed with no break, reportlab's own markup (<img> of a
    server file, <font size>), bidi overrides and emoji, thousands of lines: the PDF is made
    (200, a PDF) or the text refused by field, never a 500; markup is printed, not obeyed."""
    assoc = client_for(market.users.association)
    rid = post_json(assoc, "/api/v1/clusters/alpha/market/reports", {"title_zh": "季报"}).json()[
        "id"
    ]
    r = post_json(
        assoc,
        f"/api/v1/market/reports/{rid}/sections",
        {"kind": "text", "heading_en": body[:200], "body_zh": body, "body_en": body},
    )
    not_a_500(r)
    if r.status_code == 422:
        return
    for lang in ("zh", "en"):
        pdf = assoc.get(f"/market/reports/{rid}/pdf/?lang={lang}")
        not_a_500(pdf)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    page = assoc.get(f"/market/reports/{rid}/")
    assert page.status_code == 200 and b"<img src='/etc/passwd'/>" not in page.content


def test_names_from_firms_and_the_operator_are_escaped_on_every_page(base, client_for):
    """A category name imported by three firms, a streamer's name and a session's title
    carrying `</script><script>…`, and a formula (`=HYPERLINK(…)`, a CSV export's injection):
    the public market page (charts as JSON), the schedule, the match and the session page
    print them as text. The market keeps no CSV export that could run the formula."""
    world, streamer, session = base
    evil = "</script><script>alert(1)</script>"
    for firm in (world.own, world.sharing, world.other):
        sell(firm, evil, 10, 10_000)
        sell(firm, '=HYPERLINK("http://x","y")', 10, 10_000)
    touch_cluster(world.a)
    streamer.name = evil
    streamer.save()
    session.title = evil
    session.save()
    client = client_for(world.users.enterprise)
    for url in (
        "/c/alpha/market/",
        "/c/alpha/livestream/?week=" + session.start.date().isoformat(),
        "/c/alpha/livestream/match/?category=bags",
        f"/livestream/sessions/{session.pk}/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert b"<script>alert(1)" not in page.content, url


@pytest.mark.parametrize("who", ["anonymous", "association", "bank"])
def test_a_firm_dominant_in_units_but_not_in_yuan_is_withheld(world, client_for, who):
    """Dominance was measured on value only, while each cell also shows its quantity (and the
    forecasts forecast quantity): `own` sells 1,000 cheap belts, two others one dear belt each
    (value shares 50/25/25 %, quantity 99.8 %). The belt row's quantity was `own`'s to two
    units. One firm holding 85 % of either measure withholds the cell."""
    sell(world.own, "belt", 1_000, 1_000)
    sell(world.sharing, "belt", 1, 500)
    sell(world.other, "belt", 1, 500)
    for firm in (world.own, world.sharing, world.other, world.leading):
        sell(firm, "handbag", 10, 10_000)
    touch_cluster(world.a)
    body = client_for(viewer(world, who)).get("/api/v1/clusters/alpha/market").json()
    belt = next(c for c in body["categories"] if c["category"] == "belt")
    assert belt["withheld"] and belt["quantity"] is None
    office = client_for(world.users.office).get("/api/v1/clusters/alpha/market").json()
    assert next(c for c in office["categories"] if c["category"] == "belt")["quantity"] == 1_002


def test_one_pending_upload_per_user_and_firm(market, client_for):
    """The import page keeps an uploaded file in the cache for an hour under a fresh token
    for its mapping step: every upload a new entry of up to 20 MB, so one firm's user could
    fill the cache (the file cache on disk by default) by uploading again and again. Now a
    user holds one pending file per firm: a new upload replaces the last, whose token is then
    expired (422), and the new one imports. An expired or made-up token was itself a 500
    (the error added to an unbound form)."""
    import re

    client = client_for(market.users.enterprise)
    url = f"/firms/{market.own.pk}/sales/import/"

    def step1(text):
        f = io.BytesIO(text.encode())
        f.name = "s.csv"
        page = client.post(url, {"file": f})
        assert page.status_code == 200
        return re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)

    head = "date,channel,category,quantity,value\n"
    first = step1(head + "2026-01-05,online,handbag,1,10\n")
    second = step1(head + "2026-01-06,online,handbag,2,20\n")
    fields = {f"map_{i}": name for i, name in enumerate(head.strip().split(","))}
    stale = client.post(url, {"token": first, **fields})
    assert stale.status_code == 422 and "上传的文件已过期" in stale.content.decode()
    bogus = client.post(url, {"token": "made-up", **fields})
    assert bogus.status_code == 422  # was a 500: add_error on the unbound upload form
    done = client.post(url, {"token": second, **fields})
    assert done.status_code == 302
    assert SalesRecord.objects.filter(enterprise=market.own, quantity=2).count() == 1
    assert not SalesRecord.objects.filter(enterprise=market.own, quantity=1).exists()


def test_session_totals_count_the_firms_that_sold_not_those_featured(base, client_for):
    """Three firms featured, two sold (`own` 5,000, `sharing` 4,000; `other` nothing): k = 3
    counted the featured firms, so the totals were shown, and `own` — seeing the session's
    GMV and its own items — had `sharing`'s 4,000 as the difference. The totals rest on the
    firms whose items sold."""
    world, _streamer, session = base
    live.record_results(
        world.users.association,
        session,
        results={"gmv": 9_000, "viewers": 1_000, "orders": 90},
        items=[
            {"enterprise": world.own.pk, "category": "bags", "gmv": 5_000},
            {"enterprise": world.sharing.pk, "category": "bags", "gmv": 4_000},
            {"enterprise": world.other.pk, "category": "bags", "gmv": 0},
        ],
    )
    body = client_for(world.users.enterprise).get(f"/api/v1/livestream/sessions/{session.pk}")
    totals = body.json()["totals"]
    assert totals["withheld"] and totals["gmv"] is None
    assert [i["gmv"] for i in body.json()["items"]] == [5_000]
    page = client_for(world.users.enterprise).get(f"/livestream/sessions/{session.pk}/")
    assert b"9,000" not in page.content and b"9000.0" not in page.content
    office = client_for(world.users.office).get(f"/api/v1/livestream/sessions/{session.pk}")
    assert office.json()["totals"]["gmv"] == 9_000


def test_a_firm_with_zero_sales_does_not_make_up_k(world, client_for):
    """A cell with two selling firms and a third whose row says 0 units for 0 yuan (an import
    may carry such rows) counted three firms and was shown: either seller had the other's
    sales as the cell less its own. Firms count toward k only where they sold."""
    sell(world.own, "belt", 50, 5_000)
    sell(world.sharing, "belt", 40, 4_000)
    sell(world.other, "belt", 0, 0)
    for firm in (world.own, world.sharing, world.other, world.leading):
        sell(firm, "handbag", 10, 10_000)
    touch_cluster(world.a)
    body = client_for(world.users.enterprise).get("/api/v1/clusters/alpha/market").json()
    belt = next(c for c in body["categories"] if c["category"] == "belt")
    assert belt["withheld"] and belt["value"] is None


def test_a_zero_row_does_not_make_up_k_in_the_trend_scan(trend_sales, client_for):
    """The same padding in the scan: nubuck sold by `own` and `sharing`, with `other`'s rows
    of 0 units every week, counted three firms and was shown, so `own` had `sharing`'s
    nubuck as the value's quantity less its own."""
    world = trend_sales
    for w in range(62):
        day = TODAY - datetime.timedelta(weeks=w, days=2)
        sell(world.own, "handbag", 40, 400, day=day, material="nubuck", colour="black")
        sell(world.sharing, "handbag", 60, 600, day=day, material="nubuck", colour="black")
        sell(world.other, "handbag", 0, 0, day=day, material="nubuck", colour="black")
    touch_cluster(world.a)
    body = client_for(world.users.enterprise).get("/api/v1/clusters/alpha/market/trends").json()
    nubuck = next(v for v in body["values"] if v["value"] == "nubuck")
    assert nubuck["suppressed"] and nubuck["recent"] is None


def test_an_item_of_nothing_does_not_make_up_k_in_the_match(base, client_for):
    """Two firms sold bags with the streamer, a third had an item of 0 yuan: the peers' ROI
    and the streamer's conversion and return rate counted three firms and were shown. They
    rest on the two that sold: withheld for all but the office."""
    world, _streamer, session = base
    live.record_results(
        world.users.association,
        session,
        results={"gmv": 9_000, "viewers": 1_000, "orders": 90, "returns_value": 900},
        items=[
            {"enterprise": world.own.pk, "category": "bags", "gmv": 5_000, "returns_value": 500},
            {
                "enterprise": world.sharing.pk,
                "category": "bags",
                "gmv": 4_000,
                "returns_value": 400,
            },
            {"enterprise": world.other.pk, "category": "bags", "gmv": 0},
        ],
        commission=900,
    )
    rows = client_for(world.users.bank).get(
        "/api/v1/clusters/alpha/livestream/matches?category=bags"
    )
    top = rows.json()[0]
    assert top["peer_roi"] is None and top["peer_roi_withheld"]
    assert top["conversion"] is None and top["return_rate"] is None


def test_item_rows_beyond_the_form_are_not_dropped_silently(base, client_for):
    """The results form reads item rows 0-59; a row numbered 60 or more (a longer form, a
    script) was dropped without a word and the results saved without it. Refused, naming the
    items, nothing saved."""
    world, _streamer, session = base
    page = client_for(world.users.association).post(
        f"/livestream/sessions/{session.pk}/",
        {
            "gmv": "100",
            "item-0-enterprise": str(world.own.pk),
            "item-0-category": "bags",
            "item-0-gmv": "50",
            "item-75-enterprise": str(world.sharing.pk),
            "item-75-category": "bags",
            "item-75-gmv": "50",
        },
    )
    not_a_500(page)
    assert page.status_code == 422
    session.refresh_from_db()
    assert session.status == "planned" and not session.items.exists()
