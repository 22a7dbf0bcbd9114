"""The carbon-efficiency grading benchmark at a tiny size (200 firms), so it keeps running as
grading changes: it completes with ours and the baseline agreeing on every firm's grade (it
exits non-zero otherwise), prints both and the ratio, and writes its section with the machine;
never how fast anything was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.bench
@pytest.mark.parametrize("baseline_firms", [None, 60])
def test_green_bench_runs_at_a_tiny_size(tmp_path: Path, baseline_firms: int | None) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text(
        "# Benchmarks\n\n## Another benchmark\n\nkept\n\n"
        "<!-- green_bench:begin -->\nan older run\n<!-- green_bench:end -->\n"
    )
    command = [sys.executable, "-m", "bench.green_bench", "--firms", "200", "--out", str(out)]
    if baseline_firms:
        command += ["--baseline-firms", str(baseline_firms)]
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "for 200 firms" in done.stdout and "ratio baseline / ours per firm" in done.stdout
    assert f"on {baseline_firms or 200:,} firms" in done.stdout
    written = out.read_text()
    assert "## Another benchmark\n\nkept" in written and "an older run" not in written
    row = next(x for x in written.splitlines() if x.startswith("| grade a cluster, s |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == 4 and "x per firm" in cells[3] and any(ch.isdigit() for ch in cells[1])
    assert "nproc" in written and "UTC" in written and "Load average" in written
