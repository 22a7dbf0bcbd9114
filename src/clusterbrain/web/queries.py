"""Reads the pages need that the registry selectors do not offer (yet).

TODO(selectors): each function here belongs in `registry.selectors`; move it there when the
CONTRACT grows, and call the selector from the views instead.
"""

from __future__ import annotations

from django.db.models import Sum

from clusterbrain.chains.models import ChainLink
from clusterbrain.registry.models import Cluster, ClusterFigure, EnterpriseYear


def chain_links(cluster: Cluster) -> list[ChainLink]:
    """The links of the cluster's chain template, for filter choices (no analytics)."""
    return list(ChainLink.objects.filter(template_id=cluster.chain_template_id))


def reported_figures(cluster: Cluster) -> list[ClusterFigure]:
    """Figures reported for the cluster as a whole, with their source (public)."""
    return list(ClusterFigure.objects.filter(cluster=cluster).order_by("indicator", "-year"))


def output_value_by_year(cluster: Cluster) -> list[tuple[int, float]]:
    """The in-cluster firms' output value summed per year: an aggregate, public as such."""
    rows = (
        EnterpriseYear.objects.filter(
            enterprise__cluster=cluster,
            enterprise__in_cluster=True,
            output_value__isnull=False,
        )
        .values("year")
        .annotate(total=Sum("output_value"))
        .order_by("year")
    )
    return [(row["year"], float(row["total"])) for row in rows]
