"""One check of one source, safe to run twice or concurrently.

Steps:
1. Take a PostgreSQL advisory lock for the source (session level, so a
   worker that dies releases it with its connection). Busy: someone else is
   checking it; the caller retries later.
2. In the same round trip, a statement after the lock's, read the source with its
   latest snapshot's sequence and hash, but not that snapshot's text or body. The
   attempt is recorded by the check's outcome write (success or failure), not here:
   one write fewer.
3. Fetch through the guarded client with the stored ETag/Last-Modified.
4. Extract and normalise the text for the source's kind; a feed's text is
   merged with the items already seen (the one case that reads the latest
   text before hashing), so an item that scrolled off the first page is not
   a removal.
5. Same hash as the latest snapshot (or a 304): record success, store nothing.
   An unchanged check or a 304 is two round trips to the database (lock and read;
   success, commit and unlock) and one committed write, the success, whose commit
   does not wait for the disk (_UNCHANGED; issue 26: it was four round trips and
   two writes, each waiting).
6. New hash: in one transaction store the snapshot (next sequence number,
   unique per source), load the previous snapshot for the diff, store the
   change (unique per snapshot), then signal it. A concurrent or repeated run
   hits the unique constraints and stores nothing.
Fetch and extraction errors count toward the source's health; a source is
reported broken after SOURCES_BROKEN_AFTER failures in a row, or at once when
its selector matches nothing, never as a content change.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from apps.sources import diffing
from apps.sources.extraction import Extracted, ExtractionError, extract
from apps.sources.fetching import FetchError, fetch
from apps.sources.models import Change, Kind, Snapshot, Source
from apps.sources.proposals import proposals_for
from apps.sources.signals import change_detected, source_broken

logger = logging.getLogger(__name__)
_LOCK_NAMESPACE = 0x5352  # "SR": keeps our advisory locks apart from others
FEED_MEMORY = 2000  # items remembered per feed


class SourceBusy(Exception):
    """Another worker is checking this source right now."""


@dataclass
class CheckResult:
    outcome: str  # "changed", "unchanged", "not_modified", "baseline", "failed", "broken", "paused"
    change: Change | None = None
    detail: str = ""

    @property
    def claim_ended(self) -> bool:
        """The check's own success write ended the dispatcher's claim (_succeeded)."""
        return self.outcome in {"changed", "unchanged", "not_modified", "baseline"} and (
            not self.detail
        )


@dataclass
class _Lock:
    """A source's check lock, held by this session until ``release`` (or until the
    unchanged write releases it with its own statement: ``released``)."""

    source_id: int
    released: bool = False

    def release(self) -> None:
        if not self.released:
            unlock(self.source_id)
            self.released = True


_UNLOCK = "SELECT pg_advisory_unlock(%s, %s)"


def unlock(source_id: int) -> None:
    """Release this session's check lock on ``source_id`` (nothing if it holds none)."""
    with connection.cursor() as cursor:
        cursor.execute(_UNLOCK, [_LOCK_NAMESPACE, source_id])


def check_source(source_id: int) -> CheckResult:
    now = timezone.now()
    lock = _Lock(source_id)
    try:
        source = _lock_and_start(lock, now)
        if source is None:
            Source.objects.get(pk=source_id)  # DoesNotExist for a deleted source
            return CheckResult("paused")
        return _check(source, now, lock)
    finally:
        lock.release()


# Reads the source with its latest snapshot's sequence and hash in one round trip.
# A read, not a write: the attempt's time goes into the outcome's write. The
# snapshot's text and body stay in the database.
_START_CHECK = """
    SELECT sources_source.*,
        (SELECT sequence FROM sources_snapshot WHERE source_id = sources_source.id
         ORDER BY sequence DESC LIMIT 1) AS latest_sequence,
        (SELECT content_hash FROM sources_snapshot WHERE source_id = sources_source.id
         ORDER BY sequence DESC LIMIT 1) AS latest_hash
    FROM sources_source WHERE id = %s AND active
"""


def _lock_and_start(lock: _Lock, now) -> Source | None:
    """Take the source's check lock, then read the active source with
    ``latest_sequence`` and ``latest_hash`` (None before the first snapshot), in one
    round trip: two statements, the read after the lock, so it sees what the previous
    holder wrote (each statement reads what was committed before it began). None when
    the source is paused or gone. ``attempted_at`` is ``now``, for the outcome's write.
    Raises SourceBusy when another session holds the lock."""
    source_id = lock.source_id
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_try_advisory_lock(%s, %s); {_START_CHECK}", [
            _LOCK_NAMESPACE, source_id, source_id
        ])  # fmt: skip
        if not cursor.fetchone()[0]:
            lock.released = True  # never held: nothing to release
            raise SourceBusy(f"source {source_id} is being checked elsewhere")
        cursor.nextset()
        row = cursor.fetchone()
        names = [column.name for column in cursor.description]
    if row is None:
        return None
    # By column name: the table's column order is its migrations', not the model's.
    by_column = dict(zip(names, row, strict=True))
    fields = Source._meta.concrete_fields
    source = Source.from_db(
        connection.alias, [f.attname for f in fields], [by_column[f.column] for f in fields]
    )
    source.latest_sequence = by_column["latest_sequence"]
    source.latest_hash = by_column["latest_hash"]
    source.attempted_at = now
    return source


def _check(source: Source, now, lock: _Lock | None = None) -> CheckResult:
    has_latest = source.latest_sequence is not None
    try:
        result = fetch(
            source.url,
            etag=source.etag or None,
            last_modified=source.last_modified or None,
            allow_private=settings.SOURCES_ALLOW_PRIVATE,
            timeout=settings.SOURCES_FETCH_TIMEOUT,
            max_bytes=settings.SOURCES_MAX_BYTES,
        )
        if result.not_modified and has_latest:
            _unchanged(source, result.etag, result.last_modified, lock)
            return CheckResult("not_modified")
        extracted = extract(
            source.kind, result.body, selector=source.selector, ignore=source.ignore
        )
    except (FetchError, ExtractionError) as exc:
        return _failed(source, str(exc))
    if not extracted.matched:
        return _broken(source, f"the selector {source.selector!r} matched nothing")
    previous = None
    if source.kind == Kind.FEED and has_latest:
        # A feed's items are remembered across checks, so its text is needed to hash;
        # its body only if it changed and an adapter reads it (loaded then, on access).
        previous = _latest_snapshot(source).defer("raw").get()
    text, new_items = _effective_text(source, extracted, previous.text if previous else None)
    content_hash = diffing.content_hash(text)
    if has_latest and source.latest_hash == content_hash:
        _unchanged(source, result.etag, result.last_modified, lock)
        return CheckResult("unchanged")
    try:
        with transaction.atomic():
            snapshot = Snapshot.objects.create(
                source=source,
                sequence=(source.latest_sequence or 0) + 1,
                content_hash=content_hash,
                text=text,
                raw=result.body,
                content_type=result.headers.get("content-type", "")[:200],
                fetched_at=now,
            )
            change = None
            if has_latest:
                # Only a change needs the previous text (the diff) and body (the adapter).
                before = previous or _latest_snapshot(source).get()
                change = _record_change(source, before, snapshot, new_items, result.body)
            _succeeded(source, result.etag, result.last_modified)
    except IntegrityError as exc:
        if _constraint(exc) not in ALREADY_STORED:
            raise  # a real fault (a receiver's bug): fail the task, keep the evidence
        # A concurrent or earlier run of this check already stored this state.
        logger.info("source %s: state already stored by another run", source.pk)
        return CheckResult("unchanged", detail="already stored")
    return CheckResult("changed" if change else "baseline", change)


# The unique constraints two runs of one check collide on.
ALREADY_STORED = {
    "snapshot_sequence_unique",
    "sources_change_before_id_key",
    "sources_change_after_id_key",
}


def _constraint(exc: IntegrityError) -> str | None:
    return getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)


def _record_change(
    source: Source, before: Snapshot, after: Snapshot, new_items: int, body: bytes
) -> Change:
    lines = diffing.diff_lines(before.text, after.text)
    level, reasons = diffing.significance(before.text, after.text, new_items=new_items)
    # The previous body too: the adapter proposes what changed, not the whole document.
    proposals = (
        proposals_for(source.adapter, body, previous=bytes(before.raw)) if source.adapter else []
    )
    change = Change.objects.create(
        source=source,
        before=before,
        after=after,
        diff=[
            {"op": d.op, "old": d.old, "new": d.new, "words": [list(w) for w in d.words]}
            for d in lines
        ],
        significance=level,
        reasons=reasons,
        new_items=new_items,
        proposals=proposals,
    )
    change_detected.send(sender=Source, source=source, change=change)
    return change


def _latest_snapshot(source: Source) -> QuerySet[Snapshot]:
    """The snapshot ``_start_check`` found latest (by its sequence, unique per source)."""
    return Snapshot.objects.filter(source=source, sequence=source.latest_sequence)


def _effective_text(
    source: Source, extracted: Extracted, previous_text: str | None
) -> tuple[str, int]:
    if source.kind != Kind.FEED:
        return extracted.text, 0
    # Remember every item seen; new ones are those never seen before.
    seen: dict[str, str] = {}
    if previous_text is not None:
        for line in previous_text.splitlines():
            seen[line.split("\t", 1)[0]] = line
    new_items = 0
    current: dict[str, str] = {}
    for item, line in zip(extracted.items, extracted.text.splitlines(), strict=False):
        if item.id not in seen:
            new_items += 1
        current[item.id] = line
    # Past the memory cap, forget items that are no longer on the feed first:
    # what the feed shows now (the newest) is always kept.
    older = [(key, line) for key, line in sorted(seen.items()) if key not in current]
    room = max(0, FEED_MEMORY - len(current))
    kept = sorted([*current.items(), *older[len(older) - room :]] if room else current.items())
    return "\n".join(line for _, line in kept), new_items


def record_failure(source_id: int, reason: str) -> CheckResult:
    """A check that ended outside the usual paths (a time limit, an unexpected error)
    counts as a failed check like any other: health, last error, broken after N."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return CheckResult("failed", detail=reason)
    return _failed(source, reason)


def record_lost(source_ids: list[int], now) -> int:
    """Count a check that never reported back as lost: its worker crashed or was
    restarted, which says nothing about the source. It is not a failure (no step
    towards "broken", no case); the caller claims the source again at once."""
    return Source.objects.filter(pk__in=source_ids).update(
        lost_checks=F("lost_checks") + 1, last_lost_at=now
    )


# The bookkeeping of a check that found nothing new, in one statement whose commit
# does not wait for the disk (synchronous_commit, for this transaction only): that
# wait was half of an unchanged check (issue 26). A crash of PostgreSQL itself can
# lose the last fraction of a second of these commits, never tear one; the source
# then keeps its older success and its claim, and is checked again when the claim
# runs out. Anything stored (a snapshot, a change) still commits the usual way.
_UNCHANGED = """
    SET LOCAL synchronous_commit TO OFF;
    UPDATE sources_source SET last_attempt_at = %s, last_success_at = %s,
        consecutive_failures = 0, lost_checks = 0, last_error = '', broken_since = NULL,
        etag = %s, last_modified = %s, claim_expires_at = NULL
    WHERE id = %s
"""


def _unchanged(
    source: Source, etag: str | None, last_modified: str | None, lock: _Lock | None = None
) -> None:
    """What _succeeded writes, for an unchanged check or a 304 (see _UNCHANGED); with
    the check's ``lock``, the same round trip commits and then releases it."""
    if connection.in_atomic_block:
        # Inside a caller's transaction SET LOCAL would last to its end and lower the
        # durability of whatever else it commits: that caller's commit decides.
        _succeeded(source, etag, last_modified)
        return
    now = timezone.now()
    attempted = getattr(source, "attempted_at", None) or now
    values = [attempted, now, (etag or "")[:500], (last_modified or "")[:100], source.pk]
    with connection.cursor() as cursor:
        if lock is None or lock.released:
            cursor.execute(_UNCHANGED, values)
            return
        # COMMIT first: the next holder of the lock reads what this check wrote.
        unlock = [_LOCK_NAMESPACE, lock.source_id]
        cursor.execute(f"{_UNCHANGED}; COMMIT; {_UNLOCK}", [*values, *unlock])
        lock.released = True


def _succeeded(source: Source, etag: str | None, last_modified: str | None) -> None:
    Source.objects.filter(pk=source.pk).update(
        last_attempt_at=getattr(source, "attempted_at", None) or timezone.now(),
        last_success_at=timezone.now(),
        consecutive_failures=0,
        lost_checks=0,
        last_error="",
        broken_since=None,
        etag=(etag or "")[:500],
        last_modified=(last_modified or "")[:100],
        # The check reported back: the dispatcher's claim ends with it, in this same
        # write (the task's own release then finds nothing to do).
        claim_expires_at=None,
    )


def _failed(source: Source, error: str) -> CheckResult:
    Source.objects.filter(pk=source.pk).update(
        consecutive_failures=F("consecutive_failures") + 1,
        last_error=error[:500],
        last_attempt_at=getattr(source, "attempted_at", None) or timezone.now(),
    )
    source.refresh_from_db(fields=["consecutive_failures", "broken_since"])
    # A transient fault is retried sooner than the next regular check: 2, 4, 8 ...
    # minutes with jitter, never later than the regular interval.
    retry = min(source.check_interval_minutes * 60, 120 * 2 ** (source.consecutive_failures - 1))
    Source.objects.filter(pk=source.pk).update(
        next_check_at=timezone.now() + timedelta(seconds=retry * random.uniform(0.8, 1.0))  # noqa: S311
    )
    if source.consecutive_failures >= settings.SOURCES_BROKEN_AFTER:
        return _broken(source, f"{source.consecutive_failures} failed checks in a row: {error}")
    return CheckResult("failed", detail=error)


def _broken(source: Source, reason: str) -> CheckResult:
    with transaction.atomic():
        # The attempt is recorded whether or not this run is the one that reports.
        Source.objects.filter(pk=source.pk).update(
            last_attempt_at=getattr(source, "attempted_at", None) or timezone.now()
        )
        # Reported once per outage: only the run that sets broken_since signals.
        first = Source.objects.filter(pk=source.pk, broken_since__isnull=True).update(
            broken_since=timezone.now(), last_error=reason[:500]
        )
        if first:
            source_broken.send(sender=Source, source=source, reason=reason)
    return CheckResult("broken", detail=reason)
