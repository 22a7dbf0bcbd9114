"""EU deforestation regulation (Regulation (EU) 2023/1115): the due-diligence data of a lot of
bovine leather, as an operator enters it in the EU information system (TRACES).

What the regulation asks of cattle products (Art. 9(1), Annex I) and what TRACES takes:
- only Annex I products of cattle are in scope: live cattle 0102 21/29, meat 0201, 0202,
  offal 0206 10/22/29, 1602 50, raw hides 4101, tanned or crust hides 4104 and leather further
  prepared 4107. Sheep and goat skins (4102, 4105, 4106) and leather articles (chapter 42) are
  not: asking for their statement is an error, not an empty file;
- the geolocation of every establishment where the cattle were kept, as GeoJSON in WGS 84
  (longitude, latitude) with at least six decimals: a point each, or a polygon (closed, four
  or more positions, sides not crossing) where it is known;
- the countries of production, the net mass in kg, and the reference and verification numbers
  of the statements upstream operators already filed for the same goods.

The lot must be deforestation-free all through: a segregated lot mixed with an unverified or
unknown origin (the genealogy engine's EUDR taint) gets no statement.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

CATTLE_HS_PREFIXES: tuple[str, ...] = (
    *("010221", "010229", "0201", "0202", "020610", "020622", "020629", "160250"),
    *("4101", "4104", "4107"),
)
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_HS = re.compile(r"^\d{4}(\d{2}){0,3}$")

Activity = Literal["import", "export", "domestic"]


@dataclass(frozen=True)
class EudrProblem:
    """`code` and `params` let the caller word the problem in the reader's language; `msg` is
    the English wording for logs and the command line."""

    loc: str  # the field, e.g. "hs_code" or "plots[3].polygon"
    code: str
    msg: str
    params: dict[str, Any] = field(default_factory=dict)


class EudrError(ValueError):
    """Every problem found, not only the first: the user fixes them in one go."""

    def __init__(self, problems: list[EudrProblem]) -> None:
        super().__init__("; ".join(f"{p.loc}: {p.msg}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Operator:
    name: str
    country: str  # ISO 3166-1 alpha-2
    address: str = ""
    identifier: str = ""  # EORI or VAT number, as TRACES asks


@dataclass(frozen=True)
class Plot:
    """An establishment where the cattle were kept (a farm), with the share of the lot's mass
    that came from it (from the genealogy's origin shares)."""

    identifier: str
    producer: str
    country: str
    point: tuple[float, float] | None = None  # (longitude, latitude)
    polygon: tuple[tuple[float, float], ...] = ()  # closed ring of (longitude, latitude)
    area_ha: float | None = None
    share: float = 0.0
    deforestation_free: bool = True


@dataclass(frozen=True)
class UpstreamStatement:
    reference: str
    verification: str = ""


@dataclass(frozen=True)
class LeatherLot:
    reference: str  # the lot's identifier (LGTIN or Digital Link)
    hs_code: str
    description: str
    net_mass_kg: float
    operator: Operator
    activity: Activity = "export"
    area_m2: float | None = None  # supplementary measure of leather, where declared
    plots: tuple[Plot, ...] = ()
    upstream: tuple[UpstreamStatement, ...] = ()
    tainted: bool = False  # the genealogy found an unverified or unknown origin in the mix
    extra: dict[str, Any] = field(default_factory=dict)


def _in_scope(hs: str) -> bool:
    return any(hs.startswith(p) for p in CATTLE_HS_PREFIXES)


def _position_problem(loc: str, pos: tuple[float, float]) -> EudrProblem | None:
    if len(pos) != 2 or not all(isinstance(v, int | float) and math.isfinite(v) for v in pos):
        return EudrProblem(
            loc, "position", "a position is (longitude, latitude), two finite numbers"
        )
    lon, lat = pos
    if not -180 <= lon <= 180:
        return EudrProblem(
            loc, "longitude", f"longitude {lon} is outside -180..180", {"value": lon}
        )
    if not -90 <= lat <= 90:
        return EudrProblem(
            loc,
            "latitude",
            f"latitude {lat} is outside -90..90 (positions are longitude first)",
            {"value": lat},
        )
    return None


def _cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _sides_cross(ring: tuple[tuple[float, float], ...]) -> bool:
    """Whether two non-adjacent sides of a closed ring properly cross (O(n²): plots are small)."""
    sides = list(zip(ring, ring[1:], strict=False))
    n = len(sides)
    for i in range(n):
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue  # first and last side share the closing vertex
            (p, q), (r, s) = sides[i], sides[j]
            d1, d2 = _cross(p, q, r), _cross(p, q, s)
            d3, d4 = _cross(r, s, p), _cross(r, s, q)
            if d1 * d2 < 0 and d3 * d4 < 0:
                return True
    return False


def _plot_problems(i: int, plot: Plot) -> list[EudrProblem]:
    loc = f"plots[{i}]"
    place = {"plot": plot.identifier}
    out: list[EudrProblem] = []
    if not _COUNTRY.match(plot.country):
        out.append(
            EudrProblem(
                f"{loc}.country",
                "country",
                f"{plot.country!r} is not an ISO 3166 code",
                {"value": plot.country},
            )
        )
    if not plot.deforestation_free:
        out.append(
            EudrProblem(
                f"{loc}.deforestation_free",
                "not_verified",
                f"{plot.identifier} is not verified",
                place,
            )
        )
    if plot.polygon:
        ring = plot.polygon
        bad = next((p for p in (_position_problem(f"{loc}.polygon", q) for q in ring) if p), None)
        if bad:
            out.append(bad)
        elif len(ring) < 4 or ring[0] != ring[-1]:
            out.append(
                EudrProblem(
                    f"{loc}.polygon",
                    "ring_open",
                    "a closed ring: 4 or more positions, last = first",
                    place,
                )
            )
        elif _sides_cross(ring):
            out.append(
                EudrProblem(
                    f"{loc}.polygon", "ring_crosses", "the polygon's sides cross each other", place
                )
            )
    elif plot.point is not None:
        bad = _position_problem(f"{loc}.point", plot.point)
        if bad:
            out.append(bad)
    else:
        out.append(
            EudrProblem(
                f"{loc}.point", "no_geolocation", f"{plot.identifier} has no geolocation", place
            )
        )
    return out


def _problems(lot: LeatherLot) -> list[EudrProblem]:
    out: list[EudrProblem] = []
    hs = lot.hs_code.replace(".", "").replace(" ", "")
    if not _HS.match(hs):
        out.append(
            EudrProblem(
                "hs_code",
                "hs_format",
                f"{lot.hs_code!r} is not an HS code (4 to 10 digits)",
                {"value": lot.hs_code},
            )
        )
    elif not _in_scope(hs):
        out.append(
            EudrProblem(
                "hs_code",
                "hs_scope",
                f"{lot.hs_code} is not a cattle product of the regulation's Annex I "
                "(sheep and goat skins and leather articles are outside it)",
                {"value": lot.hs_code},
            )
        )
    if not (lot.net_mass_kg > 0 and math.isfinite(lot.net_mass_kg)):
        out.append(
            EudrProblem("net_mass_kg", "net_mass", "the net mass must be a positive number of kg")
        )
    if lot.activity not in ("import", "export", "domestic"):
        out.append(EudrProblem("activity", "activity", "activity is import, export or domestic"))
    if not lot.operator.name.strip():
        out.append(EudrProblem("operator.name", "operator_name", "the operator is named"))
    if not _COUNTRY.match(lot.operator.country):
        out.append(
            EudrProblem(
                "operator.country",
                "country",
                "an ISO 3166 alpha-2 country code",
                {"value": lot.operator.country},
            )
        )
    if lot.tainted:
        out.append(
            EudrProblem(
                "reference",
                "tainted",
                "the lot took in hides of unknown or unverified origin: it is not "
                "deforestation-free and gets no statement",
            )
        )
    if not lot.plots:
        out.append(
            EudrProblem("plots", "no_plots", "no establishment of origin is known for the lot")
        )
    for i, plot in enumerate(lot.plots):
        out.extend(_plot_problems(i, plot))
    return out


def _six(v: float) -> float:
    return round(float(v), 6)


def geojson(plots: tuple[Plot, ...]) -> dict[str, Any]:
    """The plots as a GeoJSON FeatureCollection (RFC 7946, WGS 84), six decimals."""
    features = []
    for plot in plots:
        if plot.polygon:
            geometry: dict[str, Any] = {
                "type": "Polygon",
                "coordinates": [[[_six(x), _six(y)] for x, y in plot.polygon]],
            }
        else:
            assert plot.point is not None
            geometry = {"type": "Point", "coordinates": [_six(plot.point[0]), _six(plot.point[1])]}
        properties: dict[str, Any] = {
            "ProducerName": plot.producer,
            "ProducerCountry": plot.country,
            "ProductionPlace": plot.identifier,
            "ShareOfLot": round(plot.share, 6),
        }
        if plot.area_ha is not None:
            properties["Area"] = plot.area_ha
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def due_diligence_statement(lot: LeatherLot) -> dict[str, Any]:
    """The statement's data for TRACES, or EudrError with every problem found."""
    problems = _problems(lot)
    if problems:
        raise EudrError(problems)
    countries = sorted({p.country for p in lot.plots})
    measure: dict[str, Any] = {"netWeight": round(lot.net_mass_kg, 3)}
    if lot.area_m2 is not None:
        measure["supplementaryUnit"] = round(lot.area_m2, 3)
        measure["supplementaryUnitQualifier"] = "MTK"
    return {
        "regulation": "EU 2023/1115",
        "activityType": lot.activity.upper(),
        "operator": {
            "name": lot.operator.name,
            "country": lot.operator.country,
            "address": lot.operator.address,
            "identifier": lot.operator.identifier,
        },
        "lot": lot.reference,
        "commodities": [
            {
                "commodity": "cattle",
                "hsHeading": lot.hs_code.replace(".", "").replace(" ", ""),
                "descriptionOfGoods": lot.description,
                "goodsMeasure": measure,
                "countriesOfProduction": countries,
                "geolocation": geojson(lot.plots),
            }
        ],
        "associatedStatements": [
            {"referenceNumber": s.reference, "verificationNumber": s.verification}
            for s in lot.upstream
        ],
        **lot.extra,
    }
