"""Market intelligence at cluster scale (decision 0014), two parts on seeded data with planted
structure (`engines.forecast.synthetic`):

1. Trend scan of `--rows` sales rows (one cluster, three years): ours (`scan_trends`, polars)
   beside a pandas groupby implementation of the same task (weekly sums per attribute value
   and per value × channel in the two windows, firms, week-to-week dispersion, the test);
   both must give the same totals, firm counts and z for every value and value × channel.
2. Forecasts of `--series` weekly series (firm × category × channel, `--weeks` weeks of
   history): our backtest (rolling origin, `--windows` cutoffs) and final forecast, timed, with
   statsforecast's numba compile timed apart on a small warm-up; MASE against seasonal naive
   (lag 52) on the same backtest, and the held-out weeks' coverage of the 80/95 % intervals.

    .venv/bin/python -m bench.forecast_bench [--rows 1000000] [--series 10000] [--weeks 156]
        [--n-jobs 2] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import sys
import time
from datetime import UTC
from datetime import datetime as dtime
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
KEY = "forecast_bench"


def pandas_scan(rows: pl.DataFrame, as_of: dt.date, weeks: int, attributes: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """The same windows, sums, firms, dispersion and z as `scan_trends`, with pandas groupby
    (no suppression, drivers or multiple-testing step: the peer does less)."""
    import pandas as pd

    df = rows.to_pandas()
    df["date"] = pd.to_datetime(df["date"])
    end = pd.Timestamp(as_of)
    rec0 = end - pd.Timedelta(days=7 * weeks - 1)
    base1 = end - pd.Timedelta(days=364)
    base0 = base1 - pd.Timedelta(days=7 * weeks - 1)
    recent = df[(df["date"] >= rec0) & (df["date"] <= end)].copy()
    recent["period"] = "recent"
    recent["week"] = (end - recent["date"]).dt.days // 7
    base = df[(df["date"] >= base0) & (df["date"] <= base1)].copy()
    base["period"] = "baseline"
    base["week"] = (base1 - base["date"]).dt.days // 7
    both = pd.concat([recent, base])
    long = both.drop(columns=["value"]).melt(
        id_vars=["period", "week", "firm", "channel", "quantity"],
        value_vars=list(attributes),
        var_name="column",
        value_name="value",
    )
    out = {}
    for keys in (["column", "value"], ["column", "value", "channel"]):
        mkeys = ["channel"] if "channel" in keys else []
        market = (
            both.groupby([*mkeys, "period", "week"])["quantity"]
            .sum()
            .rename("m_week")
            .reset_index()
        )
        long["q2"] = long["quantity"].astype(float) ** 2
        weekly = long.groupby([*keys, "period", "week"]).agg(
            x=("quantity", "sum"), x2=("q2", "sum")
        )
        weekly = weekly.reset_index()
        key_frame = weekly[keys].drop_duplicates()
        grid = key_frame.merge(market, on=mkeys) if mkeys else key_frame.merge(market, how="cross")
        full = grid.merge(weekly, on=[*keys, "period", "week"], how="left").fillna(
            {"x": 0.0, "x2": 0.0}
        )
        full["s"] = full.groupby([*keys, "period"])["x"].transform("sum")
        full["m"] = full.groupby([*keys, "period"])["m_week"].transform("sum")
        full["e"] = full["s"] * full["m_week"] / full["m"]
        full["chi"] = np.where(full["e"] > 0, (full["x"] - full["e"]) ** 2 / full["e"], 0.0)
        sums = full.pivot_table(index=keys, columns="period", values=["x", "m_week"], aggfunc="sum")
        stats = pd.DataFrame(
            {
                "recent": sums[("x", "recent")],
                "baseline": sums[("x", "baseline")],
                "m_recent": sums[("m_week", "recent")],
                "m_baseline": sums[("m_week", "baseline")],
                "chi2": full.groupby(keys)["chi"].sum(),
                "lumps": full.groupby(keys)["x2"].sum() / full.groupby(keys)["x"].sum(),
            }
        )
        firms = long.groupby([*keys, "period"])["firm"].nunique().unstack(fill_value=0)
        stats["firms"] = firms.max(axis=1).reindex(stats.index).fillna(0).astype(int)
        lift = (stats["recent"] + 0.5) / (stats["baseline"] + 0.5)
        lift = lift / (stats["m_recent"] / stats["m_baseline"])
        phi = np.maximum(
            np.maximum(1.0, stats["chi2"] / (2 * (weeks - 1))), stats["lumps"].fillna(1.0)
        )
        se = np.sqrt(phi * (1 / (stats["recent"] + 0.5) + 1 / (stats["baseline"] + 0.5)))
        stats["z"] = np.log(lift) / se
        out["attributes" if len(keys) == 2 else "channels"] = stats.reset_index()
    return out


def run_trends(rows_n: int, seed: int, repeats: int) -> tuple[list[str], list[str], bool]:
    from clusterbrain.engines.forecast.synthetic import sales_rows
    from clusterbrain.engines.forecast.trends import TrendConfig, scan_trends

    start = time.perf_counter()
    rows, truth = sales_rows("shiling", rows=rows_n, seed=seed)
    gen_s = time.perf_counter() - start
    config = TrendConfig(today=truth.end, min_firms=3)
    scan_trends(rows.head(1000), config)  # warm-up of polars' thread pool
    # best of `repeats` for both: the machine is shared, the least disturbed run is the fairest
    ours_s = peer_s = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        scan = scan_trends(rows, config)
        ours_s = min(ours_s, time.perf_counter() - start)
        start = time.perf_counter()
        peer = pandas_scan(rows, truth.end, config.window_weeks, config.attributes)
        peer_s = min(peer_s, time.perf_counter() - start)
    same = True
    for name, ours in (("attributes", scan.attributes), ("channels", scan.channels)):
        keys = ["column", "value"] + (["channel"] if name == "channels" else [])
        # compare before suppression blanks the figures: recompute unsuppressed joins
        theirs = pl.from_pandas(peer[name]).select(
            *keys,
            pl.col("recent").alias("p_recent"),
            pl.col("baseline").alias("p_baseline"),
            pl.col("z").alias("p_z"),
        )
        joined = ours.filter(~pl.col("suppressed")).join(theirs, on=keys, how="left")
        diff = joined.filter(
            ((pl.col("recent") - pl.col("p_recent")).abs() > 1e-6)
            | ((pl.col("baseline") - pl.col("p_baseline")).abs() > 1e-6)
            | ((pl.col("z") - pl.col("p_z")).abs() > 1e-6 * (1 + pl.col("z").abs()))
            | pl.col("p_recent").is_null()
        )
        if diff.height or len(theirs) != ours.height:
            print(f"{name}: pandas and ours differ on {diff.height} rows", file=sys.stderr)
            print(diff.head(5), file=sys.stderr)
            same = False
    found = {
        (r["column"], r["value"]): r["direction"] for r in scan.attributes.iter_rows(named=True)
    }
    planted = ", ".join(
        f"{p.kind} {p.column}={p.value}: {found.get((p.column, p.value))}" for p in truth.plants
    )
    false = [k for k in truth.flat() if found.get(k) not in ("flat", "suppressed")]
    lines = [
        f"{rows.height:,} sales rows generated in {gen_s:.1f} s",
        f"trend scan (best of {repeats}), ours (polars): {ours_s:.2f} s; pandas groupby peer: "
        f"{peer_s:.2f} s; "
        f"ratio peer / ours: {peer_s / ours_s:.1f}x; same answers: {same}",
        f"planted: {planted}; flat values called a trend: {len(false)} of {len(truth.flat())}",
    ]
    cells = [
        f"| trend scan of {rows.height:,} rows, s | {ours_s:.2f} | {peer_s:.2f} (pandas groupby) "
        f"| {peer_s / ours_s:.1f}x |",
    ]
    return lines, cells, same


def run_forecasts(
    series: int, weeks: int, windows: int, n_jobs: int, seed: int
) -> tuple[list[str], list[str]]:
    from clusterbrain.engines.forecast.forecasting import ForecastConfig, forecast
    from clusterbrain.engines.forecast.synthetic import forecast_panel

    config = ForecastConfig(windows=windows, n_jobs=n_jobs)
    warm = forecast_panel(60, weeks=weeks, seed=seed + 1)
    start = time.perf_counter()
    forecast(warm.history, None, config)
    jit_s = time.perf_counter() - start
    start = time.perf_counter()
    panel = forecast_panel(series, weeks=weeks, seed=seed)
    gen_s = time.perf_counter() - start
    groups = panel.series.select(
        "unique_id", pl.concat_str("cluster", "category", "channel", separator="|").alias("group")
    )
    start = time.perf_counter()
    result = forecast(panel.history, groups, config)
    total_s = time.perf_counter() - start
    peer_s, peer_mase = per_series_peer(panel.history, result, config)
    held = result.forecasts.join(panel.future, on=["unique_id", "ds"])
    cover = {
        level: held.select(
            ((pl.col("y") >= pl.col(f"lo_{level}")) & (pl.col("y") <= pl.col(f"hi_{level}"))).mean()
        ).item()
        for level in config.levels
    }
    by_model = (
        result.models.group_by("model")
        .agg(pl.len().alias("n"), pl.col("mase").mean(), pl.col("mase_naive").mean())
        .sort("n", descending=True)
    )
    per_model = "; ".join(
        f"{r['model']} {r['n']:,}"
        + (
            f" (MASE {r['mase']:.3f} vs {r['mase_naive']:.3f})"
            if r["mase"] is not None and not math.isnan(r["mase"])
            else ""
        )
        for r in by_model.iter_rows(named=True)
    )
    scored = result.models["mase"].is_not_null().sum()
    lines = [
        f"{series:,} series x {weeks} weeks generated in {gen_s:.1f} s",
        f"statsforecast warm-up (numba compile, 60 series): {jit_s:.1f} s",
        f"forecast + backtest ({windows} windows x {config.horizon} weeks), ours: {total_s:.1f} s "
        f"(backtest {result.seconds['backtest']:.1f} s, final {result.seconds['forecast']:.1f} s)",
        f"MASE ours {result.mase:.3f}, seasonal naive {result.mase_naive:.3f} on {scored:,} "
        f"series: {result.improvement:.1%} better",
        f"peer, season per series (statsforecast SeasESOpt 52, same backtest): MASE "
        f"{peer_mase:.3f} in {peer_s:.1f} s",
        "held-out coverage: " + ", ".join(f"{k}% interval {v:.1%}" for k, v in cover.items()),
        "models: " + per_model,
    ]
    cells = [
        f"| forecast + backtest of {series:,} series x {weeks} weeks, s | {total_s:.1f} "
        f"(+ {jit_s:.1f} compile) | — | — |",
        f"| backtest MASE ({windows} x {config.horizon} weeks) | {result.mase:.3f} | "
        f"{result.mase_naive:.3f} (seasonal naive) | {result.improvement:.1%} better |",
        f"| backtest MASE, season learned per series | {result.mase:.3f} | {peer_mase:.3f} "
        f"(statsforecast SeasonalExponentialSmoothingOptimized, 52; {peer_s:.1f} s) | "
        f"{1 - result.mase / peer_mase:.1%} better |",
        "| held-out coverage of 80 / 95 % intervals | "
        + " / ".join(f"{v:.1%}" for v in cover.values())
        + " | — | — |",
    ]
    lines.append("")
    return lines, cells + [f"\nModels chosen: {per_model}."]


def per_series_peer(history: pl.DataFrame, result, config) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """statsforecast's own seasonal model, one series at a time, on the series and cutoffs our
    backtest scored; MASE on the same scale (each series' naive MAE over its naive MASE)."""
    from statsforecast import StatsForecast
    from statsforecast.models import SeasonalExponentialSmoothingOptimized

    scored = result.models.filter(pl.col("mase").is_not_null())
    data = history.filter(pl.col("unique_id").is_in(scored["unique_id"].implode()))
    sf = StatsForecast(
        models=[SeasonalExponentialSmoothingOptimized(config.season_length, alias="peer")],
        freq="1w",
        n_jobs=config.n_jobs,
    )
    start = time.perf_counter()
    cv = sf.cross_validation(
        df=data, h=config.horizon, n_windows=config.windows, step_size=config.horizon
    )
    seconds = time.perf_counter() - start
    errors = (
        cv.join(result.backtest, on=["unique_id", "ds"], how="inner")
        .group_by("unique_id")
        .agg(
            (pl.col("peer") - pl.col("y")).abs().mean().alias("peer_mae"),
            (pl.col("naive") - pl.col("y")).abs().mean().alias("naive_mae"),
        )
        .join(scored, on="unique_id")
        .with_columns(
            (pl.col("peer_mae") / pl.col("naive_mae") * pl.col("mase_naive")).alias("peer_mase")
        )
    )
    return seconds, float(errors["peer_mase"].fill_nan(None).mean())  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.forecast_bench", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--windows", type=int, default=4)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="trend scans timed, best kept")
    parser.add_argument("--out", type=Path, default=None, help="docs/benchmarks.md to update")
    args = parser.parse_args(argv)
    if min(args.rows, args.series, args.windows, args.n_jobs, args.repeats) < 1 or args.weeks < 70:
        parser.error("sizes must be positive, --weeks at least 70")
    sys.path.insert(0, str(REPO))
    from bench.platform_bench import machine
    from bench.report import write_section

    load = os.getloadavg()
    trend_lines, trend_cells, same = run_trends(args.rows, args.seed, args.repeats)
    print("\n".join(trend_lines), flush=True)
    fc_lines, fc_cells = run_forecasts(
        args.series, args.weeks, args.windows, args.n_jobs, args.seed
    )
    print("\n".join(fc_lines), flush=True)
    after = os.getloadavg()
    if not same:
        return 1
    if args.out is not None:
        meta = machine()
        text = "\n".join(
            [
                "## Market intelligence: trend scan and forecasts (forecast_bench)",
                "",
                f"Run {dtime.now(UTC):%a %b %d %H:%M:%S UTC %Y} at commit `{meta['commit']}`. "
                f"Machine: {meta['nproc']} CPUs (`nproc`), {meta['cpu']}, {meta['ram']} RAM, "
                f"{meta['os']}; Python {meta['python']}. Load average (1, 5, 15 min) before: "
                f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}; after: {after[0]:.2f}, "
                f"{after[1]:.2f}, {after[2]:.2f} (a shared machine: other engineers' jobs ran "
                f"beside it; run with `nice -n 10`), `--n-jobs {args.n_jobs}`.",
                "",
                "Seeded data with planted structure (`engines.forecast.synthetic`, seed "
                f"{args.seed}). The trend scan's peer is pandas groupby doing the same sums, "
                "firm counts, dispersion and z (checked equal, value by value and value × "
                "channel). The forecasts' baseline is seasonal naive (lag 52) scored on the same "
                "rolling-origin backtest; intervals are scored on 13 held-out weeks the "
                "forecasts never saw. Targets: scan ≤ 10 s, forecasts ≤ 3 min on 2 cores, MASE "
                "≥ 10 % better than seasonal naive.",
                "",
                "| measure | ours | peer / baseline | ratio |",
                "| --- | --- | --- | --- |",
                *trend_cells,
                *fc_cells,
                "",
                "```",
                *trend_lines,
                *[x for x in fc_lines if x],
                "```",
                "",
                "Performance is reported here, never asserted in tests.",
            ]
        )
        write_section(args.out, KEY, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
