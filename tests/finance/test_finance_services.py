"""Consent lifecycle, the credit profile and loan applications through the services, with a
real database: who may read what, when, and what refused input leaves behind (nothing)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

import factories
from clusterbrain.accounts.models import Role
from clusterbrain.errors import Forbidden, InvalidInput, NotFound
from clusterbrain.finance import selectors, services
from clusterbrain.finance.models import Consent, LoanApplication, LoanEvent, ProfileView

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)
ALL = ["revenue", "orders", "certificates", "green", "awards"]


def days(n: int) -> datetime.date:
    return DAY + datetime.timedelta(days=n)


def grant(fin, user=None, bank=None, start=0, end=180, sections=None, today=DAY):
    return services.grant_consent(
        user or fin.firm_user,
        bank=(bank or fin.bank).pk,
        starts_on=days(start),
        ends_on=days(end),
        sections=sections if sections is not None else ["revenue", "orders"],
        today=today,
    )


def read(fin, user=None, firm=None, today=DAY):
    return services.open_credit_profile(
        user or fin.officer, (firm or fin.world.own).pk, today=today
    )


def test_consent_lifecycle_by_date_and_withdrawal(fin):
    consent = grant(fin, start=10, end=100)
    own = fin.world.own
    # not yet started
    assert consent.status_on(DAY) == "pending"
    with pytest.raises(NotFound):
        read(fin, today=days(9))
    assert selectors.consented_firms(fin.officer, days(9)) == []
    # live from its first day to its last, both included
    for day in (days(10), days(55), days(100)):
        profile, used = read(fin, today=day)
        assert used == consent and profile.enterprise == own
        assert [r.enterprise for r in selectors.consented_firms(fin.officer, day)] == [own]
    # expired the day after
    assert consent.status_on(days(101)) == "expired"
    with pytest.raises(NotFound):
        read(fin, today=days(101))
    assert selectors.consented_firms(fin.officer, days(101)) == []
    # withdrawal ends it at once, and the consent stays in the history
    services.withdraw_consent(fin.firm_user, consent.pk, today=days(20))
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawn_by == fin.firm_user
    with pytest.raises(NotFound):
        read(fin, today=days(20))
    rows = selectors.firm_consents(fin.firm_user, days(20))
    assert [(r.consent.pk, r.status, r.views) for r in rows] == [(consent.pk, "withdrawn", 3)]
    assert ProfileView.objects.filter(consent=consent).count() == 3


def test_withdrawal_once_and_never_of_an_expired_consent(fin):
    consent = grant(fin, end=30)
    with pytest.raises(InvalidInput) as expired:
        services.withdraw_consent(fin.firm_user, consent.pk, today=days(31))
    assert expired.value.errors[0].loc == ("consent",)
    services.withdraw_consent(fin.firm_user, consent.pk, today=days(1))
    first = Consent.objects.get(pk=consent.pk).withdrawn_at
    with pytest.raises(InvalidInput):
        services.withdraw_consent(fin.firm_user, consent.pk, today=days(2))
    assert Consent.objects.get(pk=consent.pk).withdrawn_at == first


@pytest.mark.parametrize("who", ["sharing_user", "officer", "association", "office", "anonymous"])
def test_only_the_firm_withdraws_its_consent(fin, who):
    from django.contrib.auth.models import AnonymousUser

    consent = grant(fin)
    users = {
        "sharing_user": fin.sharing_user,
        "officer": fin.officer,
        "association": fin.world.users.association,
        "office": fin.world.users.office,
        "anonymous": AnonymousUser(),
    }
    with pytest.raises((NotFound, Forbidden)):
        services.withdraw_consent(users[who], consent.pk, today=DAY)
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


def test_profile_has_only_the_consented_sections_and_is_logged(fin):
    grant(fin, sections=["orders", "revenue"])
    profile, consent = read(fin)
    assert profile.sections == ["revenue", "orders"]
    assert [r.year for r in profile.revenue] == [2022, 2023, 2024]
    assert [r.growth for r in profile.revenue] == [None, Decimal("25.0"), Decimal("20.0")]
    o = profile.orders
    assert (o.taken, o.delivered, o.on_time, o.late, o.declined) == (2, 2, 1, 1, 1)
    assert o.on_time_rate == 0.5
    assert profile.certificates is None and profile.green is None and profile.awards is None
    view = ProfileView.objects.get()
    assert (view.viewer, view.bank, view.enterprise, view.sections) == (
        fin.officer,
        fin.bank,
        fin.world.own,
        ["revenue", "orders"],
    )


def test_profile_green_grade_and_certificates(fin):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "green"))
    from greendata import build_green

    build_green(fin.world)
    grant(fin, sections=["green", "certificates"])
    profile, _consent = read(fin)
    assert profile.green is not None and (profile.green.year, profile.green.grade) == (2024, 1)
    assert [(c.kind, c.valid, c.verified) for c in profile.certificates] == [
        ("iso9001", True, True)
    ]
    assert profile.revenue is None and profile.orders is None


def test_forbidden_readers_get_not_found_and_nothing_is_logged(fin):
    from django.contrib.auth.models import AnonymousUser

    grant(fin)
    w = fin.world
    # another bank's officer, a bank user nobody linked, the firm itself, another firm, the
    # association, the office, an admin, a visitor: none reads it as a bank
    for user in (
        fin.officer_b,
        fin.unlinked,
        fin.firm_user,
        fin.sharing_user,
        w.users.association,
        w.users.office,
        w.users.admin,
        AnonymousUser(),
    ):
        with pytest.raises(NotFound):
            read(fin, user=user)
    # the right officer, but a firm that did not consent, or no firm at all
    for firm_id in (w.sharing.pk, w.outsider.pk, 10**9, "x", None):
        with pytest.raises(NotFound):
            services.open_credit_profile(fin.officer, firm_id, today=DAY)
    assert ProfileView.objects.count() == 0


def test_an_inactive_officer_reads_nothing(fin):
    grant(fin)
    fin.officer.is_active = False
    fin.officer.save()
    with pytest.raises(NotFound):
        read(fin)


def test_consented_list_is_for_bank_officers_only(fin):
    from django.contrib.auth.models import AnonymousUser

    grant(fin)
    grant(fin, user=fin.sharing_user, bank=fin.other_bank)
    assert [r.enterprise for r in selectors.consented_firms(fin.officer, DAY)] == [fin.world.own]
    assert [r.enterprise for r in selectors.consented_firms(fin.officer_b, DAY)] == [
        fin.world.sharing
    ]
    for user in (
        fin.unlinked,
        fin.firm_user,
        fin.world.users.association,
        fin.world.users.office,
        fin.world.users.admin,
        AnonymousUser(),
    ):
        with pytest.raises(Forbidden):
            selectors.consented_firms(user, DAY)


def test_access_log_is_the_firms_and_each_bank_sees_only_its_own(fin):
    grant(fin)
    grant(fin, bank=fin.other_bank, start=0, end=10)
    read(fin)
    read(fin, user=fin.officer_b)
    read(fin, user=fin.officer_b)
    assert selectors.access_log(fin.firm_user).count() == 3
    assert {v.bank for v in selectors.access_log(fin.officer)} == {fin.bank}
    assert selectors.access_log(fin.officer).count() == 1
    assert selectors.access_log(fin.officer_b).count() == 2
    assert selectors.access_log(fin.sharing_user).count() == 0
    for user in (fin.unlinked, fin.world.users.association, fin.world.users.office):
        with pytest.raises(Forbidden):
            selectors.access_log(user)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bank": 10**9}, "bank"),
        ({"bank": "abc"}, "bank"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
        ({"starts_on": days(-1)}, "starts_on"),
        ({"ends_on": ""}, "ends_on"),
        ({"ends_on": "next year"}, "ends_on"),
        ({"ends_on": days(-3)}, "ends_on"),
        ({"ends_on": days(366)}, "ends_on"),
        ({"sections": []}, "sections"),
        ({"sections": ["revenue", "salaries"]}, "sections"),
    ],
)
def test_bad_consent_input_names_the_field_and_saves_nothing(fin, changes, field):
    values = {
        "bank": fin.bank.pk,
        "starts_on": DAY,
        "ends_on": days(100),
        "sections": ["revenue"],
    }
    values.update(changes)
    with pytest.raises(InvalidInput) as refused:
        services.grant_consent(fin.firm_user, today=DAY, **values)
    assert field in [e.loc[0] for e in refused.value.errors]
    assert Consent.objects.count() == 0


def test_a_year_at_most_and_a_bank_of_the_cluster(fin):
    ok = services.grant_consent(
        fin.firm_user, bank=fin.bank.pk, ends_on=days(365), sections=["revenue"], today=DAY
    )
    assert (ok.starts_on, ok.ends_on) == (DAY, days(365))
    beta_bank = type(fin.bank).objects.create(name_zh="乙行")
    beta_bank.clusters.add(fin.world.b)
    with pytest.raises(InvalidInput) as refused:
        grant(fin, bank=beta_bank)
    assert refused.value.errors[0].loc == ("bank",)


def test_overlapping_consent_to_the_same_bank_is_refused(fin):
    first = grant(fin, start=0, end=100)
    with pytest.raises(InvalidInput) as refused:
        grant(fin, start=50, end=200)
    assert refused.value.errors[0].loc == ("starts_on",)
    grant(fin, bank=fin.other_bank, start=50, end=200)  # another bank is another consent
    services.withdraw_consent(fin.firm_user, first.pk, today=DAY)
    again = grant(fin, start=50, end=200)
    assert Consent.objects.filter(enterprise=fin.world.own).count() == 3
    assert again.status_on(days(60)) == "live"


@pytest.mark.parametrize("role", [Role.ASSOCIATION, Role.OFFICE, Role.BANK, Role.ADMIN])
def test_only_enterprise_users_grant(fin, role):
    user = factories.user(role, cluster=fin.world.a)
    with pytest.raises(Forbidden):
        grant(fin, user=user)
    assert Consent.objects.count() == 0


# --- loans -----------------------------------------------------------------------------------


def apply(fin, user=None, bank=None, **changes):
    values = {"amount": "500000.00", "purpose": "新裁断机", "term_months": 12}
    values.update(changes)
    return services.apply_for_loan(
        user or fin.firm_user, bank=(bank or fin.bank).pk, today=DAY, **values
    )


def test_no_loan_application_without_a_live_consent(fin):
    with pytest.raises(InvalidInput) as refused:
        apply(fin)
    assert refused.value.errors[0].loc == ("bank",)
    consent = grant(fin, start=5, end=50)  # not yet started
    with pytest.raises(InvalidInput):
        apply(fin)
    services.withdraw_consent(fin.firm_user, consent.pk, today=DAY)
    grant(fin, start=0, end=50)
    with pytest.raises(InvalidInput):
        apply(fin, bank=fin.other_bank)  # live with another bank only
    assert LoanApplication.objects.count() == 0
    loan = apply(fin)
    assert loan.amount == Decimal("500000.00") and loan.status == "received"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": ""}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "1e13"}, "amount"),
        ({"purpose": "  "}, "purpose"),
        ({"purpose": "x" * 501}, "purpose"),
        ({"term_months": 0}, "term_months"),
        ({"term_months": "1.5"}, "term_months"),
        ({"term_months": 361}, "term_months"),
        ({"term_months": "a"}, "term_months"),
    ],
)
def test_bad_loan_input_names_the_field(fin, changes, field):
    grant(fin)
    with pytest.raises(InvalidInput) as refused:
        apply(fin, **changes)
    assert [e.loc[0] for e in refused.value.errors] == [field]
    assert LoanApplication.objects.count() == 0


def test_loan_moves_through_its_statuses_with_history(fin):
    grant(fin)
    loan = apply(fin)
    services.move_loan(fin.officer, loan.pk, status="under_review", note="读画像")
    with pytest.raises(InvalidInput) as skipped:
        services.move_loan(fin.officer, loan.pk, status="disbursed")
    assert skipped.value.errors[0].loc == ("status",)
    with pytest.raises(InvalidInput) as why:
        services.move_loan(fin.officer, loan.pk, status="rejected")
    assert why.value.errors[0].loc == ("note",)
    services.move_loan(fin.officer, loan.pk, status="approved", note="ok")
    services.move_loan(fin.officer, loan.pk, status="disbursed")
    with pytest.raises(InvalidInput):
        services.move_loan(fin.officer, loan.pk, status="rejected", note="too late")
    loan.refresh_from_db()
    assert loan.status == "disbursed"
    events = list(LoanEvent.objects.filter(application=loan).values_list("status", "by_name"))
    assert events == [
        ("received", "own-user"),
        ("under_review", "bank"),
        ("approved", "bank"),
        ("disbursed", "bank"),
    ]
    # the firm follows it; nobody else sees it
    assert selectors.get_loan(loan.pk, fin.firm_user) == loan
    for user in (fin.officer_b, fin.sharing_user, fin.unlinked, fin.world.users.association):
        with pytest.raises(NotFound):
            selectors.get_loan(loan.pk, user)


def test_only_the_banks_officer_moves_an_application(fin):
    grant(fin)
    loan = apply(fin)
    with pytest.raises(Forbidden):
        services.move_loan(fin.firm_user, loan.pk, status="under_review")
    with pytest.raises(NotFound):
        services.move_loan(fin.officer_b, loan.pk, status="under_review")
    with pytest.raises(NotFound):
        services.move_loan(fin.world.users.admin, loan.pk, status="under_review")
    assert LoanApplication.objects.get(pk=loan.pk).status == "received"
    assert LoanEvent.objects.filter(application=loan).count() == 1


def test_profile_program_awards_with_what_was_paid(fin):
    from clusterbrain.awards.models import Account, Decision, EntryKind, LedgerEntry
    from clusterbrain.programs.models import Application, SupportProgram

    w = fin.world
    program = SupportProgram.objects.create(
        cluster=w.a,
        code="upgrade",
        name_zh="技改补贴",
        name_en="Upgrading grant",
        budget=Decimal("1000000.00"),
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        applications_open=datetime.date(2025, 1, 1),
        applications_close=datetime.date(2025, 3, 1),
    )
    awarded = Application.objects.create(
        program=program, enterprise=w.own, requested_amount=Decimal("300000.00")
    )
    Decision.objects.create(application=awarded, outcome="award", amount=Decimal("200000.00"))
    rejected = Application.objects.create(
        program=program, enterprise=w.sharing, requested_amount=Decimal("5.00")
    )
    Decision.objects.create(application=rejected, outcome="reject")
    paid = LedgerEntry.objects.create(
        program=program,
        application=awarded,
        kind=EntryKind.DISBURSEMENT,
        debit=Account.PAID,
        credit=Account.COMMITTED,
        amount=Decimal("120000.00"),
    )
    LedgerEntry.objects.create(
        program=program,
        application=awarded,
        kind=EntryKind.DISBURSEMENT,
        debit=Account.PAID,
        credit=Account.COMMITTED,
        amount=Decimal("30000.00"),
    )
    LedgerEntry.objects.create(  # the first tranche reversed: it no longer counts as paid
        program=program,
        application=awarded,
        kind=EntryKind.REVERSAL,
        debit=Account.COMMITTED,
        credit=Account.PAID,
        amount=Decimal("120000.00"),
        reverses=paid,
    )
    grant(fin, sections=["awards"])
    profile, _consent = read(fin)
    assert [(a.program, a.amount, a.paid) for a in profile.awards] == [
        ("技改补贴", Decimal("200000.00"), Decimal("30000.00"))
    ]
