"""Reading a file of monthly green records (CSV in UTF-8 or GBK, or the first sheet of an
XLSX workbook) into the rows `services.import_records` checks and writes. The file itself is
read by the registry's reader (`registry.importing.read_table`: encodings, file types, size),
so both imports refuse the same files in the same words; this module only knows our columns.

Whole-file problems (unknown, missing or repeated columns, too many rows, data on a second
sheet) raise `InvalidInput` naming the column (`loc` = ("header", column)) before any row is
read; a row's problems are the service's, named by row and field. Nothing here touches the
database."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from clusterbrain.errors import FieldError, InvalidInput
from clusterbrain.registry import importing as table_reader
from clusterbrain.registry.importing import _header_key

# The template's columns, in its order: the services' field names, with `site` for a site's
# name or number (`facility`, its id, is read too).
COLUMNS = (
    "month",
    "site",
    "area_chrome_m2",
    "area_chrome_free_m2",
    "area_vegetable_m2",
    "area_other_m2",
    "output_quantity",
    "output_unit",
    "water_m3",
    "electricity_kwh",
    "coal_t",
    "natural_gas_m3",
    "diesel_t",
    "steam_gj",
    "chemicals_kg",
    "chrome_agent_kg",
    "note",
)
# Columns a file may have besides the template's: a one-process month as process + area.
OTHER_COLUMNS = ("facility", "process", "area_m2")
TEXT_COLUMNS = frozenset({"month", "site", "facility", "process", "output_unit", "note"})
FIGURE_COLUMNS = frozenset(COLUMNS) - TEXT_COLUMNS | {"area_m2"}

# Headers as people write them: our field names, the page's labels in English and Chinese
# (the zh_Hans catalogue's), compared after the registry's `_header_key` (NFKC, lower case,
# no spaces or punctuation: "Water (m³)" and "water_m3" are both "waterm3").
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "month": ("月份", "月", "年月", "monthyyyymm"),
    "site": ("厂区", "站点", "场地", "sitename", "sitenumber"),
    "facility": ("facilityid", "厂区编号"),
    "area_chrome_m2": ("Leather tanned with chrome (m²)", "铬鞣皮革（m²）", "铬鞣面积"),
    "area_chrome_free_m2": ("Leather tanned chrome-free (m²)", "无铬鞣皮革（m²）", "无铬鞣面积"),
    "area_vegetable_m2": (
        "Leather tanned with vegetable tannins (m²)",
        "植鞣皮革（m²）",
        "植鞣面积",
    ),
    "area_other_m2": ("Leather tanned otherwise (m²)", "其他鞣制皮革（m²）", "其他鞣制面积"),
    "output_quantity": ("Other output", "其他产出", "产量"),
    "output_unit": ("Unit of the other output", "其他产出单位", "单位", "unit"),
    "water_m3": ("Water (m³)", "用水（m³）", "用水量"),
    "electricity_kwh": ("Electricity (kWh)", "用电（kWh）", "用电量"),
    "coal_t": ("Coal (t)", "用煤（t）", "用煤量"),
    "natural_gas_m3": ("Natural gas (m³)", "天然气（m³）", "天然气用量"),
    "diesel_t": ("Diesel (t)", "柴油（t）", "柴油用量"),
    "steam_gj": ("Purchased steam (GJ)", "外购蒸汽（GJ）", "蒸汽（GJ）"),
    "chemicals_kg": ("Chemicals (kg)", "化工材料（kg）", "化学品（kg）"),
    "chrome_agent_kg": ("Chrome tanning agent (kg)", "铬鞣剂（kg）"),
    "note": ("备注", "remark", "remarks"),
    "process": ("鞣制工艺", "工艺", "tanningprocess"),
    "area_m2": ("面积（m²）", "鞣制面积（m²）", "area"),
}
_HEADER_INDEX = {
    _header_key(spelling): name
    for name in (*COLUMNS, *OTHER_COLUMNS)
    for spelling in (name, *HEADER_SYNONYMS.get(name, ()))
}

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(月)?$")
_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]00:00(:00)?$")


def max_rows() -> int:
    """A firm's file holds its sites' months: thousands of rows, not the registry's lists."""
    return int(getattr(settings, "GREEN_IMPORT_MAX_ROWS", 10_000))


@dataclass
class RecordFile:
    """A file's rows as `services.import_records` takes them."""

    file_format: str  # csv | xlsx
    headers: dict[str, str]  # field → the file's header for it
    rows: list[dict[str, str]]
    row_numbers: list[int]
    # (row number, field) of cells that held a formula: their text is not a value
    formulas: set[tuple[int, str]] = field(default_factory=set)

    def column(self, name: str) -> str:
        """The file's header of a field, as its user wrote it."""
        return self.headers.get(name, name)


def recognise_column(header: str) -> str:
    """The field a header names, or ""."""
    return _HEADER_INDEX.get(_header_key(header), "") if header else ""


def _header_error(column: str, msg: str) -> FieldError:
    return FieldError(("header", column), msg)


def _map_headers(headers: list[str], rows: list[list[str]]) -> dict[int, str]:
    """Column index → field, or InvalidInput naming every column that cannot be read."""
    errors: list[FieldError] = []
    mapping: dict[int, str] = {}
    taken: dict[str, str] = {}
    for index, header in enumerate(headers):
        if not header:
            if any(index < len(row) and row[index] for row in rows):
                column = f"#{index + 1}"
                errors.append(
                    _header_error(
                        column,
                        _("Column %(n)d has values but no header.") % {"n": index + 1},
                    )
                )
            continue
        name = recognise_column(header)
        if not name:
            errors.append(
                _header_error(
                    header,
                    _("Unknown column “%(column)s”. The columns are: %(columns)s.")
                    % {"column": header, "columns": ", ".join((*COLUMNS, *OTHER_COLUMNS))},
                )
            )
        elif name in taken:
            errors.append(
                _header_error(
                    header,
                    _("The columns “%(a)s” and “%(b)s” are both read as %(field)s.")
                    % {"a": taken[name], "b": header, "field": name},
                )
            )
        else:
            taken[name] = header
            mapping[index] = name
    if "month" not in taken:
        errors.append(
            _header_error(
                "month",
                _("The file has no “month” column (the month of each row, as YYYY-MM)."),
            )
        )
    if not FIGURE_COLUMNS & set(taken):
        errors.append(
            FieldError(
                ("header",),
                _("The file has no column of figures (areas tanned, output, water or energy)."),
            )
        )
    for one, other in (("process", "area_m2"), ("area_m2", "process")):
        if one in taken and other not in taken:
            errors.append(
                _header_error(
                    taken[one],
                    _("The column “%(column)s” needs a “%(other)s” column beside it.")
                    % {"column": taken[one], "other": other},
                )
            )
    if errors:
        detail = errors[0].msg if len(errors) == 1 else _("The file's columns cannot be read.")
        raise InvalidInput(detail, errors)
    return mapping


def _cell_value(name: str, text: str) -> str:
    """A cell's text as the services read it: months as YYYY-MM whatever the spreadsheet
    made of them, figures without thousands separators or full-width digits."""
    text = text.strip()
    if name == "month":
        midnight = _MIDNIGHT.match(text)
        if midnight:
            return midnight.group(1)[:7]
        month = _MONTH.match(unicodedata.normalize("NFKC", text))
        if month and 1 <= int(month.group(2)) <= 12:
            return f"{month.group(1)}-{int(month.group(2)):02d}"
        return text
    if name in FIGURE_COLUMNS:
        text = unicodedata.normalize("NFKC", text).replace(" ", "")
        if _THOUSANDS.match(text):
            return text.replace(",", "")
    return text


def read_records(content: bytes, file_name: str) -> RecordFile:
    """The file's rows keyed by field, or InvalidInput about the file as a whole."""
    table = table_reader.read_table(content, file_name, max_rows=max_rows())
    sheet, *others = table.sheets
    with_rows = [s.name for s in others if s.rows]
    if with_rows:
        raise InvalidInput(
            _(
                "Only the first sheet is read, but %(sheets)s also holds rows: keep the "
                "records on one sheet."
            )
            % {"sheets": ", ".join(f"“{name}”" for name in with_rows)},
            [FieldError(("file",), _("The workbook has rows on more than one sheet."))],
        )
    if len(sheet.rows) > max_rows():
        msg = _("The file has %(rows)s rows; the limit is %(limit)s.") % {
            "rows": f"{len(sheet.rows):,}",
            "limit": f"{max_rows():,}",
        }
        raise InvalidInput(msg, [FieldError(("file",), msg)])
    mapping = _map_headers(sheet.headers, sheet.rows)
    numbers = sheet.row_numbers or list(range(2, len(sheet.rows) + 2))
    records = RecordFile(
        table.file_format,
        {name: sheet.headers[i] for i, name in mapping.items()},
        [],
        numbers,
    )
    for r, cells in enumerate(sheet.rows):
        row: dict[str, str] = {}
        for index, name in mapping.items():
            text = cells[index] if index < len(cells) else ""
            if (r, index) in sheet.formulas:
                records.formulas.add((numbers[r], name))
            if text:
                row[name] = _cell_value(name, text)
        records.rows.append(row)
    return records


def name_columns(exc: InvalidInput, records: RecordFile) -> InvalidInput:
    """The service's row errors with the file's own words: a formula named as such."""
    errors = []
    for error in exc.errors:
        loc, msg = error.loc, error.msg
        if len(loc) == 3 and loc[0] == "row" and (loc[1], loc[2]) in records.formulas:
            msg = _("The cell holds a formula; formulas are not imported: enter the value.")
        errors.append(FieldError(loc, msg))
    return InvalidInput(exc.detail, errors)


def template_rows() -> tuple[list[str], list[list[Any]]]:
    """The template's header and no rows: an example row would be imported by whoever forgot
    to delete it."""
    return list(COLUMNS), []
