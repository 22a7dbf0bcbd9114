"""The demo programs: the reports' amounts, rules that compile, applications only from firms
the rule finds eligible, open violations failing the matching, and a reload that replaces
rather than duplicates (the same seed, the same data)."""

from __future__ import annotations

import pytest
from django.utils import translation

from clusterbrain.demo.loader import load_demo
from clusterbrain.green.models import EnvironmentalViolation
from clusterbrain.programs import selectors
from clusterbrain.programs.demo import demo_user_firm
from clusterbrain.programs.eligibility import compile_for
from clusterbrain.programs.models import Application, ApplicationDocument, SupportProgram
from clusterbrain.registry.models import Cluster

pytestmark = pytest.mark.django_db


def _state():
    return sorted(
        Application.objects.values_list(
            "program__code", "enterprise__uscc", "status", "requested_amount"
        )
    )


def test_xinji_demo_programs_and_reload():
    load_demo(["xinji"])
    xinji = Cluster.objects.get(slug="xinji")
    budgets = dict(SupportProgram.objects.filter(cluster=xinji).values_list("code", "budget"))
    assert budgets["capital-of-leather"] == 10_000_000
    assert budgets["design-center"] == 3_000_000
    assert SupportProgram.objects.get(code="twenty-measures").status == "closed"
    for program in SupportProgram.objects.filter(cluster=xinji):
        compile_for(xinji, program.eligibility_rule)
    submitted = Application.objects.filter(program__cluster=xinji, status="submitted")
    assert submitted.count() >= 4
    for application in submitted:
        assert application.verdict_snapshot["eligible"] is True
        assert application.submitted_at is not None
        required = application.program.documents.filter(required=True).count()
        assert application.documents.count() == required
    assert ApplicationDocument.objects.filter(file_type="pdf").exists()
    # the demo login's small firm has an open violation, and the matching says so
    firm = demo_user_firm(xinji)
    assert EnvironmentalViolation.objects.filter(enterprise=firm, status="open").exists()
    assert EnvironmentalViolation.objects.filter(enterprise__cluster=xinji, status="closed")
    from clusterbrain.accounts.models import Role, User

    user = User.objects.create_user("probe", role=Role.ENTERPRISE, enterprise=firm)
    with translation.override("en"):
        for match in selectors.matching_for(user):
            assert not match.eligible
            assert "not open_environmental_violation" in [r.text for r in match.failing]
    before = _state()
    user.delete()
    load_demo(["xinji"])  # replaces the cluster: same seed, same programs and applications
    assert _state() == before
    assert SupportProgram.objects.filter(cluster__slug="xinji").count() == len(budgets)
