"""A real HTTP server on 127.0.0.1 serving content the test changes as it goes, and
helpers for answers too large to read: a chunked body sent until the client gives
up, and a count of the bytes the client's sockets actually received."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# What one read of httpcore's takes from a socket at most (READ_NUM_BYTES in
# httpcore/_sync/http11.py): the client's overshoot past a cap is bounded by it.
NETWORK_READ = 64 * 1024


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: str | None = None
    delay: float = 0.0
    delay_once: float = 0.0  # only the first request waits (a check killed mid-fetch)


@dataclass
class LocalSite:
    pages: dict[str, Page] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> LocalSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits.append(self.path)
                page = site.pages.get(self.path)
                if page is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                if page.delay_once:
                    wait, page.delay_once = page.delay_once, 0.0
                    time.sleep(wait)
                if page.delay:
                    time.sleep(page.delay)
                if page.etag and self.headers.get("If-None-Match") == page.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                if page.etag:
                    self.send_header("ETag", page.etag)
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # shutdown() waits for the server's next look at its flag: every poll_interval
        # (half a second by default, paid by every test that stops one).
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def send_chunked(handler: BaseHTTPRequestHandler, status: int, *, chunks: int) -> int:
    """Answer with a chunked body (no Content-Length) of ``chunks`` chunks of
    NETWORK_READ bytes, until the client goes away; returns the chunks sent.
    The handler must speak HTTP/1.1."""
    handler.send_response(status)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    piece = b"%x\r\n%s\r\n" % (NETWORK_READ, b"x" * NETWORK_READ)
    sent = 0
    try:
        for _ in range(chunks):
            handler.wfile.write(piece)
            sent += 1
        handler.wfile.write(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        handler.close_connection = True
    return sent


def client_closed(conn: socket.socket, within: float) -> bool:
    """True once the peer has closed ``conn``, False if it is still open after ``within`` s."""
    conn.settimeout(within)
    try:
        return conn.recv(1, socket.MSG_PEEK) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


@dataclass
class Received:
    bytes: int = 0


def count_received(monkeypatch: pytest.MonkeyPatch, port: int) -> Received:
    """Count what this process's sockets receive from 127.0.0.1:``port`` (the client's
    side of a local server's connections): what a client read, not what the server
    managed to push into the kernel's buffers."""
    real_recv = socket.socket.recv
    received = Received()

    def recv(self: socket.socket, *args, **kwargs) -> bytes:
        data = real_recv(self, *args, **kwargs)
        try:
            peer = self.getpeername()
        except OSError:
            return data
        if peer[:2] == ("127.0.0.1", port):
            received.bytes += len(data)
        return data

    monkeypatch.setattr(socket.socket, "recv", recv)
    return received
