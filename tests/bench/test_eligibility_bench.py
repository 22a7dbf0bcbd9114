"""The eligibility benchmark at a tiny size (Hechi at about 800 firms, 6 programs, 20 sampled
firms for the per-query peer), so it keeps running as the code changes. It checks the run
completes, that ours, the ORM peer and the page path gave the same eligible firms on the
sample (the bench stops otherwise), and that its rows are printed and its own section written;
never how fast anything was."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.bench
def test_eligibility_bench_runs_at_a_tiny_size(tmp_path: Path) -> None:
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
        "bench.eligibility_bench",
        "--cluster",
        "hechi",
        "--firms",
        "800",
        "--programs",
        "6",
        "--sample",
        "20",
        "--page-sample",
        "5",
        "--repeat",
        "2",
        "--out",
        str(out),
    ]
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr

    printed = done.stdout
    assert re.search(r"^[\d,]+ firms of hechi, 6 programs$", printed, re.M)
    assert re.search(r"- eligibility of [\d,]+ firms x 6 programs", printed)
    assert re.search(r"ours +[\d.,]+ s \(profile_frame [\d.,]+ s, evaluate_frame x 6", printed)
    assert re.search(r"peer +[\d.,]+ s \(extrapolated: 120 queries on 20 firms", printed)
    assert (
        "eligible sets equal on the 20 sampled firms: ours = peer (= page path on the first 5)"
        in printed
    )

    written = out.read_text()
    assert "## Another benchmark\n\nkept" in written
    assert written.count("<!-- eligibility_bench:begin -->") == 1
    assert re.search(r"^\| eligibility of [\d,]+ firms x 6 programs \| ", written, re.M)
    assert "| ≤ 5 s | " in written
    assert "a firm's page path (profile_of + evaluate, per firm)" in written
    assert re.search(r"Ours ran 2 times \([\d.]+, [\d.]+ s\)", written)
    assert "nproc" in written and "SQLite" in written and "UTC" in written

    # A second run replaces its own section and keeps the others.
    again = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert again.returncode == 0, again.stdout + again.stderr
    rewritten = out.read_text()
    assert rewritten.count("<!-- eligibility_bench:begin -->") == 1
    assert "## Another benchmark\n\nkept" in rewritten
