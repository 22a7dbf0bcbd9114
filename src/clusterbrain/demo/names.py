"""Pools for fictional firm names and addresses in the real places of the four clusters.

A Chinese firm name follows the registered pattern region + 字号 (trade name) + industry words +
legal form: 广州市花都区狮岭镇恒达皮具有限公司, 辛集市华裕皮革有限公司; an individual business
ends in 厂, 商行 or 经营部. The 字号 are made from characters common in trade names, with
their pinyin written out here (no lookup at run time, so 100,000 names stay fast and
polyphones stay right).
Towns, districts and administrative division codes are real; roads, villages and numbers give
plausible but fictional street addresses.
"""

from __future__ import annotations

from dataclasses import dataclass

# Characters used in trade names (字号), with pinyin as it appears in English firm names.
ZIHAO_CHARS: dict[str, str] = {
    "恒": "heng",
    "达": "da",
    "华": "hua",
    "裕": "yu",
    "丰": "feng",
    "盛": "sheng",
    "鑫": "xin",
    "隆": "long",
    "兴": "xing",
    "昌": "chang",
    "泰": "tai",
    "顺": "shun",
    "利": "li",
    "源": "yuan",
    "宏": "hong",
    "伟": "wei",
    "荣": "rong",
    "发": "fa",
    "金": "jin",
    "宝": "bao",
    "富": "fu",
    "瑞": "rui",
    "祥": "xiang",
    "和": "he",
    "嘉": "jia",
    "美": "mei",
    "佳": "jia",
    "优": "you",
    "诚": "cheng",
    "信": "xin",
    "德": "de",
    "安": "an",
    "康": "kang",
    "宇": "yu",
    "博": "bo",
    "卓": "zhuo",
    "越": "yue",
    "新": "xin",
    "创": "chuang",
    "远": "yuan",
    "航": "hang",
    "腾": "teng",
    "飞": "fei",
    "骏": "jun",
    "豪": "hao",
    "威": "wei",
    "雅": "ya",
    "丽": "li",
    "尚": "shang",
    "品": "pin",
    "汇": "hui",
    "聚": "ju",
    "合": "he",
    "众": "zhong",
    "益": "yi",
    "通": "tong",
    "永": "yong",
    "长": "chang",
    "久": "jiu",
    "天": "tian",
    "星": "xing",
    "辉": "hui",
    "明": "ming",
    "光": "guang",
    "晨": "chen",
    "阳": "yang",
    "海": "hai",
    "江": "jiang",
    "山": "shan",
    "峰": "feng",
    "林": "lin",
    "森": "sen",
    "锦": "jin",
    "绣": "xiu",
    "彩": "cai",
    "凯": "kai",
    "冠": "guan",
    "君": "jun",
    "麒": "qi",
    "麟": "lin",
    "龙": "long",
    "凤": "feng",
    "鹏": "peng",
    "鸿": "hong",
    "运": "yun",
    "亿": "yi",
    "万": "wan",
    "千": "qian",
    "福": "fu",
    "禄": "lu",
    "喜": "xi",
    "乐": "le",
    "欣": "xin",
    "悦": "yue",
    "正": "zheng",
    "中": "zhong",
    "东": "dong",
    "南": "nan",
    "润": "run",
    "泽": "ze",
    "立": "li",
    "成": "cheng",
    "志": "zhi",
    "勤": "qin",
    "力": "li",
    "强": "qiang",
    "俊": "jun",
    "杰": "jie",
    "奥": "ao",
    "艺": "yi",
    "蓝": "lan",
    "银": "yin",
    "帝": "di",
    "派": "pai",
    "雄": "xiong",
    "英": "ying",
    "豫": "yu",
    "晟": "sheng",
    "铭": "ming",
    "展": "zhan",
    "致": "zhi",
    "臻": "zhen",
    "朗": "lang",
    "景": "jing",
    "晖": "hui",
    "耀": "yao",
    "琪": "qi",
    "璟": "jing",
    "沃": "wo",
    "誉": "yu",
}

# Surnames and given-name characters for family farms and owners (Guangxi names lean on the
# surnames of the Zhuang and Maonan peoples).
SURNAMES_GUANGXI: dict[str, str] = {
    "韦": "Wei",
    "覃": "Qin",
    "蓝": "Lan",
    "莫": "Mo",
    "黄": "Huang",
    "蒙": "Meng",
    "谭": "Tan",
    "卢": "Lu",
    "罗": "Luo",
    "梁": "Liang",
    "吴": "Wu",
    "廖": "Liao",
    "潘": "Pan",
    "陆": "Lu",
    "李": "Li",
    "刘": "Liu",
    "何": "He",
    "唐": "Tang",
    "石": "Shi",
    "欧": "Ou",
    "周": "Zhou",
    "杨": "Yang",
    "陈": "Chen",
    "银": "Yin",
}
GIVEN_NAMES: dict[str, str] = {
    "明": "Ming",
    "华": "Hua",
    "强": "Qiang",
    "军": "Jun",
    "芳": "Fang",
    "丽": "Li",
    "勇": "Yong",
    "平": "Ping",
    "刚": "Gang",
    "秀": "Xiu",
    "英": "Ying",
    "海": "Hai",
    "桂": "Gui",
    "春": "Chun",
    "兰": "Lan",
    "志": "Zhi",
    "文": "Wen",
    "建": "Jian",
    "红": "Hong",
    "玉": "Yu",
    "金": "Jin",
    "福": "Fu",
    "德": "De",
    "宁": "Ning",
    "荣": "Rong",
    "光": "Guang",
    "成": "Cheng",
    "燕": "Yan",
    "梅": "Mei",
    "珍": "Zhen",
}
# Words family farms put between the owner's name and 家庭农场 (韦明生态家庭农场); none of them
# starts with a given-name character, so every (name, word) pair spells a different name.
FARM_WORDS: dict[str, str] = {
    "生态": "Eco",
    "桑蚕": "Sericulture",
    "种养": "Crop and Livestock",
    "蚕桑": "Silk and Mulberry",
    "种植": "Planting",
    "养殖": "Breeding",
    "绿色": "Green",
    "蚕业": "Silkworm",
}


@dataclass(frozen=True)
class Place:
    """A real place: its administrative division code and centre; `spread` is the jitter (°)."""

    division: str
    zh: str
    en: str
    latitude: float
    longitude: float
    spread: float = 0.012


@dataclass(frozen=True)
class Street:
    """A locality inside a place, its roads, and how addresses there are written."""

    zh: str
    en: str
    roads: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Naming:
    """How firm names start in a place: (zh, en) prefixes for companies and for individual
    businesses, and for groups registered at province level."""

    company: tuple[tuple[str, str], ...]
    individual: tuple[tuple[str, str], ...]
    group: tuple[tuple[str, str], ...]
    cooperative: tuple[tuple[str, str], ...] = ()


# --- the four clusters -------------------------------------------------------------------

SHILING = Place(
    "440114",
    "广东省广州市花都区狮岭镇",
    "Shiling Town, Huadu District, Guangzhou, Guangdong",
    23.463,
    113.153,
    0.012,
)
XINJI = Place("130181", "河北省石家庄市辛集市", "Xinji, Shijiazhuang, Hebei", 37.943, 115.218, 0.02)
LUCHENG = Place(
    "330302", "浙江省温州市鹿城区", "Lucheng District, Wenzhou, Zhejiang", 28.008, 120.598, 0.018
)
YIZHOU = Place(
    "451203", "广西壮族自治区河池市宜州区", "Yizhou District, Hechi, Guangxi", 24.485, 108.636, 0.05
)
HUANJIANG = Place(
    "451226",
    "广西壮族自治区河池市环江毛南族自治县",
    "Huanjiang Maonan Autonomous County, Hechi, Guangxi",
    24.826,
    108.258,
    0.05,
)

STREETS: dict[str, tuple[Street, ...]] = {
    "440114": (
        Street(
            "合成村",
            "Hecheng Village",
            (("狮岭大道", "Shiling Avenue"), ("合成路", "Hecheng Road")),
        ),
        Street(
            "益群村", "Yiqun Village", (("益群路", "Yiqun Road"), ("金狮大道", "Jinshi Avenue"))
        ),
        Street("马岭村", "Maling Village", (("马岭路", "Maling Road"), ("宝峰路", "Baofeng Road"))),
        Street(
            "振兴村",
            "Zhenxing Village",
            (("振兴路", "Zhenxing Road"), ("狮岭大道", "Shiling Avenue")),
        ),
        Street(
            "旗新村", "Qixin Village", (("旗岭路", "Qiling Road"), ("芙蓉大道", "Furong Avenue"))
        ),
        Street(
            "联合村", "Lianhe Village", (("联合路", "Lianhe Road"), ("金狮大道", "Jinshi Avenue"))
        ),
        Street(
            "前进村", "Qianjin Village", (("前进路", "Qianjin Road"), ("裕丰路", "Yufeng Road"))
        ),
        Street(
            "军田村",
            "Juntian Village",
            (("军田路", "Juntian Road"), ("皮革城路", "Leather City Road")),
        ),
        Street("冯村", "Feng Village", (("冯村路", "Fengcun Road"), ("阳光路", "Yangguang Road"))),
    ),
    "130181": (
        Street(
            "辛集镇", "Xinji Town", (("兴华路", "Xinghua Road"), ("建设大街", "Jianshe Street"))
        ),
        Street("辛集镇", "Xinji Town", (("教育路", "Jiaoyu Road"), ("长安路", "Chang'an Road"))),
        Street("旧城镇", "Jiucheng Town", (("皮革路", "Pige Road"), ("胜利路", "Shengli Road"))),
        Street(
            "张古庄镇",
            "Zhangguzhuang Town",
            (("工业路", "Gongye Road"), ("富强路", "Fuqiang Road")),
        ),
        Street("位伯镇", "Weibo Town", (("位伯大街", "Weibo Street"), ("振兴路", "Zhenxing Road"))),
        Street("新垒头镇", "Xinleitou Town", (("新垒路", "Xinlei Road"), ("皮毛路", "Pimao Road"))),
        Street(
            "新城镇",
            "Xincheng Town",
            (("新城大街", "Xincheng Street"), ("朝阳路", "Chaoyang Road")),
        ),
        Street(
            "南智邱镇", "Nanzhiqiu Town", (("南智路", "Nanzhi Road"), ("光明路", "Guangming Road"))
        ),
        Street(
            "王口镇", "Wangkou Town", (("王口大街", "Wangkou Street"), ("育才路", "Yucai Road"))
        ),
    ),
    "330302": (
        Street(
            "双屿街道",
            "Shuangyu Subdistrict",
            (("鞋都大道", "Xiedu Avenue"), ("双屿大道", "Shuangyu Avenue")),
        ),
        Street(
            "双屿街道",
            "Shuangyu Subdistrict",
            (("鞋都一路", "Xiedu 1st Road"), ("鞋都二路", "Xiedu 2nd Road")),
        ),
        Street(
            "仰义街道",
            "Yangyi Subdistrict",
            (("仰义路", "Yangyi Road"), ("轻工路", "Qinggong Road")),
        ),
        Street(
            "藤桥镇",
            "Tengqiao Town",
            (("藤桥路", "Tengqiao Road"), ("工业区路", "Industrial Zone Road")),
        ),
        Street(
            "丰门街道",
            "Fengmen Subdistrict",
            (("嘉泰路", "Jiatai Road"), ("丰门路", "Fengmen Road")),
        ),
        Street(
            "南汇街道",
            "Nanhui Subdistrict",
            (("车站大道", "Chezhan Avenue"), ("南汇路", "Nanhui Road")),
        ),
        Street(
            "七都街道",
            "Qidu Subdistrict",
            (("七都大道", "Qidu Avenue"), ("樟里路", "Zhangli Road")),
        ),
        Street("山福镇", "Shanfu Town", (("山福路", "Shanfu Road"), ("驿头路", "Yitou Road"))),
    ),
    "451203": (
        Street(
            "庆远镇", "Qingyuan Town", (("城西路", "Chengxi Road"), ("龙江路", "Longjiang Road"))
        ),
        Street(
            "庆远镇", "Qingyuan Town", (("丝绸路", "Sichou Road"), ("工业大道", "Gongye Avenue"))
        ),
        Street(
            "刘三姐镇", "Liusanjie Town", (("三姐路", "Sanjie Road"), ("桑园路", "Sangyuan Road"))
        ),
        Street("洛西镇", "Luoxi Town", (("洛西街", "Luoxi Street"), ("蚕桑路", "Cansang Road"))),
        Street(
            "怀远镇", "Huaiyuan Town", (("怀远街", "Huaiyuan Street"), ("古镇路", "Guzhen Road"))
        ),
        Street("德胜镇", "Desheng Town", (("德胜街", "Desheng Street"), ("新华路", "Xinhua Road"))),
        Street("石别镇", "Shibie Town", (("石别街", "Shibie Street"), ("建设路", "Jianshe Road"))),
        Street("三岔镇", "Sancha Town", (("三岔街", "Sancha Street"), ("桑蚕路", "Sangcan Road"))),
        Street("北山镇", "Beishan Town", (("北山街", "Beishan Street"), ("民族路", "Minzu Road"))),
        Street("安马乡", "Anma Township", (("安马街", "Anma Street"), ("桑园路", "Sangyuan Road"))),
    ),
    "451226": (
        Street("思恩镇", "Si'en Town", (("城南路", "Chengnan Road"), ("毛南路", "Maonan Road"))),
        Street(
            "水源镇", "Shuiyuan Town", (("水源街", "Shuiyuan Street"), ("桑蚕路", "Sangcan Road"))
        ),
        Street(
            "洛阳镇", "Luoyang Town", (("洛阳街", "Luoyang Street"), ("茧站路", "Jianzhan Road"))
        ),
        Street(
            "川山镇", "Chuanshan Town", (("川山街", "Chuanshan Street"), ("新街", "Xin Street"))
        ),
        Street(
            "明伦镇", "Minglun Town", (("明伦街", "Minglun Street"), ("桑园路", "Sangyuan Road"))
        ),
        Street(
            "大才乡", "Dacai Township", (("大才街", "Dacai Street"), ("蚕桑路", "Cansang Road"))
        ),
    ),
}

# Market halls and parks where stalls and firms sit (zh, en), per division.
MARKETS: dict[str, tuple[str, str]] = {
    "440114": ("狮岭（国际）皮革皮具城", "Shiling International Leather Goods City"),
    "130181": ("辛集国际皮革城", "Xinji International Leather City"),
    "330302": ("中国鞋都产业园", "China Shoe Capital Industrial Park"),
    "451203": ("河池高新区宜州园区", "Yizhou Park of Hechi Hi-tech Zone"),
    "451226": ("环江工业园区", "Huanjiang Industrial Park"),
}

NAMING: dict[str, Naming] = {
    "440114": Naming(
        company=(
            ("广州市花都区狮岭镇", "Guangzhou Huadu Shiling"),
            ("广州", "Guangzhou"),
            ("广州市", "Guangzhou"),
            ("广州市花都区", "Guangzhou Huadu"),
        ),
        individual=(
            ("广州市花都区狮岭", "Guangzhou Huadu Shiling"),
            ("广州市花都区狮岭镇", "Guangzhou Huadu Shiling"),
        ),
        group=(("广东", "Guangdong"), ("广州", "Guangzhou")),
    ),
    "130181": Naming(
        company=(("辛集市", "Xinji"), ("河北", "Hebei"), ("辛集", "Xinji")),
        individual=(("辛集市", "Xinji"),),
        group=(("河北", "Hebei"),),
    ),
    "330302": Naming(
        company=(("温州市鹿城区", "Wenzhou Lucheng"), ("温州", "Wenzhou"), ("温州市", "Wenzhou")),
        individual=(("温州市鹿城区", "Wenzhou Lucheng"), ("鹿城区", "Lucheng")),
        group=(("浙江", "Zhejiang"), ("温州", "Wenzhou")),
    ),
    "451203": Naming(
        company=(("河池市宜州区", "Hechi Yizhou"), ("宜州", "Yizhou"), ("河池", "Hechi")),
        individual=(("河池市宜州区", "Hechi Yizhou"), ("宜州区", "Yizhou")),
        group=(("广西", "Guangxi"),),
        cooperative=(("河池市宜州区", "Hechi Yizhou"), ("宜州区", "Yizhou")),
    ),
    "451226": Naming(
        company=(("环江毛南族自治县", "Huanjiang"), ("环江", "Huanjiang")),
        individual=(("环江毛南族自治县", "Huanjiang"),),
        group=(("广西", "Guangxi"),),
        cooperative=(("环江毛南族自治县", "Huanjiang"), ("环江县", "Huanjiang")),
    ),
}

# Places outside the clusters: suppliers and production bases (real divisions and centres).
OUTSIDE: dict[str, Place] = {
    "bishan": Place("500120", "重庆市璧山区", "Bishan District, Chongqing", 29.592, 106.227),
    "nanchang": Place(
        "360121", "江西省南昌市南昌县", "Nanchang County, Nanchang, Jiangxi", 28.545, 115.944
    ),
    "yongqiao": Place(
        "341302", "安徽省宿州市埇桥区", "Yongqiao District, Suzhou, Anhui", 33.640, 116.977
    ),
    "xuanzhou": Place(
        "341802", "安徽省宣城市宣州区", "Xuanzhou District, Xuancheng, Anhui", 30.946, 118.756
    ),
    "wuhou": Place(
        "510107", "四川省成都市武侯区", "Wuhou District, Chengdu, Sichuan", 30.642, 104.043
    ),
    "jinjiang": Place(
        "350582", "福建省泉州市晋江市", "Jinjiang, Quanzhou, Fujian", 24.781, 118.552
    ),
    "dongguan": Place("441900", "广东省东莞市", "Dongguan, Guangdong", 23.021, 113.752),
    "nanhai": Place(
        "440605", "广东省佛山市南海区", "Nanhai District, Foshan, Guangdong", 23.029, 113.143
    ),
    "ruian": Place("330381", "浙江省温州市瑞安市", "Rui'an, Wenzhou, Zhejiang", 27.778, 120.655),
    "wenling": Place("331081", "浙江省台州市温岭市", "Wenling, Taizhou, Zhejiang", 28.372, 121.386),
    "longwan": Place(
        "330303", "浙江省温州市龙湾区", "Longwan District, Wenzhou, Zhejiang", 27.933, 120.811
    ),
    "haining": Place("330481", "浙江省嘉兴市海宁市", "Haining, Jiaxing, Zhejiang", 30.509, 120.681),
    "kunshan": Place("320583", "江苏省苏州市昆山市", "Kunshan, Suzhou, Jiangsu", 31.385, 120.981),
    "lixian": Place("130635", "河北省保定市蠡县", "Li County, Baoding, Hebei", 38.488, 115.583),
    "jingyang": Place(
        "510603", "四川省德阳市旌阳区", "Jingyang District, Deyang, Sichuan", 31.142, 104.393
    ),
    "xilinhot": Place(
        "152502",
        "内蒙古自治区锡林郭勒盟锡林浩特市",
        "Xilinhot, Xilingol League, Inner Mongolia",
        43.933,
        116.086,
    ),
    "liujiang": Place(
        "450206",
        "广西壮族自治区柳州市柳江区",
        "Liujiang District, Liuzhou, Guangxi",
        24.255,
        109.327,
    ),
    "xiangzhou": Place(
        "451322", "广西壮族自治区来宾市象州县", "Xiangzhou County, Laibin, Guangxi", 23.973, 109.705
    ),
    "wuxing": Place(
        "330502", "浙江省湖州市吴兴区", "Wuxing District, Huzhou, Zhejiang", 30.857, 120.185
    ),
    "wujiang": Place(
        "320509", "江苏省苏州市吴江区", "Wujiang District, Suzhou, Jiangsu", 30.905, 120.645
    ),
    "xixiangtang": Place(
        "450107",
        "广西壮族自治区南宁市西乡塘区",
        "Xixiangtang District, Nanning, Guangxi",
        22.833,
        108.313,
    ),
}

OUTSIDE_NAMING: dict[str, tuple[str, str]] = {
    "bishan": ("重庆", "Chongqing"),
    "nanchang": ("南昌", "Nanchang"),
    "yongqiao": ("宿州", "Suzhou"),
    "xuanzhou": ("宣城", "Xuancheng"),
    "wuhou": ("成都", "Chengdu"),
    "jinjiang": ("晋江", "Jinjiang"),
    "dongguan": ("东莞", "Dongguan"),
    "nanhai": ("佛山市南海区", "Foshan Nanhai"),
    "ruian": ("瑞安市", "Rui'an"),
    "wenling": ("温岭市", "Wenling"),
    "longwan": ("温州", "Wenzhou"),
    "haining": ("海宁", "Haining"),
    "kunshan": ("昆山", "Kunshan"),
    "lixian": ("蠡县", "Lixian"),
    "jingyang": ("德阳", "Deyang"),
    "xilinhot": ("锡林浩特市", "Xilinhot"),
    "liujiang": ("柳州", "Liuzhou"),
    "xiangzhou": ("象州县", "Xiangzhou"),
    "wuxing": ("湖州", "Huzhou"),
    "wujiang": ("苏州市吴江区", "Suzhou Wujiang"),
    "xixiangtang": ("南宁", "Nanning"),
}

OUTSIDE_ROADS: tuple[tuple[str, str], ...] = (
    ("工业大道", "Gongye Avenue"),
    ("创业路", "Chuangye Road"),
    ("经济开发区纬二路", "Wei'er Road, Economic Development Zone"),
    ("高新路", "Gaoxin Road"),
    ("园区大道", "Yuanqu Avenue"),
    ("兴业路", "Xingye Road"),
)
