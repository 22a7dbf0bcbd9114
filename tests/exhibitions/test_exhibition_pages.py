"""Exhibition pages: the list and plan for everyone, forms refusing bad input with 422 and
nothing saved, a firm's own leads page closed to everyone else, the report for organisers."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

import factories
from clusterbrain.exhibitions import services
from clusterbrain.exhibitions.models import BoothAssignment, Lead, SignUp

pytestmark = pytest.mark.django_db


def test_firm_signs_up_on_the_page_and_sees_its_booth(client_for, world, fair):
    c = client_for(world.users.enterprise)
    url = f"/exhibitions/{fair.pk}/"
    r = c.post(url, {"action": "signup", "booths_requested": "0"})
    assert r.status_code == 422 and 'data-field="booths_requested"' in r.content.decode()
    assert not SignUp.objects.exists()
    r = c.post(url, {"action": "signup", "booths_requested": "1", "preferred_zone": "B"})
    assert r.status_code == 302
    a = client_for(world.users.association)
    assert a.post(url, {"action": "allocate"}).status_code == 302
    html = c.get(url).content.decode()
    assert 'id="own-booths"' in html and "B0" in html
    r = a.post(url, {"action": "assign", "booth": "B01", "enterprise": world.other.pk})
    assert r.status_code == 422 and 'data-field="' in r.content.decode()
    assert c.post(url, {"action": "allocate"}).status_code == 403
    assert a.post(url, {"action": "booths", "lines": "A01, 9, A\nC9, x"}).status_code == 422
    assert BoothAssignment.objects.count() == 1


def test_leads_page_for_the_firm_only(client_for, world, fair):
    s = services.sign_up(world.users.enterprise, fair, enterprise=world.own)
    today = timezone.localdate()
    fair.signup_deadline, fair.starts_on = today - datetime.timedelta(days=2), today
    fair.save()
    url = f"/exhibitions/signups/{s.pk}/leads/"
    c = client_for(world.users.enterprise)
    r = c.post(url, {"buyer_company": "", "country": "RU"})
    assert r.status_code == 422 and not Lead.objects.exists()
    assert c.post(url, {"buyer_company": "Moskva", "country": "RU"}).status_code == 302
    lead = Lead.objects.get()
    r = c.post(
        url, {"action": "follow_up", "lead": lead.pk, "follow_up": "quoted"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 204
    lead.refresh_from_db()
    assert lead.follow_up == "quoted"
    other = factories.user("enterprise", enterprise=world.sharing, username="s8")
    for user in (other, world.users.association, world.users.office):
        assert client_for(user).get(url).status_code == 404
    r = client_for(world.users.association).get(f"/exhibitions/{fair.pk}/report/")
    assert r.status_code == 200 and "Moskva" not in r.content.decode()
    assert (
        client_for(world.users.enterprise).get(f"/exhibitions/{fair.pk}/report/").status_code == 403
    )


def test_create_form(client_for, world):
    c = client_for(world.users.association)
    r = c.post("/c/alpha/exhibitions/", {"name_zh": "x", "country": "IT", "scope": "domestic"})
    assert r.status_code == 422 and 'data-field="scope"' in r.content.decode()
    assert client_for(world.users.enterprise).post("/c/alpha/exhibitions/", {}).status_code == 403


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_pages_render_in_both_languages(client_for, world, fair, lang):
    s = services.sign_up(world.users.enterprise, fair, enterprise=world.own)
    services.allocate_booths(world.users.association, fair)
    page = f"/exhibitions/{fair.pk}/"
    for user, urls in (
        (None, ["/c/alpha/exhibitions/", page]),
        (world.users.association, [page, f"{page}report/"]),
        (world.users.enterprise, [page, f"/exhibitions/signups/{s.pk}/leads/"]),
    ):
        c = client_for(user, HTTP_ACCEPT_LANGUAGE=lang)
        for url in urls:
            assert c.get(url).status_code == 200, url
