"""Every read of market data, with the privacy of a firm's sales enforced here (decision 0015).

- A firm's records, products, imports and leads: `permissions.can_view` (the firm, the office of
  its cluster, admins); anyone else gets NotFound, as for a firm that does not exist.
- The cluster's aggregates (weekly sales by channel, categories, the trend scan, forecasts per
  category × channel): public, with every cell resting on fewer than k firms
  (settings.AGGREGATE_MIN_FIRMS, decision 0003) or on one firm's 85 % withheld — and when one
  member of a group shown beside its total is withheld, its smallest sibling too. The office
  and admins see them unwithheld, and every firm's figures.

The trend scan and the forecasts take seconds over a cluster: they are cached under the
cluster's sales stamp (`MarketStamp.version`, replaced by every write of sales) and the day,
so a page reads them once per change of data, never per request (as decision 0002).
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import polars as pl
from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.errors import NotFound
from clusterbrain.market import permissions
from clusterbrain.market.models import (
    Channel,
    ExhibitionLead,
    MarketStamp,
    Product,
    SalesImport,
    SalesRecord,
)
from clusterbrain.registry.models import Cluster, Enterprise
from clusterbrain.registry.selectors import AGGREGATE_CACHE_SECONDS, min_firms, suppression_note

T = TypeVar("T")
DOMINANCE = 0.85  # one firm's share at which an aggregate is its figure (decision 0015)
ATTRIBUTES = ("material", "colour", "style", "price_band")
UNSPECIFIED = "unspecified"
WEEKS_SHOWN = 52
COLUMNS = ("date", "firm", "channel", "category", *ATTRIBUTES, "quantity", "value")


def _today() -> datetime.date:
    return timezone.localdate()


def _visible_firm(enterprise: Enterprise, user: Any) -> None:
    if not permissions.can_view(user, enterprise):
        raise NotFound(_("No such enterprise."))


def channel_label(code: str) -> str:
    try:
        return str(Channel(code).label)
    except ValueError:
        return code


# --- stamp and cache -------------------------------------------------------------------------


def stamp(cluster: Cluster) -> str:
    found = MarketStamp.objects.filter(cluster=cluster).values_list("version", flat=True).first()
    if found:
        return str(found)
    return MarketStamp.objects.get_or_create(cluster=cluster)[0].version


def _cached(cluster: Cluster, name: str, compute: Callable[[], T]) -> T:
    key = f"clusterbrain:market:{cluster.pk}:{stamp(cluster)}:{_today().isoformat()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(
            key, value, int(getattr(settings, "AGGREGATE_CACHE_SECONDS", AGGREGATE_CACHE_SECONDS))
        )
    return value


# --- frames ----------------------------------------------------------------------------------


def sales_frame(
    cluster: Cluster | None = None, enterprise: Enterprise | None = None
) -> pl.DataFrame:
    """Sales rows as the forecast engine reads them (no permission check: callers check)."""
    rows = SalesRecord.objects.all()
    if enterprise is not None:
        rows = rows.filter(enterprise=enterprise)
    if cluster is not None:
        rows = rows.filter(enterprise__cluster=cluster)
    data = list(
        rows.order_by().values_list(
            "date", "enterprise_id", "channel", "category", *ATTRIBUTES, "quantity", "value"
        )
    )
    schema = {
        "date": pl.Date,
        "firm": pl.String,
        "channel": pl.String,
        "category": pl.String,
        **{a: pl.String for a in ATTRIBUTES},
        "quantity": pl.Float64,
        "value": pl.Float64,
    }
    frame = (
        pl.DataFrame(data, schema=list(schema.items()), orient="row")
        if data
        else pl.DataFrame(schema=schema)
    )
    return frame.with_columns(
        pl.col("firm").cast(pl.String),
        *[
            pl.when(pl.col(a) == "").then(pl.lit(UNSPECIFIED)).otherwise(pl.col(a)).alias(a)
            for a in ATTRIBUTES
        ],
    )


def _week(col: str = "date") -> pl.Expr:
    """The Monday of a date's week: weekly figures are by ISO week."""
    return pl.col(col).dt.truncate("1w")


def _withhold(frame: pl.DataFrame, group: list[str], k: int, open_: bool) -> pl.DataFrame:
    """Sum per `group` with `firms` and `withheld` (fewer than k firms, or one firm ≥ 85 %)."""
    per_firm = frame.group_by(*group, "firm").agg(pl.col("quantity").sum(), pl.col("value").sum())
    # a firm counts toward k where it sold: a row of 0 units for 0 yuan made up the third firm
    # of a two-seller cell, and either seller had the other's figure as the cell less its own
    sold = (pl.col("quantity") > 0) | (pl.col("value") > 0)
    out = per_firm.group_by(*group).agg(
        pl.col("quantity").sum(),
        pl.col("value").sum(),
        sold.sum().cast(pl.UInt32).alias("firms"),
        # one firm's 85 % of the units is as much its figure as 85 % of the yuan: cells show
        # both, and the forecasts forecast units
        pl.max_horizontal(
            (pl.col("value").max() / pl.col("value").sum()).fill_nan(1.0),
            (pl.col("quantity").max() / pl.col("quantity").sum()).fill_nan(0.0),
        ).alias("top_share"),
    )
    if open_:
        return out.with_columns(pl.lit(False).alias("withheld")).drop("top_share")
    return out.with_columns(
        ((pl.col("firms") < k) | (pl.col("top_share") >= DOMINANCE)).alias("withheld")
    ).drop("top_share")


def _per_firm(
    frame: pl.DataFrame, keys: list[str]
) -> dict[tuple[Any, ...], dict[str, tuple[float, float]]]:
    """Each cell's value and quantity by firm: what a group of withheld cells adds up to."""
    out: dict[tuple[Any, ...], dict[str, tuple[float, float]]] = defaultdict(dict)
    per = frame.group_by(*keys, "firm").agg(pl.col("value").sum(), pl.col("quantity").sum())
    for row in per.select(*keys, "firm", "value", "quantity").iter_rows():
        out[tuple(row[: len(keys)])][row[-3]] = (row[-2], row[-1])
    return out


def _rests_on_few(residual: dict[str, list[float]], k: int) -> bool:
    """Fewer than k firms that sold, or one firm with 85 % of the yuan or of the units (as
    `_withhold`)."""
    if sum(1 for v, q in residual.values() if v > 0 or q > 0) < k:
        return True
    value = sum(v for v, _q in residual.values())
    quantity = sum(q for _v, q in residual.values())
    if value <= 0:
        return True
    top_value = max(v for v, _q in residual.values()) / value
    top_quantity = max(q for _v, q in residual.values()) / quantity if quantity > 0 else 0.0
    return max(top_value, top_quantity) >= DOMINANCE


def _secondary(
    cells: pl.DataFrame,
    frame: pl.DataFrame,
    keys: list[str],
    group: Callable[[dict[str, Any]], Any] = lambda row: None,
    k: int | None = None,
) -> pl.DataFrame:
    """Cells shown beside their group's total (or beside figures adding up to it) give away
    the withheld ones together: the total less the rest. So the withheld cells of a group,
    added up, must themselves rest on k firms with none dominant; while they do not, the
    smallest cell shown is withheld too. (Withholding one sibling only where exactly one cell
    was withheld let two cells of one firm through: the total less the rest was its sales.)"""
    if cells.is_empty() or not cells["withheld"].any():
        return cells
    k = min_firms() if k is None else k
    by_firm = _per_firm(frame, keys)
    rows = cells.to_dicts()
    groups: dict[Any, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[group(row)].append(i)
    for members in groups.values():
        while True:
            hidden = [i for i in members if rows[i]["withheld"]]
            if not hidden or len(hidden) == len(members):
                break
            residual: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
            for i in hidden:
                for firm, (value, quantity) in by_firm[tuple(rows[i][c] for c in keys)].items():
                    residual[firm][0] += value
                    residual[firm][1] += quantity
            if not _rests_on_few(residual, k):
                break
            smallest = min(
                (i for i in members if not rows[i]["withheld"]),
                key=lambda i: rows[i]["value"] or 0.0,
            )
            rows[smallest]["withheld"] = True
    return pl.DataFrame(rows, schema=cells.schema)


def _blank(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.col("withheld")).then(None).otherwise(pl.col(c)).alias(c)
        for c in ("quantity", "value")
    )


# --- a firm's own sales ----------------------------------------------------------------------


@dataclass
class FirmSales:
    enterprise: Enterprise
    records: int
    quantity: float
    value: float
    first: datetime.date | None
    last: datetime.date | None
    weekly: list[dict[str, Any]]  # week, channel, quantity, value (last 52 weeks of its data)
    categories: list[dict[str, Any]]  # category, quantity, value
    channels: list[dict[str, Any]]
    recent: list[SalesRecord]
    imports: list[SalesImport]
    leads: list[ExhibitionLead]
    can_record: bool


def firm_sales(enterprise: Enterprise, user: Any) -> FirmSales:
    """The firm's own figures in full (k does not apply to a firm's own data)."""
    _visible_firm(enterprise, user)
    frame = sales_frame(enterprise=enterprise)
    weekly: list[dict[str, Any]] = []
    categories: list[dict[str, Any]] = []
    channels: list[dict[str, Any]] = []
    first = last = None
    if frame.height:
        first, last = frame["date"].min(), frame["date"].max()
        since = last - datetime.timedelta(weeks=WEEKS_SHOWN)  # type: ignore[operator]
        recent = frame.filter(pl.col("date") > since)
        weekly = (
            recent.group_by(_week().alias("week"), "channel")
            .agg(pl.col("quantity").sum(), pl.col("value").sum())
            .sort("week", "channel")
            .to_dicts()
        )
        categories = (
            recent.group_by("category")
            .agg(pl.col("quantity").sum(), pl.col("value").sum())
            .sort("value", descending=True)
            .to_dicts()
        )
        channels = (
            recent.group_by("channel")
            .agg(pl.col("quantity").sum(), pl.col("value").sum())
            .sort("value", descending=True)
            .to_dicts()
        )
    return FirmSales(
        enterprise=enterprise,
        records=frame.height,
        quantity=float(frame["quantity"].sum()) if frame.height else 0.0,
        value=float(frame["value"].sum()) if frame.height else 0.0,
        first=first,  # type: ignore[arg-type]
        last=last,  # type: ignore[arg-type]
        weekly=weekly,
        categories=categories,
        channels=channels,
        recent=list(
            SalesRecord.objects.filter(enterprise=enterprise).select_related("product")[:50]
        ),
        imports=list(SalesImport.objects.filter(enterprise=enterprise).order_by("-pk")[:10]),
        leads=list(ExhibitionLead.objects.filter(enterprise=enterprise)[:50]),
        can_record=permissions.can_record(user, enterprise),
    )


def records_of(
    enterprise: Enterprise,
    user: Any,
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    channel: str | None = None,
    category: str | None = None,
) -> QuerySet[SalesRecord]:
    _visible_firm(enterprise, user)
    rows = SalesRecord.objects.filter(enterprise=enterprise)
    if since:
        rows = rows.filter(date__gte=since)
    if until:
        rows = rows.filter(date__lte=until)
    if channel:
        rows = rows.filter(channel=channel)
    if category:
        rows = rows.filter(category=category)
    return rows.select_related("product").order_by("-date", "-pk")


def leads_of(enterprise: Enterprise, user: Any) -> QuerySet[ExhibitionLead]:
    _visible_firm(enterprise, user)
    return ExhibitionLead.objects.filter(enterprise=enterprise).order_by("-date", "-pk")


def get_import(import_id: int, user: Any) -> SalesImport:
    batch = SalesImport.objects.select_related("enterprise").filter(pk=import_id).first()
    if batch is None or not permissions.can_view(user, batch.enterprise):
        raise NotFound(_("No such import."))
    return batch


# --- the cluster's aggregates ----------------------------------------------------------------


@dataclass
class ClusterMarket:
    cluster: Cluster
    min_firms: int
    can_view_firms: bool
    firms: int  # firms with sales in the last 52 weeks (a count: never withheld)
    quantity: float | None
    value: float | None
    totals_withheld: bool
    since: datetime.date | None
    until: datetime.date | None
    weekly: list[dict[str, Any]]  # week, channel, quantity, value, firms, withheld
    channels: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    firm_rows: list[dict[str, Any]] = field(default_factory=list)  # office and admins only

    @property
    def any_withheld(self) -> bool:
        return self.totals_withheld or any(
            r["withheld"] for r in (*self.weekly, *self.channels, *self.categories)
        )

    @property
    def suppression_note(self) -> str:
        return suppression_note(self.min_firms) if self.any_withheld else ""


def _aggregates(cluster: Cluster, open_: bool) -> dict[str, Any]:
    k = min_firms()
    frame = sales_frame(cluster=cluster)
    if not frame.height:
        return {
            "firms": 0,
            "weekly": [],
            "channels": [],
            "categories": [],
            "totals": None,
            "since": None,
            "until": None,
            "firm_rows": [],
        }
    until = frame["date"].max()
    since = until - datetime.timedelta(weeks=WEEKS_SHOWN) + datetime.timedelta(days=1)  # type: ignore[operator]
    recent = frame.filter(pl.col("date") >= since).with_columns(_week().alias("week"))
    totals = _withhold(recent.with_columns(pl.lit(1).alias("all")), ["all"], k, open_)
    channels = _secondary(_withhold(recent, ["channel"], k, open_), recent, ["channel"])
    categories = _secondary(_withhold(recent, ["category"], k, open_), recent, ["category"])
    # a channel's weeks add up to its total when it is shown, and the weeks of the withheld
    # channels to the total less the channels shown: each is a group of its own
    hidden = set(channels.filter(pl.col("withheld"))["channel"].to_list())
    weekly = _secondary(
        _withhold(recent, ["week", "channel"], k, open_),
        recent,
        ["week", "channel"],
        lambda row: "" if row["channel"] in hidden else row["channel"],
    )
    weekly, channels, categories = (
        _blank(weekly).sort("week", "channel"),
        _blank(channels),
        _blank(categories),
    )
    out: dict[str, Any] = {
        "firms": int(recent["firm"].n_unique()),
        "totals": totals.to_dicts()[0],
        "since": since,
        "until": until,
        "weekly": weekly.to_dicts(),
        "channels": channels.sort("value", descending=True, nulls_last=True).to_dicts(),
        "categories": categories.sort("value", descending=True, nulls_last=True).to_dicts(),
        "firm_rows": [],
    }
    if open_:
        out["firm_rows"] = (
            recent.group_by("firm")
            .agg(
                pl.len().alias("records"),
                pl.col("quantity").sum(),
                pl.col("value").sum(),
                pl.col("date").max().alias("last"),
            )
            .sort("value", descending=True)
            .to_dicts()
        )
    return out


def cluster_market(cluster: Cluster, user: Any) -> ClusterMarket:
    open_ = permissions.can_view_firm_figures(user, cluster)
    data = _cached(
        cluster, f"aggregates:{int(open_)}:{min_firms()}", lambda: _aggregates(cluster, open_)
    )
    totals = data["totals"] or {}
    firm_rows = data["firm_rows"]
    if firm_rows:
        firms = Enterprise.objects.in_bulk([int(r["firm"]) for r in firm_rows])
        firm_rows = [
            {**r, "id": int(r["firm"]), "enterprise": firms.get(int(r["firm"]))} for r in firm_rows
        ]
    withheld = bool(totals.get("withheld"))
    return ClusterMarket(
        cluster=cluster,
        min_firms=min_firms(),
        can_view_firms=open_,
        firms=data["firms"],
        quantity=None if withheld else totals.get("quantity"),
        value=None if withheld else totals.get("value"),
        totals_withheld=withheld,
        since=data["since"],
        until=data["until"],
        weekly=data["weekly"],
        channels=data["channels"],
        categories=data["categories"],
        firm_rows=firm_rows,
    )


# --- trends ----------------------------------------------------------------------------------


@dataclass
class Trends:
    cluster: Cluster
    min_firms: int
    withheld_rule: bool  # False for the office and admins (figures unwithheld)
    recent: tuple[datetime.date, datetime.date] | None
    baseline: tuple[datetime.date, datetime.date] | None
    findings: list[dict[str, Any]]  # rising, falling, new: column, value, growth, lift, q, …
    withheld: list[dict[str, Any]]  # values reported by name with no figures, and why
    values: list[dict[str, Any]]  # every value of every attribute (the table)
    note: str = ""

    def of(self, direction: str) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["direction"] == direction]


def _scan(cluster: Cluster, open_: bool) -> dict[str, Any]:
    from clusterbrain.engines.forecast.trends import TrendConfig, scan_trends

    frame = sales_frame(cluster=cluster)
    if frame.height == 0:
        return {"empty": True}
    last: datetime.date = frame["date"].max()  # type: ignore[assignment]
    first: datetime.date = frame["date"].min()  # type: ignore[assignment]
    if (last - first).days < 364 + 56:
        return {"empty": True, "short": True}
    if not open_:
        # rows of 0 units count toward k in the engine: a firm there made up the third of a
        # two-seller value (review of issue 6); without them every sum is the same
        frame = frame.filter(pl.col("quantity") > 0)
        if frame.height == 0:
            return {"empty": True}
    config = TrendConfig(
        min_firms=1 if open_ else min_firms(),
        dominance=1.01 if open_ else DOMINANCE,
        today=_today(),
    )
    scan = scan_trends(frame, config)
    rows = [{**r, "channels": list(r["channels"] or [])} for r in scan.attributes.to_dicts()]
    if not open_:
        _withhold_trend_residuals(frame, rows, (scan.recent, scan.baseline), config.min_firms)
    rows = [r for r in rows if r["value"] != UNSPECIFIED]
    for r in rows:
        for key in ("growth", "lift", "z", "p", "q"):
            if isinstance(r.get(key), float) and not math.isfinite(r[key]):
                r[key] = None
    return {
        "empty": False,
        "rows": rows,
        "recent": scan.recent,
        "baseline": scan.baseline,
    }


def _withhold_trend_residuals(
    frame: pl.DataFrame,
    rows: list[dict[str, Any]],
    windows: tuple[tuple[datetime.date, datetime.date], ...],
    k: int,
) -> None:
    """A column's values add up to the market, which another column shows whole: its
    withheld values (and its unspecified one, never listed) added up must rest on k firms
    with none dominant in each window, or the smallest value shown is withheld too. The
    engine withholds one sibling where exactly one value is withheld, which let two values of
    one firm through (decision 0015 addendum)."""
    per: list[dict[tuple[str, str], dict[str, float]]] = []
    for start, end in windows:
        cells: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
        part = frame.filter(pl.col("date").is_between(start, end))
        for column in ATTRIBUTES:
            summed = part.group_by(column, "firm").agg(pl.col("quantity").sum())
            for value, firm, quantity in summed.iter_rows():
                cells[(column, value)][firm] = quantity
        per.append(cells)

    def exposed(hidden: list[dict[str, Any]]) -> bool:
        for cells in per:
            residual: dict[str, float] = defaultdict(float)
            for r in hidden:
                for firm, q in cells.get((r["column"], r["value"]), {}).items():
                    residual[firm] += q
            total = sum(residual.values())
            sellers = sum(1 for q in residual.values() if q > 0)
            if total > 0 and (sellers < k or max(residual.values()) / total >= DOMINANCE):
                return True
        return False

    for column in ATTRIBUTES:
        members = [r for r in rows if r["column"] == column]
        while True:
            hidden = [r for r in members if r["suppressed"] or r["value"] == UNSPECIFIED]
            shown = [r for r in members if r not in hidden]
            if not shown or not hidden or not exposed(hidden):
                break
            smallest = min(shown, key=lambda r: r.get("recent") or 0.0)
            smallest.update(
                {key: None for key in ("recent", "baseline", "growth", "lift", "z", "p", "q")},
                channels=[],
                firms=None,
                direction="suppressed",
                suppressed=True,
                reason="would reveal a suppressed neighbour",
            )


ORDER = {"new": 0, "rising": 1, "falling": 2}


def trends(cluster: Cluster, user: Any) -> Trends:
    open_ = permissions.can_view_firm_figures(user, cluster)
    data = _cached(cluster, f"trends:{int(open_)}:{min_firms()}", lambda: _scan(cluster, open_))
    if data.get("empty"):
        note = (
            _(
                "Trends need more than a year of sales: the same weeks a year before are "
                "the baseline."
            )
            if data.get("short")
            else _("No sales recorded yet.")
        )
        return Trends(cluster, min_firms(), not open_, None, None, [], [], [], note)
    rows = data["rows"]
    findings = sorted(
        (r for r in rows if r["direction"] in ORDER),
        key=lambda r: (ORDER[r["direction"]], -abs(math.log(r["lift"])) if r.get("lift") else 0),
    )
    return Trends(
        cluster=cluster,
        min_firms=min_firms(),
        withheld_rule=not open_,
        recent=data["recent"],
        baseline=data["baseline"],
        findings=findings,
        withheld=[r for r in rows if r["suppressed"]],
        values=rows,
    )


# --- forecasts -------------------------------------------------------------------------------


@dataclass
class Forecasts:
    cluster: Cluster
    min_firms: int
    series: list[dict[str, Any]]  # category, channel, model, mase, mase_naive, history, forecast
    withheld: list[dict[str, Any]]  # category, channel, firms
    mase: float | None
    mase_naive: float | None
    note: str = ""

    def get(self, key: str) -> dict[str, Any] | None:
        return next((s for s in self.series if s["key"] == key), None)


def _weekly_panel(frame: pl.DataFrame) -> pl.DataFrame:
    """Weekly sums per category × channel over complete weeks (a week still running would look
    like a fall)."""
    weekly = frame.with_columns(_week().alias("ds"))
    last: datetime.date | None = frame["date"].max()  # type: ignore[assignment]
    last_monday: datetime.date | None = weekly["ds"].max()  # type: ignore[assignment]
    if last is not None and last_monday is not None and (last - last_monday).days < 6:
        weekly = weekly.filter(pl.col("ds") < last_monday)
    return weekly


def _forecast(cluster: Cluster, open_: bool) -> dict[str, Any]:
    from clusterbrain.engines.forecast.forecasting import ForecastConfig, forecast

    k = min_firms()
    frame = sales_frame(cluster=cluster)
    if frame.height == 0:
        return {"series": [], "withheld": [], "mase": None, "mase_naive": None}
    weekly = _weekly_panel(frame).with_columns(
        (pl.col("category") + "|" + pl.col("channel")).alias("unique_id")
    )
    keys = ["unique_id", "category", "channel"]
    checked = _withhold(weekly, keys, k, open_)
    # a channel's series add up to its weekly figures on the market page, a category's to its
    # total there: the withheld series of each must not be those figures less the rest
    while True:
        before = int(checked["withheld"].sum())
        checked = _secondary(checked, weekly, keys, lambda row: row["channel"], k)
        checked = _secondary(checked, weekly, keys, lambda row: row["category"], k)
        if int(checked["withheld"].sum()) == before:
            break
    shown = checked.filter(~pl.col("withheld"))
    withheld = checked.filter(pl.col("withheld")).select("category", "channel", "firms")
    panel = (
        weekly.filter(pl.col("unique_id").is_in(shown["unique_id"].implode()))
        .group_by("unique_id", "ds")
        .agg(pl.col("quantity").sum().alias("y"))
        .sort("unique_id", "ds")
    )
    out: dict[str, Any] = {
        "withheld": withheld.sort("category", "channel").to_dicts(),
        "series": [],
        "mase": None,
        "mase_naive": None,
    }
    if panel.is_empty():
        return out
    result = forecast(panel, None, ForecastConfig(n_jobs=1))
    history_from = panel["ds"].max() - datetime.timedelta(weeks=104)  # type: ignore[operator]
    models = {r["unique_id"]: r for r in result.models.to_dicts()}
    for uid in panel["unique_id"].unique().sort().to_list():
        category, channel = uid.split("|", 1)
        hist = panel.filter((pl.col("unique_id") == uid) & (pl.col("ds") > history_from))
        fc = result.forecasts.filter(pl.col("unique_id") == uid).sort("ds")
        m = models.get(uid, {})
        out["series"].append(
            {
                "key": uid,
                "category": category,
                "channel": channel,
                "model": m.get("model"),
                "reason": m.get("reason"),
                "mase": m.get("mase"),
                "mase_naive": m.get("mase_naive"),
                "history": {"ds": hist["ds"].to_list(), "y": hist["y"].to_list()},
                "forecast": {
                    c: fc[c].to_list() for c in fc.columns if c not in ("unique_id", "model")
                },
                "volume": float(hist["y"].sum()),
            }
        )
    out["series"].sort(key=lambda s: -s["volume"])
    finite = [x for x in (result.mase, result.mase_naive) if x is not None and math.isfinite(x)]
    if len(finite) == 2:
        out["mase"], out["mase_naive"] = result.mase, result.mase_naive
    return out


def forecasts(cluster: Cluster, user: Any) -> Forecasts:
    open_ = permissions.can_view_firm_figures(user, cluster)
    data = _cached(
        cluster, f"forecasts:{int(open_)}:{min_firms()}", lambda: _forecast(cluster, open_)
    )
    note = "" if data["series"] or data["withheld"] else _("No sales recorded yet.")
    return Forecasts(
        cluster=cluster,
        min_firms=min_firms(),
        series=data["series"],
        withheld=data["withheld"],
        mase=data["mase"],
        mase_naive=data["mase_naive"],
        note=note,
    )


def products_of(enterprise: Enterprise, user: Any) -> QuerySet[Product]:
    _visible_firm(enterprise, user)
    return Product.objects.filter(enterprise=enterprise).order_by("name", "pk")


def imports_of(enterprise: Enterprise, user: Any) -> QuerySet[SalesImport]:
    _visible_firm(enterprise, user)
    return (
        SalesImport.objects.filter(enterprise=enterprise)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )
