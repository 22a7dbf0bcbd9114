"""Log-in and log-out pages (Django's views, with our templates)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LogoutView(auth_views.LogoutView):
    """Logging out changes state, so it is a POST (the header's button). A GET, from a typed or
    bookmarked /accounts/logout/, gets a small page with that button instead of a blank 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return render(
            request,
            "registration/logout_confirm.html",
            {self.redirect_field_name: self.get_redirect_url()},
        )
