"""Every write of market data: a firm's sales imports, its saved column mapping and its
exhibition leads. Permissions are checked here (market.permissions); each write is one
transaction and replaces the cluster's sales stamp, so cached scans and forecasts are
recomputed from the new data (decision 0015)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.engines.forecast.validate import SalesDataError, check_sales
from clusterbrain.errors import FieldError, Forbidden, InvalidInput
from clusterbrain.market import importing, permissions
from clusterbrain.market.models import (
    ExhibitionLead,
    ImportMapping,
    LeadStatus,
    MarketStamp,
    PriceBand,
    Product,
    SalesImport,
    SalesRecord,
)
from clusterbrain.market.models import _token as new_version
from clusterbrain.registry.models import Cluster, Enterprise


def _today() -> datetime.date:
    return timezone.localdate()


def text_problem(text: str, limit: int) -> str | None:
    """What is wrong with a text field: a NUL (PostgreSQL cannot store it: a 500 at the save,
    where SQLite kept it) or more than the column holds."""
    if "\x00" in text:
        return _("Remove the NUL character (\\0).")
    if len(text) > limit:
        return _("At most %(n)d characters.") % {"n": limit}
    return None


def _require_record(user: Any, enterprise: Enterprise) -> None:
    if not permissions.can_record(user, enterprise):
        raise Forbidden(_("Only the firm's own users may record its sales."))


def touch_cluster(cluster: Cluster | int) -> None:
    """The cluster's sales changed: replace its stamp (cached scans and forecasts go stale)."""
    cluster_id = cluster if isinstance(cluster, int) else cluster.pk
    updated = MarketStamp.objects.filter(cluster_id=cluster_id).update(version=new_version())
    if not updated:
        MarketStamp.objects.get_or_create(cluster_id=cluster_id)


def saved_mapping(enterprise: Enterprise) -> dict[str, str]:
    found = ImportMapping.objects.filter(enterprise=enterprise).first()
    return dict(found.columns) if found else {}


@dataclass(frozen=True)
class ImportResult:
    rows: int
    products: int  # products created from the file's names and SKUs
    quantity: float
    value: float  # yuan
    first: datetime.date | None
    last: datetime.date | None
    currencies: list[str]
    dry_run: bool  # checked only: nothing was saved


def check_import(user: Any, enterprise: Enterprise, size: int) -> None:
    """Before an upload is read: may the user import for the firm, is the file small enough?"""
    _require_record(user, enterprise)
    importing.table_reader.check_size(size)


def _engine_check(sales: importing.SalesFile, today: datetime.date) -> None:
    """The forecast engine's own input check on what is about to be written: the same rules
    the scans will apply, so nothing reaches the tables that a scan would refuse."""
    frame = pl.DataFrame(
        {
            "date": [r["date"] for r in sales.rows],
            "quantity": [r["quantity"] for r in sales.rows],
            "value": [r["value"] for r in sales.rows],
        },
        schema={"date": pl.Date, "quantity": pl.Float64, "value": pl.Float64},
    )
    try:
        check_sales(frame, ("date", "quantity", "value"), ("quantity", "value"), today)
    except SalesDataError as exc:
        number = sales.row_numbers[exc.row] if exc.row is not None else None
        loc: tuple[str | int, ...] = (
            ("row", number, exc.column or "") if number is not None else (exc.column or "file",)
        )
        raise InvalidInput(str(exc), [FieldError(loc, str(exc))]) from exc


def _products(enterprise: Enterprise, sales: importing.SalesFile) -> tuple[dict[str, Product], int]:
    """The firm's products the rows name (by SKU, else by name), created when new."""
    by_key: dict[str, Product] = {}
    for p in Product.objects.filter(enterprise=enterprise):
        if p.sku:
            by_key[f"sku:{p.sku}"] = p
        by_key.setdefault(f"name:{p.name}", p)
    created = 0
    for row in sales.rows:
        key = (
            f"sku:{row['sku']}"
            if row.get("sku")
            else (f"name:{row['product']}" if row.get("product") else "")
        )
        if not key or key in by_key:
            continue
        product = Product.objects.create(
            enterprise=enterprise,
            name=row.get("product") or row.get("sku", ""),
            sku=row.get("sku", ""),
            category=row["category"],
            material=row.get("material", ""),
            colour=row.get("colour", ""),
            style_tags=[row["style"]] if row.get("style") else [],
            price_band=row.get("price_band", ""),
        )
        by_key[key] = product
        if product.sku:
            by_key.setdefault(f"name:{product.name}", product)
        created += 1
    return by_key, created


@transaction.atomic
def import_file(
    user: Any,
    enterprise: Enterprise,
    content: bytes,
    file_name: str,
    *,
    mapping: Mapping[str, str] | None = None,
    rates: Mapping[str, float] | None = None,
    dry_run: bool = False,
    save_mapping: bool = True,
) -> ImportResult:
    """A CSV or XLSX file of sales: every row or none. Columns are read through `mapping`
    (header → field, "" to ignore), then the firm's saved mapping, then known names; values in
    another currency than yuan only with a rate in `rates`. With `dry_run` the file is checked
    as if imported, then rolled back. The mapping used is saved for the firm's next file."""
    _require_record(user, enterprise)
    today = _today()
    sales = importing.read_sales(
        content,
        file_name,
        today=today,
        mapping=importing.normalise_mapping(mapping or {}),
        saved=saved_mapping(enterprise),
        rates=rates,
    )
    _engine_check(sales, today)
    used_rates = {c: float(r) for c, r in (rates or {}).items() if c in sales.currencies}
    batch = SalesImport.objects.create(
        enterprise=enterprise,
        file_name=file_name[:255],
        rows=len(sales.rows),
        rates=used_rates,
        created_by=user if getattr(user, "pk", None) else None,
    )
    products, created = _products(enterprise, sales)
    records = []
    for row in sales.rows:
        key = (
            f"sku:{row['sku']}"
            if row.get("sku")
            else (f"name:{row['product']}" if row.get("product") else "")
        )
        product = products.get(key) if key else None
        records.append(
            SalesRecord(
                enterprise=enterprise,
                product=product,
                channel=row["channel"],
                date=row["date"],
                category=row["category"],
                material=row.get("material", product.material if product else ""),
                colour=row.get("colour", product.colour if product else ""),
                style=row.get(
                    "style", product.style_tags[0] if product and product.style_tags else ""
                ),
                price_band=row.get("price_band", product.price_band if product else ""),
                quantity=row["quantity"],
                value=row["value"],
                currency=row["currency"],
                value_original=row["value_original"],
                session_ref=row.get("session_ref", ""),
                source=batch,
            )
        )
    SalesRecord.objects.bulk_create(records, batch_size=2000)
    if save_mapping:
        ImportMapping.objects.update_or_create(
            enterprise=enterprise,
            defaults={"columns": {**saved_mapping(enterprise), **sales.mapping}},
        )
    touch_cluster(enterprise.cluster_id)
    dates = [r["date"] for r in sales.rows]
    result = ImportResult(
        rows=len(records),
        products=created,
        quantity=sum(r["quantity"] for r in sales.rows),
        value=round(sum(r["value"] for r in sales.rows), 2),
        first=min(dates) if dates else None,
        last=max(dates) if dates else None,
        currencies=sorted(sales.currencies),
        dry_run=dry_run,
    )
    if dry_run:
        transaction.set_rollback(True)
    return result


@transaction.atomic
def delete_import(user: Any, batch: SalesImport) -> int:
    """Take back one imported file: its rows go, the products it created stay."""
    _require_record(user, batch.enterprise)
    deleted, _detail = SalesRecord.objects.filter(source=batch).delete()
    batch.delete()
    touch_cluster(batch.enterprise.cluster_id)
    return deleted


def _lead_values(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for name, limit in (("exhibition", 200), ("buyer_country", 80), ("category", 80)):
        text = str(data.get(name) or "").strip()
        if not text and name != "category":
            errors.append(FieldError((name,), _("This field is required.")))
        elif problem := text_problem(text, limit):
            errors.append(FieldError((name,), problem))
        values[name] = text
    date = data.get("date")
    if isinstance(date, str):
        date = importing.parse_date(date)
    if not isinstance(date, datetime.date):
        errors.append(FieldError(("date",), _("Enter a date as YYYY-MM-DD.")))
    elif date > _today():
        errors.append(FieldError(("date",), _("The date is after today.")))
    values["date"] = date
    value = data.get("estimated_value")
    if value in (None, ""):
        values["estimated_value"] = None
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = -1.0
        if not (0 <= number < 1e15):
            errors.append(FieldError(("estimated_value",), _("Enter a number not below 0.")))
        values["estimated_value"] = number
    status = str(data.get("status") or LeadStatus.NEW)
    if status not in LeadStatus.values:
        errors.append(
            FieldError(
                ("status",),
                _("Choose one of: %(limit)s.") % {"limit": ", ".join(LeadStatus.values)},
            )
        )
    values["status"] = status
    if errors:
        raise InvalidInput(
            errors[0].msg if len(errors) == 1 else _("Some fields need correcting."), errors
        )
    return values


@transaction.atomic
def add_lead(user: Any, enterprise: Enterprise, data: Mapping[str, Any]) -> ExhibitionLead:
    _require_record(user, enterprise)
    return ExhibitionLead.objects.create(enterprise=enterprise, **_lead_values(data))


def _product_values(enterprise: Enterprise, data: Mapping[str, Any]) -> dict[str, Any]:
    """A product's attributes in the spelling sales rows carry (importing's `_attribute`), so
    the trend scan reads a product's sales and an imported row's as the same value."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for name, limit, required in (
        ("name", 200, True),
        ("category", 80, True),
        ("material", 80, False),
        ("colour", 80, False),
        ("sku", 80, False),
    ):
        text = str(data.get(name) or "").strip()
        if not text and required:
            errors.append(FieldError((name,), _("This field is required.")))
        elif problem := text_problem(text, limit):
            errors.append(FieldError((name,), problem))
        values[name] = text if name in ("name", "sku") else importing._attribute(text)
    tags = data.get("style_tags") or []
    if isinstance(tags, str):
        tags = re.split(r"[,，、;；]", tags)
    values["style_tags"] = [importing._attribute(str(t)) for t in tags if str(t).strip()]
    problem = next(filter(None, (text_problem(t, 80) for t in values["style_tags"])), None)
    if problem:
        errors.append(FieldError(("style_tags",), problem))
    band = str(data.get("price_band") or "")
    if band and band not in PriceBand.values:
        errors.append(
            FieldError(
                ("price_band",),
                _("Choose one of: %(limit)s.") % {"limit": ", ".join(PriceBand.values)},
            )
        )
    values["price_band"] = band
    sku_refused = any(e.loc == ("sku",) for e in errors)  # a NUL in a query: a 500 on PG
    if (
        values["sku"]
        and not sku_refused
        and Product.objects.filter(enterprise=enterprise, sku=values["sku"]).exists()
    ):
        errors.append(FieldError(("sku",), _("Your firm already has a product with this SKU.")))
    if errors:
        raise InvalidInput(
            errors[0].msg if len(errors) == 1 else _("Some fields need correcting."), errors
        )
    return values


@transaction.atomic
def add_product(user: Any, enterprise: Enterprise, data: Mapping[str, Any]) -> Product:
    _require_record(user, enterprise)
    return Product.objects.create(enterprise=enterprise, **_product_values(enterprise, data))
