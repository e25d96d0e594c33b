"""The editor's path in a real browser: find, propose from the record, submit, review, publish."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group

from apps.cases.models import Case, State
from apps.obligations.models import Obligation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def accounts(seeded, django_user_model):
    made = {}
    for name, group in (("ed", "editor"), ("rev", "reviewer")):
        user = django_user_model.objects.create_user(
            name, f"{name}@example.org", f"pw-{name}-123", is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        made[name] = user
    return made


def _admin_page(browser, live_server, name: str):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    problems: list[str] = []
    page.on("dialog", lambda dialog: (problems.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.problems = problems
    page.goto("/admin/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", f"pw-{name}-123")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def test_an_editor_proposes_from_the_record_and_a_reviewer_publishes(
    browser, live_server, accounts
):
    editor = _admin_page(browser, live_server, "ed")
    editor.goto("/admin/instruments/instrument/?q=AILD")
    editor.get_by_role("link", name="AI Liability Directive", exact=False).first.click()
    editor.wait_for_url("**/record/")
    assert "withdrawal announced" in editor.locator(".record-timeline").inner_text()
    assert editor.get_by_role("heading", name="Obligations").is_visible()

    # A summary change, from the record page.
    editor.get_by_role("button", name="Propose a change (dates, events, summary…)").click()
    editor.wait_for_url("**/propose/instrument/**")
    editor.fill("#id_summary", "Withdrawn proposal on civil liability for damage caused by AI.")
    editor.get_by_role("button", name="Propose", exact=True).click()
    editor.wait_for_url("**/change/")

    # A new obligation with a penalty, from the record page again: same case.
    editor.go_back()
    editor.go_back()
    editor.reload()
    editor.get_by_role("button", name="Propose a new obligation").click()
    editor.wait_for_url("**/propose/obligation/**")
    editor.fill("#id_key", "disclosure-of-evidence")
    editor.fill("#id_provision", "Article 3")
    editor.select_option("#id_addressee", "provider")
    editor.fill("#id_requirement", "Disclose relevant evidence about a high-risk AI system.")
    editor.fill('[name="penalties-0-max_amount"]', "1000000")
    editor.fill('[name="penalties-0-currency"]', "EUR")
    editor.get_by_role("button", name="Propose", exact=True).click()
    editor.wait_for_url("**/change/")
    case = Case.objects.get(instrument__slug="eu-ai-liability-directive")
    assert case.changes.count() == 2

    # One step to review.
    editor.get_by_role("button", name="Submit for review").click()
    editor.wait_for_load_state("load")
    case.refresh_from_db()
    assert case.state == State.IN_REVIEW and case.assignee == accounts["ed"]

    # A second account reviews a word-level diff and publishes.
    reviewer = _admin_page(browser, live_server, "rev")
    reviewer.goto(f"/admin/cases/case/{case.pk}/change/")
    inserted = reviewer.locator("ins").all_inner_texts()
    # Word level: the new words are marked, the words both texts share are not.
    assert "Withdrawn" in inserted and "damage" not in inserted
    reviewer.get_by_role("button", name="Approve and publish").click()
    # It asks first, and warns: the case was opened from the record, with no evidence.
    reviewer.wait_for_url(re.compile(r"/approve/\??$"))  # a GET form: "?" and no fields
    assert "this case has no evidence attached" in reviewer.locator("#no-evidence").inner_text()
    reviewer.get_by_label("I have checked the proposed changes and publish them without").check()
    reviewer.get_by_role("button", name="Approve and publish").click()
    reviewer.wait_for_url("**/change/")
    case.refresh_from_db()
    assert case.state == State.PUBLISHED
    added = Obligation.objects.get(key="disclosure-of-evidence")
    assert added.penalties.get().max_amount == 1000000

    # The published case still shows what was approved.
    reviewer.reload()
    page = reviewer.content()
    assert "disclosure-of-evidence" in page or "Article 3" in page
    assert reviewer.locator("ins").count() > 0
    assert editor.problems == [] and reviewer.problems == []
