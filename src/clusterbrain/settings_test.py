"""Settings for the test suite: the production settings, a throwaway secret and a fast hasher."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret")

from clusterbrain.settings import *  # noqa: E402,F403

# Password hashing dominates the time of tests that log in; the real hasher is not under test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Each test run keeps its cache in memory: nothing is left behind on disk between runs.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# WhiteNoise serves the apps' static files from the finders, but warns at every request
# handler's start (every test client: ~1,000 warnings a run) that STATIC_ROOT is missing; the
# `serve` command creates it for the same reason.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
