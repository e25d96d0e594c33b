"""A receiver's answer is thrown away, so a huge one is barely read: the delivery is
recorded from its status as soon as the read passes ANSWER_READ_LIMIT, without the
body in memory and without waiting for its end."""

from __future__ import annotations

import socket
import time
from http.server import BaseHTTPRequestHandler

from apps.webhooks import delivery, tasks
from apps.webhooks.models import Status
from tests.local_http import NETWORK_READ, client_closed, count_received, send_chunked
from tests.webhooks.conftest import publish

# 50 MB: far more than the answer limit and than loopback's socket buffers hold.
HUGE_CHUNKS = 800


def receiver_port(receiver) -> int:
    return receiver.server.server_address[1]


def test_a_receiver_answering_with_a_huge_chunked_body_is_recorded_delivered_having_read_little(
    endpoint, receiver, monkeypatch
):
    receiver.respond = lambda h, status: send_chunked(h, status, chunks=HUGE_CHUNKS)
    received = count_received(monkeypatch, receiver_port(receiver))
    hook, _secret = endpoint
    [change] = publish(1)

    started = time.monotonic()
    assert tasks.deliver(hook.pk) == Status.DELIVERED
    elapsed = time.monotonic() - started

    done = hook.deliveries.get()
    assert (done.status, done.status_code, done.error) == (Status.DELIVERED, 200, "")
    hook.refresh_from_db()
    assert hook.cursor == change.pk
    assert received.bytes <= delivery.ANSWER_READ_LIMIT + NETWORK_READ + 4096
    assert elapsed < 10


def test_a_receiver_whose_answer_declares_a_huge_body_is_recorded_without_reading_it(
    endpoint, receiver, monkeypatch
):
    seen: dict[str, bool] = {}

    def declares_huge(h: BaseHTTPRequestHandler, status: int) -> None:
        h.send_response(status)
        h.send_header("Content-Length", str(HUGE_CHUNKS * NETWORK_READ))
        h.end_headers()
        h.wfile.flush()
        # The body comes only to a client still there after a while.
        seen["closed_before_body"] = client_closed(h.connection, within=5)
        if not seen["closed_before_body"]:
            for _ in range(HUGE_CHUNKS):
                h.wfile.write(b"x" * NETWORK_READ)

    receiver.respond = declares_huge
    received = count_received(monkeypatch, receiver_port(receiver))
    hook, _secret = endpoint
    publish(1)

    assert tasks.deliver(hook.pk) == Status.DELIVERED
    deadline = time.monotonic() + 10
    while "closed_before_body" not in seen and time.monotonic() < deadline:
        time.sleep(0.01)

    assert hook.deliveries.get().status_code == 200
    assert seen == {"closed_before_body": True}
    assert received.bytes < 1024  # the head alone


def test_a_failed_delivery_names_the_endpoint_but_not_its_url(org, private_allowed, monkeypatch):
    # A receiver's path often holds its own secret; the log and the API show the error.
    monkeypatch.setattr(tasks, "schedule_retry", lambda *args: None)
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        closed_port = placeholder.getsockname()[1]
    hook, _secret = delivery.register(org, f"http://127.0.0.1:{closed_port}/hook/S3CRET-PATH")
    publish(1)

    assert tasks.deliver(hook.pk) == Status.FAILED

    failed = hook.deliveries.get()
    assert failed.error == "cannot reach the endpoint: ConnectError"
    assert "S3CRET" not in failed.error
