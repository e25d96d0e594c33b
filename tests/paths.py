"""Where the test suite finds its files: inside the repository, never beside it."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
# Recorded responses of official sources; provenance in tests/fixtures/README.md.
FIXTURES = TESTS / "fixtures"
