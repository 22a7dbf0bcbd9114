"""The platform benchmark at a tiny size (Hechi at scale 2, about 800 firms, 5 requests a page
in each mode: steady state, after a write, cold; query counts compared with scale 1), so it keeps
running as the code changes. It checks the run completes, that its naive baseline computed the
selectors' figures (the bench stops otherwise) and that every row is printed and written; never
how fast anything was. That a rerun replaces its section and keeps the others is
`bench.report.write_section`'s, tested once in test_report.py for every benchmark."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = ("overview", "chain map", "directory search", "summary API")
MODES = ("steady state", "read after a write", "cold: full recompute")


@pytest.mark.bench
def test_platform_bench_runs_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Another benchmark\n\nkept\n")
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    }
    env["SECRET_KEY"] = "test-only-secret"
    env["TMPDIR"] = str(tmp_path)
    command = [
        sys.executable,
        "-m",
        "bench.platform_bench",
        "--cluster",
        "hechi",
        "--firms",
        "800",
        "--requests",
        "5",
        "--naive-runs",
        "1",
        "--load-sample",
        "100",
        "--db",
        str(tmp_path / "bench.sqlite3"),
        "--out",
        str(out),
    ]
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr

    printed = done.stdout
    assert re.search(r"generate \+ load [\d,]+ firms \([\d,]+ rows\)", printed)
    for page in PAGES:
        for mode in MODES:
            assert f"{page}, {mode} (p50 / p95 / max ms)" in printed
    assert "write through the services (`set_role`)" in printed
    assert "SQL queries per page" in printed
    assert "naive figures match the selectors: summary" in printed

    written = out.read_text()
    assert "## Another benchmark\n\nkept" in written
    assert written.count("<!-- platform_bench:begin -->") == 1
    for page in PAGES:
        for mode in MODES:
            assert f"| {page}, {mode} (p50 / p95 / max ms) |" in written
        assert f"| {page} | " in written  # its query counts
    # Only steady state and the read after a write carry the page target; cold is reported.
    assert written.count("| p95 ≤ 150 ms |") == 2 * len(PAGES)
    assert "| none (reported) |" in written
    queries = re.findall(
        r"^\| (?:overview|chain map|directory search|summary API) \| (.*)$", written, re.M
    )
    assert len(queries) == len(PAGES)
    for row in queries:  # cold / steady / after a write, at scale 1 and at full size
        assert re.match(r"\d+ / \d+ / \d+ \| \d+ / \d+ / \d+ \| yes \|", row), row
    assert re.search(r"^\| generate \+ load [\d,]+ firms", written, re.MULTILINE)
    assert "nproc" in written and "SQLite" in written and "UTC" in written
