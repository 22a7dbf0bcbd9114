"""The Shiling demo's bank credit: the partner bank and its officer, firm-shiling-2's live
consent among others, one withdrawn and one expired, consistent with the services' rules,
the same story again after a reload (the cluster's rows go with it, the bank and the officer's
link stay)."""

from __future__ import annotations

import pytest

from clusterbrain.accounts.models import User
from clusterbrain.demo.loader import load_demo
from clusterbrain.demo.specs import PARTNER_BANK
from clusterbrain.demo.users import ensure_demo_users
from clusterbrain.errors import NotFound
from clusterbrain.finance import selectors, services
from clusterbrain.finance.models import (
    BankOfficer,
    Consent,
    LoanApplication,
    LoanEvent,
    PartnerBank,
    ProfileView,
)

pytestmark = pytest.mark.django_db


def story() -> list[tuple[object, ...]]:
    consents = [
        (c.enterprise.uscc, c.starts_on, c.ends_on, tuple(c.sections), c.withdrawn_at)
        for c in Consent.objects.select_related("enterprise").order_by("enterprise__uscc")
    ]
    views = sorted(
        (v.enterprise.uscc, v.viewed_at) for v in ProfileView.objects.select_related("enterprise")
    )
    loans = [
        (a.enterprise.uscc, a.amount, a.status, a.created_at)
        for a in LoanApplication.objects.select_related("enterprise").order_by("created_at")
    ]
    return [*consents, *views, *loans]


def test_shiling_demo_bank_credit_survives_a_reload():
    load_demo(["shiling"])
    ensure_demo_users(create=True)
    bank = PartnerBank.objects.get(name_zh=PARTNER_BANK["shiling"][0])
    officer = User.objects.get(username="bank-shiling")
    assert BankOfficer.objects.get(user=officer).bank == bank
    firm2 = User.objects.get(username="firm-shiling-2").enterprise
    before = story()
    statuses = sorted(c.status_on(selectors.today()) for c in Consent.objects.all())
    assert statuses == ["expired", "live", "live", "live", "withdrawn"]
    live = {r.enterprise for r in selectors.consented_firms(officer)}
    assert firm2 in live and len(live) == 3
    # every consent keeps to the services' rules: a bank of the cluster, at most a year
    for c in Consent.objects.all():
        assert c.bank == bank and bank.clusters.filter(pk=c.enterprise.cluster_id).exists()
        assert (c.ends_on - c.starts_on).days + 1 <= services.MAX_CONSENT_DAYS
    # every look was under a consent live at the time, by the officer
    for v in ProfileView.objects.select_related("consent"):
        day = v.viewed_at.date()
        assert v.consent.starts_on <= day <= v.consent.ends_on
        assert v.consent.withdrawn_at is None or v.viewed_at < v.consent.withdrawn_at
    # the officer opens firm-shiling-2's full profile; the withdrawn one is a 404
    profile, _consent = services.open_credit_profile(officer, firm2.pk)
    assert profile.revenue and profile.certificates is not None
    withdrawn = Consent.objects.get(withdrawn_at__isnull=False).enterprise
    with pytest.raises(NotFound):
        services.open_credit_profile(officer, withdrawn.pk)
    assert LoanApplication.objects.count() == 2
    assert LoanEvent.objects.count() == 6
    load_demo(["shiling"])  # the look above goes with the firms; the demo's story comes back
    assert BankOfficer.objects.get(user=officer).bank == bank
    assert PartnerBank.objects.count() == 1
    assert story() == before
