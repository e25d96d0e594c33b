"""The rules of apps/webhooks/delivery.py that the delivery stories leave open: the longest
wait between retries, a long backlog handed to a fresh task, what registering and
re-enabling store, and which endpoints the sweep counts as due."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from apps.core.http import AddressRefused, FetchError
from apps.webhooks import delivery, tasks
from apps.webhooks.models import Status, WebhookEndpoint
from tests.webhooks.conftest import publish


@pytest.fixture
def queued(monkeypatch) -> list[tuple[int, float | None]]:
    """The tasks queued (endpoint id, countdown) instead of broker messages."""
    sent: list[tuple[int, float | None]] = []
    monkeypatch.setattr(tasks, "queue", lambda pk, countdown=None: sent.append((pk, countdown)))
    return sent


def test_the_wait_doubles_from_the_first_and_stops_at_the_longest(settings):
    settings.WEBHOOKS_RETRY_SECONDS = 30
    settings.WEBHOOKS_RETRY_MAX_SECONDS = 100
    waits = [delivery.backoff_seconds(failures) for failures in (0, 1, 2, 3, 4)]
    assert waits == [30, 30, 60, 100, 100]


def test_a_backlog_longer_than_one_run_is_handed_to_a_fresh_task(
    endpoint, receiver, queued, settings, monkeypatch
):
    settings.WEBHOOKS_BATCH_SIZE = 1
    monkeypatch.setattr(delivery, "BATCHES_PER_RUN", 2)
    hook, _secret = endpoint
    changes = publish(5)

    outcome = delivery.deliver(hook.pk)
    assert (outcome.state, outcome.deliveries, outcome.more) == (Status.DELIVERED, 2, True)
    assert tasks.deliver(hook.pk) == Status.DELIVERED
    assert queued == [(hook.pk, None)]  # more waits: a fresh task takes it
    assert tasks.deliver(hook.pk) == Status.DELIVERED  # the fifth, and nothing waits
    assert queued == [(hook.pk, None)]
    assert receiver.delivered_ids() == [c.pk for c in changes]


def test_a_run_that_delivers_and_then_fails_says_how_many_it_sent_and_when_to_retry(
    endpoint, receiver, settings
):
    settings.WEBHOOKS_BATCH_SIZE = 1
    settings.WEBHOOKS_RETRY_SECONDS = 45
    receiver.answer(200, 500)
    hook, _secret = endpoint
    publish(2)

    outcome = delivery.deliver(hook.pk)
    assert (outcome.state, outcome.deliveries, outcome.retry_in, outcome.more) == (
        Status.FAILED,
        2,
        45,
        False,
    )


def test_a_run_that_delivered_before_finding_nothing_more_counts_as_delivered(endpoint, receiver):
    hook, _secret = endpoint
    publish(1)
    outcome = delivery.deliver(hook.pk)
    assert (outcome.state, outcome.deliveries, outcome.more) == (Status.DELIVERED, 1, False)
    assert delivery.deliver(hook.pk) == delivery.Outcome("idle", 0)


def test_an_endpoint_is_registered_with_its_kinds_once_each_in_order_and_its_description(
    org, receiver, private_allowed
):
    kinds = ["obligation", "instrument", "obligation"]
    hook, secret = delivery.register(org, receiver.url, kinds, "Our compliance feed")
    stored = WebhookEndpoint.objects.get(pk=hook.pk)
    assert (stored.kinds, stored.description, stored.url) == (
        ["instrument", "obligation"],
        "Our compliance feed",
        receiver.url,
    )
    assert stored.secret == secret and len(secret) >= 32
    assert stored.client == org
    plain, _ = delivery.register(org, receiver.url)
    assert (plain.kinds, plain.description) == ([], "")


def test_re_enabling_clears_the_failures_and_the_reason_and_makes_it_due_at_once(
    endpoint, receiver, settings
):
    settings.WEBHOOKS_DISABLE_AFTER = 2
    receiver.answer(500)
    hook, _secret = endpoint
    publish(1)
    delivery.deliver(hook.pk)
    WebhookEndpoint.objects.filter(pk=hook.pk).update(next_attempt_at=timezone.now())
    delivery.deliver(hook.pk)
    hook.refresh_from_db()
    assert not hook.active and hook.disabled_reason

    delivery.reenable(hook)
    hook.refresh_from_db()
    assert hook.active
    assert (hook.consecutive_failures, hook.disabled_at, hook.disabled_reason) == (0, None, "")
    assert hook.next_attempt_at is None
    assert hook.pk in delivery.due()


def test_an_endpoint_is_due_once_its_backoff_and_its_lease_have_run_out(endpoint, receiver):
    hook, _secret = endpoint
    publish(1)
    now = timezone.now()
    later = now + dt.timedelta(minutes=5)

    def due_with(**state) -> bool:
        WebhookEndpoint.objects.filter(pk=hook.pk).update(**state)
        return hook.pk in delivery.due(now)

    assert due_with(next_attempt_at=None, lease_until=None)
    assert due_with(next_attempt_at=now, lease_until=now)  # both end now: due
    assert not due_with(next_attempt_at=later, lease_until=None)
    assert not due_with(next_attempt_at=None, lease_until=later)


def test_the_sweep_lists_due_endpoints_in_the_order_they_were_registered(
    org, receiver, private_allowed
):
    first, _ = delivery.register(org, receiver.url)
    second, _ = delivery.register(org, receiver.url)
    WebhookEndpoint.objects.filter(pk=first.pk).update(cursor=0)
    WebhookEndpoint.objects.filter(pk=second.pk).update(cursor=0)
    ours = [pk for pk in delivery.due() if pk in {first.pk, second.pk}]
    assert ours == [first.pk, second.pk]


@pytest.mark.parametrize("error", [FetchError, AddressRefused])
def test_a_long_error_is_cut_to_what_the_log_and_the_reason_keep(
    endpoint, receiver, settings, monkeypatch, error
):
    settings.WEBHOOKS_DISABLE_AFTER = 1
    long = "x" * 700

    def failing(*args, **kwargs):
        raise error("connection", long) if error is FetchError else error(long)

    monkeypatch.setattr(delivery.http, "exchange", failing)
    hook, _secret = endpoint
    publish(1)
    delivery.deliver(hook.pk)

    logged = hook.deliveries.get()
    assert logged.error == "x" * 500
    hook.refresh_from_db()
    assert not hook.active
    assert hook.disabled_reason.startswith(
        "disabled after 1 failed deliveries in a row; the last: x"
    )
    assert len(hook.disabled_reason) == 500


def test_a_delivery_names_the_service_that_sends_it(endpoint, receiver):
    # What a receiver's logs and firewall can tell our POSTs apart by.
    hook, _secret = endpoint
    publish(1)
    delivery.deliver(hook.pk)
    [hit] = receiver.received
    assert hit.headers["user-agent"] == "ai-regulation-tracker/1.0 (+webhooks)"


@pytest.mark.parametrize(
    ("status", "state"), [(200, "delivered"), (299, "delivered"), (300, "failed")]
)
def test_only_an_answer_from_200_to_299_is_a_delivery(endpoint, receiver, status, state):
    receiver.answer(status)
    hook, _secret = endpoint
    publish(1)
    assert delivery.deliver(hook.pk).state == state
    assert hook.deliveries.get().status_code == status


def test_the_log_says_how_long_a_delivery_took_in_milliseconds(endpoint, receiver):
    receiver.delay = 0.3
    hook, _secret = endpoint
    publish(1)
    started = time.monotonic()
    delivery.deliver(hook.pk)
    took = (time.monotonic() - started) * 1000

    assert 300 <= hook.deliveries.get().duration_ms <= took


def test_a_failed_delivery_is_logged_as_a_warning_and_a_success_is_not(endpoint, receiver, caplog):
    # A failure is told in the worker's log as it happens; a success only in the deliveries' log.
    receiver.answer(200, 503)
    hook, _secret = endpoint
    caplog.set_level("WARNING", logger="apps.webhooks.delivery")
    publish(1)
    delivery.deliver(hook.pk)
    assert caplog.messages == []

    publish(1)
    delivery.deliver(hook.pk)
    failed = hook.deliveries.order_by("pk").last()
    assert caplog.messages == [
        f"webhook delivery {failed.pk} to endpoint {hook.pk} failed: "
        "HTTP 503 (a 2xx answer is success)"
    ]


def test_a_run_for_an_endpoint_deleted_meanwhile_does_nothing_and_says_inactive(endpoint, receiver):
    hook, _secret = endpoint
    publish(1)
    WebhookEndpoint.objects.filter(pk=hook.pk).delete()
    assert delivery.deliver(hook.pk) == delivery.Outcome("inactive", 0)
    assert receiver.received == []


@pytest.mark.parametrize("ending", ["lease_until", "next_attempt_at"])
def test_a_lease_or_backoff_ending_at_the_instant_of_a_claim_has_run_out_as_due_says(
    endpoint, receiver, ending
):
    hook, _secret = endpoint
    publish(1)
    now = timezone.now()
    WebhookEndpoint.objects.filter(pk=hook.pk).update(**{ending: now})
    assert hook.pk in delivery.due(now)
    assert isinstance(delivery._claim(hook.pk, now), delivery.Attempt)


def test_an_endpoint_of_a_turned_off_client_is_sent_nothing_while_other_clients_are_on(
    endpoint, receiver, other_org
):
    hook, _secret = endpoint
    assert other_org.active
    publish(1)
    hook.client.active = False
    hook.client.save(update_fields=["active"])
    assert delivery.deliver(hook.pk).state == "inactive"
    assert receiver.received == []


def test_a_payload_that_cannot_be_built_is_logged_naming_its_endpoint_with_the_cause(
    endpoint, receiver, monkeypatch, caplog, settings
):
    # A fault of ours: the worker's log carries the traceback the deliveries' log leaves out.
    def broken(changes, request=None):
        raise LookupError("no stable id")

    settings.WEBHOOKS_DISABLE_AFTER = 1
    monkeypatch.setattr(delivery, "items", broken)
    hook, _secret = endpoint
    publish(1)
    delivery.deliver(hook.pk)

    hook.refresh_from_db()
    assert hook.disabled_reason.endswith("the last: the payload could not be built: LookupError")

    [record] = [r for r in caplog.records if r.name == "apps.webhooks.delivery"]
    assert record.getMessage() == f"webhook payload for endpoint {hook.pk} failed"
    assert record.exc_info[0] is LookupError


def test_a_lost_delivery_that_disables_the_endpoint_is_the_reason_given(
    endpoint, receiver, settings
):
    settings.WEBHOOKS_DISABLE_AFTER = 1
    hook, _secret = endpoint
    publish(1)
    assert isinstance(delivery._claim(hook.pk, timezone.now()), delivery.Attempt)
    # The worker dies before the POST; its lease lapses.
    WebhookEndpoint.objects.filter(pk=hook.pk).update(lease_until=timezone.now())

    assert delivery.deliver(hook.pk).state == "inactive"
    hook.refresh_from_db()
    assert hook.disabled_reason.endswith(f"the last: {delivery.LOST}")


def test_re_enabling_an_endpoint_turned_off_while_backing_off_ends_the_wait(endpoint, receiver):
    receiver.answer(500)
    hook, _secret = endpoint
    publish(1)
    delivery.deliver(hook.pk)  # one failure: a retry waits
    WebhookEndpoint.objects.filter(pk=hook.pk).update(active=False)  # turned off by hand

    delivery.reenable(hook)
    hook.refresh_from_db()
    assert hook.next_attempt_at is None
    assert hook.pk in delivery.due()
