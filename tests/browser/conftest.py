"""What the browser journeys share: Debian's chromium driven by Playwright, the site they walk
(tests/web/webdata.build_site on the `world` of tests/conftest.py), where screenshots go."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are safe here (one thread at a time), so let Django allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from browsing import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from webdata import build_site  # noqa: E402


@pytest.fixture
def site(transactional_db, world):
    from django.core.cache import cache

    cache.clear()
    return build_site(world)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
