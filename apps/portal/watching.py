"""Watchlists: what a reader follows, the changes that touch it, and the email digest.

A change touches a followed thing when it is about an instrument the reader
follows, or one in a followed jurisdiction, with a followed topic, or found by
a saved search; obligations and amendments count for their instrument.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone

from apps.amendments.models import Amendment
from apps.instruments.models import Instrument
from apps.obligations.models import Obligation
from apps.portal import profile_digest, recent
from apps.portal.models import DigestEntry, Frequency, Reader, Watch, WatchKind
from apps.reading import search
from apps.record.models import Action, AppliedChange, Origin

DIGEST_EVERY = {Frequency.DAILY: dt.timedelta(days=1), Frequency.WEEKLY: dt.timedelta(days=7)}


def follows(user, kind: str, value: str) -> bool:
    return (
        user.is_authenticated and Watch.objects.filter(user=user, kind=kind, value=value).exists()
    )


def watched_instruments(watches: list[Watch]) -> set[int]:
    """Ids of the published instruments a set of watches covers (one query per kind)."""
    live = Instrument.objects.published()
    ids: set[int] = set()
    by_kind: dict[str, list[str]] = {}
    for watch in watches:
        by_kind.setdefault(watch.kind, []).append(watch.value)
    if by_kind.get(WatchKind.INSTRUMENT):
        ids |= set(live.filter(slug__in=by_kind[WatchKind.INSTRUMENT]).values_list("pk", flat=True))
    if by_kind.get(WatchKind.JURISDICTION):
        ids |= set(
            live.filter(jurisdiction__code__in=by_kind[WatchKind.JURISDICTION]).values_list(
                "pk", flat=True
            )
        )
    if by_kind.get(WatchKind.TOPIC):
        ids |= set(
            live.filter(topics__overlap=by_kind[WatchKind.TOPIC]).values_list("pk", flat=True)
        )
    for query in by_kind.get(WatchKind.SEARCH, []):
        ids |= set(search.instruments(query).values_list("pk", flat=True))
    return ids


def changes_touching(instrument_ids: set[int]):
    """Applied changes about these instruments, their obligations or amendments, newest first.

    What the seed load created is the starting record, not a change anyone follows.
    """
    obligations = Obligation.objects.filter(instrument__in=instrument_ids).values("pk")
    amendments = Amendment.objects.filter(
        Q(target_instrument__in=instrument_ids) | Q(source_instrument__in=instrument_ids)
    ).values("pk")
    about = (
        Q(target="instrument", row_id__in=list(instrument_ids))
        | Q(target="obligation", row_id__in=obligations)
        | Q(target="amendment", row_id__in=amendments)
    )
    starting = Q(origin=Origin.SEED, action=Action.CREATE)
    return AppliedChange.objects.filter(about).exclude(starting).order_by("-id")


def wants_checks(user) -> bool:
    """Whether the reader asked to hear of checks too (off by default)."""
    return Reader.objects.filter(user=user, include_checks=True).exists()


def told(changes: list[AppliedChange], checks: bool) -> list[AppliedChange]:
    """The changes to say: a check or other upkeep only when the reader asked for it."""
    return changes if checks else [c for c in changes if not recent.upkeep_only(c)]


def updates_for(user, limit: int = 10) -> list[recent.Line]:
    if not user.is_authenticated:
        return []
    watches = list(Watch.objects.filter(user=user))
    if not watches:
        return []
    ids = watched_instruments(watches)
    if not ids:
        return []
    changes = changes_touching(ids)
    if not wants_checks(user):
        # Read a few more so that checks left out do not leave the list short.
        return recent.describe(told(list(changes[: limit * 5]), False)[:limit])
    return recent.describe(list(changes[:limit]))


# -- the digest ----------------------------------------------------------------
def due_readers(now: dt.datetime):
    due = Q()
    for frequency, every in DIGEST_EVERY.items():
        due |= Q(digest=frequency) & (
            Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=now - every)
        )
    return Reader.objects.filter(due, user__is_active=True).select_related("user")


def pending_for(reader: Reader) -> list[AppliedChange]:
    """The changes on what a reader follows, since following it, not yet considered."""
    watches = list(Watch.objects.filter(user=reader.user))
    ids = watched_instruments(watches)
    if not ids:
        return []
    since = Watch.objects.filter(user=reader.user).aggregate(first=Min("created_at"))["first"]
    sent = DigestEntry.objects.filter(user=reader.user).values("change")
    pending = changes_touching(ids).filter(applied_at__gte=since).exclude(pk__in=sent)
    return list(pending.order_by("id")[:200])


def digest_for(reader: Reader) -> list[recent.Line]:
    """The lines a reader has not been sent yet, about what they followed since following it."""
    return recent.describe(told(pending_for(reader), reader.include_checks))


def send_digest(reader_id: int, now: dt.datetime, site_url: str) -> int:
    """Send one reader's digest; returns the number of changes it carried.

    The reader's row is locked, the changes recorded as sent and the mail queued
    in one transaction: two runs at once cannot send a change twice.
    """
    from apps.core.tasks import send_notification

    with transaction.atomic():
        reader = Reader.objects.select_for_update().select_related("user").get(pk=reader_id)
        pending = pending_for(reader)
        lines = recent.describe(told(pending, reader.include_checks))
        news = profile_digest.news_for(reader.user, now)
        total = len(lines) + profile_digest.count(news)
        reader.last_digest_at = now
        reader.save(update_fields=["last_digest_at"])
        # A check left out is considered all the same: it is not held back for a later
        # digest, nor piles up ahead of the news.
        DigestEntry.objects.bulk_create(
            [DigestEntry(user=reader.user, change_id=change.pk) for change in pending],
            ignore_conflicts=True,
        )
        if not total:
            return 0
        body = "\n".join(_told(line, site_url.rstrip("/")) for line in lines)
        body = profile_digest.appended(body, news, site_url)
        manage = site_url.rstrip("/") + reverse("portal:watchlist")
        if reader.user.email:
            send_notification.delay_on_commit(
                [reader.user.email],
                f"AI regulation tracker: {total} update(s) on what you follow",
                f"{body}\n\nChange what you follow or how often you hear: {manage}\n",
            )
        return total


def _told(line: recent.Line, site: str) -> str:
    """A line of the digest, and under it what the change moved, each with its address."""
    told = [f"- {line.text}"] + ([f"  {site}{line.url}"] if line.url else [])
    for moved in line.moved:
        told.append(f"  * {moved.text}")
        told += [f"    {site}{moved.url}"] if moved.url else []
    return "\n".join(told)


def send_digests(now: dt.datetime | None = None, site_url: str = "") -> int:
    now = now or timezone.now()
    return sum(
        send_digest(pk, now, site_url) for pk in due_readers(now).values_list("pk", flat=True)
    )
