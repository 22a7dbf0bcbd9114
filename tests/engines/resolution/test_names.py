"""Company-name normalisation against variants written from the clusters' real naming patterns.

The pairs are what the registry's lists look like: the same firm with and without its region,
with 厂 or 有限公司, in traditional characters, in English and in pinyin; and look-alike firms
in the same town that must stay apart (another trade name, another industry, a branch).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterbrain.engines.resolution.names import CompanyName, parse_company_name

SAME_FIRM = [
    # Shiling (Huadu, Guangzhou): leather goods
    ("广州市花都区狮岭镇某某皮具厂", "某某皮具有限公司"),
    ("广州市花都区狮岭镇鸿达皮具厂", "广州鸿达皮具有限公司"),
    ("广州花都狮岭鸿达皮具制品有限公司", "广州市花都区鸿达皮具有限公司"),
    ("鸿达皮具有限公司", "鸿達皮具有限公司"),
    ("广州市花都区狮岭镇鸿达皮具有限公司", "廣州市花都區獅嶺鎮鴻達皮具有限公司"),
    ("鸿达（广州）皮具有限公司", "广州鸿达皮具有限公司"),
    ("广州鸿达皮具有限公司", "Guangzhou Hongda Leather Products Co., Ltd."),
    ("鸿达皮具有限公司", "HONGDA LEATHER GOODS CO LTD"),
    ("广州鸿达皮具有限公司", "Guangzhou Hongda Piju Youxian Gongsi"),
    ("广州市花都区狮岭镇鸿达箱包厂", "鸿达箱包有限公司"),
    ("狮岭镇宏源皮具店", "宏源皮具店（个体工商户）"),
    ("花都区狮岭宏源皮具经营部", "广州市花都区狮岭镇宏源皮具经营部"),
    ("宏源皮具有限公司", "宏源皮具有限責任公司"),
    ("广州市花都区狮岭镇宏源皮具有限公司", "广州市花都区狮岭镇宏源皮具制品有限公司"),
    ("宏源皮具有限公司", "宏源 皮具 有限公司"),
    ("广州市花都区狮岭镇嘉美皮具有限公司", "嘉美皮具（广州）有限公司"),
    ("狮岭嘉美手袋厂", "广州嘉美手袋有限公司"),
    ("个体工商户 狮岭镇佳利皮具店", "佳利皮具店"),
    (
        "ＧＵＡＮＧＺＨＯＵ　ＨＯＮＧＤＡ　ＬＥＡＴＨＥＲ　ＧＯＯＤＳ　ＣＯ．，ＬＴＤ．",
        "广州鸿达皮具有限公司",
    ),
    ("Hongda Leather Goods (Guangzhou) Co., Ltd.", "鸿达皮具（广州）有限公司"),
    # Xinji (Shijiazhuang, Hebei): leather and fur
    ("辛集市鑫源皮革有限公司", "河北省辛集市鑫源皮革有限公司"),
    ("辛集市鑫源制革厂", "辛集鑫源皮革有限公司"),
    ("辛集市恒达毛皮制品有限公司", "Xinji Hengda Fur Products Co., Ltd."),
    ("辛集市恒达毛皮制品有限公司", "辛集市恒达裘皮制品有限公司"),
    ("河北辛集鑫源皮革有限公司", "Xinji Xinyuan Leather Co., Ltd."),
    ("辛集市旧城镇鑫源皮革厂", "辛集市鑫源皮革厂"),
    ("石家庄辛集市鑫源皮革有限公司", "辛集市鑫源皮革有限公司"),
    ("辛集市鑫源皮业有限公司", "辛集市鑫源皮革有限公司"),
    ("辛集市鑫源皮革有限公司", "Xinji Xinyuan Pige Youxian Gongsi"),
    ("辛集市鑫源皮革有限公司", "XINJI XINYUAN TANNERY"),
    # Wenzhou (Zhejiang): footwear and shoe materials
    ("温州市鹿城区宏达鞋业有限公司", "温州宏达鞋业有限公司"),
    ("温州宏达鞋业有限公司", "Wenzhou Hongda Shoes Co., Ltd."),
    ("温州宏达鞋业有限公司", "WENZHOU HONGDA FOOTWEAR CO.,LTD"),
    ("温州市瓯海区仙岩街道富利鞋材厂", "温州富利鞋材有限公司"),
    ("温州富利鞋材有限公司", "Wenzhou Fuli Shoe Materials Co., Ltd."),
    ("温州市鹿城区双屿街道宏达鞋厂", "宏达鞋业有限公司"),
    ("瑞安市宏达鞋业有限公司", "浙江省瑞安市宏达鞋业有限公司"),
    ("温州宏达鞋业股份有限公司", "温州宏达鞋业有限公司"),
    ("永嘉县富利鞋材厂(个体工商户)", "富利鞋材厂"),
    ("温州宏达鞋业有限公司", "Wenzhou Hongda Xieye Co., Ltd."),
    ("浙江温州宏达鞋业有限公司", "Hongda Shoes Co.,Limited (Wenzhou)"),
    # Yizhou (Hechi, Guangxi): cocoons and silk
    ("宜州市嘉联茧丝绸有限公司", "河池市宜州区嘉联茧丝绸有限公司"),
    ("广西宜州嘉联丝绸有限公司", "宜州嘉联茧丝绸有限公司"),
    ("宜州区庆远镇嘉联缫丝厂", "嘉联缫丝厂"),
    ("广西宜州嘉联茧丝绸有限公司", "Guangxi Yizhou Jialian Silk Co., Ltd."),
    ("河池市宜州区刘三姐镇瑞丰蚕丝厂", "宜州瑞丰蚕丝有限公司"),
    ("广西河池嘉联丝绸有限公司", "Hechi Jialian Silk Co., Ltd."),
    ("宜州嘉联茧丝绸有限公司", "Yizhou Jialian Cocoon Silk Co., Ltd."),
    # The same branch written two ways
    ("鸿达皮具有限公司花都分公司", "鸿达皮具有限公司（花都分公司）"),
    ("鸿达皮具有限公司花都分公司", "Hongda Leather Goods Co., Ltd. Huadu Branch"),
]

DIFFERENT_FIRMS = [
    # Homophone trade names: the pinyin key meets, the characters tell them apart
    ("广州鸿达皮具有限公司", "广州鸿大皮具有限公司"),
    ("狮岭宏华皮具厂", "狮岭宏桦皮具厂"),
    ("广州盛丰皮具有限公司", "广州盛峰皮具有限公司"),
    ("广州宏源皮具有限公司", "广州宏远皮具有限公司"),
    ("狮岭金龙皮具厂", "狮岭金隆皮具厂"),
    ("辛集市鑫源皮革有限公司", "辛集市鑫园皮革有限公司"),
    ("温州富利鞋材有限公司", "温州富力鞋材有限公司"),
    ("宜州嘉联茧丝绸有限公司", "宜州佳联茧丝绸有限公司"),
    ("广州市花都区狮岭镇三和皮具厂", "广州市花都区狮岭镇三合皮具厂"),
    # Another trade name
    ("温州宏达鞋业有限公司", "温州宏泰鞋业有限公司"),
    ("狮岭金龙皮具厂", "狮岭金凤皮具厂"),
    ("Wenzhou Hongda Shoes Co., Ltd.", "Wenzhou Hongtai Shoes Co., Ltd."),
    ("辛集市鑫源皮革有限公司", "辛集市鑫达皮革有限公司"),
    # The same trade name in another industry
    ("鸿达皮具有限公司", "鸿达鞋材有限公司"),
    ("鸿达皮具有限公司", "鸿达鞋业有限公司"),
    ("鸿达皮具有限公司", "鸿达皮革有限公司"),
    ("辛集市鑫源皮革有限公司", "辛集市鑫源毛皮制品有限公司"),
    ("温州宏达鞋业有限公司", "温州宏达鞋材有限公司"),
    ("宜州嘉联茧丝绸有限公司", "宜州嘉联服装有限公司"),
    ("鸿达皮具有限公司", "鸿达五金有限公司"),
    ("宜州嘉联缫丝厂", "宜州嘉联纺织厂"),
    ("Guangzhou Hongda Leather Goods Co., Ltd.", "Guangzhou Hongda Shoes Co., Ltd."),
    # A branch is not its head office, nor another branch
    ("鸿达皮具有限公司花都分公司", "鸿达皮具有限公司"),
    ("鸿达鞋业有限公司第一分厂", "鸿达鞋业有限公司第二分厂"),
    ("宏源皮具有限公司", "宏源皮具有限公司白云分公司"),
    ("Hongda Leather Goods Co., Ltd. Huadu Branch", "Hongda Leather Goods Co., Ltd."),
]


def _compatible_regions(a: CompanyName, b: CompanyName) -> bool:
    """Equal, or one names a place the other's gazetteer path contains ("广州" ⊂ 广州花都狮岭)."""
    if a.region_pinyin == b.region_pinyin:
        return True
    pa, pb = a.region_path.split("/"), b.region_path.split("/")
    shorter, longer = (pa, pb) if len(pa) <= len(pb) else (pb, pa)
    return bool(a.region_path and b.region_path) and longer[: len(shorter)] == shorter


def test_enough_hand_written_pairs():
    assert len(SAME_FIRM) + len(DIFFERENT_FIRMS) >= 60


@pytest.mark.parametrize(("left", "right"), SAME_FIRM)
def test_variants_of_one_firm_share_the_key(left, right):
    a, b = parse_company_name(left), parse_company_name(right)
    assert a.key == b.key, (a, b)
    assert a.branch_key == b.branch_key
    if a.region_pinyin and b.region_pinyin:
        assert _compatible_regions(a, b), (a.region_path, b.region_path)


@pytest.mark.parametrize(("left", "right"), DIFFERENT_FIRMS)
def test_look_alike_firms_stay_apart(left, right):
    a, b = parse_company_name(left), parse_company_name(right)
    same_characters = a.script != "zh" or b.script != "zh" or a.core == b.core
    assert a.key != b.key or a.branch_key != b.branch_key or not same_characters, (a, b)


def test_factory_and_limited_company_share_the_key_not_the_form():
    factory = parse_company_name("某某皮具厂")
    company = parse_company_name("某某皮具有限公司")
    assert factory.key == company.key == "moumou|leather_goods"
    assert (factory.legal_form, company.legal_form) == ("factory", "ltd")


def test_bare_english_leather_is_ambiguous_and_meets_on_the_family_key():
    """English "Leather" is used for 皮具 and 皮革 alike; only the coarser key can join them."""
    zh = parse_company_name("广州市花都区狮岭镇某某皮具厂")
    en = parse_company_name("Guangzhou Moumou Leather Co., Ltd.")
    assert (zh.industry, en.industry) == ("leather_goods", "leather")
    assert zh.loose_key == en.loose_key == "moumou|leather"
    assert zh.core_pinyin == en.core_pinyin == "moumou"
    assert en.region_pinyin == "guangzhou"


def test_cross_script_pair_agrees_on_core_and_region():
    zh = parse_company_name("广州花都鸿达皮具有限公司")
    en = parse_company_name("Guangzhou Huadu Hongda Leather Products Co., Ltd.")
    assert zh.core_pinyin == en.core_pinyin == "hongda"
    assert zh.region_pinyin == en.region_pinyin == "guangzhouhuadu"


# --- every field ------------------------------------------------------------------------------


def test_full_chinese_name_fields():
    name = parse_company_name("广东省广州市花都区狮岭镇某某皮具制品有限公司")
    assert name.raw == "广东省广州市花都区狮岭镇某某皮具制品有限公司"
    assert name.folded == name.raw
    assert name.script == "zh"
    assert name.region == "广东广州花都狮岭"
    assert name.region_pinyin == "guangdongguangzhouhuadushiling"
    assert name.region_path == "guangdong/guangzhou/huadu/shiling"
    assert name.core == "某某"
    assert name.core_pinyin == "moumou"
    assert name.industry == "leather_goods"
    assert name.industry_family == "leather"
    assert name.industry_text == "皮具制品"
    assert name.legal_form == "ltd"
    assert name.branch == name.branch_key == ""
    assert name.key == "moumou|leather_goods"
    assert name.loose_key == "moumou|leather"


@pytest.mark.parametrize(
    ("raw", "region", "region_pinyin"),
    [
        (
            "广东省广州市花都区狮岭镇某某皮具厂",
            "广东广州花都狮岭",
            "guangdongguangzhouhuadushiling",
        ),
        ("广州市花都区某某皮具厂", "广州花都", "guangzhouhuadu"),
        ("花都区狮岭某某皮具厂", "花都狮岭", "huadushiling"),
        ("狮岭某某皮具厂", "狮岭", "shiling"),
        ("广州花都狮岭某某皮具厂", "广州花都狮岭", "guangzhouhuadushiling"),
        ("辛集某某皮革厂", "辛集", "xinji"),
        ("某某(广州)皮具有限公司", "广州", "guangzhou"),
        ("某某（中国）有限公司", "中国", "zhongguo"),
        ("温州市瓯海区仙岩街道某某鞋材厂", "温州瓯海仙岩", "wenzhououhaixianyan"),
        ("环江毛南族自治县某某丝绸厂", "环江", "huanjiang"),
        ("东莞市厚街镇某某鞋业有限公司", "东莞厚街", "dongguanhoujie"),
        ("某某皮具有限公司", "", ""),
        ("新华皮具有限公司", "", ""),  # 新华 is also a subdistrict of Huadu, but here the name
        ("中山皮具有限公司", "", ""),
        ("广州长城皮具有限公司", "广州", "guangzhou"),  # 长城区 lies in Gansu, not in Guangzhou
        ("Guangzhou Huadu Moumou Leather Goods Co., Ltd.", "guangzhou huadu", "guangzhouhuadu"),
        ("Moumou Leather Co.,Limited (Guangzhou)", "guangzhou", "guangzhou"),
        ("Moumou (China) Co., Ltd.", "china", "zhongguo"),
    ],
)
def test_region(raw, region, region_pinyin):
    name = parse_company_name(raw)
    assert (name.region, name.region_pinyin) == (region, region_pinyin)


@pytest.mark.parametrize(
    ("raw", "region_path"),
    [
        ("狮岭某某皮具厂", "guangdong/guangzhou/huadu/shiling"),
        ("辛集某某皮革厂", "hebei/shijiazhuang/xinji"),
        ("北京市朝阳区某某服装有限公司", "beijing/beijing/chaoyang"),
        ("河南济源某某皮革厂", "henan//jiyuan"),  # a county-level city under the province
        ("某某县某某镇某某皮具厂", "//moumou/moumou"),  # known by its suffixes only
        ("Shiling Moumou Leather Goods Factory", "guangdong/guangzhou/huadu/shiling"),
        ("某某皮具有限公司", ""),
    ],
)
def test_region_path_is_positional(raw, region_path):
    assert parse_company_name(raw).region_path == region_path


@pytest.mark.parametrize(
    ("raw", "core", "core_pinyin"),
    [
        ("某某皮具有限公司", "某某", "moumou"),
        ("某某有限公司", "某某", "moumou"),
        ("新华皮具有限公司", "新华", "xinhua"),
        ("金鞋业有限公司", "金", "jin"),
        ("广州长城皮具有限公司", "长城", "changcheng"),
        ("重庆某某皮具有限公司", "某某", "moumou"),
        ("厦门长乐鞋业有限公司", "长乐", "changle"),
        ("某某市政工程有限公司", "某某市政", "moumoushizheng"),
        ("MOUMOU LEATHER GOODS CO LTD", "moumou", "moumou"),
        ("Golden Leaf Leather Goods Co., Ltd.", "golden leaf", "goldenleaf"),
        ("Guangzhou Mou Mou Piju Youxian Gongsi", "mou mou", "moumou"),
    ],
)
def test_core(raw, core, core_pinyin):
    name = parse_company_name(raw)
    assert (name.core, name.core_pinyin) == (core, core_pinyin)


@pytest.mark.parametrize(
    ("raw", "industry", "industry_text"),
    [
        ("某某皮具有限公司", "leather_goods", "皮具"),
        ("某某箱包皮具有限公司", "leather_goods", "箱包皮具"),
        ("某某皮革有限公司", "leather", "皮革"),
        ("某某制革厂", "leather", "制革"),
        ("某某毛皮制品有限公司", "fur", "毛皮制品"),
        ("某某鞋业有限公司", "footwear", "鞋业"),
        ("某某鞋厂", "footwear", "鞋"),
        ("某某鞋材有限公司", "shoe_materials", "鞋材"),
        ("某某茧丝绸有限公司", "silk", "茧丝绸"),
        ("某某缫丝厂", "silk", "缫丝"),
        ("某某丝绸有限公司", "silk", "丝绸"),
        ("某某服装有限公司", "garment", "服装"),
        ("某某纺织有限公司", "textile", "纺织"),
        ("某某五金制品有限公司", "hardware", "五金制品"),
        ("某某贸易有限公司", "trading", "贸易"),
        ("某某皮具贸易有限公司", "leather_goods", "皮具贸易"),
        ("某某实业有限公司", "", "实业"),
        ("某某科技有限公司", "", "科技"),
        ("某某皮具科技有限公司", "leather_goods", "皮具科技"),
        ("某某皮革皮具制品有限公司", "leather", "皮革皮具制品"),
        ("某某有限公司", "", ""),
        ("Moumou Leather Products Co., Ltd.", "leather_goods", "leather products"),
        ("Moumou Shoe Materials Co., Ltd.", "shoe_materials", "shoe materials"),
        ("Moumou Import & Export Co., Ltd.", "trading", "import and export"),
        ("Moumou Xiecai Youxian Gongsi", "shoe_materials", "xiecai"),
        # Trades of the four clusters beyond making goods: testing, markets, finance, research.
        ("某某鞋类检测技术有限公司", "testing", "鞋类检测技术"),
        ("Moumou Footwear Testing Technology Ltd.", "testing", "footwear testing technology"),
        ("某某皮具城市场管理有限公司", "market", "皮具城市场管理"),
        ("某某融资担保有限公司", "finance", "融资担保"),
        ("某某毛领加工有限公司", "fur", "毛领加工"),
        ("Moumou Fur Collar Processing Co., Ltd.", "fur", "fur collar processing"),
        ("某某皮衣有限公司", "leather_garment", "皮衣"),
        ("某某蚕种有限公司", "silk", "蚕种"),
        ("Moumou Silkworm Eggs Co., Ltd.", "silk", "silkworm eggs"),
        ("某某胶粘剂有限公司", "adhesives", "胶粘剂"),
        ("某某网络科技有限公司", "internet", "网络科技"),
        # Misspelt trade words are read as the word meant: two characters swapped, one left out.
        ("某某具皮有限公司", "leather_goods", "皮具"),
        ("某某皮革化有限公司", "leather", "皮革化工"),
        ("某某电商子务有限公司", "trading", "电子商务"),
        ("润晟枝食用菌专业合作社", "agriculture", "桑枝食用菌"),
        # A hyphenated word names no branch: "Mulberry-branch".
        (
            "Moumou Mulberry-branch Mushroom Farmers Cooperative",
            "agriculture",
            "mulberrybranch mushroom",
        ),
    ],
)
def test_industry(raw, industry, industry_text):
    name = parse_company_name(raw)
    assert (name.industry, name.industry_text) == (industry, industry_text)


@pytest.mark.parametrize(
    ("raw", "legal_form"),
    [
        ("某某皮具有限公司", "ltd"),
        ("某某皮具有限责任公司", "ltd"),
        ("某某皮具股份有限公司", "joint_stock"),
        ("某某皮具厂", "factory"),
        ("某某皮具加工厂", "factory"),
        ("某某皮具工厂", "factory"),
        ("某某皮具商行", "trading"),
        ("某某皮革行", "trading"),
        ("某某贸易行", "trading"),
        ("某某皮具经营部", "business_dept"),
        ("某某皮具门市部", "business_dept"),
        ("某某皮具店", "shop"),
        ("个体工商户 某某", "individual"),
        ("某某鞋厂(个体工商户)", "individual"),
        ("某某鞋厂（个体户）", "individual"),
        ("某某投资合伙企业(有限合伙)", "partnership"),
        ("某某蚕桑专业合作社", "coop"),
        ("某某集团", "group"),
        ("某某集团有限公司", "ltd"),
        ("某某银行", ""),
        ("某某", ""),
        ("Moumou Leather Co., Ltd.", "ltd"),
        ("Moumou Leather Company Limited", "ltd"),
        ("Moumou Leather LLC", "ltd"),
        ("Moumou Leather Co.,Limited", "ltd"),
        ("Moumou Leather Joint Stock Co., Ltd.", "joint_stock"),
        ("Moumou Leather Inc.", "joint_stock"),
        ("Moumou Leather Corporation", "joint_stock"),
        ("Moumou Leather Factory", "factory"),
        ("Moumou Leather Works", "factory"),
        ("Moumou Trading Firm", "trading"),
        ("Moumou Group", "group"),
        ("Moumou Piju Youxian Gongsi", "ltd"),
        ("Moumou Piju Gufen Youxian Gongsi", "joint_stock"),
    ],
)
def test_legal_form(raw, legal_form):
    assert parse_company_name(raw).legal_form == legal_form


@pytest.mark.parametrize(
    ("raw", "branch", "branch_key"),
    [
        ("某某皮具有限公司花都分公司", "花都", "huadu"),
        ("某某皮具有限公司花都区分公司", "花都", "huadu"),
        ("某某鞋业有限公司第二分厂", "第二", "2"),
        ("某某皮具有限公司(白云分公司)", "白云", "baiyun"),
        ("某某皮具有限公司分公司", "分公司", "fengongsi"),
        ("某某皮具有限公司", "", ""),
        ("Moumou Leather Co., Ltd. Huadu Branch", "huadu", "huadu"),
        ("Huadu Branch of Moumou Leather Co., Ltd.", "huadu", "huadu"),
        ("Moumou Leather Co., Ltd. (Baiyun Branch)", "baiyun", "baiyun"),
    ],
)
def test_branch(raw, branch, branch_key):
    name = parse_company_name(raw)
    assert (name.branch, name.branch_key) == (branch, branch_key)


@pytest.mark.parametrize(
    ("raw", "script"),
    [
        ("某某皮具有限公司", "zh"),
        ("Moumou Leather Co., Ltd.", "en"),
        ("Moumou Piju Youxian Gongsi", "en"),
        ("广州Moumou皮具有限公司", "zh"),
    ],
)
def test_script(raw, script):
    assert parse_company_name(raw).script == script


def test_empty_and_punctuation_only_names_parse_to_empty_parts():
    for raw in ("", "   ", "（）", "---", "有限公司"):
        name = parse_company_name(raw)
        assert name.key.endswith("|") or "|" in name.key


@given(st.text(max_size=60))
def test_parse_never_raises(raw):
    name = parse_company_name(raw)
    assert name.key == f"{name.core_pinyin}|{name.industry}"


@given(
    st.text(
        alphabet=st.sampled_from(
            list("广州花都狮岭辛集温州宜州某鸿达皮具鞋业有限公司厂(（)）分 co.,ltd")
        ),
        max_size=30,
    )
)
def test_parse_never_raises_on_name_like_text(raw):
    parse_company_name(raw)


@pytest.mark.parametrize(
    ("raw", "core"),
    [
        ("润晟枝食用菌专业合作社", "润晟"),
        ("金五五金厂", "金五"),
        ("某某具皮有限公司", "某某"),
        ("Moumou Mulberry-branch Mushroom Farmers Cooperative", "moumou"),
    ],
)
def test_misspelt_trade_words_leave_the_trade_name_whole(raw, core):
    name = parse_company_name(raw)
    assert name.core == core
    assert name.branch == ""
