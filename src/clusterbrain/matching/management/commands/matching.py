"""`clusterbrain matching …`: the allocation engine from the command line.

    clusterbrain matching solve-gap FILE [--time-limit 60] [--method mip|greedy|cpsat] [--json]
        [--assignment]

`solve-gap` reads a generalized-assignment file in OR-Library format (minimisation form) and
prints the objective, best bound, gap, time and status; `--assignment` adds each job's agent
(1-based, as in the file). A malformed file is reported with its line, exit code 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clusterbrain.engines.allocation.gap import GapFormatError, read_gap, solve_gap


class Command(BaseCommand):
    help = "Solve generalized-assignment files with the allocation engine."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        gap = verbs.add_parser("solve-gap", help="solve a GAP file (OR-Library format)")
        gap.add_argument("file", type=Path)
        gap.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")
        gap.add_argument("--method", default="mip", choices=("mip", "greedy", "cpsat"))
        gap.add_argument("--json", action="store_true", help="one JSON object on stdout")
        gap.add_argument("--assignment", action="store_true", help="print each job's agent")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["verb"].replace("-", "_"))(options)

    def _solve_gap(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}", returncode=2)
        if options["time_limit"] <= 0:
            raise CommandError("--time-limit: must be positive", returncode=2)
        try:
            instance = read_gap(path)
        except GapFormatError as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from exc
        result = self._solve(instance, options)
        agents = [int(a) + 1 for a in result.agent_of_job]  # 1-based; 0: left out
        if options["json"]:
            payload: dict[str, Any] = {
                "file": str(path),
                "agents": instance.agents,
                "jobs": instance.jobs,
                "method": result.method,
                "status": result.status,
                "objective": result.objective,
                "best_bound": result.best_bound,
                "gap": result.gap,
                "seconds": round(result.seconds, 3),
            }
            if options["assignment"]:
                payload["assignment"] = agents
            self.stdout.write(json.dumps(payload))
            return
        from rich.console import Console
        from rich.table import Table

        console = Console(file=self.stdout, highlight=False)  # type: ignore[arg-type]
        table = Table(title=f"{path.name}: {instance.agents} agents, {instance.jobs} jobs")
        for name in ("method", "status", "objective", "best bound", "gap", "seconds"):
            table.add_column(name)
        table.add_row(
            result.method,
            result.status,
            "–" if result.objective is None else f"{result.objective:,.0f}",
            "–" if result.best_bound is None else f"{result.best_bound:,.0f}",
            "–" if result.gap is None else f"{100 * result.gap:.3f}%",
            f"{result.seconds:.2f}",
        )
        console.print(table)
        if options["assignment"]:
            self.stdout.write("agent of each job: " + " ".join(str(a) for a in agents))

    def _solve(self, instance: Any, options: dict[str, Any]) -> Any:
        from rich.console import Console

        console = Console(stderr=True)
        limit = options["time_limit"]
        with console.status(
            f"solving {instance.name} with {options['method']} (at most {limit:g} s)…"
        ):
            return solve_gap(instance, options["method"], limit)
