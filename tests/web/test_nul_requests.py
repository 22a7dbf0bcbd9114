"""A NUL character anywhere in a request is a 400 naming where it was, on every database,
in pages and APIs alike (PostgreSQL text cannot hold one: it used to be a 500 there)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest


@pytest.mark.parametrize(
    ("url", "params", "loc"),
    [
        ("/api/v1/clusters/", {"q": "a\x00b"}, ["query", "q"]),
        ("/api/v1/clusters/a\x00/", {}, ["path"]),
        ("/epcis/events", {"EQ_bizStep": "\x00"}, ["query", "EQ_bizStep"]),
    ],
)
def test_apis_answer_a_nul_with_a_json_400(world, client_for, url, params, loc):
    r = client_for(world.users.office).get(url, params)
    assert r.status_code == 400
    assert r.json()["errors"][0]["loc"] == loc
    assert r["Content-Type"].startswith(
        "application/problem+json" if url.startswith("/epcis/") else "application/json"
    )


def test_pages_answer_a_nul_with_the_error_page_in_the_readers_language(world, client_for):
    client = client_for(None)
    r = client.get("/", {"q": "x\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    assert b"NUL" in r.content and b"Traceback" not in r.content
    r = client.get("/", {"q": "x\x00"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 400 and "NUL 字符".encode() in r.content


def test_a_form_post_with_a_nul_changes_nothing(world, client_for):
    from clusterbrain.registry.models import Enterprise

    before = list(Enterprise.objects.values_list("pk", "name_zh").order_by("pk"))
    client = client_for(world.users.enterprise)
    url = f"/firms/{world.own.pk}/edit/"
    form = urlencode({"name_zh": "名\x00字"})
    r = client.post(url, form, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400
    # multipart forms reach the form, whose fields refuse NUL themselves
    assert client.post(url, {"name_zh": "名\x00字"}).status_code == 422
    assert list(Enterprise.objects.values_list("pk", "name_zh").order_by("pk")) == before


def test_requests_without_nul_pass_through(world, client_for):
    assert client_for(None).get("/", {"q": "皮革"}).status_code == 200
