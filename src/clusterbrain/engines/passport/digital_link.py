"""GS1 Digital Link (GS1 Digital Link URI Syntax 1.4) for passports.

A passport's QR code carries a Digital Link on the cluster's own domain, e.g.
`https://brain.example/01/06901234567892/10/LOT-7`: any GS1 resolver or phone camera reads it,
and our site answers it with the passport page. Only the primary keys a passport needs are
read: GTIN (01) with a lot (10) or a serial (21). Anything else is an error naming the part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

# GS1 AI encodable character set 82 (the set lots and serials are written in)
_CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")
_GTIN = re.compile(r"^\d{8}$|^\d{12,14}$")


class DigitalLinkError(ValueError):
    """A Digital Link that is not one of ours; `part` names what is wrong."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part


def check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit of a key's digits (weights 3, 1 from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def gtin14(gtin: str) -> str:
    """A GTIN-8/12/13/14 as the 14 digits Digital Link uses, its check digit verified."""
    if not _GTIN.match(gtin):
        raise DigitalLinkError("gtin", f"GTIN must be 8, 12, 13 or 14 digits, not {gtin!r}")
    if check_digit(gtin[:-1]) != gtin[-1]:
        raise DigitalLinkError("gtin", f"GTIN {gtin} has a wrong check digit")
    return gtin.zfill(14)


@dataclass(frozen=True)
class ProductKey:
    """What a passport is about: a GTIN with a lot, or with a serial (one piece)."""

    gtin: str
    lot: str = ""
    serial: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "gtin", gtin14(self.gtin))
        if bool(self.lot) == bool(self.serial):
            raise DigitalLinkError("lot", "give a lot (10) or a serial (21), one of the two")
        value, part = (self.lot, "lot") if self.lot else (self.serial, "serial")
        if not _CSET82.match(value):
            raise DigitalLinkError(
                part, f"{part} {value!r} must be 1-20 characters of GS1 character set 82"
            )

    @property
    def path(self) -> str:
        """The Digital Link path, without a domain."""
        ai, value = ("10", self.lot) if self.lot else ("21", self.serial)
        return f"/01/{self.gtin}/{ai}/{quote(value, safe='')}"

    def uri(self, base: str) -> str:
        """The Digital Link on `base` (scheme and host, e.g. https://brain.example)."""
        return base.rstrip("/") + self.path

    @property
    def epc(self) -> str:
        """The identifier as EPCIS events carry it on id.gs1.org (see `normalise.digital_link`)."""
        return "https://id.gs1.org" + self.path


def parse_path(path: str) -> ProductKey:
    """The product key of a Digital Link path (`/01/{gtin}/10/{lot}` or `/21/{serial}`), with
    any path prefix before `/01/` ignored, as the standard allows."""
    parts = [p for p in path.split("?")[0].split("/") if p]
    try:
        start = parts.index("01")
    except ValueError:
        raise DigitalLinkError("gtin", "a Digital Link starts with /01/ and a GTIN") from None
    tail = parts[start:]
    if len(tail) != 4 or tail[2] not in ("10", "21"):
        raise DigitalLinkError("path", "expected /01/{GTIN}/10/{lot} or /01/{GTIN}/21/{serial}")
    value = unquote(tail[3])
    if tail[2] == "10":
        return ProductKey(gtin=tail[1], lot=value)
    return ProductKey(gtin=tail[1], serial=value)


_GTIN_URN = re.compile(r"^urn:epc:(?:class:lgtin|id:sgtin):(\d+)\.(\d+)\.(.+)$")


def product_key(identifier: str) -> ProductKey | None:
    """The product key of an EPCIS identifier (LGTIN/SGTIN URN or a Digital Link on any
    domain), or None when it names no GTIN lot or serial (an SSCC, a location…)."""
    try:
        m = _GTIN_URN.match(identifier)
        if m:  # read here, not via the Digital Link: a lot may hold an escaped "/"
            prefix, item, rest = m.groups()
            body = item[:1] + prefix + item[1:]
            gtin, value = body + check_digit(body), unquote(rest)
            if identifier.startswith("urn:epc:class:"):
                return ProductKey(gtin=gtin, lot=value)
            return ProductKey(gtin=gtin, serial=value)
        if identifier.startswith(("http://", "https://")):
            return parse_path(identifier.split("://", 1)[1].partition("/")[2])
    except DigitalLinkError:
        return None
    return None
