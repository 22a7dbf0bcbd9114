"""The linkage engine (engines/resolution/linkage.py) on real DuckDB: no Django, no network.

A hand-written labelled set of firm-list records drawn from real naming patterns of the four
clusters: the same firm in Chinese, English and pinyin, with and without its USCC, with typos
and legal-form variants; next to it look-alike different firms of the same town: the same trade
name in another trade, a branch (分公司) beside its head office, a homophone trade name.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict

import polars as pl
import pytest

from clusterbrain.engines.resolution import linkage
from clusterbrain.engines.resolution.features import firm_features
from clusterbrain.engines.resolution.linkage import (
    LinkageError,
    LinkageModel,
    attach_singles,
    clusters_from_pairs,
    decide,
    dedupe_all,
    default_settings,
    exact_uscc_pairs,
    explain_pair,
    link_new_records,
    load_default_model,
    train_model,
)
from clusterbrain.engines.resolution.uscc import make_uscc

# one xdist worker runs this module, so its module fixture is built once (`--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("linkage-model")


def code(division: str, body: str) -> str:
    return make_uscc("9", "1", division, body)


HENGDA = code("440114", "MA59HD001")
HENGDA_BAGS = code("440114", "MA59HD002")
HENGDA_BRANCH = code("440114", "MA59HD003")
HENGDA_HOMOPHONE = code("440114", "MA59HD004")
XINLONG = code("440114", "MA59XL001")
HUAYU = code("130181", "MA0HY0001")
HUAYU_FUR = code("130181", "MA0HY0002")
JINDI = code("330302", "MA2JD0001")
JINDI_MATERIALS = code("330302", "MA2JD0002")
GUIHUA = code("451203", "MA5GH0001")

SHILING = "广东省广州市花都区狮岭镇"

# (firm label, source, fields). One firm label per true firm.
LABELLED: list[tuple[str, str, dict[str, str | None]]] = [
    # 恒达皮具: registry, chamber, a brand's English list, the expo, the tax office.
    (
        "hengda",
        "registry",
        {
            "name": "广州市花都区狮岭镇恒达皮具有限公司",
            "uscc": HENGDA,
            "address": SHILING + "合成村狮岭大道128号",
            "phone": "020-86812345",
            "legal_rep": "李明华",
            "products": "女包、钱包",
        },
    ),
    (
        "hengda",
        "chamber",
        {
            "name": "恒达皮具有限公司",
            "address": "花都区狮岭镇狮岭大道128号",
            "phone": "(020)86812345",
            "legal_rep": "李明华",
        },
    ),
    (
        "hengda",
        "brand",
        {
            "name": "Guangzhou Hengda Leather Goods Co., Ltd.",
            "address": "No. 128 Shiling Avenue, Shiling Town, Huadu District, Guangzhou",
            "phone": "+86 20 8681 2345",
        },
    ),
    ("hengda", "expo", {"name": "恒达皮具厂", "phone": "020 8681 2345", "legal_rep": "李明华"}),
    (
        "hengda",
        "tax",
        {
            "name": "广州市花都区狮岭镇恒达皮具有限公司",
            "uscc": " " + HENGDA.lower(),
            "address": SHILING + "狮岭大道１２８号",
        },
    ),
    # Same 字号 in another trade, same town: another firm.
    (
        "hengda_bags",
        "registry",
        {
            "name": "广州市花都区狮岭镇恒达箱包有限公司",
            "uscc": HENGDA_BAGS,
            "address": SHILING + "益群村金狮大道66号",
            "phone": "020-86937711",
            "legal_rep": "陈国强",
        },
    ),
    (
        "hengda_bags",
        "expo",
        {"name": "恒达箱包厂", "phone": "020-86937711", "address": "狮岭镇金狮大道66号"},
    ),
    # A branch of 恒达皮具, run by the same person: another firm.
    (
        "hengda_branch",
        "registry",
        {
            "name": SHILING[3:] + "恒达皮具有限公司（合成分公司）",
            "uscc": HENGDA_BRANCH,
            "address": SHILING + "合成村合成路8号",
            "phone": "020-86815500",
            "legal_rep": "李明华",
        },
    ),
    (
        "hengda_branch",
        "chamber",
        {
            "name": "恒达皮具有限公司合成分公司",
            "phone": "020-86815500",
            "address": "花都区狮岭镇合成路8号",
        },
    ),
    # A homophone 字号 (恒大, not 恒达) in the same town: another firm.
    (
        "hengda_homophone",
        "registry",
        {
            "name": "广州市花都区狮岭镇恒大皮具有限公司",
            "uscc": HENGDA_HOMOPHONE,
            "address": SHILING + "马岭村宝峰路19号",
            "phone": "13922001234",
            "legal_rep": "黄志勇",
        },
    ),
    (
        "hengda_homophone",
        "chamber",
        {
            "name": "恒大皮具有限公司",
            "phone": "139-2200-1234",
            "address": "狮岭镇宝峰路19号",
            "legal_rep": "黄志勇",
        },
    ),
    # 鑫隆皮具厂, once with a homophone typo (龙 for 隆) and once in pinyin.
    (
        "xinlong",
        "registry",
        {
            "name": "广州市花都区狮岭镇鑫隆皮具厂",
            "uscc": XINLONG,
            "address": SHILING + "振兴村振兴路21号",
            "phone": "13802226677",
            "legal_rep": "王海",
        },
    ),
    ("xinlong", "expo", {"name": "广州鑫龙皮具厂", "phone": "138 0222 6677", "legal_rep": "王海"}),
    (
        "xinlong",
        "brand",
        {
            "name": "Xinlong Leather Goods Factory",
            "phone": "+8613802226677",
            "address": "No. 21 Zhenxing Road, Shiling Town, Huadu District, Guangzhou",
        },
    ),
    # 华裕皮革, Xinji.
    (
        "huayu",
        "registry",
        {
            "name": "辛集市华裕皮革有限公司",
            "uscc": HUAYU,
            "address": "河北省石家庄市辛集市辛集镇兴华路88号",
            "phone": "0311-83212345",
            "legal_rep": "王建国",
        },
    ),
    (
        "huayu",
        "tax",
        {"name": "辛集市华裕皮革有限公司", "uscc": HUAYU, "address": "河北省辛集市兴华路88号"},
    ),
    (
        "huayu",
        "chamber",
        {
            "name": "河北华裕皮革有限公司",
            "address": "辛集市兴华路88号",
            "phone": "0311 8321 2345",
            "legal_rep": "王建国",
        },
    ),
    (
        "huayu",
        "brand",
        {
            "name": "华裕皮革有限公司",
            "name_en": "Hebei Huayu Leather Co., Ltd.",
            "phone": "+86 311 8321 2345",
        },
    ),
    # 华裕皮毛: same 字号, fur, another street.
    (
        "huayu_fur",
        "registry",
        {
            "name": "辛集市华裕皮毛有限公司",
            "uscc": HUAYU_FUR,
            "address": "河北省石家庄市辛集市辛集镇建设大街20号",
            "phone": "0311-83345678",
            "legal_rep": "赵丽",
        },
    ),
    (
        "huayu_fur",
        "chamber",
        {
            "name": "华裕皮毛有限公司",
            "phone": "0311-83345678",
            "address": "辛集市建设大街20号",
            "legal_rep": "赵丽",
        },
    ),
    # 金帝鞋业, Wenzhou: English, and the chamber's copy with the USCC.
    (
        "jindi",
        "registry",
        {
            "name": "温州市鹿城区金帝鞋业有限公司",
            "uscc": JINDI,
            "address": "浙江省温州市鹿城区双屿街道双屿大道100号",
            "phone": "0577-88881234",
            "legal_rep": "陈志强",
        },
    ),
    (
        "jindi",
        "brand",
        {
            "name": "Wenzhou Jindi Shoes Co., Ltd.",
            "phone": "+86 577 8888 1234",
            "address": "No. 100 Shuangyu Avenue, Shuangyu Subdistrict, Lucheng District, Wenzhou",
        },
    ),
    (
        "jindi",
        "chamber",
        {"name": "温州金帝鞋业有限公司", "uscc": JINDI, "address": "鹿城区双屿街道双屿大道100号"},
    ),
    # 金帝鞋材: same 字号, shoe materials, same district.
    (
        "jindi_materials",
        "registry",
        {
            "name": "温州市鹿城区金帝鞋材有限公司",
            "uscc": JINDI_MATERIALS,
            "address": "浙江省温州市鹿城区藤桥镇工业区路5号",
            "phone": "0577-88112233",
            "legal_rep": "林晓",
        },
    ),
    (
        "jindi_materials",
        "expo",
        {
            "name": "金帝鞋材厂",
            "phone": "0577-88112233",
            "address": "温州市鹿城区藤桥镇工业区路5号",
        },
    ),
    # 桂华茧丝绸, Yizhou: the industry words vary.
    (
        "guihua",
        "registry",
        {
            "name": "河池市宜州区桂华茧丝绸有限公司",
            "uscc": GUIHUA,
            "address": "广西壮族自治区河池市宜州区庆远镇城西路25号",
            "phone": "0778-3123456",
            "legal_rep": "韦明",
        },
    ),
    (
        "guihua",
        "chamber",
        {
            "name": "宜州桂华丝绸有限公司",
            "address": "宜州区庆远镇城西路25号",
            "phone": "0778-3123456",
            "legal_rep": "韦明",
        },
    ),
    # Firms listed once.
    (
        "meijia",
        "registry",
        {
            "name": "广州市花都区狮岭镇美佳皮具商行",
            "address": SHILING + "军田村军田路3号",
            "phone": "13600001111",
            "legal_rep": "刘芳",
        },
    ),
    (
        "junhao",
        "registry",
        {
            "name": "温州市鹿城区骏豪鞋业有限公司",
            "address": "浙江省温州市鹿城区仰义街道仰义路9号",
            "phone": "0577-86660000",
            "legal_rep": "周杰",
        },
    ),
    (
        "hongchang",
        "chamber",
        {
            "name": "辛集宏昌皮革厂",
            "address": "辛集市皮革路7号",
            "phone": "0311-83001122",
            "legal_rep": "孙强",
        },
    ),
]

RECORDS = [
    {"unique_id": f"{label}-{source}", "source": source} | fields
    for label, source, fields in LABELLED
]
FIRM = {record["unique_id"]: label for (label, _, _), record in zip(LABELLED, RECORDS, strict=True)}

AUTO_MERGE = 0.99
REVIEW = 0.5


def true_pairs() -> set[frozenset[str]]:
    by_firm: dict[str, list[str]] = defaultdict(list)
    for uid, label in FIRM.items():
        by_firm[label].append(uid)
    return {
        frozenset(pair)
        for ids in by_firm.values()
        for pair in itertools.combinations(sorted(ids), 2)
    }


def pair_set(pairs: pl.DataFrame, at_least: float) -> set[frozenset[str]]:
    kept = pairs.filter(pl.col("match_probability") >= at_least)
    return {frozenset(ids) for ids in kept.select("unique_id_l", "unique_id_r").iter_rows()}


@pytest.fixture(scope="module")
def features() -> pl.DataFrame:
    return firm_features(RECORDS)


@pytest.fixture(scope="module")
def model() -> LinkageModel:
    return load_default_model()


@pytest.fixture(scope="module")
def all_pairs(model, features) -> pl.DataFrame:
    return dedupe_all(model, features, min_weight=-100.0)


# --- the shipped model on the labelled set ----------------------------------------------------


def test_default_model_is_a_trained_splink_model_of_our_settings(model):
    settings = model.as_dict()
    assert model.is_trained
    assert settings["link_type"] == "link_and_dedupe"
    assert settings["unique_id_column_name"] == "unique_id"
    assert settings["source_dataset_column_name"] == "source_dataset"
    assert [c["output_column_name"] for c in settings["comparisons"]] == [
        c["output_column_name"] for c in default_settings()["comparisons"]
    ]
    assert 0 < model.probability_two_random_records_match < 0.01


def test_true_pairs_are_found_above_the_review_threshold(all_pairs):
    found = pair_set(all_pairs, REVIEW)
    expected = true_pairs()
    missing = expected - found
    # A name-only record (恒达皮具厂 at the expo) against one without phone or person (the tax
    # list) stays below review on its own; the clusters below still join them.
    assert len(missing) <= len(expected) // 10, sorted(tuple(sorted(p)) for p in missing)
    linked = {uid for pair in found & expected for uid in pair}
    assert linked == {uid for pair in expected for uid in pair}


def test_look_alike_firms_are_kept_apart(all_pairs):
    linked = pair_set(all_pairs, REVIEW)
    wrong = {pair for pair in linked if len({FIRM[uid] for uid in pair}) > 1}
    assert not wrong, sorted(tuple(sorted(pair)) for pair in wrong)


def test_clusters_at_the_review_threshold_are_the_firms(all_pairs):
    clusters = clusters_from_pairs(all_pairs, REVIEW, unique_ids=FIRM)
    by_cluster: dict[str, set[str]] = defaultdict(set)
    for uid, cluster in clusters.iter_rows():
        by_cluster[cluster].add(FIRM[uid])
    assert all(len(labels) == 1 for labels in by_cluster.values())
    assert len(by_cluster) == len(set(FIRM.values()))


def test_a_shared_valid_uscc_is_a_certain_link_whatever_else_differs(model):
    records = [
        {
            "unique_id": "a",
            "source": "registry",
            "name": "辛集市华裕皮革有限公司",
            "uscc": HUAYU,
            "address": "河北省石家庄市辛集市辛集镇兴华路88号",
            "legal_rep": "王建国",
        },
        # Renamed and moved, as the registry's own list says years later.
        {
            "unique_id": "b",
            "source": "tax",
            "name": "河北裕丰制革股份有限公司",
            "uscc": HUAYU.lower(),
            "address": "河北省保定市蠡县工业大道5号",
            "legal_rep": "张伟",
        },
    ]
    features = firm_features(records)
    pairs = dedupe_all(model, features, min_weight=50.0)
    assert pairs.height == 1
    row = pairs.row(0, named=True)
    assert (row["matched_by"], row["match_probability"]) == ("uscc", 1.0)
    assert row["model_weight"] < 0  # the model alone would not have linked them
    assert decide(row["match_probability"], AUTO_MERGE, REVIEW) == "merge"
    assert exact_uscc_pairs(features).select("unique_id_l", "unique_id_r").rows() == [("a", "b")]


def test_pair_columns(all_pairs, model):
    comparisons = [c["output_column_name"] for c in model.settings["comparisons"]]
    assert all_pairs.columns[: len(linkage.PAIR_COLUMNS)] == list(linkage.PAIR_COLUMNS)
    for name in comparisons:
        assert f"gamma_{name}" in all_pairs.columns
        assert f"bf_{name}" in all_pairs.columns
    assert {"core_l", "core_r", "town_key_l", "town_key_r"} <= set(all_pairs.columns)
    assert set(all_pairs["matched_by"]) <= {"model", "uscc"}


# --- explanations -----------------------------------------------------------------------------


def test_explanations_add_up_to_the_match_weight(all_pairs, model):
    prior = math.log2(
        model.probability_two_random_records_match
        / (1 - model.probability_two_random_records_match)
    )
    for row in all_pairs.filter(pl.col("matched_by") == "model").iter_rows(named=True):
        explanation = explain_pair(model, row)
        assert explanation[0].comparison == linkage.PRIOR
        assert explanation[0].match_weight == pytest.approx(prior)
        comparisons = explanation[1:]
        assert [e.comparison for e in comparisons] == [
            c["output_column_name"] for c in model.settings["comparisons"]
        ]
        assert sum(e.match_weight for e in comparisons) == pytest.approx(
            row["match_weight"] - prior, abs=1e-6
        )
        assert sum(e.match_weight for e in explanation) == pytest.approx(
            row["match_weight"], abs=1e-6
        )


def test_an_explanation_names_levels_and_shows_both_values(all_pairs, model):
    row = all_pairs.filter(
        (pl.col("unique_id_l") == "hengda-chamber") & (pl.col("unique_id_r") == "hengda-registry")
        | (pl.col("unique_id_l") == "hengda-registry") & (pl.col("unique_id_r") == "hengda-chamber")
    ).row(0, named=True)
    by_name = {e.comparison: e for e in explain_pair(model, row)}
    assert by_name["core_name"].level == "Exact match, same trade words"
    assert by_name["core_name"].match_weight > 5
    assert "恒达" in by_name["core_name"].left and "hengda" in by_name["core_name"].right
    assert by_name["phone_local"].level == "Exact match"
    assert by_name["location"].level == "Same town"
    assert by_name["uscc"].level == "Missing"
    assert by_name["uscc"].bayes_factor == 1.0


def test_branch_against_head_office_counts_strongly_against(all_pairs, model):
    row = all_pairs.filter(
        pl.col("unique_id_l").is_in(["hengda-registry", "hengda_branch-registry"])
        & pl.col("unique_id_r").is_in(["hengda-registry", "hengda_branch-registry"])
    ).row(0, named=True)
    by_name = {e.comparison: e for e in explain_pair(model, row)}
    assert by_name["branch"].level == "Branch differs"
    assert by_name["branch"].match_weight < -10
    assert row["match_probability"] < REVIEW


# --- incremental linking ---------------------------------------------------------------------


def test_a_new_list_links_against_the_registry_and_within_itself_only(model, features):
    existing_ids = [uid for uid in FIRM if uid.endswith(("-registry", "-tax"))]
    existing = features.filter(pl.col("unique_id").is_in(existing_ids))
    new = features.filter(~pl.col("unique_id").is_in(existing_ids))
    pairs = link_new_records(model, new, existing, min_weight=-20.0)

    new_ids = set(new["unique_id"])
    assert len(pairs)
    for left, right in pairs.select("unique_id_l", "unique_id_r").iter_rows():
        assert left in new_ids  # never existing with existing
        assert right in new_ids or right in existing_ids

    # The same pairs, and the same weights, as scoring the whole batch at once.
    batch = dedupe_all(model, features, min_weight=-20.0).filter(
        pl.col("unique_id_l").is_in(new_ids) | pl.col("unique_id_r").is_in(new_ids)
    )
    assert pair_set(pairs, 0.0) == pair_set(batch, 0.0)
    weights = {
        frozenset(k): w
        for *k, w in pairs.select("unique_id_l", "unique_id_r", "match_weight").iter_rows()
    }
    for *ids, weight in batch.select("unique_id_l", "unique_id_r", "match_weight").iter_rows():
        assert weights[frozenset(ids)] == pytest.approx(weight)

    found = pair_set(pairs, REVIEW)
    expected = {pair for pair in true_pairs() if pair & new_ids}
    assert found <= expected
    assert len(expected - found) <= 1  # the expo's bare 恒达皮具厂 against the tax list


def test_a_new_list_against_an_empty_registry_is_deduplicated(model, features):
    new = features.filter(pl.col("unique_id").str.starts_with("hengda-"))
    pairs = link_new_records(model, new, new.clear(), min_weight=0.0)
    expected = {p for p in true_pairs() if all(uid.startswith("hengda-") for uid in p)}
    found = pair_set(pairs, REVIEW)
    assert found <= expected
    assert len(expected - found) <= 1
    assert set(pairs["source_r"]) <= set(new["source_dataset"])


def test_json_round_trip_gives_identical_predictions(model, features, tmp_path):
    path = tmp_path / "model.json"
    model.to_json(path)
    assert json.loads(path.read_text(encoding="utf-8")) == model.as_dict()
    again = LinkageModel.from_json(path)
    new = features.filter(pl.col("source_dataset") != "registry")
    existing = features.filter(pl.col("source_dataset") == "registry")
    assert link_new_records(again, new, existing, min_weight=-10.0).equals(
        link_new_records(model, new, existing, min_weight=-10.0)
    )


# --- training --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_features() -> pl.DataFrame:
    return firm_features(linkage._training_corpus(n_firms=600, seed=7))


def test_training_on_a_generated_corpus(corpus_features):
    model = train_model(corpus_features, seed=1)
    assert model.is_trained
    for comparison in model.settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                assert 0 < level["m_probability"] <= 1
                assert 0 < level["u_probability"] <= 1
    # Agreeing on the trade name is evidence for; a differing USCC strongly against.
    weights = {
        (c["output_column_name"], lv["label_for_charts"]): math.log2(
            lv["m_probability"] / lv["u_probability"]
        )
        for c in model.settings["comparisons"]
        for lv in c["comparison_levels"]
        if not lv.get("is_null_level")
    }
    assert weights[("core_name", "Exact match")] > 5
    assert weights[("uscc", "All other comparisons")] < -8
    # Seeded: the same batch and seed give the same model (up to DuckDB's summation order).
    again = train_model(corpus_features, seed=1)
    for first, second in zip(
        model.settings["comparisons"], again.settings["comparisons"], strict=True
    ):
        for a, b in zip(first["comparison_levels"], second["comparison_levels"], strict=True):
            if not a.get("is_null_level"):
                assert a["m_probability"] == pytest.approx(b["m_probability"], rel=1e-9)
                assert a["u_probability"] == pytest.approx(b["u_probability"], rel=1e-9)


def test_too_few_records_to_train(features):
    with pytest.raises(LinkageError, match="too few records"):
        train_model(features)


# --- bad input ---------------------------------------------------------------------------------


def test_missing_unique_id_column_is_named(model, features):
    with pytest.raises(LinkageError, match="missing column\\(s\\) unique_id"):
        dedupe_all(model, features.drop("unique_id"), min_weight=0.0)
    with pytest.raises(LinkageError, match="new records: missing column\\(s\\) uscc"):
        link_new_records(model, features.drop("uscc"), features.clear(), min_weight=0.0)


def test_duplicate_unique_ids_are_named(model, features):
    doubled = pl.concat([features, features.head(1)])
    with pytest.raises(LinkageError, match="repeated: hengda-registry"):
        dedupe_all(model, doubled, min_weight=0.0)
    with pytest.raises(LinkageError, match="reuse unique_id of existing records: hengda-registry"):
        link_new_records(model, features.head(2), features.head(1), min_weight=0.0)


def test_an_unreadable_model_file(tmp_path):
    path = tmp_path / "model.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(LinkageError, match="cannot read a linkage model"):
        LinkageModel.from_json(path)
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(LinkageError, match="not a Splink model"):
        LinkageModel.from_json(path)


# --- clusters and decisions --------------------------------------------------------------------


def test_clusters_are_connected_components_named_by_their_smallest_id():
    pairs = pl.DataFrame(
        {
            "unique_id_l": ["b", "c", "e", "f", "x"],
            "unique_id_r": ["a", "b", "d", "g", "y"],
            "match_probability": [0.99, 0.95, 0.999, 0.2, 0.97],
        }
    )
    clusters = clusters_from_pairs(pairs, 0.9, unique_ids=["a", "b", "c", "d", "e", "f", "g", "z"])
    assert dict(clusters.iter_rows()) == {
        "a": "a",
        "b": "a",
        "c": "a",
        "d": "d",
        "e": "d",
        "f": "f",
        "g": "g",
        "x": "x",
        "y": "x",
        "z": "z",
    }
    assert dict(clusters_from_pairs(pairs, 0.96).iter_rows()) == {
        "a": "a",
        "b": "a",
        "d": "d",
        "e": "d",
        "x": "x",
        "y": "x",
    }


def _scored(rows: list[tuple[str, str, dict[str, float]]], prior: float = -17.0) -> pl.DataFrame:
    """Pairs as dedupe_all returns them, from each pair's Bayes factors in bits."""
    columns = ["core_name", "industry", "phone_local", "uscc"]
    weights = [prior + sum(bits.values()) for _l, _r, bits in rows]
    return pl.DataFrame(
        {
            "unique_id_l": [left for left, _r, _b in rows],
            "unique_id_r": [right for _l, right, _b in rows],
            "match_weight": weights,
            "match_probability": [2.0**w / (1.0 + 2.0**w) for w in weights],
            "model_weight": weights,
            **{f"bf_{c}": [2.0 ** bits.get(c, 0.0) for _l, _r, bits in rows] for c in columns},
        }
    )


def test_a_record_alone_joins_the_cluster_whose_members_together_agree_with_it():
    pairs = _scored(
        [
            ("a", "b", {"core_name": 14, "phone_local": 16}),
            # s: the trade name and trade with a, the phone with b; no pair reaches 0.9.
            ("s", "a", {"core_name": 14, "industry": 4, "phone_local": -1}),
            ("s", "b", {"core_name": 14, "industry": -3, "phone_local": 2}),
            # t agrees as well, but b holds another valid USCC: a veto, whatever a says.
            ("t", "a", {"core_name": 14, "industry": 4, "phone_local": 2}),
            ("t", "b", {"core_name": 14, "uscc": -10}),
            # w: a look-alike of the cluster's firm, one weak pair only.
            ("w", "a", {"core_name": 5, "industry": 4}),
        ]
    )
    ids = ["a", "b", "s", "t", "w"]
    clusters = clusters_from_pairs(pairs, 0.9, unique_ids=ids)
    assert dict(clusters.iter_rows()) == {"a": "a", "b": "a", "s": "s", "t": "t", "w": "w"}
    attached = dict(attach_singles(pairs, clusters, 0.15).iter_rows())
    assert attached == {"a": "a", "b": "a", "s": "a", "t": "t", "w": "w"}


def test_attaching_reads_vetoes_from_the_features_when_their_pair_was_not_returned():
    pairs = _scored(
        [
            ("a", "b", {"core_name": 14, "phone_local": 16}),
            ("u", "a", {"core_name": 14, "industry": 4, "phone_local": 2}),
        ]
    )
    clusters = clusters_from_pairs(pairs, 0.9, unique_ids=["a", "b", "u"])
    assert dict(attach_singles(pairs, clusters, 0.15).iter_rows())["u"] == "a"
    features = pl.DataFrame(
        {
            "unique_id": ["a", "b", "u"],
            "uscc": [None, "91440114MA59XXXX1A", "91440114MA59YYYY2B"],
            "branch": [None, None, None],
        }
    )
    attached = attach_singles(pairs, clusters, 0.15, features=features)
    assert dict(attached.iter_rows())["u"] == "u"
    with pytest.raises(LinkageError, match="bf_"):
        attach_singles(pairs.select("unique_id_l", "unique_id_r", "match_probability"), clusters)


def test_a_list_names_a_firm_once_so_two_rows_of_one_list_never_share_a_cluster():
    pairs = _scored(
        [
            ("a", "b", {"core_name": 14, "phone_local": 16}),
            # s agrees with the cluster, but b comes from s's own list: b is that list's row of
            # the firm, and s is another firm.
            ("s", "a", {"core_name": 14, "industry": 4, "phone_local": 2}),
            # u and v, two rows of one list, both agree with the cluster {c, d}: the better joins.
            ("c", "d", {"core_name": 14, "phone_local": 16}),
            ("u", "c", {"core_name": 14, "industry": 4, "phone_local": 2}),
            ("v", "c", {"core_name": 14, "industry": 4}),
        ]
    )
    ids = ["a", "b", "c", "d", "s", "u", "v"]
    features = pl.DataFrame(
        {
            "unique_id": ids,
            "source_dataset": ["registry", "expo", "registry", "tax", "expo", "expo", "expo"],
            "uscc": [None] * len(ids),
            "branch": [None] * len(ids),
        }
    )
    clusters = clusters_from_pairs(pairs, 0.9, unique_ids=ids)
    without_lists = dict(attach_singles(pairs, clusters, 0.15).iter_rows())
    assert (without_lists["s"], without_lists["u"], without_lists["v"]) == ("a", "c", "c")
    attached = dict(attach_singles(pairs, clusters, 0.15, features=features).iter_rows())
    assert (attached["s"], attached["u"], attached["v"]) == ("s", "c", "v")


def test_clusters_of_a_long_chain():
    ids = [f"{i:06d}" for i in range(50_000)]
    pairs = pl.DataFrame(
        {
            "unique_id_l": ids[1:],
            "unique_id_r": ids[:-1],
            "match_probability": [1.0] * (len(ids) - 1),
        }
    )
    clusters = clusters_from_pairs(pairs, 0.5)
    assert clusters["cluster_id"].unique().to_list() == ["000000"]
    assert clusters.height == len(ids)


def test_decide():
    assert decide(0.995, AUTO_MERGE, REVIEW) == "merge"
    assert decide(0.99, AUTO_MERGE, REVIEW) == "merge"
    assert decide(0.7, AUTO_MERGE, REVIEW) == "review"
    assert decide(0.2, AUTO_MERGE, REVIEW) == "new"
    with pytest.raises(LinkageError, match="review <= auto_merge"):
        decide(0.5, 0.5, 0.9)


def test_default_settings_are_json_and_use_no_network_or_udf():
    settings = default_settings()
    text = json.dumps(settings, ensure_ascii=False)
    assert json.loads(text) == settings
    rules = [r["blocking_rule"] for r in settings["blocking_rules_to_generate_predictions"]]
    assert "l.uscc = r.uscc" in rules
    assert "l.phone_local = r.phone_local" in rules
