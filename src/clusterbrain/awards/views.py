"""The pages of review and awards: the reviewer's queue and scoring form, the office's decision
page (scores side by side, the budget left), the program's ledger (balances, entries, reversal,
audit trail), the outcome summary, and the firm's award with its payments and outcome report.
Reads go through `awards.selectors`, writes through `awards.services`; a refused form shows
each error by its field (422), nothing saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clusterbrain.accounts.models import User
from clusterbrain.awards import permissions, selectors, services
from clusterbrain.awards.models import Account
from clusterbrain.errors import InvalidInput
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry.selectors import as_id
from clusterbrain.web.decorators import domain_errors

Errors = list[dict[str, str]]


def _attempt(action: Callable[[], Any]) -> Errors:
    """Run a service call; its refused input as the form's errors by field (empty: done)."""
    try:
        action()
    except InvalidInput as exc:
        return [{"field": str(e.loc[-1] if e.loc else ""), "msg": e.msg} for e in exc.errors] or [
            {"field": "", "msg": exc.detail}
        ]
    return []


@login_required
@require_http_methods(["GET"])
@domain_errors
def office(request: HttpRequest, slug: str) -> HttpResponse:
    """The cluster's programs with their balances and the applications to review or decide."""
    cluster = registry_selectors.get_cluster(slug)
    rows = selectors.office_overview(cluster, request.user)
    context = {
        "cluster": cluster,
        "rows": [(row, list(selectors.applications_to_review(row.program))) for row in rows],
        "active_nav": "awards",
    }
    return render(request, "awards/office.html", context)


@login_required
@require_http_methods(["GET"])
@domain_errors
def queue(request: HttpRequest) -> HttpResponse:
    items = selectors.reviewer_queue(request.user)
    return render(request, "awards/queue.html", {"items": items, "active_nav": "awards"})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def assignment(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Declare a conflict of interest (or none), then score every criterion."""
    a = selectors.get_assignment(assignment_id, request.user)
    errors: Errors = []
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "declare":
            conflict = request.POST.get("conflict")
            if conflict not in ("yes", "no"):
                errors = [{"field": "conflict", "msg": _("Choose yes or no.")}]
            else:
                errors = _attempt(
                    lambda: services.declare_conflict(
                        request.user,
                        a,
                        conflict=conflict == "yes",
                        note=request.POST.get("note", ""),
                    )
                )
            done = _("Declaration recorded.")
        else:
            criteria = a.application.program.criteria.all()
            scores = {c.key: request.POST.get(f"score-{c.key}", "") for c in criteria}
            errors = _attempt(
                lambda: services.submit_review(
                    request.user, a, scores=scores, comment=request.POST.get("comment", "")
                )
            )
            done = _("Review submitted.")
        if not errors:
            messages.success(request, done)
            return redirect("awards-assignment", assignment_id=a.pk)
        a = selectors.get_assignment(assignment_id, request.user)
    view = selectors.assignment_view(a, request.user)
    context = {
        "cluster": a.application.program.cluster,
        "view": view,
        "a": a,
        "errors": errors,
        "form": request.POST if request.method == "POST" else {},
        "active_nav": "awards",
    }
    return render(request, "awards/assignment.html", context, status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def application(request: HttpRequest, application_id: int) -> HttpResponse:
    """The office decides: reviewers assigned, the reviews side by side, the budget left, the
    decision form and, after an award, the tranches paid."""
    app = selectors.get_application(application_id, request.user)
    selectors.decision_view(app, request.user)  # 403 before any write for non-office users
    errors: Errors = []
    if request.method == "POST":
        action = request.POST.get("action")
        data = request.POST
        if action == "assign":
            pk = as_id(data.get("reviewer"))
            reviewer = User.objects.filter(pk=pk).first() if pk else None
            errors = _attempt(lambda: services.assign_reviewer(request.user, app, reviewer))
            done = _("Reviewer assigned.")
        elif action == "disburse":
            errors = _attempt(
                lambda: services.disburse(
                    request.user, app, amount=data.get("amount", ""), memo=data.get("memo", "")
                )
            )
            done = _("Disbursement recorded.")
        else:
            errors = _attempt(
                lambda: services.decide(
                    request.user,
                    app,
                    outcome=data.get("outcome", ""),
                    amount=data.get("amount", ""),
                    reason=data.get("reason", ""),
                )
            )
            done = _("Decision recorded.")
        if not errors:
            messages.success(request, done)
            return redirect("awards-application", application_id=app.pk)
        app = selectors.get_application(application_id, request.user)
    view = selectors.decision_view(app, request.user)
    context = {
        "cluster": app.program.cluster,
        "view": view,
        "app": app,
        "errors": errors,
        "form": request.POST if request.method == "POST" else {},
        "active_nav": "awards",
    }
    return render(request, "awards/application.html", context, status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def ledger(request: HttpRequest, program_id: int) -> HttpResponse:
    """Balances and every entry of a program, the budget posting and the reversal forms."""
    program = selectors.get_program(program_id, request.user)
    errors: Errors = []
    if request.method == "POST":
        data = request.POST
        if data.get("action") == "reverse":
            entry = selectors.get_entry(data.get("entry"), request.user)
            errors = _attempt(
                lambda: services.reverse_entry(request.user, entry, reason=data.get("reason", ""))
            )
            done = _("Entry reversed.")
        else:
            errors = _attempt(
                lambda: services.post_budget(
                    request.user,
                    program,
                    amount=data.get("amount", "") or None,
                    memo=data.get("memo", ""),
                )
            )
            done = _("Budget posted.")
        if not errors:
            messages.success(request, done)
            return redirect("awards-ledger", program_id=program.pk)
    view = selectors.ledger(program, request.user)
    context = {
        "cluster": program.cluster,
        "view": view,
        "program": program,
        "accounts": [(a, view.balances[a.value]) for a in Account],
        "errors": errors,
        "form": request.POST if request.method == "POST" else {},
        "active_nav": "awards",
    }
    return render(request, "awards/ledger.html", context, status=422 if errors else 200)


@login_required
@require_http_methods(["GET"])
@domain_errors
def outcomes(request: HttpRequest, program_id: int) -> HttpResponse:
    program = selectors.get_program(program_id, request.user)
    summary = selectors.outcome_summary(program, request.user)
    context = {
        "cluster": program.cluster,
        "program": program,
        "s": summary,
        "active_nav": "awards",
    }
    return render(request, "awards/outcomes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def award(request: HttpRequest, application_id: int) -> HttpResponse:
    """The firm's award: the decision, each payment, and the outcome report a year later."""
    app = selectors.get_application(application_id, request.user)
    errors: Errors = []
    if request.method == "POST":
        selectors.award_view(app, request.user)
        errors = _attempt(
            lambda: services.submit_outcome(
                request.user, app, statement=request.POST.get("statement", "")
            )
        )
        if not errors:
            messages.success(request, _("Outcome report submitted."))
            return redirect("awards-award", application_id=app.pk)
    view = selectors.award_view(app, request.user)
    context = {
        "cluster": app.program.cluster,
        "view": view,
        "app": app,
        "is_firm": permissions.firm_of(request.user) == app.enterprise_id,
        "errors": errors,
        "form": request.POST if request.method == "POST" else {},
        "active_nav": "awards",
    }
    return render(request, "awards/award.html", context, status=422 if errors else 200)
