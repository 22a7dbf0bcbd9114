"""Reading firm lists: formats, encodings, header recognition, row problems (no database)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

import factories
from clusterbrain.errors import InvalidInput
from clusterbrain.registry import importing

USCC = factories.new_uscc()
ZH_HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "地址",
    "法定代表人",
    "联系电话",
    "主营产品",
    "经营范围",
]
ROW = [
    "广州市花都区狮岭镇鸿达皮具厂",
    USCC,
    "广州市花都区狮岭镇阳光路18号",
    "张伟",
    "020-86981234",
    "女包",
    "皮具制造",
]


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the catalogue translates them for zh-Hans users)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    return "\n".join(",".join(r) for r in rows).encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("企业名称", "name"),
        ("公司名称", "name"),
        ("企业（单位）名称", "name"),
        ("统一社会信用代码", "uscc"),
        ("纳税人识别号", "uscc"),
        ("注册地址", "address"),
        ("法定代表人", "legal_representative"),
        ("联系电话", "phone"),
        ("主营产品", "products"),
        ("经营范围", "business_scope"),
        ("Company Name", "name"),
        ("company_name", "name"),
        ("ADDRESS", "address"),
        ("Legal Representative", "legal_representative"),
        ("Tel.", "phone"),
        # Open Supply Hub's facility list
        ("name", "name"),
        ("country", "country"),
        ("sector", "sector"),
        ("product_type", "products"),
        ("lat", "latitude"),
        ("lng", "longitude"),
        ("备注", ""),
        ("", ""),
    ],
)
def test_headers_are_recognised_in_chinese_english_and_osh(header: str, field: str) -> None:
    assert importing.recognise_column(header) == field


def test_first_column_of_a_field_wins() -> None:
    assert importing.recognise_headers(["名称", "企业名称", "地址"]) == {0: "name", 2: "address"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_and_gbk_is_read_intact(encoding: str) -> None:
    table = importing.read_table(csv_bytes([ZH_HEADERS, ROW], encoding), "list.csv")
    assert table.file_format == "csv"
    sheet = table.sheets[0]
    assert sheet.headers == ZH_HEADERS
    assert sheet.rows == [ROW]
    rows = importing.read_rows(table, importing.default_mapping(table))
    assert rows[0].values["name"] == "广州市花都区狮岭镇鸿达皮具厂"
    assert rows[0].values["uscc"] == USCC
    assert rows[0].row_number == 2
    assert not rows[0].problems


def test_semicolon_and_tab_separated_files() -> None:
    for sep in (";", "\t"):
        text = "\n".join(sep.join(r) for r in [ZH_HEADERS, ROW]).encode()
        table = importing.read_table(text, "list.txt")
        assert table.sheets[0].rows[0][0] == ROW[0]


def test_xlsx_reads_every_sheet_and_flags_formulas() -> None:
    content = xlsx_bytes(
        {
            "会员": [["企业名称", "地址"], ["鸿达皮具", "狮岭镇"], ['=HYPERLINK("x")', "狮岭"]],
            "Suppliers": [["Company name", "Address"], ["Hongda Leather Co., Ltd.", "Shiling"]],
        }
    )
    table = importing.read_table(content, "lists.xlsx")
    assert [s.name for s in table.sheets] == ["会员", "Suppliers"]
    rows = importing.read_rows(table, importing.default_mapping(table))
    assert [r.sheet for r in rows] == ["会员", "会员", "Suppliers"]
    formula_row = rows[1]
    assert formula_row.has_errors
    assert formula_row.problems[0]["field"] == "name"
    assert "formula" in formula_row.problems[0]["msg"]
    assert "name" not in formula_row.values
    assert rows[2].values["name"] == "Hongda Leather Co., Ltd."


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "list.csv", "not a table"),
        (b"%PDF-1.4 stuff", "list.csv", "not a table"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "list.xls", ".xls"),
        (b"plain text", "list.xlsx", "not an Excel workbook"),
        (b"abc\x80\xff\x80\xff" * 10, "list.csv", "neither UTF-8 nor GBK"),
        (b"\n\n,,\n", "list.csv", "empty"),
    ],
)
def test_files_that_are_not_lists_are_refused_with_a_reason(
    content: bytes, name: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        importing.read_table(content, name)
    assert message in caught.value.detail
    assert caught.value.errors[0].loc == ("file",)


def test_too_large_files_are_refused(settings) -> None:
    settings.REGISTRY_IMPORT_MAX_BYTES = 100
    with pytest.raises(InvalidInput, match="limit is"):
        importing.read_table(csv_bytes([ZH_HEADERS, ROW] * 5), "big.csv")


@pytest.mark.parametrize("max_rows", [None, 10])
def test_a_workbook_declaring_a_sheet_beyond_the_limits_is_refused_unread(max_rows) -> None:
    """A few kilobytes declaring A1:XFD200000 kept openpyxl's read-only reader padding rows for
    minutes: every importer (registry, green, market) refuses it from the sheet's declared
    size, naming the file, before reading a row; a caller's own row limit is the one checked."""
    book = Workbook()
    sheet = book.active
    sheet.append(ZH_HEADERS)
    sheet.append(ROW)
    sheet["XFD200000" if max_rows is None else "B20"] = 1
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(InvalidInput) as caught:
        importing.read_table(out.getvalue(), "bomb.xlsx", max_rows=max_rows)
    assert caught.value.errors[0].loc == ("file",)
    # the sheet's declared size is named: 16,384 columns, or the 20 rows over a limit of 10
    assert ("16,384" if max_rows is None else "and 20 rows") in caught.value.detail


def test_too_many_rows_are_refused(settings) -> None:
    settings.REGISTRY_IMPORT_MAX_ROWS = 2
    table = importing.read_table(csv_bytes([ZH_HEADERS, ROW, ROW, ROW]), "rows.csv")
    with pytest.raises(InvalidInput, match="3 rows"):
        importing.read_rows(table, importing.default_mapping(table))


def test_a_list_without_a_name_column_names_its_headers() -> None:
    table = importing.read_table(csv_bytes([["编号", "地址"], ["1", "狮岭"]]), "x.csv")
    with pytest.raises(InvalidInput) as caught:
        importing.check_mapping(table, importing.default_mapping(table))
    assert "编号" in caught.value.detail and "地址" in caught.value.detail
    assert caught.value.errors[0].loc == ("mapping", "")


def test_mapping_rejects_unknown_fields_and_one_field_twice() -> None:
    table = importing.read_table(csv_bytes([["a", "b"], ["x", "y"]]), "x.csv")
    with pytest.raises(InvalidInput, match="not a field"):
        importing.check_mapping(table, {"": {"0": "name", "1": "salary"}})
    with pytest.raises(InvalidInput, match="Two columns"):
        importing.check_mapping(table, {"": {"0": "name", "1": "name"}})


def test_row_problems_name_the_field_and_keep_the_good_values() -> None:
    bad_uscc = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    table = importing.read_table(
        csv_bytes(
            [
                ["企业名称", "统一社会信用代码", "纬度", "经度"],
                ["甲皮具厂", bad_uscc, "23.4", "113.2"],
                ["", USCC, "95", "abc"],
                ["乙皮具厂", USCC, "", ""],
                ["丙皮具厂", USCC.lower(), "", ""],
            ]
        ),
        "x.csv",
    )
    rows = importing.read_rows(table, importing.default_mapping(table))
    first, second, third, fourth = rows
    assert [p["field"] for p in first.problems] == ["uscc"]
    assert "Invalid unified social credit code" in first.problems[0]["msg"]
    assert first.values["latitude"] == 23.4
    assert {p["field"] for p in second.problems} == {"name", "latitude", "longitude"}
    assert not third.has_errors and not third.problems
    assert fourth.values["uscc"] == USCC  # lower case normalised
    # The same code on two rows: read as one firm, a warning on the later one.
    assert [p["severity"] for p in fourth.problems] == ["warning"]
    assert "row 4" in fourth.problems[0]["msg"]


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+86 20 1234", "'+86 20 1234"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("鸿达皮具", "鸿达皮具"),
        (12.5, 12.5),
    ],
)
def test_exported_cells_cannot_run_as_formulas(value: object, safe: object) -> None:
    assert importing.safe_cell(value) == safe


def test_row_problems_are_read_in_the_readers_language() -> None:
    from django.utils import translation

    bad = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    table = importing.read_table(csv_bytes([["企业名称", "统一社会信用代码"], ["", bad]]), "x.csv")
    with translation.override("zh-hans"):
        rows = importing.read_rows(table, importing.default_mapping(table))
    problems = rows[0].problems
    assert "企业名称" in problems[0]["msg"]  # as the uploader read it
    with translation.override("en"):
        assert [importing.problem_message(p) for p in problems] == [
            "The row has no firm name.",
            importing.problem_message(problems[1]),
        ]
        assert "Invalid unified social credit code" in importing.problem_message(problems[1])
        assert bad in importing.problem_message(problems[1])
    with translation.override("zh-hans"):
        assert "统一社会信用代码" in importing.problem_message(problems[1])
