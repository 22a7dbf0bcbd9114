"""Localisation rate: the in-cluster share of what leading firms buy or outsource.

The Wenzhou "leading + matching" policy is judged by this figure: value, not the number of
suppliers, because one large local order matters more than ten token ones.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable

from clusterbrain.engines.chain.errors import ChainModelError
from clusterbrain.engines.chain.explain import fmt
from clusterbrain.engines.chain.model import Explanation, LocalisationReport, Relation

TOP_BUYERS = 20


def localisation_rate(
    relations: Iterable[Relation], leading_ids: Collection[int] | None = None
) -> LocalisationReport:
    """Pooled and per-buyer localisation rates, value-weighted.

    With `leading_ids`, only those buyers count, and each appears in `per_buyer` even when it
    recorded nothing (rate None), so a leading firm with no data is visible rather than silently
    missing. Without it every buyer counts.
    """
    leading = None if leading_ids is None else set(leading_ids)
    local_by_buyer: dict[int, float] = {}
    total_by_buyer: dict[int, float] = {}
    if leading is not None:
        for buyer in sorted(leading):
            local_by_buyer[buyer] = 0.0
            total_by_buyer[buyer] = 0.0
    counted = 0
    for relation in relations:
        if not (math.isfinite(relation.value) and relation.value >= 0):
            raise ChainModelError(
                f"link {relation.link!r}: buyer {relation.buyer_id} from supplier "
                f"{relation.supplier_id} has value {relation.value!r}; it must be a number ≥ 0"
            )
        if leading is not None and relation.buyer_id not in leading:
            continue
        counted += 1
        buyer = relation.buyer_id
        total_by_buyer[buyer] = total_by_buyer.get(buyer, 0.0) + relation.value
        local = relation.value if relation.supplier_in_cluster else 0.0
        local_by_buyer[buyer] = local_by_buyer.get(buyer, 0.0) + local

    local_value = sum(local_by_buyer.values())
    total_value = sum(total_by_buyer.values())
    # local ≤ total even in floats: the local sums add the same values with some replaced by 0,
    # and rounding is monotone, so no clamping is needed to stay within [0, 1].
    rate = local_value / total_value if total_value > 0 else None
    per_buyer = {
        buyer: (local_by_buyer[buyer] / total if total > 0 else None)
        for buyer, total in total_by_buyer.items()
    }

    who = "leading firms" if leading is not None else "all buyers"
    if rate is None:
        formula = f"localisation rate unknown: {who} recorded no purchase value"
    else:
        formula = (
            f"localisation rate = value bought in the cluster / all value bought by {who} = "
            f"{fmt(local_value)} / {fmt(total_value)} = {fmt(rate)}"
        )
    biggest = sorted(total_by_buyer, key=lambda b: (-total_by_buyer[b], b))
    return LocalisationReport(
        rate=rate,
        local_value=local_value,
        total_value=total_value,
        per_buyer=per_buyer,
        explanation=Explanation(
            formula=formula + f"; {counted} relation(s) from {len(per_buyer)} buyer(s)",
            inputs={
                "local_value": local_value,
                "total_value": total_value,
                "relations": float(counted),
                "buyers": float(len(per_buyer)),
            },
            firm_ids=tuple(biggest[:TOP_BUYERS]),
            counted=counted,
        ),
    )
