"""Plotly chart specifications (plain `{"data": …, "layout": …}` dicts) built from selector
results. The page embeds them with `json_script`; static/web/app.js draws them with the
plotly.js we ship, so no chart needs the network."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from clusterbrain.bilingual import prefers_chinese
from clusterbrain.chains.models import ChainLink
from clusterbrain.registry.models import Certification, Enterprise, Facility

FONT = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
STATUS_COLOURS = {"gap": "#c2410c", "concentrated": "#b7791f", "ok": "#2f855a"}
PALETTE = [
    "#1d4e89",
    "#0f766e",
    "#c2410c",
    "#7c3aed",
    "#b7791f",
    "#be185d",
    "#2f855a",
    "#0369a1",
    "#9a3412",
    "#4d7c0f",
    "#6d28d9",
    "#0e7490",
    "#a16207",
    "#9f1239",
    "#334155",
]
Spec = dict[str, Any]


def _layout(**overrides: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "font": {"family": FONT, "size": 13, "color": "#1f2937"},
        "margin": {"l": 56, "r": 16, "t": 12, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "showlegend": False,
        "hoverlabel": {"font": {"family": FONT}},
        "xaxis": {"gridcolor": "#e5e7eb", "zerolinecolor": "#cbd5e1", "automargin": True},
        "yaxis": {"gridcolor": "#e5e7eb", "zerolinecolor": "#cbd5e1", "automargin": True},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def unit_note(text: str, x: float = 0, anchor: str = "left") -> dict[str, Any]:
    """An axis unit written horizontally above the plot (CJK reads badly rotated)."""
    return {
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "x": x,
        "y": 1.0,
        "yshift": 14,
        "xanchor": anchor,
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 12, "color": "#6b7280"},
    }


def money_scale(largest: float) -> tuple[float, str]:
    """The divisor and axis unit for amounts of money in the active language."""
    if prefers_chinese():
        if largest >= 1e8:
            return 1e8, _("100 million yuan")
        return 1e4, _("10 thousand yuan")
    if largest >= 1e9:
        return 1e9, _("billion yuan")
    return 1e6, _("million yuan")


def withheld_marks(years: Iterable[int], note: str) -> list[dict[str, Any]]:
    """Annotations standing in for the bars or points of years whose aggregate is withheld:
    "suppressed" written up from the axis, the reason on hover (never a 0 that reads as a
    figure)."""
    from clusterbrain.web.templatetags.cb import suppressed_text

    label = suppressed_text()
    return [
        {
            "x": year,
            "y": 0,
            "xref": "x",
            "yref": "y",
            "text": label,
            "hovertext": note,
            "showarrow": False,
            "textangle": -90,
            "yanchor": "bottom",
            "font": {"size": 11, "color": "#6b7280"},
        }
        for year in years
    ]


def link_status(report: Any) -> str:
    if report is None:
        return "ok"
    if report.is_gap:
        return "gap"
    if report.is_concentrated:
        return "concentrated"
    return "ok"


def firms_by_link(links: Sequence[ChainLink], reports: dict[str, Any]) -> Spec:
    names = [link.name for link in links]
    firms = [reports[link.code].firms if link.code in reports else 0 for link in links]
    colours = [STATUS_COLOURS[link_status(reports.get(link.code))] for link in links]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": names,
                "x": firms,
                "marker": {"color": colours},
                "hovertemplate": "%{y}: %{x}<extra></extra>",
                "text": firms,
                "textposition": "outside",
                "cliponaxis": False,
            }
        ],
        "layout": _layout(
            height=max(220, 26 * len(links) + 60),
            margin={"l": 8, "r": 32, "t": 8, "b": 36},
            yaxis={"autorange": "reversed", "automargin": True, "gridcolor": "rgba(0,0,0,0)"},
            xaxis={"title": {"text": _("firms in the cluster")}, "rangemode": "tozero"},
            bargap=0.25,
        ),
    }


def size_split(by_size_class: dict[str, int]) -> Spec:
    labels, values = [], []
    for value, label in Enterprise.SizeClass.choices:
        labels.append(str(label))
        values.append(by_size_class.get(value, 0))
    return {
        "data": [
            {
                "type": "pie",
                "hole": 0.55,
                "labels": labels,
                "values": values,
                "sort": False,
                "marker": {"colors": ["#1d4e89", "#0f766e", "#60a5fa", "#a7f3d0"]},
                "textinfo": "percent",
                "textposition": "inside",
                "hovertemplate": "%{label}: %{value} (%{percent})<extra></extra>",
            }
        ],
        "layout": _layout(
            height=260,
            margin={"l": 8, "r": 8, "t": 8, "b": 8},
            showlegend=True,
            legend={"orientation": "v", "x": 1, "y": 0.5},
            uniformtext={"minsize": 11, "mode": "hide"},
        ),
    }


def certifications(counts: dict[str, int]) -> Spec:
    labels_by_kind = dict(Certification.Kind.choices)
    items = sorted(
        ((str(labels_by_kind.get(kind, kind)), n) for kind, n in counts.items() if n),
        key=lambda item: -item[1],
    )
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [label for label, _n in items],
                "x": [n for _label, n in items],
                "marker": {"color": "#0f766e"},
                "text": [n for _label, n in items],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": "%{y}: %{x}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(200, 28 * len(items) + 60),
            margin={"l": 8, "r": 32, "t": 8, "b": 36},
            yaxis={"autorange": "reversed", "automargin": True, "gridcolor": "rgba(0,0,0,0)"},
            xaxis={"title": {"text": _("firms with a valid certificate")}, "rangemode": "tozero"},
        ),
    }


def localisation_over_time(
    by_year: Iterable[tuple[int, float | None]],
    target: float | None = None,
    withheld: Sequence[int] = (),
    note: str = "",
) -> Spec:
    points = [(year, rate) for year, rate in by_year if rate is not None]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": _("localisation rate"),
            "x": [year for year, _rate in points],
            "y": [rate for _year, rate in points],
            "line": {"color": "#1d4e89", "width": 3},
            "marker": {"size": 8},
            "hovertemplate": "%{x}: %{y:.1%}<extra></extra>",
        }
    ]
    if target is not None and points:
        years = [year for year, _rate in points]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("target"),
                "x": [min(years), max(years)],
                "y": [target, target],
                "line": {"color": "#c2410c", "dash": "dash", "width": 2},
                "hovertemplate": _("target") + ": %{y:.0%}<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=260,
            yaxis={"tickformat": ".0%", "range": [0, 1.05]},
            xaxis={"dtick": 1, "tickformat": "d"},
            showlegend=target is not None,
            legend={"orientation": "h", "y": -0.2},
            annotations=withheld_marks(withheld, note),
        ),
    }


def output_value(
    registry_by_year: Sequence[tuple[int, float]],
    reported_by_year: Sequence[tuple[int, float]],
    target: tuple[int, float] | None = None,
    withheld: Sequence[int] = (),
    note: str = "",
) -> Spec:
    """The registered firms' output value per year (bars; years withheld for too few firms
    marked as such), the figures reported for the cluster and the target."""
    largest = max(
        [v for _y, v in registry_by_year]
        + [v for _y, v in reported_by_year]
        + [0.0]
        + ([target[1]] if target else [])
    )
    divisor, unit = money_scale(largest)
    data: list[dict[str, Any]] = []
    if registry_by_year:
        data.append(
            {
                "type": "bar",
                "name": _("registered firms (sum)"),
                "x": [year for year, _v in registry_by_year],
                "y": [round(v / divisor, 3) for _y, v in registry_by_year],
                "marker": {"color": "#0f766e"},
                "hovertemplate": "%{x}: %{y} " + unit + "<extra></extra>",
            }
        )
    if reported_by_year:
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("reported for the cluster"),
                "x": [year for year, _v in reported_by_year],
                "y": [round(v / divisor, 3) for _y, v in reported_by_year],
                "line": {"color": "#1d4e89", "width": 3},
                "marker": {"size": 9},
                "hovertemplate": "%{x}: %{y} " + unit + "<extra></extra>",
            }
        )
    if target:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("target"),
                "x": [target[0]],
                "y": [round(target[1] / divisor, 3)],
                "marker": {"color": "#c2410c", "size": 12, "symbol": "star"},
                "hovertemplate": _("target") + " %{x}: %{y} " + unit + "<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=270,
            margin={"l": 56, "r": 16, "t": 30, "b": 40},
            annotations=[unit_note(unit), *withheld_marks(withheld, note)],
            yaxis={"rangemode": "tozero"},
            xaxis={"dtick": 1, "tickformat": "d"},
            showlegend=True,
            legend={"orientation": "h", "y": -0.2},
        ),
    }


def yearly_figures(years: Sequence[Any]) -> Spec:
    """Revenue, output value and exports per year; employees on a second axis."""
    ordered = sorted(years, key=lambda row: row.year)
    amounts = [
        float(getattr(row, field) or 0)
        for row in ordered
        for field in ("revenue", "output_value", "exports")
    ]
    divisor, unit = money_scale(max(amounts + [0.0]))
    x = [row.year for row in ordered]
    data: list[dict[str, Any]] = []
    for field, label, colour in (
        ("revenue", _("revenue"), "#1d4e89"),
        ("output_value", _("output value"), "#0f766e"),
        ("exports", _("exports"), "#b7791f"),
    ):
        values = [getattr(row, field) for row in ordered]
        if any(v is not None for v in values):
            data.append(
                {
                    "type": "bar",
                    "name": label,
                    "x": x,
                    "y": [None if v is None else round(float(v) / divisor, 3) for v in values],
                    "marker": {"color": colour},
                    "hovertemplate": label + " %{x}: %{y} " + unit + "<extra></extra>",
                }
            )
    employees = [row.employees for row in ordered]
    if any(v is not None for v in employees):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("employees"),
                "x": x,
                "y": employees,
                "yaxis": "y2",
                "line": {"color": "#7c3aed", "width": 2},
                "hovertemplate": _("employees") + " %{x}: %{y}<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=300,
            barmode="group",
            annotations=[unit_note(unit), unit_note(_("employees"), 1, "right")],
            yaxis={"rangemode": "tozero"},
            yaxis2={
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
                "showgrid": False,
            },
            xaxis={"dtick": 1, "tickformat": "d"},
            showlegend=True,
            legend={"orientation": "h", "y": -0.2},
            margin={"l": 56, "r": 56, "t": 30, "b": 40},
        ),
    }


def _extent(
    points: Sequence[Any], centre: tuple[float, float] | None
) -> tuple[list[float], list[float]]:
    """Longitude and latitude ranges around the points, with a margin."""
    if not points:
        lat, lon = centre or (30.0, 115.0)
        return [lon - 0.1, lon + 0.1], [lat - 0.1, lat + 0.1]
    lons = [p.longitude for p in points]
    lats = [p.latitude for p in points]
    pad_lon = max(0.01, (max(lons) - min(lons)) * 0.08)
    pad_lat = max(0.01, (max(lats) - min(lats)) * 0.08)
    return (
        [round(min(lons) - pad_lon, 5), round(max(lons) + pad_lon, 5)],
        [round(min(lats) - pad_lat, 5), round(max(lats) + pad_lat, 5)],
    )


# Above this many points the map is drawn with WebGL (scattergl): SVG scatter slows down past a
# few thousand markers, WebGL draws tens of thousands.
WEBGL_POINTS = 2000


def firm_map(
    points: Sequence[Any], links: Sequence[ChainLink], centre: tuple[float, float] | None
) -> Spec:
    """Firms and their sites on longitude / latitude with a true local aspect ratio: one
    trace per chain link (colour), sites outside the cluster drawn as open diamonds."""
    trace_type = "scattergl" if len(points) > WEBGL_POINTS else "scatter"
    order = {link.code: i for i, link in enumerate(links)}
    names = {link.code: link.name for link in links}
    kinds = dict(Facility.Kind.choices)
    groups: dict[str, list[Any]] = {}
    for point in points:
        groups.setdefault(point.link or "", []).append(point)
    in_label, out_label = _("in the cluster"), _("outside the cluster")
    data: list[dict[str, Any]] = []
    for index, code in enumerate(sorted(groups, key=lambda c: (order.get(c, 999), c))):
        members = groups[code]
        colour = PALETTE[order.get(code, index) % len(PALETTE)]
        data.append(
            {
                "type": trace_type,
                "mode": "markers",
                "name": names.get(code) or _("no chain link"),
                "x": [p.longitude for p in members],
                "y": [p.latitude for p in members],
                "customdata": [
                    [
                        reverse("enterprise-profile", args=[p.enterprise_id]),
                        str(kinds.get(p.kind, _("enterprise"))),
                        in_label if p.in_cluster else out_label,
                    ]
                    for p in members
                ],
                "text": [p.name for p in members],
                "marker": {
                    "color": colour,
                    "size": [9 if p.in_cluster else 12 for p in members],
                    "symbol": ["circle" if p.in_cluster else "diamond-open" for p in members],
                    "line": {
                        "width": [0.5 if p.in_cluster else 2 for p in members],
                        "color": ["#ffffff" if p.in_cluster else colour for p in members],
                    },
                    "opacity": 0.85,
                },
                "hovertemplate": (
                    "<b>%{text}</b><br>"
                    + (names.get(code) or "")
                    + "<br>%{customdata[1]} · %{customdata[2]}<extra></extra>"
                ),
            }
        )
    if any(not p.in_cluster for p in points):
        data.append(
            {
                "type": trace_type,
                "mode": "markers",
                "name": _("site outside the cluster"),
                "x": [None],
                "y": [None],
                "marker": {
                    "color": "#475569",
                    "size": 12,
                    "symbol": "diamond-open",
                    "line": {"width": 2},
                },
                "hoverinfo": "skip",
            }
        )
    inside = [p for p in points if p.in_cluster] or list(points)
    lats = [p.latitude for p in inside] or ([centre[0]] if centre else [30.0])
    mean_lat = sum(lats) / len(lats)
    # One degree of longitude is cos(latitude) of a degree of latitude on the ground.
    ratio = 1 / max(0.2, math.cos(math.radians(mean_lat)))
    cluster_view = _extent(inside, centre)
    all_view = _extent(points, centre)
    layout = _layout(
        height=560,
        margin={"l": 56, "r": 16, "t": 40, "b": 48},
        showlegend=True,
        legend={"orientation": "v", "x": 1.02, "y": 1, "font": {"size": 12}},
        xaxis={"title": {"text": _("longitude (°E)")}, "range": cluster_view[0]},
        annotations=[unit_note(_("latitude (°N)"))],
        yaxis={"scaleanchor": "x", "scaleratio": round(ratio, 4), "range": cluster_view[1]},
        hovermode="closest",
        dragmode="pan",
    )
    if all_view != cluster_view:
        # Production bases elsewhere would shrink the cluster to a dot: start on the cluster,
        # one click away from every site.
        layout["updatemenus"] = [
            {
                "type": "buttons",
                "direction": "left",
                "x": 0,
                "y": 1.0,
                "xanchor": "left",
                "yanchor": "bottom",
                "pad": {"b": 8, "l": 90},
                "showactive": True,
                "active": 0,
                "font": {"size": 12},
                "buttons": [
                    {
                        "label": _("The cluster"),
                        "method": "relayout",
                        "args": [{"xaxis.range": cluster_view[0], "yaxis.range": cluster_view[1]}],
                    },
                    {
                        "label": _("All sites"),
                        "method": "relayout",
                        "args": [{"xaxis.range": all_view[0], "yaxis.range": all_view[1]}],
                    },
                ],
            }
        ]
    return {
        "data": data,
        "layout": layout,
        "clickable": True,
    }
