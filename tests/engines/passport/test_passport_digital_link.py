"""Digital Link addresses of passports: built from EPCIS identifiers, parsed back, errors named."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterbrain.engines.passport.digital_link import (
    DigitalLinkError,
    ProductKey,
    check_digit,
    parse_path,
    product_key,
)


def test_check_digit_of_known_gtins() -> None:
    # GTIN-13 4006381333931; (01) 80614141123458, the Tag Data Standard's SGTIN example
    assert check_digit("400638133393") == "1"
    assert check_digit("8061414112345") == "8"


def test_lgtin_and_sgtin_give_the_same_gtin_and_their_lot_or_serial() -> None:
    lot = product_key("urn:epc:class:lgtin:0614141.112345.LOT%2F7")
    assert lot == ProductKey(gtin="10614141123459", lot="LOT/7")
    piece = product_key("urn:epc:id:sgtin:0614141.112345.400")
    assert piece == ProductKey(gtin="10614141123459", serial="400")
    assert product_key("https://example.org/01/10614141123459/10/ABC") == ProductKey(
        gtin="10614141123459", lot="ABC"
    )


def test_identifiers_that_name_no_product_give_none() -> None:
    assert product_key("urn:epc:id:sscc:0614141.1234567890") is None
    assert product_key("urn:epc:id:sgln:0614141.00777.0") is None
    assert product_key("urn:example:lot:7") is None


def test_uri_on_our_domain_and_back() -> None:
    key = ProductKey(gtin="4006381333931", lot="A-1/2")
    assert key.gtin == "04006381333931"
    uri = key.uri("https://brain.example/")
    assert uri == "https://brain.example/01/04006381333931/10/A-1%2F2"
    assert parse_path(uri.split("brain.example", 1)[1]) == key
    # a path prefix before /01/ and a query string are allowed by the standard
    assert parse_path("/passport/01/04006381333931/10/A-1%2F2?linkType=all") == key
    assert key.epc == "https://id.gs1.org/01/04006381333931/10/A-1%2F2"


@pytest.mark.parametrize(
    ("path", "part"),
    [
        ("/10/ABC", "gtin"),
        ("/01/4006381333932/10/ABC", "gtin"),  # wrong check digit
        ("/01/400638133393/10/ABC", "gtin"),  # 12 digits but its check digit is wrong
        ("/01/4006381333931", "path"),
        ("/01/4006381333931/22/ABC", "path"),
        ("/01/4006381333931/10/" + "X" * 21, "lot"),
        ("/01/4006381333931/21/caf%C3%A9", "serial"),  # outside character set 82
    ],
)
def test_bad_paths_name_the_part(path: str, part: str) -> None:
    with pytest.raises(DigitalLinkError) as caught:
        parse_path(path)
    assert caught.value.part == part


def test_a_key_has_a_lot_or_a_serial_not_both() -> None:
    with pytest.raises(DigitalLinkError):
        ProductKey(gtin="4006381333931", lot="A", serial="B")
    with pytest.raises(DigitalLinkError):
        ProductKey(gtin="4006381333931")


@given(
    body=st.text("0123456789", min_size=13, max_size=13),
    lot=st.text(st.sampled_from("ABCXYZabc0189-._/%&()*+,:;<=>?!'\""), min_size=1, max_size=20),
)
def test_any_valid_key_round_trips(body: str, lot: str) -> None:
    key = ProductKey(gtin=body + check_digit(body), lot=lot)
    assert parse_path(key.path) == key
    assert product_key(key.uri("https://x.example")) == key
