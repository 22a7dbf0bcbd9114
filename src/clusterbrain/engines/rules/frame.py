"""Every firm at once: the rule turned into one polars expression over a frame with a column per
field. Polars' `&`, `|` and `~` on nullable booleans already follow Kleene's logic and a
comparison with null is null, so a null is exactly the single evaluator's UNKNOWN."""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce
from typing import Any

import numpy as np
import polars as pl

from clusterbrain.engines.rules.nodes import (
    And,
    BoolField,
    Compare,
    Contains,
    Everyone,
    Field,
    InList,
    IsKnown,
    Literal,
    Node,
    Not,
    Or,
    String,
)

_UNKNOWN = pl.lit(None, dtype=pl.Boolean)


def column(field: Field, frame_schema: Mapping[str, pl.DataType]) -> pl.Expr:
    """The field's column as the evaluators see it: numbers as floats with NaN read as missing,
    text as plain strings (a categorical column compares like its labels)."""
    if field.name not in frame_schema:
        raise KeyError(f"the frame has no column {field.name!r}")
    expr = pl.col(field.name)
    dtype = frame_schema[field.name]
    if field.type == "number":
        return expr.cast(pl.Float64).fill_nan(None)
    if field.type == "text" and dtype != pl.String:
        return expr.cast(pl.String)
    if field.type == "text_list" and dtype != pl.List(pl.String):
        return expr.cast(pl.List(pl.String))
    if field.type == "bool" and dtype != pl.Boolean:
        return expr.cast(pl.Boolean)
    return expr


def _literal(value: Literal) -> Any:
    return value.value


def _compare(op: str, left: pl.Expr, right: Any) -> pl.Expr:
    methods = {"=": left.eq, "!=": left.ne, "<": left.lt, "<=": left.le, ">": left.gt}
    return methods.get(op, left.ge)(right)


def rule_expression(
    node: Node, fields: Mapping[str, Field], frame_schema: Mapping[str, pl.DataType]
) -> pl.Expr:
    """A nullable boolean expression: TRUE, FALSE or null (UNKNOWN) per firm."""
    if isinstance(node, Everyone):
        return pl.lit(True)
    if isinstance(node, Not):
        return ~rule_expression(node.operand, fields, frame_schema)
    if isinstance(node, And | Or):
        parts = [rule_expression(operand, fields, frame_schema) for operand in node.operands]
        if isinstance(node, And):
            return reduce(lambda left, right: left & right, parts)
        return reduce(lambda left, right: left | right, parts)
    values = column(fields[node.field], frame_schema)
    if isinstance(node, IsKnown):
        return values.is_not_null() if node.known else values.is_null()
    if isinstance(node, BoolField):
        return values
    if isinstance(node, Compare):
        return _compare(node.op, values, _literal(node.value))
    if isinstance(node, InList):
        items = pl.Series([_literal(item) for item in node.values.items])
        found = pl.when(values.is_null()).then(_UNKNOWN).otherwise(values.is_in(items.implode()))
        return ~found if node.negated else found
    if isinstance(node, Contains):
        assert isinstance(node.value, String)
        found = values.list.contains(node.value.value)
        return ~found if node.negated else found
    raise TypeError(f"not a rule node: {node!r}")


def evaluate_frame(node: Node, fields: Mapping[str, Field], frame: pl.DataFrame) -> np.ndarray:
    """Eligible (the rule TRUE) per row of `frame`, as a numpy bool array."""
    expression = rule_expression(node, fields, frame.schema)
    outcome = frame.select(expression.fill_null(False).alias("eligible")).to_series()
    if outcome.len() != frame.height:  # a rule with no column in it gives one literal value
        return np.full(frame.height, bool(outcome[0]) if outcome.len() else True)
    return outcome.to_numpy().astype(bool, copy=False)
