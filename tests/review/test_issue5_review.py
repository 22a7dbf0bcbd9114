"""Adversarial review of issue 5's apps (trace, passport, green) against DOMAIN.md's roles and
the rules: every role sees what DOMAIN.md says and no more; confidential figures never reach a
public page, another firm or a bank; a firm captures only at its own locations; small
aggregates are withheld below k firms; bad input is a 4xx naming the field and changes nothing,
never a 500.

Every test goes over HTTP with Django's test client (sessions and API tokens). A passing test
documents a path that was tried and held; a test marked xfail(strict=True, reason="review: …")
shows a defect in an app that others are editing now, handed over to them.
"""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from tracedata import (
    COCOONS,
    COCOONS_2,
    CONTEXT,
    FABRIC,
    OTHER_SITE,
    OWN_SITE,
    SILK,
    declare,
)

import factories
from clusterbrain.accounts.auth import create_api_token
from clusterbrain.accounts.models import Role

pytestmark = pytest.mark.django_db

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


# --- helpers -----------------------------------------------------------------------------------


def token_client(client_for, user):
    _token, key = create_api_token(user)
    return client_for(None, HTTP_AUTHORIZATION=f"Bearer {key}")


def epcis_doc(*events):
    return json.dumps(
        {
            "@context": CONTEXT,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-05-01T08:00:00Z",
            "epcisBody": {"eventList": list(events)},
        }
    )


def post_json(client, url, data, content_type="application/json", **headers):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(url, body, content_type=content_type, **headers)


def event_ids(response):
    return [
        e.get("eventID")
        for e in response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    ]


def not_a_500(response):
    assert response.status_code < 500, (response.status_code, response.content[:500])
    assert b"Traceback" not in response.content


def lot(key):
    from clusterbrain.trace.models import Lot

    return Lot.objects.get(key=key)


@pytest.fixture
def firm_users(world):
    """A user of `other` (the second firm of cluster a) beside the world's users."""
    world.users.other = factories.user(Role.ENTERPRISE, enterprise=world.other, username="other-u")
    world.users.outsider = factories.user(
        Role.ENTERPRISE, enterprise=world.outsider, username="outsider-u"
    )
    world.users.sharing = factories.user(
        Role.ENTERPRISE, enterprise=world.sharing, username="sharing-u"
    )
    return world.users


@pytest.fixture
def silk(world, firm_users):
    """tracedata's silk chain: own declares 100 kg cocoons, other 50 kg; own reels both into
    40 kg silk at its mill; other weaves the silk into 500 fabric. Captured by the platform."""
    from tracedata import silk_chain

    return silk_chain(world)


# === trace: /epcis =============================================================================


def test_epcis_anonymous_is_401_and_bank_is_403(silk, world, client_for):
    anonymous = client_for(None)
    for url in ("/epcis/events", "/epcis/capture", f"/epcis/events/{'urn:uuid:x'}"):
        assert anonymous.get(url).status_code == 401
    assert post_json(anonymous, "/epcis/capture", epcis_doc()).status_code == 401
    bank = token_client(client_for, world.users.bank)
    r = bank.get("/epcis/events")
    assert r.status_code == 403 and r["Content-Type"] == "application/problem+json"
    assert bank.get("/epcis/events/urn:uuid:00000000-0000-4000-8000-000000000001").status_code in (
        403,
        404,
    )


def test_epcis_query_shows_a_firm_only_events_at_its_own_locations(silk, world, client_for):
    own = token_client(client_for, world.users.enterprise)
    other = token_client(client_for, world.users.other)
    own_ids = set(event_ids(own.get("/epcis/events")))
    other_ids = set(event_ids(other.get("/epcis/events")))
    assert own_ids == {
        "urn:uuid:00000000-0000-4000-8000-000000000001",
        "urn:uuid:00000000-0000-4000-8000-000000000003",
    }
    assert other_ids == {
        "urn:uuid:00000000-0000-4000-8000-000000000002",
        "urn:uuid:00000000-0000-4000-8000-000000000004",
    }
    # filters naming the other firm's lots or locations find nothing more
    for params in (
        {"MATCH_anyEPCClass": COCOONS},
        {"EQ_bizLocation": OWN_SITE},
        {"WD_bizLocation": "urn:epc:id:sgln:6901234.00001.0"},
        {"EQ_eventID": "urn:uuid:00000000-0000-4000-8000-000000000001"},
    ):
        assert event_ids(other.get("/epcis/events", params)) == []
    r = other.get("/epcis/events/urn:uuid:00000000-0000-4000-8000-000000000001")
    assert r.status_code == 404
    # the office of another cluster sees none of cluster a's events; association staff only
    # sharing members' (none of these firms shares)
    office_b = token_client(client_for, world.users.office_b)
    assert event_ids(office_b.get("/epcis/events")) == []
    association = token_client(client_for, world.users.association)
    assert event_ids(association.get("/epcis/events")) == []
    office = token_client(client_for, world.users.office)
    assert len(event_ids(office.get("/epcis/events"))) == 4


def test_next_page_token_of_one_firm_replayed_or_tampered_by_another(silk, world, client_for):
    office = token_client(client_for, world.users.office)
    first = office.get("/epcis/events", {"perPage": 1})
    assert first.status_code == 200 and "Link" in first
    token = first["Link"].split("nextPageToken=")[1].split(">")[0]
    from urllib.parse import unquote

    token = unquote(token)
    # another firm replays the office's token: still only its own events
    other = token_client(client_for, world.users.other)
    r = other.get("/epcis/events", {"perPage": 1, "nextPageToken": token})
    assert r.status_code == 200
    assert set(event_ids(r)) <= {
        "urn:uuid:00000000-0000-4000-8000-000000000002",
        "urn:uuid:00000000-0000-4000-8000-000000000004",
    }
    # a tampered token, or one with other parameters, is a 400 naming nextPageToken
    for bad, params in (
        (token[:-3] + "AAA", {"perPage": 1}),
        (token, {"perPage": 1, "eventType": "ObjectEvent"}),
        ("garbage", {}),
    ):
        r = other.get("/epcis/events", {**params, "nextPageToken": bad})
        assert r.status_code == 400
        assert r.json()["errors"][0]["loc"] == ["nextPageToken"]


def test_capture_jobs_of_another_user_are_404(silk, world, client_for):
    own = token_client(client_for, world.users.enterprise)
    r = post_json(
        own,
        "/epcis/capture",
        epcis_doc(declare("urn:epc:class:lgtin:6901234.012345.J1", 10, OWN_SITE)),
    )
    assert r.status_code == 202, r.content
    job_url = r["Location"]
    assert own.get(job_url).status_code == 200
    for user in (
        world.users.other,
        world.users.office,
        world.users.association,
        world.users.bank,
        world.users.office_b,
    ):
        client = token_client(client_for, user)
        assert client.get(job_url).status_code in (403, 404), user
        listed = client.get("/epcis/capture")
        if listed.status_code == 200:
            assert job_url.rsplit("/", 1)[1] not in listed.content.decode()


def test_capture_at_another_firms_location_is_refused_and_stores_nothing(silk, world, client_for):
    from clusterbrain.trace.models import Event

    before = Event.objects.count()
    own = token_client(client_for, world.users.enterprise)
    for site in (OTHER_SITE, "urn:epc:id:sgln:6999999.00001.0"):
        r = post_json(
            own,
            "/epcis/capture",
            epcis_doc(declare("urn:epc:class:lgtin:6901234.012345.Z9", 5, site)),
        )
        assert r.status_code == 403, r.content
        assert r.json()["errors"][0]["code"] == "location_not_yours"
    # a readPoint of its own does not cover a bizLocation of another firm
    mixed = declare("urn:epc:class:lgtin:6901234.012345.Z8", 5, OWN_SITE)
    mixed["bizLocation"] = {"id": OTHER_SITE}
    mixed["@context"] = CONTEXT
    r = post_json(own, "/epcis/events", mixed)
    assert r.status_code in (400, 403), r.content
    assert "location_not_yours" in {e.get("code") for e in r.json()["errors"]}, r.json()
    # office, association and bank never capture
    for user in (world.users.office, world.users.association, world.users.bank):
        r = post_json(
            token_client(client_for, user),
            "/epcis/capture",
            epcis_doc(declare("urn:epc:class:lgtin:6901234.012345.Z7", 5, OWN_SITE)),
        )
        assert r.status_code == 403, (user, r.content)
    assert Event.objects.count() == before


def test_capture_with_a_session_needs_csrf(silk, world, client_for):
    from clusterbrain.trace.models import Event

    before = Event.objects.count()
    client = client_for(world.users.enterprise, enforce_csrf_checks=True)
    r = post_json(
        client,
        "/epcis/capture",
        epcis_doc(declare("urn:epc:class:lgtin:6901234.012345.Q1", 5, OWN_SITE)),
    )
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    assert Event.objects.count() == before


HIJACK_LOT = "urn:epc:class:lgtin:6901234.012345.H1"


def _receive(lot_key, site, **extra):
    return {
        "@context": CONTEXT,
        "type": "ObjectEvent",
        "eventTime": "2026-05-05T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": "receiving",
        "epcList": [],
        "quantityList": [{"epcClass": lot_key, "quantity": 1, "uom": "KGM"}],
        "readPoint": {"id": site},
        "bizLocation": {"id": site},
        **extra,
    }


def test_a_firm_cannot_take_over_another_firms_lot_by_receiving_it(silk, world, client_for):
    from clusterbrain.trace import services

    assert services.capture(None, epcis_doc(declare(HIJACK_LOT, 100, OWN_SITE))).success
    own_lot = lot(HIJACK_LOT)
    assert own_lot.owner_id == world.own.pk
    other = token_client(client_for, world.users.other)
    r = post_json(other, "/epcis/events", _receive(HIJACK_LOT, OTHER_SITE))
    # whatever the answer, the lot stays own's and other still cannot read it
    assert lot(HIJACK_LOT).owner_id == world.own.pk
    page = client_for(world.users.other).get(f"/trace/lots/{own_lot.pk}/")
    assert page.status_code == 404, r.status_code


def test_a_firm_cannot_rewrite_another_firms_lot_facts(silk, world, client_for):
    from clusterbrain.trace import services

    ilmd = {"cb:originCountry": "BR", "cb:deforestationFree": False}
    first = declare(HIJACK_LOT, 100, OWN_SITE, ilmd=ilmd)
    first["@context"] = CONTEXT + [{"cb": "https://clusterbrain.org/voc/"}]
    outcome = services.capture(None, epcis_doc(first))
    assert outcome.success, outcome.problems
    before = dict(lot(HIJACK_LOT).attributes)
    other = token_client(client_for, world.users.other)
    forged = declare(
        HIJACK_LOT,
        1,
        OTHER_SITE,
        ilmd={"cb:originCountry": "CN", "cb:deforestationFree": True},
    )
    doc = json.loads(epcis_doc(forged))
    doc["@context"] = CONTEXT + [{"cb": "https://clusterbrain.org/voc/"}]
    post_json(other, "/epcis/capture", doc)
    after = lot(HIJACK_LOT)
    assert after.owner_id == world.own.pk and after.attributes == before


# --- /epcis: malformed input ----------------------------------------------------------------


def _capture_raw(client, body):
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    return client.post("/epcis/capture", data, content_type="application/json")


@pytest.mark.parametrize(
    "body",
    [
        "",
        "not json",
        "[]",
        "null",
        "1e999",
        '{"type": "EPCISDocument"}',
        '{"type": "EPCISDocument", "epcisBody": {"eventList": "x"}}',
        '{"type": "EPCISDocument", "epcisBody": {"eventList": [null, 1, "x", []]}}',
        "\ud800",
        '{"type": "EPCISDocument", "epcisBody": {"eventList": [{"type": "ObjectEvent", '
        '"eventTime": "2026-99-99T99:99:99Z"}]}}',
        '{"@context": 5, "type": "EPCISDocument", "schemaVersion": "2.0", '
        '"creationDate": "x", "epcisBody": {"eventList": []}}',
    ],
)
def test_capture_of_malformed_documents_is_a_4xx_problem(silk, world, client_for, body):
    from clusterbrain.trace.models import Event

    before = Event.objects.count()
    r = _capture_raw(token_client(client_for, world.users.enterprise), body)
    not_a_500(r)
    assert 400 <= r.status_code < 500
    assert r["Content-Type"] == "application/problem+json"
    assert Event.objects.count() == before


def test_capture_of_a_deeply_nested_document_is_a_4xx(silk, world, client_for):
    r = _capture_raw(
        token_client(client_for, world.users.enterprise), '{"a": ' * 5000 + "1" + "}" * 5000
    )
    not_a_500(r)
    assert r.status_code == 400


def _with_quantity(raw_quantity: str) -> str:
    event = declare("urn:epc:class:lgtin:6901234.012345.B1", 1, OWN_SITE)
    return epcis_doc(event).replace('"quantity": 1,', f'"quantity": {raw_quantity},')


@pytest.mark.parametrize("raw", ['"12"', "null", "true", "[1]"])
def test_capture_with_a_quantity_that_is_not_a_number_names_the_field(silk, world, client_for, raw):
    from clusterbrain.trace.models import Event

    before = Event.objects.count()
    r = _capture_raw(token_client(client_for, world.users.enterprise), _with_quantity(raw))
    not_a_500(r)
    assert r.status_code == 400, r.content
    locs = ["/".join(map(str, e["loc"])) for e in r.json()["errors"]]
    assert any(loc.endswith("quantityList/0/quantity") for loc in locs), locs
    assert Event.objects.count() == before


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400", "1" + "0" * 400])
def test_capture_with_a_non_finite_quantity_is_refused(silk, world, client_for, raw):
    from clusterbrain.trace.models import Event

    before = Event.objects.count()
    r = _capture_raw(token_client(client_for, world.users.enterprise), _with_quantity(raw))
    not_a_500(r)
    assert r.status_code == 400, r.content
    assert Event.objects.count() == before


def test_capture_with_a_negative_quantity_is_refused(silk, world, client_for):
    from clusterbrain.trace.models import Event

    before = Event.objects.count()
    r = _capture_raw(token_client(client_for, world.users.enterprise), _with_quantity("-5"))
    assert r.status_code == 400, r.content
    assert Event.objects.count() == before


@pytest.mark.parametrize(
    "params",
    [
        {"perPage": "abc"},
        {"perPage": "0"},
        {"perPage": "99999999999999999999999"},
        {"GE_eventTime": "yesterday"},
        {"GE_eventTime": "2026-01-01T00:00:00"},
        {"LT_recordTime": "9999-99-99T00:00:00Z"},
        {"eventType": "Bogus"},
        {"EQ_action": "EXPLODE"},
        {"orderBy": "quantity"},
        {"orderDirection": "sideways"},
        {"MATCH_epc": "urn:*"},
        {"EQ_bizTransaction_": "x"},
        {"bogus": "1"},
        {"EQ_bizStep": ""},
    ],
)
def test_bad_query_parameters_are_400_naming_them(silk, world, client_for, params):
    r = token_client(client_for, world.users.office).get("/epcis/events", params)
    not_a_500(r)
    assert r.status_code == 400, r.content
    assert r.json()["errors"][0]["loc"] == [next(iter(params))]


@pytest.mark.parametrize(
    "url",
    [
        "/epcis/events?EQ_eventID=a%00b",
        "/epcis/events?MATCH_epc=urn:epc:id:sgtin:1.2.%00",
        "/epcis/events?EQ_bizLocation=%00",
        "/epcis/events/urn:uuid:%00",
        "/epcis/capture/%00",
    ],
)
def test_nul_in_epcis_parameters_is_not_a_500(silk, world, client_for, url):
    r = token_client(client_for, world.users.office).get(url)
    not_a_500(r)
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json"
    assert r.json()["errors"][0]["loc"][0] in ("query", "path")


# === trace: lot pages ==========================================================================


def test_lot_pages_of_another_firm_are_404_and_the_bank_sees_none(silk, world, client_for):
    silk_lot = lot(SILK)  # own's
    urls = [
        f"/trace/lots/{silk_lot.pk}/",
        f"/trace/lots/{silk_lot.pk}/recall/",
        f"/trace/lots/{silk_lot.pk}/recall/?format=csv",
        f"/trace/lots/{silk_lot.pk}/eudr/",
        f"/trace/lots/{silk_lot.pk}/passport/",
    ]
    for user in (world.users.other, world.users.office_b, world.users.association):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    bank = client_for(world.users.bank)
    for url in urls:
        assert bank.get(url).status_code == 403, url
    anonymous = client_for(None)
    for url in urls:
        r = anonymous.get(url)
        assert r.status_code == 302 and "/login" in r["Location"], url
    # the office of the lot's cluster reads it
    assert client_for(world.users.office).get(urls[0]).status_code == 200


def _chart(html: str, element_id: str) -> dict:
    start = html.index(f'id="{element_id}"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_a_trace_hides_other_firms_quantities_in_table_chart_and_csv(silk, world, client_for):
    own = client_for(world.users.enterprise)
    html = own.get(f"/trace/lots/{lot(SILK).pk}/").content.decode()
    # back: own's 100 kg of cocoons shows, other's 50 kg does not (table and Sankey hover)
    assert f'data-lot="{COCOONS_2}"' in html
    row = html.split(f'data-lot="{COCOONS_2}"', 1)[1].split("</tr>", 1)[0]
    assert "50" not in row.replace("50.0 %", "")  # share may be shown, quantity not
    chart = _chart(html, "chart-trace-back")
    link = chart["data"][0]["link"]
    labels = chart["data"][0]["node"]["label"]
    amounts = dict(
        zip(
            [labels[s] for s in link["source"]],
            link["customdata"],
            strict=True,
        )
    )
    assert "50" not in amounts[COCOONS_2.rsplit(":", 1)[-1]]
    assert "100" in amounts[COCOONS.rsplit(":", 1)[-1]]
    # forward from own's cocoons: the recall CSV names other's fabric without its quantity
    r = own.get(f"/trace/lots/{lot(COCOONS).pk}/recall/?format=csv")
    assert r.status_code == 200
    rows = {row["lot"]: row for row in csv.DictReader(io.StringIO(r.content.decode()))}
    assert rows[FABRIC]["owner"] and rows[FABRIC]["quantity"] == ""
    assert rows[SILK]["quantity"] == "40"
    # the office of the cluster sees every quantity
    r = client_for(world.users.office).get(f"/trace/lots/{lot(COCOONS).pk}/recall/?format=csv")
    rows = {row["lot"]: row for row in csv.DictReader(io.StringIO(r.content.decode()))}
    assert rows[FABRIC]["quantity"] == "500"


def test_lot_search_finds_only_visible_lots(silk, world, client_for):
    other = client_for(world.users.other)
    for params in ({"q": "6901234"}, {"firm": str(world.own.pk)}, {"material": "lgtin"}):
        html = other.get("/trace/lots/", params).content.decode()
        assert SILK not in html and COCOONS + '"' not in html, params
    html = client_for(world.users.enterprise).get("/trace/lots/", {"q": "6901234"}).content
    assert SILK.encode() in html


@pytest.mark.parametrize(
    "url, status",
    [
        ("/trace/lots/?since=2026-13-01", 422),
        ("/trace/lots/?until=yesterday", 422),
        ("/trace/lots/?firm=abc", 422),
        ("/trace/lots/99999999999999999999999/", 404),
        ("/trace/lots/0/recall/", 404),
    ],
)
def test_lot_pages_with_bad_parameters(silk, world, client_for, url, status):
    r = client_for(world.users.enterprise).get(url)
    not_a_500(r)
    assert r.status_code == status


def test_recall_with_an_unknown_format_names_it(silk, world, client_for):
    r = client_for(world.users.enterprise).get(f"/trace/lots/{lot(SILK).pk}/recall/?format=xml")
    assert r.status_code == 422 and b"format" in r.content


def test_lot_search_with_a_unicode_digit_firm_is_not_a_500(silk, world, client_for):
    r = client_for(world.users.enterprise).get("/trace/lots/", {"firm": "²"})
    not_a_500(r)
    assert r.status_code == 422


def test_lot_search_with_a_huge_firm_is_not_a_500(silk, world, client_for):
    r = client_for(world.users.enterprise).get("/trace/lots/", {"firm": "9" * 23})
    not_a_500(r)
    assert r.status_code == 422


@pytest.mark.parametrize("param", ["q", "material"])
def test_lot_search_with_a_nul_is_not_a_500(silk, world, client_for, param):
    r = client_for(world.users.enterprise).get("/trace/lots/", {param: "a\x00b"})
    not_a_500(r)
    assert r.status_code == 400 and b"NUL" in r.content


# === passport ==================================================================================


@pytest.fixture
def leather(world, firm_users):
    """passportdata's Xinji chain: sharing trades hides from farms, own tans (LWG gold),
    leading sews jackets and publishes the passport `alpha-jacket`."""
    from passportdata import leather_chain

    world.users.leading = factories.user(
        Role.ENTERPRISE, enterprise=world.leading, username="leading-u"
    )
    return leather_chain(world)


def _passport(slug="alpha-jacket"):
    from clusterbrain.passport.models import Passport

    return Passport.objects.get(slug=slug)


def _public_urls(p):
    return [
        f"/p/{p.slug}/",
        f"/p/{p.slug}/?format=json",
        f"/p/{p.slug}/qr.svg",
        f"/p/{p.slug}/qr.png",
        p.path,
        p.path + "?format=json",
        f"/api/v1/passports/{p.slug}",
    ]


def test_withdrawn_passport_is_404_at_every_public_address(leather, world, client_for):
    from clusterbrain.passport import services

    p = _passport()
    anonymous = client_for(None)
    for url in _public_urls(p):
        assert anonymous.get(url).status_code == 200, url
    services.withdraw(world.users.leading, p)
    for user in (None, world.users.other, world.users.bank, world.users.office_b):
        client = client_for(user)
        for url in _public_urls(p):
            r = client.get(url)
            assert r.status_code == 404, (user, url)
            assert b"Chrome-free leather jacket" not in r.content


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_passport_shows_only_what_the_firm_chose(leather, world, client_for):
    from clusterbrain.passport import services

    p = _passport()
    services.publish(
        world.users.leading,
        p.lot,
        p.title_zh,
        p.title_en,
        origins="none",
        show_firms=False,
        show_certificates=False,
        show_footprint=False,
        slug=p.slug,
    )
    anonymous = client_for(None)
    document = anonymous.get(f"/api/v1/passports/{p.slug}").json()
    assert document == anonymous.get(p.path + "?format=json").json()
    assert document["origins"]["items"] == [] and document["origins"]["countries"] == []
    assert document["certificates"] is None and document["footprint"] is None
    assert all(step["firm"] is None for step in document["steps"])
    texts = set(_strings(document))
    html = anonymous.get(p.path).content.decode()
    for hidden in (
        world.own.name_zh,
        world.own.name_en,
        world.sharing.name_zh,
        world.sharing.name_en,
        "Mato Grosso",
        "Hebei",
        world.own.uscc,
        world.leading.uscc,
    ):
        assert hidden not in texts and hidden not in html, hidden
    # no lot's quantity, no firm's confidential figures
    from clusterbrain.trace.models import Lot

    numbers = {
        round(q, 1)
        for row in Lot.objects.all()
        for q in (row.declared, row.produced, row.consumed)
        if q and q > 1
    }

    def nums(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from nums(v)
        elif isinstance(value, list):
            for v in value:
                yield from nums(v)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield round(float(value), 1)

    assert not (set(nums(document)) - {100.0}) & numbers


def test_passport_json_holds_no_confidential_figures_with_everything_shown(
    leather, world, client_for
):
    p = _passport()
    document = client_for(None).get(f"/p/{p.slug}/?format=json").json()
    text = json.dumps(document, ensure_ascii=False)
    for word in ("quantity", "amount", "revenue", "output_value", "employees", "uscc", "price"):
        assert word not in text
    for firm in (world.own, world.sharing, world.leading):
        assert firm.uscc not in text
        assert firm.address_zh not in text or not firm.address_zh


def test_publishing_for_another_firms_lot_is_refused(leather, world, client_for):
    from clusterbrain.passport.models import Passport

    jackets = _passport().lot  # leading's
    hides = lot(
        next(k for k in jackets.__class__.objects.values_list("key", flat=True) if "RH001" in k)
    )  # sharing's
    before = list(Passport.objects.values_list("slug", "status", "title_zh"))
    form = {"title_zh": "冒名", "origins": "country", "slug": "stolen"}
    for user, pk, allowed in (
        (world.users.enterprise, jackets.pk, (404,)),  # own cannot see leading's lot
        (world.users.enterprise, hides.pk, (404,)),
        (world.users.office, jackets.pk, (403,)),  # the office reads it but does not publish
        (world.users.office_b, jackets.pk, (404,)),
        (world.users.association, hides.pk, (403, 404)),
        (world.users.bank, jackets.pk, (403,)),
    ):
        client = client_for(user)
        assert client.get(f"/trace/lots/{pk}/passport/").status_code in allowed, user
        assert client.post(f"/trace/lots/{pk}/passport/", form).status_code in allowed, user
    assert list(Passport.objects.values_list("slug", "status", "title_zh")) == before


def test_management_pages_and_actions_of_another_firm(leather, world, client_for):
    p = _passport()
    for user, status in (
        (world.users.enterprise, 404),
        (world.users.other, 404),
        (world.users.office_b, 404),
        (world.users.association, 404),
        (world.users.bank, 404),
    ):
        client = client_for(user)
        assert client.get(f"/passports/{p.pk}/").status_code == status, user
        for verb in ("withdraw", "refresh"):
            assert client.post(f"/passports/{p.pk}/{verb}/").status_code == status, (user, verb)
        listed = client.get("/passports/")
        assert p.slug.encode() not in listed.content
    office = client_for(world.users.office)
    assert office.get(f"/passports/{p.pk}/").status_code == 200
    assert office.post(f"/passports/{p.pk}/withdraw/").status_code == 403
    anonymous = client_for(None)
    assert anonymous.post(f"/passports/{p.pk}/withdraw/").status_code == 302
    assert _passport().status == "published" and _passport().snapshot == p.snapshot


def test_passport_actions_need_csrf_and_post(leather, world, client_for):
    p = _passport()
    client = client_for(world.users.leading, enforce_csrf_checks=True)
    assert client.post(f"/passports/{p.pk}/withdraw/").status_code == 403
    assert client.post(f"/trace/lots/{p.lot.pk}/passport/", {"title_zh": "x"}).status_code == 403
    assert client_for(world.users.leading).get(f"/passports/{p.pk}/withdraw/").status_code == 405
    assert _passport().status == "published" and _passport().title_zh == p.title_zh


def test_eudr_export_of_another_firms_lot(leather, world, client_for):
    from clusterbrain.passport.demo import xinji_chain  # noqa: F401 - the chain is built

    ready = next(
        row
        for row in lot(_passport().lot.key).__class__.objects.all()
        if row.key.endswith("XJ-CF-01")
    )  # own's chrome-free lot
    urls = [
        f"/trace/lots/{ready.pk}/eudr/",
        f"/trace/lots/{ready.pk}/eudr/?format=json",
        f"/trace/lots/{ready.pk}/eudr/?format=geojson",
    ]
    api = [f"/api/v1/eudr/lots/{ready.pk}", f"/api/v1/eudr/lots/{ready.pk}/geojson"]
    assert client_for(world.users.enterprise).get(urls[1]).status_code == 200
    for user, statuses in (
        (world.users.other, (404,)),
        (world.users.leading, (404,)),  # the customer does not get the tannery's statement
        (world.users.office_b, (404,)),
        (world.users.association, (403, 404)),
        (world.users.bank, (403,)),
    ):
        page = client_for(user)
        for url in urls:
            assert page.get(url).status_code in statuses, (user, url)
        tokens = token_client(client_for, user)
        for url in api:
            assert tokens.get(url).status_code in statuses, (user, url)
    assert client_for(None).get(api[0]).status_code == 401
    assert client_for(world.users.office).get(urls[1]).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/01/",
        "/01/abc/10/x",
        "/01/09506000134352/10/",
        "/01/09506000134352/10/" + "A" * 300,
        "/01/09506000134352/10/%E2%98%83",
        "/01/09506000134352/10/%00",
        "/01/09506000134352/99/ABC",
        "/01/09506000134359/10/ABC",
        "/01/" + "9" * 5000,
        "/01/09506000134352/10/ABC/21/1/2/3",
        "/01/09506000134352/10/%3Cscript%3E",
        "/p/UNKNOWN-slug/",
        "/p/x/qr.gif",
        "/p/alpha-jacket/?format=xml",
    ],
)
def test_bad_public_passport_addresses_are_friendly_404s(leather, client, path):
    r = client.get(path)
    not_a_500(r)
    assert r.status_code == (400 if "%00" in path else 404)  # NUL: refused before any view
    assert b"<script>" not in r.content


def test_names_on_public_pages_are_escaped(leather, world, client_for):
    from clusterbrain.passport import services

    p = _passport()
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    world.leading.name_en = evil
    world.leading.name_zh = evil
    world.leading.save()
    services.publish(world.users.leading, p.lot, evil, evil, slug=p.slug)
    anonymous = client_for(None)
    for url in (p.path, f"/p/{p.slug}/"):
        r = anonymous.get(url)
        assert r.status_code == 200
        assert b"<script>alert" not in r.content and b"<img src=x" not in r.content, url
    # the JSON export carries the name as data, never as HTML
    for url in (f"/api/v1/passports/{p.slug}", f"/p/{p.slug}/?format=json"):
        r = anonymous.get(url)
        assert r["Content-Type"].startswith("application/json")
        assert r.json()["product"]["name_en"] == evil
    html = client_for(world.users.leading).get(f"/passports/{p.pk}/").content
    assert b"<script>alert" not in html and b"<img src=x" not in html


@pytest.mark.parametrize(
    "form, field",
    [
        ({"title_zh": "", "origins": "region"}, "title_zh"),
        ({"title_zh": "x" * 201, "origins": "region"}, "title_zh"),
        ({"title_zh": "x", "origins": "planet"}, "origins"),
        ({"title_zh": "x", "origins": "region", "slug": "Bad Slug!"}, "slug"),
        ({"title_zh": "x", "origins": "region", "slug": "-ab"}, "slug"),
        ({"title_zh": "x\x00y", "origins": "region"}, "title_zh"),
    ],
)
def test_bad_publish_form_names_the_field_and_changes_nothing(
    leather, world, client_for, form, field
):
    p = _passport()
    r = client_for(world.users.leading).post(f"/trace/lots/{p.lot.pk}/passport/", form)
    not_a_500(r)
    assert r.status_code == 422
    assert f'name="{field}"'.encode() in r.content
    after = _passport()
    assert (after.title_zh, after.slug, after.origins) == (p.title_zh, p.slug, p.origins)


def test_a_slug_of_another_firms_passport_cannot_be_taken(leather, world, client_for):
    from clusterbrain.passport import services
    from clusterbrain.trace.models import Lot

    own_lot = Lot.objects.get(key__endswith="XJ-CR-01")  # own's chrome lot
    r = client_for(world.users.enterprise).post(
        f"/trace/lots/{own_lot.pk}/passport/",
        {"title_zh": "铬鞣革", "origins": "country", "slug": "alpha-jacket"},
    )
    assert r.status_code == 422 and b"slug" in r.content
    assert _passport().enterprise == world.leading
    with pytest.raises(Exception):  # noqa: B017 - the service's own refusal
        services.publish(world.users.enterprise, own_lot, "x", slug="alpha-jacket")


SLASH_LOT = "urn:epc:class:lgtin:6901234.012345.2024%2F05"  # lot number "2024/05"


def test_a_passport_of_a_lot_number_with_a_slash_resolves_by_its_digital_link(
    silk, world, client_for
):
    from clusterbrain.passport import services
    from clusterbrain.trace import services as trace_services

    assert trace_services.capture(None, epcis_doc(declare(SLASH_LOT, 10, OWN_SITE))).success
    p = services.publish(world.users.enterprise, lot(SLASH_LOT), "茧", slug="slash-lot")
    assert p.lot_number == "2024/05" and p.path.endswith("/10/2024%2F05")
    anonymous = client_for(None)
    assert anonymous.get("/p/slash-lot/").status_code == 200
    r = anonymous.get(p.path)  # the server hands the view the decoded path: …/10/2024/05
    assert r.status_code == 200, r.content[:300]
    assert anonymous.get(p.path + "?format=json").json()["product"]["lot"] == "2024/05"
    # the QR code carries the same link
    assert anonymous.get("/p/slash-lot/qr.svg").status_code == 200


# === green =====================================================================================


@pytest.fixture
def green(world, firm_users):
    """greendata's four tanneries of cluster a with twelve monthly records of 2024 and a value
    added each (grades 1 2 4 3), none published."""
    from greendata import build_green

    return build_green(world)


def _record(firm):
    from clusterbrain.green.models import ProductionRecord

    return ProductionRecord.objects.filter(enterprise=firm).order_by("month").first()


def _green_state():
    from clusterbrain.green.models import CarbonYear, ProductionRecord, WastewaterTest

    return (
        list(ProductionRecord.objects.order_by("pk").values_list("pk", "area_chrome_m2", "note")),
        list(WastewaterTest.objects.order_by("pk").values_list("pk", "laboratory")),
        list(CarbonYear.objects.order_by("pk").values_list("pk", "value_added", "publishes_grade")),
    )


def test_green_records_tests_and_grades_of_another_firm_over_the_api(green, world, client_for):
    from clusterbrain.green import services

    test = services.add_test(
        world.users.admin,
        world.own,
        {"sampled_on": "2024-03-01", "laboratory": "Lab", "total_cr_mg_l": 0.5},
    )
    record = _record(world.own)
    own = world.own.pk
    reads = [
        f"/api/v1/green/records/{record.pk}",
        f"/api/v1/enterprises/{own}/green/records",
        f"/api/v1/enterprises/{own}/green/records?year=2024",
        f"/api/v1/enterprises/{own}/green/tests",
        f"/api/v1/enterprises/{own}/green/cycle",
        f"/api/v1/enterprises/{own}/green/grade",
        f"/api/v1/enterprises/{own}/green/grade?year=2024",
    ]
    before = _green_state()
    for user in (
        world.users.other,
        world.users.sharing,
        world.users.association,  # own does not share with the association
        world.users.office_b,
        world.users.bank,
    ):
        client = token_client(client_for, user)
        for url in reads:
            r = client.get(url)
            assert r.status_code == 404, (user, url, r.content[:200])
        assert client.patch(
            f"/api/v1/green/records/{record.pk}", {"note": "x"}, content_type="application/json"
        ).status_code in (403, 404)
        assert client.delete(f"/api/v1/green/records/{record.pk}").status_code in (403, 404)
        assert client.delete(f"/api/v1/green/tests/{test.pk}").status_code in (403, 404)
        assert post_json(
            client,
            f"/api/v1/enterprises/{own}/green/records",
            {"month": "2023-01", "area_chrome_m2": 5},
        ).status_code in (403, 404)
        assert post_json(
            client,
            f"/api/v1/enterprises/{own}/green/tests",
            {"sampled_on": "2024-05-01", "laboratory": "L", "cod_mg_l": 1},
        ).status_code in (403, 404)
        assert client.put(
            f"/api/v1/enterprises/{own}/green/years/2024",
            {"value_added": 1, "publishes_grade": True},
            content_type="application/json",
        ).status_code in (403, 404)
        assert client.get("/api/v1/clusters/alpha/green/grades").status_code == 403
    # the office of the cluster reads everything and writes nothing
    office = token_client(client_for, world.users.office)
    for url in reads:
        assert office.get(url).status_code == 200, url
    assert (
        office.patch(
            f"/api/v1/green/records/{record.pk}", {"note": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert office.delete(f"/api/v1/green/tests/{test.pk}").status_code == 403
    anonymous = client_for(None)
    assert anonymous.get(reads[0]).status_code == 401
    assert anonymous.get(reads[5]).status_code == 404  # grade not published
    assert _green_state() == before


def test_green_pages_of_another_firm(green, world, client_for):
    record = _record(world.own)
    own = world.own.pk
    before = _green_state()
    for user in (world.users.other, world.users.association, world.users.office_b):
        client = client_for(user)
        assert client.get(f"/firms/{own}/green/").status_code == 404, user
        assert client.get(f"/green/records/{record.pk}/").status_code == 404, user
        assert (
            client.post(
                f"/firms/{own}/green/",
                {"form": "record", "month": "2023-01", "area_chrome_m2": "5"},
            ).status_code
            == 404
        )
        assert client.post(f"/green/records/{record.pk}/delete/").status_code == 404
        assert client.get(f"/firms/{own}/green/import/").status_code in (403, 404)
    bank = client_for(world.users.bank)
    assert bank.get(f"/firms/{own}/green/").status_code in (403, 404)
    office = client_for(world.users.office)
    assert office.get(f"/firms/{own}/green/").status_code == 200
    r = office.post(f"/green/records/{record.pk}/", {"month": "2024-01", "area_chrome_m2": "1"})
    assert r.status_code == 403
    assert office.post(f"/green/records/{record.pk}/delete/").status_code == 403
    assert _green_state() == before


def test_green_forms_need_csrf(green, world, client_for):
    before = _green_state()
    client = client_for(world.users.enterprise, enforce_csrf_checks=True)
    record = _record(world.own)
    assert client.post(f"/green/records/{record.pk}/delete/").status_code == 403
    assert (
        client.post(
            f"/firms/{world.own.pk}/green/", {"form": "year", "year": "2024", "value_added": "1"}
        ).status_code
        == 403
    )
    assert _green_state() == before


def _csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["month", "site", "area_chrome_m2", "water_m3"])
    writer.writerows(rows)
    return out.getvalue().encode()


def test_import_into_another_firm_or_another_firms_site_is_refused(green, world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    other_site = factories.facility(world.other, name_zh="他家工厂")
    before = _green_state()
    own_url = f"/api/v1/enterprises/{world.own.pk}/green/records/import"
    for user in (world.users.other, world.users.office, world.users.association):
        client = token_client(client_for, user)
        upload = SimpleUploadedFile("r.csv", _csv([["2023-01", "", "10", "1"]]), "text/csv")
        assert client.post(own_url, {"file": upload}).status_code in (403, 404), user
        upload = SimpleUploadedFile("r.csv", _csv([["2023-01", "", "10", "1"]]), "text/csv")
        page = client_for(user).post(f"/firms/{world.own.pk}/green/import/", {"file": upload})
        assert page.status_code in (403, 404), user
    own = token_client(client_for, world.users.enterprise)
    for site in (str(other_site.pk), "他家工厂"):
        upload = SimpleUploadedFile("r.csv", _csv([["2023-01", site, "10", "1"]]), "text/csv")
        r = own.post(own_url, {"file": upload})
        assert r.status_code == 422, r.content
        assert any("site" in e["loc"] or "facility" in e["loc"] for e in r.json()["errors"])
    # a record pointed at another firm's site over the API
    r = post_json(
        own,
        f"/api/v1/enterprises/{world.own.pk}/green/records",
        {"month": "2023-01", "facility": other_site.pk, "area_chrome_m2": 5},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][-1] == "facility"
    assert _green_state() == before


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"month": 5, "area_chrome_m2": 1}, "month"),
        ({"month": "2024-13", "area_chrome_m2": 1}, "month"),
        ({"month": "9999-01", "area_chrome_m2": 1}, "month"),
        ({"month": "2023-01", "area_chrome_m2": "abc"}, "area_chrome_m2"),
        ({"month": "2023-01", "area_chrome_m2": -1}, "area_chrome_m2"),
        ({"month": "2023-01", "area_chrome_m2": 1e308}, "area_chrome_m2"),
        ({"month": "2023-01", "area_chrome_m2": 1, "bogus": 1}, "bogus"),
        ({"month": "2023-01", "area_chrome_m2": 1, "note": "长" * 5000}, "note"),
        ({"month": "2023-01", "area_chrome_m2": 1, "facility": 10**30}, "facility"),
        ({"month": "2023-01"}, "area_chrome_m2"),
    ],
)
def test_bad_green_records_over_the_api_name_the_field(green, world, client_for, payload, field):
    before = _green_state()
    r = post_json(
        token_client(client_for, world.users.enterprise),
        f"/api/v1/enterprises/{world.own.pk}/green/records",
        payload,
    )
    not_a_500(r)
    assert r.status_code == 422, r.content
    assert field in [str(part) for e in r.json()["errors"] for part in e["loc"]], r.json()
    assert _green_state() == before


def test_bad_green_test_and_year_over_the_api(green, world, client_for):
    before = _green_state()
    client = token_client(client_for, world.users.enterprise)
    own = world.own.pk
    for payload in (
        {"sampled_on": "2024-02-30", "laboratory": "L", "cod_mg_l": 1},
        {"sampled_on": "2024-02-01", "laboratory": "L", "cod_mg_l": "NaN"},
        {"sampled_on": "2024-02-01", "laboratory": "L", "total_cr_mg_l": 0.1, "cr6_mg_l": 0.5},
        {"sampled_on": "2024-02-01", "laboratory": "L", "discharge": "river", "cod_mg_l": 1},
    ):
        r = post_json(client, f"/api/v1/enterprises/{own}/green/tests", payload)
        not_a_500(r)
        assert r.status_code == 422, (payload, r.content)
    for year in ("0", "1999", "3000", "abc", "99999999999999999999"):
        r = client.put(
            f"/api/v1/enterprises/{own}/green/years/{year}",
            {"value_added": 1},
            content_type="application/json",
        )
        not_a_500(r)
        assert r.status_code in (404, 422), (year, r.content)
    assert _green_state() == before


@pytest.mark.parametrize("year", ["0", "10000"])
def test_records_of_an_impossible_year_is_a_4xx(green, world, client_for, year):
    r = token_client(client_for, world.users.enterprise).get(
        f"/api/v1/enterprises/{world.own.pk}/green/records", {"year": year}
    )
    not_a_500(r)
    assert r.status_code == 422


def test_a_published_grade_shows_no_figures_to_the_public(green, world, client_for):
    from clusterbrain.green import services

    services.set_carbon_year(
        world.users.enterprise,
        world.own,
        2024,
        {"value_added": 10_000_000, "publishes_grade": True},
    )
    for user in (None, world.users.bank, world.users.other):
        client = client_for(user) if user is None else token_client(client_for, user)
        r = client.get(f"/api/v1/enterprises/{world.own.pk}/green/grade?year=2024")
        assert r.status_code == 200, user
        body = r.json()
        assert body["grade"] == 1
        for hidden in ("emissions_t", "value_added", "intensity", "ratio", "level"):
            assert body[hidden] is None, (user, hidden)
    # another firm's unpublished grade stays hidden
    assert (
        client_for(None).get(f"/api/v1/enterprises/{world.other.pk}/green/grade").status_code == 404
    )
    # the public dashboard names no firm's grade and no firm's figures
    html = client_for(None).get("/c/alpha/green/").content.decode()
    for firm in (world.own, world.sharing, world.other, world.leading):
        assert firm.name_zh not in html.split("<main", 1)[-1]


def _two_tanneries(world):
    from clusterbrain.green import services

    for firm in (world.own, world.other):
        for month in (1, 2):
            services.save_record(
                world.users.admin,
                firm,
                {"month": f"2024-{month:02d}", "area_chrome_m2": 700.0, "water_m3": 30.0},
            )
        services.add_test(
            world.users.admin,
            firm,
            {"sampled_on": "2024-03-01", "laboratory": "Lab", "total_cr_mg_l": 0.5},
        )


def test_green_aggregates_of_fewer_than_k_firms_are_withheld(world, firm_users, client_for):
    _two_tanneries(world)
    for user in (None, world.users.enterprise, world.users.bank, world.users.office_b):
        client = client_for(user)
        figures = client.get("/api/v1/clusters/alpha/green").json()
        year = figures["by_year"][0]
        assert year["firms"] == 2 and year["suppressed"]
        assert year["area_m2"] is None and year["chrome_free_share"] is None
        assert year["water_per_m2"] is None and year["co2e_per_m2"] is None
        html = client.get("/c/alpha/green/").content.decode()
        assert "2,800" not in html and "2800" not in html  # the two firms' area
    office = client_for(world.users.office).get("/api/v1/clusters/alpha/green").json()
    assert office["by_year"][0]["area_m2"] == 2800


def test_a_withheld_tested_share_cannot_be_worked_back(world, firm_users, client_for):
    _two_tanneries(world)
    figures = client_for(None).get("/api/v1/clusters/alpha/green").json()
    assert figures["cycle_suppressed"] and figures["tested_share"] is None
    assert figures["tested_firms"] is None or figures["expected_firms"] is None
