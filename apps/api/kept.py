"""Every read of the API answered from the read cache while the record stands still.

The API serves one thing to everyone it lets in: the published record. Who asks
changes whether they may (authentication, scope, throttle: all checked before the
cache is asked), never what they get. So an answer is keyed by what was asked (the
absolute address, whose host the links in the body carry, with its query, and the
representation negotiated), the day (what is in force, applies or is pending is worked
out against today) and the record's version (apps.reading.cache), which every
publication moves: nothing has to be forgotten when a case is published.

Only a whole 200 is kept; refusals, redirects and streamed bodies never are. The
ETag and compression are added outside the view (apps.core.middleware), to the hit
as to the miss, so a hit carries the same validators as the answer it repeats.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse

from apps.reading import cache

# Set on every answer DRF finalises (finalize_response adds them again to a hit).
NOT_KEPT = {"allow", "vary", "cache-control", "x-read-cache"}


class Kept(Exception):
    """Raised from the view's checks to answer with a kept response instead."""

    def __init__(self, stored: tuple[int, list[tuple[str, str]], bytes]) -> None:
        self.stored = stored

    def response(self) -> HttpResponse:
        status, headers, body = self.stored
        response = HttpResponse(body, status=status)
        for name, value in headers:
            response[name] = value
        response["X-Read-Cache"] = "hit"
        return response


def look(request) -> str | None:
    """The key to keep this request's answer under, or None when it is not kept; raises
    Kept when the answer is already there."""
    if request.method not in ("GET", "HEAD") or not cache.enabled():
        return None
    parts = (request.build_absolute_uri(), request.accepted_media_type, dt.date.today())
    key, stored = cache.look("api", parts, fresh=cache.asks_fresh(request.headers))
    if stored is not None:
        raise Kept(stored)
    return key


def keep(key: str, response) -> None:
    """Keep a finished 200 under `key` (rendering it now, which Django would anyway)."""
    if response.status_code != 200 or response.streaming:
        return
    if hasattr(response, "render"):
        response.render()
    headers = [(n, v) for n, v in response.items() if n.lower() not in NOT_KEPT]
    cache.keep(key, (response.status_code, headers, response.content))
    response["X-Read-Cache"] = "miss"
