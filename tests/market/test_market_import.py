"""Import journeys over HTTP (API multipart and the pages) with the real database: a good file,
the mapping saved for the next, and every kind of bad input refused by row and column with
nothing written."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clusterbrain.market.models import ImportMapping, SalesRecord

GOOD = (
    "date,channel,category,material,colour,style,price_band,quantity,value\n"
    "2024-03-04,ecommerce,handbag,cowhide,black,classic,mid,2,520\n"
    "2024-03-05,直播,handbag,Sheepskin,tan,minimalist,premium,1,700.50\n"
    '2024/03/06,档口,wallet,cowhide,black,classic,budget,"1,200","36,000"\n'
)


def _post(client, firm, text, **data):
    upload = SimpleUploadedFile("orders.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(f"/api/v1/enterprises/{firm.pk}/sales/import", {"file": upload, **data})


def test_a_good_file_is_imported_whole(world, client_for):
    client = client_for(world.users.enterprise)
    response = _post(client, world.own, GOOD)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rows"] == 3 and body["value"] == pytest.approx(37220.5)
    rows = SalesRecord.objects.filter(enterprise=world.own).order_by("date")
    assert [r.channel for r in rows] == ["ecommerce", "livestream", "market_stall"]
    assert rows[1].material == "sheepskin"  # one spelling per value
    assert rows[2].quantity == 1200


def test_dry_run_saves_nothing(world, client_for):
    response = _post(client_for(world.users.enterprise), world.own, GOOD, dry_run="true")
    assert response.status_code == 200 and response.json()["rows"] == 3
    assert not SalesRecord.objects.exists()


@pytest.mark.parametrize(
    ("text", "loc"),
    [
        (
            "date,channel,category,quantity,value,shoe_size\n2024-03-04,ecommerce,bag,1,2,40\n",
            ["header", "shoe_size"],
        ),
        (
            "date,channel,category,quantity,value\n2024-03-04,ecommerce,bag,-3,20\n",
            ["row", 2, "quantity"],
        ),
        (
            "date,channel,category,quantity,value\n2099-01-01,ecommerce,bag,1,20\n",
            ["row", 2, "date"],
        ),
        (
            "date,channel,category,quantity,value\n04/03/24 noon,ecommerce,bag,1,20\n",
            ["row", 2, "date"],
        ),
        (
            "date,channel,category,quantity,value\n2024-03-04,ecommerce,bag,lots,20\n",
            ["row", 2, "quantity"],
        ),
        (
            "date,channel,category,quantity,value\n2024-03-04,ecommerce,bag,1,20\n"
            "2024-03-04,carrier pigeon,bag,1,20\n",
            ["row", 3, "channel"],
        ),
        (
            "date,channel,category,quantity,value,currency\n2024-03-04,ecommerce,bag,1,20,CNY\n"
            "2024-03-05,ecommerce,bag,1,20,USD\n",
            ["row", 3, "currency"],
        ),
        ("date,channel,quantity,value\n2024-03-04,ecommerce,1,20\n", ["header", "category"]),
    ],
    ids=[
        "unknown-column",
        "negative",
        "future",
        "bad-date",
        "bad-number",
        "bad-channel",
        "currency-mix",
        "missing-column",
    ],
)
def test_bad_input_is_named_and_nothing_is_written(world, client_for, text, loc):
    response = _post(client_for(world.users.enterprise), world.own, text)
    assert response.status_code == 422, response.content
    assert loc in [e["loc"] for e in response.json()["errors"]]
    assert not SalesRecord.objects.exists()


def test_a_good_row_before_a_bad_one_is_not_imported(world, client_for):
    text = GOOD + "2024-03-07,ecommerce,wallet,,,classic,mid,2,-5\n"
    response = _post(client_for(world.users.enterprise), world.own, text)
    assert response.status_code == 422
    assert ["row", 5, "value"] in [e["loc"] for e in response.json()["errors"]]
    assert not SalesRecord.objects.exists()


def test_a_rate_converts_another_currency(world, client_for):
    text = (
        "date,channel,category,quantity,value,currency\n"
        "2024-03-04,ecommerce,bag,1,100,CNY\n2024-03-05,exhibition,bag,1,10,USD\n"
    )
    response = _post(client_for(world.users.enterprise), world.own, text, rates="USD=7.1")
    assert response.status_code == 201, response.content
    usd = SalesRecord.objects.get(currency="USD")
    assert usd.value == pytest.approx(71.0) and usd.value_original == 10


def test_mapping_is_used_and_saved_for_the_next_file(world, client_for):
    client = client_for(world.users.enterprise)
    text = "订单时间X,店铺,类目,件数,实收款,备注\n2024-03-04,天猫,handbag,2,520,gift\n"
    refused = _post(client, world.own, text)
    assert refused.status_code == 422
    assert ["header", "订单时间X"] in [e["loc"] for e in refused.json()["errors"]]
    mapping = {"订单时间X": "date", "店铺": "channel", "实收款": "value", "备注": ""}
    ok = _post(client, world.own, text, mapping=json.dumps(mapping, ensure_ascii=False))
    assert ok.status_code == 201, ok.content
    assert ImportMapping.objects.get(enterprise=world.own).columns
    again = _post(client, world.own, text.replace("2024-03-04", "2024-03-11"))
    assert again.status_code == 201, again.content
    assert SalesRecord.objects.filter(enterprise=world.own).count() == 2


def test_another_firm_cannot_import_or_read(world, client_for):
    client = client_for(world.users.enterprise)
    assert _post(client, world.sharing, GOOD).status_code in (403, 404)
    assert client.get(f"/api/v1/enterprises/{world.sharing.pk}/sales").status_code == 404
    assert not SalesRecord.objects.exists()


def test_import_page_upload_mapping_import(world, client_for):
    client = client_for(world.users.enterprise)
    url = f"/firms/{world.own.pk}/sales/import/"
    text = "Order date,Platform,类目,Qty,Paid,Note\n2024-03-04,JD,handbag,2,520,x\n"
    page = client.post(url, {"file": SimpleUploadedFile("o.csv", text.encode())})
    assert page.status_code == 200
    token = page.context["token"]
    fields = {"map_0": "date", "map_1": "channel", "map_2": "category", "map_3": "quantity"}
    refused = client.post(url, {"token": token, **fields, "map_4": "value"})
    assert refused.status_code == 422  # the note column was left unknown
    assert "Note" in refused.content.decode()
    done = client.post(url, {"token": token, **fields, "map_4": "value", "map_5": "-"})
    assert done.status_code == 302
    assert SalesRecord.objects.get().channel == "ecommerce"
    assert SalesRecord.objects.get().date == datetime.date(2024, 3, 4)


def _xlsx(rows: list[list[object]]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_HEADER = ["下单日期", "渠道", "类目", "数量", "金额"]
XLSX_MAPPING = json.dumps(
    {"下单日期": "date", "渠道": "channel", "类目": "category", "数量": "quantity", "金额": "value"}
)


def _post_xlsx(client, firm, content, **data):
    upload = SimpleUploadedFile(
        "orders.xlsx",
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return client.post(f"/api/v1/enterprises/{firm.pk}/sales/import", {"file": upload, **data})


def test_an_excel_file_is_imported_with_real_dates_and_numbers(world, client_for):
    content = _xlsx(
        [
            XLSX_HEADER,
            [datetime.datetime(2024, 3, 4), "电商", "handbag", 2, 520.5],
            [datetime.date(2024, 3, 5), "直播", "wallet", 3, 900],
            ["2024-03-06", "档口", "wallet", 1, 300],
        ]
    )
    client = client_for(world.users.enterprise)
    response = _post_xlsx(client, world.own, content, mapping=XLSX_MAPPING)
    assert response.status_code == 201, response.content
    rows = SalesRecord.objects.filter(enterprise=world.own).order_by("date")
    assert [(r.date, r.channel, r.quantity, r.value) for r in rows] == [
        (datetime.date(2024, 3, 4), "ecommerce", 2, 520.5),
        (datetime.date(2024, 3, 5), "livestream", 3, 900),
        (datetime.date(2024, 3, 6), "market_stall", 1, 300),
    ]


def test_an_excel_error_is_named_by_row_and_column_and_nothing_is_written(world, client_for):
    content = _xlsx(
        [
            XLSX_HEADER,
            [datetime.date(2024, 3, 4), "电商", "handbag", 2, 520],
            [datetime.date(2024, 3, 5), "电商", "handbag", "lots", 520],
            [datetime.date(2024, 3, 6), "电商", "handbag", 1, 300],
        ]
    )
    client = client_for(world.users.enterprise)
    response = _post_xlsx(client, world.own, content, mapping=XLSX_MAPPING)
    assert response.status_code == 422, response.content
    # the sheet's own row number (the header is row 1) and the field its column was mapped to
    errors = response.json()["errors"]
    assert ["row", 3, "quantity"] in [e["loc"] for e in errors], errors
    assert not SalesRecord.objects.exists()
