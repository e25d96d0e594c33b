"""Fetching a watched source: a GET through the guarded HTTP client (apps.core.http).

Source URLs are typed in by editors, so they are untrusted; the client's guard
refuses non-public addresses, at the URL and again at every connect. This module
adds what a source check needs on top: conditional requests (ETag,
Last-Modified), redirects followed one hop at a time with every hop judged again,
cookies kept for one fetch, and the body decoded within its size cap.

Retries with backoff belong to the caller (the Celery task), not to this module.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

# The guard's names are re-exported because callers and the SSRF tests reach them
# through the fetcher they protect.
from apps.core.http import (
    TOTAL_TIME_FACTOR,
    AddressRefused,
    FetchError,
    Resolver,
    budget_seconds,
    check_url,
    exchange,
    guarded_transport,
    is_public_ip,
    read_body,
    redact,
    time_budget,
)

__all__ = [
    "TOTAL_TIME_FACTOR",
    "AddressRefused",
    "FetchError",
    "FetchResult",
    "check_url",
    "fetch",
    "is_public_ip",
]

DEFAULT_USER_AGENT = "ai-regulation-tracker/1.0 (+source watcher)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    allow_private: bool = False,
    timeout: float = 10.0,
    max_bytes: int = 5_000_000,
    max_redirects: int = 5,
    resolver: Resolver | None = None,
    user_agent: str = DEFAULT_USER_AGENT,
) -> FetchResult:
    """GET ``url`` through the guard; a 304 comes back as a result, not an error.

    ``timeout`` bounds each connect, write and read; the whole fetch, all redirects
    included, ends after ``timeout * TOTAL_TIME_FACTOR`` seconds at the latest.
    ``resolver(host, port) -> [ip, ...]`` replaces socket.getaddrinfo (tests use it to
    stand in for DNS). ``allow_private`` lifts the address and local-name rules, for
    development setups whose sources live on the local network.
    """
    headers = {"User-Agent": user_agent, "Accept": "*/*", "Accept-Encoding": "gzip"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    # Cookies live for one fetch (a site may set one and redirect), never across checks.
    cookies = httpx.Cookies()
    with (
        time_budget(budget_seconds(timeout)) as budget,
        guarded_transport(allow_private, resolver) as transport,
    ):
        current = url
        for _hop in range(max_redirects + 1):
            if time.monotonic() > budget.deadline:
                raise FetchError("timeout", "the redirects took too long")
            check_url(current, allow_private=allow_private)
            result = _fetch_once(
                transport, cookies, current, headers, etag, last_modified, timeout, max_bytes
            )
            if isinstance(result, FetchResult):
                return result
            current = result
        raise FetchError("too_many_redirects", f"more than {max_redirects} redirects")


def _fetch_once(
    transport: httpx.BaseTransport,
    cookies: httpx.Cookies,
    url: str,
    headers: dict[str, str],
    etag: str | None,
    last_modified: str | None,
    timeout: float,
    max_bytes: int,
) -> FetchResult | str:
    """One hop: the result, or the next URL to try when the answer is a redirect."""
    with exchange(
        transport, "GET", url, headers=headers, timeout=timeout, cookies=cookies
    ) as response:
        status = response.status_code
        if status in REDIRECT_STATUSES and "location" in response.headers:
            return str(response.url.join(response.headers["location"]))
        if status >= 300 and status != 304:
            raise FetchError("http_error", f"HTTP {status} from {redact(response.url)}")
        if status == 304:
            # No body, whatever Content-Length says (the full resource's size, for
            # some servers); reading its end lets the connection go back to the pool
            # instead of being closed as half-read.
            response.read()
            body = b""
        else:
            body = read_body(response, max_bytes)
        return FetchResult(
            url=str(response.url),
            status=status,
            headers=dict(response.headers.items()),
            body=body,
            etag=response.headers.get("etag", etag if status == 304 else None),
            last_modified=response.headers.get(
                "last-modified", last_modified if status == 304 else None
            ),
        )
