"""Writes to the chain templates: loading a template from its data file.

A template file is JSON (see `chains/data/*.json`)::

    {"slug": …, "name_zh": …, "name_en": …, "industry": …, "description_zh": …, "description_en": …,
     "links": [{"code", "name_zh", "name_en", "kind": "core"|"support", "stage", "unit",
                "description_zh", "description_en"}, …],
     "edges": [{"upstream": code, "downstream": code, "coefficient": float|null}, …]}

Loading validates everything first and reports every problem with its place (``("edges", 3,
"downstream")``), then writes in one transaction. Re-loading the same slug updates the template in
place, so the chain roles and supply relations that point at its links survive.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clusterbrain.chains.models import ChainEdge, ChainLink, ChainTemplate
from clusterbrain.errors import FieldError, InvalidInput

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_TEMPLATE_KEYS = {
    "slug",
    "name_zh",
    "name_en",
    "industry",
    "description_zh",
    "description_en",
    "links",
    "edges",
}
_LINK_KEYS = {
    "code",
    "name_zh",
    "name_en",
    "kind",
    "stage",
    "unit",
    "description_zh",
    "description_en",
}
_EDGE_KEYS = {"upstream", "downstream", "coefficient"}
_KINDS = {choice.value for choice in ChainLink.Kind}


@dataclass(frozen=True)
class _LinkRow:
    code: str
    name_zh: str
    name_en: str
    kind: str
    stage: int
    unit: str
    description_zh: str
    description_en: str


@dataclass(frozen=True)
class _EdgeRow:
    upstream: str
    downstream: str
    coefficient: float | None


@dataclass(frozen=True)
class _TemplateData:
    slug: str
    name_zh: str
    name_en: str
    industry: str
    description_zh: str
    description_en: str
    links: tuple[_LinkRow, ...]
    edges: tuple[_EdgeRow, ...]


class _Checker:
    """Collects every problem of a template file, so one run names them all."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, loc: tuple[str | int, ...], msg: str) -> None:
        self.errors.append(FieldError(loc, msg))

    def unknown_keys(
        self, row: dict[str, Any], allowed: set[str], loc: tuple[str | int, ...]
    ) -> None:
        for key in sorted(set(row) - allowed):
            self.add((*loc, key), _("unknown field %(key)r") % {"key": key})

    def text(
        self,
        row: dict[str, Any],
        key: str,
        loc: tuple[str | int, ...],
        *,
        max_length: int,
        required: bool = True,
        slug: bool = False,
        default: str = "",
    ) -> str:
        value = row.get(key)
        if value is None or value == "":
            if required:
                self.add((*loc, key), _("this field is required"))
            return default
        if not isinstance(value, str):
            self.add((*loc, key), _("must be text"))
            return default
        value = value.strip()
        if len(value) > max_length:
            self.add((*loc, key), _("at most %(n)d characters") % {"n": max_length})
        if slug and not _SLUG.match(value):
            self.add(
                (*loc, key),
                _("%(value)r is not a code: use letters, digits, '-' and '_'") % {"value": value},
            )
        return value


def _check(data: Any) -> _TemplateData:
    checker = _Checker()
    if not isinstance(data, dict):
        raise InvalidInput(
            _("A chain template must be a JSON object."), [FieldError((), _("must be an object"))]
        )
    checker.unknown_keys(data, _TEMPLATE_KEYS, ())
    slug = checker.text(data, "slug", (), max_length=64, slug=True)
    name_zh = checker.text(data, "name_zh", (), max_length=200)
    name_en = checker.text(data, "name_en", (), max_length=200)
    industry = checker.text(data, "industry", (), max_length=64)
    description_zh = checker.text(data, "description_zh", (), max_length=10_000, required=False)
    description_en = checker.text(data, "description_en", (), max_length=10_000, required=False)

    links: list[_LinkRow] = []
    first_row: dict[str, int] = {}
    raw_links = data.get("links")
    if not isinstance(raw_links, list) or not raw_links:
        checker.add(("links",), _("a template needs a non-empty list of links"))
        raw_links = []
    for i, row in enumerate(raw_links):
        loc: tuple[str | int, ...] = ("links", i)
        if not isinstance(row, dict):
            checker.add(loc, _("must be an object"))
            continue
        checker.unknown_keys(row, _LINK_KEYS, loc)
        code = checker.text(row, "code", loc, max_length=64, slug=True)
        if code in first_row:
            checker.add(
                (*loc, "code"),
                _("duplicate code %(code)r (first in links row %(row)d)")
                % {"code": code, "row": first_row[code]},
            )
        elif code:
            first_row[code] = i
        kind = row.get("kind", ChainLink.Kind.CORE.value)
        if kind not in _KINDS:
            checker.add(
                (*loc, "kind"),
                _("kind must be one of %(kinds)s, not %(kind)r")
                % {"kinds": ", ".join(sorted(_KINDS)), "kind": kind},
            )
        stage = row.get("stage", 0)
        if isinstance(stage, bool) or not isinstance(stage, int) or not 0 <= stage <= 32767:
            checker.add((*loc, "stage"), _("stage must be a whole number from 0"))
            stage = 0
        links.append(
            _LinkRow(
                code=code,
                name_zh=checker.text(row, "name_zh", loc, max_length=200),
                name_en=checker.text(row, "name_en", loc, max_length=200),
                kind=str(kind),
                stage=stage,
                unit=checker.text(
                    row, "unit", loc, max_length=32, required=False, default="pieces"
                ),
                description_zh=checker.text(
                    row, "description_zh", loc, max_length=10_000, required=False
                ),
                description_en=checker.text(
                    row, "description_en", loc, max_length=10_000, required=False
                ),
            )
        )

    edges: list[_EdgeRow] = []
    edge_rows: list[int] = []
    seen_edges: dict[tuple[str, str], int] = {}
    raw_edges = data.get("edges", [])
    if not isinstance(raw_edges, list):
        checker.add(("edges",), _("must be a list"))
        raw_edges = []
    for i, row in enumerate(raw_edges):
        loc = ("edges", i)
        if not isinstance(row, dict):
            checker.add(loc, _("must be an object"))
            continue
        checker.unknown_keys(row, _EDGE_KEYS, loc)
        upstream, downstream = (
            _edge_end(checker, row, key, loc, first_row) for key in ("upstream", "downstream")
        )
        coefficient = row.get("coefficient")
        if coefficient is not None:
            if isinstance(coefficient, bool) or not isinstance(coefficient, int | float):
                checker.add((*loc, "coefficient"), _("must be a number or null"))
                coefficient = None
            elif not math.isfinite(coefficient) or coefficient < 0:
                checker.add((*loc, "coefficient"), _("must be a finite number of at least 0"))
                coefficient = None
            else:
                coefficient = float(coefficient)
        if upstream and downstream:
            if upstream == downstream:
                checker.add((*loc, "downstream"), _("an edge cannot lead from a link to itself"))
                continue
            if (upstream, downstream) in seen_edges:
                checker.add(
                    loc,
                    _("duplicate edge %(up)s → %(down)s (first in edges row %(row)d)")
                    % {
                        "up": upstream,
                        "down": downstream,
                        "row": seen_edges[(upstream, downstream)],
                    },
                )
                continue
            seen_edges[(upstream, downstream)] = i
            edges.append(_EdgeRow(upstream, downstream, coefficient))
            edge_rows.append(i)

    if not checker.errors:
        cycle = _find_cycle(edges)
        if cycle is not None:
            path, index = cycle
            checker.add(
                ("edges", edge_rows[index]),
                _("the edges form a cycle: %(path)s") % {"path": " → ".join(path)},
            )
    if checker.errors:
        first = checker.errors[0]
        where = ".".join(str(part) for part in first.loc) or _("template")
        detail = _("Invalid chain template %(slug)s: %(where)s: %(msg)s") % {
            "slug": repr(slug) if slug else "",
            "where": where,
            "msg": first.msg,
        }
        if len(checker.errors) > 1:
            detail += _(" (and %(n)d more)") % {"n": len(checker.errors) - 1}
        raise InvalidInput(detail, checker.errors)
    return _TemplateData(
        slug, name_zh, name_en, industry, description_zh, description_en, tuple(links), tuple(edges)
    )


def _edge_end(
    checker: _Checker,
    row: dict[str, Any],
    key: str,
    loc: tuple[str | int, ...],
    known: dict[str, int],
) -> str:
    """The link code at one end of an edge, or "" after recording why it is not usable."""
    code = row.get(key)
    if not isinstance(code, str) or not code:
        checker.add((*loc, key), _("this field is required"))
        return ""
    if code not in known:
        checker.add((*loc, key), _("unknown link %(code)r") % {"code": code})
        return ""
    return code


def _find_cycle(edges: list[_EdgeRow]) -> tuple[list[str], int] | None:
    """A cycle as its path of codes and the index of one of its edges, or None for a DAG."""
    graph: dict[str, list[tuple[str, int]]] = {}
    for index, edge in enumerate(edges):
        graph.setdefault(edge.upstream, []).append((edge.downstream, index))
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    for start in sorted(graph):
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path = [start]
        state[start] = 1
        while stack:
            node, pos = stack[-1]
            successors = graph.get(node, [])
            if pos == len(successors):
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            stack[-1] = (node, pos + 1)
            nxt, index = successors[pos]
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt], index
            if not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, 0))
                path.append(nxt)
    return None


def load_chain_template(data: dict[str, Any]) -> ChainTemplate:
    """Create or update a chain template from its data; raise InvalidInput naming every problem.

    Links are matched by code and edges by their two ends, so re-loading changes rows in place.
    A link dropped from the file is deleted, unless firms or supply relations still use it.
    """
    spec = _check(data)
    with transaction.atomic():
        template, _created = ChainTemplate.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "name_zh": spec.name_zh,
                "name_en": spec.name_en,
                "industry": spec.industry,
                "description_zh": spec.description_zh,
                "description_en": spec.description_en,
            },
        )
        existing = {link.code: link for link in template.links.all()}
        by_code: dict[str, ChainLink] = {}
        for row in spec.links:
            link = existing.get(row.code) or ChainLink(template=template, code=row.code)
            for field in (
                "name_zh",
                "name_en",
                "kind",
                "stage",
                "unit",
                "description_zh",
                "description_en",
            ):
                setattr(link, field, getattr(row, field))
            link.save()
            by_code[row.code] = link

        wanted = {(edge.upstream, edge.downstream): edge.coefficient for edge in spec.edges}
        for edge in template.edges.select_related("upstream", "downstream"):
            key = (edge.upstream.code, edge.downstream.code)
            if key not in wanted:
                edge.delete()
                continue
            coefficient = wanted.pop(key)
            if edge.input_coefficient != coefficient:
                edge.input_coefficient = coefficient
                edge.save(update_fields=["input_coefficient"])
        ChainEdge.objects.bulk_create(
            ChainEdge(
                template=template,
                upstream=by_code[up],
                downstream=by_code[down],
                input_coefficient=coefficient,
            )
            for (up, down), coefficient in wanted.items()
        )

        dropped = [link for code, link in existing.items() if code not in by_code]
        in_use = [
            link.code for link in dropped if link.roles.exists() or link.supply_relations.exists()
        ]
        if in_use:
            raise InvalidInput(
                _("Links %(codes)s are no longer in template %(slug)s but firms still use them.")
                % {"codes": ", ".join(in_use), "slug": spec.slug},
                [
                    FieldError(("links",), _("link %(code)r is in use") % {"code": code})
                    for code in in_use
                ],
            )
        for link in dropped:
            link.delete()
    return template


def bundled_template_paths() -> list[Path]:
    """The template files shipped with the package (`chains/data/*.json`), by name."""
    folder = resources.files("clusterbrain.chains") / "data"
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".json"))


def read_template_file(path: Path) -> dict[str, Any]:
    """The parsed JSON of a template file; InvalidInput when it cannot be read or parsed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput.field(
            "file",
            _("cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror or exc},
        ) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput.field(
            "file",
            _("%(path)s is not valid JSON: %(reason)s (line %(line)d)")
            % {"path": path, "reason": exc.msg, "line": exc.lineno},
        ) from exc
    return data


def load_bundled_templates(*, only_missing: bool = False) -> list[ChainTemplate]:
    """Load every bundled template (or only those whose slug is not in the database yet)."""
    loaded = []
    with transaction.atomic():
        for path in bundled_template_paths():
            data = read_template_file(path)
            if only_missing and ChainTemplate.objects.filter(slug=data.get("slug")).exists():
                continue
            loaded.append(load_chain_template(data))
    return loaded
