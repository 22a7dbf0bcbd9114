"""Reading a firm's sales file (CSV in UTF-8 or GBK, or the first sheet of an XLSX workbook)
into checked rows for `services.import_file`. The file is read by the registry's reader
(`registry.importing.read_table`: encodings, file types, size), so every import refuses the
same files in the same words; this module knows our columns, the firm's column mapping and
how exports write dates, numbers, channels and currencies.

E-commerce exports name their columns their own way ("实付金额", "下单时间"): a header is read
as a field by, in order, the mapping sent with the file (the page's choices), the mapping the
firm saved last time, and the synonyms below. A column none of them names is an error ("Unknown
column"), not silently dropped: a firm that wants it left out maps it to "ignore" ("").

Problems are collected over the whole file and raised together, each named by row and column
(`loc` = ("row", n, field), rows as the spreadsheet numbers them) or by header
(`loc` = ("header", column)); nothing here touches the database.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from clusterbrain.errors import FieldError, InvalidInput
from clusterbrain.market.models import BASE_CURRENCY, Channel, PriceBand
from clusterbrain.registry import importing as table_reader
from clusterbrain.registry.importing import _header_key

FIELDS = (
    "date",
    "channel",
    "category",
    "material",
    "colour",
    "style",
    "price_band",
    "quantity",
    "value",
    "currency",
    "product",
    "sku",
    "session_ref",
)
REQUIRED = ("date", "channel", "category", "quantity", "value")
TEXT_LIMIT = 80
# A row's quantity or value (yuan) beyond this is a typing mistake, and two of 1e308 added up to
# infinity in every total shown (JSON with Infinity, charts without a scale).
MAX_NUMBER = 1e15

HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": (
        "日期",
        "销售日期",
        "下单时间",
        "订单日期",
        "付款时间",
        "成交时间",
        "orderdate",
        "day",
    ),
    "channel": ("渠道", "销售渠道", "平台", "saleschannel"),
    "category": ("品类", "类目", "商品类目", "分类", "产品类别"),
    "material": ("材质", "面料", "材料"),
    "colour": ("颜色", "color", "颜色分类"),
    "style": ("风格", "款式风格", "styletag", "styletags"),
    "price_band": ("价格带", "价位", "价格档"),
    "quantity": ("数量", "销量", "件数", "购买数量", "qty"),
    "value": ("金额", "销售额", "实付金额", "成交金额", "amount", "total", "gmv", "revenue"),
    "currency": ("币种", "货币"),
    "product": ("商品名称", "商品", "产品", "品名", "productname", "item", "title"),
    "sku": ("商家编码", "货号", "sku编码", "skuid"),
    "session_ref": ("直播场次", "session", "livestreamsession"),
}
_RECOGNISED = {
    _header_key(spelling): name
    for name in FIELDS
    for spelling in (name, *HEADER_SYNONYMS.get(name, ()))
}

CHANNEL_WORDS: dict[str, tuple[str, ...]] = {
    Channel.MARKET_STALL: ("marketstall", "stall", "market", "档口", "市场", "批发市场档口"),
    Channel.ECOMMERCE: (
        "ecommerce",
        "online",
        "电商",
        "网店",
        "淘宝",
        "天猫",
        "京东",
        "拼多多",
        "tmall",
        "taobao",
        "jd",
        "pinduoduo",
    ),
    Channel.LIVESTREAM: ("livestream", "live", "直播", "抖音", "快手", "douyin", "kuaishou"),
    Channel.EXHIBITION: ("exhibition", "fair", "展会", "展销会", "博览会"),
    Channel.WHOLESALE: ("wholesale", "批发", "经销"),
    Channel.OTHER: ("other", "其他"),
}
_CHANNELS = {_header_key(w): str(code) for code, words in CHANNEL_WORDS.items() for w in words}
PRICE_BAND_WORDS: dict[str, tuple[str, ...]] = {
    PriceBand.BUDGET: ("budget", "low", "经济", "低端", "低价"),
    PriceBand.MID: ("mid", "midrange", "middle", "中端", "中档", "中价"),
    PriceBand.PREMIUM: ("premium", "high", "高端", "高档"),
    PriceBand.LUXURY: ("luxury", "奢侈", "奢华"),
}
_PRICE_BANDS = {
    _header_key(w): str(code) for code, words in PRICE_BAND_WORDS.items() for w in words
}
_CURRENCY_WORDS = {
    "rmb": "CNY",
    "人民币": "CNY",
    "元": "CNY",
    "¥": "CNY",
    "￥": "CNY",
    "美元": "USD",
    "$": "USD",
    "欧元": "EUR",
    "€": "EUR",
    "港币": "HKD",
    "港元": "HKD",
}
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def max_rows() -> int:
    """A firm's export of a few years: tens of thousands of rows, not the registry's lists."""
    return int(getattr(settings, "MARKET_IMPORT_MAX_ROWS", 100_000))


def column_key(header: str) -> str:
    """A header as mappings store it: the registry's normal form (case, width, punctuation)."""
    return _header_key(header)


def recognise(header: str) -> str:
    return _RECOGNISED.get(_header_key(header), "") if header else ""


@dataclass
class SalesFile:
    """A file's rows, read and checked: `rows` hold typed values keyed by field."""

    file_format: str
    headers: list[str]
    columns: dict[int, str]  # column index → field (ignored columns absent)
    mapping: dict[str, str]  # header key → field or "" (ignore): what the firm may save
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    currencies: set[str] = field(default_factory=set)


@dataclass
class Preview:
    """What the mapping page shows: the headers, the field each is read as, the first rows."""

    file_format: str
    headers: list[str]
    fields: list[str]  # per header: the field, "" for ignore, None for not known
    known: list[bool]
    rows: list[list[str]]
    total_rows: int

    @property
    def columns(self) -> list[tuple[int, str, str, bool]]:
        """(index, header, field, known) per column, for the mapping page."""
        return list(
            zip(range(len(self.headers)), self.headers, self.fields, self.known, strict=True)
        )


def _sheet(content: bytes, file_name: str) -> tuple[str, table_reader.Sheet]:
    table = table_reader.read_table(content, file_name, max_rows=max_rows())
    sheet, *others = table.sheets
    with_rows = [s.name for s in others if s.rows]
    if with_rows:
        msg = _(
            "Only the first sheet is read, but %(sheets)s also holds rows: keep the sales on "
            "one sheet."
        ) % {"sheets": ", ".join(f"“{name}”" for name in with_rows)}
        raise InvalidInput(msg, [FieldError(("file",), msg)])
    if len(sheet.rows) > max_rows():
        msg = _("The file has %(rows)s rows; the limit is %(limit)s.") % {
            "rows": f"{len(sheet.rows):,}",
            "limit": f"{max_rows():,}",
        }
        raise InvalidInput(msg, [FieldError(("file",), msg)])
    return table.file_format, sheet


def _field_for(header: str, given: Mapping[str, str], saved: Mapping[str, str]) -> str | None:
    """The field a header is read as: "" to ignore it, None when nothing names it."""
    key = _header_key(header)
    for mapping in (given, saved):
        if key in mapping:
            return mapping[key]
    return recognise(header) or None


def normalise_mapping(mapping: Mapping[str, Any]) -> dict[str, str]:
    """A mapping as sent (the file's headers as written → field) keyed the way it is stored."""
    return {_header_key(str(k)): str(v or "").strip() for k, v in mapping.items() if str(k)}


def preview(content: bytes, file_name: str, saved: Mapping[str, str], shown: int = 5) -> Preview:
    file_format, sheet = _sheet(content, file_name)
    fields = [_field_for(h, {}, saved) for h in sheet.headers]
    return Preview(
        file_format,
        list(sheet.headers),
        [f or "" for f in fields],
        [f is not None for f in fields],
        [list(r) for r in sheet.rows[:shown]],
        len(sheet.rows),
    )


def _map_columns(
    headers: list[str], rows: list[list[str]], given: Mapping[str, str], saved: Mapping[str, str]
) -> tuple[dict[int, str], dict[str, str]]:
    errors: list[FieldError] = []
    columns: dict[int, str] = {}
    mapping: dict[str, str] = {}
    taken: dict[str, str] = {}
    for index, header in enumerate(headers):
        if not header:
            if any(index < len(r) and r[index] for r in rows):
                errors.append(
                    FieldError(
                        ("header", f"#{index + 1}"),
                        _("Column %(n)d has values but no header.") % {"n": index + 1},
                    )
                )
            continue
        name = _field_for(header, given, saved)
        if name is None:
            errors.append(
                FieldError(
                    ("header", header),
                    _(
                        "Unknown column “%(column)s”: map it to one of %(fields)s, or choose "
                        "to ignore it."
                    )
                    % {"column": header, "fields": ", ".join(FIELDS)},
                )
            )
            continue
        mapping[_header_key(header)] = name
        if name == "":
            continue
        if name not in FIELDS:
            errors.append(
                FieldError(
                    ("header", header),
                    _("“%(field)s” is not a field that can be imported.") % {"field": name},
                )
            )
        elif name in taken:
            errors.append(
                FieldError(
                    ("header", header),
                    _("The columns “%(a)s” and “%(b)s” are both read as %(field)s.")
                    % {"a": taken[name], "b": header, "field": name},
                )
            )
        else:
            taken[name] = header
            columns[index] = name
    for name in REQUIRED:
        if name not in taken:
            errors.append(
                FieldError(
                    ("header", name),
                    _("No column is read as “%(field)s”, which every sale needs.")
                    % {"field": name},
                )
            )
    if errors:
        detail = errors[0].msg if len(errors) == 1 else _("The file's columns cannot be read.")
        raise InvalidInput(detail, errors)
    return columns, mapping


def _number(text: str) -> float | None:
    text = unicodedata.normalize("NFKC", text).replace(" ", "")
    for sign in ("¥", "￥", "元", "$", "€"):
        text = text.replace(sign, "")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_date(text: str) -> datetime.date | None:
    match = _DATE.match(unicodedata.normalize("NFKC", text.strip()))
    if not match:
        return None
    try:
        return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def parse_currency(text: str) -> str | None:
    key = unicodedata.normalize("NFKC", text.strip())
    code = _CURRENCY_WORDS.get(key.lower(), key.upper())
    return code if _CURRENCY.match(code) else None


def parse_rates(text: str | Mapping[str, Any] | None) -> dict[str, float]:
    """Rates as `USD=7.10, EUR=7.8` (yuan per unit), or InvalidInput naming `rates`."""
    if not text:
        return {}
    pairs = (
        list(text.items())
        if isinstance(text, Mapping)
        else [p.split("=", 1) if "=" in p else (p, "") for p in re.split(r"[,;\s]+", text) if p]
    )
    rates: dict[str, float] = {}
    for code, value in pairs:
        currency = parse_currency(str(code))
        rate = _number(str(value)) if value not in (None, "") else None
        if currency is None or rate is None or rate <= 0:
            raise InvalidInput.field(
                "rates",
                _("Give rates as CODE=yuan per unit, e.g. USD=7.10; “%(pair)s” is not one.")
                % {"pair": f"{code}={value}"},
            )
        rates[currency] = rate
    return rates


def read_sales(
    content: bytes,
    file_name: str,
    *,
    today: datetime.date,
    mapping: Mapping[str, str] | None = None,
    saved: Mapping[str, str] | None = None,
    rates: Mapping[str, float] | None = None,
) -> SalesFile:
    """Every row of the file read and checked, or InvalidInput naming every problem."""
    file_format, sheet = _sheet(content, file_name)
    columns, used = _map_columns(sheet.headers, sheet.rows, mapping or {}, saved or {})
    numbers = sheet.row_numbers or list(range(2, len(sheet.rows) + 2))
    out = SalesFile(file_format, list(sheet.headers), columns, used)
    rates = dict(rates or {})
    problems: list[FieldError] = []
    for r, (number, cells) in enumerate(zip(numbers, sheet.rows, strict=False)):
        row: dict[str, Any] = {}
        row_problems: list[tuple[str, str]] = []
        for index, name in columns.items():
            text = cells[index].strip() if index < len(cells) and cells[index] else ""
            if (r, index) in sheet.formulas:
                row_problems.append(
                    (
                        name,
                        _("The cell holds a formula; formulas are not imported: enter the value."),
                    )
                )
                continue
            if not text:
                if name in REQUIRED:
                    row_problems.append((name, _("This cell is empty; every sale needs it.")))
                continue
            _read_cell(name, text, row, row_problems, today)
        currency = row.get("currency", BASE_CURRENCY)
        row["currency"] = currency
        if "value" in row:
            row["value_original"] = row["value"]
            if currency != BASE_CURRENCY:
                if currency in rates:
                    row["value"] = round(row["value_original"] * rates[currency], 2)
                    if not row["value"] <= MAX_NUMBER:
                        row_problems.append(("value", _too_large()))
                elif not any(n == "currency" for n, _m in row_problems):
                    row_problems.append(
                        (
                            "currency",
                            _(
                                "Values in %(currency)s need a rate to yuan (e.g. "
                                "%(currency)s=7.10): a file in another currency, or mixing "
                                "currencies, is not converted at a guessed rate."
                            )
                            % {"currency": currency},
                        )
                    )
        out.currencies.add(currency)
        problems += [FieldError(("row", number, name), msg) for name, msg in row_problems]
        out.rows.append(row)
        out.row_numbers.append(number)
    if not sheet.rows:
        raise InvalidInput.field("file", _("The file has no rows."))
    if problems:
        raise InvalidInput(
            _("%(count)d problems in the file; nothing was imported.") % {"count": len(problems)},
            problems,
        )
    return out


def _read_cell(
    name: str,
    text: str,
    row: dict[str, Any],
    problems: list[tuple[str, str]],
    today: datetime.date,
) -> None:
    if name == "date":
        date = parse_date(text)
        if date is None:
            problems.append(
                (name, _("“%(text)s” is not a date: write it as YYYY-MM-DD.") % {"text": text})
            )
        elif date > today:
            problems.append(
                (
                    name,
                    _("%(date)s is after today (%(today)s): sales cannot be in the future.")
                    % {"date": date.isoformat(), "today": today.isoformat()},
                )
            )
        elif date.year < 2000:
            problems.append((name, _("Dates before 2000 are not imported.")))
        else:
            row[name] = date
    elif name in ("quantity", "value"):
        number = _number(text)
        if number is None:
            problems.append((name, _("“%(text)s” is not a number.") % {"text": text}))
        elif number < 0:
            problems.append(
                (
                    name,
                    _("%(number)s is below 0: returns are not sales; leave them out.")
                    % {"number": text},
                )
            )
        elif number > MAX_NUMBER:
            problems.append((name, _too_large()))
        else:
            row[name] = number
    elif name == "channel":
        channel = _CHANNELS.get(_header_key(text))
        if channel is None:
            problems.append(
                (
                    name,
                    _("“%(text)s” is not a channel; one of: %(channels)s.")
                    % {"text": text, "channels": ", ".join(Channel.values)},
                )
            )
        else:
            row[name] = channel
    elif name == "price_band":
        band = _PRICE_BANDS.get(_header_key(text))
        if band is None:
            problems.append(
                (
                    name,
                    _("“%(text)s” is not a price band; one of: %(bands)s.")
                    % {"text": text, "bands": ", ".join(PriceBand.values)},
                )
            )
        else:
            row[name] = band
    elif name == "currency":
        currency = parse_currency(text)
        if currency is None:
            problems.append(
                (name, _("“%(text)s” is not a currency code (CNY, USD …).") % {"text": text})
            )
        else:
            row[name] = currency
    else:
        limit = 200 if name == "product" else TEXT_LIMIT
        if len(text) > limit:
            problems.append((name, _("At most %(n)d characters.") % {"n": limit}))
        else:
            row[name] = text if name in ("product", "sku", "session_ref") else _attribute(text)


def _too_large() -> str:
    return _("Enter a value of at most %(limit)s.") % {"limit": f"{MAX_NUMBER:,.0f}"}


def _attribute(text: str) -> str:
    """Attribute values as the trend scan compares them: one spelling per value (NFKC, lower
    case, spaces as underscores), so "Cowhide" and "cowhide " are one material."""
    return re.sub(r"\s+", "_", unicodedata.normalize("NFKC", text).strip().lower())
