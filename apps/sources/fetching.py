"""One guarded HTTP client for watched sources.

Source URLs are typed in by editors, so they are untrusted: a URL must never make
the server talk to itself, the cloud metadata service or the office network.

How the guard works:

1. ``check_url`` (in apps.sources.addresses, with the other rules) judges the
   URL's syntax: http(s) only, no credentials, and a host that is neither a
   non-public IP literal (in any of the spellings resolvers accept: ``127.1``,
   ``0x7f000001``, ``[::ffff:127.0.0.1]`` ...) nor a local name.
   It uses httpx's own URL parser, so it judges exactly the host that is requested.
2. ``_GuardedBackend`` (an httpcore network backend) does the DNS lookup itself when
   a connection is opened, refuses if *any* answer is not public, and then connects
   to the judged IP literal. The socket layer never resolves the name again, so a
   rebinding DNS server cannot answer "public" for the check and "private" for the
   connect. TLS is unaffected: httpcore passes the URL's hostname to ``start_tls`` as
   ``server_hostname`` (httpcore/_sync/connection.py), so SNI and certificate checks
   use the name, not the IP.
3. ``fetch`` follows redirects itself and repeats 1 and 2 for every hop.

Connections are kept alive and reused, per process: building a TLS context (loading
the CA bundle) cost more than the rest of a check, and a new connection per check
cost a handshake. Reuse does not weaken the guard: a pooled connection stays
connected to the address that was judged when it was opened, and every *new*
connection goes through ``_GuardedBackend.connect_tcp`` again. Calls that allow
private addresses use a pool of their own, and a call with its own ``resolver`` gets a
pool of its own that is closed when the call ends.

One time budget (``timeout * TOTAL_TIME_FACTOR``) covers the whole fetch: every
connect, TLS handshake, write and read waits at most what is left of it, so a server
that drips its headers (or body) a byte at a time runs out of budget instead of
resetting a per-read timeout forever; the connection is then closed.

Retries with backoff belong to the caller (the Celery task), not to this module.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

# The guard's rules live in addresses.py; they are re-exported because callers and
# the SSRF tests reach them through the client they protect.
from apps.sources.addresses import (
    AddressRefused,
    FetchError,
    IPAddress,
    _check_host,
    _literal_ip,
    check_url,
    is_public_ip,
)

__all__ = [
    "AddressRefused",
    "FetchError",
    "FetchResult",
    "IPAddress",
    "check_url",
    "fetch",
    "is_public_ip",
]

Resolver = Callable[[str, int], list[str]]

DEFAULT_USER_AGENT = "ai-regulation-tracker/1.0 (+source watcher)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Per-operation timeouts alone let a server that trickles one byte at a time hold a
# worker forever; the whole fetch (all hops) gets this many timeouts in total.
TOTAL_TIME_FACTOR = 3
# Longer than the dispatcher's default spacing between two checks of one host (10 s),
# so those reuse the connection; shorter than the idle timeouts of common servers
# (nginx 75 s, load balancers 60 s). A connection the server closed earlier is seen
# as readable and dropped by httpcore before reuse.
KEEPALIVE_SECONDS = 30.0
POOL_LIMITS = {"max_connections": 20, "max_keepalive_connections": 10}


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


def _system_resolver(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


# The monotonic time at which the fetch running in this thread (context) must end.
_deadline: ContextVar[float | None] = ContextVar("fetch_deadline", default=None)


def _within_budget(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    """The wait allowed for one socket operation: its own timeout, but never past the
    fetch's deadline. Raises ``expired`` (mapped to a timeout) once the deadline passed:
    a socket timeout of 0 would mean non-blocking, not "time is up"."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the fetch ran out of time")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every wait is cut to what is left of the current fetch's budget.

    The deadline is read when the operation starts, not stored on the connection, so a
    kept-alive connection serves each later fetch with that fetch's own budget.
    """

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _within_budget(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _within_budget(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        budget = _within_budget(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, budget))

    def get_extra_info(self, info: str) -> Any:
        # "is_readable" among others: how the pool notices a server-closed idle connection.
        return self._stream.get_extra_info(info)


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself, judges every answer, and connects to a judged IP.

    httpcore calls ``connect_tcp`` for every new connection, pooled or not, so the
    guard runs on each one; reusing a kept-alive connection needs no new judgement,
    since it stays connected to the address judged when it was opened.
    """

    def __init__(self, *, resolver: Resolver | None, allow_private: bool) -> None:
        self._resolver = resolver or _system_resolver
        self._allow_private = allow_private

    def _addresses(self, host: str, port: int) -> list[IPAddress]:
        literal = _literal_ip(host)
        if literal is not None:
            return [literal]
        try:
            answers = self._resolver(host, port)
        except OSError as exc:
            raise FetchError("connection", f"cannot resolve {host}: {exc}") from None
        try:
            addresses = list(dict.fromkeys(ipaddress.ip_address(a) for a in answers))
        except ValueError:
            raise FetchError("connection", f"{host} resolved to a malformed address") from None
        if not addresses:
            raise FetchError("connection", f"{host} has no addresses")
        return addresses

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        _check_host(host, self._allow_private)
        addresses = self._addresses(host, port)
        if not self._allow_private:
            refused = [a for a in addresses if not is_public_ip(a)]
            if refused:
                # One bad answer refuses the host: the attacker picks the order.
                raise AddressRefused(f"{host} resolves to a non-public address ({refused[0]})")
        error: Exception | None = None
        for address in addresses:
            try:
                # An IP literal, so socket.create_connection does no lookup of its own.
                stream = super().connect_tcp(
                    str(address),
                    port,
                    _within_budget(timeout, httpcore.ConnectTimeout),
                    local_address,
                    socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
            else:
                return _DeadlineStream(stream)
        assert error is not None
        raise error


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool rebuilt on the guarded backend.

    httpx 0.28 has no option to pass a network backend (see HTTPTransport.__init__ in
    httpx/_transports/default.py), so the pool it built is replaced. The isinstance
    check makes an httpx upgrade that renames ``_pool`` fail loudly instead of
    silently fetching without the guard. Both pools get the process's TLS context:
    ``verify=True`` would load the CA bundle again for each transport.
    """

    def __init__(self, backend: _GuardedBackend, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context, trust_env=False, retries=0)
        if not isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):
            raise RuntimeError("httpx internals changed: cannot install the address guard")
        self._pool.close()
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            keepalive_expiry=KEEPALIVE_SECONDS,
            network_backend=backend,
            **POOL_LIMITS,
        )


@dataclass
class _ProcessTransports:
    """The TLS context and the kept-alive pools of one process."""

    pid: int
    ssl_context: ssl.SSLContext
    by_allow_private: dict[bool, _GuardedTransport] = field(default_factory=dict)


_transports: _ProcessTransports | None = None


def _process_transports() -> _ProcessTransports:
    global _transports
    current = _transports
    # After a fork (a Celery prefork child) the parent's pooled sockets must not be
    # shared: the child starts afresh. It drops its copies rather than closing the pools
    # (that could wait forever on a pool lock some parent thread held at fork time); the
    # garbage collector closes the child's file descriptors, the parent keeps its own.
    if current is None or current.pid != os.getpid():
        current = _ProcessTransports(os.getpid(), httpx.create_ssl_context(trust_env=False))
        _transports = current
    return current


def _shared_transport(allow_private: bool) -> _GuardedTransport:
    """The process's pool for this setting: a connection opened while private addresses
    were allowed must never serve a fetch that does not allow them."""
    transports = _process_transports()
    transport = transports.by_allow_private.get(allow_private)
    if transport is None:
        backend = _GuardedBackend(resolver=None, allow_private=allow_private)
        # setdefault: two threads racing here end up sharing one pool.
        transport = transports.by_allow_private.setdefault(
            allow_private, _GuardedTransport(backend, transports.ssl_context)
        )
    return transport


def _redact(url: httpx.URL) -> str:
    """The URL without credentials or query (Congress.gov takes its API key there)."""
    return str(url.copy_with(query=None, fragment=None, userinfo=b""))


def _read_body(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
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
        # connection itself (_DeadlineStream), for the headers as much as the body.
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
    deadline = time.monotonic() + timeout * TOTAL_TIME_FACTOR
    if resolver is None:
        transport = _shared_transport(allow_private)
    else:
        # A resolver of the caller's own: its connections must not serve anyone else.
        backend = _GuardedBackend(resolver=resolver, allow_private=allow_private)
        transport = _GuardedTransport(backend, _process_transports().ssl_context)
    # Cookies live for one fetch (a site may set one and redirect), never across checks.
    cookies = httpx.Cookies()
    token = _deadline.set(deadline)
    try:
        current = url
        for _hop in range(max_redirects + 1):
            if time.monotonic() > deadline:
                raise FetchError("timeout", "the redirects took too long")
            check_url(current, allow_private=allow_private)
            result = _fetch_once(
                transport, cookies, current, headers, etag, last_modified, timeout, max_bytes
            )
            if isinstance(result, FetchResult):
                return result
            current = result
        raise FetchError("too_many_redirects", f"more than {max_redirects} redirects")
    finally:
        _deadline.reset(token)
        if resolver is not None:
            transport.close()


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
    """One hop: the result, or the next URL to try when the answer is a redirect.

    The transport is called directly, not through an httpx.Client: a client per fetch
    would need a transport per fetch (closing the client closes its transport), and
    the client's INFO log line per request carries the full URL, API keys included.
    """
    try:
        # Connect, write and read are cut to the budget by _DeadlineStream; the wait for
        # a free connection in the pool happens before any stream exists, so here.
        pool_wait = _within_budget(timeout, httpcore.PoolTimeout)
        timeouts = {"connect": timeout, "read": timeout, "write": timeout, "pool": pool_wait}
        request = httpx.Request("GET", url, headers=headers, extensions={"timeout": timeouts})
        cookies.set_cookie_header(request)
        response = transport.handle_request(request)
        response.request = request
        try:
            cookies.extract_cookies(response)
            status = response.status_code
            if status in REDIRECT_STATUSES and "location" in response.headers:
                return str(response.url.join(response.headers["location"]))
            if status >= 300 and status != 304:
                raise FetchError("http_error", f"HTTP {status} from {_redact(response.url)}")
            if status == 304:
                # No body, whatever Content-Length says (the full resource's size, for
                # some servers); reading its end lets the connection go back to the pool
                # instead of being closed as half-read.
                response.read()
                body = b""
            else:
                body = _read_body(response, max_bytes)
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
        finally:
            # An unread body (a redirect, an error) closes the connection rather than
            # leaving it half-read in the pool; a fully read one goes back for reuse.
            response.close()
    except (httpx.TimeoutException, httpcore.TimeoutException):
        raise FetchError("timeout", f"timed out fetching {_redact(httpx.URL(url))}") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise AddressRefused(f"not a valid URL: {exc}", reason="bad_url") from None
    except httpx.TransportError as exc:
        message = f"cannot fetch {_redact(httpx.URL(url))}: {type(exc).__name__}"
        raise FetchError("connection", message) from None
