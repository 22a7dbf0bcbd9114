"""The green pages over HTTP with the test client: the firm's page with its forms and
warnings, field errors that save nothing, the record's edit page, the dashboard and the
overview's section, and who may open what."""

from __future__ import annotations

import datetime

import pytest

from clusterbrain.green.models import ProductionRecord, WastewaterTest


def _today():
    from django.utils import timezone

    return timezone.localdate()


def test_firm_enters_a_record_and_a_test(world, client_for):
    c = client_for(world.users.enterprise)
    url = f"/firms/{world.own.pk}/green/"
    page = c.get(url)
    assert page.status_code == 200
    assert 'id="record-form"' in page.content.decode()
    month = _today().strftime("%Y-%m")
    response = c.post(
        url,
        {
            "form": "record",
            "month": month,
            "area_chrome_m2": "800",
            "area_chrome_free_m2": "200",
            "water_m3": "30",
            "electricity_kwh": "10000",
        },
    )
    assert response.status_code == 302
    record = ProductionRecord.objects.get(enterprise=world.own)
    assert record.area_m2 == 1000 and record.chrome_free_share == pytest.approx(0.2)
    assert record.co2e_t == pytest.approx(5.703)
    response = c.post(
        url,
        {
            "form": "test",
            "sampled_on": _today().isoformat(),
            "laboratory": "SGS",
            "discharge": "indirect",
            "total_cr_mg_l": "2.0",
            "cr6_mg_l": "0.05",
            "cod_mg_l": "120",
        },
        follow=True,
    )
    body = response.content.decode()
    test = WastewaterTest.objects.get(enterprise=world.own)
    assert not test.compliant and test.exceeded == ["total_cr"]
    assert 'data-state="tested"' in body
    assert "GB 30486-2013" in body


def test_bad_input_is_shown_on_the_field_and_saves_nothing(world, client_for):
    c = client_for(world.users.enterprise)
    future = (_today() + datetime.timedelta(days=40)).strftime("%Y-%m")
    response = c.post(
        f"/firms/{world.own.pk}/green/",
        {"form": "record", "month": future, "area_chrome_m2": "-5", "water_m3": "lots"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="id_month_error"' in body and 'id="id_area_chrome_m2_error"' in body
    assert 'id="id_water_m3_error"' in body
    assert not ProductionRecord.objects.exists()
    response = c.post(
        f"/firms/{world.own.pk}/green/",
        {
            "form": "test",
            "sampled_on": _today().isoformat(),
            "laboratory": "",
            "total_cr_mg_l": "0.1",
            "cr6_mg_l": "0.5",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="test_laboratory_error"' in body and 'id="test_cr6_mg_l_error"' in body
    assert not WastewaterTest.objects.exists()


def test_overdue_warning_on_the_firm_page(world, client_for):
    from clusterbrain.green import services

    services.save_record(
        world.users.enterprise, world.own, {"month": _today().strftime("%Y-%m"), "water_m3": 10}
    )
    page = client_for(world.users.enterprise).get(f"/firms/{world.own.pk}/green/")
    assert 'data-state="overdue"' in page.content.decode()
    assert 'id="green-warnings"' in page.content.decode()


def test_record_edit_page(world, client_for):
    from clusterbrain.green import services

    record = services.save_record(
        world.users.enterprise, world.own, {"month": "2024-05", "area_chrome_m2": 100}
    )
    c = client_for(world.users.enterprise)
    assert c.get(f"/green/records/{record.pk}/").status_code == 200
    response = c.post(
        f"/green/records/{record.pk}/",
        {"month": "2024-05", "area_chrome_m2": "50", "area_vegetable_m2": "50"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.chrome_free_share == pytest.approx(0.5)
    # the office reads it, without a form; another firm's user does not find it
    office_page = client_for(world.users.office).get(f"/green/records/{record.pk}/")
    assert office_page.status_code == 200 and 'id="record-form"' not in office_page.content.decode()
    other = __import__("factories").user("enterprise", enterprise=world.other, username="o-u")
    assert client_for(other).get(f"/green/records/{record.pk}/").status_code == 404
    assert client_for(other).post(f"/green/records/{record.pk}/delete/").status_code == 404
    assert ProductionRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("who", ["bank", "office_b", None])
def test_others_cannot_open_a_firms_green_page(world, client_for, who):
    user = getattr(world.users, who) if who else None
    response = client_for(user).get(f"/firms/{world.own.pk}/green/")
    assert response.status_code in (302, 404)
    if who:
        assert response.status_code == 404


def test_office_reads_but_cannot_write(world, client_for):
    c = client_for(world.users.office)
    page = c.get(f"/firms/{world.own.pk}/green/")
    assert page.status_code == 200 and 'id="record-form"' not in page.content.decode()
    response = c.post(
        f"/firms/{world.own.pk}/green/", {"form": "record", "month": "2024-01", "water_m3": "1"}
    )
    assert response.status_code == 403
    assert not ProductionRecord.objects.exists()


def test_dashboard_and_overview(green, client_for):
    w = green.world
    public = client_for(None).get(f"/c/{w.a.slug}/green/")
    assert public.status_code == 200
    body = public.content.decode()
    assert 'id="green-chrome-free"' in body and "47.5" in body
    assert 'id="green-firms"' not in body  # per-firm table: the office only
    office = client_for(w.users.office).get(f"/c/{w.a.slug}/green/").content.decode()
    assert 'id="green-firms"' in office and "Own Leather" in office or "自家皮革" in office
    overview = client_for(None).get(f"/c/{w.a.slug}/").content.decode()
    assert 'id="green-figures"' in overview and 'id="chart-green-chrome-free"' in overview


def test_lwg_audit_is_a_registry_certificate(world, client_for):
    from clusterbrain.registry.models import Certification

    c = client_for(world.users.enterprise)
    response = c.post(
        f"/firms/{world.own.pk}/green/",
        {
            "form": "lwg",
            "kind": "lwg_gold",
            "valid_from": "2025-03-01",
            "valid_until": "2024-01-01",
        },
    )
    assert response.status_code == 422 and 'id="lwg_valid_until_error"' in response.content.decode()
    assert not Certification.objects.filter(enterprise=world.own).exists()
    response = c.post(
        f"/firms/{world.own.pk}/green/",
        {
            "form": "lwg",
            "kind": "lwg_gold",
            "valid_from": "2025-03-01",
            "valid_until": "2027-03-01",
        },
    )
    assert response.status_code == 302
    cert = Certification.objects.get(enterprise=world.own)
    assert cert.kind == "lwg_gold" and not cert.verified


def test_cluster_navigation_leads_to_the_green_pages(world, client_for):
    """The cluster's navigation has the green dashboard, marked current on the green pages."""
    overview = client_for().get(f"/c/{world.a.slug}/").content.decode()
    link = f'<a href="/c/{world.a.slug}/green/">'
    assert link in overview
    dashboard = client_for().get(f"/c/{world.a.slug}/green/").content.decode()
    assert f'<a href="/c/{world.a.slug}/green/" aria-current="page">' in dashboard
    firm_page = client_for(world.users.enterprise).get(f"/firms/{world.own.pk}/green/")
    assert f'<a href="/c/{world.a.slug}/green/" aria-current="page">' in firm_page.content.decode()
