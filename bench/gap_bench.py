"""Generalized assignment: ours (LP-guided heuristic, tabu search, restricted HiGHS MIPs,
fix-and-optimise) beside our greedy alone and OR-Tools CP-SAT, on the published instances, each
under the same time limit, against data.csv's best known values (minimisation form).

    .venv/bin/python -m bench.gap_bench [--sets cattrysse1994,chu1997,yagiura2004]
        [--only NAME,...] [--time-limit 60] [--jobs 1] [--cpsat-workers 2]
        [--results FILE.jsonl] [--out docs/benchmarks.md]

The instances are read from ../shared/benchmarks/gap (`--root`), never copied. `--results`
keeps every finished (instance, method) as a JSON line and skips those already there, so a long
run can be resumed or split. Targets (printed, never asserted): the optimum on every
cattrysse1994 and chu1997 instance (chu1997/d20200 has none proven: best known 12244, bound
12235), within 0.5% of the best known on yagiura2004.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.platform_bench import load_average, machine
from bench.report import markdown_table, write_section
from bench.resolution_bench import uncommitted

SECTION = "gap_bench"
REPO = Path(__file__).resolve().parents[1]
DEFAULT_ROOT = REPO.parent / "shared" / "benchmarks" / "gap"
SETS = ("cattrysse1994", "chu1997", "yagiura2004")
METHODS = ("mip", "greedy", "cpsat")
LABEL = {"mip": "ours (HiGHS)", "greedy": "ours, greedy alone", "cpsat": "OR-Tools CP-SAT"}
YAGIURA_TARGET = 0.5  # % over best known

Say = Callable[[str], None]


def best_known(root: Path) -> dict[str, dict[str, Any]]:
    rows = {}
    with (root / "data.csv").open() as handle:
        for row in csv.DictReader(handle):
            rows[row["Path"]] = {
                "set": row["Dataset"],
                "jobs": int(row["Item number"]),
                "agents": int(row["Agent number"]),
                "bound": float(row["Best known bound"]),
                "optimum": float(row["Optimum"]) if row["Optimum"] else None,
                "best": float(row["Best known solution value"]),
            }
    return rows


def run_one(task: tuple[str, str, str, float, int]) -> dict[str, Any]:
    """One instance by one method, in a worker process of its own when --jobs > 1."""
    root, name, method, time_limit, workers = task
    from clusterbrain.engines.allocation.cpsat import solve_gap_cpsat
    from clusterbrain.engines.allocation.gap import read_gap, solve_gap

    instance = read_gap(Path(root) / name)
    started = time.perf_counter()
    if method == "cpsat":
        agents, objective, bound, status, _ = solve_gap_cpsat(instance, time_limit, workers)
        feasible = agents is not None and instance.is_feasible(agents)
    else:
        result = solve_gap(instance, method, time_limit)
        objective, bound, status = result.objective, result.best_bound, result.status
        feasible = objective is not None and instance.is_feasible(result.agent_of_job)
    return {
        "instance": name,
        "method": method,
        "objective": objective if feasible else None,
        "bound": bound,
        "status": status,
        "seconds": time.perf_counter() - started,
        "time_limit": time_limit,
    }


def over(objective: float | None, best: float) -> float | None:
    """% above the best known (None: no feasible solution)."""
    return None if objective is None else 100.0 * (objective - best) / best


def _fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "–" if value is None else f"{value:,.{digits}f}{suffix}"


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarise(
    rows: list[dict[str, Any]], known: dict[str, dict[str, Any]], methods: list[str]
) -> list[list[str]]:
    """Per set and method: instances, optimum reached (and proven), % over best known, time."""
    table = []
    for set_name in SETS:
        names = sorted({r["instance"] for r in rows if known[r["instance"]]["set"] == set_name})
        if not names:
            continue
        for method in methods:
            done = [r for r in rows if r["method"] == method and r["instance"] in names]
            if not done:
                continue
            gaps = [over(r["objective"], known[r["instance"]]["best"]) for r in done]
            found = [g for g in gaps if g is not None]
            optimal = [
                r
                for r in done
                if known[r["instance"]]["optimum"] is not None
                and r["objective"] is not None
                and r["objective"] <= known[r["instance"]]["optimum"] + 1e-6
            ]
            proven = [r for r in optimal if r["status"] == "optimal"]
            with_optimum = sum(1 for n in names if known[n]["optimum"] is not None)
            at_best = sum(1 for g in found if g <= 1e-9)
            table.append(
                [
                    set_name,
                    LABEL[method],
                    str(len(done)),
                    f"{len(optimal)} / {with_optimum} ({len(proven)} proven)",
                    f"{at_best} / {len(done)}",
                    _fmt(_mean(found), 3, "%"),
                    _fmt(max(found) if found else None, 3, "%"),
                    str(len(done) - len(found)),
                    _fmt(_mean([r["seconds"] for r in done]), 1),
                    _fmt(max(r["seconds"] for r in done), 1),
                ]
            )
    return table


def ratios(rows: list[dict[str, Any]], known: dict[str, dict[str, Any]]) -> list[list[str]]:
    """Per set: the peers' mean % over best known and mean time, divided by ours."""
    table = []
    for set_name in SETS:
        ours = {
            r["instance"]: r
            for r in rows
            if r["method"] == "mip" and known[r["instance"]]["set"] == set_name
        }
        if not ours:
            continue
        for peer in ("greedy", "cpsat"):
            theirs = {
                r["instance"]: r for r in rows if r["method"] == peer and r["instance"] in ours
            }
            both = [n for n in theirs if ours[n]["objective"] and theirs[n]["objective"]]
            if not both:
                continue
            g_ours = _mean([over(ours[n]["objective"], known[n]["best"]) or 0.0 for n in both])
            g_peer = _mean([over(theirs[n]["objective"], known[n]["best"]) or 0.0 for n in both])
            t_ours = _mean([ours[n]["seconds"] for n in both]) or 0.0
            t_peer = _mean([theirs[n]["seconds"] for n in both]) or 0.0
            gap_ratio = (
                "="
                if g_peer == g_ours
                else (f"{g_peer / g_ours:.1f}×" if g_ours and g_ours > 1e-9 else "ours 0%")
            )
            table.append(
                [
                    set_name,
                    LABEL[peer],
                    str(len(both)),
                    f"{_fmt(g_ours, 3)}% / {_fmt(g_peer, 3)}%",
                    gap_ratio,
                    f"{t_ours:.1f} / {t_peer:.1f}",
                    f"{t_peer / t_ours:.2f}×" if t_ours > 0 else "–",
                ]
            )
    return table


def targets(rows: list[dict[str, Any]], known: dict[str, dict[str, Any]]) -> list[str]:
    """Ours against the issue's targets, set by set, naming every instance that misses."""
    lines = []
    for set_name in SETS:
        done = [r for r in rows if r["method"] == "mip" and known[r["instance"]]["set"] == set_name]
        if not done:
            continue
        if set_name == "yagiura2004":
            goal = f"within {YAGIURA_TARGET}% of best known"
            limit = lambda r: known[r["instance"]]["best"] * (1 + YAGIURA_TARGET / 100)  # noqa: E731
        else:
            goal = "the optimum (best known where none is proven)"
            limit = lambda r: known[r["instance"]]["optimum"] or known[r["instance"]]["best"]  # noqa: E731
        missed = [r for r in done if r["objective"] is None or r["objective"] > limit(r) + 1e-6]
        names = ", ".join(
            f"{r['instance'].split('/')[-1]} "
            f"({_fmt(over(r['objective'], known[r['instance']]['best']), 3, '%')})"
            for r in missed
        )
        verdict = "met" if not missed else f"missed on {names}"
        lines.append(f"- {set_name}: {goal} on {len(done) - len(missed)} / {len(done)}: {verdict}.")
    return lines


def markdown(headers: list[str], table: list[list[str]]) -> str:
    return markdown_table(headers, table)


SUMMARY_HEADERS = [
    "set",
    "solver",
    "instances",
    "optimum reached",
    "at best known",
    "mean % over best known",
    "max % over best known",
    "no solution",
    "mean s",
    "max s",
]
RATIO_HEADERS = [
    "set",
    "peer",
    "instances",
    "mean % over best known: ours / peer",
    "gap ratio peer/ours",
    "mean s: ours / peer",
    "time ratio peer/ours",
]


def instance_table(
    rows: list[dict[str, Any]], known: dict[str, dict[str, Any]], methods: list[str]
) -> tuple[list[str], list[list[str]]]:
    headers = ["instance", "best known"]
    for method in methods:
        headers += [f"{LABEL[method]}", "% over", "s", "status"]
    by = {(r["instance"], r["method"]): r for r in rows}
    names = sorted({r["instance"] for r in rows}, key=lambda n: list(known).index(n))
    table = []
    for name in names:
        line = [name, f"{known[name]['best']:,.0f}"]
        for method in methods:
            r = by.get((name, method))
            if r is None:
                line += ["", "", "", ""]
                continue
            line += [
                _fmt(r["objective"], 0),
                _fmt(over(r["objective"], known[name]["best"]), 3, "%"),
                f"{r['seconds']:.1f}",
                r["status"],
            ]
        table.append(line)
    return headers, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gap_bench", description=__doc__)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--only", default="", help="instances, e.g. gap1-0,d20200 (names)")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--cpsat-workers", type=int, default=2)
    parser.add_argument("--results", type=Path, help="JSON lines kept and resumed from")
    parser.add_argument("--out", type=Path, help="docs/benchmarks.md to write the section to")
    parser.add_argument(
        "--report-only", action="store_true", help="write what --results holds, run nothing"
    )
    parser.add_argument("--note", default="", help="a sentence on where the rows come from")
    args = parser.parse_args(argv)

    def say(text: str) -> None:
        print(text, flush=True)

    known = best_known(args.root)
    sets = [s for s in args.sets.split(",") if s]
    only = {o for o in args.only.split(",") if o}
    methods = [m for m in args.methods.split(",") if m]
    names = [
        n
        for n, k in known.items()
        if k["set"] in sets and (not only or n.split("/")[-1] in only or n in only)
    ]
    rows: list[dict[str, Any]] = []
    if args.results and args.results.exists():
        rows = [json.loads(line) for line in args.results.read_text().splitlines() if line]
        rows = [r for r in rows if r["instance"] in names and r["method"] in methods]
    done = {(r["instance"], r["method"]) for r in rows}
    tasks = [
        (str(args.root), n, m, args.time_limit, args.cpsat_workers)
        for n in names
        for m in methods
        if (n, m) not in done and not args.report_only
    ]
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_before = load_average()
    began = time.perf_counter()
    say(
        f"{len(names)} instances × {len(methods)} solvers, {args.time_limit:g} s each, "
        f"{len(tasks)} runs to do, --jobs {args.jobs}"
    )

    def record(row: dict[str, Any]) -> None:
        rows.append(row)
        if args.results:
            with args.results.open("a") as handle:
                handle.write(json.dumps(row) + "\n")
        k = known[row["instance"]]
        say(
            f"{row['instance']:<22} {LABEL[row['method']]:<20} "
            f"{_fmt(row['objective'], 0):>9} (best known {k['best']:,.0f}, "
            f"{_fmt(over(row['objective'], k['best']), 3, '%')}) "
            f"{row['seconds']:6.1f} s {row['status']}"
        )

    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            for row in pool.map(run_one, tasks):
                record(row)
    else:
        for task in tasks:
            record(run_one(task))

    summary = summarise(rows, known, methods)
    peer_ratios = ratios(rows, known)
    headers, per_instance = instance_table(rows, known, methods)
    goals = targets(rows, known)
    say("\n" + "\n".join(goals))
    say("\n" + markdown(SUMMARY_HEADERS, summary))
    say("\n" + markdown(RATIO_HEADERS, peer_ratios))
    if args.out:
        m = machine()
        dirty = uncommitted()
        text = "\n\n".join(
            [
                "## Generalized assignment (OR-Library format): ours, our greedy alone and "
                "OR-Tools CP-SAT",
                f"Run {started} at commit `{m['commit']}`"
                + (f" with uncommitted changes to {', '.join(dirty)}" if dirty else "")
                + f": `.venv/bin/python -m bench.gap_bench {' '.join(argv or sys.argv[1:])}` "
                f"(this run {time.perf_counter() - began:,.0f} s; rows from earlier runs of "
                f"`--results` are included)." + (f" {args.note}" if args.note else ""),
                f"Machine: {m['nproc']} CPUs (`nproc`), {m['cpu']}, {m['ram']} RAM, {m['os']}; "
                f"Python {m['python']}. Load average before {load_before}, after "
                f"{load_average()} (the machine is shared with other engineers' runs). "
                f"Time limit {args.time_limit:g} s per instance and solver, run one at a time "
                f"(`--jobs {args.jobs}`); CP-SAT with {args.cpsat_workers} workers, HiGHS "
                "as it comes (its branch and bound is serial).",
                "Ours: the LP relaxation (bound and reduced costs), a regret greedy guided by "
                "the reduced costs with local search and a repair of jobs left out, a tabu "
                "search with ejection chains and adaptive prices on overfilled agents started "
                "from the LP's shares (numba-compiled), on integral instances of up to 1,000 jobs "
                "and 35 M knapsack cells (all cattrysse1994 and chu1997, yagiura2004 but its "
                "1,600-job instances) a Lagrangian "
                "bound (one knapsack per agent by dynamic programming) whose per-pair bounds "
                "drop exactly the pairs no better solution can use, then a branch and bound "
                "on that bound by targets T = bound, bound + 1, … (each node fixes pairs "
                "against T; the first T with a solution is the optimum) for 40% of the time "
                "left, the tabu search, neighbourhoods of the best solved exactly by the same "
                "branch and bound (a few agents' jobs, 35 jobs at random, or the jobs where it "
                "differs from one of the 16 best assignments the target search's nodes were "
                "repaired into: path relinking), the target search resumed, "
                "HiGHS on the pairs of low reduced cost (widened while it solves; proven "
                "optimal once every pair left out has a bound above the best less one), the "
                "tabu search again, then fix-and-optimise. "
                "Greedy alone: regret "
                'greedy (five pair rankings) and local search, no LP. "Optimum reached": the '
                "objective equals data.csv's proven optimum; \"proven\": the solver's own bound "
                "proves it. Targets: the optimum on every cattrysse1994 and chu1997 instance, "
                f"at most {YAGIURA_TARGET}% over best known on yagiura2004.",
                "Targets (ours):\n\n" + "\n".join(goals),
                markdown(SUMMARY_HEADERS, summary),
                markdown(RATIO_HEADERS, peer_ratios),
                "<details><summary>Every instance</summary>\n\n"
                + markdown(headers, per_instance)
                + "\n\n</details>",
            ]
        )
        write_section(args.out, SECTION, text)
        say(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
