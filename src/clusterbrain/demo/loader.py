"""Writes generated demo clusters to the database.

    load_demo(["xinji"], scale=1, seed=2026, console=None) -> list[LoadResult]
    load_cluster(generate_cluster("xinji")) -> LoadResult

Each cluster is written in one transaction with `bulk_create` in batches, built lazily so 100,000
firms do not sit in memory as model instances. An existing demo cluster of the same slug is
replaced (its rows deleted first, the big tables with plain DELETEs), so its ids change. What is
not demo data is never deleted unasked: a cluster of that slug that is not demo data raises
InvalidInput, and so does a demo cluster where users have registered firms of their own
(Enterprise.is_demo False) unless `force` is given. `load_demo(..., only_missing=True)` loads
only the clusters the database does not have yet and touches nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from clusterbrain.chains.models import ChainLink, ChainTemplate
from clusterbrain.chains.services import load_bundled_templates
from clusterbrain.demo.generator import ClusterData, FirmData, generate_cluster
from clusterbrain.demo.specs import CLUSTERS, DEFAULT_SEED, MAX_FIRMS, max_scale
from clusterbrain.errors import InvalidInput
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

BATCH = 2_000


@dataclass(frozen=True)
class LoadResult:
    slug: str
    cluster_id: int
    firms: int
    rows: int  # every row written, firms included
    seconds: float


def known_slugs() -> list[str]:
    return sorted(CLUSTERS)


def check_slugs(slugs: Iterable[str]) -> list[str]:
    """The slugs, or InvalidInput naming the unknown one and listing the known ones."""
    result = []
    for slug in slugs:
        if slug not in CLUSTERS:
            raise InvalidInput.field(
                "cluster",
                _("Unknown demo cluster %(slug)r; known clusters: %(known)s.")
                % {"slug": slug, "known": ", ".join(known_slugs())},
            )
        if slug not in result:
            result.append(slug)
    return result


def ensure_templates() -> None:
    """Load the bundled chain templates that are not in the database yet."""
    load_bundled_templates(only_missing=True)


def missing_slugs(slugs: Sequence[str] | None = None) -> list[str]:
    """The seed clusters (default: all four) that have no cluster of their slug yet."""
    chosen = check_slugs(slugs if slugs is not None else known_slugs())
    present = set(Cluster.objects.filter(slug__in=chosen).values_list("slug", flat=True))
    return [slug for slug in chosen if slug not in present]


def non_demo_firms(slug: str) -> int:
    """Firms in the cluster of that slug that are not demo data (registered by users)."""
    return Enterprise.objects.filter(cluster__slug=slug, is_demo=False).count()


def check_replaceable(slug: str, *, force: bool = False) -> None:
    """InvalidInput unless replacing the cluster of that slug deletes only demo data (or
    `force` allows deleting the firms users registered in it)."""
    cluster = Cluster.objects.filter(slug=slug).first()
    if cluster is None:
        return
    if not cluster.is_demo:
        raise InvalidInput.field(
            "cluster",
            _("Cluster %(slug)r exists and is not demo data; the demo loader will not replace it.")
            % {"slug": slug},
        )
    count = 0 if force else non_demo_firms(slug)
    if count:
        raise InvalidInput.field(
            "cluster",
            ngettext(
                "Demo cluster %(slug)r holds %(count)d firm that is not demo data (registered "
                "by a user); reloading the cluster would delete it. Nothing was changed; "
                "`clusterbrain load-demo --force` replaces the cluster anyway.",
                "Demo cluster %(slug)r holds %(count)d firms that are not demo data (registered "
                "by users); reloading the cluster would delete them. Nothing was changed; "
                "`clusterbrain load-demo --force` replaces the cluster anyway.",
                count,
            )
            % {"slug": slug, "count": count},
        )


def load_demo(
    slugs: Sequence[str] | None = None,
    *,
    scale: int = 1,
    seed: int = DEFAULT_SEED,
    as_of: date | None = None,
    console: Console | None = None,
    force: bool = False,
    only_missing: bool = False,
) -> list[LoadResult]:
    """Generate and load seed clusters (default: all four), replacing earlier demo copies.

    Every chosen cluster is checked before anything is written: a cluster that is not demo data,
    or (without `force`) one holding firms users registered, stops the load with InvalidInput.
    `only_missing` skips the clusters that exist instead. With a console, rich progress bars
    show generation and writing.
    """
    chosen = check_slugs(slugs if slugs is not None else known_slugs())
    if only_missing:
        chosen = missing_slugs(chosen)
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise InvalidInput.field(
            "scale", _("The scale must be a positive integer, not %(scale)r.") % {"scale": scale}
        )
    for slug in chosen:
        if scale > max_scale(slug):
            raise InvalidInput.field(
                "scale",
                _(
                    "Scale %(scale)d is too large for %(slug)s: a demo cluster holds at most "
                    "%(firms)s firms, so its scale is at most %(max)d."
                )
                % {"scale": scale, "slug": slug, "firms": f"{MAX_FIRMS:,}", "max": max_scale(slug)},
            )
    for slug in chosen:
        check_replaceable(slug, force=force)
    ensure_templates()
    day = as_of or date.today()
    results = []
    progress = _progress(console)
    with progress or _nothing():
        for slug in chosen:
            task = None
            if progress is not None:
                task = progress.add_task(f"{slug}: generating", total=None)
            data = generate_cluster(slug, scale=scale, seed=seed, as_of=day)
            advance: Callable[[int], None] | None = None
            if progress is not None and task is not None:
                progress.update(
                    task, description=f"{slug}: writing", total=count_rows(data), completed=0
                )
                advance = _advancer(progress, task)
            results.append(load_cluster(data, advance=advance, force=force))
            if progress is not None and task is not None:
                progress.update(task, description=f"{slug}: done")
    return results


def _progress(console: Console | None) -> Progress | None:
    if console is None:
        return None
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _advancer(progress: Progress, task: Any) -> Callable[[int], None]:
    def advance(n: int) -> None:
        progress.advance(task, n)

    return advance


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def count_rows(data: ClusterData) -> int:
    firms = data.firms
    return (
        1
        + len(firms)
        + sum(
            len(f.roles) + len(f.facilities) + len(f.certifications) + len(f.brands) + len(f.years)
            for f in firms
        )
        + len(data.supply)
        + len(data.regional_brands)
        + len(data.targets)
        + len(data.figures)
    )


def delete_demo_cluster(slug: str, *, force: bool = False) -> bool:
    """Delete a demo cluster and everything in it; False when there is none. InvalidInput when
    the cluster of that slug is not demo data, or holds firms users registered (unless
    `force`)."""
    with transaction.atomic():
        check_replaceable(slug, force=force)
        cluster = Cluster.objects.filter(slug=slug).first()
        if cluster is None:
            return False
        from clusterbrain.passport.demo import delete_chain_demo

        delete_chain_demo(cluster)  # trace events and lots protect the firms they name
        firms = Enterprise.objects.filter(cluster=cluster)
        # The big tables first, as plain DELETEs; the collector then only walks what is left.
        SupplyRelation.objects.filter(buyer__in=firms).delete()
        SupplyRelation.objects.filter(supplier__in=firms).delete()
        for model in (EnterpriseYear, EnterpriseRole, Certification, Facility):
            model.objects.filter(enterprise__in=firms).delete()
        Brand.objects.filter(cluster=cluster).delete()
        cluster.delete()
    return True


def load_cluster(
    data: ClusterData,
    *,
    advance: Callable[[int], None] | None = None,
    batch_size: int = BATCH,
    force: bool = False,
) -> LoadResult:
    """Write one generated cluster in one transaction, replacing an existing demo copy (see
    `delete_demo_cluster` for what it refuses to replace)."""
    started = time.perf_counter()
    step = advance or (lambda n: None)
    template = ChainTemplate.objects.filter(slug=data.template).first()
    if template is None:
        raise InvalidInput.field(
            "template",
            _("Chain template %(slug)r is not loaded; run `clusterbrain load-chain-templates`.")
            % {"slug": data.template},
        )
    links = {link.code: link.pk for link in ChainLink.objects.filter(template=template)}
    missing = {r.link for f in data.firms for r in f.roles} - set(links)
    if missing:
        raise InvalidInput.field(
            "template",
            _("Chain template %(slug)r lacks links %(links)s; reload it.")
            % {"slug": data.template, "links": ", ".join(sorted(missing))},
        )
    rows = 0
    loaded_at = timezone.now()
    with transaction.atomic():
        delete_demo_cluster(data.slug, force=force)
        cluster = cluster_row(data, template)
        cluster.save()
        rows += 1
        step(1)
        ids: dict[str, int] = {}
        for chunk in _chunks(data.firms, batch_size):
            created = Enterprise.objects.bulk_create(
                [enterprise_row(cluster, firm) for firm in chunk], batch_size=batch_size
            )
            if any(e.pk is None for e in created):  # a backend that cannot return ids
                stored = Enterprise.objects.filter(
                    cluster=cluster, uscc__in=[f.uscc for f in chunk]
                ).values_list("uscc", "pk")
                ids.update((str(uscc), pk) for uscc, pk in stored)
            else:
                ids.update((firm.uscc, e.pk) for firm, e in zip(chunk, created, strict=True))
            rows += len(chunk)
            step(len(chunk))
        rows += _write(
            EnterpriseRole,
            (role_row(ids[f.uscc], r, links) for f in data.firms for r in f.roles),
            batch_size,
            step,
        )
        rows += _write(
            Facility,
            (facility_row(ids[f.uscc], x) for f in data.firms for x in f.facilities),
            batch_size,
            step,
        )
        rows += _write(
            Certification,
            (
                certification_row(ids[f.uscc], c, loaded_at)
                for f in data.firms
                for c in f.certifications
            ),
            batch_size,
            step,
        )
        rows += _write(
            Brand,
            (brand_row(cluster, ids.get(f.uscc) if f else None, b) for f, b in _brands(data)),
            batch_size,
            step,
        )
        rows += _write(
            EnterpriseYear,
            (year_row(ids[f.uscc], y) for f in data.firms for y in f.years),
            batch_size,
            step,
        )
        rows += _write(
            SupplyRelation,
            (relation_row(ids[s.buyer], ids[s.supplier], s, links) for s in data.supply),
            batch_size,
            step,
        )
        rows += _write(
            ClusterTarget,
            (target_row(cluster, t) for t in data.targets),
            batch_size,
            step,
        )
        rows += _write(
            ClusterFigure,
            (figure_row(cluster, f) for f in data.figures),
            batch_size,
            step,
        )
        # Leading + matching: offers, calendars, orders and a run (not counted in `rows`).
        from clusterbrain.matching.demo import load_matching_demo

        load_matching_demo(cluster, seed=data.seed)
        # Green production: records, tests and values added (not counted in `rows`).
        from clusterbrain.green.demo import load_green_demo

        load_green_demo(cluster, seed=data.seed)
        # Sales over the channels with planted trends (not counted in `rows`).
        from clusterbrain.market.demo import load_market_demo

        load_market_demo(cluster)
        # The livestream base: streamers and a year of sessions (Xinji, Shiling).
        from clusterbrain.livestream.demo import load_livestream_demo

        load_livestream_demo(cluster)
        # Traceability demo chains with published passports (not counted in `rows`).
        from clusterbrain.passport.demo import load_chain_demo

        load_chain_demo(cluster, seed=data.seed)
        # Support programs, bank credit, the regional brand and exhibitions (issue 7).
        from clusterbrain.programs.demo import load_programs_demo

        load_programs_demo(cluster, seed=data.seed)
        from clusterbrain.awards.demo import load_awards_demo

        load_awards_demo(cluster, seed=data.seed)
        from clusterbrain.finance.demo import load_finance_demo

        load_finance_demo(cluster, seed=data.seed)
        from clusterbrain.brand.demo import load_brand_demo

        load_brand_demo(cluster, seed=data.seed)
        from clusterbrain.exhibitions.demo import load_exhibitions_demo

        load_exhibitions_demo(cluster, seed=data.seed)
    return LoadResult(data.slug, cluster.pk, len(data.firms), rows, time.perf_counter() - started)


def _brands(data: ClusterData) -> Iterator[tuple[FirmData | None, Any]]:
    for brand in data.regional_brands:
        yield None, brand
    for firm in data.firms:
        for brand in firm.brands:
            yield firm, brand


# One model row from one generated item: the loader writes them in bulk, the platform
# benchmark's naive baseline one save() at a time, so both write the same rows.


def cluster_row(data: ClusterData, template: ChainTemplate) -> Cluster:
    return Cluster(
        slug=data.slug,
        name_zh=data.name_zh,
        name_en=data.name_en,
        place_zh=data.place_zh,
        place_en=data.place_en,
        admin_division_codes=data.admin_division_codes,
        industry_zh=data.industry_zh,
        industry_en=data.industry_en,
        chain_template=template,
        description_zh=data.description_zh,
        description_en=data.description_en,
        latitude=data.latitude,
        longitude=data.longitude,
        is_demo=True,
    )


def enterprise_row(cluster: Cluster, firm: FirmData) -> Enterprise:
    return Enterprise(
        cluster=cluster,
        uscc=firm.uscc,
        name_zh=firm.name_zh,
        name_en=firm.name_en,
        legal_form=firm.legal_form,
        address_zh=firm.address_zh,
        address_en=firm.address_en,
        admin_division=firm.admin_division,
        latitude=firm.latitude,
        longitude=firm.longitude,
        size_class=firm.size_class,
        above_designated_size=firm.above_designated_size,
        founded_year=firm.founded_year,
        is_member=firm.is_member,
        shares_with_association=firm.shares_with_association,
        is_leading=firm.is_leading,
        in_cluster=firm.in_cluster,
        description_zh=firm.description_zh,
        description_en=firm.description_en,
        main_products_zh=firm.main_products_zh,
        main_products_en=firm.main_products_en,
        is_demo=True,
    )


def role_row(enterprise_id: int, r: Any, links: dict[str, int]) -> EnterpriseRole:
    return EnterpriseRole(
        enterprise_id=enterprise_id,
        link_id=links[r.link],
        product_category=r.product_category,
        capacity_per_month=r.capacity,
        output_per_month=r.output,
    )


def facility_row(enterprise_id: int, x: Any) -> Facility:
    return Facility(
        enterprise_id=enterprise_id,
        name_zh=x.name_zh,
        name_en=x.name_en,
        kind=x.kind,
        address_zh=x.address_zh,
        address_en=x.address_en,
        admin_division=x.admin_division,
        latitude=x.latitude,
        longitude=x.longitude,
        in_cluster=x.in_cluster,
    )


def certification_row(enterprise_id: int, c: Any, verified_at: datetime) -> Certification:
    return Certification(
        enterprise_id=enterprise_id,
        kind=c.kind,
        issuer=c.issuer,
        number=c.number,
        valid_from=c.valid_from,
        valid_until=c.valid_until,
        # The demo stands for a registry its stewards have checked: its certificates count in
        # the public figures, as DOMAIN.md's facts need.
        verified=True,
        verified_at=verified_at,
    )


def brand_row(cluster: Cluster, enterprise_id: int | None, b: Any) -> Brand:
    return Brand(
        enterprise_id=enterprise_id,
        cluster=cluster,
        is_regional=enterprise_id is None,
        name_zh=b.name_zh,
        name_en=b.name_en,
        trademark_number=b.trademark_number,
        status=b.status,
        countries_registered=b.countries,
        value_yuan=b.value_yuan,
    )


def year_row(enterprise_id: int, y: Any) -> EnterpriseYear:
    return EnterpriseYear(
        enterprise_id=enterprise_id,
        year=y.year,
        revenue=y.revenue,
        output_value=y.output_value,
        employees=y.employees,
        exports=y.exports,
    )


def relation_row(buyer_id: int, supplier_id: int, s: Any, links: dict[str, int]) -> SupplyRelation:
    return SupplyRelation(
        buyer_id=buyer_id,
        supplier_id=supplier_id,
        link_id=links[s.link],
        year=s.year,
        value=s.value,
    )


def target_row(cluster: Cluster, t: Any) -> ClusterTarget:
    return ClusterTarget(
        cluster=cluster,
        year=t.year,
        indicator=t.indicator,
        value=t.value,
        note_zh=t.note_zh,
        note_en=t.note_en,
    )


def figure_row(cluster: Cluster, f: Any) -> ClusterFigure:
    return ClusterFigure(
        cluster=cluster, year=f.year, indicator=f.indicator, value=f.value, source=f.source
    )


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _write(
    model: type[Model], objects: Iterable[Model], batch_size: int, step: Callable[[int], None]
) -> int:
    written = 0
    for chunk in _chunks(objects, batch_size):
        model._default_manager.bulk_create(chunk, batch_size=batch_size)
        written += len(chunk)
        step(len(chunk))
    return written
