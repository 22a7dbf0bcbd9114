"""The awards API over HTTP with the test client: the journey from assignment to payment, and
the forbidden and refused paths (status, error shape, nothing changed)."""

from __future__ import annotations

from decimal import Decimal

from awarddata import reviewed

from clusterbrain.awards import services
from clusterbrain.awards.models import Decision, LedgerEntry, ReviewAssignment

API = "/api/v1/awards"


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_journey_over_http(world, grant, client_for):
    office = client_for(grant.office)
    app = grant.apps.own
    r = post(office, f"{API}/programs/{grant.program.pk}/budget", {})
    assert r.status_code == 201 and r.json()["amount"] == "1000000.00"
    for reviewer in (grant.reviewers.assoc, grant.reviewers.assoc2):
        r = post(office, f"{API}/applications/{app.pk}/reviewers", {"reviewer": reviewer.pk})
        assert r.status_code == 201, r.json()
    assignments = {a.reviewer_id: a for a in ReviewAssignment.objects.filter(application=app)}

    first = client_for(grant.reviewers.assoc)
    queue = first.get(f"{API}/reviews").json()
    assert [(q["application"], q["state"]) for q in queue] == [(app.pk, "declare")]
    a1 = assignments[grant.reviewers.assoc.pk].pk
    detail = first.get(f"{API}/assignments/{a1}").json()
    assert detail["project"] is None  # not before the declaration
    r = post(first, f"{API}/assignments/{a1}/declaration", {"conflict": False})
    assert r.status_code == 200 and r.json()["conflict"] is False
    r = post(first, f"{API}/assignments/{a1}/review", {"scores": {"impact": 8, "feasibility": 4}})
    assert r.status_code == 201 and r.json()["own_review"]["score"] == "80.00"
    assert r.json()["other_reviews"] == []

    second = client_for(grant.reviewers.assoc2)
    a2 = assignments[grant.reviewers.assoc2.pk].pk
    post(second, f"{API}/assignments/{a2}/declaration", {"conflict": False})
    before = second.get(f"{API}/assignments/{a2}").json()
    assert before["other_reviews"] == []  # not before its own review
    r = post(second, f"{API}/assignments/{a2}/review", {"scores": {"impact": 6, "feasibility": 5}})
    assert [o["score"] for o in r.json()["other_reviews"]] == ["80.00"]

    view = office.get(f"{API}/applications/{app.pk}").json()
    assert view["score"] == "76.67" and len(view["reviews"]) == 2
    assert view["budget_available"] == "1000000.00"
    r = post(
        office, f"{API}/applications/{app.pk}/decision", {"outcome": "award", "amount": "300000"}
    )
    assert r.status_code == 201 and r.json()["status"] == "awarded"
    r = post(office, f"{API}/applications/{app.pk}/disbursements", {"amount": "120000.50"})
    assert r.status_code == 201 and r.json()["tranche"] == 1
    ledger = office.get(f"{API}/programs/{grant.program.pk}/ledger").json()
    assert ledger["balances"] == {
        "fund_source": "-1000000.00",
        "available": "700000.00",
        "committed": "179999.50",
        "paid": "120000.50",
    }
    payment = r.json()["id"]
    r = post(office, f"{API}/entries/{payment}/reversal", {"reason": "Wrong account"})
    assert r.status_code == 201 and r.json()["reverses"] == payment

    firm = client_for(world.users.enterprise)
    award = firm.get(f"{API}/applications/{app.pk}/award").json()
    assert award["decision"]["amount"] == "300000.00"
    assert [p["amount"] for p in award["payments"]] == ["120000.50", "-120000.50"]
    assert award["outcome"]["due_on"]
    audit = office.get(f"{API}/programs/{grant.program.pk}/audit").json()
    actions = [e["action"] for e in audit]
    for action in ("budget", "assigned", "declared", "reviewed", "awarded", "disbursed"):
        assert action in actions
    assert audit[0]["action"] == "reversed" and audit[0]["actor"] == "office-a"
    # a page at a time: the pages put together are the whole trail, in the same order
    first = office.get(f"{API}/programs/{grant.program.pk}/audit?per_page=3")
    assert first["X-Total-Count"] == str(len(audit)) and 'rel="next"' in first["Link"]
    pages = [first.json()] + [
        office.get(f"{API}/programs/{grant.program.pk}/audit?per_page=3&page={n}").json()
        for n in range(2, len(audit) // 3 + 2)
    ]
    assert [e["id"] for page in pages for e in page] == [e["id"] for e in audit]


def test_forbidden_paths(world, grant, client_for):
    services.post_budget(grant.office, grant.program)
    app = reviewed(grant, grant.apps.own)
    services.decide(grant.office, app, outcome="award", amount="100000")
    assignment = ReviewAssignment.objects.filter(application=app).first()
    firm = client_for(world.users.enterprise)
    bank = client_for(world.users.bank)
    other_office = client_for(world.users.office_b)
    assoc = client_for(world.users.association)
    anonymous = client_for(None)

    # a firm cannot review: no queue, no assignment, cannot be assigned
    assert firm.get(f"{API}/reviews").status_code == 403
    assert firm.get(f"{API}/assignments/{assignment.pk}").status_code == 404
    r = post(firm, f"{API}/assignments/{assignment.pk}/review", {"scores": {"impact": 1}})
    assert r.status_code == 404
    r = post(
        client_for(grant.office),
        f"{API}/applications/{grant.apps.sharing.pk}/reviewers",
        {"reviewer": world.users.enterprise.pk},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["reviewer"]
    # the firm sees its award, not the reviews
    assert firm.get(f"{API}/applications/{app.pk}/award").status_code == 200
    assert firm.get(f"{API}/applications/{app.pk}").status_code == 403
    assert firm.get(f"{API}/applications/{grant.apps.sharing.pk}/award").status_code == 404
    # another cluster's office and a bank: nothing exists
    for client in (other_office, bank):
        assert client.get(f"{API}/applications/{app.pk}").status_code == 404
        assert client.get(f"{API}/applications/{app.pk}/award").status_code == 404
        assert client.get(f"{API}/programs/{grant.program.pk}/ledger").status_code == 404
        assert client.get(f"{API}/programs/{grant.program.pk}/audit").status_code == 404
        r = post(client, f"{API}/programs/{grant.program.pk}/budget", {"amount": "1"})
        assert r.status_code == 404
        entry = LedgerEntry.objects.first()
        assert (
            post(client, f"{API}/entries/{entry.pk}/reversal", {"reason": "x"}).status_code == 404
        )
    # the cluster's association: it knows the program, but the money is the office's
    assert assoc.get(f"{API}/programs/{grant.program.pk}/ledger").status_code == 403
    r = post(assoc, f"{API}/applications/{app.pk}/disbursements", {"amount": "1"})
    assert r.status_code == 403
    assert anonymous.get(f"{API}/programs/{grant.program.pk}/ledger").status_code == 401
    assert LedgerEntry.objects.count() == 2


def test_bad_input_is_named_and_changes_nothing(grant, client_for):
    office = client_for(grant.office)
    post(office, f"{API}/programs/{grant.program.pk}/budget", {"amount": "500000"})
    app = reviewed(grant, grant.apps.other)
    count = LedgerEntry.objects.count()
    url = f"{API}/applications/{app.pk}/decision"
    r = post(office, url, {"outcome": "award", "amount": "600000"})
    assert r.status_code == 422
    body = r.json()
    assert body["errors"][0]["loc"] == ["amount"]
    assert "600,000.00" in body["detail"] and "500,000.00" in body["detail"]
    for amount in ("-1", "0", "0.001"):
        r = post(office, url, {"outcome": "award", "amount": amount})
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["amount"], amount
    r = post(office, url, {"outcome": "award", "amount": "abc"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["amount"]
    r = post(office, url, {"outcome": "award", "amount": "1", "extra": 1})
    assert r.status_code == 422
    assert LedgerEntry.objects.count() == count and not Decision.objects.exists()
    r = post(office, url, {"outcome": "award", "amount": 250000})
    assert r.status_code == 201
    r = post(office, f"{API}/applications/{app.pk}/disbursements", {"amount": "250000.01"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["amount"]
    assert LedgerEntry.objects.count() == count + 1
    assert office.get(f"{API}/applications/999999").status_code == 404
    assert office.get(f"{API}/programs/abc/ledger").status_code in (404, 422)


def test_outcome_summary_for_the_office(grant, client_for):
    services.post_budget(grant.office, grant.program)
    app = reviewed(grant, grant.apps.own)
    services.decide(grant.office, app, outcome="award", amount="100000")
    r = client_for(grant.office).get(f"{API}/programs/{grant.program.pk}/outcomes")
    body = r.json()
    assert r.status_code == 200 and body["awarded"] == 1 and body["pending"] == 1
    assert Decimal(body["amount_awarded"]) == Decimal("100000")


def test_office_overview_of_the_cluster(world, grant, client_for):
    services.post_budget(grant.office, grant.program, amount="250000")
    r = client_for(grant.office).get(f"{API}/clusters/{world.a.slug}/programs")
    assert r.status_code == 200
    (row,) = r.json()
    assert row["balances"]["available"] == "250000.00" and len(row["applications"]) == 3
    assert (
        client_for(world.users.association)
        .get(f"{API}/clusters/{world.a.slug}/programs")
        .status_code
        == 403
    )
    for user in (world.users.office_b, world.users.bank, world.users.enterprise):
        r = client_for(user).get(f"{API}/clusters/{world.a.slug}/programs")
        assert r.status_code == 404


ODD = [
    {},
    {"amount": None},
    {"amount": "NaN"},
    {"amount": "Infinity"},
    {"amount": 1e400},
    {"amount": "1e30"},
    {"amount": [1]},
    {"amount": True},
    {"reason": "x" * 6000},
    {"outcome": None},
    {"scores": {"impact": "NaN", "feasibility": 1}},
    {"scores": []},
    {"conflict": "maybe"},
    {"reviewer": 10**30},
    {"statement": None},
]


def test_odd_payloads_are_4xx_and_change_nothing(world, grant, client_for):
    services.post_budget(grant.office, grant.program)
    app = reviewed(grant, grant.apps.own)
    a = ReviewAssignment.objects.filter(application=grant.apps.own).first()
    entry = LedgerEntry.objects.first()
    urls = [
        f"{API}/applications/{app.pk}/decision",
        f"{API}/applications/{app.pk}/disbursements",
        f"{API}/applications/{app.pk}/reviewers",
        f"{API}/applications/{app.pk}/outcome",
        f"{API}/programs/{grant.program.pk}/budget",
        f"{API}/entries/{entry.pk}/reversal",
        f"{API}/assignments/{a.pk}/declaration",
        f"{API}/assignments/{a.pk}/review",
    ]
    office = client_for(grant.office)
    before = (LedgerEntry.objects.count(), Decision.objects.count())
    for url in urls:
        for payload in ODD:
            r = post(office, url, payload)
            assert 400 <= r.status_code < 500, (url, payload, r.status_code)
            assert "detail" in r.json()
        r = office.post(url, "{not json", content_type="application/json")
        assert 400 <= r.status_code < 500
    assert (LedgerEntry.objects.count(), Decision.objects.count()) == before
