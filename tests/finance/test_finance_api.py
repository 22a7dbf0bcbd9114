"""The finance API over HTTP with the test client: a firm grants and withdraws, the bank's
officer reads only while the consent lives, every forbidden path answers 401/403/404 with the
one error shape, and bad input names the field."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from clusterbrain.finance import services
from clusterbrain.finance.models import Consent, LoanApplication, ProfileView

pytestmark = pytest.mark.django_db

API = "/api/v1/finance"


def today() -> datetime.date:
    return timezone.localdate()


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def consent_body(fin, **changes):
    body = {
        "bank": fin.bank.pk,
        "ends_on": (today() + datetime.timedelta(days=90)).isoformat(),
        "sections": ["revenue", "orders", "certificates"],
    }
    body.update(changes)
    return body


def test_grant_read_withdraw_over_http(fin, client_for):
    firm = client_for(fin.firm_user)
    officer = client_for(fin.officer)
    own = fin.world.own
    banks = firm.get(f"{API}/banks")
    assert banks.status_code == 200
    assert {b["name_en"] for b in banks.json()} == {"Partner Bank", "Other Bank"}
    # nothing before consent
    assert officer.get(f"{API}/bank/firms").json() == []
    assert officer.get(f"{API}/bank/firms/{own.pk}/profile").status_code == 404
    created = post(firm, f"{API}/consents", consent_body(fin))
    assert created.status_code == 201, created.content
    consent = created.json()
    assert consent["status"] == "live" and consent["starts_on"] == today().isoformat()
    listed = officer.get(f"{API}/bank/firms").json()
    assert [(r["enterprise"], r["sections"]) for r in listed] == [
        (own.pk, ["revenue", "orders", "certificates"])
    ]
    profile = officer.get(f"{API}/bank/firms/{own.pk}/profile")
    assert profile.status_code == 200
    body = profile.json()
    assert [r["year"] for r in body["revenue"]] == [2022, 2023, 2024]
    assert body["revenue"][1]["revenue"] == "25000000.00"
    assert body["orders"]["on_time_rate"] == 0.5
    assert body["green"] is None and body["awards"] is None
    view = ProfileView.objects.get()
    assert (view.channel, view.viewer, view.bank) == ("api", fin.officer, fin.bank)
    log = firm.get(f"{API}/access-log").json()
    assert [(v["viewer"], v["bank"]["id"]) for v in log] == [("bank", fin.bank.pk)]
    withdrawn = firm.post(f"{API}/consents/{consent['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert officer.get(f"{API}/bank/firms/{own.pk}/profile").status_code == 404
    assert officer.get(f"{API}/bank/firms").json() == []
    again = firm.post(f"{API}/consents/{consent['id']}/withdraw")
    assert again.status_code == 422 and again.json()["errors"][0]["loc"] == ["consent"]
    history = firm.get(f"{API}/consents").json()
    assert [(c["id"], c["status"], c["views"]) for c in history] == [
        (consent["id"], "withdrawn", 1)
    ]
    assert ProfileView.objects.count() == 1


def test_expired_and_future_consents_read_nothing(fin, client_for):
    officer = client_for(fin.officer)
    own = fin.world.own
    past = today() - datetime.timedelta(days=200)
    services.grant_consent(
        fin.firm_user,
        bank=fin.bank.pk,
        starts_on=past,
        ends_on=past + datetime.timedelta(days=100),
        sections=["revenue"],
        today=past,
    )
    assert officer.get(f"{API}/bank/firms/{own.pk}/profile").status_code == 404
    post(
        client_for(fin.firm_user),
        f"{API}/consents",
        consent_body(
            fin,
            starts_on=(today() + datetime.timedelta(days=3)).isoformat(),
            ends_on=(today() + datetime.timedelta(days=30)).isoformat(),
        ),
    )
    statuses = [c["status"] for c in client_for(fin.firm_user).get(f"{API}/consents").json()]
    assert sorted(statuses) == ["expired", "pending"]
    assert officer.get(f"{API}/bank/firms/{own.pk}/profile").status_code == 404
    assert officer.get(f"{API}/bank/firms").json() == []
    assert ProfileView.objects.count() == 0


def test_forbidden_paths(fin, client_for):
    own = fin.world.own
    firm = client_for(fin.firm_user)
    consent = post(firm, f"{API}/consents", consent_body(fin)).json()
    profile = f"{API}/bank/firms/{own.pk}/profile"
    anonymous = client_for(None)
    for url in (
        f"{API}/banks",
        f"{API}/consents",
        f"{API}/access-log",
        f"{API}/bank/firms",
        profile,
        f"{API}/loans",
    ):
        response = anonymous.get(url)
        assert response.status_code == 401, url
        assert set(response.json()) == {"detail", "errors"}
    assert post(anonymous, f"{API}/consents", consent_body(fin)).status_code == 401
    w = fin.world
    for user in (
        fin.officer_b,
        fin.unlinked,
        fin.firm_user,
        fin.sharing_user,
        w.users.association,
        w.users.office,
        w.users.admin,
    ):
        c = client_for(user)
        response = c.get(profile)
        assert response.status_code == 404, user
        assert response.json()["detail"]
    for user in (fin.unlinked, fin.firm_user, w.users.association, w.users.office):
        assert client_for(user).get(f"{API}/bank/firms").status_code == 403, user
    # another firm's user cannot withdraw it, nor see its consents or log
    sharing = client_for(fin.sharing_user)
    assert sharing.post(f"{API}/consents/{consent['id']}/withdraw").status_code == 404
    assert sharing.get(f"{API}/consents").json() == []
    assert sharing.get(f"{API}/access-log").json() == []
    for user in (fin.officer, w.users.association, w.users.office):
        assert client_for(user).post(f"{API}/consents/{consent['id']}/withdraw").status_code in (
            403,
            404,
        )
        assert client_for(user).get(f"{API}/consents").status_code == 403
    assert Consent.objects.get(pk=consent["id"]).withdrawn_at is None
    assert ProfileView.objects.count() == 0


def test_each_bank_sees_only_its_own_log(fin, client_for):
    firm = client_for(fin.firm_user)
    post(firm, f"{API}/consents", consent_body(fin))
    post(firm, f"{API}/consents", consent_body(fin, bank=fin.other_bank.pk))
    own = fin.world.own.pk
    client_for(fin.officer).get(f"{API}/bank/firms/{own}/profile")
    client_for(fin.officer_b).get(f"{API}/bank/firms/{own}/profile")
    client_for(fin.officer_b).get(f"{API}/bank/firms/{own}/profile")
    assert len(firm.get(f"{API}/access-log").json()) == 3
    mine = client_for(fin.officer).get(f"{API}/access-log").json()
    assert [v["bank"]["id"] for v in mine] == [fin.bank.pk]
    theirs = client_for(fin.officer_b).get(f"{API}/access-log").json()
    assert {v["bank"]["id"] for v in theirs} == {fin.other_bank.pk} and len(theirs) == 2
    assert client_for(fin.world.users.association).get(f"{API}/access-log").status_code == 403


def test_the_access_log_comes_a_page_at_a_time(fin, client_for):
    """The list is the body, as before; X-Total-Count and Link (rel next/prev/first/last)
    carry the rest. The pages cover every look once, the officer's scope holds on every page,
    and bad paging is a 422 naming the parameter."""
    firm = client_for(fin.firm_user)
    post(firm, f"{API}/consents", consent_body(fin))
    post(firm, f"{API}/consents", consent_body(fin, bank=fin.other_bank.pk))
    own = fin.world.own.pk
    for officer in (fin.officer, fin.officer_b, fin.officer, fin.officer_b, fin.officer):
        client_for(officer).get(f"{API}/bank/firms/{own}/profile")
    first = firm.get(f"{API}/access-log?per_page=2")
    assert first.status_code == 200 and first["X-Total-Count"] == "5"
    assert len(first.json()) == 2 and 'rel="next"' in first["Link"]
    assert 'rel="prev"' not in first["Link"] and "page=3" in first["Link"]  # rel=last
    seen, url = [], f"{API}/access-log?per_page=2"
    while url:
        page = firm.get(url)
        seen += [v["id"] for v in page.json()]
        nxt = [part for part in page["Link"].split(", ") if part.endswith('rel="next"')]
        url = nxt[0][1 : nxt[0].index(">")] if nxt else None
    assert len(seen) == len(set(seen)) == 5
    assert ProfileView.objects.count() == 5
    assert firm.get(f"{API}/access-log?page=9&per_page=2").json() == []
    officer = client_for(fin.officer).get(f"{API}/access-log?per_page=1")
    assert officer["X-Total-Count"] == "3"
    assert {v["bank"]["id"] for v in officer.json()} == {fin.bank.pk}
    for bad in ("per_page=0", "per_page=100000", "page=0", "page=x"):
        r = firm.get(f"{API}/access-log?{bad}")
        assert r.status_code == 422 and bad.split("=")[0] in r.content.decode()


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"ends_on": None}, "ends_on"),
        ({"ends_on": "2026-13-01"}, "ends_on"),
        ({"ends_on": "2099-01-01"}, "ends_on"),
        ({"sections": ["revenue", "salary"]}, "sections"),
        ({"sections": []}, "sections"),
        ({"bank": 999_999}, "bank"),
        ({"bank": "first"}, "bank"),
        ({"starts_on": "2020-01-01"}, "starts_on"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_consent_input(fin, client_for, changes, loc):
    body = consent_body(fin)
    body.update(changes)
    body = {k: v for k, v in body.items() if v is not None}
    response = post(client_for(fin.firm_user), f"{API}/consents", body)
    assert response.status_code == 422, response.content
    assert loc in [e["loc"][0] for e in response.json()["errors"]]
    assert Consent.objects.count() == 0


def test_loan_application_over_http(fin, client_for):
    firm = client_for(fin.firm_user)
    officer = client_for(fin.officer)
    body = {"bank": fin.bank.pk, "amount": "800000.50", "purpose": "采购皮料", "term_months": 12}
    refused = post(firm, f"{API}/loans", body)
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"] == ["bank"]
    post(firm, f"{API}/consents", consent_body(fin))
    created = post(firm, f"{API}/loans", body)
    assert created.status_code == 201, created.content
    loan = created.json()
    assert loan["amount"] == "800000.50" and loan["status"] == "received"
    assert [a["id"] for a in officer.get(f"{API}/loans").json()] == [loan["id"]]
    assert client_for(fin.officer_b).get(f"{API}/loans").json() == []
    assert client_for(fin.officer_b).get(f"{API}/loans/{loan['id']}").status_code == 404
    assert client_for(fin.sharing_user).get(f"{API}/loans/{loan['id']}").status_code == 404
    step = f"{API}/loans/{loan['id']}/status"
    assert post(firm, step, {"status": "approved"}).status_code == 403
    assert post(client_for(fin.officer_b), step, {"status": "under_review"}).status_code == 404
    bad = post(officer, step, {"status": "disbursed"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["status"]
    ok = post(officer, step, {"status": "under_review", "note": "审查中"})
    assert ok.status_code == 200 and ok.json()["status"] == "under_review"
    followed = firm.get(f"{API}/loans/{loan['id']}").json()
    assert [(e["status"], e["note"]) for e in followed["events"]] == [
        ("received", ""),
        ("under_review", "审查中"),
    ]


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"amount": "lots"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "Infinity"}, "amount"),
        ({"term_months": 0}, "term_months"),
        ({"term_months": "twelve"}, "term_months"),
        ({"purpose": ""}, "purpose"),
        ({"purpose": None}, "purpose"),
    ],
)
def test_bad_loan_input(fin, client_for, changes, loc):
    firm = client_for(fin.firm_user)
    post(firm, f"{API}/consents", consent_body(fin))
    body = {"bank": fin.bank.pk, "amount": "1000", "purpose": "x", "term_months": 12}
    body.update(changes)
    body = {k: v for k, v in body.items() if v is not None}
    response = post(firm, f"{API}/loans", body)
    assert response.status_code == 422, response.content
    assert [e["loc"][0] for e in response.json()["errors"]] == [loc]
    assert LoanApplication.objects.count() == 0
