"""Exhibition groups' pages: the cluster's exhibitions (with the association's form for a new
one), an exhibition with its booth plan, the firm's sign-up and booth and the organisers' tools
(booth plan rows, automatic allocation, placing a firm by hand), a firm's own leads, and the
closing report. Reads go through `exhibitions.selectors`, writes through
`exhibitions.services`; a refused form shows each error by its field (422), nothing saved."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clusterbrain.errors import Forbidden, InvalidInput
from clusterbrain.exhibitions import allocation, permissions, selectors, services
from clusterbrain.exhibitions.models import FollowUp, Interest, Scope
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry.models import Enterprise
from clusterbrain.registry.selectors import as_id
from clusterbrain.web.decorators import domain_errors


def _errors(exc: InvalidInput) -> list[dict[str, Any]]:
    return [{"field": ".".join(str(p) for p in e.loc), "msg": e.msg} for e in exc.errors]


def _day(value: str | None, field: str) -> datetime.date | None:
    """A form's date; a well-formed but impossible one (30 February) is named at its field
    (parse_date raises ValueError for those and returns None only for malformed text)."""
    try:
        return parse_date(value or "")
    except ValueError:
        raise InvalidInput.field(field, _("Enter a date as YYYY-MM-DD.")) from None


@require_http_methods(["GET", "POST"])
@domain_errors
def exhibition_list(request: HttpRequest, slug: str) -> HttpResponse:
    cluster = registry_selectors.get_cluster(slug)
    manage = permissions.can_manage(request.user, cluster)
    status, errors = 200, list[dict[str, Any]]()
    if request.method == "POST":
        if not manage:
            raise Forbidden(
                _("Only the association of the cluster organises its exhibition groups.")
            )
        data = request.POST
        try:
            e = services.create_exhibition(
                request.user,
                cluster,
                name_zh=data.get("name_zh", ""),
                name_en=data.get("name_en", ""),
                venue=data.get("venue", ""),
                city_zh=data.get("city_zh", ""),
                city_en=data.get("city_en", ""),
                country=data.get("country", ""),
                scope=data.get("scope", ""),
                starts_on=_day(data.get("starts_on", ""), "starts_on"),
                ends_on=_day(data.get("ends_on", ""), "ends_on"),
                signup_deadline=_day(data.get("signup_deadline", ""), "signup_deadline"),
                booth_fee=data.get("booth_fee", ""),
            )
        except InvalidInput as exc:
            errors, status = _errors(exc), 422
        else:
            messages.success(request, _("Exhibition created: add its booth plan."))
            return redirect("exhibitions-detail", exhibition_id=e.pk)
    context = {
        "cluster": cluster,
        "exhibitions": selectors.exhibitions(cluster),
        "today": timezone.localdate(),
        "can_manage": manage,
        "can_report": permissions.can_read_report(request.user, cluster),
        "scopes": Scope.choices,
        "errors": errors,
        "form": request.POST if request.method == "POST" else {},
        "active_nav": "exhibitions",
    }
    return render(request, "exhibitions/list.html", context, status=status)


def _detail_post(request: HttpRequest, exhibition: Any) -> None:
    """One action of the page's forms; raises InvalidInput (or Forbidden) when refused."""
    data = request.POST
    action = data.get("action", "")
    user = request.user
    if action == "signup":
        own = permissions.firm_of(user)
        firm_id = str(data.get("enterprise") or own or "")
        firm = Enterprise.objects.filter(pk=as_id(firm_id) or 0).first()
        services.sign_up(
            user,
            exhibition,
            enterprise=firm,
            booths_requested=data.get("booths_requested", "1"),
            area_requested=data.get("area_requested") or None,
            products=data.get("products", ""),
            preferred_zone=data.get("preferred_zone", ""),
        )
        messages.success(request, _("Signed up."))
    elif action == "withdraw":
        signup = selectors.get_signup(user, data.get("signup"))
        services.withdraw(user, signup)
        messages.success(request, _("Sign-up withdrawn."))
    elif action == "booths":
        services.add_booths(user, exhibition, services.parse_booth_lines(data.get("lines", "")))
        messages.success(request, _("Booths added to the plan."))
    elif action == "allocate":
        result = services.allocate_booths(user, exhibition)
        messages.success(
            request,
            _("Booths allocated: %(n)d; asked for but not given: %(m)d.")
            % {"n": len(result.pairs), "m": sum(result.unmet.values())},
        )
    elif action == "assign":
        firm_id = data.get("enterprise", "")
        firm = Enterprise.objects.filter(pk=as_id(firm_id) or 0).first()
        services.assign_booth(user, exhibition, booth_code=data.get("booth", ""), enterprise=firm)
        messages.success(request, _("Booth placed by hand."))
    elif action == "free":
        services.free_booth(user, exhibition, booth_code=data.get("booth", ""))
        messages.success(request, _("Booth freed."))
    else:
        raise InvalidInput.field("action", _("Unknown action."))


@require_http_methods(["GET", "POST"])
@domain_errors
def exhibition_detail(request: HttpRequest, exhibition_id: int) -> HttpResponse:
    exhibition = selectors.get_exhibition(exhibition_id)
    cluster = exhibition.cluster
    status, errors = 200, list[dict[str, Any]]()
    if request.method == "POST":
        if not request.user.is_authenticated:
            raise Forbidden(_("Sign in first."))
        try:
            _detail_post(request, exhibition)
        except InvalidInput as exc:
            errors, status = _errors(exc), 422
        else:
            return redirect("exhibitions-detail", exhibition_id=exhibition.pk)
    manage = permissions.can_manage(request.user, cluster)
    booths = selectors.booth_plan(exhibition)
    own = selectors.own_signup(request.user, exhibition)
    today = timezone.localdate()
    own_firm = permissions.firm_of(request.user)
    if own_firm and not Enterprise.objects.filter(pk=own_firm, cluster=cluster).exists():
        own_firm = None  # a firm of another cluster is offered no sign-up form here
    context = {
        "cluster": cluster,
        "exhibition": exhibition,
        "booths": booths,
        "zones": sorted({b.zone for b in booths if b.zone}),
        "own": own,
        "own_booths": [a.booth for a in own.assignments.all()] if own else [],
        "own_fee": exhibition.booth_fee * len(own.assignments.all()) if own else None,
        "own_firm": own_firm,
        "open": today <= exhibition.signup_deadline,
        "started": today >= exhibition.starts_on,
        "over": today > exhibition.ends_on,
        "today": today,
        "can_manage": manage,
        "can_report": permissions.can_read_report(request.user, cluster),
        "signups": list(selectors.signups(request.user, exhibition))
        if permissions.can_read_report(request.user, cluster)
        else [],
        "members": Enterprise.objects.filter(cluster=cluster, in_cluster=True).order_by("name_zh")[
            :300
        ]
        if manage
        else [],
        "weights": {
            "zone": allocation.ZONE_COST,
            "size": allocation.SIZE_COST,
            "corner": allocation.CORNER_BONUS,
        },
        "errors": errors,
        "form": request.POST if request.method == "POST" else {},
        "active_nav": "exhibitions",
    }
    return render(request, "exhibitions/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def leads(request: HttpRequest, signup_id: int) -> HttpResponse:
    """The firm's own leads at one exhibition, and its form to record one at the booth."""
    signup = selectors.get_signup(request.user, signup_id)
    rows = selectors.leads(request.user, signup)  # 404 for anyone but the firm
    status, errors = 200, list[dict[str, Any]]()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "follow_up":
                lead = selectors.get_lead(request.user, request.POST.get("lead"))
                services.update_follow_up(
                    request.user, lead, follow_up=request.POST.get("follow_up", "")
                )
            else:
                data = {k: request.POST.get(k, "") for k in services.LEAD_TEXT}
                for k in ("buyer_company", "country", "contact_email", "interest", "products"):
                    data[k] = request.POST.get(k, "")
                services.record_lead(request.user, signup, data)
                messages.success(request, _("Lead recorded."))
        except InvalidInput as exc:
            errors, status = _errors(exc), 422
        else:
            if request.htmx and request.POST.get("action") == "follow_up":  # type: ignore[attr-defined]
                return HttpResponse(status=204)
            return redirect("exhibitions-leads", signup_id=signup.pk)
    context = {
        "cluster": signup.exhibition.cluster,
        "exhibition": signup.exhibition,
        "signup": signup,
        "leads": rows,
        "follow_ups": FollowUp.choices,
        "interests": Interest.choices,
        "started": timezone.localdate() >= signup.exhibition.starts_on,
        "errors": errors,
        "form": request.POST if request.method == "POST" else {},
        "active_nav": "exhibitions",
    }
    return render(request, "exhibitions/leads.html", context, status=status)


@login_required
@require_http_methods(["GET"])
@domain_errors
def report(request: HttpRequest, exhibition_id: int) -> HttpResponse:
    exhibition = selectors.get_exhibition(exhibition_id)
    r = selectors.closing_report(request.user, exhibition)
    context = {
        "cluster": exhibition.cluster,
        "exhibition": exhibition,
        "report": r,
        "active_nav": "exhibitions",
    }
    return render(request, "exhibitions/report.html", context)
