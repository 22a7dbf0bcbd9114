"""Who is calling the JSON API: a Django session (the pages' login) or a bearer API token.

- Session: ninja's `django_auth` semantics (cookie auth with Django's CSRF check on unsafe
  methods), except that an anonymous caller gets 401, not the 403 of a failed CSRF check: the
  CSRF check only means something once there is a session to protect.
- Bearer token (`Authorization: Bearer cb_…`): no cookie, so no CSRF; a wrong, revoked or
  inactive user's key is 401, never silently anonymous.
- Reads are public: `READ_AUTH` ends with `public_read`, which lets anonymous callers through
  as `AnonymousUser`, unless they sent an Authorization header that did not authenticate.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from clusterbrain.accounts.models import ApiToken, User

TOKEN_PREFIX = "cb_"
# `last_used` is a hint for stewards, not an audit log: one write a minute per token at most.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`; returns it and the key, which is not stored and shown only now."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:10], key_hash=hash_key(key))
    return token, key


def user_for_key(key: str) -> User | None:
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_key(token.strip())
        if user is not None:
            # Selectors and services read `request.user`; make it the token's user.
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django's session, CSRF-checked for unsafe methods once a user is logged in."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request):
            raise HttpError(403, "CSRF check failed")
        return user


def public_read(request: HttpRequest) -> Any:
    """The last resort of read endpoints: anonymous, unless a bad Authorization was sent."""
    if request.headers.get("Authorization"):
        return None
    user = getattr(request, "user", None)
    return user if user is not None else AnonymousUser()


token_auth = ApiTokenAuth()
session_auth = SessionAuth()
WRITE_AUTH = [token_auth, session_auth]
READ_AUTH = [token_auth, session_auth, public_read]
