"""Reading firm lists: CSV (UTF-8 or GBK) and XLSX (every sheet), recognising their columns,
checking each row. Nothing here touches the database: `registry.stewardship` stages what this
reads and writes it on commit.

Problems are collected per row and per field, never raised one at a time: the preview shows the
user every problem of the file at once. A problem that concerns the whole file (not a table, too
large, no name column) raises `InvalidInput` naming the file or the column."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from clusterbrain.engines.resolution.uscc import USCCError, normalise_uscc, validate_uscc
from clusterbrain.errors import FieldError, InvalidInput

# The fields a column can be read as. "" means: not imported (kept in the row's raw cells).
IMPORT_FIELDS = (
    "name",
    "name_en",
    "uscc",
    "address",
    "address_en",
    "phone",
    "legal_representative",
    "products",
    "business_scope",
    "country",
    "sector",
    "latitude",
    "longitude",
)

# Header spellings seen on Chinese government, chamber and buyer lists and on Open Supply Hub's
# facility lists, compared after `_header_key` (NFKC, lower case, no spaces or punctuation).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "企业名称",
        "公司名称",
        "单位名称",
        "名称",
        "企业名",
        "厂名",
        "商户名称",
        "市场主体名称",
        "会员单位",
        "会员名称",
        "供应商名称",
        "参展企业",
        "参展商名称",
        "纳税人名称",
        "企业(单位)名称",
        "name",
        "companyname",
        "company",
        "enterprisename",
        "firmname",
        "suppliername",
        "facilityname",
        "nameoffacility",
        "exhibitor",
    ),
    "name_en": (
        "英文名称",
        "企业英文名称",
        "英文名",
        "englishname",
        "nameenglish",
        "nameen",
        "companynameenglish",
    ),
    "uscc": (
        "统一社会信用代码",
        "社会信用代码",
        "信用代码",
        "统一代码",
        "纳税人识别号",
        "税号",
        "注册号",
        "uscc",
        "unifiedsocialcreditcode",
        "creditcode",
        "socialcreditcode",
        "registrationnumber",
        "taxid",
    ),
    "address": (
        "地址",
        "企业地址",
        "注册地址",
        "住所",
        "经营地址",
        "经营场所",
        "通讯地址",
        "生产地址",
        "详细地址",
        "厂址",
        "address",
        "companyaddress",
        "facilityaddress",
        "registeredaddress",
    ),
    "address_en": ("英文地址", "addressenglish", "englishaddress", "addressen"),
    "phone": (
        "联系电话",
        "电话",
        "手机",
        "手机号",
        "联系方式",
        "固定电话",
        "办公电话",
        "phone",
        "telephone",
        "tel",
        "mobile",
        "phonenumber",
        "contactphone",
    ),
    "legal_representative": (
        "法定代表人",
        "法人代表",
        "法人",
        "负责人",
        "经营者",
        "法定代表人姓名",
        "legalrepresentative",
        "legalrep",
        "legalperson",
        "owner",
    ),
    "products": (
        "主营产品",
        "主要产品",
        "产品",
        "主营",
        "主营业务",
        "products",
        "mainproducts",
        "producttype",
        "product",
    ),
    "business_scope": ("经营范围", "businessscope", "scope"),
    "country": ("国家", "国家地区", "country", "countrycode", "countryname"),
    "sector": ("行业", "所属行业", "行业类别", "sector", "industry"),
    "latitude": ("纬度", "lat", "latitude"),
    "longitude": ("经度", "lng", "lon", "long", "longitude"),
}

_NOT_KEY = re.compile(r"[\s_\-/()（）·.:：*、,，]+")


def _header_key(text: str) -> str:
    return _NOT_KEY.sub("", unicodedata.normalize("NFKC", text).lower())


_HEADER_INDEX = {
    _header_key(s): name for name, spellings in HEADER_SYNONYMS.items() for s in spellings
}

# Columns Open Supply Hub's facility-list template has, in its order (and what we fill them with).
OSH_COLUMNS = (
    "country",
    "name",
    "address",
    "sector",
    "product_type",
    "facility_type",
    "number_of_workers",
    "parent_company",
    "lat",
    "lng",
)

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def max_import_bytes() -> int:
    return int(getattr(settings, "REGISTRY_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_import_rows() -> int:
    return int(getattr(settings, "REGISTRY_IMPORT_MAX_ROWS", 200_000))


@dataclass
class Sheet:
    name: str
    headers: list[str]
    rows: list[list[str]]
    # (row index, column index) of cells that held a formula: their value is not imported.
    formulas: set[tuple[int, int]] = field(default_factory=set)
    # Each row's number in the file as a spreadsheet shows it (the header's included, blank
    # lines counted), for readers that name rows by it (green.importing).
    row_numbers: list[int] = field(default_factory=list)


@dataclass
class Table:
    file_format: str  # "csv" | "xlsx"
    encoding: str
    sheets: list[Sheet]


@dataclass
class ReadRow:
    """A row as it will be staged: mapped values, the raw cells and its problems."""

    sheet: str
    row_number: int  # as a spreadsheet user counts: the header is row 1
    raw: dict[str, str]
    values: dict[str, Any]
    problems: list[dict[str, str]]

    @property
    def has_errors(self) -> bool:
        return any(p["severity"] == "error" for p in self.problems)


def recognise_column(header: str) -> str:
    """The field a header names, or "" when it is none we know."""
    key = _header_key(header)
    if not key:
        return ""
    return _HEADER_INDEX.get(key, "")


def recognise_headers(headers: Sequence[str]) -> dict[int, str]:
    """Column index → field, each field taken by its first column only."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        name = recognise_column(header)
        if name and name not in taken:
            mapping[index] = name
            taken.add(name)
    return mapping


def _file_error(msg: str) -> InvalidInput:
    return InvalidInput(msg, [FieldError(("file",), msg)])


def check_size(size: int) -> None:
    """Refuse a file above settings.REGISTRY_IMPORT_MAX_BYTES (before reading an upload)."""
    limit = max_import_bytes()
    if size > limit:
        raise _file_error(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}
        )


MAX_COLUMNS = 200
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def check_workbook(content: bytes, max_rows: int) -> None:
    """Before openpyxl reads a workbook: a file of a few kilobytes may unpack to gigabytes (a
    zip bomb), or declare a sheet of XFD200000 — the read-only reader then pads every row to
    16,384 cells from row 1, which took minutes and all memory for a 5 KB file. Refused
    whole, naming the file."""
    try:
        book = zipfile.ZipFile(io.BytesIO(content))
        infos = book.infolist()
    except (zipfile.BadZipFile, ValueError):
        return  # the reader says what is wrong with it
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise _file_error(
            _("The workbook unpacks to more than %(mb)d MB.") % {"mb": MAX_UNPACKED_BYTES >> 20}
        )
    for info in infos:
        if not info.filename.startswith("xl/worksheets/"):
            continue
        with book.open(info) as handle:
            head = handle.read(8192)
        found = _DIMENSION.search(head)
        if not found or not found.group(3):
            continue
        columns = _column_number(found.group(3).decode())
        rows = int(found.group(4))
        if columns > MAX_COLUMNS or rows > max_rows + 1:
            msg = _(
                "A sheet spans %(columns)s columns and %(rows)s rows; the limits are "
                "%(max_columns)s columns and %(max_rows)s rows: delete the empty rows and "
                "columns beyond the data."
            ) % {
                "columns": f"{columns:,}",
                "rows": f"{rows:,}",
                "max_columns": MAX_COLUMNS,
                "max_rows": f"{max_rows:,}",
            }
            raise _file_error(msg)


def read_table(content: bytes, file_name: str, max_rows: int | None = None) -> Table:
    """The file's sheets, or InvalidInput naming what is wrong with the file as a whole.
    `max_rows`: the most data rows the caller takes (its sheets are checked against it before
    they are read); the registry's import limit when not given."""
    if not content:
        raise _file_error(_("The file is empty."))
    check_size(len(content))
    lower = file_name.lower()
    if content.startswith(XLSX_MAGIC):
        if not lower.endswith((".xlsx", ".xlsm")) and zipfile.is_zipfile(io.BytesIO(content)):
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
            if "xl/workbook.xml" not in names:
                raise _file_error(_("The file is a ZIP archive, not a CSV or XLSX table."))
        check_workbook(content, max_import_rows() if max_rows is None else max_rows)
        return _read_xlsx(content)
    if content.startswith(OLE_MAGIC):
        raise _file_error(
            _("Old Excel .xls files cannot be read: save the file as .xlsx or CSV and try again.")
        )
    if lower.endswith((".xlsx", ".xlsm")):
        raise _file_error(_("The file is named .xlsx but is not an Excel workbook."))
    if (
        content[:5] == b"%PDF-"
        or content[:4] in (b"\x89PNG", b"GIF8")
        or content[:3] == b"\xff\xd8\xff"
    ):
        raise _file_error(_("This is not a table: upload a CSV or XLSX file."))
    return _read_csv(content)


def _decode(content: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM, else GBK (as GB 18030, its superset):
    Chinese offices still save CSV in GBK. A file that is neither is refused, never mangled."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16"), "utf-16"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _file_error(
            _("The file is neither UTF-8 nor GBK text (undecodable bytes at position %(pos)s).")
            % {"pos": exc.start}
        ) from exc
    if "\x00" in text:
        raise _file_error(_("This is not a table: upload a CSV or XLSX file."))
    return text, "gbk"


def _read_csv(content: bytes) -> Table:
    text, encoding = _decode(content)
    if "\x00" in text:
        raise _file_error(_("This is not a table: upload a CSV or XLSX file."))
    sample = text[:20000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        lines = [[cell.strip() for cell in line] for line in reader]
    except csv.Error as exc:
        raise _file_error(
            _("The CSV file is malformed at line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from exc
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if any(line)]
    if not numbered:
        raise _file_error(_("The file is empty."))
    lines = [line for _n, line in numbered]
    sheet = Sheet(
        name="", headers=lines[0], rows=lines[1:], row_numbers=[n for n, _l in numbered[1:]]
    )
    # A CSV cell is text, but a spreadsheet opening it would run "=…": flagged like a formula.
    for r, row in enumerate(sheet.rows):
        for c, cell in enumerate(row):
            if cell.startswith("="):
                sheet.formulas.add((r, c))
    return Table("csv", encoding, [sheet])


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value).strip()


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise _file_error(_("The Excel file cannot be read: %(error)s") % {"error": exc}) from exc
    sheets = []
    try:
        for ws in book.worksheets:
            rows: list[list[str]] = []
            formulas: set[tuple[int, int]] = set()
            numbers: list[int] = []
            headers: list[str] | None = None
            # read-only sheets yield missing rows as empty ones from row 1, so this counts as
            # the spreadsheet does
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [_cell_text(v) for v in values]
                if not any(cells):
                    continue
                if headers is None:
                    headers = cells
                    continue
                for c, text in enumerate(cells):
                    if text.startswith("="):
                        formulas.add((len(rows), c))
                rows.append(cells)
                numbers.append(number)
            if headers is not None:
                sheets.append(Sheet(ws.title, headers, rows, formulas, numbers))
    finally:
        book.close()
    if not sheets:
        raise _file_error(_("The file is empty."))
    return Table("xlsx", "", sheets)


def default_mapping(table: Table) -> dict[str, dict[str, str]]:
    return {
        sheet.name: {str(i): f for i, f in recognise_headers(sheet.headers).items()}
        for sheet in table.sheets
    }


def check_mapping(table: Table, mapping: Mapping[str, Mapping[str, str]]) -> None:
    """A mapping must name known fields, at most one column per field, and a name column in
    every sheet that has rows."""
    errors = []
    for sheet in table.sheets:
        columns = mapping.get(sheet.name, {})
        seen: dict[str, str] = {}
        for index, name in columns.items():
            if not name:
                continue
            if name not in IMPORT_FIELDS:
                errors.append(
                    FieldError(
                        ("mapping", sheet.name, index),
                        _("“%(field)s” is not a field that can be imported.") % {"field": name},
                    )
                )
            elif name in seen:
                errors.append(
                    FieldError(
                        ("mapping", sheet.name, index),
                        _("Two columns are read as “%(field)s”: %(a)s and %(b)s.")
                        % {
                            "field": name,
                            "a": _column_label(sheet, seen[name]),
                            "b": _column_label(sheet, index),
                        },
                    )
                )
            else:
                seen[name] = index
        if sheet.rows and "name" not in seen and "name_en" not in seen:
            where = sheet.name or _("the file")
            errors.append(
                FieldError(
                    ("mapping", sheet.name),
                    _(
                        "No column of %(sheet)s is recognised as the firm's name (headers: "
                        "%(headers)s). Choose which column holds the name."
                    )
                    % {"sheet": where, "headers": ", ".join(h or "—" for h in sheet.headers)},
                )
            )
    if errors:
        raise InvalidInput(errors[0].msg, errors)


def _column_label(sheet: Sheet, index: str) -> str:
    i = int(index)
    header = sheet.headers[i] if i < len(sheet.headers) else ""
    return f"{i + 1} ({header})" if header else str(i + 1)


def read_rows(table: Table, mapping: Mapping[str, Mapping[str, str]]) -> list[ReadRow]:
    """Every data row mapped and checked. Row numbers count the header as row 1, as the user's
    spreadsheet does (blank lines skipped)."""
    out: list[ReadRow] = []
    limit = max_import_rows()
    total = sum(len(s.rows) for s in table.sheets)
    if total > limit:
        raise _file_error(
            _("The file has %(rows)s rows; the limit is %(limit)s.")
            % {"rows": f"{total:,}", "limit": f"{limit:,}"}
        )
    for sheet in table.sheets:
        columns = {int(i): f for i, f in mapping.get(sheet.name, {}).items() if f}
        for r, cells in enumerate(sheet.rows):
            raw = {
                (
                    sheet.headers[c] if c < len(sheet.headers) and sheet.headers[c] else f"#{c + 1}"
                ): v
                for c, v in enumerate(cells)
                if v
            }
            values: dict[str, Any] = {}
            problems: list[dict[str, str]] = []
            for c, name in columns.items():
                cell = cells[c] if c < len(cells) else ""
                if (r, c) in sheet.formulas:
                    problems.append(
                        _problem(
                            name,
                            gettext_noop(
                                "The cell holds a formula (%(cell)s); formulas are not imported."
                            ),
                            {"cell": cell[:60]},
                        )
                    )
                    continue
                values[name] = cell
            _check_row(values, problems)
            out.append(ReadRow(sheet.name, r + 2, raw, values, problems))
    _flag_repeated_uscc(out)
    return out


def _problem(
    field_name: str, msgid: str, params: dict[str, Any] | None = None, severity: str = "error"
) -> dict[str, Any]:
    """A row's problem as stored: the message's catalogue id and parameters, so each reader
    gets it in their own language (`problem_message`); `msg` as the uploader read it."""
    problem = {"field": field_name, "severity": severity, "msgid": msgid, "params": params or {}}
    problem["msg"] = problem_message(problem)
    return problem


def problem_message(problem: Mapping[str, Any]) -> str:
    """A stored problem in the current language."""
    msgid = problem.get("msgid")
    params = problem.get("params") or {}
    if msgid == USCC_PROBLEM:
        from clusterbrain.registry.models import uscc_error_message

        error = USCCError("", str(params.get("code", "invalid")), **params.get("detail", {}))
        return f"{uscc_error_message(error)} (“{params.get('value', '')}”)"
    if not msgid:
        return str(problem.get("msg", ""))
    try:
        return _(msgid) % params if params else _(msgid)
    except (KeyError, TypeError, ValueError):
        return str(problem.get("msg", msgid))


USCC_PROBLEM = "invalid-uscc"


def _check_row(values: dict[str, Any], problems: list[dict[str, str]]) -> None:
    for key, value in list(values.items()):
        if isinstance(value, str):
            values[key] = " ".join(value.split())
    if (
        not values.get("name")
        and not values.get("name_en")
        and not any(p["field"] in ("name", "name_en") for p in problems)
    ):
        problems.append(_problem("name", gettext_noop("The row has no firm name.")))
    raw_uscc = values.get("uscc", "")
    if raw_uscc:
        try:
            values["uscc"] = validate_uscc(raw_uscc)
        except USCCError as exc:
            detail = {k: v for k, v in exc.params.items() if isinstance(v, str | int)}
            problems.append(
                _problem(
                    "uscc",
                    USCC_PROBLEM,
                    {"code": exc.code, "detail": detail, "value": raw_uscc[:40]},
                )
            )
            values["uscc"] = ""
    for name, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        text = values.get(name, "")
        if not text:
            values.pop(name, None)
            continue
        try:
            number = float(text)
        except ValueError:
            problems.append(
                _problem(name, gettext_noop("“%(value)s” is not a number."), {"value": text[:40]})
            )
            values.pop(name)
            continue
        if not low <= number <= high:
            problems.append(
                _problem(
                    name,
                    gettext_noop("%(value)s is outside %(low)s…%(high)s."),
                    {"value": text, "low": low, "high": high},
                )
            )
            values.pop(name)
        else:
            values[name] = number
    for name, limit in (("name", 300), ("name_en", 300), ("address", 400), ("phone", 100)):
        if len(values.get(name, "") or "") > limit:
            problems.append(
                _problem(name, gettext_noop("Longer than %(limit)s characters."), {"limit": limit})
            )


def _flag_repeated_uscc(rows: Iterable[ReadRow]) -> None:
    first: dict[str, ReadRow] = {}
    for row in rows:
        code = row.values.get("uscc")
        if not code or row.has_errors:
            continue
        if code in first:
            other = first[code]
            where = f"{other.sheet} " if other.sheet else ""
            row.problems.append(
                _problem(
                    "uscc",
                    gettext_noop("The same USCC as row %(row)s: both rows are read as one firm."),
                    {"row": f"{where}{other.row_number}"},
                    "warning",
                )
            )
        else:
            first[code] = row


def safe_cell(value: Any) -> Any:
    """A value written to CSV/XLSX that no spreadsheet will run as a formula (OWASP's CSV
    injection advice: a leading = + - @ tab or CR is escaped with a quote). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def normalised_uscc_or_blank(raw: str) -> str:
    try:
        return normalise_uscc(raw)
    except USCCError:
        return ""
