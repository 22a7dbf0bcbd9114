"""Text to syntax tree: a tokenizer that keeps every token's offset and a recursive-descent
parser (precedence not > and > or).

The parser counts nesting (parentheses and `not`) and stops at MAX_DEPTH with `too_deep`, so a
hostile or pasted rule can never reach Python's recursion limit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from clusterbrain.engines.rules.nodes import (
    MAX_DEPTH,
    MAX_TEXT_LENGTH,
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
    RuleError,
    String,
)

KEYWORDS = frozenset({"and", "or", "not", "in", "is", "known", "unknown", "true", "false"})

_NUMBER = re.compile(r"-?[0-9]+(?:_[0-9]+)*(?:\.[0-9]+(?:_[0-9]+)*)?%?")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = ("==", "!=", "<=", ">=", "=", "<", ">")
_PUNCTUATION = {"(": "lparen", ")": "rparen", "[": "lbracket", "]": "rbracket", ",": "comma"}
_DIGITS = frozenset("0123456789")
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "t": "\t"}
# What office staff type on a Chinese keyboard by habit, and what they meant.
_FULL_WIDTH = {
    "（": "(",
    "）": ")",
    "【": "[",
    "】": "]",
    "，": ",",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "＝": "=",
    "＞": ">",
    "＜": "<",
    "％": "%",
}


@dataclass(frozen=True)
class Token:
    kind: str  # word, keyword, number, string, op, lparen, rparen, lbracket, rbracket, comma, end
    text: str  # as written (a keyword or word lower-cased)
    pos: int
    value: object = None


def _describe(token: Token) -> str:
    return "end of rule" if token.kind == "end" else repr(token.text)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in " \t\r\n\f\v":
            i += 1
        elif char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif char in "\"'":
            i = _string(text, i, tokens)
        elif char in _DIGITS or (char == "-" and i + 1 < n and text[i + 1] in _DIGITS):
            match = _NUMBER.match(text, i)
            assert match is not None  # a digit (after an optional minus) always matches
            end = match.end()
            if end < n and (text[end].isalnum() or text[end] in "_.%"):
                raise RuleError(
                    "syntax",
                    f"malformed number {text[i : end + 1]!r}",
                    text=text,
                    position=i,
                    params={"found": text[i : end + 1]},
                )
            written = match.group()
            percent = written.endswith("%")
            digits = Decimal(written.rstrip("%").replace("_", ""))
            tokens.append(Token("number", written, i, Number(digits, percent, pos=i)))
            i = end
        elif char.isascii() and (char.isalpha() or char == "_"):
            match = _IDENTIFIER.match(text, i)
            assert match is not None
            word = match.group().lower()
            tokens.append(Token("keyword" if word in KEYWORDS else "word", word, i))
            i = match.end()
        elif char in _PUNCTUATION:
            tokens.append(Token(_PUNCTUATION[char], char, i))
            i += 1
        else:
            operator = next((op for op in _OPERATORS if text.startswith(op, i)), None)
            if operator is None:
                params = {"found": char}
                message = f"unexpected character {char!r}"
                if char in _FULL_WIDTH:
                    params["suggestion"] = _FULL_WIDTH[char]
                    message += f" (a full-width character: did you mean {_FULL_WIDTH[char]!r}?)"
                raise RuleError("syntax", message, text=text, position=i, params=params)
            tokens.append(Token("op", "=" if operator == "==" else operator, i))
            i += len(operator)
    tokens.append(Token("end", "", n))
    return tokens


def _string(text: str, start: int, tokens: list[Token]) -> int:
    quote = text[start]
    chars: list[str] = []
    i = start + 1
    while True:
        if i >= len(text) or text[i] == "\n":
            raise RuleError(
                "syntax",
                "unterminated string: close it with " + quote,
                text=text,
                position=start,
                params={"found": quote, "expected": quote},
            )
        char = text[i]
        if char == quote:
            break
        if char == "\\":
            escaped = text[i + 1] if i + 1 < len(text) else ""
            if escaped not in _ESCAPES:
                raise RuleError(
                    "syntax",
                    f"unknown escape \\{escaped} in a string (use \\\" \\' \\\\ \\n \\t)",
                    text=text,
                    position=i,
                    params={"found": "\\" + escaped},
                )
            chars.append(_ESCAPES[escaped])
            i += 2
            continue
        chars.append(char)
        i += 1
    value = "".join(chars)
    tokens.append(Token("string", text[start : i + 1], start, String(value, pos=start)))
    return i + 1


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        return self.current.kind == "keyword" and self.current.text in words

    def fail(self, expected: str, token: Token | None = None) -> RuleError:
        token = token or self.current
        return RuleError(
            "syntax",
            f"expected {expected}, found {_describe(token)}",
            text=self.text,
            position=token.pos,
            params={"expected": expected, "found": token.text},
        )

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RuleError(
                "too_deep",
                f"the rule nests deeper than {MAX_DEPTH} levels of parentheses and 'not'",
                text=self.text,
                position=token.pos,
                params={"limit": str(MAX_DEPTH)},
            )

    def rule(self) -> Node:
        if self.current.kind == "end":
            return Everyone(pos=0)
        node = self.disjunction()
        if self.current.kind != "end":
            expected = "'and', 'or' or end of rule"
            if self.current.kind == "rparen":
                expected = "end of rule (this ')' closes nothing)"
            raise self.fail(expected)
        return node

    def disjunction(self) -> Node:
        start = self.current.pos
        operands = [self.conjunction()]
        while self.at_keyword("or"):
            self.advance()
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else Or(tuple(operands), pos=start)

    def conjunction(self) -> Node:
        start = self.current.pos
        operands = [self.negation()]
        while self.at_keyword("and"):
            self.advance()
            operands.append(self.negation())
        return operands[0] if len(operands) == 1 else And(tuple(operands), pos=start)

    def negation(self) -> Node:
        # `not not not …` is a loop, not recursion; each `not` still counts towards the depth.
        nots: list[Token] = []
        while self.at_keyword("not"):
            token = self.advance()
            self.enter(token)
            nots.append(token)
        node = self.primary()
        for token in reversed(nots):
            node = Not(node, pos=token.pos)
            self.depth -= 1
        return node

    def primary(self) -> Node:
        token = self.current
        if token.kind == "lparen":
            self.advance()
            self.enter(token)
            node = self.disjunction()
            self.depth -= 1
            if self.current.kind != "rparen":
                raise self.fail(f"')' to close the '(' at column {self._column(token.pos)}")
            self.advance()
            return node
        if token.kind == "word":
            return self.condition_on_field()
        if token.kind in ("number", "string") or self.at_keyword("true", "false"):
            return self.membership()
        raise self.fail("a condition")

    def _column(self, pos: int) -> int:
        return pos - (self.text.rfind("\n", 0, pos) + 1) + 1

    def condition_on_field(self) -> Node:
        name_token = self.advance()
        name, pos = name_token.text, name_token.pos
        if self.current.kind == "op":
            op = self.advance().text
            value = self.literal(f"a value after '{op}'")
            return Compare(name, op, value, pos=pos)
        if self.at_keyword("is"):
            self.advance()
            if self.at_keyword("known", "unknown"):
                return IsKnown(name, self.advance().text == "known", pos=pos)
            raise self.fail("'known' or 'unknown' after 'is'")
        negated = False
        if self.at_keyword("not"):
            self.advance()
            negated = True
            if not self.at_keyword("in"):
                raise self.fail(f"'in' after '{name} not'")
        if self.at_keyword("in"):
            self.advance()
            if self.current.kind != "lbracket":
                raise self.fail("a list [..] after 'in'")
            return InList(name, self.list_of(), negated, pos=pos)
        return BoolField(name, pos=pos)

    def membership(self) -> Node:
        value = self.literal("a value")
        negated = False
        if self.at_keyword("not"):
            self.advance()
            negated = True
        if not self.at_keyword("in"):
            raise self.fail("'in' or 'not in' after a value (a field comes first: field >= value)")
        self.advance()
        if self.current.kind != "word":
            raise self.fail("a field name after 'in'")
        field_token = self.advance()
        return Contains(value, field_token.text, negated, pos=value.pos, field_pos=field_token.pos)

    def literal(self, expected: str) -> Literal:
        token = self.current
        if token.kind in ("number", "string"):
            self.advance()
            assert isinstance(token.value, Number | String)
            return token.value
        if self.at_keyword("true", "false"):
            self.advance()
            return Boolean(token.text == "true", pos=token.pos)
        raise self.fail(expected)

    def list_of(self) -> ListOf:
        opening = self.advance()
        items: list[Literal] = []
        if self.current.kind == "rbracket":
            self.advance()
            return ListOf((), pos=opening.pos)
        while True:
            items.append(self.literal("a value in the list"))
            if self.current.kind == "comma":
                self.advance()
                continue
            if self.current.kind == "rbracket":
                self.advance()
                return ListOf(tuple(items), pos=opening.pos)
            raise self.fail("',' or ']' in the list")


def parse(text: str) -> Node:
    """The syntax tree of `text`; RuleError (`syntax`, `too_long`, `too_deep`) otherwise."""
    if len(text) > MAX_TEXT_LENGTH:
        raise RuleError(
            "too_long",
            f"the rule is {len(text)} characters long; at most {MAX_TEXT_LENGTH} are allowed",
            text=text,
            position=MAX_TEXT_LENGTH,
            params={"limit": str(MAX_TEXT_LENGTH), "length": str(len(text))},
        )
    return _Parser(text).rule()
