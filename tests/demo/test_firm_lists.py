"""The labelled firm lists of the record-linkage benchmark: deterministic, labelled as the
module says (1..5 lists a firm, look-alike firms of the same town), corrupted in the ways the
issue names, and written to CSV (UTF-8 and GBK) and XLSX files that read back unchanged."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from clusterbrain.demo.firm_lists import (
    HEADERS,
    LOOKALIKE_SHARE,
    RECORD_FIELDS,
    SOURCES,
    ListRecord,
    by_source,
    generate_firm_lists,
    write_csv,
    write_xlsx,
)
from clusterbrain.engines.resolution.uscc import is_valid_uscc, parse_uscc

N_RECORDS = 20_000


@pytest.fixture(scope="module")
def records() -> list[ListRecord]:
    return generate_firm_lists(N_RECORDS, seed=7)


@pytest.fixture(scope="module")
def firms(records: list[ListRecord]) -> dict[str, list[ListRecord]]:
    grouped: dict[str, list[ListRecord]] = defaultdict(list)
    for record in records:
        grouped[record.true_firm_id].append(record)
    return grouped


def test_same_seed_same_lists_other_seed_other_lists(records: list[ListRecord]) -> None:
    again = generate_firm_lists(N_RECORDS, seed=7)
    assert again == records
    other = generate_firm_lists(N_RECORDS, seed=8)
    assert [r.name for r in other] != [r.name for r in records]


def test_exact_size_unique_ids_and_lists_in_order(records: list[ListRecord]) -> None:
    assert len(records) == N_RECORDS
    assert len({r.unique_id for r in records}) == N_RECORDS
    assert [s for s in dict.fromkeys(r.source for r in records)] == list(SOURCES)
    assert all(r.unique_id.startswith(r.source + "-") for r in records)
    assert generate_firm_lists(0) == []
    three = generate_firm_lists(2_000, sources=3, seed=1)
    assert {r.source for r in three} == set(SOURCES[:3])
    with pytest.raises(ValueError):
        generate_firm_lists(10, sources=6)


def test_each_firm_in_one_to_five_lists_once_each(firms: dict[str, list[ListRecord]]) -> None:
    sizes = Counter(len(rows) for rows in firms.values())
    assert set(sizes) <= {1, 2, 3, 4, 5}
    assert all(sizes[k] > 0 for k in (1, 2, 3, 4)), sizes
    for rows in firms.values():
        assert len({r.source for r in rows}) == len(rows)
    # About two records a firm: enough duplicates to link, many firms listed once.
    assert 1.7 < sum(len(rows) for rows in firms.values()) / len(firms) < 2.3
    assert 0.2 < sizes[1] / len(firms) < 0.45


def test_lookalike_firms_are_other_firms_of_the_same_town(
    firms: dict[str, list[ListRecord]],
) -> None:
    lookalikes = {fid: rows[0].lookalike_of for fid, rows in firms.items() if rows[0].lookalike_of}
    assert abs(len(lookalikes) / len(firms) - LOOKALIKE_SHARE) < 0.03
    checked = 0
    for fid, base in lookalikes.items():
        assert base != fid
        assert base < fid  # made from an earlier firm
        mine = _registered_uscc(firms[fid])
        theirs = _registered_uscc(firms.get(base, []))
        if mine and theirs:
            assert mine != theirs
            assert parse_uscc(mine).division == parse_uscc(theirs).division
            checked += 1
    assert checked > 100


def _registered_uscc(rows: list[ListRecord]) -> str | None:
    for row in rows:
        if row.source == "registry" and row.uscc and is_valid_uscc(row.uscc):
            return row.uscc
    return None


def test_lookalike_kinds_are_all_there(firms: dict[str, list[ListRecord]]) -> None:
    registered = {
        fid: next(r.name for r in rows if r.source == "registry")
        for fid, rows in firms.items()
        if any(r.source == "registry" for r in rows)
    }
    branches = [
        name
        for fid, name in registered.items()
        if firms[fid][0].lookalike_of and name.endswith("分公司")
    ]
    assert branches
    for name in branches:
        assert "有限公司" in name or "集团" in name or "股份" in name
    # A branch's head office has the branch's name before its branch words.
    heads = 0
    for fid, rows in firms.items():
        base = rows[0].lookalike_of
        if base in registered and registered.get(fid, "").endswith("分公司"):
            heads += registered[fid].startswith(registered[base])
    assert heads > 0


def test_sources_look_like_their_lists(records: list[ListRecord]) -> None:
    lists = by_source(records)
    registry = lists["registry"]
    assert sum(is_valid_uscc(r.uscc or "") for r in registry) / len(registry) > 0.97
    assert all(r.legal_rep for r in registry)
    assert not any(r.uscc for r in lists["chamber"])
    tax_valid = sum(is_valid_uscc(r.uscc or "") for r in lists["tax"]) / len(lists["tax"])
    assert 0.9 < tax_valid < 0.99  # and a few mistyped or missing
    assert all(_latin(r.name) for r in lists["supplier"] if r.name_en is None)
    assert all(_latin(r.name_en) for r in lists["supplier"] if r.name_en)
    expo_phones = [r.phone for r in lists["expo"] if r.phone]
    assert sum(bool(re.match(r"^1\d\d[ -]?\d{4}[ -]?\d{4}$", p)) for p in expo_phones) > 0.9 * len(
        expo_phones
    )


def _latin(text: str | None) -> bool:
    return bool(text) and all(ord(ch) < 0x2E80 for ch in text or "")


@pytest.mark.parametrize(
    "pattern",
    [
        "有限责任公司",
        "（个体工商户）",
        "(个体工商户)",
        "Co., Ltd.",
        "Youxian Gongsi",
        "公司",
    ],
)
def test_names_carry_the_legal_form_variants(records: list[ListRecord], pattern: str) -> None:
    assert any(pattern.lower() in (r.name + (r.name_en or "")).lower() for r in records)


def test_names_carry_the_other_corruptions(records: list[ListRecord]) -> None:
    names = [r.name for r in records]
    assert any(re.search("[廣區鎮達興華業]", n) for n in names)  # traditional characters
    assert any(re.search("[Ａ-Ｚ０-９（）]", n) for n in names if "个体工商户" not in n)
    assert any(" " in n for n in names if not _latin(n))  # typed with spaces
    assert any("桦" in n or "住" in n or "弘" in n for n in names)  # look-alike glyphs
    addresses = [r.address or "" for r in records]
    assert any(re.search("[一二三四五六七八九]+号", a) for a in addresses)  # Chinese numerals
    assert any(re.search("[０-９]", a) for a in addresses)
    assert any(a.startswith("No. ") or a.startswith("#") for a in addresses)
    assert any(re.search(r"\bRd\.", a) for a in addresses)
    phones = [r.phone or "" for r in records]
    assert any(p.startswith("+86") for p in phones)
    assert any(p.startswith("(0") for p in phones)
    usccs = [r.uscc for r in records if r.uscc]
    assert any(not is_valid_uscc(u) for u in usccs)


def test_typical_firm_reads_as_the_same_firm(firms: dict[str, list[ListRecord]]) -> None:
    """Most records share a strong field (USCC, a phone number, the address's digits, the legal
    representative) with their firm's registry record: the lists are linkable, not noise. The
    rest (mostly exhibition sign-ups by a salesman, from his mobile) have only the name."""
    shared = total = 0
    for rows in firms.values():
        registry = next((r for r in rows if r.source == "registry"), None)
        if registry is None:
            continue
        for row in rows:
            if row is registry:
                continue
            total += 1
            shared += bool(
                (row.uscc and row.uscc == registry.uscc)
                or (_digits(row.phone) and _digits(row.phone) == _digits(registry.phone))
                or (_digits(row.address) and _digits(row.address) == _digits(registry.address))
                or (row.legal_rep and row.legal_rep == registry.legal_rep)
            )
    assert shared / total > 0.85


def _digits(text: str | None) -> str:
    return re.sub(r"\D", "", (text or "").translate(_FULLWIDTH_DIGITS))[-7:]


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _read_csv(path: Path, encoding: str) -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def _values(records: list[ListRecord], columns: list[str]) -> list[list[str]]:
    return [["" if getattr(r, c) is None else getattr(r, c) for c in columns] for r in records]


def test_csv_round_trips_with_chinese_headers(records: list[ListRecord], tmp_path: Path) -> None:
    chamber = by_source(records)["chamber"][:300]
    path = write_csv(chamber, tmp_path / "chamber.csv")
    rows = _read_csv(path, "utf-8")
    columns = [f for f in RECORD_FIELDS if f != "name_en"]  # no English names in this list
    assert rows[0] == [HEADERS["zh"][c] for c in columns]
    assert rows[0][:3] == ["企业名称", "统一社会信用代码", "地址"]
    assert rows[1:] == _values(chamber, columns)


def test_csv_with_english_headers_and_labels(records: list[ListRecord], tmp_path: Path) -> None:
    supplier = by_source(records)["supplier"][:300]
    path = write_csv(supplier, tmp_path / "supplier.csv", headers="en", labels=True)
    rows = _read_csv(path, "utf-8")
    columns = [*RECORD_FIELDS, "unique_id", "source", "true_firm_id"]
    assert rows[0][:2] == ["company name", "english name"]
    assert rows[0][-3:] == ["unique_id", "source", "true_firm_id"]
    assert rows[1:] == _values(supplier, columns)


def test_gbk_csv_is_gbk_and_round_trips(records: list[ListRecord], tmp_path: Path) -> None:
    expo = by_source(records)["expo"]  # traditional and full-width characters included
    path = write_csv(expo, tmp_path / "expo.csv", "gbk", labels=True)
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "企业名称".encode("gbk") in raw
    rows = _read_csv(path, "gbk")
    columns = [f for f in RECORD_FIELDS if f != "name_en"] + ["unique_id", "source", "true_firm_id"]
    assert rows[1:] == _values(expo, columns)


def test_every_list_encodes_in_gbk(records: list[ListRecord]) -> None:
    for record in records:
        for field in RECORD_FIELDS:
            value = getattr(record, field)
            if value:
                value.encode("gbk")


def test_xlsx_has_a_sheet_a_list_and_round_trips(records: list[ListRecord], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    sheets = {source: rows[:200] for source, rows in by_source(records).items()}
    path = write_xlsx(tmp_path / "lists.xlsx", sheets, labels=True)
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == list(SOURCES)
    for source, rows in sheets.items():
        read = [list(row) for row in book[source].iter_rows(values_only=True)]
        header = read[0]
        assert header[0] == "企业名称"
        every = zip([*RECORD_FIELDS, *_LABELS], _all_headers(), strict=True)
        columns = [c for c, h in every if h in header]
        assert read[1:] == [[getattr(r, c) for c in columns] for r in rows]
    book.close()


_LABELS = ("unique_id", "source", "true_firm_id")


def _all_headers() -> list[str]:
    return [HEADERS["zh"][f] for f in RECORD_FIELDS] + list(_LABELS)
