"""Licence codes: `SL-2026-7K3QM-9XD4P-T` — a brand prefix, the year granted, ten random
Crockford base32 symbols (50 bits: not guessable) and a Luhn mod 32 check symbol, so a code
typed with one wrong symbol or two neighbours swapped is told apart from a code nobody issued.

Reading is forgiving the way Crockford's alphabet intends: case, spaces and dashes do not
matter, O reads as 0 and I or L as 1. No Django here: the rules are tested alone.
"""

from __future__ import annotations

import random
import re
import secrets
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
VALUE = {c: i for i, c in enumerate(ALPHABET)}
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SHAPE = re.compile(r"^([A-Z]{2,4})(\d{4})([0-9A-Z]{11})$")


def check_symbol(payload: str) -> str:
    """Luhn mod 32 over the payload's Crockford values: catches every single substitution and
    every swap of two neighbours (but 0↔Z-like pairs of Luhn's own blind spot)."""
    factor, total = 2, 0
    for ch in reversed(payload):
        addend = factor * VALUE[ch]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def prefix_for(name_en: str, fallback: str) -> str:
    """Initials of the brand's English name ("Shiling Leather" → SL), else of the fallback."""
    initials = "".join(w[0] for w in re.findall(r"[A-Za-z]+", name_en or "")).upper()[:4]
    if len(initials) < 2:
        initials = re.sub(r"[^A-Z]", "", (fallback or "").upper())[:3]
    return initials if len(initials) >= 2 else (initials + "XX")[:2]


def new_code(prefix: str, year: int, rng: random.Random | None = None) -> str:
    """A fresh code; `rng` only for the demo, whose codes stay the same from load to load."""
    pick = rng.choice if rng is not None else secrets.choice
    body = "".join(pick(ALPHABET) for _ in range(10))
    check = check_symbol(f"{year:04d}{body}")
    return f"{prefix}-{year:04d}-{body[:5]}-{body[5:]}-{check}"


@dataclass(frozen=True)
class ParsedCode:
    """`code` is the canonical spelling when `shape_ok`; `check_ok` tells a typo from a code
    that could have been issued."""

    code: str
    shape_ok: bool
    check_ok: bool


def parse_code(raw: str) -> ParsedCode:
    text = re.sub(r"[\s\-_.]", "", (raw or "").upper())[:40]
    m = _SHAPE.match(text)
    if not m:
        return ParsedCode(text, False, False)
    prefix, year, rest = m.groups()
    rest = rest.translate(_CONFUSABLE)
    if any(c not in VALUE for c in rest):
        return ParsedCode(text, False, False)
    body, check = rest[:10], rest[10]
    canonical = f"{prefix}-{year}-{body[:5]}-{body[5:]}-{check}"
    return ParsedCode(canonical, True, check_symbol(year + body) == check)
