"""The record-linkage benchmark at a tiny size (3,000 records, a 1,000-record sample), so it keeps
running as the engine changes. It checks the run completes, that every row of its tables is
printed and written with figures, and that its section replaces an older one and keeps the others;
never how fast anything was, nor how good (a tiny run says little about either)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from clusterbrain.demo.firm_lists import generate_firm_lists

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # bench/ is a package at the top of the repository, not installed

from bench.resolution_bench import (  # noqa: E402
    Errors,
    Scores,
    connected_components,
    sample_families,
    truth_frame,
)

MEASURES = (
    "F1 at 3,000 records",
    "precision / recall at 3,000 records",
    "time end to end at 3,000 records",
    "candidate pairs scored at 3,000 records",
    "F1 on a 1,000-record sample",
    "precision / recall on the 1,000-record sample",
    "time on the 1,000-record sample",
    "pairs compared on the 1,000-record sample",
)
STAGES = ("normalise (features)", "train (λ, u, EM)", "predict (block + score)", "cluster")


@pytest.mark.bench
def test_resolution_bench_runs_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text(
        "# Benchmarks\n\n## Another benchmark\n\nkept\n\n"
        "<!-- resolution_bench:begin -->\nan older run\n<!-- resolution_bench:end -->\n"
    )
    env = dict(os.environ, TMPDIR=str(tmp_path))
    command = [
        sys.executable,
        "-m",
        "bench.resolution_bench",
        "--records",
        "3000",
        "--sample",
        "1000",
        "--out",
        str(out),
    ]
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr

    printed = done.stdout
    for measure in MEASURES:
        assert measure in printed, measure
    for stage in STAGES:
        assert stage in printed, stage
    assert "Splink, plain name" in printed and "rapidfuzz cdist" in printed
    assert "where ours loses pairs" in printed
    assert "load average before / after" in printed

    written = out.read_text()  # its section replaced, the others kept
    assert "## Another benchmark\n\nkept" in written
    assert written.count("<!-- resolution_bench:begin -->") == 1
    assert "an older run" not in written
    for measure in MEASURES:
        row = next((line for line in written.splitlines() if line.startswith(f"| {measure}")), "")
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 6, row
        assert re.search(r"\d", cells[1]) or measure.startswith("pairs compared"), row
        assert re.search(r"\d", cells[2]), row  # every peer figure is there
    assert "| ≥ 0.97 |" in written and "| ≤ 10 min |" in written
    for stage in STAGES:
        assert f"| {stage} |" in written
    assert "nproc" in written and "DuckDB" in written and "Splink" in written
    assert "UTC" in written and "Load average" in written


def test_pairwise_scores_count_pairs_not_records() -> None:
    truth = pl.DataFrame(
        {
            "unique_id": ["a", "b", "c", "d", "e"],
            "source": ["registry", "chamber", "expo", "registry", "chamber"],
            "true_firm_id": ["F1", "F1", "F1", "F2", "F2"],
            "lookalike_of": [None, None, None, "F1", "F1"],
        }
    ).with_columns(family=pl.coalesce("lookalike_of", "true_firm_id"))
    # a+b together, c alone (missed 2 of F1's 3 pairs), d+e together with b (4 false pairs).
    clusters = pl.DataFrame({"unique_id": ["a", "b", "d", "e"], "cluster_id": ["x"] * 4})
    scores = Scores.of(truth, clusters)
    assert (scores.true_pairs, scores.predicted_pairs, scores.true_positive_pairs) == (4, 6, 2)
    assert scores.precision == pytest.approx(2 / 6)
    assert scores.recall == pytest.approx(2 / 4)
    assert scores.clusters == 2  # x and c alone
    errors = Errors.of(truth, clusters)
    assert errors.false_pairs == 4
    assert errors.false_lookalike_pairs == 4  # every false pair joins F2 with F1
    assert errors.largest_cluster == 4
    missed = {sources: (n, total) for sources, n, total in errors.missed_by_sources}
    assert missed["expo–registry"] == (1, 1)
    assert missed["chamber–expo"] == (1, 1)
    assert missed["chamber–registry"] == (0, 2)  # a–b and d–e


def test_connected_components_and_family_sample() -> None:
    import numpy as np

    labels = connected_components(6, np.array([0, 3, 4]), np.array([2, 4, 5]))
    assert labels.tolist() == [0, 1, 0, 3, 3, 3]
    records = generate_firm_lists(2_000, seed=3)
    truth = truth_frame(records)
    rows = sample_families(truth, 500, seed=1)
    assert len(rows) == 500 == len(set(rows))
    sample = truth[rows]
    # Whole families but the last one drawn: at most one family is cut.
    full = truth.group_by("family").len()
    kept = sample.group_by("family").len().join(full, on="family", suffix="_all")
    assert (kept["len"] < kept["len_all"]).sum() <= 1
