"""Link coverage, gaps, concentration and chain completeness over one chain template.

Demand is derived, not entered: a link must supply what its downstream links actually produce,
times the input coefficient of each edge (upstream units per downstream unit). Only in-cluster
output counts downstream, because the question the cluster office asks is whether the cluster
can feed its own production; a brand that makes everything elsewhere creates no local demand.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence

from clusterbrain.engines.chain.errors import ChainModelError
from clusterbrain.engines.chain.explain import TOP_IDS, fmt
from clusterbrain.engines.chain.model import (
    ChainReport,
    Edge,
    Explanation,
    Link,
    LinkReport,
    LinkSupply,
)

NO_FIRMS = "no_firms"
FEW_FIRMS = "few_firms"
SHORT_OF_DEMAND = "short_of_demand"

# capacity_sq ≤ capacity² holds exactly for non-negative firms; allow float noise from SQL sums.
_RELATIVE_SLACK = 1e-9


def analyse_chain(
    links: Sequence[Link],
    edges: Sequence[Edge],
    supply: Mapping[str, LinkSupply],
    *,
    min_firms: int = 3,
    hhi_threshold: float = 0.25,
    coverage_threshold: float = 1.0,
    firm_ids: Mapping[str, Sequence[int]] | None = None,
) -> ChainReport:
    """Report every link's coverage, gap reasons and concentration, and the chain's completeness.

    `supply` may hold links of other templates (a cluster's firms span several industries); those
    are ignored. A template link missing from `supply` has no in-cluster firms. `firm_ids` maps a
    link to its firm ids, most important first; explanations name the first few.
    """
    if min_firms < 1:
        raise ChainModelError(f"min_firms must be at least 1, got {min_firms}")
    if not 0.0 <= hhi_threshold <= 1.0:
        raise ChainModelError(f"hhi_threshold must lie in [0, 1], got {hhi_threshold}")
    if not (math.isfinite(coverage_threshold) and coverage_threshold >= 0):
        raise ChainModelError(f"coverage_threshold must be ≥ 0, got {coverage_threshold}")

    by_code, outgoing = _check_template(links, edges)
    order = _topological_order(links, outgoing)
    empty = LinkSupply(link="", firms=0, capacity=0.0, output=0.0, capacity_sq=0.0)
    supplies = {code: _check_supply(code, supply.get(code, empty)) for code in by_code}

    reports = tuple(
        _link_report(
            by_code[code],
            supplies[code],
            outgoing[code],
            supplies,
            min_firms=min_firms,
            hhi_threshold=hhi_threshold,
            coverage_threshold=coverage_threshold,
            ids=(firm_ids or {}).get(code, ()),
        )
        for code in order
    )

    core = [r for r in reports if r.core]
    core_gaps = [r.link for r in core if r.is_gap]
    if core:
        completeness = (len(core) - len(core_gaps)) / len(core)
        formula = (
            f"completeness = core links without a gap / core links = "
            f"{len(core) - len(core_gaps)} / {len(core)} = {fmt(completeness)}"
        )
        if core_gaps:
            formula += f"; core gaps: {', '.join(core_gaps)}"
    else:
        completeness = 0.0
        formula = (
            "completeness = 0 because the template has no core links: "
            "there is no chain to be complete"
        )
    support = len(reports) - len(core)
    if support:
        formula += f"; {support} support link(s) shown but not counted"

    return ChainReport(
        links=reports,
        completeness=completeness,
        core_links=len(core),
        gap_links=tuple(r.link for r in reports if r.is_gap),
        concentrated_links=tuple(r.link for r in reports if r.is_concentrated),
        explanation=Explanation(
            formula=formula,
            inputs={
                "core_links": float(len(core)),
                "core_gaps": float(len(core_gaps)),
                "support_links": float(support),
                "min_firms": float(min_firms),
                "hhi_threshold": hhi_threshold,
                "coverage_threshold": coverage_threshold,
            },
            counted=len(core),
        ),
    )


def _check_template(
    links: Sequence[Link], edges: Sequence[Edge]
) -> tuple[dict[str, Link], dict[str, list[Edge]]]:
    by_code: dict[str, Link] = {}
    for position, link in enumerate(links, start=1):
        if link.code in by_code:
            first = next(i for i, other in enumerate(links, start=1) if other.code == link.code)
            raise ChainModelError(
                f"link code {link.code!r} appears twice (links {first} and {position})"
            )
        by_code[link.code] = link

    outgoing: dict[str, list[Edge]] = {code: [] for code in by_code}
    seen: set[tuple[str, str]] = set()
    for edge in edges:
        name = f"{edge.upstream} → {edge.downstream}"
        for end in (edge.upstream, edge.downstream):
            if end not in by_code:
                raise ChainModelError(f"edge {name} names unknown link {end!r}")
        if (edge.upstream, edge.downstream) in seen:
            raise ChainModelError(f"edge {name} appears twice")
        seen.add((edge.upstream, edge.downstream))
        if edge.coefficient is not None and not (
            math.isfinite(edge.coefficient) and edge.coefficient >= 0
        ):
            raise ChainModelError(
                f"edge {name} has coefficient {edge.coefficient!r}; it must be a number ≥ 0"
            )
        outgoing[edge.upstream].append(edge)
    return by_code, outgoing


def _topological_order(links: Sequence[Link], outgoing: Mapping[str, list[Edge]]) -> list[str]:
    """Kahn's algorithm with a heap on input position, so ties keep the template's order."""
    position = {link.code: i for i, link in enumerate(links)}
    indegree = dict.fromkeys(position, 0)
    for edges in outgoing.values():
        for edge in edges:
            indegree[edge.downstream] += 1
    ready = [position[code] for code, n in indegree.items() if n == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        code = links[heapq.heappop(ready)].code
        order.append(code)
        for edge in outgoing[code]:
            indegree[edge.downstream] -= 1
            if indegree[edge.downstream] == 0:
                heapq.heappush(ready, position[edge.downstream])
    if len(order) < len(links):
        cycle = _find_cycle({code for code, n in indegree.items() if n > 0}, outgoing, position)
        raise ChainModelError(f"the chain has a cycle: {' → '.join(cycle)}")
    return order


def _find_cycle(
    remaining: set[str], outgoing: Mapping[str, list[Edge]], position: Mapping[str, int]
) -> list[str]:
    """Name one actual cycle, starting from its link earliest in the template so the message is
    stable. Every link Kahn left behind has a predecessor among the left-behind, so walking
    predecessors must revisit a link; the walk from there is the cycle, reversed."""
    predecessor: dict[str, str] = {}
    for code in remaining:
        for edge in outgoing[code]:
            if edge.downstream in remaining:
                predecessor.setdefault(edge.downstream, code)
    walk: list[str] = []
    seen: dict[str, int] = {}
    code = min(remaining, key=position.__getitem__)
    while code not in seen:
        seen[code] = len(walk)
        walk.append(code)
        code = predecessor[code]
    cycle = walk[seen[code] :][::-1]
    start = cycle.index(min(cycle, key=position.__getitem__))
    cycle = cycle[start:] + cycle[:start]
    return [*cycle, cycle[0]]


def _check_supply(code: str, supply: LinkSupply) -> LinkSupply:
    if supply.link and supply.link != code:
        raise ChainModelError(f"supply filed under link {code!r} is for link {supply.link!r}")
    for name in ("capacity", "output", "capacity_sq"):
        value = getattr(supply, name)
        if not (math.isfinite(value) and value >= 0):
            raise ChainModelError(f"link {code!r}: {name} is {value!r}; it must be a number ≥ 0")
    if supply.firms < 0 or supply.firms_outside < 0:
        raise ChainModelError(f"link {code!r}: firm counts must be ≥ 0")
    if supply.firms == 0 and (supply.capacity > 0 or supply.output > 0):
        raise ChainModelError(f"link {code!r}: capacity or output without any firm")
    if supply.capacity_sq > supply.capacity**2 * (1 + _RELATIVE_SLACK):
        raise ChainModelError(
            f"link {code!r}: capacity_sq {supply.capacity_sq!r} exceeds capacity² "
            f"{supply.capacity**2!r}; it must be the sum of per-firm capacities squared"
        )
    return supply


def _link_report(
    link: Link,
    supply: LinkSupply,
    outgoing: Sequence[Edge],
    supplies: Mapping[str, LinkSupply],
    *,
    min_firms: int,
    hhi_threshold: float,
    coverage_threshold: float,
    ids: Sequence[int],
) -> LinkReport:
    inputs: dict[str, float] = {
        "firms": float(supply.firms),
        "capacity": supply.capacity,
        "output": supply.output,
        "capacity_sq": supply.capacity_sq,
        "firms_outside": float(supply.firms_outside),
    }
    parts: list[str] = []

    counted = [e for e in outgoing if e.coefficient is not None]
    demand: float | None = None
    if counted:
        demand = 0.0
        terms = []
        for edge in counted:
            assert edge.coefficient is not None
            downstream_output = supplies[edge.downstream].output
            demand += edge.coefficient * downstream_output
            inputs[f"demand_from:{edge.downstream}"] = edge.coefficient * downstream_output
            terms.append(
                f"{fmt(edge.coefficient)} × output of {edge.downstream} {fmt(downstream_output)}"
            )
        inputs["demand"] = demand
        parts.append(f"demand = {' + '.join(terms)} = {fmt(demand)}")
    elif outgoing:
        parts.append("demand unknown: no downstream edge has a coefficient")
    else:
        parts.append("demand unknown: nothing downstream")
    uncounted = [e.downstream for e in outgoing if e.coefficient is None]
    if counted and uncounted:
        parts.append(f"edges to {', '.join(uncounted)} have no coefficient and add no demand")

    coverage: float | None = None
    if demand:
        coverage = supply.capacity / demand
        inputs["coverage"] = coverage
        parts.append(
            f"coverage = capacity {fmt(supply.capacity)} / demand {fmt(demand)} = {fmt(coverage)}"
        )
    elif demand == 0:
        parts.append("coverage unknown: downstream output is 0")

    hhi: float | None = None
    if supply.capacity > 0:
        hhi = min(1.0, supply.capacity_sq / supply.capacity**2)
        inputs["hhi"] = hhi
        parts.append(
            f"HHI = Σ firm capacity² / capacity² = {fmt(supply.capacity_sq)} / "
            f"{fmt(supply.capacity)}² = {fmt(hhi)}"
        )
    else:
        parts.append("HHI unknown: no in-cluster capacity")
    is_concentrated = hhi is not None and hhi > hhi_threshold
    if is_concentrated:
        parts.append(f"concentrated: HHI above {fmt(hhi_threshold)}")

    reasons: list[str] = []
    if supply.firms == 0:
        reasons.append(NO_FIRMS)
        parts.append("gap: no in-cluster firm")
    elif supply.firms < min_firms:
        reasons.append(FEW_FIRMS)
        parts.append(f"gap: {supply.firms} in-cluster firm(s), fewer than {min_firms}")
    if coverage is not None and coverage < coverage_threshold:
        reasons.append(SHORT_OF_DEMAND)
        parts.append(f"gap: coverage below {fmt(coverage_threshold)}")
    if not link.core:
        parts.append("support link: not counted in completeness")

    return LinkReport(
        link=link.code,
        core=link.core,
        firms=supply.firms,
        capacity=supply.capacity,
        output=supply.output,
        demand=demand,
        coverage=coverage,
        hhi=hhi,
        is_gap=bool(reasons),
        gap_reasons=tuple(reasons),
        is_concentrated=is_concentrated,
        explanation=Explanation(
            formula="; ".join(parts),
            inputs=inputs,
            firm_ids=tuple(ids[:TOP_IDS]),
            counted=supply.firms,
        ),
        firms_outside=supply.firms_outside,
    )
