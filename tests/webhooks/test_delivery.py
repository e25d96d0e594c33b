"""Deliveries to a real local receiver: order, exactly once, batches, kinds, and the log."""

from __future__ import annotations

import time

from apps.webhooks import delivery, signing, tasks
from apps.webhooks.models import Status, WebhookDelivery
from tests.webhooks.conftest import publish


def test_each_change_reaches_the_receiver_once_and_in_order_across_two_publications(
    endpoint, receiver
):
    hook, _secret = endpoint
    first = publish(2)
    assert tasks.deliver(hook.pk) == Status.DELIVERED
    second = publish(3)
    assert tasks.deliver(hook.pk) == Status.DELIVERED
    # Nothing new: nothing is sent again.
    assert tasks.deliver(hook.pk) == "idle"

    expected = [c.pk for c in first + second]
    assert receiver.delivered_ids() == expected
    assert [hit.change_ids for hit in receiver.received] == [
        [c.pk for c in first],
        [c.pk for c in second],
    ]
    hook.refresh_from_db()
    assert hook.cursor == expected[-1]
    log = list(hook.deliveries.order_by("pk"))
    assert [(d.status, d.status_code, d.change_ids) for d in log] == [
        (Status.DELIVERED, 200, [c.pk for c in first]),
        (Status.DELIVERED, 200, [c.pk for c in second]),
    ]
    assert all(d.finished_at is not None and d.duration_ms is not None for d in log)


def test_a_delivery_is_the_changes_feed_items_of_its_changes(endpoint, receiver):
    hook, _secret = endpoint
    [change] = publish(1)
    tasks.deliver(hook.pk)

    [hit] = receiver.received
    [item] = hit.payload["changes"]
    assert set(hit.payload) == {"changes"}
    assert item["id"] == change.pk
    assert item["entity"]["kind"] == "instrument"
    assert item["entity"]["url"].startswith("http")
    assert set(item["changes"]) == {"summary"}
    assert hit.headers["content-type"] == "application/json"
    assert hit.headers[signing.DELIVERY_HEADER.lower()] == str(hook.deliveries.get().pk)


def test_a_backlog_larger_than_a_batch_goes_in_batches_in_id_order(endpoint, receiver, settings):
    settings.WEBHOOKS_BATCH_SIZE = 2
    hook, _secret = endpoint
    changes = publish(5)
    tasks.deliver(hook.pk)

    assert [len(hit.change_ids) for hit in receiver.received] == [2, 2, 1]
    assert receiver.delivered_ids() == [c.pk for c in changes]


def test_an_endpoint_gets_only_the_kinds_it_asked_for_and_passes_the_others_over(
    org, receiver, private_allowed
):
    hook, _secret = delivery.register(org, receiver.url, kinds=["jurisdiction"])
    publish(2, kind="instrument")
    wanted = publish(1, kind="jurisdiction")
    last = publish(1, kind="instrument")

    tasks.deliver(hook.pk)
    assert receiver.delivered_ids() == [c.pk for c in wanted]
    # The instrument change after it is passed over too, without a POST.
    assert tasks.deliver(hook.pk) == "idle"
    hook.refresh_from_db()
    assert hook.cursor == last[-1].pk
    assert len(receiver.received) == 1


def test_an_endpoint_starts_at_the_newest_change_not_at_the_history(org, receiver, private_allowed):
    before = publish(1)
    hook, _secret = delivery.register(org, receiver.url)
    assert hook.cursor == before[-1].pk

    assert tasks.deliver(hook.pk) == "idle"
    assert receiver.received == []


def test_a_receiver_slower_than_the_timeout_is_a_recorded_failure_within_the_budget(
    endpoint, receiver, settings, monkeypatch
):
    settings.WEBHOOKS_TIMEOUT = 1
    monkeypatch.setattr(tasks, "schedule_retry", lambda *args: None)
    receiver.delay = 2.5  # past the 1 s read timeout
    hook, _secret = endpoint
    publish(1)

    started = time.monotonic()
    assert tasks.deliver(hook.pk) == Status.FAILED
    assert time.monotonic() - started < 2.5

    failed = hook.deliveries.get()
    assert failed.status == Status.FAILED
    assert "timeout" in failed.error
    assert failed.status_code is None
    assert failed.finished_at is not None


def test_a_delivery_whose_worker_died_is_recorded_as_failed_by_the_next_run(endpoint, receiver):
    hook, _secret = endpoint
    publish(1)
    claimed = delivery._claim(hook.pk, delivery.timezone.now())
    assert isinstance(claimed, delivery.Attempt)
    # The worker dies here: no POST, no outcome. Its lease lapses.
    hook.refresh_from_db()
    hook.lease_until = delivery.timezone.now()
    hook.save(update_fields=["lease_until"])

    assert tasks.deliver(hook.pk) == "waiting"  # the loss counts as a failure: backoff

    lost = WebhookDelivery.objects.get(pk=claimed.delivery_id)
    assert lost.status == Status.FAILED
    assert lost.error == delivery.LOST
    hook.refresh_from_db()
    assert hook.consecutive_failures == 1
    assert hook.lease_until is None


def test_a_delivery_in_flight_is_not_sent_twice_by_a_second_run(endpoint, receiver):
    hook, _secret = endpoint
    publish(1)
    claimed = delivery._claim(hook.pk, delivery.timezone.now())
    assert isinstance(claimed, delivery.Attempt)

    # While the first run's POST is in flight, a publication queues another run.
    assert tasks.deliver(hook.pk) == "busy"
    assert receiver.received == []
    assert hook.deliveries.count() == 1


def test_a_payload_that_cannot_be_built_is_a_recorded_failure_not_a_stuck_endpoint(
    endpoint, receiver, monkeypatch
):
    def broken(changes, request=None):
        raise LookupError("no stable id")

    monkeypatch.setattr(delivery, "items", broken)
    hook, _secret = endpoint
    publish(1)

    assert tasks.deliver(hook.pk) == Status.FAILED

    failed = hook.deliveries.get()
    assert (failed.status, failed.error) == (
        Status.FAILED,
        "the payload could not be built: LookupError",
    )
    hook.refresh_from_db()
    assert hook.consecutive_failures == 1
    assert hook.lease_until is None
    assert receiver.received == []
