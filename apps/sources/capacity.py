"""What the workers can take: the dispatcher's claim follows their slots and their pace.

A fixed batch (50 every 10 s) held the watcher at 5 checks a second whatever the
number of workers (issue 26). Each worker that consumes the checks' queue announces
its pool size (a row of CheckWorker, renewed every ANNOUNCE_SECONDS and removed when
it stops). A claim per slot alone (SOURCES_DISPATCH_PER_SLOT each second) was the
next limit: the workers emptied the queue in a fraction of a second and waited for
the next run (bench 13: pool processes idle two thirds of the time). So each run
also reads the pace: how many claims ended since the last run, per second
(DispatchPace), and keeps SOURCES_QUEUE_SECONDS of checks at that pace queued or
running. Fast checks get a long queue, slow ones (a slow host) a short one, so a
queued check does not wait past its claim. Without a recent pace (the first run, or
after a pause), or when the workers ran dry (fewer checks waiting or running than
slots: the pace then measured what they were given), the claim is at least
SOURCES_DISPATCH_PER_SLOT per slot, as before; otherwise at least a message's worth
per slot (SOURCES_CHECKS_PER_MESSAGE). What is not taken
stays due in the database, where it is not lost with a broker or a worker.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import timedelta

from celery import bootsteps
from django.conf import settings
from django.db.models import Count, Q, Sum
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
    return _open_claims(now or timezone.now())[0]


def _open_claims(now) -> tuple[int, int]:
    """(claims whose planned start has come, all open claims), in one count."""
    from apps.sources.models import Source

    claim = timedelta(seconds=settings.SOURCES_CLAIM_SECONDS)
    counts = Source.objects.filter(active=True, claim_expires_at__gte=now).aggregate(
        started=Count("pk", filter=Q(claim_expires_at__lte=now + claim)), open=Count("pk")
    )
    return counts["started"], counts["open"]


# A pace older than this is not the workers' pace now (a pause, a restart).
PACE_WINDOW = timedelta(seconds=60)


@dataclass
class Plan:
    """A dispatcher run's claim: how many to claim, and what to remember for the next
    run's pace (remember(), with the claims made)."""

    limit: int
    open_claims: int
    now: object

    def remember(self, claimed: int) -> None:
        from apps.sources.models import DispatchPace

        DispatchPace.objects.update_or_create(
            pk=1, defaults={"measured_at": self.now, "claimed": self.open_claims + claimed}
        )


def plan(now=None) -> Plan:
    """How many sources one dispatcher run claims, inside its transaction (the pace's
    row is locked: two dispatchers at once take turns here). With no worker announced
    (an older worker, or none running) it falls back to SOURCES_DISPATCH_BATCH."""
    from apps.sources.models import DispatchPace

    now = now or timezone.now()
    started, open_claims = _open_claims(now)
    total = slots(now)
    if not total:
        return Plan(settings.SOURCES_DISPATCH_BATCH, open_claims, now)
    last = DispatchPace.objects.select_for_update().filter(pk=1).first()
    per_second = pace(last, open_claims, now)
    message_per_slot = total * settings.SOURCES_CHECKS_PER_MESSAGE
    at_pace = math.ceil((per_second or 0) * settings.SOURCES_QUEUE_SECONDS)
    if per_second is None or started < total:
        # No pace, or the workers ran dry (a slot has nothing to do): they ended all they
        # were given, so the pace says what they were given, not what they can take (an
        # idle watcher's is 0).
        target = max(total * settings.SOURCES_DISPATCH_PER_SLOT, at_pace)
    else:
        target = max(message_per_slot, at_pace)
    return Plan(max(0, target - started), open_claims, now)


def pace(last, open_claims: int, now) -> float | None:
    """Claims ended per second since the ``last`` run (checks that reported back, or
    claims that ran out); None when there is no recent run to measure from."""
    if last is None or not (timedelta(0) < now - last.measured_at <= PACE_WINDOW):
        return None
    ended = max(0, last.claimed - open_claims)
    return ended / (now - last.measured_at).total_seconds()


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
