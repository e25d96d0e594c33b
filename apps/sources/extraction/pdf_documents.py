"""PDF: the text of every page, within caps on pages, content and time."""

from __future__ import annotations

import io
import time

import pypdf

from apps.sources.extraction.common import Extracted, ExtractionError

# PDFs: pypdf reads page content at about 1 MB a second here, and a small file can
# hold one compressed stream that every page reuses. Past these caps the PDF is
# refused with its reason (a recorded failure) instead of holding a worker.
PDF_MAX_PAGES = 1000
PDF_MAX_CONTENT_BYTES = 16_000_000  # decoded page content, each use of a stream counted
PDF_MAX_SECONDS = 60.0  # checked between pages; the task's time limit backs it up


def extract_pdf(body: bytes, selector: str = "", ignored: list[str] | None = None) -> Extracted:
    """All pages' text; PDFs take no selector. Too many pages or too much content is
    refused before any text is read; a slow read stops between pages."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(body))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("the PDF is encrypted")
        pages = list(reader.pages)
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
        deadline = time.monotonic() + PDF_MAX_SECONDS
        texts = []
        for number, page in enumerate(pages, 1):
            if time.monotonic() > deadline:
                raise ExtractionError(
                    f"the PDF is too large to read: more than {PDF_MAX_SECONDS:.0f} s "
                    f"for {number - 1} of {len(pages)} pages"
                )
            texts.append(page.extract_text() or "")
        return Extracted("\n".join(texts), True)
    except ExtractionError:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise ExtractionError(f"the PDF cannot be read ({type(exc).__name__})") from None
