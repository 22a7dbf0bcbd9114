"""Every error of the API has one shape, names the field, and none is a 500."""

from __future__ import annotations

import json
import logging

import pytest

import factories
from clusterbrain.registry.models import Certification, Enterprise, EnterpriseRole


@pytest.fixture(autouse=True)
def _no_unhandled_errors(caplog):
    """The catch-all 500 handler logs to `clusterbrain.api`; no test here may reach it."""
    caplog.set_level(logging.ERROR, logger="clusterbrain.api")
    yield
    assert not [r for r in caplog.records if r.name == "clusterbrain.api"]


def send(client, method, url, data=None, **extra):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return getattr(client, method)(url, data=body, content_type="application/json", **extra)


def assert_shape(response, status, *locs):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"} and isinstance(body["detail"], str)
    for error in body["errors"]:
        # `type`: pydantic's error type, on request-validation errors only.
        assert set(error) in ({"loc", "msg"}, {"loc", "msg", "type"}), error
        assert isinstance(error["loc"], list)
    if locs:
        assert sorted(tuple(e["loc"]) for e in body["errors"]) == sorted(locs)
    return body


@pytest.fixture
def steward(world, client_for):
    return client_for(world.users.association)


def test_service_errors_name_every_field(world, steward):
    before = Enterprise.objects.count()
    response = send(
        steward,
        "post",
        "/api/v1/clusters/alpha/enterprises",
        {"name_zh": "坏", "uscc": "911234567890123456", "latitude": 91, "size_class": "huge"},
    )
    assert_shape(response, 422, ("uscc",), ("latitude",), ("size_class",))
    assert Enterprise.objects.count() == before


def test_duplicate_uscc(world, steward):
    response = send(
        steward,
        "post",
        "/api/v1/clusters/alpha/enterprises",
        {"name_zh": "重复", "uscc": world.own.uscc},
    )
    assert_shape(response, 422, ("uscc",))


def test_request_validation_is_422_with_the_field(world, steward):
    url = f"/api/v1/enterprises/{world.own.pk}"
    assert_shape(send(steward, "patch", url, {"latitude": "north"}), 422, ("latitude",))
    assert_shape(send(steward, "patch", url, {"colour": "red"}), 422, ("colour",))
    assert_shape(send(steward, "patch", url, {"is_member": "perhaps"}), 422, ("is_member",))
    # A missing required field of the create schema.
    assert_shape(
        send(steward, "post", "/api/v1/clusters/alpha/enterprises", {"name_en": "x"}),
        422,
        ("name_zh",),
    )


def test_negative_capacity_and_unknown_link(world, steward):
    before = EnterpriseRole.objects.count()
    response = send(
        steward,
        "put",
        f"/api/v1/enterprises/{world.own.pk}/roles",
        {"link_code": "reeling", "capacity_per_month": -1},
    )
    body = assert_shape(response, 422, ("link_code",), ("capacity_per_month",))
    assert body["detail"]
    assert EnterpriseRole.objects.count() == before
    missing = send(steward, "put", f"/api/v1/enterprises/{world.own.pk}/roles", {"link_code": "x"})
    assert_shape(missing, 422, ("capacity_per_month",))


def test_certificate_ending_before_it_starts(world, steward):
    response = steward.post(
        f"/api/v1/enterprises/{world.sharing.pk}/certifications",
        data={"kind": "lwg_gold", "valid_from": "2024-06-01", "valid_until": "2024-01-01"},
    )
    assert_shape(response, 422, ("valid_until",))
    bad_date = steward.post(
        f"/api/v1/enterprises/{world.sharing.pk}/certifications",
        data={"kind": "lwg_gold", "valid_from": "June"},
    )
    assert_shape(bad_date, 422, ("valid_from",))
    assert not Certification.objects.exists()


def test_evidence_file_type(world, steward):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = steward.post(
        f"/api/v1/enterprises/{world.sharing.pk}/certifications",
        data={"kind": "lwg_gold", "evidence": SimpleUploadedFile("cert.gif", b"GIF89a...")},
    )
    assert_shape(response, 422, ("evidence",))
    ok = steward.post(
        f"/api/v1/enterprises/{world.sharing.pk}/certifications",
        data={"kind": "lwg_gold", "evidence": SimpleUploadedFile("cert.pdf", b"%PDF-1.7 ...")},
    )
    assert ok.status_code == 201 and ok.json()["has_evidence"] is True


def test_year_figures(world, client_for):
    owner = client_for(world.users.enterprise)
    url = f"/api/v1/enterprises/{world.own.pk}/years"
    assert_shape(send(owner, "put", url + "/1950", {"revenue": 1}), 422, ("year",))
    assert_shape(send(owner, "put", url + "/2023", {"revenue": -5}), 422, ("revenue",))
    assert_shape(send(owner, "put", url + "/2023", {"revenue": "lots"}), 422, ("revenue",))
    assert_shape(send(owner, "put", url + "/twenty", {}), 422, ("year",))


def test_query_parameters(world, client):
    url = "/api/v1/clusters/alpha/enterprises"
    assert_shape(client.get(url + "?per_page=1000"), 422, ("per_page",))
    assert_shape(client.get(url + "?page=0"), 422, ("page",))
    assert_shape(client.get(url + "?certification=nobel"), 422, ("certification",))
    assert_shape(client.get(url + "?location=moon"), 422, ("location",))
    assert_shape(client.get(url + "?min_capacity=-1"), 422, ("min_capacity",))
    assert_shape(client.get(url + "?leading=maybe"), 422, ("leading",))
    assert_shape(client.get("/api/v1/clusters/alpha/chain/tanning?per_page=0"), 422, ("per_page",))
    assert_shape(client.get("/api/v1/enterprises/abc"), 422, ("enterprise_id",))


def test_not_found(world, client, client_for):
    assert_shape(client.get("/api/v1/enterprises/999999"), 404)
    assert_shape(client.get("/api/v1/clusters/nowhere/summary"), 404)
    assert_shape(client.get("/api/v1/clusters/nowhere/enterprises"), 404)
    admin = client_for(world.users.admin)
    assert_shape(send(admin, "patch", "/api/v1/enterprises/999999", {"name_en": "x"}), 404)
    assert_shape(admin.delete(f"/api/v1/enterprises/{world.own.pk}/roles/999999"), 404)


def test_malformed_bodies(world, steward):
    url = f"/api/v1/enterprises/{world.own.pk}"
    for body in ("{not json", "[1, 2]", "null", ""):
        response = send(steward, "patch", url, body)
        assert response.status_code in (400, 422), (body, response.content)
        assert_shape(response, response.status_code)


def test_anonymous_writes_are_401(world, client):
    for method, url in [
        ("post", "/api/v1/clusters/alpha/enterprises"),
        ("patch", f"/api/v1/enterprises/{world.own.pk}"),
        ("put", f"/api/v1/enterprises/{world.own.pk}/roles"),
        ("delete", f"/api/v1/enterprises/{world.own.pk}/roles/1"),
        ("post", f"/api/v1/enterprises/{world.own.pk}/certifications"),
        ("put", f"/api/v1/enterprises/{world.own.pk}/years/2023"),
    ]:
        response = send(client, method, url, {})
        assert_shape(response, 401)
        assert response["WWW-Authenticate"] == "Bearer"


def test_forbidden_fields_are_named(world, client_for):
    owner = client_for(world.users.enterprise)
    response = send(owner, "patch", f"/api/v1/enterprises/{world.own.pk}", {"is_leading": True})
    assert_shape(response, 403, ("is_leading",))


def test_unexpected_errors_are_json_500(world, client, monkeypatch, caplog):
    """The last resort exists and hides the traceback (the only test allowed to reach it)."""
    from clusterbrain.registry import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "clusters", broken)
    response = client.get("/api/v1/clusters")
    assert_shape(response, 500)
    assert b"secret internals" not in response.content
    assert any(r.name == "clusterbrain.api" for r in caplog.records)
    caplog.clear()


def test_factories_build_valid_codes(db):
    from clusterbrain.engines.resolution.uscc import is_valid_uscc

    assert is_valid_uscc(factories.new_uscc())


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/enterprises/99999999999999999999999999",
        "/api/v1/enterprises/-1",
        "/api/v1/enterprises/0/years",
        "/api/v1/clusters/%00/summary",
        "/api/v1/clusters/alpha/chain/%00",
        "/api/v1/clusters/alpha/enterprises?q=%00%00&link=%00",
        "/api/v1/clusters/alpha/enterprises?page=99999999999999999999",
        "/api/v1/clusters/alpha/enterprises?min_capacity=nan",
        "/api/v1/clusters/alpha/enterprises?min_capacity=inf",
        "/api/v1/clusters/alpha/summary?year=99999999999",
        "/api/v1/clusters/alpha/localisation?year=-5",
    ],
)
def test_hostile_reads_are_4xx_or_200(world, client_for, url):
    response = client_for(world.users.admin).get(url)
    # 400: a NUL anywhere is refused before any view (web.middleware)
    assert response.status_code in (200, 400, 404, 422), (url, response.content)
    if response.status_code != 200:
        assert_shape(response, response.status_code)


def test_hostile_writes_are_4xx(world, client_for):
    admin = client_for(world.users.admin)
    enterprise = f"/api/v1/enterprises/{world.own.pk}"
    cases = [
        ("patch", enterprise, '{"name_en": "nul\\u0000byte"}', ("name_en",)),
        ("patch", enterprise, '{"name_en": "lone \\ud800 surrogate"}', ("name_en",)),
        ("patch", enterprise, '{"latitude": NaN}', ("latitude",)),
        ("patch", enterprise, '{"founded_year": 1e400}', ("founded_year",)),
        (
            "put",
            enterprise + "/roles",
            '{"link_code": "t\\u0000", "capacity_per_month": 1}',
            ("link_code",),
        ),
        (
            "put",
            enterprise + "/roles",
            '{"link_code": "tanning", "capacity_per_month": Infinity}',
            ("capacity_per_month",),
        ),
        ("put", enterprise + "/years/2023", '{"revenue": 1e300}', ("revenue",)),
        ("delete", enterprise + "/roles/99999999999999999999999", None, None),
        ("put", enterprise + "/years/99999999999999999999", "{}", ("year",)),
    ]
    for method, url, body, loc in cases:
        response = send(admin, method, url, body if body is not None else {})
        assert response.status_code in (404, 422), (url, body, response.content)
        if loc:
            assert loc in {tuple(e["loc"]) for e in assert_shape(response, 422)["errors"]}, (
                url,
                body,
                response.content,
            )


# --- review fixes ----------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["summary", "localisation"])
@pytest.mark.parametrize("year", ["1979", "2101", "-5", "99999999999"])
def test_years_outside_1980_to_2100(world, client, endpoint, year):
    response = client.get(f"/api/v1/clusters/alpha/{endpoint}?year={year}")
    body = assert_shape(response, 422, ("year",))
    assert body["errors"][0]["type"] in ("greater_than_equal", "less_than_equal")
    for edge in ("1980", "2100"):
        assert client.get(f"/api/v1/clusters/alpha/{endpoint}?year={edge}").status_code == 200


def test_directory_filters_agree_with_the_page(world, client):
    url = "/api/v1/clusters/alpha/enterprises"
    body = assert_shape(client.get(url + "?link=nonexistent", **EN), 422, ("link",))
    assert "nonexistent" in body["detail"]
    assert_shape(client.get(url + "?link=reeling"), 422, ("link",))  # another chain's link
    assert_shape(client.get(url + "?size_class=huge"), 422, ("size_class",))
    for value in ("nan", "inf", "-inf", "NaN", "-1"):
        body = assert_shape(
            client.get(url + f"?min_capacity={value}", **EN), 422, ("min_capacity",)
        )
        assert body["detail"] in ("Enter a finite number.", "Enter a value of at least 0.")
    assert client.get(url + "?link=tanning&min_capacity=0").status_code == 200


def test_directory_order_is_checked_and_applied(world, client):
    url = "/api/v1/clusters/alpha/enterprises"
    assert_shape(client.get(url + "?order=revenue"), 422, ("order",))
    assert_shape(client.get(url + "?order=capacity"), 422, ("order",))  # needs a link
    by_name = client.get(url + "?order=name&per_page=100").json()["items"]
    assert [i["name_zh"] for i in by_name] == sorted(i["name_zh"] for i in by_name)
    assert client.get(url + "?order=capacity&link=tanning").status_code == 200


def test_pages_past_the_last_are_the_last(world, client):
    directory = client.get("/api/v1/clusters/alpha/enterprises?per_page=3&page=50").json()
    assert (directory["page"], directory["pages"], directory["total"]) == (2, 2, 4)
    assert len(directory["items"]) == 1
    last = client.get("/api/v1/clusters/alpha/enterprises?per_page=3&page=2").json()
    assert directory["items"] == last["items"]
    link = client.get("/api/v1/clusters/alpha/chain/tanning?per_page=3&page=9").json()
    assert (link["page"], link["pages"], len(link["firms"])) == (2, 2, 1)
    nothing = client.get("/api/v1/clusters/alpha/enterprises?q=zzzz&page=3").json()
    assert (nothing["page"], nothing["pages"], nothing["items"]) == (1, 1, [])


def test_output_above_capacity_is_named(world, steward):
    response = send(
        steward,
        "put",
        f"/api/v1/enterprises/{world.own.pk}/roles",
        {"link_code": "cutting", "capacity_per_month": 100, "output_per_month": 150},
    )
    assert_shape(response, 422, ("output_per_month",))


def test_enterprise_user_cannot_clear_the_uscc(world, client_for):
    owner = client_for(world.users.enterprise)
    url = f"/api/v1/enterprises/{world.own.pk}"
    for value in ("", None):
        assert_shape(send(owner, "patch", url, {"uscc": value}), 422, ("uscc",))
    world.own.refresh_from_db()
    assert world.own.uscc
    assert send(client_for(world.users.association), "patch", url, {"uscc": ""}).status_code == 200


def test_certificate_as_json_is_415_with_the_content_type_to_use(world, steward):
    url = f"/api/v1/enterprises/{world.sharing.pk}/certifications"
    response = send(steward, "post", url, {"kind": "lwg_gold"}, **EN)
    body = assert_shape(response, 415)
    assert "multipart/form-data" in body["detail"]
    assert not Certification.objects.exists()
    # Form-encoded (no file) and multipart both work.
    assert steward.post(url, data={"kind": "lwg_gold"}).status_code == 201
    encoded = steward.post(
        url, data="kind=iso9001", content_type="application/x-www-form-urlencoded"
    )
    assert encoded.status_code == 201, encoded.content
    # A form with a field missing is still a 422 naming it.
    assert_shape(steward.post(url, data={"issuer": "x"}), 422, ("kind",))


ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.parametrize(
    ("method", "path", "body", "loc", "kind", "zh"),
    [
        (
            "post",
            "/api/v1/clusters/alpha/enterprises",
            {},
            ("name_zh",),
            "missing",
            "此字段为必填项。",
        ),
        (
            "patch",
            "/enterprises/{own}",
            {"colour": 1},
            ("colour",),
            "extra_forbidden",
            "未知字段。",
        ),
        (
            "patch",
            "/enterprises/{own}",
            {"founded_year": "soon"},
            ("founded_year",),
            "int_parsing",
            "请输入整数。",
        ),
        (
            "patch",
            "/enterprises/{own}",
            {"latitude": "north"},
            ("latitude",),
            "float_parsing",
            "请输入一个数字。",
        ),
        (
            "patch",
            "/enterprises/{own}",
            {"is_member": "perhaps"},
            ("is_member",),
            "bool_parsing",
            "请输入 true 或 false。",
        ),
    ],
)
def test_request_validation_messages_in_chinese(world, steward, method, path, body, loc, kind, zh):
    url = path.replace("/enterprises/{own}", f"/api/v1/enterprises/{world.own.pk}")
    response = send(steward, method, url, body, **ZH)
    data = assert_shape(response, 422, loc)
    assert data["errors"][0]["type"] == kind
    assert data["errors"][0]["msg"] == zh and data["detail"] == zh


def test_query_and_body_messages_in_chinese(world, client, steward):
    low = client.get("/api/v1/clusters/alpha/enterprises?min_capacity=-1", **ZH).json()
    assert low["detail"] == "请输入不小于 0 的值。"
    year = client.get("/api/v1/clusters/alpha/summary?year=1900", **ZH).json()
    assert year["detail"] == "请输入不小于 1980 的值。"
    broken = send(steward, "patch", f"/api/v1/enterprises/{world.own.pk}", "{not json", **ZH)
    assert broken.status_code == 400
    assert "请求正文" in broken.json()["detail"]
    english = send(steward, "patch", f"/api/v1/enterprises/{world.own.pk}", "{not json", **EN)
    assert english.json()["detail"] == "Cannot parse the request body: send valid JSON."
    json_cert = send(
        steward, "post", f"/api/v1/enterprises/{world.own.pk}/certifications", {"kind": "x"}, **ZH
    )
    assert "multipart/form-data" in json_cert.json()["detail"]
    assert "端点" in json_cert.json()["detail"]
