"""What the workers can take: the dispatcher's claim follows the pool slots that run checks.

A fixed batch (50 every 10 s) held the watcher at 5 checks a second whatever the
number of workers (issue 26). Now each worker that consumes the checks' queue
announces its pool size (a row of CheckWorker, renewed every ANNOUNCE_SECONDS
and removed when it stops), and each dispatcher run claims up to
SOURCES_DISPATCH_PER_SLOT checks for each slot, less the checks already queued
or running. The subtraction keeps the queue bounded when the workers are slower
than that (slow hosts): what is not taken stays due in the database, where it
is not lost with a broker or a worker.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import bootsteps
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

logger = logging.getLogger(__name__)

ANNOUNCE_SECONDS = 30
# An announcement older than this is a worker gone without saying so (SIGKILL).
STALE_AFTER = timedelta(seconds=3 * ANNOUNCE_SECONDS)


def slots(now=None) -> int:
    """The pool slots of the workers that take checks and announced themselves lately."""
    from apps.sources.models import CheckWorker

    now = now or timezone.now()
    fresh = CheckWorker.objects.filter(seen_at__gte=now - STALE_AFTER)
    return fresh.aggregate(total=Sum("slots"))["total"] or 0


def outstanding(now=None) -> int:
    """Checks claimed whose planned start has come and that have not reported back:
    queued or running now. Later starts (a host's turn) hold no slot yet."""
    from apps.sources.models import Source

    now = now or timezone.now()
    claim = timedelta(seconds=settings.SOURCES_CLAIM_SECONDS)
    return Source.objects.filter(
        active=True, claim_expires_at__gte=now, claim_expires_at__lte=now + claim
    ).count()


def dispatch_limit(now=None) -> int:
    """How many sources one dispatcher run claims. With no worker announced (an
    older worker, or none running) it falls back to SOURCES_DISPATCH_BATCH."""
    now = now or timezone.now()
    total = slots(now)
    if not total:
        return settings.SOURCES_DISPATCH_BATCH
    return max(0, total * settings.SOURCES_DISPATCH_PER_SLOT - outstanding(now))


def announce(hostname: str, pool_slots: int, now=None) -> None:
    from apps.sources.models import CheckWorker

    now = now or timezone.now()
    CheckWorker.objects.update_or_create(
        hostname=hostname, defaults={"slots": pool_slots, "seen_at": now}
    )
    # Gone without saying so: dropped here so that the table stays small.
    CheckWorker.objects.filter(seen_at__lt=now - 10 * STALE_AFTER).delete()


def withdraw(hostname: str) -> None:
    from apps.sources.models import CheckWorker

    CheckWorker.objects.filter(hostname=hostname).delete()


class AnnounceCapacity(bootsteps.StartStopStep):
    """A worker step (tracker/celery.py): announce this worker's pool slots while it
    consumes the checks' queue, on its own timer, in its main process."""

    requires = {"celery.worker.components:Timer", "celery.worker.components:Pool"}

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self.timer_ref = None
        self.hostname = ""

    def start(self, worker) -> None:
        from apps.sources.tasks import check_source_task

        check_queue = worker.app.amqp.router.route({}, check_source_task.name)["queue"].name
        if check_queue not in worker.app.amqp.queues.consume_from:
            return  # a worker for other queues: it takes no checks
        self.hostname, pool_slots = worker.hostname, worker.concurrency
        self._run(announce, self.hostname, pool_slots)
        self.timer_ref = worker.timer.call_repeatedly(
            ANNOUNCE_SECONDS, self._run, (announce, self.hostname, pool_slots)
        )

    def stop(self, worker) -> None:
        if self.timer_ref is not None:
            self.timer_ref.cancel()
            self.timer_ref = None
        if self.hostname:
            self._run(withdraw, self.hostname)

    @staticmethod
    def _run(function, *args) -> None:
        from django.db import DatabaseError, connection

        try:
            function(*args)
        except DatabaseError:
            # The database is down or restarting: the next announcement tries again,
            # and meanwhile the dispatcher falls back to its fixed batch.
            logger.warning("could not announce the worker's check capacity", exc_info=True)
        finally:
            # The main process forks the pool: it keeps no connection to hand down.
            connection.close()
