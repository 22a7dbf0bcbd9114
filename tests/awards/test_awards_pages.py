"""The awards pages with the test client: each page renders for whom it is for, refused forms
come back 422 naming the field with nothing saved, and the others get 403/404."""

from __future__ import annotations

from awarddata import reviewed
from django.urls import reverse

from clusterbrain.awards import services
from clusterbrain.awards.models import Decision, LedgerEntry, ReviewAssignment


def test_reviewer_declares_and_scores_on_the_page(grant, client_for):
    app = grant.apps.own
    a = services.assign_reviewer(grant.office, app, grant.reviewers.assoc)
    reviewer = client_for(grant.reviewers.assoc)
    r = reviewer.get(reverse("awards-queue"))
    assert r.status_code == 200 and f'data-assignment="{a.pk}"' in r.content.decode()
    url = reverse("awards-assignment", args=[a.pk])
    r = reviewer.get(url)
    assert 'id="declare-form"' in r.content.decode() and 'id="score-form"' not in r.content.decode()
    r = reviewer.post(url, {"action": "declare"})
    assert r.status_code == 422 and 'data-field="conflict"' in r.content.decode()
    r = reviewer.post(url, {"action": "declare", "conflict": "no"})
    assert r.status_code == 302
    r = reviewer.post(url, {"action": "review", "score-impact": "12", "score-feasibility": "3"})
    assert r.status_code == 422 and 'data-field="impact"' in r.content.decode()
    assert not hasattr(ReviewAssignment.objects.get(pk=a.pk), "review")
    r = reviewer.post(url, {"action": "review", "score-impact": "8", "score-feasibility": "4"})
    assert r.status_code == 302
    r = reviewer.get(url)
    assert 'id="own-score">80.00<' in r.content.decode()


def test_firm_and_other_reviewers_cannot_open_an_assignment(world, grant, client_for):
    a = services.assign_reviewer(grant.office, grant.apps.own, grant.reviewers.assoc)
    url = reverse("awards-assignment", args=[a.pk])
    for user in (world.users.enterprise, grant.reviewers.assoc2, world.users.office_b):
        assert client_for(user).get(url).status_code == 404
        assert (
            client_for(user).post(url, {"action": "declare", "conflict": "no"}).status_code == 404
        )
    assert client_for(world.users.enterprise).get(reverse("awards-queue")).status_code == 403
    assert client_for(world.users.bank).get(reverse("awards-queue")).status_code == 403


def test_office_decides_and_pays_on_the_page(world, grant, client_for):
    services.post_budget(grant.office, grant.program, amount="500000")
    app = reviewed(grant, grant.apps.own)
    office = client_for(grant.office)
    assert office.get(reverse("awards-office", args=[world.a.slug])).status_code == 200
    url = reverse("awards-application", args=[app.pk])
    page = office.get(url).content.decode()
    assert 'id="app-score">76.67<' in page and 'id="budget-left">500,000.00<' in page
    r = office.post(url, {"action": "decide", "outcome": "award", "amount": "500000.01"})
    assert r.status_code == 422
    body = r.content.decode()
    assert 'data-field="amount"' in body and "500,000.01" in body and "500,000.00" in body
    assert not Decision.objects.exists()
    r = office.post(url, {"action": "decide", "outcome": "award", "amount": "200000"})
    assert r.status_code == 302
    r = office.post(url, {"action": "disburse", "amount": "-5"})
    assert r.status_code == 422 and 'data-field="amount"' in r.content.decode()
    assert office.post(url, {"action": "disburse", "amount": "50000"}).status_code == 302
    ledger = reverse("awards-ledger", args=[grant.program.pk])
    page = office.get(ledger).content.decode()
    assert 'data-account="paid"' in page and "50,000.00" in page
    payment = LedgerEntry.objects.get(kind="disbursement")
    r = office.post(ledger, {"action": "reverse", "entry": payment.pk, "reason": ""})
    assert r.status_code == 422 and 'data-field="reason"' in r.content.decode()
    r = office.post(ledger, {"action": "reverse", "entry": payment.pk, "reason": "wrong account"})
    assert r.status_code == 302
    assert LedgerEntry.objects.filter(reverses=payment).exists()
    assert office.get(reverse("awards-outcomes", args=[grant.program.pk])).status_code == 200
    # the firm sees its award and payments, not the reviews
    firm = client_for(world.users.enterprise)
    page = firm.get(reverse("awards-award", args=[app.pk])).content.decode()
    assert 'id="award-amount">200,000.00<' in page and 'id="payments"' in page
    assert "76.67" not in page
    assert firm.get(url).status_code == 403


def test_office_pages_refused_to_others(world, grant, client_for):
    services.post_budget(grant.office, grant.program)
    app = grant.apps.own
    pages = [
        reverse("awards-application", args=[app.pk]),
        reverse("awards-ledger", args=[grant.program.pk]),
        reverse("awards-outcomes", args=[grant.program.pk]),
    ]
    for url in pages:
        for user in (world.users.office_b, world.users.bank):
            assert client_for(user).get(url).status_code == 404, (url, user)
        assert client_for(world.users.association).get(url).status_code == 403
    assert (
        client_for(world.users.association)
        .post(pages[1], {"action": "budget", "amount": "1"})
        .status_code
        == 403
    )
    assert LedgerEntry.objects.count() == 1
    award = reverse("awards-award", args=[grant.apps.sharing.pk])
    assert client_for(world.users.enterprise).get(award).status_code == 404
    assert client_for(world.users.bank).get(award).status_code == 404
    office_b = reverse("awards-office", args=[world.a.slug])
    assert client_for(world.users.office_b).get(office_b).status_code == 404
    assert client_for(None).get(office_b).status_code == 302


def test_firm_reports_its_outcome_on_the_page(world, grant, client_for):
    import datetime

    from django.utils import timezone

    services.post_budget(grant.office, grant.program)
    app = reviewed(grant, grant.apps.own)
    services.decide(grant.office, app, outcome="award", amount="100000")
    firm = client_for(world.users.enterprise)
    url = reverse("awards-award", args=[app.pk])
    page = firm.get(url).content.decode()
    assert 'id="outcome-opens"' in page and 'id="outcome-form"' not in page
    r = firm.post(url, {"statement": "too early"})
    assert r.status_code == 422 and 'data-field="statement"' in r.content.decode()

    app2 = reviewed(grant, grant.apps.sharing)
    services.decide(
        grant.office,
        app2,
        outcome="award",
        amount="100000",
        decided_at=timezone.now() - datetime.timedelta(days=370),
    )
    sharing_user = factories_user(world)
    firm2 = client_for(sharing_user)
    url2 = reverse("awards-award", args=[app2.pk])
    assert 'id="outcome-form"' in firm2.get(url2).content.decode()
    assert firm2.post(url2, {"statement": " "}).status_code == 422
    assert firm2.post(url2, {"statement": "Two new lines."}).status_code == 302
    page = firm2.get(url2).content.decode()
    assert 'id="statement"' in page and "Two new lines." in page
    assert client_for(grant.office).post(url2, {"statement": "x"}).status_code == 403
    page = client_for(grant.office).get(reverse("awards-ledger", args=[grant.program.pk]))
    assert page.status_code == 200


def factories_user(world):
    import factories
    from clusterbrain.accounts.models import Role

    return factories.user(Role.ENTERPRISE, enterprise=world.sharing)


def test_nav_filters(world):
    from clusterbrain.awards.templatetags.awards import decides_awards, reviews_awards

    assert decides_awards(world.users.office, world.a)
    assert not decides_awards(world.users.office_b, world.a)
    assert not decides_awards(world.users.association, world.a)
    assert reviews_awards(world.users.association) and reviews_awards(world.users.office)
    assert not reviews_awards(world.users.enterprise) and not reviews_awards(world.users.bank)


def test_the_application_page_links_its_award_once_awarded(world, grant, client_for):
    """The firm's application page (programs) links the award with its payments when, and
    only when, the application is awarded; association staff (who may not read the award)
    get no link."""
    app = reviewed(grant, grant.apps.own)
    url = reverse("programs-application", args=[app.pk])
    award = reverse("awards-award", args=[app.pk])
    firm = client_for(world.users.enterprise)
    assert award not in firm.get(url).content.decode()
    services.post_budget(grant.office, grant.program)
    services.decide(grant.office, app, outcome="award", amount="100000")
    for user in (world.users.enterprise, grant.office):
        page = client_for(user).get(url).content.decode()
        assert f'href="{award}"' in page, user.username
        assert client_for(user).get(award).status_code == 200
    assert award not in client_for(world.users.association).get(url).content.decode()
