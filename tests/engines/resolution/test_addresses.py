"""Addresses in Chinese and English split into comparable parts, with the gazetteer's help."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterbrain.engines.resolution.addresses import chinese_number, gazetteer, parse_address

SHILING = ("广东", "广州", "花都", "狮岭")
SHILING_KEYS = ("guangdong", "guangzhou", "huadu", "shiling")

CASES = [
    # raw, (province, city, district, town), road, number, rest, road_key
    ("广东省广州市花都区狮岭镇阳光路18号", SHILING, "阳光路", "18", "", "yangguanglu"),
    ("广州市花都区狮岭镇阳光路18号", SHILING, "阳光路", "18", "", "yangguanglu"),
    ("狮岭镇阳光路18号", SHILING, "阳光路", "18", "", "yangguanglu"),
    ("广州花都狮岭阳光路18号", SHILING, "阳光路", "18", "", "yangguanglu"),
    ("中国广东省广州市花都区狮岭镇阳光路18号", SHILING, "阳光路", "18", "", "yangguanglu"),
    (
        "广州市花都区狮岭镇益群村阳光路十八号A栋3楼",
        SHILING,
        "阳光路",
        "18",
        "益群村 a栋3楼",
        "yangguanglu",
    ),
    (
        "广州花都狮岭阳光东路18-20号皮具城2楼",
        SHILING,
        "阳光东路",
        "18",
        "皮具城2楼",
        "yangguangdonglu",
    ),
    ("花都区狮岭镇合成村工业区", SHILING, "", "", "合成村工业区", ""),
    ("狮岭镇皮具城阳光路5号", SHILING, "阳光路", "5", "皮具城", "yangguanglu"),
    ("广东省广州市花都区狮岭镇阳光路１８Ａ号", SHILING, "阳光路", "18a", "", "yangguanglu"),
    ("廣東省廣州市花都區獅嶺鎮陽光路18號", SHILING, "阳光路", "18", "", "yangguanglu"),
    (
        "广州市花都区新华街道迎宾大道一段168号",
        ("广东", "广州", "花都", "新华"),
        "迎宾大道一段",
        "168",
        "",
        "yingbindadaoyiduan",
    ),
    (
        "河北省辛集市辛集镇建设路２３号",
        ("河北", "石家庄", "辛集", "辛集"),
        "建设路",
        "23",
        "",
        "jianshelu",
    ),
    ("辛集市位伯镇某某村", ("河北", "石家庄", "辛集", "位伯"), "", "", "某某村", ""),
    (
        "浙江省温州市鹿城区双屿街道鞋都大道1号",
        ("浙江", "温州", "鹿城", "双屿"),
        "鞋都大道",
        "1",
        "",
        "xiedoudadao",
    ),
    ("温州市瓯海区仙岩街道工业区", ("浙江", "温州", "瓯海", "仙岩"), "", "", "工业区", ""),
    (
        "广西宜州区庆远镇城西路100号",
        ("广西", "河池", "宜州", "庆远"),
        "城西路",
        "100",
        "",
        "chengxilu",
    ),
    ("河池市宜州区刘三姐镇", ("广西", "河池", "宜州", "刘三姐"), "", "", "", ""),
    ("北京市朝阳区建国路88号", ("北京", "北京", "朝阳", ""), "建国路", "88", "", "jianguolu"),
    (
        "上海市浦东新区张江路一百零二号",
        ("上海", "上海", "浦东", ""),
        "张江路",
        "102",
        "",
        "zhangjianglu",
    ),
    ("东莞市厚街镇某某工业园", ("广东", "东莞", "厚街", ""), "", "", "某某工业园", ""),
    ("某某县某某镇人民路6号", ("", "", "某某", "某某"), "人民路", "6", "", "renminlu"),
    ("阳光路18号", ("", "", "", ""), "阳光路", "18", "", "yangguanglu"),
    ("", ("", "", "", ""), "", "", "", ""),
]


@pytest.mark.parametrize(("raw", "places", "road", "number", "rest", "road_key"), CASES)
def test_chinese_addresses(raw, places, road, number, rest, road_key):
    address = parse_address(raw)
    assert (address.province, address.city, address.district, address.town) == places
    assert (address.road, address.number, address.rest, address.road_key) == (
        road,
        number,
        rest,
        road_key,
    )


def test_keys_of_a_shiling_address():
    address = parse_address("广东省广州市花都区狮岭镇阳光路18号")
    keys = (address.province_key, address.city_key, address.district_key, address.town_key)
    assert keys == SHILING_KEYS
    assert address.script == "zh"
    assert address.folded == "广东省广州市花都区狮岭镇阳光路18号"


EN_CASES = [
    "No. 18, Yangguang Road, Shiling Town, Huadu District, Guangzhou, Guangdong, China",
    "18 Yangguang Rd, Shiling, Huadu, Guangzhou",
    "No.18 Yangguang Road, Shiling Town, Huadu District, Guangzhou City, Guangdong Province 510850",
    "NO. 18 YANGGUANG ROAD, SHILING TOWN, HUADU DISTRICT, GUANGZHOU, P.R.CHINA",
    "18 Yangguang Lu, Shiling Zhen, Huadu Qu, Guangzhou Shi, Guangdong Sheng",
    "No. 18, Yangguang Road, Shiling",
]


@pytest.mark.parametrize("raw", EN_CASES)
def test_english_addresses_meet_the_chinese_one(raw):
    zh = parse_address("广东省广州市花都区狮岭镇阳光路18号")
    en = parse_address(raw)
    assert en.script == "en"
    en_keys = (en.province_key, en.city_key, en.district_key, en.town_key)
    zh_keys = (zh.province_key, zh.city_key, zh.district_key, zh.town_key)
    assert en_keys == zh_keys
    assert (en.road_key, en.number) == (zh.road_key, zh.number) == ("yangguanglu", "18")


def test_english_address_fields():
    address = parse_address(
        "Room 301, Building A, No.18 Yangguang East Road, Shiling Town, Huadu District, "
        "Guangzhou City, Guangdong Province 510850, P.R.China"
    )
    assert (address.province, address.city, address.district, address.town) == (
        "guangdong",
        "guangzhou",
        "huadu",
        "shiling",
    )
    assert address.road == "yangguang east road"
    assert address.road_key == "yangguangdonglu"
    assert address.number == "18"
    assert address.rest == "room 301, building a"


@pytest.mark.parametrize(
    ("road", "key"),
    [
        ("No. 1, East Yangguang Road", "yangguangdonglu"),
        ("No. 1, Yangguang Road East", "yangguangdonglu"),
        ("No. 1, Xiedu Avenue", "xiedudadao"),
        ("No. 1, Renmin Street", "renminjie"),
    ],
)
def test_english_road_kinds_and_directions(road, key):
    assert parse_address(road).road_key == key


def test_gazetteer_infers_higher_levels_only_when_unambiguous():
    shiling = parse_address("狮岭镇")
    assert (shiling.province, shiling.city, shiling.district) == ("广东", "广州", "花都")
    # 朝阳区 is a district of Beijing and of Changchun: nothing above it can be inferred.
    chaoyang = parse_address("朝阳区某某路1号")
    assert (chaoyang.province, chaoyang.city, chaoyang.district) == ("", "", "朝阳")
    # The city named resolves it.
    assert parse_address("长春市朝阳区某某路1号").province == "吉林"


def test_gazetteer_covers_every_province_and_the_seed_clusters():
    gaz = gazetteer()
    provinces = [p for p in gaz.places if p.level == 1]
    assert len(provinces) == 34
    for town in ("狮岭镇", "新华街道", "炭步镇", "赤坭镇", "花东镇", "花山镇", "梯面镇"):
        assert gaz.by_written[town][0][0].parent == gaz.by_written["花都区"][0][0].index
    for town in ("辛集镇", "旧城镇", "张古庄镇", "位伯镇", "天宫营乡", "小辛庄乡"):
        assert town in gaz.by_written
    for county in ("龙港市", "宜州区", "环江毛南族自治县", "都安瑶族自治县"):
        assert county in gaz.by_written
    assert gaz.by_written["花都"][0][0].pinyin == "huadu"
    assert gaz.by_written["陕西"][0][0].pinyin == "shaanxi"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十八", 18),
        ("一百零二", 102),
        ("二十", 20),
        ("一八", 18),
        ("十", 10),
        ("零", 0),
        ("甲", None),
    ],
)
def test_chinese_number(text, value):
    assert chinese_number(text) == value


@given(st.text(max_size=60))
def test_parse_never_raises(raw):
    address = parse_address(raw)
    assert address.raw == raw
