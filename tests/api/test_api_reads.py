"""The public reads of /api/v1/: clusters, summary, chain, links, directory, profiles, OpenAPI."""

from __future__ import annotations

import pytest

import factories
from clusterbrain.registry.models import Brand

pytestmark = pytest.mark.django_db


def get(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    return response.json()


def test_openapi_lists_the_paths(client):
    schema = get(client, "/api/openapi.json")
    paths = set(schema["paths"])
    assert {
        "/api/v1/clusters",
        "/api/v1/clusters/{slug}",
        "/api/v1/clusters/{slug}/summary",
        "/api/v1/clusters/{slug}/chain",
        "/api/v1/clusters/{slug}/chain/{link_code}",
        "/api/v1/clusters/{slug}/enterprises",
        "/api/v1/enterprises/{enterprise_id}",
        "/api/v1/enterprises/{enterprise_id}/roles",
        "/api/v1/enterprises/{enterprise_id}/roles/{role_id}",
        "/api/v1/enterprises/{enterprise_id}/certifications",
        "/api/v1/enterprises/{enterprise_id}/years",
        "/api/v1/enterprises/{enterprise_id}/years/{year}",
        "/api/v1/enterprises/{enterprise_id}/certifications/{certification_id}",
        "/api/v1/certifications/{certification_id}/verify",
        "/api/v1/certifications/{certification_id}/evidence",
    } <= paths
    assert set(schema["paths"]["/api/v1/enterprises/{enterprise_id}"]) == {"get", "patch"}
    assert client.get("/api/docs").status_code == 200


def test_clusters_in_both_languages(client, world):
    data = get(client, "/api/v1/clusters", HTTP_ACCEPT_LANGUAGE="en")
    assert [c["slug"] for c in data] == ["alpha", "beta"]
    assert data[0]["name"] == "Alpha cluster"
    assert (data[0]["name_zh"], data[0]["name_en"]) == ("甲集群", "Alpha cluster")
    zh = get(client, "/api/v1/clusters/alpha", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert zh["name"] == "甲集群" and "description" in zh
    missing = client.get("/api/v1/clusters/gamma", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No cluster 'gamma'.", "errors": []}


def test_summary(client, world):
    factories.brand(world.a, None, is_regional=True, status=Brand.Status.WELL_KNOWN_TRADEMARK)
    factories.target(world.a, "above_size_firms", 2099, 10)
    data = get(client, "/api/v1/clusters/alpha/summary")
    assert data["enterprises"] == 4 and data["in_cluster"] == 4
    assert data["output_value"] == 100_000_000  # four firms in the cluster, 25 M each
    assert not data["output_value_suppressed"]
    assert data["output_value_by_year"] == [
        {"year": 2024, "value": 100_000_000, "suppressed": False}
    ]
    # One leading firm bought: its localisation is not a cluster figure to publish.
    assert data["localisation_rate"] is None and data["localisation_suppressed"]
    assert data["regional_brand"]["is_regional"] is True
    kpi = data["kpis"][0]
    assert (kpi["indicator"], kpi["target"], kpi["target_year"]) == ("above_size_firms", 10, 2099)
    assert get(client, "/api/v1/clusters/alpha/summary?year=2020")["output_value"] is None


def test_chain_and_link(client, world):
    data = get(client, "/api/v1/clusters/alpha/chain", HTTP_ACCEPT_LANGUAGE="en")
    links = {link["code"]: link for link in data["links"]}
    assert set(links) == {"hides", "tanning", "cutting", "sewing", "machinery"}
    tanning = links["tanning"]
    assert tanning["name"] == "Tanning" and tanning["name_zh"] == "鞣制"
    assert (tanning["firms"], tanning["capacity"], tanning["hhi"]) == (4, 4000, 0.25)
    assert links["hides"]["gap_reasons"][0] == "no_firms" and links["hides"]["is_gap"]
    assert data["completeness"] == pytest.approx(0.25)
    assert {"upstream": "hides", "downstream": "tanning", "input_coefficient": 0.5} in data["edges"]
    assert "formula" in tanning["explanation"]

    page = get(client, "/api/v1/clusters/alpha/chain/tanning?per_page=3")
    assert page["total"] == 4 and page["pages"] == 2 and len(page["firms"]) == 3
    assert page["firms"][0]["share"] == pytest.approx(0.25)
    assert [link["code"] for link in page["upstream"]] == ["hides"]
    assert client.get("/api/v1/clusters/alpha/chain/reeling").status_code == 404


def test_directory_query_parameters(client, world):
    factories.certification(world.sharing, "lwg_gold")
    url = "/api/v1/clusters/alpha/enterprises"
    everyone = get(client, url)
    assert everyone["total"] == 4 and everyone["page"] == 1 and everyone["per_page"] == 25
    assert [i["name_en"] for i in get(client, url + "?certification=lwg_gold")["items"]] == [
        "Sharing Leather"
    ]
    assert get(client, url + "?leading=true")["items"][0]["id"] == world.leading.pk
    assert get(client, url + "?member=true&per_page=1&page=2")["items"][0]["is_member"]
    assert get(client, url + "?q=Lead")["total"] == 1
    assert get(client, url + "?link=tanning&min_capacity=1000&location=in")["total"] == 4
    assert get(client, url + "?link=tanning&min_capacity=1001")["total"] == 0
    assert get(client, url + "?size_class=small&above_size=false")["total"] == 4
    item = everyone["items"][0]
    assert {"id", "name", "name_zh", "name_en", "links", "capacity", "certifications"} <= set(item)
    assert "revenue" not in item


def test_localisation_endpoint(client, world, settings):
    data = get(client, "/api/v1/clusters/alpha/localisation")
    assert data["rate"] is None and data["suppressed"] and data["year"] == 2024
    assert "per_leading_firm" not in data
    settings.AGGREGATE_MIN_FIRMS = 1
    data = get(client, "/api/v1/clusters/alpha/localisation")
    assert data["rate"] == pytest.approx(0.8) and not data["suppressed"]
    assert (data["local_value"], data["total_value"]) == (800_000, 1_000_000)
    assert "per_leading_firm" not in data
