"""Genealogy selectors and the lot pages with the real database: shares back and forward,
hidden quantities of other firms, the cache following captures, search, detail, recall and its
CSV, in both languages; an empty database renders too."""

from __future__ import annotations

import csv
import io

import pytest
from tracedata import COCOONS, COCOONS_2, FABRIC, OWN_MILL, SILK, body, declare, transform

from clusterbrain.errors import Forbidden, NotFound
from clusterbrain.trace import selectors, services
from clusterbrain.trace.models import Lot

pytestmark = pytest.mark.django_db


def test_trace_back_shares_and_hidden_quantities(world, chain):
    fabric = Lot.objects.get(key=FABRIC)
    # `other` wove the fabric: its user is world.users... none; the office sees all figures
    back = selectors.trace(world.users.office, fabric, "back")
    shares = {r.key: r.share for r in back.rows}
    assert shares[SILK] == pytest.approx(1.0)
    assert shares[COCOONS] == pytest.approx(100 / 150) and shares[COCOONS_2] == pytest.approx(
        50 / 150
    )
    assert {r.key for r in back.ends} == {COCOONS, COCOONS_2}
    assert sum(r.share for r in back.ends) == pytest.approx(1.0)
    by_key = {r.key: r for r in back.rows}
    assert by_key[COCOONS].quantity == 100 and by_key[COCOONS].owner == world.own
    assert by_key[SILK].depth == 1 and by_key[COCOONS].depth == 2

    # own's user traces its silk: its own cocoons' quantity shown, other's hidden
    silk = selectors.get_lot(world.users.enterprise, SILK)
    mine = {r.key: r for r in selectors.trace(world.users.enterprise, silk, "back").rows}
    assert mine[COCOONS].quantity == 100 and mine[COCOONS_2].quantity is None
    assert mine[COCOONS_2].owner == world.other  # the genealogy names who, not how much
    edges = {(e.parent, e.child): e for e in selectors.trace(world.users.enterprise, silk).edges}
    assert edges[(COCOONS, SILK)].amount == 100 and edges[(COCOONS_2, SILK)].amount is None


def test_recall_from_an_origin(world, chain):
    cocoons = selectors.get_lot(world.users.enterprise, COCOONS)
    result = selectors.recall(world.users.enterprise, cocoons)
    assert [r.key for r in result.ends] == [FABRIC]
    fabric = result.ends[0]
    assert fabric.share == pytest.approx(100 / 150) and fabric.owner == world.other
    assert fabric.quantity is None  # the weaver's quantity is its own
    rows = list(csv.DictReader(io.StringIO(selectors.recall_csv(result))))
    assert [r["lot"] for r in rows] == [FABRIC, SILK]
    assert rows[0]["end_product"] == "yes" and rows[0]["owner_uscc"] == world.other.uscc
    assert float(rows[0]["share_from_recalled_lot"]) == pytest.approx(2 / 3, abs=1e-6)
    assert rows[0]["quantity"] == ""


def test_lots_are_visible_to_their_owner_office_and_admin(world, chain):
    assert {lot.key for lot in selectors.search_lots(world.users.enterprise)} == {COCOONS, SILK}
    assert len(selectors.search_lots(world.users.office)) == 4
    assert selectors.search_lots(world.users.office_b) == []
    assert [lot.key for lot in selectors.search_lots(world.users.admin, q="012346")] == [SILK]
    assert (
        selectors.search_lots(world.users.admin, firm=world.other.pk, material="012347")[0].key
        == FABRIC
    )
    with pytest.raises(NotFound):
        selectors.get_lot(world.users.enterprise, FABRIC)
    with pytest.raises(Forbidden):
        selectors.search_lots(world.users.bank)


def test_genealogy_follows_captures_without_rebuilding_on_reads(world, chain):
    first = selectors.lot_genealogy()
    assert selectors.lot_genealogy() is first  # nothing captured: the same graph
    services.capture(
        world.users.enterprise,
        body(
            declare("urn:epc:class:lgtin:6901234.012345.C9", 10),
            transform(
                [("urn:epc:class:lgtin:6901234.012345.C9", 10)],
                [("urn:epc:class:lgtin:6901234.012346.S9", 3)],
                site=OWN_MILL,
            ),
        ),
    )
    second = selectors.lot_genealogy()
    assert second is not first and second.count == first.count + 2
    assert second.row("urn:epc:class:lgtin:6901234.012346.S9") is not None


def test_pages_in_both_languages(world, chain, client_for):
    c = client_for(world.users.enterprise)
    silk = Lot.objects.get(key=SILK)
    for lang, words in (("en", ("Trace back", "Recall")), ("zh-hans", ("追溯", "召回"))):
        c.cookies["django_language"] = lang
        search = c.get("/trace/lots/", {"q": "012346"})
        assert search.status_code == 200 and SILK in search.content.decode()
        detail = c.get(f"/trace/lots/{silk.pk}/")
        html = detail.content.decode()
        assert (
            detail.status_code == 200
            and words[0] in html
            and 'data-chart="chart-trace-back"' in html
        )
        assert 'id="trace-back-table"' in html and COCOONS in html
        recall = c.get(f"/trace/lots/{silk.pk}/recall/")
        assert recall.status_code == 200 and words[1] in recall.content.decode()
        assert FABRIC in recall.content.decode()
    csv_response = c.get(f"/trace/lots/{silk.pk}/recall/", {"format": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert FABRIC in csv_response.content.decode()
    assert c.get(f"/trace/lots/{silk.pk}/recall/", {"format": "pdf"}).status_code == 422


def test_htmx_search_returns_the_results_only(world, chain, client_for):
    c = client_for(world.users.enterprise)
    r = c.get("/trace/lots/", {"q": "C1"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and html.lstrip().startswith("<section") and COCOONS in html
    bad = c.get("/trace/lots/", {"since": "last week"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.content.decode()


def test_forbidden_and_missing_lots(world, chain, client_for):
    fabric = Lot.objects.get(key=FABRIC)
    assert client_for(world.users.enterprise).get(f"/trace/lots/{fabric.pk}/").status_code == 404
    assert client_for(world.users.enterprise).get("/trace/lots/999999/").status_code == 404
    assert client_for(world.users.bank).get("/trace/lots/").status_code == 403
    anonymous = client_for(None).get("/trace/lots/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_empty_database_renders(world, client_for):
    c = client_for(world.users.admin)
    r = c.get("/trace/lots/")
    assert r.status_code == 200 and "lot-table" not in r.content.decode()


def test_nav_has_lots_for_roles_that_see_them(world, client_for):
    overview = f"/c/{world.a.slug}/"
    assert (
        "/trace/lots/?cluster=alpha"
        in client_for(world.users.office).get(overview).content.decode()
    )
    assert "/trace/lots/" not in client_for(None).get(overview).content.decode()


def test_recount_after_events_are_deleted(world, chain):
    from clusterbrain.trace.models import Event, EventKey, TraceStamp

    assert selectors.lot_genealogy().count == 4
    last = Event.objects.order_by("-pk").first()
    Lot.objects.filter(made_by=last).update(made_by=None)
    EventKey.objects.filter(event=last).delete()
    last.delete()
    services.recount_events()
    assert TraceStamp.objects.get().events == 3
    g = selectors.lot_genealogy()
    assert g.count == 3 and selectors.lot_genealogy() is g
