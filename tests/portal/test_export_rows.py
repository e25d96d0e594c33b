"""What each exported row holds, column by column, and what the download is called
(apps/portal/exports.py). The expected values are read from the tables here."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from apps.instruments.models import Instrument
from apps.obligations.models import Obligation
from tests.api.law_records import amend, effect, moves, obligation
from tests.helpers import another_act, in_force, make_testland_law, write

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _day(value) -> str:
    return value.isoformat() if value else ""


def test_every_search_row_holds_the_columns_a_reader_sees_in_order(signed_in):
    # China's law has original titles and instruments with and without obligations.
    header, *rows = _rows(signed_in.get("/search/export/", {"jurisdiction": "CN"}))
    assert header[:3] == ["title", "original title", "jurisdiction"]
    assert len(rows) > 1
    for row in rows:
        found = Instrument.objects.get(slug=row[-1])
        count = Obligation.objects.published().filter(instrument=found).count()
        assert row == [
            found.title,
            found.original_title,
            found.jurisdiction.name,
            found.get_kind_display(),
            found.get_legal_force_display(),
            found.get_status_display(),
            _day(found.status_since),
            _day(found.first_event_on),
            str(count),
            f"http://testserver/instruments/{found.slug}/",
            found.slug,
        ]
    counts = {row[header.index("obligations")] for row in rows}
    assert "0" in counts and counts != {"0"}
    assert any(row[1] for row in rows)


def test_an_export_is_csv_unless_xlsx_is_asked_and_no_other_format_is_served(signed_in):
    plain = signed_in.get("/search/export/", {"jurisdiction": "CN"})
    assert plain["Content-Type"].startswith("text/csv")
    book = signed_in.get("/search/export/", {"jurisdiction": "CN", "as": "xlsx"})
    assert book.status_code == 200 and book.content.startswith(b"PK")  # a zip: XLSX
    for other in ("pdf", "CSV", ""):
        assert signed_in.get("/search/export/", {"as": other}).status_code == 404


def test_a_download_is_named_after_what_it_holds_and_the_day(signed_in):
    today = timezone.localdate().isoformat()
    search = signed_in.get("/search/export/", {"jurisdiction": "CN", "as": "xlsx"})
    assert search["Content-Disposition"] == f'attachment; filename="search-{today}.xlsx"'
    slug = "ru-federal-law-123-fz-2020-moscow-ai-experiment"
    duties = signed_in.get(f"/instruments/{slug}/export/")
    # The instrument's id is cut to 20 characters to keep the name short.
    expected = f'attachment; filename="ru-federal-law-123-f-obligations-{today}.csv"'
    assert duties["Content-Disposition"] == expected


def test_an_obligation_row_links_to_its_place_on_the_page_and_lists_its_penalties(signed_in):
    act = in_force(make_testland_law())
    fines = [
        {"applies_to": "company", "max_amount": "1000000", "currency": "EUR"},
        {"applies_to": "individual", "max_amount": "5000", "currency": "EUR"},
    ]
    duty = write(
        "obligation",
        {
            "instrument": act.pk,
            "key": "risk-management",
            "provision": "Article 9",
            "addressee": "provider",
            "requirement": "Manage the risks.",
            "applies_from": "2025-03-01",
            "penalties": fines,
        },
    )
    [row] = _rows(signed_in.get(f"/instruments/{act.slug}/export/"))[1:]
    assert row[:4] == [act.title, act.jurisdiction.name, "Article 9", "risk-management"]
    assert row[-3] == "; ".join(p.describe() for p in duty.penalties.order_by("pk"))
    assert row[-3].count(";") == 1
    assert row[-1] == f"http://testserver/instruments/{act.slug}/#obligation-risk-management"


def test_the_changes_by_amendments_are_told_one_after_another_apart_by_a_bar(signed_in):
    act = in_force(make_testland_law())
    amending = another_act(act, "zz-amending-act", "Testland amending act")
    duty = obligation(act, "risk-management", "Article 9", dt.date(2025, 3, 1))
    amend(amending, act, [moves(duty, dt.date(2026, 3, 1))], dt.date(2025, 6, 30), "zz-later")
    amend(amending, act, [effect(duty, "requirement", "Later text.")], None, "zz-proposal")

    [row] = _rows(signed_in.get(f"/instruments/{act.slug}/export/"))[1:]
    told = row[-2].split(" | ")
    assert len(told) == 2
    # The step in effect first, then the proposal, each opened by its label.
    assert told[0].startswith("In effect: ") and "1 March 2026" in told[0]
    assert told[0].endswith(").") and told[1].endswith("“Later text.”.")
    assert told[1].startswith("Proposed")
