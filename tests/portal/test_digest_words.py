"""The digest in plain words (issue 23): each change says what moved from what to what,
links to the changed row, and leaves a mere check out unless the reader asks for it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from apps.core.models import Citation
from apps.instruments.models import Instrument
from apps.obligations.models import Obligation
from apps.portal import watching
from apps.portal.models import Reader, Watch
from apps.record import services as record
from tests.helpers import another_act, write

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_inline")]

SITE = "http://tracker.example"


@pytest.fixture
def follower(reader):
    """A reader who follows the EU's instruments, with a daily digest."""
    Watch.objects.create(user=reader, kind="jurisdiction", value="EU", label="European Union")
    return Reader.objects.create(user=reader, digest="daily")


def _digest(capture) -> str:
    """Send the due digests and return the one mail's body ("" when none went)."""
    before = len(mail.outbox)
    last = Reader.objects.get().last_digest_at or timezone.now()
    with capture(execute=True):
        watching.send_digests(now=last + dt.timedelta(days=2), site_url=SITE)
    return mail.outbox[-1].body if len(mail.outbox) > before else ""


def _obligation(key: str) -> Obligation:
    return Obligation.objects.get(instrument__slug="eu-ai-act", key=key)


def _check_the_act(editor) -> None:
    record.verify(
        target="instrument",
        row=Instrument.objects.get(slug="eu-ai-act"),
        citation=Citation.objects.get(key="eurlex-eli-reg-2024-1689"),
        checked_on=dt.date(2026, 12, 2),
        locator="Article 113",
        states="Entry into force and the dates of application.",
        user=editor,
    )


def test_a_moved_date_says_from_what_to_what_and_links_to_the_rows_anchor(
    follower, signed_in, django_capture_on_commit_callbacks
):
    row = _obligation("article-6-1-annex-i-high-risk")
    write("obligation", {"applies_from": "2028-08-02"}, row=row)
    body = _digest(django_capture_on_commit_callbacks)
    assert "Article 6(1) now applies from 2 August 2028 instead of 2 August 2027." in body
    assert "obligation updated" not in body
    link = f"{SITE}/instruments/eu-ai-act/#obligation-article-6-1-annex-i-high-risk"
    assert link in body
    # The anchor names a row that is on the page it leads to.
    page = signed_in.get(link.removeprefix(SITE).split("#")[0]).content.decode()
    assert 'id="obligation-article-6-1-annex-i-high-risk"' in page


def test_a_status_change_says_what_it_is_now_and_what_it_was(
    follower, django_capture_on_commit_callbacks
):
    act = another_act(Instrument.objects.get(slug="eu-ai-act"), "eu-test-act", "Test Act")
    adopted = {"kind": "adopted", "date": "2026-01-10", "date_precision": "day", "note": ""}
    write("instrument", {"events": [adopted]}, row=act)
    _digest(django_capture_on_commit_callbacks)  # its creation and adoption: said once
    in_force = {**adopted, "kind": "entered_into_force", "date": "2026-03-01"}
    write("instrument", {"events": [adopted, in_force]}, row=act)
    body = _digest(django_capture_on_commit_callbacks)
    assert "Test Act: now in force (was: adopted), since 1 March 2026" in body
    assert "timeline: entered into force on 1 March 2026 added" in body
    assert f"{SITE}/instruments/eu-test-act/#status" in body


def test_a_new_obligation_and_an_ended_one_are_said_in_words(
    follower, signed_in, django_capture_on_commit_callbacks
):
    act = Instrument.objects.get(slug="eu-ai-act")
    write(
        "obligation",
        {
            "instrument": act.pk,
            "key": "test-duty",
            "provision": "Article 200",
            "addressee": "importer",
            "requirement": "Keep a register.",
            "applies_from": "2027-01-01",
        },
    )
    write("obligation", {"applies_until": "2030-01-01"}, row=_obligation("article-4-ai-literacy"))
    body = _digest(django_capture_on_commit_callbacks)
    assert "new obligation, Article 200 binds the importer from 1 January 2027" in body
    assert "Article 4 now applies until 1 January 2030 (it had no end date)." in body
    assert f"{SITE}/instruments/eu-ai-act/#obligation-test-duty" in body
    page = signed_in.get("/instruments/eu-ai-act/").content.decode()
    assert 'id="obligation-test-duty"' in page


def test_a_title_and_a_summary_edit_say_the_new_words_and_the_old(
    follower, django_capture_on_commit_callbacks
):
    act = another_act(Instrument.objects.get(slug="eu-ai-act"), "eu-test-act", "Test Act")
    _digest(django_capture_on_commit_callbacks)  # its creation: said once
    write(
        "instrument", {"title": "Test Act (consolidated)", "summary": "Now in one text."}, row=act
    )
    body = _digest(django_capture_on_commit_callbacks)
    assert "renamed “Test Act (consolidated)” (was: “Test Act”)" in body
    assert "summary rewritten: “Now in one text.”" in body
    assert "updated (" not in body


def test_a_check_alone_is_left_out_of_the_digest_and_of_the_updates(
    follower, signed_in, cast, django_capture_on_commit_callbacks
):
    _check_the_act(cast["editor"])
    assert _digest(django_capture_on_commit_callbacks) == ""
    assert "checked against its sources" not in signed_in.get("/watchlist/").content.decode()
    # A later change of the law is still told, without the check.
    write(
        "obligation",
        {"applies_from": "2028-08-02"},
        row=_obligation("article-6-1-annex-i-high-risk"),
    )
    body = _digest(django_capture_on_commit_callbacks)
    assert "Article 6(1) now applies from" in body and "checked against" not in body


def test_a_reader_who_asks_for_checks_hears_of_them(
    follower, signed_in, cast, django_capture_on_commit_callbacks
):
    response = signed_in.post("/watchlist/", {"digest": "daily", "include_checks": "on"})
    assert response.status_code == 302
    follower.refresh_from_db()
    assert follower.include_checks is True
    _check_the_act(cast["editor"])
    body = _digest(django_capture_on_commit_callbacks)
    assert "checked against its sources on 2 December 2026" in body
    assert "checked against its sources" in signed_in.get("/watchlist/").content.decode()


def test_the_checks_setting_is_off_until_the_reader_ticks_it(signed_in, reader):
    page = signed_in.get("/watchlist/").content.decode()
    box = re.search(r'<input[^>]*name="include_checks"[^>]*>', page).group(0)
    assert 'type="checkbox"' in box and "checked" not in box
    signed_in.post("/watchlist/", {"digest": "weekly"})
    assert Reader.objects.get(user=reader).include_checks is False
