"""`clusterbrain load-demo [--cluster SLUG] [--scale N] [--seed S] [--force]`: load the seed
clusters.

Loads the chain templates first where they are missing, replaces earlier demo copies of the
chosen clusters (their ids change), and re-attaches existing demo users to the new firms. A
cluster where users registered firms of their own (not demo data) is left alone unless `--force`
is given; the message says how many such firms it holds. `--scale N` multiplies the ordinary
firms (the reports' facts stay exact), for benchmarks; a demo cluster holds at most 150,000
firms, which caps N per cluster (`--help` lists the limits).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clusterbrain.demo.loader import load_demo
from clusterbrain.demo.specs import DEFAULT_SEED
from clusterbrain.demo.terminal import (
    console_for,
    parse_clusters,
    parse_scale,
    parse_seed,
    results_table,
    scale_help,
)
from clusterbrain.demo.users import ensure_demo_users
from clusterbrain.errors import DomainError


class Command(BaseCommand):
    help = "Load the demo data of the seed clusters (default: all four)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cluster",
            action="append",
            metavar="SLUG",
            help="a cluster to load (repeat or separate by commas); default: all",
        )
        parser.add_argument("--scale", default="1", metavar="N", help=scale_help())
        parser.add_argument(
            "--seed",
            default=str(DEFAULT_SEED),
            metavar="S",
            help="random seed; the same seed gives the same data",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a demo cluster even where users registered firms of their own "
            "(they are deleted with it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = parse_clusters(options["cluster"])
        scale = parse_scale(options["scale"], slugs)
        seed = parse_seed(options["seed"])
        console = console_for(self, options)
        try:
            results = load_demo(
                slugs, scale=scale, seed=seed, console=console, force=options["force"]
            )
            ensure_demo_users(create=False)
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        if console is not None:
            console.print(results_table(results))
