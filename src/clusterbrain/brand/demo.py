"""Demo data of Regional brand (issue 7): demo.loader calls `load_brand_demo` in the same
transaction as the registry."""

from __future__ import annotations

from clusterbrain.registry.models import Cluster


def load_brand_demo(cluster: Cluster, *, seed: int) -> None:
    """Nothing yet."""
