"""Issue 23 in a real browser: an editor corrects a timeline date from the record page, a
second person reviews and publishes, and the reader's timeline shows the corrected date
(and not before it is published)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group

from apps.cases.models import Case, State

pytestmark = pytest.mark.django_db(transaction=True)

ACT = "eu-ai-act"
WAS, NOW = "2024-08-01", "2024-08-02"


@pytest.fixture
def accounts(seeded, django_user_model):
    made = {}
    for name, group in (("ed", "editor"), ("rev", "reviewer"), ("reader", None)):
        user = django_user_model.objects.create_user(
            name, f"{name}@example.org", f"pw-{name}-123", is_staff=group is not None
        )
        if group:
            user.groups.add(Group.objects.get(name=group))
        made[name] = user
    return made


def _page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.problems = problems
    return page


def _desk(browser, live_server, name: str):
    page = _page(browser, live_server)
    page.goto("/admin/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", f"pw-{name}-123")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def _reader(browser, live_server):
    page = _page(browser, live_server)
    page.goto("/")
    page.get_by_label("User name").fill("reader")
    page.get_by_label("Password").fill("pw-reader-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    return page


def _entry_into_force(reader) -> list[str]:
    reader.goto(f"/instruments/{ACT}/")
    items = reader.locator("ol.timeline li").all_inner_texts()
    return [item.split(" ")[0] for item in items if "entered into force" in item]


def test_an_editor_corrects_an_event_date_and_readers_see_it_once_published(
    browser, live_server, accounts
):
    reader = _reader(browser, live_server)
    assert _entry_into_force(reader) == [WAS]

    editor = _desk(browser, live_server, "ed")
    editor.goto("/admin/instruments/instrument/?q=AI+Act")
    editor.get_by_role("link", name="Artificial Intelligence Act", exact=False).first.click()
    editor.wait_for_url("**/record/")
    editor.get_by_role("button", name="Propose a change (dates, events, summary…)").click()
    editor.wait_for_url("**/propose/instrument/**")

    # The event's row: found by its kind and its date, the date corrected in its box.
    dates = editor.locator('input[name^="events-"][name$="-date"]').evaluate_all(
        "els => els.map(el => [el.name, el.value])"
    )
    kinds = editor.locator('select[name^="events-"][name$="-kind"]').evaluate_all(
        "els => els.map(el => el.value)"
    )
    [name] = [
        n for (n, v), k in zip(dates, kinds, strict=True) if (v, k) == (WAS, "entered_into_force")
    ]
    editor.fill(f'[name="{name}"]', NOW)
    editor.get_by_role("button", name="Propose", exact=True).click()
    editor.wait_for_url("**/change/")
    case = Case.objects.get(instrument__slug=ACT)
    assert case.changes.get().values.keys() == {"events"}

    editor.get_by_role("button", name="Submit for review").click()
    editor.wait_for_load_state("load")
    assert _entry_into_force(reader) == [WAS]  # in review: not published

    reviewer = _desk(browser, live_server, "rev")
    reviewer.goto(f"/admin/cases/case/{case.pk}/change/")
    assert NOW in " ".join(reviewer.locator("ins").all_inner_texts())
    reviewer.get_by_role("button", name="Approve and publish").click()
    # It asks first (the case, opened from the record page, has no evidence).
    reviewer.wait_for_url(re.compile(r"/approve/\??$"))
    reviewer.get_by_label(
        "I have checked the proposed changes and publish them", exact=False
    ).check()
    reviewer.get_by_role("button", name="Approve and publish").click()
    reviewer.wait_for_url("**/change/")
    case.refresh_from_db()
    assert case.state == State.PUBLISHED

    assert _entry_into_force(reader) == [NOW]
    assert editor.problems == [] and reviewer.problems == [] and reader.problems == []
