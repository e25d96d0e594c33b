"""Queueing many checks at once: one broker round trip for a whole dispatch.

`apply_async` costs 1 to 3 ms a message, nearly all of it in Celery's and kombu's
Python (routing, signals, declaring the queue, a retry wrapper) rather than in the
broker: 10,000 checks took 14 to 24 s (issue 26), and kombu's own publish batch
still spent 0.15 ms a message in that Python. A message is the same but for its
sources, its ids and its start, so Celery's `create_task_message` (the task
protocol the worker reads) builds one, and each message is a copy of it with those
fields set. On Redis (the deployed broker) they go out as a single LPUSH of every
message, in the envelope kombu's Redis transport stores (kombu/transport/virtual:
the body base64 encoded, a delivery tag of its own per message); the worker reads
them as any other (tests/integration/test_dispatch_worker.py), and a test holds the
envelope to the one `apply_async` sends. Another broker (the folder broker of
development) gets them through `apply_async`, one by one.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import time
from uuid import uuid4

from django.conf import settings

from apps.sources.tasks import batch_limits, check_batch_task


def batches(planned: list[tuple[int, int]], size: int) -> list[tuple[list[int], int]]:
    """(source ids, countdown) per message: sources planned to start together (the same
    countdown: their hosts' turns came at once), at most ``size`` to a message, in the
    order they were claimed."""
    together: dict[int, list[int]] = {}
    for source_id, delay in planned:
        together.setdefault(delay, []).append(source_id)
    return [
        (ids[start : start + size], delay)
        for delay, ids in together.items()
        for start in range(0, len(ids), size)
    ]


def publish_checks(planned: list[tuple[int, int]]) -> int:
    """Queue the checks of (source id, countdown seconds) pairs, several sources to a
    message (SOURCES_CHECKS_PER_MESSAGE); returns the messages sent.

    On Redis, all or none: one command. Any failure raises, so that the caller's
    claim rolls back (dispatch.py)."""
    if not planned:
        return 0
    app = check_batch_task.app
    messages = batches(planned, settings.SOURCES_CHECKS_PER_MESSAGE)
    now = time.time()
    time_limits = batch_limits()
    queue = app.amqp.router.route({}, check_batch_task.name)["queue"].name
    with app.producer_or_acquire() as producer:
        if producer.connection.transport.driver_type != "redis":
            for ids, delay in messages:
                check_batch_task.apply_async(
                    args=[ids, now + delay],
                    countdown=delay or None,
                    producer=producer,
                    **time_limits,
                )
            return len(messages)
        payloads = list(_redis_messages(messages, now, queue, time_limits))
        with producer.channel.conn_or_acquire() as client:
            # The first pushed is the first a worker pops (BRPOP takes from the right).
            client.lpush(queue, *payloads)
    return len(messages)


def _redis_messages(messages: list[tuple[list[int], int]], now: float, queue: str, time_limits):
    """Each batch's message as kombu's Redis transport stores it.

    The envelope is serialised once, with markers where a message's own values go;
    each message joins its values into the pieces between them (json.dumps of the
    whole envelope took 60 microseconds a message)."""
    app = check_batch_task.app
    # What apply_async passes besides the arguments (celery/app/base.py: send_task).
    headers, properties, (_, _, embed), _ = app.amqp.create_task_message(
        "",
        check_batch_task.name,
        [[], 0],
        {},
        reply_to=app.thread_oid,
        ignore_result=check_batch_task.ignore_result,
        **time_limits,
    )
    envelope = {
        "body": _MARK.format("body"),
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": {
            **headers,
            "id": _MARK.format("id"),
            "root_id": _MARK.format("id"),
            "eta": _MARK.format("eta"),
            "argsrepr": _MARK.format("args"),
        },
        "properties": {
            **properties,
            "correlation_id": _MARK.format("id"),
            "delivery_mode": 2,
            "delivery_info": {"exchange": "", "routing_key": queue},
            "priority": 0,
            "body_encoding": "base64",
            "delivery_tag": _MARK.format("tag"),
        },
    }
    # Markers with their quotes: the ETA is null or a string.
    pieces = _MARKED.split(json.dumps(envelope))
    texts, names = pieces[0::2], pieces[1::2]
    embed_json = json.dumps(embed)
    start = dt.datetime.fromtimestamp(now, tz=dt.UTC)
    for ids, delay in messages:
        task_id = str(uuid4())
        args = json.dumps([[int(source_id) for source_id in ids], now + delay])
        body = f"[{args}, {{}}, {embed_json}]".encode()
        values = {
            "id": f'"{task_id}"',
            "body": f'"{base64.b64encode(body).decode()}"',
            "eta": f'"{(start + dt.timedelta(seconds=delay)).isoformat()}"' if delay else "null",
            "args": json.dumps(args),
            "tag": f'"{uuid4()}"',
        }
        parts = [texts[0]]
        for name, text in zip(names, texts[1:], strict=True):
            parts += (values[name], text)
        yield "".join(parts)


_MARK = "\u0000{}\u0000"
_MARKED = re.compile(r'"\\u0000(\w+)\\u0000"')
