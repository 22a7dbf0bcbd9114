"""Recompute on write: a write through the services recomputes the cluster's cached aggregates
once its transaction commits (once per cluster and transaction), so the read after it is a
cached read; a failing recompute is logged and never breaks the write."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

import factories
from clusterbrain.accounts.auth import create_api_token
from clusterbrain.accounts.models import Role
from clusterbrain.registry import selectors, services
from clusterbrain.registry.selectors import _Recompute


def _build() -> SimpleNamespace:
    cluster = factories.cluster()
    firms = factories.populate(cluster, 40)
    factories.target(cluster, "above_size_firms", 2030, 100)
    steward = factories.user(Role.ASSOCIATION, cluster=cluster)
    return SimpleNamespace(cluster=cluster, firms=firms, steward=steward)


@pytest.fixture
def committed(transactional_db):
    """A cluster written for real (no test transaction around it): on_commit runs at commit."""
    cache.clear()
    return _build()


@pytest.fixture
def registry(db):
    cache.clear()
    return _build()


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_read_after_a_write_through_services_is_cached(committed):
    cluster, firm = committed.cluster, committed.firms[1]
    summary = lambda: selectors.cluster_summary(cluster, None)  # noqa: E731
    selectors.cluster_summary(cluster, None)
    warm = queries(summary)
    warm_chain = queries(lambda: selectors.chain_graph(cluster))
    warm_localisation = queries(lambda: selectors.localisation(cluster, None))
    before = selectors.chain_report(cluster).link("hides")

    services.set_role(
        committed.steward, firm, link_code="hides", product_category="x", capacity_per_month=1000
    )  # one transaction, committed on return: its on_commit recompute has run

    with CaptureQueriesContext(connection) as after:
        fresh = selectors.cluster_summary(cluster, None)
    assert len(after) == warm == 1  # the data version only: no aggregate query
    assert fresh.chain_report is not None
    assert fresh.chain_report.link("hides").capacity == before.capacity + 1000
    assert queries(lambda: selectors.chain_graph(cluster)) == warm_chain
    assert queries(lambda: selectors.localisation(cluster, None)) == warm_localisation

    leading = summary().leading
    services.update_enterprise(committed.steward, firm, {"is_leading": not firm.is_leading})
    with CaptureQueriesContext(connection) as after:
        changed = summary()
    assert len(after) == warm and changed.leading != leading


def test_read_after_a_write_through_the_api_is_cached(committed):
    cluster, firm = committed.cluster, committed.firms[2]
    _token, key = create_api_token(committed.steward)
    client = Client()
    url = f"/api/v1/clusters/{cluster.slug}/summary"
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    response = client.put(
        f"/api/v1/enterprises/{firm.pk}/roles",
        data=json.dumps({"link_code": "tanning", "product_category": "y", "capacity_per_month": 7}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200, response.content
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(warm)


def test_one_recompute_per_cluster_and_transaction(registry, django_capture_on_commit_callbacks):
    other = _build()
    steward, firms = registry.steward, registry.firms
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for i, firm in enumerate(firms[:5]):
            services.set_role(
                steward, firm, link_code="cutting", product_category=f"p{i}", capacity_per_month=10
            )
        services.update_enterprise(steward, firms[6], {"is_member": True})
        services.record_year(steward, firms[8], 2023, {"output_value": 5})  # shares
        services.set_role(other.steward, other.firms[0], link_code="hides", capacity_per_month=3)
        # A recompute registered in a savepoint that rolls back is registered again.
        try:
            with transaction.atomic():
                selectors.invalidate_cluster(other.cluster.pk)
                raise RuntimeError
        except RuntimeError:
            pass
        selectors.invalidate_cluster(registry.cluster.pk, recompute=False)
    recomputes = sorted(c.cluster_id for c in callbacks if isinstance(c, _Recompute))
    assert recomputes == sorted([registry.cluster.pk, other.cluster.pk])


def test_recompute_runs_only_after_commit(registry, django_capture_on_commit_callbacks):
    cluster = registry.cluster
    with django_capture_on_commit_callbacks(execute=True):
        services.set_role(
            registry.steward,
            registry.firms[0],
            link_code="hides",
            product_category="z",
            capacity_per_month=5,
        )
        assert queries(lambda: selectors.chain_report(cluster)) > 1  # not yet recomputed
        cache.clear()
    assert queries(lambda: selectors.cluster_summary(cluster, None)) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                selectors.invalidate_cluster(cluster.pk)
                raise RuntimeError
        except RuntimeError:
            pass
    assert not callbacks  # rolled back: nothing to recompute


def test_a_failing_recompute_does_not_break_the_write(committed, monkeypatch, caplog):
    cluster, firm = committed.cluster, committed.firms[3]
    selectors.cluster_summary(cluster, None)
    leading = selectors.cluster_summary(cluster, None).leading
    _token, key = create_api_token(committed.steward)

    def broken(*args, **kwargs):
        raise RuntimeError("the cache server is down")

    monkeypatch.setattr(selectors, "_compute_facts", broken)
    with caplog.at_level(logging.ERROR, logger="clusterbrain.registry.selectors"):
        response = Client().patch(
            f"/api/v1/enterprises/{firm.pk}",
            data=json.dumps({"is_leading": not firm.is_leading}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
    assert response.status_code == 200, response.content
    assert response.json()["is_leading"] is (not firm.is_leading)
    firm.refresh_from_db()
    assert firm.is_leading is response.json()["is_leading"]  # committed
    assert any("Recomputing the cached aggregates" in r.getMessage() for r in caplog.records)
    assert selectors.recompute_cluster(cluster.pk) is False

    monkeypatch.undo()  # the next read computes what the recompute could not
    assert selectors.cluster_summary(cluster, None).leading != leading
    assert queries(lambda: selectors.cluster_summary(cluster, None)) == 1
