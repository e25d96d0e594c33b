"""Thin Celery wrappers around the cases app's side effects."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.mail import send_mail

logger = logging.getLogger(__name__)


@shared_task(
    name="apps.cases.tasks.send_notification",
    bind=True,
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=60,
)
def send_notification(self, to: list[str], subject: str, body: str) -> None:
    """Send one case notification; a mail server that is down is retried with backoff."""
    try:
        send_mail(subject, body, None, to)
    except OSError:
        logger.warning(
            "case notification not sent (attempt %d): %s", self.request.retries + 1, subject
        )
        raise


@shared_task(name="apps.cases.tasks.refresh_statuses", ignore_result=True)
def refresh_statuses() -> int:
    """Statuses move with the calendar (a date of application arrives): re-derive them."""
    from apps.cases.record import refresh_statuses as refresh

    return refresh()
