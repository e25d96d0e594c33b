from celery import shared_task

from apps.amendments.status import refresh_all_statuses


@shared_task(name="apps.amendments.tasks.refresh_statuses", ignore_result=True)
def refresh_statuses() -> int:
    """Statuses move with the calendar (a date of application arrives): refresh the cache."""
    return refresh_all_statuses()
