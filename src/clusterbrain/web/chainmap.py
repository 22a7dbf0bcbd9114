"""The chain map as server-side SVG: the template's links as a DAG laid out by stage, upstream
at the top, support links in their own lane, each node coloured by its status (gap /
concentrated / ok) and a link to its panel (HTMX when available, a full page otherwise)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clusterbrain.chains.models import ChainEdge, ChainLink
from clusterbrain.web.charts import link_status

NODE_W = 172  # narrower when a stage has more links than three: see NODE_WIDTHS
NODE_H = 62
COL_GAP = 14
ROW_GAP = 14  # between sub-rows of one stage
STAGE_GAP = 40  # between stages
PER_ROW = 5  # a stage with more links wraps onto several rows
NODE_WIDTHS = {4: 158, 5: 146}
GUTTER = 30  # left gutter with the upstream → downstream arrow
TOP = 34  # room for the lane titles
LANE_GAP = 40
PAD = 12
NAME_SIZE = 13.0
META_SIZE = 11.5


@dataclass
class Node:
    link: ChainLink
    report: Any
    x: float
    y: float
    w: float = NODE_W

    @property
    def status(self) -> str:
        return link_status(self.report)


def status_label(status: str) -> str:
    return {"gap": _("gap"), "concentrated": _("concentrated"), "ok": _("ok")}[status]


def _text_width(text: str, size: float) -> float:
    width = 0.0
    for ch in text:
        if ord(ch) >= 0x2E80:
            width += 1.0
        elif ch.isupper() or ch in "mwMW":
            width += 0.68
        elif ch in "il.,;:'|!() ":
            width += 0.3
        else:
            width += 0.55
    return width * size


CLOSING = set("）)」』】〕〉》、，。：；！？,.;:!?")
TOKEN = re.compile(r"[\u2e80-\uffff]|[^\s\u2e80-\uffff]+|\s+")


def wrap(text: str, max_width: float, size: float = NAME_SIZE, max_lines: int = 2) -> list[str]:
    """Break a name into at most `max_lines` lines that fit: between CJK characters, at spaces,
    never inside a Latin word unless it alone is too long; an ellipsis marks what was cut."""
    lines: list[str] = []
    current = ""
    for token in TOKEN.findall(text):
        candidate = current + token
        if token in CLOSING:  # never at the start of a line: take the character before along
            if _text_width(candidate.strip(), size) > max_width and len(current.strip()) > 1:
                lines.append(current[:-1].strip())
                current = current[-1] + token
            else:
                current = candidate
            continue
        if (
            current.strip()
            and not token.isspace()
            and _text_width(candidate.strip(), size) > max_width
        ):
            lines.append(current.strip())
            current = token
        else:
            current = candidate
    if current.strip():
        lines.append(current.strip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and _text_width(last + "…", size) > max_width:
            last = last[:-1]
        lines = lines[: max_lines - 1] + [last.rstrip() + "…"]
    fitted = []
    for line in lines:
        while _text_width(line, size) > max_width and len(line) > 1:
            line = line[:-2] + "…"
        fitted.append(line)
    return fitted


def _metrics(report: Any, max_width: float | None = None) -> str:
    """ "12 firms · 85% · gap": what fits of it in `max_width` (the status word goes first, the
    colour says it too)."""
    if report is None:
        return ""
    parts = [ngettext("%(n)s firm", "%(n)s firms", report.firms) % {"n": report.firms}]
    if report.coverage is not None:
        parts.append(f"{report.coverage * 100:.0f}%")
    status = link_status(report)
    if status != "ok":
        parts.append(status_label(status))
    text = " · ".join(parts)
    while max_width is not None and len(parts) > 1 and _text_width(text, META_SIZE) > max_width:
        parts.pop()
        text = " · ".join(parts)
    return text


def layout(
    links: Sequence[ChainLink], reports: dict[str, Any]
) -> tuple[list[Node], float, float, float]:
    """Nodes with positions, the SVG width and height, and the x where the support lane starts."""
    core = [link for link in links if link.is_core]
    support = [link for link in links if not link.is_core]
    by_stage: dict[int, list[ChainLink]] = defaultdict(list)
    for link in core:
        by_stage[link.stage].append(link)
    widest = min(PER_ROW, max((len(v) for v in by_stage.values()), default=1))
    node_w = NODE_WIDTHS.get(widest, NODE_W)
    core_width = widest * node_w + (widest - 1) * COL_GAP
    nodes: list[Node] = []
    y = TOP
    for stage in sorted(by_stage):
        members = by_stage[stage]
        rows = [members[i : i + PER_ROW] for i in range(0, len(members), PER_ROW)]
        for row in rows:
            row_width = len(row) * node_w + (len(row) - 1) * COL_GAP
            x = GUTTER + (core_width - row_width) / 2
            for link in row:
                nodes.append(Node(link, reports.get(link.code), x, y, node_w))
                x += node_w + COL_GAP
            y += NODE_H + ROW_GAP
        y += STAGE_GAP - ROW_GAP
    core_bottom = y - STAGE_GAP
    support_x = GUTTER + core_width + LANE_GAP if support else GUTTER + core_width
    sy = TOP
    for link in sorted(support, key=lambda item: (item.stage, item.code)):
        nodes.append(Node(link, reports.get(link.code), support_x, sy))
        sy += NODE_H + ROW_GAP
    width = support_x + (NODE_W if support else 0) + PAD
    height = max(core_bottom, sy - ROW_GAP) + PAD
    return nodes, width, height, support_x


def _curve(*points: tuple[float, float]) -> str:
    """A cubic Bézier path through start, two control points and end."""
    (x1, y1), *rest = points
    return f"M{x1:.1f},{y1:.1f} C" + " ".join(f"{x:.1f},{y:.1f}" for x, y in rest)


def _bus(up: Node, down: Node, gap_y: float, out: float) -> str:
    """Down from the upstream node into the gap below its row, right to the lane beside the
    core chain, down, and into the downstream node's right side, with rounded corners."""
    r = 8.0
    cx, top = up.x + up.w / 2, up.y + NODE_H
    x2, y2 = down.x + down.w, down.y + NODE_H / 2
    return (
        f"M{cx:.1f},{top:.1f} L{cx:.1f},{gap_y - r:.1f} "
        f"Q{cx:.1f},{gap_y:.1f} {cx + r:.1f},{gap_y:.1f} "
        f"L{out - r:.1f},{gap_y:.1f} Q{out:.1f},{gap_y:.1f} {out:.1f},{gap_y + r:.1f} "
        f"L{out:.1f},{y2 - r:.1f} Q{out:.1f},{y2:.1f} {out - r:.1f},{y2:.1f} L{x2:.1f},{y2:.1f}"
    )


def _edge_path(up: Node, down: Node, row_ys: Sequence[float] = (), side_x: float = 0) -> str:
    if up.link.is_core and down.link.is_core:
        x1, y1 = up.x + up.w / 2, up.y + NODE_H
        x2, y2 = down.x + down.w / 2, down.y
        if y2 <= y1:  # against the stage order: leave from the side
            x1, y1 = up.x + up.w, up.y + NODE_H / 2
            x2, y2 = down.x + down.w, down.y + NODE_H / 2
            out = max(side_x, x1 + 16, x2 + 16)
            return _curve((x1, y1), (out, y1), (out, y2), (x2, y2))
        if any(up.y < y < down.y for y in row_ys):
            # Over rows in between: round them on the right rather than cross their nodes.
            below = min(y for y in row_ys if y > up.y)
            return _bus(up, down, (up.y + NODE_H + below) / 2, side_x)
        dy = max(18.0, (y2 - y1) / 2)
        return _curve((x1, y1), (x1, y1 + dy), (x2, y2 - dy), (x2, y2))
    # Support flows: between the lane's left side and the core node's right side.
    ax = up.x if not up.link.is_core else up.x + up.w
    bx = down.x if not down.link.is_core else down.x + down.w
    ay, by = up.y + NODE_H / 2, down.y + NODE_H / 2
    mid = (ax + bx) / 2
    return _curve((ax, ay), (mid, ay), (mid, by), (bx, by))


def render_svg(
    cluster_slug: str,
    links: Sequence[ChainLink],
    edges: Sequence[ChainEdge],
    reports: dict[str, Any],
    selected: str | None = None,
) -> SafeString:
    nodes, width, height, support_x = layout(links, reports)
    by_id = {node.link.pk: node for node in nodes}
    core_nodes = [node for node in nodes if node.link.is_core]
    row_ys = sorted({node.y for node in core_nodes})
    side_x = max((node.x + node.w for node in core_nodes), default=GUTTER) + LANE_GAP / 2 - 6
    out: list[str] = []
    title = _("Chain map: links from upstream (top) to downstream (bottom)")
    core_title, flow_title = _("Core chain"), _("upstream → downstream")
    support_title = _("Support")
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chainmap-svg" role="group" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'style="max-width: {width:.0f}px; min-width: {min(width, 560):.0f}px" '
        f'aria-label="{escape(title)}">'
    )
    out.append(
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'class="arrowhead"/></marker></defs>'
    )
    # Lane titles and the direction of flow.
    core_centre = (GUTTER + (support_x - (LANE_GAP if support_x > GUTTER else 0))) / 2
    out.append(
        f'<text class="lane-title" x="{core_centre + GUTTER / 2:.1f}" y="20" text-anchor="middle">'
        f"{escape(core_title)}</text>"
    )
    if any(not node.link.is_core for node in nodes):
        out.append(
            f'<text class="lane-title" x="{support_x + NODE_W / 2:.1f}" y="20" '
            f'text-anchor="middle">{escape(support_title)}</text>'
        )
        out.append(
            f'<line class="lane-divider" x1="{support_x - LANE_GAP / 2:.1f}" y1="8" '
            f'x2="{support_x - LANE_GAP / 2:.1f}" y2="{height - PAD:.1f}"/>'
        )
    arrow_bottom = height - PAD - 4
    out.append(
        f'<line class="flow-arrow" x1="22" y1="{TOP:.0f}" x2="22" y2="{arrow_bottom:.0f}" '
        'marker-end="url(#arrow)"/>'
    )
    out.append(
        f'<text class="flow-label" transform="translate(5 {TOP + 4:.0f}) rotate(90)">'
        f"{escape(flow_title)}</text>"
    )
    # Edges first, so nodes sit on top.
    out.append('<g class="edges">')
    for edge in edges:
        up, down = by_id.get(edge.upstream_id), by_id.get(edge.downstream_id)
        if up is None or down is None:
            continue
        support_edge = not (up.link.is_core and down.link.is_core)
        classes = "edge edge--support" if support_edge else "edge"
        out.append(
            f'<path class="{classes}" d="{_edge_path(up, down, row_ys, side_x)}" '
            f'data-from="{escape(up.link.code)}" data-to="{escape(down.link.code)}" '
            'marker-end="url(#arrow)"/>'
        )
    out.append("</g>")
    out.append('<g class="nodes">')
    for node in nodes:
        link, status = node.link, node.status
        url = reverse("chain-link", args=[cluster_slug, link.code])
        kind = _("core link") if link.is_core else _("support link")
        metrics = _metrics(node.report, node.w - 22)
        label = f"{link.name} ({kind}): {status_label(status)}"
        if node.report is not None:
            label += f" – {_metrics(node.report)}"
        classes = f"node node--{status}" + (" node--support" if not link.is_core else "")
        if link.code == selected:
            classes += " is-selected"
        out.append(
            f'<a class="{classes}" href="{url}" hx-get="{url}" hx-target="#link-panel" '
            f'hx-swap="innerHTML show:#link-panel:top" hx-push-url="true" '
            f'data-link="{escape(link.code)}" aria-label="{escape(label)}">'
        )
        out.append(f"<title>{escape(label)}</title>")
        out.append(
            f'<rect class="node-box" x="{node.x:.1f}" y="{node.y:.1f}" width="{node.w:.0f}" '
            f'height="{NODE_H}" rx="8"/>'
        )
        out.append(
            f'<rect class="node-stripe" x="{node.x:.1f}" y="{node.y:.1f}" width="6" '
            f'height="{NODE_H}" rx="3"/>'
        )
        lines = wrap(link.name, node.w - 24)
        text_top = node.y + (20 if len(lines) > 1 else 25)
        out.append(f'<text class="node-name" x="{node.x + 15:.1f}" y="{text_top:.1f}">')
        for i, line in enumerate(lines):
            dy = "0" if i == 0 else "16"
            out.append(f'<tspan x="{node.x + 15:.1f}" dy="{dy}">{escape(line)}</tspan>')
        out.append("</text>")
        if metrics:
            out.append(
                f'<text class="node-meta" x="{node.x + 15:.1f}" y="{node.y + NODE_H - 10:.1f}">'
                f"{escape(metrics)}</text>"
            )
        out.append("</a>")
    out.append("</g></svg>")
    return mark_safe("".join(out))  # noqa: S308 – every dynamic part is escaped above
