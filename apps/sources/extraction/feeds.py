"""RSS and Atom feeds: one line per item (id, title, link), sorted by id, and the
items themselves, so that a check can count the new ones."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import feedparser

from apps.sources.extraction.common import Extracted, ExtractionError, FeedItem, normalise


def _one_line(value: object) -> str:
    return normalise(str(value or "")).replace("\n", " ").replace("\t", " ")


def extract_feed(body: bytes, patterns: list[Any]) -> Extracted:
    # A file object, never the bytes themselves: feedparser treats a str as a URL to
    # fetch and tries to open() a str or bytes as a local path before parsing it.
    parsed = feedparser.parse(io.BytesIO(body))
    if not parsed.entries and (parsed.bozo or not parsed.version):
        # An error page served with status 200 must not read as "every item removed".
        problem = type(parsed.get("bozo_exception")).__name__ if parsed.bozo else "no feed"
        raise ExtractionError(f"the feed cannot be parsed ({problem})")
    items: dict[str, FeedItem] = {}
    for entry in parsed.entries:
        title, link = _one_line(entry.get("title")), _one_line(entry.get("link"))
        ident = _one_line(entry.get("id")) or link
        if not ident and not title:
            continue  # nothing to tell it by: a fragment of a truncated feed
        if not ident:
            ident = "title:" + hashlib.sha256(title.encode()).hexdigest()[:16]
        published = _one_line(entry.get("published") or entry.get("updated"))
        items.setdefault(ident, FeedItem(ident, title, link, published))
    kept = []
    for item in sorted(items.values(), key=lambda i: i.id):
        line = f"{item.id}\t{item.title}\t{item.link}"
        if not any(p.search(line) for p in patterns):
            kept.append((item, line))
    return Extracted("\n".join(line for _, line in kept), True, tuple(i for i, _ in kept))
