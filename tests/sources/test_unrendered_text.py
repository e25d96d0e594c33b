"""Text a browser does not render never changes a page's fingerprint.

The page is the Federal Register's full text of EO 13859; each check's copy carries
what real pages vary per request in places nobody sees (a token in a `hidden`
element, a counter in a decorative icon, an inline `display: none` block, a
`template`). A change to what a reader sees still changes the fingerprint.
"""

from __future__ import annotations

import pytest

from apps.sources.diffing import content_hash
from apps.sources.extraction import extract

PAGE = "federalregister_full_text_html__2019-02544_EO13859_AI.html"
FIRST = '<p id="p-1" data-page="3967">'


def _served(original: str, request: int, extra: str = "") -> bytes:
    unseen = (
        f"<div hidden>csrf-{request:08x}</div>"
        f'<span class="icon" aria-hidden="true">{request} views</span>'
        f'<div style="DISPLAY: none">session {request}</div>'
        f"<template><p>row {request}</p></template>"
    )
    assert FIRST in original
    return original.replace(FIRST, unseen + extra + FIRST, 1).encode()


def _fingerprint(body: bytes) -> str:
    return content_hash(extract("html", body, selector="", ignore=[]).text)


@pytest.fixture
def original(fixtures_dir) -> str:
    return (fixtures_dir / PAGE).read_text(encoding="utf-8")


def test_text_in_unrendered_elements_leaves_the_fingerprint_as_it_was(original):
    plain = _fingerprint(original.encode())

    assert _fingerprint(_served(original, 1)) == plain
    assert _fingerprint(_served(original, 2)) == plain


def test_a_visible_change_next_to_unrendered_text_still_changes_the_fingerprint(original):
    seen = _fingerprint(_served(original, 1, "<p>Revoked.</p>"))

    assert seen != _fingerprint(_served(original, 1))
    assert "Revoked." in extract("html", _served(original, 1, "<p>Revoked.</p>")).text


def test_an_aria_hidden_block_a_reader_sees_stays_in_the_text(original):
    """aria-hidden only hides from screen readers: a visual copy of a list is on screen."""
    shown = '<ul aria-hidden="true"><li>Table of contents</li></ul>'

    text = extract("html", _served(original, 1, shown), selector="", ignore=[]).text

    assert "Table of contents" in text
    assert "views" not in text and "csrf" not in text
