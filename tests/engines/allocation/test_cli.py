"""`clusterbrain matching solve-gap`: a real file solved, a malformed one refused with its line
and exit code 2, no traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

GAP_DIR = Path(__file__).resolve().parents[4] / "shared" / "benchmarks" / "gap"


@pytest.mark.skipif(not GAP_DIR.is_dir(), reason="../shared/benchmarks/gap absent")
def test_solve_gap_prints_objective_bound_gap_and_the_assignment() -> None:
    out = io.StringIO()
    call_command(
        "matching",
        "solve-gap",
        str(GAP_DIR / "cattrysse1994" / "gap1-0"),
        "--json",
        "--assignment",
        "--time-limit",
        "20",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert result["objective"] == 261 and result["best_bound"] == 261
    assert result["status"] == "optimal" and result["gap"] == 0
    assert len(result["assignment"]) == 15 and set(result["assignment"]) <= {1, 2, 3, 4, 5}
    table = io.StringIO()
    call_command(
        "matching",
        "solve-gap",
        str(GAP_DIR / "cattrysse1994" / "gap1-0"),
        "--method",
        "greedy",
        stdout=table,
    )
    assert "greedy" in table.getvalue() and "objective" in table.getvalue()


def test_a_malformed_file_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("2 2\n1 2 3 4\n5 6 7\n")
    with pytest.raises(CommandError) as caught:
        call_command("matching", "solve-gap", str(bad))
    assert caught.value.returncode == 2
    assert "line 3" in str(caught.value) and "the file ends" in str(caught.value)


def test_exit_code_2_and_no_traceback_from_the_console(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("2 2\n1 x 3 4\n")
    done = subprocess.run(
        [sys.executable, "-m", "clusterbrain", "matching", "solve-gap", str(bad)],
        env=dict(
            os.environ, SECRET_KEY="test-only", DJANGO_SETTINGS_MODULE="clusterbrain.settings"
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "line 2" in done.stderr and "'x'" in done.stderr
    assert "Traceback" not in done.stderr
