"""Reads of exhibition groups with their permissions (decision 0022). The exhibitions, their
booth plans and who exhibits at which booth are public, as a fair's floor plan is; sign-up
details are the firm's own and the organisers'; leads are the firm's alone, and the organisers'
closing report counts them per exhibition and country without naming a buyer or a firm."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from clusterbrain.errors import Forbidden, NotFound
from clusterbrain.exhibitions import permissions
from clusterbrain.exhibitions.models import Booth, BoothAssignment, Exhibition, Lead, SignUp
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry.models import Cluster
from clusterbrain.registry.selectors import as_id


def exhibitions(cluster: Cluster) -> QuerySet[Exhibition]:
    return Exhibition.objects.filter(cluster=cluster).annotate(
        firms=Count("signups", distinct=True), booth_count=Count("booths", distinct=True)
    )


def get_exhibition(exhibition_id: Any) -> Exhibition:
    pk = as_id(exhibition_id)
    found = Exhibition.objects.select_related("cluster").filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound(_("No such exhibition."))
    return found


def booth_plan(exhibition: Exhibition) -> list[Booth]:
    """Every booth with the firm placed there (public, like the fair's own floor plan)."""
    return list(
        Booth.objects.filter(exhibition=exhibition)
        .select_related("assignment__signup__enterprise")
        .order_by("zone", "code")
    )


def signups(user: Any, exhibition: Exhibition) -> QuerySet[SignUp]:
    """All sign-ups for the organisers and the office; a firm only its own."""
    rows = (
        SignUp.objects.filter(exhibition=exhibition)
        .select_related("enterprise", "exhibition")
        .prefetch_related("assignments__booth")
    )
    if permissions.can_read_report(user, exhibition.cluster):
        return rows
    own = permissions.firm_of(user)
    if own is None:
        raise Forbidden(_("Sign-ups are for the firms themselves and the organisers."))
    return rows.filter(enterprise_id=own)


def own_signup(user: Any, exhibition: Exhibition) -> SignUp | None:
    own = permissions.firm_of(user)
    if own is None:
        return None
    return (
        SignUp.objects.filter(exhibition=exhibition, enterprise_id=own)
        .select_related("enterprise", "exhibition")
        .prefetch_related("assignments__booth")
        .first()
    )


def get_signup(user: Any, signup_id: Any) -> SignUp:
    pk = as_id(signup_id)
    found = (
        SignUp.objects.select_related("exhibition__cluster", "enterprise").filter(pk=pk).first()
        if pk
        else None
    )
    if found is None or not (
        permissions.firm_of(user) == found.enterprise_id
        or permissions.can_read_report(user, found.exhibition.cluster)
    ):
        raise NotFound(_("No such sign-up."))
    return found


def leads(user: Any, signup: SignUp) -> QuerySet[Lead]:
    """The firm's own leads at one exhibition: nobody else's, and nobody else reads them."""
    if permissions.firm_of(user) != signup.enterprise_id:
        raise NotFound(_("No such sign-up."))
    return Lead.objects.filter(signup=signup)


def get_lead(user: Any, lead_id: Any) -> Lead:
    pk = as_id(lead_id)
    found = Lead.objects.select_related("signup__exhibition").filter(pk=pk).first() if pk else None
    if found is None or permissions.firm_of(user) != found.signup.enterprise_id:
        raise NotFound(_("No such lead."))
    return found


@dataclass(frozen=True)
class FirmLine:
    signup: SignUp
    booths: list[str]
    area_m2: Decimal
    fee: Decimal


@dataclass(frozen=True)
class ClosingReport:
    exhibition: Exhibition
    firms: list[FirmLine]
    booths_total: int
    booths_given: int
    area_given: Decimal
    fees_total: Decimal
    leads_total: int | None  # None: withheld, fewer than k firms recorded leads
    leads_by_country: list[tuple[str, int]]  # "" sums the countries of fewer than k firms
    unmet: int  # booths asked for and not given
    min_firms: int = 1


def closing_report(user: Any, exhibition: Exhibition) -> ClosingReport:
    """Firms, booths and fees, and how many leads came from which country (not who)."""
    if not permissions.can_read_report(user, exhibition.cluster):
        raise Forbidden(_("The closing report is for the association and the office."))
    rows = list(signups(user, exhibition))
    firms = []
    for s in rows:
        booths = sorted(s.assignments.all(), key=lambda a: a.booth.code)
        firms.append(
            FirmLine(
                signup=s,
                booths=[a.booth.code for a in booths],
                area_m2=sum((a.booth.area_m2 for a in booths), Decimal(0)),
                fee=exhibition.booth_fee * len(booths),
            )
        )
    # A firm's buyers by country are its customer list: with fewer than k firms behind a
    # figure (one exhibitor, or one firm's buyers from a country) the figure is that firm's.
    k = registry_selectors.min_firms()
    leads = list(
        Lead.objects.filter(signup__exhibition=exhibition).values_list("country", "signup_id")
    )
    counts = Counter(country for country, _signup in leads)
    firms_of: dict[str, set[int]] = {}
    for country, signup_id in leads:
        firms_of.setdefault(country, set()).add(signup_id)
    withheld = 0 < len({signup_id for _country, signup_id in leads}) < k
    by_country = sorted(
        ((c, n) for c, n in counts.items() if len(firms_of[c]) >= k), key=lambda kv: (-kv[1], kv[0])
    )
    others = sum(n for c, n in counts.items() if len(firms_of[c]) < k)
    if others:
        by_country.append(("", others))
    given = BoothAssignment.objects.filter(booth__exhibition=exhibition).count()
    return ClosingReport(
        exhibition=exhibition,
        firms=firms,
        booths_total=exhibition.booths.count(),
        booths_given=given,
        area_given=sum((f.area_m2 for f in firms), Decimal(0)),
        fees_total=sum((f.fee for f in firms), Decimal(0)),
        leads_total=None if withheld else sum(counts.values()),
        leads_by_country=[] if withheld else by_country,
        unmet=sum(max(0, f.signup.booths_requested - len(f.booths)) for f in firms),
        min_firms=k,
    )
