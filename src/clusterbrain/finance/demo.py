"""Demo bank credit of Shiling, whose chamber partners with a bank to finance the industry
(demo.loader calls `load_finance_demo` in the same transaction as the registry).

The partner bank (demo.specs.PARTNER_BANK) with its officer `bank-shiling`, five firms'
consents (firm-shiling-2's with every section, the leading firm's and a firm with a green grade
live, firm-shiling-3's withdrawn a month ago, a fifth firm's expired), a few weeks of the
officer's looks at them and two loan applications, one of them disbursed. Dates count back from
today; hours come from the seed, so a reload writes the same story. Written directly (the
services refuse consents that start in the past).
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from clusterbrain.accounts.models import Role, User
from clusterbrain.demo.specs import PARTNER_BANK
from clusterbrain.finance.models import (
    BankOfficer,
    Consent,
    LoanApplication,
    LoanEvent,
    LoanStatus,
    PartnerBank,
    ProfileView,
    Section,
)
from clusterbrain.registry.models import Cluster, Enterprise

OFFICER = "bank-{slug}"
ALL = list(Section.values)


def link_demo_officers(bank: PartnerBank) -> int:
    """Link the bank-role users whose organisation is the demo bank's Chinese name (the demo's
    users say so in demo.users) and that no bank is linked to yet."""
    linked = 0
    users = User.objects.filter(
        role=Role.BANK, organisation=bank.name_zh, bank_officer__isnull=True
    )
    for user in users:
        BankOfficer.objects.create(user=user, bank=bank)
        linked += 1
    return linked


def _graded_firm(cluster: Cluster, exclude: list[Enterprise]) -> Enterprise | None:
    """The first firm (by id) of the green demo with a carbon-efficiency grade, so the green
    section of a consented profile has something to show."""
    from clusterbrain.finance.selectors import _green

    candidates = (
        Enterprise.objects.filter(cluster=cluster, in_cluster=True, carbon_years__isnull=False)
        .exclude(pk__in=[f.pk for f in exclude])
        .distinct()
        .order_by("pk")
    )
    for firm in candidates[:10]:
        grade = _green(firm)
        if grade is not None and grade.grade is not None:
            return firm
    return None


def _firms(cluster: Cluster) -> list[Enterprise]:
    """firm-<slug>-2's firm, the leading firm (firm-<slug>-1), firm-<slug>-3's and one more
    firm above designated size: the demo users' firms, picked the same way."""
    from clusterbrain.demo.users import _firm_for

    picked: list[Enterprise] = []
    for number in (2, 1, 3):
        firm = _firm_for(cluster, number)
        if firm is not None and firm not in picked:
            picked.append(firm)
    extra = (
        Enterprise.objects.filter(cluster=cluster, in_cluster=True, above_designated_size=True)
        .exclude(pk__in=[f.pk for f in picked])
        .order_by("pk")
        .first()
    )
    if extra is not None:
        picked.append(extra)
    return picked


def load_finance_demo(
    cluster: Cluster, *, seed: int, today: datetime.date | None = None
) -> dict[str, int]:
    """Write the cluster's partner bank and its consents, views and loans; counts by kind
    (nothing for a cluster without a partner bank)."""
    if cluster.slug not in PARTNER_BANK:
        return {}
    name_zh, name_en = PARTNER_BANK[cluster.slug]
    bank, _created = PartnerBank.objects.update_or_create(
        name_zh=name_zh, defaults={"name_en": name_en, "is_demo": True}
    )
    bank.clusters.add(cluster)
    link_demo_officers(bank)
    officer = (
        User.objects.filter(bank_officer__bank=bank, username=OFFICER.format(slug=cluster.slug))
        .order_by("pk")
        .first()
    )
    officer_name = OFFICER.format(slug=cluster.slug)
    firms = _firms(cluster)
    if len(firms) < 4:
        return {"banks": 1}
    day = today or timezone.localdate()
    rng = random.Random(seed * 7 + 20)
    tz = timezone.get_current_timezone()

    def at(days_ago: int, hour: int | None = None) -> datetime.datetime:
        moment = datetime.datetime.combine(
            day - datetime.timedelta(days=days_ago),
            datetime.time(hour if hour is not None else rng.randint(9, 17), rng.randint(0, 59)),
        )
        return timezone.make_aware(moment, tz)

    def back(days: int) -> datetime.date:
        return day - datetime.timedelta(days=days)

    second, leading, third, fourth = firms
    graded = _graded_firm(cluster, firms)
    # (firm, start days ago, end days ahead (negative: in the past), sections, withdrawn days ago)
    plan: list[tuple[Enterprise, int, int, list[str], int | None]] = [
        (second, 60, 300, ALL, None),
        (leading, 20, 180, [Section.REVENUE, Section.ORDERS, Section.CERTIFICATES], None),
        (third, 120, 200, [Section.REVENUE, Section.CERTIFICATES], 30),
        (fourth, 400, -40, [Section.REVENUE, Section.ORDERS, Section.GREEN], None),
    ]
    # days ago of the officer's looks under each consent
    looks = [[55, 49, 30, 12, 2], [18, 5], [110, 45], [380, 300, 200, 90]]
    if graded is not None:
        plan.append((graded, 35, 330, [Section.REVENUE, Section.CERTIFICATES, Section.GREEN], None))
        looks.append([33, 8])
    consents = []
    views = []
    for (firm, start, ahead, sections, withdrawn), days in zip(plan, looks, strict=True):
        consent = Consent.objects.create(
            enterprise=firm,
            bank=bank,
            sections=list(sections),
            starts_on=back(start),
            ends_on=day + datetime.timedelta(days=ahead),
            granted_by=firm.users.order_by("pk").first(),
            granted_at=at(start, 10),
            withdrawn_at=at(withdrawn, 16) if withdrawn is not None else None,
            withdrawn_by=firm.users.order_by("pk").first() if withdrawn is not None else None,
        )
        consents.append(consent)
        for d in days:
            views.append(
                ProfileView(
                    consent=consent,
                    enterprise=firm,
                    bank=bank,
                    viewer=officer,
                    viewer_name=officer_name,
                    sections=list(sections),
                    channel="page",
                    viewed_at=at(d),
                )
            )
    ProfileView.objects.bulk_create(views)
    # (firm, amount, months, purpose zh, steps: (status, days ago, note))
    loans = [
        (
            second,
            "800000.00",
            12,
            "采购出口订单所需皮料",
            [
                (LoanStatus.RECEIVED, 50, ""),
                (LoanStatus.UNDER_REVIEW, 48, "已调阅授权的信用画像"),
                (LoanStatus.APPROVED, 30, "按时交付率高，批准"),
                (LoanStatus.DISBURSED, 28, ""),
            ],
        ),
        (
            leading,
            "3000000.00",
            24,
            "智能裁断生产线技术改造",
            [(LoanStatus.RECEIVED, 6, ""), (LoanStatus.UNDER_REVIEW, 5, "等待设备报价单")],
        ),
    ]
    for firm, amount, months, purpose, steps in loans:
        first, last = at(steps[0][1]), at(steps[-1][1])
        application = LoanApplication.objects.create(
            enterprise=firm,
            bank=bank,
            amount=amount,
            purpose=purpose,
            term_months=months,
            status=steps[-1][0],
            applied_by=firm.users.order_by("pk").first(),
            created_at=first,
            updated_at=last,
        )
        for status, days_ago, note in steps:
            by_firm = status == LoanStatus.RECEIVED
            LoanEvent.objects.create(
                application=application,
                status=status,
                note=note,
                by=None if by_firm else officer,
                by_name=firm.name_zh if by_firm else officer_name,
                at=at(days_ago, 11 if by_firm else 15),
            )
    return {"banks": 1, "consents": len(consents), "views": len(views), "loans": len(loans)}
