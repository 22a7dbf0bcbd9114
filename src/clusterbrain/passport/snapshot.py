"""The content of a passport, computed once from the genealogy when a firm publishes (or
refreshes) it: the only thing the public page and its JSON ever show (decision 0013).

It holds shares (percent of the product's content), names, dates, certificates and intensities
per unit: never a quantity of anyone's lot, never an amount on an edge, never a customer. The
trace runs as the platform (it must reach other firms' lots to find origins), which is why its
result is reduced here to what the publishing firm chose to show before anything is stored.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from clusterbrain.engines.genealogy.graph import trace_back
from clusterbrain.engines.passport import chain
from clusterbrain.errors import DomainError
from clusterbrain.registry.models import Certification, Enterprise
from clusterbrain.trace.models import Location, Lot
from clusterbrain.trace.selectors import lot_genealogy

SCHEMA = "https://clusterbrain.org/schemas/passport/1"
_CHUNK = 900
# certificates a passport lists for the firms it names (registry kinds)
PASSPORT_CERTIFICATES = (
    *Certification.LWG_KINDS,
    Certification.Kind.CHROME_FREE,
    *Certification.GREEN_FACTORY_KINDS,
    Certification.Kind.ISO14001,
)


@dataclass(frozen=True)
class Options:
    origins: str  # country | region | farm | none
    show_firms: bool
    show_certificates: bool
    show_footprint: bool


def _pct(share: float) -> float:
    return round(100.0 * share, 1)


def _sig(value: float | None) -> float | None:
    if value is None:
        return None
    return float(f"{value:.3g}")


def _lots(keys: list[str]) -> dict[str, Lot]:
    out: dict[str, Lot] = {}
    for at in range(0, len(keys), _CHUNK):
        qs = Lot.objects.filter(key__in=keys[at : at + _CHUNK]).select_related(
            "owner", "location", "made_by", "made_by__enterprise"
        )
        out.update((lot.key, lot) for lot in qs)
    return out


def _firm(firm: Enterprise | None) -> dict[str, str] | None:
    if firm is None:
        return None
    return {"name_zh": firm.name_zh, "name_en": firm.name_en or firm.name_zh}


def _valid_certificates(firm_ids: set[int], today: datetime.date) -> dict[int, list[Certification]]:
    out: dict[int, list[Certification]] = defaultdict(list)
    if not firm_ids:
        return out
    qs = Certification.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        enterprise_id__in=firm_ids,
        verified=True,
        kind__in=PASSPORT_CERTIFICATES,
    ).order_by("kind")
    for cert in qs:
        out[cert.enterprise_id].append(cert)
    return out


def _product(lot: Lot | None, attrs: dict[str, Any]) -> dict[str, str]:
    material = lot.material if lot is not None else ""
    zh = chain.read(attrs, chain.PRODUCT_ZH)
    en = chain.read(attrs, chain.PRODUCT_EN)
    return {
        "material": material,
        "name_zh": str(zh or en or material),
        "name_en": str(en or zh or material),
    }


def _maker(lot: Lot) -> Enterprise | None:
    event = lot.made_by
    if event is not None and event.enterprise is not None:
        return event.enterprise
    return lot.owner


def _grade(firm: Enterprise) -> dict[str, Any] | None:
    """The firm's carbon-efficiency grade, only where the firm published it (green app)."""
    from clusterbrain.green.selectors import firm_grade

    try:
        grade = firm_grade(firm, AnonymousUser())
    except DomainError:
        return None
    if grade is None or grade.grade is None or not grade.published:
        return None
    return {"year": grade.year, "grade": grade.grade}


def build(
    lot: Lot,
    publisher: Enterprise,
    key: dict[str, str],
    titles: tuple[str, str],
    options: Options,
    today: datetime.date,
) -> dict[str, Any]:
    """The passport content of `lot` (see the module note for what may be in it)."""
    g = lot_genealogy()
    graph, feed = g.graph, g.feed
    row = g.row(lot.key)
    members: list[int] = []
    shares: dict[int, float] = {}
    origins_rows: list[int] = []
    if row is not None:
        found = trace_back(graph, row)
        members = found.lots.tolist()
        shares = dict(zip(members, found.share.tolist(), strict=True))
        origins_rows = [r for r, end in zip(members, found.is_end.tolist(), strict=True) if end]
    stored = _lots([feed.lot_keys[r] for r in members] + [lot.key])
    rows_all = [*members, row] if row is not None else []

    def attrs_of(r: int) -> dict[str, Any]:
        return dict(feed.lot_attributes.get(r, {}))

    # LWG: a tanned lot counts as from an LWG-rated tannery when its maker held a valid rating
    tanned = {
        r: stored[feed.lot_keys[r]]
        for r in rows_all
        if feed.lot_keys[r] in stored
        and (
            chain.read(attrs_of(r), chain.TANNING) is not None
            or chain.read(attrs_of(r), chain.CHROME_FREE) is not None
        )
    }
    makers = {r: _maker(tanned_lot) for r, tanned_lot in tanned.items()}
    certs = _valid_certificates({m.pk for m in makers.values() if m is not None}, today)
    lwg = {
        r: any(c.kind in Certification.LWG_KINDS for c in certs.get(m.pk, [])) if m else False
        for r, m in makers.items()
    }
    facts = chain.assertions(
        graph.n_lots,
        {r: attrs_of(r) for r in rows_all},
        is_origin=graph.is_origin,
        lwg_rated=lwg,
    )
    profile = chain.profiles(graph, facts, [row]).get(row) if row is not None else None

    # origins, grouped at the level the firm chose
    level = options.origins
    origins: list[dict[str, Any]] = []
    origin_materials: dict[tuple[str, str, str], float] = defaultdict(float)
    if row is not None and not origins_rows:
        origins_rows, shares = [row], {row: 1.0}  # the lot is an origin itself
    grouped: dict[tuple[str, str, str], float] = defaultdict(float)
    for r in origins_rows:
        attrs = attrs_of(r)
        origin_lot = stored.get(feed.lot_keys[r])
        product = _product(origin_lot, attrs)
        origin_materials[(product["material"], product["name_zh"], product["name_en"])] += shares[r]
        country = str(chain.read(attrs, chain.COUNTRY) or "").upper()
        region = str(chain.read(attrs, chain.REGION) or "")
        place = origin_lot.location if origin_lot is not None else None
        farm = place.name if place is not None and place.kind == Location.Kind.FARM else ""
        group = (
            country,
            region if level in ("region", "farm") else "",
            farm if level == "farm" else "",
        )
        grouped[group] += shares[r]
    if level != "none":
        for (country, region, farm), share in sorted(grouped.items(), key=lambda kv: -kv[1]):
            item: dict[str, Any] = {"country": country or None, "share_pct": _pct(share)}
            if level in ("region", "farm"):
                item["region"] = region or None
            if level == "farm":
                item["farm"] = farm or None
            origins.append(item)

    # processing steps: per firm and product made, with the dates it was made
    steps: dict[tuple[int | None, str, bool], dict[str, Any]] = {}
    firm_ids: set[int] = set()
    for r in rows_all:
        step_lot = stored.get(feed.lot_keys[r])
        if step_lot is None or step_lot.made_by is None:
            continue
        is_origin = bool(graph.is_origin[r])
        maker = _maker(step_lot)
        product = _product(step_lot, attrs_of(r))
        shown = maker if (options.show_firms and not is_origin) else None
        if shown is not None:
            firm_ids.add(shown.pk)
        k = (shown.pk if shown else None, product["material"], is_origin)
        when = step_lot.made_by.event_time.date()
        entry = steps.get(k)
        if entry is None:
            steps[k] = {
                "product": product,
                "firm": _firm(shown),
                "origin": is_origin,
                "from": when,
                "to": when,
                "level": int(graph.level[r]),
            }
        else:
            entry["from"] = min(entry["from"], when)
            entry["to"] = max(entry["to"], when)
    step_list = sorted(steps.values(), key=lambda s: (s["level"], s["from"]))
    for s in step_list:
        s["from"] = s["from"].isoformat()
        s["to"] = s["to"].isoformat()
        del s["level"]

    # materials: what the lot itself was made from, by product
    materials: dict[tuple[str, str, str], float] = defaultdict(float)
    if row is not None:
        lo, hi = int(graph.in_ptr[row]), int(graph.in_ptr[row + 1])
        for at in range(lo, hi):
            e = int(graph.in_edge[at])
            parent = int(graph.parent[e])
            product = _product(stored.get(feed.lot_keys[parent]), attrs_of(parent))
            materials[(product["material"], product["name_zh"], product["name_en"])] += float(
                graph.share[e]
            )

    def material_list(values: dict[tuple[str, str, str], float]) -> list[dict[str, Any]]:
        return [
            {"material": m, "name_zh": zh, "name_en": en, "share_pct": _pct(share)}
            for (m, zh, en), share in sorted(values.items(), key=lambda kv: -kv[1])
        ]

    certificates: dict[str, Any] | None = None
    if options.show_certificates:
        flags: dict[str, Any] = {}
        if profile is not None:
            for name in chain.FLAGS:
                flag = profile.flags[name]
                if flag.unknown < 1.0 - 1e-9:  # someone up the chain stated it
                    flags[name] = {
                        "share_pct": _pct(flag.parts.get("yes", 0.0)),
                        "unknown_pct": _pct(flag.unknown),
                    }
        firm_ids.add(publisher.pk)
        by_firm = _valid_certificates(firm_ids, today)
        firms = Enterprise.all_objects.in_bulk(list(by_firm))
        certificates = {
            "shares": flags,
            "firms": [
                {
                    "firm": _firm(firms[firm_id]),
                    "certificates": [
                        {
                            "kind": c.kind,
                            "issuer": c.issuer,
                            "valid_until": c.valid_until.isoformat() if c.valid_until else None,
                        }
                        for c in certs_of
                    ],
                }
                for firm_id, certs_of in sorted(by_firm.items())
                if firm_id in firms
            ],
            "carbon_grade": _grade(publisher),
        }

    footprint: dict[str, Any] | None = None
    if options.show_footprint and profile is not None:
        footprint = {
            "per_unit": lot.uom or "H87",
            "basis": "cradle_to_gate_declared",
            **{name: _sig(profile.intensities[name]) for name in chain.INTENSITIES},
        }

    countries = (
        [{"country": c, "share_pct": _pct(s)} for c, s in profile.countries.parts.items()]
        if profile is not None and level != "none"
        else []
    )
    return {
        "schema": SCHEMA,
        "product": {
            "gtin": key["gtin"],
            "lot": key.get("lot") or None,
            "serial": key.get("serial") or None,
            "name_zh": titles[0],
            "name_en": titles[1] or titles[0],
            "material": lot.material,
            "unit": lot.uom or "H87",
        },
        "publisher": _firm(publisher),
        "materials": material_list(materials),
        "origin_materials": material_list(origin_materials),
        "origins": {
            "level": level,
            "countries": countries,
            "unknown_country_pct": (
                _pct(profile.countries.unknown) if profile is not None and level != "none" else None
            ),
            "items": origins,
        },
        "steps": step_list,
        "certificates": certificates,
        "footprint": footprint,
    }
