"""The rule engine (engines.rules) in the user's language: a program's rule checked against the
profile fields, its errors worded with line, column and field, and a verdict explained
condition by condition ("policy matching")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from clusterbrain.bilingual import pick
from clusterbrain.engines.rules import (
    And,
    CompiledRule,
    Field,
    Node,
    Not,
    Or,
    RuleError,
    Verdict,
    compile_rule,
)
from clusterbrain.errors import FieldError, InvalidInput
from clusterbrain.programs.profiles import profile_fields
from clusterbrain.registry.models import Certification, Cluster, Enterprise

# Fields whose numbers are fractions, shown as percentages.
FRACTIONS = frozenset({"revenue_growth", "on_time_delivery_rate"})
MONEY = frozenset({"revenue", "output_value", "exports"})


def _type_name(kind: str) -> str:
    return {
        "bool": _("a yes/no field"),
        "number": _("a number"),
        "text": _("a text"),
        "text_list": _("a list"),
    }.get(kind, kind)


def _value_type_name(kind: str) -> str:
    return {
        "bool": _("a yes/no value (true or false)"),
        "number": _("a number"),
        "text": _("a text in quotes"),
        "text_list": _("a list"),
    }.get(kind, kind)


def _reason(exc: RuleError) -> str:
    p = exc.params
    if exc.code == "unknown_field":
        reason = _("unknown field “%(name)s”") % {"name": p.get("name", exc.field or "")}
        if p.get("suggestion"):
            reason += _("; did you mean “%(suggestion)s”?") % {"suggestion": p["suggestion"]}
        return reason
    if exc.code == "unknown_choice":
        reason = _("“%(value)s” is not a value of “%(name)s” (values: %(choices)s)") % {
            "value": p.get("value", ""),
            "name": p.get("name", exc.field or ""),
            "choices": p.get("choices", ""),
        }
        if p.get("suggestion"):
            reason += _("; did you mean “%(suggestion)s”?") % {"suggestion": p["suggestion"]}
        return reason
    if exc.code == "type_mismatch" and p.get("value"):
        # The field is fine; the value written is of the wrong kind (`revenue >= "big"`).
        return _(
            "the value %(value)s is %(actual)s, but “%(name)s” is %(type)s: write %(expected)s"
        ) % {
            "value": p["value"],
            "actual": _value_type_name(p.get("actual", "")),
            "name": p.get("name", exc.field or ""),
            "type": _type_name(p.get("type", "")),
            "expected": _value_type_name(p.get("expected", "")),
        }
    if exc.code == "type_mismatch":
        return _("“%(name)s” is %(type)s; this condition needs %(expected)s") % {
            "name": p.get("name", exc.field or ""),
            "type": _type_name(p.get("type", "")),
            "expected": _type_name(p.get("expected", "")),
        }
    if exc.code == "empty_list":
        return _("the list is empty; a condition on an empty list is never met")
    if exc.code == "mixed_list":
        return _("the list mixes values of different types")
    if exc.code == "too_long":
        return _("the rule is longer than %(limit)s characters") % {"limit": p.get("limit", "")}
    if exc.code == "too_deep":
        return _("the rule nests more than %(limit)s levels of parentheses") % {
            "limit": p.get("limit", "")
        }
    if p.get("expected") and p.get("found") is not None:
        found = p["found"] or _("the end of the rule")
        return _("syntax error: expected %(expected)s, found “%(found)s”") % {
            "expected": p["expected"],
            "found": found,
        }
    if p.get("found"):
        reason = _("syntax error at “%(found)s”") % {"found": p["found"]}
        if p.get("suggestion"):
            reason += _("; did you mean “%(suggestion)s”?") % {"suggestion": p["suggestion"]}
        return reason
    return _("syntax error: %(message)s") % {"message": exc.message}


def rule_error_message(exc: RuleError) -> str:
    """“Line 2, column 5: unknown field “revnue”; did you mean “revenue”?” in the user's
    language."""
    return _("Line %(line)d, column %(column)d: %(reason)s") % {
        "line": exc.line,
        "column": exc.column,
        "reason": _reason(exc),
    }


def compile_for(cluster: Cluster, text: str, loc: str = "eligibility_rule") -> CompiledRule:
    """The rule checked against the cluster's profile fields; InvalidInput naming the field
    `loc`, the line, the column and the profile field otherwise."""
    try:
        return compile_rule(text or "", profile_fields(cluster))
    except RuleError as exc:
        raise InvalidInput(
            rule_error_message(exc), [FieldError((loc,), rule_error_message(exc))]
        ) from exc


def label(field: Field) -> str:
    return pick(field.label_zh, field.label_en)


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def format_value(name: str, value: Any, link_names: Mapping[str, str] | None = None) -> str:
    """A profile value as a person reads it (chain links by their names, given `link_names`)."""
    if value is None:
        return _("not known")
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, list | tuple):
        if not value:
            return _("none")
        if name in ("certificates", "verified_certificates"):
            names = dict(Certification.Kind.choices)
            return ", ".join(str(names.get(v, v)) for v in value)
        if name == "chain_links" and link_names:
            return ", ".join(link_names.get(v, v) for v in value)
        return ", ".join(str(v) for v in value)
    if name == "size_class":
        return str(dict(Enterprise.SizeClass.choices).get(value, value))
    if isinstance(value, float):
        if name in FRACTIONS:
            return f"{value:.1%}"
        if name in MONEY:
            return f"{value:,.0f}"
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return str(value)


@dataclass(frozen=True)
class Reason:
    """One condition of the rule as the firm sees it."""

    text: str  # the condition, canonical
    field: str
    label: str  # the field's name in the user's language
    outcome: bool | None
    status: str  # "met", "not_met", "unknown"
    status_label: str
    value: str  # the firm's value, formatted
    failing: bool  # one of the conditions that decided a "no"


def _status(outcome: bool | None) -> tuple[str, str]:
    if outcome is True:
        return "met", _("met")
    if outcome is False:
        return "not_met", _("not met")
    return "unknown", _("unknown: the platform lacks this value")


def negations(node: Node) -> list[bool]:
    """For each condition of the rule in text order (as the engine lists them): whether it
    stands under an odd number of `not`s. The engine reports a leaf's own outcome; a firm reads
    `not open_environmental_violation` as met when it has none."""
    found: list[bool] = []

    def walk(current: Node, negated: bool) -> None:
        if isinstance(current, Not):
            walk(current.operand, not negated)
        elif isinstance(current, And | Or):
            for operand in current.operands:
                walk(operand, negated)
        elif hasattr(current, "field"):
            found.append(negated)

    walk(node, False)
    return found


def link_names(cluster: Cluster) -> dict[str, str]:
    """The cluster's chain links by code, named in the user's language."""
    return {
        code: pick(zh, en)
        for code, zh, en in cluster.chain_template.links.values_list("code", "name_zh", "name_en")
    }


def explain(
    verdict: Verdict,
    fields: Mapping[str, Field],
    node: Node | None = None,
    links: Mapping[str, str] | None = None,
) -> list[Reason]:
    failing = {(c.text, c.field) for c in verdict.failing}
    flags = negations(node) if node is not None else []
    if len(flags) != len(verdict.conditions):
        flags = [False] * len(verdict.conditions)
    reasons = []
    for c, negated in zip(verdict.conditions, flags, strict=True):
        field = fields.get(c.field)
        outcome = (not c.outcome if c.outcome is not None else None) if negated else c.outcome
        status, status_label = _status(outcome)
        reasons.append(
            Reason(
                text=f"not {c.text}" if negated else c.text,
                field=c.field,
                label=label(field) if field else c.field,
                outcome=outcome,
                status=status,
                status_label=status_label,
                value=format_value(c.field, c.actual, links),
                failing=(c.text, c.field) in failing,
            )
        )
    return reasons


def verdict_snapshot(rule: CompiledRule, verdict: Verdict) -> dict[str, Any]:
    """The verdict as stored with a submitted application (JSON; conditions as the firm read
    them, a `not` applied)."""
    flags = negations(rule.node)
    if len(flags) != len(verdict.conditions):
        flags = [False] * len(verdict.conditions)
    conditions = []
    for c, negated in zip(verdict.conditions, flags, strict=True):
        outcome = (not c.outcome if c.outcome is not None else None) if negated else c.outcome
        actual = list(c.actual) if isinstance(c.actual, list | tuple | set) else c.actual
        text = f"not {c.text}" if negated else c.text
        conditions.append({"text": text, "field": c.field, "outcome": outcome, "actual": actual})
    return {
        "eligible": verdict.eligible,
        "outcome": verdict.outcome,
        "rule": rule.canonical,
        "conditions": conditions,
    }


def failing_message(rule: CompiledRule, verdict: Verdict) -> InvalidInput:
    """Why a firm may not apply: every deciding condition with the firm's value."""
    errors = []
    for reason in explain(verdict, rule.fields, rule.node):
        if not reason.failing:
            continue
        errors.append(
            FieldError(
                ("eligibility", reason.field),
                _("%(condition)s: %(status)s (your value: %(value)s)")
                % {"condition": reason.text, "status": reason.status_label, "value": reason.value},
            )
        )
    return InvalidInput(
        _("Your firm does not meet the program's conditions: %(conditions)s")
        % {"conditions": "; ".join(e.msg for e in errors)},
        errors,
    )
