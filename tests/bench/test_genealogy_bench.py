"""The genealogy benchmark at a tiny size (20,000 deliveries), so it keeps running as the engine
changes: it completes, its peers agree with ours, every row is written with figures, and its
section replaces an older one and keeps the others; never how fast anything was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

ROWS = (
    "| build / load the graph |",
    "| trace back, p50 / p99 ms |",
    "| recall (trace forward), p50 / p99 ms |",
    "| all attributes over the whole graph",
    "| EUDR segregation over the whole graph |",
)


@pytest.mark.bench
def test_genealogy_bench_runs_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text(
        "# Benchmarks\n\n## Another benchmark\n\nkept\n\n"
        "<!-- genealogy_bench:begin -->\nan older run\n<!-- genealogy_bench:end -->\n"
    )
    command = [
        sys.executable,
        "-m",
        "bench.genealogy_bench",
        *("--households", "2000", "--deliveries", "20000", "--stations", "10"),
        *("--mills", "3", "--weavers", "5", "--queries", "30", "--peer-queries", "10"),
        *("--nx-propagation-lots", "5000", "--out", str(out)),
    ]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr  # non-zero when a peer disagrees
    assert "40 peer queries: 0 differed" in done.stdout
    written = out.read_text()
    assert "## Another benchmark\n\nkept" in written and "an older run" not in written
    assert written.count("<!-- genealogy_bench:begin -->") == 1
    for row in ROWS:
        line = next((x for x in written.splitlines() if x.startswith(row)), "")
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == 8 and any(ch.isdigit() for ch in cells[1]), line
    assert "extrapolated" in written  # the networkx loop was cut at 5,000 lots
    assert "nproc" in written and "UTC" in written and "Load average" in written
