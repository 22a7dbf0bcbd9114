"""What every page's layout needs: the clusters for the switcher and who is logged in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from clusterbrain.accounts.models import Role


def _clusters() -> list[Any]:
    from clusterbrain.registry import selectors

    return list(selectors.clusters())


def _user_role(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    if user.is_superuser:
        return str(Role.ADMIN.label)
    return str(user.get_role_display())


def platform(request: HttpRequest) -> dict[str, Any]:
    return {
        "PLATFORM_NAME": "clusterbrain",
        "nav_clusters": SimpleLazyObject(_clusters),
        "user_role": SimpleLazyObject(lambda: _user_role(request)),
    }
