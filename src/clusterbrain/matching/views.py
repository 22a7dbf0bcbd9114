"""The matching pages: a cluster's orders, posting one, an order with its proposal and each
supplier's part, the explained candidate search, allocation runs, a supplier's prices and
capacity calendar, and notifications. Reads go through `matching.selectors`, writes through
`matching.services`; a refused write shows the page again with the errors (status 422),
nothing saved. Forms post to their own URL and redirect after success (post/redirect/get)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clusterbrain.errors import FieldError, InvalidInput, NotFound
from clusterbrain.matching import permissions, selectors, services
from clusterbrain.matching.forms import OfferForm, OrderForm, RunForm
from clusterbrain.matching.models import Assignment
from clusterbrain.matching.problem import is_local, week_of
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry.models import Certification
from clusterbrain.web.decorators import domain_errors

ACTIONS = ("accept", "decline", "progress", "delivery", "inspection")


def _labelled(errors: list[FieldError]) -> list[str]:
    labels = {
        "quantities": _("Quantities"),
        "produced": _("Produced so far"),
        "quantity": _("Quantity"),
        "delivered_on": _("Delivered on"),
        "passed": _("Quality accepted"),
        "accepted_quantity": _("Accepted quantity"),
        "reason": _("Reason"),
        "note": _("Note"),
        "status": _("Status"),
    }
    return [
        f"{labels.get(str(e.loc[0]), str(e.loc[0]))}: {e.msg}" if e.loc else e.msg for e in errors
    ]


@login_required
@domain_errors
def orders(request: HttpRequest, slug: str) -> HttpResponse:
    cluster = registry_selectors.get_cluster(slug)
    lists = selectors.orders_for(cluster, request.user)
    context = {
        "cluster": cluster,
        "lists": lists,
        "firm_id": permissions.firm_of(request.user),
        "active_nav": "orders",
    }
    return render(request, "matching/orders.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def order_new(request: HttpRequest, slug: str) -> HttpResponse:
    cluster = registry_selectors.get_cluster(slug)
    firm = permissions.firm_of(request.user)
    buyer = cluster.enterprises.filter(pk=firm).first() if firm else None
    if buyer is None or not permissions.can_post_orders(request.user, buyer):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(
            _("Only a leading firm's own users may post its outsourcing orders.")
        )
    links = registry_selectors.chain_links(cluster)
    status = 200
    if request.method == "POST":
        form = OrderForm(request.POST, links=links)
        if form.is_valid():
            try:
                order = services.post_order(request.user, buyer, form.service_data())
            except InvalidInput as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(request, _("The order was posted."))
                return redirect("matching-order", order_id=order.pk)
        status = 422
    else:
        start = week_of(timezone.localdate()) + datetime.timedelta(weeks=1)
        form = OrderForm(
            links=links,
            initial={
                "earliest_start": start.isoformat(),
                "due_date": (start + datetime.timedelta(days=27)).isoformat(),
                "splittable": True,
            },
        )
    context = {"cluster": cluster, "form": form, "buyer": buyer, "active_nav": "orders"}
    return render(request, "matching/order_new.html", context, status=status)


def _order_context(request: HttpRequest, view: selectors.OrderView, **extra: Any) -> dict[str, Any]:
    order = view.order
    labels = dict(Certification.Kind.choices)
    return {
        "cluster": order.cluster,
        "view": view,
        "order": order,
        "certificates": [labels.get(c, c) for c in order.required_certificates],
        "rows": [
            {"a": a, "local": is_local(a.supplier, order.cluster), "weeks": list(a.weeks.all())}
            for a in view.assignments
        ],
        "today": timezone.localdate().isoformat(),
        "active_nav": "orders",
        **extra,
    }


@login_required
@domain_errors
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    view = selectors.get_order(order_id, request.user)
    return render(request, "matching/order.html", _order_context(request, view))


def _refused(request: HttpRequest, order_id: int, exc: InvalidInput, form: str) -> HttpResponse:
    view = selectors.get_order(order_id, request.user)
    context = _order_context(
        request, view, errors=_labelled(exc.errors) or [exc.detail], error_form=form
    )
    return render(request, "matching/order.html", context, status=422)


@login_required
@require_POST
@domain_errors
def order_action(request: HttpRequest, order_id: int, action: str) -> HttpResponse:
    """confirm (with the quantities of the proposal's rows), discard, cancel."""
    view = selectors.get_order(order_id, request.user)
    try:
        if action == "confirm":
            quantities = {
                key.removeprefix("quantity-"): value
                for key, value in request.POST.items()
                if key.startswith("quantity-")
            }
            services.confirm_proposal(request.user, view.order, quantities)
            messages.success(request, _("The proposal was confirmed; the suppliers were asked."))
        elif action == "discard":
            services.discard_proposal(request.user, view.order)
            messages.success(request, _("The proposal was discarded."))
        elif action == "cancel":
            services.cancel_order(request.user, view.order)
            messages.success(request, _("The order was cancelled."))
        else:
            raise NotFound(_("No such action."))
    except InvalidInput as exc:
        return _refused(request, order_id, exc, action)
    return redirect("matching-order", order_id=order_id)


@login_required
@require_POST
@domain_errors
def assignment_action(request: HttpRequest, assignment_id: int, action: str) -> HttpResponse:
    """A supplier's accept, decline, progress, delivery; the buyer's inspection."""
    from clusterbrain.registry.selectors import as_id

    pk = as_id(assignment_id)
    assignment = Assignment.objects.select_related("order").filter(pk=pk).first() if pk else None
    if assignment is None or action not in ACTIONS:
        raise NotFound(_("No such assignment."))
    post = request.POST
    user = request.user
    try:
        if action == "accept":
            services.accept_assignment(user, assignment)
            messages.success(request, _("You accepted the order."))
        elif action == "decline":
            services.decline_assignment(user, assignment, post.get("reason", ""))
            messages.success(request, _("You declined the order."))
        elif action == "progress":
            services.report_progress(user, assignment, post.get("produced"), post.get("note", ""))
            messages.success(request, _("The progress was reported."))
        elif action == "delivery":
            services.record_delivery(
                user, assignment, post.get("delivered_on"), post.get("quantity")
            )
            messages.success(request, _("The delivery was recorded."))
        else:
            passed = {"yes": True, "no": False}.get(post.get("passed", ""))
            services.inspect_delivery(
                user, assignment, passed, post.get("accepted_quantity"), post.get("note", "")
            )
            messages.success(request, _("The inspection was recorded."))
    except InvalidInput as exc:
        return _refused(request, assignment.order_id, exc, f"{action}-{assignment.pk}")
    return redirect("matching-order", order_id=assignment.order_id)


@login_required
@domain_errors
def order_candidates(request: HttpRequest, order_id: int) -> HttpResponse:
    view = selectors.get_order(order_id, request.user)
    search = selectors.candidates(view.order, request.user)
    context = {
        "cluster": view.order.cluster,
        "order": view.order,
        "search": search,
        "certificate_labels": dict(Certification.Kind.choices),
        "active_nav": "orders",
    }
    return render(request, "matching/candidates.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def allocation(request: HttpRequest, slug: str) -> HttpResponse:
    cluster = registry_selectors.get_cluster(slug)
    if not permissions.can_coordinate(request.user, cluster):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only the cluster's office and association run allocations."))
    status = 200
    if request.method == "POST":
        form = RunForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = services.run_allocation(
                    request.user,
                    cluster,
                    data["period_start"],
                    data["weeks"],
                    data.get("time_limit") or None,
                    data["method"],
                )
            except InvalidInput as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(request, _("The allocation was run."))
                return redirect("matching-run", run_id=run.pk)
        status = 422
    else:
        start = week_of(timezone.localdate()) + datetime.timedelta(weeks=1)
        form = RunForm(
            initial={
                "period_start": start.isoformat(),
                "weeks": 12,
                "time_limit": services._time_limit_default(),
                "method": "mip",
            }
        )
    context = {
        "cluster": cluster,
        "form": form,
        "runs": selectors.runs(cluster, request.user),
        "active_nav": "orders",
    }
    return render(request, "matching/allocation.html", context, status=status)


@login_required
@domain_errors
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    view = selectors.get_run(run_id, request.user)
    context = {"cluster": view.run.cluster, "view": view, "active_nav": "orders"}
    return render(request, "matching/run.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def supply(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """A supplier's offers and its capacity calendar for the next 12 weeks."""
    enterprise = registry_selectors.get_enterprise(enterprise_id)
    desk = selectors.offers_of(enterprise, request.user)
    status = 200
    form = OfferForm(links=desk.links)
    calendar_errors: list[str] = []
    if request.method == "POST" and request.POST.get("form") == "offer":
        form = OfferForm(request.POST, links=desk.links)
        if form.is_valid():
            try:
                services.set_offer(request.user, enterprise, form.service_data())
            except InvalidInput as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(request, _("The offer was saved."))
                return redirect(request.path)
        status = 422
    elif request.method == "POST" and request.POST.get("form") == "calendar":
        link_code = request.POST.get("link_code", "")
        weeks = {
            key.removeprefix("week-"): value
            for key, value in request.POST.items()
            if key.startswith("week-")
        }
        try:
            services.set_capacity(request.user, enterprise, link_code, weeks)
        except InvalidInput as exc:
            calendar_errors = [e.msg if not e.loc else f"{e.loc[-1]}: {e.msg}" for e in exc.errors]
            status = 422
        else:
            messages.success(request, _("The capacity calendar was saved."))
            return redirect(request.path)
    rows = [
        {
            "offer": offer,
            "cells": [
                {
                    "week": week,
                    "units": desk.calendar.get(offer.link_id, [None] * len(desk.weeks))[i],
                    "held": desk.held.get(offer.link_id, [0.0] * len(desk.weeks))[i],
                }
                for i, week in enumerate(desk.weeks)
            ],
        }
        for offer in desk.offers
    ]
    context = {
        "cluster": enterprise.cluster,
        "enterprise": enterprise,
        "desk": desk,
        "rows": rows,
        "form": form,
        "calendar_errors": calendar_errors,
        "active_nav": "orders",
    }
    return render(request, "matching/supply.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.mark_read(request.user)
        messages.success(request, _("All notifications are marked as read."))
        return redirect("matching-notifications")
    items = selectors.notifications(request.user)
    cluster = getattr(request.user, "cluster", None) or getattr(
        getattr(request.user, "enterprise", None), "cluster", None
    )
    return render(
        request,
        "matching/notifications.html",
        {"items": items, "cluster": cluster, "active_nav": "orders"},
    )
