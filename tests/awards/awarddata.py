"""Builders of the awards tests (and of the awards browser journey): a program with two
weighted criteria, applications, and two reviews of an application."""

from __future__ import annotations

import datetime
from decimal import Decimal


def make_program(cluster, *, budget="1000000.00", code="upgrade", max_award=None):
    from clusterbrain.programs.models import ProgramCriterion, SupportProgram

    program = SupportProgram.objects.create(
        cluster=cluster,
        code=code,
        name_zh="技改补贴",
        name_en="Upgrading grant",
        budget=Decimal(budget),
        max_award=None if max_award is None else Decimal(max_award),
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        applications_open=datetime.date(2026, 1, 1),
        applications_close=datetime.date(2026, 6, 30),
        status=SupportProgram.Status.OPEN,
    )
    ProgramCriterion.objects.create(
        program=program, key="impact", name_zh="成效", name_en="Impact", weight=2, max_score=10
    )
    ProgramCriterion.objects.create(
        program=program,
        key="feasibility",
        name_zh="可行性",
        name_en="Feasibility",
        weight=1,
        max_score=5,
        position=1,
    )
    return program


def make_application(program, firm, requested="400000.00", status="submitted"):
    from clusterbrain.programs.models import Application

    return Application.objects.create(
        program=program, enterprise=firm, requested_amount=Decimal(requested), status=status
    )


def reviewed(
    grant, application, scores=({"impact": 8, "feasibility": 4}, {"impact": 6, "feasibility": 5})
):
    """Two reviews (association staff) of `application`, each declared without conflict."""
    from clusterbrain.awards import services

    for reviewer, s in zip((grant.reviewers.assoc, grant.reviewers.assoc2), scores, strict=False):
        a = services.assign_reviewer(grant.office, application, reviewer)
        services.declare_conflict(reviewer, a, conflict=False)
        services.submit_review(reviewer, a, scores=s)
    application.refresh_from_db()
    return application
