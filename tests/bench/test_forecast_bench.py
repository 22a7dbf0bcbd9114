"""The market-intelligence benchmark at a tiny size (20,000 sales rows, 300 series), so it keeps
running as the engine changes: the pandas peer and our scan agree on every value's totals and z
(it exits non-zero otherwise), both are printed with the ratio, MASE against seasonal naive and
the intervals' coverage are printed, and its section is written with the machine and the load;
never how fast anything was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.bench
def test_forecast_bench_runs_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text(
        "# Benchmarks\n\n## Another benchmark\n\nkept\n\n"
        "<!-- forecast_bench:begin -->\nan older run\n<!-- forecast_bench:end -->\n"
    )
    command = [
        sys.executable,
        *("-m", "bench.forecast_bench", "--rows", "20000", "--series", "300"),
        *("--n-jobs", "1", "--repeats", "1", "--out", str(out)),
    ]
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pandas groupby peer" in done.stdout and "same answers: True" in done.stdout
    assert "ratio peer / ours" in done.stdout
    assert "seasonal naive" in done.stdout and "held-out coverage" in done.stdout
    written = out.read_text()
    assert "## Another benchmark\n\nkept" in written and "an older run" not in written
    row = next(x for x in written.splitlines() if x.startswith("| trend scan of"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == 4 and cells[3].endswith("x") and any(ch.isdigit() for ch in cells[1])
    mase = next(x for x in written.splitlines() if x.startswith("| backtest MASE"))
    assert "seasonal naive" in mase
    assert "nproc" in written and "UTC" in written and "Load average" in written
