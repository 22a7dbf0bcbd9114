"""Per-link in-cluster supply from individual firm roles, in plain Python or vectorised (polars).

Both paths must agree exactly in meaning (tests check it), so the rules live in one docstring:

* only in-cluster roles count toward firms, capacity, output and capacity²;
* a firm with several roles in one link (one per product category) is one firm whose capacity is
  the sum of its roles: otherwise HHI would see a firm split in two as two competitors;
* `firms_outside` counts distinct firms with an out-of-cluster role in the link. A firm active in
  the link both inside and outside the cluster (HQ here, production base elsewhere) is counted in
  both, which is what `COUNT(DISTINCT …) FILTER (WHERE NOT in_cluster)` gives on the SQL path;
* a link with only out-of-cluster roles still appears, with zero in-cluster supply;
* negative or non-finite capacity/output is refused: one bad row would silently poison a sum.

Keys come back sorted by link code, so both paths return identical dicts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from clusterbrain.engines.chain.errors import ChainModelError
from clusterbrain.engines.chain.model import LinkSupply, Role

if TYPE_CHECKING:
    import polars as pl

FRAME_COLUMNS = ("enterprise_id", "link", "capacity", "output", "in_cluster")


def _bad_amount(value: float) -> bool:
    return not math.isfinite(value) or value < 0


def aggregate_roles(roles: Iterable[Role]) -> dict[str, LinkSupply]:
    """Aggregate roles into per-link supply for `analyse_chain` when no SQL aggregate is at hand."""
    per_firm: dict[str, dict[int, list[float]]] = {}
    outside: dict[str, set[int]] = {}
    for role in roles:
        for name, amount in (("capacity", role.capacity), ("output", role.output)):
            if _bad_amount(amount):
                raise ChainModelError(
                    f"link {role.link!r}: enterprise {role.enterprise_id} has {name} {amount!r}; "
                    f"{name} must be a finite number ≥ 0"
                )
        if role.in_cluster:
            firms = per_firm.setdefault(role.link, {})
            totals = firms.get(role.enterprise_id)
            if totals is None:
                firms[role.enterprise_id] = [role.capacity, role.output]
            else:
                totals[0] += role.capacity
                totals[1] += role.output
        else:
            per_firm.setdefault(role.link, {})
            outside.setdefault(role.link, set()).add(role.enterprise_id)

    result: dict[str, LinkSupply] = {}
    for link in sorted(per_firm):
        firms = per_firm[link]
        result[link] = LinkSupply(
            link=link,
            firms=len(firms),
            capacity=float(sum(c for c, _ in firms.values())),
            output=float(sum(o for _, o in firms.values())),
            capacity_sq=float(sum(c * c for c, _ in firms.values())),
            firms_outside=len(outside.get(link, ())),
        )
    return result


def aggregate_roles_frame(df: pl.DataFrame) -> dict[str, LinkSupply]:
    """`aggregate_roles` for hundreds of thousands of roles (bulk imports, benchmarks, Spark
    exports), where building a Role per row would cost more than the aggregation itself."""
    import polars as pl

    missing = [name for name in FRAME_COLUMNS if name not in df.columns]
    if missing:
        raise ChainModelError(f"role frame lacks column(s): {', '.join(missing)}")
    if df.height == 0:
        return {}

    frame = df.select(
        pl.col("enterprise_id"),
        pl.col("link").cast(pl.String),
        pl.col("capacity").cast(pl.Float64),
        pl.col("output").cast(pl.Float64),
        pl.col("in_cluster").cast(pl.Boolean),
    )
    bad = frame.filter(
        pl.any_horizontal(pl.all().is_null())
        | ~pl.col("capacity").is_finite()
        | ~pl.col("output").is_finite()
        | (pl.col("capacity") < 0)
        | (pl.col("output") < 0)
    )
    if bad.height:
        row = bad.row(0, named=True)
        raise ChainModelError(
            f"link {row['link']!r}: enterprise {row['enterprise_id']} has capacity "
            f"{row['capacity']!r}, output {row['output']!r}, in_cluster {row['in_cluster']!r}; "
            "capacity and output must be finite numbers ≥ 0 and no field may be empty "
            f"({bad.height} such row(s))"
        )

    inside = (
        frame.filter(pl.col("in_cluster"))
        .group_by("link", "enterprise_id")
        .agg(pl.col("capacity").sum(), pl.col("output").sum())
        .group_by("link")
        .agg(
            pl.len().alias("firms"),
            pl.col("capacity").sum(),
            pl.col("output").sum(),
            (pl.col("capacity") * pl.col("capacity")).sum().alias("capacity_sq"),
        )
    )
    outside = (
        frame.filter(~pl.col("in_cluster"))
        .group_by("link")
        .agg(pl.col("enterprise_id").n_unique().alias("firms_outside"))
    )
    links = frame.select(pl.col("link").unique())
    table = (
        links.join(inside, on="link", how="left")
        .join(outside, on="link", how="left")
        .fill_null(0)
        .sort("link")
    )
    return {
        row["link"]: LinkSupply(
            link=row["link"],
            firms=int(row["firms"]),
            capacity=float(row["capacity"]),
            output=float(row["output"]),
            capacity_sq=float(row["capacity_sq"]),
            firms_outside=int(row["firms_outside"]),
        )
        for row in table.iter_rows(named=True)
    }


def firm_ids_by_capacity(roles: Iterable[Role]) -> dict[str, tuple[int, ...]]:
    """In-cluster firm ids per link, largest capacity first (ties by id), ready to pass as
    `analyse_chain(firm_ids=…)` so each link's explanation names its biggest firms."""
    per_firm: dict[str, dict[int, float]] = {}
    for role in roles:
        if role.in_cluster:
            firms = per_firm.setdefault(role.link, {})
            firms[role.enterprise_id] = firms.get(role.enterprise_id, 0.0) + role.capacity
    return {
        link: tuple(sorted(firms, key=lambda firm: (-firms[firm], firm)))
        for link, firms in per_firm.items()
    }
