"""Firm records turned into the comparable columns the linkage model reads.

One row per input record, every value already normalised (names split and romanised, addresses
split into ascii keys, phones and USCC checked), so the Splink model compares plain strings with
the same SQL on DuckDB and on Spark.

Lists repeat the same raw strings many times (a town, a product line, a firm under several
sources), so each parser runs once per distinct raw string of a call; columns are built as
Python lists and turned into one polars frame at the end, which keeps 1,000,000 records well
inside the time budget.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

import polars as pl

from clusterbrain.engines.resolution import addresses, names, phones, text, uscc


class LinkageError(ValueError):
    """Input the linkage engine cannot use; the message names the column, row or value.

    Defined here, where records first enter the engine, and re-exported by `linkage`.
    """


FEATURE_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "source_dataset",
    "uscc",
    "name_folded",
    "script",
    "core",
    "core_pinyin",
    "core_pinyin_sorted",
    "alt_core_pinyin",
    "name_key",
    "industry",
    "industry_family",
    "industry_text",
    "legal_form",
    "branch",
    "region_pinyin",
    "province_key",
    "city_key",
    "district_key",
    "town_key",
    "road_key",
    "number",
    "phone",
    "phone_local",
    "legal_rep_key",
    "products_folded",
)

FEATURE_SCHEMA: dict[str, type[pl.DataType]] = {column: pl.String for column in FEATURE_COLUMNS}

_T = TypeVar("_T")


def _cached(parse: Callable[[str], _T]) -> Callable[[str], _T]:
    """`parse` memoised on its raw string for the duration of one call of `firm_features`."""
    cache: dict[str, _T] = {}

    def cached(raw: str) -> _T:
        try:
            return cache[raw]
        except KeyError:
            value = cache[raw] = parse(raw)
            return value

    return cached


def _clean(value: Any) -> str:
    """A raw cell as a stripped string: None, NaN and blanks become ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from a spreadsheet reader
        return ""
    return str(value).strip()


def _valid_uscc(raw: str) -> str:
    return uscc.normalise_uscc(raw) if uscc.is_valid_uscc(raw) else ""


def _sorted_syllables(core: str) -> str:
    """The trade name's syllables in alphabetical order, '' for fewer than two: 恒凯 and 凯恒,
    "yao jin" and "jin yao" meet here. Chinese is read a character at a time."""
    parts = core.split() if core.isascii() else [text.han_pinyin(char) for char in core]
    parts = [part for part in parts if part]
    return "".join(sorted(parts)) if len(parts) > 1 else ""


def _first_phone(raw: str) -> tuple[str, str]:
    numbers = phones.normalise_phones(raw)
    if not numbers:
        return "", ""
    return numbers[0], phones.phone_local(numbers[0])


def _region_levels(region_path: str) -> tuple[str, str, str, str] | None:
    """province, city, district and town keys from a name's region path
    ("guangdong/guangzhou/huadu/shiling"), '' below what the name says."""
    if not region_path:
        return None
    levels = region_path.split("/")[:4]
    province, city, district, town = levels + [""] * (4 - len(levels))
    return province, city, district, town


def firm_features(
    records: Iterable[Mapping[str, Any]], *, workers: int | None = None
) -> pl.DataFrame:
    """One row of `FEATURE_COLUMNS` per record; empty values are null.

    Keys read from each record (any may be missing or None except unique_id): unique_id,
    source, name (Chinese or English), name_en (a second name), uscc, address, phone,
    legal_rep, products. With two names the Chinese one fills the name columns and the other
    one's romanised core is kept as `alt_core_pinyin`, so an English-only list still meets the
    registry's Chinese record. A USCC is kept only when valid (normalised), the first phone only.
    `branch` is the branch's romanised key (合成分公司 and "Hecheng Branch" agree). A record whose
    address is missing or names no place takes its province/city/district/town from the region
    its name starts with.

    Names and addresses are nearly all distinct in a real list, so parsing is the cost: from
    PARALLEL_MIN_RECORDS records on, `workers` processes (default: the machine's cores) parse
    contiguous slices; `workers=1` keeps it in this process.
    """
    records = records if isinstance(records, Sequence) else list(records)
    if workers is None:
        workers = _cores() if len(records) >= PARALLEL_MIN_RECORDS else 1
    if workers > 1 and len(records) > 1:
        rows = _rows_in_processes(records, workers)
    else:
        rows = _feature_rows(records)

    columns = list(zip(*rows, strict=True)) if rows else [() for _ in FEATURE_COLUMNS]
    frame = pl.DataFrame(
        {column: list(values) for column, values in zip(FEATURE_COLUMNS, columns, strict=True)},
        schema=FEATURE_SCHEMA,
    )
    # '' and null mean the same here; null lets Splink's null levels see it.
    frame = frame.with_columns(
        pl.when(pl.col(column) == "").then(None).otherwise(pl.col(column)).alias(column)
        for column in FEATURE_COLUMNS
    )
    duplicated = frame.filter(pl.col("unique_id").is_duplicated())["unique_id"].unique()
    if len(duplicated):
        shown = ", ".join(sorted(duplicated.to_list())[:5])
        raise LinkageError(f"unique_id must be unique; repeated: {shown}")
    return frame


PARALLEL_MIN_RECORDS = 100_000


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _rows_in_processes(records: Sequence[Mapping[str, Any]], workers: int) -> list[tuple[str, ...]]:
    """`_feature_rows` over `workers` contiguous slices in forked processes, in order.

    Forked, so the workers find the records (and the parsers' loaded gazetteer and tables)
    already in memory and only the rows travel back; they run nothing but the pure-Python
    parsers, so the threads of polars or DuckDB that a fork does not copy are never needed.
    Where fork is unavailable the slices are parsed here.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return _feature_rows(records)
    global _RECORDS_FOR_WORKERS
    size = -(-len(records) // workers)
    bounds = [(start, min(start + size, len(records))) for start in range(0, len(records), size)]
    _feature_rows(records[:1])  # load the parsers' tables once, before the fork
    _RECORDS_FOR_WORKERS = records
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(bounds), mp_context=context) as pool:
            parts = list(pool.map(_feature_rows_of_slice, bounds))
    finally:
        _RECORDS_FOR_WORKERS = None
    return [row for part in parts for row in part]


_RECORDS_FOR_WORKERS: Sequence[Mapping[str, Any]] | None = None


def _feature_rows_of_slice(bounds: tuple[int, int]) -> list[tuple[str, ...]]:
    start, stop = bounds
    assert _RECORDS_FOR_WORKERS is not None
    return _feature_rows(_RECORDS_FOR_WORKERS[start:stop], start)


def _feature_rows(records: Sequence[Mapping[str, Any]], offset: int = 0) -> list[tuple[str, ...]]:
    """The rows of `firm_features` ('' for empty), each parser memoised on its raw string."""
    parse_name = _cached(names.parse_company_name)
    parse_address = _cached(addresses.parse_address)
    parse_uscc = _cached(_valid_uscc)
    parse_phone = _cached(_first_phone)
    person_key = _cached(text.person_key)
    fold = _cached(text.fold)
    sorted_syllables = _cached(_sorted_syllables)

    rows: list[tuple[str, ...]] = []
    for row, record in enumerate(records, start=offset):
        uid = _clean(record.get("unique_id"))
        if not uid:
            raise LinkageError(f"record {row}: unique_id is missing or empty")

        raw_name = _clean(record.get("name"))
        raw_name_en = _clean(record.get("name_en"))
        name = parse_name(raw_name or raw_name_en)
        alt_core_pinyin = ""
        if raw_name and raw_name_en:
            other = parse_name(raw_name_en)
            if name.script != "zh" and other.script == "zh":
                name, other = other, name
            if other.core_pinyin != name.core_pinyin:
                alt_core_pinyin = other.core_pinyin
        address = parse_address(_clean(record.get("address")))
        place: tuple[str, ...] = (
            address.province_key,
            address.city_key,
            address.district_key,
            address.town_key,
        )
        if not any(place[1:]):
            # No usable address: the region the name starts with (广州花都狮岭…) still places
            # the firm, as far as it goes.
            place = _region_levels(name.region_path) or place
        phone, phone_local = parse_phone(_clean(record.get("phone")))
        legal_rep = _clean(record.get("legal_rep"))
        products = _clean(record.get("products"))

        rows.append(
            (
                uid,
                _clean(record.get("source")),
                parse_uscc(_clean(record.get("uscc"))),
                name.folded,
                name.script if name.folded else "",
                name.core,
                name.core_pinyin,
                sorted_syllables(name.core) if name.core_pinyin else "",
                alt_core_pinyin,
                # The trade name with its trade as written: 字号 and trade words together name
                # one firm of a town (企业名称登记管理规定), however common the 字号 alone.
                f"{name.core_pinyin}|{fold(name.industry_text)}" if name.industry else "",
                name.industry,
                name.industry_family,
                fold(name.industry_text) if name.industry else "",
                name.legal_form,
                name.branch_key or name.branch,
                name.region_pinyin,
                *place,
                address.road_key,
                address.number,
                phone,
                phone_local,
                person_key(legal_rep) if legal_rep else "",
                fold(products) if products else "",
            )
        )

    return rows
