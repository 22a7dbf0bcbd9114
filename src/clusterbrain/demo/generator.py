"""The demo data of a seed cluster as plain dataclasses (no ORM): deterministic for a seed.

    generate_cluster("xinji", scale=1, seed=2026, as_of=date(2026, 11, 24)) -> ClusterData
    generate_demo(["xinji", "hechi"], scale=1, seed=2026) -> list[ClusterData]

The same (slug, scale, seed, as_of) always gives equal data. Every random draw comes from a
`random.Random` seeded with a string of those inputs; separate streams for the notable firms, the
ordinary firms and the relations keep the notable firms identical at every scale. `as_of` only
dates certificates (valid on that day; the counted ones stay valid for months after it).

Money is in whole yuan (int); the loader turns it into the models' decimals.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

from clusterbrain.demo import names as N
from clusterbrain.demo.specs import (
    ABOVE_SIZE_REVENUE,
    CLUSTERS,
    DEFAULT_SEED,
    FORMS,
    LATEST_YEAR,
    MAX_FIRMS,
    ORDINARY_REVENUE,
    OUTSIDE_REVENUE,
    YEARS,
    BrandPlan,
    CertPlan,
    ClusterSpec,
    Cohort,
    LinkPlan,
    Style,
    firms_at_scale,
    max_scale,
)
from clusterbrain.engines.resolution.uscc import ALPHABET, make_uscc

# --- output dataclasses --------------------------------------------------------------------


@dataclass(slots=True)
class RoleData:
    link: str
    product_category: str
    capacity: float
    output: float


@dataclass(slots=True)
class FacilityData:
    name_zh: str
    name_en: str
    kind: str
    address_zh: str
    address_en: str
    admin_division: str
    latitude: float
    longitude: float
    in_cluster: bool


@dataclass(slots=True)
class CertificationData:
    kind: str
    issuer: str
    number: str
    valid_from: date
    valid_until: date | None


@dataclass(slots=True)
class BrandData:
    name_zh: str
    name_en: str
    trademark_number: str
    status: str
    countries: list[str]
    value_yuan: float | None = None


@dataclass(slots=True)
class YearData:
    year: int
    revenue: int
    output_value: int
    employees: int
    exports: int


@dataclass(slots=True)
class FirmData:
    uscc: str
    name_zh: str
    name_en: str
    legal_form: str
    address_zh: str
    address_en: str
    admin_division: str
    latitude: float
    longitude: float
    size_class: str
    above_designated_size: bool
    founded_year: int
    is_member: bool
    shares_with_association: bool
    is_leading: bool
    in_cluster: bool
    description_zh: str
    description_en: str
    main_products_zh: str
    main_products_en: str
    cohort: str  # cohort key, "" for ordinary firms, "outside" for suppliers outside
    # Latest-year main-business revenue (yuan) and headcount that size_class and
    # above_designated_size follow; stored as yearly figures for in-cluster firms only.
    revenue: int = 0
    employees: int = 0
    roles: list[RoleData] = field(default_factory=list)
    facilities: list[FacilityData] = field(default_factory=list)
    certifications: list[CertificationData] = field(default_factory=list)
    brands: list[BrandData] = field(default_factory=list)
    years: list[YearData] = field(default_factory=list)


@dataclass(slots=True)
class SupplyData:
    buyer: str  # USCC
    supplier: str  # USCC
    link: str
    year: int
    value: int


@dataclass(slots=True)
class TargetData:
    year: int
    indicator: str
    value: float
    note_zh: str
    note_en: str


@dataclass(slots=True)
class FigureData:
    year: int
    indicator: str
    value: float
    source: str


@dataclass(slots=True)
class ClusterData:
    slug: str
    template: str
    name_zh: str
    name_en: str
    place_zh: str
    place_en: str
    admin_division_codes: list[str]
    industry_zh: str
    industry_en: str
    description_zh: str
    description_en: str
    latitude: float
    longitude: float
    firms: list[FirmData]
    supply: list[SupplyData]
    regional_brands: list[BrandData]
    targets: list[TargetData]
    figures: list[FigureData]
    scale: int
    seed: int


# --- the template (read from the package data, no ORM) -------------------------------------


@dataclass(frozen=True)
class TemplateLink:
    code: str
    name_zh: str
    name_en: str
    unit: str
    core: bool


@dataclass(frozen=True)
class Template:
    slug: str
    links: dict[str, TemplateLink]
    edges: tuple[tuple[str, str, float | None], ...]

    def downstream_first(self) -> list[str]:
        """Link codes so that every link comes after all links it supplies."""
        outgoing: dict[str, list[str]] = {code: [] for code in self.links}
        for up, down, _coefficient in self.edges:
            outgoing[up].append(down)
        order: list[str] = []
        done: set[str] = set()

        def visit(code: str) -> None:
            if code in done:
                return
            done.add(code)
            for down in outgoing[code]:
                visit(down)
            order.append(code)

        for code in self.links:
            visit(code)
        return order


@cache
def load_template(slug: str) -> Template:
    path = resources.files("clusterbrain.chains") / "data" / f"{slug}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    links = {
        row["code"]: TemplateLink(
            row["code"],
            row["name_zh"],
            row["name_en"],
            row.get("unit", "pieces"),
            row.get("kind", "core") == "core",
        )
        for row in data["links"]
    }
    edges = tuple((e["upstream"], e["downstream"], e.get("coefficient")) for e in data["edges"])
    return Template(slug, links, edges)


# --- helpers -------------------------------------------------------------------------------

_COUNT_UNITS = {"pieces", "pairs", "sets", "units", "styles", "reports", "parcels", "boxes"}
_SUFFIX = {
    "company": ("有限公司", "Co., Ltd."),
    "group": ("集团有限公司", "Group Co., Ltd."),
    "joint_stock": ("股份有限公司", "Co., Ltd."),
    "state": ("有限公司", "Co., Ltd."),
    "factory": ("厂", "Factory"),
    "shop": ("商行", "Trading Firm"),
    "dept": ("经营部", "Business Department"),
    "station": ("站", "Station"),
    "farm": ("家庭农场", "Family Farm"),
    "cooperative": ("专业合作社", "Professional Cooperative"),
}
_ZIHAO = list(N.ZIHAO_CHARS.items())
_SURNAMES = list(N.SURNAMES_GUANGXI.items())
_GIVEN = list(N.GIVEN_NAMES.items())
_FARM_WORDS = list(N.FARM_WORDS.items())
# How many names each fallback walk can hand out: three-character trade names of distinct
# characters (per region prefix and trade), and family farms per region prefix (owner's surname,
# one or two given characters, an optional trade word). Both exceed MAX_FIRMS, so within the
# scale limit no cluster runs out of names (tests check it).
ZIHAO_NAMES = len(_ZIHAO) * (len(_ZIHAO) - 1) * (len(_ZIHAO) - 2)
FARM_NAMES_PER_PREFIX = len(_SURNAMES) * len(_GIVEN) * (len(_GIVEN) + 1) * (len(_FARM_WORDS) + 1)
_PROVINCE_ISSUERS = {
    "science": "{province}科学技术厅",
    "industry": "{province}工业和信息化厅",
}
# kind → (age range in days on the as-of day, validity in days or None for no end, issuers,
# number format). A counted certificate so stays valid for months after the as-of day.
_CERTIFICATES: dict[str, tuple[int, int, int | None, tuple[str, ...], str]] = {
    "high_tech": (
        30,
        1000,
        1095,
        ("{province}科学技术厅、{province}财政厅、国家税务总局{province}税务局",),
        "GR{year}{prov}{n:06d}",
    ),
    "st_sme": (20, 300, 365, (_PROVINCE_ISSUERS["science"],), "{year}{div}{n:08d}"),
    "specialised_sme": (
        30,
        900,
        1095,
        (_PROVINCE_ISSUERS["industry"],),
        "ZJTX-{prov}-{year}-{n:04d}",
    ),
    "green_factory_national": (100, 2000, None, ("工业和信息化部",), "MIIT-GF-{year}-{n:04d}"),
    "green_factory_provincial": (
        100,
        2000,
        None,
        (_PROVINCE_ISSUERS["industry"],),
        "GF-{prov}-{year}-{n:04d}",
    ),
    "public_service_platform": (
        100,
        1500,
        None,
        (_PROVINCE_ISSUERS["industry"],),
        "PSP-{prov}-{year}-{n:03d}",
    ),
    "academician_workstation": (
        200,
        1500,
        1825,
        ("{province}科学技术协会",),
        "YSGZZ-{prov}-{year}-{n:03d}",
    ),
    "lwg_gold": (10, 450, 540, ("Leather Working Group",), "LWG-CN{n:04d}"),
    "lwg_silver": (10, 450, 540, ("Leather Working Group",), "LWG-CN{n:04d}"),
    "lwg_bronze": (10, 450, 540, ("Leather Working Group",), "LWG-CN{n:04d}"),
    "lwg_audited": (10, 450, 540, ("Leather Working Group",), "LWG-CN{n:04d}"),
    "chrome_free": (30, 600, 1095, ("中国皮革协会",), "CLIA-CF-{year}-{n:04d}"),
    "iso9001": (
        10,
        1000,
        1095,
        ("中国质量认证中心", "方圆标志认证集团有限公司", "北京世标认证中心有限公司"),
        "{n:05d}Q{m:05d}R{r}M",
    ),
    "iso14001": (
        10,
        1000,
        1095,
        ("中国质量认证中心", "方圆标志认证集团有限公司"),
        "{n:05d}E{m:05d}R{r}M",
    ),
}
_USCC_TAGS = {
    "shiling": ("7", "5"),
    "xinji": ("6", "0"),
    "wenzhou": ("1", "2"),
    "hechi": ("5", "K"),
}
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_EXPORT_MARKETS = (
    "US",
    "DE",
    "GB",
    "FR",
    "IT",
    "JP",
    "KR",
    "RU",
    "AE",
    "AU",
    "VN",
    "TH",
    "MY",
    "ID",
    "SA",
    "BR",
    "ES",
    "TR",
    "SG",
    "PH",
)


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def size_class(revenue: float, employees: int) -> str:
    """The SME class of an industrial firm (MIIT 2011 rule: employees and revenue)."""
    if employees >= 1000 and revenue >= 400_000_000:
        return "large"
    if employees >= 300 and revenue >= 20_000_000:
        return "medium"
    if employees >= 20 and revenue >= 3_000_000:
        return "small"
    return "micro"


def _org_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum(int(ch, 36) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


@cache
def _stride(size: int) -> int:
    """A step coprime with `size` near its golden section: stepping by it from any start visits
    every index of range(size) once, scattered."""
    step = max(1, round(size * 0.618))
    while math.gcd(step, size) != 1:
        step += 1
    return step


def _walk(rng: random.Random, size: int) -> Iterator[int]:
    """Every index of range(size) exactly once, from a random start."""
    start, step = rng.randrange(size), _stride(size)
    for k in range(size):
        yield (start + k * step) % size


def _every_zihao(rng: random.Random) -> Iterator[tuple[str, str]]:
    """Every three-character trade name of distinct characters once, (zh, en), in an order
    that starts at random."""
    n = len(_ZIHAO)
    for index in _walk(rng, n**3):
        a, b, c = index // (n * n), index // n % n, index % n
        if a in (b, c) or b == c:
            continue
        chars = (_ZIHAO[a], _ZIHAO[b], _ZIHAO[c])
        yield "".join(ch for ch, _p in chars), "".join(p for _c, p in chars).capitalize()


class _Registry:
    """Names, codes and addresses handed out in one cluster, kept unique."""

    def __init__(self, spec: ClusterSpec) -> None:
        self.spec = spec
        self.names: set[str] = set()
        self.codes: set[str] = set()
        self.brand_names: set[str] = set()
        self.trademarks: set[str] = set()
        self.old_tag, self.new_tag = _USCC_TAGS.get(spec.slug, ("9", "Y"))

    def zihao(self, rng: random.Random, length: int = 2) -> tuple[str, str]:
        chars = [rng.choice(_ZIHAO) for _ in range(length)]
        while len({c for c, _p in chars}) < length:
            chars = [rng.choice(_ZIHAO) for _ in range(length)]
        zh = "".join(c for c, _p in chars)
        en = "".join(p for _c, p in chars)
        return zh, en.capitalize()

    def uscc(self, rng: random.Random, entity: str, division: str, founded: int) -> str:
        while True:
            if founded >= 2015 or entity != "91":
                body = "MA" + self.new_tag + "".join(rng.choice(ALPHABET) for _ in range(5))
            else:
                body = self.old_tag + "".join(rng.choice("0123456789") for _ in range(7))
            code = make_uscc(entity[0], entity[1], division, body + _org_check(body))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def firm_name(
        self, rng: random.Random, style: Style, place: N.Place, street: N.Street
    ) -> tuple[str, str, str, str]:
        """(name zh, name en, short zh, short en) of a new firm.

        A few random draws first (short trade names are the common ones); when they all meet
        names already taken, a walk over every candidate of the pattern, which holds more names
        than a cluster may have firms (MAX_FIRMS), so a free one is always found."""
        naming = N.NAMING[place.division]
        if style.form == "farm":
            return self._farm_name(rng, naming)
        suffix_zh, suffix_en = _SUFFIX[style.form]

        def compose(
            prefix: tuple[str, str], z_zh: str, z_en: str
        ) -> tuple[str, str, str, str] | None:
            short_zh, short_en = z_zh + style.industry_zh, f"{z_en} {style.industry_en}"
            return self._claim(
                f"{prefix[0]}{short_zh}{suffix_zh}",
                f"{prefix[1]} {short_en} {suffix_en}",
                short_zh,
                short_en,
            )

        for attempt in range(40):
            z_zh, z_en = self.zihao(rng, 2 if attempt < 8 else 3)
            name = compose(self._prefix(rng, style, naming, street), z_zh, z_en)
            if name is not None:
                return name
        prefix = self._prefix(rng, style, naming, street)
        for z_zh, z_en in _every_zihao(rng):
            name = compose(prefix, z_zh, z_en)
            if name is not None:
                return name
        raise AssertionError(f"more than {ZIHAO_NAMES:,} {style} firms in one cluster")

    @staticmethod
    def _prefix(
        rng: random.Random, style: Style, naming: N.Naming, street: N.Street
    ) -> tuple[str, str]:
        """The region part of a firm name: city or district, and for rural firms the town."""
        if style.form in ("group", "joint_stock", "state"):
            return rng.choice(naming.group)
        if style.form == "company":
            return rng.choice(naming.company)
        if style.form in ("cooperative", "station"):
            zh, en = rng.choice(
                naming.cooperative or naming.individual
                if style.form == "cooperative"
                else naming.individual
            )
            return zh + street.zh, f"{en} {street.en.split()[0]}"
        return rng.choice(naming.individual)

    def _farm_name(self, rng: random.Random, naming: N.Naming) -> tuple[str, str, str, str]:
        """A family farm is named after its owner (宜州区韦明家庭农场), sometimes with a word
        of its trade (韦明生态家庭农场)."""
        prefixes = naming.cooperative or naming.individual

        def compose(
            prefix: tuple[str, str],
            surname: tuple[str, str],
            given: Sequence[tuple[str, str]],
            word: tuple[str, str] | None,
        ) -> tuple[str, str, str, str] | None:
            short_zh = surname[0] + "".join(g[0] for g in given) + (word[0] if word else "")
            short_en = f"{surname[1]} {''.join(g[1] for g in given).capitalize()}"
            if word:
                short_en += f" {word[1]}"
            return self._claim(
                f"{prefix[0]}{short_zh}家庭农场",
                f"{prefix[1]} {short_en} Family Farm",
                short_zh + "家庭农场",
                short_en + " Family Farm",
            )

        for attempt in range(40):
            surname = rng.choice(_SURNAMES)
            given = [rng.choice(_GIVEN) for _ in range(1 + (attempt >= 4))]
            name = compose(rng.choice(prefixes), surname, given, None)
            if name is not None:
                return name
        for index in _walk(rng, len(prefixes) * FARM_NAMES_PER_PREFIX):
            rest, word = divmod(index, len(_FARM_WORDS) + 1)
            rest, second = divmod(rest, len(_GIVEN) + 1)
            rest, first = divmod(rest, len(_GIVEN))
            at_prefix, at_surname = divmod(rest, len(_SURNAMES))
            given = [_GIVEN[first]] + ([_GIVEN[second - 1]] if second else [])
            name = compose(
                prefixes[at_prefix],
                _SURNAMES[at_surname],
                given,
                _FARM_WORDS[word - 1] if word else None,
            )
            if name is not None:
                return name
        raise AssertionError("more family farms than farm names")

    def _claim(
        self, zh: str, en: str, short_zh: str, short_en: str
    ) -> tuple[str, str, str, str] | None:
        """The name, now taken, or None when a firm of the cluster already has it."""
        if zh in self.names:
            return None
        self.names.add(zh)
        return zh, en, short_zh, short_en

    def outside_name(
        self, rng: random.Random, style: Style, place_key: str
    ) -> tuple[str, str, str, str]:
        prefix_zh, prefix_en = N.OUTSIDE_NAMING[place_key]
        suffix_zh, suffix_en = _SUFFIX["group" if style.form == "group" else "company"]

        def compose(z_zh: str, z_en: str) -> tuple[str, str, str, str] | None:
            return self._claim(
                f"{prefix_zh}{z_zh}{style.industry_zh}{suffix_zh}",
                f"{prefix_en} {z_en} {style.industry_en} {suffix_en}",
                z_zh + style.industry_zh,
                f"{z_en} {style.industry_en}",
            )

        for attempt in range(40):
            name = compose(*self.zihao(rng, 2 if attempt < 8 else 3))
            if name is not None:
                return name
        for z_zh, z_en in _every_zihao(rng):
            name = compose(z_zh, z_en)
            if name is not None:
                return name
        raise AssertionError(f"more than {ZIHAO_NAMES:,} outside {style} firms")

    def brand_name(self, rng: random.Random) -> tuple[str, str]:
        for attempt in range(60):
            zh, en = self.zihao(rng, 2 if attempt < 20 else 3)
            if zh not in self.brand_names:
                break
        else:
            zh, en = next(z for z in _every_zihao(rng) if z[0] not in self.brand_names)
        self.brand_names.add(zh)
        return zh, en.upper() if rng.random() < 0.5 else en

    def trademark(self, rng: random.Random) -> str:
        while True:
            number = str(rng.randint(1_000_000, 69_999_999))
            if number not in self.trademarks:
                self.trademarks.add(number)
                return number


def _jitter(rng: random.Random, place: N.Place, spread: float | None = None) -> tuple[float, float]:
    s = place.spread if spread is None else spread
    return (
        round(place.latitude + rng.gauss(0, s), 6),
        round(place.longitude + rng.gauss(0, s / math.cos(math.radians(place.latitude))), 6),
    )


def _street_address(rng: random.Random, place: N.Place, street: N.Street) -> tuple[str, str]:
    road_zh, road_en = rng.choice(street.roads)
    number = rng.randint(1, 388)
    return (
        f"{place.zh}{street.zh}{road_zh}{number}号",
        f"No. {number}, {road_en}, {street.en}, {place.en}",
    )


def _stall_address(rng: random.Random, place: N.Place) -> tuple[str, str]:
    market_zh, market_en = N.MARKETS[place.division]
    zone = rng.choice("ABCDEFGH")
    number = rng.randint(1, 680)
    return (
        f"{place.zh}{market_zh}{zone}区{number}号",
        f"Stall {zone}{number}, {market_en}, {place.en}",
    )


# --- the generator -------------------------------------------------------------------------


class _ClusterGenerator:
    def __init__(self, spec: ClusterSpec, scale: int, seed: int, as_of: date) -> None:
        self.spec = spec
        self.scale = scale
        self.seed = seed
        self.as_of = as_of
        self.template = load_template(spec.template)
        self.plans: dict[str, LinkPlan] = {plan.link: plan for plan in spec.links}
        missing = set(self.template.links) - set(self.plans)
        unknown = set(self.plans) - set(self.template.links)
        if missing or unknown:
            raise ValueError(
                f"{spec.slug}: link plans do not match template {spec.template}: "
                f"missing {sorted(missing)}, unknown {sorted(unknown)}"
            )
        self.registry = _Registry(spec)
        self.firms: list[FirmData] = []
        self.revenue: dict[str, float] = {}  # uscc → latest revenue (yuan)
        self.export_share: dict[str, float] = {}
        self.short: dict[str, tuple[str, str]] = {}  # uscc → name without region and legal form
        self.weights: dict[str, list[tuple[FirmData, float]]] = {code: [] for code in self.plans}
        self.ordinary_weight: dict[str, float] = dict.fromkeys(self.plans, 0.0)
        self.places = [place for place, _w in spec.places]
        self.place_weights = [w for _p, w in spec.places]

    def rng(self, stream: str) -> random.Random:
        return random.Random(f"{self.seed}:{self.spec.slug}:{stream}")

    # -- firms --

    def _place(self, rng: random.Random, indexes: Sequence[int] = ()) -> N.Place:
        if indexes:
            return self.places[rng.choice(indexes)]
        if len(self.places) == 1:
            return self.places[0]
        return rng.choices(self.places, self.place_weights)[0]

    def _new_firm(
        self,
        rng: random.Random,
        style: Style,
        revenue: float,
        founded: int,
        *,
        cohort: str,
        leading: bool,
        member_rate: float,
        place: N.Place,
        exporter: float,
    ) -> tuple[FirmData, N.Street]:
        street = rng.choice(N.STREETS[place.division])
        name_zh, name_en, short_zh, short_en = self.registry.firm_name(rng, style, place, street)
        legal_form, entity = FORMS[style.form]
        uscc = self.registry.uscc(rng, entity, place.division, founded)
        rural = style.form in ("cooperative", "farm", "station")
        address_zh, address_en = _street_address(rng, place, street)
        lat, lon = _jitter(rng, place, place.spread * (1.6 if rural else 1.0))
        member = rng.random() < member_rate
        productivity = rng.uniform(160_000, 420_000) if style.form != "cooperative" else 600_000
        employees = max(1 if style.form == "farm" else 2, round(revenue / productivity))
        firm = FirmData(
            uscc=uscc,
            name_zh=name_zh,
            name_en=name_en,
            legal_form=legal_form,
            address_zh=address_zh,
            address_en=address_en,
            admin_division=place.division,
            latitude=lat,
            longitude=lon,
            size_class=size_class(revenue, employees),
            above_designated_size=revenue >= ABOVE_SIZE_REVENUE,
            founded_year=founded,
            is_member=member,
            shares_with_association=member and rng.random() < self.spec.share_rate,
            is_leading=leading,
            in_cluster=True,
            description_zh="",  # written by describe() once the roles are known
            description_en="",
            main_products_zh="",
            main_products_en="",
            cohort=cohort,
            revenue=round(revenue),
            employees=employees,
        )
        self.revenue[uscc] = revenue
        self.short[uscc] = (short_zh, short_en)
        self.export_share[uscc] = rng.uniform(0.1, 0.6) if rng.random() < exporter else 0.0
        firm.years = self._years(rng, revenue, employees, founded, self.export_share[uscc])
        return firm, street

    def _add_role(
        self, firm: FirmData, link: str, weight: float, rng: random.Random, ordinary: bool
    ) -> None:
        plan = self.plans[link]
        # Stored in Chinese, the registry's language of record; describe() finds the English.
        category = rng.choice(plan.categories)[0] if plan.categories else ""
        firm.roles.append(RoleData(link, category, 0.0, 0.0))
        self.weights[link].append((firm, weight))
        if ordinary:
            self.ordinary_weight[link] += weight

    def notable_firms(self) -> None:
        rng = self.rng("notable")
        for cohort in self.spec.cohorts:
            self._check_cohort(cohort)
            style = self.spec.styles[cohort.style]
            for _ in range(cohort.count):
                revenue = round(_log_uniform(rng, *cohort.revenue))
                founded = rng.randint(*cohort.founded)
                place = self._place(rng, cohort.places)
                firm, _street = self._new_firm(
                    rng,
                    style,
                    revenue,
                    founded,
                    cohort=cohort.key,
                    leading=cohort.leading,
                    member_rate=cohort.member,
                    place=place,
                    exporter=1.0 if _exports(cohort.links) else cohort.exporter,
                )
                for i, link in enumerate(cohort.links):
                    weight = revenue * (1.0 if i == 0 else 0.3) * rng.uniform(0.7, 1.3)
                    self._add_role(firm, link, weight, rng, ordinary=False)
                self._facilities_notable(rng, firm, cohort, place)
                self.firms.append(firm)

    def _check_cohort(self, cohort: Cohort) -> None:
        low, high = cohort.revenue
        if not (low >= ABOVE_SIZE_REVENUE or high < ABOVE_SIZE_REVENUE):
            raise ValueError(f"cohort {cohort.key}: revenue range straddles the 20 M threshold")

    def ordinary_firms(self) -> None:
        rng = self.rng("ordinary")
        low_year, high_year = self.spec.founded
        for plan in self.spec.links:
            if not plan.ordinary:
                continue
            styles = [self.spec.styles[key] for key, _w in plan.styles]
            style_weights = [w for _k, w in plan.styles]
            for _ in range(plan.ordinary * self.scale):
                style = rng.choices(styles, style_weights)[0]
                low, high = ORDINARY_REVENUE[style.form]
                revenue = round(_log_uniform(rng, low, min(high, ABOVE_SIZE_REVENUE * 0.975)))
                founded = min(
                    LATEST_YEAR, int(low_year + (high_year - low_year) * rng.random() ** 0.7)
                )
                place = self._place(rng)
                firm, street = self._new_firm(
                    rng,
                    style,
                    revenue,
                    founded,
                    cohort="",
                    leading=False,
                    member_rate=self.spec.ordinary_member,
                    place=place,
                    exporter=1.0 if _exports((plan.link,)) else 0.05,
                )
                self._add_role(firm, plan.link, revenue * rng.uniform(0.7, 1.3), rng, True)
                for link, probability in plan.also:
                    if rng.random() < probability:
                        self._add_role(firm, link, revenue * 0.3 * rng.uniform(0.7, 1.3), rng, True)
                self._facilities_ordinary(rng, firm, plan, place, street)
                self.firms.append(firm)

    def outside_firms(self) -> None:
        rng = self.rng("outside")
        for plan in self.spec.outside:
            place = N.OUTSIDE[plan.place]
            style = self.spec.styles[plan.style]
            for _ in range(plan.count):
                founded = rng.randint(1995, 2020)
                name_zh, name_en, short_zh, short_en = self.registry.outside_name(
                    rng, style, plan.place
                )
                road_zh, road_en = rng.choice(N.OUTSIDE_ROADS)
                number = rng.randint(1, 388)
                lat, lon = _jitter(rng, place, 0.03)
                link = self.template.links[plan.link]
                # Established suppliers from small to large; the cluster keeps no figures of
                # theirs, but their size class and flag follow the same revenue rule.
                revenue = round(_log_uniform(rng, *OUTSIDE_REVENUE))
                employees = max(2, round(revenue / rng.uniform(160_000, 420_000)))
                firm = FirmData(
                    uscc=self.registry.uscc(rng, "91", place.division, founded),
                    name_zh=name_zh,
                    name_en=name_en,
                    legal_form="llc",
                    address_zh=f"{place.zh}{road_zh}{number}号",
                    address_en=f"No. {number}, {road_en}, {place.en}",
                    admin_division=place.division,
                    latitude=lat,
                    longitude=lon,
                    size_class=size_class(revenue, employees),
                    above_designated_size=revenue >= ABOVE_SIZE_REVENUE,
                    founded_year=founded,
                    is_member=False,
                    shares_with_association=False,
                    is_leading=False,
                    in_cluster=False,
                    description_zh=f"{short_zh}，位于{place.zh}，为集群企业供应{link.name_zh}。",
                    description_en=(
                        f"{short_en}, in {place.en}; supplies the cluster's firms ({link.name_en})."
                    ),
                    main_products_zh=link.name_zh,
                    main_products_en=link.name_en,
                    cohort="outside",
                    revenue=revenue,
                    employees=employees,
                )
                firm.roles.append(RoleData(plan.link, "", 0.0, 0.0))
                self.firms.append(firm)

    # -- yearly figures --

    def _years(
        self, rng: random.Random, revenue: float, employees: int, founded: int, export_share: float
    ) -> list[YearData]:
        years: list[YearData] = []
        current = revenue
        growth = self.spec.growth
        for year in reversed(YEARS):
            if year < founded:
                break
            ratio = current / revenue
            years.append(
                YearData(
                    year=year,
                    revenue=round(current),
                    output_value=round(current * rng.uniform(0.96, 1.08)),
                    employees=max(1, round(employees * ratio**0.6)),
                    exports=round(current * export_share * rng.uniform(0.85, 1.15)),
                )
            )
            change = rng.gauss(growth, 0.07) - (0.06 if year == 2023 else 0.0)
            current = current / (1 + max(-0.4, min(0.6, change)))
        years.reverse()
        return years

    # -- chain roles: capacities and outputs --

    def link_totals(self) -> dict[str, float]:
        """In-cluster monthly output of each link at scale 1, downstream links first."""
        totals: dict[str, float] = {}
        outgoing: dict[str, list[tuple[str, float]]] = {code: [] for code in self.plans}
        for up, down, coefficient in self.template.edges:
            if coefficient is not None:
                outgoing[up].append((down, coefficient))
        for code in self.template.downstream_first():
            plan = self.plans[code]
            if plan.yearly_output is not None:
                totals[code] = plan.yearly_output / 12
            elif plan.output is not None:
                totals[code] = plan.output
            elif outgoing[code]:
                demand = sum(totals[down] * c for down, c in outgoing[code])
                totals[code] = demand * plan.supply
            else:
                raise ValueError(f"{self.spec.slug}: link {code} needs an output or a demand")
        return totals

    def _scale_factor(self) -> float:
        """How much more the cluster makes at this scale: extra ordinary firms add their weight.

        One factor for every link that is not a fixed fact keeps each link's coverage as designed.
        """
        if self.scale == 1:
            return 1.0
        ordinary = notable = 0.0
        for code, participants in self.weights.items():
            if self.plans[code].fixed or self.plans[code].yearly_output is not None:
                continue
            link_ordinary = self.ordinary_weight[code]
            ordinary += link_ordinary
            notable += sum(w for _f, w in participants) - link_ordinary
        return (notable + ordinary) / (notable + ordinary / self.scale)

    def allocate_roles(self) -> None:
        rng = self.rng("capacity")
        totals = self.link_totals()
        factor = self._scale_factor()
        for code, participants in self.weights.items():
            if not participants:
                if totals[code] > 0:
                    raise ValueError(f"{self.spec.slug}: link {code} has output but no firms")
                continue
            plan = self.plans[code]
            total = totals[code]
            if not plan.fixed and plan.yearly_output is None:
                total *= factor
            shares = self._shares(participants, plan.top_share)
            unit = self.template.links[code].unit
            if plan.yearly_output is not None:
                outputs = [
                    kg / 1000 / 12
                    for kg in _largest_remainder(round(plan.yearly_output * 1000), shares)
                ]
            elif unit in _COUNT_UNITS:
                outputs = [float(max(1, round(total * s))) for s in shares]
            else:
                outputs = [max(0.01, round(total * s, 2)) for s in shares]
            for (firm, _w), output in zip(participants, outputs, strict=True):
                utilisation = min(0.97, max(0.35, plan.utilisation * rng.uniform(0.88, 1.12)))
                capacity = output / utilisation
                capacity = (
                    float(math.ceil(capacity)) if unit in _COUNT_UNITS else round(capacity, 2)
                )
                role = next(r for r in firm.roles if r.link == code)
                role.output = output
                role.capacity = max(capacity, output)
        # Suppliers outside the cluster: a share of the link each, not counted in coverage.
        for firm in self.firms:
            if firm.in_cluster:
                continue
            role = firm.roles[0]
            total = max(totals[role.link], 1.0)
            capacity = total * rng.uniform(0.03, 0.12)
            unit = self.template.links[role.link].unit
            role.capacity = (
                float(math.ceil(capacity)) if unit in _COUNT_UNITS else round(capacity, 2)
            )
            role.output = round(role.capacity * rng.uniform(0.6, 0.9), 2)

    @staticmethod
    def _shares(participants: list[tuple[FirmData, float]], top_share: float | None) -> list[float]:
        weights = [w for _f, w in participants]
        total = sum(weights)
        shares = [w / total for w in weights]
        if top_share is not None and len(shares) > 1:
            top = max(range(len(shares)), key=shares.__getitem__)
            rest = total - weights[top]
            shares = [
                top_share if i == top else (1 - top_share) * w / rest for i, w in enumerate(weights)
            ]
        return shares

    # -- descriptions --

    def describe(self) -> None:
        links = self.template.links
        for firm in self.firms:
            if not firm.in_cluster:
                continue
            main = firm.roles[0]
            link = links[main.link]
            english = dict(self.plans[main.link].categories)
            if main.product_category in english:
                zh, en = main.product_category, english[main.product_category]
            else:
                zh, en = link.name_zh, _lower_first(link.name_en)
            others = [links[r.link] for r in firm.roles[1:3]]
            firm.main_products_zh = "、".join([zh, *[o.name_zh for o in others]])
            firm.main_products_en = ", ".join([en, *[_lower_first(o.name_en) for o in others]])
            short_zh, short_en = self.short[firm.uscc]
            firm.description_zh = (
                f"{short_zh}成立于{firm.founded_year}年，主营{firm.main_products_zh}。"
            )
            if firm.is_leading:
                firm.description_zh += "集群链主企业，带动本地配套企业协同发展。"
            firm.description_en = (
                f"{short_en}, founded in {firm.founded_year}; main business: "
                f"{firm.main_products_en}."
            )
            if firm.is_leading:
                firm.description_en += (
                    " A leading firm of the cluster, sourcing from local suppliers."
                )

    # -- facilities --

    def _facilities_notable(
        self, rng: random.Random, firm: FirmData, cohort: Cohort, place: N.Place
    ) -> None:
        short_zh, short_en = self.short[firm.uscc]
        if cohort.leading:
            firm.facilities.append(
                self._facility(
                    rng, f"{short_zh}总部", f"{short_en} headquarters", "headquarters", place, firm
                )
            )
            firm.facilities.append(
                self._facility(rng, f"{short_zh}研发中心", f"{short_en} R&D centre", "rnd", place)
            )
            zh, en = _stall_address(rng, place)
            lat, lon = _jitter(rng, place)
            firm.facilities.append(
                FacilityData(
                    f"{short_zh}展厅",
                    f"{short_en} showroom",
                    "sales",
                    zh,
                    en,
                    place.division,
                    lat,
                    lon,
                    True,
                )
            )
            if self.spec.production_bases:
                for key in rng.sample(self.spec.production_bases, rng.choice((1, 2, 2))):
                    base = N.OUTSIDE[key]
                    road_zh, road_en = rng.choice(N.OUTSIDE_ROADS)
                    number = rng.randint(1, 388)
                    lat, lon = _jitter(rng, base, 0.02)
                    firm.facilities.append(
                        FacilityData(
                            f"{short_zh}{N.OUTSIDE_NAMING[key][0]}生产基地",
                            f"{short_en} production base, {base.en}",
                            "production",
                            f"{base.zh}{road_zh}{number}号",
                            f"No. {number}, {road_en}, {base.en}",
                            base.division,
                            lat,
                            lon,
                            False,
                        )
                    )
            else:
                firm.facilities.append(
                    self._facility(
                        rng,
                        f"{short_zh}生产基地",
                        f"{short_en} production base",
                        "production",
                        place,
                    )
                )
            if self.spec.slug == "hechi":
                for _ in range(2):
                    farm_place = self._place(rng)
                    street = rng.choice(N.STREETS[farm_place.division])
                    lat, lon = _jitter(rng, farm_place, farm_place.spread * 1.6)
                    firm.facilities.append(
                        FacilityData(
                            f"{short_zh}{street.zh}桑蚕基地",
                            f"{short_en} sericulture base, {street.en}",
                            "farm",
                            f"{farm_place.zh}{street.zh}",
                            f"{street.en}, {farm_place.en}",
                            farm_place.division,
                            lat,
                            lon,
                            True,
                        )
                    )
            return
        kind = "production" if rng.random() < 0.75 else "headquarters"
        firm.facilities.append(
            self._facility(
                rng,
                f"{short_zh}{'厂区' if kind == 'production' else '总部'}",
                f"{short_en} {'works' if kind == 'production' else 'head office'}",
                kind,
                place,
                firm,
            )
        )
        if rng.random() < 0.3:
            zh, en = _stall_address(rng, place)
            lat, lon = _jitter(rng, place)
            firm.facilities.append(
                FacilityData(
                    f"{short_zh}门市部",
                    f"{short_en} sales office",
                    "sales",
                    zh,
                    en,
                    place.division,
                    lat,
                    lon,
                    True,
                )
            )

    def _facility(
        self,
        rng: random.Random,
        name_zh: str,
        name_en: str,
        kind: str,
        place: N.Place,
        at: FirmData | None = None,
    ) -> FacilityData:
        if at is not None:
            return FacilityData(
                name_zh,
                name_en,
                kind,
                at.address_zh,
                at.address_en,
                at.admin_division,
                at.latitude,
                at.longitude,
                True,
            )
        street = rng.choice(N.STREETS[place.division])
        zh, en = _street_address(rng, place, street)
        lat, lon = _jitter(rng, place)
        return FacilityData(name_zh, name_en, kind, zh, en, place.division, lat, lon, True)

    def _facilities_ordinary(
        self, rng: random.Random, firm: FirmData, plan: LinkPlan, place: N.Place, street: N.Street
    ) -> None:
        short_zh, short_en = self.short[firm.uscc]
        if plan.facility == "stall" and rng.random() < 0.8:
            zh, en = _stall_address(rng, place)
            lat, lon = _jitter(rng, place)
            firm.facilities.append(
                FacilityData(
                    f"{short_zh}档口",
                    f"{short_en} stall",
                    "stall",
                    zh,
                    en,
                    place.division,
                    lat,
                    lon,
                    True,
                )
            )
        elif plan.facility == "farm" and rng.random() < 0.9:
            lat, lon = _jitter(rng, place, place.spread * 1.6)
            firm.facilities.append(
                FacilityData(
                    f"{short_zh}桑园",
                    f"{short_en} mulberry garden",
                    "farm",
                    f"{place.zh}{street.zh}",
                    f"{street.en}, {place.en}",
                    place.division,
                    lat,
                    lon,
                    True,
                )
            )
        elif plan.facility == "warehouse" and rng.random() < 0.5:
            firm.facilities.append(
                self._facility(
                    rng,
                    f"{short_zh}仓库",
                    f"{short_en} warehouse",
                    "warehouse",
                    place,
                )
            )

    # -- certificates and brands --

    def certificates(self) -> None:
        rng = self.rng("certificates")
        by_cohort: dict[str, list[FirmData]] = {}
        for firm in self.firms:
            if firm.cohort and firm.in_cluster:
                by_cohort.setdefault(firm.cohort, []).append(firm)
        sequence = 0
        for plan in self.spec.certificates:
            eligible = [
                f
                for key in plan.cohorts
                for f in by_cohort.get(key, [])
                if all(c.kind != plan.kind for c in f.certifications)
                and not (plan.sme_only and f.size_class == "large")
            ]
            if len(eligible) < plan.count:
                raise ValueError(
                    f"{self.spec.slug}: only {len(eligible)} firms can hold "
                    f"{plan.kind}, {plan.count} wanted"
                )
            for firm in rng.sample(eligible, plan.count):
                sequence += 1
                firm.certifications.append(self._certificate(rng, plan, firm, sequence))
        # A few ordinary firms hold ISO 9001 (some expired); never a counted certificate.
        iso = CertPlan("iso9001", 0, ())
        for firm in self.firms:
            if firm.cohort or not firm.in_cluster or firm.legal_form != "llc":
                continue
            draw = rng.random()
            if draw < 0.04:
                sequence += 1
                firm.certifications.append(self._certificate(rng, iso, firm, sequence))
            elif draw < 0.055:
                sequence += 1
                firm.certifications.append(
                    self._certificate(rng, iso, firm, sequence, expired=True)
                )

    def _certificate(
        self,
        rng: random.Random,
        plan: CertPlan,
        firm: FirmData,
        sequence: int,
        expired: bool = False,
    ) -> CertificationData:
        age_low, age_high, duration, issuers, number = _CERTIFICATES[plan.kind]
        issuer = rng.choice(issuers).format(province=self.spec.province_zh)
        if expired:
            age_low, age_high = 1200, 2000
        valid_from = self.as_of - timedelta(days=rng.randint(age_low, age_high))
        valid_until = valid_from + timedelta(days=duration) if duration else None
        text = number.format(
            year=valid_from.year,
            prov=firm.admin_division[:2],
            div=firm.admin_division,
            n=rng.randint(1, 9999) * 10 + sequence % 10,
            m=rng.randint(10000, 99999),
            r=rng.randint(0, 3),
        )
        return CertificationData(plan.kind, issuer, text, valid_from, valid_until)

    def brands(self) -> None:
        rng = self.rng("brands")
        by_cohort: dict[str, list[FirmData]] = {}
        for firm in self.firms:
            if firm.cohort and firm.in_cluster:
                by_cohort.setdefault(firm.cohort, []).append(firm)
        for plan in self.spec.brands:
            self._brand_plan(rng, plan, by_cohort)
        brand_links = {"brand_oem", "brands", "brand_owners"}
        for firm in self.firms:
            if firm.cohort or not firm.in_cluster:
                continue
            if any(r.link in brand_links for r in firm.roles) and rng.random() < 0.3:
                firm.brands.append(self._brand(rng, "ordinary", firm))

    def _brand_plan(
        self, rng: random.Random, plan: BrandPlan, by_cohort: dict[str, list[FirmData]]
    ) -> None:
        eligible = [f for key in plan.cohorts for f in by_cohort.get(key, [])]
        if len(eligible) < plan.holders or plan.holders > plan.count:
            raise ValueError(
                f"{self.spec.slug}: cannot give {plan.count} {plan.status} brands "
                f"to {plan.holders} of {len(eligible)} firms"
            )
        holders = rng.sample(eligible, plan.holders)
        for i in range(plan.count):
            firm = holders[i % plan.holders]
            firm.brands.append(self._brand(rng, plan.status, firm))

    def _brand(self, rng: random.Random, status: str, firm: FirmData) -> BrandData:
        zh, en = self.registry.brand_name(rng)
        countries = ["CN"]
        if status != "ordinary" or rng.random() < 0.2:
            countries += sorted(rng.sample(_EXPORT_MARKETS, rng.randint(0, 6)))
        return BrandData(zh, en, self.registry.trademark(rng), status, countries)

    # -- supply relations of leading firms --

    def supply_relations(self) -> list[SupplyData]:
        rng = self.rng("supply")
        by_link_local: dict[str, list[tuple[FirmData, float]]] = {}
        by_link_outside: dict[str, list[FirmData]] = {}
        for firm in self.firms:
            for role in firm.roles:
                if firm.in_cluster:
                    by_link_local.setdefault(role.link, []).append((firm, role.output))
                else:
                    by_link_outside.setdefault(role.link, []).append(firm)
        relations: list[SupplyData] = []
        for firm in self.firms:
            plans = self.spec.purchases.get(firm.cohort)
            if not plans:
                continue
            share_total = sum(p.share for p in plans)
            ratio = rng.uniform(*self.spec.purchase_ratio)
            for plan in plans:
                candidates = [(f, w) for f, w in by_link_local.get(plan.link, []) if f is not firm]
                outside = by_link_outside.get(plan.link, [])
                n_local = (
                    max(1, round(plan.suppliers * min(1.0, plan.local + 0.2))) if candidates else 0
                )
                n_out = min(len(outside), max(1, plan.suppliers - n_local)) if plan.local < 1 else 0
                local = _weighted_sample(rng, candidates, n_local)
                chosen_out = rng.sample(outside, n_out) if n_out else []
                local_w = [rng.uniform(0.3, 1.0) for _ in local]
                out_w = [rng.uniform(0.3, 1.0) for _ in chosen_out]
                for figures in firm.years:
                    year = figures.year
                    value = figures.revenue * ratio * plan.share / share_total
                    if local and chosen_out:
                        local_share = (
                            plan.local + plan.trend * (year - YEARS[0]) + rng.gauss(0, 0.012)
                        )
                        local_share = min(0.99, max(0.01, local_share))
                    else:
                        local_share = 1.0 if local else 0.0
                    for group, weights, part in (
                        (local, local_w, local_share),
                        (chosen_out, out_w, 1 - local_share),
                    ):
                        if not group or part <= 0:
                            continue
                        noisy = [w * rng.uniform(0.85, 1.15) for w in weights]
                        total_w = sum(noisy)
                        for supplier, w in zip(group, noisy, strict=True):
                            amount = round(value * part * w / total_w)
                            if amount > 0:
                                relations.append(
                                    SupplyData(firm.uscc, supplier.uscc, plan.link, year, amount)
                                )
        return relations

    # -- the reported chain output --

    def match_output_value(self) -> None:
        """Scale the in-cluster firms' output values so the reported year sums to the reported
        total to the yuan (rounding goes to the largest firm); other years scale alike, keeping
        the trend."""
        if self.spec.output_value is None:
            return
        year, total = self.spec.output_value
        rows = [y for f in self.firms if f.in_cluster for y in f.years]
        factor = total / sum(y.output_value for y in rows if y.year == year)
        for row in rows:
            row.output_value = round(row.output_value * factor)
        rows = [y for y in rows if y.year == year]
        largest = max(rows, key=lambda y: y.output_value)
        largest.output_value += total - sum(y.output_value for y in rows)

    # -- the whole cluster --

    def run(self) -> ClusterData:
        spec = self.spec
        self.notable_firms()
        self.ordinary_firms()
        self.outside_firms()
        self.allocate_roles()
        self.describe()
        self.certificates()
        self.brands()
        self.match_output_value()
        supply = self.supply_relations()
        regional = [
            BrandData(
                b.name_zh,
                b.name_en,
                b.trademark_number,
                "ordinary",
                list(b.countries),
                b.value_yuan,
            )
            for b in spec.regional_brands
        ]
        targets = [TargetData(*row) for row in spec.targets]
        figures = [
            FigureData(year, indicator, float(value), spec.figure_source)
            for year, indicator, value in spec.figures
        ]
        figures += [
            FigureData(year, indicator, float(value), source)
            for year, indicator, value, source in spec.extra_figures
        ]
        return ClusterData(
            slug=spec.slug,
            template=spec.template,
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            place_zh=spec.place_zh,
            place_en=spec.place_en,
            admin_division_codes=sorted({place.division for place in self.places}),
            industry_zh=spec.industry_zh,
            industry_en=spec.industry_en,
            description_zh=spec.description_zh,
            description_en=spec.description_en,
            latitude=spec.latitude,
            longitude=spec.longitude,
            firms=self.firms,
            supply=supply,
            regional_brands=regional,
            targets=targets,
            figures=figures,
            scale=self.scale,
            seed=self.seed,
        )


def _exports(links: Iterable[str]) -> bool:
    """Firms active in an export link report export sales."""
    return any(link.startswith("export") for link in links)


def _lower_first(text: str) -> str:
    """ "Design and R&D" → "design and R&D" (acronyms keep their case)."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _largest_remainder(total: int, shares: Sequence[float]) -> list[int]:
    """Split a whole number by shares so the parts are whole and sum to it exactly."""
    raw = [total * s for s in shares]
    parts = [math.floor(x) for x in raw]
    short = total - sum(parts)
    for i in sorted(range(len(raw)), key=lambda i: parts[i] - raw[i])[:short]:
        parts[i] += 1
    return parts


def _weighted_sample(rng: random.Random, items: Sequence[tuple[Any, float]], k: int) -> list[Any]:
    """k distinct items, drawn with probability proportional to weight (Efraimidis–Spirakis)."""
    if k <= 0 or not items:
        return []
    keyed = [(rng.random() ** (1.0 / max(w, 1e-9)), i) for i, (_item, w) in enumerate(items)]
    keyed.sort(reverse=True)
    return [items[i][0] for _key, i in keyed[:k]]


# --- public entry points -------------------------------------------------------------------


def cluster_slugs() -> list[str]:
    return list(CLUSTERS)


def generate_cluster(
    slug: str, *, scale: int = 1, seed: int = DEFAULT_SEED, as_of: date | None = None
) -> ClusterData:
    """The demo data of one seed cluster. Raises KeyError for an unknown slug and ValueError
    for a scale below 1 or above the cluster's limit (`max_scale`: MAX_FIRMS firms)."""
    if slug not in CLUSTERS:
        raise KeyError(slug)
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale!r}")
    if scale > max_scale(slug):
        raise ValueError(
            f"scale {scale} would give {slug} {firms_at_scale(slug, scale):,} firms; a demo "
            f"cluster holds at most {MAX_FIRMS:,}, so its scale is at most {max_scale(slug)}"
        )
    return _ClusterGenerator(CLUSTERS[slug], scale, seed, as_of or date.today()).run()


def generate_demo(
    slugs: Iterable[str] | None = None,
    *,
    scale: int = 1,
    seed: int = DEFAULT_SEED,
    as_of: date | None = None,
) -> list[ClusterData]:
    day = as_of or date.today()
    return [
        generate_cluster(slug, scale=scale, seed=seed, as_of=day)
        for slug in (list(slugs) if slugs is not None else cluster_slugs())
    ]
