"""One firm against one rule, with the reasons: Kleene's three-valued logic, where a condition
on a value the platform does not have is UNKNOWN rather than false, and a firm is eligible only
when the whole rule is TRUE. An office can then tell "not eligible" from "tell us your
revenue"."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from clusterbrain.engines.rules.format import format_condition
from clusterbrain.engines.rules.nodes import (
    And,
    BoolField,
    Compare,
    Contains,
    Everyone,
    Field,
    InList,
    IsKnown,
    Leaf,
    Literal,
    Node,
    Not,
    Or,
)

Outcome = bool | None


@dataclass(frozen=True)
class Condition:
    """One leaf comparison and how the firm fared on it."""

    text: str
    field: str
    outcome: Outcome
    actual: Any  # the firm's value (a text list as a tuple), None when missing


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    outcome: Outcome
    conditions: tuple[Condition, ...]
    failing: tuple[Condition, ...]


def profile_value(field: Field, profile: Mapping[str, Any]) -> Any:
    """The firm's value of `field`, None when missing; a value of the wrong type is the
    caller's bug (TypeError), not the office's."""
    value = profile.get(field.name)
    if value is None:
        return None
    if field.type == "bool":
        if not isinstance(value, bool):
            raise TypeError(f"{field.name}: expected bool, got {type(value).__name__}")
    elif field.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise TypeError(f"{field.name}: expected a number, got {type(value).__name__}")
        number = float(value)
        # NaN is how a float column says "missing"; the frame evaluator reads it the same way.
        return None if math.isnan(number) else number
    elif field.type == "text":
        if not isinstance(value, str):
            raise TypeError(f"{field.name}: expected str, got {type(value).__name__}")
    elif field.type == "text_list":
        if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
            raise TypeError(f"{field.name}: expected a list of str, got {type(value).__name__}")
        if not all(isinstance(item, str) for item in value):
            raise TypeError(f"{field.name}: expected a list of str")
    return value


def _literal_value(value: Literal) -> object:
    return value.value


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "=":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


def leaf_outcome(leaf: Leaf, value: Any) -> Outcome:
    if isinstance(leaf, IsKnown):
        return (value is not None) == leaf.known
    if value is None:
        return None
    if isinstance(leaf, BoolField):
        return bool(value)
    if isinstance(leaf, Compare):
        return _compare(leaf.op, value, _literal_value(leaf.value))
    if isinstance(leaf, InList):
        found = any(value == _literal_value(item) for item in leaf.values.items)
        return found != leaf.negated
    if isinstance(leaf, Contains):
        return (_literal_value(leaf.value) in value) != leaf.negated
    raise TypeError(f"not a condition: {leaf!r}")


def _not(outcome: Outcome) -> Outcome:
    return None if outcome is None else not outcome


def _and(outcomes: list[Outcome]) -> Outcome:
    if any(outcome is False for outcome in outcomes):
        return False
    return None if any(outcome is None for outcome in outcomes) else True


def _or(outcomes: list[Outcome]) -> Outcome:
    if any(outcome is True for outcome in outcomes):
        return True
    return None if any(outcome is None for outcome in outcomes) else False


@dataclass
class _Outcome:
    """A node's outcome with its operands', kept to explain it afterwards."""

    node: Node
    outcome: Outcome
    operands: list[_Outcome]
    condition: int = -1  # a leaf's place among the conditions


class _Evaluation:
    def __init__(self, fields: Mapping[str, Field], profile: Mapping[str, Any]) -> None:
        self.fields = fields
        self.profile = profile
        self.conditions: list[Condition] = []

    def outcome(self, node: Node) -> _Outcome:
        if isinstance(node, Everyone):
            return _Outcome(node, True, [])
        if isinstance(node, Not):
            operand = self.outcome(node.operand)
            return _Outcome(node, _not(operand.outcome), [operand])
        if isinstance(node, And | Or):
            operands = [self.outcome(operand) for operand in node.operands]
            combine = _and if isinstance(node, And) else _or
            return _Outcome(node, combine([o.outcome for o in operands]), operands)
        field = self.fields[node.field]
        actual = self.profile.get(node.field)
        value = profile_value(field, self.profile)
        result = leaf_outcome(node, value)
        index = len(self.conditions)
        shown = None if value is None else actual
        if isinstance(shown, list | set | frozenset):
            # A tuple keeps the Condition hashable; a set's order is made stable for display.
            shown = tuple(shown) if isinstance(shown, list) else tuple(sorted(shown))
        self.conditions.append(Condition(format_condition(node), node.field, result, shown))
        return _Outcome(node, result, [], index)


def _deciding(result: _Outcome, found: set[int]) -> None:
    """The leaves that made a node come out as it did (its "why")."""
    node = result.node
    if result.condition >= 0:
        found.add(result.condition)
        return
    if isinstance(node, And | Or):
        # An `and` that is TRUE, or an `or` that is not, owes that to every operand; otherwise
        # only to the operands that failed it (`and`) or carried it (`or`).
        is_and = isinstance(node, And)
        everyone = (result.outcome is True) == is_and
        for operand in result.operands:
            carried = operand.outcome is not True if is_and else operand.outcome is True
            if everyone or carried:
                _deciding(operand, found)
    else:
        for operand in result.operands:
            _deciding(operand, found)


def evaluate(node: Node, fields: Mapping[str, Field], profile: Mapping[str, Any]) -> Verdict:
    evaluation = _Evaluation(fields, profile)
    result = evaluation.outcome(node)
    outcome = result.outcome
    failing: tuple[Condition, ...] = ()
    if outcome is not True:
        found: set[int] = set()
        _deciding(result, found)
        failing = tuple(evaluation.conditions[index] for index in sorted(found))
    return Verdict(outcome is True, outcome, tuple(evaluation.conditions), failing)
