"""Who sees and changes what, over HTTP, for every role of DOMAIN.md.

The world (tests/conftest.py): cluster `a` holds `own` (the enterprise user's firm, a member that
does not share figures), `sharing` (a member that shares), `other`, and `leading`; `outsider`
is in cluster `b`.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import factories
from clusterbrain.accounts.models import Role
from clusterbrain.registry.models import Certification

CONFIDENTIAL_KEYS = {"confidential", "years", "revenue", "output_value", "employees", "exports"}
# (user, firm) → may the user see the firm's confidential figures?
VISIBILITY = [
    ("anonymous", "own", False),
    ("enterprise", "own", True),
    ("enterprise", "other", False),
    ("enterprise", "outsider", False),
    ("association", "sharing", True),
    ("association", "own", False),  # member, not sharing
    ("association", "other", False),  # not a member
    ("association", "outsider", False),  # another cluster
    ("office", "own", True),
    ("office", "outsider", False),
    ("office_b", "outsider", True),
    ("office_b", "own", False),
    ("bank", "own", False),
    ("admin", "own", True),
    ("admin", "outsider", True),
]


def keys_of(value) -> set[str]:
    """Every key anywhere in a JSON document."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


@pytest.fixture
def as_user(world, client_for):
    def make(name):
        return client_for(None if name == "anonymous" else getattr(world.users, name))

    return make


@pytest.mark.parametrize(("who", "firm", "allowed"), VISIBILITY)
def test_profile_confidential_block(world, as_user, who, firm, allowed):
    enterprise = getattr(world, firm)
    response = as_user(who).get(f"/api/v1/enterprises/{enterprise.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["can_view_confidential"] is allowed
    if allowed:
        years = data["confidential"]["years"]
        assert years == [
            {
                "year": 2024,
                "revenue": 30_000_000,
                "output_value": 25_000_000,
                "employees": 120,
                "exports": None,
            }
        ]
    else:
        assert not (keys_of(data) & CONFIDENTIAL_KEYS)
        assert b"30000000" not in response.content and b"25000000" not in response.content


@pytest.mark.parametrize(("who", "firm", "allowed"), VISIBILITY)
def test_years_endpoint(world, as_user, who, firm, allowed):
    enterprise = getattr(world, firm)
    response = as_user(who).get(f"/api/v1/enterprises/{enterprise.pk}/years")
    if allowed:
        assert response.status_code == 200
        assert response.json()[0]["revenue"] == 30_000_000
    else:
        assert response.status_code == (401 if who == "anonymous" else 403)
        assert b"30000000" not in response.content
        assert set(response.json()) == {"detail", "errors"}


def test_years_of_a_missing_firm(world, as_user):
    assert as_user("admin").get("/api/v1/enterprises/999999/years").status_code == 404


def test_supplier_lists_only_with_the_figures(world, as_user):
    """The leading firm's suppliers (a customer list of `own`) follow the same rule."""
    url = f"/api/v1/enterprises/{world.leading.pk}"
    office = as_user("office").get(url).json()
    suppliers = {s["enterprise_id"] for s in office["confidential"]["suppliers"]}
    assert suppliers == {world.own.pk, world.sharing.pk, world.outsider.pk}
    own_view = as_user("enterprise").get(f"/api/v1/enterprises/{world.own.pk}").json()
    assert [c["enterprise_id"] for c in own_view["confidential"]["customers"]] == [world.leading.pk]
    for who in ("anonymous", "enterprise", "association", "bank", "office_b"):
        data = as_user(who).get(url).json()
        assert "confidential" not in data and "suppliers" not in keys_of(data)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("anonymous", False),
        ("enterprise", False),
        ("association", False),
        ("bank", False),
        ("office_b", False),
        ("office", True),
        ("admin", True),
    ],
)
def test_per_leading_firm_localisation(world, as_user, who, sees):
    data = as_user(who).get("/api/v1/clusters/alpha/localisation").json()
    if sees:
        assert data["rate"] == pytest.approx(0.8) and not data["suppressed"]
    else:
        # One leading firm: the cluster "rate" would be its own rate, withheld.
        assert data["rate"] is None and data["suppressed"] and data["suppression_note"]
        assert data["local_value"] is None and data["total_value"] is None
        assert data["by_year"] == [[2024, None]] and data["suppressed_years"] == [2024]
        assert b"800000" not in as_user(who).get("/api/v1/clusters/alpha/summary").content
    if sees:
        assert data["per_leading_firm"] == [
            {
                "id": world.leading.pk,
                "name": world.leading.name,
                "name_zh": "龙头品牌",
                "name_en": "Lead Brand",
                "uscc": world.leading.uscc,
                "in_cluster": True,
                "rate": pytest.approx(0.8),
            }
        ]
    else:
        assert "per_leading_firm" not in data


def test_aggregates_are_public_and_the_same_for_all(world, as_user):
    """The same for every user, except that the office and admins also see figures withheld
    from everyone else (small totals)."""
    bodies = {
        who: as_user(who).get("/api/v1/clusters/alpha/summary").content
        for who in ("anonymous", "enterprise", "bank", "association", "office_b")
    }
    assert len(set(bodies.values())) == 1
    public = json.loads(bodies["anonymous"])
    office = as_user("office").get("/api/v1/clusters/alpha/summary").json()
    assert as_user("admin").get("/api/v1/clusters/alpha/summary").json() == office
    assert public["localisation_rate"] is None and public["localisation_suppressed"]
    assert office["localisation_rate"] == pytest.approx(0.8)
    assert not office["localisation_suppressed"]
    different = {k for k in office if office[k] != public[k]}
    assert different == {
        "localisation_rate",
        "localisation_suppressed",
        "suppression_note",
    }


# --- writes ----------------------------------------------------------------------------------


def patch(client, url, data):
    return client.patch(url, data=json.dumps(data), content_type="application/json")


@pytest.mark.parametrize(
    ("who", "firm", "status"),
    [
        ("anonymous", "own", 401),
        ("enterprise", "own", 200),
        ("enterprise", "other", 403),
        ("association", "own", 200),
        ("association", "outsider", 403),
        ("office", "own", 403),
        ("bank", "own", 403),
        ("admin", "outsider", 200),
    ],
)
def test_who_edits_a_profile(world, as_user, who, firm, status):
    enterprise = getattr(world, firm)
    response = patch(
        as_user(who), f"/api/v1/enterprises/{enterprise.pk}", {"main_products_en": "Belts"}
    )
    assert response.status_code == status, response.content
    enterprise.refresh_from_db()
    assert (enterprise.main_products_en == "Belts") is (status == 200)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("enterprise", 403),
        ("association", 201),
        ("office", 403),
        ("office_b", 403),
        ("bank", 403),
        ("admin", 201),
    ],
)
def test_who_registers_a_firm(world, as_user, who, status):
    response = as_user(who).post(
        "/api/v1/clusters/alpha/enterprises",
        data=json.dumps({"name_zh": "新注册", "is_member": True}),
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    if status == 201:
        data = response.json()
        assert data["name_zh"] == "新注册" and data["is_member"] and data["cluster"] == "alpha"


@pytest.mark.parametrize(
    ("who", "firm", "status"),
    [
        ("anonymous", "own", 401),
        ("enterprise", "own", 200),
        ("enterprise", "other", 403),
        ("association", "sharing", 200),
        ("association", "own", 403),
        ("office", "own", 403),
        ("bank", "own", 403),
        ("admin", "own", 200),
    ],
)
def test_who_records_yearly_figures(world, as_user, who, firm, status):
    enterprise = getattr(world, firm)
    response = as_user(who).put(
        f"/api/v1/enterprises/{enterprise.pk}/years/2023",
        data=json.dumps({"revenue": 1_000_000, "employees": 12}),
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    assert enterprise.years.filter(year=2023).exists() is (status == 200)


def test_roles_and_certifications_follow_edit_rights(world, as_user):
    own = as_user("enterprise")
    response = own.put(
        f"/api/v1/enterprises/{world.own.pk}/roles",
        data=json.dumps({"link_code": "cutting", "capacity_per_month": 300}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    role = response.json()
    assert role["link"]["code"] == "cutting" and role["unit"] == "pieces"
    refused = own.put(
        f"/api/v1/enterprises/{world.other.pk}/roles",
        data=json.dumps({"link_code": "cutting", "capacity_per_month": 300}),
        content_type="application/json",
    )
    assert refused.status_code == 403
    other_role = world.other.roles.get()
    assert (
        own.delete(f"/api/v1/enterprises/{world.other.pk}/roles/{other_role.pk}").status_code == 403
    )
    # Another firm's role under my firm's URL: not found, not deleted.
    assert (
        own.delete(f"/api/v1/enterprises/{world.own.pk}/roles/{other_role.pk}").status_code == 404
    )
    assert own.delete(f"/api/v1/enterprises/{world.own.pk}/roles/{role['id']}").status_code == 204
    assert world.other.roles.exists()

    cert = own.post(
        f"/api/v1/enterprises/{world.own.pk}/certifications",
        data={"kind": "iso9001", "valid_until": "2030-01-01"},
    )
    assert cert.status_code == 201, cert.content
    assert cert.json()["valid"] is True
    bank = as_user("bank").post(
        f"/api/v1/enterprises/{world.own.pk}/certifications", data={"kind": "iso9001"}
    )
    assert bank.status_code == 403


# --- small totals ----------------------------------------------------------------------------


def test_one_firm_reporting_reveals_nothing(world, as_user):
    """The reviewer's case: only one firm reported output in a year."""
    world.own.years.create(year=2019, output_value=12_345_678)
    url = "/api/v1/clusters/alpha/summary?year=2019"
    for who in ("anonymous", "enterprise", "bank", "association", "office_b"):
        response = as_user(who).get(url)
        data = response.json()
        assert data["output_value"] is None and data["output_value_suppressed"], who
        assert data["min_firms"] == 3 and data["suppression_note"]
        assert {"year": 2019, "value": None, "suppressed": True} in data["output_value_by_year"]
        assert b"12345678" not in response.content
    for who in ("office", "admin"):
        data = as_user(who).get(url).json()
        assert data["output_value"] == 12_345_678 and not data["output_value_suppressed"]
        assert {"year": 2019, "value": 12_345_678, "suppressed": False} in data[
            "output_value_by_year"
        ]
    latest = as_user("anonymous").get("/api/v1/clusters/alpha/summary").json()
    assert latest["output_value"] == 100_000_000 and not latest["output_value_suppressed"]


# --- certificates: verification, deletion, evidence ------------------------------------------

PDF = b"%PDF-1.4 evidence"


def _lwg_gold(summary_client):
    return summary_client.get("/api/v1/clusters/alpha/summary").json()["certifications"]["lwg_gold"]


def test_self_declared_certificate_counts_only_once_verified(world, as_user):
    public = as_user("anonymous")
    before = _lwg_gold(public)
    posted = as_user("enterprise").post(
        f"/api/v1/enterprises/{world.own.pk}/certifications", data={"kind": "lwg_gold"}
    )
    assert posted.status_code == 201, posted.content
    cert = posted.json()
    assert cert["verified"] is False and cert["verified_at"] is None
    assert _lwg_gold(public) == before
    listed = public.get("/api/v1/clusters/alpha/enterprises?certification=lwg_gold").json()
    assert world.own.pk not in {item["id"] for item in listed["items"]}
    profile = public.get(f"/api/v1/enterprises/{world.own.pk}").json()
    assert [(c["kind"], c["verified"]) for c in profile["certifications"]] == [("lwg_gold", False)]

    url = f"/api/v1/certifications/{cert['id']}/verify"
    for who, status in [
        ("anonymous", 401),
        ("enterprise", 403),
        ("office", 403),
        ("bank", 403),
        ("office_b", 403),
    ]:
        assert as_user(who).post(url).status_code == status, who
    assert _lwg_gold(public) == before
    verified = as_user("association").post(url)
    assert verified.status_code == 200, verified.content
    assert verified.json()["verified"] is True and verified.json()["verified_at"]
    assert _lwg_gold(public) == before + 1
    listed = public.get("/api/v1/clusters/alpha/enterprises?certification=lwg_gold").json()
    assert world.own.pk in {item["id"] for item in listed["items"]}
    assert as_user("admin").post("/api/v1/certifications/999999/verify").status_code == 404


def test_steward_certificate_is_verified_at_once(world, as_user):
    posted = as_user("association").post(
        f"/api/v1/enterprises/{world.other.pk}/certifications", data={"kind": "lwg_gold"}
    )
    assert posted.status_code == 201 and posted.json()["verified"] is True
    assert _lwg_gold(as_user("anonymous")) == 1


@pytest.mark.parametrize(
    ("who", "firm", "status"),
    [
        ("anonymous", "own", 401),
        ("enterprise", "own", 204),
        ("enterprise", "other", 403),
        ("association", "own", 204),
        ("association", "outsider", 403),
        ("office", "own", 403),
        ("bank", "own", 403),
        ("admin", "outsider", 204),
    ],
)
def test_who_deletes_a_certificate(world, as_user, who, firm, status):
    enterprise = getattr(world, firm)
    cert = factories.certification(enterprise, "iso9001")
    response = as_user(who).delete(f"/api/v1/enterprises/{enterprise.pk}/certifications/{cert.pk}")
    assert response.status_code == status, response.content
    assert enterprise.certifications.filter(pk=cert.pk).exists() is (status != 204)


def test_delete_certificate_of_another_firm_is_404(world, as_user):
    cert = factories.certification(world.other, "iso9001")
    own = as_user("enterprise")
    assert own.delete(
        f"/api/v1/enterprises/{world.own.pk}/certifications/{cert.pk}"
    ).status_code == (404)
    assert own.delete(f"/api/v1/enterprises/{world.own.pk}/certifications/abc").status_code == 422
    assert world.other.certifications.filter(pk=cert.pk).exists()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("enterprise", True),  # the owner firm
        ("association", True),
        ("office", True),
        ("office_b", False),
        ("bank", False),
        ("admin", True),
    ],
)
def test_evidence_download_is_permission_checked(world, as_user, client_for, who, allowed):
    posted = as_user("enterprise").post(
        f"/api/v1/enterprises/{world.own.pk}/certifications",
        data={"kind": "iso9001", "evidence": SimpleUploadedFile("scan.pdf", PDF)},
    )
    cert = posted.json()
    assert cert["has_evidence"]
    response = as_user(who).get(f"/api/v1/certifications/{cert['id']}/evidence")
    if allowed:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert "no-store" in response["Cache-Control"]
    else:
        assert response.status_code == 404
        assert set(response.json()) == {"detail", "errors"}
    other_firm_user = factories.user(Role.ENTERPRISE, enterprise=world.other)
    refused = client_for(other_firm_user).get(f"/api/v1/certifications/{cert['id']}/evidence")
    assert refused.status_code == 404


def test_evidence_of_a_certificate_without_file_is_404(world, as_user):
    cert = factories.certification(world.own, "iso9001")
    assert as_user("admin").get(f"/api/v1/certifications/{cert.pk}/evidence").status_code == 404
    assert as_user("admin").get("/api/v1/certifications/999999/evidence").status_code == 404


def test_media_files_are_not_served(world, as_user, client):
    as_user("enterprise").post(
        f"/api/v1/enterprises/{world.own.pk}/certifications",
        data={"kind": "iso9001", "evidence": SimpleUploadedFile("scan.pdf", PDF)},
    )
    name = Certification.objects.get().evidence.name
    assert client.get(f"/media/{name}").status_code == 404
