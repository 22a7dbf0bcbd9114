"""Demo sales of the four seed clusters (demo.loader.load_cluster calls `load_market_demo` in
the same transaction as the registry): three years of weekly-seasonal sales over the channels,
from the forecast engine's generator (`engines.forecast.synthetic.sales_rows`) with its planted
trends (`default_plants`: a material rising, led by livestream; a style falling; a new colour)
and a rare material only one firm sells (so the pages show a withheld value). The generator's
firms become the cluster's in-cluster firms, largest first; the data end on the last Sunday.

About 30,000 rows a cluster: at that size the planted rising material, falling style and new
colour are found in each cluster (checked in tests/market); fewer rows and the falling style
sinks into the noise for some seeds. Bulk writes; deterministic for a seed.
"""

from __future__ import annotations

import datetime

from clusterbrain.engines.forecast.synthetic import default_plants, sales_rows
from clusterbrain.market.models import BASE_CURRENCY, SalesRecord
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
    records = [
        SalesRecord(
            enterprise_id=firm_ids[r[1]],
            date=r[0],
            channel=r[2],
            category=r[3],
            material=r[4],
            colour=r[5],
            style=r[6],
            price_band=r[7],
            quantity=float(r[8]),
            value=float(r[9]),
            currency=BASE_CURRENCY,
            value_original=float(r[9]),
        )
        for r in frame.select(
            "date",
            "firm",
            "channel",
            "category",
            "material",
            "colour",
            "style",
            "price_band",
            "quantity",
            "value",
        ).iter_rows()
    ]
    SalesRecord.objects.bulk_create(records, batch_size=5000)
    touch_cluster(cluster)
    return len(records)
