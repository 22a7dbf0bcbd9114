"""The GB 32100-2015 unified social credit code: published codes, hand-computed check characters,
and the property that makes the checksum worth having (any single-character error is caught)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterbrain.engines.resolution.uscc import (
    ALPHABET,
    WEIGHTS,
    USCCError,
    check_character,
    is_valid_uscc,
    make_uscc,
    normalise_uscc,
    parse_uscc,
    validate_uscc,
)

PUBLISHED = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    assert validate_uscc(code) == code
    assert is_valid_uscc(code)


def test_check_character_by_hand():
    # 9 1 3 5 0 1 0 0 M(21) 0 0 0 1 0 0 Y(30) 4 against the weights:
    # 9 + 3 + 27 + 135 + 0 + 26 + 0 + 0 + 420 + 0 + 0 + 0 + 8 + 0 + 0 + 900 + 112 = 1640;
    # 1640 mod 31 = 28 (31 · 52 = 1612); (31 − 28) mod 31 = 3.
    assert check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("0" * 17, "0"),  # Σ = 0 → (31 − 0) mod 31 = 0
        ("1" + "0" * 16, "Y"),  # Σ = 1 → 30 → Y, the last symbol
        ("0" * 16 + "1", "3"),  # Σ = 28 (weight of position 17) → 3
        ("A" + "0" * 16, "M"),  # A = 10, Σ = 10 → 21 → M
        ("0" * 16 + "Y", "W"),  # Y = 30, Σ = 30 · 28 = 840 = 27 · 31 + 3 → 28 → W
    ],
)
def test_hand_computed_check_characters(first17, check):
    assert check_character(first17) == check
    assert is_valid_uscc(first17 + check)


def test_alphabet_has_31_symbols_without_i_o_s_v_z():
    assert len(ALPHABET) == 31
    assert not set("IOSVZ") & set(ALPHABET)


def test_wrong_check_character():
    with pytest.raises(USCCError, match=r"check character \(position 18\) is '4', .* give '3'"):
        validate_uscc("91350100M000100Y44")
    assert not is_valid_uscc("91110000600037341K")


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_letters_not_in_the_alphabet_are_rejected_with_their_position(letter):
    code = PUBLISHED[0][:8] + letter + PUBLISHED[0][9:]  # the M at position 9
    with pytest.raises(USCCError, match=f"character '{letter}' at position 9 is not allowed"):
        validate_uscc(code)


def test_bad_character_position_counts_from_one():
    with pytest.raises(USCCError, match="at position 1 "):
        validate_uscc("O1350100M000100Y43")
    with pytest.raises(USCCError, match="at position 18 "):
        validate_uscc("91350100M000100Y4-")


@pytest.mark.parametrize(("code", "length"), [(PUBLISHED[0][:17], 17), (PUBLISHED[0] + "0", 19)])
def test_wrong_length(code, length):
    with pytest.raises(USCCError, match=f"18 characters; this one has {length}"):
        validate_uscc(code)


def test_empty_input():
    with pytest.raises(USCCError, match="has 0"):
        validate_uscc("   ")


def test_full_width_lower_case_and_spaces_are_normalised():
    full_width = "９１３５０１００Ｍ０００１００Ｙ４３"
    assert validate_uscc(full_width) == PUBLISHED[0]
    assert validate_uscc(" 91350100m000100y43 ") == PUBLISHED[0]
    assert validate_uscc("9111 0000\u30006000 3734 1ｌ") == PUBLISHED[1]
    assert normalise_uscc("ａｂｃ") == "ABC"


def test_parse_into_parts():
    parts = parse_uscc(PUBLISHED[1])
    assert (parts.authority, parts.entity_type, parts.division) == ("9", "1", "110000")
    assert (parts.organisation, parts.check) == ("600037341", "L")


def test_make_uscc_refuses_bad_parts_naming_position():
    with pytest.raises(USCCError, match="position 9"):
        make_uscc("9", "1", "440114", "I00000000")
    with pytest.raises(USCCError, match="17 characters"):
        make_uscc("9", "1", "4401", "000000000")


def test_weights_are_coprime_to_31():
    # Why single-character errors are always caught: changing vᵢ to vᵢ' shifts the sum by
    # wᵢ(vᵢ' − vᵢ), with 0 < |vᵢ' − vᵢ| < 31; 31 is prime and every wᵢ ≢ 0 (mod 31), so the
    # shift is never ≡ 0 and the check character moves. (wᵢ = 3^(i−1) mod 31.)
    assert all(math.gcd(w, 31) == 1 for w in WEIGHTS)
    assert list(WEIGHTS) == [pow(3, i, 31) for i in range(17)]


symbols = st.sampled_from(ALPHABET)


def text(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=ALPHABET, min_size=n, max_size=n)


valid_codes = st.builds(make_uscc, symbols, symbols, text(6), text(9))


@given(valid_codes)
def test_make_uscc_is_always_valid_and_parses_back(code):
    assert validate_uscc(code) == code
    parts = parse_uscc(code)
    assert make_uscc(parts.authority, parts.entity_type, parts.division, parts.organisation) == code


@given(valid_codes, st.integers(0, 17), symbols)
def test_any_single_character_change_is_caught(code, position, replacement):
    if code[position] == replacement:
        return
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(USCCError, match="check character"):
        validate_uscc(changed)


@given(valid_codes, st.integers(0, 17), st.sampled_from("IOSVZ-*#."))
def test_foreign_characters_are_reported_at_their_position(code, position, foreign):
    changed = code[:position] + foreign + code[position + 1 :]
    with pytest.raises(USCCError, match=f"at position {position + 1} "):
        validate_uscc(changed)


@pytest.mark.parametrize(
    ("raw", "code", "params"),
    [
        (
            "91350100M000100Y44",
            "check_character",
            {"character": "4", "position": 18, "expected": "3"},
        ),
        ("91350100I000100Y43", "character", {"character": "I", "position": 9}),
        ("9135010", "length", {"length": 7}),
    ],
)
def test_errors_carry_a_code_and_parameters_for_translation(raw, code, params):
    """The engine speaks English; callers with a catalogue translate from code and params."""
    with pytest.raises(USCCError) as caught:
        validate_uscc(raw)
    assert caught.value.code == code and caught.value.params == params
    with pytest.raises(USCCError) as caught:
        check_character("9135O100M000100Y4")
    assert caught.value.code == "character" and caught.value.params["position"] == 5
