"""The `clusterbrain` console script: Django's manage.py with our verbs.

`clusterbrain demo`, `clusterbrain load-demo`, `clusterbrain serve` and every Django command.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterbrain.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - loads the settings, which check the environment
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"clusterbrain: {exc}\n")
        raise SystemExit(2) from None
    execute_from_command_line(["clusterbrain", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
