"""Compare as a crosswalk in a real browser (issue 23): on a 390 px phone the page
never scrolls sideways (the wide table scrolls inside its own focusable, named
region); at 1366 px the crosswalk shows with every answer cited, and the chart's
column headings do not overlap."""

from __future__ import annotations

import itertools

import pytest

pytestmark = pytest.mark.django_db(transaction=True)
COMPARE = "/compare/?j=EU&j=US&j=CN&j=IN&j=SG"


@pytest.fixture
def reader(seeded, django_user_model):
    return django_user_model.objects.create_user("reader", "reader@example.org", "pw-reader-123")


@pytest.fixture
def page(browser, live_server, reader):
    context = browser.new_context(base_url=live_server.url, device_scale_factor=1)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.problems = problems
    opened.goto("/accounts/login/")
    opened.fill("#id_username", "reader")
    opened.fill("#id_password", "pw-reader-123")
    opened.click("main button[type=submit]")
    opened.wait_for_url("**/")
    yield opened
    context.close()


def test_compare_on_a_390_px_phone_does_not_scroll_sideways(page):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(COMPARE)
    width, viewport = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= viewport
    region = page.get_by_role("region", name="Crosswalk: the whole record")
    assert region.get_attribute("tabindex") == "0"
    wide, shown = region.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert wide > shown  # five jurisdictions: the table scrolls, inside its region
    assert page.problems == []


def test_compare_at_1366_px_shows_the_crosswalk_cited(page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(COMPARE)
    table = page.locator("table.crosswalk")
    assert table.is_visible()
    penalty = table.locator("#q-penalty td").first
    assert "EUR 35 million" in penalty.inner_text() and "Source:" in penalty.inner_text()
    link = penalty.locator("a[href*='#obligation-']").first
    assert link.is_visible()
    for cell in table.locator("tbody td").all():
        assert cell.locator("a[href^='/instruments/'], a[href^='/jurisdictions/']").count(), (
            cell.inner_text()
        )
    heads = page.locator("figure.chart svg > text.col-head").all()
    boxes = [h.bounding_box() for h in heads]
    assert len(boxes) >= 2
    for left, right in itertools.pairwise(boxes):
        assert left["x"] + left["width"] <= right["x"]  # the column headings never overlap
    link.click()
    page.wait_for_url("**/instruments/eu-ai-act/#obligation-*")
    assert page.problems == []
