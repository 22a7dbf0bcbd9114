"""Reads of support programs and applications, with who may see what (programs.permissions).

programs_of(cluster, user) -> QuerySet[SupportProgram]      drafts only for their editors
get_program(cluster, key, user) -> SupportProgram            by code or id; NotFound
match_program(program, enterprise) -> Match                  verdict and reasons for a firm
matching_for(user) -> list[Match]                            a firm's open programs, verdicts
applications_of(program, user) -> QuerySet[Application]      office and association only
my_applications(user) -> QuerySet[Application]               the firm's own
get_application(pk, user) -> Application                     NotFound for everyone else
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from clusterbrain.errors import Forbidden, NotFound
from clusterbrain.green.permissions import firm_of
from clusterbrain.programs import permissions
from clusterbrain.programs.eligibility import Reason, compile_for, explain, link_names
from clusterbrain.programs.models import Application, SupportProgram
from clusterbrain.programs.profiles import profile_of
from clusterbrain.registry.models import Cluster, Enterprise
from clusterbrain.registry.selectors import as_id


def programs_of(cluster: Cluster, user: Any) -> QuerySet[SupportProgram]:
    programs = SupportProgram.objects.filter(cluster=cluster).order_by(
        "status", "-applications_open", "code"
    )
    if not permissions.is_staff_of(user, cluster):
        programs = programs.exclude(status=SupportProgram.Status.DRAFT)
    return programs


def get_program(cluster: Cluster, key: Any, user: Any) -> SupportProgram:
    found = SupportProgram.objects.filter(cluster=cluster)
    pk = as_id(key)
    program = (found.filter(pk=pk) if pk else found.filter(code=str(key)[:64])).first()
    if program is None or not permissions.can_view_program(user, program):
        raise NotFound(_("No such program."))
    return program


@dataclass(frozen=True)
class Match:
    program: SupportProgram
    eligible: bool
    outcome: bool | None
    reasons: list[Reason]

    @property
    def failing(self) -> list[Reason]:
        return [r for r in self.reasons if r.failing]

    @property
    def verdict_label(self) -> str:
        if self.eligible:
            return _("eligible")
        if self.outcome is None:
            return _("not known: the platform lacks some of your firm's data")
        return _("not eligible")


def match_program(
    program: SupportProgram, enterprise: Enterprise, profile: dict[str, Any] | None = None
) -> Match:
    rule = compile_for(program.cluster, program.eligibility_rule)
    verdict = rule.evaluate(profile if profile is not None else profile_of(enterprise))
    reasons = explain(verdict, rule.fields, rule.node, link_names(program.cluster))
    return Match(program, verdict.eligible, verdict.outcome, reasons)


def enterprise_of(user: Any) -> Enterprise | None:
    return user.enterprise if firm_of(user) is not None else None


def matching_for(user: Any) -> list[Match]:
    """The open programs of the user's firm's cluster, each with the firm's verdict and why,
    the ones it qualifies for first."""
    enterprise = enterprise_of(user)
    if enterprise is None:
        raise Forbidden(_("Program matching is for a firm's users."))
    profile = profile_of(enterprise)
    programs = SupportProgram.objects.filter(
        cluster_id=enterprise.cluster_id, status=SupportProgram.Status.OPEN
    ).select_related("cluster")
    matches = [match_program(p, enterprise, profile) for p in programs]
    return sorted(matches, key=lambda m: (not m.eligible, m.program.applications_close))


def _applications() -> QuerySet[Application]:
    return Application.objects.select_related("program", "program__cluster", "enterprise")


def applications_of(program: SupportProgram, user: Any) -> QuerySet[Application]:
    if not permissions.is_staff_of(user, program.cluster):
        raise NotFound(_("No such program."))
    return _applications().filter(program=program).order_by("status", "-submitted_at", "pk")


def my_applications(user: Any) -> QuerySet[Application]:
    firm = firm_of(user)
    if firm is None:
        return Application.objects.none()
    return _applications().filter(enterprise_id=firm).order_by("-created_at", "-pk")


def get_application(pk: Any, user: Any) -> Application:
    application = _applications().filter(pk=as_id(pk) or 0).first()
    if application is None or not permissions.can_view_application(user, application):
        raise NotFound(_("No such application."))
    return application


def violations_of_cluster(cluster: Cluster, user: Any, status: str | None = None) -> QuerySet[Any]:
    """The environmental violations of a cluster's firms: its office and admins (the record
    green.services keeps for the `open_environmental_violation` field)."""
    from clusterbrain.accounts.permissions import can_view_enterprise_statistics
    from clusterbrain.green.models import EnvironmentalViolation

    if not can_view_enterprise_statistics(user, cluster):
        raise Forbidden(_("Only the cluster office sees environmental violations."))
    found = EnvironmentalViolation.objects.filter(enterprise__cluster=cluster).select_related(
        "enterprise"
    )
    return found.filter(status=status) if status else found


def violations_of_firm(enterprise: Enterprise, user: Any) -> QuerySet[Any]:
    """A firm's violations: the firm itself, the office of its cluster, admins; 404 to others."""
    from clusterbrain.accounts.permissions import can_view_enterprise_statistics
    from clusterbrain.green.models import EnvironmentalViolation

    if firm_of(user) != enterprise.pk and not can_view_enterprise_statistics(
        user, enterprise.cluster
    ):
        raise NotFound(_("No such firm."))
    return EnvironmentalViolation.objects.filter(enterprise=enterprise).select_related("enterprise")


def get_violation(pk: Any, user: Any) -> Any:
    from clusterbrain.accounts.permissions import can_view_enterprise_statistics
    from clusterbrain.green.models import EnvironmentalViolation

    found = (
        EnvironmentalViolation.objects.select_related("enterprise__cluster")
        .filter(pk=as_id(pk) or 0)
        .first()
    )
    if found is None or not can_view_enterprise_statistics(user, found.enterprise.cluster):
        raise NotFound(_("No such violation."))
    return found


# Profile fields that are a firm's confidential figures (DOMAIN.md) or derived from them.
CONFIDENTIAL_FIELDS = frozenset(
    {"revenue", "output_value", "employees", "exports", "revenue_growth", "on_time_delivery_rate"}
)


def visible_verdict(application: Application, user: Any) -> dict[str, Any]:
    """The verdict frozen at submission as `user` may read it: association staff see every
    application of their programs (decision 0018) but a firm's figures only if it shares them
    with the association, so its values of confidential fields are withheld from them."""
    from clusterbrain.accounts.permissions import can_view_confidential

    verdict = application.verdict_snapshot or {}
    if can_view_confidential(user, application.enterprise):
        return verdict
    conditions = [
        {**c, "actual": None, "withheld": True} if c.get("field") in CONFIDENTIAL_FIELDS else c
        for c in verdict.get("conditions", [])
    ]
    return {**verdict, "conditions": conditions}
