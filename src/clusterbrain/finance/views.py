"""Bank credit pages: the firm's "Bank sharing" page (grant and withdraw consents, who looked,
loan applications), the bank officer's home (consented firms, his bank's log, the loan queue), a
credit profile and a loan application. Reads go through `finance.selectors`, writes through
`finance.services`; a refused form shows each error by its field (422), nothing saved."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clusterbrain.errors import Forbidden, InvalidInput
from clusterbrain.finance import charts, permissions, selectors, services
from clusterbrain.finance.models import LOAN_TRANSITIONS, LoanStatus, Section
from clusterbrain.web.decorators import domain_errors

LOG_ROWS = 100


def _field_errors(exc: InvalidInput) -> list[dict[str, Any]]:
    return [{"field": str(e.loc[0]) if e.loc else "", "msg": e.msg} for e in exc.errors]


def _sharing_post(request: HttpRequest) -> tuple[str, list[dict[str, Any]]]:
    """Run the posted action; returns it and the errors by field (empty when it went through)."""
    data = request.POST
    action = data.get("action", "")
    try:
        if action == "grant":
            services.grant_consent(
                request.user,
                bank=data.get("bank"),
                starts_on=data.get("starts_on") or None,
                ends_on=data.get("ends_on", ""),
                sections=data.getlist("sections"),
            )
            messages.success(request, _("Consent granted."))
        elif action == "withdraw":
            services.withdraw_consent(request.user, data.get("consent"))
            messages.success(request, _("Consent withdrawn: the bank no longer sees your profile."))
        elif action == "apply":
            services.apply_for_loan(
                request.user,
                bank=data.get("bank"),
                amount=data.get("amount", ""),
                purpose=data.get("purpose", ""),
                term_months=data.get("term_months", ""),
            )
            messages.success(request, _("Loan application sent."))
        else:
            return action, [{"field": "action", "msg": _("Unknown action.")}]
    except InvalidInput as exc:
        return action, _field_errors(exc)
    return action, []


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def sharing(request: HttpRequest) -> HttpResponse:
    """The firm's bank sharing: its consents, the banks' looks at its profile, its loans."""
    firm = selectors.own_firm(request.user)
    status, action = 200, ""
    errors: list[dict[str, Any]] = []
    if request.method == "POST":
        action, errors = _sharing_post(request)
        if not errors:
            return redirect(reverse("finance-sharing"))
        status = 422
    rows = selectors.firm_consents(request.user)
    banks = selectors.partner_banks_for(firm)
    live_banks = [b for b in banks if selectors.live_consent(firm, b, selectors.today())]
    context = {
        "cluster": firm.cluster,
        "enterprise": firm,
        "consents": rows,
        "banks": banks,
        "live_banks": live_banks,
        "sections": Section.choices,
        "section_labels": dict(Section.choices),
        "log": list(selectors.access_log(request.user)[:LOG_ROWS]),
        "loans": list(selectors.loans_of(request.user).prefetch_related("events")),
        "errors": errors,
        "action": action,
        "form": request.POST if request.method == "POST" else {},
        "chosen_sections": request.POST.getlist("sections")
        if request.method == "POST"
        else list(Section.values),
        "today": selectors.today(),
    }
    return render(request, "finance/sharing.html", context, status=status)


@login_required
@require_http_methods(["GET"])
@domain_errors
def preview(request: HttpRequest) -> HttpResponse:
    """The firm's own credit profile with every section, so it knows what it would share; the
    firm sees its own figures anyway, so this look is not logged."""
    firm = selectors.own_firm(request.user)
    profile = selectors.build_credit_profile(firm, Section.values)
    context = {
        "cluster": firm.cluster,
        "enterprise": firm,
        "profile": profile,
        "preview": True,
        "charts": _profile_charts(profile),
    }
    return render(request, "finance/profile.html", context)


def _profile_charts(profile: selectors.CreditProfile) -> dict[str, Any]:
    specs = {}
    if profile.revenue:
        specs["chart-revenue"] = charts.revenue(profile.revenue)
    if profile.orders is not None and profile.orders.by_year:
        specs["chart-deliveries"] = charts.deliveries(profile.orders.by_year)
    return specs


@login_required
@require_http_methods(["GET"])
@domain_errors
def bank_home(request: HttpRequest) -> HttpResponse:
    """The officer's firms with a live consent, the applications to his bank, his bank's log."""
    firms = selectors.consented_firms(request.user)
    bank = permissions.bank_of(request.user)
    context = {
        "bank": bank,
        "firms": firms,
        "section_labels": dict(Section.choices),
        "loans": list(selectors.loans_of(request.user)),
        "log": list(selectors.access_log(request.user)[:LOG_ROWS]),
        "open_statuses": [LoanStatus.RECEIVED, LoanStatus.UNDER_REVIEW, LoanStatus.APPROVED],
    }
    return render(request, "finance/bank_home.html", context)


@login_required
@require_http_methods(["GET"])
@domain_errors
def credit_profile(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """A consented firm's credit profile for the officer's bank; the look is logged."""
    profile, consent = services.open_credit_profile(request.user, enterprise_id)
    chart_specs = _profile_charts(profile)
    context = {
        "cluster": profile.enterprise.cluster,
        "enterprise": profile.enterprise,
        "profile": profile,
        "consent": consent,
        "bank": consent.bank,
        "section_labels": dict(Section.choices),
        "charts": chart_specs,
        "loans": list(selectors.loans_of(request.user).filter(enterprise=profile.enterprise)),
    }
    return render(request, "finance/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def loan(request: HttpRequest, loan_id: int) -> HttpResponse:
    """One application and its history; the bank's officer moves it on from here."""
    application = selectors.get_loan(loan_id, request.user)
    bank = permissions.bank_of(request.user)
    decides = bank is not None and application.bank_id == bank.pk
    status = 200
    errors: list[dict[str, Any]] = []
    if request.method == "POST":
        if not decides:
            raise Forbidden(_("Only the bank's officers decide on its applications."))
        try:
            services.move_loan(
                request.user,
                application.pk,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", ""),
            )
        except InvalidInput as exc:
            errors = _field_errors(exc)
            status = 422
        else:
            messages.success(request, _("Application updated."))
            return redirect(reverse("finance-loan", args=[application.pk]))
    consent_live = (
        selectors.live_consent(application.enterprise, application.bank, selectors.today())
        is not None
    )
    context = {
        "application": application,
        "events": list(application.events.all()),
        "decides": decides,
        "next_statuses": [(s, LoanStatus(s).label) for s in LOAN_TRANSITIONS[application.status]],
        "consent_live": consent_live,
        "errors": errors,
        "form": request.POST if request.method == "POST" else {},
    }
    return render(request, "finance/loan.html", context, status=status)
