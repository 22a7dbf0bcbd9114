"""Plotly specs of the market pages (drawn by web/app.js with our own plotly). Withheld cells
are left out of a chart; the note beside it says so."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from clusterbrain.market.selectors import channel_label
from clusterbrain.web.charts import _layout, unit_note

Spec = dict[str, Any]
CHANNEL_COLOURS = {
    "market_stall": "#b45309",
    "ecommerce": "#1d4ed8",
    "livestream": "#db2777",
    "exhibition": "#15803d",
    "wholesale": "#7c3aed",
    "other": "#6b7280",
}
UP, DOWN, NEW = "#15803d", "#b91c1c", "#7c3aed"


def _iso(d: Any) -> str:
    return d.isoformat() if isinstance(d, datetime.date) else str(d)


def weekly_by_channel(rows: Sequence[dict[str, Any]], measure: str = "value") -> Spec:
    """Stacked weekly bars, one colour a channel."""
    channels = sorted({r["channel"] for r in rows})
    data = []
    for ch in channels:
        shown = [r for r in rows if r["channel"] == ch and r.get(measure) is not None]
        data.append(
            {
                "type": "bar",
                "name": channel_label(ch),
                "x": [_iso(r["week"]) for r in shown],
                "y": [r[measure] for r in shown],
                "marker": {"color": CHANNEL_COLOURS.get(ch, "#6b7280")},
                "hovertemplate": "%{x}: %{y:,.0f}<extra>" + channel_label(ch) + "</extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=300,
            barmode="stack",
            showlegend=True,
            legend={"orientation": "h", "y": -0.2},
            margin={"t": 28},
            yaxis={"rangemode": "tozero"},
            annotations=[unit_note(_("yuan") if measure == "value" else _("pieces"))],
        ),
    }


def by_key(rows: Sequence[dict[str, Any]], key: str, colour: str = "#1d4ed8") -> Spec:
    shown = [r for r in rows if r.get("value") is not None]
    labels = [channel_label(r[key]) if key == "channel" else r[key] for r in shown]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": [r["value"] for r in shown],
                "marker": {
                    "color": [CHANNEL_COLOURS.get(r[key], colour) for r in shown]
                    if key == "channel"
                    else colour
                },
                "hovertemplate": "%{y}: %{x:,.0f}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(180, 36 * len(shown) + 60),
            yaxis={"autorange": "reversed", "type": "category"},
            xaxis={"rangemode": "tozero"},
            annotations=[unit_note(_("yuan"))],
        ),
    }


def trend_lifts(findings: Sequence[dict[str, Any]]) -> Spec:
    """Market-adjusted change of the values found rising or falling (new ones have no
    baseline to compare with: they are listed apart)."""
    shown = [f for f in findings if f["direction"] in ("rising", "falling") and f.get("lift")]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [f"{f['value']} ({f['column']})" for f in shown],
                "x": [f["lift"] - 1 for f in shown],
                "marker": {"color": [UP if f["direction"] == "rising" else DOWN for f in shown]},
                "hovertemplate": "%{y}: %{x:+.0%}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(180, 40 * len(shown) + 60),
            yaxis={"autorange": "reversed", "type": "category"},
            xaxis={"tickformat": "+.0%", "zeroline": True},
        ),
    }


def forecast_chart(series: dict[str, Any]) -> Spec:
    """History, the forecast and its 80 % and 95 % intervals as shaded bands."""
    hist, fc = series["history"], series["forecast"]
    ds = [_iso(d) for d in fc["ds"]]

    def band(lo: str, hi: str, colour: str, name: str) -> list[dict[str, Any]]:
        return [
            {
                "type": "scatter",
                "x": ds,
                "y": fc[hi],
                "mode": "lines",
                "line": {"width": 0},
                "showlegend": False,
                "hoverinfo": "skip",
            },
            {
                "type": "scatter",
                "x": ds,
                "y": fc[lo],
                "mode": "lines",
                "fill": "tonexty",
                "fillcolor": colour,
                "line": {"width": 0},
                "name": name,
                "hoverinfo": "skip",
            },
        ]

    return {
        "data": [
            *band(
                "lo_95", "hi_95", "rgba(29,78,216,0.12)", _("%(level)d %% interval") % {"level": 95}
            ),
            *band(
                "lo_80", "hi_80", "rgba(29,78,216,0.25)", _("%(level)d %% interval") % {"level": 80}
            ),
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("sales"),
                "x": [_iso(d) for d in hist["ds"]],
                "y": hist["y"],
                "line": {"color": "#374151", "width": 2},
                "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("forecast"),
                "x": ds,
                "y": fc["mean"],
                "line": {"color": "#1d4ed8", "width": 3, "dash": "dot"},
                "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
            },
        ],
        "layout": _layout(
            height=320,
            showlegend=True,
            legend={"orientation": "h", "y": -0.2},
            margin={"t": 28},
            yaxis={"rangemode": "tozero"},
            annotations=[unit_note(_("pieces a week"))],
        ),
    }
