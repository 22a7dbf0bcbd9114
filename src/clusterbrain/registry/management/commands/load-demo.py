"""`clusterbrain load-demo [--cluster SLUG] [--scale N] [--seed S]`: load the seed clusters.

Loads the chain templates first where they are missing, replaces earlier demo copies of the
chosen clusters, and re-attaches existing demo users to the new firms. `--scale N` multiplies the
ordinary firms (the reports' facts stay exact), for benchmarks up to about 100,000 firms.
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
        parser.add_argument(
            "--scale",
            default="1",
            metavar="N",
            help="multiply the ordinary firms by N (a positive integer)",
        )
        parser.add_argument(
            "--seed",
            default=str(DEFAULT_SEED),
            metavar="S",
            help="random seed; the same seed gives the same data",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = parse_clusters(options["cluster"])
        scale = parse_scale(options["scale"])
        seed = parse_seed(options["seed"])
        console = console_for(self, options)
        try:
            results = load_demo(slugs, scale=scale, seed=seed, console=console)
            ensure_demo_users(create=False)
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        if console is not None:
            console.print(results_table(results))
