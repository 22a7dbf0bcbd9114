"""Domain errors raised by selectors and services, turned into the friendly error pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from clusterbrain.errors import DomainError, Forbidden, NotFound

View = Callable[..., HttpResponseBase]


def domain_errors(view: View) -> View:
    """NotFound → the 404 page, Forbidden → the 403 page (or the login page for a visitor who
    is not logged in), any other domain error → a 4xx page with its message; never a 500."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.detail) from exc
        except Forbidden as exc:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied(exc.detail) from exc
        except DomainError as exc:
            return render(
                request,
                "400.html",
                {"detail": exc.detail, "errors": exc.errors},
                status=exc.status_code,
            )

    return wrapper
