"""The delivery log is pruned by age (issue 27), and never loses a retry's record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.webhooks.models import Status, WebhookDelivery, WebhookEndpoint
from apps.webhooks.pruning import prune_deliveries

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def _endpoint(org, cursor: int, **fields) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        client=org, url="https://hooks.example.org/in", secret="s" * 64, cursor=cursor, **fields
    )


def _delivery(endpoint, status, changes, days_ago, name) -> tuple[str, int]:
    started = NOW - dt.timedelta(days=days_ago)
    row = WebhookDelivery.objects.create(
        endpoint=endpoint,
        change_ids=changes,
        status=status,
        started_at=started,
        finished_at=None if status == Status.PENDING else started + dt.timedelta(seconds=1),
        error=name,
    )
    return name, row.pk


def _left() -> set[str]:
    return set(WebhookDelivery.objects.values_list("error", flat=True))


def test_old_finished_deliveries_go_and_those_still_being_retried_stay(org, settings):
    settings.WEBHOOKS_DELIVERY_KEEP_DAYS = 30
    hook = _endpoint(org, cursor=10, consecutive_failures=2)
    disabled = _endpoint(org, cursor=3, active=False, disabled_at=NOW, consecutive_failures=8)
    _delivery(hook, Status.DELIVERED, [9, 10], 100, "old delivered")
    _delivery(hook, Status.FAILED, [5, 6], 100, "old failure later delivered")
    _delivery(hook, Status.FAILED, [11, 12], 100, "old failure still retried")
    _delivery(hook, Status.REFUSED, [11], 100, "old refusal still retried")
    _delivery(hook, Status.PENDING, [11, 12], 100, "pending")
    _delivery(disabled, Status.FAILED, [4], 100, "owed to a disabled endpoint")
    _delivery(hook, Status.DELIVERED, [7, 8], 10, "recent delivered")

    assert prune_deliveries(now=NOW) == 2
    assert _left() == {
        "old failure still retried",
        "old refusal still retried",
        "pending",
        "owed to a disabled endpoint",
        "recent delivered",
    }

    # A shorter setting takes the recent one too, and still no retry's record.
    assert prune_deliveries(now=NOW, keep_days=5) == 1
    assert "recent delivered" not in _left() and "pending" in _left()


def test_a_failure_goes_once_a_later_delivery_has_carried_its_changes(org):
    hook = _endpoint(org, cursor=0, consecutive_failures=1)
    _delivery(hook, Status.FAILED, [1, 2], 200, "failed")
    assert prune_deliveries(now=NOW, keep_days=90) == 0

    hook.cursor = 2  # a retry delivered them
    hook.save(update_fields=["cursor"])
    assert prune_deliveries(now=NOW, keep_days=90) == 1
