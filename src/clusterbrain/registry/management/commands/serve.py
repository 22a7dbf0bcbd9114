"""`clusterbrain serve [ADDRPORT]`: serve the app (default 127.0.0.1:8000) without the
autoreloader. Django's development server does the HTTP; WhiteNoise serves the static files
straight from the apps (WHITENOISE_USE_FINDERS), so no collectstatic is needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve clusterbrain on 127.0.0.1:8000 (no autoreloader)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "addrport_arg",
            nargs="?",
            metavar="ADDRPORT",
            help="address:port or port (default 127.0.0.1:8000)",
        )
        parser.add_argument("--addrport", default=None, help="same as ADDRPORT")

    def handle(self, *args: Any, **options: Any) -> None:
        addrport = options["addrport_arg"] or options["addrport"] or "127.0.0.1:8000"
        # WhiteNoise warns about a missing STATIC_ROOT even when it serves from the finders.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        call_command("runserver", addrport, use_reloader=False, use_threading=True)
