"""`clusterbrain market …`: a firm's sales from the command line.

    clusterbrain market import FILE --firm ID [--user NAME] [--dry-run] [--rate USD=7.10 …]
        [--map "实付金额=value" …]

`import` reads a CSV or XLSX file of sales (columns read through `--map`, then the firm's saved
mapping, then known names, as on the firm's import page) and writes every row or none; with
`--dry-run` it only checks. The user acting (default: the only platform admin) must be allowed
to record the firm's sales, as on the pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clusterbrain.errors import DomainError
from clusterbrain.market import importing, services
from clusterbrain.registry import selectors
from clusterbrain.registry.management.commands.registry import _user

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = "Import a firm's sales from CSV or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        imp = verbs.add_parser("import", help="import a CSV or XLSX file of sales")
        imp.add_argument("file", type=Path)
        imp.add_argument("--firm", required=True, type=int, metavar="ID", help="the firm's id")
        imp.add_argument("--user", help="the user acting (default: the only platform admin)")
        imp.add_argument("--dry-run", action="store_true", help="check only, save nothing")
        imp.add_argument(
            "--rate",
            action="append",
            default=[],
            metavar="CODE=YUAN",
            help="yuan per unit of another currency in the file (repeat for each)",
        )
        imp.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help="read the file's column HEADER as FIELD (empty FIELD: ignore the column)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._import(options)
        except DomainError as exc:
            raise CommandError(exc.command_message(SHOWN_PROBLEMS)) from exc

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = _user(options.get("user"))
        firm = selectors.get_enterprise(options["firm"])
        mapping = {}
        for pair in options["map"]:
            header, _sep, name = pair.partition("=")
            mapping[header] = name
        services.check_import(user, firm, path.stat().st_size)
        result = services.import_file(
            user,
            firm,
            path.read_bytes(),
            path.name,
            mapping=mapping,
            rates=importing.parse_rates(",".join(options["rate"])),
            dry_run=options["dry_run"],
        )
        span = f"{result.first} to {result.last}" if result.first else ""
        if result.dry_run:
            self.stdout.write(
                f"{path.name} is correct: {result.rows} rows would be imported ({span}, "
                f"{result.value:,.2f} yuan). Nothing was saved."
            )
        else:
            self.stdout.write(
                f"{result.rows} rows imported into {firm} ({span}, {result.value:,.2f} yuan; "
                f"{result.products} new products)."
            )
