"""Claiming due sources: many beats or workers, each source checked once per due time.

Steps:
0. How many: what the workers can take (capacity.dispatch_limit): their announced
   pool slots times SOURCES_DISPATCH_PER_SLOT, less the checks already queued or
   running, so the claim grows with the workers instead of a fixed batch.
1. In one transaction, lock up to `limit` due, active sources with
   SELECT ... FOR UPDATE SKIP LOCKED (a second dispatcher skips them). A source is
   due when its next_check_at has come, or when its last claimed check has not
   reported back by claim_expires_at (its worker died or the message was lost).
2. Move each one's next_check_at forward by its interval, so it is no longer due.
3. Spread requests to one host over time: each host has a next free slot
   (HostSlot, locked for the transaction, so concurrent dispatchers share it);
   a check waits for its host's slot, which then moves SOURCES_HOST_SPACING on.
4. Claim it until its planned start plus SOURCES_CLAIM_SECONDS; the check releases
   the claim when it ends (claims.release). A lost check is retried at once and
   counted as lost, not as a failure (services.record_lost).
5. Queue one check per claimed source in one broker round trip (publishing.py),
   before the transaction commits: a publication that fails rolls the claim back,
   so its sources are due again at once, not after SOURCES_CLAIM_SECONDS. A check
   that runs before the commit waits for it at its first write to the source (the
   claim's row lock), so it still ends the claim; a crash after the publication
   and before the commit at worst checks a source twice, which stores nothing twice
   (services.py).

An editor's "Check now" (check_now) claims the sources it names through the same
steps 2 to 5: it queues at once, but still in its host's turn.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Least
from django.utils import timezone

from apps.sources import capacity, services
from apps.sources.models import HostSlot, Source


def dispatch_due(*, limit: int | None = None, now=None) -> list[tuple[int, int]]:
    """Claim due sources and queue their checks; returns (source id, delay seconds) pairs."""
    now = now or timezone.now()
    limit = limit or capacity.dispatch_limit(now)
    if limit <= 0:
        return []  # the workers have enough queued until the next run
    with transaction.atomic():
        due = list(
            Source.objects.select_for_update(skip_locked=True)
            .filter(
                Q(next_check_at__isnull=True)
                | Q(next_check_at__lte=now)
                | Q(claim_expires_at__lt=now),
                active=True,
            )
            # Longest overdue first, whether by its schedule or by a lost check.
            .order_by(Least("next_check_at", "claim_expires_at").asc(nulls_first=True))[:limit]
        )
        lost = [s.pk for s in due if s.claim_expires_at is not None and s.claim_expires_at < now]
        if lost:
            # Not a failure of the source: its check died with its worker. It is
            # claimed again below, at once, and the loss is counted where editors see it.
            services.record_lost(lost, now)
        return _claim(due, now)


def check_now(source_ids: list[int], *, now=None) -> list[tuple[int, int]]:
    """Queue a check of each named source now, in its host's turn; returns (id, delay) pairs.

    Paused sources, and sources whose claimed check has not reported back yet
    (it is queued or running), are left out: the caller says why.
    """
    now = now or timezone.now()
    with transaction.atomic():
        sources = list(
            Source.objects.select_for_update()
            .filter(pk__in=source_ids, active=True)
            .exclude(claim_expires_at__gte=now)
            .order_by("pk")
        )
        return _claim(sources, now)


def _claim(sources: list[Source], now) -> list[tuple[int, int]]:
    """Steps 2 to 5 for locked sources, inside the caller's transaction."""
    from apps.sources.publishing import publish_checks

    slots = _host_slots({source.host for source in sources}, now)
    planned = []
    for source in sources:
        # The host's next free slot, carried over from earlier runs too.
        start = max(now, slots[source.host].next_free_at)
        delay = int((start - now).total_seconds())
        slots[source.host].next_free_at = start + timedelta(seconds=settings.SOURCES_HOST_SPACING)
        # A little jitter keeps sources added together from staying in lockstep.
        jitter = random.uniform(0, 0.1) * source.check_interval_minutes * 60  # noqa: S311
        source.next_check_at = now + timedelta(
            minutes=source.check_interval_minutes, seconds=delay + jitter
        )
        source.claim_expires_at = start + timedelta(seconds=settings.SOURCES_CLAIM_SECONDS)
        planned.append((source.pk, delay))
    _write_claims(sources)
    HostSlot.objects.bulk_update(slots.values(), ["next_free_at"])
    # Inside the transaction, last: if it raises, nothing above is kept (step 5).
    publish_checks(planned)
    return planned


def _write_claims(sources: list[Source]) -> None:
    """One UPDATE from arrays: bulk_update's CASE WHEN per row grew quadratically with
    the batch (10,000 claims took minutes; bench/RESULTS.md)."""
    if not sources:
        return
    table = connection.ops.quote_name(Source._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS s SET next_check_at = v.next_check_at, "  # noqa: S608 - our table name
            "claim_expires_at = v.claim_expires_at "
            "FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) "
            "AS v(id, next_check_at, claim_expires_at) WHERE s.id = v.id",
            [
                [s.pk for s in sources],
                [s.next_check_at for s in sources],
                [s.claim_expires_at for s in sources],
            ],
        )


def _host_slots(hosts: set[str], now) -> dict[str, HostSlot]:
    existing = {slot.host for slot in HostSlot.objects.filter(host__in=hosts)}
    HostSlot.objects.bulk_create(
        [HostSlot(host=host, next_free_at=now) for host in sorted(hosts - existing)],
        ignore_conflicts=True,
    )
    # Sorted locking: two dispatchers never wait on each other in a cycle.
    return {
        slot.host: slot
        for slot in HostSlot.objects.select_for_update().filter(host__in=hosts).order_by("host")
    }
