"""Turn a fetched body into normalised text, the thing a source's hash is taken of.

The text must change when the source's content changes and only then: scripts,
comments, volatile JSON fields and whitespace reflow are removed so that a page that
merely re-rendered hashes the same. A selector that matches nothing reports
``matched=False``: the page layout broke, which is not a change of the law.

One module per format (html_pages, feeds, json_documents, pdf_documents,
xml_documents) and one for what they share (common). This module dispatches on the
source's kind and applies the "re:" ignore rules to the extracted lines; a feed
applies them to its item lines itself, so that a dropped line drops its item.
"""

from __future__ import annotations

from collections.abc import Sequence

from apps.sources.extraction.common import (
    Extracted,
    ExtractionError,
    FeedItem,
    compile_line_rule,
    normalise,
    split_ignore,
)
from apps.sources.extraction.feeds import extract_feed
from apps.sources.extraction.html_pages import extract_html
from apps.sources.extraction.json_documents import VOLATILE_JSON_KEYS, extract_json
from apps.sources.extraction.pdf_documents import (
    PDF_MAX_CONTENT_BYTES,
    PDF_MAX_PAGES,
    PDF_MAX_SECONDS,
    extract_pdf,
)
from apps.sources.extraction.xml_documents import extract_xml, local_names

__all__ = [
    "KINDS",
    "PDF_MAX_CONTENT_BYTES",
    "PDF_MAX_PAGES",
    "PDF_MAX_SECONDS",
    "VOLATILE_JSON_KEYS",
    "Extracted",
    "ExtractionError",
    "FeedItem",
    "compile_line_rule",
    "extract",
    "local_names",
    "normalise",
]

KINDS = frozenset({"html", "feed", "json", "pdf", "xml"})

_EXTRACTORS = {
    "html": extract_html,
    "json": extract_json,
    "pdf": extract_pdf,
    "xml": extract_xml,
}


def extract(kind: str, body: bytes, *, selector: str = "", ignore: Sequence[str] = ()) -> Extracted:
    """Text of ``body`` read as ``kind`` (html, feed, json, pdf, xml).

    ``selector``: CSS or XPath (starting with "/" or "(") for html, a JSON path for
    json, XPath for xml. ``ignore``: "re:<pattern>" drops matching lines; any other
    entry is a CSS selector (html), a key or dotted path (json) or an XPath (xml)
    whose matches are removed before the text is taken.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown source kind {kind!r}")
    structural, patterns = split_ignore(ignore)
    if kind == "feed":
        return extract_feed(body, patterns)
    result = _EXTRACTORS[kind](body, selector.strip(), structural)
    if not result.matched:
        return result
    # JSON text is already normal (its strings were normalised before dumping) and
    # keeps its indentation, which shows the nesting in a diff.
    text = result.text if kind == "json" else normalise(result.text)
    lines = [line for line in text.split("\n") if not any(p.search(line) for p in patterns)]
    return Extracted("\n".join(lines), True)
