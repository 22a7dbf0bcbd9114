"""The green engine alone: CO₂e and tce with known answers, the carbon-efficiency grade
(known answers and property-based bounds), GB 30486-2013 limits, the ZDHC cycles."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterbrain.engines.green import (
    check_wastewater,
    co2e_t,
    cycle_of,
    cycle_status,
    energy_tce,
    factors,
    grade_firms,
    grade_of_ratio,
)
from clusterbrain.engines.green.zdhc import Cycle


def test_factors_reproduce_the_published_values():
    assert pytest.approx(1.9003, abs=1e-4) == factors.T_CO2_PER_T_COAL
    assert pytest.approx(2.1622, abs=1e-4) == factors.T_CO2_PER_M3_GAS * 1000
    assert pytest.approx(3.0959, abs=1e-4) == factors.T_CO2_PER_T_DIESEL
    assert pytest.approx(0.5703) == factors.T_CO2_PER_KWH * 1000


def test_co2e_and_tce_of_a_month():
    # 100 MWh, 10 t coal, 1,000 m³ gas, 0 diesel, 50 GJ steam
    assert co2e_t(100_000.0, 10.0, 1000.0, 0.0, 50.0) == pytest.approx(
        57.03 + 19.003 + 2.1622 + 5.5, abs=1e-3
    )
    assert energy_tce(100_000.0, 10.0, 1000.0, 0.0, 50.0) == pytest.approx(
        12.29 + 7.143 + 1.2143 + 1.706, abs=1e-3
    )
    arrays = [np.array([1000.0, 0.0])] + [np.zeros(2)] * 4
    assert list(co2e_t(*arrays)) == pytest.approx([0.5703, 0.0])


def test_grades_known_answer():
    # industry a: intensities 0.12 0.24 0.36 0.48 (t per 10⁴ yuan), average 0.30
    report = grade_firms(
        ["a", "a", "a", "a", "b"],
        [120, 240, 360, 480, 50],
        [1e7, 1e7, 1e7, 1e7, 1e7],
        min_peers=3,
    )
    assert list(report.intensity[:4]) == pytest.approx([0.12, 0.24, 0.36, 0.48])
    assert list(report.ratio[:4]) == pytest.approx([0.4, 0.8, 1.2, 1.6])
    assert list(report.grade) == [1, 2, 3, 4, 0]  # b: one firm, no benchmark
    assert report.distribution() == {1: 1, 2: 1, 3: 1, 4: 1, 5: 0}
    assert list(report.level) == [1, 1, 1, 1, 1]


def test_thresholds_are_inclusive_upper_bounds():
    assert [grade_of_ratio(k) for k in (0, 0.6, 0.61, 0.8, 1.2, 2.0, 2.01)] == [1, 1, 2, 2, 3, 4, 5]
    assert grade_of_ratio(float("nan")) == 0 and grade_of_ratio(-1) == 0


def test_firms_without_value_added_have_no_grade_and_do_not_move_the_benchmark():
    with_zero = grade_firms(["a"] * 4, [10, 20, 30, 999], [1e6, 1e6, 1e6, 0])
    without = grade_firms(["a"] * 3, [10, 20, 30], [1e6, 1e6, 1e6])
    assert with_zero.grade[3] == 0 and np.isnan(with_zero.intensity[3])
    assert list(with_zero.grade[:3]) == list(without.grade)
    assert with_zero.benchmark[0] == pytest.approx(without.benchmark[0])


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError):
        grade_firms(["a"], [1, 2], [1])
    assert len(grade_firms([], [], []).grade) == 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["tanning", "finishing", "reeling"]),
            st.floats(0, 1e5, allow_nan=False),
            st.floats(1e4, 1e10, allow_nan=False),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_grade_bounds(rows):
    industry, emissions, value_added = zip(*rows, strict=True)
    report = grade_firms(industry, emissions, value_added, min_peers=3)
    assert set(report.grade.tolist()) <= {0, 1, 2, 3, 4, 5}
    for i, code in enumerate(industry):
        peers = sum(1 for c in industry if c == code)
        assert report.peers[i] == peers
        if peers < 3:
            assert report.grade[i] == 0
            continue
        if report.grade[i]:
            assert report.grade[i] == grade_of_ratio(report.ratio[i])
    # the industry benchmark is a weighted mean: between its firms' lowest and highest intensity
    for j, code in enumerate(report.industries):
        mine = report.intensity[np.asarray(industry) == code]
        if np.isfinite(report.industry_benchmark[j]):
            assert mine.min() - 1e-9 <= report.industry_benchmark[j] <= mine.max() + 1e-9
    # scaling everyone's emissions leaves every grade as it was
    scaled = grade_firms(industry, [e * 7 for e in emissions], value_added, min_peers=3)
    assert scaled.grade.tolist() == report.grade.tolist()


@given(st.floats(0, 1e4), st.floats(0, 1e4))
def test_a_firm_dirtier_than_another_never_grades_better(a, b):
    report = grade_firms(["x"] * 4, [a, b, 100, 100], [1e6] * 4)
    if a < b and report.grade[0] and report.grade[1]:
        assert report.grade[0] <= report.grade[1]


def test_wastewater_limits():
    assert check_wastewater("indirect", total_cr=1.5, cr6=0.1, cod=300) == []
    over = check_wastewater("direct", total_cr=1.6, cr6=0.11, cod=150)
    assert [(e.parameter, e.limit) for e in over] == [("total_cr", 1.5), ("cr6", 0.1), ("cod", 100)]
    assert check_wastewater("indirect", cod=150) == []
    assert check_wastewater("direct") == []


def test_zdhc_cycles():
    assert cycle_of(datetime.date(2025, 11, 1)) == Cycle(2026, "april")
    assert cycle_of(datetime.date(2026, 4, 30)) == Cycle(2026, "april")
    assert cycle_of(datetime.date(2026, 5, 1)) == Cycle(2026, "october")
    assert cycle_of(datetime.date(2026, 10, 31)).end == datetime.date(2026, 10, 31)
    assert Cycle(2026, "april").previous() == Cycle(2025, "october")
    today = datetime.date(2026, 6, 15)
    assert cycle_status([datetime.date(2026, 5, 20)], today).state == "tested"
    assert cycle_status([datetime.date(2026, 3, 1)], today).state == "due"
    assert cycle_status([datetime.date(2025, 7, 1)], today).state == "overdue"
    assert cycle_status([], today).state == "overdue"
    status = cycle_status([datetime.date(2026, 4, 20), datetime.date(2026, 6, 1)], today)
    assert status.state == "tested" and status.too_close
    assert cycle_status([datetime.date(2026, 7, 1)], today).state == "overdue"  # future ignored


@given(st.dates(datetime.date(2001, 1, 1), datetime.date(2090, 12, 31)))
def test_every_day_is_in_exactly_its_cycle(day):
    cycle = cycle_of(day)
    assert cycle.contains(day)
    assert not cycle.previous().contains(day)
    assert (cycle.end - cycle.start).days in (180, 181, 183)
