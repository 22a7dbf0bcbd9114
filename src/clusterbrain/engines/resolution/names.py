"""Company names split into region, trade name (字号), industry words, legal form and branch.

Chinese enterprise names follow a fixed pattern (行政区划 + 字号 + 行业 + 组织形式, with the
region sometimes in brackets after the trade name), and every list writes it a little
differently: with or without the region, with 有限公司 or 厂, in English or in pinyin. Two
spellings of one firm agree on the trade name's pinyin and on the industry, which is what `key`
holds; everything else is kept so the linker can weigh it (decision 0004).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .addresses import (
    CITY,
    RegionMatch,
    gazetteer,
    infer_levels,
    place_by_pinyin,
    read_region,
)
from .text import fold, folded_pinyin_key, han_pinyin, has_han

__all__ = ["CompanyName", "industry_family", "parse_company_name"]


@dataclass(frozen=True, slots=True)
class CompanyName:
    raw: str
    folded: str  # fold(raw)
    script: str  # "zh" | "en" (pinyin romanisations count as "en")
    region: str  # admin words as written, suffixes stripped: "广州花都狮岭"; en "guangzhou huadu"
    region_pinyin: str  # "guangzhouhuadushiling"
    core: str  # 字号: "某某"; en: lower-case words joined by one space
    core_pinyin: str  # "moumou"
    industry: str  # canonical industry code: "leather_goods", "footwear", … or ""
    industry_text: str  # the industry words as written
    legal_form: str  # "ltd", "joint_stock", "factory", "trading", … or ""
    branch: str  # "花都" for 花都分公司, "第二" for 第二分厂; "" for a main firm
    key: str  # f"{core_pinyin}|{industry}"
    # Additions beyond the agreed interface:
    branch_key: str = ""  # branch comparable across scripts: "huadu", "2"
    industry_family: str = ""  # coarser than industry: 皮具/皮革/毛皮 are all "leather"
    loose_key: str = ""  # f"{core_pinyin}|{industry_family}"
    # province/city/district/town readings, gazetteer-inferred levels included, empty where
    # unknown: "guangdong/guangzhou/huadu/shiling", "henan//jiyuan", "//moumou"
    region_path: str = ""


# --- vocabularies -------------------------------------------------------------------------------

# Industry words of our clusters' names. "" marks words every industry uses (实业, 科技, 制品):
# they stay in industry_text but do not set the code, so 某某皮具 and 某某皮具制品 agree.
_ZH_INDUSTRY: dict[str, str] = {}
for _code, _words in {
    "leather_goods": "皮具 皮具制品 箱包 皮包 手袋 包袋 皮件 箱包皮具 皮具箱包 旅行用品 包包 "
    "提包 钱包 皮具皮件 手袋制品 箱包制品",
    "leather": "皮革 制革 皮业 革业 鞣制 合成革 人造革 皮料 牛皮 羊皮 猪皮 革制品 皮革制品 "
    "皮革化工 制革化工 超纤 皮革皮具 皮革原料 原料皮 生皮 原皮 皮革辅料",
    "fur": "毛皮 裘皮 皮草 皮毛 毛革 裘革 毛皮制品 裘皮制品 皮草制品 皮毛制品 毛领 裘皮大衣 羊剪绒",
    "leather_garment": "皮衣 皮装 皮革服装 皮衣皮草",
    "footwear": "鞋业 鞋 制鞋 皮鞋 鞋服 童鞋 女鞋 男鞋 运动鞋 鞋帽 靴业 鞋类 鞋业连锁 鞋店",
    "shoe_materials": "鞋材 鞋底 鞋料 鞋楦 鞋面 鞋垫 鞋配件 鞋辅料 鞋底材料 鞋用 鞋用辅料 鞋用材料",
    "silk": "丝绸 茧丝 缫丝 蚕丝 丝业 绢纺 丝织 桑蚕 蚕桑 茧业 真丝 丝绸制品 茧丝绸 蚕茧 丝绸服饰 "
    "丝绵 丝被 蚕业 蚕种 蚕蛹 桑蚕养殖 蚕茧收购 烘茧 烘茧站 蚕桑养殖 养蚕 桑苗 生丝",
    "agriculture": "食用菌 桑枝食用菌 种植 养殖 农业 农产品 农业科技 生态农业",
    "testing": "检测 检测技术 检测技术服务 检验 检验检测 质量检测 鞋类检测 鞋类检测技术 认证",
    "internet": "网络 网络科技 互联网 信息技术 软件 数字科技",
    "finance": "融资担保 担保 小额贷款 融资租赁 金融服务 金融",
    "market": "市场 市场管理 皮具城 皮具城市场 皮具城市场管理 皮革城 皮革城市场 皮革城市场管理 "
    "商城 商贸城 交易市场 专业市场",
    "research": "研究 研究院 研究所 产业研究 时尚产业研究 研发",
    "moulds": "模具 鞋模 模具制造",
    "adhesives": "胶粘剂 胶水 粘合剂 胶业",
    "textile": "纺织 织造 针织 印染 布业 化纤 面料 纺织品 家纺 织布 纺织品 布艺 织物 纱线",
    "garment": "服装 服饰 制衣 成衣 时装 衣业 内衣 衬衫 童装 女装 男装 服装辅料",
    "hardware": "五金 五金配件 五金制品 金属制品 饰扣 拉链 纽扣 五金饰品",
    "accessories": "辅料 配件 包装材料 饰品",
    "chemical": "化工 化学 精细化工",
    "machinery": "机械 设备 机械设备 机电 鞋机 制鞋机械 制革机械 缝纫设备",
    "packaging": "包装 印刷 包装印刷",
    "plastics": "塑胶 塑料 橡胶 橡塑",
    "electronics": "电子 电器 电子科技",
    "logistics": "物流 运输 货运 仓储",
    "trading": "贸易 商贸 经贸 进出口 外贸 国际贸易 电子商务 电商 供应链 工贸 贸易发展",
    "": "实业 科技 制品 加工 工业 产业 发展 企业 投资 控股 国际 用品 制造 生产 技术 开发 销售 "
    "批发 零售 商务 管理 服务 文化 创意 设计 时尚 品牌 工艺 新材料 材料 实业发展 科技发展 "
    "生物科技 环保科技 环保 智能 集团 产品 事业 综合 经营 工程 信息 咨询",
}.items():
    for _word in _words.split():
        _ZH_INDUSTRY[_word] = _code
_ZH_INDUSTRY_LONGEST = max(len(w) for w in _ZH_INDUSTRY)
_TRADING = "trading"

_FAMILY = {
    "leather_garment": "leather",
    "leather_goods": "leather",
    "leather": "leather",
    "fur": "leather",
    "footwear": "footwear",
    "shoe_materials": "footwear",
    "garment": "textile",
    "textile": "textile",
}


def industry_family(code: str) -> str:
    return _FAMILY.get(code, code)


_ZH_FORMS = {
    "股份有限公司": "joint_stock",
    "股份有限责任公司": "joint_stock",
    "股份公司": "joint_stock",
    "股份合作公司": "joint_stock",
    "有限责任公司": "ltd",
    "有限公司": "ltd",
    "有限责任": "ltd",
    "有限": "ltd",
    "公司": "company",
    "总公司": "company",
    "专业合作社": "coop",
    "农民专业合作社": "coop",
    "农民合作社": "coop",
    "股份经济合作社": "coop",
    "经济合作社": "coop",
    "合作社": "coop",
    "联合社": "coop",
    "合伙企业": "partnership",
    "普通合伙": "partnership",
    "有限合伙": "partnership",
    "特殊普通合伙": "partnership",
    "加工厂": "factory",
    "制造厂": "factory",
    "生产厂": "factory",
    "工厂": "factory",
    "厂": "factory",
    "作坊": "factory",
    "加工场": "factory",
    "加工坊": "factory",
    "加工点": "factory",
    "商行": "trading",
    "贸易行": "trading",
    "行": "trading",
    "经营部": "business_dept",
    "门市部": "business_dept",
    "销售部": "business_dept",
    "批发部": "business_dept",
    "经销部": "business_dept",
    "服务部": "business_dept",
    "收购站": "business_dept",
    "收购点": "business_dept",
    "经销处": "business_dept",
    "门市": "business_dept",
    "商店": "shop",
    "专卖店": "shop",
    "店": "shop",
    "商场": "shop",
    "超市": "shop",
    "批发市场": "shop",
    "工作室": "studio",
    "集团": "group",
    "个体工商户": "individual",
    "个体户": "individual",
    "个人独资企业": "sole_proprietorship",
    "独资企业": "sole_proprietorship",
}
_ZH_FORMS_LONGEST = max(len(f) for f in _ZH_FORMS)
# Forms that sit *outside* another: 集团 in 某某集团有限公司 is part of the name, not the form.
_ZH_INNER_FORMS = frozenset(("集团",))
_INDIVIDUAL_MARK = re.compile("个体工商户|个体户|个体经营户?")
_PARTNERSHIP_MARK = re.compile("(?:特殊)?普通合伙|有限合伙")
_BRANCH_WORDS = "分公司|分厂|分店|分部|办事处|营业部|分社|分号|门店|分场"
_ZH_BRANCH = re.compile(f"^(.*?(?:公司|厂|商行|行|集团|合作社|企业|店|部))(.*?)({_BRANCH_WORDS})$")
_ZH_BRANCH_BARE = re.compile(f"^(.+?)({_BRANCH_WORDS})$")
_BRANCH_ENDINGS = tuple(_BRANCH_WORDS.split("|"))
_PAREN = re.compile(r"\(([^()]*)\)")
_NOT_A_WORD = re.compile(r"[\W_]+")
_ORDINAL = re.compile("^第?([零〇一二两三四五六七八九十百\\d]+)$")

_EN_FORMS: dict[tuple[str, ...], str] = {}
for _form, _phrases in {
    "joint_stock": "joint stock co ltd|joint stock company limited|joint stock company|joint stock "
    "co|stock co ltd|stock company limited|shareholding co ltd|share co ltd|inc|incorporated|"
    "corp|corporation|plc|corp ltd|corporation limited|co inc",
    "ltd": "co ltd|company limited|co limited|company ltd|ltd|limited|llc|l l c|co ltd co|"
    "limited company|ltd co|limited liability company|co l t d|pte ltd|pty ltd|sdn bhd|gmbh",
    "company": "co|company|cie",
    "factory": "factory|works|mill|plant|manufactory|workshop|processing factory|processing plant",
    "trading": "trading firm|trading house|firm|trading store|trade firm",
    "business_dept": "business department|sales department|business dept|operation department",
    "shop": "store|shop|boutique|outlet",
    "individual": "individual business|individual industrial and commercial household|"
    "individually owned business|self employed|sole proprietor|individual",
    "sole_proprietorship": "sole proprietorship|sole proprietorship enterprise",
    "partnership": "limited partnership|general partnership|partnership|lp|llp",
    "coop": "cooperative|co op|professional cooperative|farmers cooperative|cooperative society",
    "group": "group|holdings|holding",
    "studio": "studio",
}.items():
    for _phrase in _phrases.split("|"):
        _EN_FORMS[tuple(_phrase.split())] = _form
_EN_FORMS_LONGEST = max(len(k) for k in _EN_FORMS)

# Pinyin forms are compared on the letters of the last few words, so "youxian gongsi",
# "you xian gong si" and "youxiangongsi" meet.
_PINYIN_FORMS = {
    "gufenyouxiangongsi": "joint_stock",
    "gufenyouxianzerengongsi": "joint_stock",
    "gufengongsi": "joint_stock",
    "youxianzerengongsi": "ltd",
    "youxiangongsi": "ltd",
    "gongsi": "company",
    "jiagongchang": "factory",
    "gongchang": "factory",
    "zhizaochang": "factory",
    "shanghang": "trading",
    "maoyihang": "trading",
    "jingyingbu": "business_dept",
    "menshibu": "business_dept",
    "xiaoshoubu": "business_dept",
    "shangdian": "shop",
    "getigongshanghu": "individual",
    "getihu": "individual",
    "zhuanyehezuoshe": "coop",
    "hezuoshe": "coop",
    "hehuoqiye": "partnership",
    "jituan": "group",
    "gongzuoshi": "studio",
}
_PINYIN_FORMS_LONGEST_WORDS = 6

_EN_INDUSTRY: dict[tuple[str, ...], str] = {}
for _code, _phrases in {
    "leather_goods": "leather goods|leather products|leather product|leather bags|leather bag|"
    "bags|bag|handbags|handbag|luggage|luggage and bags|bags and luggage|leatherware|"
    "leather ware|travel goods|cases and bags|luggage bags|leather goods and bags|handbag products|"
    "bag products|leather handbags",
    "leather": "leather|tannery|tanning|leathers|leather tanning|synthetic leather|"
    "leather industry|leather material|leather materials|hides|"
    "leather raw materials|leather raw material|raw skins|raw hides|raw skin|raw leather",
    "fur": "fur|furs|fur products|fur and leather|fur leather|fur garments|fur clothing|fur trade|"
    "fur collar|fur collars|fur collar processing|fur coats|shearling|hides and skins",
    "footwear": "shoes|shoe|footwear|shoemaking|shoe industry|shoes industry|shoe making|"
    "leather shoes|shoe products|boots|shoe chain stores|shoe chain|shoe stores|shoe store",
    "shoe_materials": "shoe materials|shoe material|soles|shoe soles|sole|shoe sole|"
    "shoes materials|shoe accessories|shoe lasts|insoles|shoe upper|shoe uppers",
    "silk": "silk|silks|cocoon|silk reeling|reeling|sericulture|cocoon silk|silk products|"
    "silk industry|silk fabrics|silk textile|cocoon and silk|silk and cocoon|silkworm eggs|"
    "silkworm egg|silkworm|silkworms|cocoon purchase|cocoon purchasing|cocoon drying|cocoons|"
    "silkworm pupa|silkworm pupae|silkworm pupa processing|mulberry seedlings|raw silk",
    "textile": "textile|textiles|knitting|weaving|fabric|fabrics|dyeing|printing and dyeing|"
    "home textile|home textiles|yarn|knitwear",
    "garment": "garment|garments|clothing|apparel|clothes|fashion apparel|dress",
    "leather_garment": "leather garment|leather garments|leather jackets|leather jacket|"
    "leather clothing|leather apparel",
    "agriculture": "mushroom|mushrooms|mulberry mushroom|mulberrybranch mushroom|edible fungi|"
    "agriculture|agricultural|farming|planting|breeding",
    "testing": "testing|testing technology|testing services|testing service|inspection|"
    "testing and inspection|footwear testing|footwear testing technology|shoe testing|"
    "quality testing|certification",
    "internet": "network|network technology|internet|information technology|it|software|"
    "network tech|digital technology",
    "finance": "financing guarantee|guarantee|financial guarantee|microfinance|"
    "financial leasing|finance|financial services",
    "market": "market|market management|leather city market|leather city market management|"
    "leather city|leather goods market|mall|trade city",
    "research": "research|research institute|industry research|fashion industry research|"
    "r and d|research and development",
    "moulds": "moulds|mould|molds|mold|shoe moulds",
    "adhesives": "adhesives|adhesive|glue|glues",
    "hardware": "hardware|metal products|hardware products|zippers|zipper|buttons",
    "accessories": "accessories|accessory",
    "chemical": "chemical|chemicals|chemical industry",
    "machinery": "machinery|machine|machines|equipment|machinery and equipment|"
    "shoe machinery|shoe machines|tanning machinery",
    "packaging": "packaging|package|printing",
    "plastics": "plastic|plastics|rubber|rubber and plastic",
    "electronics": "electronics|electronic|electric|electrical",
    "logistics": "logistics|transport|transportation|freight",
    "trading": "trading|trade|import and export|imp and exp|imp exp|import export|commerce|"
    "commercial|e commerce|ecommerce|international trade|international trading|supply chain|"
    "import|export|industry and trade",
    "": "industrial|industry|industries|technology|technologies|tech|science and technology|"
    "sci tech|products|product|manufacturing|manufacture|manufacturer|processing|development|"
    "enterprise|enterprises|international|intl|industrial development|investment|"
    "materials|material|new materials|goods|making|fashion|design|culture|creative|brand|"
    "craft|crafts|arts|art|and|industrial co|biotech|biotechnology|environmental|"
    "engineering|service|services|management|consulting|global|development co|science|group|"
    "holdings|holding|jituan",
}.items():
    for _phrase in _phrases.split("|"):
        _EN_INDUSTRY[tuple(_phrase.split())] = _code
_EN_INDUSTRY_LONGEST = max(len(k) for k in _EN_INDUSTRY)

_EN_LEVEL_WORDS = {
    "province": 1,
    "sheng": 1,
    "city": 2,
    "shi": 2,
    "district": 3,
    "county": 3,
    "qu": 3,
    "xian": 3,
    "town": 4,
    "township": 4,
    "zhen": 4,
    "subdistrict": 4,
    "jiedao": 4,
}
_EN_COUNTRY = {("china",): "zhongguo", ("prc",): "zhongguo", ("p", "r", "c"): "zhongguo"}
_EN_WORD = re.compile(r"[a-z0-9]+")
_INNER_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")


@cache
def _pinyin_industry() -> dict[str, str]:
    """The Chinese industry words by their pinyin, for "Moumou Piju Youxian Gongsi"."""
    out: dict[str, str] = {}
    for word, code in _ZH_INDUSTRY.items():
        if len(word) >= 2:
            out.setdefault(han_pinyin(word), code)
    return out


# --- helpers ------------------------------------------------------------------------------------


def _industry_code(codes: list[str]) -> str:
    """The leftmost specific industry; trading only when nothing more specific is named."""
    specific = [c for c in codes if c and c != _TRADING]
    if specific:
        return specific[0]
    return _TRADING if _TRADING in codes else ""


def _branch_key(branch: str) -> str:
    if not branch:
        return ""
    m = _ORDINAL.match(branch)
    if m is not None:
        from .addresses import chinese_number

        value = m.group(1)
        number = int(value) if value.isdigit() else chinese_number(value)
        if number is not None:
            return str(number)
    words = branch.split()
    if words and words[0] in ("no", "no.", "number") and len(words) > 1:
        return words[1]
    return folded_pinyin_key(branch)


def _build(
    raw: str,
    folded: str,
    script: str,
    region_matches: list[RegionMatch],
    core: str,
    core_pinyin: str,
    industry_codes: list[str],
    industry_text: str,
    legal_form: str,
    branch: str,
    branch_key: str,
) -> CompanyName:
    industry = _industry_code(industry_codes)
    family = _FAMILY.get(industry, industry)
    sep = " " if script == "en" else ""
    region = sep.join(m.stem for m in region_matches if m.level)
    region_pinyin = "".join(m.pinyin for m in region_matches if m.level)
    if not region and any(m.level == 0 for m in region_matches):
        region, region_pinyin = ("中国" if script == "zh" else "china"), "zhongguo"
    levels = infer_levels([m for m in region_matches if m.level])
    # Positional (province/city/district/town), so a reader can split it without the gazetteer.
    region_path = "/".join(levels.get(level, ("", ""))[1] for level in (1, 2, 3, 4)).rstrip("/")
    return CompanyName(
        raw=raw,
        folded=folded,
        script=script,
        region=region,
        region_pinyin=region_pinyin,
        core=core,
        core_pinyin=core_pinyin,
        industry=industry,
        industry_text=industry_text,
        legal_form=legal_form,
        branch=branch,
        key=f"{core_pinyin}|{industry}",
        branch_key=branch_key,
        industry_family=family,
        loose_key=f"{core_pinyin}|{family}",
        region_path=region_path,
    )


# --- Chinese names --------------------------------------------------------------------------------


def _strip_zh_form(text: str) -> tuple[str, str]:
    """Remove the legal form from the end (the longest that fits): 有限公司, 加工厂, 商行 …"""
    for size in range(min(_ZH_FORMS_LONGEST, len(text) - 1), 0, -1):
        code = _ZH_FORMS.get(text[-size:])
        if code is None:
            continue
        if code == "trading" and size == 1 and not _ends_with_industry(text[:-1]):
            continue  # 行 is a form only after an industry word (皮革行), not in 银行
        return text[:-size], code
    return text, ""


def _ends_with_industry(text: str) -> bool:
    return any(text[-size:] in _ZH_INDUSTRY for size in range(1, _ZH_INDUSTRY_LONGEST + 1))


@cache
def _zh_industry_misspelt() -> tuple[dict[str, str], dict[str, str]]:
    """Industry words as lists misspell them, each to the word meant: two characters swapped
    (具皮 for 皮具), one left out (皮革化 for 皮革化工). A spelling that is a word itself, or
    that two words share, is left out."""
    swapped: dict[str, str] = {}
    shortened: dict[str, str] = {}
    ambiguous: set[str] = set()
    for word in _ZH_INDUSTRY:
        variants = [
            (swapped, word[:i] + word[i + 1] + word[i] + word[i + 2 :])
            for i in range(len(word) - 1)
        ]
        if len(word) >= 4:
            variants += [(shortened, word[:i] + word[i + 1 :]) for i in range(len(word))]
        for table, variant in variants:
            if variant == word or variant in _ZH_INDUSTRY:
                continue
            if table.get(variant, word) != word:
                ambiguous.add(variant)
            table[variant] = word
    for table in (swapped, shortened):
        for variant in ambiguous:
            table.pop(variant, None)
    return swapped, shortened


def _industry_word_at_end(text: str) -> str | None:
    """The industry word `text` ends with, as written: the longest, where a misspelt word of at
    least two characters counts when it is longer than any written correctly (润晟枝食用菌 is
    润晟 with 桑枝食用菌 short of 桑, not 润晟枝 with 食用菌); None when there is none. A
    one-character word must leave a two-character trade name, a misspelt one two characters."""
    exact = next(
        (
            size
            for size in range(min(_ZH_INDUSTRY_LONGEST, len(text)), 0, -1)
            if text[-size:] in _ZH_INDUSTRY and (size > 1 or len(text) - size >= 2)
        ),
        0,
    )
    misspelt = max(
        (
            size
            for table in _zh_industry_misspelt()
            for size in range(min(_ZH_INDUSTRY_LONGEST, len(text) - 2), max(exact, 1), -1)
            if text[-size:] in table
        ),
        default=0,
    )
    size = max(exact, misspelt)
    return text[-size:] if size else None


def _strip_zh_industry(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The trade name and the industry words after it, misspelt ones as the word meant."""
    words: list[tuple[str, str]] = []
    swapped, shortened = _zh_industry_misspelt()
    while text and (written := _industry_word_at_end(text)) is not None:
        word = swapped.get(written) or shortened.get(written) or written
        words.insert(0, (word, _ZH_INDUSTRY[word]))
        text = text[: -len(written)]
    return text, words


def _zh_parenthesised(folded: str) -> tuple[str, list[RegionMatch], str, str]:
    """Take the bracketed parts out: regions, 个体工商户, 有限合伙, branches; drop the rest."""
    regions: list[RegionMatch] = []
    form = branch = ""

    def take(m: re.Match[str]) -> str:
        nonlocal form, branch
        inner = m.group(1).replace(" ", "")
        if not inner:
            return ""
        if _INDIVIDUAL_MARK.fullmatch(inner):
            form = "individual"
            return ""
        if _PARTNERSHIP_MARK.fullmatch(inner):
            form = form or "partnership"
            return ""
        branch_match = _ZH_BRANCH_BARE.match(inner)
        if branch_match is not None:
            branch = _branch_qualifier(branch_match.group(1)) or branch_match.group(2)
            return ""
        matches = read_region(inner)
        if matches and matches[-1].end == len(inner):
            regions.extend(matches)
            return ""
        return ""

    text = _PAREN.sub(take, folded) if "(" in folded else folded
    text = text.replace("(", "").replace(")", "")
    return text, regions, form, branch


def _branch_qualifier(text: str) -> str:
    if not text:
        return ""
    matches = read_region(text)
    if matches and matches[-1].end == len(text):
        return "".join(m.stem for m in matches)
    return text


def _parse_zh(raw: str, folded: str) -> CompanyName:
    text, paren_regions, form, branch = _zh_parenthesised(folded)
    text = _NOT_A_WORD.sub("", text)
    if _INDIVIDUAL_MARK.match(text) or _INDIVIDUAL_MARK.search(text[-6:]):
        form = "individual"
        text = _INDIVIDUAL_MARK.sub("", text)
    m = _ZH_BRANCH.match(text) if text.endswith(_BRANCH_ENDINGS) else None
    if m is not None and len(m.group(1)) >= 2:
        text = m.group(1)
        branch = _branch_qualifier(m.group(2)) or m.group(3)
    elif (
        m is None and (bare := _ZH_BRANCH_BARE.match(text)) is not None and len(bare.group(1)) >= 2
    ):
        text = bare.group(1)
        branch = bare.group(2)
    text, written_form = _strip_zh_form(text)
    form = form or written_form
    regions = read_region(text)
    start = regions[-1].end if regions else 0
    core, industry_words = _strip_zh_industry(text[start:])
    # A trade name has at least two characters: when the region or the industry words ate it,
    # give back the last one taken ("新华皮具" is the firm 新华, not a firm in 新华街道).
    while len(core) < 2:
        if regions and (not core or regions[-1].written == regions[-1].stem):
            core = regions.pop().written + core
        elif industry_words and not core:
            core = industry_words.pop(0)[0]
        else:
            break
    if core in ("", "中国") and regions:
        core = regions.pop().written + core
    return _build(
        raw,
        folded,
        "zh",
        regions + paren_regions,
        core,
        folded_pinyin_key(core),
        [code for _, code in industry_words],
        "".join(word for word, _ in industry_words),
        form,
        branch,
        _branch_key(branch),
    )


# --- English and pinyin names -------------------------------------------------------------------


def _strip_en_form(words: list[str]) -> tuple[list[str], str]:
    """Remove the legal form from the end: "co ltd", "limited", "youxian gongsi" …"""
    for size in range(
        min(max(_EN_FORMS_LONGEST, _PINYIN_FORMS_LONGEST_WORDS), len(words) - 1), 0, -1
    ):
        tail = words[-size:]
        code = _EN_FORMS.get(tuple(tail)) or _PINYIN_FORMS.get("".join(tail))
        if code is not None:
            return words[:-size], code
    return words, ""


def _strip_en_industry(words: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    found: list[tuple[str, str]] = []
    pinyin_words = _pinyin_industry()
    while len(words) > 1:
        for size in range(min(_EN_INDUSTRY_LONGEST, len(words) - 1), 0, -1):
            tail = words[-size:]
            code = _EN_INDUSTRY.get(tuple(tail))
            if code is None:
                code = pinyin_words.get("".join(tail))
            if code is None:
                continue
            found.insert(0, (" ".join(tail), code))
            words = words[:-size]
            break
        else:
            break
    return words, found


def _read_en_region(words: list[str]) -> tuple[list[RegionMatch], int]:
    """Romanised place words at the start of a name: "guangzhou huadu shiling moumou …"."""
    gaz = gazetteer()
    matches: list[RegionMatch] = []
    i = 0
    while i < len(words) - 1:
        if not matches and tuple(words[i : i + 1]) in _EN_COUNTRY:
            matches.append(RegionMatch(words[i], "china", 0, "zhongguo", (), i + 1))
            i += 1
            continue
        hit = None
        for size in (3, 2, 1):
            if i + size >= len(words):
                continue
            phrase = " ".join(words[i : i + size])
            places = place_by_pinyin(phrase)
            if not places:
                continue
            end = i + size
            level_word = _EN_LEVEL_WORDS.get(words[end]) if end < len(words) - 1 else None
            previous = next((m for m in reversed(matches) if m.candidates), None)
            fits = [
                p
                for p in places
                if (level_word is not None or p.bare_ok or previous is not None)
                and (previous is None or gaz.descends(p, previous.candidates))
                and (level_word is None or p.level == level_word or level_word in (CITY, 3))
            ]
            if fits:
                if level_word is not None:
                    end += 1
                hit = RegionMatch(phrase, phrase, fits[0].level, fits[0].pinyin, tuple(fits), end)
                break
        if hit is None:
            break
        matches.append(hit)
        i = hit.end
    return matches, i


def _en_parenthesised(folded: str) -> tuple[str, list[RegionMatch], str, str]:
    regions: list[RegionMatch] = []
    form = branch = ""

    def take(m: re.Match[str]) -> str:
        nonlocal form, branch
        words = _EN_WORD.findall(m.group(1))
        if not words:
            return " "
        if words[-1] == "branch" or (len(words) > 1 and words[-2] == "branch"):
            at = words.index("branch")
            branch = " ".join(words[:at]) or "branch"
            return " "
        code = _EN_FORMS.get(tuple(words)) or _PINYIN_FORMS.get("".join(words))
        if code in ("individual", "partnership"):
            form = code
            return " "
        if tuple(words) in _EN_COUNTRY:
            regions.append(RegionMatch(" ".join(words), "china", 0, "zhongguo", (), 0))
            return " "
        found, used = _read_en_region(words + ["_"])
        if found and used == len(words):
            regions.extend(found)
            return " "
        return " "

    text = _PAREN.sub(take, folded) if "(" in folded else folded
    return text, regions, form, branch


def _trailing_region(words: list[str], regions: list[RegionMatch]) -> tuple[list[str], str]:
    """Place words after the legal form: "Moumou Leather Goods Co., Ltd. Huadu Guangzhou"."""
    found: list[RegionMatch] = []
    end = len(words)
    while end > 2:
        for size in (2, 1):
            phrase = " ".join(words[end - size : end])
            places = place_by_pinyin(phrase) if end - size > 1 else ()
            if places:
                place = places[0]
                found.append(RegionMatch(phrase, phrase, place.level, place.pinyin, places, 0))
                end -= size
                break
        else:
            break
        before, form = _strip_en_form(words[:end])
        if form:
            # Largest place first, as a region written before the name reads.
            regions.extend(sorted(found, key=lambda m: m.level))
            return before, form
    return words, ""


def _parse_en(raw: str, folded: str) -> CompanyName:
    text, paren_regions, form, branch = _en_parenthesised(folded)
    text = text.replace("&", " and ")
    # A hyphen inside a word joins it: "Hai-Tian" is the pinyin haitian, and "Mulberry-branch"
    # names no branch.
    text = _INNER_HYPHEN.sub("", text)
    words = _EN_WORD.findall(text)
    if "branch" in words[1:]:
        at = len(words) - 1 - words[::-1].index("branch")
        if at + 1 < len(words) and words[at + 1] == "of":
            # "Huadu Branch of Moumou Leather Co., Ltd."
            branch, words = " ".join(words[:at]) or "branch", words[at + 2 :]
        else:
            head = words[:at]
            # The branch's own words follow the head office's legal form.
            ends = [i + 1 for i in range(1, len(head)) if _strip_en_form(head[: i + 1])[1]]
            cut = ends[-1] if ends else at
            branch = " ".join(head[cut:]) or "branch"
            words = head[:cut] + [w for w in words[at + 1 :] if w not in ("office", "company")]
    words, written_form = _strip_en_form(words)
    if not written_form:
        words, written_form = _trailing_region(words, paren_regions)
    form = form or written_form
    regions, start = _read_en_region(words)
    core_words, industry = _strip_en_industry(words[start:])
    if not core_words and regions:
        last = regions.pop()
        core_words = last.written.split()
    if not core_words and industry:
        core_words = industry.pop(0)[0].split()
    if branch and branch != "branch":
        found, used = _read_en_region(branch.split() + ["_"])
        if found and used == len(branch.split()):
            branch = " ".join(m.written for m in found)
    branch_key = _branch_key(branch) if branch != "branch" else "branch"
    if branch and branch_key and not branch_key.isdigit() and branch != "branch":
        places = place_by_pinyin(branch)
        branch_key = places[0].pinyin if places else branch_key
    return _build(
        raw,
        folded,
        "en",
        regions + paren_regions,
        " ".join(core_words),
        "".join(core_words),
        [code for _, code in industry],
        " ".join(word for word, _ in industry),
        form,
        branch,
        branch_key,
    )


def parse_company_name(raw: str) -> CompanyName:
    """Split a company name into its parts; never raises (an empty name has empty parts)."""
    folded = fold(raw)
    if has_han(folded):
        return _parse_zh(raw, folded)
    return _parse_en(raw, folded)
