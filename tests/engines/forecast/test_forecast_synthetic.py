"""The seeded generators the trend and forecast tests stand on: the same seed gives the same
rows, rows stay inside their weeks and never after the end, each cluster speaks its own trade,
planted structure is where the truth says, and the panel holds its weeks out."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from clusterbrain.engines.forecast.synthetic import (
    CHANNELS,
    VOCABULARIES,
    forecast_panel,
    sales_rows,
)

END = dt.date(2026, 10, 25)


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    a, truth = sales_rows("hechi", rows=5_000, seed=3, end=END)
    b, _ = sales_rows("hechi", rows=5_000, seed=3, end=END)
    c, _ = sales_rows("hechi", rows=5_000, seed=4, end=END)
    assert a.equals(b) and not a.equals(c)
    assert truth.cluster == "hechi" and truth.end == END


@pytest.mark.parametrize("cluster", sorted(VOCABULARIES))
def test_rows_speak_the_cluster_trade_inside_three_years(cluster: str) -> None:
    rows, truth = sales_rows(cluster, rows=20_000, seed=1, end=END)
    assert 18_000 < rows.height < 22_000
    assert rows["date"].max() <= END
    assert rows["date"].min() >= END - dt.timedelta(weeks=156)
    assert set(rows["category"]) == set(VOCABULARIES[cluster].categories)
    assert set(rows["channel"]) == set(CHANNELS)
    assert (rows["quantity"] >= 1).all() and (rows["value"] > 0).all()
    # the new colour has no sale before it appears; the rare material only its one firm
    new = truth.new()[0]
    start = END - dt.timedelta(weeks=new.start_weeks_before_end + 1)
    assert rows.filter((pl.col(new.column) == new.value) & (pl.col("date") < start)).is_empty()
    (column, value), firms = next(iter(truth.rare.items()))
    assert set(rows.filter(pl.col(column) == value)["firm"]) == set(firms)


def test_unknown_cluster_is_refused() -> None:
    with pytest.raises(ValueError, match="cluster"):
        sales_rows("atlantis")


def test_panel_holds_out_the_weeks_after_the_history() -> None:
    panel = forecast_panel(200, weeks=120, horizon=8, seed=5)
    last = panel.history["ds"].max()
    assert panel.future["ds"].min() == last + dt.timedelta(weeks=1)
    assert panel.future.group_by("unique_id").len()["len"].to_list() == [8] * 200
    lengths = panel.history.group_by("unique_id").len().join(panel.series, on="unique_id")
    assert (lengths.filter(~pl.col("short"))["len"] == 120).all()
    assert (lengths.filter(pl.col("short"))["len"] < 100).all()
    zeros = (
        panel.history.join(panel.series, on="unique_id")
        .group_by("sparse")
        .agg((pl.col("y") == 0).mean())
    )
    share = dict(zip(zeros["sparse"], zeros["y"], strict=True))
    assert share[True] > 0.4 > share[False]
