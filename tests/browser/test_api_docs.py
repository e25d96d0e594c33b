"""The API's documentation pages work offline and under the site's CSP."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("path", "shows"),
    [("/api/schema/swagger/", "/api/v1/instruments/"), ("/api/schema/redoc/", "changes")],
)
def test_the_api_docs_render_from_our_own_files_with_no_policy_violation(
    browser, live_server, path, shows
):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    problems: list[str] = []
    outside: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if "Content Security Policy" in m.text or m.type == "error"
            else None
        ),
    )
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith((live_server.url, "data:", "blob:"))
            else None
        ),
    )
    page.goto(path)
    page.wait_for_function(
        "text => document.body.innerText.includes(text)", arg=shows, timeout=20000
    )
    context.close()
    # Redoc's sidebar asks for its maker's logo from their CDN once drawn: the policy
    # refuses it (no request leaves, as `outside` shows), which is the policy working.
    refused_logo = [p for p in problems if "cdn.redoc.ly" in p or "ERR_BLOCKED_BY_CSP" in p]
    # Playwright may report that request before the policy blocks it: the same logo.
    outside = [url for url in outside if not url.startswith("https://cdn.redoc.ly/")]
    assert [p for p in problems if p not in refused_logo] == [] and outside == []
