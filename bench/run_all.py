"""Run every benchmark at full size and write its section of docs/benchmarks.md (`make bench`).

    .venv/bin/python -m bench.run_all [--quick]

Each benchmark runs in its own process (each sets up Django on its own database). `--quick` runs
them at the tiny size of the test suite instead, printing and writing nothing to the docs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"

# module, full-size arguments, tiny arguments
BENCHMARKS: list[tuple[str, list[str], list[str]]] = [
    (
        "bench.platform_bench",
        ["--firms", "100000", "--requests", "200", "--out", str(DOC)],
        ["--cluster", "hechi", "--firms", "800", "--requests", "5", "--naive-runs", "1"],
    ),
    (
        "bench.resolution_bench",
        ["--records", "1000000", "--sample", "20000", "--out", str(DOC)],
        ["--records", "3000", "--sample", "1000"],
    ),
    (
        "bench.genealogy_bench",
        ["--out", str(DOC)],
        [
            *("--households", "2000", "--deliveries", "20000", "--stations", "10"),
            *("--mills", "3", "--weavers", "5", "--queries", "30", "--peer-queries", "10"),
        ],
    ),
    (
        "bench.trace_capture_bench",
        ["--events", "200000", "--batch", "5000", "--baseline-events", "5000", "--out", str(DOC)],
        ["--events", "2000", "--batch", "500", "--baseline-events", "200"],
    ),
    (
        "bench.eligibility_bench",
        ["--firms", "100000", "--out", str(DOC)],
        [
            *("--cluster", "hechi", "--firms", "800", "--programs", "6"),
            *("--sample", "20", "--page-sample", "5", "--repeat", "2"),
        ],
    ),
    (
        "bench.green_bench",
        ["--firms", "10000", "--months", "12", "--out", str(DOC)],
        ["--firms", "200", "--months", "12"],
    ),
    (
        "bench.forecast_bench",
        ["--rows", "1000000", "--series", "10000", "--out", str(DOC)],
        ["--rows", "20000", "--series", "300", "--n-jobs", "1", "--repeats", "1"],
    ),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_all", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, docs untouched")
    args = parser.parse_args(argv)
    failed = []
    for module, full, tiny in BENCHMARKS:
        command = [sys.executable, "-m", module, *(tiny if args.quick else full)]
        print("$ " + " ".join(command), flush=True)
        if subprocess.run(command, cwd=REPO, check=False).returncode != 0:
            failed.append(module)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
