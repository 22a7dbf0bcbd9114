"""Chain analytics (no Django): link coverage, completeness, gaps, concentration (HHI) and the
localisation rate, each figure able to explain what it counted.

Inputs are plain dataclasses: the template's links and edges, per-link supply (either already
aggregated by the database, or computed here from individual roles), and supply relations.
"""

from clusterbrain.engines.chain.coverage import analyse_chain
from clusterbrain.engines.chain.errors import ChainModelError
from clusterbrain.engines.chain.localisation import localisation_rate
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
from clusterbrain.engines.chain.supply import (
    aggregate_roles,
    aggregate_roles_frame,
    firm_ids_by_capacity,
)

__all__ = [
    "ChainModelError",
    "ChainReport",
    "Edge",
    "Explanation",
    "Link",
    "LinkReport",
    "LinkSupply",
    "LocalisationReport",
    "Relation",
    "Role",
    "aggregate_roles",
    "aggregate_roles_frame",
    "analyse_chain",
    "firm_ids_by_capacity",
    "localisation_rate",
]
