"""Who sees and changes what, over HTTP, for every role of DOMAIN.md.

The world (tests/conftest.py): cluster `a` holds `own` (the enterprise user's firm, a member that
does not share figures), `sharing` (a member that shares), `other`, and `leading`; `outsider`
is in cluster `b`.
"""

from __future__ import annotations

import json

import pytest

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
    assert data["rate"] == pytest.approx(0.8)  # the cluster rate is public
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
    bodies = {
        who: as_user(who).get("/api/v1/clusters/alpha/summary").content
        for who in ("anonymous", "enterprise", "bank", "office", "admin")
    }
    assert len(set(bodies.values())) == 1


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
