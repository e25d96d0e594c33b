"""The daily bulk snapshot (tracker/celery.py schedules it)."""

from __future__ import annotations

import logging

from celery import shared_task

from apps.api import snapshots

logger = logging.getLogger(__name__)


@shared_task(name="apps.api.tasks.cut_snapshot", ignore_result=True)
def cut_snapshot() -> str:
    """Write today's snapshot, then remove those older than SNAPSHOTS_KEEP_DAYS."""
    made = snapshots.cut()
    removed = snapshots.prune()
    logger.info("snapshot %s written; %d old ones removed", made.name, len(removed))
    return made.name
