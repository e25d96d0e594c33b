"""Thin Celery wrappers: they take ids and survive redelivery.

A check ends in a recorded outcome whatever happens inside it: a time limit or an
unexpected error is a failed check (health, last error, broken after N), never only
a task error in a worker's log. A check that ends releases its dispatcher's claim.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
import time
from collections import Counter

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, OperationalError, connection

from apps.sources import claims, deadline, services
from apps.sources.dispatch import dispatch_due
from apps.sources.models import Source

logger = logging.getLogger(__name__)


def _backoff(retries: int) -> float:
    # Exponential with full jitter, capped at ten minutes.
    return random.uniform(0, min(600, 5 * 2**retries))  # noqa: S311


# What a stopped check may take to record its failure, past its soft limit.
RECORDING_SECONDS = 30


def limits() -> dict[str, int]:
    """The check's time limits from the settings as they are now. A message carries the
    limits its sender gave it, so whoever queues a check passes these (see dispatch.py)."""
    soft = settings.SOURCES_CHECK_SOFT_SECONDS
    # The 30 s past the soft limit are for recording the failure.
    return {"soft_time_limit": soft, "time_limit": soft + RECORDING_SECONDS}


def batch_limits() -> dict[str, int]:
    """A batch's limit, a backstop only: each check has its own, and a batch starts no
    check that could outlive its claim, so it ends before its claim does."""
    return {"time_limit": settings.SOURCES_CLAIM_SECONDS + RECORDING_SECONDS}


def _unlock(source_id: int) -> None:
    """After a time limit: the limit may have come between the check's advisory lock
    and its unlock (services.check_source), and the next check in this process must
    not find the source busy. A connection the limit broke is closed, which frees it too."""
    try:
        # False, with a warning in PostgreSQL's log, when the check's own unlock ran.
        services.unlock(source_id)
    except DatabaseError:
        connection.close()


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
    """One check, under the task's own time limit (Celery's soft limit): the retry of
    a busy source, or a message queued before checks came in batches."""

    def busy(exc: Exception) -> tuple[str, bool]:
        if self.request.retries < self.max_retries:
            # Not an end: the retry is this same check, and keeps the claim.
            raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
        reason = f"gave up after {self.max_retries} retries: {type(exc).__name__}: {exc}"
        return _record_failure(source_id, reason), False

    # The limit in force is the one its message carries: (hard, soft).
    soft = (self.request.timelimit or (None, None))[1] or settings.SOURCES_CHECK_SOFT_SECONDS
    return _check_one(source_id, busy, soft)


@shared_task(
    name="apps.sources.tasks.check_batch",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    **batch_limits(),
)
def check_batch_task(self, source_ids: list[int], planned_at: float) -> dict[str, int]:
    """Checks of sources planned to start together, one after another, each under a
    time limit of its own (deadline.py), in one message.

    A message costs a pool process more than an unchanged check does (fetching it,
    handing it to the process, acknowledging it: five sixths of a process's time in
    bench 13 when each check had its own). ``planned_at`` is the checks' planned start
    (a Unix time): their claims run out SOURCES_CLAIM_SECONDS after it, so a check
    that could no longer end by then is not started but handed back, due again at once.
    """
    ids = [int(source_id) for source_id in source_ids]
    if (self.request.delivery_info or {}).get("redelivered"):
        # A worker died in this batch: the checks that ended released their claims.
        ids = claims.still_claimed(ids)
    soft = settings.SOURCES_CHECK_SOFT_SECONDS
    # A check started later than this could still run, at its limit, when its claim ends.
    last_start = planned_at + settings.SOURCES_CLAIM_SECONDS - soft
    outcomes: Counter[str] = Counter()
    for position, source_id in enumerate(ids):
        if time.time() > last_start:
            claimed_until = dt.datetime.fromtimestamp(
                planned_at + settings.SOURCES_CLAIM_SECONDS + 1, tz=dt.UTC
            )
            outcomes["handed back"] = claims.hand_back(ids[position:], claimed_until)
            break
        outcomes[_check_one(source_id, functools.partial(_requeue, source_id), soft)] += 1
    return dict(outcomes)


def _requeue(source_id: int, exc: Exception) -> tuple[str, bool]:
    """A busy source in a batch: a check of its own, which retries and keeps the claim."""
    try:
        check_source_task.apply_async(args=[source_id], countdown=_backoff(0), **limits())
    except Exception as queueing:
        logger.exception("source %s: could not queue the retry of a busy check", source_id)
        reason = f"{type(exc).__name__}: {exc}; its retry could not be queued: {queueing}"
        return _record_failure(source_id, reason), False
    return "retried", True


def _check_one(source_id: int, busy, soft: float) -> str:
    """One check, ended in a recorded outcome whatever happens in it. Its claim ends
    with it, unless ``busy`` (the source is being checked elsewhere, or the database
    failed) retries it: busy(exc) returns (outcome, whether the claim goes on)."""
    release = True
    try:
        with deadline.check_time_limit(soft):
            result = services.check_source(source_id)
        # A success already ended the claim in its own write: one commit fewer.
        release = not result.claim_ended
        return result.outcome
    except (services.SourceBusy, OperationalError) as exc:
        release = False  # a retry raised by busy carries the claim on
        outcome, goes_on = busy(exc)
        release = not goes_on
        return outcome
    except Source.DoesNotExist:
        # Deleted after its check was queued: nothing to check, nothing to record.
        logger.info("source %s: deleted before its check ran", source_id)
        return "deleted"
    except (SoftTimeLimitExceeded, deadline.CheckTimeLimit):
        logger.warning("source %s: check stopped at its time limit", source_id)
        _unlock(source_id)
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
