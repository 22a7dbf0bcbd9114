"""Seeded sales data with known structure, so trend detection and forecasts can be scored.

Two generators share one calendar of the four demo clusters' trades:

- `sales_rows`: sales rows (date, firm, channel, category, material, colour, style, price band,
  quantity, value) of one cluster over three years, with weekly seasonality (the weeks before
  Chinese New Year and the closed weeks after it, Double 11 and 618 online, winter for leather
  garments and silk quilts, summer for sandals, trade fairs in April and October), lumpy
  quantities, and PLANTED trends: values whose sales rise or fall from some week on (in some
  channels only), values that appear for the first time, and rare values only one or two firms
  sell. `SalesTruth` says which, so a scan can be scored.
- `forecast_panel`: many weekly series (firm × category × channel) from the same seasonal
  profiles with level, drift and negative-binomial noise, some short and some intermittent,
  with the weeks after the history held out to score forecasts and their intervals.

Everything is numpy and polars, vectorised, so a million rows take a second or two; the same
seed gives the same data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

CHANNELS = ("market_stall", "ecommerce", "livestream", "exhibition")
ATTRIBUTES = ("material", "colour", "style", "price_band")

# Chinese New Year's day, Gregorian; the calendar moves it by weeks from year to year
CHINESE_NEW_YEAR = {
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
}

COLOURS = ("black", "brown", "tan", "burgundy", "beige", "white", "navy", "grey")
STYLES = ("classic", "minimalist", "vintage", "streetwear", "business", "guochao")
PRICE_BANDS = ("budget", "mid", "premium", "luxury")
PRICE_BAND_FACTOR = {"budget": 0.5, "mid": 1.0, "premium": 2.2, "luxury": 5.0}


@dataclass(frozen=True)
class Vocabulary:
    """A cluster's products: categories (with a unit price in yuan and a seasonal kind)
    and materials; colours, styles and price bands are common to all four."""

    categories: dict[str, tuple[float, str]]
    materials: tuple[str, ...]


VOCABULARIES: dict[str, Vocabulary] = {
    "shiling": Vocabulary(
        categories={
            "handbag": (260.0, "gifting"),
            "wallet": (90.0, "gifting"),
            "backpack": (180.0, "flat"),
            "luggage": (420.0, "travel"),
            "belt": (70.0, "gifting"),
        },
        materials=("cowhide", "sheepskin", "pu_leather", "canvas", "microfiber", "suede"),
    ),
    "xinji": Vocabulary(
        categories={
            "leather_jacket": (680.0, "winter"),
            "shearling_coat": (1500.0, "winter"),
            "fur_collar": (160.0, "winter"),
            "leather_vest": (380.0, "winter"),
            "leather_trousers": (420.0, "flat"),
        },
        materials=("sheepskin", "lambskin", "goatskin", "cowhide", "shearling", "suede"),
    ),
    "wenzhou": Vocabulary(
        categories={
            "sneakers": (210.0, "flat"),
            "boots": (360.0, "winter"),
            "loafers": (260.0, "flat"),
            "sandals": (150.0, "summer"),
            "dress_shoes": (320.0, "gifting"),
        },
        materials=("cowhide", "microfiber", "mesh", "suede", "pu_leather", "rubber"),
    ),
    "hechi": Vocabulary(
        categories={
            "silk_quilt": (900.0, "winter"),
            "silk_scarf": (180.0, "gifting"),
            "silk_pajamas": (520.0, "summer"),
            "silk_fabric": (120.0, "flat"),
            "silk_bedding": (1100.0, "winter"),
        },
        materials=("mulberry_silk", "tussah_silk", "silk_blend", "charmeuse", "crepe_de_chine"),
    ),
}

# per channel: share of rows, mean quantity per row (wholesale lots at the market stall)
CHANNEL_MIX = {
    "market_stall": (0.35, 6.0),
    "ecommerce": (0.30, 2.0),
    "livestream": (0.30, 3.0),
    "exhibition": (0.05, 10.0),
}


def week_starts(end: dt.date, weeks: int) -> list[dt.date]:
    """Mondays of `weeks` weeks, the last the week that holds `end`."""
    last = end - dt.timedelta(days=end.weekday())
    return [last - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def _nearest(days: np.ndarray, centres: list[dt.date], mondays: list[dt.date]) -> np.ndarray:
    """Signed distance in weeks from each week to the nearest of the given dates."""
    week_ord = np.array([m.toordinal() + 3 for m in mondays], dtype=np.float64)  # Thursdays
    c = np.array([d.toordinal() for d in centres], dtype=np.float64)
    diff = (week_ord[:, None] - c[None, :]) / 7.0
    best = np.argmin(np.abs(diff), axis=1)
    return diff[np.arange(len(diff)), best]


def seasonal_profiles(
    mondays: list[dt.date],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Multiplicative weekly factors by seasonal kind and by channel (mean about 1)."""
    years = sorted({m.year for m in mondays} | {mondays[0].year - 1, mondays[-1].year + 1})
    cny = [CHINESE_NEW_YEAR.get(y, dt.date(y, 2, 5)) for y in years]
    to_cny = _nearest(np.zeros(0), cny, mondays)
    doy = np.array([m.timetuple().tm_yday + 3 for m in mondays], dtype=np.float64)
    phase = 2 * np.pi * doy / 365.25
    # stock-up before New Year, markets and workshops closed for two weeks after it
    cny_factor = np.where(
        (to_cny >= -4) & (to_cny < 0), 1.45, np.where((to_cny >= 0) & (to_cny < 2.5), 0.35, 1.0)
    )
    winter = 1.0 + 0.75 * np.cos(phase - 2 * np.pi * 340 / 365.25)  # peak early December
    summer = 1.0 + 0.7 * np.cos(phase - 2 * np.pi * 180 / 365.25)
    double11 = _nearest(np.zeros(0), [dt.date(y, 11, 11) for y in years], mondays)  # Singles' Day
    d618 = _nearest(np.zeros(0), [dt.date(y, 6, 18) for y in years], mondays)
    fairs = _nearest(
        np.zeros(0),
        [dt.date(y, 4, 20) for y in years] + [dt.date(y, 10, 20) for y in years],
        mondays,
    )
    kinds = {
        "flat": np.ones(len(mondays)),
        "winter": winter,
        "summer": summer,
        "gifting": 1.0 + 0.5 * ((to_cny >= -4) & (to_cny < 0)) + 0.3 * (np.abs(double11) < 1),
        "travel": 1.0 + 0.4 * np.cos(phase - 2 * np.pi * 200 / 365.25),
    }
    kinds = {k: v * cny_factor for k, v in kinds.items()}
    channels = {
        "market_stall": np.ones(len(mondays)),
        "ecommerce": 1.0 + 2.2 * (np.abs(double11) < 0.6) + 0.6 * (np.abs(d618) < 0.6),
        "livestream": 1.0 + 1.6 * (np.abs(double11) < 1.1) + 0.4 * (np.abs(d618) < 0.6),
        "exhibition": 0.05 + 6.0 * (np.abs(fairs) < 1.1),
    }
    return kinds, channels


@dataclass(frozen=True)
class Plant:
    """A planted change: `value` of `column` multiplied by `factor` (reached linearly over
    `ramp_weeks` from `start_weeks_before_end`), in `channels` only when given, from a base
    share of its column of `share` (when given). A new value (`kind="new"`) has no sales before
    its start and `share` of its column after it."""

    column: str
    value: str
    kind: str  # rising, falling, new
    factor: float = 1.0
    channels: tuple[str, ...] | None = None
    start_weeks_before_end: int = 30
    ramp_weeks: int = 12
    share: float = 0.0


@dataclass(frozen=True)
class SalesTruth:
    """What the generator planted: scan results are scored against it."""

    cluster: str
    end: dt.date
    plants: tuple[Plant, ...]
    rare: dict[tuple[str, str], tuple[str, ...]]  # (column, value) -> the only firms selling it
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def rising(self) -> list[Plant]:
        return [p for p in self.plants if p.kind == "rising"]

    def falling(self) -> list[Plant]:
        return [p for p in self.plants if p.kind == "falling"]

    def new(self) -> list[Plant]:
        return [p for p in self.plants if p.kind == "new"]

    def flat(self) -> list[tuple[str, str]]:
        """Values of columns with no plant and no rare value: a scan should find nothing there.

        Values beside a planted one are not flat against the market: a rising colour takes
        share from the other colours (relative to all sales they fall a little), and that is
        what the data say."""
        touched = {p.column for p in self.plants} | {c for c, _ in self.rare}
        return [(c, v) for c, vs in self.values.items() if c not in touched for v in vs]


def default_plants(cluster: str) -> tuple[Plant, ...]:
    """Each cluster's planted trends: one rising material led by livestream, one falling style,
    one new colour appearing; price bands are left alone, so their values are truly flat."""
    vocab = VOCABULARIES[cluster]
    material_up = vocab.materials[1]
    return (
        Plant("material", material_up, "rising", factor=3.5, channels=("livestream",), share=0.15),
        Plant("style", "business", "falling", factor=0.45, share=0.10),
        Plant("colour", "caramel", "new", start_weeks_before_end=6, share=0.06),
    )


def sales_rows(
    cluster: str = "shiling",
    rows: int = 200_000,
    firms: int = 60,
    weeks: int = 156,
    end: dt.date = dt.date(2026, 10, 25),
    seed: int = 0,
    plants: tuple[Plant, ...] | None = None,
) -> tuple[pl.DataFrame, SalesTruth]:
    """About `rows` sales rows of `firms` firms over `weeks` weeks ending at `end`."""
    if cluster not in VOCABULARIES:
        raise ValueError(f"cluster: unknown {cluster!r}; one of {', '.join(VOCABULARIES)}")
    rng = np.random.default_rng(seed)
    vocab = VOCABULARIES[cluster]
    plants = default_plants(cluster) if plants is None else plants
    mondays = week_starts(end, weeks)
    kinds, channel_season = seasonal_profiles(mondays)
    categories = list(vocab.categories)
    rare_material = "ostrich" if cluster != "hechi" else "gambiered_silk"
    values: dict[str, list[str]] = {
        "material": [*vocab.materials, rare_material],
        "colour": list(COLOURS),
        "style": list(STYLES),
        "price_band": list(PRICE_BANDS),
    }
    for p in plants:
        if p.value not in values[p.column]:
            values[p.column].append(p.value)
    n_ch, n_w = len(CHANNELS), weeks
    weeks_idx = np.arange(n_w)
    # base shares of each column's values: uneven, fixed by the seed
    base: dict[str, np.ndarray] = {}
    mult: dict[str, np.ndarray] = {}  # column -> [week, channel, value]
    for col, vs in values.items():
        share = rng.dirichlet(np.full(len(vs), 4.0))
        m = np.ones((n_w, n_ch, len(vs)))
        if col == "material":
            share[vs.index(rare_material)] = 0.01
        for p in plants:
            if p.column != col:
                continue
            j = vs.index(p.value)
            start = n_w - p.start_weeks_before_end
            chs = [CHANNELS.index(c) for c in (p.channels or CHANNELS)]
            if p.kind == "new":
                share[j] = p.share
                m[:start, :, j] = 0.0
                continue
            if p.share > 0:
                share[j] = p.share
            ramp = np.clip((weeks_idx - start) / max(p.ramp_weeks, 1), 0.0, 1.0)
            for c in chs:
                m[:, c, j] = 1.0 + (p.factor - 1.0) * ramp
        others = [
            i for i, v in enumerate(vs) if all(v != p.value or p.kind != "new" for p in plants)
        ]
        fixed = share.sum() - share[others].sum()
        share[others] *= (1.0 - fixed) / share[others].sum()
        base[col] = share
        mult[col] = m
    # column volume factors: a rising value adds sales, it does not take them from the others
    volume = np.ones((n_w, n_ch))
    for col in values:
        volume *= (mult[col] * base[col][None, None, :]).sum(axis=2)
    cat_share = rng.dirichlet(np.full(len(categories), 5.0))
    cat_kind = np.array([kinds[vocab.categories[c][1]] for c in categories])  # [cat, week]
    ch_share = np.array([CHANNEL_MIX[c][0] for c in CHANNELS])
    ch_season = np.array([channel_season[c] for c in CHANNELS])  # [ch, week]
    growth = 1.0 + 0.04 * weeks_idx / 52.0  # the market grows 4% a year
    lam = (
        growth[:, None, None]
        * ch_share[None, :, None]
        * ch_season.T[:, :, None]
        * cat_share[None, None, :]
        * cat_kind.T[:, None, :]
        * volume[:, :, None]
    )  # [week, channel, category]
    lam *= rows / lam.sum()
    counts = rng.poisson(lam).ravel()
    cell = np.repeat(np.arange(counts.size), counts)
    n = cell.size
    w_i = cell // (n_ch * len(categories))
    ch_i = (cell // len(categories)) % n_ch
    cat_i = cell % len(categories)
    out: dict[str, np.ndarray] = {}
    # attribute values given week and channel
    for col, vs in values.items():
        p = mult[col] * base[col][None, None, :]
        p /= p.sum(axis=2, keepdims=True)
        out[col] = _draw_index(rng, p.reshape(n_w * n_ch, len(vs)), w_i * n_ch + ch_i)
    # firms: Zipf-like sizes, each with its own channel and category leanings
    size = 1.0 / np.arange(1, firms + 1) ** 0.8
    lean_ch = rng.dirichlet(np.full(n_ch, 1.5), size=firms)  # [firm, ch]
    lean_cat = rng.dirichlet(np.full(len(categories), 1.2), size=firms)
    pf = size[None, None, :] * lean_ch.T[:, None, :] * lean_cat.T[None, :, :]
    pf /= pf.sum(axis=2, keepdims=True)
    firm_i = _draw_index(
        rng, pf.reshape(n_ch * len(categories), firms), ch_i * len(categories) + cat_i
    )
    rare = {("material", rare_material): (0,)}
    firm_i = np.where(out["material"] == values["material"].index(rare_material), 0, firm_i)
    # dates inside the week, never after `end`
    monday_ord = np.array([m.toordinal() for m in mondays], dtype=np.int64)
    day = monday_ord[w_i] + rng.integers(0, 7, n)
    day = np.minimum(day, end.toordinal())
    epoch = dt.date(1970, 1, 1).toordinal()
    mean_q = np.array([CHANNEL_MIX[c][1] for c in CHANNELS])
    quantity = rng.geometric(1.0 / mean_q[ch_i])
    unit = np.array([vocab.categories[c][0] for c in categories])[cat_i]
    band = np.array([PRICE_BAND_FACTOR.get(b, 1.0) for b in values["price_band"]])
    band_i = out["price_band"]
    price = unit * band[band_i] * rng.lognormal(0.0, 0.15, n)
    order = np.argsort(day, kind="stable")
    frame = pl.DataFrame(
        {
            "date": (day - epoch).astype("int32"),
            "firm": _names([f"F{f:04d}" for f in range(firms)], firm_i),
            "channel": _names(list(CHANNELS), ch_i),
            "category": _names(categories, cat_i),
            **{col: _names(vs, out[col]) for col, vs in values.items()},
            "quantity": quantity.astype(np.int64),
            "value": np.round(quantity * price, 2),
        }
    )[order].with_columns(pl.col("date").cast(pl.Date))
    truth = SalesTruth(
        cluster=cluster,
        end=end,
        plants=plants,
        rare={k: tuple(f"F{f:04d}" for f in v) for k, v in rare.items()},
        values={c: tuple(v) for c, v in values.items()},
    )
    return frame, truth


def _draw_index(rng: np.random.Generator, probs: np.ndarray, row_cell: np.ndarray) -> np.ndarray:
    """One category per row from its cell's distribution (rows of `probs`), vectorised with a
    single searchsorted over the cumulative table offset by cell number."""
    cum = np.cumsum(probs, axis=1)
    cum[:, -1] = 1.0
    k = probs.shape[1]
    flat = (cum + np.arange(probs.shape[0])[:, None]).ravel()
    u = rng.random(row_cell.size) * (1 - 1e-12)
    pos = np.searchsorted(flat, row_cell + u, side="right")
    return np.minimum(pos - row_cell * k, k - 1)


def _names(names: list[str], index: np.ndarray) -> pl.Series:
    """Strings by index, gathered in polars (a numpy array of str objects is slow)."""
    return pl.Series(names, dtype=pl.String).gather(index)


@dataclass(frozen=True)
class Panel:
    """Weekly series in statsforecast's long layout (unique_id, ds, y): the history to fit,
    the held-out `future` weeks to score, and what each series was made of."""

    history: pl.DataFrame
    future: pl.DataFrame
    series: pl.DataFrame  # unique_id, cluster, category, channel, level, drift, short, sparse


def forecast_panel(
    n_series: int = 10_000,
    weeks: int = 156,
    horizon: int = 13,
    end: dt.date = dt.date(2026, 10, 25),
    seed: int = 0,
    short_share: float = 0.08,
    sparse_share: float = 0.15,
    dispersion: float = 6.0,
) -> Panel:
    """`n_series` firm × category × channel series of `weeks` weeks, then `horizon` held out.

    Means are level × category season × channel season × (1 + drift) with negative-binomial
    noise (size `dispersion`); `sparse_share` of series have levels low enough to be mostly
    zeros, `short_share` start late (30 to 90 weeks of history)."""
    rng = np.random.default_rng(seed)
    total = weeks + horizon
    mondays = week_starts(end, weeks)
    mondays = mondays + [mondays[-1] + dt.timedelta(weeks=i + 1) for i in range(horizon)]
    kinds, channel_season = seasonal_profiles(mondays)
    clusters = list(VOCABULARIES)
    cl_i = rng.integers(0, len(clusters), n_series)
    cat_pos = rng.integers(0, 5, n_series)
    ch_i = rng.choice(len(CHANNELS), n_series, p=[0.35, 0.3, 0.25, 0.10])
    cats = [list(VOCABULARIES[c].categories) for c in clusters]
    category = np.array([cats[c][k] for c, k in zip(cl_i, cat_pos, strict=True)])
    kind = [
        VOCABULARIES[clusters[c]].categories[cats[c][k]][1]
        for c, k in zip(cl_i, cat_pos, strict=True)
    ]
    kind_names = list(kinds)
    kind_mat = np.array([kinds[k] for k in kind_names])  # [kind, week]
    kind_i = np.array([kind_names.index(k) for k in kind])
    ch_mat = np.array([channel_season[c] for c in CHANNELS])
    sparse = rng.random(n_series) < sparse_share
    level = np.where(sparse, rng.uniform(0.15, 0.8, n_series), rng.lognormal(3.0, 0.9, n_series))
    drift = rng.normal(0.0, 0.25, n_series)  # change over the whole span, as a fraction
    t = np.arange(total) / weeks
    mu = (
        level[:, None]
        * kind_mat[kind_i]
        * ch_mat[ch_i]
        * np.clip(1.0 + drift[:, None] * t[None, :], 0.2, None)
    )
    y = rng.negative_binomial(dispersion, dispersion / (dispersion + mu)).astype(np.float64)
    short = rng.random(n_series) < short_share
    start = np.where(short, weeks - rng.integers(30, 91, n_series), 0)
    ids = np.array(
        [
            f"{clusters[c]}|F{rng_f:04d}|{cat}|{CHANNELS[ch]}"
            for c, rng_f, cat, ch in zip(
                cl_i, rng.integers(0, 9999, n_series), category, ch_i, strict=True
            )
        ]
    )
    ids = np.array([f"{s}|{i}" for i, s in enumerate(ids)])  # unique even when drawn twice
    epoch = dt.date(1970, 1, 1).toordinal()
    ds = np.array([m.toordinal() - epoch for m in mondays], dtype=np.int32)
    keep = np.arange(total)[None, :] >= start[:, None]
    uid = np.broadcast_to(ids[:, None], (n_series, total))
    dss = np.broadcast_to(ds[None, :], (n_series, total))
    frame = pl.DataFrame({"unique_id": uid[keep], "ds": dss[keep], "y": y[keep]}).with_columns(
        pl.col("ds").cast(pl.Date)
    )
    cut = pl.lit(mondays[weeks - 1])
    series = pl.DataFrame(
        {
            "unique_id": ids,
            "cluster": np.array(clusters)[cl_i],
            "category": category,
            "channel": np.array(CHANNELS)[ch_i],
            "level": level,
            "drift": drift,
            "short": short,
            "sparse": sparse,
        }
    )
    return Panel(
        history=frame.filter(pl.col("ds") <= cut),
        future=frame.filter(pl.col("ds") > cut),
        series=series,
    )
