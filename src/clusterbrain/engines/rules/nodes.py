"""The rule language's vocabulary: the fields a rule may name, its syntax tree and its one
error type.

Tree nodes are frozen dataclasses so that two rules can be compared (`parse(format_rule(t)) ==
t`); their character positions are kept for error messages but left out of equality, because
the canonical text puts the same conditions at other offsets."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal as TypingLiteral

FieldType = TypingLiteral["bool", "number", "text", "text_list"]
FIELD_TYPES: tuple[str, ...] = ("bool", "number", "text", "text_list")

MAX_TEXT_LENGTH = 4000
MAX_DEPTH = 32


@dataclass(frozen=True)
class Field:
    """A firm's attribute that rules may name; `choices` closes the values of a text field so
    that a misspelt value is caught when the rule is saved, not silently never matched."""

    name: str
    type: FieldType
    choices: tuple[str, ...] | None = None
    label_zh: str = ""
    label_en: str = ""


def _position() -> int:
    return dataclasses.field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Number:
    """A number as written: `digits` exactly (no float rounding), `percent` for `5%`, so the
    canonical text shows what the office wrote."""

    digits: Decimal
    percent: bool = False
    pos: int = _position()

    @property
    def value(self) -> float:
        # Both evaluators compare against this one float, so they cannot disagree on rounding.
        return float(self.digits / 100) if self.percent else float(self.digits)


@dataclass(frozen=True)
class String:
    value: str
    pos: int = _position()


@dataclass(frozen=True)
class Boolean:
    value: bool
    pos: int = _position()


Literal = Number | String | Boolean


@dataclass(frozen=True)
class ListOf:
    """`[a, b, …]`: the parser accepts an empty or mixed list; the checker refuses them, so the
    office gets a typed error (`empty_list`, `mixed_list`) rather than a syntax one."""

    items: tuple[Literal, ...]
    pos: int = _position()


COMPARISONS: tuple[str, ...] = ("=", "!=", "<", "<=", ">", ">=")


@dataclass(frozen=True)
class Compare:
    """`field op value`."""

    field: str
    op: str
    value: Literal
    pos: int = _position()


@dataclass(frozen=True)
class InList:
    """`field in [..]` / `field not in [..]`."""

    field: str
    values: ListOf
    negated: bool = False
    pos: int = _position()


@dataclass(frozen=True)
class Contains:
    """`"value" in listfield` / `"value" not in listfield`; `pos` is the value's, `field_pos`
    the field's (an error about the field points at the field)."""

    value: Literal
    field: str
    negated: bool = False
    pos: int = _position()
    field_pos: int = _position()


@dataclass(frozen=True)
class IsKnown:
    """`field is known` / `field is unknown`: the one condition that is never unknown."""

    field: str
    known: bool = True
    pos: int = _position()


@dataclass(frozen=True)
class BoolField:
    """A bare field name used as a condition (`is_member`)."""

    field: str
    pos: int = _position()


@dataclass(frozen=True)
class Not:
    operand: Node
    pos: int = _position()


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]
    pos: int = _position()


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]
    pos: int = _position()


@dataclass(frozen=True)
class Everyone:
    """The empty rule: every firm is eligible."""

    pos: int = _position()


Leaf = Compare | InList | Contains | IsKnown | BoolField
Node = Leaf | Not | And | Or | Everyone
LEAF_TYPES = (Compare, InList, Contains, IsKnown, BoolField)


def leaves(node: Node) -> list[Leaf]:
    """The conditions of a rule in text order."""
    found: list[Leaf] = []
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, LEAF_TYPES):
            found.append(current)
        elif isinstance(current, Not):
            stack.append(current.operand)
        elif isinstance(current, And | Or):
            stack.extend(reversed(current.operands))
    return found


class RuleError(ValueError):
    """A rule the office can fix: what is wrong (`code`, English `message`), where (`position`,
    1-based `line` and `column`), which field, and `params` for a translated message."""

    CODES: tuple[str, ...] = (
        "syntax",
        "unknown_field",
        "type_mismatch",
        "unknown_choice",
        "empty_list",
        "mixed_list",
        "too_long",
        "too_deep",
    )

    def __init__(
        self,
        code: str,
        message: str,
        *,
        text: str,
        position: int,
        field: str | None = None,
        params: dict[str, str] | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.position = position
        self.line = text.count("\n", 0, position) + 1
        self.column = position - (text.rfind("\n", 0, position) + 1) + 1
        self.field = field
        self.params = dict(params or {})
        super().__init__(f"{message} (line {self.line}, column {self.column})")

    def __repr__(self) -> str:
        return (
            f"RuleError(code={self.code!r}, message={self.message!r}, "
            f"position={self.position}, field={self.field!r})"
        )
