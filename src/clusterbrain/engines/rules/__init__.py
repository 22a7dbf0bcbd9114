"""The eligibility rule language (no Django): a small readable language the cluster office
writes support programs' rules in, checked against the fields of a firm's profile when saved,
evaluated for one firm with its reasons or for every firm at once on a polars frame.

    size_class in ["micro", "small"] and "tanning" in chain_links and revenue_growth >= 5%

Decision 0017 says why a language of our own, and why three-valued."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from clusterbrain.engines.rules.checker import check
from clusterbrain.engines.rules.evaluate import Condition, Verdict, evaluate
from clusterbrain.engines.rules.format import format_rule
from clusterbrain.engines.rules.nodes import (
    FIELD_TYPES,
    MAX_DEPTH,
    MAX_TEXT_LENGTH,
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
    Node,
    Not,
    Number,
    Or,
    RuleError,
    String,
    leaves,
)
from clusterbrain.engines.rules.parser import parse

if TYPE_CHECKING:
    import numpy
    import polars


class CompiledRule:
    """A rule that parsed and type-checked against a set of fields: safe to evaluate."""

    def __init__(self, text: str, node: Node, fields: Mapping[str, Field]) -> None:
        self.text = text
        self.node = node
        self.canonical = format_rule(node)
        names = [leaf.field for leaf in leaves(node)]
        self.fields_used: tuple[str, ...] = tuple(dict.fromkeys(names))
        self.fields = {name: fields[name] for name in self.fields_used}

    def evaluate(self, profile: Mapping[str, Any]) -> Verdict:
        return evaluate(self.node, self.fields, profile)

    def evaluate_frame(self, frame: polars.DataFrame) -> numpy.ndarray:
        from clusterbrain.engines.rules.frame import evaluate_frame

        return evaluate_frame(self.node, self.fields, frame)

    def __repr__(self) -> str:
        return f"CompiledRule({self.canonical!r})"


def compile_rule(text: str, fields: Mapping[str, Field]) -> CompiledRule:
    """Parse `text` and check its names and types against `fields`; RuleError (the first one,
    in text order) otherwise."""
    node = parse(text)
    check(node, fields, text)
    return CompiledRule(text, node, fields)


__all__ = [
    "FIELD_TYPES",
    "MAX_DEPTH",
    "MAX_TEXT_LENGTH",
    "And",
    "BoolField",
    "Boolean",
    "Compare",
    "CompiledRule",
    "Condition",
    "Contains",
    "Everyone",
    "Field",
    "InList",
    "IsKnown",
    "ListOf",
    "Node",
    "Not",
    "Number",
    "Or",
    "RuleError",
    "String",
    "Verdict",
    "compile_rule",
    "format_rule",
    "leaves",
    "parse",
]
