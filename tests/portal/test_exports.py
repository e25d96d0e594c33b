"""Exports that open cleanly (issue 23): CSV with a byte-order mark and the columns a
reader sees, XLSX with a bold frozen header, real dates and widths, and an ICS feed
folded at 75 octets with short summaries; read back as a spreadsheet or calendar would."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from apps.instruments.models import Instrument
from apps.portal.models import Reader
from tests.helpers import another_act, in_force, write

pytestmark = pytest.mark.django_db

TITLE = "Loi générale sur l'intelligence artificielle — 人工智能法 (Zz Accented Act)"


@pytest.fixture
def accented():
    """A binding US law in force with a French and Chinese title and one dated duty."""
    act = another_act(Instrument.objects.get(slug="us-eo-14110"), "zz-accented-act", TITLE)
    act = in_force(act, "2024-05-01")
    write(
        "obligation",
        {
            "instrument": act.pk,
            "key": "zz-duty",
            "provision": "Article 3",
            "addressee": "member_state",
            "requirement": "Désigner une autorité (指定主管机关).",
            "applies_from": "2030-01-01",
        },
    )
    return act


def _csv(response) -> list[dict]:
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_search_csv_has_a_bom_and_every_column_a_reader_sees(signed_in, accented):
    rows = _csv(signed_in.get("/search/export/", {"jurisdiction": "US", "as": "csv"}))
    [row] = [r for r in rows if r["id"] == "zz-accented-act"]
    assert row["title"] == TITLE
    assert (row["jurisdiction"], row["status"], row["legal force"]) == (
        "United States",
        "in force",
        "binding",
    )
    assert row["status since"] == "2024-05-01" and row["obligations"] == "1"
    assert row["url"].endswith("/instruments/zz-accented-act/")


def test_the_xlsx_has_a_frozen_bold_header_real_dates_and_widths(signed_in, accented):
    response = signed_in.get("/search/export/", {"jurisdiction": "US", "as": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2" and all(c.font.bold for c in sheet[1])
    by_id = {r[header.index("id")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    row = by_id["zz-accented-act"]
    assert row[header.index("title")] == TITLE
    assert row[header.index("status since")] == dt.datetime(2024, 5, 1)  # a date, not text
    assert row[header.index("obligations")] == 1
    assert sheet.column_dimensions["A"].width > 40  # the title column is wide enough


def test_an_instruments_obligations_export_names_codes_by_label_with_dates(signed_in, accented):
    rows = _csv(signed_in.get("/instruments/zz-accented-act/export/", {"as": "csv"}))
    [row] = rows
    assert row["addressee"] == "member state" and row["jurisdiction"] == "United States"
    assert row["applies from"] == "2030-01-01" and row["requirement"].endswith("(指定主管机关).")
    book = signed_in.get("/instruments/zz-accented-act/export/", {"as": "xlsx"})
    sheet = load_workbook(io.BytesIO(book.content)).active
    header = [c.value for c in sheet[1]]
    [values] = list(sheet.iter_rows(min_row=2, values_only=True))
    assert values[header.index("applies from")] == dt.datetime(2030, 1, 1)


def test_the_what_applies_export_writes_labels_and_dates(signed_in):
    params = {"markets": "DE", "role": "provider", "on": "2025-09-01", "as": "csv"}
    rows = _csv(signed_in.get("/what-applies/export/", params))
    assert rows and {r["jurisdiction"] for r in rows} <= {"European Union", "Germany"}
    assert "provider" in {r["addressee"] for r in rows}
    assert not any("_" in r["addressee"] or "_" in r["risk_tier"] for r in rows)


def _unfold(body: str) -> list[str]:
    """RFC 5545 3.1: a CRLF followed by a space or tab continues the line."""
    return body.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")


def test_the_calendar_folds_at_75_octets_and_says_the_short_name(
    signed_in, client, reader, accented
):
    signed_in.post("/watchlist/follow/", {"kind": "instrument", "value": "zz-accented-act"})
    signed_in.post("/watchlist/follow/", {"kind": "instrument", "value": "eu-ai-act"})
    token = Reader.objects.get(user=reader).calendar_token
    raw = client.get(f"/calendar/{token}.ics").content
    physical = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in physical)
    for line in physical:
        line.decode("utf-8")  # no multi-byte character is split across a fold
    lines = _unfold(raw.decode("utf-8"))
    summaries = [line for line in lines if line.startswith("SUMMARY:")]
    assert "SUMMARY:Zz Accented Act: Article 3 applies" in summaries
    assert any(s.startswith("SUMMARY:AI Act: Article ") for s in summaries)
    assert not any("Regulation (EU) 2024/1689" in s for s in summaries)  # no 110-character title
    [description] = [
        line for line in lines if line.startswith("DESCRIPTION:") and "zz-accented-act" in line
    ]
    assert TITLE.replace(",", "\\,") in description
    assert "/instruments/zz-accented-act/#obligation-zz-duty" in description
    assert any(len(line.encode()) > 75 for line in lines)  # so folding was needed
