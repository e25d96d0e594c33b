"""The dispatcher claims what the workers can take, and a failed publication strands nothing."""

import datetime as dt

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from apps.sources import capacity, dispatch
from apps.sources.models import CheckWorker, HostSlot, Source
from tests.processes import web_side_broker
from tests.sources.queued import queued_checks

pytestmark = pytest.mark.django_db


def _due(n: int, host: str = "www.federalregister.gov") -> list[Source]:
    when = timezone.now() - dt.timedelta(minutes=1)
    return Source.objects.bulk_create(
        Source(name=f"s{i}", url=f"https://{host}/doc/{i}", kind="json", next_check_at=when)
        for i in range(n)
    )


def _claimed() -> int:
    return Source.objects.filter(claim_expires_at__isnull=False).count()


def test_the_claim_grows_with_the_workers_slots_less_the_checks_already_waiting(
    settings, empty_broker
):
    settings.SOURCES_DISPATCH_PER_SLOT = 3
    settings.SOURCES_HOST_SPACING = 0
    _due(40)
    now = timezone.now()
    capacity.announce("celery@one", 2, now=now)

    assert len(dispatch.dispatch_due(now=now)) == 2 * 3
    # A second worker joins: 5 slots, of which the 6 checks queued above take their share.
    capacity.announce("celery@two", 3, now=now)
    assert len(dispatch.dispatch_due(now=now)) == 5 * 3 - 6
    # The workers have all they can take until some checks report back.
    assert dispatch.dispatch_due(now=now) == []
    assert _claimed() == 15 and len(queued_checks()) == 15


def test_a_worker_silent_for_too_long_is_not_counted(settings, empty_broker):
    settings.SOURCES_DISPATCH_PER_SLOT = 3
    settings.SOURCES_DISPATCH_BATCH = 4
    _due(40)
    now = timezone.now()
    capacity.announce("celery@gone", 8, now=now - capacity.STALE_AFTER - dt.timedelta(seconds=1))
    capacity.announce("celery@here", 1, now=now)
    assert capacity.slots(now) == 1
    assert len(dispatch.dispatch_due(now=now)) == 3
    capacity.withdraw("celery@here")
    # No worker announced: the fixed batch, as before workers announced themselves.
    assert len(dispatch.dispatch_due(now=now)) == 4


def test_checks_waiting_for_their_hosts_turn_hold_no_slot(settings, empty_broker):
    settings.SOURCES_DISPATCH_PER_SLOT = 3
    settings.SOURCES_HOST_SPACING = 60
    _due(10)  # one host: one check now, the others a minute apart
    now = timezone.now()
    capacity.announce("celery@one", 1, now=now)
    assert sorted(d for _, d in dispatch.dispatch_due(now=now)) == [0, 60, 120]
    # Only the first has started; the two later ones are not the workers' load yet.
    assert capacity.outstanding(now) == 1
    assert len(dispatch.dispatch_due(now=now)) == 2


def test_announcing_again_updates_the_one_row_of_a_worker():
    now = timezone.now()
    capacity.announce("celery@one", 2, now=now)
    capacity.announce("celery@one", 4, now=now + dt.timedelta(seconds=30))
    assert list(CheckWorker.objects.values_list("hostname", "slots")) == [("celery@one", 4)]


def test_a_publication_that_fails_leaves_the_sources_due_at_once(settings, empty_broker):
    settings.SOURCES_HOST_SPACING = 10
    sources = _due(3)
    before = {s.pk: s.next_check_at for s in sources}
    now = timezone.now()
    # A broker nobody listens on: the publication itself fails, after the claim's writes.
    with web_side_broker("redis://127.0.0.1:9/0"), pytest.raises(OperationalError):
        dispatch.dispatch_due(limit=10, now=now)

    for source in Source.objects.filter(pk__in=before):
        assert source.next_check_at == before[source.pk]
        assert source.claim_expires_at is None
    assert not HostSlot.objects.filter(next_free_at__gt=now).exists()
    # Due at once, in the same second, not after SOURCES_CLAIM_SECONDS.
    again = dispatch.dispatch_due(limit=10, now=now)
    assert sorted(sid for sid, _ in again) == sorted(before)
    assert sorted(d for _, d in again) == [0, 10, 20]
    assert len(queued_checks()) == 3


@pytest.fixture
def paced(settings, empty_broker):
    settings.SOURCES_DISPATCH_PER_SLOT = 3
    settings.SOURCES_QUEUE_SECONDS = 10
    settings.SOURCES_CHECKS_PER_MESSAGE = 2
    settings.SOURCES_HOST_SPACING = 0
    _due(200)
    now = timezone.now()
    capacity.announce("celery@one", 2, now=now)
    return now


def _end_checks(n: int) -> None:
    """n of the claimed checks report back."""
    ids = Source.objects.filter(claim_expires_at__isnull=False).values_list("pk", flat=True)[:n]
    Source.objects.filter(pk__in=list(ids)).update(claim_expires_at=None)


def test_once_the_pace_is_known_the_queue_holds_that_many_seconds_of_checks(paced):
    now = paced
    # No pace yet: the claim per slot.
    assert len(dispatch.dispatch_due(now=now)) == 2 * 3
    _end_checks(6)
    # Six checks ended in the second since: ten seconds of them at that pace.
    assert len(dispatch.dispatch_due(now=now + dt.timedelta(seconds=1))) == 60
    _end_checks(30)
    # 30 in two seconds: 15 a second, 150 for ten seconds, of which 30 are still waiting.
    assert len(dispatch.dispatch_due(now=now + dt.timedelta(seconds=3))) == 150 - 30


def test_when_checks_end_slowly_the_queue_is_short_but_never_empties_a_slot(paced):
    now = paced
    assert len(dispatch.dispatch_due(now=now)) == 6
    # Nothing ended in a second (a slow host): at least a message's worth per slot,
    # 2 x 2, and 6 are already waiting.
    assert dispatch.dispatch_due(now=now + dt.timedelta(seconds=1)) == []
    _end_checks(5)
    # 5 ended in one second: 50 for ten seconds, less the one still waiting.
    assert len(dispatch.dispatch_due(now=now + dt.timedelta(seconds=2))) == 49


def test_a_pace_older_than_a_minute_is_not_followed(paced):
    now = paced
    assert len(dispatch.dispatch_due(now=now)) == 6
    _end_checks(6)
    later = now + capacity.PACE_WINDOW + dt.timedelta(seconds=1)
    assert len(dispatch.dispatch_due(now=later)) == 6  # the claim per slot again
