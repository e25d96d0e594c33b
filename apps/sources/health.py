"""A source's health in one word, as the admin shows it.

paused    not checked until it is resumed
broken    reported broken (SOURCES_BROKEN_AFTER failures in a row); the next success clears it
failing   its last check(s) failed, not yet broken
stale     no successful check for a long while, though nothing failed: checks are not
          running (no worker or beat) or never reached it
new       added recently and not checked yet
ok        its last check succeeded
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import admin
from django.db.models import DateTimeField, ExpressionWrapper, F, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from apps.sources.models import Source

# "A long while": three missed intervals, and never less than a day, so a source
# checked every few minutes is not called stale after one slow worker restart.
STALE_INTERVALS = 3
STALE_AT_LEAST = timedelta(days=1)


@dataclass(frozen=True)
class Health:
    state: str
    label: str


def stale_after(source: Source) -> timedelta:
    return max(STALE_AT_LEAST, timedelta(minutes=source.check_interval_minutes * STALE_INTERVALS))


def health(source: Source, now: datetime | None = None) -> Health:
    now = now or timezone.now()
    if not source.active:
        return Health("paused", "paused")
    if source.broken_since:
        return Health("broken", "broken")
    if source.consecutive_failures:
        return Health("failing", f"failing ({source.consecutive_failures})")
    since = source.last_success_at or source.created_at
    if since is not None and now - since > stale_after(source):
        return Health("stale", "stale")
    if source.last_success_at is None:
        return Health("new", "not checked yet")
    if source.lost_checks:
        plural = "s" if source.lost_checks != 1 else ""
        return Health("ok", f"ok ({source.lost_checks} check{plural} lost and retried)")
    return Health("ok", "ok")


def by_health(sources: QuerySet[Source], state: str, now: datetime | None = None) -> QuerySet:
    """The sources of `sources` whose health() is `state`, in one query."""
    now = now or timezone.now()
    if state == "paused":
        return sources.filter(active=False)
    working = sources.filter(active=True)
    if state == "broken":
        return working.filter(broken_since__isnull=False)
    if state == "failing":
        return working.filter(broken_since__isnull=True, consecutive_failures__gt=0)
    quiet = working.filter(broken_since__isnull=True, consecutive_failures=0).alias(
        since=Coalesce("last_success_at", "created_at"),
        cutoff=ExpressionWrapper(
            Value(now)
            - Greatest(
                F("check_interval_minutes") * Value(timedelta(minutes=STALE_INTERVALS)),
                Value(STALE_AT_LEAST),
            ),
            output_field=DateTimeField(),
        ),
    )
    if state == "stale":
        return quiet.filter(since__lt=F("cutoff"))
    fresh = quiet.filter(since__gte=F("cutoff"))
    if state == "new":
        return fresh.filter(last_success_at__isnull=True)
    return fresh.filter(last_success_at__isnull=False) if state == "ok" else sources.none()


class HealthFilter(admin.SimpleListFilter):
    title = "health"
    parameter_name = "health"

    def lookups(self, request, model_admin):
        return [(s, s) for s in ("ok", "failing", "broken", "stale", "paused", "new")]

    def queryset(self, request, queryset):
        return by_health(queryset, self.value()) if self.value() else queryset
