"""What the demo CLI verbs share: argument checks that end in a CommandError with a clear
message, a rich console on the command's own output stream, and the logins table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.console import Console
from rich.table import Table

from clusterbrain.demo.loader import LoadResult, known_slugs
from clusterbrain.demo.specs import MAX_FIRMS, max_scale
from clusterbrain.demo.users import DemoLogin

DEMO_URL = "http://127.0.0.1:8000"
ROLE_LABELS = {
    "admin": "platform admin",
    "office": "cluster office",
    "association": "association staff, data steward in /admin/",
    "enterprise": "enterprise user",
    "bank": "bank officer",
}


def scale_limits() -> str:
    """ "shiling 105, wenzhou 142, …": each cluster's largest scale, the tightest first."""
    return ", ".join(
        f"{slug} {max_scale(slug)}" for slug in sorted(known_slugs(), key=lambda s: max_scale(s))
    )


def scale_help() -> str:
    return (
        f"multiply the ordinary firms by N, a whole number from 1 to the limit of "
        f"{MAX_FIRMS:,} firms per cluster: at most {scale_limits()}"
    )


def parse_scale(raw: Any, slugs: Sequence[str] | None = None) -> int:
    """The scale, at least 1 and within the limit of every cluster in `slugs` (None: all)."""
    try:
        scale = int(str(raw), 10)
    except ValueError:
        scale = 0
    if scale < 1:
        raise CommandError(_("--scale must be a positive integer, got %(raw)r.") % {"raw": raw})
    chosen = list(slugs) if slugs else known_slugs()
    tightest = min(chosen, key=max_scale)
    if scale > max_scale(tightest):
        raise CommandError(
            _(
                "--scale %(scale)s is too large: a demo cluster holds at most %(firms)s firms, "
                "so %(slug)s allows --scale up to %(max)d (limits: %(limits)s)."
            )
            % {
                "scale": raw,
                "firms": f"{MAX_FIRMS:,}",
                "slug": tightest,
                "max": max_scale(tightest),
                "limits": scale_limits(),
            }
        )
    return scale


def parse_seed(raw: Any) -> int:
    try:
        return int(str(raw), 10)
    except ValueError:
        raise CommandError(_("--seed must be an integer, got %(raw)r.") % {"raw": raw}) from None


def parse_clusters(raw: Sequence[str] | None) -> list[str] | None:
    """`--cluster a --cluster b` or `--cluster a,b`; None for all. Unknown slugs list the known."""
    if not raw:
        return None
    slugs = [part.strip() for item in raw for part in item.split(",") if part.strip()]
    known = known_slugs()
    for slug in slugs:
        if slug not in known:
            raise CommandError(
                _("Unknown cluster %(slug)r. Known clusters: %(known)s.")
                % {"slug": slug, "known": ", ".join(known)}
            )
    return list(dict.fromkeys(slugs))


def console_for(command: BaseCommand, options: dict[str, Any]) -> Console | None:
    """A rich console writing to the command's stdout, or None at verbosity 0."""
    if options.get("verbosity", 1) < 1:
        return None
    stream: Any = getattr(command.stdout, "_out", command.stdout)
    tty = getattr(stream, "isatty", lambda: False)()
    return Console(file=stream, highlight=False, width=None if tty else 120)


def results_table(results: Sequence[LoadResult]) -> Table:
    table = Table(title="Demo clusters loaded", title_justify="left")
    table.add_column("cluster")
    table.add_column("firms", justify="right")
    table.add_column("rows", justify="right")
    table.add_column("seconds", justify="right")
    for result in results:
        table.add_row(result.slug, f"{result.firms:,}", f"{result.rows:,}", f"{result.seconds:.1f}")
    return table


def logins_table(logins: Sequence[DemoLogin]) -> Table:
    password = logins[0].password if logins else ""
    table = Table(title=f"Demo logins (password for all: {password})", title_justify="left")
    table.add_column("username", style="bold")
    table.add_column("role")
    table.add_column("cluster")
    table.add_column("organisation")
    for login in logins:
        table.add_row(
            login.username,
            ROLE_LABELS.get(login.role, login.role),
            login.cluster,
            login.organisation,
        )
    return table
