"""Demo licences of the regional brands (demo.loader calls `load_brand_demo` in the same
transaction as the registry): Shiling's "Shiling Leather" licensed to eight member firms (one
expired, one suspended). Xinji's brand has no registered countries in the seeds, so nothing
can be licensed for it. The demo's own logins firm-<slug>-2 and -3 hold a
licence each, so they see it on their page.

Codes are drawn from a generator seeded by the cluster's seed and carry a fixed year: the same
demo gives the same codes from load to load, whatever the day, so a printed verification address
keeps working (real grants use `secrets` and the year of the licence's first day).
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from clusterbrain.brand import codes
from clusterbrain.brand.models import BrandLicence, LicenceEvent, LicenceStatus
from clusterbrain.registry.models import Brand, Cluster, Enterprise

# products (zh / en in one text), countries
PLANS = {
    "shiling": [
        (["手袋 Handbags", "钱包 Wallets"], ["CN", "US", "GB", "DE", "FR", "IT"]),
        (["拉杆箱 Trolley cases", "背包 Backpacks"], ["CN", "AE", "SA", "TR", "RU"]),
        (["皮带 Belts", "钱包 Wallets"], ["CN", "JP", "KR"]),
        (["手袋 Handbags"], ["CN", "TH", "VN", "MY", "ID"]),
        (["背包 Backpacks", "旅行袋 Travel bags"], ["CN", "AU", "BR"]),
        (["手袋 Handbags", "卡包 Card holders"], ["CN", "ES", "IT"]),
        (["公文包 Briefcases"], ["CN", "DE", "GB"]),
        (["拉杆箱 Trolley cases"], ["CN", "US"]),
    ],
}
DEMO_CODE_YEAR = 2025
TERMS = (
    "使用区域品牌须符合协会《区域品牌使用管理办法》及产品质量标准；许可不得转让。\n"
    "Use of the regional brand follows the association's rules and quality standard; the "
    "licence is not transferable."
)


def _licensees(cluster: Cluster, count: int) -> list[Enterprise]:
    """Member firms of the cluster, the demo logins' firms (firm-<slug>-2: a member sharing its
    figures; -3: a small member) among the first, then others by id."""
    members = Enterprise.objects.filter(cluster=cluster, in_cluster=True, is_member=True)
    first = [
        members.filter(
            is_leading=False, above_designated_size=True, shares_with_association=True
        ).order_by("pk"),
        members.filter(above_designated_size=False, is_leading=False)
        .exclude(legal_form=Enterprise.LegalForm.SOLE_PROPRIETOR)
        .order_by("pk"),
    ]
    chosen: list[Enterprise] = []
    for qs in first:
        firm = qs.first()
        if firm is not None and firm not in chosen:
            chosen.append(firm)
    for firm in members.order_by("pk")[: count * 3]:
        if len(chosen) >= count:
            break
        if firm not in chosen:
            chosen.append(firm)
    return chosen[:count]


def load_brand_demo(cluster: Cluster, *, seed: int) -> None:
    plans = PLANS.get(cluster.slug)
    brand = Brand.objects.filter(cluster=cluster, is_regional=True).order_by("pk").first()
    if not plans or brand is None:
        return
    rng = random.Random(f"brand-{cluster.slug}-{seed}")
    today = timezone.localdate()
    registered = list(brand.countries_registered or ())
    if not registered:
        return
    prefix = codes.prefix_for(brand.name_en, cluster.slug)
    granted_at = timezone.now() - datetime.timedelta(days=400)
    for i, (firm, (products, countries)) in enumerate(
        zip(_licensees(cluster, len(plans)), plans, strict=False)
    ):
        valid_from = today - datetime.timedelta(days=400 - 20 * i)
        valid_until = valid_from + datetime.timedelta(days=3 * 365)
        status, reason = LicenceStatus.ACTIVE, ""
        if i == len(plans) - 1 and len(plans) > 3:  # the last one ran out a month ago
            valid_until = today - datetime.timedelta(days=30)
        if i == len(plans) - 2 and len(plans) > 3:
            status = LicenceStatus.SUSPENDED
            reason = "抽检不合格，整改期间暂停 / Failed a quality spot check; suspended until fixed"
        licence = BrandLicence.objects.create(
            brand=brand,
            licensee=firm,
            code=codes.new_code(prefix, DEMO_CODE_YEAR, rng),
            terms=TERMS,
            products=products,
            countries=[c for c in countries if c in registered] or registered[:1],
            valid_from=valid_from,
            valid_until=valid_until,
            status=status,
            status_reason=reason,
        )
        at = granted_at + datetime.timedelta(days=20 * i)
        events = [
            LicenceEvent(
                licence=licence,
                action=LicenceEvent.Action.GRANTED,
                at=at,
                valid_until=valid_until,
            )
        ]
        if status == LicenceStatus.SUSPENDED:
            events.append(
                LicenceEvent(
                    licence=licence,
                    action=LicenceEvent.Action.SUSPENDED,
                    at=timezone.now() - datetime.timedelta(days=12),
                    reason=reason,
                    valid_until=valid_until,
                )
            )
        LicenceEvent.objects.bulk_create(events)
