"""The guarded HTTP client for every request the service makes to a host it does not
control: watched sources (apps.sources.fetching) and webhook endpoints
(apps.webhooks.delivery).

A request goes like this::

    with time_budget(budget_seconds(timeout)):
        check_url(url, allow_private=allowed)
        with guarded_transport(allowed) as transport:
            with exchange(transport, "GET", url, headers=..., timeout=timeout) as response:
                body = read_body(response, max_bytes)

- ``check_url`` and the connect-time guard (apps.core.http_guard) refuse non-public
  addresses; ``time_budget`` bounds every wait, so the whole request ends in time.
- ``read_body`` decodes and caps the body *while it streams*: reading stops as soon
  as the running total passes the cap, or before the first byte when Content-Length
  announces more. ``discard_body`` reads an answer that is thrown away, within a cap.
- ``exchange`` is the one place where httpx and httpcore failures become a
  ``FetchError`` with a ``reason``. Its messages carry the exception's type, never
  its text, which may name the address a connection was opened to.

Retries with backoff belong to the callers (Celery tasks), not to this module.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore
import httpx

from apps.core.addresses import AddressRefused, FetchError, check_url, is_public_ip
from apps.core.http_guard import (
    GuardedTransport,
    Resolver,
    current_budget,
    guarded_transport,
    shared_transport,
    time_budget,
    within_budget,
)

__all__ = [
    "TOTAL_TIME_FACTOR",
    "AddressRefused",
    "FetchError",
    "GuardedTransport",
    "Resolver",
    "budget_seconds",
    "check_url",
    "discard_body",
    "exchange",
    "guarded_transport",
    "is_public_ip",
    "read_body",
    "redact",
    "shared_transport",
    "time_budget",
]

# Per-operation timeouts alone let a server that trickles one byte at a time hold a
# worker forever; a whole request (all its hops) gets this many timeouts in total.
TOTAL_TIME_FACTOR = 3


def budget_seconds(timeout: float) -> float:
    """The longest a request whose every wait is bounded by ``timeout`` may take."""
    return timeout * TOTAL_TIME_FACTOR


def redact(url: httpx.URL | str) -> str:
    """The URL without credentials or query (Congress.gov takes its API key there)."""
    return str(httpx.URL(url).copy_with(query=None, fragment=None, userinfo=b""))


@contextmanager
def exchange(
    transport: httpx.BaseTransport,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    timeout: float,
    content: bytes | None = None,
    cookies: httpx.Cookies | None = None,
    label: str | None = None,
) -> Iterator[httpx.Response]:
    """Send one request; the block gets the response with its body still unread.

    Every failure in the request or in the block's reading of the body comes out as
    a ``FetchError`` (``AddressRefused`` for a URL that cannot be requested). The
    response is closed when the block ends: a body read to its end lets the
    connection go back to the pool, an unread one (a redirect, an error, an answer
    over its cap) closes it. ``label`` names the target in messages; by default the
    URL without its query. ``cookies`` are sent and then updated from the answer.

    The transport is called directly, not through an httpx.Client: a client per
    request would need a transport per request (closing the client closes its
    transport), and the client's INFO log line per request carries the full URL,
    API keys included.
    """
    try:
        # Connect, write and read are cut to the budget by the guarded connection;
        # the wait for a free connection in the pool happens before any exists, so here.
        pool_wait = within_budget(timeout, httpcore.PoolTimeout)
        timeouts = {"connect": timeout, "read": timeout, "write": timeout, "pool": pool_wait}
        request = httpx.Request(
            method, url, headers=headers, content=content, extensions={"timeout": timeouts}
        )
        if cookies is not None:
            cookies.set_cookie_header(request)
        response = transport.handle_request(request)
        response.request = request
        try:
            if cookies is not None:
                cookies.extract_cookies(response)
            yield response
        finally:
            response.close()
    except (httpx.TimeoutException, httpcore.TimeoutException):
        budget = current_budget()
        limits = f"{timeout:g} s a wait" + (f", {budget.seconds:g} s in all" if budget else "")
        message = f"timeout: {label or redact(url)} did not answer in time ({limits})"
        raise FetchError("timeout", message) from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise AddressRefused(f"not a valid URL: {exc}", reason="bad_url") from None
    except (httpx.TransportError, httpcore.NetworkError, OSError) as exc:
        message = f"cannot reach {label or redact(url)}: {type(exc).__name__}"
        raise FetchError("connection", message) from None


def _declared_size(response: httpx.Response) -> int | None:
    declared = response.headers.get("content-length", "")
    return int(declared) if declared.isdigit() else None


def read_body(response: httpx.Response, max_bytes: int) -> bytes:
    """The body, decoded; ``FetchError("too_large")`` as soon as it passes ``max_bytes``.

    A body that declares more than the cap is refused before any of it is read; one
    that does not (chunked, or ended by closing the connection) is refused when the
    running total passes the cap, having read at most one network read beyond it.
    """
    declared = _declared_size(response)
    if declared is not None and declared > max_bytes:
        raise FetchError("too_large", f"the response declares {declared} bytes")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        decoder = None
    elif encoding in ("gzip", "x-gzip", "deflate"):
        decoder = zlib.decompressobj(wbits=47)  # 47: accept gzip and zlib headers
    else:
        raise FetchError("http_error", f"unsupported content-encoding {encoding!r}")
    chunks: list[bytes] = []
    size = 0
    try:
        # Raw bytes are decoded here, with a cap on the output, so a small gzip bomb
        # cannot expand past max_bytes in memory. The time budget is enforced by the
        # connection itself, for the headers as much as the body.
        for raw in response.iter_raw():
            data = decoder.decompress(raw, max_bytes - size + 1) if decoder else raw
            size += len(data)
            if size > max_bytes:
                raise FetchError("too_large", f"the response exceeds {max_bytes} bytes")
            chunks.append(data)
        tail = decoder.flush() if decoder is not None else b""
        if size + len(tail) > max_bytes:
            raise FetchError("too_large", f"the response exceeds {max_bytes} bytes")
        chunks.append(tail)
    except zlib.error:
        raise FetchError("http_error", "the compressed response is corrupt") from None
    return b"".join(chunks)


def discard_body(response: httpx.Response, limit: int) -> bool:
    """Read and drop a body nobody keeps; True when it ended within ``limit`` bytes.

    A short body is read to its end so the connection can be reused. A longer one, or
    one that declares more, is left unread once ``limit`` is passed (at most one
    network read beyond it), and closing the response closes its connection.
    """
    declared = _declared_size(response)
    if declared is not None and declared > limit:
        return False
    size = 0
    for raw in response.iter_raw():
        size += len(raw)
        if size > limit:
            return False
    return True
