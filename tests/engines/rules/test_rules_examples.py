"""The rule language by example: every construct parsed, formatted and evaluated for one firm
and for a frame of firms; every error code with the place it points at."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from clusterbrain.engines.rules import (
    And,
    Boolean,
    BoolField,
    Compare,
    Condition,
    Contains,
    Everyone,
    Field,
    InList,
    IsKnown,
    ListOf,
    Not,
    Number,
    Or,
    RuleError,
    String,
    compile_rule,
    format_rule,
    parse,
)

FIELDS = {
    field.name: field
    for field in (
        Field("size_class", "text", ("micro", "small", "medium", "large")),
        Field("chain_links", "text_list", ("spinning", "tanning", "dyeing", "shoemaking")),
        Field("certificates", "text_list", ("lwg_gold", "green_factory", "oeko_tex")),
        Field("open_environmental_violation", "bool"),
        Field("is_member", "bool"),
        Field("revenue", "number"),
        Field("revenue_growth", "number"),
        Field("years_in_operation", "number"),
        Field("district", "text"),
    )
}

EXAMPLE = """size_class in ["micro", "small", "medium"]
    and "tanning" in chain_links
    and ("lwg_gold" in certificates or "green_factory" in certificates)
    and not open_environmental_violation
    and revenue_growth >= 5%
    and years_in_operation >= 3          # comments run to end of line
"""

GOOD_FIRM = {
    "size_class": "small",
    "chain_links": ["tanning", "dyeing"],
    "certificates": ("green_factory",),
    "open_environmental_violation": False,
    "revenue_growth": Decimal("0.08"),
    "years_in_operation": 12,
}


def test_the_interface_example_parses_to_its_tree_and_formats_canonically() -> None:
    rule = compile_rule(EXAMPLE, FIELDS)
    assert rule.node == And(
        (
            InList("size_class", ListOf((String("micro"), String("small"), String("medium")))),
            Contains(String("tanning"), "chain_links"),
            Or(
                (
                    Contains(String("lwg_gold"), "certificates"),
                    Contains(String("green_factory"), "certificates"),
                )
            ),
            Not(BoolField("open_environmental_violation")),
            Compare("revenue_growth", ">=", Number(Decimal(5), percent=True)),
            Compare("years_in_operation", ">=", Number(Decimal(3))),
        )
    )
    assert rule.canonical == (
        'size_class in ["micro", "small", "medium"]\n'
        'and "tanning" in chain_links\n'
        'and ("lwg_gold" in certificates or "green_factory" in certificates)\n'
        "and not open_environmental_violation\n"
        "and revenue_growth >= 5%\n"
        "and years_in_operation >= 3"
    )
    assert parse(rule.canonical) == rule.node
    assert rule.text == EXAMPLE
    assert rule.fields_used == (
        "size_class",
        "chain_links",
        "certificates",
        "open_environmental_violation",
        "revenue_growth",
        "years_in_operation",
    )


def test_an_eligible_firm_has_every_condition_true_and_nothing_failing() -> None:
    verdict = compile_rule(EXAMPLE, FIELDS).evaluate(GOOD_FIRM)
    assert verdict.eligible is True
    assert verdict.outcome is True
    assert verdict.failing == ()
    assert [c.text for c in verdict.conditions] == [
        'size_class in ["micro", "small", "medium"]',
        '"tanning" in chain_links',
        '"lwg_gold" in certificates',
        '"green_factory" in certificates',
        "open_environmental_violation",
        "revenue_growth >= 5%",
        "years_in_operation >= 3",
    ]
    assert [c.outcome for c in verdict.conditions] == [True, True, False, True, False, True, True]
    assert verdict.conditions[4] == Condition(
        "open_environmental_violation", "open_environmental_violation", False, False
    )


def test_a_missing_value_makes_the_rule_unknown_and_is_named_as_the_reason() -> None:
    firm = {**GOOD_FIRM, "revenue_growth": None}
    verdict = compile_rule(EXAMPLE, FIELDS).evaluate(firm)
    assert verdict.eligible is False
    assert verdict.outcome is None
    assert verdict.failing == (Condition("revenue_growth >= 5%", "revenue_growth", None, None),)


def test_a_false_condition_outweighs_an_unknown_one_and_both_are_named() -> None:
    firm = {**GOOD_FIRM, "revenue_growth": None, "open_environmental_violation": True}
    verdict = compile_rule(EXAMPLE, FIELDS).evaluate(firm)
    assert verdict.outcome is False
    assert [(c.text, c.outcome) for c in verdict.failing] == [
        ("open_environmental_violation", True),
        ("revenue_growth >= 5%", None),
    ]


def test_a_failed_or_names_all_its_alternatives() -> None:
    firm = {**GOOD_FIRM, "certificates": []}
    verdict = compile_rule(EXAMPLE, FIELDS).evaluate(firm)
    assert [c.text for c in verdict.failing] == [
        '"lwg_gold" in certificates',
        '"green_factory" in certificates',
    ]


def test_not_of_a_true_and_names_every_part_of_it() -> None:
    rule = compile_rule('not (is_member and size_class = "small")', FIELDS)
    verdict = rule.evaluate({"is_member": True, "size_class": "small"})
    assert verdict.outcome is False
    assert [c.text for c in verdict.failing] == ["is_member", 'size_class = "small"']


@pytest.mark.parametrize(
    ("text", "firm", "outcome"),
    [
        ("revenue = 100", {"revenue": 100}, True),
        ("revenue == 100", {"revenue": 100.0}, True),
        ("revenue != 100", {"revenue": 100}, False),
        ("revenue < 10_000_000", {"revenue": Decimal("9999999.99")}, True),
        ("revenue <= 2.5", {"revenue": 2.5}, True),
        ("revenue > -3", {"revenue": -2}, True),
        ("revenue >= 5%", {"revenue": 0.05}, True),
        ("revenue > 1", {"revenue": None}, None),
        ("revenue > 1", {}, None),
        ("revenue > 1", {"revenue": float("nan")}, None),
        ('size_class = "small"', {"size_class": "small"}, True),
        ("size_class != 'small'", {"size_class": "micro"}, True),
        ('size_class in ["micro", "small"]', {"size_class": "large"}, False),
        ('size_class not in ["micro", "small"]', {"size_class": "large"}, True),
        ('size_class not in ["micro"]', {}, None),
        ("revenue in [1, 2.5]", {"revenue": 2.5}, True),
        ("is_member in [true]", {"is_member": True}, True),
        ('"tanning" in chain_links', {"chain_links": []}, False),
        ('"tanning" not in chain_links', {"chain_links": ["dyeing"]}, True),
        ('"tanning" in chain_links', {"chain_links": None}, None),
        ("revenue is known", {"revenue": 0}, True),
        ("revenue is unknown", {"revenue": 0}, False),
        ("revenue is unknown", {}, True),
        ("not revenue is known", {}, True),
        ("is_member", {"is_member": True}, True),
        ("is_member = false", {"is_member": False}, True),
        ("is_member != true", {"is_member": None}, None),
        ("not is_member", {}, None),
        ("is_member or revenue > 1", {"revenue": 2}, True),
        ("is_member or revenue > 1", {"revenue": 0}, None),
        ("is_member and revenue > 1", {"revenue": 0}, False),
        ("is_member or revenue > 1 and revenue < 0", {"is_member": True, "revenue": 5}, True),
        ("(is_member or revenue > 1) and revenue < 0", {"is_member": True, "revenue": 5}, False),
        ("NOT is_member AND revenue > 1 Or is_member = FALSE", {"is_member": False}, True),
        ("", {}, True),
        ("  # only a comment\n", {}, True),
    ],
)
def test_each_construct_evaluates_with_three_valued_logic(
    text: str, firm: dict[str, object], outcome: bool | None
) -> None:
    rule = compile_rule(text, FIELDS)
    verdict = rule.evaluate(firm)
    assert verdict.outcome is outcome
    assert verdict.eligible is (outcome is True)
    frame = pl.DataFrame(
        [{name: firm.get(name) for name in rule.fields_used}],
        schema={name: _DTYPES[FIELDS[name].type] for name in rule.fields_used},
    )
    assert rule.evaluate_frame(frame).tolist() == [outcome is True]


_DTYPES = {
    "bool": pl.Boolean,
    "number": pl.Float64,
    "text": pl.String,
    "text_list": pl.List(pl.String),
}


def test_the_frame_reads_integer_decimal_and_categorical_columns_too() -> None:
    rule = compile_rule('revenue > 10 and size_class = "small"', FIELDS)
    frame = pl.DataFrame(
        {"revenue": [Decimal("11.5"), Decimal("3"), None], "size_class": ["small"] * 3},
        schema={"revenue": pl.Decimal(12, 2), "size_class": pl.Categorical},
    )
    assert rule.evaluate_frame(frame).tolist() == [True, False, False]
    ints = pl.DataFrame({"revenue": [11, 3], "size_class": ["small", "small"]})
    assert rule.evaluate_frame(ints).tolist() == [True, False]


def test_the_empty_rule_takes_every_firm_of_a_frame() -> None:
    rule = compile_rule("", FIELDS)
    assert rule.evaluate_frame(pl.DataFrame({"enterprise_id": [1, 2, 3]})).tolist() == [True] * 3
    assert rule.evaluate_frame(pl.DataFrame({"enterprise_id": []})).tolist() == []
    assert rule.canonical == ""
    assert parse(" ") == Everyone()


def test_a_value_of_the_wrong_type_in_a_profile_is_a_programming_error() -> None:
    rule = compile_rule(
        'revenue > 1 and "x" in district_list',
        {**FIELDS, "district_list": Field("district_list", "text_list")},
    )
    with pytest.raises(TypeError):
        rule.evaluate({"revenue": "12"})
    with pytest.raises(TypeError):
        rule.evaluate({"revenue": True})
    with pytest.raises(TypeError):
        rule.evaluate({"revenue": 2, "district_list": "x"})


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("revenue==1_000", "revenue = 1000"),
        ("revenue >= 10_000_000.50", "revenue >= 10_000_000.50"),
        ("REVENUE>=5%", "revenue >= 5%"),
        ("size_class IN ['micro','small']", 'size_class in ["micro", "small"]'),
        ('district = "say \\"hi\\" \\\\ \'there\'"', 'district = "say \\"hi\\" \\\\ \'there\'"'),
        ("district = 'it\\'s'", 'district = "it\'s"'),
        ("not not is_member", "not not is_member"),
        ("not (is_member or is_member)", "not (is_member or is_member)"),
        ("(is_member and is_member) and is_member", "(is_member and is_member) and is_member"),
        ("(is_member or is_member) or is_member", "(is_member or is_member) or is_member"),
        ("is_member and (is_member or is_member)", "is_member and (is_member or is_member)"),
        ("(is_member and is_member) or is_member", "is_member and is_member or is_member"),
        ("revenue is KNOWN", "revenue is known"),
        ('"tanning" NOT IN chain_links', '"tanning" not in chain_links'),
    ],
)
def test_canonical_text(text: str, canonical: str) -> None:
    node = parse(text)
    assert format_rule(node) == canonical
    assert parse(canonical) == node


def test_positions_are_kept_but_not_compared() -> None:
    node = parse("  revenue > 1")
    assert isinstance(node, Compare)
    assert node.pos == 2
    assert node.value.pos == 12
    assert node == Compare("revenue", ">", Number(Decimal(1)))
    assert parse("is_member") == BoolField("is_member")
    assert parse("revenue is unknown") == IsKnown("revenue", known=False)
    assert parse("is_member = true") == Compare("is_member", "=", Boolean(True))


def _error(text: str) -> RuleError:
    with pytest.raises(RuleError) as raised:
        compile_rule(text, FIELDS)
    return raised.value


@pytest.mark.parametrize(
    ("text", "code", "line", "column", "field", "params"),
    [
        ("revnue > 3", "unknown_field", 1, 1, "revnue", {"suggestion": "revenue"}),
        ("is_member and\n  zzz", "unknown_field", 2, 3, "zzz", {"suggestion": ""}),
        ('"x" in chain_linx', "unknown_field", 1, 8, "chain_linx", {"suggestion": "chain_links"}),
        (
            'revenue >= "big"',
            "type_mismatch",
            1,
            12,
            "revenue",
            {"type": "number", "expected": "number", "actual": "text", "value": '"big"'},
        ),
        ('"x" in revenue', "type_mismatch", 1, 8, "revenue", {"expected": "text_list"}),
        ("revenue", "type_mismatch", 1, 1, "revenue", {"expected": "bool"}),
        ('size_class > "a"', "type_mismatch", 1, 1, "size_class", {"operator": ">"}),
        ('chain_links = "a"', "type_mismatch", 1, 1, "chain_links", {"type": "text_list"}),
        ('chain_links in ["a"]', "type_mismatch", 1, 1, "chain_links", {"type": "text_list"}),
        ("is_member = 1", "type_mismatch", 1, 13, "is_member", {"actual": "number", "value": "1"}),
        ("3 in chain_links", "type_mismatch", 1, 1, "chain_links", {"actual": "number"}),
        ('size_class = "mikro"', "unknown_choice", 1, 14, "size_class", {"suggestion": "micro"}),
        (
            'size_class in ["micro", "huge"]',
            "unknown_choice",
            1,
            25,
            "size_class",
            {"value": "huge", "suggestion": ""},
        ),
        ('"taning" in chain_links', "unknown_choice", 1, 1, "chain_links", {"value": "taning"}),
        ("revenue in []", "empty_list", 1, 12, "revenue", {}),
        ('revenue in [1, "a"]', "mixed_list", 1, 16, "revenue", {"actual": "text"}),
        ("x" * 4001, "too_long", 1, 4001, None, {"limit": "4000"}),
        ("(" * 40 + "is_member" + ")" * 40, "too_deep", 1, 33, None, {"limit": "32"}),
        ("not " * 33 + "is_member", "too_deep", 1, 129, None, {}),
    ],
)
def test_each_error_code_points_at_the_place(
    text: str, code: str, line: int, column: int, field: str | None, params: dict[str, str]
) -> None:
    error = _error(text)
    assert (error.code, error.line, error.column, error.field) == (code, line, column, field)
    assert params.items() <= error.params.items()
    assert error.message
    assert f"line {line}, column {column}" in str(error)


def test_the_first_error_in_text_order_is_the_one_reported() -> None:
    error = _error('revenue >= "big" and nosuch')
    assert error.code == "type_mismatch"


@pytest.mark.parametrize(
    ("text", "column", "found"),
    [
        ("revenue >", 10, ""),
        ("revenue > > 1", 11, ">"),
        ("(is_member", 11, ""),
        ("is_member)", 10, ")"),
        ("is_member is", 13, ""),
        ("is_member is maybe", 14, "maybe"),
        ("size_class not [1]", 16, "["),
        ("size_class in 'a'", 15, "'a'"),
        ("size_class in [1 2]", 18, "2"),
        ("size_class in [[1]]", 16, "["),
        ("'a' = size_class", 5, "="),
        ("'a' in 'b'", 8, "'b'"),
        ("is_member and", 14, ""),
        ("and is_member", 1, "and"),
        ("revenue > 1.", 11, "1."),
        ("revenue > 1.", 11, "1."),
        ("revenue > 5x", 11, "5x"),
        ("district = 'open", 12, "'"),
        ("district = 'a\\q'", 14, "\\q"),
        ("revenue ≥ 5", 9, "≥"),
        ("revenue > 5 revenue > 6", 13, "revenue"),
    ],
)
def test_syntax_errors_point_at_the_token(text: str, column: int, found: str) -> None:
    with pytest.raises(RuleError) as raised:
        parse(text)
    error = raised.value
    assert (error.code, error.line, error.column) == ("syntax", 1, column)
    assert error.params.get("found") == found or found in error.message


def test_a_full_width_character_is_named_with_what_was_meant() -> None:
    error = _error("size_class in ［'micro'］ or is_member（")
    assert error.code == "syntax"
    error = _error("is_member and （revenue > 1）")
    assert (error.column, error.params) == (15, {"found": "（", "suggestion": "("})


def test_a_rule_at_the_limits_is_accepted() -> None:
    deep = "(" * 32 + "is_member" + ")" * 32
    assert compile_rule(deep, FIELDS).evaluate({"is_member": True}).eligible
    long = "is_member" + " " * (4000 - len("is_member"))
    assert compile_rule(long, FIELDS).canonical == "is_member"


def test_a_type_mismatch_says_whether_the_field_or_the_value_is_at_fault() -> None:
    field_fault = _error('"x" in revenue')
    assert "value" not in field_fault.params
    assert (field_fault.params["type"], field_fault.params["expected"]) == ("number", "text_list")
    value_fault = _error("years_in_operation >= '3'")
    assert value_fault.params["value"] == '"3"'
    assert (value_fault.params["expected"], value_fault.params["actual"]) == ("number", "text")


def test_the_frame_reads_yes_no_columns_as_a_driver_gives_them_and_names_a_missing_one() -> None:
    rule = compile_rule('is_member and not "tanning" in chain_links', FIELDS)
    frame = pl.DataFrame(
        {"is_member": [1, 0, None, 1], "chain_links": [[], [], [], None]},
        schema={"is_member": pl.Int8, "chain_links": pl.List(pl.Null)},
    )
    assert rule.evaluate_frame(frame).tolist() == [True, False, False, False]
    with pytest.raises(KeyError, match="chain_links"):
        rule.evaluate_frame(frame.drop("chain_links"))
