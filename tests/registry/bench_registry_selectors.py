"""Time the registry selectors at scale on a SQLite file (not collected by pytest).

    .venv/bin/python tests/registry/bench_registry_selectors.py [FIRMS] [RUNS]

Builds FIRMS firms (default 100,000) with roles, certificates, figures and relations in a fresh
database under a temporary directory, then runs each page's selectors RUNS times (default 30)
and prints p50/p95 in milliseconds and the number of SQL queries, with the cluster aggregates
cached (the usual case: they are recomputed only after a write) and with an empty cache.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path


def main() -> None:
    firms = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    data_dir = Path(os.environ.get("BENCH_DATA_DIR") or tempfile.mkdtemp(prefix="cb-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["CLUSTERBRAIN_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterbrain.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import factories
    from clusterbrain.accounts.models import Role
    from clusterbrain.registry import selectors
    from clusterbrain.registry.models import Cluster, Enterprise
    from clusterbrain.registry.selectors import DirectoryFilters

    call_command("migrate", verbosity=0)
    cluster = Cluster.objects.filter(slug="bench").first()
    if cluster is None:
        started = time.perf_counter()
        cluster = factories.cluster(slug="bench")
        factories.populate(cluster, firms)
        factories.target(cluster, "above_size_firms", 2030, 1000)
        factories.target(cluster, "chain_completeness", 2030, 1)
        factories.figure(cluster, "support_fund", 2023, 5e7)
        print(f"built {firms} firms in {time.perf_counter() - started:.1f} s ({data_dir})")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    run = uuid.uuid4().hex[:8]
    office = factories.user(Role.OFFICE, cluster=cluster, username=f"bench-office-{run}")
    some_firm = Enterprise.objects.filter(cluster=cluster).order_by("pk")[firms // 2]
    owner = factories.user(Role.ENTERPRISE, enterprise=some_firm, username=f"bench-owner-{run}")

    pages = {
        "summary": lambda: selectors.cluster_summary(cluster, None),
        "chain": lambda: selectors.chain_graph(cluster),
        "link": lambda: selectors.link_detail(cluster, "tanning", None),
        "directory": lambda: selectors.enterprise_directory(cluster, None, DirectoryFilters()),
        "directory page 200": lambda: selectors.enterprise_directory(
            cluster, None, DirectoryFilters(), page=200
        ),
        "directory q": lambda: selectors.enterprise_directory(
            cluster, None, DirectoryFilters(q="0012345")
        ),
        "directory link+cert": lambda: selectors.enterprise_directory(
            cluster, None, DirectoryFilters(link="cutting", certification="iso9001")
        ),
        "directory above_size": lambda: selectors.enterprise_directory(
            cluster, None, DirectoryFilters(above_size=True, location="in")
        ),
        "directory min_capacity": lambda: selectors.enterprise_directory(
            cluster, None, DirectoryFilters(link="tanning", min_capacity=200)
        ),
        "profile (owner)": lambda: selectors.enterprise_profile(some_firm.pk, owner),
        "localisation (office)": lambda: selectors.localisation(cluster, office),
        "map (5000 points)": lambda: selectors.firm_map(cluster, None, DirectoryFilters()),
    }

    def measure(call, cold: bool) -> tuple[float, float, int]:
        timings = []
        for _ in range(runs):
            if cold:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                call()
                timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
        return statistics.median(timings), p95, len(queries)

    print(f"{'':<24}{'--- cached aggregates ---':>27}{'--- cold cache ---':>27}")
    print(f"{'page':<24}" + f"{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}" * 2)
    for name, call in pages.items():
        call()  # warm SQLite's page cache
        warm, cold = measure(call, cold=False), measure(call, cold=True)
        print(f"{name:<24}" + "".join(f"{a:>9.1f}{b:>9.1f}{n:>9}" for a, b, n in (warm, cold)))


if __name__ == "__main__":
    main()
