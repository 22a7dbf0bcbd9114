"""Demo exhibition groups of Xinji, whose report names "exhibition groups at home and abroad"
(demo.loader calls `load_exhibitions_demo` in the same transaction as the registry):

- a past domestic fair (China International Leather Fair, Haining): twelve firms signed up,
  booths allocated by the same rule as the page's button, leads recorded by each firm;
- an upcoming fair abroad (LINEAPELLE, Milan) open for sign-up, with a booth plan and five
  firms signed up, not yet allocated.

The demo logins' firms (firm-xinji-1..3) exhibit at the past fair, so each sees its booth and
its own leads; firm-xinji-3 has not yet signed up for Milan, so it can try the form.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from clusterbrain.exhibitions.models import Booth, Exhibition, FollowUp, Interest, Lead, SignUp
from clusterbrain.exhibitions.services import run_allocation
from clusterbrain.registry.models import Cluster, Enterprise

PRODUCTS = ["皮衣 Leather jackets", "裘皮领 Fur collars", "羊剪绒 Shearling coats", "皮裤 Trousers"]
BUYERS = [
    ("Moskva Kozha OOO", "RU"),
    ("Seoul Leather Trading", "KR"),
    ("Osaka Apparel K.K.", "JP"),
    ("Lederhaus Berlin GmbH", "DE"),
    ("Pelletteria Fiorentina srl", "IT"),
    ("Almaty Fur Market", "KZ"),
    ("Ulaanbaatar Cashmere & Leather", "MN"),
    ("NY Outerwear Inc.", "US"),
    ("哈尔滨皮草城", "CN"),
    ("北京雅宝路服装批发", "CN"),
    ("Istanbul Deri A.S.", "TR"),
    ("Warsaw Fashion Import", "PL"),
]


def _plan(exhibition: Exhibition, zones: dict[str, tuple[int, str]]) -> None:
    booths = []
    for zone, (count, area) in zones.items():
        for n in range(1, count + 1):
            booths.append(
                Booth(
                    exhibition=exhibition,
                    code=f"{zone}{n:02d}",
                    area_m2=Decimal(area),
                    zone=zone,
                    corner=n in (1, count),
                )
            )
    Booth.objects.bulk_create(booths)


def _firms(cluster: Cluster, count: int) -> list[Enterprise]:
    """The demo logins' firms first (as demo.users picks them), then members by id."""
    firms = Enterprise.objects.filter(cluster=cluster, in_cluster=True).order_by("pk")
    picks = [
        firms.filter(is_leading=True).first(),
        firms.filter(
            is_leading=False,
            above_designated_size=True,
            is_member=True,
            shares_with_association=True,
        ).first(),
        firms.filter(is_member=True, above_designated_size=False, is_leading=False)
        .exclude(legal_form=Enterprise.LegalForm.SOLE_PROPRIETOR)
        .first(),
    ]
    chosen = [f for i, f in enumerate(picks) if f is not None and f not in picks[:i]]
    for firm in firms.filter(is_member=True)[: count * 2]:
        if len(chosen) >= count:
            break
        if firm not in chosen:
            chosen.append(firm)
    return chosen[:count]


def load_exhibitions_demo(cluster: Cluster, *, seed: int) -> None:
    if cluster.slug != "xinji":
        return
    rng = random.Random(f"exhibitions-{seed}")
    today = timezone.localdate()
    now = timezone.now()
    past = Exhibition.objects.create(
        cluster=cluster,
        name_zh="中国（海宁）国际皮革博览会 辛集展团",
        name_en="China International Leather Fair (Haining): Xinji group",
        venue="海宁中国皮革城会展中心",
        city_zh="海宁",
        city_en="Haining",
        country="CN",
        scope="domestic",
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today - datetime.timedelta(days=57),
        signup_deadline=today - datetime.timedelta(days=90),
        booth_fee=Decimal("6800.00"),
        description_zh="协会组织会员企业集中参展，统一形象“辛集皮革”。",
        description_en="The association's delegation of member firms as Xinji Leather.",
    )
    _plan(past, {"A": (8, "9"), "B": (6, "18"), "C": (8, "9")})
    firms = _firms(cluster, 12)
    zones = ["A", "B", "C", ""]
    signed = past.signup_deadline - datetime.timedelta(days=40)
    signups = []
    for i, firm in enumerate(firms):
        signups.append(
            SignUp(
                exhibition=past,
                enterprise=firm,
                booths_requested=2 if i % 4 == 0 else 1,
                area_requested=Decimal(18) if i % 4 == 0 else None,
                products=rng.sample(PRODUCTS, 2),
                preferred_zone=zones[i % 4],
                signed_up_at=timezone.make_aware(
                    datetime.datetime.combine(
                        signed + datetime.timedelta(days=2 * i), datetime.time(10)
                    )
                ),
            )
        )
    SignUp.objects.bulk_create(signups)
    run_allocation(past)
    past.allocated_at = now - datetime.timedelta(days=80)
    past.save(update_fields=["allocated_at"])
    leads = []
    for s in SignUp.objects.filter(exhibition=past):
        for _ in range(rng.randint(3, 9)):
            company, country = rng.choice(BUYERS)
            leads.append(
                Lead(
                    signup=s,
                    buyer_company=company,
                    country=country,
                    contact_name=rng.choice(["Anna", "Kim", "Sato", "Müller", "Rossi", "王经理"]),
                    contact_email=f"buyer{rng.randint(100, 999)}@example.com",
                    interest=rng.choice(Interest.values),
                    products=rng.sample(PRODUCTS, 1),
                    follow_up=rng.choice(FollowUp.values),
                )
            )
    Lead.objects.bulk_create(leads)

    milan = Exhibition.objects.create(
        cluster=cluster,
        name_zh="意大利米兰国际皮革展（LINEAPELLE）辛集展团",
        name_en="LINEAPELLE Milan: Xinji group",
        venue="Fiera Milano Rho",
        city_zh="米兰",
        city_en="Milan",
        country="IT",
        scope="abroad",
        starts_on=today + datetime.timedelta(days=75),
        ends_on=today + datetime.timedelta(days=77),
        signup_deadline=today + datetime.timedelta(days=30),
        booth_fee=Decimal("32000.00"),
        description_zh="中国皮革展区集中布展，协会统一报关运输。",
        description_en="A joint Chinese leather pavilion; the association handles shipping.",
    )
    _plan(milan, {"H1": (6, "12"), "H2": (6, "16")})
    others = [f for f in firms if f != firms[2]] if len(firms) > 2 else firms
    SignUp.objects.bulk_create(
        SignUp(
            exhibition=milan,
            enterprise=firm,
            booths_requested=1,
            products=rng.sample(PRODUCTS, 2),
            preferred_zone="H1" if i % 2 else "H2",
            signed_up_at=now - datetime.timedelta(days=10 - i),
        )
        for i, firm in enumerate(others[:5])
    )
