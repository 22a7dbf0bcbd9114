"""Settings come from the environment; the platform refuses to run insecurely."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_check(env_overrides: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "CLUSTERBRAIN_DEMO", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {"CLUSTERBRAIN_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    )
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "clusterbrain", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_refuses_to_start_without_secret_when_debug_is_off(tmp_path: Path) -> None:
    result = run_check({}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_starts_with_a_secret(tmp_path: Path) -> None:
    result = run_check({"SECRET_KEY": "a-long-enough-secret-for-the-test"}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_demo_mode_generates_and_keeps_a_secret(tmp_path: Path) -> None:
    assert run_check({"CLUSTERBRAIN_DEMO": "1"}, tmp_path).returncode == 0
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    assert len(first) >= 40
    assert run_check({"CLUSTERBRAIN_DEMO": "1"}, tmp_path).returncode == 0
    assert key_file.read_text() == first
