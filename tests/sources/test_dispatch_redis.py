"""On the deployed broker (Redis), a dispatcher run queues its checks in one round trip."""

import datetime as dt

import pytest
import redis
from django.utils import timezone

from apps.sources import dispatch
from apps.sources.models import Source
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
    Source.objects.bulk_create(
        Source(name=f"s{i}", url=f"https://host{i % 50}.example/{i}", kind="html",
               next_check_at=when)
        for i in range(500)
    )  # fmt: skip
    dispatch.dispatch_due(limit=1)  # the producer's connection is opened once, before
    trips = RoundTrips(monkeypatch)

    planned = dispatch.dispatch_due(limit=1000)

    assert len(planned) == 499
    assert trips.count == 1
    assert broker.llen("celery") == 500
