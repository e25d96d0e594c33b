"""Emails of the desk: the people concerned hear once, in plain words, with a link to open."""

import re

import pytest
from django.core import mail

from apps.cases import services
from apps.cases.models import Case, State
from apps.instruments.models import Instrument
from apps.sources import services as watcher
from apps.sources.models import Change, Source
from tests.helpers import move
from tests.local_http import Page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_inline")]

SITE = "https://tracker.example.org"
# What a reader should never see in an email: the stored codes of states and kinds.
CODES = re.compile(r"\b(in_review|in_progress|source_change|new_instrument|reader_request)\b")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE + "/"
    settings.SOURCES_ALLOW_PRIVATE = True  # the local test server lives on 127.0.0.1
    settings.SOURCES_BROKEN_AFTER = 2


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a write, commit it, and return the emails it sent."""

    def run(write):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            write()
        for message in mail.outbox:
            assert not CODES.search(message.subject + message.body), message.body
        return list(mail.outbox)

    return run


def _case_in_review(cast) -> Case:
    eo = Instrument.objects.get(slug="us-eo-14110")
    case = services.case_open(title="EO summary", kind="correction", created_by=cast["editor"])
    services.case_assign(case=case, assignee=cast["editor"], actor=cast["editor"])
    case = move(case, cast["editor"], State.TRIAGED, State.IN_PROGRESS)
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="update",
        row=eo,
        values={"summary": "Revoked on 20 January 2025."},
    )
    return move(case, cast["editor"], State.IN_REVIEW)


def _link(case: Case) -> str:
    return f"{SITE}/admin/cases/case/{case.pk}/change/"


def test_a_new_watcher_case_tells_editors_and_reviewers_once_and_a_joined_case_tells_nobody(
    cast, local_site, sent
):
    source = Source.objects.create(name="AILD procedure", url=local_site.url("/p"), kind="html")
    source.instruments.add(Instrument.objects.get(slug="eu-ai-liability-directive"))
    local_site.pages["/p"] = Page(b"<html><body><p>Status: pending</p></body></html>")
    assert sent(lambda: watcher.check_source(source.pk)) == []  # a baseline opens nothing

    local_site.pages["/p"] = Page(b"<html><body><p>Status: withdrawn</p></body></html>")
    [message] = sent(lambda: watcher.check_source(source.pk))

    case = Case.objects.get(source=source)
    change = Change.objects.get(source=source)
    assert sorted(message.to) == sorted(
        f"{name}@example.org"
        for name in ("editor", "editor2", "reviewer", "reviewer2", "administrator")
    )
    assert message.subject == "New case from the watcher: AILD procedure changed"
    assert "saw a high change on “AILD procedure”" in message.body
    assert _link(case) in message.body
    assert f"{SITE}/admin/sources/change/{change.pk}/change/" in message.body

    local_site.pages["/p"] = Page(b"<html><body><p>Status: repealed</p></body></html>")
    assert sent(lambda: watcher.check_source(source.pk)) == []  # joined the open case
    assert Case.objects.filter(source=source).count() == 1


def test_a_broken_source_tells_the_administrators_once_per_outage(
    cast, superuser, local_site, sent
):
    source = Source.objects.create(name="Gone gazette", url=local_site.url("/gone"), kind="html")
    assert sent(lambda: watcher.check_source(source.pk)) == []  # one failure: not broken yet

    [message] = sent(lambda: watcher.check_source(source.pk))

    assert sorted(message.to) == ["administrator@example.org", "root@example.org"]
    assert message.subject == "Watched source broken: Gone gazette"
    assert "can no longer read “Gone gazette”" in message.body
    assert "2 failed checks in a row" in message.body
    assert f"{SITE}/admin/sources/source/{source.pk}/change/" in message.body
    case = Case.objects.get(source=source)
    assert _link(case) in message.body
    assert sent(lambda: watcher.check_source(source.pk)) == []  # still broken: told already


def test_a_returned_case_tells_its_assignee_in_plain_words_with_the_reviewers_note(cast, sent):
    case = _case_in_review(cast)

    [message] = sent(
        lambda: services.case_transition(
            case=case, to_state=State.IN_PROGRESS, actor=cast["reviewer"], note="Cite the order."
        )
    )

    assert message.to == ["editor@example.org"]
    assert message.subject == f"Case #{case.pk} returned to you: EO summary"
    assert "reviewer returned the case “EO summary” to you; it is in progress again" in (
        message.body
    )
    assert "The reviewer wrote: Cite the order." in message.body
    assert _link(case) in message.body


def test_a_publication_tells_the_author_and_assignee_but_not_the_approving_reviewer(cast, sent):
    case = _case_in_review(cast)
    services.case_assign(case=case, assignee=cast["editor2"], actor=cast["reviewer"])

    [message] = sent(lambda: services.case_approve(case=case, reviewer=cast["reviewer"]))

    assert sorted(message.to) == ["editor2@example.org", "editor@example.org"]
    assert message.subject == f"Case #{case.pk} published: EO summary"
    assert "reviewer approved the case “EO summary”" in message.body
    assert "now part of the published record" in message.body
    assert _link(case) in message.body


def test_a_comment_tells_the_assignee_and_earlier_commenters_but_not_its_author(cast, sent):
    case = _case_in_review(cast)
    services.case_comment(case=case, author=cast["reviewer2"], body="Which order?")
    services.case_comment(case=case, author=cast["reviewer2"], body="And its date?")

    [message] = sent(
        lambda: services.case_comment(case=case, author=cast["reviewer"], body="EO 14148.")
    )

    assert sorted(message.to) == ["editor@example.org", "reviewer2@example.org"]
    assert message.subject == f"New comment on case #{case.pk}: EO summary"
    assert "reviewer commented on the case “EO summary”:\n\nEO 14148." in message.body
    assert _link(case) + "#comments" in message.body


def test_other_moves_name_the_states_as_words(cast, sent):
    case = services.case_open(title="Words", kind="correction", created_by=cast["editor"])
    services.case_assign(case=case, assignee=cast["editor2"], actor=cast["editor"])
    case = move(case, cast["editor"], State.TRIAGED)

    [message] = sent(lambda: move(case, cast["editor"], State.IN_PROGRESS))

    assert message.to == ["editor2@example.org"]
    assert message.subject == f"Case #{case.pk} is now in progress: Words"
    assert "from triaged to in progress" in message.body
    assert _link(case) in message.body
