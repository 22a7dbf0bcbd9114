"""The same linkage model on Spark, for a registry larger than one machine links comfortably.

The model JSON written by `LinkageModel.to_json` (Splink's own model JSON, trained on DuckDB) is
loaded unchanged; its SQL is DuckDB's, so on the way into Splink's Spark linker every comparison
level is translated to Spark SQL (identifiers in backticks, and DuckDB's
`jaro_winkler_similarity` becomes `jaro_winkler`, the UDF of the jar Splink ships). Blocking
rules carry their dialect and Splink translates them itself.

pyspark is the optional extra `clusterbrain[spark]`, imported only when a function here runs.
The Spark session needs Splink's similarity jar on its classpath (`spark.jars`):
`local_spark_session()` builds a local one with it; docs/operations.md says how for a cluster.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from copy import deepcopy
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from clusterbrain.engines.resolution.features import FEATURE_COLUMNS
from clusterbrain.engines.resolution.linkage import (
    SPLINK_LOG_LEVEL,
    LinkageError,
    _incremental_pairs,
    _scoring_settings,
    _validated,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame as SparkDataFrame
    from pyspark.sql import SparkSession
    from splink import Linker


# Candidate rules for a national registry: the trade name alone, the widest rule of the model
# (fine for a few million records), would pair every 恒达 of the country; here it needs the
# same city, and a person needs the same district.
NATIONAL_BLOCKING_RULES: tuple[str, ...] = (
    "l.core_pinyin = r.core_pinyin AND l.city_key = r.city_key",
    "l.core_pinyin = r.core_pinyin AND l.industry = r.industry AND l.province_key = r.province_key",
    "l.uscc = r.uscc",
    "l.phone_local = r.phone_local",
    "l.legal_rep_key = r.legal_rep_key AND l.district_key = r.district_key",
    "l.district_key = r.district_key AND l.road_key = r.road_key AND l.number = r.number",
    "l.alt_core_pinyin = r.core_pinyin AND l.city_key = r.city_key",
    "l.core_pinyin = r.alt_core_pinyin AND l.city_key = r.city_key",
)


class SparkUnavailableError(ImportError):
    """pyspark is not installed: the Spark path is the optional extra `clusterbrain[spark]`."""


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise SparkUnavailableError(
            "record linkage on Spark needs pyspark: pip install 'clusterbrain[spark]' "
            "(and Java 17 or later)"
        ) from exc


def _spark_sql(condition: str) -> str:
    """A DuckDB SQL condition of a comparison level in Spark SQL."""
    import sqlglot
    from sqlglot import expressions as exp

    if condition.strip().upper() == "ELSE":
        return condition
    tree = sqlglot.parse_one(condition, read="duckdb")

    def to_splink_udf(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.JarowinklerSimilarity):
            return exp.Anonymous(this="jaro_winkler", expressions=[node.this, node.expression])
        return node

    return tree.transform(to_splink_udf).sql(dialect="spark")


def spark_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A model's settings (DuckDB SQL) with every comparison level in Spark SQL."""
    translated = deepcopy(dict(settings))
    translated.pop("sql_dialect", None)
    for comparison in translated["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = _spark_sql(level["sql_condition"])
    return translated


def local_spark_session(
    cores: int = 1,
    *,
    checkpoint_dir: str | os.PathLike[str] | None = None,
    app_name: str = "clusterbrain-linkage",
) -> SparkSession:
    """A local Spark session with Splink's similarity jar, bound to the loopback address.

    Splink writes intermediate tables as checkpoints: into `checkpoint_dir`, or a new
    temporary directory.
    """
    _require_pyspark()
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    directory = checkpoint_dir or tempfile.mkdtemp(prefix="clusterbrain-spark-")
    session.sparkContext.setCheckpointDir(str(directory))
    return session


def _as_spark(
    spark_session: SparkSession, frame: pl.DataFrame | SparkDataFrame, role: str
) -> SparkDataFrame:
    """Feature columns as a Spark DataFrame of strings; polars frames are validated first."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    if isinstance(frame, pl.DataFrame):
        features = _validated(frame, role)
        schema = StructType([StructField(column, StringType()) for column in FEATURE_COLUMNS])
        return spark_session.createDataFrame(features.rows(), schema=schema)
    missing = [column for column in FEATURE_COLUMNS if column not in frame.columns]
    if missing:
        raise LinkageError(f"{role}: missing column(s) {', '.join(missing)}")
    return frame.select(*(F.col(column).cast("string") for column in FEATURE_COLUMNS))


def _model_settings(model_json_path: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        settings = json.loads(Path(model_json_path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise LinkageError(f"cannot read a linkage model from {model_json_path}: {exc}") from exc
    return spark_settings(settings)


def spark_linker(
    model_json_path: str | os.PathLike[str],
    spark_session: SparkSession,
    *dataframes: pl.DataFrame | SparkDataFrame,
) -> Linker:
    """A Splink linker on Spark over `dataframes` (feature frames, Spark or polars) with the
    model saved by the DuckDB path."""
    _require_pyspark()
    from splink import Linker, SparkAPI

    db_api = SparkAPI(spark_session=spark_session)
    # Registered tables are temporary views of the session: a name per call keeps two calls
    # on one session apart.
    call = uuid.uuid4().hex[:8]
    tables = [
        db_api.register(
            _as_spark(spark_session, frame, f"dataframe {i}"),
            dataset_display_name=f"records_{i}",
            table_name=f"records_{i}_{call}",
        )
        for i, frame in enumerate(dataframes, start=1)
    ]
    return Linker(tables, _model_settings(model_json_path), log_level=SPLINK_LOG_LEVEL)


def link_new_records_spark(
    model_json_path: str | os.PathLike[str],
    spark_session: SparkSession,
    new: pl.DataFrame | SparkDataFrame,
    existing: pl.DataFrame | SparkDataFrame,
    *,
    min_weight: float,
    blocking_rules: Sequence[str] | None = None,
) -> pl.DataFrame:
    """`linkage.link_new_records` on Spark: the same pairs, columns and certain USCC links.

    The pairs of one new list are few, so they come back to the driver as a polars frame; the
    registry itself stays in Spark. `blocking_rules` replace the model's candidate rules for
    this call, e.g. NATIONAL_BLOCKING_RULES against a national registry.
    """
    _require_pyspark()
    from splink import SparkAPI

    db_api = SparkAPI(spark_session=spark_session)
    new_frame = _as_spark(spark_session, new, "new records")
    existing_frame = _as_spark(spark_session, existing, "existing records")
    records = _count(new) + _count(existing)
    call = uuid.uuid4().hex[:8]
    new_table = db_api.register(
        new_frame, dataset_display_name="new_records", table_name=f"new_records_{call}"
    )
    existing_table = db_api.register(
        existing_frame,
        dataset_display_name="existing_records",
        table_name=f"existing_records_{call}",
    )
    return _incremental_pairs(
        _scoring_settings(_model_settings(model_json_path), records),
        new_table,
        existing_table,
        min_weight=min_weight,
        blocking_rules=blocking_rules,
    )


def _count(frame: pl.DataFrame | SparkDataFrame) -> int:
    return len(frame) if isinstance(frame, pl.DataFrame) else int(frame.count())
