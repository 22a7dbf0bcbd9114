"""`clusterbrain registry …`: steward a cluster's registry from the command line.

    clusterbrain registry import FILE --source NAME [--cluster SLUG] [--kind KIND]
                                 [--date YYYY-MM-DD] [--mapping JSON] [--user NAME] [--commit]
    clusterbrain registry commit IMPORT_ID [--user NAME]
    clusterbrain registry discard IMPORT_ID [--user NAME]
    clusterbrain registry export --cluster SLUG [--format registry|osh] [--out FILE.csv|.xlsx]

`import` reads and previews (row problems, proposed merges, review pairs, new firms) and stages
the list; nothing enters the registry unless `--commit` is given or `commit` follows. The user
acting (default: the only platform admin) must steward the cluster, as on the pages."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clusterbrain.errors import DomainError
from clusterbrain.registry import importing, selectors, stewardship
from clusterbrain.registry.models import Cluster, SourceKind

SHOWN_PROBLEMS = 30


class Command(BaseCommand):
    help = "Import, commit, discard or export lists of a cluster's firms."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        imp = verbs.add_parser("import", help="read, preview and stage a CSV or XLSX list")
        imp.add_argument("file", type=Path)
        imp.add_argument("--source", required=True, help="where the list came from")
        imp.add_argument(
            "--kind",
            default=SourceKind.OTHER,
            choices=[k for k in SourceKind.values if k != SourceKind.MANUAL],
            help="kind of source (sets the precedence of its values)",
        )
        imp.add_argument("--cluster", metavar="SLUG", help="default: the only cluster")
        imp.add_argument("--date", help="date of the list, YYYY-MM-DD (default today)")
        imp.add_argument(
            "--mapping", help='JSON {"sheet": {"column index": "field"}} (CSV: sheet "")'
        )
        imp.add_argument("--user", help="the user acting (default: the only platform admin)")
        imp.add_argument("--commit", action="store_true", help="write the good rows now")
        for verb in ("commit", "discard"):
            sub = verbs.add_parser(verb, help=f"{verb} a staged import")
            sub.add_argument("import_id", type=int)
            sub.add_argument("--user")
        exp = verbs.add_parser("export", help="write the cluster's firms to CSV or XLSX")
        exp.add_argument("--cluster", metavar="SLUG")
        exp.add_argument("--format", default="registry", choices=("registry", "osh"))
        exp.add_argument("--out", type=Path, help="FILE.csv or FILE.xlsx (default: stdout CSV)")
        exp.add_argument("--user")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["verb"])(options)
        except DomainError as exc:
            raise CommandError(exc.command_message()) from exc

    # --- verbs ---

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        cluster = _cluster(options.get("cluster"))
        user = _user(options.get("user"))
        importing.check_size(path.stat().st_size)
        list_date = None
        if options.get("date"):
            try:
                list_date = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date: not a date as YYYY-MM-DD: {options['date']}") from exc
        mapping = None
        if options.get("mapping"):
            try:
                mapping = json.loads(options["mapping"])
            except json.JSONDecodeError as exc:
                raise CommandError(f"--mapping: not valid JSON: {exc}") from exc
        preview = stewardship.stage_import(
            user,
            cluster,
            content=path.read_bytes(),
            file_name=path.name,
            source_name=options["source"],
            source_kind=options["kind"],
            list_date=list_date,
            mapping=mapping,
            strict=True,
        )
        batch = preview.batch
        self._print_preview(batch)
        if options["commit"]:
            counts = stewardship.commit_import(user, batch)
            self._print_commit(batch.pk, counts)
        else:
            self.stdout.write(
                f"Staged as import {batch.pk}; nothing written to the registry yet. "
                f"Commit with: clusterbrain registry commit {batch.pk}"
            )

    def _commit(self, options: dict[str, Any]) -> None:
        user = _user(options.get("user"))
        batch = stewardship.get_batch(user, options["import_id"])
        self._print_commit(batch.pk, stewardship.commit_import(user, batch))

    def _discard(self, options: dict[str, Any]) -> None:
        user = _user(options.get("user"))
        batch = stewardship.discard_import(user, stewardship.get_batch(user, options["import_id"]))
        self.stdout.write(f"Import {batch.pk} discarded.")

    def _export(self, options: dict[str, Any]) -> None:
        import csv
        import sys

        cluster = _cluster(options.get("cluster"))
        user = _user(options.get("user"))
        headers, rows = stewardship.export_rows(user, cluster, options["format"])
        out: Path | None = options.get("out")
        if out is not None and out.suffix.lower() == ".xlsx":
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet("firms")
            sheet.append(headers)
            for row in rows:
                sheet.append(row)
            book.save(out)
        elif out is not None:
            with out.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(headers)
                writer.writerows(rows)
        else:
            writer = csv.writer(sys.stdout)
            writer.writerow(headers)
            writer.writerows(rows)
            return
        self.stdout.write(f"{len(rows):,} firms written to {out}")

    # --- output ---

    def _print_preview(self, batch: Any) -> None:
        from rich.console import Console
        from rich.table import Table

        console = Console(file=self.stdout, highlight=False)  # type: ignore[arg-type]
        counts = batch.counts
        summary = Table(title=f"Import {batch.pk}: {batch.source_name} ({batch.file_name})")
        summary.add_column("rows")
        summary.add_column("with errors")
        summary.add_column("warnings")
        summary.add_column("same USCC")
        summary.add_column("merge (model)")
        summary.add_column("to review")
        summary.add_column("new firms")
        summary.add_row(
            *(
                f"{counts.get(k, 0):,}"
                for k in ("rows", "errors", "warnings", "uscc", "merge", "review", "new")
            )
        )
        console.print(summary)
        problems = (
            batch.records.exclude(problems=[])
            .order_by("sheet", "row_number")
            .values_list("sheet", "row_number", "problems")
        )
        shown = 0
        table = Table(title="Problems")
        for name in ("row", "field", "severity", "problem"):
            table.add_column(name)
        total = 0
        for sheet, row, items in problems.iterator():
            for p in items:
                total += 1
                if shown < SHOWN_PROBLEMS:
                    where = f"{sheet}:{row}" if sheet else str(row)
                    table.add_row(where, p["field"], p["severity"], importing.problem_message(p))
                    shown += 1
        if total:
            console.print(table)
            if total > shown:
                console.print(f"… and {total - shown:,} more problems.")

    def _print_commit(self, batch_id: int, counts: dict[str, int]) -> None:
        self.stdout.write(
            f"Import {batch_id} committed: {counts.get('merged', 0):,} rows merged into firms, "
            f"{counts.get('created', 0):,} new firms, {counts.get('review', 0):,} pairs to review, "
            f"{counts.get('errors', 0):,} rows left out for errors."
        )


def _cluster(slug: str | None) -> Cluster:
    if slug:
        try:
            return selectors.get_cluster(slug)
        except DomainError as exc:
            raise CommandError(f"--cluster: {exc.detail}") from exc
    clusters = list(Cluster.objects.all()[:2])
    if len(clusters) != 1:
        raise CommandError("Name the cluster with --cluster SLUG.")
    return clusters[0]


def _user(name: str | None) -> Any:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if name:
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise CommandError(f"--user: no active user named {name!r}.")
        return user
    admins = list(User.objects.filter(is_superuser=True, is_active=True)[:2])
    if len(admins) != 1:
        raise CommandError("Name the user acting with --user NAME.")
    return admins[0]
