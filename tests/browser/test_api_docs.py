"""The API's documentation pages work offline and under the site's CSP (issue 23): no
policy violation at all, nothing asked of another site, and each operation shown with
the description written for it, not a framework's docstring."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

# Every violation the page meets, reported or not to the console.
RECORD_VIOLATIONS = """
window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.violations.push(
  `${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
"""
# A line of the instruments list's description (apps/api/views.py).
DESCRIBED = "Laws, regulations, orders and guidance, paged"


def _open(browser, live_server, path):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    seen = SimpleNamespace(console=[], outside=[])
    page.on(
        "console",
        lambda m: (
            seen.console.append(m.text)
            if "Content Security Policy" in m.text or m.type == "error"
            else None
        ),
    )
    page.on(
        "request",
        lambda r: (
            seen.outside.append(r.url)
            if not r.url.startswith((live_server.url, "data:", "blob:"))
            else None
        ),
    )
    page.goto(path)
    return context, page, seen


def test_redoc_renders_every_description_with_no_policy_violation(browser, live_server):
    context, page, seen = _open(browser, live_server, "/api/schema/redoc/")
    page.wait_for_function(
        "text => document.body.innerText.includes(text)", arg=DESCRIBED, timeout=20000
    )
    text = page.evaluate("document.body.innerText")
    violations = page.evaluate("window.violations")
    context.close()
    assert "The changes feed" in text and "Register an endpoint" in text
    assert "This is the magic" not in text and ".as_view()" not in text
    assert violations == [] and seen.console == [] and seen.outside == []


def test_swagger_renders_every_description_with_no_policy_violation(browser, live_server):
    context, page, seen = _open(browser, live_server, "/api/schema/swagger/")
    page.wait_for_function(
        "text => document.body.innerText.includes(text)", arg="List instruments", timeout=20000
    )
    page.get_by_text("List instruments").first.click()  # expands it: more of Swagger UI runs
    page.wait_for_function(
        "text => document.body.innerText.includes(text)", arg=DESCRIBED, timeout=10000
    )
    page.get_by_text("Try it out").first.click()
    page.wait_for_timeout(300)
    text = page.evaluate("document.body.innerText")
    violations = page.evaluate("window.violations")
    context.close()
    assert "The changes feed" in text and "This is the magic" not in text
    assert violations == [] and seen.console == [] and seen.outside == []
