"""Demo data of Support awards (issue 7): demo.loader calls `load_awards_demo` in the same
transaction as the registry."""

from __future__ import annotations

from clusterbrain.registry.models import Cluster


def load_awards_demo(cluster: Cluster, *, seed: int) -> None:
    """Nothing yet."""
