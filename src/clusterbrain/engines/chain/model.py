"""The engine's inputs and outputs: plain, frozen dataclasses (no Django)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Link:
    code: str
    core: bool = True
    unit: str = "pieces"
    name: str = ""


@dataclass(frozen=True)
class Edge:
    """Flow upstream → downstream; `coefficient` = upstream units per downstream unit, if known."""

    upstream: str
    downstream: str
    coefficient: float | None = None


@dataclass(frozen=True)
class Role:
    """One firm active in one link (capacity and output per month, in the link's unit)."""

    enterprise_id: int
    link: str
    capacity: float
    output: float = 0.0
    in_cluster: bool = True


@dataclass(frozen=True)
class LinkSupply:
    """In-cluster supply of one link, aggregated (by SQL or by `aggregate_roles`).

    `capacity_sq` is Σ capacityᵢ² over the link's in-cluster firms (a firm with several roles in
    the link counted once, capacities summed), which gives the HHI without the firm list.
    """

    link: str
    firms: int
    capacity: float
    output: float
    capacity_sq: float
    firms_outside: int = 0


@dataclass(frozen=True)
class Relation:
    """A buyer's purchases from a supplier in one link and year (yuan)."""

    buyer_id: int
    supplier_id: int
    link: str
    value: float
    supplier_in_cluster: bool


@dataclass(frozen=True)
class Explanation:
    """What a figure counted, for a person: the formula in words, the inputs, and the ids of the
    firms or relations it counted (the top ones when there are many; `counted` says how many)."""

    formula: str
    inputs: dict[str, float] = field(default_factory=dict)
    firm_ids: tuple[int, ...] = ()
    counted: int = 0


@dataclass(frozen=True)
class LinkReport:
    link: str
    core: bool
    firms: int
    capacity: float
    output: float
    demand: float | None  # from downstream output × coefficients; None where no coefficient
    coverage: float | None  # capacity / demand; None where demand is unknown or zero
    hhi: float | None  # None where the link has no capacity
    is_gap: bool
    gap_reasons: tuple[str, ...]  # "no_firms", "few_firms", "short_of_demand"
    is_concentrated: bool
    explanation: Explanation
    firms_outside: int = 0  # firms active in the link outside the cluster: candidates to localise


@dataclass(frozen=True)
class ChainReport:
    links: tuple[LinkReport, ...]
    completeness: float  # share of core links that are not gaps
    core_links: int
    gap_links: tuple[str, ...]
    concentrated_links: tuple[str, ...]
    explanation: Explanation

    def link(self, code: str) -> LinkReport:
        for report in self.links:
            if report.link == code:
                return report
        raise KeyError(code)


@dataclass(frozen=True)
class LocalisationReport:
    """In-cluster share of the value that leading firms buy or outsource."""

    rate: float | None  # None where leading firms bought nothing
    local_value: float
    total_value: float
    per_buyer: dict[int, float | None]  # buyer id → its rate
    explanation: Explanation
