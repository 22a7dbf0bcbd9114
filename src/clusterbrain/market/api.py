"""Market intelligence in the JSON API under /api/v1/: parse, call a selector or service,
return a schema. A firm's sales, imports and leads need a session (with CSRF) or a bearer token
and the right to see them (the firm, its cluster's office, admins); a firm not visible is 404,
like an absent one. The cluster's aggregates, trends and forecasts are public with every figure
resting on fewer than k firms or on one dominant firm null and flagged `withheld`, as on the
pages (decision 0015). Errors: `{"detail": …, "errors": [{"loc": […], "msg": …}]}`.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from clusterbrain.accounts.auth import READ_AUTH, WRITE_AUTH
from clusterbrain.errors import FieldError, InvalidInput
from clusterbrain.market import importing, reports, selectors, services
from clusterbrain.market.models import Channel, ExhibitionLead, LeadStatus, SalesRecord
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry.api import ERRORS, READ_ERRORS

router = Router(tags=["market"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _firm(enterprise_id: int) -> Any:
    return registry_selectors.get_enterprise(enterprise_id)


class SalesOut(Schema):
    id: int
    enterprise: int
    product: int | None
    channel: str
    date: datetime.date
    category: str
    material: str
    colour: str
    style: str
    price_band: str
    quantity: float
    value: float = Field(description="yuan")
    currency: str = Field(description="The currency of the file's value")
    value_original: float
    session_ref: str


def sales_out(r: SalesRecord) -> dict[str, Any]:
    return {
        "id": r.pk,
        "enterprise": r.enterprise_id,
        "product": r.product_id,
        "channel": r.channel,
        "date": r.date,
        "category": r.category,
        "material": r.material,
        "colour": r.colour,
        "style": r.style,
        "price_band": r.price_band,
        "quantity": r.quantity,
        "value": r.value,
        "currency": r.currency,
        "value_original": r.value_original,
        "session_ref": r.session_ref,
    }


class SalesQuery(Schema):
    since: datetime.date | None = None
    until: datetime.date | None = None
    channel: Channel | None = None
    category: str | None = Field(None, max_length=80)
    limit: int = Field(500, ge=1, le=5000)
    offset: int = Field(0, ge=0, le=10_000_000)


class SalesPage(Schema):
    count: int
    results: list[SalesOut]


@router.get(
    "/enterprises/{enterprise_id}/sales", response={200: SalesPage, **ERRORS}, auth=WRITE_AUTH
)
def list_sales(
    request: HttpRequest, enterprise_id: int, query: Query[SalesQuery]
) -> dict[str, Any]:
    """The firm's own sales records, newest first. A parameter not listed here (a sort, a
    filter we do not have) is refused, not ignored: the caller would take the list for
    filtered."""
    unknown = sorted(set(request.GET) - set(SalesQuery.model_fields))
    if unknown:
        msg = _("Unknown parameter; the parameters are: %(names)s.") % {
            "names": ", ".join(SalesQuery.model_fields)
        }
        raise InvalidInput(msg, [FieldError(("query", name), msg) for name in unknown])
    rows = selectors.records_of(
        _firm(enterprise_id),
        _user(request),
        since=query.since,
        until=query.until,
        channel=query.channel.value if query.channel else None,
        category=query.category,
    )
    return {
        "count": rows.count(),
        "results": [sales_out(r) for r in rows[query.offset : query.offset + query.limit]],
    }


class ImportIn(Schema):
    dry_run: bool = Field(False, description="Check the file as if imported; save nothing")
    mapping: str = Field(
        "",
        description='JSON object: the file\'s header → our field ("" to ignore the column); '
        "the firm's saved mapping and known names fill the rest",
    )
    rates: str = Field("", description="Rates to yuan for other currencies, e.g. USD=7.10,EUR=7.8")


class ImportOut(Schema):
    rows: int
    products: int = Field(description="Products created from the file's names and SKUs")
    quantity: float
    value: float = Field(description="yuan")
    first: datetime.date | None
    last: datetime.date | None
    currencies: list[str]
    dry_run: bool


@router.post(
    "/enterprises/{enterprise_id}/sales/import",
    response={200: ImportOut, 201: ImportOut, **ERRORS},
    auth=WRITE_AUTH,
)
def import_sales(
    request: HttpRequest,
    enterprise_id: int,
    payload: Form[ImportIn],
    file: UploadedFile = File(...),  # noqa: B008 - ninja's parameter marker
) -> Status[dict[str, Any]]:
    """multipart/form-data: a CSV (UTF-8 or GBK) or XLSX file of sales, one row a sale
    (date, channel, category, quantity, value; material, colour, style, price_band, currency,
    product, sku, session_ref optional). Every row is written or none: problems are refused
    (422) with each named by row and field (`loc` = ["row", n, field]) or by column
    (`loc` = ["header", column]). 201 when imported, 200 for a `dry_run`."""
    user, firm = _user(request), _firm(enterprise_id)
    services.check_import(user, firm, file.size or 0)
    mapping: dict[str, str] = {}
    if payload.mapping.strip():
        try:
            raw = json.loads(payload.mapping)
        except ValueError:
            raw = None
        if not isinstance(raw, dict):
            raise InvalidInput.field(
                "mapping", _("Send the mapping as a JSON object of header → field.")
            )
        mapping = {str(k): str(v or "") for k, v in raw.items()}
    result = services.import_file(
        user,
        firm,
        file.read(),
        file.name or "upload",
        mapping=mapping,
        rates=importing.parse_rates(payload.rates),
        dry_run=payload.dry_run,
    )
    return Status(200 if result.dry_run else 201, result.__dict__)


class LeadIn(Schema):
    model_config = ConfigDict(extra="forbid")

    exhibition: str = Field(max_length=200)
    date: datetime.date
    buyer_country: str = Field(max_length=80)
    category: str = Field("", max_length=80)
    estimated_value: float | None = Field(None, ge=0, allow_inf_nan=False)
    status: LeadStatus = LeadStatus.NEW


class LeadOut(Schema):
    id: int
    enterprise: int
    exhibition: str
    date: datetime.date
    buyer_country: str
    category: str
    estimated_value: float | None
    status: str


def lead_out(lead: ExhibitionLead) -> dict[str, Any]:
    return {
        "id": lead.pk,
        "enterprise": lead.enterprise_id,
        "exhibition": lead.exhibition,
        "date": lead.date,
        "buyer_country": lead.buyer_country,
        "category": lead.category,
        "estimated_value": lead.estimated_value,
        "status": lead.status,
    }


@router.get(
    "/enterprises/{enterprise_id}/leads", response={200: list[LeadOut], **ERRORS}, auth=WRITE_AUTH
)
def list_leads(request: HttpRequest, enterprise_id: int) -> list[dict[str, Any]]:
    """The firm's exhibition leads, newest first."""
    return [lead_out(x) for x in selectors.leads_of(_firm(enterprise_id), _user(request))]


@router.post(
    "/enterprises/{enterprise_id}/leads", response={201: LeadOut, **ERRORS}, auth=WRITE_AUTH
)
def create_lead(
    request: HttpRequest, enterprise_id: int, payload: LeadIn
) -> Status[dict[str, Any]]:
    """A buyer met at an exhibition."""
    data = payload.model_dump()
    data["status"] = payload.status.value
    lead = services.add_lead(_user(request), _firm(enterprise_id), data)
    return Status(201, lead_out(lead))


# --- the cluster -----------------------------------------------------------------------------


class CellOut(Schema):
    quantity: float | None
    value: float | None = Field(description="yuan; null when withheld")
    firms: int
    withheld: bool


class WeekOut(CellOut):
    week: datetime.date
    channel: str


class ChannelOut(CellOut):
    channel: str


class CategoryOut(CellOut):
    category: str


class FirmRowOut(Schema):
    enterprise: int
    records: int
    quantity: float
    value: float
    last: datetime.date


class MarketOut(Schema):
    cluster: str
    min_firms: int
    firms: int = Field(description="Firms with sales in the period (a count: never withheld)")
    since: datetime.date | None
    until: datetime.date | None
    quantity: float | None
    value: float | None
    totals_withheld: bool
    weekly: list[WeekOut]
    channels: list[ChannelOut]
    categories: list[CategoryOut]
    firm_rows: list[FirmRowOut] = Field(description="The office's and admins' only")


def _cell(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {
        **{k: row[k] for k in keys},
        "quantity": row["quantity"],
        "value": row["value"],
        "firms": int(row["firms"]),
        "withheld": bool(row["withheld"]),
    }


@router.get("/clusters/{slug}/market", response={200: MarketOut, **READ_ERRORS}, auth=READ_AUTH)
def cluster_market(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The last 52 weeks of the cluster's sales: weekly by channel, by channel and category."""
    cluster = registry_selectors.get_cluster(slug)
    m = selectors.cluster_market(cluster, _user(request))
    return {
        "cluster": cluster.slug,
        "min_firms": m.min_firms,
        "firms": m.firms,
        "since": m.since,
        "until": m.until,
        "quantity": m.quantity,
        "value": m.value,
        "totals_withheld": m.totals_withheld,
        "weekly": [_cell(r, "week", "channel") for r in m.weekly],
        "channels": [_cell(r, "channel") for r in m.channels],
        "categories": [_cell(r, "category") for r in m.categories],
        "firm_rows": [
            {
                "enterprise": r["id"],
                "records": r["records"],
                "quantity": r["quantity"],
                "value": r["value"],
                "last": r["last"],
            }
            for r in m.firm_rows
        ],
    }


class TrendValueOut(Schema):
    column: str = Field(description="material, colour, style or price_band")
    value: str
    direction: str = Field(description="rising, falling, new, flat or suppressed")
    recent: float | None
    baseline: float | None
    growth: float | None = Field(description="recent ÷ baseline − 1 (raw)")
    lift: float | None = Field(description="growth relative to the whole market's")
    z: float | None
    q: float | None = Field(description="Benjamini–Hochberg adjusted p")
    firms: int | None
    channels: list[str] | None = Field(description="The channels carrying the change")
    suppressed: bool
    reason: str | None


class TrendsOut(Schema):
    cluster: str
    min_firms: int
    recent: list[datetime.date] | None
    baseline: list[datetime.date] | None
    values: list[TrendValueOut]
    note: str


@router.get(
    "/clusters/{slug}/market/trends", response={200: TrendsOut, **READ_ERRORS}, auth=READ_AUTH
)
def cluster_trends(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Every attribute value's last 8 weeks against the same weeks a year before, relative to
    the market; suppressed values are named with their figures null."""
    cluster = registry_selectors.get_cluster(slug)
    t = selectors.trends(cluster, _user(request))
    keys = TrendValueOut.model_fields
    return {
        "cluster": cluster.slug,
        "min_firms": t.min_firms,
        "recent": list(t.recent) if t.recent else None,
        "baseline": list(t.baseline) if t.baseline else None,
        "values": [{k: v.get(k) for k in keys} for v in t.values],
        "note": t.note,
    }


class ForecastPointOut(Schema):
    ds: datetime.date
    mean: float
    lo_80: float
    hi_80: float
    lo_95: float
    hi_95: float


class SeriesOut(Schema):
    category: str
    channel: str
    model: str | None
    mase: float | None = Field(description="Backtest MASE of our forecast")
    mase_naive: float | None = Field(description="Backtest MASE of seasonal naive")
    forecast: list[ForecastPointOut]


class WithheldSeriesOut(Schema):
    category: str
    channel: str


class ForecastsOut(Schema):
    cluster: str
    min_firms: int
    mase: float | None
    mase_naive: float | None
    series: list[SeriesOut]
    withheld: list[WithheldSeriesOut]


@router.get(
    "/clusters/{slug}/market/forecasts",
    response={200: ForecastsOut, **READ_ERRORS},
    auth=READ_AUTH,
)
def cluster_forecasts(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Weekly quantity forecasts per category × channel for 13 weeks with 80/95 % intervals,
    and the backtest's MASE beside seasonal naive's; series of fewer than k firms withheld."""
    cluster = registry_selectors.get_cluster(slug)
    f = selectors.forecasts(cluster, _user(request))
    series = []
    for s in f.series:
        fc = s["forecast"]
        points = [
            {k: fc[k][i] for k in ("ds", "mean", "lo_80", "hi_80", "lo_95", "hi_95")}
            for i in range(len(fc["ds"]))
        ]
        series.append(
            {
                "category": s["category"],
                "channel": s["channel"],
                "model": s["model"],
                "mase": s["mase"],
                "mase_naive": s["mase_naive"],
                "forecast": points,
            }
        )
    return {
        "cluster": cluster.slug,
        "min_firms": f.min_firms,
        "mase": f.mase,
        "mase_naive": f.mase_naive,
        "series": series,
        "withheld": [{"category": w["category"], "channel": w["channel"]} for w in f.withheld],
    }


# --- trend reports (issue 6 item 4) ----------------------------------------------------------


class SectionOut(Schema):
    id: int
    order: int
    kind: str = Field(description="text, chart, trend or forecast")
    figure: str
    heading_zh: str
    heading_en: str
    body_zh: str
    body_en: str
    data: dict[str, Any] = Field(description="The figure as frozen when composed")


class ReportOut(Schema):
    id: int
    cluster: str
    title_zh: str
    title_en: str
    season: str
    status: str
    audience: str
    version: int
    previous: int | None
    published_at: datetime.datetime | None
    pdf: str = Field(description="The PDF's URL (?lang=zh|en)")
    sections: list[SectionOut] | None = None


class ReportIn(Schema):
    title_zh: str
    title_en: str = ""
    season: str = ""
    audience: str = "members"


class SectionIn(Schema):
    kind: str = Field(description="text, chart, trend or forecast")
    figure: str = Field(
        "",
        description="chart: weekly_by_channel, channels or categories; trend: column:value; "
        "forecast: category|channel",
    )
    heading_zh: str = ""
    heading_en: str = ""
    body_zh: str = ""
    body_en: str = ""


def report_out(report: Any, with_sections: bool = False) -> dict[str, Any]:
    out = {
        "id": report.pk,
        "cluster": report.cluster.slug,
        "title_zh": report.title_zh,
        "title_en": report.title_en,
        "season": report.season,
        "status": report.status,
        "audience": report.audience,
        "version": report.version,
        "previous": report.previous_id,
        "published_at": report.published_at,
        "pdf": f"/market/reports/{report.pk}/pdf/",
    }
    if with_sections:
        out["sections"] = [
            {
                "id": s.pk,
                "order": s.order,
                "kind": s.kind,
                "figure": s.figure,
                "heading_zh": s.heading_zh,
                "heading_en": s.heading_en,
                "body_zh": s.body_zh,
                "body_en": s.body_en,
                "data": s.data,
            }
            for s in reports.sections_of(report)
        ]
    return out


@router.get(
    "/clusters/{slug}/market/reports",
    response={200: list[ReportOut], **READ_ERRORS},
    auth=READ_AUTH,
)
def list_reports(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """Published reports this caller may read (public ones; members reports for members);
    the association's drafts too for its staff."""
    cluster = registry_selectors.get_cluster(slug)
    user = _user(request)
    rows = reports.published_reports(cluster, user) + reports.drafts(cluster, user)
    return [report_out(r) for r in rows]


@router.get("/market/reports/{report_id}", response={200: ReportOut, **READ_ERRORS}, auth=READ_AUTH)
def get_report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    return report_out(reports.get_report(report_id, _user(request)), with_sections=True)


@router.post(
    "/clusters/{slug}/market/reports", response={201: ReportOut, **ERRORS}, auth=WRITE_AUTH
)
def create_report(request: HttpRequest, slug: str, payload: ReportIn) -> Status[dict[str, Any]]:
    """A draft; the cluster's association staff and admins only."""
    cluster = registry_selectors.get_cluster(slug)
    report = reports.create_report(_user(request), cluster, payload.model_dump())
    return Status(201, report_out(report, with_sections=True))


@router.post(
    "/market/reports/{report_id}/sections", response={201: ReportOut, **ERRORS}, auth=WRITE_AUTH
)
def add_section(request: HttpRequest, report_id: int, payload: SectionIn) -> Status[dict[str, Any]]:
    """Freezes the figure now; a withheld one is a 422 naming the section."""
    report = reports.get_report(report_id, _user(request))
    reports.add_section(_user(request), report, payload.model_dump())
    return Status(201, report_out(report, with_sections=True))


@router.post(
    "/market/reports/{report_id}/publish", response={200: ReportOut, **ERRORS}, auth=WRITE_AUTH
)
def publish_report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    report = reports.publish(_user(request), reports.get_report(report_id, _user(request)))
    return report_out(report, with_sections=True)


@router.post(
    "/market/reports/{report_id}/versions", response={201: ReportOut, **ERRORS}, auth=WRITE_AUTH
)
def new_report_version(request: HttpRequest, report_id: int) -> Status[dict[str, Any]]:
    """A published report never changes: this copies it into a new draft."""
    copy = reports.new_version(_user(request), reports.get_report(report_id, _user(request)))
    return Status(201, report_out(copy, with_sections=True))
