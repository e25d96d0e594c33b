"""PDF: the text of every page, within caps on pages, content and time."""

from __future__ import annotations

import io
import time

import pypdf
from celery.exceptions import SoftTimeLimitExceeded

from apps.sources import deadline
from apps.sources.extraction.common import Extracted, ExtractionError

# PDFs: pypdf reads page content at about 1 MB a second here, and a small file can
# hold one compressed stream that every page reuses. Past these caps the PDF is
# refused with its reason (a recorded failure) instead of holding a worker.
PDF_MAX_PAGES = 1000
PDF_MAX_CONTENT_BYTES = 16_000_000  # decoded page content, each use of a stream counted
# The whole read, a single page's included: a small file can cost a minute inside one
# page (form objects drawn again and again), so checking between pages is not enough.
# Well under the check's own time limit, so the fetch and the diff still fit.
PDF_MAX_SECONDS = 30.0


class _TimeUp(BaseException):
    """Raised inside pypdf by the alarm. A BaseException, so that pypdf's own
    `except Exception` recoveries cannot swallow it."""


def extract_pdf(body: bytes, selector: str = "", ignored: list[str] | None = None) -> Extracted:
    """All pages' text; PDFs take no selector. Too many pages or too much content is
    refused before any text is read; a read past PDF_MAX_SECONDS stops where it is,
    inside a page too, and says it was its time limit."""
    limit = PDF_MAX_SECONDS
    progress = {"page": 0, "pages": 0}
    try:
        # Inside the check's own limit, this one is the earlier (deadline.py nests them).
        with deadline.time_limit(limit, _TimeUp):
            return _read(body, limit, progress)
    except _TimeUp:
        raise ExtractionError(_time_limit(limit, progress)) from None
    except (ExtractionError, SoftTimeLimitExceeded):  # CheckTimeLimit is no Exception
        # The check's own time limit is the check's to report, not "cannot be read".
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise ExtractionError(f"the PDF cannot be read ({type(exc).__name__})") from None


def _time_limit(limit: float, progress: dict[str, int]) -> str:
    where = (
        f"stopped in page {progress['page']} of {progress['pages']}"
        if progress["page"]
        else "stopped before its first page"
    )
    return f"the PDF took longer than its time limit of {limit:g} s to read ({where})"


def _read(body: bytes, limit: float, progress: dict[str, int]) -> Extracted:
    stop_at = time.monotonic() + limit
    reader = pypdf.PdfReader(io.BytesIO(body))
    if reader.is_encrypted and not reader.decrypt(""):
        raise ExtractionError("the PDF is encrypted")
    pages = list(reader.pages)
    progress["pages"] = len(pages)
    if len(pages) > PDF_MAX_PAGES:
        raise ExtractionError(
            f"the PDF is too large to read: {len(pages):,} pages, more than {PDF_MAX_PAGES:,}"
        )
    # Decoding is cheap next to reading the text, and pypdf decodes a shared stream
    # once: the whole cost is known before the first page is read.
    content_bytes = 0
    for page in pages:
        contents = page.get_contents()
        content_bytes += len(contents.get_data()) if contents is not None else 0
        if content_bytes > PDF_MAX_CONTENT_BYTES:
            raise ExtractionError(
                f"the PDF is too large to read: more than {PDF_MAX_CONTENT_BYTES:,} bytes "
                f"of page content in {len(pages):,} pages"
            )
    texts = []
    for number, page in enumerate(pages, 1):
        progress["page"] = number
        if time.monotonic() > stop_at:  # where the alarm cannot be used
            raise _TimeUp
        texts.append(page.extract_text() or "")
    return Extracted("\n".join(texts), True)
