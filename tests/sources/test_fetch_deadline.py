"""One time budget covers the whole fetch: connect, response headers and body.

Each socket wait is bounded by the per-operation timeout, so a server that sends a
byte just before every timeout would otherwise hold the fetch (and a worker) forever.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import pytest

from apps.sources.fetching import TOTAL_TIME_FACTOR, FetchError, fetch

# Far longer than the budget below: the drip must be cut off, never finish.
DRIPPED_HEAD = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"z" * 40 + b"\r\nContent-Length: 0\r\n\r\n"


@dataclass
class Drip:
    bytes_sent: int = 0
    closed_by_client: bool = False


def peer_closed(conn: socket.socket) -> bool:
    try:
        return conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def drip_headers(listener: socket.socket, drip: Drip) -> None:
    """Accept one request and answer it one header byte per second, until the client
    closes the connection or the head is complete."""
    conn, _ = listener.accept()
    with conn:
        request = b""
        while b"\r\n\r\n" not in request:
            request += conn.recv(4096)
        for byte in DRIPPED_HEAD:
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                drip.closed_by_client = True
                return
            drip.bytes_sent += 1
            time.sleep(1)
            if peer_closed(conn):
                drip.closed_by_client = True
                return


def test_a_server_that_drips_its_headers_is_cut_off_when_the_whole_budget_is_spent() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    drip = Drip()
    server = threading.Thread(target=drip_headers, args=(listener, drip), daemon=True)
    server.start()
    # Each byte comes well within the 2 s per-read timeout; only the budget of the
    # whole fetch (2 s x TOTAL_TIME_FACTOR) can stop it.
    timeout = 2.0
    assert len(DRIPPED_HEAD) > timeout * TOTAL_TIME_FACTOR * 2

    with pytest.raises(FetchError) as failed:
        fetch(f"http://127.0.0.1:{listener.getsockname()[1]}/", allow_private=True, timeout=timeout)

    server.join(timeout=60)  # generous: only there so that a broken fetch cannot hang
    listener.close()
    assert failed.value.reason == "timeout"
    assert drip.closed_by_client
    assert drip.bytes_sent < len(DRIPPED_HEAD)
