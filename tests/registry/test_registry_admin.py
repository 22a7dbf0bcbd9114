"""The stewards' admin: every registry page renders, stewards see their own cluster, and an
admin edit refreshes the cached aggregates."""

from __future__ import annotations

import pytest
from django.urls import reverse

import factories
from clusterbrain.accounts.models import ApiToken, Role
from clusterbrain.registry import selectors

MODELS = [
    ("registry", "cluster"),
    ("registry", "enterprise"),
    ("registry", "enterpriserole"),
    ("registry", "facility"),
    ("registry", "certification"),
    ("registry", "brand"),
    ("registry", "enterpriseyear"),
    ("registry", "supplyrelation"),
    ("registry", "clustertarget"),
    ("registry", "clusterfigure"),
    ("chains", "chaintemplate"),
    ("chains", "chainlink"),
    ("chains", "chainedge"),
    ("accounts", "user"),
    ("accounts", "apitoken"),
]


@pytest.fixture
def superuser_client(world, client_for):
    root = factories.user(Role.ADMIN, is_staff=True, is_superuser=True, username="root")
    return client_for(root)


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_changelist_and_add_pages_render(superuser_client, app, model):
    response = superuser_client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200
    if model != "apitoken":
        assert superuser_client.get(reverse(f"admin:{app}_{model}_add")).status_code == 200


def test_enterprise_change_page_with_inlines(world, superuser_client):
    factories.certification(world.own, "lwg_gold")
    factories.facility(world.own)
    factories.brand(world.a, world.own)
    url = reverse("admin:registry_enterprise_change", args=[world.own.pk])
    response = superuser_client.get(url)
    assert response.status_code == 200
    for prefix in ("roles", "facilities", "certifications", "brands", "years"):
        assert f'name="{prefix}-TOTAL_FORMS"' in response.content.decode()
    search = superuser_client.get(reverse("admin:registry_enterprise_changelist") + "?q=自家")
    assert "自家皮革" in search.content.decode()


def test_steward_sees_own_cluster_only(world, client_for):
    steward = factories.user(Role.ASSOCIATION, cluster=world.a, is_staff=True, username="steward")
    from django.contrib.auth.models import Permission

    steward.user_permissions.add(Permission.objects.get(codename="view_enterprise"))
    response = client_for(steward).get(reverse("admin:registry_enterprise_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "自家皮革" in page and "外地鞣革" not in page


def test_admin_delete_refreshes_aggregates(world, superuser_client):
    before = selectors.chain_report(world.a).link("tanning").firms
    role = world.other.roles.get()
    url = reverse("admin:registry_enterpriserole_delete", args=[role.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 302
    assert selectors.chain_report(world.a).link("tanning").firms == before - 1


def test_revoke_tokens_action(world, superuser_client):
    from clusterbrain.accounts.auth import create_api_token

    token, _key = create_api_token(world.users.bank)
    response = superuser_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked


# --- association staff in the admin: consent, scope, verification ----------------------------


@pytest.fixture
def steward_client(world, client_for):
    """Association staff of cluster `a` with admin access through the stewards' group."""
    from clusterbrain.accounts.permissions import ensure_steward_group

    steward = factories.user(Role.ASSOCIATION, cluster=world.a, is_staff=True, username="stew")
    steward.groups.add(ensure_steward_group())
    return client_for(steward)


def test_steward_group_permissions(db):
    from clusterbrain.accounts.permissions import STEWARD_GROUP, ensure_steward_group

    group = ensure_steward_group()
    codes = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }
    assert {
        "registry.view_enterprise",
        "registry.add_enterprise",
        "registry.change_enterprise",
        "registry.change_certification",
        "registry.view_enterpriseyear",
        "chains.view_chainlink",
    } <= codes
    assert not {c for c in codes if ".delete_" in c}
    assert "registry.add_cluster" not in codes and "chains.change_chaintemplate" not in codes
    assert not {c for c in codes if c.startswith("accounts.")}
    again = ensure_steward_group()
    assert again.pk == group.pk and again.name == STEWARD_GROUP
    assert again.permissions.count() == len(codes)


def test_steward_sees_figures_only_of_firms_that_share(world, steward_client):
    years = steward_client.get(reverse("admin:registry_enterpriseyear_changelist"))
    assert years.status_code == 200
    page = years.content.decode()
    assert "共享皮革" in page  # member sharing figures
    for hidden in ("自家皮革", "他家皮具", "龙头品牌", "外地鞣革"):
        assert hidden not in page
    own_year = world.own.years.get()
    refused = steward_client.get(
        reverse("admin:registry_enterpriseyear_change", args=[own_year.pk])
    )
    assert refused.status_code == 302 and b"30000000" not in refused.content
    relations = steward_client.get(reverse("admin:registry_supplyrelation_changelist"))
    page = relations.content.decode()
    # leading → sharing is the sharing firm's customer list; leading → own and → outsider are
    # the lists of firms that do not share.
    assert "共享皮革" in page and "自家皮革" not in page and "外地鞣革" not in page


def test_steward_adds_figures_only_for_firms_that_share(world, steward_client):
    url = reverse("admin:registry_enterpriseyear_add")
    refused = steward_client.post(url, {"enterprise": world.own.pk, "year": 2023, "revenue": 1})
    assert refused.status_code == 200 and not world.own.years.filter(year=2023).exists()
    accepted = steward_client.post(
        url, {"enterprise": world.sharing.pk, "year": 2023, "revenue": 1}
    )
    assert accepted.status_code == 302
    assert world.sharing.years.filter(year=2023).exists()


def test_yearly_figures_inline_only_where_the_firm_shares(world, steward_client):
    def page(firm):
        url = reverse("admin:registry_enterprise_change", args=[firm.pk])
        response = steward_client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    own = page(world.own)
    assert 'name="years-TOTAL_FORMS"' not in own and "30000000" not in own
    assert 'name="certifications-TOTAL_FORMS"' in own
    assert 'name="years-TOTAL_FORMS"' in page(world.sharing)
    add = steward_client.get(reverse("admin:registry_enterprise_add")).content.decode()
    assert 'name="years-TOTAL_FORMS"' not in add


def test_consent_and_cluster_are_read_only_for_stewards(world, steward_client, rf):
    from django.contrib import admin as django_admin

    from clusterbrain.registry.models import Enterprise

    html = steward_client.get(
        reverse("admin:registry_enterprise_change", args=[world.own.pk])
    ).content.decode()
    assert 'name="shares_with_association"' not in html and 'name="cluster"' not in html
    model_admin = django_admin.site._registry[Enterprise]
    request = rf.get("/")
    request.user = world.users.association
    fields = model_admin.get_form(request, world.own).base_fields
    assert "shares_with_association" not in fields and "cluster" not in fields
    request.user = world.users.admin
    assert "shares_with_association" in model_admin.get_form(request, world.own).base_fields


def test_steward_cannot_reach_or_fill_other_clusters(world, steward_client):
    from clusterbrain.registry.models import Certification, ClusterTarget

    assert (
        steward_client.get(
            reverse("admin:registry_enterprise_change", args=[world.outsider.pk])
        ).status_code
        == 302
    )
    assert (
        steward_client.get(reverse("admin:registry_cluster_change", args=[world.b.pk])).status_code
        == 302
    )
    moved = steward_client.post(
        reverse("admin:registry_clustertarget_add"),
        {"cluster": world.b.pk, "year": 2030, "indicator": "enterprises", "value": 1},
    )
    assert moved.status_code == 200 and not ClusterTarget.objects.filter(cluster=world.b).exists()
    foreign = steward_client.post(
        reverse("admin:registry_certification_add"),
        {"enterprise": world.outsider.pk, "kind": "iso9001"},
    )
    assert foreign.status_code == 200 and not Certification.objects.exists()
    enterprise_add = steward_client.post(
        reverse("admin:registry_enterprise_add"), {"cluster": world.b.pk, "name_zh": "越界"}
    )
    assert enterprise_add.status_code == 200
    assert not world.b.enterprises.filter(name_zh="越界").exists()


def test_certificates_entered_or_ticked_in_the_admin_are_verified(world, steward_client):
    from clusterbrain.registry.models import Certification

    response = steward_client.post(
        reverse("admin:registry_certification_add"),
        {"enterprise": world.own.pk, "kind": "lwg_gold"},
    )
    assert response.status_code == 302, response.content
    cert = Certification.objects.get()
    assert cert.verified and cert.verified_by.username == "stew" and cert.verified_at
    assert selectors.cluster_summary(world.a, None).certifications["lwg_gold"] == 1

    claim = factories.certification(world.other, "lwg_gold", verified=False)
    listed = steward_client.post(
        reverse("admin:registry_certification_changelist"),
        {"action": "verify", "_selected_action": [claim.pk]},
    )
    assert listed.status_code == 302
    claim.refresh_from_db()
    assert claim.verified and claim.verified_by.username == "stew"
    assert selectors.cluster_summary(world.a, None).certifications["lwg_gold"] == 2
