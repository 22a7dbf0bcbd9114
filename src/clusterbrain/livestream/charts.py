"""Plotly specs of the livestream pages (drawn by web/app.js with our own plotly, as market's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.web.charts import _layout, unit_note

Spec = dict[str, Any]
GOOD, BAD, FEES, RETURNS = "#15803d", "#b91c1c", "#6b7280", "#f59e0b"


def firm_sessions(rows: Sequence[dict[str, Any]]) -> Spec:
    """Per session: the firm's net GMV (after returns) beside its fee share, so a session that
    did not earn its fees stands out without reading a number."""
    x = [timezone.localtime(r["start"]).strftime("%Y-%m-%d") + " · " + r["streamer"] for r in rows]
    net = [r["gmv"] - r["returns"] for r in rows]
    return {
        "data": [
            {
                "type": "bar",
                "name": _("GMV less returns"),
                "x": x,
                "y": net,
                "marker": {
                    "color": [
                        GOOD if n > r["fees"] else BAD for n, r in zip(net, rows, strict=True)
                    ]
                },
                "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
            },
            {
                "type": "bar",
                "name": _("fees (your share)"),
                "x": x,
                "y": [r["fees"] for r in rows],
                "marker": {"color": FEES},
                "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
            },
        ],
        "layout": _layout(
            height=320,
            barmode="group",
            showlegend=True,
            legend={"orientation": "h", "y": 1.12, "x": 0.3},
            margin={"t": 40, "b": 110},
            yaxis={"rangemode": "tozero"},
            xaxis={"type": "category", "tickangle": -30},
            annotations=[unit_note(_("yuan"))],
        ),
    }


def by_streamer(rows: Sequence[dict[str, Any]]) -> Spec:
    shown = [r for r in rows if r["roi"] is not None]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [r["streamer"].name for r in shown],
                "x": [r["roi"] for r in shown],
                "marker": {"color": [GOOD if r["roi"] > 0 else BAD for r in shown]},
                "hovertemplate": "%{y}: %{x:.2f}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(160, 40 * len(shown) + 60),
            yaxis={"autorange": "reversed", "type": "category"},
            annotations=[unit_note(_("ROI (yuan earned per yuan of fees)"))],
        ),
    }


def items(rows: Sequence[Any]) -> Spec:
    """A session's items by firm and category: GMV with returns beside it."""
    labels = [f"{i.enterprise.name} · {i.category}" for i in rows]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": _("GMV"),
                "y": labels,
                "x": [i.gmv for i in rows],
                "marker": {"color": GOOD},
            },
            {
                "type": "bar",
                "orientation": "h",
                "name": _("returns"),
                "y": labels,
                "x": [i.returns_value for i in rows],
                "marker": {"color": RETURNS},
            },
        ],
        "layout": _layout(
            height=max(180, 44 * len(rows) + 80),
            barmode="group",
            showlegend=True,
            legend={"orientation": "h", "y": -0.2},
            yaxis={"autorange": "reversed", "type": "category"},
            annotations=[unit_note(_("yuan"))],
        ),
    }


def match_scores(rows: Sequence[Any]) -> Spec:
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [f"{r.rank}. {r.streamer.name}" for r in rows],
                "x": [round(r.score * 100, 1) for r in rows],
                "marker": {"color": ["#db2777" if r.rank == 1 else "#1d4ed8" for r in rows]},
                "hovertemplate": "%{y}: %{x}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(160, 40 * len(rows) + 60),
            yaxis={"autorange": "reversed", "type": "category"},
            xaxis={"range": [0, 100]},
            annotations=[unit_note(_("match score (0–100)"))],
        ),
    }
