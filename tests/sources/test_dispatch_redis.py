"""On the deployed broker (Redis), a dispatcher run queues its checks in one round trip."""

import base64
import datetime as dt
import json
import time

import pytest
import redis
from django.utils import timezone

from apps.sources import dispatch
from apps.sources.models import Source
from apps.sources.publishing import publish_checks
from apps.sources.tasks import batch_limits, check_batch_task
from tests.processes import web_side_broker

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.delete("celery", "sources.dispatch")
    with web_side_broker(redis_url):
        yield client
    # No message is left for another test's worker on this Redis database.
    client.delete("celery", "sources.dispatch")


class RoundTrips:
    """Counts what redis-py sends to the server: one call per request, or per pipeline."""

    def __init__(self, monkeypatch) -> None:
        self.count = 0
        send = redis.connection.AbstractConnection.send_packed_command

        def counting(connection, command, check_health=True):
            self.count += 1
            return send(connection, command, check_health)

        monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)


def test_a_dispatch_of_500_checks_is_one_round_trip_to_redis(broker, monkeypatch, settings):
    settings.SOURCES_HOST_SPACING = 0
    when = timezone.now() - dt.timedelta(minutes=1)
    created = Source.objects.bulk_create(
        Source(name=f"s{i}", url=f"https://host{i % 50}.example/{i}", kind="html",
               next_check_at=when)
        for i in range(500)
    )  # fmt: skip
    dispatch.dispatch_due(limit=1)  # the producer's connection is opened once, before
    trips = RoundTrips(monkeypatch)

    planned = dispatch.dispatch_due(limit=1000)

    assert len(planned) == 499
    assert trips.count == 1
    # Ten checks to a message (SOURCES_CHECKS_PER_MESSAGE), after the first run's one.
    messages = [json.loads(m) for m in broker.lrange("celery", 0, -1)]
    assert len(messages) == 1 + 50
    queued = [i for m in messages for i in json.loads(base64.b64decode(m["body"]))[0][0]]
    assert sorted(queued) == sorted(source.pk for source in created)


def test_a_dispatched_message_is_the_one_apply_async_sends_but_for_its_ids(broker):
    planned_at = time.time() + 30
    check_batch_task.apply_async(args=[[7, 8], planned_at], countdown=30, **batch_limits())
    publish_checks([(7, 30), (8, 30)])

    ours, theirs = (json.loads(m) for m in broker.lrange("celery", 0, -1))  # newest first
    for message in (ours, theirs):
        message["body"] = json.loads(base64.b64decode(message["body"]))
        task_id = message["headers"].pop("id")
        assert message["headers"].pop("root_id") == task_id
        assert message["properties"].pop("correlation_id") == task_id
        assert message["properties"].pop("delivery_tag")
        message["eta"] = dt.datetime.fromisoformat(message["headers"].pop("eta"))
        # The planned start, in the arguments and their repr, is the sender's clock's.
        (ids, message["planned_at"]), _, _ = message["body"]
        message["body"][0] = ids
        assert message["headers"].pop("argsrepr") == f"[{ids}, {message['planned_at']!r}]"
    assert abs(ours.pop("eta") - theirs.pop("eta")) < dt.timedelta(seconds=5)
    assert abs(ours.pop("planned_at") - theirs.pop("planned_at")) < 5
    assert ours == theirs
