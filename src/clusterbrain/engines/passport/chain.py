"""What a passport says about a lot's chain, from the lot graph and the facts firms asserted on
their lots (EPCIS ILMD): origin countries and regions, yes/no qualities (deforestation-free
verified, chrome-free tanned, tanned at an LWG-rated tannery) and footprint intensities (water,
energy, CO₂e per unit), all carried down the chain by `engines.genealogy.propagation`.

Facts are asserted where they are known and inherited below (DOMAIN.md mass balance): a farm
lot says its country and whether it is verified deforestation-free, a tannery's lot says how it
was tanned, every lot made may say its own process water, energy and CO₂e per unit. A share
comes with the part of the lot whose value nobody asserted (unknown), so a passport never
rounds "not known" into "no".

Vocabulary: ILMD members in the clusterbrain namespace (`NS`, prefix `cb:` in events), read by
their local name so a firm's own prefix for the same namespace works too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clusterbrain.engines.genealogy.graph import LotGraph
from clusterbrain.engines.genealogy.model import FloatArray
from clusterbrain.engines.genealogy.propagation import one_hot, propagate

NS = "https://clusterbrain.org/voc/"

# ILMD local names (documented in docs/decisions/0013-product-passport.md)
COUNTRY = "originCountry"  # ISO 3166-1 alpha-2, on origin lots
REGION = "originRegion"  # free text (province · prefecture · county), on origin lots
DEFORESTATION_FREE = "deforestationFree"  # true/false, verified, on origin lots
TANNING = "tanning"  # chrome | chrome_free | vegetable | other, on the lots a tannery tans
CHROME_FREE = "chromeFree"  # true/false, where a firm states it directly
PRODUCT_ZH = "productNameZh"
PRODUCT_EN = "productNameEn"
HS_CODE = "hsCode"
NET_MASS_KG = "netMassKg"

FLAGS = ("deforestation_free", "chrome_free", "lwg_rated")
# intensity name → ILMD local name (own process figure per unit of the lot's uom)
INTENSITIES = {
    "water_m3": "waterM3PerUnit",
    "energy_kwh": "energyKwhPerUnit",
    "co2e_kg": "co2eKgPerUnit",
}
CHROME_FREE_TANNING = frozenset({"chrome_free", "vegetable", "wet_white", "other"})


def local_name(key: str) -> str:
    """The local part of an ILMD member: `https://clusterbrain.org/voc/tanning` → `tanning`."""
    for sep in ("#", "/", ":"):
        if sep in key:
            key = key.rsplit(sep, 1)[1]
    return key


def read(attributes: Mapping[str, Any] | None, name: str) -> Any:
    """An asserted fact by local name (None when absent)."""
    if not attributes:
        return None
    if NS + name in attributes:
        return attributes[NS + name]
    for key, value in attributes.items():
        if local_name(str(key)) == name:
            return value
    return None


def _flag(value: Any) -> float:
    """1.0 / 0.0 for a stated yes/no (JSON true/false or the words), NaN when not stated."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1"):
        return 1.0
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "0"):
        return 0.0
    return math.nan


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return math.nan
    try:
        number = float(value)
    except ValueError:
        return math.nan
    return number if math.isfinite(number) and number >= 0 else math.nan


@dataclass(frozen=True)
class Assertions:
    """Per lot row of the graph: the categorical codes (-1 = not asserted) and their names,
    the yes/no flags (NaN = not asserted) and own intensities (NaN = none)."""

    country: np.ndarray
    countries: list[str]
    region: np.ndarray
    regions: list[str]
    flags: dict[str, FloatArray]
    intensities: dict[str, FloatArray]


def assertions(
    n_lots: int,
    lot_attributes: Mapping[int, Mapping[str, Any]],
    *,
    is_origin: np.ndarray,
    lwg_rated: Mapping[int, bool] | None = None,
) -> Assertions:
    """The facts asserted on each lot. Origin facts (country, region, deforestation-free) count
    on origin lots only: a lot made from others has them from its inputs. `lwg_rated`: the
    tanned lots (rows) and whether their tannery held a valid LWG rating (the Django side reads
    the registry's certificates)."""
    country = np.full(n_lots, -1, np.int64)
    region = np.full(n_lots, -1, np.int64)
    countries: dict[str, int] = {}
    regions: dict[str, int] = {}
    flags = {name: np.full(n_lots, np.nan) for name in FLAGS}
    own = {name: np.full(n_lots, np.nan) for name in INTENSITIES}
    for row, attrs in lot_attributes.items():
        if not 0 <= row < n_lots:
            continue
        if bool(is_origin[row]):
            c = read(attrs, COUNTRY)
            if isinstance(c, str) and c.strip():
                country[row] = countries.setdefault(c.strip().upper(), len(countries))
            r = read(attrs, REGION)
            if isinstance(r, str) and r.strip():
                region[row] = regions.setdefault(r.strip(), len(regions))
            flags["deforestation_free"][row] = _flag(read(attrs, DEFORESTATION_FREE))
        tanning = read(attrs, TANNING)
        chrome_free = _flag(read(attrs, CHROME_FREE))
        if math.isnan(chrome_free) and isinstance(tanning, str) and tanning.strip():
            chrome_free = 1.0 if tanning.strip().lower() in CHROME_FREE_TANNING else 0.0
        flags["chrome_free"][row] = chrome_free
        for name, ilmd in INTENSITIES.items():
            own[name][row] = _number(read(attrs, ilmd))
    for row, rated in (lwg_rated or {}).items():
        if 0 <= row < n_lots:
            flags["lwg_rated"][row] = 1.0 if rated else 0.0
    return Assertions(country, list(countries), region, list(regions), flags, own)


@dataclass(frozen=True)
class Shares:
    """Part of the lot per category (only categories above zero), and the part not known."""

    parts: dict[str, float]
    unknown: float


@dataclass(frozen=True)
class Profile:
    """What the chain says about one lot: origin countries and regions, each flag's share with
    its unknown part, and the cumulative intensity per unit of the lot (None: no firm up the
    chain declared one, so 0 would be a claim nobody made)."""

    countries: Shares
    regions: Shares
    flags: dict[str, Shares] = field(default_factory=dict)
    intensities: dict[str, float | None] = field(default_factory=dict)


def _categorical(values: FloatArray, unknown: FloatArray, names: list[str], row: int) -> Shares:
    parts = {names[i]: float(values[row, i]) for i in range(len(names)) if values[row, i] > 1e-12}
    return Shares(dict(sorted(parts.items(), key=lambda kv: -kv[1])), float(unknown[row]))


def profiles(graph: LotGraph, facts: Assertions, rows: Sequence[int]) -> dict[int, Profile]:
    """The profile of each of `rows`, propagating over the whole graph once."""
    n = graph.n_lots
    shares: dict[str, Any] = {
        "country": one_hot(facts.country, max(len(facts.countries), 1)),
        "region": one_hot(facts.region, max(len(facts.regions), 1)),
    }
    shares.update({name: facts.flags[name] for name in FLAGS})
    declared = {name: ~np.isnan(v) for name, v in facts.intensities.items()}
    result = propagate(graph, shares, facts.intensities)
    # Whether any lot up the chain declared an intensity: the same propagation over 0/1.
    seen = propagate(
        graph, {}, {name: mask.astype(np.float64) for name, mask in declared.items()}
    ).intensities
    out: dict[int, Profile] = {}
    for row in rows:
        if not 0 <= row < n:
            continue
        flags = {
            name: Shares(
                {"yes": float(result.shares[name][row, 0])}, float(result.unknown[name][row])
            )
            for name in FLAGS
        }
        intensities = {
            name: (float(result.intensities[name][row]) if seen[name][row] > 0 else None)
            for name in INTENSITIES
        }
        out[row] = Profile(
            _categorical(result.shares["country"], result.unknown["country"], facts.countries, row),
            _categorical(result.shares["region"], result.unknown["region"], facts.regions, row),
            flags,
            intensities,
        )
    return out
