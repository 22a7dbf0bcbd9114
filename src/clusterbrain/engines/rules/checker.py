"""Names and types: a parsed rule checked against the fields firms have, in text order, so the
first error reported is the first one the office would meet reading the rule.

RuleError params by code, for a translated message:
- unknown_field: name, suggestion ("" when nothing is close).
- type_mismatch: name, type (the field's), expected, actual. When the field does not suit the
  construct (a bare non-yes/no field, `<` on text, `= "x"` on a list, `"x" in` a non-list),
  expected is the type the field would need and actual the field's type (plus operator for an
  ordering). When the value written does not suit the field (`revenue >= "big"`), there is
  also `value` (the literal as written canonically): expected is the type the value needs and
  actual the value's type.
- unknown_choice: name, value, suggestion, choices (comma-separated).
- empty_list: name. mixed_list: name, expected (the first item's type), actual (the item's).
- too_long: limit, length. too_deep: limit.
- syntax: found (the token or character, "" at the end), and expected (an English phrase) or
  suggestion (the ASCII character meant by a full-width one)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from clusterbrain.engines.rules.format import format_literal
from clusterbrain.engines.rules.nodes import (
    And,
    Boolean,
    BoolField,
    Compare,
    Contains,
    Everyone,
    Field,
    InList,
    IsKnown,
    ListOf,
    Literal,
    Node,
    Not,
    Number,
    Or,
    RuleError,
    String,
)

_TYPE_OF_LITERAL = {Number: "number", String: "text", Boolean: "bool"}
_ORDERINGS = ("<", "<=", ">", ">=")


def literal_type(value: Literal) -> str:
    return _TYPE_OF_LITERAL[type(value)]


def _suggest(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return close[0] if close else ""


class _Checker:
    def __init__(self, text: str, fields: Mapping[str, Field]) -> None:
        self.text = text
        self.fields = fields

    def error(
        self, code: str, message: str, pos: int, field: str | None, **params: str
    ) -> RuleError:
        return RuleError(code, message, text=self.text, position=pos, field=field, params=params)

    def field(self, name: str, pos: int) -> Field:
        known = self.fields.get(name)
        if known is not None:
            return known
        suggestion = _suggest(name, sorted(self.fields))
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        raise self.error(
            "unknown_field",
            f"unknown field {name!r}{hint}",
            pos,
            name,
            name=name,
            suggestion=suggestion,
        )

    def mismatch(
        self, field: Field, pos: int, expected: str, message: str, **params: str
    ) -> RuleError:
        return self.error(
            "type_mismatch",
            message,
            pos,
            field.name,
            name=field.name,
            type=field.type,
            expected=expected,
            **params,
        )

    def choice(self, field: Field, value: Literal) -> None:
        if field.choices is None or not isinstance(value, String):
            return
        if value.value in field.choices:
            return
        suggestion = _suggest(value.value, list(field.choices))
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        raise self.error(
            "unknown_choice",
            f"{value.value!r} is not a value of {field.name!r}{hint}",
            value.pos,
            field.name,
            name=field.name,
            value=value.value,
            suggestion=suggestion,
            choices=", ".join(field.choices),
        )

    def value_of_type(self, field: Field, value: Literal, expected: str) -> None:
        actual = literal_type(value)
        if actual != expected:
            raise self.mismatch(
                field,
                value.pos,
                expected,
                f"{field.name!r} is {_kind(field.type)}; "
                f"it cannot be compared with {_article(actual)} value",
                actual=actual,
                value=format_literal(value),
            )
        self.choice(field, value)

    def check(self, node: Node) -> None:
        if isinstance(node, Everyone):
            return
        if isinstance(node, Not):
            self.check(node.operand)
        elif isinstance(node, And | Or):
            for operand in node.operands:
                self.check(operand)
        elif isinstance(node, BoolField):
            field = self.field(node.field, node.pos)
            if field.type != "bool":
                raise self.mismatch(
                    field,
                    node.pos,
                    "bool",
                    f"{field.name!r} is {_kind(field.type)}, not a yes/no condition; "
                    "compare it with a value",
                    actual=field.type,
                )
        elif isinstance(node, IsKnown):
            self.field(node.field, node.pos)
        elif isinstance(node, Compare):
            self.compare(node)
        elif isinstance(node, InList):
            self.in_list(node)
        elif isinstance(node, Contains):
            self.contains(node)

    def compare(self, node: Compare) -> None:
        field = self.field(node.field, node.pos)
        if field.type == "text_list":
            raise self.mismatch(
                field,
                node.pos,
                "text",
                f'{field.name!r} is a list; test membership with "value" in {field.name}',
                actual=field.type,
            )
        if node.op in _ORDERINGS and field.type != "number":
            raise self.mismatch(
                field,
                node.pos,
                "number",
                f"{field.name!r} is {_kind(field.type)}; only numbers can be compared "
                f"with {node.op!r}",
                actual=field.type,
                operator=node.op,
            )
        self.value_of_type(field, node.value, field.type)

    def in_list(self, node: InList) -> None:
        field = self.field(node.field, node.pos)
        if field.type == "text_list":
            raise self.mismatch(
                field,
                node.pos,
                "text",
                f'{field.name!r} is a list; test each value with "value" in {field.name}',
                actual=field.type,
            )
        self.list_items(field, node.values)

    def list_items(self, field: Field, values: ListOf) -> None:
        if not values.items:
            raise self.error(
                "empty_list",
                "the list is empty; a condition on an empty list is never met",
                values.pos,
                field.name,
                name=field.name,
            )
        first = literal_type(values.items[0])
        for item in values.items[1:]:
            if literal_type(item) != first:
                raise self.error(
                    "mixed_list",
                    f"the list mixes {_article(first)} and {_article(literal_type(item))} value",
                    item.pos,
                    field.name,
                    name=field.name,
                    expected=first,
                    actual=literal_type(item),
                )
        for item in values.items:
            self.value_of_type(field, item, field.type)

    def contains(self, node: Contains) -> None:
        field = self.field(node.field, node.field_pos)
        if field.type != "text_list":
            raise self.mismatch(
                field,
                node.field_pos,
                "text_list",
                f"{field.name!r} is {_kind(field.type)}, not a list; "
                f"'in {field.name}' needs a list field",
                actual=field.type,
            )
        self.value_of_type(field, node.value, "text")


_ARTICLES = {"bool": "a yes/no", "number": "a number", "text": "a text", "text_list": "a list"}
_KINDS = {
    "bool": "a yes/no field",
    "number": "a number field",
    "text": "a text field",
    "text_list": "a list field",
}


def _article(type_name: str) -> str:
    return _ARTICLES.get(type_name, type_name)


def _kind(type_name: str) -> str:
    return _KINDS.get(type_name, type_name)


def check(node: Node, fields: Mapping[str, Field], text: str) -> None:
    """RuleError for the first unknown name or type error in `node` (parsed from `text`)."""
    _Checker(text, fields).check(node)
