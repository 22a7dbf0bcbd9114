"""Small data for tests: plain functions that create and return saved objects.

Each takes the few things a test cares about and fills the rest with valid defaults, so a test
reads as what it sets up. `tiny_leather_template()` and `tiny_silk_template()` build their own
chain templates: tests never depend on the demo generator.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from clusterbrain.accounts.models import Role, User
from clusterbrain.chains.models import ChainEdge, ChainLink, ChainTemplate
from clusterbrain.engines.resolution.uscc import make_uscc
from clusterbrain.registry.models import (
    Brand,
    Certification,
    Cluster,
    ClusterFigure,
    ClusterTarget,
    Enterprise,
    EnterpriseRole,
    EnterpriseYear,
    Facility,
    SupplyRelation,
)

PASSWORD = "test-password-4711"
_counter = itertools.count(1)


def _next() -> int:
    return next(_counter)


def new_uscc(division: str = "440114") -> str:
    """A valid, unique unified social credit code."""
    return make_uscc("9", "1", division, f"{_next():08d}X")


# --- chain templates -------------------------------------------------------------------------

# (code, zh, en, kind, stage, unit)
LEATHER_LINKS = [
    ("hides", "原皮", "Raw hides", "core", 0, "pieces"),
    ("tanning", "鞣制", "Tanning", "core", 1, "sq m"),
    ("cutting", "裁断", "Cutting", "core", 2, "pieces"),
    ("sewing", "车缝", "Sewing and assembly", "core", 3, "pieces"),
    ("machinery", "机械", "Machinery", "support", 0, "units"),
]
# upstream → downstream, coefficient (upstream units per downstream unit)
LEATHER_EDGES = [
    ("hides", "tanning", 0.5),
    ("tanning", "cutting", 2.0),
    ("cutting", "sewing", 1.0),
    ("machinery", "sewing", None),
]
SILK_LINKS = [
    ("cocoon_stations", "蚕茧收购", "Cocoon purchase", "core", 0, "t"),
    ("reeling", "缫丝", "Reeling", "core", 1, "t"),
    ("weaving_knitting", "织造", "Weaving", "core", 2, "m"),
]
SILK_EDGES = [("cocoon_stations", "reeling", 5.0), ("reeling", "weaving_knitting", 0.01)]


def chain_template(
    slug: str,
    links: list[tuple[str, str, str, str, int, str]],
    edges: list[tuple[str, str, float | None]],
) -> ChainTemplate:
    template = ChainTemplate.objects.create(
        slug=slug, name_zh=f"{slug}链", name_en=f"{slug} chain", industry=slug
    )
    by_code = {}
    for code, zh, en, kind, stage, unit in links:
        by_code[code] = ChainLink.objects.create(
            template=template, code=code, name_zh=zh, name_en=en, kind=kind, stage=stage, unit=unit
        )
    for up, down, coefficient in edges:
        ChainEdge.objects.create(
            template=template,
            upstream=by_code[up],
            downstream=by_code[down],
            input_coefficient=coefficient,
        )
    return template


def tiny_leather_template(slug: str | None = None) -> ChainTemplate:
    return chain_template(slug or f"leather-{_next()}", LEATHER_LINKS, LEATHER_EDGES)


def tiny_silk_template(slug: str | None = None) -> ChainTemplate:
    return chain_template(slug or f"silk-{_next()}", SILK_LINKS, SILK_EDGES)


# --- registry --------------------------------------------------------------------------------


def cluster(
    slug: str | None = None, template: ChainTemplate | None = None, **fields: Any
) -> Cluster:
    n = _next()
    values: dict[str, Any] = {
        "slug": slug or f"cluster-{n}",
        "name_zh": f"集群{n}",
        "name_en": f"Cluster {n}",
        "chain_template": template or tiny_leather_template(),
        "admin_division_codes": ["440114"],
    }
    values.update(fields)
    return Cluster.objects.create(**values)


def enterprise(cluster: Cluster, **fields: Any) -> Enterprise:
    n = _next()
    values: dict[str, Any] = {
        "cluster": cluster,
        "uscc": new_uscc(),
        "name_zh": f"企业{n:05d}",
        "name_en": f"Firm {n:05d}",
    }
    values.update(fields)
    return Enterprise.objects.create(**values)


def link(cluster: Cluster, code: str) -> ChainLink:
    return ChainLink.objects.get(template_id=cluster.chain_template_id, code=code)


def role(
    firm: Enterprise,
    link_code: str,
    capacity: float,
    output: float = 0.0,
    product_category: str = "",
) -> EnterpriseRole:
    return EnterpriseRole.objects.create(
        enterprise=firm,
        link=link(firm.cluster, link_code),
        capacity_per_month=capacity,
        output_per_month=output,
        product_category=product_category,
    )


def certification(
    firm: Enterprise,
    kind: str,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    **fields: Any,
) -> Certification:
    """A checked certificate (as stewards and loaders write them), unless `verified=False`."""
    fields.setdefault("verified", True)
    return Certification.objects.create(
        enterprise=firm, kind=kind, valid_from=valid_from, valid_until=valid_until, **fields
    )


def facility(firm: Enterprise, **fields: Any) -> Facility:
    values: dict[str, Any] = {"name_zh": f"{firm.name_zh}工厂", "kind": Facility.Kind.PRODUCTION}
    values.update(fields)
    return Facility.objects.create(enterprise=firm, **values)


def brand(cluster: Cluster, firm: Enterprise | None = None, **fields: Any) -> Brand:
    values: dict[str, Any] = {"name_zh": f"品牌{_next()}", "status": Brand.Status.ORDINARY}
    values.update(fields)
    return Brand.objects.create(cluster=cluster, enterprise=firm, **values)


def year(firm: Enterprise, year: int, **figures: Any) -> EnterpriseYear:
    values = {
        k: (Decimal(str(v)) if isinstance(v, float | int) and k != "employees" else v)
        for k, v in figures.items()
    }
    return EnterpriseYear.objects.create(enterprise=firm, year=year, **values)


def relation(
    buyer: Enterprise, supplier: Enterprise, link_code: str, year: int, value: float
) -> SupplyRelation:
    return SupplyRelation.objects.create(
        buyer=buyer,
        supplier=supplier,
        link=link(buyer.cluster, link_code),
        year=year,
        value=Decimal(str(value)),
    )


def target(cluster: Cluster, indicator: str, year: int, value: float) -> ClusterTarget:
    return ClusterTarget.objects.create(
        cluster=cluster, indicator=indicator, year=year, value=value
    )


def figure(
    cluster: Cluster, indicator: str, year: int, value: float, source: str = "report"
) -> ClusterFigure:
    return ClusterFigure.objects.create(
        cluster=cluster, indicator=indicator, year=year, value=value, source=source
    )


# --- users -----------------------------------------------------------------------------------


def user(
    role: str = Role.ENTERPRISE,
    *,
    enterprise: Enterprise | None = None,
    cluster: Cluster | None = None,
    username: str | None = None,
    **fields: Any,
) -> User:
    return User.objects.create_user(
        username=username or f"{role}-{_next()}",
        password=PASSWORD,
        role=role,
        enterprise=enterprise,
        cluster=cluster,
        **fields,
    )


def admin_user(**fields: Any) -> User:
    return user(Role.ADMIN, **fields)


def populate(cluster: Cluster, firms: int, *, seed: int = 0) -> list[Enterprise]:
    """`firms` firms with roles, certificates and figures, in bulk: the shape of real data at any
    size, for query-count and timing tests. Deterministic for a given seed."""
    links = {link.code: link for link in ChainLink.objects.filter(template=cluster.chain_template)}
    codes = sorted(links)
    sizes = Enterprise.SizeClass.values
    n0 = _next() * 100_000
    batch = [
        Enterprise(
            cluster=cluster,
            uscc=new_uscc(),
            name_zh=f"批量企业{n0 + i:07d}",
            name_en=f"Bulk firm {n0 + i:07d}",
            size_class=sizes[(i + seed) % len(sizes)],
            above_designated_size=(i % 7 == 0),
            is_member=(i % 2 == 0),
            shares_with_association=(i % 4 == 0),
            in_cluster=(i % 10 != 9),
            is_leading=(i % 50 == 0),
            latitude=23.0 + (i % 100) / 1000,
            longitude=113.0 + (i % 100) / 1000,
            main_products_zh="手袋" if i % 3 == 0 else "皮革",
        )
        for i in range(firms)
    ]
    created = Enterprise.objects.bulk_create(batch, batch_size=2000)
    roles = []
    certs = []
    years = []
    for i, firm in enumerate(created):
        first = codes[i % len(codes)]
        roles.append(
            EnterpriseRole(
                enterprise=firm,
                link=links[first],
                capacity_per_month=100 + (i % 13) * 10,
                output_per_month=50 + (i % 11) * 5,
            )
        )
        if i % 3 == 0:
            second = codes[(i + 1) % len(codes)]
            roles.append(
                EnterpriseRole(enterprise=firm, link=links[second], capacity_per_month=40 + i % 5)
            )
        if i % 5 == 0:
            certs.append(
                Certification(enterprise=firm, kind=Certification.Kind.ISO9001, verified=True)
            )
        if i % 11 == 0:
            certs.append(
                Certification(enterprise=firm, kind=Certification.Kind.LWG_GOLD, verified=True)
            )
        years.append(
            EnterpriseYear(
                enterprise=firm,
                year=2024,
                revenue=Decimal(10_000_000 + i * 1000),
                output_value=Decimal(9_000_000 + i * 1000),
                employees=20 + i % 300,
            )
        )
    EnterpriseRole.objects.bulk_create(roles, batch_size=5000)
    Certification.objects.bulk_create(certs, batch_size=5000)
    EnterpriseYear.objects.bulk_create(years, batch_size=5000)
    leading = [f for f in created if f.is_leading]
    relations = []
    for j, buyer in enumerate(leading):
        for k in range(3):
            supplier = created[(j * 7 + k * 13 + 1) % len(created)]
            if supplier.pk != buyer.pk:
                relations.append(
                    SupplyRelation(
                        buyer=buyer,
                        supplier=supplier,
                        link=links[codes[k % len(codes)]],
                        year=2024,
                        value=Decimal(1000 * (k + 1)),
                    )
                )
    SupplyRelation.objects.bulk_create(relations, batch_size=5000, ignore_conflicts=True)
    return created
