"""Thin Celery wrappers around the record's own jobs."""

from __future__ import annotations

from celery import shared_task


# Registered under the name it had in apps.cases: beat's schedule and messages already
# queued by a running deployment keep reaching it.
@shared_task(name="apps.cases.tasks.refresh_statuses", ignore_result=True)
def refresh_statuses() -> int:
    """Statuses move with the calendar (a date of application arrives): re-derive them."""
    from apps.record.services import refresh_statuses as refresh

    return refresh()
