"""The regional brand's pages: public verification in both languages, QR downloads for the
licensee and the association only, the association's forms refusing bad input with 422."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

import factories
from clusterbrain.brand.models import BrandLicence

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_verify_page_shows_the_public_face_only(client_for, licence):
    c = client_for()
    r = c.get("/brand/verify/", {"code": licence.code.lower()})
    assert r.status_code == 302 and r["Location"].endswith(f"/brand/verify/{licence.code}/")
    r = c.get(r["Location"])
    html = r.content.decode()
    assert r.status_code == 200 and 'data-outcome="valid"' in html
    assert licence.licensee.name_zh in html and "手袋 Handbags" in html
    assert "CONFIDENTIAL" not in html


def test_mistyped_and_unknown_codes_are_friendly_404s(client_for, licence):
    c = client_for()
    r = c.get("/brand/verify/not-a-code/")
    assert r.status_code == 404 and 'data-outcome="malformed"' in r.content.decode()
    r = c.get("/brand/verify/<script>alert(1)</script>/")
    assert r.status_code == 404 and "<script>alert" not in r.content.decode()


def test_qr_for_licensee_and_association_only(client_for, world, licence):
    url = f"/brand/licences/{licence.pk}/qr.svg"
    for user in (world.users.enterprise, world.users.association):
        r = client_for(user).get(url + "?download=1")
        assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
        assert licence.code in r["Content-Disposition"]
    r = client_for(world.users.enterprise).get(f"/brand/licences/{licence.pk}/qr.png")
    assert r.content[:4] == b"\x89PNG"
    assert client_for().get(url).status_code == 302  # to the login
    other = factories.user("enterprise", enterprise=world.sharing, username="s3")
    assert client_for(other).get(url).status_code == 404
    assert client_for(world.users.enterprise).get(url[:-3] + "gif").status_code == 404


def test_grant_form_refuses_and_then_grants(client_for, world, brand):
    c = client_for(world.users.association)
    data = {
        "brand": brand.pk,
        "licensee": world.sharing.pk,
        "products": "Belts, Wallets",
        "countries": ["CN", "IT"],
        "valid_from": TODAY.isoformat(),
        "valid_until": (TODAY - datetime.timedelta(days=3)).isoformat(),
    }
    r = c.post("/c/alpha/brand/", data)
    assert r.status_code == 422 and 'data-field="valid_until"' in r.content.decode()
    assert not BrandLicence.objects.exists()
    data["valid_until"] = (TODAY + datetime.timedelta(days=300)).isoformat()
    r = c.post("/c/alpha/brand/", data)
    assert r.status_code == 302
    lic = BrandLicence.objects.get()
    assert lic.products == ["Belts", "Wallets"] and lic.countries == ["CN", "IT"]
    r = c.get("/c/alpha/brand/")
    assert lic.code in r.content.decode()
    assert client_for(world.users.enterprise).post("/c/alpha/brand/", data).status_code == 403


def test_licence_page_actions(client_for, world, licence):
    c = client_for(world.users.association)
    url = f"/brand/licences/{licence.pk}/"
    r = c.post(url, {"action": "suspend", "reason": ""})
    assert r.status_code == 422 and 'data-field="reason"' in r.content.decode()
    assert c.post(url, {"action": "suspend", "reason": "audit"}).status_code == 302
    licence.refresh_from_db()
    assert licence.status == "suspended"
    assert c.post(url, {"action": "explode"}).status_code == 422
    firm = client_for(world.users.enterprise)
    html = firm.get(url).content.decode()
    assert "audit" in html and 'name="action"' not in html
    assert firm.post(url, {"action": "reinstate"}).status_code == 403
    r = firm.get(f"/firms/{world.own.pk}/brand/")
    assert r.status_code == 200 and licence.code in r.content.decode()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_pages_render_in_both_languages(client_for, world, brand, licence, lang):
    c = client_for(world.users.association, HTTP_ACCEPT_LANGUAGE=lang)
    for url in (
        "/brand/verify/",
        f"/brand/verify/{licence.code}/",
        f"/brand/{brand.pk}/licensees/",
        "/c/alpha/brand/",
        f"/brand/licences/{licence.pk}/",
        f"/firms/{world.own.pk}/brand/",
    ):
        assert c.get(url).status_code == 200, url


@pytest.mark.parametrize("code", ["a/b", "x" * 200, "中文码", "SL-2026-?#", "%2F", " "])
def test_odd_input_in_the_verify_form_is_never_a_500(client_for, code):
    c = client_for()
    r = c.get("/brand/verify/", {"code": code})
    assert r.status_code in (200, 404)
    if code.strip():
        assert 'data-outcome="malformed"' in r.content.decode()


def test_odd_ids_in_the_grant_form(client_for, world, brand):
    c = client_for(world.users.association)
    for licensee in ("abc", "99999999999999999999999", "-1"):
        r = c.post("/c/alpha/brand/", {"brand": brand.pk, "licensee": licensee})
        assert r.status_code == 422 and 'data-field="licensee"' in r.content.decode()
    r = c.post("/c/alpha/brand/", {"brand": "x", "licensee": world.own.pk})
    assert r.status_code == 422 and 'data-field="brand"' in r.content.decode()
    assert not BrandLicence.objects.exists()


def test_a_visitor_sees_brands_and_licensees_but_no_register(client_for, brand, licence):
    c = client_for()
    html = c.get("/c/alpha/brand/").content.decode()
    assert 'id="brands"' in html and 'id="register"' not in html and "CONFIDENTIAL" not in html
    r = c.get(f"/brand/{brand.pk}/licensees/")
    assert r.status_code == 200 and licence.code in r.content.decode()
    assert c.get(f"/brand/licences/{licence.pk}/").status_code == 302  # to the login
    assert c.post("/c/alpha/brand/", {}).status_code == 302
