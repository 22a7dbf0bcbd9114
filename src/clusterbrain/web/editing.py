"""The pages where a firm keeps its profile: the public profile, chain roles, sites,
certificates and yearly figures, one tab each, and the association's "register a firm" page.

Each page lists what is recorded and offers a form. A form posts to its own page: on success
the page redirects to itself with a message (post/redirect/get), on an InvalidInput it is shown
again with each error on its field and status 422, nothing saved. With HTMX the same requests
swap only the `#editor` part of the page (`hx-select`), so the pages work the same without
JavaScript. The services check every right; `can_edit` here only spares a form that could not
be saved."""

from __future__ import annotations

import os
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clusterbrain.accounts import permissions
from clusterbrain.errors import InvalidInput
from clusterbrain.registry import selectors, services
from clusterbrain.registry.models import Certification
from clusterbrain.registry.selectors import EnterpriseProfile, as_id
from clusterbrain.web.decorators import domain_errors
from clusterbrain.web.forms import (
    CertificationForm,
    EnterpriseForm,
    FacilityForm,
    RoleForm,
    YearForm,
)


def editable_profile(request: HttpRequest, enterprise_id: int) -> EnterpriseProfile:
    profile = selectors.enterprise_profile(enterprise_id, request.user)
    if not profile.can_edit:
        raise PermissionDenied(_("You may not edit this enterprise."))
    return profile


def edit_tabs(profile: EnterpriseProfile, active: str) -> list[dict[str, Any]]:
    """The parts of a profile, each kept on its own page; yearly figures only for those who may
    read them (recording them needs that too)."""
    pk = profile.enterprise.pk
    tabs = [
        ("profile", _("Profile"), "enterprise-edit"),
        ("roles", _("Chain roles"), "enterprise-roles"),
        ("sites", _("Sites"), "enterprise-sites"),
        ("certificates", _("Certificates"), "enterprise-certificates"),
    ]
    if profile.can_view_confidential:
        tabs.append(("years", _("Yearly figures"), "enterprise-years"))
    return [
        {"key": key, "label": label, "url": reverse(name, args=[pk]), "active": key == active}
        for key, label, name in tabs
    ]


def edit_context(profile: EnterpriseProfile, active: str, **extra: Any) -> dict[str, Any]:
    enterprise = profile.enterprise
    return {
        "profile": profile,
        "enterprise": enterprise,
        "cluster": enterprise.cluster,
        "tabs": edit_tabs(profile, active),
        "active_tab": active,
        "active_nav": "firms",
        "today": timezone.localdate(),
        **extra,
    }


def _saved(request: HttpRequest, message: str) -> HttpResponse:
    """Post/redirect/get: back to the page (its list now shows the new entry)."""
    messages.success(request, message)
    return redirect(request.path)


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], form: Any
) -> HttpResponse:
    status = 422 if form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


# --- the public profile ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def enterprise_edit(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    profile = editable_profile(request, enterprise_id)
    enterprise = profile.enterprise
    user = request.user
    own_firm = getattr(user, "enterprise_id", None) == enterprise.pk
    rights = {
        "steward": permissions.is_admin(user) or not own_firm,
        "consent": permissions.is_admin(user) or own_firm,
    }
    initial = EnterpriseForm.initial_from(enterprise)
    if request.method == "POST":
        form = EnterpriseForm(request.POST, initial=initial, **rights)
        if form.is_valid():
            changes = form.changes()
            if not changes:
                messages.info(request, _("Nothing was changed."))
                return redirect("enterprise-profile", enterprise_id=enterprise.pk)
            try:
                services.update_enterprise(user, enterprise, changes)
            except InvalidInput as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(request, _("The profile was saved."))
                return redirect("enterprise-profile", enterprise_id=enterprise.pk)
    else:
        form = EnterpriseForm(initial=initial, **rights)
    return _render(
        request, "web/enterprise_edit.html", edit_context(profile, "profile", form=form), form
    )


# --- chain roles ----------------------------------------------------------------------------


def _role_initial(profile: EnterpriseProfile, role_id: Any) -> dict[str, Any]:
    """The figures of one recorded role, to change them (`?role=<id>`)."""
    pk = as_id(role_id)
    role = next((r for r in profile.roles if r.pk == pk), None) if pk else None
    if role is None:
        return {}
    return {
        "link_code": role.link.code,
        "product_category": role.product_category,
        "capacity_per_month": role.capacity_per_month,
        "output_per_month": role.output_per_month,
    }


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def enterprise_roles(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    profile = editable_profile(request, enterprise_id)
    enterprise = profile.enterprise
    links = selectors.chain_links(enterprise.cluster)
    if request.method == "POST":
        form = RoleForm(request.POST, links=links)
        if form.is_valid():
            try:
                services.set_role(request.user, enterprise, **form.service_arguments())
            except InvalidInput as exc:
                form.add_domain_errors(exc)
            else:
                return _saved(request, _("The chain role was saved."))
    else:
        form = RoleForm(initial=_role_initial(profile, request.GET.get("role")), links=links)
    context = edit_context(profile, "roles", form=form, editing_role=bool(form.initial))
    return _render(request, "web/edit/roles.html", context, form)


@login_required
@require_POST
@domain_errors
def enterprise_role_remove(request: HttpRequest, enterprise_id: int, role_id: int) -> HttpResponse:
    profile = editable_profile(request, enterprise_id)
    services.remove_role(request.user, profile.enterprise, role_id)
    messages.success(request, _("The chain role was removed."))
    return redirect("enterprise-roles", enterprise_id=profile.enterprise.pk)


# --- sites ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def enterprise_sites(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    profile = editable_profile(request, enterprise_id)
    if request.method == "POST":
        form = FacilityForm(request.POST)
        if form.is_valid():
            try:
                services.add_facility(request.user, profile.enterprise, form.service_data())
            except InvalidInput as exc:
                form.add_domain_errors(exc)
            else:
                return _saved(request, _("The site was added."))
    else:
        form = FacilityForm()
    return _render(request, "web/edit/sites.html", edit_context(profile, "sites", form=form), form)


# --- certificates ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def enterprise_certificates(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    profile = editable_profile(request, enterprise_id)
    if request.method == "POST":
        form = CertificationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.add_certification(
                    request.user,
                    profile.enterprise,
                    form.service_data(),
                    evidence=form.cleaned_data.get("evidence") or None,
                )
            except InvalidInput as exc:
                form.add_domain_errors(exc)
            else:
                return _saved(request, _("The certificate was added."))
    else:
        form = CertificationForm()
    context = edit_context(
        profile,
        "certificates",
        form=form,
        can_verify=permissions.can_verify_certification(request.user, profile.enterprise),
        can_remove=True,
        show_evidence=True,
        hx_editor=True,
    )
    return _render(request, "web/edit/certificates.html", context, form)


def _certificate_of(enterprise_id: int, certification_id: int) -> Certification:
    """The certificate, if it is one of this firm's (the URL names both)."""
    certification = selectors.get_certification(certification_id)
    if certification.enterprise_id != as_id(enterprise_id):
        raise Http404(_("This enterprise has no such certification."))
    return certification


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """To the page the form was on (`next`, if it is one of ours), else `default`."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return redirect(target)


@login_required
@require_POST
@domain_errors
def certificate_verify(
    request: HttpRequest, enterprise_id: int, certification_id: int
) -> HttpResponse:
    """Association staff of the firm's cluster (and admins) confirm a self-declared
    certificate; from then on it counts in the cluster's figures."""
    certification = _certificate_of(enterprise_id, certification_id)
    services.verify_certification(request.user, certification)
    messages.success(
        request,
        _("%(kind)s was verified: it now counts in the cluster's figures.")
        % {"kind": certification.get_kind_display()},
    )
    return _back(request, reverse("enterprise-profile", args=[certification.enterprise_id]))


@login_required
@require_POST
@domain_errors
def certificate_remove(
    request: HttpRequest, enterprise_id: int, certification_id: int
) -> HttpResponse:
    profile = editable_profile(request, enterprise_id)
    services.remove_certification(request.user, profile.enterprise, certification_id)
    messages.success(request, _("The certificate was removed."))
    return redirect("enterprise-certificates", enterprise_id=profile.enterprise.pk)


@login_required
@domain_errors
def certificate_evidence(
    request: HttpRequest, enterprise_id: int, certification_id: int
) -> FileResponse:
    """The evidence file, for those who may see it (404 for everyone else: the answer tells an
    outsider nothing)."""
    certification = selectors.certification_evidence(certification_id, request.user)
    if certification.enterprise_id != as_id(enterprise_id):
        raise Http404(_("No such evidence file."))
    evidence = certification.evidence
    name = os.path.basename(evidence.name or "")
    response = FileResponse(evidence.open("rb"), filename=name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- yearly figures -------------------------------------------------------------------------


def _year_initial(profile: EnterpriseProfile, year: Any) -> dict[str, Any]:
    """The figures of one recorded year, to change them (`?year=2024`)."""
    row = next((y for y in profile.years if str(y.year) == str(year)), None) if year else None
    if row is None:
        return {}
    return {
        "year": row.year,
        "revenue": row.revenue,
        "output_value": row.output_value,
        "exports": row.exports,
        "employees": row.employees,
    }


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def enterprise_years(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    profile = editable_profile(request, enterprise_id)
    if not profile.can_view_confidential:
        raise PermissionDenied(_("You may not record this enterprise's figures."))
    if request.method == "POST":
        form = YearForm(request.POST)
        if form.is_valid():
            try:
                services.record_year(
                    request.user,
                    profile.enterprise,
                    form.cleaned_data["year"],
                    form.service_data(),
                )
            except InvalidInput as exc:
                form.add_domain_errors(exc)
            else:
                return _saved(
                    request,
                    _("The figures of %(year)s were saved.") % {"year": form.cleaned_data["year"]},
                )
    else:
        form = YearForm(initial=_year_initial(profile, request.GET.get("year")))
    context = edit_context(profile, "years", form=form, editing_year=bool(form.initial))
    return _render(request, "web/edit/years.html", context, form)


# --- registering a firm ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def enterprise_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Association staff (and admins) register a firm of their cluster."""
    cluster = selectors.get_cluster(slug)
    user = request.user
    if not permissions.can_create_enterprise(user, cluster):
        raise PermissionDenied(_("Only association staff of this cluster may register firms."))
    rights = {"steward": True, "consent": permissions.is_admin(user)}
    if request.method == "POST":
        form = EnterpriseForm(request.POST, initial=EnterpriseForm.initial_for_new(), **rights)
        if form.is_valid():
            try:
                enterprise = services.create_enterprise(user, cluster, form.new_values())
            except InvalidInput as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(
                    request,
                    _("%(name)s was registered. Add its chain roles, sites and certificates.")
                    % {"name": enterprise.name},
                )
                return redirect("enterprise-roles", enterprise_id=enterprise.pk)
    else:
        form = EnterpriseForm(initial=EnterpriseForm.initial_for_new(), **rights)
    context = {"form": form, "cluster": cluster, "active_nav": "firms"}
    return _render(request, "web/edit/new_enterprise.html", context, form)
