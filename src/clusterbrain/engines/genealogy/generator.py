"""Seeded synthetic chains for tests and the benchmark, built as arrays (no row loops).

- Hechi silk: farm households deliver fresh cocoons to purchase stations (one lot per delivery,
  aggregated into a station-day lot), stations dry them (3-day dried lots), 15 reeling mills reel
  a daily batch per mill into three raw-silk grades and pupae, weavers make fabric from 400 kg
  chunks of raw silk (a third of the fabrics blend two raw-silk lots), and every fabric lot is cut
  into five product lots. The default sizes are the issue's: 230,000 households, 2.5 million
  deliveries a year, 100 stations, 15 mills; 204,800 t of fresh cocoons a year (about 82 kg a
  delivery). Each delivery stands for four EPCIS events (commissioning, shipping, receiving,
  aggregation), which with the downstream events makes about ten million.
- Xinji leather: cattle lots (head) from farms in China, Brazil, Australia or unknown, slaughter
  into hides (kg), tanneries (chrome or chrome-free, some LWG-rated; most segregate verified
  deforestation-free hides, the rest mix under mass balance) tan batches into leather (m²),
  garment factories cut 200 m² chunks into garments (pieces).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from clusterbrain.engines.genealogy.model import (
    Custody,
    EventKind,
    EventLines,
    EventTable,
    FloatArray,
    IntArray,
    LotTable,
    Shipments,
    Unit,
    UnitConversions,
)

HECHI_MATERIALS = ("fresh cocoon", "dried cocoon", "raw silk", "pupae", "silk fabric", "product")
HECHI_COUNTIES = ("Yizhou", "Huanjiang", "Du'an", "Nandan", "Luocheng", "Tian'e")
XINJI_MATERIALS = ("cattle", "raw hide", "leather", "garment")
XINJI_COUNTRIES = ("CN", "BR", "AU")

FRESH_TO_DRIED = 0.42
DRIED_TO_SILK = 0.30
DRIED_TO_PUPAE = 0.55
SILK_TO_FABRIC_M2 = 12.5
FABRIC_M2_TO_PIECES = 0.7
SEASON_DAYS = 210  # April to October
CATTLE_TO_HIDE_KG = 35.0
HIDE_KG_TO_LEATHER_M2 = 0.13
LEATHER_M2_TO_GARMENTS = 0.5


@dataclass
class ChainData:
    materials: tuple[str, ...]
    lots: LotTable
    events: EventTable
    lines: EventLines
    shipments: Shipments
    conversions: UnitConversions
    shares: dict[str, FloatArray]  # asserted share attributes (lots × categories, NaN unset)
    intensities: dict[str, FloatArray]  # own process intensity per unit, per lot
    verified_origin: np.ndarray  # deforestation-free / registered origin, per lot
    events_represented: int  # EPCIS events the tables stand for (object events included)
    end_products: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    origins: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))


class _Tables:
    """Appends lots, events and lines as array chunks."""

    def __init__(self) -> None:
        self.n_lots = 0
        self.n_events = 0
        self.lot_chunks: list[tuple[IntArray, ...]] = []
        self.qty_chunks: list[FloatArray] = []
        self.event_chunks: list[tuple[IntArray, IntArray, IntArray, FloatArray]] = []
        self.line_chunks: list[tuple[IntArray, IntArray, np.ndarray, FloatArray]] = []

    def lots(
        self,
        material: int,
        unit: Unit,
        quantity: FloatArray,
        site: IntArray,
        custody: IntArray | int = Custody.SEGREGATED,
    ) -> IntArray:
        n = len(quantity)
        ids = np.arange(self.n_lots, self.n_lots + n, dtype=np.int64)
        self.n_lots += n
        cust = np.broadcast_to(np.asarray(custody, np.int64), (n,)).copy()
        self.lot_chunks.append(
            (np.full(n, material, np.int64), np.full(n, int(unit), np.int64), site, site, cust)
        )
        self.qty_chunks.append(np.asarray(quantity, np.float64))
        return ids

    def events(
        self, kind: EventKind, site: IntArray, period: IntArray, process_yield: float = 1.0
    ) -> IntArray:
        n = len(site)
        ids = np.arange(self.n_events, self.n_events + n, dtype=np.int64)
        self.n_events += n
        self.event_chunks.append(
            (np.full(n, int(kind), np.int64), site, period, np.full(n, process_yield))
        )
        return ids

    def lines(self, event: IntArray, lot: IntArray, is_output: bool, qty: FloatArray) -> None:
        self.line_chunks.append((event, lot, np.full(len(event), is_output), qty))

    def build(self) -> tuple[LotTable, EventTable, EventLines]:
        cols = [np.concatenate([c[i] for c in self.lot_chunks]) for i in range(5)]
        lots = LotTable(
            material=cols[0],
            unit=cols[1],
            site=cols[2],
            owner=cols[3],
            quantity=np.concatenate(self.qty_chunks),
            custody=cols[4],
        )
        ev = [np.concatenate([c[i] for c in self.event_chunks]) for i in range(4)]
        events = EventTable(kind=ev[0], site=ev[1], period=ev[2], process_yield=ev[3])
        ln = [np.concatenate([c[i] for c in self.line_chunks]) for i in range(4)]
        lines = EventLines(ln[0], ln[1], ln[2].astype(bool), ln[3], np.full(len(ln[0]), np.nan))
        return lots, events, lines


def _groups(keys: IntArray) -> tuple[IntArray, IntArray]:
    """(unique keys, group index of each row)."""
    return np.unique(keys, return_inverse=True)


def generate_hechi_chain(
    households: int = 230_000,
    deliveries: int = 2_500_000,
    stations: int = 100,
    mills: int = 15,
    weavers: int = 40,
    *,
    seed: int = 0,
    tonnes: float | None = None,
) -> ChainData:
    """`tonnes` of fresh cocoons a year: by default 204,800 t scaled to `deliveries`."""
    if tonnes is None:
        tonnes = 204_800.0 * deliveries / 2_500_000
    rng = np.random.default_rng(seed)
    t = _Tables()
    site_mill = stations + np.arange(mills)
    site_weaver = stations + mills + np.arange(weavers)

    county = rng.choice(len(HECHI_COUNTIES), households, p=[0.4, 0.3, 0.1, 0.08, 0.07, 0.05])
    registered = rng.random(households) < 0.95
    county = np.where(rng.random(households) < 0.01, -1, county)  # origin not recorded
    home = rng.integers(0, stations, households)
    who = rng.integers(0, households, deliveries)
    day = np.sort(rng.integers(0, SEASON_DAYS, deliveries))
    kg = rng.lognormal(0.0, 0.35, deliveries)
    kg *= tonnes * 1000 / kg.sum()
    station = home[who]
    delivery = t.lots(0, Unit.KG, kg, station)

    # Station-day lots, one aggregation event per delivery (the EPCIS AggregationEvent ADD).
    day_key, day_group = _groups(station * SEASON_DAYS + day)
    day_qty = np.bincount(day_group, weights=kg).astype(np.float64)
    day_lot = t.lots(0, Unit.KG, np.full(len(day_key), np.nan), day_key // SEASON_DAYS)
    agg = t.events(EventKind.AGGREGATION, station, day // 30)
    t.lines(agg, delivery, False, kg)
    t.lines(agg, day_lot[day_group], True, kg)

    # Drying: station-day lots of 3 days into one dried lot.
    day_station, day_day = day_key // SEASON_DAYS, day_key % SEASON_DAYS
    dry_key, dry_group = _groups(day_station * SEASON_DAYS + day_day // 3)
    dried_in = np.bincount(dry_group, weights=day_qty)
    dried_qty = dried_in * FRESH_TO_DRIED * rng.uniform(0.95, 1.0, len(dry_key))
    dry_station, dry_window = dry_key // SEASON_DAYS, dry_key % SEASON_DAYS
    dried_lot = t.lots(1, Unit.KG, dried_qty, dry_station)
    dry_event = t.events(EventKind.TRANSFORMATION, dry_station, (dry_window * 3) // 30)
    t.lines(dry_event[dry_group], day_lot, False, day_qty)
    t.lines(dry_event, dried_lot, True, dried_qty)

    # Reeling: a mill's batch takes the dried lots of its stations of one window.
    station_mill = rng.integers(0, mills, stations)
    mill = station_mill[dry_station]
    batch_key, batch_group = _groups(mill * SEASON_DAYS + dry_window)
    batch_in = np.bincount(batch_group, weights=dried_qty)
    batch_mill, batch_window = batch_key // SEASON_DAYS, batch_key % SEASON_DAYS
    batch_event = t.events(
        EventKind.TRANSFORMATION, site_mill[batch_mill], (batch_window * 3 + 3) // 30, 0.97
    )
    t.lines(batch_event[batch_group], dried_lot, False, dried_qty)
    silk_total = batch_in * DRIED_TO_SILK * rng.uniform(0.9, 0.97, len(batch_key))
    grades = np.array([0.5, 0.35, 0.15])
    silk_qty = (silk_total[:, None] * grades[None, :]).ravel()
    silk_event = np.repeat(batch_event, 3)
    silk_lot = t.lots(2, Unit.KG, silk_qty, np.repeat(site_mill[batch_mill], 3))
    t.lines(silk_event, silk_lot, True, silk_qty)
    pupae_qty = batch_in * DRIED_TO_PUPAE * rng.uniform(0.9, 0.97, len(batch_key))
    pupae_lot = t.lots(3, Unit.KG, pupae_qty, site_mill[batch_mill])
    t.lines(batch_event, pupae_lot, True, pupae_qty)
    n_dried_shipments = len(dried_lot)

    # Weaving: 400 kg chunks of raw silk, near-neighbour lots blended two to a fabric.
    chunks = np.maximum(1, np.ceil(silk_qty / 400.0).astype(np.int64))
    chunk_lot = np.repeat(silk_lot, chunks)
    chunk_qty = np.repeat(silk_qty / chunks, chunks)
    order = np.argsort(
        np.repeat(np.arange(len(silk_lot)), chunks) + rng.uniform(0, 30, len(chunk_lot))
    )
    chunk_lot, chunk_qty = chunk_lot[order], chunk_qty[order]
    starts = _pair_starts(rng.random(len(chunk_lot)) < 0.5)
    fabric_group = np.cumsum(starts) - 1
    n_fabric = int(fabric_group[-1]) + 1 if len(fabric_group) else 0
    fabric_in = np.bincount(fabric_group, weights=chunk_qty, minlength=n_fabric)
    fabric_m2 = fabric_in * SILK_TO_FABRIC_M2 * rng.uniform(0.9, 0.95, n_fabric)
    weaver = rng.integers(0, weavers, n_fabric)
    silk_period = np.repeat(batch_window * 3 // 30, 3)[np.searchsorted(silk_lot, chunk_lot)]
    fabric_period = np.minimum(np.maximum.reduceat(silk_period, np.flatnonzero(starts)) + 1, 11)
    fabric_lot = t.lots(4, Unit.M2, fabric_m2, site_weaver[weaver])
    fabric_event = t.events(EventKind.TRANSFORMATION, site_weaver[weaver], fabric_period, 0.97)
    t.lines(fabric_event[fabric_group], chunk_lot, False, chunk_qty)
    t.lines(fabric_event, fabric_lot, True, fabric_m2)

    # Products: every fabric lot cut into five product lots.
    pieces = fabric_m2 * FABRIC_M2_TO_PIECES * 0.97 / 5
    product_qty = np.repeat(np.floor(pieces), 5)
    product_lot = t.lots(5, Unit.PIECE, product_qty, np.repeat(site_weaver[weaver], 5))
    product_event = t.events(EventKind.TRANSFORMATION, site_weaver[weaver], fabric_period, 0.97)
    t.lines(product_event, fabric_lot, False, fabric_m2)
    t.lines(np.repeat(product_event, 5), product_lot, True, product_qty)

    lots, events, lines = t.build()
    n = len(lots)
    conversions = UnitConversions()
    conversions.declare(0, Unit.KG, 1, Unit.KG, FRESH_TO_DRIED)
    conversions.declare(1, Unit.KG, 2, Unit.KG, DRIED_TO_SILK)
    conversions.declare(1, Unit.KG, 3, Unit.KG, DRIED_TO_PUPAE)
    conversions.declare(2, Unit.KG, 4, Unit.M2, SILK_TO_FABRIC_M2)
    conversions.declare(4, Unit.M2, 5, Unit.PIECE, FABRIC_M2_TO_PIECES)

    region_codes = np.full(n, -1, np.int64)
    region_codes[delivery] = county[who]
    region = np.full((n, len(HECHI_COUNTIES)), np.nan)
    at = delivery[region_codes[delivery] >= 0]
    region[at] = 0.0
    region[at, region_codes[at]] = 1.0
    registered_share = np.full(n, np.nan)
    registered_share[delivery] = registered[who].astype(float)
    water = np.zeros(n)
    energy = np.zeros(n)
    co2e = np.zeros(n)
    water[delivery] = rng.normal(60.0, 10.0, deliveries).clip(20)  # L/kg cocoons, mulberry
    co2e[delivery] = rng.normal(1.5, 0.3, deliveries).clip(0.5)
    energy[dried_lot] = 1.2
    co2e[dried_lot] = 0.7
    water[silk_lot] = 300.0
    energy[silk_lot] = 10.0
    co2e[silk_lot] = 6.0
    energy[fabric_lot] = 2.0
    co2e[fabric_lot] = 1.1
    energy[product_lot] = 0.4
    co2e[product_lot] = 0.2
    verified = np.zeros(n, bool)
    verified[delivery] = registered[who] & (county[who] >= 0)

    represented = (
        4 * deliveries
        + len(dry_event)
        + n_dried_shipments
        + len(batch_event)
        + 2 * len(silk_lot)  # raw silk shipped to weavers, received
        + len(fabric_event)
        + len(product_event)
        + len(product_lot)  # products shipped to markets
    )
    shipments = Shipments(
        lot=dried_lot,
        event=np.arange(len(dried_lot), dtype=np.int64),
        from_site=dry_station,
        to_site=site_mill[mill],
        period=(dry_window * 3) // 30,
    )
    return ChainData(
        materials=HECHI_MATERIALS,
        lots=lots,
        events=events,
        lines=lines,
        shipments=shipments,
        conversions=conversions,
        shares={"origin_county": region, "registered_farm": registered_share},
        intensities={"water_l": water, "energy_kwh": energy, "co2e_kg": co2e},
        verified_origin=verified,
        events_represented=int(represented),
        end_products=product_lot,
        origins=delivery,
    )


def _pair_starts(opens_pair: np.ndarray) -> np.ndarray:
    """Where each group of chunks starts when a chunk marked `opens_pair` takes the next chunk
    with it, unless the chunk before already took it: in a run of marks every other one opens."""
    n = len(opens_pair)
    first = opens_pair & ~np.r_[False, opens_pair[:-1]]
    run = np.cumsum(first) - 1
    run_start = np.flatnonzero(first)
    position = np.arange(n) - run_start[np.clip(run, 0, None)] if len(run_start) else np.zeros(n)
    opens = opens_pair & (position % 2 == 0)
    return ~np.r_[False, opens[:-1]]


def generate_xinji_chain(
    cattle_lots: int = 20_000,
    farms: int = 2_000,
    slaughterhouses: int = 20,
    tanneries: int = 30,
    garment_firms: int = 100,
    *,
    seed: int = 0,
) -> ChainData:
    rng = np.random.default_rng(seed)
    t = _Tables()
    site_slaughter = np.arange(slaughterhouses)
    site_tannery = slaughterhouses + np.arange(tanneries)
    site_garment = slaughterhouses + tanneries + np.arange(garment_firms)

    farm_country = rng.choice(4, farms, p=[0.5, 0.25, 0.2, 0.05]) - 1  # -1: unknown
    farm_verified = rng.random(farms) < np.array([0.0, 0.8, 0.6, 0.9])[farm_country + 1]
    farm = rng.integers(0, farms, cattle_lots)
    head = rng.integers(5, 50, cattle_lots).astype(float)
    cattle = t.lots(0, Unit.HEAD, head, farm % slaughterhouses)
    slaughter = rng.integers(0, slaughterhouses, cattle_lots)
    period = rng.integers(0, 12, cattle_lots)
    hide_kg = head * CATTLE_TO_HIDE_KG * rng.uniform(0.9, 1.0, cattle_lots)
    hides = t.lots(1, Unit.KG, hide_kg, site_slaughter[slaughter])
    kill = t.events(EventKind.TRANSFORMATION, site_slaughter[slaughter], period)
    t.lines(kill, cattle, False, head)
    t.lines(kill, hides, True, hide_kg)

    chrome_free = rng.random(tanneries) < 0.4
    lwg = rng.random(tanneries) < 0.25
    segregating = rng.random(tanneries) < 0.8
    tannery = rng.integers(0, tanneries, cattle_lots)
    verified = farm_verified[farm]
    # Segregating tanneries batch verified and other hides apart; the rest mix them.
    sort_flag = np.where(segregating[tannery], verified.astype(np.int64), 0)
    batch_key, batch_group = _groups(
        ((tannery * 12 + period) * 2 + sort_flag) * 8 + rng.integers(0, 2, cattle_lots)
    )
    batch_tannery = (batch_key // 8 // 2) // 12
    batch_period = (batch_key // 8 // 2) % 12
    batch_in = np.bincount(batch_group, weights=hide_kg)
    leather_m2 = batch_in * HIDE_KG_TO_LEATHER_M2 * rng.uniform(0.85, 0.95, len(batch_key))
    custody = np.where(segregating[batch_tannery], Custody.SEGREGATED, Custody.MASS_BALANCE)
    leather = t.lots(2, Unit.M2, leather_m2, site_tannery[batch_tannery], custody)
    tan = t.events(EventKind.TRANSFORMATION, site_tannery[batch_tannery], batch_period, 0.95)
    t.lines(tan[batch_group], hides, False, hide_kg)
    t.lines(tan, leather, True, leather_m2)

    chunks = np.maximum(1, np.ceil(leather_m2 / 200.0).astype(np.int64))
    chunk_lot = np.repeat(leather, chunks)
    chunk_m2 = np.repeat(leather_m2 / chunks, chunks)
    firm = rng.integers(0, garment_firms, len(chunk_lot))
    garments_qty = np.floor(chunk_m2 * LEATHER_M2_TO_GARMENTS * 0.95)
    chunk_custody = custody[np.repeat(np.arange(len(leather)), chunks)]
    garments = t.lots(3, Unit.PIECE, garments_qty, site_garment[firm], chunk_custody)
    sew_period = np.minimum(np.repeat(batch_period, chunks) + 1, 11)
    sew = t.events(EventKind.TRANSFORMATION, site_garment[firm], sew_period, 0.95)
    t.lines(sew, chunk_lot, False, chunk_m2)
    t.lines(sew, garments, True, garments_qty)

    lots, events, lines = t.build()
    n = len(lots)
    conversions = UnitConversions()
    conversions.declare(0, Unit.HEAD, 1, Unit.KG, CATTLE_TO_HIDE_KG)
    conversions.declare(1, Unit.KG, 2, Unit.M2, HIDE_KG_TO_LEATHER_M2)
    conversions.declare(2, Unit.M2, 3, Unit.PIECE, LEATHER_M2_TO_GARMENTS)

    country = np.full((n, len(XINJI_COUNTRIES)), np.nan)
    known = farm_country[farm] >= 0
    country[cattle[known]] = 0.0
    country[cattle[known], farm_country[farm][known]] = 1.0
    df_verified = np.full(n, np.nan)
    df_verified[cattle] = verified.astype(float)
    chrome_free_share = np.full(n, np.nan)
    chrome_free_share[leather] = chrome_free[batch_tannery].astype(float)
    lwg_share = np.full(n, np.nan)
    lwg_share[leather] = lwg[batch_tannery].astype(float)
    co2e = np.zeros(n)
    water = np.zeros(n)
    chromium = np.zeros(n)
    energy = np.zeros(n)
    co2e[cattle] = 120.0  # allocated to the hide, per head
    water[leather] = np.where(chrome_free[batch_tannery], 110.0, 90.0)  # L/m²
    chromium[leather] = np.where(chrome_free[batch_tannery], 0.0, 0.25)  # kg Cr2O3/m²
    energy[leather] = 3.0
    energy[garments] = 1.5
    verified_origin = np.zeros(n, bool)
    verified_origin[cattle] = verified
    represented = 2 * cattle_lots + len(kill) + len(tan) + 2 * len(leather) + 2 * len(sew)
    return ChainData(
        materials=XINJI_MATERIALS,
        lots=lots,
        events=events,
        lines=lines,
        shipments=Shipments.empty(),
        conversions=conversions,
        shares={
            "origin_country": country,
            "deforestation_free": df_verified,
            "chrome_free": chrome_free_share,
            "lwg_rated": lwg_share,
        },
        intensities={
            "co2e_kg": co2e,
            "water_l": water,
            "chromium_kg": chromium,
            "energy_kwh": energy,
        },
        verified_origin=verified_origin,
        events_represented=int(represented),
        end_products=garments,
        origins=cattle,
    )
