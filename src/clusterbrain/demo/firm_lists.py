"""Labelled synthetic firm lists for record linkage: the same firms, as five sources list them.

    generate_firm_lists(1_000_000, sources=5, seed=0) -> list[ListRecord]
    write_csv(records, "chamber.csv", encoding="gbk")
    write_xlsx("lists.xlsx", {"registry": [...], "chamber": [...]})
    python -m clusterbrain.demo.firm_lists --records 5000 --out var/lists   (files for the importer)

A population of true firms across the four seed clusters (real towns and divisions, fictional
names made from the demo's name parts, valid USCCs) is listed by up to five sources, each in its
own way and with its own mistakes:

- ``registry``: the market-regulation registry: full registered names, USCC, full addresses.
- ``chamber``: the chamber's member list: short names (no region, often no legal form), no
  USCC, shortened addresses, the boss's mobile, sometimes a newer address.
- ``tax``: the tax office's above-size list: only firms above designated size; full names, with
  legal-form variants and the odd mistyped USCC.
- ``supplier``: a brand firm's supplier list: English or pinyin names, English addresses, +86
  phone numbers, sometimes the USCC.
- ``expo``: exhibition sign-ups, typed by the firms: typos, look-alike and homophone characters,
  traditional characters, full-width forms, the contact's mobile, a booth or no address.

A firm appears at most once in each list and in at least one. Some firms are deliberately made
to look like another firm of the same town (``lookalike_of`` names it): the same 字号 in another
trade, a 字号 one (not look-alike, not homophone) character apart, or a branch of the firm (分公司,
its own USCC). They are different firms, so a linker that merges them loses precision.

Deterministic for a seed (every draw comes from one `random.Random` seeded with a string).
No Django: the benchmark and the engine's tests use it as plain Python.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from clusterbrain.demo import names as N
from clusterbrain.demo.generator import _SUFFIX, _org_check, _Registry
from clusterbrain.demo.specs import CLUSTERS, FORMS, Style
from clusterbrain.engines.resolution.uscc import ALPHABET, check_character, make_uscc

SOURCES: tuple[str, ...] = ("registry", "chamber", "tax", "supplier", "expo")

# Firms per cluster in the population (Shiling and Wenzhou are the big ones).
CLUSTER_WEIGHTS: dict[str, float] = {"shiling": 0.35, "xinji": 0.25, "wenzhou": 0.3, "hechi": 0.1}
# Share of firms created as a look-alike of an earlier firm of the same town, and the kinds.
LOOKALIKE_SHARE = 0.15
LOOKALIKE_KINDS = (("industry", 0.4), ("core", 0.4), ("branch", 0.2))
# Share of firms in each list (the tax list: of the firms above designated size).
COVERAGE: dict[str, float] = {
    "registry": 0.85,
    "chamber": 0.45,
    "tax": 0.9,
    "supplier": 0.22,
    "expo": 0.3,
}
ABOVE_SIZE_SHARE = 0.3  # of companies (individual businesses never are)

# The record's fields the linker reads (the engine's input keys), in the lists' column order.
RECORD_FIELDS = ("name", "name_en", "uscc", "address", "phone", "legal_rep", "products")
HEADERS: dict[str, dict[str, str]] = {
    "zh": {
        "name": "企业名称",
        "name_en": "英文名称",
        "uscc": "统一社会信用代码",
        "address": "地址",
        "phone": "联系电话",
        "legal_rep": "法定代表人",
        "products": "主营产品",
    },
    "en": {
        "name": "company name",
        "name_en": "english name",
        "uscc": "unified social credit code",
        "address": "address",
        "phone": "phone",
        "legal_rep": "legal representative",
        "products": "main products",
    },
}
LABEL_FIELDS = ("unique_id", "source", "true_firm_id")


@dataclass(slots=True)
class ListRecord:
    """One row of one source list, with its label (`true_firm_id`).

    `name` is the list's name column as written: Chinese, or English/pinyin when the list has
    nothing else (then `name_en` is None); `name_en` is a separate English-name column. Missing
    values are None. `lookalike_of` is a label too: the firm this record's firm was made to
    resemble (None for ordinary firms)."""

    unique_id: str
    source: str
    true_firm_id: str
    name: str
    name_en: str | None = None
    uscc: str | None = None
    address: str | None = None
    phone: str | None = None
    legal_rep: str | None = None
    products: str | None = None
    lookalike_of: str | None = None

    def as_input(self) -> dict[str, str | None]:
        """The record as the linker sees it: the engine's input keys, no labels."""
        return {
            "unique_id": self.unique_id,
            "source": self.source,
            "name": self.name,
            "name_en": self.name_en,
            "uscc": self.uscc,
            "address": self.address,
            "phone": self.phone,
            "legal_rep": self.legal_rep,
            "products": self.products,
        }


# --- vocabulary ---------------------------------------------------------------------------

_ZIHAO_CHARS = list(N.ZIHAO_CHARS)
_ZIHAO_PINYIN = N.ZIHAO_CHARS
_SURNAMES = list(N.SURNAMES_GUANGXI)
_GIVEN = list(N.GIVEN_NAMES)
# Characters people confuse when they read or type a name (形近字), in the direction of the
# mistake; some land on another trade-name character (鑫→金), as they do in real lists.
LOOKALIKE_GLYPHS: dict[str, str] = {
    "华": "桦",
    "兴": "興",
    "鑫": "金",
    "金": "鑫",
    "宏": "弘",
    "泰": "太",
    "丰": "豐",
    "荣": "榮",
    "晟": "盛",
    "盛": "晟",
    "辉": "晖",
    "晖": "辉",
    "佳": "住",
    "宇": "字",
    "祥": "样",
    "博": "搏",
    "腾": "滕",
    "俊": "骏",
    "骏": "俊",
    "峰": "锋",
    "凯": "恺",
    "鸿": "洪",
    "铭": "名",
    "臻": "真",
    "润": "闰",
    "锦": "绵",
    "达": "这",
    "昌": "冒",
    "裕": "浴",
    "诚": "城",
}
# Homophones among the trade-name characters (what a sign-up typed by ear or by pinyin IME gets).
_HOMOPHONES: dict[str, list[str]] = {}
for _ch, _py in N.ZIHAO_CHARS.items():
    _HOMOPHONES.setdefault(_py, []).append(_ch)
HOMOPHONES: dict[str, tuple[str, ...]] = {
    ch: tuple(other for other in _HOMOPHONES[py] if other != ch)
    for ch, py in N.ZIHAO_CHARS.items()
    if len(_HOMOPHONES[py]) > 1
}

# Legal-form variants as lists write them, by the style's form.
FORM_VARIANTS: dict[str, tuple[str, ...]] = {
    "company": ("有限责任公司", "公司", "厂"),
    "state": ("有限责任公司", "公司"),
    "group": ("集团", "集团公司", "集团有限责任公司"),
    "joint_stock": ("股份公司", "有限公司"),
    "factory": ("厂（个体工商户）", "加工厂", "工厂"),
    "shop": ("商行（个体工商户）", "店"),
    "dept": ("经营部（个体工商户）", "商行"),
    "station": ("站（个体工商户）", "点"),
    "cooperative": ("合作社", "农民专业合作社"),
}
ENGLISH_FORMS: dict[str, tuple[str, ...]] = {
    "Co., Ltd.": ("Co., Ltd.", "Co.,Ltd", "Co. Ltd", "Company Limited", "Limited", "Ltd."),
    "Group Co., Ltd.": ("Group Co., Ltd.", "Group Co.,Ltd", "Group Limited", "Group"),
    "Factory": ("Factory", "Factory", "Manufactory", "Mfg."),
    "Trading Firm": ("Trading Firm", "Trading Co.", "Trade"),
    "Business Department": ("Business Department", "Business Dept.", "Trading"),
    "Station": ("Station", "Purchase Station"),
    "Professional Cooperative": ("Professional Cooperative", "Cooperative", "Co-op"),
}
# Legal forms in pinyin, as supplier lists without an English name write them.
PINYIN_FORMS: dict[str, str] = {
    "有限公司": "Youxian Gongsi",
    "集团有限公司": "Jituan Youxian Gongsi",
    "股份有限公司": "Gufen Youxian Gongsi",
    "厂": "Chang",
    "商行": "Shanghang",
    "经营部": "Jingyingbu",
    "站": "Zhan",
    "家庭农场": "Jiating Nongchang",
    "专业合作社": "Zhuanye Hezuoshe",
}
# Long-distance area codes and landline lengths of the divisions.
AREA_CODES: dict[str, tuple[str, int]] = {
    "440114": ("020", 8),
    "130181": ("0311", 8),
    "330302": ("0577", 8),
    "451203": ("0778", 7),
    "451226": ("0778", 7),
}
# Mobile number prefixes (the first three digits).
MOBILE_PREFIXES: tuple[str, ...] = tuple(f"1{p}" for p in (30, 33, 35, 36, 37, 38, 39, 50, 52, 58))
MOBILE_PREFIXES += tuple(f"1{p}" for p in (59, 70, 77, 80, 81, 86, 87, 88, 89, 99))
# What firms of each cluster make or trade (zh, en).
PRODUCTS: dict[str, tuple[tuple[str, str], ...]] = {
    "shiling": (
        ("女包", "handbags"),
        ("钱包", "wallets"),
        ("拉杆箱", "trolley cases"),
        ("背包", "backpacks"),
        ("皮带", "belts"),
        ("公文包", "briefcases"),
        ("皮料", "leather materials"),
        ("五金配件", "hardware fittings"),
        ("拉链", "zippers"),
        ("包装盒", "packaging boxes"),
    ),
    "xinji": (
        ("皮衣", "leather jackets"),
        ("羊剪绒", "shearling"),
        ("裘皮大衣", "fur coats"),
        ("毛领", "fur collars"),
        ("羊皮革", "sheepskin leather"),
        ("牛皮革", "cowhide leather"),
        ("皮革化工料", "leather chemicals"),
        ("制革机械", "tanning machinery"),
    ),
    "wenzhou": (
        ("男鞋", "men's shoes"),
        ("女鞋", "women's shoes"),
        ("童鞋", "children's shoes"),
        ("运动鞋", "sneakers"),
        ("皮鞋", "leather shoes"),
        ("鞋底", "shoe soles"),
        ("鞋楦", "shoe lasts"),
        ("鞋材", "shoe materials"),
        ("胶粘剂", "adhesives"),
    ),
    "hechi": (
        ("鲜茧", "fresh cocoons"),
        ("生丝", "raw silk"),
        ("蚕丝被", "silk quilts"),
        ("真丝面料", "silk fabric"),
        ("蚕种", "silkworm eggs"),
        ("桑苗", "mulberry seedlings"),
        ("丝绸服装", "silk garments"),
        ("蚕蛹", "silkworm pupae"),
    ),
}
_DIGITS_ZH = "〇一二三四五六七八九"
_FULLWIDTH = str.maketrans(
    {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"}  # ASCII → full width
)
_HALF_BRACKETS = str.maketrans({"（": "(", "）": ")"})
_ADMIN_UNIT = re.compile(r".+?(?:自治区|自治县|省|市|区|县|镇|乡|街道|盟)")
_COMPANY_FORMS = ("company", "group", "joint_stock", "state")


@cache
def _pinyin(text: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(text))


@cache
def _traditional_table() -> dict[int, str]:
    """Simplified → traditional, a character at a time, for every character the lists use
    (OpenCC's table, looked up once: converting 1,000,000 names through OpenCC would not be
    fast)."""
    from opencc import OpenCC

    chars: set[str] = set(_ZIHAO_CHARS) | set(_SURNAMES) | set(_GIVEN) | set("".join(FORM_VARIANTS))
    chars |= set("".join(_SUFFIX[form][0] for form in _SUFFIX)) | set("分公司第一")
    for spec in CLUSTERS.values():
        chars |= set("".join(style.industry_zh for style in spec.styles.values()))
    for naming in N.NAMING.values():
        for prefixes in (naming.company, naming.individual, naming.group, naming.cooperative):
            chars |= set("".join(zh for zh, _en in prefixes))
    for streets in N.STREETS.values():
        for street in streets:
            chars |= set(street.zh)
    converter = OpenCC("s2t")
    table = {}
    for ch in sorted(chars):
        trad = converter.convert(ch)
        if trad != ch and len(trad) == 1:
            table[ord(ch)] = trad
    return table


@cache
def _admin_units(region: str) -> tuple[str, ...]:
    """广州市花都区狮岭镇 → (广州市, 花都区, 狮岭镇); a part with no unit word stays whole."""
    units = _ADMIN_UNIT.findall(region)
    rest = region[sum(len(u) for u in units) :]
    return (*units, rest) if rest else tuple(units)


def _strip_unit(unit: str) -> str:
    for word in ("壮族自治区", "自治区", "毛南族自治县", "自治县", "省", "市", "区", "县", "镇"):
        if unit.endswith(word) and len(unit) > len(word) + 1:
            return unit[: -len(word)]
    return unit


@cache
def _region_variants(region: str) -> tuple[str, ...]:
    """How lists shorten a registered region prefix: the last unit, the first, without unit
    words (广州花都狮岭), the last two units."""
    units = _admin_units(region)
    variants = {_strip_unit(units[-1]), units[-1], _strip_unit(units[0]), units[0]}
    variants.add("".join(_strip_unit(u) for u in units))
    if len(units) > 1:
        variants.add("".join(units[-2:]))
    variants.discard(region)
    variants.discard("")
    return tuple(sorted(variants)) or (region,)


def _person_pinyin(name: str) -> str:
    """韦明华 → Wei Minghua (the demo's own readings: no polyphone guessed wrong)."""
    given = "".join(N.GIVEN_NAMES[ch] for ch in name[1:]).capitalize()
    return f"{N.SURNAMES_GUANGXI[name[0]]} {given}"


def _chinese_number(number: int, rng: random.Random) -> str:
    """123 → 一百二十三 or 一二三 (both are written in addresses)."""
    if rng.random() < 0.5:
        return "".join(_DIGITS_ZH[int(d)] for d in str(number))
    hundreds, rest = divmod(number, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += _DIGITS_ZH[hundreds] + "百"
        if tens == 0 and ones:
            out += "零"
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS_ZH[tens]) + "十"
    if ones:
        out += _DIGITS_ZH[ones]
    return out


# --- the true firms --------------------------------------------------------------------------


@dataclass(slots=True)
class _Firm:
    firm_id: str
    slug: str
    place: N.Place
    street: N.Street
    road: tuple[str, str]
    number: int
    style: Style
    region: tuple[str, str]  # the registered region prefix (zh, en)
    zihao: str
    uscc: str
    landline: str
    mobile: str
    legal_rep: str
    products: tuple[int, ...]  # indexes into PRODUCTS[slug]
    above_size: bool
    branch: str = ""  # 狮岭分公司 for a branch office
    branch_en: str = ""
    lookalike_of: str | None = None

    @property
    def suffix(self) -> tuple[str, str]:
        return _SUFFIX[self.style.form]

    @property
    def name(self) -> str:
        return self.region[0] + self.zihao + self.style.industry_zh + self.suffix[0] + self.branch

    @property
    def zihao_en(self) -> str:
        return "".join(_ZIHAO_PINYIN.get(ch, "") for ch in self.zihao).capitalize()

    @property
    def name_en(self) -> str:
        en = f"{self.region[1]} {self.zihao_en} {self.style.industry_en} {self.suffix[1]}"
        return f"{en} {self.branch_en}" if self.branch_en else en


class _Population:
    """Makes the true firms: unique (cluster, 字号, trade words, branch) and unique USCCs."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[tuple[str, str, str, str]] = set()
        self.codes: set[str] = set()
        self.slugs = list(CLUSTER_WEIGHTS)
        self.slug_weights = list(CLUSTER_WEIGHTS.values())
        # Family farms are named after their owner, not a 字号: left out of these lists.
        self.styles = {
            slug: [s for s in CLUSTERS[slug].styles.values() if s.form != "farm"]
            for slug in self.slugs
        }
        self.count = 0

    def _next_id(self) -> str:
        self.count += 1
        return f"F{self.count:07d}"

    def _free(self, slug: str, zihao: str, industry: str, branch: str = "") -> bool:
        key = (slug, zihao, industry, branch)
        if key in self.taken:
            return False
        self.taken.add(key)
        return True

    def _zihao(self, slug: str, industry: str) -> str:
        rng = self.rng
        for attempt in range(64):
            length = 2 if attempt < 6 else 3
            chars = rng.sample(_ZIHAO_CHARS, length)
            zihao = "".join(chars)
            if self._free(slug, zihao, industry):
                return zihao
        raise AssertionError("no free trade name")  # 2.2 M three-character names a trade

    def _uscc(self, form: str, division: str) -> str:
        rng = self.rng
        entity = FORMS[form][1]
        while True:
            if rng.random() < 0.7:
                body = "MA" + "".join(rng.choices(ALPHABET, k=6))
            else:
                body = "".join(rng.choices("0123456789", k=8))
            code = make_uscc(entity[0], entity[1], division, body + _org_check(body))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _person(self) -> str:
        rng = self.rng
        given = rng.choice(_GIVEN) if rng.random() < 0.3 else "".join(rng.choices(_GIVEN, k=2))
        return rng.choice(_SURNAMES) + given

    def _landline(self, division: str) -> str:
        area, length = AREA_CODES[division]
        return area + "-" + str(self.rng.randint(2, 8)) + _digits(self.rng, length - 1)

    def _mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + _digits(self.rng, 8)

    def _products(self, slug: str) -> tuple[int, ...]:
        return tuple(self.rng.sample(range(len(PRODUCTS[slug])), self.rng.randint(1, 3)))

    def new_firm(self) -> _Firm:
        rng = self.rng
        slug = rng.choices(self.slugs, self.slug_weights)[0]
        spec = CLUSTERS[slug]
        places = [p for p, _w in spec.places]
        place = (
            places[0] if len(places) == 1 else rng.choices(places, [w for _p, w in spec.places])[0]
        )
        street = rng.choice(N.STREETS[place.division])
        style = rng.choice(self.styles[slug])
        region = _Registry._prefix(rng, style, N.NAMING[place.division], street)
        form = style.form
        return _Firm(
            firm_id=self._next_id(),
            slug=slug,
            place=place,
            street=street,
            road=rng.choice(street.roads),
            number=rng.randint(1, 388),
            style=style,
            region=region,
            zihao=self._zihao(slug, style.industry_zh),
            uscc=self._uscc(form, place.division),
            landline=self._landline(place.division),
            mobile=self._mobile(),
            legal_rep=self._person(),
            products=self._products(slug),
            above_size=form in _COMPANY_FORMS and rng.random() < ABOVE_SIZE_SHARE,
        )

    def lookalike(self, base: _Firm) -> _Firm:
        """A different firm of the same town that looks like `base` (see the module doc)."""
        rng = self.rng
        kind = rng.choices([k for k, _w in LOOKALIKE_KINDS], [w for _k, w in LOOKALIKE_KINDS])[0]
        if kind == "branch" and base.style.form not in _COMPANY_FORMS:
            kind = "core"
        same_street = rng.random() < 0.6
        street = base.street if same_street else rng.choice(N.STREETS[base.place.division])
        style, zihao, branch, branch_en = base.style, base.zihao, "", ""
        if kind == "industry":
            others = [s for s in self.styles[base.slug] if s.industry_zh != base.style.industry_zh]
            for candidate in rng.sample(others, min(8, len(others))):
                if self._free(base.slug, base.zihao, candidate.industry_zh):
                    style = candidate
                    break
            else:
                kind = "core"
        if kind == "core":
            zihao = self._one_apart(base)
        if kind == "branch":
            town = _admin_units(base.place.zh)[-1]
            branch, branch_en = rng.choice(
                (
                    (_strip_unit(town) + "分公司", base.place.en.split(",")[0] + " Branch"),
                    (street.zh + "分公司", f"{street.en} Branch"),
                    ("第一分公司", "No. 1 Branch"),
                    ("第二分公司", "No. 2 Branch"),
                )
            )
            if not self._free(base.slug, zihao, style.industry_zh, branch):
                branch, branch_en = "第三分公司", "No. 3 Branch"
                if not self._free(base.slug, zihao, style.industry_zh, branch):
                    zihao, branch, branch_en = self._one_apart(base), "", ""
        region = base.region
        if style.form != base.style.form:
            region = _Registry._prefix(rng, style, N.NAMING[base.place.division], street)
        # Family firms: the same surname runs the look-alike in a third of them, and a branch's
        # head (负责人) is often the head office's legal representative.
        legal_rep = self._person()
        if kind == "branch" and rng.random() < 0.5:
            legal_rep = base.legal_rep
        elif rng.random() < 0.33:
            legal_rep = base.legal_rep[0] + legal_rep[1:]
        return _Firm(
            firm_id=self._next_id(),
            slug=base.slug,
            place=base.place,
            street=street,
            road=rng.choice(street.roads),
            number=rng.randint(1, 388),
            style=style,
            region=region,
            zihao=zihao,
            uscc=self._uscc(style.form, base.place.division),
            landline=self._landline(base.place.division),
            mobile=self._mobile(),
            legal_rep=legal_rep,
            products=self._products(base.slug),
            above_size=style.form in _COMPANY_FORMS and rng.random() < ABOVE_SIZE_SHARE,
            branch=branch,
            branch_en=branch_en,
            lookalike_of=base.firm_id,
        )

    def _one_apart(self, base: _Firm) -> str:
        """A free 字号 one character from base's, the new character neither a look-alike glyph
        nor a homophone of the old (those are how the same firm gets misspelt)."""
        rng = self.rng
        industry = base.style.industry_zh
        for _attempt in range(64):
            at = rng.randrange(len(base.zihao))
            old = base.zihao[at]
            new = rng.choice(_ZIHAO_CHARS)
            if (
                new in base.zihao
                or LOOKALIKE_GLYPHS.get(old) == new
                or LOOKALIKE_GLYPHS.get(new) == old
                or _ZIHAO_PINYIN[new] == _ZIHAO_PINYIN.get(old)
            ):
                continue
            zihao = base.zihao[:at] + new + base.zihao[at + 1 :]
            if self._free(base.slug, zihao, industry):
                return zihao
        return self._zihao(base.slug, industry)


def _digits(rng: random.Random, k: int) -> str:
    return str(rng.randrange(10**k)).zfill(k)


# --- how each list writes a firm ---------------------------------------------------------------


class _Lists:
    """The corruptions, one method per source; every draw from the one generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.traditional = _traditional_table()

    # -- names --

    def _form(self, firm: _Firm, variant: float, dropped: float) -> str:
        roll = self.rng.random()
        if roll < dropped:
            return ""
        if roll < dropped + variant:
            return self.rng.choice(FORM_VARIANTS[firm.style.form])
        return firm.suffix[0]

    def _region(self, firm: _Firm, absent: float, abbreviated: float, bracketed: float) -> str:
        roll = self.rng.random()
        if roll < absent:
            return ""
        if roll < absent + abbreviated:
            return self.rng.choice(_region_variants(firm.region[0]))
        if roll < absent + abbreviated + bracketed:
            return "(" + _strip_unit(_admin_units(firm.region[0])[0]) + ")"  # placed after 字号
        return firm.region[0]

    def _misspell(self, text: str, core: int) -> str:
        """One typing mistake in the first `core` characters (the 字号) or after them."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.35 and len(text) > 3:  # a dropped character
            at = rng.randrange(len(text))
            return text[:at] + text[at + 1 :]
        if roll < 0.6 and len(text) > 2:  # two neighbours swapped
            at = rng.randrange(len(text) - 1)
            return text[:at] + text[at + 1] + text[at] + text[at + 2 :]
        if roll < 0.8:  # a look-alike glyph
            spots = [i for i, ch in enumerate(text) if ch in LOOKALIKE_GLYPHS]
            if spots:
                i = rng.choice(spots)
                return text[:i] + LOOKALIKE_GLYPHS[text[i]] + text[i + 1 :]
        # a homophone in the 字号 (pinyin input picked the wrong character)
        spots = [i for i in range(min(core, len(text))) if text[i] in HOMOPHONES]
        if spots:
            i = rng.choice(spots)
            return text[:i] + rng.choice(HOMOPHONES[text[i]]) + text[i + 1 :]
        return text

    def zh_name(
        self,
        firm: _Firm,
        *,
        region: tuple[float, float, float] = (0.0, 0.0, 0.0),
        form: tuple[float, float] = (0.0, 0.0),
        typo: float = 0.0,
        traditional: float = 0.0,
        fullwidth: float = 0.0,
        no_industry: float = 0.0,
        spaced: float = 0.0,
    ) -> str:
        rng = self.rng
        prefix = self._region(firm, *region)
        industry = "" if no_industry and rng.random() < no_industry else firm.style.industry_zh
        core = firm.zihao + industry
        if typo and rng.random() < typo:
            core = self._misspell(core, len(firm.zihao))
        if prefix.startswith("("):
            core = firm.zihao + prefix + core[len(firm.zihao) :]
            prefix = ""
        suffix = self._form(firm, *form)
        if firm.branch:  # a branch keeps its head office's company form and its own name
            suffix = (suffix if suffix.endswith("公司") else firm.suffix[0]) + firm.branch
        if spaced and rng.random() < spaced:
            name = f"{prefix} {core} {suffix}".strip() if prefix else f"{core} {suffix}".strip()
        else:
            name = prefix + core + suffix
        if traditional and rng.random() < traditional:
            name = name.translate(self.traditional)
        if "(" in name or "（" in name:
            # The registry writes full-width brackets; typed lists mix the two.
            name = name.replace("(", "（").replace(")", "）")
            if rng.random() < 0.5:
                name = name.translate(_HALF_BRACKETS)
        if fullwidth and rng.random() < fullwidth:
            name = name.translate(_FULLWIDTH)
        return name

    def en_name(self, firm: _Firm) -> str:
        """English (Guangzhou Hengda Leather Goods Co., Ltd.) or pinyin (Hengda Piju Youxian
        Gongsi), in the spellings supplier lists use."""
        rng = self.rng
        region_en = firm.region[1] if rng.random() < 0.6 else ""
        roll = rng.random()
        if roll < 0.65:
            form = rng.choice(ENGLISH_FORMS.get(firm.suffix[1], (firm.suffix[1],)))
            words = [region_en, firm.zihao_en, firm.style.industry_en, form, firm.branch_en]
        else:
            syllables = [_ZIHAO_PINYIN.get(ch, "") for ch in firm.zihao]
            zihao = " ".join(s.capitalize() for s in syllables) if roll < 0.75 else firm.zihao_en
            industry = "".join(_pinyin(firm.style.industry_zh)).capitalize()
            suffix = "" if rng.random() < 0.4 else PINYIN_FORMS[firm.suffix[0]]
            if suffix and rng.random() < 0.3:
                suffix = " ".join(_pinyin(firm.suffix[0])).title()  # You Xian Gong Si
            branch = ""
            if firm.branch:  # 狮岭分公司 → Shiling Fengongsi
                branch = "".join(_pinyin(firm.branch[:-3])).capitalize() + " Fengongsi"
            words = [region_en, zihao, industry, suffix, branch]
        name = " ".join(w for w in words if w)
        return name.upper() if rng.random() < 0.2 else name

    # -- other fields --

    def address(
        self,
        firm: _Firm,
        *,
        drop_units: tuple[float, float],
        numerals: float = 0.0,
        fullwidth: float = 0.0,
        moved: float = 0.0,
    ) -> str:
        rng = self.rng
        road, number, street = firm.road[0], firm.number, firm.street.zh
        if moved and rng.random() < moved:  # a newer address in the same town
            street_obj = rng.choice(N.STREETS[firm.place.division])
            street, road, number = (
                street_obj.zh,
                rng.choice(street_obj.roads)[0],
                rng.randint(1, 388),
            )
        units = _admin_units(firm.place.zh)
        roll = rng.random()
        if roll < drop_units[0]:
            units = units[1:]  # no province
        elif roll < drop_units[0] + drop_units[1]:
            units = units[-1:]  # the town (or district) only
        if rng.random() < 0.15:
            street = ""  # the village or street left out
        number_text = str(number)
        if numerals and rng.random() < numerals:
            number_text = _chinese_number(number, rng)
        elif fullwidth and rng.random() < fullwidth:
            number_text = number_text.translate(_FULLWIDTH)
        mark = "号" if rng.random() < 0.9 else rng.choice(("", "#", "號"))
        return "".join(units) + street + road + number_text + mark

    def en_address(self, firm: _Firm) -> str:
        rng = self.rng
        road = firm.road[1]
        if rng.random() < 0.4:
            road = road.replace("Road", "Rd.").replace("Avenue", "Ave.").replace("Street", "St.")
        place = firm.place.en
        if rng.random() < 0.3:
            place = ", ".join(place.split(", ")[-2:])
        number = f"No. {firm.number}" if rng.random() < 0.7 else f"#{firm.number}"
        return f"{number}, {road}, {firm.street.en}, {place}, China"

    def phone(self, number: str, *, styled: float = 0.3, international: float = 0.0) -> str:
        """The same number as people write it: 020-86123456, (020)86123456, 86123456,
        +86 20 8612 3456, 138 1234 5678, +86-13812345678."""
        rng = self.rng
        landline = "-" in number
        if international and rng.random() < international:
            if landline:
                area, local = number.split("-")
                return f"+86 {area[1:]} {local[:4]} {local[4:]}"
            return rng.choice(("+86 ", "+86-", "0086 ")) + number
        if not styled or rng.random() >= styled:
            return number
        if landline:
            area, local = number.split("-")
            return rng.choice((f"({area}){local}", area + local, local, f"{area} {local}"))
        return rng.choice(
            (f"{number[:3]} {number[3:7]} {number[7:]}", f"{number[:3]}-{number[3:7]}-{number[7:]}")
        )

    def products(self, firm: _Firm, *, english: bool = False) -> str:
        items = [PRODUCTS[firm.slug][i][1 if english else 0] for i in firm.products]
        separator = ", " if english else self.rng.choice(("、", "，", "；", ","))
        return separator.join(items)

    def mistype_uscc(self, code: str) -> str:
        """A code with one character mistyped, so its check character fails."""
        rng = self.rng
        while True:
            roll = rng.random()
            if roll < 0.15 and "0" in code[:17]:
                at = code.index("0")
                typo = code[:at] + "O" + code[at + 1 :]  # letter O for zero: not a USCC character
            elif roll < 0.5:
                at = rng.randrange(16)
                typo = code[:at] + code[at + 1] + code[at] + code[at + 2 :]
            else:
                at = rng.randrange(17)
                typo = code[:at] + rng.choice(ALPHABET) + code[at + 1 :]
            if typo != code and (
                any(ch not in ALPHABET for ch in typo) or check_character(typo[:17]) != typo[17]
            ):
                return typo

    # -- the five lists --

    def registry(self, firm: _Firm) -> ListRecord:
        rng = self.rng
        uscc: str | None = firm.uscc
        if rng.random() < 0.01:
            uscc = self.mistype_uscc(firm.uscc)
        phone = firm.landline if rng.random() < 0.6 else firm.mobile
        return ListRecord(
            "",
            "registry",
            firm.firm_id,
            firm.name,
            uscc=uscc,
            address=self.address(firm, drop_units=(0.1, 0.0)),
            phone=phone if rng.random() < 0.8 else None,
            legal_rep=firm.legal_rep,
            products=self.products(firm),
        )

    def chamber(self, firm: _Firm) -> ListRecord:
        rng = self.rng
        roll = rng.random()
        phone = firm.mobile if roll < 0.6 else firm.landline if roll < 0.9 else None
        return ListRecord(
            "",
            "chamber",
            firm.firm_id,
            self.zh_name(firm, region=(0.7, 0.2, 0.0), form=(0.15, 0.5), typo=0.02),
            address=self.address(firm, drop_units=(0.3, 0.6), numerals=0.05, moved=0.1),
            phone=self.phone(phone, styled=0.3) if phone else None,
            legal_rep=firm.legal_rep if rng.random() < 0.85 else self.contact(firm),
            products=self.products(firm) if rng.random() < 0.7 else None,
        )

    def tax(self, firm: _Firm) -> ListRecord:
        rng = self.rng
        roll = rng.random()
        uscc = firm.uscc if roll < 0.95 else self.mistype_uscc(firm.uscc) if roll < 0.98 else None
        return ListRecord(
            "",
            "tax",
            firm.firm_id,
            self.zh_name(firm, region=(0.0, 0.1, 0.05), form=(0.3, 0.0), typo=0.01),
            uscc=uscc,
            address=self.address(firm, drop_units=(0.3, 0.0), numerals=0.05),
            phone=self.phone(firm.landline, styled=0.3) if rng.random() < 0.5 else None,
            legal_rep=firm.legal_rep,
        )

    def supplier(self, firm: _Firm) -> ListRecord:
        rng = self.rng
        english = self.en_name(firm)
        chinese = rng.random() < 0.4
        name = self.zh_name(firm, region=(0.4, 0.2, 0.05), form=(0.2, 0.1)) if chinese else english
        roll = rng.random()
        address = (
            self.en_address(firm)
            if roll < 0.6
            else self.address(firm, drop_units=(0.2, 0.0))
            if roll < 0.9
            else None
        )
        number = firm.landline if rng.random() < 0.5 else firm.mobile
        legal_rep = None
        if rng.random() < 0.4:
            legal_rep = firm.legal_rep
            if rng.random() < 0.5:
                legal_rep = _person_pinyin(firm.legal_rep)
        return ListRecord(
            "",
            "supplier",
            firm.firm_id,
            name,
            name_en=english if chinese else None,
            uscc=firm.uscc if rng.random() < 0.4 else None,
            address=address,
            phone=self.phone(number, international=0.7) if rng.random() < 0.8 else None,
            legal_rep=legal_rep,
            products=self.products(firm, english=True) if rng.random() < 0.6 else None,
        )

    def expo(self, firm: _Firm) -> ListRecord:
        rng = self.rng
        name = self.zh_name(
            firm,
            region=(0.6, 0.25, 0.05),
            form=(0.25, 0.3),
            typo=0.25,
            traditional=0.08,
            fullwidth=0.15,
            no_industry=0.05,
            spaced=0.1,
        )
        uscc = None
        if rng.random() < 0.15:
            uscc = firm.uscc if rng.random() < 0.75 else self.mistype_uscc(firm.uscc)
            if rng.random() < 0.2:
                uscc = uscc.translate(_FULLWIDTH) if rng.random() < 0.5 else uscc.lower()
        mobile = firm.mobile if rng.random() < 0.7 else self.rng_mobile()
        roll = rng.random()
        address = None
        if roll < 0.5:
            address = self.address(
                firm, drop_units=(0.3, 0.6), numerals=0.1, fullwidth=0.2, moved=0.05
            )
        elif roll < 0.6:
            market_zh, _market_en = N.MARKETS[firm.place.division]
            address = f"{market_zh}{rng.choice('ABCDEFGH')}区{rng.randint(1, 680)}号"
        return ListRecord(
            "",
            "expo",
            firm.firm_id,
            name,
            uscc=uscc,
            address=address,
            phone=self.phone(mobile, styled=0.4) if rng.random() < 0.9 else None,
            legal_rep=firm.legal_rep if rng.random() < 0.5 else self.contact(firm),
            products=self.products(firm) if rng.random() < 0.8 else None,
        )

    def contact(self, firm: _Firm) -> str:
        """Someone else of the firm (a sales manager): often the boss's family name."""
        rng = self.rng
        given = "".join(rng.choices(_GIVEN, k=rng.randint(1, 2)))
        surname = firm.legal_rep[0] if rng.random() < 0.3 else rng.choice(_SURNAMES)
        return surname + given

    def rng_mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + _digits(self.rng, 8)


# --- the lists ---------------------------------------------------------------------------------


def generate_firm_lists(n_records: int, *, sources: int = 5, seed: int = 0) -> list[ListRecord]:
    """`n_records` labelled records from the first `sources` lists of SOURCES.

    Firms are made one at a time, each listed by the sources that cover it, until there are
    `n_records` records (the last firm may lose some); then each list is shuffled and numbered
    (`registry-0000001`, …). The records come list by list, in the order of SOURCES."""
    if n_records < 0:
        raise ValueError("n_records must not be negative")
    if not 1 <= sources <= len(SOURCES):
        raise ValueError(f"sources must be between 1 and {len(SOURCES)}")
    rng = random.Random(f"firm-lists:{seed}:{sources}")
    population = _Population(rng)
    lists = _Lists(rng)
    used = SOURCES[:sources]
    write: dict[str, Callable[[_Firm], ListRecord]] = {
        "registry": lists.registry,
        "chamber": lists.chamber,
        "tax": lists.tax,
        "supplier": lists.supplier,
        "expo": lists.expo,
    }
    by_source: dict[str, list[ListRecord]] = {source: [] for source in used}
    recent: list[_Firm] = []  # look-alikes are made of recent firms (any would do)
    total = 0
    while total < n_records:
        if recent and rng.random() < LOOKALIKE_SHARE:
            firm = population.lookalike(rng.choice(recent))
        else:
            firm = population.new_firm()
            if len(recent) < 512:
                recent.append(firm)
            else:
                recent[rng.randrange(512)] = firm
        listed = [
            source
            for source in used
            if rng.random() < COVERAGE[source] and (source != "tax" or firm.above_size)
        ]
        if not listed:
            listed = [used[0] if rng.random() < 0.6 else rng.choice(used)]
            if listed == ["tax"] and not firm.above_size:
                listed = [used[0]]
        for source in listed[: n_records - total]:
            record = write[source](firm)
            record.lookalike_of = firm.lookalike_of
            by_source[source].append(record)
        total += len(listed)
    records: list[ListRecord] = []
    for source in used:
        rows = by_source[source]
        rng.shuffle(rows)
        for i, record in enumerate(rows, start=1):
            record.unique_id = f"{source}-{i:07d}"
        records.extend(rows)
    return records


# --- writers ---------------------------------------------------------------------------------


def _columns(records: Sequence[ListRecord], labels: bool) -> list[str]:
    columns = [f for f in RECORD_FIELDS if f != "name_en" or any(r.name_en for r in records)]
    return columns + list(LABEL_FIELDS) if labels else columns


def _header(columns: Iterable[str], headers: str) -> list[str]:
    names = HEADERS[headers]
    return [names.get(column, column) for column in columns]


def write_csv(
    records: Sequence[ListRecord],
    path: str | Path,
    encoding: str = "utf-8",
    *,
    headers: str = "zh",
    labels: bool = False,
) -> Path:
    """One list as CSV with Chinese (企业名称, 统一社会信用代码, …) or English headers.

    `encoding="gbk"` writes what Excel on a Chinese Windows saves; every character the
    generator uses is in GBK. `labels` adds unique_id, source and true_firm_id columns (for
    tests; real lists have none). The English-name column is written only when a record has one.
    """
    if headers not in HEADERS:
        raise ValueError(f"headers must be one of {sorted(HEADERS)}")
    path = Path(path)
    columns = _columns(records, labels)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(_header(columns, headers))
        for record in records:
            writer.writerow(["" if (v := getattr(record, c)) is None else v for c in columns])
    return path


def write_xlsx(
    path: str | Path,
    sheets: dict[str, list[ListRecord]],
    *,
    headers: str = "zh",
    labels: bool = False,
) -> Path:
    """Several lists as the sheets of one workbook (sheet name → records), headers as in
    `write_csv`; missing values are empty cells."""
    from openpyxl import Workbook

    if headers not in HEADERS:
        raise ValueError(f"headers must be one of {sorted(HEADERS)}")
    path = Path(path)
    book = Workbook(write_only=True)
    for title, records in sheets.items():
        sheet = book.create_sheet(title=title[:31])
        columns = _columns(records, labels)
        sheet.append(_header(columns, headers))
        for record in records:
            sheet.append([getattr(record, c) for c in columns])
    book.save(path)
    return path


def by_source(records: Iterable[ListRecord]) -> dict[str, list[ListRecord]]:
    """The records grouped into their lists, in the order of SOURCES."""
    grouped: dict[str, list[ListRecord]] = {}
    for record in records:
        grouped.setdefault(record.source, []).append(record)
    return {source: grouped[source] for source in SOURCES if source in grouped}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clusterbrain.demo.firm_lists",
        description="Write labelled synthetic firm lists: a CSV per source and one workbook.",
    )
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument("--sources", type=int, default=len(SOURCES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    parser.add_argument("--encoding", default="utf-8", help="of the CSV files (utf-8 or gbk)")
    parser.add_argument("--labels", action="store_true", help="add the truth columns")
    args = parser.parse_args(argv)
    records = generate_firm_lists(args.records, sources=args.sources, seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    lists = by_source(records)
    for source, rows in lists.items():
        headers = "en" if source == "supplier" else "zh"
        write_csv(
            rows, args.out / f"{source}.csv", args.encoding, headers=headers, labels=args.labels
        )
    write_xlsx(args.out / "lists.xlsx", lists, labels=args.labels)
    print(f"wrote {len(records):,} records in {len(lists)} lists to {args.out}")
    return 0


__all__ = [
    "SOURCES",
    "ListRecord",
    "by_source",
    "generate_firm_lists",
    "write_csv",
    "write_xlsx",
]

if __name__ == "__main__":
    sys.exit(main())
