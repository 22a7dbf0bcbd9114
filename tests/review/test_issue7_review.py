"""Adversarial review of issue 7's apps (programs, awards, finance, brand, exhibitions and the
rule engine) against DOMAIN.md's roles and the issue's rules: every role sees what it may and
no more (another firm, another cluster, a bank without a live consent, anonymous); money moves
only as the office's counter-entries allow; bad input is a 4xx naming the field and changes
nothing, never a 500 or a traceback.

Every test goes over HTTP with Django's test client (sessions and API tokens). A passing test
documents a path that was tried and held, or a defect fixed in the same commit.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone

import factories
from clusterbrain.accounts.auth import create_api_token
from clusterbrain.accounts.models import Role

_TESTS = Path(__file__).resolve().parents[1]
for _sub in ("programs", "awards", "finance"):
    if str(_TESTS / _sub) not in sys.path:
        sys.path.insert(0, str(_TESTS / _sub))

from awarddata import make_application, make_program  # noqa: E402
from financedata import build_finance  # noqa: E402
from programsdata import PDF, build_program, upload  # noqa: E402

pytestmark = pytest.mark.django_db

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
HUGE = 10**30
SECRET_TERMS = "CONFIDENTIAL-TERMS royalty 1.5 %"
SECRET_BUYER = "Secret Buyer GmbH"


# --- helpers -----------------------------------------------------------------------------------


def token_client(client_for, user):
    _token, key = create_api_token(user)
    return client_for(None, HTTP_AUTHORIZATION=f"Bearer {key}")


def post_json(client, url, data, **headers):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(url, body, content_type="application/json", **headers)


def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def not_a_500(response):
    content = body(response)
    assert response.status_code < 500, (response.status_code, content[:800])
    assert b"Traceback" not in content


def error_locs(response):
    return [tuple(e["loc"]) for e in response.json().get("errors", [])]


# --- the world of issue 7 ----------------------------------------------------------------------


@pytest.fixture
def seven(world):
    """One of everything issue 7 keeps, in cluster alpha, and users to try it with.

    programs: `prog` (office's open program with a required PDF) and own's submitted
    application `doc_app` with the PDF; awards: `grant` (program `upgrade`) with own's
    application awarded 300,000 yuan and 100,000 paid, sharing's under review with one
    review; finance: own consents to `bank` and applied for a loan; brand: own holds a licence
    with secret terms; exhibitions: own signed up to a fair and recorded a buyer.
    """
    from awarddata import reviewed

    from clusterbrain.awards import services as award_services
    from clusterbrain.brand import services as brand_services
    from clusterbrain.exhibitions import services as fair_services
    from clusterbrain.exhibitions.models import Lead
    from clusterbrain.finance import services as finance_services
    from clusterbrain.programs import services as program_services

    users = world.users
    users.other = factories.user(Role.ENTERPRISE, enterprise=world.other, username="other-u")
    users.outsider = factories.user(
        Role.ENTERPRISE, enterprise=world.outsider, username="outsider-u"
    )
    users.assoc_b = factories.user(Role.ASSOCIATION, cluster=world.b, username="assoc-b")

    prog = build_program(world).program
    doc_app = program_services.start_application(
        users.enterprise, prog, {"requested_amount": "500000", "project": "New drum line"}
    )
    program_services.upload_document(
        users.enterprise, doc_app, "plan", upload("plan.pdf", PDF, "application/pdf")
    )
    program_services.submit_application(users.enterprise, doc_app)

    program = make_program(world.a)
    reviewers = SimpleNamespace(
        assoc=users.association,
        assoc2=factories.user(Role.ASSOCIATION, cluster=world.a, username="assoc-a2"),
        office=factories.user(Role.OFFICE, cluster=world.a, username="office-a2"),
    )
    grant = SimpleNamespace(program=program, reviewers=reviewers, office=users.office)
    awarded = reviewed(grant, make_application(program, world.own))
    pending = make_application(program, world.sharing)
    award_services.post_budget(users.office, program)
    award_services.decide(users.office, awarded, outcome="award", amount="300000")
    paid = award_services.disburse(users.office, awarded, amount="100000")
    a1 = award_services.assign_reviewer(users.office, pending, reviewers.assoc)
    award_services.declare_conflict(reviewers.assoc, a1, conflict=False)
    award_services.submit_review(reviewers.assoc, a1, scores={"impact": 9, "feasibility": 5})
    a2 = award_services.assign_reviewer(users.office, pending, reviewers.assoc2)

    fin = build_finance(world)
    today = timezone.localdate()
    consent = finance_services.grant_consent(
        users.enterprise,
        bank=fin.bank.pk,
        ends_on=today + datetime.timedelta(days=90),
        sections=["revenue", "orders", "awards"],
    )
    loan = finance_services.apply_for_loan(
        users.enterprise, bank=fin.bank.pk, amount="800000", purpose="drums", term_months=24
    )

    brand = factories.brand(
        world.a,
        None,
        is_regional=True,
        name_zh="狮岭皮具",
        name_en="Shiling Leather",
        countries_registered=["CN", "US", "DE"],
    )
    licence = brand_services.grant_licence(
        users.association,
        brand,
        licensee=world.own,
        products=["手袋 Handbags"],
        countries=["CN", "DE"],
        valid_from=today - datetime.timedelta(days=30),
        valid_until=today + datetime.timedelta(days=300),
        terms=SECRET_TERMS,
    )

    fair = fair_services.create_exhibition(
        users.association,
        world.a,
        name_zh="海宁皮革展",
        name_en="Haining Leather Fair",
        venue="Haining Expo",
        city_zh="海宁",
        city_en="Haining",
        country="CN",
        scope="domestic",
        starts_on=today + datetime.timedelta(days=20),
        ends_on=today + datetime.timedelta(days=22),
        signup_deadline=today + datetime.timedelta(days=10),
        booth_fee="6800",
    )
    fair_services.add_booths(
        users.association,
        fair,
        [
            {"code": "A01", "area_m2": "9", "zone": "A"},
            {"code": "B01", "area_m2": "18", "zone": "B"},
        ],
    )
    signup = fair_services.sign_up(users.enterprise, fair, enterprise=world.own)
    lead = Lead.objects.create(signup=signup, buyer_company=SECRET_BUYER, country="DE")

    return SimpleNamespace(
        world=world,
        users=users,
        prog=prog,
        doc_app=doc_app,
        program=program,
        reviewers=reviewers,
        awarded=awarded,
        pending=pending,
        paid=paid,
        conflict_free=a1,
        open_assignment=a2,
        fin=fin,
        consent=consent,
        loan=loan,
        brand=brand,
        licence=licence,
        fair=fair,
        signup=signup,
        lead=lead,
    )


def _pages(s):
    """Every page of issue 7's apps with the ids of `seven`."""
    slug = s.world.a.slug
    return [
        f"/c/{slug}/programs/",
        f"/c/{slug}/programs/new/",
        f"/c/{slug}/programs/{s.prog.code}/",
        f"/c/{slug}/programs/{s.prog.code}/edit/",
        f"/c/{slug}/environmental-violations/",
        "/programs/applications/",
        f"/programs/applications/{s.doc_app.pk}/",
        f"/programs/applications/{s.doc_app.pk}/documents/plan/",
        f"/c/{slug}/awards/",
        "/awards/reviews/",
        f"/awards/assignments/{s.open_assignment.pk}/",
        f"/awards/applications/{s.awarded.pk}/",
        f"/awards/applications/{s.awarded.pk}/award/",
        f"/awards/programs/{s.program.pk}/ledger/",
        f"/awards/programs/{s.program.pk}/outcomes/",
        "/finance/sharing/",
        "/finance/sharing/preview/",
        "/finance/bank/",
        f"/finance/bank/firms/{s.world.own.pk}/",
        f"/finance/loans/{s.loan.pk}/",
        "/brand/verify/",
        f"/brand/verify/{s.licence.code}/",
        f"/brand/{s.brand.pk}/licensees/",
        f"/c/{slug}/brand/",
        f"/brand/licences/{s.licence.pk}/",
        f"/brand/licences/{s.licence.pk}/qr.svg",
        f"/brand/licences/{s.licence.pk}/qr.png",
        f"/firms/{s.world.own.pk}/brand/",
        f"/c/{slug}/exhibitions/",
        f"/exhibitions/{s.fair.pk}/",
        f"/exhibitions/{s.fair.pk}/report/",
        f"/exhibitions/signups/{s.signup.pk}/leads/",
    ]


def _api_reads(s):
    slug = s.world.a.slug
    return [
        f"/api/v1/clusters/{slug}/programs",
        f"/api/v1/clusters/{slug}/programs/{s.prog.code}",
        f"/api/v1/clusters/{slug}/program-fields",
        f"/api/v1/clusters/{slug}/programs/{s.prog.code}/applications",
        "/api/v1/programs/matching",
        "/api/v1/applications/mine",
        f"/api/v1/applications/{s.doc_app.pk}",
        f"/api/v1/clusters/{slug}/environmental-violations",
        f"/api/v1/enterprises/{s.world.other.pk}/environmental-violations",
        "/api/v1/awards/reviews",
        f"/api/v1/awards/assignments/{s.open_assignment.pk}",
        f"/api/v1/awards/applications/{s.awarded.pk}",
        f"/api/v1/awards/programs/{s.program.pk}/ledger",
        f"/api/v1/awards/clusters/{slug}/programs",
        f"/api/v1/awards/programs/{s.program.pk}/audit",
        f"/api/v1/awards/applications/{s.awarded.pk}/award",
        f"/api/v1/awards/programs/{s.program.pk}/outcomes",
        "/api/v1/finance/banks",
        "/api/v1/finance/consents",
        "/api/v1/finance/access-log",
        "/api/v1/finance/bank/firms",
        f"/api/v1/finance/bank/firms/{s.world.own.pk}/profile",
        "/api/v1/finance/loans",
        f"/api/v1/finance/loans/{s.loan.pk}",
        f"/api/v1/brand/verify/{s.licence.code}",
        f"/api/v1/clusters/{slug}/brand/brands",
        f"/api/v1/brand/brands/{s.brand.pk}/licensees",
        f"/api/v1/clusters/{slug}/brand/licences",
        f"/api/v1/brand/licences/{s.licence.pk}",
        f"/api/v1/enterprises/{s.world.own.pk}/brand/licences",
        f"/api/v1/clusters/{slug}/exhibitions",
        f"/api/v1/exhibitions/{s.fair.pk}",
        f"/api/v1/exhibitions/{s.fair.pk}/signups",
        f"/api/v1/exhibitions/signups/{s.signup.pk}/leads",
        f"/api/v1/exhibitions/{s.fair.pk}/report",
    ]


ROLES = (None, "enterprise", "other", "outsider", "association", "assoc_b", "office", "office_b")


@pytest.mark.parametrize("role", ROLES + ("bank", "admin"))
def test_every_page_and_read_for_every_role_is_never_a_500(seven, client_for, role):
    """Every page and API read of issue 7, by every role (anonymous and a bank too), with the
    real ids: no 500, no traceback, and another firm's secrets (licence terms, a buyer of the
    firm's leads) never in what a third party gets."""
    user = getattr(seven.users, role) if role else None
    page_client = client_for(user)
    api_client = token_client(client_for, user) if user else client_for(None)
    for url in _pages(seven):
        r = page_client.get(url)
        not_a_500(r)
        if role not in ("enterprise", "association", "office", "admin"):
            assert SECRET_TERMS.encode() not in body(r), (role, url)
        if role not in ("enterprise",):
            assert SECRET_BUYER.encode() not in body(r), (role, url)
    for url in _api_reads(seven):
        r = api_client.get(url)
        not_a_500(r)
        if role not in ("enterprise", "association", "office", "admin"):
            assert SECRET_TERMS.encode() not in body(r), (role, url)
        if role not in ("enterprise",):
            assert SECRET_BUYER.encode() not in body(r), (role, url)


@pytest.mark.parametrize("bad", [str(HUGE), "0", "-1", "1e3", "%00", "abc"])
def test_ids_out_of_range_or_malformed_are_404_everywhere(seven, client_for, bad):
    """Ids that overflow the database's integers (10**30), zero, negative or not numbers, in
    every path of issue 7: a 404 (or 4xx), never an overflow 500."""
    office = client_for(seven.users.office)
    firm = client_for(seven.users.enterprise)
    api = token_client(client_for, seven.users.office)
    for url in _pages(seven) + _api_reads(seven):
        for real in (
            seven.doc_app.pk,
            seven.awarded.pk,
            seven.open_assignment.pk,
            seven.program.pk,
            seven.loan.pk,
            seven.licence.pk,
            seven.fair.pk,
            seven.signup.pk,
            seven.brand.pk,
            seven.world.own.pk,
            seven.world.other.pk,
        ):
            token = f"/{real}/"
            if token in url + "/":
                wrong = (url + "/").replace(token, f"/{bad}/", 1)[:-1]
                if not url.endswith("/") and wrong.endswith("/"):
                    wrong = wrong[:-1]
                for c in (office, firm) if not url.startswith("/api/") else (api, firm):
                    r = c.get(wrong)
                    not_a_500(r)
                    assert r.status_code in (400, 403, 404, 405, 422), (wrong, r.status_code)


@pytest.mark.parametrize(
    "query",
    [
        "page=" + str(HUGE),
        "page=-1",
        "page=abc",
        "limit=" + str(HUGE),
        "limit=-5",
        "limit=0",
        "offset=" + str(HUGE),
        "status=%E2%80%AE",
        "status=nonsense",
        "q=" + "x" * 5000,
        "year=" + str(HUGE),
        "open=maybe",
        "day=2026-02-30",
        "lang=zz",
    ],
)
def test_odd_query_parameters_are_not_a_500(seven, client_for, query):
    """Huge or negative page/limit/offset, unknown filters, bidi characters and 5,000-character
    searches on every page and read: ignored or refused as a 4xx, never a 500."""
    for role in ("office", "enterprise", "association"):
        page_client = client_for(getattr(seven.users, role))
        api_client = token_client(client_for, getattr(seven.users, role))
        for url in _pages(seven):
            not_a_500(page_client.get(f"{url}?{query}"))
        for url in _api_reads(seven):
            not_a_500(api_client.get(f"{url}?{query}"))


# === NUL characters in JSON bodies (the NUL middleware reads forms, not JSON) ===================

NUL = "bad\x00text"


def _nul_writes(s):
    """(user, url, body) of JSON writes with a NUL in a text field, one per endpoint."""
    slug = s.world.a.slug
    today = timezone.localdate()
    u = s.users
    return [
        (u.office, f"/api/v1/clusters/{slug}/program-rule-check", {"rule": NUL}),
        (u.office, f"/api/v1/clusters/{slug}/programs/{s.prog.code}", {"name_en": NUL}),
        (u.office, f"/api/v1/clusters/{slug}/programs", {"code": "x", "name_zh": NUL}),
        (
            u.office,
            f"/api/v1/enterprises/{s.world.own.pk}/environmental-violations",
            {"authority": NUL, "found_on": str(today)},
        ),
        (u.enterprise, f"/api/v1/applications/{s.doc_app.pk}/withdraw", {"note": NUL}),
        (
            u.office,
            f"/api/v1/awards/applications/{s.pending.pk}/decision",
            {"outcome": "reject", "reason": NUL},
        ),
        (u.office, f"/api/v1/awards/programs/{s.program.pk}/budget", {"amount": "1", "memo": NUL}),
        (
            u.office,
            f"/api/v1/awards/applications/{s.awarded.pk}/disbursements",
            {"amount": "1", "memo": NUL},
        ),
        (u.office, f"/api/v1/awards/entries/{s.paid.pk}/reversal", {"reason": NUL}),
        (
            s.reviewers.assoc2,
            f"/api/v1/awards/assignments/{s.open_assignment.pk}/declaration",
            {"conflict": True, "note": NUL},
        ),
        (u.enterprise, f"/api/v1/awards/applications/{s.awarded.pk}/outcome", {"statement": NUL}),
        (
            u.enterprise,
            "/api/v1/finance/loans",
            {"bank": s.fin.bank.pk, "amount": "1000", "purpose": NUL, "term_months": 12},
        ),
        (
            u.enterprise,
            "/api/v1/finance/consents",
            {"bank": s.fin.other_bank.pk, "ends_on": str(today), "sections": [NUL]},
        ),
        (
            s.fin.officer,
            f"/api/v1/finance/loans/{s.loan.pk}/status",
            {"status": "under_review", "note": NUL},
        ),
        (
            u.association,
            f"/api/v1/clusters/{slug}/brand/licences",
            {
                "brand": s.brand.pk,
                "licensee": s.world.own.pk,
                "products": [NUL],
                "countries": ["CN"],
                "valid_from": str(today),
                "valid_until": str(today),
                "terms": NUL,
            },
        ),
        (u.association, f"/api/v1/brand/licences/{s.licence.pk}/suspend", {"reason": NUL}),
        (
            u.association,
            f"/api/v1/clusters/{slug}/exhibitions",
            {
                "name_zh": NUL,
                "venue": NUL,
                "city_zh": NUL,
                "country": "CN",
                "scope": "domestic",
                "starts_on": str(today + datetime.timedelta(days=40)),
                "ends_on": str(today + datetime.timedelta(days=41)),
                "signup_deadline": str(today + datetime.timedelta(days=30)),
                "booth_fee": "1",
            },
        ),
        (
            u.association,
            f"/api/v1/exhibitions/{s.fair.pk}/booths",
            {"booths": [{"code": NUL, "area_m2": "9", "zone": NUL}]},
        ),
        (
            u.other,
            f"/api/v1/exhibitions/{s.fair.pk}/signups",
            {"products": [NUL], "preferred_zone": NUL},
        ),
        (
            u.association,
            f"/api/v1/exhibitions/{s.fair.pk}/assignments",
            {"booth": NUL, "enterprise": s.world.own.pk},
        ),
        (
            u.enterprise,
            f"/api/v1/exhibitions/signups/{s.signup.pk}/leads",
            {"buyer_company": NUL, "country": "DE", "notes": NUL},
        ),
        (
            u.enterprise,
            f"/api/v1/exhibitions/leads/{s.lead.pk}",
            {"follow_up": "contacted", "notes": NUL},
        ),
    ]


def test_nul_in_json_text_fields_is_a_4xx_and_changes_nothing(seven, client_for):
    """A NUL character in any text of a JSON body (rule, names, notes, reasons, memos, terms,
    products, buyer, booth code): PostgreSQL text cannot hold it, so unless refused first it
    is a database error (500) there; each must be a 4xx naming the field (and SQLite must not
    quietly store it either)."""
    from clusterbrain.awards.models import AuditEvent, LedgerEntry
    from clusterbrain.brand.models import BrandLicence
    from clusterbrain.exhibitions.models import Lead

    before = (
        LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
        BrandLicence.objects.count(),
        Lead.objects.count(),
    )
    accepted = []
    for user, url, data in _nul_writes(seven):
        method = "patch" if url.endswith(seven.prog.code) else "post"
        client = token_client(client_for, user)
        r = getattr(client, method)(url, json.dumps(data), content_type="application/json")
        if not 400 <= r.status_code < 500:
            accepted.append((url, r.status_code, r.content[:200]))
    assert accepted == []
    r = post_json(
        token_client(client_for, seven.users.enterprise),
        "/api/v1/finance/loans",
        {"bank": seven.fin.bank.pk, "amount": "1000", "purpose": NUL, "term_months": 12},
    )
    # 400 from the NUL middleware when it reads JSON (being added to web/ now), else 422
    assert r.status_code in (400, 422) and error_locs(r)[0][-1] == "purpose", r.json()
    assert before == (
        LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
        BrandLicence.objects.count(),
        Lead.objects.count(),
    )


# === state machines =============================================================================


def _reviewed_twice(seven, application):
    from clusterbrain.awards import services

    for reviewer in (seven.reviewers.assoc, seven.reviewers.assoc2):
        a = services.assign_reviewer(seven.users.office, application, reviewer)
        services.declare_conflict(reviewer, a, conflict=False)
        services.submit_review(reviewer, a, scores={"technology": 5, "green": 5})
    application.refresh_from_db()
    return application


def test_an_application_withdrawn_under_review_cannot_come_back_with_its_old_reviews(
    seven, client_for
):
    """A firm withdrew its application after two reviews, took it back to a draft, raised the
    amount and resubmitted: one new assignment put it under review again and the two old
    reviews (of the earlier text and amount) counted towards the decision. Once reviewers are
    assigned, a withdrawal is final; the reopen is refused and nothing changes."""
    from clusterbrain.programs.models import Application

    app = _reviewed_twice(seven, seven.doc_app)
    assert app.status == Application.Status.UNDER_REVIEW
    firm = client_for(seven.users.enterprise)
    url = f"/programs/applications/{app.pk}/"
    r = firm.post(url, {"action": "withdraw", "note": "rethink"})
    assert r.status_code == 302
    r = firm.post(url, {"action": "reopen"})
    not_a_500(r)
    assert r.status_code == 422
    app.refresh_from_db()
    assert app.status == Application.Status.WITHDRAWN
    assert app.events.filter(to_status=Application.Status.DRAFT).count() == 1  # the start only


# === money ======================================================================================

BAD_AMOUNTS = ["-1", "0", "0.001", "1e400", "NaN", "Infinity", "1" + "0" * 40, "1,2,3", " ", "¥5"]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_bad_amounts_on_every_money_write_are_422_at_amount_and_change_nothing(
    seven, client_for, amount
):
    """Negative, zero, sub-fen, huge, non-finite and non-numeric amounts (as JSON strings) to
    the budget posting, award, disbursement, loan, booth fee and requested amount: each a 422
    naming its field, and no ledger entry, loan or exhibition is made."""
    from clusterbrain.awards.models import LedgerEntry
    from clusterbrain.exhibitions.models import Exhibition
    from clusterbrain.finance.models import LoanApplication

    seven.prog.max_award = None
    today = timezone.localdate()
    before = (
        LedgerEntry.objects.count(),
        LoanApplication.objects.count(),
        Exhibition.objects.count(),
    )
    office = token_client(client_for, seven.users.office)
    firm = token_client(client_for, seven.users.enterprise)
    assoc = token_client(client_for, seven.users.association)
    cases = [
        (
            office,
            f"/api/v1/awards/programs/{seven.program.pk}/budget",
            {"amount": amount},
            "amount",
        ),
        (
            office,
            f"/api/v1/awards/applications/{seven.awarded.pk}/disbursements",
            {"amount": amount},
            "amount",
        ),
        (
            firm,
            "/api/v1/finance/loans",
            {"bank": seven.fin.bank.pk, "amount": amount, "purpose": "p", "term_months": 12},
            "amount",
        ),
        (
            assoc,
            f"/api/v1/clusters/{seven.world.a.slug}/exhibitions",
            {
                "name_zh": "展",
                "venue": "v",
                "city_zh": "c",
                "country": "CN",
                "scope": "domestic",
                "starts_on": str(today + datetime.timedelta(days=40)),
                "ends_on": str(today + datetime.timedelta(days=41)),
                "signup_deadline": str(today + datetime.timedelta(days=30)),
                "booth_fee": amount,
            },
            "booth_fee",
        ),
    ]
    for client, url, data, field in cases:
        r = post_json(client, url, data)
        not_a_500(r)
        if amount == "0" and field == "booth_fee":
            continue  # a free booth is a fee of 0
        assert r.status_code == 422, (url, r.status_code, r.content[:300])
        assert (field,) in error_locs(r), (url, r.json())
    after = (
        LedgerEntry.objects.count(),
        LoanApplication.objects.count(),
        Exhibition.objects.count(),
    )
    assert after[:2] == before[:2]


@pytest.mark.parametrize("field", ["budget", "max_award"])
def test_program_amounts_below_the_fen_are_refused_not_rounded(seven, client_for, field):
    """A program's budget or largest award of 1,000.005 yuan was rounded to the fen without a
    word; money has two decimals, so it is a 422 at the field and the program is unchanged."""
    office = token_client(client_for, seven.users.office)
    url = f"/api/v1/clusters/{seven.world.a.slug}/programs/{seven.prog.code}"
    before = getattr(seven.prog, field)
    r = office.patch(url, json.dumps({field: "1000.005"}), content_type="application/json")
    assert r.status_code == 422 and (field,) in error_locs(r), r.content[:300]
    seven.prog.refresh_from_db()
    assert getattr(seven.prog, field) == before


# === finance: consent is the permission ========================================================


def test_a_bank_reads_a_profile_only_under_a_live_consent_of_its_own(seven, client_for):
    """The officer of another bank, an unlinked bank user, the firm's own consent not yet
    started, withdrawn: every way to the profile (page and API) is a 404 like a firm that does
    not exist, and no look is logged; with the live consent it opens and is logged once."""
    from clusterbrain.finance import services
    from clusterbrain.finance.models import ProfileView

    fin, own = seven.fin, seven.world.own
    page = f"/finance/bank/firms/{own.pk}/"
    api = f"/api/v1/finance/bank/firms/{own.pk}/profile"
    for user in (fin.officer_b, fin.unlinked, seven.users.office, seven.users.admin):
        assert client_for(user).get(page).status_code == 404, user.username
        r = token_client(client_for, user).get(api)
        assert r.status_code == 404, (user.username, r.status_code)
    assert ProfileView.objects.count() == 0
    officer = token_client(client_for, fin.officer)
    assert officer.get(api).status_code == 200
    assert ProfileView.objects.count() == 1
    services.withdraw_consent(seven.users.enterprise, seven.consent.pk)
    assert officer.get(api).status_code == 404
    assert client_for(fin.officer).get(page).status_code == 404
    today = timezone.localdate()
    services.grant_consent(
        seven.users.enterprise,
        bank=fin.bank.pk,
        starts_on=today + datetime.timedelta(days=5),
        ends_on=today + datetime.timedelta(days=30),
        sections=["revenue"],
    )
    assert officer.get(api).status_code == 404
    assert ProfileView.objects.count() == 1


def test_loan_steps_only_forward_and_only_by_its_bank(seven, client_for):
    """A loan jumped from received to disbursed, moved back, or moved by the other bank's
    officer or by the firm: each refused (422 at status, or 403/404) and the loan unchanged."""
    fin = seven.fin
    url = f"/api/v1/finance/loans/{seven.loan.pk}/status"
    officer = token_client(client_for, fin.officer)
    for user in (fin.officer_b, seven.users.enterprise, seven.users.office):
        r = post_json(token_client(client_for, user), url, {"status": "under_review"})
        assert r.status_code in (403, 404), (user.username, r.status_code)
    for status in ("disbursed", "approved", "received", "bogus", ""):
        r = post_json(officer, url, {"status": status})
        assert r.status_code == 422 and error_locs(r) == [("status",)], (status, r.json())
    assert post_json(officer, url, {"status": "rejected"}).status_code == 422  # no reason
    seven.loan.refresh_from_db()
    assert seven.loan.status == "received" and seven.loan.events.count() == 1


# === brand: the public face ====================================================================

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def test_verification_of_a_suspended_licence_shows_no_reason_or_terms(seven, client_for):
    """The public verification page and API of a suspended and then a revoked licence: the
    outcome, never the association's reason (a dispute, a royalty unpaid) nor the terms; an
    unknown code and a mistyped one name nobody."""
    from clusterbrain.brand import services

    reason = "ROYALTY-UNPAID-SECRET"
    services.suspend_licence(seven.users.association, seven.licence, reason=reason)
    anonymous = client_for(None)
    for _round in ("suspended", "revoked"):
        for url in (
            f"/brand/verify/{seven.licence.code}/",
            f"/api/v1/brand/verify/{seven.licence.code}",
        ):
            r = anonymous.get(url)
            assert r.status_code == 200 and _round.encode() in r.content.lower()
            assert reason.encode() not in r.content and SECRET_TERMS.encode() not in r.content
        if _round == "suspended":
            services.revoke_licence(seven.users.association, seven.licence, reason=reason)
    code = seven.licence.code
    mistyped = code[:-3] + ("Z" if code[-3] != "Z" else "Y") + code[-2:]
    for url in (f"/brand/verify/{mistyped}/", "/brand/verify/SL-2026-00000-00000-0/"):
        r = anonymous.get(url)
        not_a_500(r)
        assert seven.world.own.name_en.encode() not in r.content
        assert seven.world.own.name_zh.encode() not in r.content


def test_a_revoked_licence_is_never_reinstated_or_renewed(seven, client_for):
    """Reinstating or renewing a revoked licence over the API: 422 at status, the licence
    stays revoked, no event is added."""
    from clusterbrain.brand import services

    services.revoke_licence(seven.users.association, seven.licence, reason="gone")
    assoc = token_client(client_for, seven.users.association)
    events = seven.licence.events.count()
    base = f"/api/v1/brand/licences/{seven.licence.pk}"
    later = str(timezone.localdate() + datetime.timedelta(days=900))
    for url, data in (
        (f"{base}/reinstate", {"reason": "x"}),
        (f"{base}/renew", {"valid_until": later}),
        (f"{base}/suspend", {"reason": "x"}),
        (f"{base}/revoke", {"reason": "x"}),
    ):
        r = post_json(assoc, url, data)
        assert r.status_code == 422, (url, r.status_code, r.content[:200])
    seven.licence.refresh_from_db()
    assert seven.licence.status == "revoked" and seven.licence.events.count() == events


def test_markup_typed_by_users_is_escaped_on_every_page(seven, client_for):
    """Script and event-handler markup in a program's description, a licence's products and
    terms, an exhibition's name, a sign-up's products and a lead's notes and buyer: every page
    that shows them escapes them (no |safe, no raw HTML in HTMX partials)."""
    from clusterbrain.exhibitions.models import Lead

    seven.prog.description_en = XSS
    seven.prog.description_zh = XSS
    seven.prog.save()
    seven.licence.products = [XSS]
    seven.licence.terms = XSS
    seven.licence.save()
    seven.fair.name_en = seven.fair.name_zh = XSS
    seven.fair.save()
    seven.signup.products = [XSS]
    seven.signup.save()
    Lead.objects.filter(pk=seven.lead.pk).update(notes=XSS, buyer_company=XSS, contact_name=XSS)
    for role in ("enterprise", "association", "office"):
        c = client_for(getattr(seven.users, role))
        for url in _pages(seven):
            r = c.get(url)
            content = body(r)
            assert b"<script>alert(1)" not in content, (role, url)
            assert b"<img src=x" not in content, (role, url)


# === rules: pathological texts ==================================================================

PATHOLOGICAL_RULES = [
    "(" * 40 + "revenue > 1" + ")" * 40,
    "not " * 40 + "has_brand",
    " and ".join(["revenue >= 1"] * 300),
    " or ".join(['"tanning" in chain_links'] * 150),
    "revenue >= 1" + "0" * 3900,
    "revenue >= 0." + "0" * 3900 + "1",
    "revenue >= -" + "9" * 3900,
    "revenue_growth >= 1" + "0" * 300 + "%",
    "employees >= 1_" + "_".join(["000"] * 900),
    "size_class in [" + ", ".join(['"small"'] * 600) + "]",
    "revenue > 1\x00",
    "revenue\u200b > 1",
    "révénue > 1",
    "revenue > １",
    "revenue >= 1 # " + "注" * 3900,
    "x" * 4001,
    '"' + "a" * 3998,
    "revenue in []",
    "chain_links = chain_links",
    "",
    "   ",
    "\ufeffrevenue > 1",
    "revenue > 1 and",
    "((((((((((((((((((((((((((((((((((((",
]


@pytest.mark.parametrize("rule", PATHOLOGICAL_RULES, ids=range(len(PATHOLOGICAL_RULES)))
def test_pathological_rules_are_a_422_or_evaluate_without_error(seven, client_for, rule):
    """Deep nesting, 300-term chains, 3,900-digit numbers, long lists, NUL, zero-width and
    accented names, full-width digits, BOM, unterminated text: checking (rule-check) and saving
    give 200 or a 422 at eligibility_rule, never a 500; a rule that saved is then evaluated for
    every firm on the matching list and the program's page without an error."""
    office = token_client(client_for, seven.users.office)
    slug = seven.world.a.slug
    r = post_json(office, f"/api/v1/clusters/{slug}/program-rule-check", {"rule": rule})
    not_a_500(r)
    assert r.status_code in (200, 400, 422), r.status_code
    if r.status_code != 200:
        assert error_locs(r)[0][-1] == "rule", r.json()
    page = client_for(seven.users.office).post(
        f"/c/{slug}/programs/rule-check/", {"eligibility_rule": rule}
    )
    not_a_500(page)
    url = f"/api/v1/clusters/{slug}/programs/{seven.prog.code}"
    r = office.patch(url, json.dumps({"eligibility_rule": rule}), content_type="application/json")
    not_a_500(r)
    if r.status_code == 200:
        firm = token_client(client_for, seven.users.enterprise)
        not_a_500(firm.get("/api/v1/programs/matching"))
        not_a_500(client_for(seven.users.enterprise).get(f"/c/{slug}/programs/{seven.prog.code}/"))
        not_a_500(client_for(seven.users.other).get(f"/c/{slug}/programs/"))


# === documents ==================================================================================


def _draft_again(seven):
    from clusterbrain.programs import services

    services.withdraw_application(seven.users.enterprise, seven.doc_app, "fix")
    services.reopen_application(seven.users.enterprise, seven.doc_app)
    seven.doc_app.refresh_from_db()
    return seven.doc_app


def test_documents_are_judged_by_content_and_stored_under_our_name(seven, client_for, settings):
    """Uploads over the API to the firm's draft: a PNG named .pdf, zero bytes, one byte over
    the limit, a ZIP that is neither workbook nor document, a NUL or traversal in the name, a
    key the program does not ask for, another firm's application: each a 4xx and the stored
    PDF unchanged; a PDF named ../../../etc/passwd.pdf is stored inside MEDIA_ROOT under our
    own name and downloaded as an attachment named by application and key, with nosniff."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from programsdata import PNG, xlsx_bytes

    from clusterbrain.programs.models import ApplicationDocument

    app = _draft_again(seven)
    firm = token_client(client_for, seven.users.enterprise)
    url = f"/api/v1/applications/{app.pk}/documents"
    stored = ApplicationDocument.objects.get(application=app)
    digest = stored.sha256

    def send(client, name, content, key="plan"):
        f = SimpleUploadedFile(name, content, content_type="application/pdf")
        return client.post(url, {"document": key, "file": f})

    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("evil.html", "<script>alert(1)</script>")
    for name, content, key in (
        ("plan.pdf", PNG, "plan"),
        ("plan.pdf", b"", "plan"),
        ("plan.pdf", b"%PDF-" + b"x" * (1024 * 1024), "plan"),
        ("plan.pdf", other_zip.getvalue(), "plan"),
        ("sheet.xlsx", xlsx_bytes(), "plan"),
        ("plan.pdf", PDF, "nope"),
        ("plan.pdf", PDF, "../plan"),
    ):
        r = send(firm, name, content, key)
        not_a_500(r)
        assert r.status_code in (404, 422), (name, key, r.status_code, r.content[:200])
    for user in (seven.users.other, seven.users.outsider, seven.fin.officer, seven.users.office):
        r = send(token_client(client_for, user), "plan.pdf", PDF)
        assert r.status_code in (403, 404), (user.username, r.status_code)
    stored.refresh_from_db()
    assert stored.sha256 == digest
    r = send(firm, "../../../etc/passwd.pdf", PDF + b"<html><script>alert(1)</script>")
    assert r.status_code == 201, r.content[:300]
    stored = ApplicationDocument.objects.get(application=app)
    path = Path(stored.file.path).resolve()
    assert str(path).startswith(str(Path(settings.MEDIA_ROOT).resolve()))
    assert "passwd" not in stored.file.name and ".." not in stored.file.name
    r = client_for(seven.users.enterprise).get(f"/programs/applications/{app.pk}/documents/plan/")
    assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Type"] == "application/pdf"
    assert (
        r["Content-Disposition"].startswith("attachment")
        and f"{app.pk}-plan.pdf" in r["Content-Disposition"]
    )
    for user in (seven.users.other, seven.users.outsider, seven.fin.officer, seven.users.office_b):
        r = client_for(user).get(f"/programs/applications/{app.pk}/documents/plan/")
        assert r.status_code == 404, user.username
    r = client_for(None).get(f"/programs/applications/{app.pk}/documents/plan/")
    assert r.status_code == 302  # to the login page


# === awards: who moves money, and how ===========================================================


def _entries():
    from clusterbrain.awards.models import LedgerEntry

    return LedgerEntry.objects.count()


def test_only_the_office_of_the_cluster_moves_money(seven, client_for):
    """Association staff (who may review), a reviewer, the awarded firm, a bank and another
    cluster's office try to post budget, award, pay and reverse: 403 for the cluster's own
    staff, 404 for outsiders, and the ledger has not one more entry."""
    before = _entries()
    app, prog, entry = seven.awarded.pk, seven.program.pk, seven.paid.pk
    writes = [
        (f"/api/v1/awards/programs/{prog}/budget", {"amount": "1"}),
        (
            f"/api/v1/awards/applications/{seven.pending.pk}/decision",
            {"outcome": "reject", "reason": "x"},
        ),
        (f"/api/v1/awards/applications/{app}/disbursements", {"amount": "1"}),
        (f"/api/v1/awards/entries/{entry}/reversal", {"reason": "x"}),
        (
            f"/api/v1/awards/applications/{seven.pending.pk}/reviewers",
            {"reviewer": seven.reviewers.office.pk},
        ),
    ]
    for user in (
        seven.users.association,
        seven.reviewers.assoc2,
        seven.users.enterprise,
        seven.users.other,
        seven.fin.officer,
        seven.users.office_b,
        seven.users.assoc_b,
    ):
        c = token_client(client_for, user)
        for url, data in writes:
            r = post_json(c, url, data)
            assert r.status_code in (403, 404), (user.username, url, r.status_code)
        for url in (f"/awards/programs/{prog}/ledger/", f"/awards/applications/{app}/"):
            r = client_for(user).post(url, {"action": "disburse", "amount": "1"})
            assert r.status_code in (403, 404), (user.username, url, r.status_code)
    assert _entries() == before


def test_reversals_are_one_to_one_and_never_reversed(seven, client_for):
    """Reverse a payment twice, reverse the reversal, reverse the award while it is paid,
    pay more than is committed, award above the budget left: each a 422 at its field; the
    balances add up afterwards."""
    from clusterbrain.awards import selectors

    office = token_client(client_for, seven.users.office)
    r = post_json(office, f"/api/v1/awards/entries/{seven.paid.pk}/reversal", {"reason": "typo"})
    assert r.status_code == 201
    reversal = r.json()["id"]
    before = _entries()
    r = post_json(office, f"/api/v1/awards/entries/{seven.paid.pk}/reversal", {"reason": "again"})
    assert r.status_code == 422 and error_locs(r) == [("entry",)]
    r = post_json(office, f"/api/v1/awards/entries/{reversal}/reversal", {"reason": "undo"})
    assert r.status_code == 422 and error_locs(r) == [("entry",)]
    r = post_json(
        office,
        f"/api/v1/awards/applications/{seven.awarded.pk}/disbursements",
        {"amount": "300000.01"},
    )
    assert r.status_code == 422 and error_locs(r) == [("amount",)]
    assert _entries() == before
    b = selectors.balances(seven.program)
    assert b["available"] + b["committed"] + b["paid"] == -b["fund_source"]
    assert b["paid"] == 0 and b["committed"] == Decimal("300000.00")


def test_review_rules_hold_over_http(seven, client_for):
    """A reviewer scores before declaring, reads others' scores before submitting, declares
    twice; a reviewer with a declared conflict scores; the office decides with one review:
    each refused, and the other reviewer's score is not in what the second reviewer reads."""
    second = token_client(client_for, seven.reviewers.assoc2)
    a = seven.open_assignment.pk
    r = post_json(
        second,
        f"/api/v1/awards/assignments/{a}/review",
        {"scores": {"impact": 1, "feasibility": 1}},
    )
    assert r.status_code == 422 and error_locs(r) == [("conflict",)]
    r = second.get(f"/api/v1/awards/assignments/{a}")
    assert r.status_code == 200 and r.json()["other_reviews"] == []
    assert b"90.00" not in r.content  # the first reviewer's 9/10 and 5/5
    page = client_for(seven.reviewers.assoc2).get(f"/awards/assignments/{a}/")
    assert page.status_code == 200 and b"90.00" not in page.content
    r = post_json(
        token_client(client_for, seven.users.office),
        f"/api/v1/awards/applications/{seven.pending.pk}/decision",
        {"outcome": "reject", "reason": "weak"},
    )
    assert r.status_code == 422 and error_locs(r) == [("outcome",)]
    r = post_json(
        second,
        f"/api/v1/awards/assignments/{a}/declaration",
        {"conflict": True, "note": "my cousin"},
    )
    assert r.status_code == 200
    r = post_json(second, f"/api/v1/awards/assignments/{a}/declaration", {"conflict": False})
    assert r.status_code == 422
    r = post_json(
        second,
        f"/api/v1/awards/assignments/{a}/review",
        {"scores": {"impact": 1, "feasibility": 1}},
    )
    assert r.status_code == 403


# === sessions need CSRF; HTMX partials are not a way around the rules ===========================


def test_session_writes_without_a_csrf_token_change_nothing(seven, client_for):
    """A logged-in browser session posting to the JSON API and to the pages without the CSRF
    token (a forged cross-site request): 403, and no entry, loan, lead or status change."""
    from django.test import Client

    from clusterbrain.exhibitions.models import Lead
    from clusterbrain.finance.models import LoanApplication

    def forged(user):
        c = Client(enforce_csrf_checks=True)
        c.force_login(user)
        return c

    before = (_entries(), LoanApplication.objects.count(), Lead.objects.count())
    office, firm, assoc = (
        forged(seven.users.office),
        forged(seven.users.enterprise),
        forged(seven.users.association),
    )
    cases = [
        (office, f"/api/v1/awards/applications/{seven.awarded.pk}/disbursements", {"amount": "1"}),
        (office, f"/api/v1/awards/entries/{seven.paid.pk}/reversal", {"reason": "x"}),
        (
            firm,
            "/api/v1/finance/loans",
            {"bank": seven.fin.bank.pk, "amount": "1", "purpose": "p", "term_months": 1},
        ),
        (firm, f"/api/v1/finance/consents/{seven.consent.pk}/withdraw", {}),
        (firm, f"/api/v1/applications/{seven.doc_app.pk}/withdraw", {}),
        (assoc, f"/api/v1/brand/licences/{seven.licence.pk}/revoke", {"reason": "x"}),
    ]
    for c, url, data in cases:
        r = post_json(c, url, data)
        assert r.status_code == 403, (url, r.status_code)
    for c, url, data in (
        (
            office,
            f"/awards/applications/{seven.awarded.pk}/",
            {"action": "disburse", "amount": "1"},
        ),
        (firm, f"/programs/applications/{seven.doc_app.pk}/", {"action": "withdraw"}),
        (firm, "/finance/sharing/", {"action": "withdraw", "consent": seven.consent.pk}),
        (assoc, f"/brand/licences/{seven.licence.pk}/", {"action": "revoke", "reason": "x"}),
        (
            firm,
            f"/exhibitions/signups/{seven.signup.pk}/leads/",
            {"buyer_company": "B", "country": "DE"},
        ),
    ):
        assert c.post(url, data).status_code == 403, url
    assert before == (_entries(), LoanApplication.objects.count(), Lead.objects.count())
    seven.doc_app.refresh_from_db()
    seven.licence.refresh_from_db()
    seven.consent.refresh_from_db()
    assert seven.doc_app.status == "submitted" and seven.licence.status == "active"
    assert seven.consent.withdrawn_at is None


def test_htmx_partials_called_directly_follow_the_pages_rules(seven, client_for):
    """The rule checker (an HTMX partial) by GET, anonymous, by a firm and by another
    cluster's office; the sharing preview anonymous and by a bank: never a 500, never a
    check for someone who may not write rules."""
    slug = seven.world.a.slug
    url = f"/c/{slug}/programs/rule-check/"
    assert client_for(None).post(url, {"eligibility_rule": "revenue > 1"}).status_code == 302
    for user in (seven.users.enterprise, seven.users.office_b, seven.fin.officer):
        r = client_for(user).post(url, {"eligibility_rule": "revenue > 1"}, HTTP_HX_REQUEST="true")
        assert r.status_code in (403, 404), (user.username, r.status_code)
    r = client_for(seven.users.office).get(url)
    assert r.status_code in (200, 405)
    for user in (seven.fin.officer, seven.users.association):
        r = client_for(user).get("/finance/sharing/preview/", HTTP_HX_REQUEST="true")
        not_a_500(r)
        assert r.status_code in (403, 404), (user.username, r.status_code)


# === exhibitions: leads stay the firm's ========================================================


def test_closing_report_names_no_firms_buyers_by_country_below_k(seven, client_for, settings):
    """With one exhibitor recording leads, the association's and the office's closing report
    (page and API) counted its buyers by country: that firm's customer countries, a
    confidential list. Below k firms the lead figures are withheld; a country whose leads come
    from fewer than k firms is summed into 'other countries'."""
    from clusterbrain.exhibitions.models import Lead, SignUp

    settings.AGGREGATE_MIN_FIRMS = 2
    Lead.objects.create(signup=seven.signup, buyer_company="B2", country="RU")
    for role in ("association", "office"):
        user = getattr(seven.users, role)
        r = token_client(client_for, user).get(f"/api/v1/exhibitions/{seven.fair.pk}/report")
        assert r.status_code == 200
        assert r.json()["leads_total"] is None and r.json()["leads_by_country"] == []
        page = client_for(user).get(f"/exhibitions/{seven.fair.pk}/report/")
        assert page.status_code == 200 and b">DE<" not in page.content
    other = SignUp.objects.create(
        exhibition=seven.fair, enterprise=seven.world.sharing, signed_up_at=timezone.now()
    )
    Lead.objects.create(signup=other, buyer_company="B3", country="DE")
    r = token_client(client_for, seven.users.association).get(
        f"/api/v1/exhibitions/{seven.fair.pk}/report"
    )
    assert r.json()["leads_total"] == 3
    assert r.json()["leads_by_country"] == [
        {"country": "DE", "leads": 2},
        {"country": "", "leads": 1},
    ]
    assert SECRET_BUYER not in r.content.decode()


# === programs: a firm's figures in its application ==============================================


def test_association_reads_no_figures_of_a_firm_that_does_not_share_them(seven, client_for):
    """`own` is a member that does not share its figures with the association. Its submitted
    application froze the verdict with the firm's values (revenue 30,000,000): the API gave
    them to association staff on the application and the program's list. The office (which
    sees enterprise figures) and the firm still read them; association staff get the
    conditions and outcomes with the confidential values withheld."""
    slug = seven.world.a.slug
    urls = (
        f"/api/v1/applications/{seven.doc_app.pk}",
        f"/api/v1/clusters/{slug}/programs/{seven.prog.code}/applications",
    )
    for url in urls:
        r = token_client(client_for, seven.users.association).get(url)
        assert r.status_code == 200
        assert b"30000000" not in r.content, url
        page = client_for(seven.users.association).get(
            f"/programs/applications/{seven.doc_app.pk}/"
        )
        assert b"30000000" not in page.content and b"30,000,000" not in page.content
    for user in (seven.users.office, seven.users.enterprise):
        r = token_client(client_for, user).get(urls[0])
        assert b"30000000" in r.content, user.username


# === concurrent double submits (PostgreSQL: row locks) ==========================================


def _race(n, action):
    import threading

    from django.db import connection

    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = action(i)
        except Exception as exc:  # reported by the caller, never swallowed
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serialises writers by its file lock")
def test_the_same_money_form_sent_four_times_at_once_moves_money_once(transactional_db):
    """A double-clicked (or replayed) disbursement of everything still committed, and a
    reversal of the same payment, each sent by four connections at the same moment: exactly
    one of each goes through, the others are 422 at amount / entry, never a 500, and paid
    never exceeds what was committed."""
    from awarddata import make_application, make_program
    from django.test import Client

    from clusterbrain.awards import selectors, services
    from clusterbrain.awards.models import Review, ReviewAssignment

    cluster = factories.cluster(slug="race7", name_zh="竞七", name_en="Race 7")
    office = factories.user(Role.OFFICE, cluster=cluster, username="office-race7")
    program = make_program(cluster)
    services.post_budget(office, program)
    firm = factories.enterprise(cluster, name_zh="竞争", name_en="Racer")
    app = make_application(program, firm, status="under_review")
    for _ in range(2):
        a = ReviewAssignment.objects.create(
            application=app,
            reviewer=factories.user(Role.ASSOCIATION, cluster=cluster),
            conflict=False,
        )
        Review.objects.create(assignment=a, score=Decimal("80.00"))
    services.decide(office, app, outcome="award", amount="300000")
    _token, key = create_api_token(office)

    def send(url, data):
        c = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        r = c.post(url, json.dumps(data), content_type="application/json")
        return r.status_code, r.json()

    url = f"/api/v1/awards/applications/{app.pk}/disbursements"
    results = _race(4, lambda i: send(url, {"amount": "300000"}))
    assert sorted(code for code, _body in results) == [201, 422, 422, 422], results
    entry = next(body["id"] for code, body in results if code == 201)
    url = f"/api/v1/awards/entries/{entry}/reversal"
    results = _race(4, lambda i: send(url, {"reason": "double click"}))
    assert sorted(code for code, _body in results) == [201, 422, 422, 422], results
    b = selectors.balances(program)
    assert b["paid"] == 0 and b["committed"] == Decimal("300000.00")


def test_exhibition_state_abuse_is_refused_and_changes_nothing(seven, client_for):
    """A booth given to a second firm, a second sign-up, a sign-up after the deadline, a
    withdrawal of a sign-up that has leads, another firm withdrawing own's sign-up or
    recording a lead on it: each refused with the field named (or 403/404), nothing changed."""
    from clusterbrain.exhibitions import services
    from clusterbrain.exhibitions.models import BoothAssignment, SignUp

    assoc = token_client(client_for, seven.users.association)
    fair = seven.fair
    other = services.sign_up(seven.users.other, fair, enterprise=seven.world.other)
    url = f"/api/v1/exhibitions/{fair.pk}/assignments"
    assert (
        post_json(assoc, url, {"booth": "A01", "enterprise": seven.world.own.pk}).status_code == 201
    )
    r = post_json(assoc, url, {"booth": "A01", "enterprise": seven.world.other.pk})
    assert r.status_code == 422 and error_locs(r) == [("booth",)], r.json()
    assert BoothAssignment.objects.get(booth__code="A01").signup.enterprise == seven.world.own
    r = post_json(
        token_client(client_for, seven.users.enterprise),
        f"/api/v1/exhibitions/{fair.pk}/signups",
        {},
    )
    assert r.status_code == 422 and error_locs(r) == [("enterprise",)]
    page = client_for(seven.users.other)
    r = page.post(f"/exhibitions/{fair.pk}/", {"action": "withdraw", "signup": seven.signup.pk})
    assert r.status_code in (403, 404)
    r = client_for(seven.users.enterprise).post(
        f"/exhibitions/{fair.pk}/", {"action": "withdraw", "signup": seven.signup.pk}
    )
    assert r.status_code == 422  # it has a lead
    r = page.post(
        f"/exhibitions/signups/{seven.signup.pk}/leads/", {"buyer_company": "B", "country": "DE"}
    )
    assert r.status_code == 404
    fair.signup_deadline = timezone.localdate() - datetime.timedelta(days=1)
    fair.save()
    other.delete()
    r = post_json(
        token_client(client_for, seven.users.other), f"/api/v1/exhibitions/{fair.pk}/signups", {}
    )
    assert r.status_code == 422 and ("signup_deadline",) in error_locs(r)
    assert SignUp.objects.filter(exhibition=fair).count() == 1


def test_another_firms_records_are_404_by_id_for_every_outsider(seven, client_for):
    """Own's application, document, award with payments and outcome report, loan, licence
    (terms), sign-up leads and assignment by id, read as another firm of the cluster, a firm of
    another cluster, a bank officer (of own's bank: a consent opens the profile, not the
    rest), another cluster's office and association: 404 (403 where the role is named), and
    anonymous API reads 401."""
    s = seven
    private_pages = [
        f"/programs/applications/{s.doc_app.pk}/",
        f"/programs/applications/{s.doc_app.pk}/documents/plan/",
        f"/awards/applications/{s.awarded.pk}/award/",
        f"/awards/assignments/{s.open_assignment.pk}/",
        f"/finance/loans/{s.loan.pk}/",
        f"/brand/licences/{s.licence.pk}/",
        f"/brand/licences/{s.licence.pk}/qr.svg",
        f"/exhibitions/signups/{s.signup.pk}/leads/",
    ]
    private_api = [
        f"/api/v1/applications/{s.doc_app.pk}",
        f"/api/v1/awards/applications/{s.awarded.pk}/award",
        f"/api/v1/awards/assignments/{s.open_assignment.pk}",
        f"/api/v1/finance/loans/{s.loan.pk}",
        f"/api/v1/brand/licences/{s.licence.pk}",
        f"/api/v1/exhibitions/signups/{s.signup.pk}/leads",
        f"/api/v1/enterprises/{s.world.own.pk}/environmental-violations",
    ]
    outsiders = [
        s.users.other,
        s.users.outsider,
        s.users.office_b,
        s.users.assoc_b,
        s.fin.officer_b,
    ]
    for user in outsiders + [s.fin.officer]:
        page, api = client_for(user), token_client(client_for, user)
        for url in private_pages:
            if user == s.fin.officer and url.startswith("/finance/loans/"):
                continue  # own applied to this bank
            r = page.get(url)
            assert r.status_code in (403, 404), (user.username, url, r.status_code)
        for url in private_api:
            if user == s.fin.officer and url.startswith("/api/v1/finance/loans/"):
                continue
            r = api.get(url)
            assert r.status_code in (403, 404), (user.username, url, r.status_code)
    for url in private_api:
        assert client_for(None).get(url).status_code == 401, url


def test_decided_applications_stay_decided(seven, client_for):
    """Withdraw an awarded application, decide it again, submit it again, assign a reviewer
    to it, submit an outcome report for another firm's award: refused, status and ledger
    unchanged."""
    firm = token_client(client_for, seven.users.enterprise)
    office = token_client(client_for, seven.users.office)
    app = seven.awarded
    before = _entries()
    for client, url, data in (
        (firm, f"/api/v1/applications/{app.pk}/withdraw", {}),
        (firm, f"/api/v1/applications/{app.pk}/submit", None),
        (
            office,
            f"/api/v1/awards/applications/{app.pk}/decision",
            {"outcome": "award", "amount": "1"},
        ),
        (
            office,
            f"/api/v1/awards/applications/{app.pk}/reviewers",
            {"reviewer": seven.reviewers.office.pk},
        ),
        (
            token_client(client_for, seven.users.other),
            f"/api/v1/awards/applications/{app.pk}/outcome",
            {"statement": "mine"},
        ),
    ):
        r = client.post(
            url, json.dumps(data) if data is not None else "", content_type="application/json"
        )
        not_a_500(r)
        assert 400 <= r.status_code < 500, (url, r.status_code)
    app.refresh_from_db()
    assert app.status == "awarded" and _entries() == before


def test_a_bank_reads_only_the_sections_consented(seven, client_for):
    """Own consented revenue, orders and awards, not certificates or green: the profile (page
    and API) names no certificate (own holds an ISO 9001 from CQC), while the firm's access
    log shows the look."""
    officer = seven.fin.officer
    r = token_client(client_for, officer).get(
        f"/api/v1/finance/bank/firms/{seven.world.own.pk}/profile"
    )
    assert r.status_code == 200
    page = client_for(officer).get(f"/finance/bank/firms/{seven.world.own.pk}/")
    for content in (r.content, page.content):
        assert b"ISO-1" not in content and b"CQC" not in content
    log = token_client(client_for, seven.users.enterprise).get("/api/v1/finance/access-log")
    assert log.status_code == 200 and len(log.json()) == 2
    other_log = token_client(client_for, seven.fin.officer_b).get("/api/v1/finance/access-log")
    assert other_log.status_code == 403 or other_log.json() == []


# === page forms with impossible dates ============================================================


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-01", "0000-01-01", "99999-01-01"])
def test_impossible_dates_on_page_forms_are_422_naming_the_field(seven, client_for, day):
    """A well-formed but impossible date (30 February, month 13) in the licence grant and
    renewal forms and the exhibition form: Django's parse_date raises ValueError on those (it
    returns None only for a malformed text), which was a 500; now a 422 naming the date, and no
    licence or exhibition is made."""
    from clusterbrain.brand.models import BrandLicence
    from clusterbrain.exhibitions.models import Exhibition

    before = (BrandLicence.objects.count(), Exhibition.objects.count())
    assoc = client_for(seven.users.association)
    slug = seven.world.a.slug
    today = timezone.localdate()
    r = assoc.post(
        f"/c/{slug}/brand/",
        {
            "brand": seven.brand.pk,
            "licensee": seven.world.sharing.pk,
            "products": "Bags",
            "countries": ["CN"],
            "valid_from": str(today),
            "valid_until": day,
        },
    )
    not_a_500(r)
    assert r.status_code == 422 and b"valid_until" in r.content
    r = assoc.post(f"/brand/licences/{seven.licence.pk}/", {"action": "renew", "valid_until": day})
    not_a_500(r)
    assert r.status_code == 422
    r = assoc.post(
        f"/c/{slug}/exhibitions/",
        {
            "name_zh": "展",
            "venue": "v",
            "city_zh": "c",
            "country": "CN",
            "scope": "domestic",
            "starts_on": day,
            "ends_on": str(today + datetime.timedelta(days=41)),
            "signup_deadline": str(today + datetime.timedelta(days=30)),
            "booth_fee": "1",
        },
    )
    not_a_500(r)
    assert r.status_code == 422
    assert before == (BrandLicence.objects.count(), Exhibition.objects.count())
    seven.licence.refresh_from_db()
    assert seven.licence.events.count() == 1


# === every page form with odd values ============================================================

FORM_FIELDS = [
    "amount",
    "applications_close",
    "applications_open",
    "area_requested",
    "bank",
    "booth",
    "booth_fee",
    "booths_requested",
    "brand",
    "budget",
    "buyer_company",
    "city_en",
    "city_zh",
    "code",
    "comment",
    "conflict",
    "consent",
    "contact_email",
    "contact_name",
    "contact_phone",
    "countries",
    "country",
    "description_en",
    "description_zh",
    "document",
    "eligibility_rule",
    "ends_on",
    "enterprise",
    "entry",
    "follow_up",
    "interest",
    "lead",
    "licensee",
    "lines",
    "max_award",
    "memo",
    "name_en",
    "name_zh",
    "note",
    "notes",
    "outcome",
    "period_end",
    "period_start",
    "preferred_zone",
    "products",
    "project",
    "purpose",
    "reason",
    "requested_amount",
    "reviewer",
    "scope",
    "sections",
    "signup",
    "signup_deadline",
    "starts_on",
    "statement",
    "status",
    "term_months",
    "terms",
    "valid_from",
    "valid_until",
    "venue",
    "score-impact",
    "score-feasibility",
    "score-technology",
    "score-green",
    "criterion-0-key",
    "criterion-0-weight",
    "criterion-0-max_score",
    "criterion-0-name_zh",
    "document-0-key",
    "document-0-max_size_mb",
    "document-0-allowed_types",
    "document-0-name_zh",
]
ACTIONS = [
    "allocate",
    "apply",
    "assign",
    "booths",
    "budget",
    "closed",
    "decide",
    "declare",
    "disburse",
    "follow_up",
    "free",
    "grant",
    "open",
    "reinstate",
    "remove",
    "renew",
    "reopen",
    "reverse",
    "review",
    "revoke",
    "signup",
    "submit",
    "suspend",
    "update",
    "upload",
    "withdraw",
    "draft",
    "bogus",
]
ODD_VALUES = [
    str(HUGE),
    "-1",
    "1e400",
    "NaN",
    "2026-02-30",
    "９９",
    "x" * 20_000,
    "\u202e\u200b",
    "[1, 2]",
    "",
]


@pytest.mark.parametrize("role, offset", [("office", 0), ("association", 3), ("enterprise", 6)])
def test_every_page_form_with_odd_values_is_never_a_500(seven, client_for, role, offset):
    """Every action of every issue-7 page posted by the office, the association and the firm,
    with every form field set to an odd value (a 31-digit number, 1e400, NaN, an impossible
    date, full-width digits, 20,000 characters, bidi and zero-width marks, a JSON list, empty;
    rotated over the fields so each field meets several; all ten for every field held too,
    run once by hand): refused or done, never a 500 or a traceback. Each page's fields meet
    three rotations of the values, one per role (the roles' offsets 0, 3 and 6, turned by the
    page's place), so together the roles post every page what one role posting all three
    rotations did, at a third of the requests."""
    from clusterbrain.awards.models import LedgerEntry

    before = LedgerEntry.objects.filter(amount__gt=Decimal("1000000")).count()
    c = client_for(getattr(seven.users, role))
    for n, url in enumerate(_pages(seven)):
        if "qr." in url or "/documents/" in url:
            continue
        shift = offset + 3 * n
        data = {f: ODD_VALUES[(i + shift) % len(ODD_VALUES)] for i, f in enumerate(FORM_FIELDS)}
        for action in ACTIONS:
            r = c.post(url, {**data, "action": action})
            not_a_500(r)
    assert LedgerEntry.objects.filter(amount__gt=Decimal("1000000")).count() == before


@pytest.mark.parametrize("big", [HUGE, -HUGE, 2**63, -(2**63) - 1])
def test_ids_beyond_the_database_in_json_bodies_are_4xx(seven, client_for, big):
    """Ids of 10**30 or just past 64 bits in JSON bodies (bank, brand, licensee, enterprise,
    reviewer): a 4xx naming the field, never the database's overflow as a 500."""
    u, s = seven.users, seven
    today = str(timezone.localdate())
    cases = [
        (
            u.enterprise,
            "/api/v1/finance/consents",
            {"bank": big, "ends_on": today, "sections": ["revenue"]},
        ),
        (
            u.enterprise,
            "/api/v1/finance/loans",
            {"bank": big, "amount": "1", "purpose": "p", "term_months": 1},
        ),
        (
            u.association,
            f"/api/v1/clusters/{s.world.a.slug}/brand/licences",
            {
                "brand": big,
                "licensee": big,
                "products": ["x"],
                "countries": ["CN"],
                "valid_from": today,
                "valid_until": today,
            },
        ),
        (u.association, f"/api/v1/exhibitions/{s.fair.pk}/signups", {"enterprise": big}),
        (
            u.association,
            f"/api/v1/exhibitions/{s.fair.pk}/assignments",
            {"booth": "B01", "enterprise": big},
        ),
        (u.office, f"/api/v1/awards/applications/{s.pending.pk}/reviewers", {"reviewer": big}),
        (
            u.enterprise,
            f"/api/v1/exhibitions/signups/{s.signup.pk}/leads",
            {"buyer_company": "B", "country": "DE", "products": [big]},
        ),
    ]
    for user, url, data in cases:
        r = post_json(token_client(client_for, user), url, data)
        not_a_500(r)
        assert 400 <= r.status_code < 500, (url, r.status_code)


def test_a_draft_program_is_404_to_all_but_its_clusters_staff(seven, client_for):
    """A draft program (not yet opened) by code on the page and the API, and its rule check,
    for firms, a bank, another cluster's office and anonymous: 404 as if absent; a firm cannot
    apply to it."""
    from programsdata import program_data

    from clusterbrain.programs import services

    draft = services.save_program(
        seven.users.office, seven.world.a, program_data(code="draft-2026", name_en="Secret plan")
    )
    slug = seven.world.a.slug
    for user in (
        None,
        seven.users.enterprise,
        seven.users.outsider,
        seven.fin.officer,
        seven.users.office_b,
    ):
        page = client_for(user).get(f"/c/{slug}/programs/{draft.code}/")
        assert page.status_code in (302, 404), (user, page.status_code)
        assert b"Secret plan" not in client_for(user).get(f"/c/{slug}/programs/").content
        api = token_client(client_for, user) if user else client_for(None)
        r = api.get(f"/api/v1/clusters/{slug}/programs/{draft.code}")
        assert r.status_code == 404, (user, r.status_code)
    r = post_json(
        token_client(client_for, seven.users.enterprise),
        f"/api/v1/clusters/{slug}/programs/{draft.code}/applications",
        {"requested_amount": "1000", "project": "p"},
    )
    assert r.status_code == 404


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serialises writers by its file lock")
def test_a_violation_closed_four_times_at_once_is_closed_once(transactional_db):
    """Four connections close the same environmental violation at the same moment (a
    double-click, two office users): one closes it, the others are told it is already
    closed; before the row lock all four went through and the last closing date won."""
    from django.test import Client

    from clusterbrain.green.services import record_violation

    cluster = factories.cluster(slug="race7v", name_zh="竞七", name_en="Race 7v")
    office = factories.user(Role.OFFICE, cluster=cluster, username="office-race7v")
    firm = factories.enterprise(cluster, name_zh="竞争", name_en="Racer")
    v = record_violation(office, firm, {"authority": "局", "found_on": "2026-01-05"})
    _token, key = create_api_token(office)

    def close(i):
        c = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        r = c.post(
            f"/api/v1/environmental-violations/{v.pk}/close",
            json.dumps({"closed_on": f"2026-02-0{i + 1}"}),
            content_type="application/json",
        )
        return r.status_code

    assert sorted(_race(4, close)) == [200, 422, 422, 422]


def test_another_clusters_staff_change_nothing_here(seven, client_for):
    """Beta's office and association post to alpha's program (edit, close), ledger, licences
    and exhibition (booths, allocation, assignment) by page and API: 403/404, nothing
    changed."""
    from clusterbrain.exhibitions.models import Booth

    slug = seven.world.a.slug
    office_b = token_client(client_for, seven.users.office_b)
    assoc_b = token_client(client_for, seven.users.assoc_b)
    prog_url = f"/api/v1/clusters/{slug}/programs/{seven.prog.code}"
    r = office_b.patch(
        prog_url, json.dumps({"name_en": "Hijacked"}), content_type="application/json"
    )
    assert r.status_code in (403, 404)
    assert post_json(office_b, f"{prog_url}/status", {"status": "closed"}).status_code in (403, 404)
    page = client_for(seven.users.office_b)
    r = page.post(f"/c/{slug}/programs/{seven.prog.code}/edit/", {"name_en": "Hijacked"})
    assert r.status_code in (403, 404)
    r = page.post(f"/c/{slug}/programs/{seven.prog.code}/", {"action": "closed"})
    assert r.status_code in (403, 404)
    r = post_json(
        assoc_b,
        f"/api/v1/exhibitions/{seven.fair.pk}/booths",
        {"booths": [{"code": "Z9", "area_m2": "9"}]},
    )
    assert r.status_code in (403, 404)
    assert post_json(assoc_b, f"/api/v1/exhibitions/{seven.fair.pk}/allocate", {}).status_code in (
        403,
        404,
    )
    r = post_json(assoc_b, f"/api/v1/brand/licences/{seven.licence.pk}/suspend", {"reason": "x"})
    assert r.status_code in (403, 404)
    seven.prog.refresh_from_db()
    seven.licence.refresh_from_db()
    assert seven.prog.name_en != "Hijacked" and seven.prog.status == "open"
    assert seven.licence.status == "active"
    assert not Booth.objects.filter(code="Z9").exists()


def test_an_expired_consent_closes_the_profile_and_the_list(seven, client_for):
    """The consent's last day has passed (no job needed): the firm leaves the bank's list of
    consented firms and its profile is a 404 on the page and the API; the loan it applied
    for stays readable to the bank, and the bank cannot move it into disbursed."""
    today = timezone.localdate()
    seven.consent.__class__.objects.filter(pk=seven.consent.pk).update(
        starts_on=today - datetime.timedelta(days=40), ends_on=today - datetime.timedelta(days=1)
    )
    officer = token_client(client_for, seven.fin.officer)
    listed = officer.get("/api/v1/finance/bank/firms")
    assert listed.status_code == 200 and listed.json() == []
    r = officer.get(f"/api/v1/finance/bank/firms/{seven.world.own.pk}/profile")
    assert r.status_code == 404
    assert (
        client_for(seven.fin.officer).get(f"/finance/bank/firms/{seven.world.own.pk}/").status_code
        == 404
    )
    assert officer.get(f"/api/v1/finance/loans/{seven.loan.pk}").status_code == 200
    r = post_json(officer, f"/api/v1/finance/loans/{seven.loan.pk}/status", {"status": "disbursed"})
    assert r.status_code == 422


@pytest.mark.parametrize(
    "code",
    ["x" * 5000, "ＳＬ-２０２６", "..%2F..%2Fetc", "%E2%80%AE", "SL-2026-" + "0" * 200, "-", "%20"],
)
def test_verification_of_odd_codes_is_never_a_500(seven, client_for, code):
    """Codes of 5,000 characters, full-width letters, encoded slashes and bidi marks on the
    public verification page, its form and the API: an answer naming nobody, never a 500."""
    anonymous = client_for(None)
    for url in (
        f"/brand/verify/{code}/",
        f"/brand/verify/?code={code}",
        f"/api/v1/brand/verify/{code}",
    ):
        r = anonymous.get(url)
        not_a_500(r)
        assert seven.world.own.name_zh.encode() not in r.content


@pytest.mark.parametrize(
    "name", ["plan\x00.pdf", "\u202eFDP.exe", "x" * 400 + ".pdf", "计划书.pdf"]
)
def test_odd_upload_names_are_stored_safely(seven, client_for, name):
    """A NUL, a bidi override or 400 characters in an uploaded file's name (a multipart
    filename is not a form field, so the NUL middleware does not see it): the upload is
    refused naming the file or stored with a name PostgreSQL accepts, never a 500."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    app = _draft_again(seven)
    firm = token_client(client_for, seven.users.enterprise)
    f = SimpleUploadedFile(name, PDF, content_type="application/pdf")
    r = firm.post(f"/api/v1/applications/{app.pk}/documents", {"document": "plan", "file": f})
    not_a_500(r)
    assert r.status_code in (201, 400, 422), r.status_code
    page = client_for(seven.users.enterprise).get(f"/programs/applications/{app.pk}/")
    not_a_500(page)
    f = SimpleUploadedFile(name, PDF, content_type="application/pdf")
    r = client_for(seven.users.enterprise).post(
        f"/programs/applications/{app.pk}/", {"action": "upload", "document": "plan", "file": f}
    )
    not_a_500(r)


def test_a_budget_cannot_be_cut_below_what_the_ledger_holds(seven, client_for):
    """The awards program posted its 1,000,000 yuan budget and committed 300,000 (100,000 of
    it paid). Editing the program's budget down to 200,000 (the API; the edit page calls the
    same service) would leave more awarded than budgeted, and the ledger's posted budget above
    the program's; refused at budget, naming what the ledger holds, the program unchanged.
    Raising it is fine."""
    program = seven.program
    url = f"/api/v1/clusters/{seven.world.a.slug}/programs/{program.code}"
    office = token_client(client_for, seven.users.office)
    r = office.patch(url, json.dumps({"budget": "200000"}), content_type="application/json")
    assert r.status_code == 422 and ("budget",) in error_locs(r), r.content[:300]
    program.refresh_from_db()
    assert program.budget == Decimal("1000000.00")
    r = office.patch(url, json.dumps({"budget": "1200000"}), content_type="application/json")
    assert r.status_code == 200, r.content[:300]


def test_criteria_already_scored_cannot_be_replaced(seven, client_for):
    """The awards program's applications have reviews scored on impact and feasibility.
    Replacing its criteria (other weights, another scale, a new key) deleted every score
    given (the scores' rows cascade with the criteria) and re-weighed the reviews: refused at
    criteria, the scores kept; sending the same criteria with new names renames them."""
    from clusterbrain.awards.models import ReviewScore

    program = seven.program
    url = f"/api/v1/clusters/{seven.world.a.slug}/programs/{program.code}"
    office = token_client(client_for, seven.users.office)
    scores = ReviewScore.objects.count()
    assert scores > 0
    same = [
        {"key": "impact", "name_zh": "成效", "name_en": "Impact", "weight": 2, "max_score": 10},
        {
            "key": "feasibility",
            "name_zh": "可行性",
            "name_en": "Feasibility",
            "weight": 1,
            "max_score": 5,
        },
    ]
    for changed in (
        [{**same[0], "weight": 5}, same[1]],
        [same[0], {**same[1], "max_score": 100}],
        [same[0]],
        [*same, {"key": "new", "name_zh": "新", "weight": 1, "max_score": 10}],
    ):
        r = office.patch(url, json.dumps({"criteria": changed}), content_type="application/json")
        assert r.status_code == 422 and ("criteria",) in error_locs(r), r.content[:300]
        assert ReviewScore.objects.count() == scores
    renamed = [{**same[0], "name_en": "Outcome"}, same[1]]
    r = office.patch(url, json.dumps({"criteria": renamed}), content_type="application/json")
    assert r.status_code == 200, r.content[:300]
    assert ReviewScore.objects.count() == scores
    assert program.criteria.get(key="impact").name_en == "Outcome"


def test_no_review_after_the_decision(seven, client_for):
    """A third reviewer, assigned and declared before the office decided on two reviews,
    scores after the decision: 422, the decision's score and review count unchanged."""
    from clusterbrain.awards import services
    from clusterbrain.awards.models import Decision, Review

    app = seven.pending
    third = services.assign_reviewer(seven.users.office, app, seven.reviewers.office)
    services.declare_conflict(seven.reviewers.office, third, conflict=False)
    services.declare_conflict(seven.reviewers.assoc2, seven.open_assignment, conflict=False)
    services.submit_review(
        seven.reviewers.assoc2, seven.open_assignment, scores={"impact": 2, "feasibility": 1}
    )
    services.decide(seven.users.office, app, outcome="reject", reason="weak")
    r = post_json(
        token_client(client_for, seven.reviewers.office),
        f"/api/v1/awards/assignments/{third.pk}/review",
        {"scores": {"impact": 10, "feasibility": 5}},
    )
    assert r.status_code == 422, r.content[:200]
    assert Review.objects.filter(assignment__application=app).count() == 2
    assert Decision.objects.get(application=app).reviews == 2


def test_loan_lists_hold_only_ones_own(seven, client_for):
    """The loan list of the other bank's officer, another firm, the office and association:
    own's loan to the partner bank is in none of them."""
    for user in (
        seven.fin.officer_b,
        seven.users.other,
        seven.users.office,
        seven.users.association,
    ):
        r = token_client(client_for, user).get("/api/v1/finance/loans")
        assert r.status_code in (200, 403), (user.username, r.status_code)
        if r.status_code == 200:
            assert seven.loan.pk not in [loan["id"] for loan in r.json()], user.username
    mine = token_client(client_for, seven.users.enterprise).get("/api/v1/finance/loans").json()
    assert [loan["id"] for loan in mine] == [seven.loan.pk]


def test_an_oversized_json_body_is_a_4xx(seven, client_for):
    """A 3 MB JSON body (a licence with 150,000 products, a lead with a huge list): beyond
    Django's upload limit, a 4xx, never the RequestDataTooBig as a 500; nothing is made."""
    from clusterbrain.brand.models import BrandLicence

    before = BrandLicence.objects.count()
    today = str(timezone.localdate())
    r = post_json(
        token_client(client_for, seven.users.association),
        f"/api/v1/clusters/{seven.world.a.slug}/brand/licences",
        {
            "brand": seven.brand.pk,
            "licensee": seven.world.sharing.pk,
            "products": ["Handbags 手袋"] * 150_000,
            "countries": ["CN"],
            "valid_from": today,
            "valid_until": today,
        },
    )
    not_a_500(r)
    assert r.status_code == 413 and "MB" in r.json()["detail"]
    assert BrandLicence.objects.count() == before


def test_an_oversized_form_to_a_page_is_a_4xx(seven, client_for):
    """A 3 MB form posted to a page (the licence grant form): Django's limit answers 400,
    never a 500 or a traceback; nothing is made."""
    from clusterbrain.brand.models import BrandLicence

    before = BrandLicence.objects.count()
    r = client_for(seven.users.association).post(
        f"/c/{seven.world.a.slug}/brand/", {"products": "Bags\\n" * 700_000, "action": "grant"}
    )
    not_a_500(r)
    assert 400 <= r.status_code < 500
    assert BrandLicence.objects.count() == before


def test_the_rule_checker_partial_escapes_what_it_echoes(seven, client_for):
    """The rule editor's HTMX partial echoes the office's rule in its error (a did-you-mean,
    an unknown value) and its canonical form: markup typed into a rule comes back escaped."""
    url = f"/c/{seven.world.a.slug}/programs/rule-check/"
    office = client_for(seven.users.office)
    for rule in (
        '"<script>alert(1)</script>" in chain_links',
        "<img src=x onerror=alert(1)> > 1",
        'size_class = "<b>x</b>"',
    ):
        r = office.post(url, {"eligibility_rule": rule}, HTTP_HX_REQUEST="true")
        not_a_500(r)
        assert b"<script>alert(1)" not in r.content and b"<img src=x" not in r.content
        assert b"<b>x</b>" not in r.content


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serialises writers by its file lock")
def test_double_submitted_sign_up_and_decision_happen_once(transactional_db):
    """The same sign-up form and the same award decision, each sent by four connections at
    once: one sign-up and one decision, the other attempts 422 naming the field, never a
    500 from the unique constraints."""
    import datetime as dt

    from awarddata import make_application, make_program
    from django.test import Client

    from clusterbrain.awards import services
    from clusterbrain.awards.models import Decision, Review, ReviewAssignment
    from clusterbrain.exhibitions import services as fair_services
    from clusterbrain.exhibitions.models import SignUp

    cluster = factories.cluster(slug="race7s", name_zh="竞七", name_en="Race 7s")
    office = factories.user(Role.OFFICE, cluster=cluster, username="office-race7s")
    assoc = factories.user(Role.ASSOCIATION, cluster=cluster, username="assoc-race7s")
    firm = factories.enterprise(cluster, name_zh="竞争", name_en="Racer", is_member=True)
    firm_user = factories.user(Role.ENTERPRISE, enterprise=firm, username="firm-race7s")
    today = timezone.localdate()
    fair = fair_services.create_exhibition(
        assoc,
        cluster,
        name_zh="展",
        venue="v",
        city_zh="c",
        country="CN",
        scope="domestic",
        starts_on=today + dt.timedelta(days=20),
        ends_on=today + dt.timedelta(days=21),
        signup_deadline=today + dt.timedelta(days=10),
        booth_fee="1",
    )
    program = make_program(cluster)
    services.post_budget(office, program)
    app = make_application(program, firm, status="under_review")
    for _ in range(2):
        a = ReviewAssignment.objects.create(
            application=app,
            reviewer=factories.user(Role.ASSOCIATION, cluster=cluster),
            conflict=False,
        )
        Review.objects.create(assignment=a, score=Decimal("80.00"))
    keys = {u.pk: create_api_token(u)[1] for u in (office, firm_user)}

    def send(user, url, data):
        c = Client(HTTP_AUTHORIZATION=f"Bearer {keys[user.pk]}")
        return c.post(url, json.dumps(data), content_type="application/json").status_code

    codes = _race(4, lambda i: send(firm_user, f"/api/v1/exhibitions/{fair.pk}/signups", {}))
    assert sorted(codes) == [201, 422, 422, 422] and SignUp.objects.count() == 1
    url = f"/api/v1/awards/applications/{app.pk}/decision"
    codes = _race(4, lambda i: send(office, url, {"outcome": "award", "amount": "1000"}))
    assert sorted(codes) == [201, 422, 422, 422] and Decision.objects.count() == 1


def test_only_the_clusters_firms_apply(seven, client_for):
    """A firm of another cluster, a bank officer, the office and association staff apply to
    alpha's program (page and API): 403/404, no application made; a firm that does not
    qualify (an open violation) gets a 422 naming the deciding condition."""
    from clusterbrain.programs.models import Application

    slug, code = seven.world.a.slug, seven.prog.code
    before = Application.objects.count()
    data = {"requested_amount": "1000", "project": "p"}
    for user in (
        seven.users.outsider,
        seven.fin.officer,
        seven.users.office,
        seven.users.association,
    ):
        r = post_json(
            token_client(client_for, user),
            f"/api/v1/clusters/{slug}/programs/{code}/applications",
            data,
        )
        assert r.status_code in (403, 404), (user.username, r.status_code)
        r = client_for(user).post(f"/c/{slug}/programs/{code}/", {**data, "action": "apply"})
        assert r.status_code in (403, 404), (user.username, r.status_code)
    r = post_json(
        token_client(client_for, seven.users.other),
        f"/api/v1/clusters/{slug}/programs/{code}/applications",
        data,
    )
    assert r.status_code == 422
    assert ("eligibility", "open_environmental_violation") in error_locs(r), r.json()
    assert Application.objects.count() == before


def _form_of(html: str, form_id: str | None = None) -> dict[str, str]:
    """The fields of a page's form as a browser would send them unchanged."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.data: dict[str, str] = {}
            self.textarea: str | None = None
            self.select: str | None = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            name = a.get("name")
            if tag == "input" and name and a.get("type") not in ("checkbox", "file", "submit"):
                self.data[name] = a.get("value") or ""
            elif tag == "input" and name and a.get("type") == "checkbox" and "checked" in a:
                self.data[name] = a.get("value") or "on"
            elif tag == "textarea" and name:
                self.textarea = name
                self.data[name] = ""
            elif tag == "select" and name:
                self.select = name
            elif tag == "option" and self.select and "selected" in a:
                self.data[self.select] = a.get("value") or ""

        def handle_data(self, data):
            if self.textarea:
                self.data[self.textarea] += data

        def handle_endtag(self, tag):
            if tag == "textarea":
                self.textarea = None
            if tag == "select":
                self.select = None

    parser = Fields()
    parser.feed(html)
    return parser.data


def test_the_edit_page_saves_an_open_program_with_scored_applications_unchanged(seven, client_for):
    """The office opens the edit page of the awards program (reviews scored on its criteria)
    and saves it unchanged, and then with a criterion renamed: both go through (the criteria
    rule refuses only new keys, weights or scales), and the scores stay."""
    from clusterbrain.awards.models import ReviewScore

    office = client_for(seven.users.office)
    url = f"/c/{seven.world.a.slug}/programs/{seven.program.code}/edit/"
    page = office.get(url)
    assert page.status_code == 200
    data = _form_of(page.content.decode())
    data.pop("csrfmiddlewaretoken", None)
    scores = ReviewScore.objects.count()
    r = office.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    key = next(k for k, v in data.items() if k.endswith("-key") and v == "impact")
    data[key.replace("-key", "-name_en")] = "Outcome"
    assert office.post(url, data).status_code == 302
    assert seven.program.criteria.get(key="impact").name_en == "Outcome"
    assert ReviewScore.objects.count() == scores


def test_open_means_what_each_page_means_in_chinese(seven, client_for):
    """ "open" is a msgid of three catalogues (the main one's 待审核 for orders and claims,
    exhibitions' 报名中, programs' 未结案) and the main catalogue wins: the exhibition's
    sign-up badge and an open violation read 待审核 (awaiting review) on zh pages. Each now
    asks with its own context."""
    from clusterbrain.green.services import record_violation

    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    firm = client_for(seven.users.enterprise)
    for url in (f"/c/{seven.world.a.slug}/exhibitions/", f"/exhibitions/{seven.fair.pk}/"):
        page = firm.get(url, **zh).content.decode()
        assert "报名中" in page and "待审核" not in page, url
    record_violation(
        seven.users.office, seven.world.own, {"authority": "局", "found_on": "2026-01-05"}
    )
    page = (
        client_for(seven.users.office)
        .get(f"/c/{seven.world.a.slug}/environmental-violations/", **zh)
        .content.decode()
    )
    assert "未结案" in page and "待审核" not in page


def test_words_shared_with_other_catalogues_mean_ours_in_chinese(seven, client_for):
    """The main catalogue wins a msgid without context: the ledger's 'committed' read 已提交
    (submitted), a live consent 直播中 (livestreaming), the credit profile's 'Sections' 操作, a
    licence's 'Period' the programs' 实施期 and the program's 'Apply' 应用. Each now asks in
    its own context."""
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    office = client_for(seven.users.office)
    page = office.get(f"/c/{seven.world.a.slug}/awards/", **zh).content.decode()
    assert "已承诺" in page
    ledger = office.get(f"/awards/programs/{seven.program.pk}/ledger/", **zh).content.decode()
    assert "已承诺" in ledger
    sharing = client_for(seven.users.enterprise).get("/finance/sharing/", **zh).content.decode()
    assert "生效中" in sharing and "直播中" not in sharing and "共享内容" in sharing
    licence = (
        client_for(seven.users.enterprise)
        .get(f"/brand/licences/{seven.licence.pk}/", **zh)
        .content.decode()
    )
    assert "有效期" in licence and "实施期" not in licence
    program = (
        client_for(seven.fin.sharing_user)
        .get(f"/c/{seven.world.a.slug}/programs/{seven.prog.code}/", **zh)
        .content.decode()
    )
    assert "应用" not in program
