"""Which product attributes are rising or falling, against their own seasonal baseline.

Sales of a colour in the eight weeks to today are compared with the same eight weeks a year
before (52 weeks back, so weekdays and most seasons line up), relative to the whole scope's
change over the same weeks: a cluster-wide boom lifts every colour and is not a colour's trend.
The test is a quasi-Poisson rate ratio: the log ratio of the two windows' totals, less the
market's, over its Poisson standard error inflated by the dispersion. Sales are lumpy — a
wholesale lot of 200 is not 200 independent sales — so the dispersion is the larger of what
single sales imply (Σq²/Σq: a sum of Poisson many sales of sizes q has variance Σq²) and the
week-to-week spread around the market's weekly pattern (it catches clustered buying).
Because hundreds of values are tested at once, significance is Benjamini–Hochberg at `alpha`
over the values (and apart over value × channel), and a value is called rising or falling only
when its market-adjusted change is also at least `min_change`: a real but small drift is not a
trend worth a buyer's attention.

A value with no sales in the year before the last `new_weeks` weeks and at least `new_floor` of
its column's recent sales is new. The channels that carry a trend are those with at least a
fifth of its excess over the market-adjusted baseline and are themselves called rising (or
falling) in that channel by the same rules.

The cluster sees aggregates only: a value (or a value in one channel) sold by fewer than
`min_firms` firms in a window it is shown for, or whose largest firm holds `dominance` or more
of it, is suppressed — reported by name with its figures empty. When exactly one value of a
column is suppressed the next smallest is suppressed too, since the column adds up to the
market total that is shown; the same holds for the channels of a value.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from clusterbrain.engines.forecast.synthetic import ATTRIBUTES
from clusterbrain.engines.forecast.validate import check_sales

YEAR_DAYS = 364  # 52 weeks: the same weekday a year before


@dataclass(frozen=True)
class TrendConfig:
    """How a scan reads the rows. `as_of` defaults to the latest sale; `today` (for refusing
    future-dated rows) to the calendar's today."""

    attributes: tuple[str, ...] = ATTRIBUTES
    measure: str = "quantity"
    window_weeks: int = 8
    min_firms: int = 3
    dominance: float = 0.85
    min_change: float = 0.2
    alpha: float = 0.05
    new_floor: float = 0.005
    new_weeks: int = 26
    driver_share: float = 0.2
    as_of: dt.date | None = None
    today: dt.date | None = None


@dataclass(frozen=True)
class TrendScan:
    """The scan's answer. `attributes` has one row per (column, value): recent and baseline
    totals, growth (raw) and lift (market-adjusted), z, p, q, direction (rising, falling, new,
    flat), firms, suppressed with its reason, and the channels that carry the change.
    `channels` has the same per (column, value, channel)."""

    attributes: pl.DataFrame
    channels: pl.DataFrame
    recent: tuple[dt.date, dt.date]
    baseline: tuple[dt.date, dt.date]
    market_recent: float
    market_baseline: float
    config: TrendConfig = field(default_factory=TrendConfig)

    def direction(self, kind: str) -> pl.DataFrame:
        return self.attributes.filter(pl.col("direction") == kind)

    def find(self, column: str, value: str) -> dict[str, object] | None:
        hit = self.attributes.filter((pl.col("column") == column) & (pl.col("value") == value))
        return hit.row(0, named=True) if hit.height else None


def _windows(as_of: dt.date, weeks: int, new_weeks: int) -> dict[str, tuple[dt.date, dt.date]]:
    """Inclusive date ranges: the recent window, its year-before twin, and the year before the
    last `new_weeks` (where a value must be absent to be new)."""
    span = dt.timedelta(days=7 * weeks)
    fresh = dt.timedelta(days=7 * max(new_weeks, weeks))
    year = dt.timedelta(days=YEAR_DAYS)
    one = dt.timedelta(days=1)
    return {
        "recent": (as_of - span + one, as_of),
        "baseline": (as_of - year - span + one, as_of - year),
        "lookback": (as_of - span - year + one, as_of - fresh),
    }


def scan_trends(rows: pl.DataFrame, config: TrendConfig | None = None) -> TrendScan:
    """Scan sales rows (date, firm, channel, the attribute columns, the measure) for trends."""
    config = config or TrendConfig()
    today = config.today or dt.date.today()
    numeric = tuple(c for c in ("quantity", "value", config.measure) if c in rows.columns)
    required = ("date", "firm", "channel", *config.attributes, config.measure)
    rows = check_sales(rows, required, tuple(dict.fromkeys(numeric)), today)
    as_of = config.as_of or rows["date"].max()
    if as_of is None:
        raise ValueError("no sales rows to scan")
    assert isinstance(as_of, dt.date)
    win = _windows(as_of, config.window_weeks, config.new_weeks)
    rec0, rec1 = win["recent"]
    base0, base1 = win["baseline"]
    look0, look1 = win["lookback"]
    y = pl.col(config.measure).cast(pl.Float64)
    scoped = (
        rows.lazy()
        .filter((pl.col("date") >= look0) & (pl.col("date") <= rec1))
        .with_columns(
            pl.when(pl.col("date") >= rec0)
            .then(pl.lit("recent"))
            .when((pl.col("date") >= base0) & (pl.col("date") <= base1))
            .then(pl.lit("baseline"))
            .otherwise(pl.lit("between"))
            .alias("period"),
            # weeks counted back from the end of each window, 0 = the last
            pl.when(pl.col("date") >= rec0)
            .then((pl.lit(rec1) - pl.col("date")).dt.total_days() // 7)
            .otherwise((pl.lit(base1) - pl.col("date")).dt.total_days() // 7)
            .cast(pl.Int32)
            .alias("week"),
            y.alias("y"),
        )
        .select("date", "period", "week", "firm", "channel", *config.attributes, "y")
    )
    long_lazy = scoped.unpivot(
        index=["date", "period", "week", "firm", "channel", "y"],
        on=list(config.attributes),
        variable_name="column",
        value_name="value",
    ).with_columns(pl.col("value").cast(pl.String))
    long = long_lazy.collect()
    in_windows = long.filter(pl.col("period") != "between")
    # market totals per window and week (any one column's rows are all the rows)
    first = config.attributes[0]
    market_week = (
        in_windows.filter(pl.col("column") == first)
        .group_by("period", "week")
        .agg(pl.col("y").sum().alias("m_week"))
    )
    market_week_ch = (
        in_windows.filter(pl.col("column") == first)
        .group_by("period", "channel", "week")
        .agg(pl.col("y").sum().alias("m_week"))
    )
    seen_before = (
        long.filter((pl.col("period") != "recent") & (pl.col("date") <= look1))
        .group_by("column", "value")
        .agg(pl.col("y").sum().alias("before"))
    )
    attributes = _level(
        in_windows, market_week, ["column", "value"], config, seen_before, config.window_weeks
    )
    channels = _level(
        in_windows,
        market_week_ch,
        ["column", "value", "channel"],
        config,
        seen_before,
        config.window_weeks,
    )
    attributes = _secondary(attributes, ["column"])
    channels = _secondary(channels, ["column", "value"])
    attributes = _drivers(attributes, channels, config.driver_share, config.alpha)
    market = market_week.group_by("period").agg(pl.col("m_week").sum())
    totals = dict(zip(market["period"], market["m_week"], strict=True))
    shown = attributes.with_columns(_nulls_when_suppressed())
    return TrendScan(
        attributes=shown.sort("column", "value"),
        channels=channels.with_columns(_nulls_when_suppressed(FIGURES[:-1])).sort(
            "column", "value", "channel"
        ),
        recent=win["recent"],
        baseline=win["baseline"],
        market_recent=float(totals.get("recent", 0.0)),
        market_baseline=float(totals.get("baseline", 0.0)),
        config=config,
    )


FIGURES = ("recent", "baseline", "growth", "lift", "z", "p", "q", "firms", "channels")


def _nulls_when_suppressed(names: tuple[str, ...] = FIGURES) -> list[pl.Expr]:
    out = []
    for name in names:
        out.append(pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(name)).alias(name))
    out.append(
        pl.when(pl.col("suppressed"))
        .then(pl.lit("suppressed"))
        .otherwise(pl.col("direction"))
        .alias("direction")
    )
    return out


def _level(
    rows: pl.DataFrame,
    market_week: pl.DataFrame,
    keys: list[str],
    config: TrendConfig,
    seen_before: pl.DataFrame,
    weeks: int,
) -> pl.DataFrame:
    """Totals, firms, dominance, dispersion and the test for one level of grouping."""
    market_keys = ["channel"] if "channel" in keys else []
    weekly = rows.group_by(*keys, "period", "week").agg(
        pl.col("y").sum().alias("x"), (pl.col("y") ** 2).sum().alias("x2")
    )
    per_firm = rows.group_by(*keys, "period", "firm").agg(pl.col("y").sum().alias("fy"))
    firms = per_firm.group_by(*keys, "period").agg(
        pl.len().alias("n_firms"), (pl.col("fy").max() / pl.col("fy").sum()).alias("top_share")
    )
    # every (key, period, week) with the market's week, zeros where the key sold nothing
    key_frame = weekly.select(*keys).unique()
    if market_keys:
        grid = key_frame.join(market_week, on=market_keys, how="inner")
    else:
        grid = key_frame.join(market_week, how="cross")
    full = grid.join(weekly, on=[*keys, "period", "week"], how="left").with_columns(
        pl.col("x").fill_null(0.0), pl.col("x2").fill_null(0.0)
    )
    full = full.with_columns(
        pl.col("x").sum().over(*keys, "period").alias("s"),
        pl.col("m_week").sum().over(*keys, "period").alias("m"),
    ).with_columns(
        # the key's window total spread over the weeks as the market's was
        (pl.col("s") * pl.col("m_week") / pl.col("m")).alias("e")
    )
    stats = full.group_by(*keys).agg(
        pl.col("x").filter(pl.col("period") == "recent").sum().alias("recent"),
        pl.col("x").filter(pl.col("period") == "baseline").sum().alias("baseline"),
        pl.col("m_week").filter(pl.col("period") == "recent").sum().alias("m_recent"),
        pl.col("m_week").filter(pl.col("period") == "baseline").sum().alias("m_baseline"),
        pl.when(pl.col("e") > 0)
        .then((pl.col("x") - pl.col("e")) ** 2 / pl.col("e"))
        .otherwise(0.0)
        .sum()
        .alias("chi2"),
        (pl.col("x2").sum() / pl.col("x").sum()).alias("lumps"),
    )
    firm_wide = (
        firms.pivot(on="period", index=keys, values=["n_firms", "top_share"])
        if firms.height
        else None
    )
    stats = stats.join(firm_wide, on=keys, how="left") if firm_wide is not None else stats
    for col in ("n_firms_recent", "n_firms_baseline", "top_share_recent", "top_share_baseline"):
        if col not in stats.columns:
            stats = stats.with_columns(pl.lit(None, dtype=pl.Float64).alias(col))
    stats = stats.join(
        seen_before.select("column", "value", "before"), on=["column", "value"], how="left"
    ).with_columns(pl.col("before").fill_null(0.0))
    df = 2 * (weeks - 1)
    half = 0.5
    k = config.min_firms
    lift = (
        (pl.col("recent") + half)
        / (pl.col("baseline") + half)
        / (pl.col("m_recent") / pl.col("m_baseline"))
    )
    # dispersion: the larger of the lumpiness of single sales (a sum of Poisson many sales of
    # sizes q has variance Σq², so Σq²/Σq times its mean) and the week-to-week spread
    phi = pl.max_horizontal(pl.lit(1.0), pl.col("chi2") / df, pl.col("lumps").fill_nan(1.0))
    se = (phi * (1 / (pl.col("recent") + half) + 1 / (pl.col("baseline") + half))).sqrt()
    stats = stats.with_columns(
        pl.col("n_firms_recent").fill_null(0).cast(pl.Int64),
        pl.col("n_firms_baseline").fill_null(0).cast(pl.Int64),
        pl.col("top_share_recent").fill_null(0.0),
        pl.col("top_share_baseline").fill_null(0.0),
    ).with_columns(
        (pl.col("recent") / pl.col("baseline") - 1.0).alias("growth"),
        lift.alias("lift"),
        (lift.log() / se).alias("z"),
        pl.max_horizontal("n_firms_recent", "n_firms_baseline").alias("firms"),
    )
    z = stats["z"].to_numpy()
    p = np.array([math.erfc(abs(v) / math.sqrt(2.0)) for v in z]) if z.size else z
    is_new = (stats["before"] == 0).to_numpy()
    q = _benjamini_hochberg(np.where(is_new, np.nan, p))
    stats = stats.with_columns(pl.Series("p", p), pl.Series("q", q))
    # suppression: too few firms or one dominant firm in a window that has sales
    few = (pl.col("n_firms_recent") < k) & (pl.col("recent") > 0) | (
        (pl.col("n_firms_baseline") < k) & (pl.col("baseline") > 0)
    )
    dominant = (pl.col("top_share_recent") >= config.dominance) & (pl.col("recent") > 0) | (
        (pl.col("top_share_baseline") >= config.dominance) & (pl.col("baseline") > 0)
    )
    column_total = pl.col("recent").sum().over(*([*keys[:1], *market_keys]))
    up = 1.0 + config.min_change
    stats = stats.with_columns(
        pl.when(few)
        .then(pl.lit(f"fewer than {k} firms"))
        .when(dominant)
        .then(pl.lit("one firm dominant"))
        .otherwise(None)
        .alias("reason"),
        pl.when(pl.col("before") == 0)
        .then(
            pl.when(pl.col("recent") >= config.new_floor * column_total)
            .then(pl.lit("new"))
            .otherwise(pl.lit("flat"))
        )
        .when((pl.col("q") < config.alpha) & (pl.col("lift") >= up))
        .then(pl.lit("rising"))
        .when((pl.col("q") < config.alpha) & (pl.col("lift") <= 1.0 / up))
        .then(pl.lit("falling"))
        .otherwise(pl.lit("flat"))
        .alias("direction"),
    ).with_columns(pl.col("reason").is_not_null().alias("suppressed"))
    return stats.drop("chi2", "lumps", "before", "top_share_recent", "top_share_baseline")


def _benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """q-values (BH step-up) over the finite p-values; NaN stays NaN."""
    q = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if ok.size == 0:
        return q
    order = ok[np.argsort(p[ok], kind="stable")]
    m = order.size
    ranked = p[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    q[order] = np.minimum(ranked, 1.0)
    return q


def _secondary(frame: pl.DataFrame, group: list[str]) -> pl.DataFrame:
    """Where exactly one member of a group is suppressed, suppress its smallest sibling too."""
    if frame.is_empty():
        return frame
    n_sup = pl.col("suppressed").sum().over(group)
    n_all = pl.len().over(group)
    rank = (
        pl.when(pl.col("suppressed"))
        .then(None)
        .otherwise(pl.col("recent"))
        .rank("ordinal")
        .over(group)
    )
    extra = (n_sup == 1) & (n_all > 1) & ~pl.col("suppressed") & (rank == 1)
    return frame.with_columns(
        pl.when(extra)
        .then(pl.lit("would reveal a suppressed neighbour"))
        .otherwise(pl.col("reason"))
        .alias("reason"),
        (pl.col("suppressed") | extra).alias("suppressed"),
    )


def _drivers(
    attributes: pl.DataFrame, channels: pl.DataFrame, share: float, alpha: float
) -> pl.DataFrame:
    """Channels carrying at least `share` of a value's excess over its adjusted baseline."""
    excess = channels.with_columns(
        (pl.col("recent") - pl.col("baseline") * pl.col("m_recent") / pl.col("m_baseline")).alias(
            "excess"
        )
    )
    excess = excess.with_columns(
        (pl.col("excess") / pl.col("excess").sum().over("column", "value")).alias("contribution")
    )
    # a channel drives a trend when it carries a fair part of the excess and is itself called
    # rising or falling that way (noise in a big channel can carry a fifth of a small excess)
    same_way = (pl.col("direction") == "new") | (
        pl.col("direction").is_in(["rising", "falling"])
        & ((pl.col("direction") == "rising") == (pl.col("excess") > 0))
    )
    drivers = (
        excess.filter(~pl.col("suppressed") & (pl.col("contribution") >= share) & same_way)
        .sort("contribution", descending=True)
        .group_by("column", "value", maintain_order=True)
        .agg(pl.col("channel").alias("channels"))
    )
    out = attributes.join(drivers, on=["column", "value"], how="left").with_columns(
        pl.when(pl.col("direction").is_in(["rising", "falling", "new"]))
        .then(pl.col("channels").fill_null(pl.lit([], dtype=pl.List(pl.String))))
        .otherwise(pl.lit([], dtype=pl.List(pl.String)))
        .alias("channels")
    )
    return out
