"""The EPCIS capture benchmark at a tiny size (2,000 events), so it keeps running as capture
changes: it completes with every event stored, prints ours, the baseline and the ratio, and
writes its section with the machine; never how fast anything was. Its concurrent mode (two
client processes into one SQLite file) stores every event once, the same new events sent by
both at the same moment included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.bench
def test_trace_capture_bench_runs_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text(
        "# Benchmarks\n\n## Another benchmark\n\nkept\n\n"
        "<!-- trace_capture_bench:begin -->\nan older run\n<!-- trace_capture_bench:end -->\n"
    )
    command = [
        sys.executable,
        "-m",
        "bench.trace_capture_bench",
        *("--events", "2000", "--batch", "500", "--baseline-events", "200", "--out", str(out)),
        *("--clients", "2", "--race-events", "600"),
    ]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr  # non-zero when events went missing
    assert "captured 2,000 events" in done.stdout
    assert (
        "baseline (jsonschema per event" in done.stdout and "ratio ours / baseline" in done.stdout
    )
    written = out.read_text()
    assert "## Another benchmark\n\nkept" in written and "an older run" not in written
    row = next(x for x in written.splitlines() if x.startswith("| capture, events/s |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == 4 and cells[3].endswith("x") and any(ch.isdigit() for ch in cells[1])
    assert "nproc" in written and "UTC" in written and "Load average" in written
    assert "2 concurrent clients" in done.stdout
    assert "stored 600, duplicates 600, problems 0" in done.stdout
    assert "2,600 events in the table (expected 2,600): correct" in done.stdout
