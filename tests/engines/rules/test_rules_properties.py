"""Properties of the rule language over random schemas, rules and firms: the canonical text
parses back to the same tree; the frame evaluator agrees with the single-firm one on every
row, UNKNOWN included; `not` and De Morgan's laws hold under three-valued logic; and no text
whatever raises anything but RuleError."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterbrain.engines.rules import (
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
    compile_rule,
    format_rule,
    parse,
)
from clusterbrain.engines.rules.evaluate import evaluate
from clusterbrain.engines.rules.frame import rule_expression
from clusterbrain.engines.rules.parser import KEYWORDS

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

names = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(lambda n: n not in KEYWORDS)
words = st.text(max_size=12)
choice_sets = st.none() | st.lists(words, min_size=1, max_size=5, unique=True).map(tuple)


@st.composite
def schemas(draw: st.DrawFn) -> dict[str, Field]:
    fields = {}
    for name in draw(st.lists(names, min_size=1, max_size=6, unique=True)):
        kind = draw(st.sampled_from(["bool", "number", "text", "text_list"]))
        choices = draw(choice_sets) if kind in ("text", "text_list") else None
        fields[name] = Field(name, kind, choices)
    return fields


numbers = st.builds(
    Number,
    st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False),
    st.booleans(),
)


def _text_of(field: Field) -> st.SearchStrategy[String]:
    return st.builds(String, st.sampled_from(field.choices) if field.choices else words)


def _literal_of(field: Field) -> st.SearchStrategy[Any]:
    if field.type == "number":
        return numbers
    if field.type == "bool":
        return st.builds(Boolean, st.booleans())
    return _text_of(field)


def _leaves_of(field: Field) -> st.SearchStrategy[Node]:
    known = st.builds(IsKnown, st.just(field.name), st.booleans())
    if field.type == "text_list":
        return known | st.builds(Contains, _text_of(field), st.just(field.name), st.booleans())
    operators = ["=", "!=", "<", "<=", ">", ">="] if field.type == "number" else ["=", "!="]
    literal = _literal_of(field)
    leaves = (
        known
        | st.builds(Compare, st.just(field.name), st.sampled_from(operators), literal)
        | st.builds(
            InList,
            st.just(field.name),
            st.builds(ListOf, st.lists(literal, min_size=1, max_size=4).map(tuple)),
            st.booleans(),
        )
    )
    if field.type == "bool":
        leaves = leaves | st.builds(BoolField, st.just(field.name))
    return leaves


def rules(fields: dict[str, Field], everyone: bool = True) -> st.SearchStrategy[Node]:
    leaf = st.one_of([_leaves_of(field) for field in fields.values()])
    tree = st.recursive(
        leaf,
        lambda inner: (
            st.builds(Not, inner)
            | st.builds(And, st.lists(inner, min_size=2, max_size=3).map(tuple))
            | st.builds(Or, st.lists(inner, min_size=2, max_size=3).map(tuple))
        ),
        max_leaves=10,
    )
    return tree | st.just(Everyone()) if everyone else tree


@st.composite
def schemas_and_rules(draw: st.DrawFn) -> tuple[dict[str, Field], Node]:
    fields = draw(schemas())
    return fields, draw(rules(fields))


@PROPERTY_SETTINGS
@given(schemas_and_rules())
def test_the_canonical_text_parses_back_to_the_same_tree(case: tuple[dict, Node]) -> None:
    fields, node = case
    text = format_rule(node)
    assert parse(text) == node
    compiled = compile_rule(text, fields)
    assert compiled.canonical == text
    assert format_rule(parse(compiled.canonical)) == text


def _value_of(field: Field, draw: st.DrawFn, seen: list[Any]) -> Any:
    if draw(st.integers(0, 4)) == 0:
        return None
    if field.type == "bool":
        return draw(st.booleans())
    if field.type == "number":
        # Values near the rule's own numbers, so equalities and boundaries are hit.
        near = [item for item in seen if isinstance(item, float)]
        return draw(
            (st.sampled_from(near) if near else st.nothing())
            | st.integers(-5, 5)
            | st.decimals(min_value=-100, max_value=100, places=2, allow_nan=False)
            | st.floats(allow_nan=True, allow_infinity=True)
        )
    texts = [item for item in seen if isinstance(item, str)] + list(field.choices or ())
    text = (st.sampled_from(texts) if texts else st.nothing()) | words
    if field.type == "text":
        return draw(text)
    return draw(st.lists(text, max_size=4))


def _literals(node: Node) -> list[Any]:
    found: list[Any] = []
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Number | String | Boolean):
            found.append(item.value)
        elif isinstance(item, ListOf):
            stack.extend(item.items)
        elif isinstance(item, And | Or):
            stack.extend(item.operands)
        elif isinstance(item, Not):
            stack.append(item.operand)
        elif isinstance(item, Compare | Contains):
            stack.append(item.value)
        elif isinstance(item, InList):
            stack.append(item.values)
    return found


@st.composite
def profiles(draw: st.DrawFn, fields: dict[str, Field], node: Node) -> list[dict[str, Any]]:
    seen = _literals(node)
    count = draw(st.integers(1, 6))
    return [
        {name: _value_of(field, draw, seen) for name, field in fields.items()} for _ in range(count)
    ]


_DTYPES = {
    "bool": pl.Boolean,
    "number": pl.Float64,
    "text": pl.String,
    "text_list": pl.List(pl.String),
}


def frame_of(fields: dict[str, Field], rows: list[dict[str, Any]]) -> pl.DataFrame:
    def cell(field: Field, value: Any) -> Any:
        if field.type == "number" and value is not None:
            return float(value)
        if field.type == "text_list" and value is not None:
            return list(value)
        return value

    return pl.DataFrame(
        {name: [cell(field, row[name]) for row in rows] for name, field in fields.items()},
        schema={name: _DTYPES[field.type] for name, field in fields.items()},
    )


def frame_outcomes(node: Node, fields: dict[str, Field], frame: pl.DataFrame) -> list[Any]:
    expression = rule_expression(node, fields, frame.schema).alias("outcome")
    outcomes = frame.select(expression).to_series().to_list()
    return outcomes * frame.height if len(outcomes) == 1 and frame.height > 1 else outcomes


@st.composite
def rules_with_firms(draw: st.DrawFn) -> tuple[dict[str, Field], Node, list[dict[str, Any]]]:
    fields, node = draw(schemas_and_rules())
    return fields, node, draw(profiles(fields, node))


@PROPERTY_SETTINGS
@given(rules_with_firms())
def test_the_frame_agrees_with_the_single_firm_evaluator_row_by_row(
    case: tuple[dict[str, Field], Node, list[dict[str, Any]]],
) -> None:
    fields, node, rows = case
    compiled = compile_rule(format_rule(node), fields)
    frame = frame_of(fields, rows)
    verdicts = [compiled.evaluate(row) for row in rows]
    assert compiled.evaluate_frame(frame).tolist() == [v.eligible for v in verdicts]
    assert frame_outcomes(compiled.node, fields, frame) == [v.outcome for v in verdicts]
    for verdict in verdicts:
        assert (verdict.failing == ()) == verdict.eligible
        assert set(verdict.failing) <= set(verdict.conditions)


@st.composite
def two_rules_with_firms(draw: st.DrawFn) -> tuple[dict[str, Field], Node, Node, list[dict]]:
    fields = draw(schemas())
    tree = rules(fields, everyone=False)
    first, second = draw(tree), draw(tree)
    return fields, first, second, draw(profiles(fields, And((first, second))))


@PROPERTY_SETTINGS
@given(two_rules_with_firms())
def test_not_and_de_morgan_hold_under_three_valued_logic(
    case: tuple[dict[str, Field], Node, Node, list[dict[str, Any]]],
) -> None:
    fields, a, b, rows = case
    frame = frame_of(fields, rows)
    for row in rows:

        def outcome(node: Node, row: dict[str, Any] = row) -> bool | None:
            return evaluate(node, fields, row).outcome

        flipped = {True: False, False: True, None: None}[outcome(a)]
        assert outcome(Not(a)) is flipped
        assert outcome(Not(Not(a))) is outcome(a)
        assert outcome(Not(And((a, b)))) is outcome(Or((Not(a), Not(b))))
        assert outcome(Not(Or((a, b)))) is outcome(And((Not(a), Not(b))))
        assert outcome(And((a, b))) is outcome(And((b, a)))
    pairs = [
        (Not(And((a, b))), Or((Not(a), Not(b)))),
        (Not(Or((a, b))), And((Not(a), Not(b)))),
        (Not(Not(a)), a),
    ]
    columns = frame.select(
        [
            rule_expression(node, fields, frame.schema).alias(f"{index}_{side}")
            for index, pair in enumerate(pairs)
            for side, node in enumerate(pair)
        ]
    )
    for index in range(len(pairs)):
        assert columns[f"{index}_0"].to_list() == columns[f"{index}_1"].to_list()


def test_not_in_is_the_negation_of_in_for_every_outcome() -> None:
    fields = {"links": Field("links", "text_list"), "size": Field("size", "text")}
    for value in (None, [], ["a"], ["b"]):
        row = {"links": value, "size": None if value is None else "a"}
        for positive, negative in (
            ('"a" in links', '"a" not in links'),
            ('size in ["a"]', 'size not in ["a"]'),
        ):
            yes = compile_rule(positive, fields).evaluate(row).outcome
            no = compile_rule(negative, fields).evaluate(row).outcome
            assert no is (None if yes is None else not yes)


FIELDS = {
    "revenue": Field("revenue", "number"),
    "is_member": Field("is_member", "bool"),
    "size_class": Field("size_class", "text", ("micro", "small")),
    "certificates": Field("certificates", "text_list"),
}
_PIECES = [
    "revenue",
    "is_member",
    "size_class",
    "certificates",
    "revnue",
    " and ",
    " or ",
    "not ",
    " in ",
    " not in ",
    " is known",
    " is unknown",
    "(",
    ")",
    "[",
    "]",
    ", ",
    "=",
    "==",
    "!=",
    "<",
    ">=",
    '"small"',
    "'micro'",
    '"x\\"',
    "5%",
    "-1_000.5",
    "1.",
    "true",
    "false",
    "# note\n",
    "\n",
    "（",
]


@PROPERTY_SETTINGS
@given(
    st.text(max_size=200)
    | st.lists(st.sampled_from(_PIECES) | st.text(max_size=3), max_size=30).map("".join)
)
def test_any_text_compiles_or_raises_rule_error(text: str) -> None:
    try:
        compiled = compile_rule(text, FIELDS)
    except RuleError as error:
        assert error.code in RuleError.CODES
        assert 0 <= error.position <= len(text)
        assert error.line >= 1 and error.column >= 1
        return
    assert parse(compiled.canonical) == compiled.node
    compiled.evaluate({})
    compiled.evaluate({"revenue": Decimal("1.5"), "certificates": ["x"], "is_member": True})


@settings(max_examples=20, deadline=None)
@given(st.integers(33, 3000), st.sampled_from(["(", "not ", "not (", "[", "(("]))
def test_deep_nesting_is_too_deep_never_a_recursion_error(depth: int, opening: str) -> None:
    text = (opening * depth)[:4000]
    try:
        parse(text)
    except RuleError as error:
        assert error.code in ("too_deep", "syntax")
        if opening != "[":
            assert error.code == "too_deep"
