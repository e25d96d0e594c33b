"""The guarded client's size cap holds while the body streams, not after it is in memory.

Against real local servers (private addresses allowed) whose bodies are far larger
than the cap; what the client read is counted at its sockets, so a reader that took
the whole body before checking its size fails here even when it refuses in the end.
"""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler

import pytest

from apps.core.http import (
    FetchError,
    exchange,
    guarded_transport,
    read_body,
    time_budget,
)
from tests.local_http import NETWORK_READ, client_closed, count_received, send_chunked
from tests.sources.test_fetching import serve

CAP = 1_000_000
# 50 MB: far past the cap, and more than loopback's socket buffers hold, so a
# reader that did not stop would have to take most of it.
HUGE_CHUNKS = 800


def get_body(url: str, max_bytes: int) -> bytes:
    with (
        time_budget(30),
        guarded_transport(allow_private=True) as transport,
        exchange(transport, "GET", url, headers={}, timeout=10) as response,
    ):
        return read_body(response, max_bytes)


def test_a_chunked_body_far_over_the_cap_is_refused_having_read_at_most_one_read_past_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[int] = []
    routes = {"/huge": lambda h: sent.append(send_chunked(h, 200, chunks=HUGE_CHUNKS))}
    with serve(routes) as site:
        received = count_received(monkeypatch, site.port)
        started = time.monotonic()
        with pytest.raises(FetchError) as failed:
            get_body(f"{site.url}/huge", CAP)
        elapsed = time.monotonic() - started

    assert failed.value.reason == "too_large"
    assert str(failed.value) == f"the response exceeds {CAP} bytes"
    # The head and the chunks' framing are a few hundred bytes; the rest is the cap
    # and at most one network read past it.
    assert CAP < received.bytes <= CAP + NETWORK_READ + 4096
    assert elapsed < 10


def test_a_body_that_declares_more_than_the_cap_is_refused_before_any_of_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, bool] = {}

    def declares_huge(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(HUGE_CHUNKS * NETWORK_READ))
        h.end_headers()
        h.wfile.flush()
        # The body only comes if the client is still there after a while: a client
        # that started reading it would get it.
        seen["closed_before_body"] = client_closed(h.connection, within=5)
        if not seen["closed_before_body"]:
            piece = b"x" * NETWORK_READ
            for _ in range(HUGE_CHUNKS):
                h.wfile.write(piece)

    with serve({"/declared": declares_huge}) as site:
        received = count_received(monkeypatch, site.port)
        with pytest.raises(FetchError) as failed:
            get_body(f"{site.url}/declared", CAP)
        deadline = time.monotonic() + 10
        while "closed_before_body" not in seen and time.monotonic() < deadline:
            time.sleep(0.01)

    assert failed.value.reason == "too_large"
    assert str(failed.value) == f"the response declares {HUGE_CHUNKS * NETWORK_READ} bytes"
    assert seen == {"closed_before_body": True}
    assert received.bytes < 1024  # the head alone


def test_a_body_within_the_cap_is_read_whole_when_it_comes_in_many_chunks() -> None:
    routes = {"/fits": lambda h: send_chunked(h, 200, chunks=4)}
    with serve(routes) as site:
        body = get_body(f"{site.url}/fits", 4 * NETWORK_READ)

    assert body == b"x" * (4 * NETWORK_READ)
