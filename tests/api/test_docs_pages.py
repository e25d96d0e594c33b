"""The documentation pages' policy, without a browser (tests/browser/test_api_docs.py
renders them): styles only with the page's nonce, and a Redoc that asks no CDN."""

from __future__ import annotations

import re

import pytest

from apps.api.docs import REDOC_BUNDLE, REDOC_CHANGES

pytestmark = pytest.mark.django_db


def _directives(answer) -> dict[str, list[str]]:
    policy = answer["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", ["/api/schema/redoc/", "/api/schema/swagger/"])
def test_a_docs_page_allows_styles_only_with_its_own_nonce(anonymous, path):
    answer = anonymous.get(path)
    styles = _directives(answer)["style-src"]
    [nonce] = [v.removeprefix("'nonce-").removesuffix("'") for v in styles if "nonce-" in v]
    assert styles == ["'self'", f"'nonce-{nonce}'"]
    assert f'nonce="{nonce}"' in answer.content.decode()
    assert "style-src-attr" not in _directives(answer)


def test_other_pages_keep_the_site_policy_without_a_nonce(anonymous):
    assert _directives(anonymous.get("/api/"))["style-src"] == ["'self'"]


def test_every_change_to_the_redoc_bundle_still_finds_its_place():
    original = REDOC_BUNDLE.read_text(encoding="utf-8")
    assert all(original.count(found) == 1 for found in REDOC_CHANGES)


def test_the_redoc_we_serve_asks_no_cdn_and_takes_the_nonce_of_its_script(anonymous):
    answer = anonymous.get("/api/schema/redoc/")
    [bundle_path] = re.findall(r'<script src="([^"]+)"', answer.content.decode())
    bundle = anonymous.get(bundle_path)
    assert bundle.status_code == 200 and bundle["Content-Type"].startswith("text/javascript")
    code = b"".join(bundle.streaming_content) if bundle.streaming else bundle.content
    assert b"cdn.redoc.ly" not in code and b"document.currentScript" in code
