"""Demo chains of traceability with published passports (issue 5, item 6), written for each demo
cluster right after its registry, matching and green demo (demo.loader.load_cluster calls
`load_chain_demo` in the same transaction):

- Hechi (cocoon_silk): farm households (240 in the demo, trace locations with coordinates in
  Hechi's counties) deliver fresh cocoons to four purchase stations; stations pool and dry them
  (0.42 kg dried per kg fresh), two reeling mills reel raw silk (0.30 kg per kg dried, so about
  0.126 kg per kg fresh, and pupae as co-product), a weaver makes fabric (12.5 m² per kg), a
  products firm sews silk quilts (a lot) and a scarf (a serial): both passports published;
- Xinji (leather_garments): cattle farms in Brazil, Australia and China (coordinates) → raw
  hides (head → kg) at a hide trader → an LWG-rated tannery tans a chrome-free crust lot (all
  origins verified deforestation-free: EUDR-ready), a chrome lot, and one lot mixed with hides
  of unknown origin (the EUDR export refuses it) → a garment maker's jackets with a passport.

Everything goes through `trace.services.capture_events(None, …)` after each firm's trace
locations exist, so events get their firm and lots their owner, as a firm's own capture would.
Deterministic for a seed; a few hundred events a cluster.
"""

from __future__ import annotations

import datetime
import logging
import random
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from clusterbrain.engines.passport.chain import NS
from clusterbrain.registry.models import Certification, Cluster, Enterprise, EnterpriseRole

logger = logging.getLogger("clusterbrain.passport")

GS1_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CONTEXT = [GS1_CONTEXT, {"cb": NS}]
HOUSEHOLDS = 240
STATIONS = 4
FRESH_TO_DRIED = 0.42
DRIED_TO_SILK = 0.30
DRIED_TO_PUPAE = 0.55
SILK_TO_FABRIC_M2 = 12.5
CATTLE_TO_HIDE_KG = 35.0
HIDE_KG_TO_LEATHER_M2 = 0.13

# county (zh, en) and its centre (latitude, longitude)
HECHI_COUNTIES = (
    ("宜州区", "Yizhou", 24.48, 108.65),
    ("环江毛南族自治县", "Huanjiang", 24.83, 108.26),
    ("都安瑶族自治县", "Du'an", 23.93, 108.10),
    ("南丹县", "Nandan", 24.98, 107.54),
    ("罗城仫佬族自治县", "Luocheng", 24.78, 108.90),
    ("天峨县", "Tian'e", 25.00, 107.17),
)
# country, region, centre (latitude, longitude), farms, verified deforestation-free
CATTLE_REGIONS = (
    ("BR", "Mato Grosso", -12.6, -55.7, 4),
    ("AU", "Queensland", -23.4, 148.2, 3),
    ("CN", "河北 Hebei", 38.1, 115.3, 3),
    ("CN", "内蒙古 Inner Mongolia", 41.9, 113.9, 2),
)


@dataclass
class ChainDemo:
    """What a demo chain made: the passports' slugs and lots worth opening."""

    events: int = 0
    passports: list[str] = field(default_factory=list)
    lots: dict[str, str] = field(default_factory=dict)  # role → lot key


class _Events:
    """EPCIS 2.0 events as dicts with stable eventIDs."""

    def __init__(self, namespace: str) -> None:
        self.ns = uuid.uuid5(uuid.NAMESPACE_URL, namespace)
        self.n = 0
        self.events: list[dict[str, Any]] = []

    def _id(self) -> str:
        self.n += 1
        return f"urn:uuid:{uuid.uuid5(self.ns, str(self.n))}"

    def declare(
        self,
        when: datetime.datetime,
        site: str,
        lot: str,
        quantity: float,
        uom: str,
        ilmd: dict[str, Any],
    ) -> None:
        self.events.append(
            {
                "type": "ObjectEvent",
                "eventID": self._id(),
                "eventTime": when.isoformat(),
                "eventTimeZoneOffset": when.strftime("%z")[:3] + ":" + when.strftime("%z")[3:],
                "action": "ADD",
                "bizStep": "commissioning",
                "disposition": "active",
                "epcList": [],
                "quantityList": [{"epcClass": lot, "quantity": round(quantity, 3), "uom": uom}],
                "readPoint": {"id": site},
                "bizLocation": {"id": site},
                "ilmd": {f"cb:{k}": v for k, v in ilmd.items()},
            }
        )

    def transform(
        self,
        when: datetime.datetime,
        site: str,
        inputs: list[tuple[str, float, str]],
        outputs: list[tuple[str, float, str]],
        ilmd: dict[str, Any] | None = None,
        serials: list[str] | None = None,
    ) -> None:
        event: dict[str, Any] = {
            "type": "TransformationEvent",
            "eventID": self._id(),
            "eventTime": when.isoformat(),
            "eventTimeZoneOffset": when.strftime("%z")[:3] + ":" + when.strftime("%z")[3:],
            "bizStep": "commissioning",
            "inputQuantityList": [
                {"epcClass": k, "quantity": round(q, 3), "uom": u} for k, q, u in inputs
            ],
            "readPoint": {"id": site},
            "bizLocation": {"id": site},
        }
        if outputs:
            event["outputQuantityList"] = [
                {"epcClass": k, "quantity": round(q, 3), "uom": u} for k, q, u in outputs
            ]
        if serials:
            event["outputEPCList"] = serials
        if ilmd:
            event["ilmd"] = {f"cb:{k}": v for k, v in ilmd.items()}
        self.events.append(event)


def _firms(cluster: Cluster, codes: tuple[str, ...], n: int) -> list[Enterprise]:
    """Up to `n` of the cluster's firms in the links, largest first (any firm as a fallback)."""
    found: list[Enterprise] = []
    roles = (
        EnterpriseRole.objects.filter(
            enterprise__cluster=cluster, enterprise__in_cluster=True, link__code__in=codes
        )
        .select_related("enterprise")
        .order_by("-capacity_per_month", "enterprise_id")
    )
    for role in roles:
        if role.enterprise not in found:
            found.append(role.enterprise)
        if len(found) >= n:
            break
    if not found:
        found = list(Enterprise.objects.filter(cluster=cluster).order_by("pk")[:n])
    return found


_prefixes: dict[tuple[int, int], str] = {}


def _prefix(firm: Enterprise, number: int) -> str:
    """A 7-digit GS1 company prefix for the firm's part in a demo chain (fictional; 69 is
    China's range): the first one no trace location uses yet, so no two locations collide."""
    from clusterbrain.trace.models import Location

    key = (firm.pk, number)
    if key not in _prefixes:
        at = zlib.crc32(f"{firm.cluster_id}".encode()) % 50_000
        taken = set(_prefixes.values())
        while True:
            candidate = f"69{at:05d}"
            if (
                candidate not in taken
                and not Location.objects.filter(
                    uri__startswith=f"urn:epc:id:sgln:{candidate}."
                ).exists()
            ):
                break
            at += 1
        _prefixes[key] = candidate
    return _prefixes[key]


def _lgtin(prefix: str, item: int, lot: str) -> str:
    return f"urn:epc:class:lgtin:{prefix}.0{item:04d}.{lot}"


def _sgln(prefix: str, ref: int) -> str:
    return f"urn:epc:id:sgln:{prefix}.{ref:05d}.0"


def _site(firm: Enterprise, number: int, ref: int, name: str, kind: str, **coords: Any) -> str:
    from clusterbrain.trace import services

    uri = _sgln(_prefix(firm, number), ref)
    services.add_location(None, firm, uri, name, kind, **coords)
    return uri


def _time(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )


def _capture(events: list[dict[str, Any]]) -> None:
    from clusterbrain.trace import services

    outcomes = services.capture_events(None, events, context=CONTEXT)
    problems = [p for o in outcomes for p in o.problems]
    if problems:
        raise RuntimeError(f"demo chain refused by capture: {problems[:3]}")


def _publish(lot_key: str, title_zh: str, title_en: str, origins: str, slug: str) -> str:
    from clusterbrain.passport import services
    from clusterbrain.trace.models import Lot

    lot = Lot.objects.get(key=lot_key)
    return services.publish(None, lot, title_zh, title_en, origins=origins, slug=slug).slug


def hechi_chain(
    cluster: Cluster,
    *,
    seed: int = 2026,
    households: int = HOUSEHOLDS,
    firms: dict[str, list[Enterprise]] | None = None,
    start: datetime.date = datetime.date(2025, 5, 6),
) -> ChainDemo:
    """The Hechi silk chain (module note). `firms` overrides who plays each part (tests):
    keys coop, station, mill, weaver, maker."""
    rng = random.Random(f"{cluster.slug}-chain-{seed}")
    _prefixes.clear()
    f = firms or {
        "coop": _firms(cluster, ("mulberry_rearing",), 3),
        "station": _firms(cluster, ("cocoon_stations", "drying_sorting"), STATIONS),
        "mill": _firms(cluster, ("reeling",), 2),
        "weaver": _firms(cluster, ("weaving_knitting",), 1),
        "maker": _firms(cluster, ("silk_products",), 1),
    }
    ev = _Events(f"clusterbrain-demo:{cluster.slug}:{seed}:hechi")
    out = ChainDemo()
    # sites
    farms: list[tuple[str, int]] = []  # (sgln, county index)
    for i in range(households):
        coop = f["coop"][i % len(f["coop"])]
        c = i % len(HECHI_COUNTIES)
        zh, en, lat, lon = HECHI_COUNTIES[c]
        name = f"{zh}蚕农 {i + 1:03d} (household {i + 1:03d}, {en})"
        uri = _site(
            coop,
            0,
            1000 + i,
            name,
            "farm",
            latitude=round(lat + rng.uniform(-0.08, 0.08), 6),
            longitude=round(lon + rng.uniform(-0.08, 0.08), 6),
        )
        farms.append((uri, c))
    stations = [_site(firm, 1, 1, f"{firm.name_zh} 收购站", "station") for firm in f["station"]]
    mills = [_site(firm, 2, 1, f"{firm.name_zh} 缫丝车间", "factory") for firm in f["mill"]]
    weaver = f["weaver"][0]
    loom = _site(weaver, 3, 1, f"{weaver.name_zh} 织造车间", "factory")
    maker = f["maker"][0]
    workshop = _site(maker, 4, 1, f"{maker.name_zh} 成品车间", "factory")
    # farm deliveries: one lot per household
    per_station: list[list[tuple[str, float]]] = [[] for _ in stations]
    for i, (farm, c) in enumerate(farms):
        coop = f["coop"][i % len(f["coop"])]
        kg = round(rng.uniform(55, 120), 1)
        lot = _lgtin(_prefix(coop, 0), 1001, f"FC{seed % 100:02d}{i + 1:04d}")
        zh, en, _lat, _lon = HECHI_COUNTIES[c]
        ev.declare(
            _time(start + datetime.timedelta(days=i % 3), 7),
            farm,
            lot,
            kg,
            "KGM",
            {
                "originCountry": "CN",
                "originRegion": f"广西河池 {zh} (Hechi, {en})",
                "productNameZh": "鲜茧",
                "productNameEn": "fresh cocoons",
                "waterM3PerUnit": 0.45,
                "energyKwhPerUnit": 0.6,
                "co2eKgPerUnit": 0.9,
            },
        )
        per_station[i % len(stations)].append((lot, kg))
    # stations pool the day's deliveries and dry them
    dried: list[tuple[str, float, int]] = []  # lot, kg, station index
    for s, (site, deliveries) in enumerate(zip(stations, per_station, strict=True)):
        firm = f["station"][s]
        prefix = _prefix(firm, 1)
        half = (len(deliveries) + 1) // 2
        for b, batch in enumerate((deliveries[:half], deliveries[half:])):
            if not batch:
                continue
            fresh = sum(q for _, q in batch)
            pool = _lgtin(prefix, 1001, f"ST{s + 1}P{b + 1}")
            day = start + datetime.timedelta(days=3 + b)
            ev.transform(
                _time(day, 9),
                site,
                [(k, q, "KGM") for k, q in batch],
                [(pool, fresh, "KGM")],
                {"productNameZh": "鲜茧（收购批）", "productNameEn": "fresh cocoons (station lot)"},
            )
            dry_lot = _lgtin(prefix, 1002, f"ST{s + 1}D{b + 1}")
            dry_kg = round(fresh * FRESH_TO_DRIED * 0.98, 3)
            ev.transform(
                _time(day, 16),
                site,
                [(pool, fresh, "KGM")],
                [(dry_lot, dry_kg, "KGM")],
                {
                    "productNameZh": "干茧",
                    "productNameEn": "dried cocoons",
                    "energyKwhPerUnit": 2.4,
                    "co2eKgPerUnit": 1.4,
                },
            )
            dried.append((dry_lot, dry_kg, s))
    # reeling: each mill reels half of the dried lots
    silk: list[tuple[str, float]] = []
    for m, site in enumerate(mills):
        prefix = _prefix(f["mill"][m], 2)
        mine = [d for i, d in enumerate(dried) if i % len(mills) == m]
        if not mine:
            continue
        total = sum(q for _, q, _s in mine)
        raw = _lgtin(prefix, 1003, f"RS{seed % 100:02d}{m + 1}")
        pupae = _lgtin(prefix, 1004, f"PU{seed % 100:02d}{m + 1}")
        raw_kg = round(total * DRIED_TO_SILK * 0.97, 3)
        ev.transform(
            _time(start + datetime.timedelta(days=8 + m), 10),
            site,
            [(k, q, "KGM") for k, q, _s in mine],
            [(raw, raw_kg, "KGM"), (pupae, round(total * DRIED_TO_PUPAE * 0.98, 3), "KGM")],
            {
                "productNameZh": "生丝 (3A)",
                "productNameEn": "raw silk (3A)",
                "waterM3PerUnit": 0.8,
                "energyKwhPerUnit": 14.0,
                "co2eKgPerUnit": 9.5,
            },
        )
        silk.append((raw, raw_kg))
    # weaving: all raw silk into one fabric lot
    fabric = _lgtin(_prefix(weaver, 3), 1005, f"FB{seed % 100:02d}01")
    silk_kg = sum(q for _, q in silk)
    fabric_m2 = round(silk_kg * SILK_TO_FABRIC_M2 * 0.95, 2)
    ev.transform(
        _time(start + datetime.timedelta(days=14), 10),
        loom,
        [(k, q, "KGM") for k, q in silk],
        [(fabric, fabric_m2, "MTK")],
        {
            "productNameZh": "桑蚕丝双绉面料",
            "productNameEn": "mulberry silk crepe fabric",
            "waterM3PerUnit": 0.04,
            "energyKwhPerUnit": 2.8,
            "co2eKgPerUnit": 1.9,
        },
    )
    # products: a lot of quilts (6 m² of fabric each) and one serialised scarf
    prefix = _prefix(maker, 4)
    quilts = _lgtin(prefix, 1006, f"QL{seed % 100:02d}01")
    n_quilts = int(fabric_m2 * 0.5 // 6)
    ev.transform(
        _time(start + datetime.timedelta(days=18), 10),
        workshop,
        [(fabric, round(n_quilts * 6.0, 2), "MTK")],
        [(quilts, n_quilts, "H87")],
        {
            "productNameZh": "桑蚕丝被",
            "productNameEn": "mulberry silk quilt",
            "energyKwhPerUnit": 3.0,
            "co2eKgPerUnit": 1.8,
        },
    )
    scarf = f"urn:epc:id:sgtin:{prefix}.01007.SC{seed % 100:02d}0001"
    ev.transform(
        _time(start + datetime.timedelta(days=19), 10),
        workshop,
        [(fabric, 1.2, "MTK")],
        [],
        {"productNameZh": "真丝围巾", "productNameEn": "silk scarf"},
        serials=[scarf],
    )
    _capture(ev.events)
    out.events = len(ev.events)
    out.lots = {"product": quilts, "serial": scarf, "fabric": fabric}
    out.passports.append(
        _publish(
            quilts,
            "桑蚕丝被（河池）",
            "Mulberry silk quilt (Hechi)",
            "region",
            f"{cluster.slug}-quilt",
        )
    )
    out.passports.append(_publish(scarf, "真丝围巾", "Silk scarf", "farm", f"{cluster.slug}-scarf"))
    return out


def _lwg_tannery(cluster: Cluster, tanneries: list[Enterprise]) -> Enterprise:
    """A tannery holding a verified LWG rating (the demo gives the first one a gold rating when
    none of them holds one, so the passport has a certificate to show)."""
    today = timezone.localdate()
    rated = (
        Certification.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today),
            enterprise__in=tanneries,
            kind__in=Certification.LWG_KINDS,
            verified=True,
        )
        .order_by("enterprise_id")
        .first()
    )
    if rated is not None:
        return rated.enterprise
    firm = tanneries[0]
    Certification.objects.create(
        enterprise=firm,
        kind=Certification.Kind.LWG_GOLD,
        issuer="Leather Working Group",
        number=f"LWG-DEMO-{firm.pk}",
        valid_from=today - datetime.timedelta(days=200),
        valid_until=today + datetime.timedelta(days=500),
        verified=True,
    )
    return firm


def xinji_chain(
    cluster: Cluster,
    *,
    seed: int = 2026,
    firms: dict[str, list[Enterprise]] | None = None,
    start: datetime.date = datetime.date(2025, 9, 1),
) -> ChainDemo:
    """The Xinji leather chain (module note). `firms` overrides who plays each part (tests):
    keys trader, tannery (the first is the LWG-rated one), garments."""
    rng = random.Random(f"{cluster.slug}-chain-{seed}")
    _prefixes.clear()
    f = firms or {
        "trader": _firms(cluster, ("sheepskin_hides",), 1),
        "tannery": _firms(cluster, ("tanning_fur_dressing",), 5),
        "garments": _firms(cluster, ("cutting_sewing",), 1),
    }
    trader = f["trader"][0]
    tannery = f["tannery"][0] if firms else _lwg_tannery(cluster, f["tannery"])
    maker = f["garments"][0]
    ev = _Events(f"clusterbrain-demo:{cluster.slug}:{seed}:xinji")
    out = ChainDemo()
    hides_site = _site(trader, 5, 1, f"{trader.name_zh} 原料皮仓库", "warehouse")
    tan_site = _site(tannery, 6, 1, f"{tannery.name_zh} 制革车间", "factory")
    sew_site = _site(maker, 7, 1, f"{maker.name_zh} 裁剪缝制车间", "factory")
    trader_prefix = _prefix(trader, 5)
    hides: dict[str, list[tuple[str, float]]] = {"BR": [], "AU": [], "CN": []}
    n = 0
    for country, region, lat, lon, count in CATTLE_REGIONS:
        for _ in range(count):
            n += 1
            farm = _site(
                trader,
                8,
                100 + n,
                f"{region} cattle farm {n:02d}",
                "farm",
                latitude=round(lat + rng.uniform(-0.6, 0.6), 6),
                longitude=round(lon + rng.uniform(-0.6, 0.6), 6),
            )
            head = rng.randint(40, 90)
            cattle = _lgtin(trader_prefix, 2001, f"CT{n:03d}")
            ilmd: dict[str, Any] = {
                "originCountry": country,
                "originRegion": region,
                "deforestationFree": True,
                "productNameZh": "肉牛",
                "productNameEn": "cattle",
            }
            if country != "CN":
                ilmd["eudrReference"] = f"25{country}{seed % 1000:03d}{n:04d}"
                ilmd["eudrVerification"] = f"V{n:03d}{country}"
            ev.declare(_time(start, 8), farm, cattle, head, "HEA", ilmd)
            hide = _lgtin(trader_prefix, 2002, f"RH{n:03d}")
            kg = round(head * CATTLE_TO_HIDE_KG * 0.97, 1)
            ev.transform(
                _time(start + datetime.timedelta(days=5), 9),
                hides_site,
                [(cattle, head, "HEA")],
                [(hide, kg, "KGM")],
                {"productNameZh": "盐湿牛皮", "productNameEn": "wet-salted raw hides"},
            )
            hides[country].append((hide, kg))
    unknown = _lgtin(trader_prefix, 2002, "RH-UNK01")
    ev.declare(
        _time(start + datetime.timedelta(days=5), 10),
        hides_site,
        unknown,
        1800.0,
        "KGM",
        {"productNameZh": "来源不明的牛皮", "productNameEn": "raw hides, origin not documented"},
    )
    tan_prefix = _prefix(tannery, 6)

    def tan(
        lot_no: str,
        inputs: list[tuple[str, float]],
        tanning: str,
        day: int,
        hs: str,
    ) -> tuple[str, float]:
        kg = sum(q for _, q in inputs)
        m2 = round(kg * HIDE_KG_TO_LEATHER_M2 * 0.96, 2)
        lot = _lgtin(tan_prefix, 2003, lot_no)
        chrome_free = tanning != "chrome"
        ev.transform(
            _time(start + datetime.timedelta(days=day), 10),
            tan_site,
            [(k, q, "KGM") for k, q in inputs],
            [(lot, m2, "MTK")],
            {
                "productNameZh": "无铬鞣牛坯革" if chrome_free else "铬鞣牛坯革",
                "productNameEn": "chrome-free bovine crust leather"
                if chrome_free
                else "chrome-tanned bovine crust leather",
                "tanning": tanning,
                "hsCode": hs,
                "netMassKg": round(m2 * 0.62, 1),
                "waterM3PerUnit": 0.11 if chrome_free else 0.14,
                "energyKwhPerUnit": 5.6,
                "co2eKgPerUnit": 3.1 if chrome_free else 3.6,
            },
        )
        return lot, m2

    ready, ready_m2 = tan("XJ-CF-01", hides["BR"] + hides["CN"][:3], "chrome_free", 12, "4107")
    tan("XJ-CR-01", hides["AU"], "chrome", 13, "4107")
    tainted, _m2 = tan("XJ-CF-02", hides["CN"][3:] + [(unknown, 1800.0)], "chrome_free", 14, "4107")
    jackets = _lgtin(_prefix(maker, 7), 2004, f"JK{seed % 100:02d}01")
    n_jackets = int(ready_m2 * 0.6 // 2.2)
    ev.transform(
        _time(start + datetime.timedelta(days=20), 10),
        sew_site,
        [(ready, round(n_jackets * 2.2, 2), "MTK")],
        [(jackets, n_jackets, "H87")],
        {
            "productNameZh": "无铬鞣牛皮夹克",
            "productNameEn": "chrome-free leather jacket",
            "hsCode": "4203.10",
            "energyKwhPerUnit": 2.2,
            "co2eKgPerUnit": 1.3,
        },
    )
    _capture(ev.events)
    out.events = len(ev.events)
    out.lots = {"product": jackets, "eudr_ready": ready, "eudr_tainted": tainted}
    out.passports.append(
        _publish(
            jackets,
            "无铬鞣牛皮夹克（辛集）",
            "Chrome-free leather jacket (Xinji)",
            "region",
            f"{cluster.slug}-jacket",
        )
    )
    return out


CHAINS = {"cocoon_silk": hechi_chain, "leather_garments": xinji_chain}


def load_chain_demo(cluster: Cluster, *, seed: int = 2026) -> ChainDemo | None:
    """The cluster's demo chain, or None for a cluster without one (or without the EPCIS
    schema to validate events against: the demo then goes on without traceability)."""
    from clusterbrain.engines.epcis.validate import SchemaNotFound, schema_path

    build = CHAINS.get(cluster.chain_template.slug)
    if build is None:
        return None
    try:
        schema_path()
    except SchemaNotFound:
        logger.warning("EPCIS schema not found: the %s demo chain is left out", cluster.slug)
        return None
    return build(cluster, seed=seed)


def delete_chain_demo(cluster: Cluster) -> None:
    """Remove the cluster's traceability rows (passports, events, lots, trace locations) before
    its demo firms are deleted: events and lots protect the firms they name."""
    from clusterbrain.passport.models import Passport
    from clusterbrain.trace.models import (
        CaptureJob,
        Event,
        EventKey,
        Location,
        Lot,
    )
    from clusterbrain.trace.selectors import forget_genealogy
    from clusterbrain.trace.services import recount_events

    firms = Enterprise.all_objects.filter(cluster=cluster)
    Passport.objects.filter(enterprise__in=firms).delete()
    locations = Location.objects.filter(enterprise__in=firms)
    events = Event.objects.filter(
        Q(enterprise__in=firms) | Q(cluster=cluster) | Q(location__in=locations)
    )
    lots = Lot.objects.filter(Q(owner__in=firms) | Q(cluster=cluster) | Q(location__in=locations))
    Passport.objects.filter(lot__in=lots).delete()
    removed = events.count()
    if not removed and not lots.exists() and not locations.exists():
        return
    jobs = set(events.exclude(capture_job=None).values_list("capture_job_id", flat=True))
    EventKey.objects.filter(event__in=events).delete()
    Lot.objects.filter(made_by__in=events).update(made_by=None)
    lots.delete()
    events.delete()
    locations.delete()
    # the demo's capture jobs (the platform's, no user) go with their events
    CaptureJob.objects.filter(pk__in=jobs, user=None, events=None).delete()
    if removed:
        recount_events()  # the capture counter and genealogy caches follow the table again
    forget_genealogy()


def demo_passport_paths() -> list[str]:
    """The published demo passports' Digital Link paths (for the demo command's printout)."""
    from clusterbrain.passport.models import Passport

    return [
        p.path
        for p in Passport.objects.filter(
            status=Passport.Status.PUBLISHED, enterprise__is_demo=True
        ).order_by("slug")[:5]
    ]
