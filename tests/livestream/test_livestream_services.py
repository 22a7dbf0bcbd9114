"""Validation and permissions of the base's writes, ROI with known answers, matching."""

from __future__ import annotations

import pytest

from clusterbrain.errors import Forbidden, InvalidInput, NotFound
from clusterbrain.livestream import scoring, selectors, services
from clusterbrain.livestream.models import LivestreamSession, SessionItem, Streamer


def _locs(exc: pytest.ExceptionInfo[InvalidInput]) -> set[tuple]:
    return {tuple(e.loc) for e in exc.value.errors}


def test_streamer_validation_names_fields(world):
    with pytest.raises(InvalidInput) as exc:
        services.save_streamer(
            world.users.association,
            world.a,
            name="",
            platform="myspace",
            followers=-3,
            commission_rate=1.5,
        )
    assert _locs(exc) == {("name",), ("platform",), ("followers",), ("commission_rate",)}
    assert not Streamer.objects.exists()


def test_only_the_operator_writes(world):
    for user in (world.users.enterprise, world.users.office, world.users.bank, None):
        with pytest.raises(Forbidden):
            services.save_streamer(user, world.a, name="X", platform="douyin")
    other_assoc = world.users.office_b  # an office of another cluster is not an operator
    with pytest.raises(Forbidden):
        services.save_streamer(other_assoc, world.a, name="X", platform="douyin")
    assert not Streamer.objects.exists()


def test_session_end_before_start_and_overlap(world, base):
    assoc = world.users.association
    with pytest.raises(InvalidInput) as exc:
        services.schedule_session(assoc, base.bags, start=base.at(20), end=base.at(20, -1))
    assert _locs(exc) == {("end",)}
    with pytest.raises(InvalidInput) as exc:
        services.schedule_session(assoc, base.bags, start=base.at(20), duration_minutes=0)
    assert _locs(exc) == {("duration_minutes",)}
    # the planned session runs 19:00-20:30 on day 7: 20:00 overlaps it
    before = LivestreamSession.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.schedule_session(assoc, base.bags, start=base.at(7, 1), duration_minutes=60)
    assert _locs(exc) == {("start",)}
    assert "小美" in exc.value.errors[0].msg
    # another streamer at the same time is fine, and so is the same one right after
    services.schedule_session(assoc, base.shoes, start=base.at(7, 1), duration_minutes=60)
    services.schedule_session(assoc, base.bags, start=base.at(7, 1.5), duration_minutes=60)
    assert LivestreamSession.objects.count() == before + 2


def test_firm_of_another_cluster_refused(world, base):
    with pytest.raises(InvalidInput) as exc:
        services.schedule_session(
            world.users.association,
            base.bags,
            start=base.at(30),
            duration_minutes=60,
            firms=[world.outsider],
        )
    assert _locs(exc) == {("firms", 0)}


def test_results_validation_changes_nothing(world, base):
    assoc = world.users.association
    s = base.planned
    with pytest.raises(InvalidInput) as exc:
        services.record_results(
            assoc,
            s,
            results={"viewers": -1, "gmv": 100, "returns_value": 200},
            items=[
                {
                    "enterprise": world.own.pk,
                    "category": "bags",
                    "gmv": 10,
                    "returns_value": 20,
                    "units": -2,
                }
            ],
        )
    assert _locs(exc) == {
        ("viewers",),
        ("returns_value",),
        ("items", 0, "returns_value"),
        ("items", 0, "units"),
    }
    s.refresh_from_db()
    assert s.status == "planned" and s.gmv is None
    assert not SessionItem.objects.filter(session=s).exists()


def test_results_commission_from_rate(world, base):
    s = services.record_results(
        world.users.association,
        base.planned,
        results={"viewers": 100, "orders": 5, "gmv": 1000, "returns_value": 100},
        items=[{"enterprise": world.own.pk, "category": "bags", "gmv": 1000}],
    )
    assert s.status == "done"
    assert s.commission == pytest.approx(90.0)  # 10 % of 1000 − 100


def test_roi_known_answers(world, base):
    # session one: fees 2000, GMV 50 000, returns 5 000 → (50 000 − 5 000 − 2 000) / 2 000
    view = selectors.session_view(base.done, world.users.office)
    assert view.totals.roi == pytest.approx(21.5)
    # own firm: 40 % of items' GMV → 800 of fees; (20 000 − 2 000 − 800) / 800 = 21.5
    own = selectors.session_view(base.done, world.users.enterprise)
    assert own.own_fees == pytest.approx(800)
    assert own.own_roi == pytest.approx(21.5)
    # session two: fees 1000, own has 75 % of GMV → 750; (6 000 − 1 500 − 750) / 750 = 5
    roi = selectors.firm_roi(world.own, world.users.enterprise)
    assert [r["fees"] for r in roi.sessions] == pytest.approx([800, 750])
    assert roi.sessions[1]["roi"] == pytest.approx(5.0)
    # over both: (26 000 − 3 500 − 1 550) / 1 550
    assert roi.roi == pytest.approx((26_000 - 3_500 - 1_550) / 1_550)


def test_fee_split_equal_when_nothing_sold():
    s = scoring.SessionRow(1, 1, 900.0, 10, 0, 0.0, 0.0, (1, 2, 3))
    assert scoring.fee_shares(s, []) == {1: 300.0, 2: 300.0, 3: 300.0}
    assert scoring.roi(10, 0, 0) is None


def test_firm_sees_only_its_items(world, base):
    view = selectors.session_view(base.done, world.users.enterprise)
    assert {i.enterprise_id for i in view.items} == {world.own.pk}
    assert not view.all_items
    office = selectors.session_view(base.done, world.users.office)
    assert {i.enterprise_id for i in office.items} == {
        world.own.pk,
        world.sharing.pk,
        world.other.pk,
    }
    for user in (world.users.association, world.users.bank, world.users.office_b):
        assert selectors.session_view(base.done, user).items == []


def test_firm_roi_hidden_from_others(world, base):
    for user in (world.users.association, world.users.bank, world.users.office_b, None):
        with pytest.raises(NotFound):
            selectors.firm_roi(world.own, user)
    assert selectors.firm_roi(world.own, world.users.office).roi is not None


def test_totals_withheld_below_k(world, base, settings):
    settings.AGGREGATE_MIN_FIRMS = 3
    # three firms, none dominant: shown to everyone signed in
    assert selectors.totals(base.done, world.users.bank).gmv == 50_000
    # two firms: withheld but for the office and admins
    t = selectors.totals(base.two, world.users.enterprise)
    assert t.withheld and t.gmv is None and t.roi is None and t.suppression_note
    assert selectors.totals(base.two, world.users.association).withheld
    assert selectors.totals(base.two, world.users.office).gmv == 8_000
    assert selectors.totals(base.two, world.users.admin).gmv == 8_000
    settings.AGGREGATE_MIN_FIRMS = 2
    assert selectors.totals(base.two, world.users.bank).gmv == 8_000


def test_dominant_firm_withholds_totals(world, base, settings):
    settings.AGGREGATE_MIN_FIRMS = 2
    services.record_results(
        world.users.association,
        base.two,
        results={"gmv": 10_000},
        items=[
            {"enterprise": world.own.pk, "category": "shoes", "gmv": 9_000},
            {"enterprise": world.sharing.pk, "category": "shoes", "gmv": 100},
        ],
    )
    assert selectors.totals(base.two, world.users.bank).withheld


def test_anonymous_sees_nothing(world, base):
    with pytest.raises(Forbidden):
        selectors.streamers(world.a, None)
    with pytest.raises(Forbidden):
        selectors.get_session(base.done.pk, None)


def test_matching_ranks_planted_fit_first(world, base, settings):
    settings.AGGREGATE_MIN_FIRMS = 1
    ranked = selectors.matches(world.a, world.users.office, category="shoes")
    assert ranked[0].streamer == base.shoes
    assert ranked[0].fit == pytest.approx(1.0)
    ranked = selectors.matches(world.a, world.users.office, category="bags")
    assert ranked[0].streamer == base.bags
    assert ranked[0].fit == pytest.approx(0.8)
    assert all(r.reasons for r in ranked)


def test_matching_planted_among_many():
    """A streamer with the category, good conversion and low returns beats five others."""
    sessions, items = [], []
    for sid in range(1, 7):
        cat = "bags" if sid == 4 else "shoes"
        for n in range(3):
            k = sid * 10 + n
            good = sid == 4
            sessions.append(
                scoring.SessionRow(
                    k,
                    sid,
                    1000.0,
                    10_000,
                    400 if good else 100,
                    20_000.0,
                    1_000.0 if good else 4_000.0,
                    (1, 2),
                )
            )
            items.append(scoring.ItemRow(k, 1, cat, 10_000.0, 500.0))
            items.append(scoring.ItemRow(k, 2, cat, 10_000.0, 500.0))
    ranked = scoring.match_streamers({i: [] for i in range(1, 7)}, sessions, items, {"bags"})
    assert ranked[0].streamer == 4
    assert ranked[0].conversion == pytest.approx(0.04)
    assert ranked[0].peer_firms == 2


def test_peer_roi_withheld_below_k(world, base, settings):
    settings.AGGREGATE_MIN_FIRMS = 3
    rows = selectors.matches(world.a, world.users.bank, category="shoes")
    top = rows[0]
    assert top.streamer == base.shoes
    assert top.peer_roi is None and top.peer_roi_withheld
    # the two firms' orders and returns as ratios are withheld with it (review of issue 6)
    assert top.conversion is None and top.return_rate is None
    assert selectors.matches(world.a, world.users.office, category="shoes")[0].peer_roi is not None


def test_firm_match_is_the_firms_own(world, base):
    rows = selectors.matches(world.a, world.users.enterprise, enterprise=world.own)
    assert {r.streamer for r in rows} == {base.bags, base.shoes}
    with pytest.raises(NotFound):
        selectors.matches(world.a, world.users.bank, enterprise=world.own)
