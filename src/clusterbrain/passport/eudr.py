"""The EUDR due-diligence data of a leather lot (Regulation (EU) 2023/1115), assembled from the
lot's genealogy for `engines.passport.eudr` to check and shape.

    eudr_export(user, lot) -> EudrExport                  the lot's owner firm, its cluster's
                                                          office, admins; InvalidInput naming
                                                          every problem's field otherwise

- origin farms: the origins of a trace back (their share of the lot), at the `Location`s where
  their lots were declared (kind farm, latitude/longitude); lots from the same farm are one
  plot; an origin declared anywhere else is a plot without geolocation (an error, by name);
- deforestation-free: an origin lot's `cb:deforestationFree` (verified); the chain-of-custody
  taint is `engines.genealogy.custody.eudr_segregation` over the whole graph (a lot handled
  under mass balance, ILMD `cb:custody` = `mass_balance`, taints too);
- HS code from the lot's ILMD `cb:hsCode`, net mass from `cb:netMassKg` (or the quantity of a
  lot counted in KGM), area from the quantity of a lot counted in MTK;
- upstream statements: `cb:eudrReference` / `cb:eudrVerification` on any lot up the chain;
- operator: the lot's owner firm (country CN, its USCC as identifier).

Nothing half-made: the statement and its GeoJSON come together or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from clusterbrain.engines.genealogy.custody import eudr_segregation
from clusterbrain.engines.genealogy.graph import trace_back
from clusterbrain.engines.genealogy.model import Custody
from clusterbrain.engines.passport import chain
from clusterbrain.engines.passport.eudr import (
    EudrError,
    EudrProblem,
    LeatherLot,
    Operator,
    Plot,
    UpstreamStatement,
    due_diligence_statement,
    geojson,
)
from clusterbrain.errors import FieldError, Forbidden, InvalidInput
from clusterbrain.passport import permissions
from clusterbrain.registry.models import Enterprise
from clusterbrain.trace.models import Location, Lot
from clusterbrain.trace.selectors import lot_genealogy

CUSTODY = "custody"
EUDR_REFERENCE = "eudrReference"
EUDR_VERIFICATION = "eudrVerification"
ACTIVITY = "eudrActivity"
_CHUNK = 900


@dataclass(frozen=True)
class EudrExport:
    lot: Lot
    statement: dict[str, Any]
    geojson: dict[str, Any]
    plots: int
    countries: list[str]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _lots(keys: list[str]) -> dict[str, Lot]:
    out: dict[str, Lot] = {}
    for at in range(0, len(keys), _CHUNK):
        qs = Lot.objects.filter(key__in=keys[at : at + _CHUNK]).select_related("location")
        out.update((lot.key, lot) for lot in qs)
    return out


def leather_lot(lot: Lot) -> LeatherLot:
    """The engine's input for `lot` from its genealogy (no permission check: callers check)."""
    g = lot_genealogy()
    graph, feed = g.graph, g.feed
    row = g.row(lot.key)
    attrs = dict(lot.attributes or {})
    origin_rows: list[int] = []
    shares: dict[int, float] = {}
    members: list[int] = []
    tainted = False
    if row is not None:
        found = trace_back(graph, row)
        members = found.lots.tolist()
        shares = dict(zip(members, found.share.tolist(), strict=True))
        origin_rows = [r for r, end in zip(members, found.is_end.tolist(), strict=True) if end]
        if not origin_rows:
            origin_rows, shares = [row], {row: 1.0}
        verified = np.zeros(graph.n_lots, bool)
        custody = feed.lots.custody.copy()
        for r, a in feed.lot_attributes.items():
            if chain.read(a, chain.DEFORESTATION_FREE) is True:
                verified[r] = True
            if str(chain.read(a, CUSTODY) or "").lower() == "mass_balance":
                custody[r] = int(Custody.MASS_BALANCE)
        result = eudr_segregation(graph, replace(feed.lots, custody=custody), verified)
        tainted = not bool(result.deforestation_free[row])
    stored = _lots([feed.lot_keys[r] for r in origin_rows + members])
    plots: dict[str, dict[str, Any]] = {}
    for r in origin_rows:
        a = feed.lot_attributes.get(r, {})
        origin = stored.get(feed.lot_keys[r])
        place = origin.location if origin is not None else None
        farm = place is not None and place.kind == Location.Kind.FARM
        ident = place.uri if farm and place is not None else feed.lot_keys[r]
        plot = plots.get(ident)
        if plot is None:
            point = None
            if (
                farm
                and place is not None
                and place.latitude is not None
                and place.longitude is not None
            ):
                point = (float(place.longitude), float(place.latitude))
            plot = plots[ident] = {
                "identifier": ident,
                "producer": place.name if farm and place is not None else "",
                "country": str(chain.read(a, chain.COUNTRY) or "").upper(),
                "point": point,
                "share": 0.0,
                "deforestation_free": chain.read(a, chain.DEFORESTATION_FREE) is True,
            }
        plot["share"] += shares.get(r, 0.0)
        plot["deforestation_free"] = plot["deforestation_free"] and (
            chain.read(a, chain.DEFORESTATION_FREE) is True
        )
    upstream: dict[str, str] = {}
    for r in members:
        a = feed.lot_attributes.get(r, {})
        ref = chain.read(a, EUDR_REFERENCE)
        if isinstance(ref, str) and ref.strip():
            upstream[ref.strip()] = str(chain.read(a, EUDR_VERIFICATION) or "")
    net = _number(chain.read(attrs, chain.NET_MASS_KG))
    if net is None and lot.uom == "KGM":
        net = lot.quantity
    area = lot.quantity if lot.uom == "MTK" else None
    owner = (
        Enterprise.all_objects.filter(pk=lot.owner_id).first() if lot.owner_id is not None else None
    )
    name_en = chain.read(attrs, chain.PRODUCT_EN)
    return LeatherLot(
        reference=lot.key,
        hs_code=str(chain.read(attrs, chain.HS_CODE) or ""),
        description=str(name_en or chain.read(attrs, chain.PRODUCT_ZH) or lot.material),
        net_mass_kg=float(net) if net is not None else 0.0,
        operator=Operator(
            name=(owner.name_en or owner.name_zh) if owner else "",
            country="CN",
            address=(owner.address_en or owner.address_zh) if owner else "",
            identifier=(owner.uscc or "") if owner else "",
        ),
        activity=str(chain.read(attrs, ACTIVITY) or "export"),  # type: ignore[arg-type]
        area_m2=area,
        plots=tuple(
            Plot(
                identifier=p["identifier"],
                producer=p["producer"] or p["identifier"],
                country=p["country"],
                point=p["point"],
                share=p["share"],
                deforestation_free=p["deforestation_free"],
            )
            for p in sorted(plots.values(), key=lambda p: -p["share"])
        ),
        upstream=tuple(UpstreamStatement(ref, ver) for ref, ver in sorted(upstream.items())),
        tainted=tainted,
    )


def problem_text(problem: EudrProblem) -> str:
    """The engine's problem in the reader's language."""
    texts = {
        "position": _("A position is a longitude and a latitude, two numbers."),
        "longitude": _("Longitude %(value)s is outside -180 to 180."),
        "latitude": _("Latitude %(value)s is outside -90 to 90 (positions give longitude first)."),
        "country": _("%(value)s is not an ISO 3166 two-letter country code."),
        "not_verified": _("%(plot)s is not verified deforestation-free."),
        "ring_open": _(
            "The polygon of %(plot)s is not closed: 4 or more positions, the last equal to "
            "the first."
        ),
        "ring_crosses": _("The sides of the polygon of %(plot)s cross each other."),
        "no_geolocation": _("%(plot)s has no geolocation (a farm location with coordinates)."),
        "hs_format": _("%(value)s is not an HS code (4 to 10 digits)."),
        "hs_scope": _(
            "HS %(value)s is not a cattle product of the regulation's Annex I: sheep and goat "
            "skins and leather articles are outside it, and need no statement."
        ),
        "net_mass": _("The net mass must be a positive number of kg."),
        "activity": _("The activity is import, export or domestic."),
        "operator_name": _("The operator has no name."),
        "tainted": _(
            "The lot took in hides of unknown or unverified origin: it is not "
            "deforestation-free and gets no statement."
        ),
        "no_plots": _("No farm of origin is known for the lot."),
    }
    text = texts.get(problem.code)
    if text is None:
        return problem.msg
    return text % {k: str(v) for k, v in problem.params.items()} if problem.params else text


def eudr_export(user: Any, lot: Lot) -> EudrExport:
    """The statement and its GeoJSON, or InvalidInput with every problem at its field."""
    if not permissions.may_export_eudr(user, lot.owner_id, lot.cluster_id):
        raise Forbidden(
            _("Only the firm that owns this lot, or its cluster office, exports its EUDR data.")
        )
    data = leather_lot(lot)
    try:
        statement = due_diligence_statement(data)
    except EudrError as exc:
        errors = [FieldError(tuple(p.loc.split(".")), problem_text(p)) for p in exc.problems]
        raise InvalidInput(
            _("This lot cannot get a due-diligence statement yet: %(n)d problem(s).")
            % {"n": len(errors)},
            errors,
        ) from exc
    counts: dict[str, int] = defaultdict(int)
    for p in data.plots:
        counts[p.country] += 1
    return EudrExport(lot, statement, geojson(data.plots), len(data.plots), sorted(counts))
