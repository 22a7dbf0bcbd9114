"""Session (with CSRF) and bearer-token authentication of the API."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from clusterbrain.accounts.auth import create_api_token, hash_key
from clusterbrain.accounts.models import ApiToken


def patch(client, url, data, **extra):
    return client.patch(url, data=json.dumps(data), content_type="application/json", **extra)


def test_bearer_token_writes_and_reads_confidential(world):
    token, key = create_api_token(world.users.enterprise, name="ERP sync")
    assert token.key_hash == hash_key(key) and key not in token.key_hash
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = patch(client, f"/api/v1/enterprises/{world.own.pk}", {"name_en": "Own Co"}, **auth)
    assert response.status_code == 200, response.content
    profile = client.get(f"/api/v1/enterprises/{world.own.pk}", **auth).json()
    assert profile["name_en"] == "Own Co" and "confidential" in profile
    token.refresh_from_db()
    assert token.last_used is not None
    # The same token cannot edit another firm.
    other = patch(client, f"/api/v1/enterprises/{world.other.pk}", {"name_en": "x"}, **auth)
    assert other.status_code == 403


@pytest.mark.parametrize("header", ["Bearer cb_wrong", "Bearer nonsense", "Basic dXNlcjpwdw=="])
def test_bad_credentials_are_401_even_for_reads(world, header):
    client = Client()
    read = client.get(f"/api/v1/enterprises/{world.own.pk}", HTTP_AUTHORIZATION=header)
    assert read.status_code == 401
    write = patch(
        client, f"/api/v1/enterprises/{world.own.pk}", {"name_en": "x"}, HTTP_AUTHORIZATION=header
    )
    assert write.status_code == 401


def test_revoked_token_and_inactive_user(world):
    token, key = create_api_token(world.users.admin)
    client = Client()
    url = f"/api/v1/enterprises/{world.own.pk}/years"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    _token, key2 = create_api_token(world.users.admin)
    world.users.admin.is_active = False
    world.users.admin.save()
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {key2}").status_code == 401


def test_session_writes_need_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users.enterprise)
    url = f"/api/v1/enterprises/{world.own.pk}"
    refused = patch(client, url, {"name_en": "No token"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF check failed")
    chinese = patch(client, url, {"name_en": "No token"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.json()["detail"].startswith("CSRF 校验失败")
    client.get("/api/v1/clusters")  # any page; the token comes from the cookie
    client.cookies.load({"csrftoken": "a" * 32})
    accepted = patch(client, url, {"name_en": "With token"}, HTTP_X_CSRFTOKEN="a" * 32)
    assert accepted.status_code == 200, accepted.content
    # Reads need no CSRF token.
    assert client.get(f"/api/v1/enterprises/{world.own.pk}/years").status_code == 200


def test_anonymous_write_is_401_not_a_csrf_403(world):
    client = Client(enforce_csrf_checks=True)
    response = patch(client, f"/api/v1/enterprises/{world.own.pk}", {"name_en": "x"})
    assert response.status_code == 401


def test_bearer_needs_no_csrf(world):
    _token, key = create_api_token(world.users.enterprise)
    client = Client(enforce_csrf_checks=True)
    response = patch(
        client,
        f"/api/v1/enterprises/{world.own.pk}",
        {"name_en": "Token"},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200


def test_create_api_token_command(world):
    out, err = io.StringIO(), io.StringIO()
    call_command("create-api-token", "own-user", "--name", "ci", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("cb_") and "shown only now" in err.getvalue()
    token = ApiToken.objects.get(key_hash=hash_key(key))
    assert token.user == world.users.enterprise and token.name == "ci"
    with pytest.raises(CommandError):
        call_command("create-api-token", "nobody", stdout=out, stderr=err)
