"""Support programs' pages: the cluster's programs (with a firm's verdict on each), a program
with the eligibility explanation for the signed-in firm and its apply form, the office's edit
form with the rule editor (errors inline, checked as one types through HTMX), a firm's
applications and an application's page (documents, submit, withdraw, history).

Reads go through `programs.selectors`, writes through `programs.services`; a refused form is
shown again with each error by its field (422), nothing saved."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clusterbrain.accounts.permissions import can_view_enterprise_statistics
from clusterbrain.errors import InvalidInput, NotFound
from clusterbrain.programs import permissions, selectors, services
from clusterbrain.programs.eligibility import label
from clusterbrain.programs.models import DOCUMENT_TYPES, Application, SupportProgram
from clusterbrain.programs.profiles import profile_fields
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.web.decorators import domain_errors

CRITERION_ROWS = 6
DOCUMENT_ROWS = 6
CRITERION_FIELDS = ("key", "name_zh", "name_en", "weight", "max_score")
DOCUMENT_FIELDS = ("key", "name_zh", "name_en", "allowed_types", "max_size_mb", "required")


def _form_rows(form: Any, prefix: str, fields: tuple[str, ...], count: int) -> list[dict]:
    """The list rows of the edit form as the template fills them in."""
    return [
        {"n": n, **{f: form.get(f"{prefix}-{n}-{f}", "") for f in fields}} for n in range(count)
    ]


def _errors(exc: InvalidInput) -> list[dict[str, str]]:
    return [{"field": ".".join(str(p) for p in e.loc), "msg": e.msg} for e in exc.errors]


@require_http_methods(["GET"])
@domain_errors
def program_list(request: HttpRequest, slug: str) -> HttpResponse:
    cluster = registry_selectors.get_cluster(slug)
    programs = list(selectors.programs_of(cluster, request.user))
    verdicts: dict[int, selectors.Match] = {}
    enterprise = selectors.enterprise_of(request.user)
    if enterprise is not None and enterprise.cluster_id == cluster.pk:
        verdicts = {m.program.pk: m for m in selectors.matching_for(request.user)}
    rows = [(p, verdicts.get(p.pk)) for p in programs]
    context = {
        "cluster": cluster,
        "rows": rows,
        "can_draft": permissions.can_draft_program(request.user, cluster),
        "keeps_violations": can_view_enterprise_statistics(request.user, cluster),
        "is_firm": enterprise is not None,
        "active_nav": "programs",
    }
    return render(request, "programs/list.html", context)


def _apply_post(request: HttpRequest, program: SupportProgram) -> Any:
    data = {k: request.POST.get(k, "") for k in ("requested_amount", "project")}
    return services.start_application(request.user, program, data)


@require_http_methods(["GET", "POST"])
@domain_errors
def program_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    cluster = registry_selectors.get_cluster(slug)
    program = selectors.get_program(cluster, code, request.user)
    user = request.user
    status, errors = 200, []
    form: Any = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "apply":
                application = _apply_post(request, program)
                messages.success(request, _("Application started: upload the documents."))
                return redirect("programs-application", application.pk)
            if action in ("open", "closed"):
                services.set_program_status(user, program, action)
                messages.success(request, _("The program's status is changed."))
                return redirect("programs-detail", cluster.slug, program.code)
            raise InvalidInput.field("action", _("Unknown action."))
        except InvalidInput as exc:
            status, errors, form = 422, _errors(exc), request.POST
    enterprise = selectors.enterprise_of(user)
    match = None
    own_application = None
    if enterprise is not None and enterprise.cluster_id == cluster.pk:
        match = selectors.match_program(program, enterprise)
        own_application = Application.objects.filter(program=program, enterprise=enterprise).first()
    staff = permissions.is_staff_of(user, cluster)
    today = timezone.localdate()
    context = {
        "cluster": cluster,
        "program": program,
        "criteria": list(program.criteria.all()),
        "documents": list(program.documents.all()),
        "match": match,
        "own_application": own_application,
        "window_open": program.status == SupportProgram.Status.OPEN
        and program.applications_open <= today <= program.applications_close,
        "can_edit": permissions.can_edit_program(user, program),
        "can_publish": permissions.can_publish_program(user, program),
        "applications": list(selectors.applications_of(program, user)) if staff else None,
        "errors": errors,
        "form": form,
        "active_nav": "programs",
    }
    return render(request, "programs/detail.html", context, status=status)


def _rows(data: Any, prefix: str, fields: tuple[str, ...], count: int) -> list[dict[str, Any]]:
    rows = []
    for n in range(count):
        row = {f: (data.get(f"{prefix}-{n}-{f}") or "").strip() for f in fields}
        if any(v for k, v in row.items() if k != "required"):
            rows.append(row)
    return rows


def _program_post(data: Any) -> dict[str, Any]:
    """The form's fields as the service takes them; list rows left blank are dropped."""
    values: dict[str, Any] = {f: data.get(f, "") for f in services.PROGRAM_SCALAR_FIELDS}
    values["criteria"] = _rows(data, "criterion", CRITERION_FIELDS, CRITERION_ROWS)
    documents = _rows(data, "document", DOCUMENT_FIELDS, DOCUMENT_ROWS)
    for row in documents:
        row["required"] = bool(row.get("required"))
    values["documents"] = documents
    return values


def _form_of(program: SupportProgram | None) -> dict[str, Any]:
    if program is None:
        return {}
    form: dict[str, Any] = {f: getattr(program, f) for f in services.PROGRAM_SCALAR_FIELDS}
    for n, c in enumerate(program.criteria.all()):
        for f in CRITERION_FIELDS:
            form[f"criterion-{n}-{f}"] = getattr(c, f)
    for n, d in enumerate(program.documents.all()):
        for f in ("key", "name_zh", "name_en", "max_size_mb", "required"):
            form[f"document-{n}-{f}"] = getattr(d, f)
        form[f"document-{n}-allowed_types"] = ", ".join(d.allowed_types)
    return {
        k: "" if v is None else v.isoformat() if isinstance(v, datetime.date) else v
        for k, v in form.items()
    }


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def program_edit(request: HttpRequest, slug: str, code: str | None = None) -> HttpResponse:
    """New program (no code) or the edit form of one."""
    cluster = registry_selectors.get_cluster(slug)
    program = selectors.get_program(cluster, code, request.user) if code else None
    if program is None:
        if not permissions.can_draft_program(request.user, cluster):
            raise NotFound(_("No such page."))
    elif not permissions.can_edit_program(request.user, program):
        raise NotFound(_("No such page."))
    status, errors = 200, []
    form: Any = _form_of(program)
    if request.method == "POST":
        try:
            saved = services.save_program(
                request.user, cluster, _program_post(request.POST), program
            )
        except InvalidInput as exc:
            status, errors, form = 422, _errors(exc), request.POST
        else:
            messages.success(request, _("Program saved."))
            return redirect("programs-detail", cluster.slug, saved.code)
    field_errors: dict[str, list[str]] = {}
    for e in errors:
        field_errors.setdefault(e["field"], []).append(e["msg"])
    context = {
        "cluster": cluster,
        "program": program,
        "form": form,
        "errors": errors,
        "field_errors": field_errors,
        "criterion_rows": _form_rows(form, "criterion", CRITERION_FIELDS, CRITERION_ROWS),
        "document_rows": _form_rows(form, "document", DOCUMENT_FIELDS, DOCUMENT_ROWS),
        "fields": [(f, label(f)) for f in profile_fields(cluster).values()],
        "document_types": ", ".join(DOCUMENT_TYPES),
        "active_nav": "programs",
    }
    return render(request, "programs/edit.html", context, status=status)


@login_required
@require_POST
@domain_errors
def rule_check(request: HttpRequest, slug: str) -> HttpResponse:
    """The rule editor's live check (HTMX): the error with its line and column, or the rule as
    the platform reads it."""
    from clusterbrain.programs.eligibility import compile_for

    cluster = registry_selectors.get_cluster(slug)
    if not permissions.can_draft_program(request.user, cluster):
        raise NotFound(_("No such page."))
    error, canonical = None, None
    try:
        canonical = compile_for(cluster, request.POST.get("eligibility_rule", "")).canonical
    except InvalidInput as exc:
        error = exc.detail
    return render(
        request, "programs/partials/rule_check.html", {"error": error, "canonical": canonical}
    )


@login_required
@require_http_methods(["GET"])
@domain_errors
def my_applications(request: HttpRequest) -> HttpResponse:
    context = {
        "applications": list(selectors.my_applications(request.user)),
        "cluster": getattr(selectors.enterprise_of(request.user), "cluster", None),
        "active_nav": "programs",
    }
    return render(request, "programs/mine.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def application_page(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.get_application(application_id, request.user)
    status, errors = 200, []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "upload":
                services.upload_document(
                    request.user,
                    application,
                    request.POST.get("document", ""),
                    request.FILES.get("file"),
                )
                messages.success(request, _("Document uploaded."))
            elif action == "remove":
                services.remove_document(
                    request.user, application, request.POST.get("document", "")
                )
                messages.success(request, _("Document removed."))
            elif action == "update":
                services.update_application(
                    request.user,
                    application,
                    {k: request.POST.get(k, "") for k in ("requested_amount", "project")},
                )
                messages.success(request, _("Application saved."))
            elif action == "submit":
                services.submit_application(request.user, application)
                messages.success(request, _("Application submitted."))
            elif action == "withdraw":
                services.withdraw_application(
                    request.user, application, request.POST.get("note", "")
                )
                messages.success(request, _("Application withdrawn."))
            elif action == "reopen":
                services.reopen_application(request.user, application)
                messages.success(request, _("The application is a draft again."))
            else:
                raise InvalidInput.field("action", _("Unknown action."))
        except InvalidInput as exc:
            status, errors = 422, _errors(exc) or [{"field": "", "msg": exc.detail}]
        else:
            return redirect("programs-application", application.pk)
        application = selectors.get_application(application_id, request.user)
    program = application.program
    uploads = {d.document_id: d for d in application.documents.select_related("document")}
    documents = [(d, uploads.get(d.pk)) for d in program.documents.all()]
    own = permissions.can_act_for(request.user, application)
    context = {
        "application": application,
        "program": program,
        "cluster": program.cluster,
        "documents": documents,
        "events": list(application.events.select_related("user")),
        "own": own,
        "is_draft": application.status == Application.Status.DRAFT,
        "can_withdraw": own
        and application.status
        in (
            Application.Status.DRAFT,
            Application.Status.SUBMITTED,
            Application.Status.UNDER_REVIEW,
        ),
        "can_reopen": own
        and application.status == Application.Status.WITHDRAWN
        and not application.events.filter(to_status=Application.Status.UNDER_REVIEW).exists(),
        "errors": errors,
        # The award page (awards app) is the applicant firm's and the office's to read.
        "award_link": application.status == Application.Status.AWARDED
        and (own or permissions.is_office(request.user, program.cluster)),
        "verdict": application.verdict_snapshot,
        "active_nav": "programs",
    }
    return render(request, "programs/application.html", context, status=status)


@login_required
@require_http_methods(["GET"])
@domain_errors
def application_document(request: HttpRequest, application_id: int, key: str) -> FileResponse:
    """A document's file, for those who may see the application."""
    application = selectors.get_application(application_id, request.user)
    stored = application.documents.filter(document__key=key).first()
    if stored is None or not stored.file:
        raise NotFound(_("No such document."))
    response = FileResponse(
        stored.file.open("rb"),
        content_type=stored.content_type,
        as_attachment=True,
        filename=f"{application.pk}-{key}.{stored.file_type}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _violation_firm(cluster: Any, value: str) -> Any:
    """The firm a finding is against, by its unified social credit code (as the authority's
    decision names it) or its platform id; only a firm of this cluster."""
    from clusterbrain.registry.models import Enterprise
    from clusterbrain.registry.selectors import as_id

    text = (value or "").strip().upper()
    firms = Enterprise.objects.filter(cluster=cluster).select_related("cluster")
    firm = firms.filter(uscc=text).first() if text else None
    if firm is None and text.isdigit():
        firm = firms.filter(pk=as_id(text) or 0).first()
    if firm is None:
        raise InvalidInput.field(
            "enterprise",
            _("No firm of this cluster has this unified social credit code or id."),
        )
    return firm


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def violations(request: HttpRequest, slug: str) -> HttpResponse:
    """The cluster office's record of environmental violations: the authorities' findings
    that make `open_environmental_violation` true in program rules, recorded and closed here."""
    from clusterbrain.green.services import close_violation, record_violation

    cluster = registry_selectors.get_cluster(slug)
    shown = request.GET.get("status", "")
    shown = shown if shown in ("open", "closed") else ""
    rows = selectors.violations_of_cluster(cluster, request.user, shown or None)  # 403 others
    status, errors = 200, []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "record":
                firm = _violation_firm(cluster, request.POST.get("enterprise", ""))
                record_violation(
                    request.user,
                    firm,
                    {k: request.POST.get(k, "") for k in ("authority", "found_on", "description")},
                )
                messages.success(
                    request, _("Violation recorded for %(firm)s.") % {"firm": firm.name}
                )
            elif action == "close":
                found = selectors.get_violation(request.POST.get("violation"), request.user)
                if found.enterprise.cluster_id != cluster.pk:
                    raise NotFound(_("No such violation."))
                close_violation(request.user, found, request.POST.get("closed_on", ""))
                messages.success(request, _("Violation closed."))
            else:
                raise InvalidInput.field("action", _("Unknown action."))
        except InvalidInput as exc:
            status, errors = 422, _errors(exc) or [{"field": "", "msg": exc.detail}]
        else:
            return redirect("programs-violations", slug=cluster.slug)
    context = {
        "cluster": cluster,
        "violations": list(rows.order_by("status", "-found_on", "-pk")[:500]),
        "shown": shown,
        "today": timezone.localdate(),
        "errors": errors,
        "form": request.POST if request.method == "POST" else {},
        "active_nav": "programs",
    }
    return render(request, "programs/violations.html", context, status=status)
