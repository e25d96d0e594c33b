"""The address guard of the fetcher, against real local HTTP servers (no mocks of our own code).

Where a test needs a "public" host, it plays DNS with ``resolver=`` and plays the
network by routing the socket layer's connection to 93.184.216.34:80 to the local
server: the guard itself runs unmodified and judges a public address, exactly as it
would in production.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.sources.fetching import AddressRefused, FetchError, check_url, fetch, is_public_ip

PUBLIC_IP = "93.184.216.34"
Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class LocalServer:
    port: int
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    # The client's (address, port) of each request: one per connection it opened.
    clients: list[tuple[str, int]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


def reply(
    handler: BaseHTTPRequestHandler,
    status: int = 200,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    if "Content-Length" not in (headers or {}):
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@contextmanager
def refused_for(caplog: pytest.LogCaptureFixture, address: str) -> Iterator[None]:
    """The block's fetch is refused because a name resolved to ``address``. The refusal's
    message does not name the address (it may reach a webhook client); the operators'
    log does, and tells which DNS answer was judged."""
    with (
        caplog.at_level(logging.INFO, logger="apps.core.http_guard"),
        pytest.raises(AddressRefused, match="resolves to an address that is not allowed"),
    ):
        yield
    assert f"resolves to {address}" in caplog.text


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[LocalServer]:
    server_state: list[LocalServer] = []

    connections: list[socket.socket] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            connections.append(self.connection)

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            server_state[0].requests.append((self.path, headers))
            server_state[0].clients.append(self.client_address[:2])
            route = routes.get(self.path.split("?")[0])
            if route is None:
                reply(self, 404, b"no such page")
            else:
                # The client may give up first, which is what some tests want.
                with suppress(BrokenPipeError, ConnectionResetError):
                    route(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server_state.append(LocalServer(port=server.server_address[1]))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server_state[0]
    finally:
        server.shutdown()
        server.server_close()
        # The fetcher keeps connections alive in a per-process pool. Closing them here
        # lets it see they are gone; left open, a later test whose server got the same
        # port could be answered by this server's handler.
        for conn in connections:
            with suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def routed_network(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], list[tuple]]:
    """Route connections to PUBLIC_IP:80 to a local port; record every connection."""
    real_create_connection = socket.create_connection
    calls: list[tuple] = []

    def install(local_port: int) -> list[tuple]:
        def create_connection(address, *args, **kwargs):
            calls.append(tuple(address[:2]))
            if address[0] == PUBLIC_IP:
                return real_create_connection(("127.0.0.1", local_port), *args, **kwargs)
            raise OSError("the test network only reaches the public test address")

        monkeypatch.setattr(socket, "create_connection", create_connection)
        return calls

    return install


def dns(table: dict[str, list[str]], calls: list[str] | None = None):
    def resolver(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        return table[host]

    return resolver


REFUSED_URLS = [
    "file:///etc/passwd",
    "gopher://x",
    "ftp://x",
    "http://user:pw@example.com/",
    "http://example.com\\@127.0.0.1/",
    "http:///no-host",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://api.localhost/",
    "http://printer.local/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://intranet/",
    "http://127.0.0.1/",
    "http://127.1/",
    "http://0x7f000001/",
    "http://0x7f.1/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0/",
    "http://0.0.0.0/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://198.18.0.1/",
    "http://192.0.2.1/",
    "http://198.51.100.7/",
    "http://203.0.113.9/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://[::]/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "https://[::ffff:a9fe:a9fe]/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://[2001:db8::1]/",
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "http://[fe80::1%25eth0]/",
    "http://[fec0::1]/",
    "http://[ff02::1]/",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_it_refuses_a_private_or_malformed_url_without_opening_a_socket(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    network_calls: list[str] = []

    def record(name: str):
        def call(*args, **kwargs):
            network_calls.append(name)
            raise OSError("no network in this test")

        return call

    monkeypatch.setattr(socket.socket, "connect", record("connect"))
    monkeypatch.setattr(socket, "getaddrinfo", record("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", record("create_connection"))

    with pytest.raises(AddressRefused) as refused:
        fetch(url)

    assert refused.value.reason in {"refused", "bad_url"}
    assert network_calls == []


@pytest.mark.parametrize(
    "address",
    [PUBLIC_IP, "8.8.8.8", "2606:4700:4700::1111", "64:ff9b::5db8:d822", "2002:5db8:d822::"],
)
def test_it_considers_internet_addresses_public(address: str) -> None:
    assert is_public_ip(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "100.100.100.100", "::ffff:10.0.0.1", "2001::1", "::"]
)
def test_it_considers_local_and_special_addresses_not_public(address: str) -> None:
    assert not is_public_ip(ipaddress.ip_address(address))


def test_check_url_accepts_an_ordinary_public_url() -> None:
    check_url("https://www.federalregister.gov/api/v1/documents/E9-2486.json?x=1")


def test_it_refuses_a_name_when_any_of_its_addresses_is_private(routed_network, caplog) -> None:
    calls = routed_network(9)  # any port: no connection may be attempted

    with refused_for(caplog, "10.0.0.1"):
        fetch("http://mixed.example/", resolver=dns({"mixed.example": [PUBLIC_IP, "10.0.0.1"]}))

    assert calls == []


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/secret", "http://inside.example/"])
def test_it_refuses_a_redirect_to_a_private_address(target: str, routed_network) -> None:
    with serve({}) as server:
        location = target.format(port=server.port)
        routes = {"/start": lambda h: reply(h, 302, headers={"Location": location})}
        with serve(routes) as public_site:
            calls = routed_network(public_site.port)
            resolver = dns({"public.example": [PUBLIC_IP], "inside.example": ["127.0.0.1"]})

            with pytest.raises(AddressRefused):
                fetch("http://public.example/start", resolver=resolver)

        assert public_site.paths == ["/start"]
        assert public_site.requests[0][1]["host"] == "public.example"
        assert server.requests == []
        assert calls == [(PUBLIC_IP, 80)]


def rebinding_dns(calls: list[str]):
    """Answers public the first time and loopback afterwards, like a TTL-0 attacker."""

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return [PUBLIC_IP] if len(calls) == 1 else ["127.0.0.1"]

    return resolver


def test_it_connects_to_the_address_it_checked_without_resolving_again(routed_network) -> None:
    with serve({"/": lambda h: reply(h, 200, b"hello")}) as site:
        calls = routed_network(site.port)
        lookups: list[str] = []

        result = fetch("http://rebind.example/", resolver=rebinding_dns(lookups))

    assert result.body == b"hello"
    assert lookups == ["rebind.example"]  # judged once; the socket got the judged IP
    assert calls == [(PUBLIC_IP, 80)]


def test_it_refuses_a_name_that_rebinds_to_a_private_address(routed_network, caplog) -> None:
    # The first connection is judged public; the server then closes it and redirects
    # to itself, so the second connection resolves again and gets loopback.
    routes = {"/": lambda h: reply(h, 302, headers={"Location": "/again", "Connection": "close"})}
    with serve(routes) as site:
        calls = routed_network(site.port)
        lookups: list[str] = []

        with refused_for(caplog, "127.0.0.1"):
            fetch("http://rebind.example/", resolver=rebinding_dns(lookups))

    assert lookups == ["rebind.example", "rebind.example"]
    assert calls == [(PUBLIC_IP, 80)]
    assert site.paths == ["/"]


def test_tls_uses_the_host_name_for_sni_while_connecting_to_the_ip(routed_network) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    hello: list[bytes] = []

    def accept_one() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(2)
            hello.append(conn.recv(4096))  # the TLS ClientHello, which carries SNI

    thread = threading.Thread(target=accept_one, daemon=True)
    thread.start()
    calls = routed_network(listener.getsockname()[1])
    resolver = dns({"secure.example": [PUBLIC_IP]})

    with pytest.raises(FetchError) as failed:
        fetch("https://secure.example:80/", resolver=resolver, timeout=2)

    thread.join(2)
    listener.close()
    assert failed.value.reason == "connection"
    assert calls == [(PUBLIC_IP, 80)]
    assert b"secure.example" in hello[0]
