"""A failing receiver is retried with growing waits, then disabled; a success resets the count."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.webhooks import delivery, tasks
from apps.webhooks.models import Status, WebhookEndpoint
from tests.webhooks.conftest import publish


@pytest.fixture
def retries(monkeypatch) -> list[tuple[int, int]]:
    """The retries the task schedules, as (endpoint id, delay) instead of broker messages."""
    scheduled: list[tuple[int, int]] = []
    monkeypatch.setattr(tasks, "schedule_retry", lambda pk, delay: scheduled.append((pk, delay)))
    return scheduled


def backoff_elapses(hook: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=hook.pk).update(next_attempt_at=timezone.now())


def test_a_failing_receiver_is_retried_with_doubling_waits_then_disabled_after_n(
    endpoint, receiver, retries, settings
):
    settings.WEBHOOKS_DISABLE_AFTER = 4
    settings.WEBHOOKS_RETRY_SECONDS = 30
    receiver.answer(500)
    hook, _secret = endpoint
    changes = publish(1)

    for _ in range(4):
        assert tasks.deliver(hook.pk) == Status.FAILED
        backoff_elapses(hook)

    # Three retries, each wait twice the last; the fourth failure disables instead.
    assert retries == [(hook.pk, 30), (hook.pk, 60), (hook.pk, 120)]
    hook.refresh_from_db()
    assert not hook.active
    assert hook.disabled_at is not None
    assert hook.disabled_reason.startswith("disabled after 4 failed deliveries in a row")
    assert "HTTP 500" in hook.disabled_reason
    log = list(hook.deliveries.order_by("pk"))
    assert [(d.attempt, d.status, d.status_code) for d in log] == [
        (n, Status.FAILED, 500) for n in (1, 2, 3, 4)
    ]
    # Every attempt carried the same change, since none was acknowledged.
    assert receiver.delivered_ids() == [changes[0].pk] * 4
    assert hook.cursor < changes[0].pk

    # A disabled endpoint is sent nothing more, neither by a run nor by the sweep.
    assert tasks.deliver(hook.pk) == "inactive"
    assert hook.pk not in delivery.due()
    assert len(receiver.received) == 4


def test_a_run_during_the_backoff_sends_nothing(endpoint, receiver, retries):
    receiver.answer(503)
    hook, _secret = endpoint
    publish(1)
    tasks.deliver(hook.pk)

    publish(1)  # a publication queues a run while the endpoint backs off
    assert tasks.deliver(hook.pk) == "waiting"
    assert hook.pk not in delivery.due()
    assert len(receiver.received) == 1


def test_a_success_after_failures_delivers_the_waiting_changes_and_resets_the_count(
    endpoint, receiver, retries
):
    receiver.answer(500, 502, 200)
    hook, _secret = endpoint
    first = publish(1)
    tasks.deliver(hook.pk)
    backoff_elapses(hook)
    second = publish(1)
    tasks.deliver(hook.pk)
    backoff_elapses(hook)

    assert tasks.deliver(hook.pk) == Status.DELIVERED
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0
    assert hook.next_attempt_at is None
    assert hook.last_success_at is not None
    assert hook.cursor == second[-1].pk
    assert receiver.received[-1].change_ids == [first[0].pk, second[0].pk]
    assert [d.attempt for d in hook.deliveries.order_by("pk")] == [1, 2, 3]


def test_re_enabling_an_endpoint_delivers_what_it_missed(endpoint, receiver, retries, settings):
    settings.WEBHOOKS_DISABLE_AFTER = 1
    receiver.answer(500, 200)
    hook, _secret = endpoint
    missed = publish(2)
    tasks.deliver(hook.pk)
    hook.refresh_from_db()
    assert not hook.active

    delivery.reenable(hook)
    assert tasks.deliver(hook.pk) == Status.DELIVERED
    assert receiver.received[-1].change_ids == [c.pk for c in missed]


def test_the_sweep_queues_only_endpoints_with_changes_waiting(
    org, other_org, receiver, private_allowed, monkeypatch, retries
):
    queued: list[int] = []
    monkeypatch.setattr(tasks, "queue", lambda pk, countdown=None: queued.append(pk))
    waiting, _ = delivery.register(org, receiver.url)
    of_inactive_client, _ = delivery.register(other_org, receiver.url)
    other_org.active = False
    other_org.save()
    publish(1)
    caught_up, _ = delivery.register(org, receiver.url)  # registered after the change

    assert tasks.dispatch() == 1
    assert queued == [waiting.pk]
    assert of_inactive_client.pk not in queued
    assert caught_up.pk not in queued
