"""The GAP and cluster allocation benchmarks at a tiny size, so they keep running as the engine
changes: each completes, prints ours beside its peers, and writes its own section only. Never
how fast or how good (a tiny run says little about either)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GAP_DIR = REPO.parent / "shared" / "benchmarks" / "gap"


def run(args: list[str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.bench
@pytest.mark.skipif(not GAP_DIR.is_dir(), reason="../shared/benchmarks/gap absent")
def test_gap_bench_runs_on_two_instances(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Another benchmark\n\nkept\n")
    printed = run(
        ["bench.gap_bench", "--only", "gap1-0,a05100", "--time-limit", "5", "--out", str(out)]
    )
    for label in ("ours (HiGHS)", "ours, greedy alone", "OR-Tools CP-SAT", "time ratio"):
        assert label in printed
    written = out.read_text()
    assert "## Another benchmark\n\nkept" in written
    assert written.count("<!-- gap_bench:begin -->") == 1 and "cattrysse1994/gap1-0" in written


@pytest.mark.bench
def test_allocation_bench_runs_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    printed = run(
        [
            "bench.allocation_bench",
            "--orders",
            "60",
            "--suppliers",
            "15",
            "--time-limit",
            "3",
            "--out",
            str(out),
        ]
    )
    for label in ("ours (HiGHS)", "ours, greedy alone", "first come first served"):
        assert label in printed
    assert "Ratios first come first served / ours" in printed
    assert out.read_text().count("<!-- allocation_bench:begin -->") == 1
