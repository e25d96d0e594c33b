"""Thin Celery wrappers around the portal's background work."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


@shared_task(name="apps.portal.tasks.send_digests", ignore_result=True, soft_time_limit=600)
def send_digests() -> int:
    """Email each due reader the changes on what they follow that they have not had yet."""
    from apps.portal import watching

    return watching.send_digests(site_url=settings.SITE_URL)
