"""`clusterbrain load-chain-templates [FILE ...]`: load chain templates from JSON files.

Without files it loads the templates shipped with the package. All files load in one
transaction: when one is invalid, nothing changes and the command exits non-zero naming the
file, the row and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from clusterbrain.chains.services import (
    bundled_template_paths,
    load_chain_template,
    read_template_file,
)
from clusterbrain.errors import DomainError


def describe_error(exc: DomainError) -> str:
    """The error and each of its field errors, one per line, for a terminal."""
    lines = [exc.detail]
    if len(exc.errors) > 1:
        for error in exc.errors:
            where = ".".join(str(part) for part in error.loc) or "-"
            lines.append(f"  {where}: {error.msg}")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Load chain templates from JSON files (default: the bundled templates)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files",
            nargs="*",
            type=Path,
            metavar="FILE",
            help="template files; default: every bundled template",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["files"] or bundled_template_paths()
        loaded = []
        with transaction.atomic():
            for path in paths:
                try:
                    loaded.append((path, load_chain_template(read_template_file(path))))
                except DomainError as exc:
                    raise CommandError(f"{path}: {describe_error(exc)}") from exc
        for path, template in loaded:
            self.stdout.write(
                f"{template.slug}: {template.links.count()} links, "
                f"{template.edges.count()} edges ({path.name})"
            )
