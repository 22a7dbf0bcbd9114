"""The four seed clusters as data: the facts the reports state, and the parameters that make a
fictional but realistic cluster around them.

Firms come in two sorts. *Cohorts* are the notable firms, fixed in number at every scale: the
leading firms, the firms above designated size, and the holders of every counted certificate and
brand status, so DOMAIN.md's facts come out of the data exactly. *Ordinary* firms (per chain link)
are all below designated size and hold none of the counted certificates; `--scale N` multiplies
them. Link plans set each link's in-cluster output (explicitly, or as a multiple of the demand its
downstream links place on it), so the chain analysis finds the strengths and gaps described here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clusterbrain.demo.names import HUANJIANG, LUCHENG, SHILING, XINJI, YIZHOU, Place

M = 1_000_000
BN = 1_000_000_000

# Financial years of the yearly figures; the latest decides "above designated size".
YEARS = (2021, 2022, 2023, 2024, 2025)
LATEST_YEAR = YEARS[-1]
ABOVE_SIZE_REVENUE = 20 * M  # DOMAIN.md: at least 20 million yuan of main-business revenue

DEFAULT_SEED = 2026
DEMO_PASSWORD = "demo-pass-2026"

# Legal forms of a style → (Enterprise.LegalForm value, USCC authority + entity type).
FORMS: dict[str, tuple[str, str]] = {
    "company": ("llc", "91"),
    "group": ("llc", "91"),
    "joint_stock": ("joint_stock", "91"),
    "state": ("state_owned", "91"),
    "factory": ("sole_proprietor", "92"),
    "shop": ("sole_proprietor", "92"),
    "dept": ("sole_proprietor", "92"),
    "station": ("sole_proprietor", "92"),
    "farm": ("sole_proprietor", "92"),
    "cooperative": ("cooperative", "93"),
}

# Default revenue ranges (yuan, latest year) of ordinary firms by form; all below 20 M.
ORDINARY_REVENUE: dict[str, tuple[float, float]] = {
    "company": (1.2 * M, 18 * M),
    "group": (5 * M, 19 * M),
    "joint_stock": (5 * M, 19 * M),
    "state": (3 * M, 19 * M),
    "factory": (0.3 * M, 6 * M),
    "shop": (0.4 * M, 8 * M),
    "dept": (0.2 * M, 3 * M),
    "station": (1 * M, 12 * M),
    "farm": (0.1 * M, 1.5 * M),
    "cooperative": (0.5 * M, 12 * M),
}

# Revenue range (yuan, latest year) of suppliers registered outside the cluster.
OUTSIDE_REVENUE: tuple[float, float] = (8 * M, 800 * M)


@dataclass(frozen=True)
class Style:
    """How a firm of some trade is named: industry words (zh, en) and the form of its name."""

    industry_zh: str
    industry_en: str
    form: str = "company"


@dataclass(frozen=True)
class LinkPlan:
    """A chain link in a cluster.

    `output` is the in-cluster monthly output in the link's unit; left None, it is the demand of
    the downstream links times `supply` (below 1 makes the link short). `yearly_output` instead
    fixes a yearly total exactly (a reported fact), kept at every scale. Capacity is output divided
    by `utilisation`. `top_share` gives the largest firm that share of the link (concentration).
    """

    link: str
    ordinary: int = 0
    styles: tuple[tuple[str, float], ...] = ()
    output: float | None = None
    yearly_output: float | None = None
    supply: float = 1.0
    utilisation: float = 0.78
    top_share: float | None = None
    fixed: bool = False
    categories: tuple[tuple[str, str], ...] = ()  # (Chinese, English) product categories
    also: tuple[tuple[str, float], ...] = ()  # ordinary firms' extra links, with probability
    facility: str = ""  # Facility.Kind most ordinary firms of this link have ("" none)


@dataclass(frozen=True)
class Cohort:
    """Notable firms: fixed in number at every scale, with a revenue range for the latest year
    (all at least 20 M or all below it) and the links they are active in (main link first)."""

    key: str
    count: int
    links: tuple[str, ...]
    style: str
    revenue: tuple[float, float]
    leading: bool = False
    founded: tuple[int, int] = (1992, 2014)
    member: float = 0.92
    exporter: float = 0.3  # probability of export sales
    places: tuple[int, ...] = ()  # indexes into the cluster's places; () = by weight


@dataclass(frozen=True)
class CertPlan:
    """`count` firms drawn from `cohorts` (not already holding `kind`) get a valid certificate.
    `sme_only` keeps large firms out (S&T SMEs and specialised SMEs are SMEs)."""

    kind: str
    count: int
    cohorts: tuple[str, ...]
    sme_only: bool = False


@dataclass(frozen=True)
class BrandPlan:
    """`count` brands of `status` held by `holders` firms drawn from `cohorts` (some hold two)."""

    status: str
    count: int
    holders: int
    cohorts: tuple[str, ...]


@dataclass(frozen=True)
class OutsidePlan:
    """Suppliers registered outside the cluster (Enterprise.in_cluster False) in a link."""

    link: str
    place: str  # key of names.OUTSIDE
    count: int
    style: str


@dataclass(frozen=True)
class SupplyPlan:
    """What leading firms buy in a link: its share of their purchases, and the in-cluster share
    of it in the first year and its yearly change."""

    link: str
    share: float
    local: float
    trend: float = 0.0
    suppliers: int = 6


@dataclass(frozen=True)
class RegionalBrand:
    name_zh: str
    name_en: str
    trademark_number: str
    countries: tuple[str, ...] = ()
    value_yuan: float | None = None


@dataclass(frozen=True)
class ClusterSpec:
    slug: str
    template: str
    name_zh: str
    name_en: str
    place_zh: str
    place_en: str
    industry_zh: str
    industry_en: str
    description_zh: str
    description_en: str
    places: tuple[tuple[Place, float], ...]
    latitude: float
    longitude: float
    styles: dict[str, Style]
    links: tuple[LinkPlan, ...]
    cohorts: tuple[Cohort, ...]
    certificates: tuple[CertPlan, ...]
    brands: tuple[BrandPlan, ...]
    outside: tuple[OutsidePlan, ...]
    purchases: dict[str, tuple[SupplyPlan, ...]]  # cohort key → what its firms buy
    purchase_ratio: tuple[float, float]  # purchases / revenue of a leading firm
    growth: float  # mean yearly revenue growth
    targets: tuple[tuple[int, str, float, str, str], ...]  # year, indicator, value, note zh/en
    figures: tuple[tuple[int, str, float], ...]  # year, indicator, value (reported)
    # Where the figures come from, in the language of the source (one string, never a pair):
    # the English reports by title, local budget lines in Chinese.
    figure_source: str
    extra_figures: tuple[tuple[int, str, float, str], ...] = ()  # with their own source
    regional_brands: tuple[RegionalBrand, ...] = ()
    production_bases: tuple[str, ...] = ()  # outside places of leading firms' production bases
    # Yearly chain output value the in-cluster firms' figures must sum to exactly (a fact).
    output_value: tuple[int, int] | None = None
    province_zh: str = ""
    ordinary_member: float = 0.35
    share_rate: float = 0.6
    founded: tuple[int, int] = (1995, 2024)
    notes: dict[str, str] = field(default_factory=dict)


def _styles(**styles: tuple[str, str, str]) -> dict[str, Style]:
    return {key: Style(*value) for key, value in styles.items()}


# --- Shiling: leather goods and luggage ---------------------------------------------------

SHILING_SPEC = ClusterSpec(
    slug="shiling",
    template="leather_goods",
    name_zh="狮岭皮具箱包产业集群",
    name_en="Shiling leather goods cluster",
    place_zh="广东省广州市花都区狮岭镇",
    place_en="Shiling Town, Huadu District, Guangzhou, Guangdong",
    industry_zh="皮具箱包；皮革原辅材料集散",
    industry_en="Leather goods and luggage; leather raw-material distribution",
    description_zh=(
        "“中国皮具之都”：全国皮具箱包产业最集中、产业链最完整、配套能力最强的生产基地和皮革原辅材料"
        "集散中心。区域品牌“狮岭皮具”已在全球19个国家注册，品牌价值200亿元；花都区每年安排不少于"
        "5000万元支持皮革皮具产业转型升级，目标是到2030年建成“创新、时尚、数字、绿色”的全国皮革皮具"
        "产业智能制造新高地。商会与农业银行花都支行签订战略合作协议，为产业发展提供金融支持。"
    ),
    description_en=(
        "China's leather goods capital: the country's most concentrated leather goods and luggage "
        "base with the most complete chain and the strongest supporting industries, and a "
        'distribution centre for leather raw materials. The regional brand "Shiling Leather" is '
        "registered in 19 countries and valued at 20 billion yuan; Huadu District puts at least "
        "50 million yuan a year into upgrading, aiming at a smart-manufacturing highland of "
        "innovative, fashionable, digital and green leather goods by 2030. The chamber of commerce "
        "partners with the Agricultural Bank of China, Huadu Branch, to finance the industry."
    ),
    places=((SHILING, 1.0),),
    latitude=SHILING.latitude,
    longitude=SHILING.longitude,
    province_zh="广东省",
    styles=_styles(
        goods=("皮具", "Leather Goods", "company"),
        luggage=("箱包", "Luggage", "company"),
        handbag=("手袋", "Handbag", "company"),
        goods_group=("皮具", "Leather Goods", "group"),
        goods_factory=("皮具", "Leather Goods", "factory"),
        goods_processing=("皮具加工", "Leather Goods Processing", "factory"),
        luggage_factory=("箱包", "Luggage", "factory"),
        goods_shop=("皮具", "Leather Goods", "shop"),
        goods_dept=("皮具", "Leather Goods", "dept"),
        leather=("皮革", "Leather", "company"),
        leather_shop=("皮料", "Leather Materials", "shop"),
        leather_dept=("皮革", "Leather", "dept"),
        hides=("皮革原料", "Leather Raw Materials", "dept"),
        hardware=("五金", "Hardware", "company"),
        hardware_shop=("五金配件", "Hardware Accessories", "shop"),
        zipper=("拉链", "Zipper", "dept"),
        design=("皮具设计", "Leather Goods Design", "company"),
        packing=("包装", "Packaging", "company"),
        packing_factory=("包装", "Packaging", "factory"),
        trade=("贸易", "Trading", "company"),
        import_export=("进出口", "Import and Export", "company"),
        ecommerce=("电子商务", "E-commerce", "company"),
        network=("网络科技", "Network Technology", "company"),
        chemicals=("皮革化工", "Leather Chemical", "company"),
        machinery=("机械设备", "Machinery Equipment", "company"),
        machinery_dept=("机械", "Machinery", "dept"),
        testing=("检测技术", "Testing Technology", "company"),
        logistics=("物流", "Logistics", "company"),
        supply_chain=("供应链管理", "Supply Chain Management", "company"),
        finance=("融资担保", "Financing Guarantee", "company"),
        market=("皮具城市场管理", "Leather City Market Management", "company"),
    ),
    links=(
        # Raw hides are the one gap: Guangdong has no hide base of its own, so the local
        # tanneries buy hides from Hebei and abroad (the outside suppliers below).
        LinkPlan("raw_hides", ordinary=1, styles=(("hides", 1),), supply=0.1, utilisation=0.8),
        LinkPlan("tanning", ordinary=3, styles=(("leather", 1),), supply=1.0, utilisation=0.82),
        LinkPlan(
            "finishing",
            ordinary=8,
            styles=(("leather", 0.6), ("leather_dept", 0.4)),
            output=420_000,
            utilisation=0.75,
        ),
        LinkPlan(
            "materials",
            ordinary=250,
            styles=(("leather_shop", 0.45), ("leather_dept", 0.25), ("leather", 0.3)),
            supply=1.3,
            utilisation=0.8,
            facility="stall",
            categories=(
                ("真皮", "genuine leather"),
                ("PU及超纤", "PU and microfibre"),
                ("里布", "linings"),
            ),
        ),
        LinkPlan(
            "hardware",
            ordinary=120,
            styles=(("hardware_shop", 0.5), ("zipper", 0.2), ("hardware", 0.3)),
            supply=1.05,
            utilisation=0.75,
            facility="stall",
        ),
        # Design studios and pattern rooms (版房) are everywhere in Shiling.
        LinkPlan("design", ordinary=12, styles=(("design", 1),), supply=1.05, utilisation=0.8),
        LinkPlan(
            "cutting",
            ordinary=170,
            styles=(("goods_processing", 0.7), ("goods", 0.3)),
            supply=1.02,
            utilisation=0.72,
            also=(("sewing", 0.4),),
        ),
        LinkPlan(
            "sewing",
            ordinary=400,
            styles=(
                ("goods_factory", 0.45),
                ("goods_processing", 0.3),
                ("luggage_factory", 0.1),
                ("goods", 0.15),
            ),
            supply=1.0,
            utilisation=0.72,
            also=(("inspection_packing", 0.15),),
            categories=(
                ("女包", "women's bags"),
                ("男士皮具", "men's leather goods"),
                ("旅行箱", "suitcases"),
                ("背包", "backpacks"),
            ),
        ),
        LinkPlan(
            "inspection_packing",
            ordinary=40,
            styles=(("packing", 0.5), ("packing_factory", 0.5)),
            supply=1.0,
        ),
        LinkPlan(
            "brand_oem",
            ordinary=150,
            styles=(("goods", 0.45), ("luggage", 0.2), ("handbag", 0.2), ("goods_shop", 0.15)),
            supply=1.0,
            also=(("sewing", 0.5), ("ecommerce_livestream", 0.2)),
            categories=(
                ("女包", "women's bags"),
                ("男士皮具", "men's leather goods"),
                ("旅行箱", "suitcases"),
                ("钱包", "wallets"),
            ),
        ),
        LinkPlan(
            "wholesale",
            ordinary=90,
            styles=(("goods_shop", 0.6), ("goods_dept", 0.4)),
            output=3_000_000,
            facility="stall",
        ),
        LinkPlan(
            "ecommerce_livestream",
            ordinary=70,
            styles=(("ecommerce", 0.5), ("network", 0.3), ("goods_dept", 0.2)),
            output=2_400_000,
        ),
        LinkPlan(
            "export", ordinary=25, styles=(("import_export", 0.6), ("trade", 0.4)), output=1_400_000
        ),
        LinkPlan("chemicals", ordinary=6, styles=(("chemicals", 1),), supply=1.2),
        LinkPlan(
            "machinery",
            ordinary=25,
            styles=(("machinery", 0.5), ("machinery_dept", 0.5)),
            output=900,
        ),
        LinkPlan("testing", ordinary=3, styles=(("testing", 1),), output=1_400, top_share=0.6),
        LinkPlan(
            "logistics",
            ordinary=40,
            styles=(("logistics", 0.7), ("supply_chain", 0.3)),
            output=2_600_000,
        ),
        LinkPlan("finance", ordinary=2, styles=(("finance", 1),), output=300 * M),
    ),
    cohorts=(
        Cohort(
            "sl-leading",
            6,
            ("brand_oem", "sewing", "cutting", "export", "ecommerce_livestream"),
            "goods_group",
            (600 * M, 2.5 * BN),
            leading=True,
            founded=(1988, 2002),
            member=1.0,
            exporter=0.9,
        ),
        Cohort("sl-brand", 40, ("brand_oem", "sewing"), "goods", (21 * M, 300 * M), exporter=0.4),
        Cohort("sl-materials", 15, ("materials",), "leather", (25 * M, 400 * M), exporter=0.1),
        Cohort("sl-hardware", 6, ("hardware",), "hardware", (21 * M, 120 * M)),
        Cohort("sl-sewing", 18, ("sewing", "cutting"), "goods", (21 * M, 80 * M), exporter=0.3),
        Cohort("sl-cutting", 6, ("cutting",), "goods", (21 * M, 50 * M)),
        Cohort("sl-finishing", 3, ("finishing",), "leather", (21 * M, 90 * M)),
        Cohort("sl-tannery", 1, ("tanning", "finishing"), "leather", (30 * M, 120 * M)),
        Cohort("sl-ecommerce", 4, ("ecommerce_livestream",), "ecommerce", (21 * M, 200 * M)),
        Cohort("sl-export", 4, ("export",), "import_export", (21 * M, 150 * M), exporter=1.0),
        Cohort("sl-logistics", 3, ("logistics",), "logistics", (21 * M, 150 * M)),
        Cohort("sl-machinery", 2, ("machinery",), "machinery", (21 * M, 60 * M)),
        Cohort("sl-chemicals", 1, ("chemicals",), "chemicals", (21 * M, 60 * M)),
        Cohort("sl-market", 2, ("wholesale",), "market", (21 * M, 100 * M)),
        Cohort("sl-design", 3, ("design",), "design", (3 * M, 12 * M)),
        Cohort("sl-testing", 1, ("testing",), "testing", (10 * M, 19 * M)),
        Cohort("sl-finance", 2, ("finance",), "finance", (8 * M, 19 * M)),
        Cohort("sl-sme", 20, ("brand_oem", "sewing"), "goods", (5 * M, 19 * M)),
    ),
    certificates=(
        CertPlan(
            "high_tech",
            12,
            (
                "sl-leading",
                "sl-brand",
                "sl-materials",
                "sl-hardware",
                "sl-machinery",
                "sl-chemicals",
            ),
        ),
        CertPlan(
            "st_sme",
            35,
            (
                "sl-brand",
                "sl-sme",
                "sl-design",
                "sl-hardware",
                "sl-sewing",
                "sl-machinery",
                "sl-testing",
            ),
            sme_only=True,
        ),
        CertPlan(
            "specialised_sme",
            10,
            ("sl-brand", "sl-hardware", "sl-machinery", "sl-sme"),
            sme_only=True,
        ),
        CertPlan("green_factory_national", 2, ("sl-leading",)),
        CertPlan("green_factory_provincial", 5, ("sl-leading", "sl-brand", "sl-sewing")),
        CertPlan("public_service_platform", 1, ("sl-testing",)),
        CertPlan(
            "iso9001",
            50,
            (
                "sl-leading",
                "sl-brand",
                "sl-sewing",
                "sl-cutting",
                "sl-hardware",
                "sl-materials",
                "sl-sme",
            ),
        ),
        CertPlan("iso14001", 18, ("sl-leading", "sl-brand", "sl-materials", "sl-finishing")),
    ),
    brands=(
        BrandPlan("well_known_trademark", 3, 3, ("sl-leading",)),
        BrandPlan("well_known_brand", 18, 15, ("sl-leading", "sl-brand", "sl-sme")),
        BrandPlan("ordinary", 60, 50, ("sl-brand", "sl-sme", "sl-leading", "sl-ecommerce")),
    ),
    outside=(
        OutsidePlan("raw_hides", "lixian", 2, "hides"),
        OutsidePlan("tanning", "haining", 3, "leather"),
        OutsidePlan("tanning", "lixian", 2, "leather"),
        OutsidePlan("materials", "kunshan", 3, "leather"),
        OutsidePlan("materials", "longwan", 2, "leather"),
        OutsidePlan("hardware", "dongguan", 3, "hardware"),
        OutsidePlan("chemicals", "nanhai", 2, "chemicals"),
        OutsidePlan("sewing", "nanchang", 2, "goods"),
    ),
    purchases={
        "sl-leading": (
            SupplyPlan("materials", 0.42, 0.72, 0.01, 8),
            SupplyPlan("hardware", 0.12, 0.62, 0.01, 5),
            SupplyPlan("tanning", 0.08, 0.06, 0.005, 4),
            SupplyPlan("cutting", 0.06, 1.0, 0.0, 4),
            SupplyPlan("sewing", 0.24, 0.85, 0.01, 8),
            SupplyPlan("inspection_packing", 0.04, 1.0, 0.0, 3),
            SupplyPlan("design", 0.04, 1.0, 0.0, 2),
        ),
    },
    purchase_ratio=(0.5, 0.62),
    growth=0.045,
    targets=(
        (
            2025,
            "chain_completeness",
            0.9,
            "保持全产业链配套优势",
            "Keep the most complete chain of the industry",
        ),
        (2025, "localisation_rate", 0.75, "本地配套率", "Local sourcing of leading firms"),
        (2025, "support_fund", 50 * M, "每年不少于5000万元", "At least 50 million yuan a year"),
        (
            2030,
            "output_value",
            100 * BN,
            "千亿级新时尚产业；建成“创新、时尚、数字、绿色”的全国皮革皮具产业智能制造新高地",
            "A 100-billion-yuan new fashion industry; the innovative, fashionable, digital and "
            "green national smart-manufacturing highland of leather goods",
        ),
        (
            2030,
            "chain_completeness",
            0.92,
            "除原料皮外全链本地配套（原料皮来自省外与进口）",
            "Every link local but raw hides, which come from other provinces and abroad",
        ),
        (2030, "localisation_rate", 0.8, "", ""),
        (2030, "support_fund", 50 * M, "每年不少于5000万元", "At least 50 million yuan a year"),
        (2030, "green_factories", 20, "", ""),
    ),
    figures=(
        (2022, "regional_brand_value", 20 * BN),
        (2022, "regional_brand_countries", 19),
        (2022, "support_fund", 50 * M),
    ),
    figure_source=(
        "Members of Shiling Leather Profession Chamber of Commerce Brainstormed for Development "
        "Strategy in the 100-billion New Fashion Industry (report on the chamber's general "
        "meeting of 18 August)"
    ),
    extra_figures=(
        (
            2023,
            "support_fund",
            50 * M,
            "花都区财政预算（演示数据）",
        ),
        (
            2024,
            "support_fund",
            52 * M,
            "花都区财政预算（演示数据）",
        ),
        (
            2025,
            "support_fund",
            55 * M,
            "花都区财政预算（演示数据）",
        ),
    ),
    regional_brands=(
        RegionalBrand(
            "狮岭皮具",
            "Shiling Leather",
            "G2016440114",
            (
                "CN",
                "US",
                "GB",
                "DE",
                "FR",
                "IT",
                "ES",
                "JP",
                "KR",
                "RU",
                "AE",
                "SA",
                "TR",
                "TH",
                "VN",
                "MY",
                "ID",
                "AU",
                "BR",
            ),
            20 * BN,
        ),
    ),
    founded=(1996, 2024),
)

# The chamber's partner bank (report: strategic partnership with ABC Huadu Branch).
PARTNER_BANK = {
    "shiling": ("中国农业银行广州花都支行", "Agricultural Bank of China, Huadu Branch"),
}

# Who the demo's association staff and cluster office users work for.
ASSOCIATIONS = {
    "shiling": ("狮岭皮革皮具商会", "Shiling Leather Profession Chamber of Commerce"),
    "xinji": ("辛集市皮革行业协会", "Xinji Leather Industry Association"),
    "wenzhou": ("温州市皮革行业协会", "Wenzhou Leather Industry Association"),
    "hechi": ("河池市茧丝绸行业协会", "Hechi Cocoon and Silk Industry Association"),
}
OFFICES = {
    "shiling": ("广州市花都区狮岭镇人民政府", "Shiling Town Government, Huadu District"),
    "xinji": ("辛集市皮革产业发展办公室", "Xinji Leather Industry Development Office"),
    "wenzhou": ("温州市鹿城区鞋业转型升级办公室", "Lucheng District Footwear Upgrading Office"),
    "hechi": ("河池高新技术产业开发区管理委员会", "Hechi Hi-tech Zone Administrative Committee"),
}


# --- Xinji: leather garments --------------------------------------------------------------

XINJI_SPEC = ClusterSpec(
    slug="xinji",
    template="leather_garments",
    name_zh="辛集皮革皮衣产业集群",
    name_en="Xinji leather garments cluster",
    place_zh="河北省石家庄市辛集市",
    place_en="Xinji, Shijiazhuang, Hebei",
    industry_zh="皮革服装、羊皮服装革；皮革、制鞋、皮具、毛领、皮革机械与化工",
    industry_en=(
        "Leather garments and sheepskin garment leather; also leather, shoes, leather goods, "
        "fur collars, machinery and chemicals"
    ),
    description_zh=(
        "“中国皮革皮衣之都”：全国最大的皮革服装生产基地、世界最大的羊皮服装革生产基地，建成全国第一家"
        "皮革专业市场。规模以上企业103家、科技型中小企业89家、高新技术企业6家、省级公共服务平台3个、"
        "院士工作站1个、绿色工厂9家、LWG金牌认证企业7家、中国驰名商标7件、知名品牌66个。2019年投入"
        "1000万元实施“皮都辛集”三年品牌宣传，投入300万元建设工业设计创新中心；推进无铬鞣剂替代，"
        "建设直播基地，以辛集国际皮革城为龙头，打造千亿级生态皮革服装产业集群。"
    ),
    description_en=(
        "China's capital of leather and leather garments: the largest leather garment base in "
        "China and the largest sheepskin garment leather base in the world, home of China's first "
        "specialised leather market. 103 firms above designated size, 89 S&T SMEs, 6 high-tech "
        "firms, 3 provincial public service platforms, 1 academician workstation, 9 green "
        "factories, 7 LWG gold tanneries, 7 China well-known trademarks and 66 well-known brands. "
        "A 10-million-yuan brand campaign and a 3-million-yuan industrial design innovation centre "
        "(2019); chrome-free tanning agents, a livestream base, and Xinji International Leather "
        "City at the head of a 100-billion-yuan ecological leather garment cluster."
    ),
    places=((XINJI, 1.0),),
    latitude=XINJI.latitude,
    longitude=XINJI.longitude,
    province_zh="河北省",
    styles=_styles(
        leather=("皮革", "Leather", "company"),
        leather_js=("皮革", "Leather", "joint_stock"),
        leather_group=("皮业", "Leather", "group"),
        tannery=("制革", "Tannery", "factory"),
        fur=("毛皮", "Fur", "factory"),
        fur_co=("裘革", "Fur and Leather", "company"),
        garment=("皮革服装", "Leather Garment", "company"),
        garment_group=("服饰", "Apparel", "group"),
        garment_factory=("皮衣", "Leather Garment", "factory"),
        clothing_factory=("服装", "Clothing", "factory"),
        collar=("毛领加工", "Fur Collar Processing", "factory"),
        collar_co=("毛领", "Fur Collar", "company"),
        skins=("皮毛", "Hides and Skins", "shop"),
        skins_dept=("原料皮", "Raw Skins", "dept"),
        skins_co=("皮毛贸易", "Hides and Skins Trading", "company"),
        accessories=("服装辅料", "Garment Accessories", "shop"),
        accessories_co=("辅料", "Accessories", "company"),
        design=("服装设计", "Garment Design", "company"),
        stall=("皮衣", "Leather Garment", "shop"),
        stall_dept=("皮革服装", "Leather Garment", "dept"),
        market=("皮革城市场管理", "Leather City Market Management", "company"),
        livestream=("网络科技", "Network Technology", "company"),
        livestream_dept=("电子商务", "E-commerce", "dept"),
        import_export=("进出口", "Import and Export", "company"),
        machinery=("皮革机械", "Leather Machinery", "company"),
        machinery_factory=("机械", "Machinery", "factory"),
        chemicals=("皮革化工", "Leather Chemical", "company"),
        testing=("检测技术服务", "Testing Services", "company"),
    ),
    links=(
        LinkPlan(
            "sheepskin_hides",
            ordinary=60,
            styles=(("skins", 0.5), ("skins_dept", 0.5)),
            supply=1.0,
            utilisation=0.8,
            facility="warehouse",
        ),
        LinkPlan(
            "tanning_fur_dressing",
            ordinary=110,
            styles=(("tannery", 0.5), ("fur", 0.2), ("leather", 0.3)),
            supply=1.1,
            utilisation=0.75,
            also=(("dyeing_finishing", 0.35),),
            categories=(
                ("绵羊服装革", "sheepskin garment leather"),
                ("毛革一体", "double-face"),
                ("牛皮", "cowhide"),
            ),
        ),
        LinkPlan(
            "dyeing_finishing",
            ordinary=50,
            styles=(("tannery", 0.6), ("leather", 0.4)),
            supply=1.15,
            utilisation=0.75,
        ),
        LinkPlan(
            "fur_collar",
            ordinary=60,
            styles=(("collar", 0.8), ("collar_co", 0.2)),
            supply=1.3,
            utilisation=0.75,
        ),
        LinkPlan(
            "garment_design", ordinary=6, styles=(("design", 1),), supply=0.35, utilisation=0.85
        ),
        LinkPlan(
            "cutting_sewing",
            ordinary=260,
            styles=(("garment_factory", 0.5), ("clothing_factory", 0.2), ("garment", 0.3)),
            supply=1.0,
            utilisation=0.72,
            also=(("brands", 0.15),),
            categories=(
                ("皮衣", "leather jackets"),
                ("羊剪绒", "shearling coats"),
                ("皮草", "fur garments"),
            ),
        ),
        LinkPlan(
            "accessories",
            ordinary=45,
            styles=(("accessories", 0.7), ("accessories_co", 0.3)),
            supply=1.0,
            utilisation=0.75,
            facility="stall",
        ),
        LinkPlan("brands", ordinary=40, styles=(("garment", 1),), supply=1.0, utilisation=0.8),
        LinkPlan(
            "leather_city_wholesale",
            ordinary=150,
            styles=(("stall", 0.6), ("stall_dept", 0.4)),
            output=300_000,
            facility="stall",
        ),
        LinkPlan(
            "livestream",
            ordinary=12,
            styles=(("livestream", 0.6), ("livestream_dept", 0.4)),
            output=130_000,
            top_share=0.55,
        ),
        LinkPlan("export", ordinary=15, styles=(("import_export", 1),), output=70_000),
        LinkPlan(
            "machinery",
            ordinary=20,
            styles=(("machinery_factory", 0.6), ("machinery", 0.4)),
            output=300,
        ),
        LinkPlan(
            "leather_chemicals",
            ordinary=8,
            styles=(("chemicals", 1),),
            supply=0.9,
            utilisation=0.75,
            top_share=0.6,
        ),
        LinkPlan("testing", ordinary=2, styles=(("testing", 1),), output=1_200),
    ),
    cohorts=(
        Cohort(
            "xj-leading-garment",
            3,
            ("cutting_sewing", "brands", "dyeing_finishing", "export", "livestream"),
            "garment_group",
            (600 * M, 1.8 * BN),
            leading=True,
            founded=(1985, 1998),
            member=1.0,
            exporter=0.9,
        ),
        Cohort(
            "xj-leading-tannery",
            2,
            ("tanning_fur_dressing", "dyeing_finishing", "export"),
            "leather_group",
            (500 * M, 1.5 * BN),
            leading=True,
            founded=(1984, 1996),
            member=1.0,
            exporter=1.0,
        ),
        Cohort(
            "xj-tannery",
            44,
            ("tanning_fur_dressing", "dyeing_finishing"),
            "leather",
            (21 * M, 300 * M),
            exporter=0.5,
        ),
        Cohort("xj-dyeing", 12, ("dyeing_finishing",), "leather", (21 * M, 150 * M)),
        Cohort(
            "xj-garment",
            31,
            ("cutting_sewing", "brands"),
            "garment",
            (21 * M, 250 * M),
            exporter=0.4,
        ),
        Cohort("xj-collar", 4, ("fur_collar",), "collar_co", (21 * M, 60 * M)),
        Cohort("xj-accessories", 2, ("accessories",), "accessories_co", (21 * M, 50 * M)),
        Cohort("xj-chemicals", 2, ("leather_chemicals",), "chemicals", (25 * M, 200 * M)),
        Cohort("xj-machinery", 2, ("machinery",), "machinery", (21 * M, 60 * M)),
        Cohort("xj-skins", 1, ("sheepskin_hides",), "skins_co", (30 * M, 80 * M)),
        # below designated size
        Cohort("xj-sme-tannery", 14, ("tanning_fur_dressing",), "leather", (4 * M, 19 * M)),
        Cohort("xj-sme-dyeing", 6, ("dyeing_finishing",), "leather", (4 * M, 19 * M)),
        Cohort("xj-sme-chemicals", 4, ("leather_chemicals",), "chemicals", (4 * M, 19 * M)),
        Cohort("xj-sme-machinery", 4, ("machinery",), "machinery", (4 * M, 19 * M)),
        Cohort("xj-design", 2, ("garment_design",), "design", (3 * M, 12 * M)),
        Cohort("xj-brand-sme", 20, ("cutting_sewing", "brands"), "garment", (6 * M, 19.5 * M)),
        Cohort("xj-testing", 1, ("testing",), "testing", (8 * M, 15 * M)),
        Cohort(
            "xj-market",
            1,
            ("leather_city_wholesale",),
            "market",
            (12 * M, 19 * M),
            founded=(1994, 1996),
        ),
        Cohort(
            "xj-livestream",
            1,
            ("livestream",),
            "livestream",
            (10 * M, 19 * M),
            founded=(2020, 2021),
        ),
    ),
    certificates=(
        CertPlan(
            "high_tech",
            6,
            ("xj-leading-tannery", "xj-leading-garment", "xj-tannery", "xj-chemicals"),
        ),
        CertPlan(
            "st_sme",
            89,
            (
                "xj-tannery",
                "xj-dyeing",
                "xj-garment",
                "xj-collar",
                "xj-accessories",
                "xj-chemicals",
                "xj-machinery",
                "xj-skins",
                "xj-sme-tannery",
                "xj-sme-dyeing",
                "xj-sme-chemicals",
                "xj-sme-machinery",
                "xj-design",
                "xj-brand-sme",
            ),
            sme_only=True,
        ),
        CertPlan("public_service_platform", 1, ("xj-testing",)),
        CertPlan("public_service_platform", 1, ("xj-design",)),
        CertPlan("public_service_platform", 1, ("xj-leading-tannery",)),
        CertPlan("academician_workstation", 1, ("xj-leading-tannery",)),
        CertPlan(
            "green_factory_national", 3, ("xj-leading-tannery", "xj-leading-garment", "xj-tannery")
        ),
        CertPlan("green_factory_provincial", 6, ("xj-tannery", "xj-dyeing", "xj-garment")),
        CertPlan("lwg_gold", 2, ("xj-leading-tannery",)),
        CertPlan("lwg_gold", 5, ("xj-tannery",)),
        CertPlan("lwg_silver", 6, ("xj-tannery", "xj-dyeing")),
        CertPlan("lwg_bronze", 4, ("xj-tannery", "xj-sme-tannery")),
        CertPlan("lwg_audited", 3, ("xj-tannery", "xj-sme-tannery")),
        CertPlan("chrome_free", 8, ("xj-leading-tannery", "xj-tannery", "xj-dyeing")),
        CertPlan(
            "specialised_sme",
            8,
            ("xj-tannery", "xj-chemicals", "xj-machinery", "xj-sme-chemicals"),
            sme_only=True,
        ),
        CertPlan(
            "iso9001",
            45,
            (
                "xj-leading-garment",
                "xj-leading-tannery",
                "xj-tannery",
                "xj-dyeing",
                "xj-garment",
                "xj-brand-sme",
            ),
        ),
        CertPlan("iso14001", 22, ("xj-leading-tannery", "xj-tannery", "xj-dyeing")),
    ),
    brands=(
        BrandPlan(
            "well_known_trademark", 7, 7, ("xj-leading-garment", "xj-leading-tannery", "xj-garment")
        ),
        BrandPlan(
            "well_known_brand",
            66,
            58,
            ("xj-leading-garment", "xj-garment", "xj-brand-sme", "xj-tannery"),
        ),
        BrandPlan("ordinary", 40, 36, ("xj-garment", "xj-brand-sme", "xj-tannery", "xj-collar")),
    ),
    outside=(
        OutsidePlan("sheepskin_hides", "xilinhot", 3, "skins_co"),
        OutsidePlan("leather_chemicals", "jingyang", 2, "chemicals"),
        OutsidePlan("leather_chemicals", "nanhai", 1, "chemicals"),
        OutsidePlan("accessories", "dongguan", 2, "accessories_co"),
        OutsidePlan("dyeing_finishing", "lixian", 2, "leather"),
    ),
    purchases={
        "xj-leading-garment": (
            SupplyPlan("dyeing_finishing", 0.5, 0.82, 0.01, 8),
            SupplyPlan("fur_collar", 0.1, 1.0, 0.0, 4),
            SupplyPlan("accessories", 0.12, 0.5, 0.015, 5),
            SupplyPlan("cutting_sewing", 0.24, 1.0, 0.0, 8),
            SupplyPlan("garment_design", 0.04, 1.0, 0.0, 2),
        ),
        "xj-leading-tannery": (
            SupplyPlan("sheepskin_hides", 0.62, 0.45, 0.01, 6),
            SupplyPlan("leather_chemicals", 0.28, 0.45, 0.02, 4),
            SupplyPlan("machinery", 0.06, 1.0, 0.0, 2),
            SupplyPlan("testing", 0.04, 1.0, 0.0, 1),
        ),
    },
    purchase_ratio=(0.55, 0.65),
    growth=0.03,
    targets=(
        (
            2025,
            "output_value",
            100 * BN,
            "千亿级生态皮革服装产业集群",
            "A 100-billion-yuan ecological leather garment cluster",
        ),
        (2025, "above_size_firms", 120, "", ""),
        (2025, "green_factories", 15, "", ""),
        (2025, "chrome_free_share", 0.3, "推进无铬鞣剂替代", "Replace chrome tanning agents"),
        (2025, "well_known_brands", 80, "", ""),
        (2025, "localisation_rate", 0.7, "", ""),
        (2030, "chrome_free_share", 0.6, "", ""),
        (2030, "chain_completeness", 1.0, "", ""),
    ),
    figures=(
        (2020, "above_size_firms", 103),
        (2020, "st_smes", 89),
        (2020, "high_tech", 6),
        (2020, "public_service_platforms", 3),
        (2020, "academician_workstations", 1),
        (2020, "green_factories", 9),
        (2020, "lwg_gold", 7),
        (2020, "well_known_trademarks", 7),
        (2020, "well_known_brands", 66),
        (2019, "brand_campaign", 10 * M),
        (2019, "design_center", 3 * M),
    ),
    figure_source=(
        "China Daily, Hebei Special, 2020-09-21: A hundred billion yuan ecological leather "
        "clothing industry built in Xinji, Hebei"
    ),
    regional_brands=(RegionalBrand("辛集皮革", "Xinji Leather", "G2019130181"),),
    founded=(1990, 2024),
)


# --- Wenzhou: footwear --------------------------------------------------------------------

WENZHOU_SPEC = ClusterSpec(
    slug="wenzhou",
    template="footwear",
    name_zh="温州鹿城鞋业产业集群",
    name_en="Wenzhou (Lucheng) footwear cluster",
    place_zh="浙江省温州市鹿城区",
    place_en="Lucheng District, Wenzhou, Zhejiang",
    industry_zh="鞋业",
    industry_en="Footwear",
    description_zh=(
        "“中国鞋都”：形成了较完善的产业配套生产体系。推行“链主+配套”集群发展模式，推动品牌鞋企外发订单"
        "本地化；引导形成“总部、研发、销售在温州，生产基地在市外”的价值链结构；建设流行趋势发布平台，"
        "淘汰落后产能，推进节能减排与清洁生产。"
    ),
    description_en=(
        "China's shoe capital, with a well-developed supporting production system. The \"leading + "
        "matching\" model localises brand firms' outsourcing orders; headquarters, R&D and sales "
        "stay in Wenzhou while production bases sit outside the city; a trend release platform; "
        "backward capacity eliminated, energy saving and clean production."
    ),
    places=((LUCHENG, 1.0),),
    latitude=LUCHENG.latitude,
    longitude=LUCHENG.longitude,
    province_zh="浙江省",
    styles=_styles(
        shoes=("鞋业", "Shoes", "company"),
        shoes_group=("鞋业", "Shoes", "group"),
        shoes_js=("鞋业", "Shoes", "joint_stock"),
        shoe_factory=("鞋", "Shoe", "factory"),
        shoe_processing=("鞋业加工", "Shoe Processing", "factory"),
        stitching=("鞋面加工", "Shoe Upper Processing", "factory"),
        shoe_shop=("鞋业", "Shoes", "shop"),
        shoe_dept=("鞋", "Shoes", "dept"),
        materials=("鞋材", "Shoe Materials", "company"),
        materials_shop=("鞋材", "Shoe Materials", "shop"),
        leather=("皮革", "Leather", "company"),
        synthetic=("合成革", "Synthetic Leather", "company"),
        soles=("鞋底", "Shoe Soles", "company"),
        soles_factory=("鞋底", "Shoe Soles", "factory"),
        lasts=("鞋楦", "Shoe Lasts", "company"),
        moulds=("模具", "Moulds", "company"),
        adhesives=("胶粘剂", "Adhesives", "company"),
        adhesives_dept=("胶水", "Glue", "dept"),
        accessories=("鞋料", "Shoe Accessories", "shop"),
        accessories_co=("鞋用辅料", "Shoe Accessories", "company"),
        design=("鞋业设计", "Footwear Design", "company"),
        packing=("包装", "Packaging", "company"),
        ecommerce=("电子商务", "E-commerce", "company"),
        import_export=("进出口", "Import and Export", "company"),
        machinery=("鞋机", "Shoe Machinery", "company"),
        machinery_dept=("机械", "Machinery", "dept"),
        testing=("鞋类检测技术", "Footwear Testing Technology", "company"),
        trend=("时尚产业研究", "Fashion Industry Research", "company"),
        retail=("鞋业连锁", "Shoe Chain Stores", "company"),
    ),
    links=(
        LinkPlan(
            "upper_materials",
            ordinary=70,
            styles=(("materials_shop", 0.5), ("materials", 0.3), ("leather", 0.2)),
            supply=0.95,
            utilisation=0.78,
            facility="stall",
        ),
        LinkPlan(
            "soles_heels",
            ordinary=55,
            styles=(("soles_factory", 0.6), ("soles", 0.4)),
            supply=0.98,
            utilisation=0.76,
            categories=(("橡胶底", "rubber soles"), ("PU底", "PU soles"), ("TPR底", "TPR soles")),
        ),
        LinkPlan(
            "lasts_moulds",
            ordinary=1,
            styles=(("lasts", 0.5), ("moulds", 0.5)),
            supply=0.3,
            utilisation=0.88,
        ),
        LinkPlan(
            "adhesives", ordinary=3, styles=(("adhesives_dept", 1),), supply=0.35, utilisation=0.88
        ),
        LinkPlan(
            "accessories",
            ordinary=60,
            styles=(("accessories", 0.7), ("accessories_co", 0.3)),
            supply=1.0,
            facility="stall",
        ),
        LinkPlan("design_rnd", ordinary=25, styles=(("design", 1),), supply=0.9, utilisation=0.78),
        LinkPlan(
            "cutting",
            ordinary=90,
            styles=(("shoe_processing", 0.7), ("shoes", 0.3)),
            supply=1.0,
            utilisation=0.72,
            also=(("upper_stitching", 0.3),),
        ),
        LinkPlan(
            "upper_stitching",
            ordinary=260,
            styles=(("stitching", 0.75), ("shoe_factory", 0.25)),
            supply=1.0,
            utilisation=0.72,
        ),
        LinkPlan(
            "lasting_sole",
            ordinary=120,
            styles=(("shoe_factory", 0.7), ("shoes", 0.3)),
            supply=1.0,
            utilisation=0.72,
            also=(("finishing_packing", 0.3),),
            categories=(
                ("男鞋", "men's shoes"),
                ("女鞋", "women's shoes"),
                ("童鞋", "children's shoes"),
            ),
        ),
        LinkPlan(
            "finishing_packing",
            ordinary=35,
            styles=(("packing", 0.5), ("shoe_factory", 0.5)),
            supply=1.0,
        ),
        LinkPlan(
            "brand_owners",
            ordinary=80,
            styles=(("shoes", 1),),
            supply=1.0,
            categories=(
                ("男鞋", "men's shoes"),
                ("女鞋", "women's shoes"),
                ("童鞋", "children's shoes"),
                ("休闲鞋", "casual shoes"),
            ),
        ),
        LinkPlan(
            "wholesale",
            ordinary=100,
            styles=(("shoe_shop", 0.6), ("shoe_dept", 0.4)),
            output=2_400_000,
            facility="stall",
        ),
        LinkPlan(
            "retail", ordinary=40, styles=(("retail", 0.4), ("shoe_dept", 0.6)), output=1_200_000
        ),
        LinkPlan("ecommerce", ordinary=60, styles=(("ecommerce", 1),), output=1_600_000),
        LinkPlan("export", ordinary=30, styles=(("import_export", 1),), output=1_400_000),
        LinkPlan(
            "shoe_machinery",
            ordinary=20,
            styles=(("machinery", 0.4), ("machinery_dept", 0.6)),
            output=500,
        ),
        LinkPlan("testing_standards", ordinary=2, styles=(("testing", 1),), output=2_000),
        LinkPlan("trend_release", ordinary=3, styles=(("design", 1),), output=40, top_share=0.7),
    ),
    cohorts=(
        Cohort(
            "wz-leading",
            8,
            ("brand_owners", "design_rnd", "retail", "ecommerce", "export", "lasting_sole"),
            "shoes_group",
            (1 * BN, 6 * BN),
            leading=True,
            founded=(1986, 1998),
            member=1.0,
            exporter=0.9,
        ),
        Cohort(
            "wz-brand",
            30,
            ("brand_owners", "lasting_sole"),
            "shoes",
            (25 * M, 400 * M),
            exporter=0.4,
        ),
        Cohort(
            "wz-matching", 25, ("lasting_sole", "finishing_packing"), "shoes", (21 * M, 120 * M)
        ),
        Cohort("wz-stitching", 10, ("upper_stitching",), "shoes", (21 * M, 60 * M)),
        Cohort("wz-cutting", 6, ("cutting", "upper_stitching"), "shoes", (21 * M, 50 * M)),
        Cohort("wz-soles", 5, ("soles_heels",), "soles", (25 * M, 200 * M)),
        Cohort("wz-upper", 6, ("upper_materials",), "synthetic", (25 * M, 300 * M)),
        Cohort("wz-accessories", 3, ("accessories",), "accessories_co", (21 * M, 60 * M)),
        Cohort("wz-adhesives", 1, ("adhesives",), "adhesives", (21 * M, 40 * M)),
        Cohort("wz-machinery", 2, ("shoe_machinery",), "machinery", (21 * M, 100 * M)),
        Cohort("wz-ecommerce", 3, ("ecommerce",), "ecommerce", (21 * M, 200 * M)),
        Cohort("wz-export", 6, ("export",), "import_export", (21 * M, 300 * M), exporter=1.0),
        Cohort("wz-packing", 3, ("finishing_packing",), "packing", (21 * M, 50 * M)),
        # below designated size
        Cohort("wz-lasts", 1, ("lasts_moulds",), "lasts", (8 * M, 18 * M)),
        Cohort("wz-testing", 1, ("testing_standards",), "testing", (10 * M, 19 * M)),
        Cohort("wz-trend", 1, ("trend_release",), "trend", (5 * M, 15 * M), founded=(2012, 2016)),
        Cohort("wz-design", 3, ("design_rnd",), "design", (5 * M, 19 * M)),
        Cohort("wz-sme", 15, ("brand_owners", "lasting_sole"), "shoes", (6 * M, 19 * M)),
    ),
    certificates=(
        CertPlan(
            "high_tech",
            14,
            ("wz-leading", "wz-brand", "wz-soles", "wz-upper", "wz-machinery", "wz-adhesives"),
        ),
        CertPlan(
            "st_sme",
            40,
            (
                "wz-brand",
                "wz-matching",
                "wz-soles",
                "wz-upper",
                "wz-machinery",
                "wz-design",
                "wz-sme",
                "wz-lasts",
                "wz-testing",
            ),
            sme_only=True,
        ),
        CertPlan(
            "specialised_sme",
            9,
            ("wz-brand", "wz-soles", "wz-machinery", "wz-upper"),
            sme_only=True,
        ),
        CertPlan("green_factory_national", 3, ("wz-leading",)),
        CertPlan("green_factory_provincial", 6, ("wz-leading", "wz-brand", "wz-matching")),
        CertPlan("public_service_platform", 1, ("wz-testing",)),
        CertPlan("public_service_platform", 1, ("wz-trend",)),
        CertPlan(
            "iso9001",
            55,
            (
                "wz-leading",
                "wz-brand",
                "wz-matching",
                "wz-soles",
                "wz-upper",
                "wz-stitching",
                "wz-cutting",
                "wz-sme",
            ),
        ),
        CertPlan("iso14001", 20, ("wz-leading", "wz-brand", "wz-upper", "wz-adhesives")),
    ),
    brands=(
        BrandPlan("well_known_trademark", 6, 6, ("wz-leading",)),
        BrandPlan("well_known_brand", 24, 20, ("wz-leading", "wz-brand")),
        BrandPlan("ordinary", 50, 42, ("wz-brand", "wz-sme", "wz-leading")),
    ),
    outside=(
        OutsidePlan("upper_materials", "longwan", 4, "synthetic"),
        OutsidePlan("upper_materials", "jinjiang", 1, "materials"),
        OutsidePlan("soles_heels", "jinjiang", 4, "soles"),
        OutsidePlan("soles_heels", "ruian", 2, "soles"),
        OutsidePlan("lasts_moulds", "ruian", 3, "lasts"),
        OutsidePlan("lasts_moulds", "wenling", 2, "moulds"),
        OutsidePlan("adhesives", "dongguan", 3, "adhesives"),
        OutsidePlan("adhesives", "nanhai", 2, "adhesives"),
        OutsidePlan("adhesives", "jinjiang", 1, "adhesives"),
        OutsidePlan("accessories", "dongguan", 2, "accessories_co"),
        OutsidePlan("upper_stitching", "yongqiao", 2, "shoes"),
        OutsidePlan("lasting_sole", "bishan", 2, "shoes"),
        OutsidePlan("lasting_sole", "nanchang", 2, "shoes"),
        OutsidePlan("shoe_machinery", "wenling", 2, "machinery"),
    ),
    purchases={
        "wz-leading": (
            SupplyPlan("upper_materials", 0.2, 0.35, 0.02, 6),
            SupplyPlan("soles_heels", 0.15, 0.5, 0.02, 6),
            SupplyPlan("lasts_moulds", 0.02, 0.2, 0.01, 3),
            SupplyPlan("adhesives", 0.03, 0.25, 0.01, 3),
            SupplyPlan("accessories", 0.06, 0.6, 0.01, 5),
            SupplyPlan("cutting", 0.06, 1.0, 0.0, 4),
            SupplyPlan("upper_stitching", 0.15, 0.7, 0.03, 8),
            SupplyPlan("lasting_sole", 0.28, 0.5, 0.03, 8),
            SupplyPlan("finishing_packing", 0.05, 1.0, 0.0, 3),
        ),
    },
    purchase_ratio=(0.5, 0.6),
    growth=0.02,
    targets=(
        (
            2025,
            "localisation_rate",
            0.65,
            "品牌企业外发订单本地化",
            "Localise brand firms' outsourcing orders",
        ),
        (
            2025,
            "chain_completeness",
            0.9,
            "补齐鞋楦模具、胶粘剂短板",
            "Close the lasts/moulds and adhesives gaps",
        ),
        (2025, "green_factories", 12, "", ""),
        (2030, "localisation_rate", 0.75, "", ""),
        (2030, "chain_completeness", 1.0, "", ""),
        (
            2030,
            "output_value",
            100 * BN,
            "千亿级时尚鞋业",
            "A 100-billion-yuan fashion footwear industry",
        ),
    ),
    figures=(),
    figure_source="",
    production_bases=("bishan", "nanchang", "yongqiao", "xuanzhou", "wuhou"),
    founded=(1992, 2024),
)


# --- Hechi: mulberry, sericulture, cocoon and silk ----------------------------------------

HECHI_SPEC = ClusterSpec(
    slug="hechi",
    template="cocoon_silk",
    name_zh="河池桑蚕茧丝绸产业集群",
    name_en="Hechi cocoon and silk cluster",
    place_zh="广西壮族自治区河池市（宜州区、环江毛南族自治县）",
    place_en="Hechi, Guangxi (Yizhou District, Huanjiang Maonan Autonomous County)",
    industry_zh="桑园、养蚕、蚕茧与丝绸",
    industry_en="Mulberry, sericulture, cocoon and silk",
    description_zh=(
        "河池高新区桑园面积96万亩，年产鲜茧20.48万吨，茧丝绸企业20家，其中缫丝企业15家，全产业链及"
        "贸易出口总额102.47亿元；约130万农民从事种桑养蚕。目标打造千亿元茧丝绸产业，补齐品牌、设计与"
        "染整短板，借粤桂合作与东盟市场拓展流通渠道。"
    ),
    description_en=(
        "Hechi Hi-tech Zone: 960,000 mu of mulberry, 204,800 t of fresh cocoons a year, 20 "
        "cocoon and silk firms of which 15 reel silk, 10.247 billion yuan across the whole chain "
        "and trade exports; about 1.3 million farmers grow mulberry and rear silkworms. The aim "
        "is a 100-billion-yuan cocoon and silk industry, closing the gaps in brands, design and "
        "dyeing, with Guangdong–Guangxi cooperation and the ASEAN market."
    ),
    places=((YIZHOU, 0.7), (HUANJIANG, 0.3)),
    latitude=24.60,
    longitude=108.45,
    province_zh="广西壮族自治区",
    styles=_styles(
        silk=("茧丝", "Cocoon and Silk", "company"),
        silk_group=("茧丝绸", "Cocoon and Silk", "group"),
        reeling=("丝绸", "Silk", "company"),
        throwing=("丝业", "Silk", "company"),
        weaving=("丝绸织造", "Silk Weaving", "company"),
        dyeing=("丝绸印染", "Silk Dyeing and Printing", "company"),
        products=("丝绸制品", "Silk Products", "company"),
        eggs=("蚕种", "Silkworm Eggs", "state"),
        eggs_co=("蚕业", "Sericulture", "company"),
        sericulture=("桑蚕产业发展", "Sericulture Development", "company"),
        coop=("桑蚕养殖", "Sericulture", "cooperative"),
        farm=("", "", "farm"),
        station=("蚕茧收购", "Cocoon Purchase", "station"),
        cocoon_trade=("蚕茧贸易", "Cocoon Trading", "company"),
        drying=("烘茧", "Cocoon Drying", "station"),
        trade_shop=("丝绸", "Silk", "shop"),
        trade=("丝绸贸易", "Silk Trading", "company"),
        import_export=("进出口", "Import and Export", "company"),
        mushrooms=("桑枝食用菌", "Mulberry-branch Mushroom", "cooperative"),
        pupae=("蚕蛹加工", "Silkworm Pupa Processing", "factory"),
    ),
    links=(
        LinkPlan(
            "silkworm_eggs",
            ordinary=3,
            styles=(("eggs_co", 1),),
            supply=0.9,
            utilisation=0.8,
            top_share=0.65,
        ),
        LinkPlan(
            "mulberry_rearing",
            ordinary=240,
            styles=(("coop", 0.7), ("farm", 0.3)),
            yearly_output=204_800,
            utilisation=0.85,
            fixed=True,
            facility="farm",
        ),
        LinkPlan(
            "cocoon_stations",
            ordinary=80,
            styles=(("station", 1),),
            yearly_output=204_800,
            utilisation=0.8,
            fixed=True,
        ),
        LinkPlan(
            "drying_sorting",
            ordinary=20,
            styles=(("drying", 1),),
            output=204_800 / 12 / 2.6,
            utilisation=0.8,
            fixed=True,
        ),
        LinkPlan("reeling", output=520, utilisation=0.8, fixed=True),
        LinkPlan("throwing", supply=1.3, utilisation=0.8),
        LinkPlan("weaving_knitting", supply=3.0, utilisation=0.75),
        LinkPlan("dyeing_printing", supply=0.3, utilisation=0.85),
        LinkPlan(
            "silk_products",
            supply=1.0,
            utilisation=0.75,
            categories=(
                ("蚕丝被", "silk quilts"),
                ("真丝面料", "silk fabric"),
                ("丝绸服装", "silk garments"),
            ),
        ),
        LinkPlan("brands", output=30_000, utilisation=0.8),
        LinkPlan(
            "circulation_markets",
            ordinary=25,
            styles=(("trade_shop", 0.6), ("trade", 0.4)),
            output=150_000,
        ),
        LinkPlan("export_asean", ordinary=4, styles=(("import_export", 1),), output=120),
        LinkPlan("mulberry_branches", ordinary=15, styles=(("mushrooms", 1),), output=5_000),
        LinkPlan("pupae", ordinary=6, styles=(("pupae", 1),), output=900),
    ),
    cohorts=(
        Cohort(
            "hc-leading",
            4,
            ("reeling", "cocoon_stations", "drying_sorting", "throwing", "export_asean"),
            "silk_group",
            (700 * M, 2 * BN),
            leading=True,
            founded=(1996, 2008),
            member=1.0,
            exporter=0.9,
            places=(0,),
        ),
        Cohort(
            "hc-reeling-brand",
            1,
            ("reeling", "cocoon_stations", "weaving_knitting", "silk_products", "brands"),
            "reeling",
            (80 * M, 300 * M),
            founded=(2002, 2010),
            exporter=0.5,
            places=(0,),
        ),
        Cohort(
            "hc-reeling-quilts",
            2,
            ("reeling", "cocoon_stations", "silk_products"),
            "reeling",
            (50 * M, 250 * M),
            founded=(2003, 2012),
            places=(0,),
        ),
        Cohort(
            "hc-reeling",
            8,
            ("reeling", "cocoon_stations", "drying_sorting"),
            "silk",
            (60 * M, 400 * M),
            founded=(2000, 2016),
            exporter=0.3,
        ),
        Cohort("hc-throwing", 1, ("throwing",), "throwing", (21 * M, 60 * M), places=(0,)),
        Cohort("hc-weaving", 2, ("weaving_knitting",), "weaving", (21 * M, 80 * M), places=(0,)),
        Cohort(
            "hc-dyeing",
            1,
            ("dyeing_printing",),
            "dyeing",
            (10 * M, 19 * M),
            founded=(2016, 2019),
            places=(0,),
        ),
        Cohort(
            "hc-products",
            1,
            ("silk_products", "brands"),
            "products",
            (20.5 * M, 60 * M),
            founded=(2010, 2015),
            places=(0,),
        ),
        Cohort(
            "hc-eggs",
            1,
            ("silkworm_eggs",),
            "eggs",
            (25 * M, 40 * M),
            founded=(1985, 1995),
            places=(0,),
        ),
        Cohort(
            "hc-bases",
            4,
            ("mulberry_rearing",),
            "sericulture",
            (21 * M, 80 * M),
            founded=(2008, 2018),
        ),
        Cohort(
            "hc-cocoon-trade",
            2,
            ("cocoon_stations", "drying_sorting"),
            "cocoon_trade",
            (200 * M, 500 * M),
            founded=(2005, 2012),
        ),
    ),
    certificates=(
        CertPlan("high_tech", 3, ("hc-leading", "hc-reeling-brand")),
        CertPlan(
            "st_sme",
            6,
            (
                "hc-reeling",
                "hc-reeling-quilts",
                "hc-weaving",
                "hc-dyeing",
                "hc-products",
                "hc-throwing",
            ),
            sme_only=True,
        ),
        CertPlan("green_factory_provincial", 2, ("hc-leading",)),
        CertPlan("specialised_sme", 2, ("hc-reeling", "hc-weaving"), sme_only=True),
        CertPlan(
            "iso9001",
            12,
            ("hc-leading", "hc-reeling", "hc-reeling-brand", "hc-reeling-quilts", "hc-weaving"),
        ),
    ),
    brands=(
        BrandPlan("well_known_brand", 2, 2, ("hc-reeling-brand", "hc-products")),
        BrandPlan("ordinary", 6, 5, ("hc-leading", "hc-reeling-quilts", "hc-products")),
    ),
    outside=(
        OutsidePlan("cocoon_stations", "xiangzhou", 2, "cocoon_trade"),
        OutsidePlan("drying_sorting", "liujiang", 2, "cocoon_trade"),
        OutsidePlan("drying_sorting", "xiangzhou", 1, "cocoon_trade"),
        OutsidePlan("throwing", "wujiang", 1, "throwing"),
        OutsidePlan("weaving_knitting", "wujiang", 2, "weaving"),
        OutsidePlan("dyeing_printing", "wuxing", 2, "dyeing"),
        OutsidePlan("dyeing_printing", "wujiang", 1, "dyeing"),
        OutsidePlan("export_asean", "xixiangtang", 2, "import_export"),
    ),
    purchases={
        "hc-leading": (
            SupplyPlan("cocoon_stations", 0.55, 0.88, 0.01, 10),
            SupplyPlan("mulberry_rearing", 0.18, 1.0, 0.0, 12),
            SupplyPlan("drying_sorting", 0.14, 0.6, 0.02, 4),
            SupplyPlan("throwing", 0.05, 0.3, 0.02, 2),
            SupplyPlan("dyeing_printing", 0.05, 0.1, 0.02, 2),
            SupplyPlan("silkworm_eggs", 0.03, 1.0, 0.0, 2),
        ),
    },
    purchase_ratio=(0.6, 0.72),
    growth=0.06,
    targets=(
        (2025, "cocoon_output_t", 210_000, "", ""),
        (
            2025,
            "chain_completeness",
            0.9,
            "补齐品牌、设计、染整短板",
            "Close the brand, design and dyeing gaps",
        ),
        (
            2030,
            "output_value",
            100 * BN,
            "千亿元茧丝绸产业",
            "A 100-billion-yuan cocoon and silk industry",
        ),
        (2030, "mulberry_area_mu", 1_000_000, "", ""),
        (2030, "cocoon_output_t", 250_000, "", ""),
        (2030, "chain_completeness", 1.0, "", ""),
        (2030, "localisation_rate", 0.9, "", ""),
    ),
    figures=(
        (2024, "mulberry_area_mu", 960_000),
        (2024, "cocoon_output_t", 204_800),
        (2024, "cocoon_silk_firms", 20),
        (2024, "reeling_firms", 15),
        (2024, "output_value", 10_247_000_000),
        (2024, "farmers", 1_300_000),
    ),
    figure_source=(
        "China Textile Federation Circulation Branch: Gather Industrial Strength To Promote The "
        "Revitalization Of The Hechi Cocoon And Silk Industry In Guangxi (forum of 20 December)"
    ),
    output_value=(2024, 10_247_000_000),
    ordinary_member=0.5,
    founded=(2000, 2024),
)

CLUSTERS: dict[str, ClusterSpec] = {
    spec.slug: spec for spec in (SHILING_SPEC, XINJI_SPEC, WENZHOU_SPEC, HECHI_SPEC)
}

# Links whose in-cluster firms are "cocoon-and-silk firms" in the Hechi report's sense: the
# processors from reeling on (cooperatives, stations, traders and by-product users are not).
COCOON_SILK_LINKS = ("reeling", "throwing", "weaving_knitting", "dyeing_printing", "silk_products")

# A demo cluster holds at most this many firms: the 100,000-firm benchmark with room to spare.
# `scale` is capped per cluster so none goes beyond it (and the name pools never run out).
MAX_FIRMS = 150_000


def fixed_firms(slug: str) -> int:
    """Firms of a cluster that do not grow with the scale: the cohorts and outside suppliers."""
    spec = CLUSTERS[slug]
    return sum(c.count for c in spec.cohorts) + sum(o.count for o in spec.outside)


def firms_at_scale(slug: str, scale: int) -> int:
    """How many firms the generator makes for a cluster at a scale."""
    return fixed_firms(slug) + scale * sum(plan.ordinary for plan in CLUSTERS[slug].links)


def max_scale(slug: str) -> int:
    """The largest scale that keeps the cluster within MAX_FIRMS firms."""
    per_scale = sum(plan.ordinary for plan in CLUSTERS[slug].links)
    return (MAX_FIRMS - fixed_firms(slug)) // per_scale
