"""Only a 2xx answer is a delivery, and nothing is sent for a client that was turned off
after its retry was queued."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.webhooks import tasks
from apps.webhooks.models import Status, WebhookEndpoint
from tests.webhooks.conftest import publish


@pytest.fixture
def retries(monkeypatch) -> list[tuple[int, int]]:
    scheduled: list[tuple[int, int]] = []
    monkeypatch.setattr(tasks, "schedule_retry", lambda pk, delay: scheduled.append((pk, delay)))
    return scheduled


def redirect_to_elsewhere(handler, status: int) -> None:
    # What a moved receiver (or a hostile one) answers: a redirect to another URL,
    # which the service must not follow (only the registered URL was judged).
    handler.send_response(status)
    handler.send_header("Location", "/elsewhere")
    handler.send_header("Content-Length", "0")
    handler.end_headers()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_receiver_answering_a_redirect_has_not_been_delivered_to(
    endpoint, receiver, retries, status
):
    receiver.respond = redirect_to_elsewhere
    receiver.answer(status)
    hook, _secret = endpoint
    before = WebhookEndpoint.objects.get(pk=hook.pk).cursor
    publish(1)

    assert tasks.deliver(hook.pk) == Status.FAILED

    hook.refresh_from_db()
    attempt = hook.deliveries.get()
    assert (attempt.status, attempt.status_code) == (Status.FAILED, status)
    assert f"HTTP {status}" in attempt.error
    assert hook.cursor == before  # the change is still owed
    assert hook.consecutive_failures == 1 and retries  # and will be sent again
    assert [r.path for r in receiver.received] == ["/hook"]  # the redirect was not followed


@pytest.mark.parametrize("turn_off", ["client", "endpoint"])
def test_a_retry_queued_before_its_client_was_disabled_delivers_nothing(
    endpoint, receiver, retries, turn_off
):
    receiver.answer(500, 200)
    hook, _secret = endpoint
    publish(1)
    assert tasks.deliver(hook.pk) == Status.FAILED
    assert retries == [(hook.pk, retries[0][1])]  # a retry is queued

    if turn_off == "client":
        hook.client.active = False
        hook.client.save(update_fields=["active"])
    else:
        WebhookEndpoint.objects.filter(pk=hook.pk).update(active=False)
    # The queued retry comes due and runs: the receiver would now accept it.
    WebhookEndpoint.objects.filter(pk=hook.pk).update(next_attempt_at=timezone.now())

    assert tasks.deliver(hook.pk) == "inactive"
    assert len(receiver.received) == 1
    # The failure before stays in the log; no new attempt was recorded.
    assert list(hook.deliveries.values_list("status", flat=True)) == [Status.FAILED]
