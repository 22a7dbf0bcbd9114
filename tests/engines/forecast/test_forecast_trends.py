"""The trend scan on sales with planted structure: a planted rising value is found with its sign
and its channel, a falling one falls, a new one is new, values nobody touched are not called a
trend; suppression below k firms or under one dominant firm (with its neighbour); bad rows are
refused with the column and row named."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterbrain.engines.forecast.synthetic import VOCABULARIES, Plant, sales_rows
from clusterbrain.engines.forecast.trends import TrendConfig, _benjamini_hochberg, scan_trends
from clusterbrain.engines.forecast.validate import SalesDataError

END = dt.date(2026, 10, 25)


def _scan(rows: pl.DataFrame, **kw: object) -> object:
    return scan_trends(rows, TrendConfig(today=END, **kw))  # type: ignore[arg-type]


# derandomized: over 160 seeded datasets one named an extra channel (a 4-sigma fluke in the
# exhibition channel, decision 0014); a test must not fail one run in forty
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(seed=st.integers(0, 10_000), cluster=st.sampled_from(sorted(VOCABULARIES)))
def test_planted_trends_are_found_and_untouched_values_are_not(seed: int, cluster: str) -> None:
    rows, truth = sales_rows(cluster, rows=150_000, seed=seed, end=END)
    scan = _scan(rows)
    rising = truth.rising()[0]
    hit = scan.find(rising.column, rising.value)
    assert hit is not None and hit["direction"] == "rising" and hit["lift"] > 1.2
    assert hit["channels"] == ["livestream"]  # planted in livestream only
    falling = truth.falling()[0]
    assert scan.find(falling.column, falling.value)["direction"] == "falling"
    new = truth.new()[0]
    assert scan.find(new.column, new.value)["direction"] == "new"
    flat = truth.flat()
    assert flat, "the generator leaves a column untouched"
    for column, value in flat:
        assert scan.find(column, value)["direction"] == "flat", (column, value)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nothing_planted_nothing_found(seed: int) -> None:
    rows, _ = sales_rows("wenzhou", rows=120_000, seed=seed, plants=(), end=END)
    scan = _scan(rows)
    called = scan.attributes.filter(pl.col("direction").is_in(["rising", "falling", "new"]))
    assert called.is_empty(), called
    assert scan.channels.filter(pl.col("direction").is_in(["rising", "falling"])).is_empty()


def test_a_trend_in_two_channels_names_both() -> None:
    plants = (
        Plant(
            "price_band",
            "premium",
            "rising",
            factor=3.0,
            channels=("ecommerce", "livestream"),
            share=0.2,
        ),
    )
    rows, _ = sales_rows("hechi", rows=150_000, seed=5, plants=plants, end=END)
    scan = _scan(rows)
    hit = scan.find("price_band", "premium")
    assert hit["direction"] == "rising"
    assert sorted(hit["channels"]) == ["ecommerce", "livestream"]
    by_channel = scan.channels.filter(
        (pl.col("column") == "price_band") & (pl.col("value") == "premium")
    )
    directions = dict(zip(by_channel["channel"], by_channel["direction"], strict=True))
    assert directions == {
        "ecommerce": "rising",
        "livestream": "rising",
        "market_stall": "flat",
        "exhibition": "flat",
    }
    falling = (Plant("colour", "white", "falling", factor=0.4, share=0.15),)
    rows, _ = sales_rows("hechi", rows=150_000, seed=5, plants=falling, end=END)
    hit = _scan(rows).find("colour", "white")
    assert hit["direction"] == "falling" and hit["lift"] < 0.8 and hit["z"] < 0


def test_new_value_needs_the_floor() -> None:
    plants = (Plant("style", "y2k", "new", start_weeks_before_end=5, share=0.002),)
    rows, _ = sales_rows("shiling", rows=150_000, seed=4, plants=plants, end=END)
    assert _scan(rows).find("style", "y2k")["direction"] == "flat"  # below 0.5 % of styles
    assert _scan(rows, new_floor=0.001).find("style", "y2k")["direction"] == "new"
    # a value that sold a year ago is not new, however it grows
    old = (Plant("style", "y2k", "new", start_weeks_before_end=60, share=0.05),)
    rows, _ = sales_rows("shiling", rows=150_000, seed=4, plants=old, end=END)
    assert _scan(rows).find("style", "y2k")["direction"] != "new"


def test_values_of_too_few_firms_are_suppressed_with_a_neighbour() -> None:
    rows, truth = sales_rows("xinji", rows=100_000, seed=2, end=END)
    (column, value), firms = next(iter(truth.rare.items()))
    assert firms == ("F0000",)
    scan = _scan(rows, min_firms=3)
    hit = scan.find(column, value)
    assert hit["suppressed"] and hit["direction"] == "suppressed"
    assert hit["reason"] == "fewer than 3 firms"
    assert hit["recent"] is None and hit["baseline"] is None and hit["z"] is None
    # the column adds up to the shown market total: one more value goes with it
    materials = scan.attributes.filter(pl.col("column") == column)
    neighbours = materials.filter(pl.col("reason") == "would reveal a suppressed neighbour")
    assert neighbours.height == 1 and neighbours["recent"][0] is None
    # its channels are suppressed too
    assert scan.channels.filter((pl.col("column") == column) & (pl.col("value") == value))[
        "suppressed"
    ].all()
    # with k = 1 and no dominance rule the firm's own figures are shown (its own view)
    own = _scan(rows.filter(pl.col("firm") == "F0000"), min_firms=1, dominance=1.01)
    shown = own.find(column, value)
    assert not shown["suppressed"] and shown["recent"] > 0


def test_one_dominant_firm_is_suppressed() -> None:
    days = [END - dt.timedelta(days=d) for d in range(0, 56, 3)]
    days += [d - dt.timedelta(days=364) for d in days]
    records = []
    for day in days:
        for firm, qty in (("A", 100), ("B", 5), ("C", 5), ("D", 5)):
            records.append((day, firm, "ecommerce", "silk_scarf", "charmeuse", qty))
        for firm in "ABCD":
            records.append((day, firm, "ecommerce", "silk_scarf", "tussah_silk", 10))
    rows = pl.DataFrame(
        records,
        schema=["date", "firm", "channel", "category", "material", "quantity"],
        orient="row",
    )
    scan = scan_trends(rows, TrendConfig(attributes=("material",), today=END, min_firms=3))
    assert scan.find("material", "charmeuse")["reason"] == "one firm dominant"  # A: 100 of 115
    # two values add up to the total: the other one would give it away
    assert scan.find("material", "tussah_silk")["reason"] == "would reveal a suppressed neighbour"
    lax = scan_trends(
        rows, TrendConfig(attributes=("material",), today=END, min_firms=3, dominance=0.9)
    )
    assert not lax.find("material", "charmeuse")["suppressed"]


def _frame() -> pl.DataFrame:
    rows, _ = sales_rows("shiling", rows=2_000, seed=0, end=END)
    return rows


@pytest.mark.parametrize(
    ("change", "column", "row"),
    [
        (lambda f: f.drop("colour", "firm"), "firm", None),
        (
            lambda f: f.with_columns(
                pl.when(pl.int_range(pl.len()) == 17)
                .then(-3)
                .otherwise(pl.col("quantity"))
                .alias("quantity")
            ),
            "quantity",
            17,
        ),
        (
            lambda f: f.with_columns(
                pl.when(pl.int_range(pl.len()) == 5)
                .then(pl.lit(END + dt.timedelta(days=40)))
                .otherwise(pl.col("date"))
                .alias("date")
            ),
            "date",
            5,
        ),
        (
            lambda f: f.with_columns(
                pl.when(pl.int_range(pl.len()) == 9)
                .then(None)
                .otherwise(pl.col("channel"))
                .alias("channel")
            ),
            "channel",
            9,
        ),
        (lambda f: f.with_columns(pl.col("quantity").cast(pl.String)), "quantity", None),
        (lambda f: f.with_columns(pl.col("date").cast(pl.String)), "date", None),
    ],
    ids=["missing", "negative", "future", "empty", "text-quantity", "text-date"],
)
def test_bad_rows_are_refused_naming_column_and_row(change, column: str, row: int | None) -> None:  # type: ignore[no-untyped-def]
    bad = change(_frame())
    with pytest.raises(SalesDataError) as raised:
        _scan(bad)
    assert raised.value.column == column and raised.value.row == row
    assert column in str(raised.value)
    if row is not None:
        assert f"row {row}" in str(raised.value)
    if column == "firm":
        assert "colour" in str(raised.value)  # every missing column is named


def test_benjamini_hochberg_matches_the_textbook() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan])
    q = _benjamini_hochberg(p)
    # sorted 0.005, 0.01, 0.03, 0.04 with m = 4: 0.02, 0.02, 0.04, 0.04
    assert np.allclose(q[:4], [0.02, 0.04, 0.04, 0.02]) and np.isnan(q[4])


def test_a_boom_lifts_no_single_value() -> None:
    """The whole market doubling is not a trend of any colour: lifts are market-adjusted."""
    rows, _ = sales_rows("wenzhou", rows=100_000, seed=8, plants=(), end=END)
    recent = pl.col("date") > END - dt.timedelta(days=56)
    boom = pl.concat([rows, rows.filter(recent)])
    scan, plain = _scan(boom), _scan(rows)
    assert scan.market_recent > 1.8 * scan.market_baseline
    assert scan.attributes.filter(pl.col("direction").is_in(["rising", "falling"])).is_empty()
    both = scan.attributes.join(plain.attributes, on=["column", "value"], suffix="_plain")
    shown = both.filter(~pl.col("suppressed"))
    assert shown.height > 10 and (shown["growth"] > 0.5).all()
    assert ((shown["lift"] - shown["lift_plain"]).abs() < 0.01).all()
    assert (both["direction"] == both["direction_plain"]).all()
