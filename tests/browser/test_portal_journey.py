"""A reader's journey in a real browser: sign in, search, narrow, read, follow, export."""

from __future__ import annotations

import csv
import io

import pytest

from apps.instruments.models import Instrument
from apps.record.services import Why, write

pytestmark = pytest.mark.django_db(transaction=True)
XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


@pytest.fixture
def reader(seeded, django_user_model):
    return django_user_model.objects.create_user("reader", "reader@example.org", "pw-reader-123")


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    opened = context.new_page()
    problems: list[str] = []
    opened.on(
        "dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss())
    )
    opened.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if "Content Security Policy" in message.text or message.type == "error"
            # The record's own hostile markup, shown as text, asks for nothing; a
            # failed load would mean a page referred to something that does not exist.
            else None
        ),
    )
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    opened.problems = problems
    yield opened
    context.close()


def _sign_in(page) -> None:
    page.goto("/")
    page.get_by_label("User name").fill("reader")
    page.get_by_label("Password").fill("pw-reader-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_a_reader_finds_the_withdrawn_liability_directive_follows_it_and_exports(page, reader):
    _sign_in(page)
    page.get_by_label("Search the record").fill("liability")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=liability*")
    page.get_by_role("link", name="European Union").first.click()
    page.wait_for_url("**jurisdiction=EU*")
    page.get_by_role("link", name="AI Liability Directive", exact=False).first.click()
    page.wait_for_url("**/instruments/eu-ai-liability-directive/")
    assert page.locator("#status").inner_text() == "withdrawn"
    timeline = page.locator("ol.timeline").inner_text()
    assert "withdrawal announced" in timeline and "In effect" in timeline
    page.get_by_role("button", name="Follow").click()
    page.wait_for_url("**/instruments/eu-ai-liability-directive/")
    assert page.get_by_role("button", name="Following · stop").is_visible()
    page.goto("/search/?q=liability")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as saved:
        rows = list(csv.DictReader(io.StringIO(saved.read())))
    assert "eu-ai-liability-directive" in [row["id"] for row in rows]
    assert page.problems == []


def test_markup_in_the_record_never_runs_and_the_csp_holds(page, reader):
    act = Instrument.objects.get(slug="eu-ai-act")
    write(
        target="instrument",
        row=act,
        values={"summary": f"Liability {XSS} rules.", "original_title": XSS},
        base_version=act.version,
        why=Why.system("test: hostile text"),
    )
    _sign_in(page)
    for path in (
        "/search/?q=liability",
        "/search/?q=rules",
        "/instruments/eu-ai-act/",
        "/jurisdictions/EU/",
        "/",
    ):
        page.goto(path)
        page.wait_for_load_state("load")
    assert page.problems == []
