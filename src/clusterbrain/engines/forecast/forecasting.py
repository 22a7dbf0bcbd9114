"""Weekly forecasts per series (firm or cluster × category × channel), with a backtest beside
seasonal naive and prediction intervals that a backtest has earned.

Three years of weekly sales give two or three values per week of the year: too few to learn a
52-week season series by series (statsforecast's AutoETS refuses seasons above 24, and per-week
smoothing or STL on one series did no better than copying last year, measured in decision 0014).
Series of one category in one channel share their calendar — New Year, Double 11, winter — so
the season is learned once per group (`groups`: the caller's key, e.g. category × channel) as a
multiplicative index from all its series' ratios to their own centred yearly moving average,
and each series' seasonally adjusted level is forecast by statsforecast:

- AutoETS (error and damped trend chosen by AICc, no season) for the largest series
  (`ets_share` by volume), where a trend, if there is one, matters most;
- SimpleExponentialSmoothingOptimized, a hundred times cheaper, for the many;
- ADIDA (aggregate, smooth, disaggregate) for intermittent series (half the last year's weeks
  without a sale), measured as good as Croston and SES there and cheaper than either;
- the mean of the last weeks for series too short to fit anything (`min_history`).

The backtest is rolling-origin: `windows` cutoffs `horizon` weeks apart (4 × 13: origins over a
whole year, so New Year and Double 11 are each forecast once), everything (the seasonal index
included) re-estimated from the data before each cutoff. MASE is the backtest's
mean absolute error over the in-sample seasonal-naive error (lag 52) before the first cutoff,
for series with a year and more of history there; seasonal naive is scored the same way.
Intervals are split-conformal: the backtest's errors, scaled by each series' own scale, pooled
over the series of one model and horizon step, give the quantiles for the final forecast.
"""

from __future__ import annotations

import datetime as dt
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from clusterbrain.engines.forecast.validate import SalesDataError

MODELS = ("AutoETS", "SES", "ADIDA", "RecentMean")
# a seasonal factor beyond these is more likely noise than a season worth multiplying by
MIN_FACTOR, MAX_FACTOR = 0.1, 8.0


@dataclass(frozen=True)
class ForecastConfig:
    horizon: int = 13
    season_length: int = 52
    levels: tuple[int, ...] = (80, 95)
    windows: int = 4
    ets_share: float = 0.05
    sparse_zero_share: float = 0.5
    min_history: int = 8
    n_jobs: int = 2


@dataclass(frozen=True)
class ForecastResult:
    """`forecasts`: unique_id, ds, model, mean, lo_80, hi_80, lo_95, hi_95 (per level).
    `models`: per series the model and why, weeks of history, share of zero weeks, backtest
    MASE of ours and of seasonal naive (null where the series is too short to score).
    `backtest`: unique_id, cutoff, ds, y, forecast, naive."""

    forecasts: pl.DataFrame
    models: pl.DataFrame
    backtest: pl.DataFrame
    mase: float
    mase_naive: float
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def improvement(self) -> float:
        """How much lower our mean MASE is than seasonal naive's (0.1 = 10 % better)."""
        return 1.0 - self.mase / self.mase_naive if self.mase_naive else float("nan")


@dataclass
class _Grid:
    ids: np.ndarray  # [n] str
    weeks: np.ndarray  # [T] datetime64[D]
    y: np.ndarray  # [n, T], NaN before a series starts
    group: np.ndarray  # [n] int


def _to_grid(panel: pl.DataFrame, groups: pl.DataFrame | None) -> _Grid:
    for name in ("unique_id", "ds", "y"):
        if name not in panel.columns:
            raise SalesDataError(f"missing column: {name}", column=name)
    if panel.schema["ds"] != pl.Date:
        raise SalesDataError(f"column ds: dates expected, got {panel.schema['ds']}", column="ds")
    indexed = panel.with_row_index("__row")
    bad = indexed.filter(
        pl.col("y").is_null() | pl.col("y").is_nan() | (pl.col("y") < 0) | pl.col("ds").is_null()
    ).head(1)
    if bad.height:
        row = int(bad["__row"][0])
        raise SalesDataError(
            f"row {row}: y must be a number not below 0 (got {bad['y'][0]})", column="y", row=row
        )
    weekday = panel["ds"].dt.weekday()
    if weekday.n_unique() > 1:
        row = int(indexed.filter(pl.col("ds").dt.weekday() != weekday[0])["__row"][0])
        raise SalesDataError(
            f"row {row}: ds is not on the same weekday as the other weeks", column="ds", row=row
        )
    dup = indexed.filter(pl.struct("unique_id", "ds").is_duplicated()).head(1)
    if dup.height:
        row = int(dup["__row"][0])
        raise SalesDataError(f"row {row}: a second value for the same series and week", "ds", row)
    ids = panel["unique_id"].cast(pl.String).unique().sort()
    first = panel["ds"].min()
    last = panel["ds"].max()
    assert isinstance(first, dt.date) and isinstance(last, dt.date)
    n_t = (last - first).days // 7 + 1
    weeks = np.datetime64(first, "D") + 7 * np.arange(n_t)
    pos = (
        panel.select(
            pl.col("unique_id").cast(pl.String).replace_strict(ids, np.arange(ids.len())),
            ((pl.col("ds") - pl.lit(first)).dt.total_days() // 7).alias("t"),
            pl.col("y").cast(pl.Float64),
        )
        if ids.len()
        else panel
    )
    r, t = pos["unique_id"].to_numpy(), pos["t"].to_numpy()
    y = np.full((ids.len(), n_t), np.nan)
    y[r, t] = pos["y"].to_numpy()
    # a week without a row between a series' first and last is a week without sales
    started = np.maximum.accumulate(~np.isnan(y), axis=1)
    y = np.where(started & np.isnan(y), 0.0, y)
    if groups is not None:
        g = (
            pl.DataFrame({"unique_id": ids})
            .join(
                groups.select(pl.col("unique_id").cast(pl.String), "group"),
                on="unique_id",
                how="left",
            )
            .with_columns(pl.col("group").cast(pl.String).fill_null(pl.col("unique_id")))
        )
        group = g["group"].rank("dense").to_numpy().astype(np.int64) - 1
    else:
        group = np.arange(ids.len())
    return _Grid(ids=ids.to_numpy(), weeks=weeks, y=y, group=group)


def seasonal_index(y: np.ndarray, group: np.ndarray, season: int) -> np.ndarray:
    """[groups, season] multiplicative index by position in the year (counted from the last
    week, so slot s is `season - 1 - s` weeks before a multiple of a year from the end).

    Each slot's raw ratio (Σy / Σ moving average) is shrunk toward 1 by the evidence behind it
    (James–Stein, empirical Bayes): a slot seen once or twice in a noisy series keeps little of
    its ratio, a slot seen in thirty series of a group keeps nearly all. Unshrunk, two years of
    one lumpy series gave factors of 10 and more, and a week of ordinary sales divided by a
    factor of 0.05 made a level twenty times too high (decision 0014)."""
    n, n_t = y.shape
    n_groups = int(group.max()) + 1 if n else 0
    index = np.ones((n_groups, season))
    if n_t < season + 2:
        return index
    # centred 2×52 moving average via cumulative sums (NaN-free part only)
    filled = np.nan_to_num(y)
    valid = ~np.isnan(y)
    c = np.cumsum(np.pad(filled, ((0, 0), (1, 0))), axis=1)
    cv = np.cumsum(np.pad(valid.astype(np.float64), ((0, 0), (1, 0))), axis=1)
    half = season // 2
    ma = np.full((n, n_t), np.nan)
    lo_t, hi_t = half, n_t - half
    if hi_t > lo_t:
        t = np.arange(lo_t, hi_t)
        # mean of the two 52-week windows starting at t-26 and t-25 (2x52 MA)
        s1 = c[:, t + half] - c[:, t - half]
        s2 = c[:, np.minimum(t + half + 1, n_t)] - c[:, t - half + 1]
        n1 = cv[:, t + half] - cv[:, t - half]
        n2 = cv[:, np.minimum(t + half + 1, n_t)] - cv[:, t - half + 1]
        full = (n1 == season) & (n2 == season)
        ma[:, t] = np.where(full, (s1 + s2) / (2.0 * season), np.nan)
    ok = ~np.isnan(ma) & valid & (ma > 0)
    slot = (n_t - 1 - np.arange(n_t)) % season
    num = np.zeros((n_groups, season))
    den = np.zeros((n_groups, season))
    count = np.zeros((n_groups, season))
    rows, cols = np.nonzero(ok)
    g_o, s_o = group[rows], slot[cols]
    np.add.at(num, (g_o, s_o), filled[rows, cols])
    np.add.at(den, (g_o, s_o), ma[rows, cols])
    np.add.at(count, (g_o, s_o), 1.0)
    have = den > 0
    raw = np.where(have, num / np.where(have, den, 1.0), np.nan)
    # noise of one observation's ratio: its spread around its slot's ratio where slots were
    # seen more than once, else (one year of moving averages) half the squared change between
    # neighbouring slots, which also holds the season's own changes: more shrinkage, not less
    ratio = filled[rows, cols] / ma[rows, cols]
    resid2 = np.zeros((n_groups, season))
    np.add.at(resid2, (g_o, s_o), (ratio - np.nan_to_num(raw)[g_o, s_o]) ** 2)
    complete = have.all(axis=1)
    for g in np.flatnonzero(complete):
        dof = (count[g] - 1).sum()
        if dof >= season / 2:
            noise = resid2[g].sum() / dof
        else:
            noise = 0.5 * np.mean(np.diff(np.r_[raw[g], raw[g][:1]]) ** 2)
        slot_noise = noise / count[g]
        signal = max(0.0, float(np.mean((raw[g] - 1.0) ** 2 - slot_noise)))
        keep = signal / (signal + slot_noise) if signal > 0 else np.zeros(season)
        idx = np.clip(1.0 + keep * (raw[g] - 1.0), MIN_FACTOR, MAX_FACTOR)
        index[g] = idx / idx.mean()
    return index


def _slots(n_t: int, steps: np.ndarray, season: int) -> np.ndarray:
    """Season slot of time positions (may lie beyond the grid) for a grid of n_t weeks."""
    return (n_t - 1 - steps) % season


def _choose(y: np.ndarray, config: ForecastConfig) -> tuple[np.ndarray, np.ndarray]:
    """Model and reason per series, from its history only."""
    n = y.shape[0]
    n_obs = (~np.isnan(y)).sum(axis=1)
    last = y[:, -config.season_length :]
    seen = (~np.isnan(last)).sum(axis=1)
    zero_share = np.where(
        seen > 0, (np.nan_to_num(last, nan=1.0) == 0).sum(axis=1) / np.maximum(seen, 1), 0.0
    )
    volume = np.nansum(last, axis=1)
    model = np.full(n, "SES", dtype=object)
    reason = np.full(n, "the many: one smoothing parameter on the adjusted level", dtype=object)
    long_enough = n_obs >= 2 * config.season_length
    candidates = np.flatnonzero(long_enough & (zero_share < config.sparse_zero_share))
    k = int(round(config.ets_share * n))
    if k and candidates.size:
        top = candidates[np.argsort(-volume[candidates], kind="stable")[:k]]
        model[top] = "AutoETS"
        reason[top] = f"among the largest {config.ets_share:.0%} by volume"
    sparse = zero_share >= config.sparse_zero_share
    model[sparse] = "ADIDA"
    reason[sparse] = "intermittent: most weeks without a sale"
    short = n_obs < config.min_history
    model[short] = "RecentMean"
    reason[short] = f"fewer than {config.min_history} weeks of history"
    return model, reason


def _statsforecast_level(
    adjusted: np.ndarray, weeks: np.ndarray, rows: np.ndarray, model: str, h: int, n_jobs: int
) -> np.ndarray:
    """[len(rows), h] forecasts of the adjusted series with one statsforecast model."""
    from statsforecast import StatsForecast
    from statsforecast.models import ADIDA, AutoETS, SimpleExponentialSmoothingOptimized

    sub = adjusted[rows]
    mask = ~np.isnan(sub)
    r, t = np.nonzero(mask)
    frame = pl.DataFrame(
        {
            "unique_id": r.astype(np.int64),
            "ds": weeks[t],
            "y": sub[r, t],
        }
    )
    spec = {
        "AutoETS": lambda: AutoETS(model="ZZN", damped=True, alias="m"),
        "SES": lambda: SimpleExponentialSmoothingOptimized(alias="m"),
        "ADIDA": lambda: ADIDA(alias="m"),
    }[model]()
    sf = StatsForecast(models=[spec], freq="1w", n_jobs=n_jobs if len(rows) > 200 else 1)
    out = sf.forecast(df=frame, h=h).sort("unique_id", "ds")
    values = out["m"].to_numpy().reshape(len(rows), h)
    return np.asarray(values, dtype=np.float64)


def _fit_predict(
    y: np.ndarray, group: np.ndarray, weeks: np.ndarray, config: ForecastConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Forecasts [n, h], models, reasons and the seasonal factors of the forecast weeks."""
    h, season = config.horizon, config.season_length
    n, n_t = y.shape
    index = seasonal_index(y, group, season)
    slot = _slots(n_t, np.arange(n_t), season)
    adjusted = y / index[group][:, slot]
    future_slot = _slots(n_t, n_t + np.arange(h), season)
    factors = index[group][:, future_slot]
    model, reason = _choose(y, config)
    level = np.zeros((n, h))
    for name in ("AutoETS", "SES", "ADIDA"):
        rows = np.flatnonzero(model == name)
        if rows.size:
            level[rows] = _statsforecast_level(adjusted, weeks, rows, name, h, config.n_jobs)
    rows = np.flatnonzero(model == "RecentMean")
    if rows.size:
        tail = adjusted[rows][:, -config.min_history :]
        with warnings.catch_warnings():  # a series not begun yet has no mean: 0
            warnings.simplefilter("ignore", RuntimeWarning)
            means = np.nanmean(tail, axis=1) if tail.size else np.zeros(rows.size)
        level[rows] = np.nan_to_num(means)[:, None]
    return np.clip(level * factors, 0.0, None), model, reason, factors


def _scales(y: np.ndarray, season: int) -> tuple[np.ndarray, np.ndarray]:
    """MASE scale (in-sample seasonal-naive MAE; NaN without a year and a bit of history) and
    the interval scale (mean absolute week-to-week change over the last year, never 0)."""
    seasonal = np.abs(y[:, season:] - y[:, :-season]) if y.shape[1] > season else None
    if seasonal is None:
        mase_scale = np.full(y.shape[0], np.nan)
    else:
        count = (~np.isnan(seasonal)).sum(axis=1)
        total = np.nansum(seasonal, axis=1)
        mase_scale = np.where(count >= 4, total / np.maximum(count, 1), np.nan)
        mase_scale = np.where(mase_scale > 0, mase_scale, np.nan)
    recent = y[:, -season:]
    step = np.abs(np.diff(recent, axis=1))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        width = np.nanmean(step, axis=1) if step.shape[1] else np.zeros(y.shape[0])
        level = np.nanmean(recent, axis=1)
    width = np.where(np.isfinite(width) & (width > 0), width, np.nan_to_num(level))
    return mase_scale, np.where(width > 0, width, 1.0)


def forecast(
    panel: pl.DataFrame,
    groups: pl.DataFrame | None = None,
    config: ForecastConfig | None = None,
) -> ForecastResult:
    """Backtest, then forecast `config.horizon` weeks after each series' last week.

    `panel`: unique_id, ds (a date on one weekday, weekly), y (sales, not below 0); `groups`:
    unique_id, group (series that share a season; each series alone when None)."""
    config = config or ForecastConfig()
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    grid = _to_grid(panel, groups)
    h, season = config.horizon, config.season_length
    n, n_t = grid.y.shape
    # the backtest: rolling origin, each cutoff sees only what was before it; one more cutoff
    # before the scored ones only to have a record for the first scored one's choice
    cutoffs = [
        n_t - h * w for w in range(config.windows, 0, -1) if n_t - h * w >= config.min_history
    ]
    extra = n_t - h * (config.windows + 1)
    selection_cut = [extra] if len(cutoffs) == config.windows and extra >= season + 4 else []
    back_rows = []
    scaled_errors: list[tuple[np.ndarray, np.ndarray]] = []
    abs_ours = np.zeros(n)
    abs_naive = np.zeros(n)
    counted = np.zeros(n)
    # each candidate's absolute error on the weeks where all three were defined, so far
    record = np.zeros((n, len(CANDIDATES)))
    first_scale = None
    t0 = time.perf_counter()
    for cut in selection_cut + cutoffs:
        past = grid.y[:, :cut]
        fc_level, model, _, factors = _fit_predict(past, grid.group, grid.weeks[:cut], config)
        naive = _naive(grid.y[:, :cut], h, season)
        choice = _choose_candidate(record)
        fc, model = _candidate_forecasts(fc_level, naive, model, choice)
        actual = grid.y[:, cut : cut + h]
        # series that had not begun by the cutoff are not part of its backtest
        ok = ~np.isnan(actual) & (~np.isnan(past)).any(axis=1)[:, None]
        all_defined = ok & ~np.isnan(naive)
        for k, candidate in enumerate(_all_candidates(fc_level, naive)):
            record[:, k] += np.where(all_defined, np.abs(candidate - actual), 0.0).sum(axis=1)
        if cut in selection_cut:
            continue
        mase_scale, width = _scales(past, season)
        if first_scale is None:
            first_scale = mase_scale
        err = np.where(ok, np.abs(fc - actual), 0.0)
        nerr = np.where(ok, np.abs(naive - actual), 0.0)
        abs_ours += err.sum(axis=1)
        abs_naive += nerr.sum(axis=1)
        counted += ok.sum(axis=1)
        signed = (actual - fc) / (width[:, None] * np.sqrt(factors))
        scaled_errors.append((model, signed))
        r, t = np.nonzero(ok)
        back_rows.append(
            pl.DataFrame(
                {
                    "unique_id": grid.ids[r],
                    "cutoff": np.repeat(grid.weeks[cut - 1], r.size),
                    "ds": grid.weeks[cut + t],
                    "y": actual[r, t],
                    "forecast": fc[r, t],
                    "naive": naive[r, t],
                }
            )
        )
    seconds["backtest"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    fc_level, level_model, reason, factors = _fit_predict(grid.y, grid.group, grid.weeks, config)
    choice = _choose_candidate(record)
    fc, model = _candidate_forecasts(fc_level, _naive(grid.y, h, season), level_model, choice)
    reason = _candidate_reasons(record, level_model, reason, choice)
    seconds["forecast"] = time.perf_counter() - t0
    _, width = _scales(grid.y, season)
    # MASE on the series scoreable at the first cutoff (a year and more of history there)
    if first_scale is None:
        first_scale = np.full(n, np.nan)
    naive_defined = (
        ~np.isnan(grid.y[:, cutoffs[0] - season])
        if cutoffs and cutoffs[0] >= season
        else np.zeros(n, bool)
    )
    scoreable = ~np.isnan(first_scale) & (counted > 0) & naive_defined
    with np.errstate(all="ignore"):
        mase = np.where(scoreable, abs_ours / counted / first_scale, np.nan)
        mase_naive = np.where(scoreable, abs_naive / counted / first_scale, np.nan)
    # conformal intervals: quantiles of the scaled backtest errors per model and step
    columns: dict[str, np.ndarray] = {}
    final_scale = width[:, None] * np.sqrt(factors)
    for level in config.levels:
        lo_q, hi_q = _error_quantiles(scaled_errors, model, level, h)
        columns[f"lo_{level}"] = np.clip(fc + lo_q * final_scale, 0.0, None)
        columns[f"hi_{level}"] = fc + hi_q * final_scale
    future = grid.weeks[-1] + 7 * np.arange(1, h + 1)
    forecasts = pl.DataFrame(
        {
            "unique_id": np.repeat(grid.ids, h),
            "ds": np.tile(future, n),
            "model": np.repeat(model.astype(str), h),
            "mean": fc.ravel(),
            **{k: v.ravel() for k, v in columns.items()},
        }
    ).with_columns(pl.col("ds").cast(pl.Date))
    models = pl.DataFrame(
        {
            "unique_id": grid.ids,
            "model": model.astype(str),
            "level_model": level_model.astype(str),
            "reason": reason.astype(str),
            "weeks": (~np.isnan(grid.y)).sum(axis=1),
            "mase": mase,
            "mase_naive": mase_naive,
        }
    ).with_columns(pl.col("mase").fill_nan(None), pl.col("mase_naive").fill_nan(None))
    backtest = (
        pl.concat(back_rows).with_columns(
            pl.col("cutoff").cast(pl.Date), pl.col("ds").cast(pl.Date)
        )
        if back_rows
        else pl.DataFrame()
    )
    seconds["total"] = time.perf_counter() - start
    return ForecastResult(
        forecasts=forecasts,
        models=models,
        backtest=backtest,
        mase=float(np.nanmean(mase)) if scoreable.any() else float("nan"),
        mase_naive=float(np.nanmean(mase_naive)) if scoreable.any() else float("nan"),
        seconds=seconds,
    )


def _error_quantiles(
    scaled: list[tuple[np.ndarray, np.ndarray]], final_model: np.ndarray, level: int, h: int
) -> tuple[np.ndarray, np.ndarray]:
    """[n, h] lower and upper quantiles of scaled errors for each series' final model: per
    model and step when at least 200 errors are there, else per model over all steps, else over
    all models."""
    a = (1.0 - level / 100.0) / 2.0
    n = final_model.size
    lo = np.zeros((n, h))
    hi = np.zeros((n, h))
    if not scaled:
        return lo, hi
    models = np.concatenate([m for m, _ in scaled])
    errors = np.concatenate([e for _, e in scaled], axis=0)  # [n*windows, h]
    pooled = errors[np.isfinite(errors)]
    if pooled.size == 0:
        return lo, hi
    everywhere = np.quantile(pooled, [a, 1 - a])
    for name in np.unique(final_model):
        mine = errors[models == name]
        rows = final_model == name
        for step in range(h):
            col = mine[:, step] if mine.size else np.empty(0)
            col = col[np.isfinite(col)]
            if col.size >= 200:
                q = np.quantile(col, [a, 1 - a])
            else:
                flat = mine[np.isfinite(mine)] if mine.size else np.empty(0)
                q = np.quantile(flat, [a, 1 - a]) if flat.size >= 200 else everywhere
            lo[rows, step], hi[rows, step] = q
    return lo, hi


# what the backtest chooses between, per series: our forecast (the level model on the adjusted
# series times the season), seasonal naive, and their mean
CANDIDATES = ("adjusted", "naive", "combination")
SWITCH_MARGIN = 0.85


def _naive(past: np.ndarray, h: int, season: int) -> np.ndarray:
    """[n, h] seasonal naive after the end of `past` (NaN where last year is not there)."""
    n, n_t = past.shape
    if n_t < season:
        return np.full((n, h), np.nan)
    steps = n_t - season + np.arange(h)
    return np.where(steps < n_t, past[:, np.minimum(steps, n_t - 1)], np.nan)


def _all_candidates(level: np.ndarray, naive: np.ndarray) -> tuple[np.ndarray, ...]:
    return level, naive, 0.5 * (level + naive)


def _choose_candidate(record: np.ndarray, margin: float = SWITCH_MARGIN) -> np.ndarray:
    """Per series the candidate with the least error so far, but ours unless another erred
    clearly less (a window or two of noisy weeks is a weak record); ours until there is one."""
    choice = np.argmin(record, axis=1)
    clearly = record.min(axis=1) < margin * record[:, 0]
    return np.where(clearly, choice, 0)


def _candidate_forecasts(
    level: np.ndarray, naive: np.ndarray, model: np.ndarray, choice: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The chosen forecasts and their model names; ours wherever seasonal naive is missing."""
    fc = level.copy()
    names = model.astype(object).copy()
    whole = ~np.isnan(naive).any(axis=1)
    use_naive = whole & (choice == 1)
    use_mean = whole & (choice == 2)
    fc[use_naive] = naive[use_naive]
    fc[use_mean] = 0.5 * (level[use_mean] + naive[use_mean])
    names[use_naive] = "SeasonalNaive"
    names[use_mean] = np.array([f"{m}+SeasonalNaive" for m in model[use_mean]], dtype=object)
    return fc, names


def _candidate_reasons(
    record: np.ndarray, level_model: np.ndarray, reason: np.ndarray, choice: np.ndarray
) -> np.ndarray:
    out = reason.astype(object).copy()
    for i in np.flatnonzero(choice != 0):
        ours, theirs = record[i, 0], record[i, choice[i]]
        what = "seasonal naive" if choice[i] == 1 else f"the mean of {level_model[i]} and it"
        out[i] = (
            f"backtest: {what} erred less than {level_model[i]} alone "
            f"(absolute error {theirs:.4g} against {ours:.4g})"
        )
    return out
