"""My reports: a signed-in reader's own reports, each with its state in words and, once
closed, what the editors did and their public reason."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.cases import reports, services
from apps.cases.models import State
from tests.helpers import make_user, move

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(django_user_model):
    return make_user(django_user_model, "editor", group="editor")


def _report(reader, message: str, page: str = ""):
    return reports.open_report(reporter=reader, message=message, url=page, page=page)


def _items(signed_in) -> list[str]:
    """Each report's text on the page, as a reader reads it."""
    response = signed_in.get("/my-reports/")
    assert response.status_code == 200
    html = response.content.decode()
    items = re.findall(r'<li id="report-\d+">(.*?)</li>', html, re.S)
    return [unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item))).strip() for item in items]


def _one(items: list[str], message: str) -> str:
    [found] = [text for text in items if message in text]
    return found


def test_each_report_shows_its_state_in_words(signed_in, reader, editor):
    received = _report(reader, "Received only.", "http://testserver/instruments/eu-ai-act/")
    looked_at = move(_report(reader, "Being worked."), editor, State.TRIAGED)
    closed = _report(reader, "Closed without change.")
    services.case_edit(case=closed, actor=editor, public_reason="The date is the OJ's own.")
    move(closed, editor, State.DISMISSED)
    draft = _report(reader, "Open with a draft reason.")
    services.case_edit(case=draft, actor=editor, public_reason="Not yet said to readers.")

    items = _items(signed_in)
    assert f"Report #{received.pk}" in _one(items, "Received only.")
    assert "Received" in _one(items, "Received only.")
    assert "/instruments/eu-ai-act/" in _one(items, "Received only.")
    assert f"Report #{looked_at.pk}" in _one(items, "Being worked.")
    assert "Being looked at" in _one(items, "Being worked.")
    shut = _one(items, "Closed without change.")
    assert "Closed The editors made no change to the record." in shut
    assert "The editors wrote: The date is the OJ's own." in shut
    # A reason written while the case is open is a draft: the reader does not see it yet.
    assert "Not yet said" not in _one(items, "Open with a draft reason.")


def test_a_report_whose_record_was_corrected_says_so(signed_in, reader, editor):
    case = _report(reader, "Fixed later.")
    case.state = State.PUBLISHED  # the approval itself: tests/cases/test_reader_reports.py
    case.save(update_fields=["state"])
    assert "Closed The editors corrected the record." in _one(_items(signed_in), "Fixed later.")


def test_a_reader_with_no_reports_is_told_how_to_make_one(signed_in):
    body = signed_in.get("/my-reports/").content.decode()
    assert "You have not reported anything yet." in body


def test_my_reports_asks_a_visitor_to_sign_in(client):
    response = client.get("/my-reports/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_my_reports_is_linked_from_the_menu_and_the_watchlist(signed_in):
    home = signed_in.get("/").content.decode()
    assert '<a href="/my-reports/"' in home.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    assert 'href="/my-reports/"' in signed_in.get("/watchlist/").content.decode()


def test_my_reports_reads_a_fixed_number_of_queries_however_many_reports(signed_in, reader):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert signed_in.get("/my-reports/").status_code == 200
        return len(queries)

    _report(reader, "One.")
    one = count()
    for n in range(8):
        _report(reader, f"More {n}.")
    # Session, user, the reports, their messages.
    assert count() == one <= 4


def test_the_report_form_links_only_to_a_page_of_this_site(signed_in):
    body = signed_in.get("/report/", {"page": "javascript:alert(1)"}).content.decode()
    assert "javascript:" not in body
    body = signed_in.get("/report/", {"page": "/compare/"}).content.decode()
    assert '<a href="/compare/">/compare/</a>' in body
