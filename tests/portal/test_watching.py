"""Following, the digest (each change once per reader), exports and the calendar feed."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook

from apps.instruments.models import Instrument
from apps.portal import watching
from apps.portal.models import DigestEntry, Reader, Watch
from apps.record.services import Why, write

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_inline")]


def _edit(slug: str, summary: str) -> None:
    row = Instrument.objects.get(slug=slug)
    write(
        target="instrument",
        row=row,
        values={"summary": summary},
        base_version=row.version,
        why=Why.system("test edit"),
    )


def _follow(client, kind: str, value: str):
    return client.post("/watchlist/follow/", {"kind": kind, "value": value, "next": "/watchlist/"})


def test_following_an_instrument_shows_its_changes_on_the_watchlist(signed_in, reader):
    assert _follow(signed_in, "instrument", "eu-ai-act").status_code == 302
    _edit("eu-ai-act", "A new summary.")
    page = signed_in.get("/watchlist/").content.decode()
    assert "Regulation (EU) 2024/1689" in page
    assert "summary rewritten: “A new summary.”" in page
    home = signed_in.get("/").content.decode()
    assert "On your watchlist" in home


def test_one_cannot_follow_what_is_not_published(signed_in):
    _follow(signed_in, "instrument", "no-such-law")
    assert not Watch.objects.exists()


def test_a_followed_jurisdiction_covers_its_instruments(reader):
    Watch.objects.create(user=reader, kind="jurisdiction", value="EU", label="European Union")
    ids = watching.watched_instruments(list(Watch.objects.filter(user=reader)))
    assert Instrument.objects.get(slug="eu-ai-act").pk in ids
    assert Instrument.objects.get(slug="us-eo-14110").pk not in ids


def test_the_digest_sends_each_change_once_across_runs(reader, django_capture_on_commit_callbacks):
    Watch.objects.create(user=reader, kind="instrument", value="eu-ai-act", label="AI Act")
    Reader.objects.create(user=reader, digest="daily")
    _edit("eu-ai-act", "First.")
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        first = watching.send_digests(now=now, site_url="http://tracker.example")
    assert first == 1 and len(mail.outbox) == 1
    assert "http://tracker.example/instruments/eu-ai-act/" in mail.outbox[0].body
    _edit("eu-ai-act", "Second.")
    with django_capture_on_commit_callbacks(execute=True):
        early = watching.send_digests(now=now + dt.timedelta(hours=1))
        later = watching.send_digests(now=now + dt.timedelta(days=1, minutes=1))
        again = watching.send_digests(now=now + dt.timedelta(days=2, minutes=2))
    assert (early, later, again) == (0, 1, 0)
    assert len(mail.outbox) == 2
    sent = list(DigestEntry.objects.filter(user=reader).values_list("change", flat=True))
    assert len(sent) == len(set(sent)) == 2


def test_nobody_is_told_of_changes_before_they_followed_or_while_inactive(
    reader, django_capture_on_commit_callbacks
):
    _edit("eu-ai-act", "Before following.")
    Watch.objects.create(user=reader, kind="instrument", value="eu-ai-act", label="AI Act")
    Reader.objects.create(user=reader, digest="daily")
    with django_capture_on_commit_callbacks(execute=True):
        assert watching.send_digests() == 0
    _edit("eu-ai-act", "After following.")
    reader.is_active = False
    reader.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert watching.send_digests(now=timezone.now() + dt.timedelta(days=2)) == 0
    assert not mail.outbox


def _instrument_with_formula() -> None:
    _edit("eu-ai-act", "x")
    row = Instrument.objects.get(slug="eu-ai-act")
    write(
        target="instrument",
        row=row,
        values={"title": '=HYPERLINK("http://evil.example")'},
        base_version=row.version,
        why=Why.system("test: a hostile title"),
    )


def test_exports_neutralise_formulas_in_csv_and_xlsx(signed_in):
    _instrument_with_formula()
    response = signed_in.get("/search/export/", {"q": "HYPERLINK", "as": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "title" and any(r[0].startswith("'=HYPERLINK") for r in rows[1:])
    book = signed_in.get("/search/export/", {"q": "HYPERLINK", "as": "xlsx"})
    sheet = load_workbook(io.BytesIO(book.content)).active
    titles = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles and all(not str(t).startswith("=") for t in titles)


def test_the_watchlist_exports_what_is_followed(signed_in):
    _follow(signed_in, "jurisdiction", "EU")
    body = signed_in.get("/watchlist/export/", {"as": "csv"}).content.decode("utf-8-sig")
    assert "eu-ai-act" in [r["id"] for r in csv.DictReader(io.StringIO(body))]


def test_the_calendar_feed_lives_at_a_secret_address_that_can_be_replaced(
    signed_in, client, reader
):
    _follow(signed_in, "instrument", "eu-ai-act")
    token = Reader.objects.get(user=reader).calendar_token
    feed = client.get(f"/calendar/{token}.ics")
    body = feed.content.decode()
    assert feed["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in body and "DTSTART;VALUE=DATE:20260802" in body
    signed_in.post("/watchlist/", {"rotate": "calendar"})
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_report_opens_a_reader_request_case_with_its_page(signed_in):
    from apps.cases.models import Case

    response = signed_in.post(
        "/report/", {"page": "/instruments/eu-ai-act/", "message": "Article 5 date is wrong."}
    )
    assert response.status_code == 302 and response["Location"] == "/instruments/eu-ai-act/"
    case = Case.objects.get(kind="reader_request")
    evidence = case.evidence.get()
    assert evidence.text == "Article 5 date is wrong."
    assert evidence.url.endswith("/instruments/eu-ai-act/")


def test_a_report_never_records_an_outside_address(signed_in):
    from apps.cases.models import Case

    signed_in.post("/report/", {"page": "https://evil.example/", "message": "Hi"})
    assert Case.objects.get(kind="reader_request").evidence.get().url == ""


def test_an_empty_report_is_refused_and_loses_nothing(signed_in):
    response = signed_in.post("/report/", {"page": "/", "message": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
