"""Chain analytics (no Django): link coverage, completeness, gaps, concentration (HHI) and the
localisation rate, each figure able to explain what it counted.

Inputs are plain dataclasses: the template's links and edges, per-link supply (either already
aggregated by the database, or computed here from individual roles), and supply relations.
"""

from clusterbrain.engines.chain.model import (
    ChainReport,
    Edge,
    Explanation,
    Link,
    LinkReport,
    LinkSupply,
    LocalisationReport,
    Relation,
    Role,
)

__all__ = [
    "ChainReport",
    "Edge",
    "Explanation",
    "Link",
    "LinkReport",
    "LinkSupply",
    "LocalisationReport",
    "Relation",
    "Role",
]
