"""`clusterbrain matching …`: the allocation engine from the command line.

    clusterbrain matching solve-gap FILE [--time-limit 60] [--method mip|greedy|cpsat] [--json]
        [--assignment]

    clusterbrain matching allocate --cluster SLUG [--from YYYY-MM-DD] [--weeks 12]
        [--time-limit 10] [--method mip|greedy]

`allocate` runs the cluster's open orders of the period through the engine, as the allocation
page does (the operator's run: no user), and prints the run's figures; bad input exits 2.
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
        run = verbs.add_parser("allocate", help="allocate a cluster's open orders of a period")
        run.add_argument("--cluster", required=True, help="cluster slug")
        run.add_argument("--from", dest="start", default="", help="first week (default: next)")
        run.add_argument("--weeks", type=int, default=12)
        run.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
        run.add_argument("--method", default="mip", choices=("mip", "greedy"))

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["verb"].replace("-", "_"))(options)

    def _allocate(self, options: dict[str, Any]) -> None:
        import datetime

        from clusterbrain.errors import DomainError
        from clusterbrain.matching import selectors, services
        from clusterbrain.matching.problem import week_of
        from clusterbrain.registry.selectors import get_cluster

        try:
            cluster = get_cluster(options["cluster"])
            start = (
                datetime.date.fromisoformat(options["start"])
                if options["start"]
                else week_of(datetime.date.today()) + datetime.timedelta(weeks=1)
            )
            if not 1 <= options["weeks"] <= services.MAX_WEEKS or options["time_limit"] <= 0:
                raise CommandError("--weeks: 1 to 52; --time-limit: positive", returncode=2)
            run = services.allocate_period(
                cluster, start, options["weeks"], options["time_limit"], options["method"]
            )
        except ValueError as exc:
            raise CommandError(f"--from: {exc}", returncode=2) from exc
        except DomainError as exc:
            raise CommandError(exc.detail, returncode=2) from exc
        view = selectors.get_run(run.pk, _Operator())
        gap = "–" if run.gap is None else f"{100 * run.gap:.3f}%"
        self.stdout.write(
            f"run {run.pk}: {run.status} ({run.method}), objective {run.objective:,.2f}, "
            f"bound {run.best_bound if run.best_bound is not None else '–'}, gap {gap}, "
            f"{run.seconds:.2f} s; orders placed {view.orders_met}/{run.orders}, "
            f"unmet {view.unmet_units:g} units"
        )
        for code, _text, n, units in view.unmet_by_reason:
            self.stdout.write(f"  unmet {code}: {n} order(s), {units:g} units")

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


class _Operator:
    """The command line runs as the platform's operator (it has the database anyway)."""

    is_authenticated = True
    is_superuser = True
    role = "admin"
