"""Text folding and pinyin keys shared by the name, address and person normalisers.

A registry's lists are typed by many hands: full-width and half-width forms, a dozen bracket
and dash shapes, traditional characters from Hong Kong and Taiwan suppliers, pinyin or English
instead of characters. Everything here maps those variants onto one comparable form, and is
cached or gated so that a million records pass in seconds (see decision 0004).
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

__all__ = [
    "HAN",
    "fold",
    "folded_pinyin_key",
    "han_pinyin",
    "has_han",
    "person_key",
    "pinyin_key",
    "to_simplified",
]

#: Character class body (no brackets) of the CJK ideographs we treat as Chinese text.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"

_HAN_RE = re.compile(f"[{HAN}]")


def has_han(s: str) -> bool:
    return _HAN_RE.search(s) is not None


# --- traditional to simplified ------------------------------------------------------------

# OpenCC's pure-Python converter costs ~30 µs for a 17-character name, more than the whole
# parse budget; almost no registry name contains a traditional character, so it runs only on
# strings holding at least one character that some OpenCC mapping would change.


@cache
def _traditional_chars() -> frozenset[str]:
    import opencc

    folder = Path(opencc.__file__).resolve().parent / "dictionary"
    chars: set[str] = set()
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        with open(folder / name, encoding="utf-8") as handle:
            for line in handle:
                key, _, values = line.rstrip("\n").partition("\t")
                value = values.split(" ")[0]
                if key == value:
                    continue
                if len(key) == len(value):
                    chars.update(a for a, b in zip(key, value, strict=True) if a != b)
                else:
                    chars.update(key)
    return frozenset(chars)


@cache
def _converter():  # type: ignore[no-untyped-def]
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(s: str) -> str:
    if _traditional_chars().isdisjoint(s):
        return s
    return str(_converter().convert(s))


# --- fold -----------------------------------------------------------------------------------

_OPEN = "([{（［｛【〔〖「『〈《⟨⦅｟"
_CLOSE = ")]}）］｝】〕〗」』〉》⟩⦆｠"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d\u2500\u30fc\u2e3a"
_DOTS = "\u00b7\u2022\u2027\u2219\u22c5\u30fb\uff65\u0387\u16eb\u2e31"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u301d\u301e\u301f\uff02"
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u2035\uff07`\u00b4"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"

_FOLD_TABLE: dict[int, str | None] = {
    **{ord(c): "(" for c in _OPEN if c not in "《"},
    **{ord(c): ")" for c in _CLOSE if c not in "》"},
    **{ord(c): "-" for c in _DASHES},
    **{ord(c): "·" for c in _DOTS},
    **{ord(c): '"' for c in _DOUBLE_QUOTES},
    **{ord(c): "'" for c in _SINGLE_QUOTES},
    **{ord(c): None for c in _INVISIBLE},
    ord("。"): ".",
    ord("｡"): ".",
    **{i: " " for i in range(0x20) if chr(i) not in "\n\t\r"},
    0x7F: " ",
}

# A space between two Chinese characters (or a character and a bracket) is a typing accident;
# between latin words it separates words, so only the former goes.
_CJK_GAP = re.compile(
    f"(?<=[{HAN})])\\s+(?=[{HAN}(])|(?<=[{HAN}])\\s+(?=[(])|(?<=\\()\\s+|\\s+(?=\\))"
)


def fold(s: str) -> str:
    """One comparable spelling of a string: width, brackets, dashes, script and case unified.

    Idempotent, so folded text can be folded again (an import may fold what a form folded).
    """
    text = unicodedata.normalize("NFKC", s).translate(_FOLD_TABLE)
    text = to_simplified(text).lower()
    if not unicodedata.is_normalized("NFKC", text):
        # lower() and OpenCC can both produce sequences NFKC would change again.
        text = unicodedata.normalize("NFKC", text).translate(_FOLD_TABLE)
    text = " ".join(text.split())
    return _CJK_GAP.sub("", text) if " " in text else text


# --- pinyin ---------------------------------------------------------------------------------

# Readings where pypinyin's default is wrong for the words of company names and places it
# meets in our lists (花都 is "huadou" to pypinyin, 贸易行 "maoyixing"). The gazetteer adds
# the stems of every place it knows with a hand-checked reading.
_WORD_READINGS = {
    "重庆": "chongqing",
    "长沙": "changsha",
    "厦门": "xiamen",
    "长治": "changzhi",
    "花都": "huadu",
    "都安": "duan",
    "商行": "shanghang",
    "贸易行": "maoyihang",
    "皮革行": "pigehang",
    "皮具行": "pijuhang",
    "五金行": "wujinhang",
    "鞋行": "xiehang",
    "布行": "buhang",
    "车行": "chehang",
    "银行": "yinhang",
    "行业": "hangye",
    "缫丝": "saosi",
    "茧丝": "jiansi",
    "制革": "zhige",
    "鞋业": "xieye",
    "皮具": "piju",
    "长城": "changcheng",
    "长江": "changjiang",
    "长兴": "changxing",
    "长发": "changfa",
    "长盛": "changsheng",
    "长青": "changqing",
    "长荣": "changrong",
    "长丰": "changfeng",
    "长乐": "changle",
    "长安": "changan",
    "长春": "changchun",
    "永长": "yongchang",
    "乐清": "yueqing",
    "都市": "dushi",
    "首都": "shoudu",
}


_TONELESS = str.maketrans(
    "āáǎàēéěèếềīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ",
    "aaaaeeeeeeiiiioooouuuuvvvvvnnnm",
)


def _toneless(reading: str) -> str:
    return reading.translate(_TONELESS)


@cache
def _readings() -> tuple[dict[str, str], int]:
    """Word → toneless reading: pypinyin's phrases, then the gazetteer's stems, then ours."""
    from pypinyin.phrases_dict import phrases_dict

    readings = {
        word: "".join(_toneless(syllable[0]) for syllable in syllables)
        for word, syllables in phrases_dict.items()
    }
    data = resources.files("clusterbrain.engines.resolution").joinpath("data/gazetteer.json")
    places = json.loads(data.read_text(encoding="utf-8"))["places"]
    for _name, stem, _level, _parent, reading in places:
        if len(stem) >= 2:
            readings[stem] = reading
    readings.update(_WORD_READINGS)
    return readings, max(len(word) for word in readings)


@cache
def _char_readings() -> dict[str, str]:
    from pypinyin.pinyin_dict import pinyin_dict

    return {chr(code): _toneless(value.split(",")[0]) for code, value in pinyin_dict.items()}


@lru_cache(maxsize=1 << 18)
def han_pinyin(run: str) -> str:
    """Toneless pinyin of a run of Chinese characters.

    Forward longest match over pypinyin's phrase readings plus ours (places, trade words), each
    remaining character in its most common reading: what pypinyin's lazy_pinyin does, at a
    fraction of its cost per call, which matters for a million distinct trade names.
    """
    readings, longest = _readings()
    chars = _char_readings()
    out: list[str] = []
    i = 0
    n = len(run)
    while i < n:
        for size in range(min(longest, n - i), 1, -1):
            reading = readings.get(run[i : i + size])
            if reading is not None:
                out.append(reading)
                i += size
                break
        else:
            out.append(chars.get(run[i], ""))
            i += 1
    return "".join(out)


_TOKEN = re.compile(f"[a-z0-9]+|[{HAN}]+")


@lru_cache(maxsize=1 << 18)
def folded_pinyin_key(folded: str) -> str:
    """pinyin_key of a string that is already folded (the parsers' hot path skips fold)."""
    parts = []
    for token in _TOKEN.findall(folded):
        parts.append(token if token.isascii() else han_pinyin(token))
    return "".join(parts)


@lru_cache(maxsize=1 << 16)
def pinyin_key(s: str) -> str:
    """Toneless pinyin of the Chinese characters, latin letters and digits kept, rest dropped.

    "某某皮具" and "Moumou Piju" give the same key, which is what lets a Chinese and a pinyin
    spelling of one firm meet.
    """
    return folded_pinyin_key(fold(s))


# --- people ---------------------------------------------------------------------------------

_COMPOUND_SURNAMES = {
    "欧阳": "ouyang",
    "司马": "sima",
    "上官": "shangguan",
    "诸葛": "zhuge",
    "东方": "dongfang",
    "皇甫": "huangfu",
    "尉迟": "yuchi",
    "公孙": "gongsun",
    "慕容": "murong",
    "长孙": "zhangsun",
    "令狐": "linghu",
    "夏侯": "xiahou",
    "司徒": "situ",
    "端木": "duanmu",
    "澹台": "tantai",
    "宇文": "yuwen",
    "万俟": "moqi",
    "单于": "chanyu",
    "闻人": "wenren",
    "西门": "ximen",
}
# Surnames whose reading differs from the character's everyday one.
_SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "朴": "piao",
    "区": "ou",
    "仇": "qiu",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "尉": "yu",
    "员": "yun",
    "缪": "miao",
    "覃": "qin",
    "翟": "zhai",
    "召": "shao",
    "种": "chong",
    "秘": "bi",
    "佴": "nai",
    "阚": "kan",
    "繁": "po",
    "冼": "xian",
    "谌": "chen",
    "句": "gou",
    "隗": "wei",
    "柏": "bai",
    "薄": "bo",
    "折": "she",
    "卜": "bu",
    "纪": "ji",
    "长": "chang",
    "重": "chong",
    "沈": "shen",
    "石": "shi",
    "任": "ren",
    "华": "hua",
    "燕": "yan",
    "蔚": "yu",
    "都": "du",
    "宿": "su",
    "的": "di",
    "那": "na",
    "大": "da",
    "藏": "zang",
    "贾": "jia",
    "万": "wan",
    "莫": "mo",
}
# The most common surnames, most common first: the tie-breaker when both ends could be one.
_SURNAMES_BY_FREQUENCY = (
    "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin luo gao zheng "
    "liang xie song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye "
    "cheng wei su lv lu ding ren shen yao cui zhong tan fan jin shi liao jia xia fu fang zou "
    "xiong bai meng qin qiu hou yin xue yan duan lei long shao qian tao mo hao kong shang gu "
    "mao gong wan qi wen hong niu kang ou ouyang situ sima shangguan zhuge"
)
_SURNAME_RANK = {surname: rank for rank, surname in enumerate(_SURNAMES_BY_FREQUENCY.split())}
_LATIN_WORD = re.compile(r"[a-z]+(?:[-'][a-z]+)*")


def _strip_accents(s: str) -> str:
    s = s.replace("ü", "v").replace("Ü", "V")
    decomposed = unicodedata.normalize("NFKD", s)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _latin_syllables(word: str) -> str:
    word = word.replace("-", "").replace("'", "")
    if word in ("lyu", "lue"):
        return "lv"
    if word in ("nyu", "nue"):
        return "nv"
    return word


def _zh_person_groups(name: str) -> list[str]:
    if "·" in name or len(name) > 4:
        return [han_pinyin(part) for part in name.split("·") if part]
    if len(name) >= 3 and name[:2] in _COMPOUND_SURNAMES:
        surname, given = _COMPOUND_SURNAMES[name[:2]], name[2:]
    else:
        surname, given = _SURNAME_READINGS.get(name[0]) or han_pinyin(name[0]), name[1:]
    return [surname, han_pinyin(given)] if given else [surname]


def _latin_person_groups(raw: str) -> list[str]:
    text = _strip_accents(raw)
    if "," in text:
        head, _, tail = text.partition(",")
        surname = "".join(_latin_syllables(w) for w in _LATIN_WORD.findall(head.lower()))
        given = "".join(_latin_syllables(w) for w in _LATIN_WORD.findall(tail.lower()))
        return [g for g in (surname, given) if g]
    raw_words = re.findall(r"[A-Za-z]+(?:[-'][A-Za-z]+)*", text)
    words = [_latin_syllables(w.lower()) for w in raw_words]
    if len(words) <= 2:
        return words
    # Three or more words: find the surname, so "Zhang Xiao Wei" and "Xiaowei ZHANG" meet.
    capitals = [i for i, w in enumerate(raw_words) if len(w) > 1 and w.isupper()]
    if len(capitals) == 1 and not all(w.isupper() for w in raw_words):
        at = capitals[0]
    else:
        unknown = len(_SURNAME_RANK)
        first = _SURNAME_RANK.get(words[0], unknown)
        last = _SURNAME_RANK.get(words[-1], unknown)
        at = len(words) - 1 if last < first else 0
    return [words[at], "".join(w for i, w in enumerate(words) if i != at)]


def person_key(raw: str) -> str:
    """A legal representative's name as a key equal across 张伟, Zhang Wei, Wei ZHANG, ZHANG, Wei.

    The surname and the given name become two pinyin groups, sorted, so the western and the
    Chinese order agree; a name we cannot split gives its letters as they come.
    """
    text = fold(raw)
    han = "".join(ch for ch in text if _HAN_RE.match(ch) or ch == "·").strip("·")
    if han:
        groups = _zh_person_groups(han)
    else:
        groups = _latin_person_groups(unicodedata.normalize("NFKC", raw))
    return "".join(sorted(g for g in groups if g))
