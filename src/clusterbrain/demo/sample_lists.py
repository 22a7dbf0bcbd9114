"""Sample lists of a demo cluster's firms, as they arrive from other hands, for trying the
registry import on the demo: a chamber member list (CSV in GBK, short names, few USCCs, a bad
code, a formula, a row without a name, firms the registry does not know yet) and a brand's
supplier workbook (XLSX, a Chinese sheet with USCCs and an English sheet). Written from the
database, so they match whatever demo data is loaded."""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path

from openpyxl import Workbook

from clusterbrain.engines.resolution.uscc import make_uscc
from clusterbrain.registry.models import Cluster, Enterprise

_REGION_PREFIX = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,3}省)?(?:[\u4e00-\u9fff]{2,4}市)?(?:[\u4e00-\u9fff]{2,3}[区县])?"
    r"(?:[\u4e00-\u9fff]{2,3}[镇乡]|[\u4e00-\u9fff]{2,3}街道)?"
)
_FORMS = (("有限责任公司", "有限公司"), ("有限公司", "厂"), ("有限公司", "有限责任公司"))
_SURNAMES = "陈李黄张王刘林何罗梁周吴郑谢"
_GIVEN = ("志强", "美华", "建国", "丽娟", "伟", "金顺", "国平", "秀英", "海涛", "俊杰")
_NEW_CORES = ("恒昌", "锦鸿", "佳美", "新纪元", "金狮", "宏达源")


def _short_name(name: str, rng: random.Random) -> str:
    short = _REGION_PREFIX.sub("", name) or name
    if rng.random() < 0.5:
        for old, new in _FORMS:
            if short.endswith(old):
                return short[: -len(old)] + new
    return short


def _mobile(rng: random.Random) -> str:
    number = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
    return number if rng.random() < 0.5 else f"{number[:3]}-{number[3:7]}-{number[7:]}"


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def _bad_check_character(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def member_list_rows(cluster: Cluster, rng: random.Random) -> list[list[str]]:
    firms = list(
        Enterprise.objects.filter(cluster=cluster, in_cluster=True)
        .order_by("pk")
        .values_list("name_zh", "uscc", "address_zh", "main_products_zh")[:400]
    )
    picked = rng.sample(firms, min(25, len(firms)))
    rows = []
    for i, (name, uscc, address, products) in enumerate(picked):
        rows.append(
            [
                _short_name(name, rng),
                (uscc or "") if i % 5 == 0 else "",
                _REGION_PREFIX.sub("", address) if rng.random() < 0.5 else address,
                _person(rng),
                _mobile(rng),
                products,
            ]
        )
    place = cluster.place_zh or cluster.name_zh
    for i, core in enumerate(_NEW_CORES):
        rows.append(
            [
                f"{core}皮具{'厂' if i % 2 else '有限公司'}",
                "",
                f"{place}{core}工业园{i + 1}号",
                _person(rng),
                _mobile(rng),
                "女包",
            ]
        )
    code = make_uscc("9", "2", "440114", f"{rng.randrange(10**8):08d}X")
    rows.append(["诚信皮具经营部", _bad_check_character(code), place, _person(rng), "", "钱包"])
    rows.append(['=HYPERLINK("http://example.com","点此")', "", place, "", "", ""])
    rows.append(["", "", place, _person(rng), _mobile(rng), ""])
    return rows


def write_sample_lists(cluster: Cluster, directory: Path, *, seed: int = 7) -> list[Path]:
    """Write the two sample lists of `cluster` into `directory`; returns their paths."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    members = directory / f"{cluster.slug}-chamber-members-gbk.csv"
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["会员单位", "统一社会信用代码", "地址", "负责人", "联系电话", "主营产品"])
    writer.writerows(member_list_rows(cluster, rng))
    members.write_bytes(text.getvalue().encode("gbk", errors="replace"))

    suppliers = directory / f"{cluster.slug}-brand-suppliers.xlsx"
    firms = list(
        Enterprise.objects.filter(cluster=cluster)
        .order_by("-pk")
        .values_list("name_zh", "name_en", "uscc", "address_zh", "address_en")[:200]
    )
    picked = rng.sample(firms, min(18, len(firms)))
    book = Workbook()
    zh = book.active
    zh.title = "皮具供应商"
    zh.append(["供应商名称", "统一社会信用代码", "生产地址"])
    for name, _en, uscc, address, _address_en in picked[:10]:
        zh.append([name, uscc or "", address])
    en = book.create_sheet("Overseas buyer list")
    en.append(["Supplier name", "Address", "Country"])
    for _name, name_en, _uscc, _address, address_en in picked[10:]:
        en.append([name_en.upper() if rng.random() < 0.5 else name_en, address_en, "CN"])
    book.save(suppliers)
    return [members, suppliers]
