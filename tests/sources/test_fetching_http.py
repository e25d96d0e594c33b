"""Plain HTTP behaviour of the fetcher against a local server (private addresses allowed),
and how it keeps connections alive without letting a pooled one bypass the guard."""

from __future__ import annotations

import gzip
import os
import socket
import time
import tracemalloc
import zlib
from http.server import BaseHTTPRequestHandler

import pytest

from apps.sources.fetching import FetchError, fetch
from tests.sources.test_fetching import PUBLIC_IP, Route, dns, refused_for, reply, serve
from tests.sources.test_fetching import routed_network as routed_network  # a fixture


def test_it_fetches_from_a_local_server_when_private_addresses_are_allowed() -> None:
    routes = {"/doc": lambda h: reply(h, 200, b"text", {"Content-Type": "text/plain"})}
    with serve(routes) as site:
        result = fetch(f"{site.url}/doc", allow_private=True)

    assert (result.status, result.body, result.not_modified) == (200, b"text", False)
    assert result.headers["content-type"] == "text/plain"
    assert site.requests[0][1]["user-agent"].startswith("ai-regulation-tracker/")


def conditional(h: BaseHTTPRequestHandler) -> None:
    stamp = "Wed, 04 Feb 2009 00:00:00 GMT"
    validators = {"ETag": '"v1"', "Last-Modified": stamp}
    if h.headers.get("If-None-Match") == '"v1"' or h.headers.get("If-Modified-Since") == stamp:
        reply(h, 304, headers=validators)
    else:
        reply(h, 200, b"body", validators)


@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_a_conditional_get_with_a_stored_validator_is_not_modified(validator: str) -> None:
    with serve({"/c": conditional}) as site:
        first = fetch(f"{site.url}/c", allow_private=True)
        second = fetch(
            f"{site.url}/c", allow_private=True, **{validator: getattr(first, validator)}
        )

    assert (first.status, first.body, first.etag) == (200, b"body", '"v1"')
    assert (second.status, second.body, second.not_modified) == (304, b"", True)
    assert second.etag == '"v1"'
    assert second.last_modified == "Wed, 04 Feb 2009 00:00:00 GMT"


def test_a_304_is_not_modified_whatever_size_it_declares() -> None:
    # Some servers send the full resource's Content-Length with a 304, which has no body.
    routes = {"/c": lambda h: reply(h, 304, headers={"ETag": '"v1"', "Content-Length": "5000"})}
    with serve(routes) as site:
        result = fetch(f"{site.url}/c", allow_private=True, etag='"v1"', max_bytes=1000)

    assert (result.status, result.body, result.etag) == (304, b"", '"v1"')


def test_it_follows_a_relative_redirect_and_reports_the_final_url() -> None:
    routes = {
        "/old": lambda h: reply(h, 301, headers={"Location": "/new?page=1"}),
        "/new": lambda h: reply(h, 200, b"moved here"),
    }
    with serve(routes) as site:
        result = fetch(f"{site.url}/old", allow_private=True)

    assert result.url == f"{site.url}/new?page=1"
    assert result.body == b"moved here"


def close_delimited(body: bytes) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(body)
        h.close_connection = True

    return route


@pytest.mark.parametrize(
    "route", [lambda h: reply(h, 200, b"x" * 5000), close_delimited(b"x" * 5000)]
)
def test_a_body_over_the_size_cap_is_too_large(route: Route) -> None:
    with serve({"/big": route}) as site, pytest.raises(FetchError) as failed:
        fetch(f"{site.url}/big", allow_private=True, max_bytes=1000)

    assert failed.value.reason == "too_large"


def test_a_gzip_body_is_decoded_and_capped_after_decoding() -> None:
    small = gzip.compress(b"a" * 500)
    bomb = gzip.compress(b"\0" * 2_000_000)
    routes = {
        "/small": lambda h: reply(h, 200, small, {"Content-Encoding": "gzip"}),
        "/bomb": lambda h: reply(h, 200, bomb, {"Content-Encoding": "gzip"}),
    }
    with serve(routes) as site:
        result = fetch(f"{site.url}/small", allow_private=True, max_bytes=1000)
        with pytest.raises(FetchError) as failed:
            fetch(f"{site.url}/bomb", allow_private=True, max_bytes=100_000)

    assert result.body == b"a" * 500
    assert len(bomb) < 100_000
    assert failed.value.reason == "too_large"


def test_a_redirect_loop_stops_after_max_redirects() -> None:
    routes = {"/loop": lambda h: reply(h, 302, headers={"Location": "/loop"})}
    with serve(routes) as site, pytest.raises(FetchError) as failed:
        fetch(f"{site.url}/loop", allow_private=True, max_redirects=3)

    assert failed.value.reason == "too_many_redirects"
    assert site.paths == ["/loop"] * 4


def test_a_slow_server_times_out() -> None:
    def slow(h: BaseHTTPRequestHandler) -> None:
        time.sleep(1.0)
        reply(h, 200, b"late")

    with serve({"/slow": slow}) as site:
        started = time.monotonic()
        with pytest.raises(FetchError) as failed:
            fetch(f"{site.url}/slow", allow_private=True, timeout=0.3)

    assert failed.value.reason == "timeout"
    assert time.monotonic() - started < 0.9


def test_a_server_that_trickles_bytes_runs_out_of_total_time() -> None:
    def trickle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "100")
        h.end_headers()
        for _ in range(100):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.05)

    with serve({"/drip": trickle}) as site, pytest.raises(FetchError) as failed:
        fetch(f"{site.url}/drip", allow_private=True, timeout=0.3)

    assert failed.value.reason == "timeout"


def test_an_http_error_names_the_status_but_not_the_body_or_query() -> None:
    routes = {"/missing": lambda h: reply(h, 404, b"secret server detail")}
    with serve(routes) as site, pytest.raises(FetchError) as failed:
        fetch(f"{site.url}/missing?api_key=KEY123", allow_private=True)

    assert failed.value.reason == "http_error"
    assert "404" in str(failed.value)
    assert "secret" not in str(failed.value)
    assert "KEY123" not in str(failed.value)


def test_it_ignores_proxies_set_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        dead_port = placeholder.getsockname()[1]
    dead_proxy = f"http://127.0.0.1:{dead_port}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, dead_proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    with serve({"/p": lambda h: reply(h, 200, b"direct")}) as site:
        result = fetch(f"{site.url}/p", allow_private=True)

    assert result.body == b"direct"


def hello(h: BaseHTTPRequestHandler) -> None:
    reply(h, 200, b"hello")


def test_fetches_from_one_host_reuse_one_kept_alive_connection() -> None:
    with serve({"/a": hello, "/b": hello, "/c": conditional}) as site:
        fetch(f"{site.url}/a", allow_private=True)
        fetch(f"{site.url}/b", allow_private=True)
        first = fetch(f"{site.url}/c", allow_private=True)
        # A 304 ends with no body; the connection must still go back to the pool.
        assert fetch(f"{site.url}/c", allow_private=True, etag=first.etag).not_modified
        fetch(f"{site.url}/a", allow_private=True)

    assert site.paths == ["/a", "/b", "/c", "/c", "/a"]
    assert len(set(site.clients)) == 1


def system_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    """Play the system resolver (socket.getaddrinfo), which the shared pools use: each
    lookup of a name pops its next answer, the last one repeating."""
    real_getaddrinfo = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        ip = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def test_a_connection_opened_while_private_addresses_were_allowed_never_serves_a_fetch_that_refuses_them(  # noqa: E501
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with serve({"/": hello}) as site:
        system_dns(monkeypatch, {"pooled.example": ["127.0.0.1"]})
        url = f"http://pooled.example:{site.port}/"
        assert fetch(url, allow_private=True).body == b"hello"

        with refused_for(caplog, "127.0.0.1"):
            fetch(url)

    assert site.paths == ["/"]


def test_a_fetch_with_its_own_resolver_never_reuses_a_shared_connection(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with serve({"/": hello}) as site:
        system_dns(monkeypatch, {"pooled.example": ["127.0.0.1"]})
        url = f"http://pooled.example:{site.port}/"
        fetch(url, allow_private=True)

        with refused_for(caplog, "10.0.0.1"):
            fetch(url, resolver=dns({"pooled.example": ["10.0.0.1"]}))

    assert site.paths == ["/"]


def test_each_new_connection_of_the_shared_pool_is_judged_again(
    monkeypatch: pytest.MonkeyPatch, routed_network, caplog: pytest.LogCaptureFixture
) -> None:
    # A rebinding name: public for the first lookup, loopback afterwards. A kept-alive
    # connection stays on the address judged when it was opened; once the server closes
    # it, the next connection looks the name up again and is refused.
    routes = {
        "/keep": hello,
        "/close": lambda h: reply(h, 200, b"bye", {"Connection": "close"}),
    }
    with serve(routes) as site:
        calls = routed_network(site.port)
        lookups = system_dns(monkeypatch, {"rebind.example": [PUBLIC_IP, "127.0.0.1"]})
        url = f"http://rebind.example:{site.port}"
        fetch(f"{url}/keep")
        fetch(f"{url}/keep")
        fetch(f"{url}/close")

        with refused_for(caplog, "127.0.0.1"):
            fetch(f"{url}/keep")

    assert site.paths == ["/keep", "/keep", "/close"]
    assert lookups == ["rebind.example", "rebind.example"]
    assert calls == [(PUBLIC_IP, site.port)]


def test_a_forked_child_opens_its_own_connection_instead_of_sharing_its_parents() -> None:
    with serve({"/": hello}) as site:
        fetch(f"{site.url}/", allow_private=True)
        pid = os.fork()
        if pid == 0:  # the child, like a Celery prefork process: report and leave at once
            try:
                ok = fetch(f"{site.url}/", allow_private=True).body == b"hello"
            except BaseException:
                ok = False
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        fetch(f"{site.url}/", allow_private=True)

    assert os.waitstatus_to_exitcode(status) == 0
    parent, child, parent_again = site.clients
    assert child != parent
    assert parent_again == parent


def _streamed_10_mb(encoding: str) -> Route:
    """10 MB of text, made as it is sent (chunked, no Content-Length), gzip-compressed
    on the fly or not: the test never holds the whole body either."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Transfer-Encoding", "chunked")
        if encoding == "gzip":
            h.send_header("Content-Encoding", "gzip")
        h.end_headers()
        packer = zlib.compressobj(9, zlib.DEFLATED, 31) if encoding == "gzip" else None
        for number in range(160):  # 160 pieces of 64 KiB
            piece = (b"Article %06d is repealed.\n" % number) * 2521
            data = packer.compress(piece) if packer else piece
            if data:
                h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        tail = packer.flush() if packer else b""
        if tail:
            h.wfile.write(b"%x\r\n%s\r\n" % (len(tail), tail))
        h.wfile.write(b"0\r\n\r\n")

    return route


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_the_size_cap_holds_while_the_body_streams_never_after_it_is_all_in_memory(
    encoding: str,
) -> None:
    cap = 500_000
    with serve({"/big": _streamed_10_mb(encoding)}) as site:
        tracemalloc.start()
        try:
            with pytest.raises(FetchError) as refused:
                fetch(f"{site.url}/big", allow_private=True, max_bytes=cap)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

    assert refused.value.reason == "too_large"
    # The body is 20 times the cap: holding it, or decompressing it whole, would peak
    # past 10 MB. Reading stops one network read (64 KiB, decompressed within the cap)
    # past the cap.
    assert peak < 3 * cap
