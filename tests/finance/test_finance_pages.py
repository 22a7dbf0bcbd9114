"""The finance pages with the test client: the firm's bank sharing page (grant, refused input
by field with nothing saved, withdraw, apply), the officer's home, a credit profile (logged,
404 once withdrawn) and a loan application's page, and who gets 403/404 or the login page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from clusterbrain.finance.models import Consent, LoanApplication, LoanEvent, ProfileView

pytestmark = pytest.mark.django_db

SHARING = "/finance/sharing/"
HOME = "/finance/bank/"


def later(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def grant_form(fin, **changes):
    data = {
        "action": "grant",
        "bank": str(fin.bank.pk),
        "starts_on": later(0),
        "ends_on": later(120),
        "sections": ["revenue", "orders"],
    }
    data.update(changes)
    return data


def test_firm_grants_officer_reads_firm_withdraws(fin, client_for):
    firm = client_for(fin.firm_user)
    officer = client_for(fin.officer)
    own = fin.world.own
    page = firm.get(SHARING)
    assert page.status_code == 200
    assert 'id="apply-needs-consent"' in page.content.decode()
    response = firm.post(SHARING, grant_form(fin))
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.sections == ["revenue", "orders"]
    home = officer.get(HOME).content.decode()
    assert f"/finance/bank/firms/{own.pk}/" in home
    profile = officer.get(f"/finance/bank/firms/{own.pk}/")
    assert profile.status_code == 200
    html = profile.content.decode()
    assert 'id="section-revenue"' in html and 'id="section-orders"' in html
    assert 'id="section-certificates"' not in html and 'id="section-green"' not in html
    assert 'data-chart="chart-revenue"' in html and "vendor/plotly" in html
    assert ProfileView.objects.filter(channel="page").count() == 1
    # the firm sees the look in its log and withdraws
    sharing = firm.get(SHARING).content.decode()
    assert "bank" in sharing and 'data-status="live"' in sharing
    firm.post(SHARING, {"action": "withdraw", "consent": str(consent.pk)})
    assert Consent.objects.get().withdrawn_at is not None
    assert officer.get(f"/finance/bank/firms/{own.pk}/").status_code == 404
    assert f"/finance/bank/firms/{own.pk}/" not in officer.get(HOME).content.decode()
    assert 'data-status="withdrawn"' in firm.get(SHARING).content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": ""}, "ends_on"),
        ({"ends_on": later(400)}, "ends_on"),
        ({"starts_on": "yesterday"}, "starts_on"),
        ({"sections": []}, "sections"),
        ({"bank": "0"}, "bank"),
    ],
)
def test_refused_grant_names_the_field(fin, client_for, changes, field):
    response = client_for(fin.firm_user).post(SHARING, grant_form(fin, **changes))
    assert response.status_code == 422
    assert f'data-field="{field}"' in response.content.decode()
    assert Consent.objects.count() == 0


def test_apply_and_the_bank_moves_it(fin, client_for):
    firm = client_for(fin.firm_user)
    officer = client_for(fin.officer)
    firm.post(SHARING, grant_form(fin))
    bad = firm.post(
        SHARING,
        {
            "action": "apply",
            "bank": fin.bank.pk,
            "amount": "1,0.0.0",
            "purpose": "x",
            "term_months": "12",
        },
    )
    assert bad.status_code == 422 and 'data-field="amount"' in bad.content.decode()
    assert LoanApplication.objects.count() == 0
    ok = firm.post(
        SHARING,
        {
            "action": "apply",
            "bank": fin.bank.pk,
            "amount": "250000",
            "purpose": "裁断机",
            "term_months": "6",
        },
    )
    assert ok.status_code == 302
    loan = LoanApplication.objects.get()
    url = f"/finance/loans/{loan.pk}/"
    assert str(loan.pk) in officer.get(HOME).content.decode()
    refused = officer.post(url, {"status": "rejected", "note": ""})
    assert refused.status_code == 422 and 'data-field="note"' in refused.content.decode()
    assert officer.post(url, {"status": "under_review", "note": "看画像"}).status_code == 302
    assert firm.post(url, {"status": "approved"}).status_code == 403
    assert client_for(fin.officer_b).get(url).status_code == 404
    assert client_for(fin.sharing_user).get(url).status_code == 404
    followed = firm.get(url).content.decode()
    assert "看画像" in followed and 'id="loan-form"' not in followed
    assert LoanEvent.objects.filter(application=loan).count() == 2


def test_who_gets_what(fin, client_for):
    own = fin.world.own
    client_for(fin.firm_user).post(SHARING, grant_form(fin))
    profile = f"/finance/bank/firms/{own.pk}/"
    anonymous = client_for(None)
    for url in (SHARING, HOME, profile):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    w = fin.world
    for user in (fin.officer_b, fin.unlinked, fin.sharing_user, w.users.association, w.users.admin):
        assert client_for(user).get(profile).status_code == 404
    for user in (fin.unlinked, fin.firm_user, w.users.association, w.users.office):
        assert client_for(user).get(HOME).status_code == 403
    for user in (fin.officer, w.users.association, w.users.office):
        assert client_for(user).get(SHARING).status_code == 403
    assert client_for(fin.officer).get("/finance/bank/firms/999999999/").status_code == 404
    assert ProfileView.objects.count() == 0


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_pages_in_both_languages(fin, client_for, settings, lang):
    from django.conf import settings as conf

    firm = client_for(fin.firm_user)
    firm.cookies[conf.LANGUAGE_COOKIE_NAME] = lang
    firm.post(SHARING, grant_form(fin))
    html = firm.get(SHARING).content.decode()
    assert ("银行共享" if lang == "zh-hans" else "Bank sharing") in html
    officer = client_for(fin.officer)
    officer.cookies[conf.LANGUAGE_COOKIE_NAME] = lang
    page = officer.get(f"/finance/bank/firms/{fin.world.own.pk}/").content.decode()
    assert ("信用画像" if lang == "zh-hans" else "Credit profile") in page


def test_admin_keeps_banks_and_reads_the_facts(fin, client_for):
    admin = fin.world.users.admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client_for(fin.firm_user).post(SHARING, grant_form(fin))
    c = client_for(admin)
    for model in ("partnerbank", "bankofficer", "consent", "profileview", "loanapplication"):
        assert c.get(f"/admin/finance/{model}/").status_code == 200, model
    consent = Consent.objects.get()
    assert c.get(f"/admin/finance/consent/{consent.pk}/delete/").status_code == 403


def test_firm_previews_its_own_profile_unlogged(fin, client_for):
    page = client_for(fin.firm_user).get("/finance/sharing/preview/")
    assert page.status_code == 200
    html = page.content.decode()
    for section in ("revenue", "orders", "certificates", "green", "awards"):
        assert f'id="section-{section}"' in html
    assert "25,000,000" in html  # its own 2023 revenue
    assert ProfileView.objects.count() == 0
    for user in (fin.officer, fin.world.users.association, fin.world.users.office):
        assert client_for(user).get("/finance/sharing/preview/").status_code == 403
