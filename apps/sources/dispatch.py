"""Claiming due sources: many beats or workers, each source checked once per due time.

Steps:
0. How many: what the workers can take (capacity.plan): SOURCES_QUEUE_SECONDS of
   checks at the pace they ended since the last run (SOURCES_DISPATCH_PER_SLOT per
   announced pool slot when no pace is known), less the checks already queued or
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

import functools
from datetime import timedelta
from urllib.parse import urlsplit

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
    with transaction.atomic():
        run = capacity.plan(now)
        limit = limit or run.limit
        if limit <= 0:
            run.remember(0)
            return []  # the workers have enough queued until the next run
        due = list(
            Source.objects.select_for_update(skip_locked=True)
            .filter(
                Q(next_check_at__isnull=True)
                | Q(next_check_at__lte=now)
                | Q(claim_expires_at__lt=now),
                active=True,
            )
            # Longest overdue first, whether by its schedule or by a lost check.
            .order_by(Least("next_check_at", "claim_expires_at").asc(nulls_first=True))
            .values_list(*_CLAIMED)[:limit]
        )
        lost = [row[0] for row in due if row[3] is not None and row[3] < now]
        if lost:
            # Not a failure of the source: its check died with its worker. It is
            # claimed again below, at once, and the loss is counted where editors see it.
            services.record_lost(lost, now)
        planned = _claim(due, now)
        run.remember(len(planned))  # a lost claim had run out: not counted as open before
        return planned


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
            .values_list(*_CLAIMED)
        )
        return _claim(sources, now)


# What a claim reads of a source: rows, not models (10,000 models took a third of a
# claim's time).
_CLAIMED = ("pk", "url", "check_interval_minutes", "claim_expires_at")


def _host(url: str) -> str:
    """Source.host, parsed once per distinct scheme and address (a claim has many
    sources on few hosts)."""
    scheme, _, rest = url.partition("://")
    return _host_of(scheme, rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0])


@functools.lru_cache(maxsize=4096)
def _host_of(scheme: str, netloc: str) -> str:
    return (urlsplit(f"{scheme}://{netloc}/").hostname or "").lower()


def _claim(rows: list[tuple], now) -> list[tuple[int, int]]:
    """Steps 2 to 5 for locked sources (_CLAIMED rows), inside the caller's transaction."""
    from apps.sources.publishing import publish_checks

    hosts = [_host(row[1]) for row in rows]
    slots = _host_slots(set(hosts), now)
    spacing = timedelta(seconds=settings.SOURCES_HOST_SPACING)
    planned = []
    for (source_id, *_), host in zip(rows, hosts, strict=True):
        # The host's next free slot, carried over from earlier runs too.
        start = max(now, slots[host].next_free_at)
        planned.append((source_id, int((start - now).total_seconds())))
        slots[host].next_free_at = start + spacing
    _write_claims(planned, now)
    HostSlot.objects.bulk_update(slots.values(), ["next_free_at"])
    # Inside the transaction, last: if it raises, nothing above is kept (step 5).
    publish_checks(planned)
    return planned


def _write_claims(planned: list[tuple[int, int]], now) -> None:
    """One UPDATE from arrays of ids and delays: bulk_update's CASE WHEN per row grew
    quadratically with the batch (10,000 claims took minutes; bench/RESULTS.md), and
    the times are computed by PostgreSQL, which reads two integer arrays faster than
    psycopg writes two arrays of timestamps."""
    if not planned:
        return
    table = connection.ops.quote_name(Source._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            # Next check: an interval after the planned start, plus up to a tenth of it
            # in jitter, which keeps sources added together from staying in lockstep.
            f"UPDATE {table} AS s SET "  # noqa: S608 - our table name
            "next_check_at = %s + make_interval(secs => v.delay) "
            "+ make_interval(mins => s.check_interval_minutes) * (1 + random() * 0.1), "
            "claim_expires_at = %s + make_interval(secs => v.delay + %s) "
            "FROM unnest(%s::bigint[], %s::int[]) AS v(id, delay) WHERE s.id = v.id",
            [
                now,
                now,
                settings.SOURCES_CLAIM_SECONDS,
                [source_id for source_id, _ in planned],
                [delay for _, delay in planned],
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
