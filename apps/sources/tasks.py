"""Thin Celery wrappers: they take ids and survive redelivery.

A check ends in a recorded outcome whatever happens inside it: a time limit or an
unexpected error is a failed check (health, last error, broken after N), never only
a task error in a worker's log. A check that ends releases its dispatcher's claim.
"""

from __future__ import annotations

import logging
import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, OperationalError, connection

from apps.sources import claims, services
from apps.sources.dispatch import dispatch_due
from apps.sources.models import Source

logger = logging.getLogger(__name__)


def _backoff(retries: int) -> float:
    # Exponential with full jitter, capped at ten minutes.
    return random.uniform(0, min(600, 5 * 2**retries))  # noqa: S311


def limits() -> dict[str, int]:
    """The check's time limits from the settings as they are now. A message carries the
    limits its sender gave it, so whoever queues a check passes these (see dispatch.py)."""
    soft = settings.SOURCES_CHECK_SOFT_SECONDS
    # The 30 s past the soft limit are for recording the failure.
    return {"soft_time_limit": soft, "time_limit": soft + 30}


def _record_failure(source_id: int, reason: str) -> str:
    try:
        return services.record_failure(source_id, reason).outcome
    except DatabaseError:
        # The limit may have fired inside a query and left the connection unusable;
        # a new one records the failure (the advisory lock went with the old session).
        connection.close()
        return services.record_failure(source_id, reason).outcome


@shared_task(
    name="apps.sources.tasks.check_source",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=6,
    **limits(),
)
def check_source_task(self, source_id: int) -> str:
    release = True  # the claim ends with the check, unless a retry carries it on
    try:
        result = services.check_source(source_id)
        # A success already ended the claim in its own write: one commit fewer.
        release = not result.claim_ended
        return result.outcome
    except (services.SourceBusy, OperationalError) as exc:
        if self.request.retries < self.max_retries:
            # Not an end: the retry is this same check, and keeps the claim.
            release = False
            raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
        return _record_failure(
            source_id, f"gave up after {self.max_retries} retries: {type(exc).__name__}: {exc}"
        )
    except Source.DoesNotExist:
        # Deleted after its check was queued: nothing to check, nothing to record.
        logger.info("source %s: deleted before its check ran", source_id)
        return "deleted"
    except SoftTimeLimitExceeded:
        logger.warning("source %s: check stopped at its time limit", source_id)
        # The limit in force is the one its message carries: (hard, soft).
        soft = (self.request.timelimit or (None, None))[1] or settings.SOURCES_CHECK_SOFT_SECONDS
        return _record_failure(source_id, f"the check took longer than {soft:g} s and was stopped")
    except Exception as exc:
        # A fault of ours or of a library on hostile content: recorded, and logged
        # with its traceback for whoever fixes it.
        logger.exception("source %s: check failed unexpectedly", source_id)
        return _record_failure(source_id, f"unexpected error: {type(exc).__name__}: {exc}")
    finally:
        if release:
            claims.release(source_id)


@shared_task(name="apps.sources.tasks.dispatch", acks_late=True, ignore_result=True)
def dispatch_task() -> int:
    return len(dispatch_due())


@shared_task(name="apps.sources.tasks.prune_snapshots", ignore_result=True)
def prune_snapshots() -> None:
    """Daily: snapshots older than SOURCES_SNAPSHOT_KEEP_DAYS (apps.sources.pruning)."""
    from apps.sources.pruning import prune_snapshots as prune

    pruned = prune()
    logger.info("source snapshots: %d removed, %d emptied", pruned.deleted, pruned.emptied)
