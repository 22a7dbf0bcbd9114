"""`clusterbrain create-api-token USER [--name NAME]`: print a new bearer key for the JSON API."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clusterbrain.accounts.auth import create_api_token
from clusterbrain.accounts.models import User


class Command(BaseCommand):
    help = "Create a bearer token for the JSON API; the key is printed once and not stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        if not user.is_active:
            raise CommandError(f"user {username!r} is not active")
        token, key = create_api_token(user, name=name)
        self.stdout.write(key)
        self.stderr.write(
            f"Token {token.prefix}… for {username}. Send it as 'Authorization: Bearer <key>'; "
            "it is shown only now."
        )
