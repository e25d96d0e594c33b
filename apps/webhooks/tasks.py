"""Thin Celery wrappers: a publication (or beat's sweep) dispatches, one task per endpoint.

Each endpoint gets a task of its own, so a slow receiver holds one worker
process for its time budget at most and never delays the others.
"""

from __future__ import annotations

import logging

from celery import shared_task

from apps.webhooks import delivery

logger = logging.getLogger(__name__)


def limits() -> dict[str, float]:
    """Time limits from the settings as they are now (a message carries its sender's);
    a backstop only: the POST's own budget ends it first."""
    soft = delivery.budget_seconds() + 30
    return {"soft_time_limit": soft, "time_limit": soft + 30}


def queue(endpoint_id: int, countdown: float | None = None) -> None:
    deliver.apply_async((endpoint_id,), countdown=countdown, **limits())


def schedule_retry(endpoint_id: int, delay: int) -> None:
    # Our own schedule rather than Celery's retry: the count that disables an
    # endpoint is stored on it, so it survives lost messages and restarts.
    queue(endpoint_id, countdown=delay)


@shared_task(name="apps.webhooks.tasks.deliver", ignore_result=True, acks_late=True)
def deliver(endpoint_id: int) -> str:
    outcome = delivery.deliver(endpoint_id)
    if outcome.retry_in is not None:
        schedule_retry(endpoint_id, outcome.retry_in)
    elif outcome.more:
        queue(endpoint_id)
    return outcome.state


@shared_task(name="apps.webhooks.tasks.dispatch", ignore_result=True)
def dispatch() -> int:
    """Queue a delivery for every endpoint with changes waiting (after a publication,
    and from beat every WEBHOOKS_SWEEP_SECONDS to catch whatever was missed)."""
    ids = delivery.due()
    for endpoint_id in ids:
        queue(endpoint_id)
    return len(ids)


@shared_task(name="apps.webhooks.tasks.prune_deliveries", ignore_result=True)
def prune_deliveries() -> int:
    """Daily: the delivery log older than WEBHOOKS_DELIVERY_KEEP_DAYS, retries' records kept."""
    from apps.webhooks.pruning import prune_deliveries as prune

    removed = prune()
    logger.info("webhook delivery log: %d old deliveries removed", removed)
    return removed
