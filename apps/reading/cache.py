"""Answers kept until the record changes.

The published record changes only through the one write path, which records every
change as an AppliedChange whose id grows in commit order (apps.record.services). The
newest id is therefore the record's version: an answer kept under it stays right until
the next change, and publication needs no list of what to forget because every key
after it names a new version.

The version is read before the answer is computed. Under READ COMMITTED the answer
then reflects at least that version, so a key can only hold an answer as new as it
says or newer, never an older one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from apps.record.selectors import record_version

T = TypeVar("T")


def enabled() -> bool:
    return settings.READ_CACHE_SECONDS > 0


def kept(
    kind: str, parts: tuple, compute: Callable[[], T], *, fresh: bool = False
) -> tuple[T, bool]:
    """What `compute` gives for `parts` at the record's current version, from the
    cache when it is there; returns it and whether it was a hit. It must pickle (bytes,
    or rows read with everything their page shows already fetched).

    `parts` must name everything the answer depends on besides the record (the day,
    the caller's address when links are absolute ...); its repr is the key.
    """
    if not enabled():
        return compute(), False
    key, body = look(kind, parts, fresh=fresh)
    if body is not None:
        return body, True
    body = compute()
    keep(key, body)
    return body, False


def look(kind: str, parts: tuple, *, fresh: bool = False) -> tuple[str, Any]:
    """The key of `parts` at the record's version now, and what it holds (None if
    nothing, or when `fresh` asks for the answer to be computed again). Keep the answer
    under this key, not a new one: the version is read here, before it is computed."""
    # The database's name keeps two deployments (or test workers) sharing a Redis apart.
    raw = repr((kind, connection.settings_dict["NAME"], record_version(), parts))
    key = f"read:{kind}:{hashlib.sha256(raw.encode()).hexdigest()}"
    return key, None if fresh else cache.get(key)


def keep(key: str, value: Any) -> None:
    cache.set(key, value, settings.READ_CACHE_SECONDS)


def asks_fresh(headers) -> bool:
    """Whether a request says `Cache-Control: no-cache`: computed again, and kept anew.
    It grants nothing a new query string would not (any parameter makes a new key);
    the benchmarks measure the computed answer with it."""
    return "no-cache" in headers.get("Cache-Control", "").lower()
