"""Thin Celery wrappers: they take ids and survive redelivery."""

from __future__ import annotations

import random

from celery import shared_task
from django.db import OperationalError

from apps.sources import services
from apps.sources.dispatch import dispatch_due


def _backoff(retries: int) -> float:
    # Exponential with full jitter, capped at ten minutes.
    return random.uniform(0, min(600, 5 * 2**retries))  # noqa: S311


@shared_task(
    name="apps.sources.tasks.check_source",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=6,
    soft_time_limit=120,
    time_limit=150,
)
def check_source_task(self, source_id: int) -> str:
    try:
        return services.check_source(source_id).outcome
    except (services.SourceBusy, OperationalError) as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc


@shared_task(name="apps.sources.tasks.dispatch", acks_late=True, ignore_result=True)
def dispatch_task() -> int:
    return len(dispatch_due())
