"""Programs and applications through the services, with a real database: who may do what,
rules checked when saved, eligibility at application and submission, documents by content."""

from __future__ import annotations

import pytest
from django.utils import translation
from programsdata import PDF, PNG, RULE, program_data, upload, xlsx_bytes

import factories
from clusterbrain.errors import Forbidden, InvalidInput, NotFound
from clusterbrain.programs import selectors, services
from clusterbrain.programs.models import (
    Application,
    ApplicationEvent,
    ProgramCriterion,
    ProgramDocument,
    SupportProgram,
)


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the zh catalogue has them too)."""
    with translation.override("en"):
        yield


def test_office_defines_a_program_with_criteria_documents_and_canonical_rule(prog):
    program = prog.program
    assert program.status == "open"
    assert program.budget == 50_000_000
    assert [c.key for c in program.criteria.all()] == ["technology", "green"]
    assert [d.key for d in program.documents.all()] == ["plan", "budget_sheet"]
    assert program.eligibility_rule == RULE
    assert "open_environmental_violation" in program.eligibility_canonical
    assert "#" not in program.eligibility_canonical


@pytest.mark.parametrize(
    ("rule", "line", "column", "field"),
    [
        ('size_class in ["small"]\nand revnue >= 5', 2, 5, "revnue"),
        ('size_class in ["smal"]', 1, 16, "size_class"),
        ('"tanning" in chain_links and (revenue >= ', 1, None, None),
        ('"dyeing-xyz" in chain_links', 1, 1, "chain_links"),
    ],
)
def test_a_bad_rule_names_line_column_and_field_and_saves_nothing(world, rule, line, column, field):
    with pytest.raises(InvalidInput) as caught:
        services.save_program(world.users.office, world.a, program_data(eligibility_rule=rule))
    error = caught.value.errors[0]
    assert error.loc == ("eligibility_rule",)
    assert f"Line {line}, column" in error.msg
    if column is not None:
        assert f"column {column}:" in error.msg
    if field is not None:
        assert field in error.msg
    assert not SupportProgram.objects.exists()
    assert not ProgramCriterion.objects.exists() and not ProgramDocument.objects.exists()


def test_unknown_field_suggests_the_right_one(world):
    with pytest.raises(InvalidInput) as caught:
        services.save_program(
            world.users.office, world.a, program_data(eligibility_rule="revnue >= 1")
        )
    assert "revenue" in caught.value.errors[0].msg


def test_bad_program_fields_are_all_named(world):
    with pytest.raises(InvalidInput) as caught:
        services.save_program(
            world.users.office,
            world.a,
            program_data(
                budget="-1",
                period_end="2000-01-01",
                applications_open="someday",
                documents=[{"key": "x", "name_zh": "x", "allowed_types": ["exe"]}],
                colour="red",
            ),
        )
    locs = {e.loc for e in caught.value.errors}
    assert ("budget",) in locs
    assert ("period_end",) in locs
    assert ("applications_open",) in locs
    assert ("documents", 0, "allowed_types") in locs
    assert ("colour",) in locs
    assert not SupportProgram.objects.exists()


def test_who_defines_opens_and_closes(world, prog):
    u = world.users
    for user in (u.enterprise, u.bank, u.office_b, None):
        with pytest.raises(Forbidden):
            services.save_program(user, world.a, program_data(code="x"))
    draft = services.save_program(u.association, world.a, program_data(code="assoc-draft"))
    assert draft.status == "draft"
    with pytest.raises(Forbidden):
        services.set_program_status(u.association, draft, "open")
    # association staff edit drafts only
    with pytest.raises(Forbidden):
        services.save_program(u.association, world.a, {"name_en": "x"}, prog.program)
    services.set_program_status(u.office, draft, "open")
    services.set_program_status(u.office, draft, "closed")
    assert SupportProgram.objects.get(pk=draft.pk).status == "closed"


def test_drafts_are_hidden_from_firms(world, prog):
    draft = services.save_program(world.users.office, world.a, program_data(code="hidden"))
    assert draft not in selectors.programs_of(world.a, world.users.enterprise)
    assert draft in selectors.programs_of(world.a, world.users.association)
    with pytest.raises(NotFound):
        selectors.get_program(world.a, "hidden", world.users.enterprise)


def test_matching_explains_each_condition(world, prog):
    [own_match] = selectors.matching_for(world.users.enterprise)
    assert own_match.eligible
    assert [r.status for r in own_match.reasons] == ["met"] * 4
    other_user = factories.user("enterprise", enterprise=world.other)
    with translation.override("en"):
        [other_match] = selectors.matching_for(other_user)
    assert not other_match.eligible
    failing = other_match.failing
    assert [r.field for r in failing] == ["open_environmental_violation"]
    assert failing[0].value == "yes"
    links = next(r for r in other_match.reasons if r.field == "chain_links")
    assert links.value == "Tanning"  # the link's name, not its code
    assert failing[0].text == "not open_environmental_violation"
    assert failing[0].status_label == "not met"


def test_unknown_value_is_unknown_not_false(world, prog):
    world.own.years.all().delete()
    [match] = selectors.matching_for(world.users.enterprise)
    assert not match.eligible and match.outcome is None
    assert [(r.field, r.status) for r in match.failing] == [("revenue", "unknown")]


def _apply(world, prog, amount="1000000"):
    return services.start_application(
        world.users.enterprise, prog.program, {"requested_amount": amount, "project": "新产线"}
    )


def test_apply_upload_submit_withdraw(world, prog):
    application = _apply(world, prog)
    assert application.status == "draft"
    with pytest.raises(InvalidInput) as caught:
        services.submit_application(world.users.enterprise, application)
    assert caught.value.errors[0].loc == ("documents", "plan")
    services.upload_document(world.users.enterprise, application, "plan", upload("p.pdf", PDF))
    services.upload_document(
        world.users.enterprise, application, "budget_sheet", upload("b.xlsx", xlsx_bytes())
    )
    # replacing keeps one upload per document
    services.upload_document(world.users.enterprise, application, "plan", upload("p2.pdf", PDF))
    assert application.documents.count() == 2
    services.submit_application(world.users.enterprise, application)
    application.refresh_from_db()
    assert application.status == "submitted" and application.submitted_at
    assert application.verdict_snapshot["eligible"] is True
    assert application.profile_snapshot["revenue"] == 30_000_000
    # a submitted application is frozen
    with pytest.raises(InvalidInput):
        services.update_application(world.users.enterprise, application, {"project": "x"})
    services.withdraw_application(world.users.enterprise, application, "changed plans")
    events = list(ApplicationEvent.objects.filter(application=application))
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "withdrawn"),
    ]
    assert events[-1].note == "changed plans" and events[-1].user == world.users.enterprise


def test_ineligible_firm_cannot_apply_and_is_told_why(world, prog):
    user = factories.user("enterprise", enterprise=world.other)
    with pytest.raises(InvalidInput) as caught:
        services.start_application(user, prog.program, {"requested_amount": "100"})
    assert caught.value.errors[0].loc == ("eligibility", "open_environmental_violation")
    assert "not open_environmental_violation" in caught.value.detail
    assert not Application.objects.exists()


def test_eligibility_is_checked_again_at_submission(world, prog):
    from clusterbrain.green.services import record_violation

    application = _apply(world, prog)
    services.upload_document(world.users.enterprise, application, "plan", upload("p.pdf", PDF))
    record_violation(
        world.users.office, world.own, {"authority": "环保局", "found_on": "2026-01-05"}
    )
    with pytest.raises(InvalidInput) as caught:
        services.submit_application(world.users.enterprise, application)
    assert caught.value.errors[0].loc == ("eligibility", "open_environmental_violation")
    application.refresh_from_db()
    assert application.status == "draft" and application.verdict_snapshot == {}


def test_one_application_per_firm_and_amount_limits(world, prog):
    with pytest.raises(InvalidInput) as caught:
        _apply(world, prog, amount="3000000")
    assert caught.value.errors[0].loc == ("requested_amount",)
    _apply(world, prog)
    with pytest.raises(InvalidInput):
        _apply(world, prog)
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    ("key", "name", "content", "words"),
    [
        ("plan", "plan.pdf", PNG, "PNG"),  # a PNG named .pdf: the content decides
        ("plan", "plan.pdf", b"hello world", "not a recognised"),
        ("plan", "plan.pdf", PDF + b"0" * (1024 * 1024), "MB"),
        ("budget_sheet", "b.xlsx", PDF, "PDF"),
        ("budget_sheet", "b.xlsx", b"PK\x03\x04broken", "not a recognised"),
        ("plan", "plan.pdf", b"", "empty"),
    ],
)
def test_wrong_document_type_or_size_is_refused_naming_the_document(
    world, prog, key, name, content, words
):
    application = _apply(world, prog)
    with pytest.raises(InvalidInput) as caught:
        services.upload_document(world.users.enterprise, application, key, upload(name, content))
    assert caught.value.errors[0].loc == ("file",)
    document = prog.program.documents.get(key=key)
    assert document.name_zh in caught.value.detail or document.name_en in caught.value.detail
    assert words in caught.value.detail
    assert not application.documents.exists()


def test_unknown_document_key(world, prog):
    application = _apply(world, prog)
    with pytest.raises(InvalidInput) as caught:
        services.upload_document(world.users.enterprise, application, "nope", upload("a", PDF))
    assert caught.value.errors[0].loc == ("document",)


def test_others_cannot_see_or_touch_an_application(world, prog):
    application = _apply(world, prog)
    other_firm_user = factories.user("enterprise", enterprise=world.sharing)
    for user in (other_firm_user, world.users.bank, world.users.office_b, None):
        with pytest.raises(NotFound):
            selectors.get_application(application.pk, user)
        with pytest.raises(NotFound):
            services.withdraw_application(user, application)
    for user in (world.users.office, world.users.association, world.users.admin):
        assert selectors.get_application(application.pk, user) == application
        with pytest.raises(Forbidden):
            services.upload_document(user, application, "plan", upload("p.pdf", PDF))
    with pytest.raises(NotFound):
        selectors.applications_of(prog.program, world.users.bank)
    assert list(selectors.applications_of(prog.program, world.users.association)) == [application]


def test_closed_program_takes_no_applications(world, prog):
    services.set_program_status(world.users.office, prog.program, "closed")
    with pytest.raises(InvalidInput) as caught:
        _apply(world, prog)
    assert caught.value.errors[0].loc == ("program",)


def test_record_status_for_review_and_illegal_moves(world, prog):
    application = _apply(world, prog)
    services.upload_document(world.users.enterprise, application, "plan", upload("p.pdf", PDF))
    services.submit_application(world.users.enterprise, application)
    services.record_status(application, world.users.office, "under_review", "panel of three")
    services.record_status(application, world.users.office, "awarded")
    with pytest.raises(InvalidInput):
        services.record_status(application, world.users.office, "draft")
    stale = Application.objects.get(pk=application.pk)
    stale.status = "submitted"  # as read before the award
    with pytest.raises(InvalidInput):
        services.record_status(stale, world.users.office, "rejected")
    assert Application.objects.get(pk=application.pk).status == "awarded"


def test_violations_are_kept_by_the_office(world):
    from clusterbrain.green.models import EnvironmentalViolation
    from clusterbrain.green.services import close_violation, record_violation

    with pytest.raises(Forbidden):
        record_violation(
            world.users.enterprise, world.own, {"authority": "x", "found_on": "2026-01-01"}
        )
    with pytest.raises(Forbidden):
        record_violation(
            world.users.office_b, world.own, {"authority": "x", "found_on": "2026-01-01"}
        )
    with pytest.raises(InvalidInput) as caught:
        record_violation(world.users.office, world.own, {"found_on": "soon"})
    assert {e.loc for e in caught.value.errors} == {("authority",), ("found_on",)}
    v = record_violation(
        world.users.office, world.own, {"authority": "环保局", "found_on": "2026-01-01"}
    )
    with pytest.raises(InvalidInput):
        close_violation(world.users.office, v, "2025-12-31")
    close_violation(world.users.office, v, "2026-02-01")
    assert EnvironmentalViolation.objects.get(pk=v.pk).status == "closed"
