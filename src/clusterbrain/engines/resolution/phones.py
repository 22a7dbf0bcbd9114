"""Phone numbers from a spreadsheet cell, as plain digits that compare equal across lists.

One cell often holds several numbers ("020-8698 1234 / 138 1234 5678"), with country codes,
brackets, extensions and full-width digits, and a landline appears with its area code in one
list and without it in another; `phone_local` is what lets those two meet.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise_phone", "normalise_phones", "phone_local"]

# Between numbers: slashes, commas, semicolons, the enumeration comma, "or"; spaces are handled
# below, since they also sit inside one number ("020 8698 1234").
_SEPARATORS = re.compile(r"[/,;、|\\\n\r\t]|或|及|and|or", re.IGNORECASE)
_EXTENSION = re.compile(
    r"(?:转|轉|分机|分機|ext\.?|extension|x|#)\s*\d{1,6}\s*$|\(\s*(?:转|分机|ext\.?)\s*\d{1,6}\s*\)",
    re.IGNORECASE,
)
_GROUP = re.compile(r"\+?\d+")
_FOREIGN = re.compile(r"\+\s*(?!86)\d")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_SERVICE = re.compile(r"[48]00\d{7}")


def _valid(digits: str) -> str:
    """The canonical form of one number's digits, or "" when they are not a Chinese number."""
    plus = digits.startswith("+")
    digits = digits.lstrip("+")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and (plus or prefix == "0086" or len(digits) >= 12):
            rest = digits[len(prefix) :]
            if _MOBILE.fullmatch(rest):
                return rest
            landline = rest if rest.startswith("0") else "0" + rest
            if _landline(landline):
                return landline
    if plus:
        return ""  # a foreign number is not one we can compare
    if _MOBILE.fullmatch(digits) or _SERVICE.fullmatch(digits):
        return digits
    if digits.startswith("0"):
        return digits if _landline(digits) else ""
    if 7 <= len(digits) <= 8 and digits[0] not in "01":
        return digits
    return ""


def _area_length(landline: str) -> int:
    """010 and 020-029 have three digits; every other area code four (0755, 0778 …)."""
    return 3 if landline[1] in "12" else 4


def _landline(digits: str) -> bool:
    if len(digits) < 10 or not digits.startswith("0") or digits[1] == "0":
        return False
    subscriber = digits[_area_length(digits) :]
    return len(subscriber) in (7, 8) and subscriber[0] not in "01"


def _numbers_in(chunk: str) -> list[str]:
    groups = _GROUP.findall(chunk)
    found: list[str] = []
    i = 0
    # Longest run of digit groups from each start that makes one number: "020 8698 1234" is
    # one, "13812345678 13987654321" two, "020-86981234-801" one and an extension.
    while i < len(groups):
        for j in range(len(groups), i, -1):
            number = _valid("".join(groups[i:j]))
            if number:
                found.append(number)
                i = j
                break
        else:
            i += 1
    return found


def normalise_phones(raw: str) -> tuple[str, ...]:
    """Every phone number in a cell, as digits, in order, without repeats; none if unreadable."""
    if not raw:
        return ()
    text = unicodedata.normalize("NFKC", raw)
    out: list[str] = []
    for chunk in _SEPARATORS.split(text):
        chunk = _EXTENSION.sub("", chunk.strip())
        if _FOREIGN.search(chunk):
            continue  # another country's number: its digits are not ours to compare
        for number in _numbers_in(chunk):
            if number not in out:
                out.append(number)
    return tuple(out)


def normalise_phone(raw: str) -> str:
    numbers = normalise_phones(raw)
    return numbers[0] if numbers else ""


def phone_local(phone: str) -> str:
    """The subscriber part: 02086981234 → 86981234; a mobile or a bare local number unchanged."""
    if len(phone) >= 10 and phone.startswith("0") and _landline(phone):
        return phone[_area_length(phone) :]
    return phone
