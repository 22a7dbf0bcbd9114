"""Demo support programs from the reports (demo.loader calls `load_programs_demo` in the same
transaction as the registry):

- Shiling: the district's fund of at least 50 million yuan a year for upgrading the leather
  goods industry towards a smart-manufacturing highland (report 000);
- Xinji: the 10 million yuan three-year brand campaign "Xinji, capital of leather" and the
  3 million yuan industrial design innovation center (report 001), and the "twenty measures to
  support healthy development of enterprises" of the COVID-19 epidemic (closed);
- Wenzhou: an upgrading fund for the matching suppliers the report wants brand firms to
  localise their outsourcing orders with (report 002; the amount is ours).

Each has a rule over the profile fields, scoring criteria and required documents. A couple of
open environmental violations per cluster make the matching show the "no open environmental
violation" condition failing (one on the firm the demo login `firm-<slug>-3` acts for). Eligible
firms have applications in several states, mostly submitted, for the awards demo to review.
Deterministic for a seed; a reload deletes it with the cluster.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from clusterbrain.engines.rules import compile_rule
from clusterbrain.green.models import EnvironmentalViolation
from clusterbrain.programs.eligibility import verdict_snapshot
from clusterbrain.programs.models import (
    DOCUMENT_TYPES,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ProgramCriterion,
    ProgramDocument,
    SupportProgram,
)
from clusterbrain.programs.profiles import profile_fields, profile_frame
from clusterbrain.registry.models import Cluster, Enterprise

M = 1_000_000

PLAN = ("plan", "项目实施方案", "Project plan", ["pdf"], 10, True)
LICENCE = ("licence", "营业执照", "Business licence", ["pdf", "jpg", "png"], 5, True)
BUDGET = ("budget", "项目投资预算表", "Investment budget", ["xlsx", "pdf"], 5, True)
EVIDENCE = ("evidence", "其他证明材料", "Other evidence", ["pdf", "jpg", "png"], 10, False)

UPGRADE_CRITERIA = (
    ("technology", "技术先进性与智能化水平", "Technology and smart manufacturing", 35, 10),
    ("green", "绿色低碳效益", "Green and low-carbon benefit", 25, 10),
    ("output", "新增产值与带动效应", "Added output and spill-over", 25, 10),
    ("feasibility", "实施可行性", "Feasibility", 15, 10),
)

# (cluster, code, zh, en, description zh, description en, budget, max award, status,
#  period (start, end), window (open, close) as day offsets from today or dates, rule,
#  criteria, documents)
PROGRAMS: dict[str, list[dict[str, Any]]] = {
    "shiling": [
        {
            "code": "upgrade-fund",
            "name_zh": "狮岭皮革皮具产业转型升级专项资金（智能制造与绿色化改造）",
            "name_en": "Shiling leather goods upgrading fund (smart manufacturing and green)",
            "description_zh": (
                "花都区每年安排不少于5000万元财政资金，支持狮岭皮革皮具产业转型升级，"
                "2030年建成“创新、时尚、数字、绿色”的全国皮革皮具智能制造高地。"
                "本年度支持规上企业的智能化、数字化和绿色化改造项目。"
            ),
            "description_en": (
                "Huadu District appropriates at least 50 million yuan a year for upgrading "
                "Shiling's leather goods industry, to make it a smart-manufacturing highland of "
                "innovative, fashionable, digital and green leather goods by 2030. This year's "
                "round supports smart, digital and green upgrading projects of firms above "
                "designated size."
            ),
            "budget": 50 * M,
            "max_award": 3 * M,
            "status": "open",
            "period": ("year_start", "year_end"),
            "window": (-30, 45),
            "rule": (
                "in_cluster and above_designated_size\n"
                'and ("brand_oem" in chain_links or "sewing" in chain_links\n'
                '     or "cutting" in chain_links or "tanning" in chain_links)\n'
                "and not open_environmental_violation   # 无未结案环境违法\n"
                "and years_in_operation >= 2"
            ),
            "criteria": UPGRADE_CRITERIA,
            "documents": (PLAN, LICENCE, BUDGET, EVIDENCE),
            "applications": 9,
        },
    ],
    "xinji": [
        {
            "code": "capital-of-leather",
            "name_zh": "“辛集·皮革之都”品牌宣传三年行动",
            "name_en": '"Xinji, capital of leather" three-year brand campaign',
            "description_zh": (
                "辛集市投入1000万元实施“辛集·皮革之都”三年宣传行动，支持会员企业自主品牌"
                "参加国内外知名展会、广告宣传和品牌推广。"
            ),
            "description_en": (
                'Xinji invests 10 million yuan in the three-year campaign "Xinji, capital of '
                "leather\": member firms' own brands at well-known exhibitions at home and "
                "abroad, advertising and brand promotion."
            ),
            "budget": 10 * M,
            "max_award": 500_000,
            "status": "open",
            "period": ("year_start", "year_end"),
            "window": (-20, 60),
            "rule": (
                'is_member and ("brands" in chain_links or brand_count >= 1)\n'
                "and not open_environmental_violation"
            ),
            "criteria": (
                ("brand", "品牌影响力", "Brand reach", 40, 10),
                ("plan", "推广方案质量", "Quality of the promotion plan", 35, 10),
                ("export", "出口与展会表现", "Exports and exhibitions", 25, 10),
            ),
            "documents": (PLAN, LICENCE, EVIDENCE),
            "applications": 7,
        },
        {
            "code": "design-center",
            "name_zh": "辛集皮革工业设计创新中心设计服务补贴",
            "name_en": "Xinji leather industrial design innovation center: design service grants",
            "description_zh": (
                "依托投资300万元建设的工业设计创新中心，支持中小企业购买设计研发服务、"
                "开发新款式，解决行业共性技术难题。"
            ),
            "description_en": (
                "Through the industrial design innovation center built with 3 million yuan, "
                "grants for small and medium firms buying design and R&D services and "
                "developing new styles."
            ),
            "budget": 3 * M,
            "max_award": 200_000,
            "status": "open",
            "period": ("year_start", "year_end"),
            "window": (-10, 80),
            "rule": (
                'size_class in ["medium", "small", "micro"]\n'
                'and ("cutting_sewing" in chain_links or "brands" in chain_links)\n'
                "and not open_environmental_violation"
            ),
            "criteria": (
                ("design", "设计创新性", "Design novelty", 50, 10),
                ("market", "市场前景", "Market prospects", 30, 10),
                ("cost", "经费合理性", "Reasonable costs", 20, 10),
            ),
            "documents": (PLAN, BUDGET),
            "applications": 6,
        },
        {
            "code": "twenty-measures",
            "name_zh": "支持企业健康发展“二十条”措施（疫情纾困）",
            "name_en": '"Twenty measures" to support the healthy development of enterprises',
            "description_zh": ("新冠肺炎疫情期间出台，帮助皮革企业减税降费、降低成本、复工复产。"),
            "description_en": (
                "Issued during the COVID-19 epidemic: lower taxes, fees and costs and help "
                "leather firms resume production."
            ),
            "budget": 20 * M,
            "max_award": 300_000,
            "status": "closed",
            "period": (datetime.date(2020, 2, 15), datetime.date(2020, 12, 31)),
            "window": (datetime.date(2020, 3, 1), datetime.date(2020, 6, 30)),
            "rule": "in_cluster and employees >= 10",
            "criteria": (("hardship", "受疫情影响程度", "Hardship from the epidemic", 100, 10),),
            "documents": (LICENCE,),
            "applications": 0,
        },
    ],
    "wenzhou": [
        {
            "code": "matching-upgrade",
            "name_zh": "鞋业配套企业提升与订单本地化专项",
            "name_en": "Footwear matching suppliers: upgrading and localised orders",
            "description_zh": (
                "鼓励品牌企业外发订单本地化，支持本地配套企业提升研发设计、质量和准时交付"
                "能力，淘汰落后产能、推进清洁生产。"
            ),
            "description_en": (
                "Brand firms are to localise their outsourcing orders: grants for local "
                "matching suppliers raising their design, quality and on-time delivery, "
                "retiring backward capacity and producing cleaner."
            ),
            "budget": 8 * M,
            "max_award": 400_000,
            "status": "open",
            "period": ("year_start", "year_end"),
            "window": (-15, 60),
            "rule": (
                '("lasting_sole" in chain_links or "upper_stitching" in chain_links\n'
                ' or "cutting" in chain_links or "finishing_packing" in chain_links)\n'
                "and not is_leading\n"
                "and not open_environmental_violation\n"
                "and (on_time_delivery_rate >= 90% or on_time_delivery_rate is unknown)"
            ),
            "criteria": UPGRADE_CRITERIA,
            "documents": (PLAN, LICENCE, BUDGET),
            "applications": 6,
        },
    ],
}

VIOLATIONS = (
    ("区生态环境局", "废水排放口总铬超标，责令限期整改。"),
    ("区生态环境局", "危险废物（含铬污泥）贮存不规范，已立案。"),
)
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _day(value: Any, today: datetime.date) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    if value == "year_start":
        return today.replace(month=1, day=1)
    if value == "year_end":
        return today.replace(month=12, day=31)
    return today + datetime.timedelta(days=int(value))


def demo_user_firm(cluster: Cluster) -> Enterprise | None:
    """The firm of the demo login `firm-<slug>-3` (demo.users picks it by the same query)."""
    firms = Enterprise.objects.filter(cluster=cluster, in_cluster=True).order_by("pk")
    return (
        firms.filter(is_member=True, above_designated_size=False, is_leading=False)
        .exclude(legal_form=Enterprise.LegalForm.SOLE_PROPRIETOR)
        .first()
        or firms.filter(above_designated_size=False).first()
    )


def _violations(cluster: Cluster, rng: random.Random, today: datetime.date) -> None:
    firms = list(
        Enterprise.objects.filter(cluster=cluster, in_cluster=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not firms:
        return
    chosen: list[int] = []
    user_firm = demo_user_firm(cluster)
    if user_firm is not None:
        chosen.append(user_firm.pk)
    others = [pk for pk in firms if pk not in chosen]
    chosen += rng.sample(others, min(len(others), 3 - len(chosen)))
    rows = []
    for i, pk in enumerate(chosen):
        authority, text = VIOLATIONS[i % len(VIOLATIONS)]
        found = today - datetime.timedelta(days=rng.randint(20, 200))
        closed = i == len(chosen) - 1  # the last one was put right: closed, not counted
        rows.append(
            EnvironmentalViolation(
                enterprise_id=pk,
                authority=authority,
                found_on=found,
                description=text,
                status="closed" if closed else "open",
                closed_on=found + datetime.timedelta(days=15) if closed else None,
                is_demo=True,
            )
        )
    EnvironmentalViolation.objects.bulk_create(rows)


def _program(cluster: Cluster, spec: dict[str, Any], today: datetime.date) -> SupportProgram:
    rule = compile_rule(spec["rule"], profile_fields(cluster))
    program = SupportProgram.objects.create(
        cluster=cluster,
        code=spec["code"],
        name_zh=spec["name_zh"],
        name_en=spec["name_en"],
        description_zh=spec["description_zh"],
        description_en=spec["description_en"],
        budget=Decimal(spec["budget"]),
        max_award=Decimal(spec["max_award"]),
        period_start=_day(spec["period"][0], today),
        period_end=_day(spec["period"][1], today),
        applications_open=_day(spec["window"][0], today),
        applications_close=_day(spec["window"][1], today),
        status=spec["status"],
        eligibility_rule=spec["rule"],
        eligibility_canonical=rule.canonical,
        is_demo=True,
    )
    ProgramCriterion.objects.bulk_create(
        ProgramCriterion(
            program=program,
            key=key,
            name_zh=zh,
            name_en=en,
            weight=Decimal(weight),
            max_score=top,
            position=i,
        )
        for i, (key, zh, en, weight, top) in enumerate(spec["criteria"])
    )
    ProgramDocument.objects.bulk_create(
        ProgramDocument(
            program=program,
            key=key,
            name_zh=zh,
            name_en=en,
            allowed_types=types,
            max_size_mb=mb,
            required=required,
            position=i,
        )
        for i, (key, zh, en, types, mb, required) in enumerate(spec["documents"])
    )
    return program


def _applications(
    program: SupportProgram, count: int, rng: random.Random, frame: Any, now: datetime.datetime
) -> int:
    if not count:
        return 0
    rule = compile_rule(program.eligibility_rule, profile_fields(program.cluster))
    eligible = frame.filter(rule.evaluate_frame(frame))
    ids = sorted(eligible.get_column("enterprise_id").to_list())
    chosen = rng.sample(ids, min(count, len(ids)))
    profiles = {row["enterprise_id"]: row for row in eligible.iter_rows(named=True)}
    documents = [d for d in program.documents.all() if d.required]
    # most submitted (for review), one draft and one withdrawn to show the states
    states = [Application.Status.SUBMITTED] * len(chosen)
    if len(chosen) >= 4:
        states[-1] = Application.Status.DRAFT
        states[-2] = Application.Status.WITHDRAWN
    cap = int(program.max_award or program.budget)
    for pk, status in zip(chosen, states, strict=True):
        profile = {k: v for k, v in profiles[pk].items() if k != "enterprise_id"}
        verdict = rule.evaluate(profile)
        created = now - datetime.timedelta(days=rng.randint(8, 25), hours=rng.randint(0, 9))
        submitted = created + datetime.timedelta(days=rng.randint(1, 6))
        amount = Decimal(rng.randrange(cap // 5, cap + 1, 10_000))
        application = Application.objects.create(
            program=program,
            enterprise_id=pk,
            requested_amount=amount,
            project=rng.choice(PROJECTS),
            status=status,
            submitted_at=None if status == Application.Status.DRAFT else submitted,
            profile_snapshot={} if status == Application.Status.DRAFT else profile,
            verdict_snapshot={}
            if status == Application.Status.DRAFT
            else verdict_snapshot(rule, verdict),
            is_demo=True,
        )
        events = [ApplicationEvent(application=application, from_status="", to_status="draft")]
        if status != Application.Status.DRAFT:
            events.append(
                ApplicationEvent(
                    application=application, from_status="draft", to_status="submitted"
                )
            )
        if status == Application.Status.WITHDRAWN:
            events.append(
                ApplicationEvent(
                    application=application,
                    from_status="submitted",
                    to_status="withdrawn",
                    note="项目推迟到明年",
                )
            )
        ApplicationEvent.objects.bulk_create(events)
        # the stored times tell the story: created, then submitted, then withdrawn
        for i, event in enumerate(events):
            at = created if i == 0 else submitted + datetime.timedelta(days=i - 1)
            ApplicationEvent.objects.filter(pk=event.pk).update(at=at)
        Application.objects.filter(pk=application.pk).update(created_at=created)
        for document in documents:
            kind = document.allowed_types[0]
            content = MINIMAL_PDF if kind == "pdf" else _xlsx() if kind == "xlsx" else MINIMAL_PDF
            if kind not in ("pdf", "xlsx"):
                kind = "pdf"
            stored = ApplicationDocument(
                application=application,
                document=document,
                original_name=f"{document.key}.{kind}",
                file_type=kind,
                content_type=DOCUMENT_TYPES[kind],
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
            )
            stored.file.save("upload", ContentFile(content), save=False)
            stored.save()
    return len(chosen)


def _xlsx() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


PROJECTS = (
    "智能裁断与自动缝制生产线改造",
    "MES 生产管理系统与车间数字化",
    "无铬鞣制与废水深度处理改造",
    "屋顶光伏与空压机节能改造",
    "自主品牌新品设计与国内外展会推广",
    "设计研发中心建设与新款开发",
)


def load_programs_demo(cluster: Cluster, *, seed: int, today: datetime.date | None = None) -> int:
    """Write the cluster's demo programs, violations and applications; returns the number of
    applications (0 for a cluster without programs in the reports)."""
    specs = PROGRAMS.get(cluster.slug)
    if specs is None:
        return 0
    today = today or timezone.localdate()
    now = timezone.now()
    rng = random.Random(f"programs:{cluster.slug}:{seed}")
    _violations(cluster, rng, today)
    frame = profile_frame(Enterprise.objects.filter(cluster=cluster), today=today)
    written = 0
    for spec in specs:
        program = _program(cluster, spec, today)
        if program.status == SupportProgram.Status.OPEN:
            written += _applications(program, spec["applications"], rng, frame, now)
    return written
