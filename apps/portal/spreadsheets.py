"""Writing the portal's exports so that they open cleanly in a spreadsheet.

CSV starts with a UTF-8 byte-order mark: without it Excel reads the file in the
machine's code page and breaks accents and Chinese titles. XLSX has a bold header
row that stays in view (frozen panes), dates stored as dates (so they sort and
filter as dates) and columns wide enough to read. Every text cell is neutralised
(apps.core.cells): a spreadsheet never runs a cell of the record as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from django.http import HttpResponse

from apps.core.cells import neutralise

BOM = "\ufeff"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
MIN_WIDTH, MAX_WIDTH = 8, 60  # characters: a long requirement wraps rather than spans screens


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def _typed(value) -> bool:
    """A date or a whole number: kept as such in XLSX, so it sorts as one."""
    return isinstance(value, dt.date) or (isinstance(value, int) and not isinstance(value, bool))


def csv_body(columns: Sequence[str], rows: Sequence[Sequence]) -> str:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([_text(c) for c in columns])
    writer.writerows([_text(c) for c in row] for row in rows)
    return BOM + text.getvalue()


def xlsx_body(columns: Sequence[str], rows: Sequence[Sequence], title: str) -> bytes:
    # Imported here: openpyxl adds ~19 MB to every web process that loads it.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([_text(c) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(str(c)) for c in columns]
    for row in rows:
        values = [v if _typed(v) else _text(v) for v in row]
        sheet.append(values)
        for n, value in enumerate(values):
            widths[n] = max(widths[n], 10 if isinstance(value, dt.date) else len(str(value)))
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = min(
            MAX_WIDTH, max(MIN_WIDTH, width + 2)
        )
    sheet.freeze_panes = "A2"  # the header stays in view while scrolling
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def respond(columns: Sequence[str], rows: Sequence[Sequence], name: str, fmt: str, stamp: str):
    """The rows as a download named `name-stamp.csv` or `.xlsx`. Cells may be text,
    whole numbers or dates; None is an empty cell."""
    if fmt == "xlsx":
        response = HttpResponse(xlsx_body(columns, rows, name), content_type=XLSX)
    else:
        response = HttpResponse(csv_body(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response
