"""A reader's report reaches a person: the rule that assigns it, the assignee's email, the
desk that shows it (with its badge, or as nobody's), and the reply when it closes."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.cases import services
from apps.cases.models import Case, ReportDuty, State
from apps.instruments.models import Instrument
from tests.helpers import make_user, move

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_inline")]

SITE = "https://tracker.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE + "/"


@pytest.fixture
def reader(django_user_model):
    return make_user(django_user_model, "partner", staff=False)


@pytest.fixture
def eu_act():
    return Instrument.objects.select_related("jurisdiction").get(slug="eu-ai-act")


@pytest.fixture
def us_order():
    return Instrument.objects.select_related("jurisdiction").get(slug="us-eo-14110")


def _report(reader, django_capture_on_commit_callbacks, page: str, message="The date is wrong."):
    """The reader sends the portal's form; the case it opened, and the mail that went out."""
    client = Client()
    client.force_login(reader)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/report/", {"page": page, "message": message})
    assert response.status_code == 302, response.content.decode()[:500]
    return Case.objects.get(kind="reader_request", reporter=reader), list(mail.outbox)


def _desk(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_report_on_an_instrument_goes_to_the_editor_of_its_jurisdiction(
    cast, reader, eu_act, django_capture_on_commit_callbacks
):
    ReportDuty.objects.create(jurisdiction=eu_act.jurisdiction, editor=cast["editor2"])
    ReportDuty.objects.create(jurisdiction=None, editor=cast["editor"])  # on duty: not asked

    case, sent = _report(reader, django_capture_on_commit_callbacks, "/instruments/eu-ai-act/")

    assert case.assignee == cast["editor2"] and case.instrument == eu_act
    assert case.created_by is None  # a reader is no author of the desk's work
    note = case.transitions.last().note
    assert note == f"assigned to editor2: the editor responsible for {eu_act.jurisdiction.name}"
    [message] = sent
    assert message.to == ["editor2@example.org"]
    assert "The date is wrong." in message.body
    assert f"{SITE}/admin/cases/case/{case.pk}/change/" in message.body


def test_a_report_on_a_jurisdiction_page_goes_to_that_jurisdictions_editor(
    cast, reader, eu_act, django_capture_on_commit_callbacks
):
    code = eu_act.jurisdiction.code
    ReportDuty.objects.create(jurisdiction=eu_act.jurisdiction, editor=cast["editor2"])
    case, _ = _report(reader, django_capture_on_commit_callbacks, f"/jurisdictions/{code}/")
    assert case.assignee == cast["editor2"] and case.instrument is None


def test_a_report_whose_jurisdiction_has_no_editor_goes_to_the_editor_on_duty(
    cast, reader, eu_act, us_order, django_capture_on_commit_callbacks
):
    ReportDuty.objects.create(jurisdiction=eu_act.jurisdiction, editor=cast["editor2"])
    ReportDuty.objects.create(jurisdiction=None, editor=cast["editor"])

    case, sent = _report(reader, django_capture_on_commit_callbacks, "/instruments/us-eo-14110/")

    assert case.assignee == cast["editor"]
    assert case.transitions.last().note == "assigned to editor: the editor on duty"
    assert [m.to for m in sent] == [["editor@example.org"]]
    assert "you are the editor on duty" in sent[0].body


def test_a_report_about_no_one_jurisdiction_goes_to_the_editor_on_duty(
    cast, reader, django_capture_on_commit_callbacks
):
    ReportDuty.objects.create(jurisdiction=None, editor=cast["reviewer"])
    case, _ = _report(reader, django_capture_on_commit_callbacks, "/compare/")
    assert case.assignee == cast["reviewer"]


def test_a_jurisdictions_editor_who_can_no_longer_work_cases_is_passed_over(
    cast, reader, eu_act, django_capture_on_commit_callbacks
):
    ReportDuty.objects.create(jurisdiction=eu_act.jurisdiction, editor=cast["editor2"])
    ReportDuty.objects.create(jurisdiction=None, editor=cast["editor"])
    cast["editor2"].groups.remove(Group.objects.get(name="editor"))

    case, _ = _report(reader, django_capture_on_commit_callbacks, "/instruments/eu-ai-act/")
    assert case.assignee == cast["editor"]


def test_a_report_nobody_takes_stays_unassigned_and_every_editor_sees_it_on_the_desk(
    cast, reader, eu_act, django_capture_on_commit_callbacks
):
    case, sent = _report(reader, django_capture_on_commit_callbacks, "/instruments/eu-ai-act/")

    assert case.assignee is None and sent == []
    assert case.transitions.last().note == (
        f"unassigned: no editor is responsible for {eu_act.jurisdiction.name} "
        "and no editor is on duty"
    )
    for who in ("editor", "reviewer2"):
        desk = _desk(cast[who])
        assert "Reader reports nobody holds (1)" in desk
        assert f"#{case.pk} Reader report on Regulation (EU) 2024/1689" in desk  # truncated
        assert '<span class="badge badge-report">reader report</span>' in desk


def test_the_assignees_desk_shows_the_report_with_its_badge(
    cast, reader, eu_act, django_capture_on_commit_callbacks
):
    ReportDuty.objects.create(jurisdiction=None, editor=cast["editor"])
    case, _ = _report(reader, django_capture_on_commit_callbacks, "/instruments/eu-ai-act/")

    desk = _desk(cast["editor"])
    mine = desk.split("My open cases (1)")[1].split("</section>")[0]
    assert f"#{case.pk} Reader report on" in mine and "reader report</span>" in mine
    assert "Reader reports nobody holds (0)" in desk
    # A case of another kind carries no badge.
    other = services.case_open(title="Plain correction", kind="correction")
    services.case_assign(case=other, assignee=cast["editor"], actor=cast["editor"])
    row = _desk(cast["editor"]).split("Plain correction")[1].split("</tr>")[0]
    assert "badge" not in row


@pytest.mark.parametrize(
    ("close", "outcome"),
    [
        ("dismiss", "made no change to the record"),
        ("publish", "The editors corrected the record."),
    ],
)
def test_closing_a_report_replies_to_the_reader_with_the_editors_public_reason(
    cast, reader, eu_act, django_capture_on_commit_callbacks, close, outcome
):
    ReportDuty.objects.create(jurisdiction=None, editor=cast["editor"])
    case, _ = _report(reader, django_capture_on_commit_callbacks, "/instruments/eu-ai-act/")
    services.case_edit(case=case, actor=cast["editor"], public_reason="Checked against the OJ.")
    case = move(case, cast["editor"], State.TRIAGED, State.IN_PROGRESS)
    assert [m for m in mail.outbox if reader.email in m.to] == []  # no reply while it is open

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if close == "dismiss":
            move(case, cast["editor"], State.DISMISSED)
        else:
            services.change_propose(
                case=case,
                actor=cast["editor"],
                target="instrument",
                action="update",
                row=eu_act,
                values={"summary": "A corrected summary."},
            )
            move(case, cast["editor"], State.IN_REVIEW)
            services.case_approve(case=case, reviewer=cast["reviewer"])

    [reply] = [m for m in mail.outbox if m.to == [reader.email]]
    assert reply.subject == f"Your report #{case.pk} is closed"
    assert outcome in reply.body and "The editors wrote: Checked against the OJ." in reply.body
    assert f"{SITE}/my-reports/" in reply.body
    assert "/admin/" not in reply.body and case.title not in reply.body  # nothing internal


def test_a_closed_case_no_reader_reported_sends_no_reply(cast, django_capture_on_commit_callbacks):
    case = services.case_open(title="Editor's own", kind="correction", created_by=cast["editor"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        move(case, cast["editor"], State.DISMISSED)
    assert all("is closed" not in m.subject for m in mail.outbox)


def test_the_desks_query_count_holds_with_many_reader_reports(
    cast, reader, django_capture_on_commit_callbacks
):
    def count() -> int:
        client = Client()
        client.force_login(cast["reviewer"])
        cache.clear()  # the header's counts are cached: both reads count them
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("admin:index")).status_code == 200
        return len(queries)

    _report(reader, django_capture_on_commit_callbacks, "/compare/")
    one = count()
    for _ in range(6):
        _report_again(reader)
    assert count() == one <= 12  # a fixed number, however many reports wait


def _report_again(reader) -> None:
    client = Client()
    client.force_login(reader)
    assert client.post("/report/", {"page": "/", "message": "Again."}).status_code == 302
