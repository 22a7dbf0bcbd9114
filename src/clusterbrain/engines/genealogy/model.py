"""The tables the genealogy engine reads: lots, events, event lines, shipments, unit factors.

Every table is a set of equal-length numpy columns indexed by integers (a lot is its row in
`LotTable`, an event its row in `EventTable`): the Django side maps its own keys (EPCs, lot
numbers, eventIDs) to these indices once, and the engine never sees a string per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class Unit(IntEnum):
    HEAD = 0
    KG = 1
    M2 = 2
    PIECE = 3
    METRE = 4


class Custody(IntEnum):
    """The chain-of-custody model a lot is handled under (ISO 22095 names)."""

    IDENTITY_PRESERVED = 0
    SEGREGATED = 1
    MASS_BALANCE = 2


class EventKind(IntEnum):
    """EPCIS events that make genealogy edges. Object events (commissioning, receiving) make no
    edge, and a shipment moves a lot between sites without one (see `Shipments`)."""

    TRANSFORMATION = 0
    AGGREGATION = 1
    DISAGGREGATION = 2


class AnomalyCode(StrEnum):
    OUTPUT_ABOVE_INPUT = "output_above_input"  # outputs of a material > inputs × factor × yield
    CYCLE = "cycle"  # lots that descend from themselves; their edges are dropped
    UNIT_MISMATCH = "unit_mismatch"  # no declared factor between an input's and output's unit
    OVERCONSUMED = "overconsumed"  # events consumed more of a lot than it holds
    UNKNOWN_LOT = "unknown_lot"  # an event line names a lot index outside the table
    EUDR_TAINTED = "eudr_tainted"  # a segregated mix took in unknown or unverified input
    EUDR_CLAIM_LOST = "eudr_claim_lost"  # a lot claiming deforestation-free lost the claim
    CUSTODY_DOWNGRADE = "custody_downgrade"  # a segregated / IP lot with a mass-balance input
    LEDGER_REFUSED = "ledger_refused"  # a certified claim above the mass-balance credits


@dataclass(frozen=True)
class Anomaly:
    """A finding as data: the Django side words it. `lots` starts with the lot concerned
    (the output, for an event) and goes on with the lots that caused it; `value` and `limit`
    are the measured figure and the bound it broke (a ratio, a quantity), NaN when none."""

    code: AnomalyCode
    event: int = -1
    lots: tuple[int, ...] = ()
    value: float = float("nan")
    limit: float = float("nan")


@dataclass(frozen=True)
class LotTable:
    material: IntArray  # index into the caller's material names
    unit: IntArray  # `Unit`
    site: IntArray  # where the lot was made or first recorded
    owner: IntArray  # owner firm
    quantity: FloatArray  # declared quantity in `unit`; NaN: what its events produced
    custody: IntArray  # `Custody`

    def __len__(self) -> int:
        return len(self.material)

    @classmethod
    def of(
        cls,
        material: npt.ArrayLike,
        unit: npt.ArrayLike,
        quantity: npt.ArrayLike,
        *,
        site: npt.ArrayLike | None = None,
        owner: npt.ArrayLike | None = None,
        custody: npt.ArrayLike | None = None,
    ) -> LotTable:
        m = np.asarray(material, dtype=np.int64)
        n = len(m)

        def column(values: npt.ArrayLike | None, default: int) -> IntArray:
            return np.full(n, default, np.int64) if values is None else np.asarray(values, np.int64)

        return cls(
            material=m,
            unit=np.asarray(unit, dtype=np.int64),
            site=column(site, 0),
            owner=column(owner, 0),
            quantity=np.asarray(quantity, dtype=np.float64),
            custody=column(custody, Custody.SEGREGATED),
        )


@dataclass(frozen=True)
class EventTable:
    kind: IntArray  # `EventKind`
    site: IntArray  # bizLocation, for the mass-balance ledger
    period: IntArray  # ledger period (e.g. month number) of the event time
    process_yield: FloatArray  # declared yield of a transformation (1.0 = the full factor)

    def __len__(self) -> int:
        return len(self.kind)

    @classmethod
    def of(
        cls,
        kind: npt.ArrayLike,
        *,
        site: npt.ArrayLike | None = None,
        period: npt.ArrayLike | None = None,
        process_yield: npt.ArrayLike | None = None,
    ) -> EventTable:
        k = np.asarray(kind, dtype=np.int64)
        n = len(k)
        return cls(
            kind=k,
            site=np.zeros(n, np.int64) if site is None else np.asarray(site, np.int64),
            period=np.zeros(n, np.int64) if period is None else np.asarray(period, np.int64),
            process_yield=(
                np.ones(n) if process_yield is None else np.asarray(process_yield, np.float64)
            ),
        )


@dataclass(frozen=True)
class EventLines:
    """One row per lot an event reads or writes: inputs (transformation inputs, the children
    added by an aggregation, the parent a disaggregation splits) and outputs, with quantities in
    the lot's unit. `allocation` weighs how an event's inputs are shared among its outputs
    (NaN: by output quantity)."""

    event: IntArray
    lot: IntArray
    is_output: BoolArray
    quantity: FloatArray
    allocation: FloatArray

    def __len__(self) -> int:
        return len(self.event)

    @classmethod
    def of(
        cls,
        event: npt.ArrayLike,
        lot: npt.ArrayLike,
        is_output: npt.ArrayLike,
        quantity: npt.ArrayLike,
        allocation: npt.ArrayLike | None = None,
    ) -> EventLines:
        e = np.asarray(event, dtype=np.int64)
        return cls(
            event=e,
            lot=np.asarray(lot, dtype=np.int64),
            is_output=np.asarray(is_output, dtype=bool),
            quantity=np.asarray(quantity, dtype=np.float64),
            allocation=(
                np.full(len(e), np.nan)
                if allocation is None
                else np.asarray(allocation, dtype=np.float64)
            ),
        )


@dataclass(frozen=True)
class Shipments:
    """Shipping / receiving: a lot moves between sites, no new lot and no edge."""

    lot: IntArray
    event: IntArray
    from_site: IntArray
    to_site: IntArray
    period: IntArray

    @classmethod
    def empty(cls) -> Shipments:
        z = np.zeros(0, np.int64)
        return cls(z, z, z, z, z)


@dataclass
class UnitConversions:
    """Declared factors: the most output (to material and unit) one unit of input (from
    material and unit) can give, e.g. 1 head of cattle → 35 kg of hides, 1 kg of fresh cocoons
    → 0.125 kg of raw silk. A co-product has its own factor (kg dried cocoons → kg pupae). The
    same material and unit is 1 unless declared."""

    factors: dict[tuple[int, int, int, int], float] = field(default_factory=dict)

    def declare(
        self, from_material: int, from_unit: int, to_material: int, to_unit: int, factor: float
    ) -> None:
        if not factor > 0:
            raise ValueError(f"factor {from_material}/{from_unit}→{to_material}/{to_unit} ≤ 0")
        self.factors[(from_material, int(from_unit), to_material, int(to_unit))] = float(factor)

    def lookup(
        self,
        from_material: IntArray,
        from_unit: IntArray,
        to_material: IntArray,
        to_unit: IntArray,
    ) -> FloatArray:
        """The factor of each row, NaN where none is declared and the units differ."""
        same = (from_material == to_material) & (from_unit == to_unit)
        out = np.where(same, 1.0, np.nan)
        if not self.factors or len(out) == 0:
            return out
        mat_n = int(max(max(k[0], k[2]) for k in self.factors) + 1)
        mat_n = max(
            mat_n, int(from_material.max(initial=0)) + 1, int(to_material.max(initial=0)) + 1
        )
        unit_n = len(Unit) + 1
        mat_n = max(mat_n, 1)

        def key(fm: IntArray, fu: IntArray, tm: IntArray, tu: IntArray) -> IntArray:
            return ((fm * unit_n + fu) * mat_n + tm) * unit_n + tu

        declared = np.array(list(self.factors), dtype=np.int64).reshape(-1, 4)
        keys = key(declared[:, 0], declared[:, 1], declared[:, 2], declared[:, 3])
        order = np.argsort(keys)
        keys, values = keys[order], np.array(list(self.factors.values()))[order]
        wanted = key(from_material, from_unit, to_material, to_unit)
        at = np.clip(np.searchsorted(keys, wanted), 0, len(keys) - 1)
        found = keys[at] == wanted
        return np.where(found, values[at], out)
