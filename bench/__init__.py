"""Benchmarks: one module per benchmark, each printing ours beside a baseline and the ratio.

    .venv/bin/python -m bench.platform_bench --firms 100000 --out docs/benchmarks.md
    .venv/bin/python -m bench.run_all            (what `make bench` runs)

Each benchmark also runs at a tiny size in `make test` (tests/bench/), without timing
assertions, so it keeps working as the code changes.
"""
