"""Chain templates: the bundled data files, loading with validation, and the CLI verb."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from clusterbrain.chains.models import ChainEdge, ChainLink, ChainTemplate
from clusterbrain.chains.services import (
    bundled_template_paths,
    load_bundled_templates,
    load_chain_template,
    read_template_file,
)
from clusterbrain.errors import InvalidInput

TEMPLATES = {"leather_goods", "leather_garments", "footwear", "cocoon_silk"}


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are checked in English; the zh-Hans catalogue translates them."""
    with translation.override("en"):
        yield


def bundled(slug: str) -> dict[str, Any]:
    for path in bundled_template_paths():
        data = read_template_file(path)
        if data["slug"] == slug:
            return data
    raise KeyError(slug)


def small_template() -> dict[str, Any]:
    return {
        "slug": "tiny",
        "name_zh": "小链",
        "name_en": "Tiny chain",
        "industry": "test",
        "links": [
            {
                "code": "a",
                "name_zh": "甲",
                "name_en": "A",
                "kind": "core",
                "stage": 0,
                "unit": "kg",
            },
            {"code": "b", "name_zh": "乙", "name_en": "B", "kind": "core", "stage": 1},
            {"code": "c", "name_zh": "丙", "name_en": "C", "kind": "support", "stage": 2},
        ],
        "edges": [
            {"upstream": "a", "downstream": "b", "coefficient": 2.5},
            {"upstream": "b", "downstream": "c", "coefficient": None},
        ],
    }


def errors_of(exc: pytest.ExceptionInfo[InvalidInput]) -> dict[tuple[Any, ...], str]:
    return {error.loc: error.msg for error in exc.value.errors}


# --- the bundled files (no database) -------------------------------------------------------


def test_four_bundled_templates_are_package_data() -> None:
    slugs = {read_template_file(path)["slug"] for path in bundled_template_paths()}
    assert slugs == TEMPLATES


@pytest.mark.parametrize("slug", sorted(TEMPLATES))
def test_bundled_template_is_bilingual_with_units_and_valid_edges(slug: str) -> None:
    data = bundled(slug)
    codes = {link["code"] for link in data["links"]}
    assert len(codes) == len(data["links"])
    for link in data["links"]:
        assert link["name_zh"] and link["name_en"] and link["unit"]
        assert link["kind"] in {"core", "support"}
    stage = {link["code"]: link["stage"] for link in data["links"]}
    for edge in data["edges"]:
        assert edge["upstream"] in codes and edge["downstream"] in codes
        assert edge["coefficient"] is None or edge["coefficient"] >= 0
        assert stage[edge["upstream"]] <= stage[edge["downstream"]], edge
    assert any(link["kind"] == "support" for link in data["links"])


def coefficient(data: dict[str, Any], up: str, down: str) -> float:
    for edge in data["edges"]:
        if (edge["upstream"], edge["downstream"]) == (up, down):
            return edge["coefficient"]
    raise KeyError((up, down))


def test_coefficients_are_realistic() -> None:
    silk = bundled("cocoon_silk")
    fresh_per_raw_silk = coefficient(silk, "cocoon_stations", "drying_sorting") * coefficient(
        silk, "drying_sorting", "reeling"
    )
    assert 7.5 <= fresh_per_raw_silk <= 8.5  # about 8 kg fresh cocoons → 1 kg raw silk
    assert coefficient(bundled("footwear"), "soles_heels", "lasting_sole") == pytest.approx(1.1)
    assert 2.0 <= coefficient(bundled("leather_goods"), "materials", "cutting") <= 2.5
    assert (
        2.0 <= coefficient(bundled("leather_garments"), "dyeing_finishing", "cutting_sewing") <= 3.5
    )


def test_domain_links_are_present() -> None:
    expect = {
        "leather_goods": {
            "raw_hides",
            "tanning",
            "finishing",
            "materials",
            "design",
            "cutting",
            "sewing",
            "inspection_packing",
            "brand_oem",
            "wholesale",
            "ecommerce_livestream",
            "export",
            "chemicals",
            "machinery",
            "testing",
            "logistics",
            "finance",
        },
        "leather_garments": {
            "sheepskin_hides",
            "tanning_fur_dressing",
            "dyeing_finishing",
            "fur_collar",
            "garment_design",
            "cutting_sewing",
            "accessories",
            "brands",
            "leather_city_wholesale",
            "livestream",
            "export",
            "machinery",
            "leather_chemicals",
            "testing",
        },
        "footwear": {
            "upper_materials",
            "soles_heels",
            "lasts_moulds",
            "adhesives",
            "accessories",
            "design_rnd",
            "cutting",
            "upper_stitching",
            "lasting_sole",
            "finishing_packing",
            "brand_owners",
            "wholesale",
            "retail",
            "ecommerce",
            "export",
            "shoe_machinery",
            "testing_standards",
            "trend_release",
        },
        "cocoon_silk": {
            "silkworm_eggs",
            "mulberry_rearing",
            "cocoon_stations",
            "drying_sorting",
            "reeling",
            "throwing",
            "weaving_knitting",
            "dyeing_printing",
            "silk_products",
            "brands",
            "circulation_markets",
            "export_asean",
            "pupae",
            "mulberry_branches",
        },
    }
    for slug, codes in expect.items():
        assert codes <= {link["code"] for link in bundled(slug)["links"]}, slug


# --- loading -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_bundled_templates_and_reload_in_place() -> None:
    load_bundled_templates()
    assert set(ChainTemplate.objects.values_list("slug", flat=True)) >= TEMPLATES
    silk = ChainTemplate.objects.get(slug="cocoon_silk")
    link_ids = dict(silk.links.values_list("code", "id"))
    edges = ChainEdge.objects.count()
    links = ChainLink.objects.count()

    load_bundled_templates()
    assert ChainLink.objects.count() == links
    assert ChainEdge.objects.count() == edges
    assert dict(silk.links.values_list("code", "id")) == link_ids
    reeling = silk.links.get(code="reeling")
    assert reeling.unit == "t" and reeling.kind == "core" and reeling.name_en.startswith("Reeling")


@pytest.mark.django_db
def test_load_only_missing_skips_existing() -> None:
    load_chain_template(bundled("footwear"))
    loaded = load_bundled_templates(only_missing=True)
    assert {t.slug for t in loaded} == TEMPLATES - {"footwear"}


@pytest.mark.django_db
def test_reload_updates_names_coefficients_and_edges() -> None:
    data = small_template()
    template = load_chain_template(data)
    b_id = template.links.get(code="b").id

    changed = copy.deepcopy(data)
    changed["name_en"] = "Tiny chain, revised"
    changed["links"][1]["unit"] = "m²"
    changed["edges"][0]["coefficient"] = 3.0
    changed["edges"][1] = {"upstream": "a", "downstream": "c", "coefficient": 0.5}
    template = load_chain_template(changed)

    assert ChainTemplate.objects.filter(slug="tiny").count() == 1
    assert template.name_en == "Tiny chain, revised"
    b = template.links.get(code="b")
    assert b.id == b_id and b.unit == "m²"
    edges = {
        (e.upstream.code, e.downstream.code): e.input_coefficient
        for e in template.edges.select_related("upstream", "downstream")
    }
    assert edges == {("a", "b"): 3.0, ("a", "c"): 0.5}


@pytest.mark.django_db
def test_dropped_link_is_deleted_unless_in_use() -> None:
    from clusterbrain.registry.models import Cluster, Enterprise, EnterpriseRole

    template = load_chain_template(small_template())
    without_c = small_template()
    without_c["links"].pop()
    without_c["edges"].pop()
    load_chain_template(without_c)
    assert set(template.links.values_list("code", flat=True)) == {"a", "b"}

    cluster = Cluster.objects.create(slug="t", name_zh="测", name_en="T", chain_template=template)
    firm = Enterprise.objects.create(cluster=cluster, name_zh="某公司")
    EnterpriseRole.objects.create(enterprise=firm, link=template.links.get(code="b"))
    only_a = copy.deepcopy(without_c)
    only_a["links"].pop()
    only_a["edges"] = []
    only_a["name_en"] = "should not be saved"
    with pytest.raises(InvalidInput) as exc:
        load_chain_template(only_a)
    assert "b" in exc.value.detail
    template.refresh_from_db()
    assert template.name_en == "Tiny chain"
    assert set(template.links.values_list("code", flat=True)) == {"a", "b"}
    assert template.edges.count() == 1


# --- validation ----------------------------------------------------------------------------


def broken(change: Any) -> dict[str, Any]:
    data = small_template()
    change(data)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "loc", "words"),
    [
        (
            lambda d: d["edges"][1].update(downstream="zz"),
            ("edges", 1, "downstream"),
            "unknown link",
        ),
        (lambda d: d["edges"][0].update(upstream="q"), ("edges", 0, "upstream"), "unknown link"),
        (lambda d: d["links"][2].update(code="a"), ("links", 2, "code"), "duplicate"),
        (lambda d: d["edges"].append({"upstream": "c", "downstream": "a"}), ("edges", 2), "cycle"),
        (lambda d: d["edges"][0].update(coefficient=-1), ("edges", 0, "coefficient"), "at least 0"),
        (lambda d: d["edges"][0].update(coefficient="x"), ("edges", 0, "coefficient"), "number"),
        (lambda d: d["links"][1].update(kind="side"), ("links", 1, "kind"), "kind"),
        (lambda d: d["links"][1].update(stage=-2), ("links", 1, "stage"), "stage"),
        (lambda d: d["links"][0].update(code="a b"), ("links", 0, "code"), "not a code"),
        (lambda d: d["links"][0].pop("name_en"), ("links", 0, "name_en"), "required"),
        (lambda d: d.pop("slug"), ("slug",), "required"),
        (lambda d: d.update(links=[]), ("links",), "non-empty"),
        (lambda d: d["edges"][0].update(coeficient=1), ("edges", 0, "coeficient"), "unknown field"),
        (
            lambda d: d["edges"].append({"upstream": "b", "downstream": "b"}),
            ("edges", 2, "downstream"),
            "itself",
        ),
        (
            lambda d: d["edges"].append({"upstream": "a", "downstream": "b"}),
            ("edges", 2),
            "duplicate edge",
        ),
    ],
)
def test_invalid_template_names_the_row_and_changes_nothing(
    change: Any, loc: tuple[Any, ...], words: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        load_chain_template(broken(change))
    found = errors_of(exc)
    assert loc in found, found
    assert words in found[loc]
    assert not ChainTemplate.objects.filter(slug="tiny").exists()


@pytest.mark.django_db
def test_cycle_is_named_along_its_path() -> None:
    def make_cycle(d: dict[str, Any]) -> None:
        d["edges"].append({"upstream": "c", "downstream": "a"})

    with pytest.raises(InvalidInput) as exc:
        load_chain_template(broken(make_cycle))
    assert "a → b → c → a" in exc.value.detail


@pytest.mark.django_db
def test_every_problem_is_reported_at_once() -> None:
    def many(d: dict[str, Any]) -> None:
        d["links"][1]["kind"] = "x"
        d["edges"][0]["downstream"] = "nope"
        d["edges"][1]["coefficient"] = -3

    with pytest.raises(InvalidInput) as exc:
        load_chain_template(broken(many))
    assert set(errors_of(exc)) == {
        ("links", 1, "kind"),
        ("edges", 0, "downstream"),
        ("edges", 1, "coefficient"),
    }
    assert "and 2 more" in exc.value.detail


def test_not_an_object() -> None:
    with pytest.raises(InvalidInput):
        load_chain_template([])  # type: ignore[arg-type]


# --- the CLI verb --------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_loads_all_bundled_templates(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load-chain-templates")
    assert set(ChainTemplate.objects.values_list("slug", flat=True)) == TEMPLATES
    out = capsys.readouterr().out
    assert "cocoon_silk: 14 links" in out


@pytest.mark.django_db
def test_command_loads_given_files(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(small_template(), ensure_ascii=False), encoding="utf-8")
    call_command("load-chain-templates", str(path))
    assert list(ChainTemplate.objects.values_list("slug", flat=True)) == ["tiny"]


@pytest.mark.django_db
def test_command_rejects_bad_input_and_changes_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(small_template()), encoding="utf-8")
    bad_data = small_template()
    bad_data["slug"] = "other"
    bad_data["edges"][1]["downstream"] = "missing"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_data), encoding="utf-8")

    with pytest.raises(CommandError) as exc:
        call_command("load-chain-templates", str(good), str(bad))
    message = str(exc.value)
    assert "bad.json" in message and "edges.1.downstream" in message and "missing" in message
    assert not ChainTemplate.objects.exists()


@pytest.mark.django_db
def test_command_reports_unreadable_files(tmp_path: Path) -> None:
    broken_json = tmp_path / "broken.json"
    broken_json.write_text('{\n  "slug": ', encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load-chain-templates", str(broken_json))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("load-chain-templates", str(tmp_path / "absent.json"))
