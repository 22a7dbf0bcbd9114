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
    # ours against each set's target, one line per set run, naming what it misses
    for set_name in ("cattrysse1994", "chu1997"):
        line = f"- {set_name}: the optimum (best known where none is proven) on "
        assert line in written
        verdict = written.split(line, 1)[1].split("\n", 1)[0]
        assert verdict.endswith(": met.") or "missed on " in verdict
    assert "- yagiura2004" not in written


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


def test_the_targets_name_every_instance_that_misses() -> None:
    sys.path.insert(0, str(REPO))  # bench/ is a package at the top of the repository
    from bench.gap_bench import targets

    known = {
        "chu1997/d05100": {"set": "chu1997", "optimum": 6353.0, "best": 6353.0},
        "chu1997/d20200": {"set": "chu1997", "optimum": None, "best": 12244.0},
        "yagiura2004/d60900": {"set": "yagiura2004", "optimum": None, "best": 54554.0},
        "yagiura2004/c801600": {"set": "yagiura2004", "optimum": None, "best": 16285.0},
    }
    rows = [
        {"instance": "chu1997/d05100", "method": "mip", "objective": 6353.0},
        {"instance": "chu1997/d20200", "method": "mip", "objective": 12245.0},
        {"instance": "yagiura2004/d60900", "method": "mip", "objective": 54554 * 1.006},
        {"instance": "yagiura2004/c801600", "method": "mip", "objective": 16285 * 1.004},
        {"instance": "yagiura2004/c801600", "method": "cpsat", "objective": 99999.0},
    ]
    lines = targets(rows, known)
    assert lines == [
        "- chu1997: the optimum (best known where none is proven) on 1 / 2: "
        "missed on d20200 (0.008%).",
        "- yagiura2004: within 0.5% of best known on 1 / 2: missed on d60900 (0.600%).",
    ]
