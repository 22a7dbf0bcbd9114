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
