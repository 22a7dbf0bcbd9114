"""The canonical text of a rule: one spelling of every construct (`=` not `==`, lower-case
keywords, double quotes, grouped digits), parenthesised only where precedence needs it, so that
`parse(format_rule(tree)) == tree`."""

from __future__ import annotations

from decimal import Decimal

from clusterbrain.engines.rules.nodes import (
    And,
    Boolean,
    BoolField,
    Compare,
    Contains,
    Everyone,
    InList,
    IsKnown,
    ListOf,
    Literal,
    Node,
    Not,
    Number,
    Or,
)

# A top-level chain longer than this goes one condition a line, as the office writes it.
ONE_LINE_WIDTH = 80


def format_number(digits: Decimal) -> str:
    written = format(digits, "f")
    sign = "-" if written.startswith("-") else ""
    whole, dot, fraction = written.lstrip("-").partition(".")
    if len(whole) > 4:
        groups = []
        while whole:
            groups.append(whole[-3:])
            whole = whole[:-3]
        whole = "_".join(reversed(groups))
    return f"{sign}{whole}{dot}{fraction}"


def format_literal(value: Literal) -> str:
    if isinstance(value, Number):
        return format_number(value.digits) + ("%" if value.percent else "")
    if isinstance(value, Boolean):
        return "true" if value.value else "false"
    escaped = value.value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\t", "\\t") + '"'


def format_list(values: ListOf) -> str:
    return "[" + ", ".join(format_literal(item) for item in values.items) + "]"


def format_condition(node: Node) -> str:
    """A leaf's text, as a Condition shows it."""
    if isinstance(node, Compare):
        return f"{node.field} {node.op} {format_literal(node.value)}"
    if isinstance(node, InList):
        return f"{node.field} {'not in' if node.negated else 'in'} {format_list(node.values)}"
    if isinstance(node, Contains):
        keyword = "not in" if node.negated else "in"
        return f"{format_literal(node.value)} {keyword} {node.field}"
    if isinstance(node, IsKnown):
        return f"{node.field} is {'known' if node.known else 'unknown'}"
    if isinstance(node, BoolField):
        return node.field
    raise TypeError(f"not a condition: {node!r}")


def _inline(node: Node) -> str:
    if isinstance(node, Not):
        operand = node.operand
        inner = _inline(operand)
        return f"not ({inner})" if isinstance(operand, And | Or) else f"not {inner}"
    if isinstance(node, And):
        # An `and` inside `and` was written in parentheses (the parser flattens a chain).
        return " and ".join(
            f"({_inline(child)})" if isinstance(child, And | Or) else _inline(child)
            for child in node.operands
        )
    if isinstance(node, Or):
        return " or ".join(
            f"({_inline(child)})" if isinstance(child, Or) else _inline(child)
            for child in node.operands
        )
    if isinstance(node, Everyone):
        return ""
    return format_condition(node)


def format_rule(node: Node) -> str:
    """Canonical text of a rule tree."""
    one_line = _inline(node)
    if len(one_line) <= ONE_LINE_WIDTH or not isinstance(node, And | Or):
        return one_line
    keyword = "and" if isinstance(node, And) else "or"
    parts = []
    for child in node.operands:
        text = _inline(child)
        nested = isinstance(child, And | Or) if keyword == "and" else isinstance(child, Or)
        parts.append(f"({text})" if nested else text)
    return f"\n{keyword} ".join(parts)
