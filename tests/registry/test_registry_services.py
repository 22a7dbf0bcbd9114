"""Registry writes: every bad input named by field, all at once, and nothing saved."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

import factories
from clusterbrain.accounts.models import Role
from clusterbrain.errors import Forbidden, InvalidInput, NotFound
from clusterbrain.registry import services
from clusterbrain.registry.models import (
    Certification,
    Enterprise,
    EnterpriseRole,
    EnterpriseYear,
    Facility,
)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def snapshot():
    """Everything the services write, to show a refused call changed nothing."""
    return {
        "enterprises": list(Enterprise.objects.order_by("pk").values()),
        "roles": list(EnterpriseRole.objects.order_by("pk").values()),
        "facilities": list(Facility.objects.order_by("pk").values()),
        "certifications": list(Certification.objects.order_by("pk").values()),
        "years": list(EnterpriseYear.objects.order_by("pk").values()),
    }


def locs(exc: InvalidInput) -> set[tuple]:
    return {e.loc for e in exc.errors}


@pytest.fixture
def steward(world):
    return world.users.association


# --- create / update -------------------------------------------------------------------------


def test_create_enterprise_with_valid_data(world, steward):
    uscc = factories.new_uscc()
    firm = services.create_enterprise(
        steward,
        world.a,
        {
            "name_zh": "新企业",
            "uscc": " " + uscc.lower() + " ",
            "latitude": 23.4,
            "is_member": True,
        },
    )
    firm.refresh_from_db()
    assert firm.uscc == uscc  # normalised
    assert firm.cluster == world.a and firm.is_member


def test_create_enterprise_reports_every_problem_and_saves_nothing(world, steward):
    before = snapshot()
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        services.create_enterprise(
            steward,
            world.a,
            {
                "name_zh": "坏数据",
                "uscc": "91440114MA59XXXXX1",  # wrong check character
                "latitude": 95,
                "longitude": -200,
                "founded_year": 1700,
                "size_class": "gigantic",
                "legal_form": "guild",
                "admin_division": "44A1",
                "colour": "blue",
            },
        )
    assert locs(caught.value) == {
        ("uscc",),
        ("latitude",),
        ("longitude",),
        ("founded_year",),
        ("size_class",),
        ("legal_form",),
        ("admin_division",),
        ("colour",),
    }
    assert "credit code" in next(e.msg for e in caught.value.errors if e.loc == ("uscc",))
    assert snapshot() == before


def test_duplicate_uscc_is_named(world, steward):
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        services.create_enterprise(
            steward, world.a, {"name_zh": "重复", "uscc": world.outsider.uscc}
        )
    assert locs(caught.value) == {("uscc",)}
    assert snapshot() == before
    # Updating a firm with its own code is not a duplicate.
    services.update_enterprise(steward, world.own, {"uscc": world.own.uscc, "name_en": "Own"})


def test_create_requires_a_name(world, steward):
    with pytest.raises(InvalidInput) as caught:
        services.create_enterprise(steward, world.a, {"uscc": factories.new_uscc()})
    assert locs(caught.value) == {("name_zh",)}


def test_update_is_partial_and_leaves_the_instance_alone_when_refused(world):
    user = world.users.enterprise
    firm = world.own
    updated = services.update_enterprise(user, firm, {"main_products_en": "Bags"})
    assert updated.main_products_en == "Bags" and updated.name_zh == "自家皮革"
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        services.update_enterprise(user, firm, {"name_zh": "  ", "website": "not a url"})
    assert locs(caught.value) == {("name_zh",), ("website",)}
    assert firm.name_zh == "自家皮革"
    assert snapshot() == before


def test_enterprise_user_edits_only_its_own_firm(world):
    user = world.users.enterprise
    with pytest.raises(Forbidden):
        services.update_enterprise(user, world.other, {"name_en": "Mine now"})
    with pytest.raises(Forbidden):
        services.set_role(user, world.other, link_code="tanning", capacity_per_month=1)


def test_classification_and_consent_belong_to_different_people(world):
    with pytest.raises(Forbidden) as caught:
        services.update_enterprise(world.users.enterprise, world.own, {"is_leading": True})
    assert [e.loc for e in caught.value.errors] == [("is_leading",)]
    with pytest.raises(Forbidden) as caught:
        services.update_enterprise(
            world.users.association, world.own, {"shares_with_association": True}
        )
    assert [e.loc for e in caught.value.errors] == [("shares_with_association",)]
    firm = services.update_enterprise(
        world.users.enterprise, world.own, {"shares_with_association": True}
    )
    assert firm.shares_with_association


@pytest.mark.parametrize("role", ["office", "bank", "enterprise", "office_b"])
def test_only_stewards_register_enterprises(world, role):
    with pytest.raises(Forbidden):
        services.create_enterprise(getattr(world.users, role), world.a, {"name_zh": "x"})


def test_association_staff_steward_only_their_cluster(world):
    with pytest.raises(Forbidden):
        services.create_enterprise(world.users.association, world.b, {"name_zh": "x"})
    with pytest.raises(Forbidden):
        services.update_enterprise(world.users.association, world.outsider, {"name_en": "x"})
    services.create_enterprise(world.users.admin, world.b, {"name_zh": "管理员建"})


def test_anonymous_cannot_write(world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Forbidden):
        services.update_enterprise(AnonymousUser(), world.own, {"name_en": "x"})


# --- roles -----------------------------------------------------------------------------------


def test_set_role_creates_then_replaces(world):
    user = world.users.enterprise
    role = services.set_role(
        user, world.own, link_code="cutting", capacity_per_month=500, output_per_month=300
    )
    again = services.set_role(user, world.own, link_code="cutting", capacity_per_month=700)
    assert again.pk == role.pk and again.capacity_per_month == 700 and again.output_per_month == 0


def test_unknown_link_and_negative_capacity_are_both_named(world):
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        services.set_role(
            world.users.enterprise,
            world.own,
            link_code="weaving",
            capacity_per_month=-5,
            output_per_month="lots",
        )
    assert locs(caught.value) == {
        ("link_code",),
        ("capacity_per_month",),
        ("output_per_month",),
    }
    assert snapshot() == before


def test_link_of_another_template_is_unknown(world):
    silk = factories.cluster(template=factories.tiny_silk_template())
    firm = factories.enterprise(silk)
    with pytest.raises(InvalidInput) as caught:
        services.set_role(world.users.admin, firm, link_code="tanning", capacity_per_month=1)
    assert locs(caught.value) == {("link_code",)}


def test_remove_role(world):
    user = world.users.enterprise
    role = world.own.roles.get()
    other_role = world.other.roles.get()
    with pytest.raises(NotFound):
        services.remove_role(user, world.own, other_role.pk)
    services.remove_role(user, world.own, role.pk)
    assert not world.own.roles.exists()
    assert EnterpriseRole.objects.filter(pk=other_role.pk).exists()


# --- facilities and certifications -----------------------------------------------------------


def test_add_facility(world):
    site = services.add_facility(
        world.users.enterprise,
        world.own,
        {"name_zh": "江西生产基地", "kind": "production", "in_cluster": False, "latitude": 28.6},
    )
    assert site.enterprise == world.own and not site.in_cluster
    with pytest.raises(InvalidInput) as caught:
        services.add_facility(
            world.users.enterprise, world.own, {"name_zh": "", "kind": "castle", "longitude": 999}
        )
    assert locs(caught.value) == {("name_zh",), ("kind",), ("longitude",)}


def test_certificate_ending_before_it_starts(world):
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        services.add_certification(
            world.users.enterprise,
            world.own,
            {"kind": "lwg_gold", "valid_from": "2024-05-01", "valid_until": "2023-05-01"},
        )
    assert locs(caught.value) == {("valid_until",)}
    assert snapshot() == before


def test_certificate_problems_together(world):
    big = SimpleUploadedFile("scan.pdf", PDF + b"x" * 100, content_type="application/pdf")
    with pytest.raises(InvalidInput) as caught:
        services.add_certification(
            world.users.enterprise,
            world.own,
            {"kind": "gold medal", "valid_from": "yesterday"},
            evidence=SimpleUploadedFile("scan.exe", b"MZ\x90\x00"),
        )
    assert locs(caught.value) == {("kind",), ("valid_from",), ("evidence",)}
    with pytest.raises(InvalidInput) as caught:
        services.add_certification(
            world.users.enterprise,
            world.own,
            {"kind": "lwg_gold"},
            evidence=SimpleUploadedFile("scan.png", PDF),  # a PDF named .png
        )
    assert locs(caught.value) == {("evidence",)}
    assert Certification.objects.count() == 0
    assert big.size > 0


def test_evidence_size_limit(world, settings):
    settings.EVIDENCE_MAX_BYTES = 64
    with pytest.raises(InvalidInput) as caught:
        services.add_certification(
            world.users.enterprise,
            world.own,
            {"kind": "iso9001"},
            evidence=SimpleUploadedFile("scan.pdf", PDF + b"x" * 100),
        )
    assert locs(caught.value) == {("evidence",)}


def test_certificate_with_evidence(world):
    cert = services.add_certification(
        world.users.enterprise,
        world.own,
        {"kind": "lwg_gold", "valid_from": datetime.date(2024, 1, 1), "valid_until": "2026-12-31"},
        evidence=SimpleUploadedFile("scan.PNG", PNG, content_type="image/png"),
    )
    cert.refresh_from_db()
    assert cert.evidence.name.startswith("evidence/") and cert.valid_until.year == 2026


# --- yearly figures --------------------------------------------------------------------------


def test_record_year_keeps_above_designated_size(world):
    user = world.users.enterprise
    firm = world.own  # 30 M revenue in 2024
    services.record_year(user, firm, 2023, {"revenue": 5_000_000})
    firm.refresh_from_db()
    assert firm.above_designated_size  # the latest year (2024) decides
    services.record_year(user, firm, 2025, {"revenue": 19_999_999.99, "employees": 80})
    firm.refresh_from_db()
    assert not firm.above_designated_size
    services.record_year(user, firm, 2025, {"revenue": 20_000_000})
    firm.refresh_from_db()
    assert firm.above_designated_size
    record = EnterpriseYear.objects.get(enterprise=firm, year=2025)
    assert record.revenue == Decimal("20000000") and record.employees == 80  # partial update


def test_record_year_problems(world):
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        services.record_year(
            world.users.enterprise,
            world.own,
            1900,
            {"revenue": -1, "employees": 3.5, "exports": "many", "profit": 1},
        )
    assert locs(caught.value) == {
        ("year",),
        ("revenue",),
        ("employees",),
        ("exports",),
        ("profit",),
    }
    with pytest.raises(InvalidInput) as caught:
        services.record_year(world.users.enterprise, world.own, 2999, {"revenue": 1})
    assert locs(caught.value) == {("year",)}
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "firm", "allowed"),
    [
        ("enterprise", "own", True),
        ("enterprise", "other", False),
        ("association", "sharing", True),
        ("association", "own", False),  # a member that does not share
        ("office", "own", False),  # the office reads figures; it does not keep them
        ("bank", "own", False),
        ("admin", "outsider", True),
    ],
)
def test_who_records_figures(world, role, firm, allowed):
    user = getattr(world.users, role)
    enterprise = getattr(world, firm)
    if allowed:
        services.record_year(user, enterprise, 2023, {"revenue": 1})
    else:
        with pytest.raises(Forbidden):
            services.record_year(user, enterprise, 2023, {"revenue": 1})


def test_enterprise_user_without_firm_is_refused(db):
    cluster = factories.cluster()
    firm = factories.enterprise(cluster)
    orphan = factories.user(Role.ENTERPRISE)
    with pytest.raises(Forbidden):
        services.update_enterprise(orphan, firm, {"name_en": "x"})


# --- review fixes: roles, USCC, certificate verification, messages ----------------------------


def test_output_cannot_exceed_capacity(world):
    before = snapshot()
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        services.set_role(
            world.users.enterprise,
            world.own,
            link_code="cutting",
            capacity_per_month=300,
            output_per_month=301,
        )
    assert locs(caught.value) == {("output_per_month",)}
    assert caught.value.errors[0].msg == (
        "Output per month cannot exceed capacity per month (300)."
    )
    assert snapshot() == before
    role = services.set_role(
        world.users.enterprise,
        world.own,
        link_code="cutting",
        capacity_per_month=300,
        output_per_month=300,
    )
    assert role.output_per_month == 300


def test_enterprise_user_may_correct_but_not_clear_the_uscc(world):
    own = world.users.enterprise
    for blank in ("", None, "   "):
        with pytest.raises(InvalidInput) as caught:
            services.update_enterprise(own, world.own, {"uscc": blank})
        assert locs(caught.value) == {("uscc",)}
    world.own.refresh_from_db()
    assert world.own.uscc
    corrected = factories.new_uscc()
    assert services.update_enterprise(own, world.own, {"uscc": corrected}).uscc == corrected
    # The association (and admins) may remove a wrong code.
    assert services.update_enterprise(world.users.association, world.own, {"uscc": ""}).uscc is None
    assert services.update_enterprise(world.users.admin, world.sharing, {"uscc": None}).uscc is None
    # A firm without a code may leave it empty.
    services.update_enterprise(own, world.own, {"uscc": "", "name_en": "Own"})


def test_firm_certificate_waits_for_verification(world):
    from clusterbrain.registry import selectors

    claim = services.add_certification(world.users.enterprise, world.own, {"kind": "lwg_gold"})
    assert not claim.verified and claim.verified_by is None
    assert selectors.cluster_summary(world.a, None).certifications["lwg_gold"] == 0
    for user in (world.users.enterprise, world.users.office, world.users.bank):
        with pytest.raises(Forbidden):
            services.verify_certification(user, claim)
    other_steward = factories.user(Role.ASSOCIATION, cluster=world.b)
    with pytest.raises(Forbidden):
        services.verify_certification(other_steward, claim)
    checked = services.verify_certification(world.users.association, claim)
    assert checked.verified and checked.verified_by == world.users.association
    assert checked.verified_at is not None
    assert selectors.cluster_summary(world.a, None).certifications["lwg_gold"] == 1
    again = services.verify_certification(world.users.admin, checked)
    assert again.verified_by == world.users.association  # the first check stands


@pytest.mark.parametrize("who", ["association", "admin"])
def test_certificates_entered_by_stewards_are_verified(world, who):
    cert = services.add_certification(getattr(world.users, who), world.own, {"kind": "iso9001"})
    assert cert.verified and cert.verified_by == getattr(world.users, who)


def test_remove_certification_deletes_the_evidence_file(world, django_capture_on_commit_callbacks):
    cert = services.add_certification(
        world.users.enterprise,
        world.own,
        {"kind": "iso9001"},
        evidence=SimpleUploadedFile("scan.pdf", PDF),
    )
    storage, name = cert.evidence.storage, cert.evidence.name
    assert storage.exists(name)
    other = factories.certification(world.other, "iso9001")
    with pytest.raises(NotFound):  # another firm's certificate under my firm
        services.remove_certification(world.users.enterprise, world.own, other.pk)
    with pytest.raises(Forbidden):
        services.remove_certification(world.users.enterprise, world.other, other.pk)
    with pytest.raises(Forbidden):
        services.remove_certification(world.users.office, world.own, cert.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_certification(world.users.enterprise, world.own, cert.pk)
    assert not Certification.objects.filter(pk=cert.pk).exists()
    assert not storage.exists(name)
    services.remove_certification(world.users.association, world.other, other.pk)
    with pytest.raises(NotFound):
        services.remove_certification(world.users.admin, world.other, other.pk)


def test_uscc_errors_in_chinese(world, steward):
    cases = {
        "91350100M000100Y44": "统一社会信用代码无效：第 18 位校验码为 '4'，但前 17 位计算得出 '3'",
        "91350100I000100Y43": "统一社会信用代码无效：第 9 位的字符 'I' 不允许",
        "9135010": "统一社会信用代码无效：代码应为 18 位，此代码为 7 位",
    }
    for code, expected in cases.items():
        with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
            services.update_enterprise(steward, world.own, {"uscc": code})
        message = caught.value.errors[0].msg
        assert message.startswith(expected), message
        assert not any(word in message for word in ("check character", "position", "allowed"))


def test_messages_name_fields_by_their_verbose_name(world, steward):
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        services.update_enterprise(steward, world.own, {"latitude": 95})
    assert caught.value.errors[0].msg == "纬度必须介于 -90 和 90 之间。"
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        services.set_role(steward, world.own, link_code="cutting", capacity_per_month=-1)
    assert caught.value.errors[0].msg == "月产能不能为负数。"
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        services.record_year(world.users.admin, world.own, 2023, {"revenue": -1})
    assert caught.value.errors[0].msg == "Revenue cannot be negative."
