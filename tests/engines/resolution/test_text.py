"""Folding, traditional-to-simplified, pinyin keys and person keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterbrain.engines.resolution.text import fold, person_key, pinyin_key, to_simplified


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("某某皮具有限公司", "某某皮具有限公司"),
        ("  某某  皮具 有限公司 ", "某某皮具有限公司"),
        ("某某（广州）皮具有限公司", "某某(广州)皮具有限公司"),
        ("某某【广州】皮具〔有限〕公司", "某某(广州)皮具(有限)公司"),
        ("某某[广州]皮具{有限}「公司」", "某某(广州)皮具(有限)(公司)"),
        ("某某 ( 广州 ) 皮具", "某某(广州)皮具"),
        ("Ｍｏｕｍｏｕ　Ｌｅａｔｈｅｒ　Ｃｏ．，Ｌｔｄ．", "moumou leather co.,ltd."),
        ("MOUMOU  Leather\tCo., Ltd.", "moumou leather co., ltd."),
        ("阳光路①号", "阳光路1号"),
        ("１８—２０号", "18-20号"),
        ("18–20号", "18-20号"),
        ("阿卜杜・热合曼", "阿卜杜·热合曼"),
        ("“某某”皮具", '"某某"皮具'),
        ("廣州市花都區獅嶺鎮", "广州市花都区狮岭镇"),
        ("某某\u200b皮具", "某某皮具"),
        ("", ""),
    ],
)
def test_fold(raw, folded):
    assert fold(raw) == folded


@given(st.text(max_size=80))
def test_fold_is_idempotent(raw):
    once = fold(raw)
    assert fold(once) == once


@given(st.text(alphabet=st.characters(min_codepoint=0x2E80, max_codepoint=0xFFEF), max_size=40))
def test_fold_is_idempotent_on_cjk_and_full_width_text(raw):
    once = fold(raw)
    assert fold(once) == once


@pytest.mark.parametrize(
    ("raw", "simplified"),
    [
        ("廣州市花都區獅嶺鎮某某皮具有限公司", "广州市花都区狮岭镇某某皮具有限公司"),
        ("鴻達鞋業", "鸿达鞋业"),
        ("繭絲綢", "茧丝绸"),
        ("某某皮具有限公司", "某某皮具有限公司"),
        ("Moumou", "Moumou"),
    ],
)
def test_to_simplified(raw, simplified):
    assert to_simplified(raw) == simplified


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("某某皮具", "moumoupiju"),
        ("Moumou Piju", "moumoupiju"),
        ("某某 3D 皮具", "moumou3dpiju"),
        ("重庆", "chongqing"),
        ("长沙", "changsha"),
        ("厦门", "xiamen"),
        ("花都", "huadu"),
        ("狮岭", "shiling"),
        ("辛集", "xinji"),
        ("乐清", "yueqing"),
        ("缫丝", "saosi"),
        ("某某商行", "moumoushanghang"),
        ("某某皮革行", "moumoupigehang"),
        ("银行", "yinhang"),
        ("廣州", "guangzhou"),
        ("绿叶", "lvye"),
        ("（某某）!", "moumou"),
        ("", ""),
    ],
)
def test_pinyin_key(raw, key):
    assert pinyin_key(raw) == key


@pytest.mark.parametrize(
    "variants",
    [
        ("张伟", "Zhang Wei", "Wei ZHANG", "ZHANG, Wei", "ZHANG WEI", "zhang wei"),
        (
            "张晓伟",
            "Zhang Xiaowei",
            "Xiaowei Zhang",
            "Zhang Xiao Wei",
            "ZHANG Xiao-Wei",
            "Xiao Wei ZHANG",
        ),
        ("欧阳娜娜", "Ouyang Nana", "Nana OUYANG"),
        ("单雄", "Shan Xiong"),
        ("曾志伟", "Zeng Zhiwei"),
        ("吕伟", "Lyu Wei", "Lü Wei", "Lv Wei"),
        ("張偉", "张伟"),
    ],
)
def test_person_key_agrees_across_spellings(variants):
    keys = {person_key(v) for v in variants}
    assert len(keys) == 1, keys


def test_person_key_tells_people_apart():
    assert person_key("张伟") != person_key("张炜") or person_key("张伟") == "weizhang"
    assert person_key("张伟") != person_key("王伟")
    assert person_key("Zhang Wei") != person_key("Zhang Wen")


@given(st.text(max_size=30))
def test_person_key_never_raises(raw):
    assert isinstance(person_key(raw), str)
