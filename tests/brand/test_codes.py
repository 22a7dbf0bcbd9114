"""Licence codes alone: shape, forgiving reading, and a check symbol that catches typos."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from clusterbrain.brand.codes import ALPHABET, new_code, parse_code, prefix_for


def test_a_new_code_reads_back_valid_however_it_is_typed():
    code = new_code("SL", 2026)
    assert parse_code(code) == parse_code(code.lower().replace("-", " "))
    parsed = parse_code(code)
    assert parsed.shape_ok and parsed.check_ok and parsed.code == code


def test_confusable_letters_read_as_digits():
    rng = random.Random(3)
    code = new_code("SL", 2026, rng)
    while "0" not in code[8:] and "1" not in code[8:]:
        code = new_code("SL", 2026, rng)
    typed = code[:8] + code[8:].replace("0", "O").replace("1", "I")
    assert parse_code(typed).code == code and parse_code(typed).check_ok


@given(st.integers(0, 10**6), st.integers(0, 10), st.sampled_from(ALPHABET))
def test_any_single_wrong_symbol_fails_the_check(seed, position, symbol):
    code = new_code("SL", 2026, random.Random(seed))
    body = code.replace("-", "")[6:]  # the random part and the check symbol
    if body[position] == symbol:
        return
    typo = body[:position] + symbol + body[position + 1 :]
    parsed = parse_code("SL2026" + typo)
    assert parsed.shape_ok and not parsed.check_ok


@given(st.integers(0, 10**6), st.integers(0, 9))
def test_swapping_neighbours_mostly_fails_the_check(seed, position):
    code = new_code("SL", 2026, random.Random(seed))
    body = code.replace("-", "")[6:]
    a, b = body[position], body[position + 1]
    if a == b:
        return
    swapped = body[:position] + b + a + body[position + 2 :]
    # Luhn's one blind spot, as in decimal Luhn's 09/90: the pair whose doubled values agree.
    values = sorted((ALPHABET.index(a), ALPHABET.index(b)))
    if values == [0, 31]:
        return
    assert not parse_code("SL2026" + swapped).check_ok


def test_not_a_code_at_all():
    for text in ("", "hello", "SL-2026-ABC", "SL-20X6-7K3QM-9XD4P-T", "SL-2026-7K3QM-9XD4P-T-X"):
        assert not parse_code(text).shape_ok


def test_prefix_from_the_brand_name():
    assert prefix_for("Shiling Leather", "shiling") == "SL"
    assert prefix_for("", "xinji") == "XIN"
    assert prefix_for("", "") == "XX"
