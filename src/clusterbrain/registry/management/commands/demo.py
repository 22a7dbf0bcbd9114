"""`clusterbrain demo`: a ready demo on a fresh machine.

Migrates, loads the chain templates, loads those of the four seed clusters the database does not
have yet (a second run loads nothing and deletes nothing), creates the demo users, prints the URL
and the logins, then serves the app on 127.0.0.1:8000 (`--no-serve` to stop before serving,
`--addrport` to serve elsewhere). `--reload` replaces the demo clusters too, but never one where
users registered firms of their own (`load-demo --force` does that).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clusterbrain.demo.loader import ensure_templates, known_slugs, load_demo, missing_slugs
from clusterbrain.demo.specs import DEFAULT_SEED
from clusterbrain.demo.terminal import (
    DEMO_URL,
    console_for,
    logins_table,
    parse_scale,
    parse_seed,
    results_table,
    scale_help,
)
from clusterbrain.demo.users import ensure_demo_users
from clusterbrain.errors import DomainError


class Command(BaseCommand):
    help = "Set up the demo (migrate, templates, demo data, users) and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="set everything up and print the logins, but do not serve",
        )
        parser.add_argument(
            "--addrport",
            default="127.0.0.1:8000",
            help="address and port to serve on (default 127.0.0.1:8000)",
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            help="replace the demo clusters that are there too (not those where users "
            "registered firms of their own)",
        )
        parser.add_argument("--scale", default="1", metavar="N", help=scale_help())
        parser.add_argument("--seed", default=str(DEFAULT_SEED), metavar="S")

    def handle(self, *args: Any, **options: Any) -> None:
        scale = parse_scale(options["scale"])
        seed = parse_seed(options["seed"])
        console = console_for(self, options)
        say = console.print if console is not None else (lambda *a, **k: None)

        say("[bold]Migrating the database…[/bold]")
        call_command("migrate", interactive=False, verbosity=0)
        try:
            ensure_templates()
            slugs = known_slugs() if options["reload"] else missing_slugs()
            if slugs:
                say(f"[bold]Loading the demo data of {', '.join(slugs)}…[/bold]")
                results = load_demo(slugs, scale=scale, seed=seed, console=console)
                say(results_table(results))
            else:
                say("Demo data already loaded (use --reload to load it again).")
            logins = ensure_demo_users(create=True)
        except DomainError as exc:
            raise CommandError(exc.detail) from exc

        url = (
            DEMO_URL if options["addrport"] == "127.0.0.1:8000" else f"http://{options['addrport']}"
        )
        say(logins_table(logins))
        lists = _sample_lists()
        if lists:
            say(
                "Sample lists to try the registry import (log in as assoc-shiling, "
                "Registry → Imports):\n" + "\n".join(f"  {path}" for path in lists)
            )
        from clusterbrain.passport.demo import demo_passport_paths

        passports = demo_passport_paths()
        if passports:
            say(
                "Product passports (what a label's QR code opens, no login):\n"
                + "\n".join(f"  {url}{path}" for path in passports)
            )
        from clusterbrain.brand.models import BrandLicence

        licence = (
            BrandLicence.objects.filter(
                brand__cluster__is_demo=True, status="active", valid_until__gte=date.today()
            )
            .order_by("pk")
            .first()
        )
        if licence is not None:
            say(
                "Regional brand licence check (what a licence's QR code opens, no login):\n"
                f"  {url}/brand/verify/{licence.code}/"
            )
        say(f"\nOpen [bold]{url}[/bold] and log in with one of the accounts above.\n")
        if console is None:
            self.stdout.write(url)
        if not options["no_serve"]:
            call_command("serve", addrport=options["addrport"])


def _sample_lists() -> list[Any]:
    """A chamber member list and a brand's supplier workbook of Shiling, written under the data
    directory (demo.sample_lists)."""
    from django.conf import settings

    from clusterbrain.demo.sample_lists import write_sample_lists
    from clusterbrain.registry.models import Cluster

    cluster = Cluster.objects.filter(slug="shiling").first()
    if cluster is None:
        return []
    return write_sample_lists(cluster, settings.DATA_DIR / "demo-lists")
