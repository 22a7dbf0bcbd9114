"""Firm records into linkage features (engines/resolution/features.py): no Django, no database."""

from __future__ import annotations

import polars as pl
import pytest

from clusterbrain.engines.resolution import addresses, features, names, phones, text
from clusterbrain.engines.resolution.features import FEATURE_COLUMNS, LinkageError, firm_features
from clusterbrain.engines.resolution.uscc import make_uscc

USCC = make_uscc("9", "1", "440114", "MA5ABCDE1")


def one(**record: object) -> dict[str, object]:
    frame = firm_features([{"unique_id": "r1", "source": "registry"} | record])
    assert frame.columns == list(FEATURE_COLUMNS)
    assert len(frame) == 1
    return frame.row(0, named=True)


def test_one_row_per_record_in_order_with_every_column_a_string():
    records = [{"unique_id": f"r{i}", "source": "chamber", "name": "恒达皮具厂"} for i in range(5)]
    frame = firm_features(records)
    assert frame["unique_id"].to_list() == [f"r{i}" for i in range(5)]
    assert frame.columns == list(FEATURE_COLUMNS)
    assert all(dtype == pl.String for dtype in frame.dtypes)
    assert frame["source_dataset"].to_list() == ["chamber"] * 5


def test_a_chinese_name_split_as_the_name_parser_splits_it():
    raw = "广州市花都区狮岭镇恒达皮具有限公司"
    parsed = names.parse_company_name(raw)
    row = one(name=raw)
    assert row["script"] == "zh"
    assert row["name_folded"] == parsed.folded
    assert row["core"] == parsed.core == "恒达"
    assert row["core_pinyin"] == "hengda"
    assert row["industry"] == parsed.industry
    assert row["industry_family"] == parsed.industry_family
    assert row["legal_form"] == parsed.legal_form
    assert row["region_pinyin"] == parsed.region_pinyin
    assert row["branch"] is None
    assert row["alt_core_pinyin"] is None


def test_chinese_and_english_names_use_the_chinese_and_keep_the_english_core():
    row = one(name="恒达皮具有限公司", name_en="Everwin Leather Goods Co., Ltd.")
    assert row["script"] == "zh"
    assert row["core_pinyin"] == "hengda"
    assert row["alt_core_pinyin"] == names.parse_company_name("Everwin Leather Goods").core_pinyin
    # Whichever column holds it, the Chinese name leads.
    swapped = one(name="Everwin Leather Goods Co., Ltd.", name_en="恒达皮具有限公司")
    assert swapped["core_pinyin"] == "hengda"
    assert swapped["alt_core_pinyin"] == row["alt_core_pinyin"]


def test_an_english_name_that_romanises_the_chinese_one_adds_no_alternative():
    row = one(name="恒达皮具有限公司", name_en="Guangzhou Hengda Leather Goods Co., Ltd.")
    assert row["core_pinyin"] == "hengda"
    assert row["alt_core_pinyin"] is None


def test_an_english_name_alone_is_the_name():
    row = one(name=None, name_en="Wenzhou Jindi Shoes Co., Ltd.")
    assert row["script"] == "en"
    assert row["core_pinyin"] == "jindi"


def test_branch_is_the_romanised_branch_key_in_either_script():
    zh = one(name="广州市花都区狮岭镇恒达皮具有限公司（合成分公司）")
    en = one(name="Guangzhou Hengda Leather Goods Co., Ltd. (Hecheng Branch)")
    assert zh["branch"] == en["branch"] == "hecheng"


def test_swapped_characters_share_the_sorted_syllables():
    a = one(name="狮岭镇凯恒皮革厂")
    b = one(name="广州市花都区狮岭镇恒凯皮革有限公司")
    assert a["core_pinyin"] != b["core_pinyin"]
    assert a["core_pinyin_sorted"] == b["core_pinyin_sorted"]


def test_uscc_kept_normalised_only_when_valid():
    messy = " " + USCC.lower()[:9] + " " + USCC.lower()[9:]
    assert one(uscc=messy)["uscc"] == USCC
    broken = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    assert one(uscc=broken)["uscc"] is None
    assert one(uscc="not a code")["uscc"] is None


def test_address_keys_and_the_first_phone():
    raw = "广东省广州市花都区狮岭镇合成村狮岭大道128号"
    parsed = addresses.parse_address(raw)
    row = one(address=raw, phone="020-8681 2345 / 138 1234 5678")
    assert (row["province_key"], row["city_key"], row["district_key"], row["town_key"]) == (
        parsed.province_key,
        parsed.city_key,
        parsed.district_key,
        parsed.town_key,
    )
    assert row["road_key"] == parsed.road_key
    assert row["number"] == "128"
    first = phones.normalise_phones("020-8681 2345 / 138 1234 5678")[0]
    assert row["phone"] == first
    assert row["phone_local"] == phones.phone_local(first)


def test_without_an_address_the_place_comes_from_the_name():
    row = one(name="广州市花都区狮岭镇恒达皮具有限公司", address=None)
    assert (row["city_key"], row["district_key"], row["town_key"]) == (
        "guangzhou",
        "huadu",
        "shiling",
    )
    # An address that names a place wins over the name.
    moved = one(
        name="广州市花都区狮岭镇恒达皮具有限公司", address="浙江省温州市鹿城区双屿街道鞋都大道1号"
    )
    assert moved["city_key"] == "wenzhou"


def test_legal_rep_and_products_keys():
    row = one(legal_rep="李明华", products="女包、钱包")
    assert row["legal_rep_key"] == text.person_key("李明华")
    assert one(legal_rep="Li Minghua")["legal_rep_key"] == row["legal_rep_key"]
    assert row["products_folded"] == text.fold("女包、钱包")


def test_missing_and_blank_values_are_null():
    row = one(name="  ", uscc=None, address="", phone=float("nan"), legal_rep=None)
    assert row["unique_id"] == "r1"
    assert row["source_dataset"] == "registry"
    assert all(row[column] is None for column in FEATURE_COLUMNS[2:])


def test_missing_unique_id_names_the_record():
    with pytest.raises(LinkageError, match="record 1: unique_id"):
        firm_features([{"unique_id": "a", "name": "恒达皮具厂"}, {"name": "恒达皮具厂"}])


def test_repeated_unique_id_names_it():
    with pytest.raises(LinkageError, match="repeated: a"):
        firm_features([{"unique_id": "a"}, {"unique_id": "b"}, {"unique_id": "a"}])


def test_each_distinct_raw_string_is_parsed_once(monkeypatch):
    calls: list[str] = []
    real = names.parse_company_name

    def counting(raw: str) -> names.CompanyName:
        calls.append(raw)
        return real(raw)

    monkeypatch.setattr(features.names, "parse_company_name", counting)
    records = [
        {"unique_id": str(i), "name": ("恒达皮具厂", "华裕皮革有限公司", "金帝鞋业")[i % 3]}
        for i in range(300)
    ]
    firm_features(records, workers=1)
    assert sorted(calls) == sorted(["恒达皮具厂", "华裕皮革有限公司", "金帝鞋业"])


def test_workers_give_the_same_frame_as_one_process():
    records = [
        {
            "unique_id": f"r{i}",
            "source": "expo",
            "name": f"{'恒华金宝'[i % 4]}{'达裕帝丰'[i % 3]}皮具厂",
            "address": "狮岭镇狮岭大道128号" if i % 2 else None,
            "phone": f"1380000{i:04d}",
        }
        for i in range(400)
    ]
    assert firm_features(records, workers=2).equals(firm_features(records, workers=1))
