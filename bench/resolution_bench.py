"""Record linkage of firm lists at 1,000,000 records from five sources: precision, recall and F1
against the truth and the time end to end, ours beside two peers on the same data.

    .venv/bin/python -m bench.resolution_bench --records 1000000 [--sample 20000] [--seed 0]
        [--threshold 0.9] [--out docs/benchmarks.md]

What it measures (the issue's benchmark):

a. Data: `clusterbrain.demo.firm_lists.generate_firm_lists(--records, sources=5)`, labelled
   synthetic lists of the four seed clusters (registry, chamber, tax, supplier, exhibition) with
   legal-form and region variants, typos, look-alike and homophone characters, traditional and
   full-width forms, English and pinyin names, address and phone variants, missing and mistyped
   USCCs, and look-alike different firms of the same town. Its time is reported, not counted.
b. OURS end to end: `firm_features` (normalise) → `train_model` (λ, u by sampling, EM) →
   `dedupe_all` (block, score, certain links on a shared valid USCC; pairs kept down to
   `linkage.ATTACH_MIN_WEIGHT`) → `clusters_from_pairs` at `--threshold` (match probability)
   → `attach_singles` (a record left alone joins the cluster it agrees with best, at
   `linkage.ATTACH_SINGLES_AT`), each stage timed.
c. PEER 1, Splink on DuckDB as it comes: a plain lower-cased name, no normalisation: the name by
   exact match and Jaro-Winkler, raw USCC, phone and legal representative by exact match, the
   raw address by Jaro-Winkler; blocking on the raw name's first `--peer-prefix` characters, the
   raw USCC, the raw phone and the legal representative with the address's first characters
   (our rules, on raw columns); trained like ours (λ, u by sampling, EM); Splink's clustering at
   the same threshold.
d. PEER 2, an exhaustive rapidfuzz comparison on a `--sample`-record sample (whole firms, with
   their look-alike siblings, drawn from the same data): `rapidfuzz.process.cdist` of every name
   with every name (lower-cased, punctuation stripped) with each of `fuzz.ratio`,
   `fuzz.token_set_ratio` and `fuzz.partial_ratio`, pairs at or above a cutoff joined by
   connected components. The scorer and cutoff are TUNED AGAINST THE TRUTH (the best F1 of a
   sweep), a help no real user has; the winner's cdist and its connected components are timed.
   OURS runs on the same sample, trained on it: F1 of both and the time ratio.

Scores are pairwise: a pair of records is predicted when the two share a cluster and true when
they share a firm; precision, recall and F1 over pairs, counted with polars group-bys. Records no
pair links are clusters of one. Targets (printed, never asserted): F1 ≥ 0.97 and ≤ 10 minutes
end to end at 1,000,000 records on this 2-core machine.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from bench.platform_bench import load_average, machine
from bench.report import markdown_table, write_section
from clusterbrain.demo.firm_lists import ListRecord, generate_firm_lists

SECTION = "resolution_bench"
F1_TARGET = 0.97
TIME_TARGET_S = 600.0
# The probability a pair must reach to be linked before records left alone are attached: on
# 1,000,000 records F1 0.968 at 0.9, 0.973 at 0.95, 0.976 at 0.99 and 0.999 (commit of the
# trade-name-with-trade-words level); the stewardship auto-merge threshold is of this order.
DEFAULT_THRESHOLD = 0.99
# Pairs below this weight are not returned by the predict step (a match probability of 0.5 at
# weight 0 is below any threshold a steward would merge at).
DEFAULT_MIN_WEIGHT = 0.0
RAPIDFUZZ_CUTOFFS = tuple(range(70, 101, 2))
# Name scorers tried by the rapidfuzz peer: partial_ratio finds a short name inside a full one.
RAPIDFUZZ_SCORERS = ("ratio", "token_set_ratio", "partial_ratio")
SWEEP_THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99)

Say = Callable[[str], None]


# --- truth and scores --------------------------------------------------------------------------


def truth_frame(records: Sequence[ListRecord]) -> pl.DataFrame:
    """unique_id, source, true_firm_id, family (the firm a look-alike was made from, or itself)."""
    return pl.DataFrame(
        {
            "unique_id": [r.unique_id for r in records],
            "source": [r.source for r in records],
            "true_firm_id": [r.true_firm_id for r in records],
            "lookalike_of": [r.lookalike_of for r in records],
        },
        schema={
            "unique_id": pl.String,
            "source": pl.String,
            "true_firm_id": pl.String,
            "lookalike_of": pl.String,
        },
    ).with_columns(family=pl.coalesce("lookalike_of", "true_firm_id"))


def _pairs_in(frame: pl.DataFrame, keys: list[str]) -> int:
    sizes = frame.group_by(keys).len()["len"].cast(pl.Int64)
    return int((sizes * (sizes - 1) // 2).sum())


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    true_positive_pairs: int
    predicted_pairs: int
    true_pairs: int
    clusters: int
    firms: int

    @classmethod
    def of(cls, truth: pl.DataFrame, clusters: pl.DataFrame) -> Scores:
        """Pairwise scores of `clusters` (unique_id, cluster_id; records missing from it are
        alone) against `truth` (unique_id, true_firm_id)."""
        joined = _assigned(truth, clusters)
        tp = _pairs_in(joined, ["cluster_id", "true_firm_id"])
        predicted = _pairs_in(joined, ["cluster_id"])
        true = _pairs_in(joined, ["true_firm_id"])
        precision = tp / predicted if predicted else 1.0
        recall = tp / true if true else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(
            precision,
            recall,
            f1,
            tp,
            predicted,
            true,
            joined["cluster_id"].n_unique(),
            joined["true_firm_id"].n_unique(),
        )


def _assigned(truth: pl.DataFrame, clusters: pl.DataFrame) -> pl.DataFrame:
    """Every record of `truth` with its cluster_id (its own unique_id when unclustered)."""
    predicted = clusters.select(
        pl.col("unique_id").cast(pl.String), pl.col("cluster_id").cast(pl.String)
    )
    return truth.join(predicted, on="unique_id", how="left").with_columns(
        pl.col("cluster_id").fill_null(pl.lit("solo:") + pl.col("unique_id"))
    )


@dataclass(frozen=True)
class Errors:
    """Where the pairs were lost (recall) and found wrongly (precision)."""

    missed_by_sources: list[tuple[str, int, int]]  # "chamber–expo", missed pairs, true pairs
    false_pairs: int
    false_lookalike_pairs: int  # a firm and the firm it was made to look like
    false_family_pairs: int  # two look-alikes of one firm, or the firm and one of them
    largest_cluster: int

    @classmethod
    def of(cls, truth: pl.DataFrame, clusters: pl.DataFrame) -> Errors:
        joined = _assigned(truth, clusters)
        # True pairs by the two lists they come from: a self-join inside each firm (five
        # records at most), so its size is that of the truth's pairs.
        slim = joined.select("unique_id", "source", "true_firm_id", "cluster_id")
        pairs = (
            slim.join(slim, on="true_firm_id", suffix="_r")
            .filter(pl.col("unique_id") < pl.col("unique_id_r"))
            .with_columns(
                sources=pl.concat_str(
                    pl.min_horizontal("source", "source_r"),
                    pl.max_horizontal("source", "source_r"),
                    separator="–",
                ),
                missed=pl.col("cluster_id") != pl.col("cluster_id_r"),
            )
            .group_by("sources")
            .agg(pl.col("missed").sum(), pl.len().alias("pairs"))
            .sort("missed", descending=True)
        )
        missed = [(row[0], int(row[1]), int(row[2])) for row in pairs.iter_rows()]
        # False pairs: predicted minus true positives; those between a firm and its look-alike
        # counted from the per-cluster firm counts (no pair is listed).
        per_firm = joined.group_by("cluster_id", "true_firm_id", "lookalike_of", "family").len()
        predicted = _pairs_in(joined, ["cluster_id"])
        tp = _pairs_in(joined, ["cluster_id", "true_firm_id"])
        lookalike = (
            per_firm.filter(pl.col("lookalike_of").is_not_null())
            .join(
                per_firm.select("cluster_id", "true_firm_id", pl.col("len").alias("base_len")),
                left_on=["cluster_id", "lookalike_of"],
                right_on=["cluster_id", "true_firm_id"],
            )
            .select((pl.col("len") * pl.col("base_len")).sum())
            .item()
        )
        families = per_firm.group_by("cluster_id", "family").agg(
            pl.col("len").sum().alias("n"),
            (pl.col("len") * (pl.col("len") - 1) // 2).sum().alias("within_firms"),
        )
        family = int((families["n"] * (families["n"] - 1) // 2).sum()) - int(
            families["within_firms"].sum()
        )
        largest = int(joined.group_by("cluster_id").len().select(pl.col("len").max()).item() or 0)
        return cls(missed, predicted - tp, int(lookalike or 0), family, largest)


# --- runs ------------------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    records: int
    stages: dict[str, float] = field(default_factory=dict)
    scores: Scores | None = None
    errors: Errors | None = None
    candidate_pairs: int | None = None  # pairs the blocking rules generate (scored)
    candidates_estimated: bool = False
    returned_pairs: int | None = None  # pairs the predict step kept
    notes: list[str] = field(default_factory=list)
    sweep: list[tuple[float, Scores]] = field(default_factory=list)
    missed: Missed | None = None
    missed_examples: list[tuple[str, str, str]] = field(default_factory=list)
    false_kinds: list[tuple[str, int]] = field(default_factory=list)
    false_examples: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(self.stages.values())


@contextmanager
def stage(run: Run, name: str, say: Say) -> Iterator[None]:
    say(f"{run.name}: {name}…")
    began = time.perf_counter()
    yield
    run.stages[name] = time.perf_counter() - began
    say(f"{run.name}: {name} {run.stages[name]:.1f} s")


def run_ours(
    records: Sequence[ListRecord],
    truth: pl.DataFrame,
    *,
    name: str,
    seed: int,
    threshold: float,
    min_weight: float,
    say: Say,
    count_candidates: bool = True,
    sweep: bool = False,
) -> Run:
    from clusterbrain.engines.resolution.features import firm_features
    from clusterbrain.engines.resolution.linkage import (
        ATTACH_MIN_WEIGHT,
        attach_singles,
        clusters_from_pairs,
        dedupe_all,
        train_model,
    )

    run = Run(name, len(records))
    with stage(run, "normalise (features)", say):
        features = firm_features(r.as_input() for r in records)
    with stage(run, "train (λ, u, EM)", say):
        model = train_model(features, seed=seed)
    with stage(run, "predict (block + score)", say):
        pairs = dedupe_all(model, features, min_weight=min(min_weight, ATTACH_MIN_WEIGHT))
    with stage(run, "cluster", say):
        clusters = clusters_from_pairs(pairs, threshold, unique_ids=features["unique_id"])
        clusters = attach_singles(pairs, clusters, features=features)
    run.returned_pairs = len(pairs)
    run.scores = Scores.of(truth, clusters)
    run.errors = Errors.of(truth, clusters)
    rules = [r["blocking_rule"] for r in model.settings["blocking_rules_to_generate_predictions"]]
    if sweep:
        for at in SWEEP_THRESHOLDS:
            at_clusters = clusters_from_pairs(pairs, at, unique_ids=features["unique_id"])
            at_clusters = attach_singles(pairs, at_clusters, features=features)
            run.sweep.append((at, Scores.of(truth, at_clusters)))
        say("diagnosing the missed pairs (not timed)…")
        run.missed = missed_pairs(
            features, truth, clusters, pairs, [*rules, "l.uscc = r.uscc"], OUR_NAME_KINDS
        )
        run.false_kinds, false_examples = false_pairs(features, truth, clusters)
        wanted = {uid for _why, left, right in run.missed.examples for uid in (left, right)}
        wanted |= {uid for _kind, left, right in false_examples for uid in (left, right)}
        shown = {r.unique_id: _shown(r) for r in records if r.unique_id in wanted}
        run.missed_examples = [
            (why, shown[left], shown[right]) for why, left, right in run.missed.examples
        ]
        run.false_examples = [
            (kind, shown[left], shown[right]) for kind, left, right in false_examples
        ]
    del pairs, clusters
    gc.collect()
    if count_candidates:
        run.candidate_pairs, run.candidates_estimated = _count_candidates(
            features.to_arrow(), rules, say
        )
    return run


MAX_FALSE_PAIRS_LISTED = 20_000_000
# How two records' names compare, as our normaliser reads them (for the missed pairs).
OUR_NAME_KINDS = """CASE
    WHEN l.core = r.core AND l.industry = r.industry THEN 'same 字号 and trade words'
    WHEN l.core = r.core THEN 'same 字号, other or missing trade words'
    WHEN l.core_pinyin = r.core_pinyin THEN 'same 字号 pinyin, other characters'
    ELSE 'other or missing 字号' END"""


def false_pairs(
    features: pl.DataFrame, truth: pl.DataFrame, clusters: pl.DataFrame
) -> tuple[list[tuple[str, int]], list[tuple[str, str, str]]]:
    """The pairs of different firms put in one cluster, by how their trade names (字号, as our
    normaliser reads them) compare: the same characters, the same pinyin only, or different;
    with a few examples of each. Skipped when clusters hold too many pairs to list."""
    joined = _assigned(truth, clusters)
    if _pairs_in(joined, ["cluster_id"]) > MAX_FALSE_PAIRS_LISTED:
        return [("not listed: too many predicted pairs", 0)], []
    slim = joined.join(
        features.select("unique_id", "core", "core_pinyin"), on="unique_id", how="left"
    ).select("unique_id", "true_firm_id", "cluster_id", "core", "core_pinyin")
    wrong = (
        slim.join(slim, on="cluster_id", suffix="_r")
        .filter(
            (pl.col("unique_id") < pl.col("unique_id_r"))
            & (pl.col("true_firm_id") != pl.col("true_firm_id_r"))
        )
        .with_columns(
            kind=pl.when(pl.col("core") == pl.col("core_r"))
            .then(pl.lit("same 字号 characters"))
            .when(pl.col("core_pinyin") == pl.col("core_pinyin_r"))
            .then(pl.lit("same 字号 pinyin, other characters"))
            .otherwise(pl.lit("other or missing 字号"))
        )
    )
    kinds = wrong.group_by("kind").len().sort("len", descending=True)
    examples = (
        wrong.sort("unique_id", "unique_id_r")
        .group_by("kind", maintain_order=True)
        .head(3)
        .select("kind", "unique_id", "unique_id_r")
    )
    return (
        [(kind, int(n)) for kind, n in kinds.iter_rows()],
        [tuple(row) for row in examples.iter_rows()],
    )


def _shown(record: ListRecord) -> str:
    fields = (record.name, record.name_en, record.uscc, record.address, record.phone)
    return f"{record.source}: " + " | ".join(f or "·" for f in (*fields, record.legal_rep))


@dataclass(frozen=True)
class Missed:
    """The true pairs a run did not put in one cluster, by why: no blocking rule made the pair
    (blocking recall), or the model scored it under min_weight or under the threshold."""

    true_pairs: int
    blocked: int  # true pairs some blocking rule makes
    unblocked_missed: int
    low_weight_missed: int  # blocked, weight under min_weight (not returned by predict)
    below_threshold_missed: int  # blocked, returned, probability under the threshold
    examples: list[tuple[str, ...]]  # why, then the two records' raw fields
    by_name: list[tuple[str, int]] = field(default_factory=list)  # missed pairs by name kind


def missed_pairs(
    features: pl.DataFrame,
    truth: pl.DataFrame,
    clusters: pl.DataFrame,
    pairs: pl.DataFrame,
    rules: Sequence[str],
    name_kind: str = "'–'",
) -> Missed:
    """Every true pair with its blocking rules evaluated by DuckDB on the feature rows (the
    rules are Splink's SQL with l./r. aliases), joined with the predicted pairs; `name_kind`,
    an SQL expression on l. and r., sorts the missed pairs by how their names compare."""
    import duckdb

    joined = _assigned(truth, clusters).select("unique_id", "true_firm_id", "cluster_id")
    true_pairs = (
        joined.join(joined, on="true_firm_id", suffix="_r")
        .filter(pl.col("unique_id") < pl.col("unique_id_r"))
        .select(
            pl.col("unique_id").alias("id_l"),
            pl.col("unique_id_r").alias("id_r"),
            (pl.col("cluster_id") != pl.col("cluster_id_r")).alias("missed"),
        )
    )
    scored = pairs.select(
        pl.min_horizontal("unique_id_l", "unique_id_r").alias("id_l"),
        pl.max_horizontal("unique_id_l", "unique_id_r").alias("id_r"),
        pl.lit(True).alias("returned"),
    ).unique(["id_l", "id_r"])
    blocked_sql = " OR ".join(f"coalesce(({rule}), FALSE)" for rule in rules)
    connection = duckdb.connect(":memory:")
    try:
        connection.register("true_pairs", true_pairs.to_arrow())
        connection.register("scored", scored.to_arrow())
        connection.register("f", features.to_arrow())
        table = connection.execute(
            f"""
            SELECT p.id_l, p.id_r, p.missed, ({blocked_sql}) AS blocked,
                   coalesce(s.returned, FALSE) AS returned, ({name_kind}) AS name_kind
            FROM true_pairs p
            JOIN f AS l ON l.unique_id = p.id_l
            JOIN f AS r ON r.unique_id = p.id_r
            LEFT JOIN scored s ON s.id_l = p.id_l AND s.id_r = p.id_r
            """
        ).arrow()
    finally:
        connection.close()
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    missed = frame.filter("missed")
    why = (
        pl.when(~pl.col("blocked"))
        .then(pl.lit("not blocked"))
        .when(~pl.col("returned"))
        .then(pl.lit("weight under min_weight"))
        .otherwise(pl.lit("probability under the threshold"))
    )
    examples = (
        missed.with_columns(why=why)
        .sort("id_l", "id_r")
        .group_by("why", maintain_order=True)
        .head(4)
        .select("why", "id_l", "id_r")
    )
    return Missed(
        true_pairs=len(frame),
        blocked=int(frame["blocked"].sum()),
        unblocked_missed=int((~missed["blocked"]).sum()),
        low_weight_missed=int((missed["blocked"] & ~missed["returned"]).sum()),
        below_threshold_missed=int((missed["blocked"] & missed["returned"]).sum()),
        examples=[tuple(row) for row in examples.iter_rows()],
        by_name=[
            (kind, int(n))
            for kind, n in missed.group_by("name_kind")
            .len()
            .sort("len", descending=True)
            .iter_rows()
        ],
    )


def _count_candidates(table: Any, rules: Sequence[str], say: Say) -> tuple[int, bool]:
    """Pairs the blocking rules make (each once, whichever rules make it), counted by Splink's
    blocking analysis outside the timed stages: exactly up to 200,000 records, above that on a
    20% sample of each side (≈). Returns the count and whether it is estimated."""
    import warnings

    import duckdb
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    say("counting candidate pairs (not timed)…")
    proportion = 1.0 if table.num_rows <= 200_000 else 0.2
    connection = duckdb.connect(":memory:")
    try:
        frame = DuckDBAPI(connection).register(table)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "below 1,000 sampled comparisons"
            counts = count_comparisons_from_blocking_rules(
                frame,
                blocking_rules=list(rules),
                link_type="dedupe_only",
                record_sample_proportion=proportion,
            )
        return (int(counts[-1]["cumulative_comparison_count"]) if counts else 0), proportion < 1
    finally:
        connection.close()


def _raw_frame(records: Sequence[ListRecord]) -> pl.DataFrame:
    """What a user loads into Splink with no normalisation: the columns as listed, the name
    lower-cased."""
    return pl.DataFrame(
        {
            "unique_id": [r.unique_id for r in records],
            "name_lower": [r.name.lower() for r in records],
            "uscc": [r.uscc for r in records],
            "phone": [r.phone for r in records],
            "legal_rep": [r.legal_rep for r in records],
            "address": [r.address for r in records],
        }
    )


def splink_plain_settings(prefix: int) -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=1e-4,
        comparisons=[
            cl.JaroWinklerAtThresholds("name_lower", [0.92, 0.8]),
            cl.ExactMatch("uscc"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("legal_rep"),
            cl.JaroWinklerAtThresholds("address", [0.9, 0.7]),
        ],
        blocking_rules_to_generate_predictions=[
            {"blocking_rule": rule} for rule in splink_plain_blocking(prefix)
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def splink_plain_blocking(prefix: int) -> tuple[str, ...]:
    return (
        f"substr(l.name_lower, 1, {prefix}) = substr(r.name_lower, 1, {prefix})",
        "l.uscc = r.uscc",
        "l.phone = r.phone",
        "l.legal_rep = r.legal_rep AND substr(l.address, 1, 6) = substr(r.address, 1, 6)",
    )


def run_splink_plain(
    records: Sequence[ListRecord],
    truth: pl.DataFrame,
    *,
    prefix: int,
    seed: int,
    threshold: float,
    say: Say,
    count_candidates: bool = True,
) -> Run:
    import duckdb
    from splink import DuckDBAPI, Linker

    run = Run("Splink, plain name", len(records))
    connection = duckdb.connect(":memory:")
    try:
        db_api = DuckDBAPI(connection)
        with stage(run, "load (lower-cased name)", say):
            frame = db_api.register(_raw_frame(records).to_arrow())
        with stage(run, "train (λ, u, EM)", say):
            linker = Linker(frame, splink_plain_settings(prefix), log_level="WARNING")
            training = linker.training
            training.estimate_probability_two_random_records_match(
                ["l.uscc = r.uscc", "l.name_lower = r.name_lower"], recall=0.7
            )
            training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
            training.estimate_parameters_using_expectation_maximisation(
                "l.name_lower = r.name_lower", estimate_without_term_frequencies=True
            )
            training.estimate_parameters_using_expectation_maximisation(
                "l.phone = r.phone", estimate_without_term_frequencies=True
            )
        with stage(run, "predict (block + score)", say):
            predictions = linker.inference.predict(
                threshold_match_probability=min(0.5, threshold), warning_mode="never"
            )
        with stage(run, "cluster", say):
            clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
                predictions, threshold_match_probability=threshold
            )
            clusters = pl.from_arrow(clustered.as_pyarrow_table())
        predicted = pl.from_arrow(predictions.as_pyarrow_table())
    finally:
        connection.close()
    assert isinstance(clusters, pl.DataFrame) and isinstance(predicted, pl.DataFrame)
    run.returned_pairs = len(predicted)
    clusters = clusters.select(pl.col("unique_id"), pl.col("cluster_id"))
    run.scores = Scores.of(truth, clusters)
    run.errors = Errors.of(truth, clusters)
    raw = _raw_frame(records)
    rules = splink_plain_blocking(prefix)
    say("diagnosing the missed pairs (not timed)…")
    run.missed = missed_pairs(raw, truth, clusters, predicted, rules)
    if count_candidates:
        run.candidate_pairs, run.candidates_estimated = _count_candidates(
            raw.to_arrow(), rules, say
        )
    return run


@dataclass(frozen=True)
class Tuning:
    """One scorer of the rapidfuzz peer: its cdist time and F1 at each cutoff."""

    scorer: str
    cdist_s: float
    sweep: list[tuple[int, Scores]]

    @property
    def best(self) -> tuple[int, Scores]:
        return max(self.sweep, key=lambda item: item[1].f1)


def run_rapidfuzz(
    records: Sequence[ListRecord], truth: pl.DataFrame, *, say: Say
) -> tuple[Run, list[Tuning]]:
    """Every name against every name with each scorer of RAPIDFUZZ_SCORERS; the scorer and
    cutoff of the best F1 against the truth win. The run is that scorer's cdist (timed as it
    ran, with no cutoff: the same matrix) and the connected components at its cutoff."""
    import numpy as np
    from rapidfuzz import fuzz, process, utils

    ids = pl.Series("unique_id", [r.unique_id for r in records], dtype=pl.String)
    names = [r.name for r in records]

    def clusters_at(matrix: Any, cutoff: int) -> pl.DataFrame:
        left, right = np.nonzero(matrix >= cutoff)
        upper = left < right
        labels = connected_components(len(names), left[upper], right[upper])
        return pl.DataFrame({"unique_id": ids, "cluster_id": ids.gather(labels)})

    tunings: list[Tuning] = []
    best: tuple[float, str, int, Any] | None = None
    for scorer in RAPIDFUZZ_SCORERS:
        say(f"rapidfuzz: cdist with fuzz.{scorer} on {len(records):,} records…")
        began = time.perf_counter()
        matrix = process.cdist(
            names,
            names,
            scorer=getattr(fuzz, scorer),
            processor=utils.default_process,
            dtype=np.uint8,
            workers=-1,
        )
        seconds = time.perf_counter() - began
        sweep = [(c, Scores.of(truth, clusters_at(matrix, c))) for c in RAPIDFUZZ_CUTOFFS]
        tuning = Tuning(scorer, seconds, sweep)
        tunings.append(tuning)
        cutoff, scores = tuning.best
        say(f"rapidfuzz: fuzz.{scorer} {seconds:.1f} s, best F1 {scores.f1:.4f} at {cutoff}")
        if best is None or scores.f1 > best[0]:
            best = (scores.f1, scorer, cutoff, matrix)
        del matrix
        gc.collect()
    assert best is not None
    _f1, scorer, cutoff, matrix = best
    run = Run(f"rapidfuzz cdist (fuzz.{scorer}, cutoff {cutoff})", len(records))
    run.stages["cdist, every pair"] = next(t.cdist_s for t in tunings if t.scorer == scorer)
    with stage(run, "connected components", say):
        clusters = clusters_at(matrix, cutoff)
    del matrix, best
    gc.collect()
    run.candidate_pairs = len(records) * (len(records) - 1) // 2
    run.scores = Scores.of(truth, clusters)
    run.errors = Errors.of(truth, clusters)
    return run, tunings


def connected_components(n: int, left: Any, right: Any) -> Any:
    """The least node index of each node's component (numpy label propagation with pointer
    jumping): the peer's own clustering, independent of our engine."""
    import numpy as np

    label = np.arange(n, dtype=np.int64)
    while True:
        before = label.copy()
        low = np.minimum(label[left], label[right])
        np.minimum.at(label, left, low)
        np.minimum.at(label, right, low)
        label = label[label]
        if np.array_equal(label, before):
            return label


def sample_families(truth: pl.DataFrame, size: int, seed: int) -> list[int]:
    """Row indexes of whole look-alike families (a firm, the firms made to look like it, all
    their records), drawn at random until `size` records; cut at exactly `size`."""
    families = (
        truth.with_row_index("row")
        .group_by("family")
        .agg(pl.col("row"))
        .sort("family")
        .sample(fraction=1.0, shuffle=True, seed=seed)
    )
    rows: list[int] = []
    for group in families["row"]:
        rows.extend(group)
        if len(rows) >= size:
            break
    return sorted(rows[:size])


# --- the whole benchmark ---------------------------------------------------------------------


@dataclass
class Result:
    args: argparse.Namespace
    started: str
    machine: dict[str, str]
    load_before: str
    load_after: str = ""
    generate_s: float = 0.0
    records: int = 0
    firms: int = 0
    per_source: dict[str, int] = field(default_factory=dict)
    ours: Run | None = None
    splink: Run | None = None
    ours_sample: Run | None = None
    rapidfuzz: Run | None = None
    rapidfuzz_tunings: list[Tuning] = field(default_factory=list)
    seconds: float = 0.0


def versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("duckdb", "splink", "polars", "rapidfuzz")}


def uncommitted() -> list[str]:
    """Files of the code measured (src/, bench/) that differ from the commit reported."""
    import subprocess

    try:
        done = subprocess.run(
            ["git", "status", "--porcelain", "--", "src", "bench"],
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return []
    return [line[3:] for line in done.stdout.splitlines() if line.strip()]


def run(args: argparse.Namespace, say: Say) -> Result:
    began = time.perf_counter()
    result = Result(
        args,
        datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine() | versions() | {"uncommitted": ", ".join(uncommitted())},
        load_average(),
    )
    say(f"generating {args.records:,} records from 5 lists…")
    t = time.perf_counter()
    records = generate_firm_lists(args.records, sources=5, seed=args.seed)
    result.generate_s = time.perf_counter() - t
    truth = truth_frame(records)
    result.records = len(records)
    result.firms = truth["true_firm_id"].n_unique()
    result.per_source = dict(truth.group_by("source").len().sort("source").iter_rows())
    say(
        f"generated {len(records):,} records of {result.firms:,} firms in {result.generate_s:.1f} s"
    )

    result.ours = run_ours(
        records,
        truth,
        name="ours",
        seed=args.seed,
        threshold=args.threshold,
        min_weight=args.min_weight,
        say=say,
        sweep=True,
    )
    gc.collect()
    if not args.skip_splink:
        result.splink = run_splink_plain(
            records,
            truth,
            prefix=args.peer_prefix,
            seed=args.seed,
            threshold=args.threshold,
            say=say,
        )
        gc.collect()

    rows = sample_families(truth, min(args.sample, len(records)), args.seed)
    sample = [records[i] for i in rows]
    sample_truth = truth[rows]
    result.ours_sample = run_ours(
        sample,
        sample_truth,
        name="ours (sample)",
        seed=args.seed,
        threshold=args.threshold,
        min_weight=args.min_weight,
        say=say,
        count_candidates=False,
    )
    result.rapidfuzz, result.rapidfuzz_tunings = run_rapidfuzz(sample, sample_truth, say=say)
    result.load_after = load_average()
    result.seconds = time.perf_counter() - began
    return result


# --- report ----------------------------------------------------------------------------------


def _seconds(value: float) -> str:
    if value >= 120:
        return f"{value:,.0f} s ({value / 60:.1f} min)"
    return f"{value:,.1f} s" if value >= 1 else f"{value:.2f} s"


def _ratio(numerator: float, denominator: float) -> str:
    if denominator <= 0:
        return "–"
    ratio = numerator / denominator
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:,.1f}×"


def _f1(scores: Scores | None) -> str:
    return "–" if scores is None else f"{scores.f1:.4f}"


def _pr(scores: Scores | None) -> str:
    return "–" if scores is None else f"{scores.precision:.4f} / {scores.recall:.4f}"


def _count(value: int | None, approximate: bool = False) -> str:
    if value is None:
        return "–"
    return ("≈ " if approximate else "") + f"{value:,}"


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else "pass" if ok else "FAIL"


HEADERS = ["measure", "ours", "peer", "ratio (peer ÷ ours)", "target", "result"]


def rows_of(result: Result) -> list[list[str]]:
    """The main table: measure, ours, peer, ratio, target, pass/fail."""
    ours, peer = result.ours, result.splink
    small, fuzzy = result.ours_sample, result.rapidfuzz
    n = f"{result.records:,}"
    peer_name = "Splink, plain lower-cased name"
    rows: list[list[str]] = []
    assert ours is not None and small is not None and fuzzy is not None
    rows.append(
        [
            f"F1 at {n} records (peer: {peer_name})",
            _f1(ours.scores),
            _f1(peer.scores if peer else None),
            "",
            f"≥ {F1_TARGET}",
            _verdict(ours.scores.f1 >= F1_TARGET if ours.scores else None),
        ]
    )
    rows.append(
        [
            f"precision / recall at {n} records",
            _pr(ours.scores),
            _pr(peer.scores if peer else None),
            "",
            "",
            "",
        ]
    )
    rows.append(
        [
            f"time end to end at {n} records",
            _seconds(ours.seconds),
            _seconds(peer.seconds) if peer else "–",
            _ratio(peer.seconds, ours.seconds) if peer else "–",
            f"≤ {TIME_TARGET_S / 60:.0f} min",
            _verdict(ours.seconds <= TIME_TARGET_S),
        ]
    )
    rows.append(
        [
            f"candidate pairs scored at {n} records",
            _count(ours.candidate_pairs, ours.candidates_estimated),
            _count(
                peer.candidate_pairs if peer else None, bool(peer and peer.candidates_estimated)
            ),
            _ratio(peer.candidate_pairs, ours.candidate_pairs)
            if peer and peer.candidate_pairs and ours.candidate_pairs
            else "–",
            "",
            "",
        ]
    )
    m = f"{small.records:,}"
    rows.append(
        [
            f"F1 on a {m}-record sample (peer: {fuzzy.name}, tuned on the truth)",
            _f1(small.scores),
            _f1(fuzzy.scores),
            "",
            "",
            "",
        ]
    )
    rows.append(
        [
            f"precision / recall on the {m}-record sample",
            _pr(small.scores),
            _pr(fuzzy.scores),
            "",
            "",
            "",
        ]
    )
    rows.append(
        [
            f"time on the {m}-record sample",
            _seconds(small.seconds),
            _seconds(fuzzy.seconds),
            _ratio(fuzzy.seconds, small.seconds),
            "none (reported)",
            "–",
        ]
    )
    rows.append(
        [
            f"pairs compared on the {m}-record sample",
            "–",
            _count(fuzzy.candidate_pairs),
            "",
            "",
            "",
        ]
    )
    return rows


def stage_rows(result: Result) -> list[list[str]]:
    out = []
    for run_ in (result.ours, result.splink, result.ours_sample, result.rapidfuzz):
        if run_ is None:
            continue
        for name, seconds in run_.stages.items():
            out.append([f"{run_.name} ({run_.records:,} records)", name, _seconds(seconds)])
        out.append([f"{run_.name} ({run_.records:,} records)", "total", _seconds(run_.seconds)])
    return out


def error_rows(run_: Run | None) -> list[list[str]]:
    if run_ is None or run_.errors is None or run_.scores is None:
        return []
    e, s = run_.errors, run_.scores
    rows = [
        [
            "predicted pairs / true pairs / both",
            f"{s.predicted_pairs:,} / {s.true_pairs:,} / {s.true_positive_pairs:,}",
        ],
        [
            "clusters / firms; largest cluster",
            f"{s.clusters:,} / {s.firms:,}; {e.largest_cluster:,}",
        ],
        [
            "false pairs: a firm with its look-alike / within a look-alike family / all",
            f"{e.false_lookalike_pairs:,} / {e.false_family_pairs:,} / {e.false_pairs:,}",
        ],
    ]
    for kind, n in run_.false_kinds:
        rows.append([f"false pairs: {kind}", f"{n:,}"])
    if run_.missed is not None:
        for kind, n in run_.missed.by_name:
            if kind != "–":
                rows.append([f"missed pairs: {kind}", f"{n:,}"])
    for sources, missed, total in e.missed_by_sources[:6]:
        rows.append([f"missed pairs {sources}", f"{missed:,} of {total:,} ({missed / total:.1%})"])
    if run_.missed is not None:
        m = run_.missed
        rows.append(
            [
                "true pairs some blocking rule makes (blocking recall)",
                f"{m.blocked:,} of {m.true_pairs:,} ({m.blocked / max(1, m.true_pairs):.2%})",
            ]
        )
        rows.append(
            [
                "missed pairs: not blocked / blocked, weight under min_weight / blocked, "
                "probability under the threshold",
                f"{m.unblocked_missed:,} / {m.low_weight_missed:,} / {m.below_threshold_missed:,}",
            ]
        )
    return rows


def sweep_text(result: Result) -> list[str]:
    lines = []
    if result.ours and result.ours.sweep:
        lines.append(
            "ours at other thresholds (F1, precision / recall): "
            + "; ".join(
                f"{at}: {s.f1:.4f} ({s.precision:.4f} / {s.recall:.4f})"
                for at, s in result.ours.sweep
            )
        )
    for tuning in result.rapidfuzz_tunings:
        cutoff, best = tuning.best
        lines.append(
            f"rapidfuzz fuzz.{tuning.scorer} (cdist {_seconds(tuning.cdist_s)}): best F1 "
            f"{best.f1:.4f} at cutoff {cutoff}; by cutoff "
            + ", ".join(f"{c}: {s.f1:.3f}" for c, s in tuning.sweep)
        )
    return lines


def print_report(result: Result) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200, highlight=False)
    table = Table(
        title=f"clusterbrain record linkage: {result.records:,} records of {result.firms:,} firms "
        "from 5 lists"
    )
    for header in HEADERS:
        table.add_column(header, overflow="fold", no_wrap=header == "measure")
    for row in rows_of(result):
        table.add_row(*row)
    console.print(table)
    stages = Table(title="stage times")
    for header in ("run", "stage", "time"):
        stages.add_column(header)
    for row in stage_rows(result):
        stages.add_row(*row)
    console.print(stages)
    for run_ in (result.ours, result.splink):
        rows = error_rows(run_)
        if rows and run_ is not None:
            errors = Table(title=f"where {run_.name} loses pairs ({run_.records:,} records)")
            errors.add_column("what")
            errors.add_column("pairs")
            for row in rows:
                errors.add_row(*row)
            console.print(errors)
    for line in sweep_text(result):
        console.print(line)
    if result.ours and result.ours.missed_examples:
        console.print("missed pairs of ours, examples:")
        for why, left, right in result.ours.missed_examples:
            console.print(f"  {why}:\n    {left}\n    {right}")
    if result.ours and result.ours.false_examples:
        console.print("false pairs of ours, examples:")
        for kind, left, right in result.ours.false_examples:
            console.print(f"  {kind}:\n    {left}\n    {right}")
    console.print(
        f"generated in {_seconds(result.generate_s)} (not counted); lists: "
        + ", ".join(f"{k} {v:,}" for k, v in result.per_source.items())
    )
    console.print(
        f"load average before / after (1, 5, 15 min): {result.load_before} | "
        f"{result.load_after}; whole run {_seconds(result.seconds)}"
    )


def markdown(result: Result) -> str:
    from clusterbrain.engines.resolution.linkage import ATTACH_MIN_WEIGHT, ATTACH_SINGLES_AT

    m, args = result.machine, result.args
    command = (
        f".venv/bin/python -m bench.resolution_bench --records {args.records} "
        f"--sample {args.sample} --seed {args.seed} --threshold {args.threshold} "
        f"--min-weight {args.min_weight} --peer-prefix {args.peer_prefix}"
        + (" --skip-splink" if args.skip_splink else "")
    )
    lines = [
        f"## Record linkage: {result.records:,} records from 5 lists",
        "",
        f"Run {result.started} at commit `{m['commit']}`"
        + (f" with uncommitted changes to {m['uncommitted']}" if m["uncommitted"] else "")
        + f": `{command}` (whole run {_seconds(result.seconds)}).",
        "",
        f"Machine: {m['nproc']} CPUs (`nproc`), {m['cpu']}, {m['ram']} RAM, {m['os']}; "
        f"Python {m['python']}, DuckDB {m['duckdb']}, Splink {m['splink']}, polars "
        f"{m['polars']}, RapidFuzz {m['rapidfuzz']}. Load average (1, 5, 15 min) before the run "
        f"{result.load_before}, after it {result.load_after}: the machine is shared with other "
        "engineers' work, so these times are upper bounds for an idle machine.",
        "",
        f"Data: `generate_firm_lists({result.records}, sources=5, seed={args.seed})`, "
        f"{result.firms:,} true firms of the four seed clusters; lists: "
        + ", ".join(f"{k} {v:,}" for k, v in result.per_source.items())
        + f"; generated in {_seconds(result.generate_s)} (not counted).",
        "",
        markdown_table(HEADERS, rows_of(result)),
    ]
    lines += ["", "Stage times:", "", "| run | stage | time |", "|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in stage_rows(result)]
    for run_ in (result.ours, result.splink):
        rows = error_rows(run_)
        if rows and run_ is not None:
            lines += ["", f"Where {run_.name} loses pairs:", "", "| what | pairs |", "|---|---|"]
            lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += [""] + [f"{line}." for line in sweep_text(result)]
    lines += [
        "",
        "Pairwise scores: a pair is predicted when both records share a cluster, true when both "
        "come from one firm. OURS = `firm_features` → `train_model` → `dedupe_all` (pairs "
        f"down to weight {ATTACH_MIN_WEIGHT}) → `clusters_from_pairs` at match probability "
        f"{args.threshold} → `attach_singles` at {ATTACH_SINGLES_AT} (a record left alone "
        "joins the cluster it agrees with best), trained on the data itself. PEER 1 = Splink "
        "on DuckDB given the raw columns with the name lower-cased "
        "(Jaro-Winkler on name and address, exact USCC, phone and legal representative; "
        f"blocking on the name's first {args.peer_prefix} characters, USCC, phone, legal "
        "representative with the address's first 6 characters), trained the same way, Splink's "
        "clustering at the same threshold. PEER 2 = `rapidfuzz.process.cdist` of every name "
        "with every name on a sample of whole look-alike families (`utils.default_process`), "
        "with `fuzz.ratio`, `fuzz.token_set_ratio` and `fuzz.partial_ratio`; the scorer and "
        "cutoff of the best F1 against the truth win (a help no user has), then connected "
        "components; its time is the winner's cdist and components, the sweep not counted. "
        "Candidate pairs are counted by Splink's blocking analysis on a 20% sample of each "
        "side, outside the timed stages.",
    ]
    return "\n".join(lines) + "\n"


# --- entry point -----------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.resolution_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000, help="records of the rapidfuzz run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--min-weight", type=float, default=DEFAULT_MIN_WEIGHT)
    parser.add_argument("--peer-prefix", type=int, default=10, help="raw-name blocking prefix")
    parser.add_argument("--skip-splink", action="store_true", help="no Splink peer (quick runs)")
    parser.add_argument("--out", type=Path, help="markdown file whose section to write")
    args = parser.parse_args(argv)
    if args.records < 1000 or args.sample < 500:
        parser.error("--records must be at least 1000 and --sample at least 500")
    if not 0.0 < args.threshold < 1.0:
        parser.error("--threshold is a match probability between 0 and 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)

    def say(line: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)

    say(f"load average {load_average()}; {os.cpu_count()} CPUs")
    result = run(args, say)
    print_report(result)
    if args.out is not None:
        write_section(args.out, SECTION, markdown(result))
        say(f"wrote the section {SECTION!r} of {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
