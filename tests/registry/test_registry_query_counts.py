"""Each selector runs the same number of SQL queries with 10 firms as with 200: no N+1, nothing
that grows with the registry. (Timing at 100,000 firms: bench_registry_selectors.py here.)"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

import factories
from clusterbrain.accounts.models import Role
from clusterbrain.registry import selectors
from clusterbrain.registry.selectors import DirectoryFilters


def cluster_of(size: int):
    cluster = factories.cluster()
    firms = factories.populate(cluster, size)
    factories.brand(cluster, None, is_regional=True)
    factories.target(cluster, "above_size_firms", 2030, 100)
    factories.target(cluster, "reeling_firms", 2030, 10)
    factories.figure(cluster, "support_fund", 2023, 5e7)
    office = factories.user(Role.OFFICE, cluster=cluster)
    owner = factories.user(Role.ENTERPRISE, enterprise=firms[0])
    return cluster, firms, office, owner


def count(call, *, cached: bool = False) -> int:
    """Queries of one call; with `cached`, of a second call that finds its aggregates cached."""
    cache.clear()
    if cached:
        call()
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


SELECTORS = {
    "summary": lambda c, firms, office, owner: selectors.cluster_summary(c, None),
    "chain": lambda c, firms, office, owner: selectors.chain_graph(c),
    "link": lambda c, firms, office, owner: selectors.link_detail(c, "tanning", None),
    "directory": lambda c, firms, office, owner: selectors.enterprise_directory(
        c, None, DirectoryFilters(), per_page=100
    ),
    "directory_filtered": lambda c, firms, office, owner: selectors.enterprise_directory(
        c,
        None,
        DirectoryFilters(
            q="企业", link="cutting", certification="iso9001", min_capacity=1, location="in"
        ),
        per_page=100,
    ),
    "profile_public": lambda c, firms, office, owner: selectors.enterprise_profile(
        firms[0].pk, None
    ),
    "profile_confidential": lambda c, firms, office, owner: selectors.enterprise_profile(
        firms[0].pk, owner
    ),
    "localisation_office": lambda c, firms, office, owner: selectors.localisation(c, office),
    "map": lambda c, firms, office, owner: selectors.firm_map(c, None, DirectoryFilters()),
}


@pytest.mark.parametrize("cached", [False, True], ids=["cold", "cached"])
@pytest.mark.parametrize("name", sorted(SELECTORS))
def test_queries_do_not_grow_with_firms(db, name, cached):
    call = SELECTORS[name]
    small = cluster_of(10)
    large = cluster_of(200)
    few = count(lambda: call(*small), cached=cached)
    many = count(lambda: call(*large), cached=cached)
    assert few == many, f"{name}: {few} queries with 10 firms, {many} with 200"
    assert many <= 15, f"{name}: {many} queries"


def test_cached_aggregates_follow_writes(db):
    """A write through a service, or any ORM save, replaces the cluster's data version: the next
    read computes afresh."""
    from clusterbrain.registry import services

    cluster, firms, office, owner = cluster_of(10)
    steward = factories.user(Role.ASSOCIATION, cluster=cluster)
    before = selectors.chain_report(cluster).link("hides")
    services.set_role(
        steward, firms[1], link_code="hides", product_category="extra", capacity_per_month=1000
    )
    after = selectors.chain_report(cluster).link("hides")
    assert after.capacity == before.capacity + 1000
    factories.role(firms[2], "hides", 500, product_category="extra")  # a plain ORM create
    assert selectors.chain_report(cluster).link("hides").capacity == after.capacity + 500
    summary = selectors.cluster_summary(cluster, None)
    services.update_enterprise(steward, firms[3], {"is_leading": not firms[3].is_leading})
    assert selectors.cluster_summary(cluster, None).leading != summary.leading


def test_profile_edits_keep_the_cache(db):
    """A firm's description or a new site changes no cluster figure: the cache stays warm."""
    from clusterbrain.registry import services

    cluster, firms, office, owner = cluster_of(10)
    selectors.cluster_summary(cluster, None)
    services.update_enterprise(owner, firms[0], {"description_en": "Tannery since 1990"})
    services.add_facility(owner, firms[0], {"name_zh": "仓库", "kind": "warehouse"})
    with CaptureQueriesContext(connection) as queries:
        selectors.cluster_summary(cluster, None)
    assert len(queries) == 1
