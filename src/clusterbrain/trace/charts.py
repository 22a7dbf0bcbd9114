"""The genealogy drawing: a plotly Sankey of a lot's trace (drawn by our own plotly, like every
chart of web.charts). Widths are shares, so a trace through units (kg of cocoons, kg of raw
silk, m² of fabric) still reads; each link's hover gives its amount and unit where the viewer
may see it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from clusterbrain.trace.selectors import LotTrace
from clusterbrain.web.charts import _layout

Spec = dict[str, Any]
MAX_NODES = 120

_COLOURS = {"start": "#0f766e", "end": "#b45309", "middle": "#64748b"}


def _label(key: str) -> str:
    tail = key.rsplit(":", 1)[-1]
    return tail if len(tail) <= 28 else "…" + tail[-27:]


def genealogy_sankey(trace: LotTrace) -> Spec | None:
    """None when the lot has no genealogy to draw."""
    if not trace.edges:
        return None
    back = trace.direction == "back"
    rows = sorted(trace.rows, key=lambda r: -r.share)[: MAX_NODES - 1]
    share = {r.key: r.share for r in rows}
    share[trace.lot.key] = 1.0
    units = {r.key: r.uom for r in rows}
    units[trace.lot.key] = trace.lot.uom
    owners = {r.key: (r.owner.name if r.owner is not None else "") for r in rows}
    owners[trace.lot.key] = trace.lot.owner.name if trace.lot.owner is not None else ""
    ends = {r.key for r in rows if r.is_end}
    keys = [trace.lot.key] + [r.key for r in rows]
    index = {k: i for i, k in enumerate(keys)}
    source: list[int] = []
    target: list[int] = []
    value: list[float] = []
    text: list[str] = []
    for e in trace.edges:
        if e.parent not in index or e.child not in index:
            continue
        # back: the part of the traced lot that came through this link;
        # forward: the part of the output that came from the traced lot through it
        width = share[e.child] * e.share if back else share[e.parent] * e.share
        if width <= 0:
            continue
        source.append(index[e.parent])
        target.append(index[e.child])
        value.append(width)
        amount = (
            f"{e.amount:,.6g} {units.get(e.parent, '')}".strip()
            if e.amount is not None
            else _("quantity not shown")
        )
        text.append(amount)
    colours = [
        _COLOURS["start"]
        if k == trace.lot.key
        else _COLOURS["end"]
        if k in ends
        else _COLOURS["middle"]
        for k in keys
    ]
    return {
        "data": [
            {
                "type": "sankey",
                "arrangement": "snap",
                "node": {
                    "label": [_label(k) for k in keys],
                    "customdata": [f"{k}<br>{owners.get(k, '')}" for k in keys],
                    "hovertemplate": "%{customdata}<extra></extra>",
                    "color": colours,
                    "pad": 12,
                    "thickness": 14,
                },
                "link": {
                    "source": source,
                    "target": target,
                    "value": value,
                    "customdata": text,
                    "hovertemplate": "%{source.label} → %{target.label}<br>%{customdata}"
                    "<extra></extra>",
                    "color": "rgba(15,118,110,0.25)",
                },
            }
        ],
        "layout": _layout(
            height=max(260, min(900, 22 * len(keys) + 80)), margin={"l": 8, "r": 8, "t": 8, "b": 8}
        ),
    }
