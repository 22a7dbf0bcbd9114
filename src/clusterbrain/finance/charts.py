"""Plotly specs of a credit profile (drawn by web/app.js with our own plotly, as market's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from clusterbrain.finance.selectors import OrdersYear, RevenueYear
from clusterbrain.web.charts import _layout, unit_note

Spec = dict[str, Any]
REVENUE, OUTPUT, ON_TIME, LATE = "#1d4e89", "#0f766e", "#15803d", "#b91c1c"


def revenue(rows: Sequence[RevenueYear]) -> Spec:
    """Revenue and output value by year; plotly takes floats, the page's table keeps the yuan."""
    shown = [r for r in rows if r.revenue is not None]
    years = [str(r.year) for r in shown]
    return {
        "data": [
            {
                "type": "bar",
                "name": _("revenue"),
                "x": years,
                "y": [float(r.revenue or 0) / 10_000 for r in shown],
                "marker": {"color": REVENUE},
                "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("output value"),
                "x": years,
                "y": [
                    float(r.output_value) / 10_000 if r.output_value is not None else None
                    for r in shown
                ],
                "marker": {"color": OUTPUT},
                "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
            },
        ],
        "layout": _layout(
            height=300,
            showlegend=True,
            legend={"orientation": "h", "y": 1.14, "x": 0.3},
            margin={"t": 40},
            yaxis={"rangemode": "tozero"},
            xaxis={"type": "category"},
            annotations=[unit_note(_("10,000 yuan"))],
        ),
    }


def deliveries(rows: Sequence[OrdersYear]) -> Spec:
    """Deliveries by year, on time beside late, so a slipping supplier shows at a glance."""
    years = [str(r.year) for r in rows]
    return {
        "data": [
            {
                "type": "bar",
                "name": _("on time"),
                "x": years,
                "y": [r.on_time for r in rows],
                "marker": {"color": ON_TIME},
            },
            {
                "type": "bar",
                "name": _("not on time"),
                "x": years,
                "y": [r.delivered - r.on_time for r in rows],
                "marker": {"color": LATE},
            },
        ],
        "layout": _layout(
            height=280,
            barmode="stack",
            showlegend=True,
            legend={"orientation": "h", "y": 1.16, "x": 0.3},
            margin={"t": 40},
            xaxis={"type": "category"},
            annotations=[unit_note(_("deliveries"))],
        ),
    }
