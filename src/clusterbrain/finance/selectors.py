"""Every non-trivial read of bank credit, with its permissions (finance.permissions).

CONTRACT:

    partner_banks_for(enterprise) -> [PartnerBank]              banks of the firm's cluster
    live_consent(enterprise, bank, today) -> Consent | None     unguarded: the one check
    consented_firms(user, today=None) -> [ConsentedFirm]        the officer's bank; Forbidden
                                                                 for everyone else (403)
    firm_consents(user, today=None) -> [ConsentRow]             the firm's own, every status
    access_log(user) -> QuerySet[ProfileView]                   the firm's views, or the
                                                                 officer's bank's; Forbidden else
    build_credit_profile(enterprise, sections, today) -> CreditProfile
                                                                 unguarded: services.open_… and
                                                                 the firm's own preview call it
    loans_of(user) -> QuerySet[LoanApplication]                 the firm's, or its bank's
    get_loan(loan_id, user) -> LoanApplication                  NotFound unless one of those

A firm without a live consent to the officer's bank is absent for that officer (NotFound, the
same answer as a firm that does not exist): whether it ever consented is the firm's business.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.errors import Forbidden, NotFound
from clusterbrain.finance import permissions
from clusterbrain.finance.models import (
    Consent,
    LoanApplication,
    PartnerBank,
    ProfileView,
    Section,
)
from clusterbrain.registry.models import Certification, Enterprise, EnterpriseYear
from clusterbrain.registry.selectors import as_id

# How far back the green section looks for a year with a grade.
GREEN_YEARS_BACK = 3


def today() -> datetime.date:
    return timezone.localdate()


def partner_banks_for(enterprise: Enterprise) -> list[PartnerBank]:
    return list(PartnerBank.objects.filter(clusters=enterprise.cluster_id).order_by("name_zh"))


def live_consent_q(day: datetime.date) -> Q:
    return Q(withdrawn_at__isnull=True, starts_on__lte=day, ends_on__gte=day)


def live_consent(enterprise: Enterprise, bank: PartnerBank, day: datetime.date) -> Consent | None:
    """The consent that lets `bank` read the firm on `day`, or None. Unguarded: callers decide
    who acts for the bank."""
    return (
        Consent.objects.filter(live_consent_q(day), enterprise=enterprise, bank=bank)
        .order_by("-granted_at", "-pk")
        .first()
    )


def _require_bank(user: Any) -> PartnerBank:
    bank = permissions.bank_of(user)
    if bank is None:
        raise Forbidden(_("Only a partner bank's officers see the firms that consented to it."))
    return bank


@dataclass(frozen=True)
class ConsentedFirm:
    enterprise: Enterprise
    consent: Consent
    sections: list[str]
    last_viewed: datetime.datetime | None


def consented_firms(user: Any, day: datetime.date | None = None) -> list[ConsentedFirm]:
    """The firms whose consent to the officer's bank is live today, newest consent first."""
    bank = _require_bank(user)
    day = day or today()
    consents = list(
        Consent.objects.filter(live_consent_q(day), bank=bank)
        .select_related("enterprise", "enterprise__cluster")
        .order_by("enterprise__name_zh", "-granted_at")
    )
    last: dict[int, datetime.datetime] = {}
    for firm_id, at in ProfileView.objects.filter(
        bank=bank, enterprise_id__in=[c.enterprise_id for c in consents]
    ).values_list("enterprise_id", "viewed_at"):
        if firm_id not in last or at > last[firm_id]:
            last[firm_id] = at
    seen: set[int] = set()
    rows = []
    for c in consents:
        if c.enterprise_id in seen:
            continue
        seen.add(c.enterprise_id)
        rows.append(ConsentedFirm(c.enterprise, c, list(c.sections), last.get(c.enterprise_id)))
    return rows


def _require_firm(user: Any) -> int:
    firm = permissions.firm_of(user)
    if firm is None:
        raise Forbidden(_("Only the firm's own users manage its bank sharing."))
    return firm


def own_firm(user: Any) -> Enterprise:
    """The firm an enterprise user acts for; Forbidden for every other user."""
    firm = Enterprise.objects.select_related("cluster").filter(pk=_require_firm(user)).first()
    if firm is None:
        raise Forbidden(_("Only the firm's own users manage its bank sharing."))
    return firm


@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    status: str
    views: int


def firm_consents(user: Any, day: datetime.date | None = None) -> list[ConsentRow]:
    """Every consent the user's firm ever gave, with its status today and how often it was used."""
    firm = _require_firm(user)
    day = day or today()
    consents = list(
        Consent.objects.filter(enterprise_id=firm)
        .select_related("bank")
        .order_by("-granted_at", "-pk")
    )
    counts: dict[int, int] = defaultdict(int)
    for consent_id in ProfileView.objects.filter(enterprise_id=firm).values_list(
        "consent_id", flat=True
    ):
        counts[consent_id] += 1
    return [ConsentRow(c, c.status_on(day), counts[c.pk]) for c in consents]


def get_own_consent(consent_id: Any, user: Any) -> Consent:
    firm = _require_firm(user)
    pk = as_id(consent_id)
    consent = (
        Consent.objects.select_related("bank", "enterprise")
        .filter(pk=pk, enterprise_id=firm)
        .first()
        if pk
        else None
    )
    if consent is None:
        raise NotFound(_("No such consent."))
    return consent


def access_log(user: Any) -> QuerySet[ProfileView]:
    """Who looked at what: the firm sees every bank's views of itself; an officer sees his own
    bank's views only."""
    firm = permissions.firm_of(user)
    if firm is not None:
        return ProfileView.objects.filter(enterprise_id=firm).select_related("bank", "enterprise")
    bank = permissions.bank_of(user)
    if bank is not None:
        return ProfileView.objects.filter(bank=bank).select_related("bank", "enterprise")
    raise Forbidden(_("Only the firm and its partner banks see the access log."))


# --- the credit profile ----------------------------------------------------------------------


@dataclass(frozen=True)
class RevenueYear:
    year: int
    revenue: Decimal | None
    output_value: Decimal | None
    employees: int | None
    growth: Decimal | None  # revenue against the year before, percent


@dataclass(frozen=True)
class OrdersYear:
    year: int
    delivered: int
    on_time: int


@dataclass(frozen=True)
class OrderRecord:
    taken: int  # assignments the firm accepted (and then delivered or not yet)
    delivered: int
    on_time: int
    late: int
    quality_passed: int
    quality_failed: int
    declined: int
    by_year: list[OrdersYear]

    @property
    def on_time_rate(self) -> float | None:
        judged = self.on_time + self.late
        return self.on_time / judged if judged else None


@dataclass(frozen=True)
class CertificateRow:
    kind: str
    kind_label: str
    issuer: str
    number: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    verified: bool
    valid: bool  # valid on the profile's day


@dataclass(frozen=True)
class GreenGrade:
    year: int
    grade: int | None
    level: int | None
    intensity: float | None
    benchmark: float | None
    industry: str


@dataclass(frozen=True)
class AwardRow:
    program: str
    amount: Decimal  # yuan awarded
    paid: Decimal  # yuan paid out so far
    decided_on: datetime.date


@dataclass
class CreditProfile:
    enterprise: Enterprise
    sections: list[str]
    as_of: datetime.date
    revenue: list[RevenueYear] | None = None
    orders: OrderRecord | None = None
    certificates: list[CertificateRow] | None = None
    green: GreenGrade | None = None
    awards: list[AwardRow] | None = None

    def has(self, section: str) -> bool:
        return section in self.sections


def ordered_sections(sections: Any) -> list[str]:
    """The known sections among `sections`, in the profile's order, each once."""
    wanted = set(sections or ())
    return [s for s in Section.values if s in wanted]


def build_credit_profile(
    enterprise: Enterprise, sections: Any, day: datetime.date | None = None
) -> CreditProfile:
    """The profile from platform data as it is now, only the sections named. Unguarded."""
    day = day or today()
    chosen = ordered_sections(sections)
    profile = CreditProfile(enterprise=enterprise, sections=chosen, as_of=day)
    if Section.REVENUE in chosen:
        profile.revenue = _revenue(enterprise)
    if Section.ORDERS in chosen:
        profile.orders = _orders(enterprise)
    if Section.CERTIFICATES in chosen:
        profile.certificates = _certificates(enterprise, day)
    if Section.GREEN in chosen:
        profile.green = _green(enterprise)
    if Section.AWARDS in chosen:
        profile.awards = _awards(enterprise)
    return profile


def _revenue(enterprise: Enterprise) -> list[RevenueYear]:
    rows = list(EnterpriseYear.objects.filter(enterprise=enterprise).order_by("year"))
    result = []
    previous: Decimal | None = None
    for row in rows:
        growth = None
        if row.revenue is not None and previous:
            growth = ((row.revenue - previous) / previous * 100).quantize(Decimal("0.1"))
        result.append(RevenueYear(row.year, row.revenue, row.output_value, row.employees, growth))
        previous = row.revenue
    return result


def _orders(enterprise: Enterprise) -> OrderRecord:
    from clusterbrain.matching.models import Assignment

    status = Assignment.Status
    rows = Assignment.objects.filter(supplier=enterprise).values_list(
        "status", "on_time", "quality_passed", "delivered_on"
    )
    taken = delivered = on_time = late = passed = failed = declined = 0
    years: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for st, punctual, quality, delivered_on in rows:
        if st == status.DECLINED:
            declined += 1
            continue
        if st in Assignment.TAKEN:
            taken += 1
        if st in (status.DELIVERED, status.COMPLETED):
            delivered += 1
            if punctual is True:
                on_time += 1
            elif punctual is False:
                late += 1
            if quality is True:
                passed += 1
            elif quality is False:
                failed += 1
            if delivered_on is not None:
                years[delivered_on.year][0] += 1
                years[delivered_on.year][1] += 1 if punctual else 0
    return OrderRecord(
        taken=taken,
        delivered=delivered,
        on_time=on_time,
        late=late,
        quality_passed=passed,
        quality_failed=failed,
        declined=declined,
        by_year=[OrdersYear(y, d, o) for y, (d, o) in sorted(years.items())],
    )


def _certificates(enterprise: Enterprise, day: datetime.date) -> list[CertificateRow]:
    rows = []
    for c in Certification.objects.filter(enterprise=enterprise).order_by("kind", "-valid_until"):
        valid = (c.valid_from is None or c.valid_from <= day) and (
            c.valid_until is None or c.valid_until >= day
        )
        rows.append(
            CertificateRow(
                kind=c.kind,
                kind_label=str(c.get_kind_display()),
                issuer=c.issuer,
                number=c.number,
                valid_from=c.valid_from,
                valid_until=c.valid_until,
                verified=c.verified,
                valid=valid,
            )
        )
    return rows


def _green(enterprise: Enterprise) -> GreenGrade | None:
    """The latest of the firm's years that has a grade (its carbon efficiency among its
    industry's firms of the cluster). The green app's `_grade_rows` is its unguarded builder;
    `firm_grade` would ask the green permissions, which know nothing of consent."""
    from clusterbrain.green.models import CarbonYear
    from clusterbrain.green.selectors import _grade_rows

    years = list(
        CarbonYear.objects.filter(enterprise=enterprise)
        .order_by("-year")
        .values_list("year", flat=True)[:GREEN_YEARS_BACK]
    )
    fallback: GreenGrade | None = None
    for year in years:
        rows = _grade_rows(enterprise.cluster, year, [enterprise.pk])
        if not rows:
            continue
        g = rows[0]
        grade = GreenGrade(year, g.grade, g.level, g.intensity, g.benchmark, g.industry_name)
        if g.grade is not None:
            return grade
        fallback = fallback or grade
    return fallback


def _awards(enterprise: Enterprise) -> list[AwardRow]:
    """Support awards the office decided for the firm, with what has been paid out so far (the
    PAID account of the program's ledger for that application: debits less credits, so a
    reversed tranche no longer counts)."""
    from django.db.models import Sum

    from clusterbrain.awards.models import Account, Decision, LedgerEntry

    decisions = list(
        Decision.objects.filter(application__enterprise=enterprise, outcome=Decision.Outcome.AWARD)
        .select_related("application__program")
        .order_by("-decided_at", "pk")
    )
    application_ids = [d.application_id for d in decisions]
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for side, sign in (("debit", 1), ("credit", -1)):
        rows = (
            LedgerEntry.objects.filter(application_id__in=application_ids, **{side: Account.PAID})
            .values("application_id")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for row in rows:
            paid[row["application_id"]] += sign * (row["total"] or Decimal(0))
    return [
        AwardRow(
            program=d.application.program.name,
            amount=d.amount or Decimal(0),
            paid=paid[d.application_id],
            decided_on=timezone.localtime(d.decided_at).date(),
        )
        for d in decisions
    ]


# --- loans -----------------------------------------------------------------------------------


def loans_of(user: Any) -> QuerySet[LoanApplication]:
    """The firm's own applications, or the applications to the officer's bank."""
    base = LoanApplication.objects.select_related("bank", "enterprise")
    firm = permissions.firm_of(user)
    if firm is not None:
        return base.filter(enterprise_id=firm)
    bank = permissions.bank_of(user)
    if bank is not None:
        return base.filter(bank=bank)
    raise Forbidden(_("Only the firm and the bank it applied to see loan applications."))


def get_loan(loan_id: Any, user: Any) -> LoanApplication:
    pk = as_id(loan_id)
    try:
        loans = loans_of(user)
    except Forbidden:
        loans = LoanApplication.objects.none()
    loan = loans.filter(pk=pk).first() if pk else None
    if loan is None:
        raise NotFound(_("No such loan application."))
    return loan
