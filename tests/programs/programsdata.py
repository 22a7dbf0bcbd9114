"""A program of cluster `alpha` (tests/conftest.py `world`) that `own` qualifies for and
`other` does not (an open environmental violation), written through the services."""

from __future__ import annotations

import datetime
import io
import zipfile
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

RULE = """size_class in ["micro", "small", "medium"]   # SMEs only
and "tanning" in chain_links
and not open_environmental_violation
and revenue >= 10_000_000"""

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def program_data(**changes: object) -> dict[str, object]:
    today = timezone.localdate()
    data: dict[str, object] = {
        "code": "upgrade-2026",
        "name_zh": "智能化绿色化改造专项资金",
        "name_en": "Smart and green upgrading fund",
        "description_zh": "支持中小企业技术改造。",
        "description_en": "Supports SMEs' upgrading projects.",
        "budget": "50000000",
        "max_award": "2000000",
        "period_start": str(today.replace(month=1, day=1)),
        "period_end": str(today.replace(month=12, day=31)),
        "applications_open": str(today - datetime.timedelta(days=10)),
        "applications_close": str(today + datetime.timedelta(days=30)),
        "eligibility_rule": RULE,
        "criteria": [
            {"key": "technology", "name_zh": "技术先进性", "name_en": "Technology", "weight": 40},
            {"key": "green", "name_zh": "绿色效益", "name_en": "Green benefit", "weight": 60},
        ],
        "documents": [
            {
                "key": "plan",
                "name_zh": "项目方案",
                "name_en": "Project plan",
                "allowed_types": ["pdf"],
                "max_size_mb": 1,
                "required": True,
            },
            {
                "key": "budget_sheet",
                "name_zh": "预算表",
                "name_en": "Budget sheet",
                "allowed_types": ["xlsx"],
                "max_size_mb": 1,
                "required": False,
            },
        ],
    }
    data.update(changes)
    return data


def build_program(world: SimpleNamespace, *, open_it: bool = True) -> SimpleNamespace:
    from clusterbrain.green.services import record_violation
    from clusterbrain.programs import services

    program = services.save_program(world.users.office, world.a, program_data())
    if open_it:
        services.set_program_status(world.users.office, program, "open")
    record_violation(
        world.users.office,
        world.other,
        {"authority": "区生态环境局", "found_on": str(timezone.localdate())},
    )
    return SimpleNamespace(world=world, program=program)
