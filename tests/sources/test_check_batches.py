"""Checks queued several to a message: each still a check of its own, under its own
time limit, with its own recorded outcome, and none started that could outlive its claim."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.db import connections

from apps.sources import claims, dispatch, services
from apps.sources.models import Source
from apps.sources.publishing import batches
from apps.sources.tasks import check_batch_task
from tests.local_http import Page

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings, local_site):
    settings.SOURCES_ALLOW_PRIVATE = True
    settings.SOURCES_HOST_SPACING = 0
    return local_site


def _source(site, path: str, body: bytes = b"<p>The AI law.</p>", **page) -> Source:
    site.pages[path] = Page(body, **page)
    return Source.objects.create(name=path, url=site.url(path), kind="html")


def _claimed(*sources: Source, ago: float = 0) -> float:
    """Claims the sources as the dispatcher does, as if ``ago`` seconds ago; returns
    their planned start."""
    planned_at = time.time() - ago
    dispatch.check_now([source.pk for source in sources])
    until = dt.datetime.fromtimestamp(planned_at + settings.SOURCES_CLAIM_SECONDS, tz=dt.UTC)
    Source.objects.filter(pk__in=[source.pk for source in sources]).update(claim_expires_at=until)
    return planned_at


def test_sources_starting_together_share_a_message_of_at_most_the_batch_size():
    planned = [(1, 0), (2, 0), (3, 10), (4, 0), (5, 0), (6, 10)]

    assert batches(planned, 3) == [([1, 2, 4], 0), ([5], 0), ([3, 6], 10)]
    assert batches(planned, 1) == [([1], 0), ([2], 0), ([4], 0), ([5], 0), ([3], 10), ([6], 10)]


def test_a_batch_checks_each_source_records_each_outcome_and_ends_each_claim(site, empty_broker):
    ok = _source(site, "/ok")
    gone = Source.objects.create(name="gone", url=site.url("/gone"), kind="html")  # 404
    planned_at = _claimed(ok, gone)

    outcomes = check_batch_task.apply(args=[[ok.pk, gone.pk], planned_at]).get()

    assert outcomes == {"baseline": 1, "failed": 1}
    assert ok.snapshots.count() == 1
    assert Source.objects.get(pk=gone.pk).consecutive_failures == 1
    assert not Source.objects.filter(claim_expires_at__isnull=False).exists()


def test_a_check_past_its_own_time_limit_is_a_recorded_failure_and_the_next_check_runs(
    site, settings, empty_broker
):
    settings.SOURCES_CHECK_SOFT_SECONDS = 1
    slow = _source(site, "/slow", delay=5)
    after = _source(site, "/after")
    planned_at = _claimed(slow, after)
    started = time.monotonic()

    outcomes = check_batch_task.apply(args=[[slow.pk, after.pk], planned_at]).get()

    assert time.monotonic() - started < 4  # stopped at its limit, not at the page's answer
    assert outcomes == {"failed": 1, "baseline": 1}
    slow.refresh_from_db()
    assert slow.last_error == "the check took longer than 1 s and was stopped"
    assert slow.claim_expires_at is None
    assert after.snapshots.count() == 1
    # The stopped check's advisory lock went with its connection: the source is free.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            lock = [services._LOCK_NAMESPACE, slow.pk]
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", lock)
            assert cursor.fetchone()[0]
    finally:
        other.close()


def test_checks_that_could_no_longer_end_before_their_claims_are_handed_back_unstarted(
    site, settings, empty_broker
):
    settings.SOURCES_CLAIM_SECONDS = 600
    settings.SOURCES_CHECK_SOFT_SECONDS = 120
    first, second = _source(site, "/first"), _source(site, "/second")
    # The batch waited in its queue until less than a check's limit was left of its claim.
    planned_at = _claimed(first, second, ago=481)
    hits = len(site.hits)

    outcomes = check_batch_task.apply(args=[[first.pk, second.pk], planned_at]).get()

    assert outcomes == {"handed back": 2}
    assert len(site.hits) == hits  # nothing fetched
    # Due again at once, not claimed, and not counted as a failure or a lost check.
    assert dispatch.dispatch_due(limit=10) and {
        source.pk for source in Source.objects.filter(claim_expires_at__isnull=False)
    } == {first.pk, second.pk}
    assert not Source.objects.filter(consecutive_failures__gt=0).exists()


def test_a_batch_started_in_time_checks_what_it_can_and_hands_back_the_rest(
    site, settings, empty_broker
):
    settings.SOURCES_CLAIM_SECONDS = 5
    settings.SOURCES_CHECK_SOFT_SECONDS = 3
    slow = _source(site, "/slow", delay=2.5)
    later = _source(site, "/later")
    planned_at = _claimed(slow, later)

    outcomes = check_batch_task.apply(args=[[slow.pk, later.pk], planned_at]).get()

    # The slow check ended 2.5 s into the 5 s claim; the next could run 3 s: not started.
    assert outcomes == {"baseline": 1, "handed back": 1}
    assert later.snapshots.count() == 0
    assert Source.objects.get(pk=later.pk).claim_expires_at is None


def test_a_source_claimed_again_meanwhile_keeps_its_new_claim_when_a_batch_hands_back(
    site, settings, empty_broker
):
    settings.SOURCES_CLAIM_SECONDS = 600
    source = _source(site, "/page")
    old_start = time.time() - 700
    # Its old claim ran out and the dispatcher claimed it again: that check is queued.
    _claimed(source)
    new_claim = Source.objects.get(pk=source.pk).claim_expires_at

    assert check_batch_task.apply(args=[[source.pk], old_start]).get() == {"handed back": 0}

    assert Source.objects.get(pk=source.pk).claim_expires_at == new_claim


def test_a_busy_source_in_a_batch_gets_a_retrying_check_of_its_own_and_keeps_its_claim(
    site, empty_broker
):
    from tests.sources.queued import queued_checks

    busy, free = _source(site, "/busy"), _source(site, "/free")
    planned_at = _claimed(busy, free)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [services._LOCK_NAMESPACE, busy.pk])
        outcomes = check_batch_task.apply(args=[[busy.pk, free.pk], planned_at]).get()
    finally:
        other.close()

    assert outcomes == {"retried": 1, "baseline": 1}
    # A check_source message (no planned start of a batch) for the busy source only.
    retries = [m["source"] for m in queued_checks() if m["planned_at"] is None]
    assert retries == [busy.pk]
    assert Source.objects.get(pk=busy.pk).claim_expires_at is not None
    assert Source.objects.get(pk=busy.pk).consecutive_failures == 0


def test_only_the_sources_still_claimed_are_checked_again_after_a_redelivery(site):
    done, pending = _source(site, "/done"), _source(site, "/pending")
    _claimed(done, pending)
    claims.release(done.pk)

    assert claims.still_claimed([pending.pk, done.pk]) == [pending.pk]
