"""Bulk import of monthly records from CSV and XLSX: the reader (columns, cells, file types
and sizes) and the service with the real database (every row or none, row-level errors naming
row and field, sites by name or number, one-process rows, dry runs), over HTTP (the API's
multipart upload, the page, the templates) and on the command line; who may import for whom."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

import factories
from clusterbrain.errors import Forbidden, InvalidInput
from clusterbrain.green import importing, services
from clusterbrain.green.models import ProductionRecord

HEADER = "month,site,area_chrome_m2,area_chrome_free_m2,water_m3,electricity_kwh\n"


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode()


def _xlsx(rows: list[list[object]], extra_sheet: list[list[object]] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if extra_sheet is not None:
        other = book.create_sheet("more")
        for row in extra_sheet:
            other.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _locs(exc: pytest.ExceptionInfo[InvalidInput]) -> set[tuple[object, ...]]:
    return {tuple(e.loc) for e in exc.value.errors}


@pytest.fixture(autouse=True)
def _english():
    """The services' messages are checked in English (the site's default language is zh)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def sites(world):
    return {
        "north": factories.facility(world.own, name_zh="北厂", name_en="North works"),
        "south": factories.facility(world.own, name_zh="南厂", name_en="South works"),
        "theirs": factories.facility(world.other, name_zh="他厂", name_en="Their works"),
    }


def test_csv_import_by_site_name_and_number(world, sites):
    user = world.users.enterprise
    content = _csv(
        "2024-01,北厂,800,200,30,10000",
        f"2024-01,{sites['south'].pk},0,500,20,",
        "2024-02,South works,,1000,,5000",
        "2024-02,,100,,,",
    )
    result = services.import_file(user, world.own, content, "records.csv")
    assert (result.rows, result.created, result.replaced, result.dry_run) == (4, 4, 0, False)
    north = ProductionRecord.objects.get(facility=sites["north"])
    assert north.month == datetime.date(2024, 1, 1)
    assert north.chrome_free_share == pytest.approx(0.2)
    assert north.co2e_t == pytest.approx(5.703)
    assert ProductionRecord.objects.filter(facility=sites["south"]).count() == 2
    assert ProductionRecord.objects.get(facility=None).area_chrome_m2 == 100
    # the same file again replaces the four records' figures
    again = services.import_file(user, world.own, content, "records.csv")
    assert (again.created, again.replaced) == (0, 4)
    assert ProductionRecord.objects.count() == 4


def test_every_row_problem_is_named_and_nothing_is_written(world, sites):
    next_year = datetime.date.today().year + 1
    content = _csv(
        "2024-01,北厂,800,200,30,10000",  # row 2: fine
        "2024-02,北厂,-5,0,1,1",  # row 3: negative area
        "2024-03,北厂,lots,0,1,1",  # row 4: not a number
        f"{next_year}-01,北厂,1,0,1,1",  # row 5: a future month
        "1999-12,北厂,1,0,1,1",  # row 6: before 2000
        "2024-04,West works,1,0,1,1",  # row 7: no such site
        f"2024-05,{sites['theirs'].pk},1,0,1,1",  # row 8: another firm's site
        "2024-13,北厂,1,0,1,1",  # row 9: no such month
        "2024-01,北厂,5,0,1,1",  # row 10: the same site and month as row 2
    )
    with pytest.raises(InvalidInput) as exc:
        services.import_file(world.users.enterprise, world.own, content, "f.csv")
    assert _locs(exc) == {
        ("row", 3, "area_chrome_m2"),
        ("row", 4, "area_chrome_m2"),
        ("row", 5, "month"),
        ("row", 6, "month"),
        ("row", 7, "site"),
        ("row", 8, "site"),
        ("row", 9, "month"),
        ("row", 10, "month"),
    }
    messages = {e.loc[1]: e.msg for e in exc.value.errors}
    assert "West works" in messages[7]
    assert "nothing was imported" in exc.value.detail
    assert not ProductionRecord.objects.exists()


def test_one_process_rows_and_unknown_process(world):
    header = "month,process,area_m2,electricity_kwh\n"
    good = _csv("2024-01,chrome-free,700,100", "2024-02,铬鞣,300,100", header=header)
    services.import_file(world.users.enterprise, world.own, good, "p.csv")
    jan = ProductionRecord.objects.get(month="2024-01-01")
    assert (jan.area_chrome_free_m2, jan.area_chrome_m2) == (700, 0)
    assert ProductionRecord.objects.get(month="2024-02-01").area_chrome_m2 == 300
    bad = _csv("2024-03,oak bark,10,1", "2024-04,,10,1", "2024-05,vegetable,-1,1", header=header)
    with pytest.raises(InvalidInput) as exc:
        services.import_file(world.users.enterprise, world.own, bad, "p.csv")
    assert _locs(exc) == {("row", 2, "process"), ("row", 3, "process"), ("row", 4, "area_m2")}
    assert "oak bark" in next(e.msg for e in exc.value.errors if e.loc[1] == 2)
    assert ProductionRecord.objects.count() == 2


def test_columns_unknown_missing_or_repeated_are_named(world):
    user, firm = world.users.enterprise, world.own
    with pytest.raises(InvalidInput) as exc:
        services.import_file(user, firm, _csv("2024-01,5", header="month,rainfall_mm\n"), "f.csv")
    assert ("header", "rainfall_mm") in _locs(exc)
    assert "rainfall_mm" in exc.value.errors[0].msg
    with pytest.raises(InvalidInput) as exc:
        services.import_file(user, firm, _csv("5", header="water_m3\n"), "f.csv")
    assert _locs(exc) == {("header", "month")}
    with pytest.raises(InvalidInput) as exc:
        services.import_file(
            user, firm, _csv("2024-01,1,2", header="月份,用水量,water_m3\n"), "f.csv"
        )
    assert _locs(exc) == {("header", "water_m3")}
    with pytest.raises(InvalidInput) as exc:
        services.import_file(user, firm, _csv("2024-01,chrome", header="month,process\n"), "f.csv")
    assert ("header", "process") in _locs(exc)
    # the record form's labels, in Chinese or English, are headers too
    services.import_file(
        user, firm, _csv("2024/3,1,200", header="月份,用水（m³）,Electricity (kWh)\n"), "f.csv"
    )
    record = ProductionRecord.objects.get()
    assert (record.month, record.water_m3, record.electricity_kwh) == (
        datetime.date(2024, 3, 1),
        1,
        200,
    )


def test_files_of_the_wrong_kind_or_size(world, settings):
    user, firm = world.users.enterprise, world.own
    for content, name in (
        (b"%PDF-1.4 whatever", "records.pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "records.xls"),
        (b"", "records.csv"),
        (b"not a workbook", "records.xlsx"),
    ):
        with pytest.raises(InvalidInput) as exc:
            services.import_file(user, firm, content, name)
        assert _locs(exc) == {("file",)}, name
    settings.GREEN_IMPORT_MAX_ROWS = 2
    with pytest.raises(InvalidInput) as exc:
        services.import_file(user, firm, _csv(*["2024-01,,1,,,"] * 3), "f.csv")
    assert "limit is 2" in exc.value.detail
    with pytest.raises(InvalidInput) as exc:
        services.import_file(user, firm, HEADER.encode(), "f.csv")
    assert "no rows" in exc.value.detail
    settings.REGISTRY_IMPORT_MAX_BYTES = 100
    with pytest.raises(InvalidInput) as exc:
        services.check_import(user, firm, 101)
    assert "limit" in exc.value.detail
    with pytest.raises(InvalidInput):
        services.import_file(user, firm, _csv(*["2024-01,,1,,,"] * 20), "f.csv")
    assert not ProductionRecord.objects.exists()


def test_xlsx_dates_formulas_blank_lines_and_sheets(world, sites):
    user, firm = world.users.enterprise, world.own
    content = _xlsx(
        [
            ["month", "site", "area_chrome_m2", "water_m3"],
            [datetime.datetime(2024, 1, 1), "北厂", 1000, 12.5],
            [],
            ["2024-02", "北厂", "1,200", None],
        ]
    )
    result = services.import_file(user, firm, content, "records.xlsx")
    assert result.created == 2
    assert ProductionRecord.objects.get(month="2024-02-01").area_chrome_m2 == 1200
    with_formula = _xlsx(
        [
            ["month", "area_chrome_m2"],
            ["2024-03", 5],
            [],
            ["2024-04", "=B2*2"],
        ]
    )
    with pytest.raises(InvalidInput) as exc:
        services.import_file(user, firm, with_formula, "records.xlsx")
    # the blank line counts: the formula is on the spreadsheet's row 4
    assert _locs(exc) == {("row", 4, "area_chrome_m2")}
    assert "formula" in exc.value.errors[0].msg
    two_sheets = _xlsx([["month", "water_m3"], ["2024-05", 1]], [["month"], ["2024-06"]])
    with pytest.raises(InvalidInput) as exc:
        services.import_file(user, firm, two_sheets, "records.xlsx")
    assert "more" in exc.value.detail
    assert ProductionRecord.objects.count() == 2


def test_dry_run_saves_nothing(world):
    content = _csv("2024-01,,800,200,30,10000", "2024-02,,800,200,30,10000")
    result = services.import_file(world.users.enterprise, world.own, content, "f.csv", dry_run=True)
    assert (result.rows, result.created, result.dry_run) == (2, 2, True)
    assert not ProductionRecord.objects.exists()


@pytest.mark.parametrize("who", ["association", "office", "bank"])
def test_only_the_firms_users_import(world, who):
    content = _csv("2024-01,,800,200,30,10000")
    with pytest.raises(Forbidden):
        services.import_file(getattr(world.users, who), world.own, content, "f.csv")
    # the firm's own user cannot import for another firm
    with pytest.raises(Forbidden):
        services.import_file(world.users.enterprise, world.other, content, "f.csv")
    with pytest.raises(Forbidden):
        services.check_import(world.users.enterprise, world.other, 10)
    assert not ProductionRecord.objects.exists()


# --- over HTTP -----------------------------------------------------------------------------


def _upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_api_upload(world, sites, client_for):
    c = client_for(world.users.enterprise)
    url = f"/api/v1/enterprises/{world.own.pk}/green/records/import"
    content = _csv("2024-01,北厂,800,200,30,10000")
    checked = c.post(url, {"file": _upload(content, "f.csv"), "dry_run": "true"})
    assert checked.status_code == 200, checked.content
    assert checked.json() == {"rows": 1, "created": 1, "replaced": 0, "dry_run": True}
    assert not ProductionRecord.objects.exists()
    response = c.post(url, {"file": _upload(content, "f.csv")})
    assert response.status_code == 201
    assert response.json()["created"] == 1
    bad = c.post(url, {"file": _upload(_csv("2024-02,West,-1,0,1,1"), "f.csv")})
    assert bad.status_code == 422
    body = bad.json()
    assert {tuple(e["loc"]) for e in body["errors"]} == {
        ("row", 2, "site"),
        ("row", 2, "area_chrome_m2"),
    }
    assert ProductionRecord.objects.count() == 1
    wrong = c.post(url, {"file": _upload(b"%PDF-1.4", "f.pdf")})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == ["file"]
    # another firm's user, the office: 403; nobody logged in: 401
    other = client_for(world.users.office).post(url, {"file": _upload(content, "f.csv")})
    assert other.status_code == 403
    anonymous = client_for().post(url, {"file": _upload(content, "f.csv")})
    assert anonymous.status_code == 401
    own_for_other = c.post(
        f"/api/v1/enterprises/{world.other.pk}/green/records/import",
        {"file": _upload(content, "f.csv")},
    )
    assert own_for_other.status_code == 403
    assert ProductionRecord.objects.count() == 1


def test_import_page(world, sites, client_for):
    c = client_for(world.users.enterprise, HTTP_ACCEPT_LANGUAGE="en")
    url = f"/firms/{world.own.pk}/green/import/"
    page = c.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="import-form"' in body and "area_chrome_free_m2" in body and "North works" in body
    bad = c.post(url, {"file": _upload(_csv("2024-01,West,-1,0,1,1"), "f.csv")})
    assert bad.status_code == 422
    body = bad.content.decode()
    assert 'id="row-errors"' in body
    assert 'data-row="2" data-field="site"' in body and "West" in body
    checked = c.post(url, {"file": _upload(_csv("2024-01,北厂,8,2,3,1"), "f.csv"), "dry_run": "on"})
    assert checked.status_code == 200
    assert 'data-created="1"' in checked.content.decode()
    assert not ProductionRecord.objects.exists()
    done = c.post(url, {"file": _upload(_csv("2024-01,北厂,8,2,3,1"), "f.csv")}, follow=True)
    assert done.redirect_chain[-1][0] == f"/firms/{world.own.pk}/green/"
    assert "1 rows imported: 1 new records, 0 replaced." in done.content.decode()
    assert ProductionRecord.objects.count() == 1
    wrong = c.post(url, {"file": _upload(b"\x89PNG....", "f.png")})
    assert wrong.status_code == 422 and "not a table" in wrong.content.decode()
    # the office reads the firm's records but does not import them; another firm's user neither
    assert client_for(world.users.office).get(url).status_code == 403
    other_user = factories.user("enterprise", enterprise=world.other, username="other-user")
    assert client_for(other_user).post(url, {"file": _upload(b"x", "f.csv")}).status_code == 403
    assert client_for().get(url).status_code == 302


def test_import_page_in_chinese(world, client_for):
    c = client_for(world.users.enterprise, HTTP_ACCEPT_LANGUAGE="zh-hans")
    url = f"/firms/{world.own.pk}/green/import/"
    body = c.get(url).content.decode()
    assert "导入" in body and "模板" in body
    bad = c.post(url, {"file": _upload(_csv("2024-01,,-1,0,1,1"), "f.csv")})
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "未导入任何数据" in body and 'data-field="area_chrome_m2"' in body


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_templates_have_the_columns(db, client, file_format):
    response = client.get(f"/green/records/template.{file_format}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    from clusterbrain.registry.importing import read_table

    table = read_table(response.content, f"t.{file_format}")
    assert table.sheets[0].headers == list(importing.COLUMNS)
    assert client.get("/green/records/template.pdf").status_code == 404


def test_a_filled_template_imports(world, client):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get("/green/records/template.xlsx").content))
    sheet = book.active
    sheet.append(["2024-06", None, 100, 900])
    data = io.BytesIO()
    book.save(data)
    result = services.import_file(world.users.enterprise, world.own, data.getvalue(), "t.xlsx")
    assert result.created == 1
    assert ProductionRecord.objects.get().chrome_free_share == pytest.approx(0.9)


def test_cli_import(world, sites, tmp_path):
    path = tmp_path / "records.csv"
    path.write_bytes(_csv("2024-01,北厂,800,200,30,10000"))
    out = io.StringIO()
    call_command(
        "green",
        "import",
        str(path),
        "--firm",
        str(world.own.pk),
        "--user",
        "own-user",
        "--dry-run",
        stdout=out,
    )
    assert "Nothing was saved" in out.getvalue()
    assert not ProductionRecord.objects.exists()
    call_command(
        "green", "import", str(path), "--firm", str(world.own.pk), "--user", "own-user", stdout=out
    )
    assert ProductionRecord.objects.count() == 1
    path.write_bytes(_csv("2024-02,West,1,0,1,1"))
    with pytest.raises(CommandError) as exc:
        call_command(
            "green", "import", str(path), "--firm", str(world.own.pk), "--user", "own-user"
        )
    assert "row.2.site" in str(exc.value)
    with pytest.raises(CommandError):
        call_command(
            "green", "import", str(path), "--firm", str(world.other.pk), "--user", "own-user"
        )
    assert ProductionRecord.objects.count() == 1
