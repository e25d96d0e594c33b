"""A real HTTP receiver on 127.0.0.1 that records every POST made to it.

tests/local_http.py serves GETs for the watcher; a webhook receiver needs the
request's body and headers, and answers the tests choose as they go.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict:
        return json.loads(self.body)

    @property
    def change_ids(self) -> list[int]:
        return [item["id"] for item in self.payload["changes"]]


@dataclass
class Receiver:
    # Answers given in turn; the last one repeats once they run out.
    statuses: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0
    # Writes the answer itself, given the status, in place of a short JSON body.
    respond: Callable[[BaseHTTPRequestHandler, int], None] | None = None
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def answer(self, *statuses: int) -> None:
        self.statuses = list(statuses)

    def _next_status(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                if receiver.delay:
                    time.sleep(receiver.delay)
                if receiver.respond is not None:
                    receiver.respond(self, receiver._next_status())
                    return
                answer = b'{"ok": true}'
                self.send_response(receiver._next_status())
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
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

    def delivered_ids(self) -> list[int]:
        return [change_id for hit in self.received for change_id in hit.change_ids]
