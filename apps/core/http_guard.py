"""The connection layer of the guarded HTTP client: the address guard at connect time,
the time budget of each wait, and the kept-alive pools (apps.core.http builds on it).

URLs handed to the client are untrusted (sources typed in by editors, webhook
endpoints typed in by API clients): a request must never make the server talk to
itself, the cloud metadata service or the office network.

How the guard works:

1. ``check_url`` (apps.core.addresses, with the other rules) judges the URL's
   syntax before any request: http(s) only, no credentials, and a host that is
   neither a non-public IP literal (in any of the spellings resolvers accept:
   ``127.1``, ``0x7f000001``, ``[::ffff:127.0.0.1]`` ...) nor a local name.
   It uses httpx's own URL parser, so it judges exactly the host that is requested.
2. ``GuardedBackend`` (an httpcore network backend) does the DNS lookup itself when
   a connection is opened, refuses if *any* answer is not public, and then connects
   to the judged IP literal. The socket layer never resolves the name again, so a
   rebinding DNS server cannot answer "public" for the check and "private" for the
   connect. TLS is unaffected: httpcore passes the URL's hostname to ``start_tls`` as
   ``server_hostname`` (httpcore/_sync/connection.py), so SNI and certificate checks
   use the name, not the IP.
3. Callers that follow redirects repeat 1 and 2 for every hop.

Connections are kept alive and reused, per process: building a TLS context (loading
the CA bundle) cost more than the rest of a source check, and a new connection per
request cost a handshake. Reuse does not weaken the guard: a pooled connection stays
connected to the address that was judged when it was opened, and every *new*
connection goes through ``GuardedBackend.connect_tcp`` again. Requests that allow
private addresses use a pool of their own, and a request with its own ``resolver``
gets a pool of its own that is closed when it ends.

One time budget (``time_budget``) covers a whole request, redirects included: every
connect, TLS handshake, write and read waits at most what is left of it, so a server
that drips its headers (or body) a byte at a time runs out of budget instead of
resetting a per-read timeout forever; the connection is then closed.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

from apps.core.addresses import (
    AddressRefused,
    FetchError,
    IPAddress,
    check_host,
    is_public_ip,
    literal_ip,
)

logger = logging.getLogger(__name__)
Resolver = Callable[[str, int], list[str]]

# Longer than the dispatcher's default spacing between two checks of one host (10 s),
# so those reuse the connection; shorter than the idle timeouts of common servers
# (nginx 75 s, load balancers 60 s). A connection the server closed earlier is seen
# as readable and dropped by httpcore before reuse.
KEEPALIVE_SECONDS = 30.0
POOL_LIMITS = {"max_connections": 20, "max_keepalive_connections": 10}


def system_resolver(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


@dataclass(frozen=True)
class Budget:
    seconds: float
    deadline: float  # time.monotonic() at which the request must have ended


# The budget of the request running in this thread (context), if any.
_budget: ContextVar[Budget | None] = ContextVar("http_budget", default=None)


@contextmanager
def time_budget(seconds: float) -> Iterator[Budget]:
    """Every wait of every request made inside the block ends by ``seconds`` from now."""
    budget = Budget(seconds, time.monotonic() + seconds)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def current_budget() -> Budget | None:
    return _budget.get()


def within_budget(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    """The wait allowed for one socket operation: its own timeout, but never past the
    request's deadline. Raises ``expired`` (mapped to a timeout) once the deadline passed:
    a socket timeout of 0 would mean non-blocking, not "time is up"."""
    budget = _budget.get()
    if budget is None:
        return timeout
    left = budget.deadline - time.monotonic()
    if left <= 0:
        raise expired("the request ran out of time")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A connection whose every wait is cut to what is left of the current request's budget.

    The deadline is read when the operation starts, not stored on the connection, so a
    kept-alive connection serves each later request with that request's own budget.
    """

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, within_budget(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, within_budget(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        budget = within_budget(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, budget))

    def get_extra_info(self, info: str) -> Any:
        # "is_readable" among others: how the pool notices a server-closed idle connection.
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself, judges every answer, and connects to a judged IP.

    httpcore calls ``connect_tcp`` for every new connection, pooled or not, so the
    guard runs on each one; reusing a kept-alive connection needs no new judgement,
    since it stays connected to the address judged when it was opened.
    """

    def __init__(self, *, resolver: Resolver | None, allow_private: bool) -> None:
        self._resolver = resolver or system_resolver
        self._allow_private = allow_private

    def _addresses(self, host: str, port: int) -> list[IPAddress]:
        literal = literal_ip(host)
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
        check_host(host, self._allow_private)
        addresses = self._addresses(host, port)
        if not self._allow_private:
            refused = [a for a in addresses if not is_public_ip(a)]
            if refused:
                # One bad answer refuses the host: the attacker picks the order. The
                # message reaches whoever owns the URL (a webhook client reads it in its
                # delivery log), so it never names the private address the name led to:
                # that would map the internal network. The operators' log does.
                logger.info("refused %s: it resolves to %s", host, refused[0])
                raise AddressRefused(f"{host} resolves to an address that is not allowed")
        error: Exception | None = None
        for address in addresses:
            try:
                # An IP literal, so socket.create_connection does no lookup of its own.
                stream = super().connect_tcp(
                    str(address),
                    port,
                    within_budget(timeout, httpcore.ConnectTimeout),
                    local_address,
                    socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
            else:
                return DeadlineStream(stream)
        assert error is not None
        raise error


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool rebuilt on the guarded backend.

    httpx 0.28 has no option to pass a network backend (see HTTPTransport.__init__ in
    httpx/_transports/default.py), so the pool it built is replaced. The isinstance
    check makes an httpx upgrade that renames ``_pool`` fail loudly instead of
    silently connecting without the guard. Both pools get the process's TLS context:
    ``verify=True`` would load the CA bundle again for each transport.
    """

    def __init__(self, backend: GuardedBackend, ssl_context: ssl.SSLContext) -> None:
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
    by_allow_private: dict[bool, GuardedTransport] = field(default_factory=dict)


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


def shared_transport(allow_private: bool) -> GuardedTransport:
    """The process's pool for this setting: a connection opened while private addresses
    were allowed must never serve a request that does not allow them."""
    transports = _process_transports()
    transport = transports.by_allow_private.get(allow_private)
    if transport is None:
        backend = GuardedBackend(resolver=None, allow_private=allow_private)
        # setdefault: two threads racing here end up sharing one pool.
        transport = transports.by_allow_private.setdefault(
            allow_private, GuardedTransport(backend, transports.ssl_context)
        )
    return transport


@contextmanager
def guarded_transport(
    allow_private: bool, resolver: Resolver | None = None
) -> Iterator[GuardedTransport]:
    """The transport for one request: the shared pool, or with a resolver of the
    caller's own a pool of its own (its connections must not serve anyone else),
    closed when the block ends."""
    if resolver is None:
        yield shared_transport(allow_private)
        return
    backend = GuardedBackend(resolver=resolver, allow_private=allow_private)
    transport = GuardedTransport(backend, _process_transports().ssl_context)
    try:
        yield transport
    finally:
        transport.close()
