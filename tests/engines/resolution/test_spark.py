"""The linkage model on Spark (engines/resolution/spark.py), local mode, tiny data, no network.

Runs when the `[spark]` extra (pyspark, and Java 17) is installed; skipped otherwise. The model
is the shipped default model JSON, the one the DuckDB tests load; the pairs above the threshold
must be the same on both engines.
"""

from __future__ import annotations

from importlib import resources

import polars as pl
import pytest

pytest.importorskip(
    "pyspark", reason="the Spark path needs the [spark] extra: pip install 'clusterbrain[spark]'"
)

from clusterbrain.engines.resolution import spark as linkage_spark  # noqa: E402
from clusterbrain.engines.resolution.features import firm_features  # noqa: E402
from clusterbrain.engines.resolution.linkage import (  # noqa: E402
    DEFAULT_MODEL,
    LinkageModel,
    link_new_records,
)
from clusterbrain.engines.resolution.uscc import make_uscc  # noqa: E402

# one xdist worker runs this module, so its module fixture is built once (`--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("spark-session")

MODEL_JSON = resources.files("clusterbrain.engines.resolution").joinpath("data", DEFAULT_MODEL)
HENGDA = make_uscc("9", "1", "440114", "MA59HD001")
THRESHOLD = 0.5

EXISTING = [
    {
        "unique_id": "reg-1",
        "source": "registry",
        "name": "广州市花都区狮岭镇恒达皮具有限公司",
        "uscc": HENGDA,
        "address": "广东省广州市花都区狮岭镇合成村狮岭大道128号",
        "phone": "020-86812345",
        "legal_rep": "李明华",
    },
    {
        "unique_id": "reg-2",
        "source": "registry",
        "name": "广州市花都区狮岭镇恒达箱包有限公司",
        "address": "广东省广州市花都区狮岭镇益群村金狮大道66号",
        "phone": "020-86937711",
        "legal_rep": "陈国强",
    },
    {
        "unique_id": "reg-3",
        "source": "registry",
        "name": "温州市鹿城区金帝鞋业有限公司",
        "address": "浙江省温州市鹿城区双屿街道双屿大道100号",
        "phone": "0577-88881234",
        "legal_rep": "陈志强",
    },
]
NEW = [
    {
        "unique_id": "new-1",
        "source": "chamber",
        "name": "恒达皮具有限公司",
        "address": "花都区狮岭镇狮岭大道128号",
        "phone": "(020)86812345",
        "legal_rep": "李明华",
    },
    {
        "unique_id": "new-2",
        "source": "chamber",
        "name": "Guangzhou Hengda Leather Goods Co., Ltd.",
        "phone": "+86 20 8681 2345",
    },
    {
        "unique_id": "new-3",
        "source": "chamber",
        "name": "Wenzhou Jindi Shoes Co., Ltd.",
        "address": "No. 100 Shuangyu Avenue, Shuangyu Subdistrict, Lucheng District, Wenzhou",
        "phone": "+86 577 8888 1234",
    },
    {"unique_id": "new-4", "source": "chamber", "name": "恒达箱包厂", "uscc": HENGDA.lower()},
]


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    session = linkage_spark.local_spark_session(
        1, checkpoint_dir=tmp_path_factory.mktemp("spark-checkpoints")
    )
    yield session
    session.stop()


def above(pairs: pl.DataFrame) -> set[tuple[str, str, str]]:
    kept = pairs.filter(pl.col("match_probability") >= THRESHOLD)
    return set(kept.select("unique_id_l", "unique_id_r", "matched_by").iter_rows())


def test_comparison_levels_are_translated_to_spark_sql():
    model = LinkageModel.from_json(MODEL_JSON)
    translated = linkage_spark.spark_settings(model.settings)
    conditions = [
        level["sql_condition"]
        for comparison in translated["comparisons"]
        for level in comparison["comparison_levels"]
    ]
    assert not any('"' in condition for condition in conditions)
    assert any("JARO_WINKLER(`core_pinyin_l`, `core_pinyin_r`)" in c for c in conditions)
    assert not any("jaro_winkler_similarity" in c.lower() for c in conditions)
    # m and u travel unchanged.
    assert [
        [level.get("m_probability") for level in c["comparison_levels"]]
        for c in translated["comparisons"]
    ] == [
        [level.get("m_probability") for level in c["comparison_levels"]]
        for c in model.settings["comparisons"]
    ]


def test_the_spark_path_finds_the_pairs_duckdb_finds(spark):
    existing = firm_features(EXISTING)
    new = firm_features(NEW)
    on_duckdb = link_new_records(
        LinkageModel.from_json(MODEL_JSON), new, existing, min_weight=-10.0
    )
    on_spark = linkage_spark.link_new_records_spark(
        MODEL_JSON, spark, new, existing, min_weight=-10.0
    )
    assert on_spark.columns == on_duckdb.columns
    assert above(on_spark) == above(on_duckdb)
    assert ("new-1", "reg-1", "model") in above(on_spark)
    assert ("new-4", "reg-1", "uscc") in above(on_spark)  # a shared USCC, whatever the name
    joined = on_duckdb.join(on_spark, on=["unique_id_l", "unique_id_r"], suffix="_spark")
    assert joined.height == on_duckdb.height
    assert (joined["match_weight"] - joined["match_weight_spark"]).abs().max() < 1e-6


def test_a_spark_linker_from_the_same_json_predicts(spark):
    linker = linkage_spark.spark_linker(MODEL_JSON, spark, firm_features(EXISTING + NEW))
    predictions = pl.from_arrow(
        linker.inference.predict(threshold_match_probability=THRESHOLD).as_pyarrow_table()
    )
    assert isinstance(predictions, pl.DataFrame)
    pairs = {frozenset(ids) for ids in predictions.select("unique_id_l", "unique_id_r").iter_rows()}
    assert frozenset({"new-1", "reg-1"}) in pairs


def test_missing_columns_are_named_for_spark_frames(spark):
    frame = spark.createDataFrame([("a",)], schema="unique_id string")
    with pytest.raises(ValueError, match="missing column\\(s\\) source_dataset"):
        linkage_spark.link_new_records_spark(MODEL_JSON, spark, frame, frame, min_weight=0.0)


def test_national_blocking_rules_replace_the_models_for_one_call(spark):
    pairs = linkage_spark.link_new_records_spark(
        MODEL_JSON,
        spark,
        firm_features(NEW),
        firm_features(EXISTING),
        min_weight=-10.0,
        blocking_rules=linkage_spark.NATIONAL_BLOCKING_RULES,
    )
    found = above(pairs)
    assert ("new-1", "reg-1", "model") in found
    assert ("new-4", "reg-1", "uscc") in found
