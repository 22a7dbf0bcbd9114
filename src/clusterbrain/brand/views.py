"""The regional brand's pages: public verification of a licence code (form and result), the
public list of licensed members, the cluster's brand page (with the association's register and
grant form), a licence's page (terms, history, QR code, the association's actions) and a firm's
own licences. Reads go through `brand.selectors`, writes through `brand.services`; a refused
form shows each error by its field (422), nothing saved."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clusterbrain.brand import codes, permissions, selectors, services
from clusterbrain.errors import Forbidden, InvalidInput, NotFound
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry.selectors import as_id
from clusterbrain.web.decorators import domain_errors
from clusterbrain.web.qr import QR_FORMATS, qr_response


def _errors(exc: InvalidInput) -> list[dict[str, Any]]:
    return [{"field": ".".join(str(p) for p in e.loc), "msg": e.msg} for e in exc.errors]


def _lines(text: str) -> list[str]:
    return [p.strip() for p in (text or "").replace(",", "\n").replace("，", "\n").splitlines()]


@require_http_methods(["GET"])
def verify_form(request: HttpRequest) -> HttpResponse:
    """Type or paste a code; the answer lives at its own address (the QR code's target)."""
    code = (request.GET.get("code") or "").strip()[:60]
    if code:
        parsed = codes.parse_code(code)
        if parsed.shape_ok:
            return redirect("brand-verify-code", code=parsed.code)
        # Not even the shape of a code (it may hold a slash): answered here, not at an address.
        verification = selectors.verify(code)
        return render(
            request,
            "brand/verify.html",
            {"verification": verification, "code": code},
            status=404,
        )
    return render(request, "brand/verify.html", {"verification": None, "code": ""})


@require_http_methods(["GET"])
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """Anonymous: the outcome and the licence's public face. An unknown or mistyped code is a
    friendly answer on this page (404 status, so no crawler takes it for a licence)."""
    verification = selectors.verify(code)
    status = 200 if verification.licence is not None else 404
    return render(
        request,
        "brand/verify.html",
        {"verification": verification, "code": verification.code},
        status=status,
    )


@require_http_methods(["GET"])
@domain_errors
def licensees(request: HttpRequest, brand_id: int) -> HttpResponse:
    brand = selectors.get_regional_brand(brand_id)
    context = {
        "cluster": brand.cluster,
        "brand": brand,
        "licences": selectors.licensed_members(brand),
        "active_nav": "brand",
    }
    return render(request, "brand/licensees.html", context)


def _day(value: str | None, field: str) -> datetime.date | None:
    """A form's date; a well-formed but impossible one (30 February) is named, not a 500
    (parse_date raises ValueError for those and returns None only for malformed text)."""
    try:
        return parse_date(value or "")
    except ValueError:
        raise InvalidInput.field(field, _("Enter a date as YYYY-MM-DD.")) from None


def _grant_post(request: HttpRequest, cluster: Any) -> list[dict[str, Any]]:
    data = request.POST
    try:
        brand = selectors.get_regional_brand(data.get("brand"))
        if brand.cluster_id != cluster.pk:
            raise NotFound("")
    except NotFound:
        return [{"field": "brand", "msg": _("Choose a regional brand of this cluster.")}]
    licensee = selectors.member_choices(cluster).filter(pk=as_id(data.get("licensee")) or 0).first()
    try:
        licence = services.grant_licence(
            request.user,
            brand,
            licensee=licensee,
            products=_lines(data.get("products", "")),
            countries=data.getlist("countries"),
            valid_from=_day(data.get("valid_from", ""), "valid_from"),
            valid_until=_day(data.get("valid_until", ""), "valid_until"),
            terms=data.get("terms", ""),
        )
    except InvalidInput as exc:
        return _errors(exc)
    messages.success(request, _("Licence %(code)s granted.") % {"code": licence.code})
    return []


@require_http_methods(["GET", "POST"])
@domain_errors
def cluster_brand(request: HttpRequest, slug: str) -> HttpResponse:
    """The cluster's regional brands for everyone; the register and the grant form for the
    association (the office reads the register)."""
    cluster = registry_selectors.get_cluster(slug)
    status, errors = 200, list[dict[str, Any]]()
    if request.method == "POST":
        if not permissions.can_manage(request.user, cluster):
            raise Forbidden(
                _("Only the association of the cluster may license its regional brand.")
            )
        errors = _grant_post(request, cluster)
        if not errors:
            return redirect("brand-cluster", slug=cluster.slug)
        status = 422
    register = (
        list(selectors.register(request.user, cluster))
        if permissions.can_view_register(request.user, cluster)
        else None
    )
    brands = list(selectors.regional_brands(cluster))
    manage = permissions.can_manage(request.user, cluster)
    today = timezone.localdate()
    context = {
        "cluster": cluster,
        "brands": brands,
        "register": register,
        "can_manage": manage,
        "members": selectors.member_choices(cluster) if manage else [],
        "errors": errors,
        "form": request.POST if request.method == "POST" else {},
        "form_countries": request.POST.getlist("countries") if request.method == "POST" else [],
        "today": today,
        "form_from": request.POST.get("valid_from") or today.isoformat(),
        "form_until": request.POST.get("valid_until")
        or (today + datetime.timedelta(days=3 * 365)).isoformat(),
        "own_firm": permissions.firm_of(request.user),
        "active_nav": "brand",
    }
    return render(request, "brand/cluster.html", context, status=status)


ACTIONS = ("suspend", "reinstate", "revoke", "renew")


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def licence(request: HttpRequest, licence_id: int) -> HttpResponse:
    lic = selectors.get_licence(request.user, licence_id)
    status, errors = 200, list[dict[str, Any]]()
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")
        try:
            if action == "suspend":
                services.suspend_licence(request.user, lic, reason=reason)
            elif action == "reinstate":
                services.reinstate_licence(request.user, lic, reason=reason)
            elif action == "revoke":
                services.revoke_licence(request.user, lic, reason=reason)
            elif action == "renew":
                services.renew_licence(
                    request.user,
                    lic,
                    valid_until=_day(request.POST.get("valid_until", ""), "valid_until"),
                    reason=reason,
                )
            else:
                raise InvalidInput.field("action", _("Unknown action."))
        except InvalidInput as exc:
            errors, status = _errors(exc), 422
        else:
            messages.success(request, _("Licence updated."))
            return redirect("brand-licence", licence_id=lic.pk)
        lic = selectors.get_licence(request.user, licence_id)
    verify_url = request.build_absolute_uri(reverse("brand-verify-code", args=[lic.code]))
    context = {
        "cluster": lic.brand.cluster,
        "licence": lic,
        "events": lic.events.select_related("actor"),
        "verify_url": verify_url,
        "can_manage": permissions.can_manage(request.user, lic.brand.cluster),
        "errors": errors,
        "form": request.POST if request.method == "POST" else {},
        "active_nav": "brand",
    }
    return render(request, "brand/licence.html", context, status=status)


@login_required
@require_http_methods(["GET"])
@domain_errors
def licence_qr(request: HttpRequest, licence_id: int, fmt: str) -> HttpResponse:
    """The verification address as a QR code for labels and hang tags: SVG (scales for print)
    or PNG; for the licensee and the association (the address itself is public)."""
    if fmt not in QR_FORMATS:
        raise NotFound(_("The QR code comes as .svg or .png."))
    lic = selectors.get_licence(request.user, licence_id)
    link = request.build_absolute_uri(reverse("brand-verify-code", args=[lic.code]))
    return qr_response(request, link, fmt, f"licence-{lic.code}")


@login_required
@require_http_methods(["GET"])
@domain_errors
def firm_licences(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    firm = registry_selectors.get_enterprise(enterprise_id)
    rows = selectors.firm_licences(request.user, firm)
    context = {
        "cluster": firm.cluster,
        "enterprise": firm,
        "licences": rows,
        "active_nav": "brand",
    }
    return render(request, "brand/firm.html", context)
