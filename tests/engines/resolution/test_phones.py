"""Phone numbers in a cell: several per cell, prefixes, brackets, extensions, junk."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterbrain.engines.resolution.phones import normalise_phone, normalise_phones, phone_local


@pytest.mark.parametrize(
    ("raw", "phones"),
    [
        ("13812345678", ("13812345678",)),
        ("138 1234 5678", ("13812345678",)),
        ("138-1234-5678", ("13812345678",)),
        ("+86 138 1234 5678", ("13812345678",)),
        ("+8613812345678", ("13812345678",)),
        ("0086 13812345678", ("13812345678",)),
        ("86-138-1234-5678", ("13812345678",)),
        ("１３８１２３４５６７８", ("13812345678",)),
        ("020-8698 1234", ("02086981234",)),
        ("(020)86981234", ("02086981234",)),
        ("（020）8698-1234", ("02086981234",)),
        ("+86 20 8698 1234", ("02086981234",)),
        ("0086-20-86981234", ("02086981234",)),
        ("0311-83012345", ("031183012345",)),
        ("0778-3221234", ("07783221234",)),
        ("86981234", ("86981234",)),
        ("020-86981234 转 801", ("02086981234",)),
        ("020-86981234 ext. 801", ("02086981234",)),
        ("020-86981234-801", ("02086981234",)),
        ("电话：020-86981234", ("02086981234",)),
        ("13812345678/13987654321", ("13812345678", "13987654321")),
        ("13812345678 13987654321", ("13812345678", "13987654321")),
        (
            "020-86981234，13812345678；0311-83012345",
            ("02086981234", "13812345678", "031183012345"),
        ),
        ("13812345678、13812345678", ("13812345678",)),
        ("400-123-4567", ("4001234567",)),
        ("Tel: +1 415 555 0100", ()),
        ("12345", ()),
        ("abc", ()),
        ("", ()),
        ("23812345678", ()),
    ],
)
def test_normalise_phones(raw, phones):
    assert normalise_phones(raw) == phones


def test_normalise_phone_takes_the_first():
    assert normalise_phone("020-86981234 / 13812345678") == "02086981234"
    assert normalise_phone("none") == ""


@pytest.mark.parametrize(
    ("phone", "local"),
    [
        ("02086981234", "86981234"),
        ("031183012345", "83012345"),
        ("07783221234", "3221234"),
        ("86981234", "86981234"),
        ("13812345678", "13812345678"),
        ("", ""),
    ],
)
def test_phone_local(phone, local):
    assert phone_local(phone) == local


def test_local_part_makes_area_code_optional():
    with_area = normalise_phone("020-8698 1234")
    without = normalise_phone("8698-1234")
    assert with_area != without
    assert phone_local(with_area) == phone_local(without)


@given(st.text(max_size=60))
def test_never_raises_and_returns_digits(raw):
    for phone in normalise_phones(raw):
        assert phone.isdigit() and phone.isascii()
