"""Review and award in Debian's chromium, in Chinese and in English: a reviewer declares no
conflict, scores on the page and then sees the other reviewer's scores; the office opens the
decision page (scores side by side, budget left), is refused an award above the remaining
budget with the amounts named and nothing saved, then awards (tests/awards judge the rules)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from browsing import CHROMIUM, SCREENSHOTS, open_page

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "awards"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM}"),
]

TEXT = {
    "zh": {
        "queue": "我的评审",
        "submitted": "评审已提交",
        "over": "超过剩余预算",
        "decided": "决定已登记",
    },
    "en": {
        "queue": "My reviews",
        "submitted": "Review submitted",
        "over": "exceeds the remaining budget",
        "decided": "Decision recorded",
    },
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reviewer_scores_and_office_awards(site, live_server, browser, lang):
    from decimal import Decimal

    from awarddata import make_application, make_program

    import factories
    from clusterbrain.accounts.models import Role
    from clusterbrain.awards import services
    from clusterbrain.awards.models import Decision

    world = site
    text = TEXT[lang]
    office = world.users.office
    program = make_program(world.a, code=f"journey-{lang}")
    app = make_application(program, world.own, requested="400000.00")
    services.post_budget(office, program, amount="500000")
    second = factories.user(Role.ASSOCIATION, cluster=world.a, username=f"assoc-two-{lang}")
    mine = services.assign_reviewer(office, app, world.users.association)
    theirs = services.assign_reviewer(office, app, second)
    services.declare_conflict(second, theirs, conflict=False)
    services.submit_review(second, theirs, scores={"impact": 6, "feasibility": 5})

    # the reviewer: declare, score, then see the other review beside one's own
    context, page, errors = open_page(browser, live_server.url, lang, "assoc-a", timeout=30_000)
    page.goto(live_server.url + "/awards/reviews/")
    assert text["queue"] in page.locator("h1").inner_text()
    page.click(f"#review-queue tr[data-assignment='{mine.pk}'] a")
    assert page.locator("#score-form").count() == 0  # nothing to score before declaring
    page.check("#declare-form input[value=no]")
    page.click("#declare-form button[type=submit]")
    page.locator("#score-form").wait_for()
    page.fill("#score-form input[name=score-impact]", "11")
    page.fill("#score-form input[name=score-feasibility]", "4")
    page.eval_on_selector("#score-form", "f => f.noValidate = true")
    page.click("#score-form button[type=submit]")
    page.locator("#form-errors [data-field=impact]").wait_for()
    page.fill("#score-form input[name=score-impact]", "8")
    page.click("#score-form button[type=submit]")
    page.locator("#own-score").wait_for()
    assert page.locator("#own-score").inner_text() == "80.00"
    assert text["submitted"] in page.locator("#messages").inner_text()
    assert "73.33" in page.locator("#scores").inner_text()
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-awards-{lang}-1-review.png"))
    assert not errors, errors
    context.close()

    # the office: scores side by side, the budget left, a refused award, then the award
    context, page, errors = open_page(browser, live_server.url, lang, "office-a", timeout=30_000)
    page.goto(live_server.url + f"/awards/applications/{app.pk}/")
    assert page.locator("#app-score").inner_text() == "76.67"
    assert page.locator("#budget-left").inner_text() == "500,000.00"
    assert page.locator("#reviews th[data-reviewer]").count() == 2
    page.fill("#decide-form input[name=amount]", "400000")
    page.fill("#decide-form textarea[name=reason]", "Strong upgrade plan")
    # another award takes budget meanwhile: only 300,000.00 is left when this one is sent
    other = make_application(program, world.sharing, requested="200000.00")
    for reviewer in (world.users.association, second):
        a = services.assign_reviewer(office, other, reviewer)
        services.declare_conflict(reviewer, a, conflict=False)
        services.submit_review(reviewer, a, scores={"impact": 5, "feasibility": 3})
    services.decide(office, other, outcome="award", amount="200000")
    page.click("#decide-form button[type=submit]")
    page.locator("#form-errors [data-field=amount]").wait_for()
    message = page.locator("#form-errors").inner_text()
    assert text["over"] in message and "400,000.00" in message and "300,000.00" in message
    assert not Decision.objects.filter(application=app).exists()
    page.fill("#decide-form input[name=amount]", "300000")
    page.click("#decide-form button[type=submit]")
    page.locator("#decision").wait_for()
    assert text["decided"] in page.locator("#messages").inner_text()
    assert page.locator("#app-committed").inner_text() == "300,000.00"
    assert page.locator("#budget-left").inner_text() == "0.00"
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-awards-{lang}-2-award.png"))
    assert not errors, errors
    context.close()
    assert Decision.objects.get(application=app).amount == Decimal("300000.00")
