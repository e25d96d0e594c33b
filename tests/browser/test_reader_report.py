"""Issue 23 in a real browser: a reader reports a problem on the AI Act's page; the case
is on the desk of the editor responsible for the EU, with its badge; that editor's
mail holds the link that opens it; the reader follows it under My reports."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from apps.cases.models import Case, ReportDuty
from apps.jurisdictions.models import Jurisdiction

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_run_inline")]


@pytest.fixture
def people(seeded, django_user_model, settings, live_server):
    settings.SITE_URL = live_server.url  # the mailed link opens this server's desk
    reader = django_user_model.objects.create_user("partner", "partner@example.org", "pw-p-123")
    editor = django_user_model.objects.create_user(
        "eu-ed", "eu-ed@example.org", "pw-e-123", is_staff=True
    )
    editor.groups.add(Group.objects.get(name="editor"))
    on_duty = django_user_model.objects.create_user(
        "duty", "duty@example.org", "pw-d-123", is_staff=True
    )
    on_duty.groups.add(Group.objects.get(name="editor"))
    ReportDuty.objects.create(jurisdiction=Jurisdiction.objects.get(code="EU"), editor=editor)
    ReportDuty.objects.create(jurisdiction=None, editor=on_duty)
    return {"reader": reader, "editor": editor}


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("dialog", lambda dialog: (problems.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if "Content Security Policy" in m.text or m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_a_readers_report_reaches_the_desk_and_the_mail_of_the_eu_editor(
    browser, live_server, people
):
    reader = browser.new_context(base_url=live_server.url).new_page()
    reader_problems = _watch(reader)
    reader.goto("/accounts/login/")
    reader.fill("#id_username", "partner")
    reader.fill("#id_password", "pw-p-123")
    reader.click("main button[type=submit]")
    reader.wait_for_url("**/")

    reader.goto("/instruments/eu-ai-act/")
    reader.get_by_role("link", name="Report a problem or suggest an update").click()
    reader.wait_for_url("**/report/**")
    reader.get_by_label("What is wrong or missing?").fill("The Article 50 date looks wrong.")
    reader.get_by_role("button", name="Send to the editors").click()
    reader.wait_for_url("**/instruments/eu-ai-act/")
    assert "your report is with the editors" in reader.locator(".messages").inner_text()

    case = Case.objects.get(kind="reader_request")
    assert case.assignee == people["editor"] and case.reporter == people["reader"]

    # The reader finds it under My reports, in the menu.
    reader.get_by_role("navigation", name="Main").get_by_role("link", name="My reports").click()
    reader.wait_for_url("**/my-reports/")
    item = reader.locator(f"#report-{case.pk}").inner_text()
    assert "Received" in item and "The Article 50 date looks wrong." in item

    # The EU editor's mail, and the link in it.
    [message] = [m for m in mail.outbox if m.to == ["eu-ed@example.org"]]
    assert "The Article 50 date looks wrong." in message.body
    link = re.search(r"Open the case: (\S+)", message.body).group(1)
    assert link == f"{live_server.url}/admin/cases/case/{case.pk}/change/"
    assert not [m for m in mail.outbox if "duty@example.org" in m.to]

    # Their desk lists it among their open cases, with the badge.
    editor = browser.new_context(base_url=live_server.url).new_page()
    editor_problems = _watch(editor)
    editor.goto("/admin/login/")
    editor.fill("#id_username", "eu-ed")
    editor.fill("#id_password", "pw-e-123")
    editor.click("input[type=submit]")
    editor.wait_for_url("**/admin/")
    mine = editor.locator("#desk section").filter(has_text="My open cases (1)")
    row = mine.locator("tr").filter(has_text=f"#{case.pk} Reader report on")
    assert row.locator(".badge").inner_text() == "reader report"
    row.get_by_role("link").first.click()
    editor.wait_for_url(f"**/admin/cases/case/{case.pk}/change/")
    assert editor.url == link
    assert "The Article 50 date looks wrong." in editor.locator(".evidence").inner_text()
    assert reader_problems == [] and editor_problems == []
