"""Browser tests: Playwright driving the machine's own chromium, never a downloaded one."""

from __future__ import annotations

import os
import shutil

import pytest

from tests import seed_snapshot


def chromium_path() -> str | None:
    given = os.environ.get("CHROMIUM_PATH")
    if given:
        return given
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip(
            "no chromium on this machine: install Debian's (`apt-get install chromium`) "
            "or set CHROMIUM_PATH to a Chromium binary"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop on this thread; the ORM calls the test
    # makes between browser steps are ordinary blocking calls, so Django may allow them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            launched = playwright.chromium.launch(
                executable_path=path, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                yield launched
            finally:
                launched.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def seeded(transactional_db):
    """The live server's database (transactional tests run on one without the seed)."""
    seed_snapshot.restore()
