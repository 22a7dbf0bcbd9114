"""A trend report as a PDF, drawn offline by reportlab from the sections' frozen data: no
network, no browser, no plotly images. Chinese text uses reportlab's built-in CID font
STSong-Light (Adobe's, needing no font file), which also carries Latin text, so one font serves
both languages and nothing depends on the fonts installed on the host."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from clusterbrain.market.models import ReportSection, SectionKind, TrendReport
from clusterbrain.market.selectors import channel_label

FONT = "STSong-Light"
WIDTH = 170 * mm
PALETTE = ["#1d4ed8", "#b45309", "#db2777", "#15803d", "#7c3aed", "#6b7280"]


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=20, leading=26, spaceAfter=6),
        "meta": ParagraphStyle(
            "meta", fontName=font, fontSize=9, leading=12, textColor=colors.grey
        ),
        "h2": ParagraphStyle(
            "h2", fontName=font, fontSize=14, leading=18, spaceBefore=10, spaceAfter=4
        ),
        "body": ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16),
        "small": ParagraphStyle(
            "small", fontName=font, fontSize=8.5, leading=11, textColor=colors.grey
        ),
    }


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _bars(labels: list[str], values: list[float]) -> Drawing:
    height = max(60, 18 * len(labels) + 30)
    d = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 110, 15
    chart.width, chart.height = WIDTH - 130, height - 25
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = labels or [""]
    chart.categoryAxis.labels.fontName = _font()
    chart.categoryAxis.reverseDirection = True
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = _font()
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.bars[0].fillColor = colors.HexColor(PALETTE[0])
    d.add(chart)
    return d


def _lines(
    series: list[tuple[str, list[tuple[float, float]]]], note: str, dates: list[str]
) -> Drawing:
    """Weeks on x by their index (`dates` gives each index's Monday for the labels); a series
    without a name is drawn in its predecessor's colour (an interval's upper edge)."""
    d = Drawing(WIDTH, 190)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 45, 40, WIDTH - 60, 130
    plot.data = [points or [(0, 0)] for _name, points in series]
    shade: list[str] = []
    for i, (name, _points) in enumerate(series):
        shade.append(shade[-1] if not name and shade else PALETTE[i % len(PALETTE)])
        plot.lines[i].strokeColor = colors.HexColor(shade[i])
        plot.lines[i].strokeWidth = 1.5
    plot.xValueAxis.labels.fontName = _font()
    plot.xValueAxis.labels.fontSize = 7

    def label(v: float) -> str:
        i = int(round(v))
        return dates[i][:10] if 0 <= i < len(dates) else ""

    plot.xValueAxis.labelTextFormat = label
    plot.yValueAxis.labels.fontName = _font()
    plot.yValueAxis.valueMin = 0
    plot.yValueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    d.add(plot)
    x = 45.0
    for i, (name, _points) in enumerate(series):
        if not name:
            continue
        d.add(
            String(
                x, 8, f"— {name}", fontName=_font(), fontSize=8, fillColor=colors.HexColor(shade[i])
            )
        )
        x += 95
    d.add(String(WIDTH - 5, 180, note, fontName=_font(), fontSize=8, textAnchor="end"))
    return d


def _weekly(data: dict[str, Any]) -> Drawing:
    weeks = sorted({r["week"] for r in data["rows"]})
    index = {w: i for i, w in enumerate(weeks)}
    series = []
    for ch in sorted({r["channel"] for r in data["rows"]}):
        points = [
            (float(index[r["week"]]), float(r["value"])) for r in data["rows"] if r["channel"] == ch
        ]
        series.append((channel_label(ch), sorted(points)))
    return _lines(series, _("yuan a week"), [str(w) for w in weeks])


def chart_of(section: ReportSection) -> Drawing | None:
    data = section.data or {}
    if section.kind == SectionKind.CHART:
        if section.figure == "weekly_by_channel":
            return _weekly(data)
        rows = data.get("rows", [])
        labels = [
            channel_label(r["key"]) if section.figure == "channels" else r["key"] for r in rows
        ]
        return _bars(labels, [float(r["value"]) for r in rows])
    if section.kind == SectionKind.FORECAST:
        hist, fc = data.get("history", {}), data.get("forecast", {})
        n = len(hist.get("y", []))
        history = [(float(i), float(y)) for i, y in enumerate(hist.get("y", []))]
        ahead = [
            (float(n + i), float(y)) for i, y in enumerate(fc.get("mean", [])) if y is not None
        ]
        lo = [(float(n + i), float(y)) for i, y in enumerate(fc.get("lo_80", [])) if y is not None]
        hi = [(float(n + i), float(y)) for i, y in enumerate(fc.get("hi_80", [])) if y is not None]
        return _lines(
            [
                (_("sales"), history),
                (_("forecast"), ahead),
                (_("%(level)d %% interval") % {"level": 80}, lo),
                ("", hi),
            ],
            _("pieces a week"),
            [str(d) for d in [*hist.get("ds", []), *fc.get("ds", [])]],
        )
    return None


def trend_evidence(section: ReportSection) -> list[tuple[str, str]]:
    """The frozen evidence of a highlighted trend as label/value rows (page and PDF)."""
    t = (section.data or {}).get("trend") or {}
    if not t:
        return []
    direction = {"rising": _("rising"), "falling": _("falling"), "new": _("new")}.get(
        t.get("direction") or "", t.get("direction") or "–"
    )

    def num(v: Any, fmt: str) -> str:
        return fmt.format(v) if isinstance(v, (int, float)) else "–"

    recent, baseline = section.data.get("recent") or [], section.data.get("baseline") or []
    return [
        (_("Attribute"), str(t.get("column", ""))),
        (_("Value"), str(t.get("value", ""))),
        (_("Trend"), direction),
        (_("Growth"), num(t.get("growth"), "{:+.0%}")),
        (_("Against the market"), num(t.get("lift"), "×{:.2f}")),
        ("q", num(t.get("q"), "{:.4f}")),
        (_("Firms"), str(t.get("firms", "–"))),
        (
            _("Driving channels"),
            ", ".join(channel_label(c) for c in t.get("channels") or []) or "–",
        ),
        (
            _("Weeks compared"),
            " – ".join(recent) + (" / " + " – ".join(baseline) if baseline else ""),
        ),
    ]


def render(report: TrendReport, sections: list[ReportSection], lang: str) -> bytes:
    """The report in `lang` (zh or en): title, each section's heading, text, chart and the
    trend's evidence, from the data frozen when it was composed."""
    with translation.override("en" if lang == "en" else "zh-hans"):
        styles = _styles()
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            title=report.title(lang),
            author=report.cluster.name_en if lang == "en" else report.cluster.name_zh,
        )
        story: list[Any] = [_para(report.title(lang), styles["title"])]
        cluster = report.cluster.name_en if lang == "en" else report.cluster.name_zh
        meta = [cluster or report.cluster.name_zh, report.season]
        if report.published_at:
            meta.append(_("published %(date)s") % {"date": report.published_at.date()})
        else:
            meta.append(_("draft"))
        story.append(_para(" · ".join(m for m in meta if m), styles["meta"]))
        story.append(Spacer(1, 6 * mm))
        for section in sections:
            heading = section.heading(lang)
            if heading:
                story.append(_para(heading, styles["h2"]))
            body = section.body(lang)
            if body:
                story.append(_para(body, styles["body"]))
            drawing = chart_of(section)
            if drawing is not None:
                story.append(Spacer(1, 2 * mm))
                story.append(drawing)
                withheld = (section.data or {}).get("withheld") or 0
                if withheld:
                    story.append(
                        _para(
                            _("%(n)d figures resting on too few firms are left out.")
                            % {"n": withheld},
                            styles["small"],
                        )
                    )
            evidence = trend_evidence(section)
            if evidence:
                table = Table(
                    [[_para(a, styles["body"]), _para(b, styles["body"])] for a, b in evidence],
                    colWidths=[50 * mm, WIDTH - 50 * mm],
                )
                table.setStyle(
                    TableStyle(
                        [
                            ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                            ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ]
                    )
                )
                story.append(table)
            story.append(Spacer(1, 4 * mm))
        doc.build(story)
        return buffer.getvalue()
