"""Unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from ``0-9 A-H J-N P-R T U W-Y`` (31 symbols, values 0-30 in that order):
position 1 registration authority, 2 entity type, 3-8 administrative division, 9-17
organisation code, 18 check character.
"""

from __future__ import annotations

from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


class USCCError(ValueError):
    """The code is not a valid USCC; the message says why, for a person to fix it.

    `code` and `params` say the same for a machine, so a caller with a message catalogue can say
    it in the user's language (the engine has no translations):

    - "length": `length` characters instead of 18;
    - "character": `character` at `position` (1-based) is not one of the 31 symbols;
    - "check_character": `character` at position 18, but the first 17 give `expected`.
    """

    def __init__(self, message: str, code: str = "invalid", **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params: dict[str, object] = params


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    if len(first17) != LENGTH - 1:
        raise USCCError(
            f"need 17 characters to compute a check character, got {len(first17)}",
            "length",
            length=len(first17),
        )
    total = 0
    for pos, (ch, weight) in enumerate(zip(first17, WEIGHTS, strict=True), start=1):
        if ch not in VALUES:
            raise USCCError(
                f"character {ch!r} at position {pos} is not allowed in a USCC",
                "character",
                character=ch,
                position=pos,
            )
        total += VALUES[ch] * weight
    return ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(raw: str) -> str:
    """Upper-case, strip spaces and full-width forms; does not validate."""
    text = raw.strip().translate(_FULLWIDTH).upper()
    return "".join(text.split())


_FULLWIDTH = (
    {0xFF10 + i: ord("0") + i for i in range(10)}
    | {0xFF21 + i: ord("A") + i for i in range(26)}
    | {0xFF41 + i: ord("a") + i for i in range(26)}
)


def validate_uscc(raw: str) -> str:
    """Return the normalised code, or raise USCCError naming what is wrong."""
    code = normalise_uscc(raw)
    if len(code) != LENGTH:
        raise USCCError(
            f"a USCC has 18 characters; this one has {len(code)}", "length", length=len(code)
        )
    for pos, ch in enumerate(code, start=1):
        if ch not in VALUES:
            raise USCCError(
                f"character {ch!r} at position {pos} is not allowed "
                "(digits and capital letters except I, O, S, V, Z)",
                "character",
                character=ch,
                position=pos,
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise USCCError(
            f"the check character (position 18) is {code[17]!r}, "
            f"but the first 17 characters give {expected!r}",
            "check_character",
            character=code[17],
            position=18,
            expected=expected,
        )
    return code


def is_valid_uscc(raw: str) -> bool:
    try:
        validate_uscc(raw)
    except USCCError:
        return False
    return True


@dataclass(frozen=True)
class USCCParts:
    authority: str
    entity_type: str
    division: str
    organisation: str
    check: str


def parse_uscc(raw: str) -> USCCParts:
    code = validate_uscc(raw)
    return USCCParts(code[0], code[1], code[2:8], code[8:17], code[17])


def make_uscc(authority: str, entity_type: str, division: str, organisation: str) -> str:
    """Build a valid code from its parts (the demo generator uses this)."""
    first17 = f"{authority}{entity_type}{division}{organisation}"
    return first17 + check_character(first17)
