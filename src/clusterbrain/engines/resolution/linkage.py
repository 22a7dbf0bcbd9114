"""Record linkage of firm lists: a Splink model on DuckDB, the same model JSON on Spark.

The records come in as `features.firm_features` frames. A valid USCC shared by two records is a
certain link whatever else differs (the code is issued once per legal person); everything else
is scored by a Fellegi-Sunter model whose comparisons are written for Chinese firm lists: the
romanised trade name (字号) rather than the full name, because region prefixes and legal forms
vary between lists of the same firm; the branch, because a branch (分公司) is a firm of its own;
the place as one town/district/city hierarchy; then street address, phone, legal representative
and USCC.

Every call opens its own in-memory DuckDB connection and closes it, so calls are independent
and nothing is left on disk. See docs/decisions/0005-record-linkage-model.md.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import numpy as np
import polars as pl

from clusterbrain.engines.resolution.features import (
    FEATURE_COLUMNS,
    LinkageError,
    firm_features,
)

if TYPE_CHECKING:
    from splink import Linker

__all__ = [
    "CERTAIN_MATCH_WEIGHT",
    "PAIR_COLUMNS",
    "ComparisonExplanation",
    "LinkageError",
    "LinkageModel",
    "ATTACH_MIN_WEIGHT",
    "ATTACH_SINGLES_AT",
    "attach_singles",
    "clusters_from_pairs",
    "decide",
    "dedupe_all",
    "default_settings",
    "exact_uscc_pairs",
    "explain_pair",
    "link_new_records",
    "load_default_model",
    "train_model",
]

DEFAULT_MODEL = "default_model.json"

# Splink says what it does at INFO, for every query; callers pass their own level if they care.
SPLINK_LOG_LEVEL = logging.WARNING

# The weight given to a pair that shares a valid USCC: its probability rounds to 1.0 and it
# stays above any threshold a steward can set. Splink's own weight is kept as model_weight.
CERTAIN_MATCH_WEIGHT = 60.0

MIN_TRAINING_RECORDS = 500

PAIR_COLUMNS: tuple[str, ...] = (
    "unique_id_l",
    "unique_id_r",
    "source_l",
    "source_r",
    "match_weight",
    "match_probability",
    "matched_by",
    "model_weight",
)

# Columns compared by each comparison, shown side by side to a reviewer.
COMPARED_COLUMNS: dict[str, tuple[str, ...]] = {
    "core_name": ("core", "core_pinyin", "alt_core_pinyin"),
    "industry": ("industry_text", "industry"),
    "legal_form": ("legal_form",),
    "branch": ("branch",),
    "location": ("town_key", "district_key", "city_key"),
    "street_address": ("road_key", "number"),
    "phone_local": ("phone_local",),
    "legal_rep_key": ("legal_rep_key",),
    "uscc": ("uscc",),
}


# --- settings ------------------------------------------------------------------------------


def _level(sql: str, label: str, *, null: bool = False, **configuration: Any) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    level.update(configuration)
    return level


def _exact(
    column: str, *, term_frequencies: bool = False, fixed_m_if_different: float | None = None
) -> dict[str, Any]:
    exact = _level(f'"{column}_l" = "{column}_r"', "Exact match")
    if term_frequencies:
        exact.update(tf_adjustment_column=column, tf_adjustment_weight=1.0)
    different = _level("ELSE", "All other comparisons")
    if fixed_m_if_different is not None:
        different.update(m_probability=fixed_m_if_different, fix_m_probability=True)
    return {
        "output_column_name": column,
        "comparison_description": f"{column}: exact match or not",
        "comparison_levels": [
            _level(f'"{column}_l" IS NULL OR "{column}_r" IS NULL', "Missing", null=True),
            exact,
            different,
        ],
    }


def _core_name() -> dict[str, Any]:
    # The same romanisation written with other characters (恒达/恒大) is a level of its own: a
    # typo or a homophone firm, EM says how often which.
    both_zh = "coalesce(\"script_l\" = 'zh' AND \"script_r\" = 'zh', FALSE)"
    return {
        "output_column_name": "core_name",
        "comparison_description": "Trade name (字号), romanised; the English name as a fallback",
        "comparison_levels": [
            _level('"core_pinyin_l" IS NULL OR "core_pinyin_r" IS NULL', "Missing", null=True),
            _level(
                f'"name_key_l" = "name_key_r" AND (NOT {both_zh} OR "core_l" = "core_r")',
                "Exact match, same trade words",
                tf_adjustment_column="name_key",
                tf_adjustment_weight=1.0,
                disable_tf_exact_match_detection=True,
            ),
            _level(
                f'"core_pinyin_l" = "core_pinyin_r" AND (NOT {both_zh} OR "core_l" = "core_r")',
                "Exact match",
                tf_adjustment_column="core_pinyin",
                tf_adjustment_weight=1.0,
                disable_tf_exact_match_detection=True,
            ),
            _level(
                '"core_pinyin_l" = "core_pinyin_r"',
                "Same pinyin, different characters",
            ),
            _level(
                '"core_pinyin_sorted_l" = "core_pinyin_sorted_r"',
                "Same syllables, another order",
            ),
            _level(
                '"alt_core_pinyin_l" = "core_pinyin_r" OR "core_pinyin_l" = "alt_core_pinyin_r"'
                ' OR "alt_core_pinyin_l" = "alt_core_pinyin_r"',
                "Exact match on the other-language name",
            ),
            _level(
                'jaro_winkler_similarity("core_pinyin_l", "core_pinyin_r") >= 0.92',
                "Jaro-Winkler >= 0.92",
            ),
            _level(
                'jaro_winkler_similarity("core_pinyin_l", "core_pinyin_r") >= 0.85',
                "Jaro-Winkler >= 0.85",
            ),
            _level("ELSE", "All other comparisons"),
        ],
    }


def _industry() -> dict[str, Any]:
    return {
        "output_column_name": "industry",
        "comparison_description": "Industry words of the name, as a canonical code",
        "comparison_levels": [
            _level('"industry_l" IS NULL OR "industry_r" IS NULL', "Missing", null=True),
            # 皮具 and 箱包 share a code but name two trades: a firm keeps its words.
            _level('"industry_text_l" = "industry_text_r"', "Same industry words"),
            _level('"industry_l" = "industry_r"', "Same industry (code)"),
            _level('"industry_family_l" = "industry_family_r"', "Same family (皮具/皮革/皮毛)"),
            _level("ELSE", "All other comparisons"),
        ],
    }


def _branch() -> dict[str, Any]:
    # Neither record naming a branch tells nothing, hence the null level; a branch differing
    # from the head office or from another branch is a different firm: its m is fixed small
    # rather than left to EM, which sees too few branches to learn how rare that is.
    return {
        "output_column_name": "branch",
        "comparison_description": "Branch (分公司) named in the firm name",
        "comparison_levels": [
            _level('"branch_l" IS NULL AND "branch_r" IS NULL', "Neither is a branch", null=True),
            _level('"branch_l" = "branch_r"', "Same branch"),
            _level("ELSE", "Branch differs", m_probability=1e-6, fix_m_probability=True),
        ],
    }


def _location() -> dict[str, Any]:
    def agree(column: str) -> str:
        return f'coalesce("{column}_l" = "{column}_r", TRUE)'

    def place(side: str) -> str:
        return f'coalesce("town_key_{side}", "district_key_{side}", "city_key_{side}")'

    return {
        "output_column_name": "location",
        "comparison_description": "Town, district and city of the address",
        "comparison_levels": [
            _level(f"{place('l')} IS NULL OR {place('r')} IS NULL", "Missing", null=True),
            _level(
                f'"town_key_l" = "town_key_r" AND {agree("district_key")} AND {agree("city_key")}',
                "Same town",
            ),
            _level(f'"district_key_l" = "district_key_r" AND {agree("city_key")}', "Same district"),
            _level('"city_key_l" = "city_key_r"', "Same city"),
            _level(
                f"{agree('town_key')} AND {agree('district_key')} AND {agree('city_key')}",
                "No conflict (different detail)",
            ),
            _level("ELSE", "Different place"),
        ],
    }


def _street_address() -> dict[str, Any]:
    return {
        "output_column_name": "street_address",
        "comparison_description": "Road and number",
        "comparison_levels": [
            _level('"road_key_l" IS NULL OR "road_key_r" IS NULL', "Missing", null=True),
            _level(
                '"road_key_l" = "road_key_r" AND "number_l" = "number_r"', "Same road and number"
            ),
            _level('"road_key_l" = "road_key_r"', "Same road"),
            _level("ELSE", "Different road"),
        ],
    }


# Candidate pairs. Measured on the benchmark's 1,000,000 generated records (5 lists): the
# trade name alone makes 46M pairs and finds 88% of true pairs; USCC, phone, legal
# representative with the name's first letter, the street address and the reordered name in
# the district bring it to ~97% for at most ~90M pairs, two to three minutes of scoring on two
# cores. A name-and-city rule would be cheaper but misses the many records without an address.
# At national scale on Spark, pass narrower rules (spark.NATIONAL_BLOCKING_RULES).
BLOCKING_RULES: tuple[str, ...] = (
    "l.core_pinyin = r.core_pinyin",
    "l.uscc = r.uscc",
    "l.phone_local = r.phone_local",
    "l.legal_rep_key = r.legal_rep_key"
    " AND substr(l.core_pinyin, 1, 1) = substr(r.core_pinyin, 1, 1)",
    "l.district_key = r.district_key AND l.road_key = r.road_key AND l.number = r.number",
    "l.core_pinyin_sorted = r.core_pinyin_sorted AND l.district_key = r.district_key",
    "l.alt_core_pinyin = r.core_pinyin",
    "l.core_pinyin = r.alt_core_pinyin",
)


def default_settings() -> dict[str, Any]:
    """The untrained model: a Splink 5 settings dict in DuckDB SQL (spark.py translates it)."""
    return {
        "link_type": "link_and_dedupe",
        "unique_id_column_name": "unique_id",
        "source_dataset_column_name": "source_dataset",
        "probability_two_random_records_match": 1e-4,
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "em_convergence": 1e-4,
        "max_iterations": 25,
        "comparisons": [
            _core_name(),
            _industry(),
            _exact("legal_form"),
            _branch(),
            _location(),
            _street_address(),
            _exact("phone_local", term_frequencies=True),
            _exact("legal_rep_key", term_frequencies=True),
            # Two valid codes that differ are two legal persons, whatever the names say.
            _exact("uscc", fixed_m_if_different=0.001),
        ],
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule} for rule in BLOCKING_RULES
        ],
    }


# Term frequencies measured on a few dozen records say nothing about how common a name or a
# phone number is (a firm listed five times in a list of thirty makes its name look common),
# so batches smaller than this are scored without term-frequency adjustments.
MIN_RECORDS_FOR_TERM_FREQUENCIES = 5_000


def _scoring_settings(settings: Mapping[str, Any], records: int) -> dict[str, Any]:
    """The settings to score `records` records with: the model's, without term-frequency
    adjustments below MIN_RECORDS_FOR_TERM_FREQUENCIES."""
    scoring = deepcopy(dict(settings))
    if records < MIN_RECORDS_FOR_TERM_FREQUENCIES:
        for comparison in scoring["comparisons"]:
            for level in comparison["comparison_levels"]:
                for key in ("tf_adjustment_column", "tf_adjustment_weight"):
                    level.pop(key, None)
    return scoring


def _tf_columns(settings: Mapping[str, Any]) -> list[str]:
    columns = {
        level["tf_adjustment_column"]
        for comparison in settings["comparisons"]
        for level in comparison["comparison_levels"]
        if level.get("tf_adjustment_column")
    }
    return sorted(columns)


# --- the model -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkageModel:
    """A Splink settings dict, trained or not; its JSON is Splink's own model JSON."""

    settings: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return deepcopy(dict(self.settings))

    def to_json(self, path: str | os.PathLike[str]) -> None:
        Path(path).write_text(json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n")

    @classmethod
    def from_json(cls, path: str | os.PathLike[str]) -> LinkageModel:
        try:
            settings = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise LinkageError(f"cannot read a linkage model from {path}: {exc}") from exc
        if not isinstance(settings, dict) or "comparisons" not in settings:
            raise LinkageError(f"{path} is not a Splink model (no 'comparisons')")
        return cls(settings)

    @property
    def probability_two_random_records_match(self) -> float:
        return float(self.settings.get("probability_two_random_records_match", 1e-4))

    @property
    def is_trained(self) -> bool:
        return all(
            "m_probability" in level and "u_probability" in level
            for comparison in self.settings["comparisons"]
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level")
        )


def load_default_model() -> LinkageModel:
    """The model shipped with the package, fitted on `_training_corpus()`.

    For lists too small to train on (`train_model` raises LinkageError). Refit it with
    `python -m clusterbrain.engines.resolution.linkage` (docs/decisions/0005).
    """
    text = resources.files(__package__).joinpath("data", DEFAULT_MODEL).read_text("utf-8")
    return LinkageModel(json.loads(text))


# --- DuckDB plumbing ------------------------------------------------------------------------


def _threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def _duckdb() -> Iterator[Any]:
    """A fresh in-memory DuckDB wrapped in Splink's API; closed on the way out."""
    from splink import DuckDBAPI

    connection = duckdb.connect(":memory:")
    try:
        connection.execute(f"SET threads = {_threads()}")
        connection.execute("SET preserve_insertion_order = false")
        yield DuckDBAPI(connection)
    finally:
        connection.close()


def _linker(splink_frames: Any, settings: Mapping[str, Any]) -> Linker:
    from splink import Linker

    return Linker(splink_frames, deepcopy(dict(settings)), log_level=SPLINK_LOG_LEVEL)


def _validated(features: pl.DataFrame, role: str) -> pl.DataFrame:
    """The feature columns only, as strings; LinkageError naming what is wrong."""
    if not isinstance(features, pl.DataFrame):
        raise LinkageError(f"{role}: expected a polars DataFrame of firm features")
    missing = [column for column in FEATURE_COLUMNS if column not in features.columns]
    if missing:
        raise LinkageError(f"{role}: missing column(s) {', '.join(missing)}")
    frame = features.select(pl.col(column).cast(pl.String) for column in FEATURE_COLUMNS)
    if frame["unique_id"].null_count():
        raise LinkageError(
            f"{role}: unique_id is empty in {frame['unique_id'].null_count()} row(s)"
        )
    repeated = frame.filter(pl.col("unique_id").is_duplicated())["unique_id"].unique().sort()
    if len(repeated):
        shown = ", ".join(repeated.head(5).to_list())
        raise LinkageError(f"{role}: unique_id must be unique; repeated: {shown}")
    return frame


def _pairs_frame(predictions: Any, settings: Mapping[str, Any]) -> pl.DataFrame:
    """Splink's predictions in our shape: ids and sources, weights, then per comparison its
    gamma_ level and bf_ Bayes factor (term-frequency adjustment included), then the values."""
    raw = pl.from_arrow(predictions.as_pyarrow_table())
    assert isinstance(raw, pl.DataFrame)
    return _shape_pairs(raw, settings)


def _shape_pairs(raw: pl.DataFrame, settings: Mapping[str, Any]) -> pl.DataFrame:
    names = [comparison["output_column_name"] for comparison in settings["comparisons"]]
    per_comparison: list[pl.Expr] = []
    for name in names:
        weight = pl.col(f"mw_{name}").cast(pl.Float64)
        if f"mw_tf_adj_{name}" in raw.columns:
            weight = weight + pl.col(f"mw_tf_adj_{name}").cast(pl.Float64).fill_null(0.0)
        per_comparison += [
            pl.col(f"gamma_{name}").cast(pl.Int8),
            (2.0**weight).alias(f"bf_{name}"),
        ]
    values = [
        pl.col(f"{column}_{side}")
        for column in dict.fromkeys(c for cols in COMPARED_COLUMNS.values() for c in cols)
        for side in ("l", "r")
        if f"{column}_{side}" in raw.columns
    ]
    return raw.select(
        pl.col("unique_id_l"),
        pl.col("unique_id_r"),
        pl.col("source_dataset_l").alias("source_l"),
        pl.col("source_dataset_r").alias("source_r"),
        pl.col("match_weight").cast(pl.Float64),
        pl.col("match_probability").cast(pl.Float64),
        pl.lit("model").alias("matched_by"),
        pl.col("match_weight").cast(pl.Float64).alias("model_weight"),
        *per_comparison,
        *values,
    )


def exact_uscc_pairs(new: pl.DataFrame, existing: pl.DataFrame | None = None) -> pl.DataFrame:
    """Pairs of records that share a valid USCC: new with existing, and new with new.

    Columns unique_id_l, unique_id_r, source_l, source_r, uscc; the new record on the left,
    and within the new list the smaller id on the left.
    """
    keep = ["unique_id", "source_dataset", "uscc"]
    fresh = new.select(keep).filter(pl.col("uscc").is_not_null())
    pairs = []
    if existing is not None and len(existing):
        old = existing.select(keep).filter(pl.col("uscc").is_not_null())
        pairs.append(fresh.join(old, on="uscc", suffix="_r"))
    within = fresh.join(fresh, on="uscc", suffix="_r").filter(
        pl.col("unique_id") < pl.col("unique_id_r")
    )
    pairs.append(within)
    return pl.concat(pairs).select(
        pl.col("unique_id").alias("unique_id_l"),
        pl.col("unique_id_r"),
        pl.col("source_dataset").alias("source_l"),
        pl.col("source_dataset_r").alias("source_r"),
        pl.col("uscc"),
    )


def _with_uscc_certainty(pairs: pl.DataFrame, scored_uscc_pairs: pl.DataFrame) -> pl.DataFrame:
    """`pairs` plus every shared-USCC pair, the latter marked certain.

    `scored_uscc_pairs` are the shared-USCC pairs as the model scored them (with no threshold),
    so a certain link still carries its comparison levels for a reviewer.
    """
    if not len(scored_uscc_pairs):
        return pairs
    certain = scored_uscc_pairs.with_columns(
        pl.lit(CERTAIN_MATCH_WEIGHT).alias("match_weight"),
        pl.lit(1.0).alias("match_probability"),
        pl.lit("uscc").alias("matched_by"),
    )
    key = _pair_key()
    rest = pairs.filter(~key.is_in(certain.select(key.alias("k"))["k"].implode()))
    return pl.concat([certain.select(pairs.columns), rest], how="vertical_relaxed")


def _pair_key() -> pl.Expr:
    """An order-free key of a pair of ids."""
    low = pl.min_horizontal("unique_id_l", "unique_id_r")
    high = pl.max_horizontal("unique_id_l", "unique_id_r")
    return pl.concat_str([low, high], separator="\x1f")


USCC_RULE = "l.uscc = r.uscc"


def link_new_records(
    model: LinkageModel,
    new: pl.DataFrame,
    existing: pl.DataFrame,
    *,
    min_weight: float,
) -> pl.DataFrame:
    """Score a new list against the registry and within itself; never existing with existing.

    Returns one row per candidate pair with match_weight >= min_weight (and every pair that
    shares a valid USCC, as a certain link): `PAIR_COLUMNS`, then gamma_<comparison> and
    bf_<comparison> for each comparison, then the compared values <column>_l / <column>_r.
    The new record is on the left of new-vs-existing pairs.
    """
    new = _validated(new, "new records")
    existing = _validated(existing, "existing records")
    overlap = new.join(existing, on="unique_id", how="semi")["unique_id"]
    if len(overlap):
        shown = ", ".join(overlap.sort().head(5).to_list())
        raise LinkageError(f"new records reuse unique_id of existing records: {shown}")
    if not len(new):
        return _empty_pairs(model)
    settings = model.as_dict()
    with _duckdb() as db_api:
        new_table = db_api.register(new.to_arrow(), dataset_display_name="new_records")
        existing_table = None
        if len(existing):
            existing_table = db_api.register(
                existing.to_arrow(), dataset_display_name="existing_records"
            )
        return _incremental_pairs(
            _scoring_settings(settings, len(new) + len(existing)),
            new_table,
            existing_table,
            min_weight=min_weight,
        )


def _incremental_pairs(
    settings: Mapping[str, Any],
    new_table: Any,
    existing_table: Any | None,
    *,
    min_weight: float,
    blocking_rules: Sequence[str] | None = None,
) -> pl.DataFrame:
    """The pairs of `link_new_records` from tables registered with any Splink backend;
    `blocking_rules` replace the model's for this call (None keeps them)."""
    tables = [new_table] if existing_table is None else [new_table, existing_table]
    linker = _linker(tables, settings)
    # predict_within/between read term frequencies from registered tables: those of the
    # registry and the new list together, as predict() would compute them.
    for column in _tf_columns(settings):
        linker.table_management.compute_tf_table(column)
    inference = linker.inference
    rules: list[Any] | None = list(blocking_rules) if blocking_rules is not None else None

    def scored(predictions: Any) -> pl.DataFrame:
        return _pairs_frame(predictions, settings)

    pairs = _with_uscc_certainty(
        scored(
            inference.predict_within(
                new_table,
                blocking_rules_to_generate_predictions=rules,
                threshold_match_weight=min_weight,
                warning_mode="never",
            )
        ),
        scored(
            inference.predict_within(
                new_table, blocking_rules_to_generate_predictions=[USCC_RULE], warning_mode="never"
            )
        ),
    )
    if existing_table is not None:
        between = _with_uscc_certainty(
            scored(
                inference.predict_between(
                    new_table,
                    existing_table,
                    blocking_rules_to_generate_predictions=rules,
                    threshold_match_weight=min_weight,
                    warning_mode="never",
                )
            ),
            scored(
                inference.predict_between(
                    new_table,
                    existing_table,
                    blocking_rules_to_generate_predictions=[USCC_RULE],
                    warning_mode="never",
                )
            ),
        )
        pairs = pl.concat([pairs, between], how="vertical_relaxed")
    return _ordered(pairs)


def _ordered(pairs: pl.DataFrame) -> pl.DataFrame:
    return pairs.sort("match_weight", "unique_id_l", "unique_id_r", descending=[True, False, False])


def dedupe_all(model: LinkageModel, features: pl.DataFrame, *, min_weight: float) -> pl.DataFrame:
    """Every candidate pair of one batch (all sources at once), in the shape of
    `link_new_records`. The path of the benchmark and of a first import."""
    features = _validated(features, "records")
    if not len(features):
        return _empty_pairs(model)
    settings = _scoring_settings(model.settings, len(features))
    with _duckdb() as db_api:
        table = db_api.register(features.to_arrow(), dataset_display_name="records")
        linker = _linker(table, settings)
        pairs = _pairs_frame(
            linker.inference.predict(threshold_match_weight=min_weight, warning_mode="never"),
            settings,
        )
        for column in _tf_columns(settings):
            linker.table_management.compute_tf_table(column)
        scored_uscc = _pairs_frame(
            linker.inference.predict_within(
                table, blocking_rules_to_generate_predictions=[USCC_RULE], warning_mode="never"
            ),
            settings,
        )
    return _ordered(_with_uscc_certainty(pairs, scored_uscc))


def _empty_pairs(model: LinkageModel) -> pl.DataFrame:
    schema: dict[str, Any] = {
        "unique_id_l": pl.String,
        "unique_id_r": pl.String,
        "source_l": pl.String,
        "source_r": pl.String,
        "match_weight": pl.Float64,
        "match_probability": pl.Float64,
        "matched_by": pl.String,
        "model_weight": pl.Float64,
    }
    for comparison in model.settings["comparisons"]:
        name = comparison["output_column_name"]
        schema[f"gamma_{name}"] = pl.Int8
        schema[f"bf_{name}"] = pl.Float64
    for column in dict.fromkeys(c for cols in COMPARED_COLUMNS.values() for c in cols):
        schema[f"{column}_l"] = pl.String
        schema[f"{column}_r"] = pl.String
    return pl.DataFrame(schema=schema)


# --- clusters and decisions ------------------------------------------------------------------


def clusters_from_pairs(
    pairs: pl.DataFrame,
    threshold_probability: float,
    unique_ids: Iterable[str] | None = None,
) -> pl.DataFrame:
    """Connected components of the pairs at or above `threshold_probability`.

    Columns unique_id, cluster_id; the cluster id is the smallest unique_id of the cluster, so
    it is stable as long as that record stays. Records in `unique_ids` that no pair links come
    out alone; without `unique_ids` only linked records are listed.
    """
    edges = pairs.filter(pl.col("match_probability") >= threshold_probability).select(
        "unique_id_l", "unique_id_r"
    )
    nodes = pl.concat([edges["unique_id_l"], edges["unique_id_r"]])
    if unique_ids is not None:
        nodes = pl.concat([nodes, pl.Series(list(unique_ids), dtype=pl.String)])
    ids = nodes.unique().sort()
    if not len(ids):
        return pl.DataFrame(schema={"unique_id": pl.String, "cluster_id": pl.String})
    index = pl.DataFrame({"unique_id": ids, "i": np.arange(len(ids), dtype=np.int64)})
    numbered = edges.join(index, left_on="unique_id_l", right_on="unique_id").join(
        index, left_on="unique_id_r", right_on="unique_id", suffix="_r"
    )
    left = numbered["i"].to_numpy()
    right = numbered["i_r"].to_numpy()
    label = np.arange(len(ids), dtype=np.int64)
    # Minimum-label propagation with pointer jumping: labels only fall and always name a
    # member of the same component, so the fixed point gives each component its least index.
    while True:
        before = label.copy()
        low = np.minimum(label[left], label[right])
        np.minimum.at(label, left, low)
        np.minimum.at(label, right, low)
        label = label[label]
        if np.array_equal(label, before):
            break
    return pl.DataFrame({"unique_id": ids, "cluster_id": ids.gather(label)})


# A record left alone by `clusters_from_pairs` joins the cluster it agrees with best when that
# agreement, taken over the cluster's members together, reaches this probability (see
# `attach_singles`), from pairs scored down to ATTACH_MIN_WEIGHT. Measured on 200,000 benchmark
# records clustered at 0.95: F1 0.944 alone; attaching at 0.3 / 0.15 / 0.1, 0.965 / 0.969 /
# 0.970, with fewer look-alikes merged the higher it is; pairs scored down to weight 0 only
# (no pair below the threshold to attach by), 0.959. On 1,000,000 records clustered at 0.99,
# with rows of one list kept apart: 0.9757 / 0.9758 / 0.9751 at 0.1 / 0.15 / 0.3.
ATTACH_SINGLES_AT = 0.15
ATTACH_MIN_WEIGHT = -3.0


def _conflicts(features: pl.DataFrame, cid: pl.DataFrame, union: pl.DataFrame) -> pl.DataFrame:
    """(unique_id_l, cluster_id) of `union` where a member of the cluster has another valid
    USCC or another branch than the single, or comes from the single's own list: vetoes whose
    pairs `min_weight` may have dropped. A list names a firm once, so a cluster that already
    holds a row of the single's list is that row's firm (measured on 1,000,000 benchmark
    records: of 1,967 such attachments, one was right)."""
    if "source_dataset" not in features.columns:
        features = features.with_columns(source_dataset=pl.lit(None, dtype=pl.String))
    keys = features.select("unique_id", "source_dataset", "uscc", "branch")
    members = cid.join(keys, on="unique_id").select(
        "cluster_id",
        pl.col("source_dataset").alias("m_source"),
        pl.col("uscc").alias("m_uscc"),
        pl.col("branch").alias("m_branch"),
    )
    candidates = union.select("unique_id_l", "cluster_id").join(
        keys, left_on="unique_id_l", right_on="unique_id"
    )
    joined = candidates.join(members, on="cluster_id")
    same_list = (pl.col("source_dataset") == pl.col("m_source")).fill_null(False)
    uscc_differs = (pl.col("uscc") != pl.col("m_uscc")).fill_null(False)
    branch_differs = pl.col("branch").ne_missing(pl.col("m_branch"))
    vetoed = joined.filter(same_list | uscc_differs | branch_differs)
    return vetoed.select("unique_id_l", "cluster_id").unique()


# A comparison level this many bits against (a different valid USCC, another branch, another
# place) vetoes the cluster: it is never outweighed by what other members agree on.
_VETO_BITS = -8.0


def attach_singles(
    pairs: pl.DataFrame,
    clusters: pl.DataFrame,
    min_probability: float = ATTACH_SINGLES_AT,
    *,
    features: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """`clusters` (unique_id, cluster_id) with each record that is alone joined to the one
    cluster it agrees with best, if that is at least `min_probability`.

    A list names a firm once, so a record no pair links is either a firm of its own or a
    listing whose contacts differ from those of each other list taken one at a time: the
    expo's mobile agrees with the supplier, its trade name and town with the registry. Each
    such record is compared with a cluster as with one record holding all its members'
    values: per comparison the best Bayes factor among its scored pairs with the members,
    unless one of them is a veto (`_VETO_BITS` or stronger against), which is kept; then the
    model's prior. Only a record alone moves and only to its best cluster, so look-alike firms
    already apart are not chained together. `pairs` are `dedupe_all`'s, with their bf_
    columns, scored below the clustering threshold (`min_weight` of a few bits below zero).
    """
    bf_columns = [c for c in pairs.columns if c.startswith("bf_")]
    if not bf_columns or "model_weight" not in pairs.columns:
        raise LinkageError("attach_singles needs pairs with model_weight and bf_ columns")
    if not len(pairs) or not len(clusters):
        return clusters
    bits = [pl.col(c).log(2).alias(c) for c in bf_columns]
    scored = pairs.select("unique_id_l", "unique_id_r", "model_weight", *bits)
    prior = scored.select((pl.col("model_weight") - pl.sum_horizontal(bf_columns)).median()).item()
    cid = clusters.select("unique_id", "cluster_id")
    size = cid.group_by("cluster_id").len()
    alone = cid.join(size.filter(pl.col("len") == 1), on="cluster_id").select("unique_id")
    if not len(alone):
        return clusters
    # Each pair from the side of a record alone: (single, the other's cluster, the levels).
    both_ways = pl.concat(
        [
            scored,
            scored.rename({"unique_id_l": "unique_id_r", "unique_id_r": "unique_id_l"}).select(
                scored.columns
            ),
        ]
    )
    toward = (
        both_ways.join(alone, left_on="unique_id_l", right_on="unique_id")
        .join(cid, left_on="unique_id_r", right_on="unique_id")
        .filter(pl.col("cluster_id") != pl.col("unique_id_l"))
    )
    union = toward.group_by("unique_id_l", "cluster_id").agg(
        pl.when(pl.col(c).min() <= _VETO_BITS).then(pl.col(c).min()).otherwise(pl.col(c).max())
        for c in bf_columns
    )
    if features is not None:
        union = union.join(
            _conflicts(features, cid, union), on=["unique_id_l", "cluster_id"], how="anti"
        )
    threshold = math.log2(min_probability / (1.0 - min_probability))
    best = (
        union.with_columns(weight=prior + pl.sum_horizontal(bf_columns))
        .filter(pl.col("weight") >= threshold)
        .sort("weight", "unique_id_l", "cluster_id", descending=[True, False, False])
        .unique("unique_id_l", keep="first", maintain_order=True)
    )
    if features is not None and "source_dataset" in features.columns:
        # Two rows of one list are two firms: of the singles of one list that chose the same
        # cluster, only the one agreeing best joins it.
        best = (
            best.join(
                features.select("unique_id", "source_dataset"),
                left_on="unique_id_l",
                right_on="unique_id",
            )
            .sort("weight", "unique_id_l", descending=[True, False])
            .unique(["cluster_id", "source_dataset"], keep="first", maintain_order=True)
        )
    if not len(best):
        return clusters
    # Join the clusters: every record to its cluster id, every moved single to its target.
    edges = pl.concat(
        [
            cid.select(
                pl.col("cluster_id").alias("unique_id_l"), pl.col("unique_id").alias("unique_id_r")
            ),
            best.select("unique_id_l", pl.col("cluster_id").alias("unique_id_r")),
        ]
    ).with_columns(match_probability=pl.lit(1.0))
    return clusters_from_pairs(edges, 1.0, unique_ids=cid["unique_id"])


Decision = Literal["merge", "review", "new"]


def decide(match_probability: float, auto_merge: float, review: float) -> Decision:
    """Merge at or above `auto_merge`, queue for review at or above `review`, else a new firm."""
    if not 0.0 <= review <= auto_merge <= 1.0:
        raise LinkageError(
            f"thresholds must satisfy 0 <= review <= auto_merge <= 1; got review={review}, "
            f"auto_merge={auto_merge}"
        )
    if match_probability >= auto_merge:
        return "merge"
    if match_probability >= review:
        return "review"
    return "new"


# --- explanations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonExplanation:
    """What one comparison (or the prior) added to a pair's match weight."""

    comparison: str
    level: str
    bayes_factor: float
    match_weight: float
    left: str | None
    right: str | None


PRIOR = "prior"


def _splink_settings(model: LinkageModel) -> Any:
    from splink import SettingsCreator

    return SettingsCreator.from_path_or_dict(model.as_dict()).get_settings("duckdb")


def _shown(row: Mapping[str, Any], columns: tuple[str, ...], side: str) -> str | None:
    values = [row.get(f"{column}_{side}") for column in columns]
    present = [str(value) for value in values if value not in (None, "")]
    return " / ".join(present) if present else None


def explain_pair(model: LinkageModel, pair_row: Mapping[str, Any]) -> list[ComparisonExplanation]:
    """Why a pair scored what it did: the prior first, then each comparison's level as Splink
    labels it, its Bayes factor and match weight (term-frequency adjustment included) and the
    two values. The weights add up to the model's weight of the pair (`model_weight`).
    """
    settings = _splink_settings(model)
    prior = model.probability_two_random_records_match
    prior_bf = prior / (1.0 - prior)
    explanations = [
        ComparisonExplanation(
            PRIOR,
            "Probability two random records match",
            prior_bf,
            math.log2(prior_bf),
            None,
            None,
        )
    ]
    for comparison in settings.comparisons:
        name = comparison.output_column_name
        gamma_value = pair_row.get(f"gamma_{name}")
        if gamma_value is None:
            raise LinkageError(f"pair has no gamma_{name}: explain a row of the linked pairs")
        level = comparison._get_comparison_level_by_comparison_vector_value(int(gamma_value))
        bf = pair_row.get(f"bf_{name}")
        if bf is None:
            bf = 1.0 if level.is_null_level else float(level._bayes_factor)
        bf = float(bf)
        columns = COMPARED_COLUMNS.get(name, (name,))
        explanations.append(
            ComparisonExplanation(
                name,
                level.label_for_charts,
                bf,
                math.log2(bf) if bf > 0 else -math.inf,
                _shown(pair_row, columns, "l"),
                _shown(pair_row, columns, "r"),
            )
        )
    return explanations


# --- training --------------------------------------------------------------------------------

# Rules that admit almost no false positives, to estimate how often two records match.
DETERMINISTIC_RULES: tuple[str, ...] = (
    "l.uscc = r.uscc",
    "l.phone_local = r.phone_local AND l.core_pinyin = r.core_pinyin",
)
# EM sessions: each blocks on some columns and so estimates the m of the others.
EM_BLOCKING_RULES: tuple[str, ...] = (
    "l.core_pinyin = r.core_pinyin",
    "l.phone_local = r.phone_local",
    "l.district_key = r.district_key AND l.road_key = r.road_key AND l.number = r.number",
)


def train_model(
    features: pl.DataFrame,
    *,
    settings: Mapping[str, Any] | None = None,
    seed: int = 2026,
    max_pairs_for_u: float = 2e6,
    max_pairs_for_em: float = 2e6,
    deterministic_recall: float = 0.35,
) -> LinkageModel:
    """Fit m and u of the model on one batch of features (all sources together).

    λ from the deterministic rules, u by seeded random sampling, m by EM with the blocking
    rules of `EM_BLOCKING_RULES`. Raises LinkageError when the batch is too small to train on
    (fewer than MIN_TRAINING_RECORDS, or no pair for a rule): use `load_default_model()`.
    """
    features = _validated(features, "training records")
    if len(features) < MIN_TRAINING_RECORDS:
        raise LinkageError(
            f"too few records to train a linkage model: {len(features)} < "
            f"{MIN_TRAINING_RECORDS}; use the default model"
        )
    from splink.internals.exceptions import SplinkException

    base = dict(settings) if settings is not None else default_settings()
    with _duckdb() as db_api:
        table = db_api.register(features.to_arrow(), dataset_display_name="training_records")
        linker = _linker(table, base)
        training = linker.training
        try:
            training.estimate_probability_two_random_records_match(
                list(DETERMINISTIC_RULES), recall=deterministic_recall
            )
            training.estimate_u_using_random_sampling(max_pairs=max_pairs_for_u, seed=seed)
            # Splink samples EM pairs from a 1% probe of the records: worth it, and only
            # possible, on large batches.
            em_pairs = max_pairs_for_em if len(features) >= 100_000 else None
            for rule in EM_BLOCKING_RULES:
                training.estimate_parameters_using_expectation_maximisation(
                    rule, estimate_without_term_frequencies=True, max_pairs=em_pairs
                )
        except (SplinkException, ZeroDivisionError, ValueError) as exc:
            raise LinkageError(f"cannot train a linkage model on these records: {exc}") from exc
        trained = linker.misc.save_model_to_json()
    trained.pop("linker_uid", None)  # a random id per run; the same data gives the same JSON
    return LinkageModel(_smoothed(trained))


# Pseudo-counts added to every level's m and u after training. EM on lists where true matches
# never disagree on some field drives that level's m to ~0 (a weight of -100 or worse), and a
# single disagreement would then veto a pair whatever else agrees; levels never observed would
# keep no value at all. With the pseudo-count one disagreement costs at most ~10 bits.
M_PSEUDO_COUNT = 1e-3
U_PSEUDO_COUNT = 1e-6


def _smoothed(settings: dict[str, Any]) -> dict[str, Any]:
    for comparison in settings["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        # A level neither EM nor sampling ever saw says nothing: Bayes factor 1.
        unseen = [
            lv for lv in levels if not lv.get("m_probability") and not lv.get("u_probability")
        ]
        for key, fixed, pseudo in (
            ("m_probability", "fix_m_probability", M_PSEUDO_COUNT),
            ("u_probability", "fix_u_probability", U_PSEUDO_COUNT),
        ):
            for level in unseen:
                level[key] = M_PSEUDO_COUNT
            free = [lv for lv in levels if not lv.get(fixed) and lv not in unseen]
            held = sum(float(lv[key]) for lv in levels if lv.get(fixed) or lv in unseen)
            values = [float(lv.get(key) or 0.0) for lv in free]
            total = sum(values) + pseudo * len(free)
            for level, value in zip(free, values, strict=True):
                level[key] = (value + pseudo) / total * (1.0 - held)
    return settings


# --- a training corpus ------------------------------------------------------------------------


def _training_corpus(n_firms: int = 1500, seed: int = 2026) -> list[dict[str, Any]]:
    """Noisy lists of fictional firms of the four clusters, five sources, `firm_id` the truth.

    Each firm appears in one to five lists: the registry's full name and USCC; the chamber's
    short name; the tax office's (USCC with a typo now and then); a brand's English supplier
    list; an exhibition's sign-ups with typos and mobiles. Among the firms are look-alikes in
    the same town: the same trade name in another trade or legal form, a branch (分公司), a
    homophone trade name. Enough to fit the default model, not a benchmark.
    """
    from clusterbrain.demo import names as pools
    from clusterbrain.engines.resolution.uscc import ALPHABET, make_uscc

    rng = random.Random(seed)
    places = [
        # division, weight, trades (zh as written and its variant, en), area code, digits
        (
            "440114",
            40,
            ((("皮具", "皮具制品"), "Leather Goods"), (("箱包", "箱包制品"), "Bags")),
            "020",
            8,
        ),
        ("130181", 20, ((("皮革", "皮革制品"), "Leather"), (("皮毛", "毛皮"), "Fur")), "0311", 8),
        (
            "330302",
            25,
            ((("鞋业", "制鞋"), "Shoes"), (("鞋材", "鞋底"), "Shoe Materials")),
            "0577",
            8,
        ),
        (
            "451203",
            10,
            ((("茧丝绸", "丝绸"), "Silk"), (("缫丝", "蚕丝"), "Silk Reeling")),
            "0778",
            7,
        ),
        ("451226", 5, ((("茧丝绸", "丝绸"), "Silk"), (("蚕业", "桑蚕"), "Sericulture")), "0778", 7),
    ]
    place_zh = {
        "440114": pools.SHILING.zh,
        "130181": pools.XINJI.zh,
        "330302": pools.LUCHENG.zh,
        "451203": pools.YIZHOU.zh,
        "451226": pools.HUANJIANG.zh,
    }
    legal_forms = (
        ("有限公司", "Co., Ltd.", 55),
        ("厂", "Factory", 20),
        ("商行", "Trading Firm", 10),
        ("经营部", "Business Department", 5),
        ("股份有限公司", "Co., Ltd.", 5),
        ("有限责任公司", "Co., Ltd.", 5),
    )
    products = {
        "440114": ("女包", "钱包", "背包", "皮带", "拉杆箱", "手袋"),
        "130181": ("牛皮革", "羊皮革", "皮毛", "皮衣", "汽车座椅革"),
        "330302": ("男鞋", "女鞋", "童鞋", "皮鞋", "鞋底", "鞋材"),
        "451203": ("桑蚕丝", "生丝", "丝绵被", "真丝面料"),
        "451226": ("桑蚕丝", "生丝", "蚕茧"),
    }
    chars = list(pools.ZIHAO_CHARS.items())
    by_pinyin: dict[str, list[str]] = {}
    for char, pinyin in chars:
        by_pinyin.setdefault(pinyin, []).append(char)
    surnames = list(pools.SURNAMES_GUANGXI)
    given = list(pools.GIVEN_NAMES)

    def weighted(options: Iterable[Any], weight_index: int) -> Any:
        options = list(options)
        return rng.choices(options, weights=[o[weight_index] for o in options])[0]

    def new_uscc(division: str) -> str:
        body = "".join(rng.choice(ALPHABET) for _ in range(9))
        return make_uscc("9", "1", division, body)

    def new_phone(area: str, length: int) -> str:
        if rng.random() < 0.4:
            return "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))
        return (
            area
            + "-"
            + rng.choice("2345678")
            + "".join(rng.choice("0123456789") for _ in range(length - 1))
        )

    def new_address(division: str) -> tuple[str, str, int]:
        street = rng.choice(pools.STREETS[division])
        road = rng.choice(street.roads)[0]
        return street.zh, road, rng.randint(1, 300)

    firms: list[dict[str, Any]] = []
    for _ in range(n_firms):
        roll = rng.random()
        if firms and roll < 0.2:
            # A look-alike of an earlier firm in the same town.
            base = rng.choice(firms)
            firm = dict(base)
            firm.update(
                uscc=new_uscc(base["division"]),
                phone=new_phone(base["area"], base["length"]),
                rep=rng.choice(surnames) + "".join(rng.sample(given, rng.randint(1, 2))),
                branch="",
            )
            street, road, number = new_address(base["division"])
            firm.update(street=street, road=road, number=number)
            kind = rng.random()
            if kind < 0.35:
                trades = [t for t in base["trades"] if t != base["trade"]]
                firm["trade"] = rng.choice(trades)
            elif kind < 0.55:
                form = weighted(legal_forms, 2)
                firm.update(legal=form[0], legal_en=form[1])
            elif kind < 0.8:
                branch_street = rng.choice(pools.STREETS[base["division"]])
                firm["branch"] = branch_street.zh.rstrip("村镇街道")
                firm["branch_en"] = branch_street.en.split()[0]
                firm["rep"] = base["rep"] if rng.random() < 0.3 else firm["rep"]
            else:
                homophones = [
                    c for c in by_pinyin[pools.ZIHAO_CHARS[base["core"][1]]] if c != base["core"][1]
                ]
                if not homophones:
                    continue
                firm["core"] = base["core"][0] + rng.choice(homophones)
            firms.append(firm)
            continue
        division, _, trades, area, length = weighted(places, 1)
        first, second = rng.sample(chars, 2)
        form = weighted(legal_forms, 2)
        street, road, number = new_address(division)
        firms.append(
            {
                "division": division,
                "trades": trades,
                "trade": rng.choice(trades),
                "core": first[0] + second[0],
                "legal": form[0],
                "legal_en": form[1],
                "branch": "",
                "street": street,
                "road": road,
                "number": number,
                "area": area,
                "length": length,
                "phone": new_phone(area, length),
                "rep": rng.choice(surnames) + "".join(rng.sample(given, rng.randint(1, 2))),
                "uscc": new_uscc(division),
                "products": "、".join(rng.sample(products[division], 2)),
            }
        )

    def romanised(core: str) -> str:
        return "".join(pools.ZIHAO_CHARS.get(c, "") for c in core).capitalize()

    def zh_name(firm: dict[str, Any], *, region: bool, typo: bool = False) -> str:
        core = firm["core"]
        if typo:
            position = rng.randrange(len(core))
            swap = rng.choice(by_pinyin[pools.ZIHAO_CHARS[core[position]]] + [rng.choice(chars)[0]])
            core = core[:position] + swap + core[position + 1 :]
        naming = pools.NAMING[firm["division"]]
        prefix = rng.choice(naming.company)[0] if region else ""
        words = firm["trade"][0][1] if firm.get("trade_variant") else firm["trade"][0][0]
        name = f"{prefix}{core}{words}{firm['legal']}"
        if firm["branch"]:
            name += rng.choice(("（{}分公司）", "{}分公司", "({}分公司)")).format(firm["branch"])
        return name

    def en_name(firm: dict[str, Any]) -> str:
        naming = pools.NAMING[firm["division"]]
        prefix = rng.choice(naming.company)[1]
        core = firm["brand"] or romanised(firm["core"])
        name = f"{prefix} {core} {firm['trade'][1]} {firm['legal_en']}"
        if firm["branch"]:
            name += f" ({firm['branch_en']} Branch)"
        return name

    def address(firm: dict[str, Any], *, full: bool) -> str:
        place = place_zh[firm["division"]]
        if not full:
            place = place[place.index("省") + 1 :] if "省" in place else place
        number = str(firm["number"])
        if rng.random() < 0.2:
            number = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        return f"{place}{firm['street']}{firm['road']}{number}号"

    def phone(firm: dict[str, Any]) -> str:
        number = firm["phone"]
        if "-" in number and rng.random() < 0.3:
            area, local = number.split("-")
            return rng.choice((f"({area}){local}", f"+86 {area[1:]} {local}", f"{area}{local}"))
        return number

    def maybe(value: str, probability: float) -> str | None:
        return value if rng.random() < probability else None

    records: list[dict[str, Any]] = []

    def emit(source: str, firm_id: int, **fields: Any) -> None:
        records.append(
            {"unique_id": f"{source}-{len(records):06d}", "source": source, "firm_id": firm_id}
            | fields
        )

    brands = ("Everwin", "Goldsun", "Richland", "Sunrise", "Greatwall", "Bestone", "Topway")
    for firm_id, firm in enumerate(firms):
        # Some firms trade abroad under an English name that is no romanisation of theirs.
        firm["brand"] = rng.choice(brands) if rng.random() < 0.1 else ""
        # What lists disagree on for one firm: a second phone, a second site, a new legal
        # representative, the trade in other words, a legal form written loosely.
        firm["phones"] = [firm["phone"]] + (
            [new_phone(firm["area"], firm["length"])] if rng.random() < 0.25 else []
        )
        firm["sites"] = [(firm["street"], firm["road"], firm["number"])]
        if rng.random() < 0.15:
            firm["sites"].append(new_address(firm["division"]))
        firm["reps"] = [firm["rep"]] + (
            [rng.choice(surnames) + rng.choice(given)] if rng.random() < 0.08 else []
        )

        def varied(firm: dict[str, Any] = firm) -> dict[str, Any]:
            variant = dict(firm)
            street, road, number = rng.choice(firm["sites"])
            variant.update(street=street, road=road, number=number)
            variant["phone"] = rng.choice(firm["phones"])
            variant["rep"] = rng.choice(firm["reps"])
            if rng.random() < 0.1:
                variant["trade_variant"] = True
            if rng.random() < 0.12:
                form = weighted(legal_forms, 2)
                variant.update(legal=form[0], legal_en=form[1])
            return variant

        placed = False
        if rng.random() < 0.8:
            placed = True
            emit(
                "registry",
                firm_id,
                name=zh_name(firm, region=True),
                uscc=firm["uscc"],
                address=address(firm, full=True),
                phone=maybe(phone(firm), 0.7),
                legal_rep=firm["rep"],
                products=maybe(firm["products"], 0.5),
            )
        if rng.random() < 0.4:
            placed = True
            variant = varied()
            emit(
                "chamber",
                firm_id,
                name=zh_name(variant, region=rng.random() < 0.4),
                uscc=maybe(firm["uscc"], 0.4),
                address=maybe(address(variant, full=False), 0.7),
                phone=maybe(phone(variant), 0.8),
                legal_rep=maybe(variant["rep"], 0.6),
                products=maybe(firm["products"], 0.7),
            )
        if rng.random() < 0.35:
            placed = True
            code = firm["uscc"]
            if rng.random() < 0.05:
                code = code[:-1] + rng.choice([c for c in ALPHABET if c != code[-1]])
            variant = varied()
            emit(
                "tax",
                firm_id,
                name=zh_name(firm, region=True),
                uscc=maybe(code, 0.9),
                address=maybe(address(variant, full=True), 0.9),
                legal_rep=maybe(variant["rep"], 0.8),
            )
        if rng.random() < 0.25:
            placed = True
            english_only = rng.random() < 0.7
            variant = varied()
            emit(
                "brand",
                firm_id,
                name=en_name(variant) if english_only else zh_name(variant, region=True),
                name_en=None if english_only else en_name(variant),
                uscc=maybe(firm["uscc"], 0.3),
                address=maybe(address(variant, full=False), 0.5),
                phone=maybe(phone(variant), 0.6),
            )
        if rng.random() < 0.3 or not placed:
            for _ in range(2 if rng.random() < 0.05 else 1):
                variant = varied()
                emit(
                    "expo",
                    firm_id,
                    name=zh_name(variant, region=rng.random() < 0.3, typo=rng.random() < 0.2),
                    address=maybe(address(variant, full=False), 0.5),
                    phone=phone(variant) if rng.random() < 0.9 else None,
                    legal_rep=maybe(variant["rep"], 0.5),
                    products=maybe(firm["products"], 0.8),
                )
    return records


def _fit_default_model(path: Path | None = None) -> Path:
    """Refit the shipped model on `_training_corpus()` and write it to the package."""
    target = path or Path(__file__).with_name("data") / DEFAULT_MODEL
    target.parent.mkdir(parents=True, exist_ok=True)
    features = firm_features(_training_corpus())
    train_model(features).to_json(target)
    return target


if __name__ == "__main__":
    print(f"wrote {_fit_default_model()}")
