"""Demo sales of the four seed clusters (demo.loader.load_cluster calls `load_market_demo` in
the same transaction as the registry): three years of weekly-seasonal sales over the channels,
from the forecast engine's generator (`engines.forecast.synthetic.sales_rows`) with its planted
trends (`default_plants`: a material rising, led by livestream; a style falling; a new colour)
and a rare material only one firm sells (so the pages show a withheld value). The generator's
firms become the cluster's in-cluster firms, largest first; the data end on the last Sunday.

About 30,000 rows a cluster: at that size the planted rising material, falling style and new
colour are found in each cluster (checked in tests/market); fewer rows and the falling style
sinks into the noise for some seeds. Written with one executemany of plain tuples in batches
(the ORM's objects cost more than the database); deterministic for a seed.
"""

from __future__ import annotations

import datetime

import polars as pl
from django.db import connection

from clusterbrain.engines.forecast.synthetic import default_plants, sales_rows
from clusterbrain.market.models import BASE_CURRENCY, SalesRecord
from clusterbrain.market.reports import load_report_demo
from clusterbrain.market.services import touch_cluster
from clusterbrain.registry.models import Cluster, Enterprise

# chain template → the generator's vocabulary of that trade
VOCABULARY = {
    "leather_goods": "shiling",
    "leather_garments": "xinji",
    "footwear": "wenzhou",
    "cocoon_silk": "hechi",
}
ROWS = 30_000
FIRMS = 40
BATCH = 10_000
ATTRIBUTE_COLUMNS = ("material", "colour", "style", "price_band")


def last_sunday(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=(today.weekday() + 1) % 7)


def load_market_demo(
    cluster: Cluster, *, today: datetime.date | None = None, seed: int = 6, rows: int = ROWS
) -> int:
    """Write the cluster's demo sales; returns the number of rows."""
    vocabulary = VOCABULARY.get(cluster.chain_template.slug)
    if vocabulary is None:
        return 0
    firms = list(
        Enterprise.objects.filter(cluster=cluster, in_cluster=True)
        .order_by("-is_leading", "-above_designated_size", "pk")
        .values_list("pk", flat=True)[:FIRMS]
    )
    if len(firms) < 3:
        return 0
    end = last_sunday(today or datetime.date.today())
    frame, _truth = sales_rows(
        vocabulary,
        rows=rows,
        firms=len(firms),
        end=end,
        seed=seed,
        plants=default_plants(vocabulary),
    )
    firm_ids = {f"F{i:04d}": pk for i, pk in enumerate(firms)}
    # rows as the table holds them, in the order of its columns; a model instance each through
    # bulk_create took 1.4-3 s a cluster, one executemany of tuples a fraction of it
    given = {
        "enterprise_id": frame["firm"].replace_strict(firm_ids, return_dtype=pl.Int64),
        **{c: frame[c] for c in ("date", "channel", "category", *ATTRIBUTE_COLUMNS)},
        "quantity": frame["quantity"].cast(pl.Float64),
        "value": frame["value"].cast(pl.Float64),
        "currency": pl.repeat(BASE_CURRENCY, frame.height, eager=True),
        "value_original": frame["value"].cast(pl.Float64),
    }
    fields = [f for f in SalesRecord._meta.concrete_fields if not f.primary_key]
    columns: dict[str, pl.Series] = {}
    for f in fields:
        if f.attname in given:
            columns[str(f.column)] = given[f.attname]
        else:  # product, source: none; session_ref: empty
            columns[str(f.column)] = pl.repeat(f.get_default(), frame.height, eager=True)
    records = pl.DataFrame(columns).rows()
    table = connection.ops.quote_name(SalesRecord._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(records), BATCH):
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})", records[start : start + BATCH]
            )
    touch_cluster(cluster)
    load_report_demo(cluster)
    return len(records)
