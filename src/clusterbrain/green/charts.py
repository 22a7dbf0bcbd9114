"""Plotly specs of the green figures (the pages draw them with our own plotly, like every chart
of web.charts). Withheld years are left out; the note beside the chart says so."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from clusterbrain.green.selectors import YearGreen
from clusterbrain.web.charts import _layout, unit_note

Spec = dict[str, Any]
GREEN = "#15803d"
BLUE = "#1d4ed8"
AMBER = "#b45309"


def chrome_free_share(years: Sequence[YearGreen]) -> Spec:
    shown = [y for y in years if y.chrome_free_share is not None]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": [str(y.year) for y in shown],
                "y": [y.chrome_free_share for y in shown],
                "line": {"color": GREEN, "width": 3},
                "hovertemplate": "%{x}: %{y:.1%}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=260,
            yaxis={"tickformat": ".0%", "range": [0, 1]},
            xaxis={"type": "category"},
        ),
    }


def intensity_per_m2(years: Sequence[YearGreen]) -> Spec:
    """Water (m³/m²) and energy (kgce/m²) per m² of leather tanned, on two axes."""
    shown = [y for y in years if not y.suppressed]
    return {
        "data": [
            {
                "type": "bar",
                "name": _("water (m³/m²)"),
                "x": [str(y.year) for y in shown],
                "y": [y.water_per_m2 for y in shown],
                "marker": {"color": BLUE},
                "hovertemplate": "%{x}: %{y:.3f} m³/m²<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("energy (kgce/m²)"),
                "x": [str(y.year) for y in shown],
                "y": [y.energy_per_m2 for y in shown],
                "yaxis": "y2",
                "line": {"color": AMBER, "width": 3},
                "hovertemplate": "%{x}: %{y:.2f} kgce/m²<extra></extra>",
            },
        ],
        "layout": _layout(
            height=260,
            showlegend=True,
            legend={"orientation": "h", "y": -0.25},
            margin={"t": 28},
            xaxis={"type": "category"},
            yaxis={"rangemode": "tozero"},
            yaxis2={"overlaying": "y", "side": "right", "rangemode": "tozero", "showgrid": False},
            annotations=[unit_note("m³/m²"), unit_note("kgce/m²", x=1, anchor="right")],
        ),
    }


def grade_distribution(distribution: dict[int, int] | None) -> Spec:
    counts = distribution or {}
    colours = ["#15803d", "#65a30d", "#ca8a04", "#ea580c", "#b91c1c"]
    return {
        "data": [
            {
                "type": "bar",
                "x": [_("grade %(n)d") % {"n": g} for g in range(1, 6)],
                "y": [counts.get(g, 0) for g in range(1, 6)],
                "marker": {"color": colours},
                "hovertemplate": "%{x}: %{y}<extra></extra>",
            }
        ],
        "layout": _layout(height=240, yaxis={"rangemode": "tozero", "dtick": 1}),
    }
