"""The public passport over HTTP: Digital Link and short address resolution (bad paths named
in a 404), the JSON export against its documented schema, the QR code, and the firm's pages
that anonymous visitors and other firms may not use."""

from __future__ import annotations

import pytest


def test_digital_link_and_short_address_resolve_without_login(leather, client):
    from clusterbrain.passport.models import Passport

    p = Passport.objects.get(slug="alpha-jacket")
    for path in (p.path, p.path + "/", "/p/alpha-jacket/", f"/01/{p.gtin[1:]}/10/JK2601"):
        r = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 200, path
        assert b"Chrome-free leather jacket (Xinji)" in r.content
    zh = client.get(p.path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "无铬鞣牛皮夹克（辛集）" in zh.content.decode()


@pytest.mark.parametrize(
    ("path", "part"),
    [
        ("/01/00694801020041/10/JK2601", b"GTIN"),  # wrong check digit
        ("/01/123/10/JK2601", b"GTIN"),
        ("/01/00694801020048/99/JK2601", b"path"),
        ("/01/00694801020048/10/" + "X" * 21, b"lot"),
        ("/01/00694801020048/21/bad%20serial", b"serial"),
        ("/01/00694801020048", b"path"),
    ],
)
def test_malformed_digital_link_is_a_404_naming_the_part(leather, client, path, part):
    r = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 404
    assert part in r.content and b"Traceback" not in r.content


def test_unknown_withdrawn_and_other_products_are_friendly_404s(leather, client, world):
    from clusterbrain.passport import services
    from clusterbrain.passport.models import Passport

    assert client.get("/01/00694801020048/10/NOPE").status_code == 404
    assert client.get("/p/no-such-passport/").status_code == 404
    p = Passport.objects.get(slug="alpha-jacket")
    services.withdraw(None, p)
    for path in (
        p.path,
        "/p/alpha-jacket/",
        "/p/alpha-jacket/qr.svg",
        "/api/v1/passports/alpha-jacket",
    ):
        r = client.get(path)
        assert r.status_code == 404, path
    assert b"No passport at this address" in client.get(p.path, HTTP_ACCEPT_LANGUAGE="en").content


def test_json_export_follows_the_documented_schema(leather, client):
    from clusterbrain.passport.api import PassportOut

    page = client.get("/p/alpha-jacket/?format=json")
    api = client.get("/api/v1/passports/alpha-jacket")
    assert page.status_code == api.status_code == 200
    doc = api.json()
    PassportOut.model_validate(doc)
    assert page.json() == doc
    assert doc["schema"] == "https://clusterbrain.org/schemas/passport/1"
    assert (
        doc["digital_link"].endswith("/01/00694801020048/10/JK2601")
        or "/01/" in doc["digital_link"]
    )
    assert doc["steps"][0]["from"] <= doc["steps"][-1]["to"]
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert "PassportOut" in schema and "schema" in schema["PassportOut"]["properties"]


def test_qr_code_png_and_svg(leather, client):
    png = client.get("/p/alpha-jacket/qr.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    svg = client.get("/p/alpha-jacket/qr.svg?download=1")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert "attachment" in svg["Content-Disposition"]
    assert client.get("/p/alpha-jacket/qr.gif").status_code == 404


def test_management_pages_are_for_the_owner(leather, client_for, world):
    import factories
    from clusterbrain.accounts.models import Role
    from clusterbrain.passport.models import Passport
    from clusterbrain.trace.models import Lot

    p = Passport.objects.get(slug="alpha-jacket")
    jackets = Lot.objects.get(key=leather.lots["product"])
    lead = factories.user(Role.ENTERPRISE, enterprise=world.leading, username="lead")
    anon = client_for(None)
    assert anon.get("/passports/").status_code == 302  # to the login page
    assert anon.post(f"/passports/{p.pk}/withdraw/").status_code == 302
    other = client_for(world.users.enterprise)  # `own`: another firm
    assert other.get(f"/passports/{p.pk}/").status_code == 404
    assert other.post(f"/passports/{p.pk}/withdraw/").status_code == 404
    assert other.get(f"/trace/lots/{jackets.pk}/passport/").status_code in (403, 404)
    assert client_for(world.users.bank).get("/passports/").status_code == 403
    p.refresh_from_db()
    assert p.is_public
    owner = client_for(lead)
    page = owner.get(f"/passports/{p.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and b"qr-image" in page.content
    assert b"alpha-jacket" in owner.get("/passports/").content
    form = owner.get(f"/trace/lots/{jackets.pk}/passport/")
    assert form.status_code == 200
    bad = owner.post(f"/trace/lots/{jackets.pk}/passport/", {"title_zh": "", "origins": "x"})
    assert bad.status_code == 422
    ok = owner.post(
        f"/trace/lots/{jackets.pk}/passport/",
        {"title_zh": "夹克", "title_en": "Jacket", "origins": "country", "show_firms": "on"},
    )
    assert ok.status_code == 302
    p.refresh_from_db()
    assert p.title_en == "Jacket" and p.origins == "country" and not p.show_footprint
    assert owner.post(f"/passports/{p.pk}/withdraw/").status_code == 302
    p.refresh_from_db()
    assert not p.is_public
    lot_page = owner.get(f"/trace/lots/{jackets.pk}/")
    assert b"publish-passport" in lot_page.content
