"""Plotly specs of the matching figures on the cluster overview (the page draws them with our
own plotly, like every chart of web.charts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from clusterbrain.matching.selectors import LinkUtilisation
from clusterbrain.web.charts import _layout

Spec = dict[str, Any]


def capacity_utilisation(rows: Sequence[LinkUtilisation]) -> Spec:
    """Share of each link's calendar capacity that assignments hold; withheld links are left
    out (the table beside the chart says so)."""
    shown = [row for row in rows if row.rate is not None]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [row.link.name for row in shown],
                "x": [row.rate for row in shown],
                "marker": {"color": "#0f766e"},
                "hovertemplate": "%{y}: %{x:.1%}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(180, 30 * len(shown) + 70),
            margin={"l": 8, "r": 24, "t": 8, "b": 40},
            yaxis={"autorange": "reversed", "automargin": True, "gridcolor": "rgba(0,0,0,0)"},
            xaxis={
                "tickformat": ".0%",
                "rangemode": "tozero",
                "title": {"text": _("capacity held by orders")},
            },
        ),
    }
