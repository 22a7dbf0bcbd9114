"""The booth allocation rule alone (no database): priority when booths run short, zones, sizes,
and that nothing is given twice."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from clusterbrain.exhibitions.allocation import BoothRequest, BoothSpec, allocate


def booths(spec: str) -> list[BoothSpec]:
    """ "A9 A9 B18": zone letter and area."""
    return [BoothSpec(i, float(s[1:]), s[0], False) for i, s in enumerate(spec.split())]


def test_preferred_zones_are_honoured_when_they_can_be():
    plan = booths("A9 A9 B18 B18")
    got = allocate([BoothRequest(1, 2, None, "B", 1), BoothRequest(2, 2, None, "A", 0)], plan).pairs
    by_request = {r: sorted(plan[b].zone for rr, b in got if rr == r) for r, _ in got}
    assert by_request == {1: ["B", "B"], 2: ["A", "A"]}


def test_when_booths_run_short_the_last_in_line_goes_without():
    plan = booths("A9 A9")
    result = allocate(
        [
            BoothRequest(7, 1, None, "A", 2),
            BoothRequest(8, 1, None, "B", 0),  # wants a zone that is not there: still first
            BoothRequest(9, 1, None, "A", 1),
        ],
        plan,
    )
    assert sorted(r for r, _ in result.pairs) == [8, 9] and result.unmet == {7: 1}


def test_the_earlier_firm_wins_a_contested_zone():
    plan = booths("A9 B9")
    pairs = dict(
        allocate([BoothRequest(1, 1, None, "A", 1), BoothRequest(2, 1, None, "A", 0)], plan).pairs
    )
    assert plan[pairs[2]].zone == "A" and plan[pairs[1]].zone == "B"


def test_size_asked_for_picks_the_nearest_booth():
    plan = booths("A9 A18 A36")
    pairs = dict(allocate([BoothRequest(1, 1, 18.0, "A", 0)], plan).pairs)
    assert plan[pairs[1]].area_m2 == 18.0


def test_nothing_to_give():
    assert allocate([BoothRequest(1, 2, None, "", 0)], []).unmet == {1: 2}
    assert allocate([], booths("A9")).pairs == []


@given(
    st.lists(
        st.tuples(st.integers(1, 3), st.sampled_from("AB"), st.sampled_from("AB")), max_size=8
    ),
    st.integers(0, 10),
)
def test_every_booth_once_and_priority_respected(wishes, n_booths):
    plan = booths(" ".join(f"{'AB'[i % 2]}9" for i in range(n_booths)))
    requests = [BoothRequest(i, k, None, z, rank=i) for i, (k, z, _) in enumerate(wishes)]
    result = allocate(requests, plan)
    given_booths = [b for _, b in result.pairs]
    assert len(given_booths) == len(set(given_booths))
    asked = sum(r.booths for r in requests)
    assert len(result.pairs) == min(asked, len(plan))
    got = {r.id: sum(1 for rr, _ in result.pairs if rr == r.id) for r in requests}
    # nobody goes short while someone later in line got a booth
    short = [r.rank for r in requests if got[r.id] < r.booths]
    served_later = [r.rank for r in requests if got[r.id] > 0]
    if short:
        assert all(rank <= min(short) for rank in served_later if got[requests[rank].id] > 0)
