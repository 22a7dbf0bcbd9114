"""Chinese and English postal addresses parsed into comparable parts, and the place gazetteer.

The gazetteer (data/gazetteer.json) holds every province, prefecture and county of mainland
China plus the towns of the four seed clusters, each with its stem (the name without 省/市/区/
县/镇…) and a checked pinyin reading. It is what lets "花都狮岭" without suffixes, "狮岭镇"
alone or "Shiling Town, Huadu District" be read as the same place, and fills in the levels an
address leaves out when only one place fits. Company names (names.py) read their region
prefixes with the same `read_region`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .text import HAN, fold, folded_pinyin_key, han_pinyin

__all__ = [
    "Address",
    "Gazetteer",
    "Place",
    "RegionMatch",
    "chinese_number",
    "gazetteer",
    "infer_levels",
    "parse_address",
    "place_by_pinyin",
    "read_region",
]

PROVINCE, CITY, DISTRICT, TOWN = 1, 2, 3, 4

# Districts and counties of the seed clusters: written without a suffix they are still places
# ("辛集某某皮革", "瓯海某某鞋业"); anywhere else a bare county stem is too often a trade name.
_SEED_COUNTY_NAMES = (
    "花都区 白云区 番禺区 辛集市 鹿城区 龙湾区 瓯海区 洞头区 瑞安市 乐清市 永嘉县 平阳县 苍南县 "
    "文成县 泰顺县 龙港市 宜州区 金城江区 环江毛南族自治县 罗城仫佬族自治县 南丹县 天峨县 凤山县 "
    "东兰县 巴马瑶族自治县 都安瑶族自治县 大化瑶族自治县"
)
_SEED_COUNTIES = frozenset(_SEED_COUNTY_NAMES.split())
_MUNICIPALITIES = frozenset(("北京", "天津", "上海", "重庆"))


@dataclass(frozen=True, slots=True)
class Place:
    index: int
    name: str  # official name with its suffix: "花都区"
    stem: str  # without: "花都"
    level: int  # 1 province, 2 prefecture, 3 county/district, 4 town/subdistrict
    parent: int  # index of the parent, -1 for a province
    pinyin: str
    bare_ok: bool  # may stand without a suffix at the start of a name or address


@dataclass(frozen=True, slots=True)
class RegionMatch:
    """One administrative word read from a name or an address."""

    written: str  # as written: "花都区" or "花都"
    stem: str  # suffix stripped: "花都"
    level: int
    pinyin: str
    candidates: tuple[Place, ...]  # the gazetteer places it can be; () for a generic match
    end: int  # where the next word starts


class Gazetteer:
    def __init__(self, rows: list[list]) -> None:  # type: ignore[type-arg]
        self.places: list[Place] = []
        for index, (name, stem, level, parent, reading) in enumerate(rows):
            bare_ok = len(stem) >= 2 and (level <= CITY or level == TOWN or name in _SEED_COUNTIES)
            parent_index = -1 if parent is None else parent
            self.places.append(Place(index, name, stem, level, parent_index, reading, bare_ok))
        written: dict[str, dict[int, bool]] = {}

        def add(text: str, place: Place, suffixed: bool) -> None:
            slot = written.setdefault(text, {})
            slot[place.index] = slot.get(place.index, False) or suffixed

        for place in self.places:
            add(place.name, place, True)
            if len(place.stem) >= 2:
                add(place.stem, place, False)
        # Informal and former suffixes ("宜州市" for 宜州区, "环江县" for the autonomous county,
        # "新华街道办"), only where no official name already reads so.
        official = {place.name for place in self.places}
        for place in self.places:
            if len(place.stem) < 2:
                continue
            extra: tuple[str, ...]
            if place.level == PROVINCE:
                extra = ("省",)
            elif place.level == CITY:
                extra = ("市",)
            elif place.level == DISTRICT:
                extra = ("市", "区", "县")
            else:
                extra = ("镇", "乡", "街道", "街道办", "街道办事处")
            for suffix in extra:
                alias = place.stem + suffix
                if alias not in official:
                    add(alias, place, True)
        self.by_written: dict[str, tuple[tuple[Place, bool], ...]] = {
            text: tuple((self.places[i], suffixed) for i, suffixed in entries.items())
            for text, entries in written.items()
        }
        sizes: dict[str, set[int]] = {}
        for text in self.by_written:
            sizes.setdefault(text[0], set()).add(len(text))
        # First character → the lengths of the names starting with it, longest first: most
        # positions of a name or address start no place at all and are dismissed by one lookup.
        self.sizes_by_first: dict[str, tuple[int, ...]] = {
            first: tuple(sorted(lengths, reverse=True)) for first, lengths in sizes.items()
        }
        chains: list[tuple[Place, ...]] = []
        for place in self.places:
            chain = []
            at = place
            while at.parent >= 0:
                at = self.places[at.parent]
                chain.append(at)
            chains.append(tuple(chain))
        self._chains = chains
        self._ancestor_ids = [frozenset(a.index for a in chain) for chain in chains]
        by_pinyin: dict[str, list[Place]] = {}
        for place in self.places:
            by_pinyin.setdefault(place.pinyin, []).append(place)
        self.by_pinyin: dict[str, tuple[Place, ...]] = {k: tuple(v) for k, v in by_pinyin.items()}

    def ancestors(self, place: Place) -> tuple[Place, ...]:
        """The place's parents, nearest first."""
        return self._chains[place.index]

    def descends(self, place: Place, ancestors: tuple[Place, ...]) -> bool:
        ids = self._ancestor_ids[place.index]
        return any(a.index in ids for a in ancestors)


@cache
def gazetteer() -> Gazetteer:
    data = resources.files("clusterbrain.engines.resolution").joinpath("data/gazetteer.json")
    return Gazetteer(json.loads(data.read_text(encoding="utf-8"))["places"])


# --- reading administrative words -------------------------------------------------------------

_GENERIC_SUFFIX_LEVEL = {
    "省": PROVINCE,
    "市": CITY,
    "区": DISTRICT,
    "县": DISTRICT,
    "镇": TOWN,
    "乡": TOWN,
    "街道": TOWN,
}
_GENERIC = re.compile(f"([{HAN}]{{2,4}}?)(街道|省|市|区|县|镇|乡)")
# A suffix character that starts a common word instead: 市场, 区域, 县城, 乡村 …
_NOT_A_SUFFIX_BEFORE = {
    "市": "场政民值面级容委长监",
    "区": "域块别间位",
    "县": "城级委长",
    "镇": "政级长委",
    "乡": "村镇土情亲",
    "省": "级委长内外钱",
    "道": "具",
}
# A bare place stem followed by one of these is the name of a road, market or park: "新华路".
_ROAD_START = re.compile("(?:大道|大街|马路|公路|路|街|巷|弄|胡同|道|皮革城|国际|广场|市场|大厦)")
_COUNTRY = re.compile("(?:中华人民共和国|中国)")


def _suffix_ok(text: str, end: int, written: str) -> bool:
    if end >= len(text):
        return True
    banned = _NOT_A_SUFFIX_BEFORE.get(written[-1])
    return banned is None or text[end] not in banned


def _match_known(
    text: str, pos: int, previous: RegionMatch | None, gaz: Gazetteer
) -> RegionMatch | None:
    n = len(text)
    for size in gaz.sizes_by_first.get(text[pos], ()):
        if size < 2 or pos + size > n:
            continue
        written = text[pos : pos + size]
        entries = gaz.by_written.get(written)
        if entries is None:
            continue
        end = pos + size
        fits: list[Place] = []
        suffixed_any = False
        for place, suffixed in entries:
            if suffixed:
                if not _suffix_ok(text, end, written):
                    continue
            else:
                if _ROAD_START.match(text, end):
                    continue
                if previous is None and not place.bare_ok:
                    continue
            if previous is not None:
                if previous.candidates:
                    if not gaz.descends(place, previous.candidates):
                        continue
                elif place.level <= previous.level:
                    continue
            fits.append(place)
            suffixed_any = suffixed_any or suffixed
        if not fits:
            continue
        stem = fits[0].stem if suffixed_any else written
        return RegionMatch(written, stem, fits[0].level, fits[0].pinyin, tuple(fits), end)
    return None


def _match_generic(text: str, pos: int, previous: RegionMatch | None) -> RegionMatch | None:
    m = _GENERIC.match(text, pos)
    if m is None or not _suffix_ok(text, m.end(), m.group(0)):
        return None
    stem, suffix = m.group(1), m.group(2)
    level = _GENERIC_SUFFIX_LEVEL[suffix]
    if previous is not None and level <= previous.level:
        if suffix == "市" and previous.level == CITY:
            level = DISTRICT  # a county-level city under its prefecture: 温州市瑞安市
        else:
            return None
    return RegionMatch(m.group(0), stem, level, han_pinyin(stem), (), m.end())


def read_region(text: str, pos: int = 0, *, generic: bool = True) -> list[RegionMatch]:
    """The administrative words at `pos` of folded `text`, largest first, as far as they go.

    Each word must lie inside the one before it (a child in the gazetteer, or a lower level by
    its suffix), which keeps "广州长城皮具" from reading 长城 (a district of Jiayuguan) as a place.
    """
    gaz = gazetteer()
    matches: list[RegionMatch] = []
    n = len(text)
    country = _COUNTRY.match(text, pos)
    if country is not None:
        matches.append(RegionMatch(country.group(0), "中国", 0, "zhongguo", (), country.end()))
        pos = country.end()
    while pos < n:
        previous = matches[-1] if matches else None
        parent = previous if previous is not None and previous.level else None
        match = _match_known(text, pos, parent, gaz)
        if match is None and generic:
            match = _match_generic(text, pos, parent)
        if match is None:
            break
        if previous is not None and previous.candidates and match.candidates:
            # The child tells which of several same-named parents was meant (朝阳区 …).
            narrowed = tuple(
                p
                for p in previous.candidates
                if any(gaz.descends(c, (p,)) for c in match.candidates)
            )
            if narrowed and narrowed != previous.candidates:
                matches[-1] = RegionMatch(
                    previous.written,
                    previous.stem,
                    previous.level,
                    previous.pinyin,
                    narrowed,
                    previous.end,
                )
        matches.append(match)
        pos = match.end
    return matches


def infer_levels(matches: list[RegionMatch]) -> dict[int, tuple[str, str]]:
    """Level → (stem, pinyin) for the words read, plus the higher levels the gazetteer implies.

    A level is inferred only when every candidate of the most specific word agrees on it.
    """
    levels: dict[int, tuple[str, str]] = {}
    deepest = None
    for match in matches:
        if match.level and match.level not in levels:
            levels[match.level] = (match.stem, match.pinyin)
        if match.candidates:
            deepest = match
    if deepest is None:
        return levels
    gaz = gazetteer()
    if len(deepest.candidates) == 1:
        for ancestor in gaz.ancestors(deepest.candidates[0]):
            if ancestor.level not in levels:
                levels[ancestor.level] = (ancestor.stem, ancestor.pinyin)
    else:
        chains = [gaz.ancestors(place) for place in deepest.candidates]
        for level in (PROVINCE, CITY, DISTRICT):
            if level in levels or level >= deepest.level:
                continue
            found = {next((a.index for a in chain if a.level == level), -1) for chain in chains}
            if len(found) == 1 and (index := found.pop()) >= 0:
                place = gaz.places[index]
                levels[level] = (place.stem, place.pinyin)
    if CITY not in levels and PROVINCE in levels and levels[PROVINCE][0] in _MUNICIPALITIES:
        levels[CITY] = levels[PROVINCE]
    return levels


# --- numbers ------------------------------------------------------------------------------------

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_DIGITS |= {"八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """十八 → 18, 一百零二 → 102, 一八 → 18 (digit by digit); None when it is not a number."""
    if not text or any(c not in _DIGITS and c not in _UNITS for c in text):
        return None
    if not any(c in _UNITS for c in text):
        return int("".join(str(_DIGITS[c]) for c in text))
    total = digit = 0
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        else:
            total += (digit or 1) * _UNITS[c]
            digit = 0
    return total + digit


# --- addresses ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Address:
    raw: str
    folded: str
    province: str
    city: str
    district: str
    town: str
    road: str  # with its kind: "阳光路", "yangguang road"
    number: str  # "18", "18a"
    rest: str  # village, industrial park, building, floor, room …
    province_key: str
    city_key: str
    district_key: str
    town_key: str
    road_key: str  # "yangguanglu" for 阳光路 and Yangguang Road alike
    script: str = "zh"  # "zh" or "en"


_CN_NUM = "零〇一二两三四五六七八九十百千"
_ROAD_KINDS = "大道|大街|大马路|马路|公路|环路|路|街|巷|弄|胡同|道"
_ROAD_KIND_PINYIN = {
    "大道": "dadao",
    "大街": "dajie",
    "大马路": "damalu",
    "马路": "malu",
    "公路": "gonglu",
    "环路": "huanlu",
    "路": "lu",
    "街": "jie",
    "巷": "xiang",
    "弄": "nong",
    "胡同": "hutong",
    "道": "dao",
}
# A road: up to eight characters that are not a boundary of another part (村, 区, 号, 楼 …; 城
# only where it opens a road's name, as in 城西路), its kind, and optionally a section.
_ZH_ROAD = re.compile(
    f"((?:(?!城(?![东西南北中]))(?![村区园号楼栋室幢层座镇乡场市县])[{HAN}a-z0-9]){{1,8}}?"
    f"[东西南北中]?(?:{_ROAD_KINDS})(?:[东西南北中]段|[一二三四五六七八九十\\d]+段)?)"
)
_ZH_NUMBER = re.compile(f"(\\d+|[{_CN_NUM}]+)([a-z])?(?:[-~至到](?:\\d+|[{_CN_NUM}]+)[a-z]?)?号")
_ZH_BARE_NUMBER = re.compile(r"^(\d+)([a-z])?(?:-\d+)?(?=\D|$)")
_POSTCODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
_EDGE_PUNCT = " ,;.、-:()"


def _zh_number(text: str) -> str:
    m = _ZH_NUMBER.search(text)
    if m is None:
        return ""
    value = m.group(1)
    if not value.isdigit():
        parsed = chinese_number(value)
        if parsed is None:
            return ""
        value = str(parsed)
    return str(int(value)) + (m.group(2) or "")


def _road_key(road: str) -> str:
    m = re.search(f"(?:{_ROAD_KINDS})", road)
    if m is None:
        return folded_pinyin_key(road)
    # 阳光东路: the name's pinyin, direction and kind spelled as an English address spells them.
    return (
        folded_pinyin_key(road[: m.start()])
        + _ROAD_KIND_PINYIN[m.group(0)]
        + folded_pinyin_key(road[m.end() :])
    )


def _parse_zh(raw: str, folded: str) -> Address:
    text = _POSTCODE.sub("", folded).replace(" ", "")
    matches = read_region(text)
    pos = matches[-1].end if matches else 0
    levels = infer_levels(matches)
    remainder = text[pos:]
    road = number = ""
    rest = remainder
    m = _ZH_ROAD.search(remainder)
    if m is not None:
        road = m.group(1)
        after = remainder[m.end() :]
        n = _ZH_NUMBER.match(after)
        if n is not None:
            number = _zh_number(after[: n.end()])
            after = after[n.end() :]
        else:
            bare = _ZH_BARE_NUMBER.match(after)
            if bare is not None:
                number = bare.group(1).lstrip("0") + (bare.group(2) or "")
                after = after[bare.end() :]
        rest = remainder[: m.start()] + " " + after
    else:
        n = _ZH_NUMBER.search(remainder)
        if n is not None:
            number = _zh_number(n.group(0))
            rest = remainder[: n.start()] + " " + remainder[n.end() :]
    rest = " ".join(part.strip(_EDGE_PUNCT) for part in rest.split()).strip(_EDGE_PUNCT)
    return _address(raw, folded, levels, road, _road_key(road) if road else "", number, rest, "zh")


def _address(
    raw: str,
    folded: str,
    levels: dict[int, tuple[str, str]],
    road: str,
    road_key: str,
    number: str,
    rest: str,
    script: str,
) -> Address:
    empty = ("", "")
    province, city = levels.get(PROVINCE, empty), levels.get(CITY, empty)
    district, town = levels.get(DISTRICT, empty), levels.get(TOWN, empty)
    return Address(
        raw=raw,
        folded=folded,
        province=province[0],
        city=city[0],
        district=district[0],
        town=town[0],
        road=road,
        number=number,
        rest=rest,
        province_key=province[1],
        city_key=city[1],
        district_key=district[1],
        town_key=town[1],
        road_key=road_key,
        script=script,
    )


# --- English and pinyin addresses ----------------------------------------------------------

_EN_COUNTRY = frozenset(
    ("china", "p.r.china", "p.r. china", "prc", "p.r.c.", "pr china", "p. r. china", "cn")
    + ("people's republic of china", "the people's republic of china", "mainland china")
)
_EN_LEVEL_WORDS = {
    "province": PROVINCE,
    "sheng": PROVINCE,
    "autonomous region": PROVINCE,
    "city": CITY,
    "shi": CITY,
    "prefecture": CITY,
    "district": DISTRICT,
    "county": DISTRICT,
    "qu": DISTRICT,
    "xian": DISTRICT,
    "county-level city": DISTRICT,
    "town": TOWN,
    "township": TOWN,
    "zhen": TOWN,
    "xiang": TOWN,
    "subdistrict": TOWN,
    "sub-district": TOWN,
    "sub district": TOWN,
    "jiedao": TOWN,
    "street office": TOWN,
}
_EN_ROAD_KINDS = {
    "road": "lu",
    "rd": "lu",
    "lu": "lu",
    "street": "jie",
    "st": "jie",
    "jie": "jie",
    "avenue": "dadao",
    "ave": "dadao",
    "av": "dadao",
    "boulevard": "dadao",
    "blvd": "dadao",
    "dadao": "dadao",
    "lane": "xiang",
    "ln": "xiang",
    "alley": "xiang",
    "xiang": "xiang",
    "highway": "gonglu",
    "hwy": "gonglu",
    "gonglu": "gonglu",
    "dajie": "dajie",
}
_EN_DIRECTIONS = {
    "east": "dong",
    "e": "dong",
    "dong": "dong",
    "west": "xi",
    "w": "xi",
    "xi": "xi",
    "south": "nan",
    "s": "nan",
    "nan": "nan",
    "north": "bei",
    "n": "bei",
    "bei": "bei",
    "middle": "zhong",
    "mid": "zhong",
    "central": "zhong",
    "center": "zhong",
    "zhong": "zhong",
}
_EN_PLACE_ALIASES = {
    "inner mongolia": "neimenggu",
    "tibet": "xizang",
    "hong kong": "xianggang",
    "hongkong": "xianggang",
    "macau": "aomen",
    "macao": "aomen",
    "canton": "guangzhou",
}
_EN_NUMBER = re.compile(r"^(?:no\.?|number|#)\s*(\d+)\s*([a-z])?(?:\s*-\s*\d+[a-z]?)?\b\s*")
_EN_LEADING_NUMBER = re.compile(r"^(\d+)\s*([a-z])?(?:\s*-\s*\d+[a-z]?)?\s+(?=[a-z])")
_EN_WORDS = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def place_by_pinyin(words: str) -> tuple[Place, ...]:
    """Gazetteer places whose reading is these romanised words ("shi ling", "Huadu")."""
    key = _EN_PLACE_ALIASES.get(words) or "".join(_EN_WORDS.findall(words)).replace("-", "")
    key = key.replace("'", "")
    return gazetteer().by_pinyin.get(key, ())


_EN_LEVEL_AT_END = re.compile(
    "\\s(" + "|".join(sorted(map(re.escape, _EN_LEVEL_WORDS), key=len, reverse=True)) + ")$"
)


def _en_level(part: str) -> tuple[str, int]:
    """The place words of an English address part and the level its kind word names (0: none)."""
    m = _EN_LEVEL_AT_END.search(part)
    if m is None:
        return part, 0
    return part[: m.start()].strip(), _EN_LEVEL_WORDS[m.group(1)]


def _en_road(part: str) -> tuple[str, str] | None:
    words = _EN_WORDS.findall(part)
    if not words:
        return None
    kind_at = next(
        (i for i in range(len(words) - 1, -1, -1) if words[i].rstrip(".") in _EN_ROAD_KINDS), -1
    )
    if kind_at <= 0:
        return None
    name_words = words[:kind_at]
    directions = [w for w in name_words if w in _EN_DIRECTIONS and len(name_words) > 1]
    directions += [w for w in words[kind_at + 1 :] if w in _EN_DIRECTIONS]
    name = [w for w in name_words if w not in directions]
    if not name:
        return None
    key = "".join(name) + "".join(_EN_DIRECTIONS[d] for d in directions)
    key += _EN_ROAD_KINDS[words[kind_at]]
    return part.strip(), key.replace("-", "")


def _parse_en(raw: str, folded: str) -> Address:
    gaz = gazetteer()
    text = _POSTCODE.sub("", folded)
    parts = [p.strip(" .") for p in re.split(r"[,;，]", text)]
    found: list[tuple[int, str, str, tuple[Place, ...]]] = []  # level, words, key, places
    road = road_key = number = ""
    rest: list[str] = []
    for part in parts:
        if not part or part in _EN_COUNTRY:
            continue
        m = _EN_NUMBER.match(part) or _EN_LEADING_NUMBER.match(part)
        if m is not None and not number:
            number = m.group(1).lstrip("0") + (m.group(2) or "")
            part = part[m.end() :].strip()
            if not part:
                continue
        words, level = _en_level(part)
        places = place_by_pinyin(words)
        if level and level != TOWN or (level == TOWN and places):
            key = places[0].pinyin if places else "".join(_EN_WORDS.findall(words))
            found.append((level, words, key.replace("-", ""), places))
            continue
        if not road and (road_match := _en_road(part)) is not None:
            road, road_key = road_match
            continue
        if level == TOWN:
            found.append((level, words, "".join(_EN_WORDS.findall(words)).replace("-", ""), ()))
            continue
        if places:
            found.append((0, words, places[0].pinyin, places))
            continue
        rest.append(part)
    levels: dict[int, tuple[str, str]] = {}
    chosen: list[Place] = []
    for level, words, key, places in found:
        fits = places
        if level:
            fits = tuple(p for p in places if p.level == level) or places
        others = [p for _, _, _, ps in found if ps is not places for p in ps]
        if len(fits) > 1 and others:
            related = tuple(
                p
                for p in fits
                if any(gaz.descends(p, (o,)) or gaz.descends(o, (p,)) for o in others)
            )
            fits = related or fits
        if not level:
            if not fits:
                rest.append(words)
                continue
            level = fits[0].level
        if level not in levels:
            levels[level] = (words, key)
            if len(fits) == 1:
                chosen.append(fits[0])
    if chosen:
        deepest = max(chosen, key=lambda p: p.level)
        for ancestor in gaz.ancestors(deepest):
            levels.setdefault(ancestor.level, (ancestor.pinyin, ancestor.pinyin))
    if CITY not in levels and PROVINCE in levels and levels[PROVINCE][1] in _MUNICIPALITY_PINYIN:
        levels[CITY] = levels[PROVINCE]
    return _address(raw, folded, levels, road, road_key, number, ", ".join(rest), "en")


_MUNICIPALITY_PINYIN = frozenset(("beijing", "tianjin", "shanghai", "chongqing"))
_HAN_RE = re.compile(f"[{HAN}]")


def parse_address(raw: str) -> Address:
    """Split an address into province/city/district/town/road/number/rest with pinyin keys.

    Never raises: text that is not an address comes back with everything in `rest`.
    """
    folded = fold(raw)
    if _HAN_RE.search(folded):
        return _parse_zh(raw, folded)
    return _parse_en(raw, folded)
