"""Old source snapshots pruned by age (SOURCES_SNAPSHOT_KEEP_DAYS).

Every source keeps its latest snapshot whatever its age: the next check compares with
it (a feed's remembered items, an adapter's previous body). An older snapshot past the
setting is deleted, with the changes to and from it, when no case's evidence shows those
changes; when one does, the row stays (the chain of sequences, the hash, the time, the
change and its stored diff: what the case shows) and only its bulk goes, the body as
fetched and the normalised text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from apps.sources.models import Snapshot

BATCH = 1000


@dataclass(frozen=True)
class Pruned:
    deleted: int  # snapshots no evidence needed, removed with their changes
    emptied: int  # snapshots a case's evidence shows, their body and text dropped


def prune_snapshots(now: dt.datetime | None = None, keep_days: int | None = None) -> Pruned:
    keep_days = settings.SOURCES_SNAPSHOT_KEEP_DAYS if keep_days is None else keep_days
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days)
    newer = Snapshot.objects.filter(source=OuterRef("source"), sequence__gt=OuterRef("sequence"))
    old = Snapshot.objects.filter(Exists(newer), fetched_at__lt=cutoff)
    shown = Q(change_in__evidence__isnull=False) | Q(change_out__evidence__isnull=False)
    evidence = Snapshot.objects.filter(shown).values("pk")
    unneeded = old.exclude(pk__in=evidence)
    deleted = 0
    while ids := list(unneeded.values_list("pk", flat=True)[:BATCH]):
        # Counts the snapshots only (their changes go with them by CASCADE).
        Snapshot.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    emptied = old.filter(pk__in=evidence).exclude(text="", raw=b"").update(text="", raw=b"")
    return Pruned(deleted, emptied)
