"""Demo data of review and awards (decision 0019): demo.loader calls `load_awards_demo` after
`load_programs_demo`, in the same transaction as the registry.

On the cluster's first demo program with submitted applications, through the services (so the
ledger and the audit trail are what the platform itself would write): the budget posted about
fourteen months ago; two reviews of each of the first applications; the first award paid in
two tranches with its outcome report submitted a year later; the second award's first payment
reversed (paid to the wrong account) and paid again; one rejection; one application assigned
and waiting for its reviewer's declaration. The rest stay submitted for the office to assign.

Reviewers are two demo-only association accounts, `reviewer-<slug>-1` and `-2`, with no usable
password (they sign nothing in; the office can assign the demo logins `assoc-<slug>` and
`office-<slug>` from the page). The office acts as an unsaved office user: the audit trail
names it "demo", no row points to an account. Deterministic for a seed: scores and amounts
come from `random.Random(seed)`, dates are relative to the day of loading.
"""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone

from clusterbrain.accounts.models import Role, User
from clusterbrain.awards import selectors, services
from clusterbrain.awards.models import LedgerEntry, OutcomeReport
from clusterbrain.programs.models import Application, SupportProgram
from clusterbrain.registry.models import Cluster

TEN_THOUSAND = Decimal("10000")


def _reviewers(cluster: Cluster) -> list[User]:
    people = []
    for n, name in enumerate(("评审专家一", "评审专家二"), start=1):
        user, _created = User.objects.get_or_create(
            username=f"reviewer-{cluster.slug}-{n}",
            defaults={"role": Role.ASSOCIATION, "cluster": cluster},
        )
        user.role, user.cluster, user.first_name = Role.ASSOCIATION, cluster, name
        user.organisation = "demo reviewer"
        user.set_unusable_password()
        user.save()
        people.append(user)
    return people


def _round(amount: Decimal) -> Decimal:
    return (amount / TEN_THOUSAND).to_integral_value(rounding=ROUND_DOWN) * TEN_THOUSAND


def load_awards_demo(cluster: Cluster, *, seed: int) -> None:
    program = next(
        (
            p
            for p in SupportProgram.objects.filter(cluster=cluster)
            .exclude(status=SupportProgram.Status.DRAFT)
            .order_by("pk")
            if p.criteria.exists()
            and p.applications.filter(status=Application.Status.SUBMITTED).count() >= 3
        ),
        None,
    )
    if program is None:
        return
    rng = random.Random(f"awards-{cluster.slug}-{seed}")
    office = User(username="demo", role=Role.OFFICE, cluster=cluster)
    reviewers = _reviewers(cluster)
    criteria = list(program.criteria.all())
    applications = list(
        program.applications.filter(status=Application.Status.SUBMITTED).order_by("pk")
    )
    now = timezone.now().replace(microsecond=0)
    start = now - datetime.timedelta(days=430)

    def day(n: int, hour: int = 10) -> datetime.datetime:
        return (start + datetime.timedelta(days=n)).replace(hour=hour, minute=0, second=0)

    services.post_budget(office, program, memo="年度专项资金 / annual fund", at=day(0, 9))

    def review(app: Application, offset: int) -> None:
        for i, reviewer in enumerate(reviewers):
            a = services.assign_reviewer(office, app, reviewer, at=day(offset))
            services.declare_conflict(reviewer, a, conflict=False, at=day(offset + 1, 9 + i))
            scores = {c.key: rng.randint(c.max_score // 2, c.max_score) for c in criteria}
            services.submit_review(reviewer, a, scores=scores, at=day(offset + 3 + i), comment="")

    budget = program.budget
    cap = min(budget * Decimal("0.3"), program.max_award or budget)
    awarded: list[Application] = []
    for n, app in enumerate(applications[:2]):
        review(app, 5 + 5 * n)
        amount = max(TEN_THOUSAND, _round(min(app.requested_amount, cap) * Decimal("0.8")))
        amount = min(amount, app.requested_amount, selectors.balances(program)["available"])
        if amount <= 0:
            return
        services.decide(
            office,
            app,
            outcome="award",
            amount=amount,
            reason="评审通过 / approved after review",
            decided_at=day(15 + 5 * n),
        )
        awarded.append(app)
    first, second = awarded
    first_amount = LedgerEntry.objects.get(application=first, kind="award").amount
    services.disburse(office, first, amount=_round(first_amount / 2), memo="第一期", at=day(30))
    services.disburse(
        office, first, amount=_round(first_amount * Decimal("0.3")), memo="第二期", at=day(200)
    )
    second_amount = LedgerEntry.objects.get(application=second, kind="award").amount
    wrong = services.disburse(
        office, second, amount=_round(second_amount / 2), memo="第一期", at=day(40)
    )
    services.reverse_entry(
        office, wrong, reason="汇入错误账户 / paid to the wrong account", at=day(42)
    )
    services.disburse(
        office, second, amount=_round(second_amount / 2), memo="第一期（重付）", at=day(43)
    )
    # A year after the first award its firm reported (the indicators as of the day of loading).
    report = OutcomeReport.objects.get(application=first)
    report.statement = "新增两条无铬鞣生产线，产值提升。 / Two chrome-free lines added; output up."
    report.indicators = selectors.outcome_indicators(first)
    report.submitted_at = day(15 + 360)
    report.save()

    rejected = applications[2]
    review(rejected, 20)
    services.decide(
        office,
        rejected,
        outcome="reject",
        reason="项目与专项方向不符 / outside the program's aims",
        decided_at=day(26),
    )
    if len(applications) > 3:
        services.assign_reviewer(
            office, applications[3], reviewers[0], at=now - datetime.timedelta(days=2)
        )
