"""Claiming due sources: each due source is claimed by exactly one dispatcher."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.cases.models import Case
from apps.sources import claims, dispatch, services
from apps.sources.health import health
from apps.sources.models import Source
from tests.helpers import run_together
from tests.local_http import Page
from tests.sources.queued import queued_checks


def _sources(n: int, host: str = "www.federalregister.gov", due: bool = True) -> list[Source]:
    when = (
        timezone.now() - dt.timedelta(minutes=1) if due else timezone.now() + dt.timedelta(hours=1)
    )
    return [
        Source.objects.create(
            name=f"s{i}", url=f"https://{host}/doc/{i}", kind="json", next_check_at=when
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_it_claims_due_sources_moves_them_forward_and_spreads_one_host(settings, empty_broker):
    settings.SOURCES_HOST_SPACING = 10
    due = _sources(3)
    other = _sources(1, host="eur-lex.europa.eu")
    later = _sources(1, due=False)
    planned = dispatch.dispatch_due(limit=10)
    assert {sid for sid, _ in planned} == {s.pk for s in [*due, *other]}
    delays = sorted(d for sid, d in planned if sid in {s.pk for s in due})
    assert delays == [0, 10, 20]  # one host: requests spread over time
    assert dict(planned)[other[0].pk] == 0
    # One check queued per claimed source, each with its host's turn as its start;
    # those starting together share a message: the first of each host, at once.
    queued = queued_checks()
    assert sorted(m["source"] for m in queued) == sorted(dict(planned))
    assert sum(m["eta"] is None for m in queued) == 2
    assert len({m["message"] for m in queued}) == 3
    # A batch's own limit is a backstop past its claim; each check has its own inside.
    backstop = [settings.SOURCES_CLAIM_SECONDS + 30, None]
    assert all(m["queue"] == "celery" and m["timelimit"] == backstop for m in queued)
    assert later[0].pk not in dict(planned)
    for source in Source.objects.filter(pk__in=[s.pk for s in due]):
        assert source.next_check_at > timezone.now() + dt.timedelta(minutes=300)
    assert dispatch.dispatch_due(limit=10) == []  # nothing is due any more


@pytest.mark.django_db
def test_paused_sources_are_never_claimed():
    [source] = _sources(1)
    Source.objects.filter(pk=source.pk).update(active=False)
    assert dispatch.dispatch_due(limit=10) == []


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_never_claim_the_same_source():
    _sources(20)
    claimed = run_together(
        lambda: [sid for sid, _ in dispatch.dispatch_due(limit=15)],
        lambda: [sid for sid, _ in dispatch.dispatch_due(limit=15)],
    )
    first, second = claimed
    assert set(first).isdisjoint(second)
    assert len(first) + len(second) == 20


@pytest.mark.django_db
def test_the_next_run_continues_a_hosts_spacing_instead_of_starting_over(settings):
    settings.SOURCES_HOST_SPACING = 10
    now = timezone.now()
    _sources(2)
    first = dispatch.dispatch_due(limit=10, now=now)
    assert sorted(d for _, d in first) == [0, 10]
    [late] = _sources(1)
    second = dispatch.dispatch_due(limit=10, now=now + dt.timedelta(seconds=5))
    assert second == [(late.pk, 15)]  # the host's next slot is 20 s after the first run


@pytest.mark.django_db
def test_a_claim_lasts_from_the_planned_start_for_the_claim_time(settings):
    settings.SOURCES_HOST_SPACING = 10
    settings.SOURCES_CLAIM_SECONDS = 600
    now = timezone.now()
    first, second = _sources(2)
    dispatch.dispatch_due(limit=10, now=now)
    claims_at = sorted(
        Source.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "claim_expires_at", flat=True
        )
    )
    # The second check waits 10 s for its host, so its claim runs 10 s longer.
    assert claims_at == [
        now + dt.timedelta(seconds=600),
        now + dt.timedelta(seconds=610),
    ]


@pytest.mark.django_db
def test_a_check_lost_to_a_crash_is_claimed_again_and_counted_as_lost_not_as_a_failure(
    settings, empty_broker
):
    settings.SOURCES_CLAIM_SECONDS = 600
    now = timezone.now()
    [source] = _sources(1)
    dispatch.dispatch_due(limit=10, now=now)
    # Its worker died: nothing releases the claim. Within the claim it is not due ...
    later = now + dt.timedelta(seconds=599)
    assert dispatch.dispatch_due(limit=10, now=later) == []
    # ... past it, it is claimed again at once, not a whole interval later.
    before = len(queued_checks())
    again = dispatch.dispatch_due(limit=10, now=now + dt.timedelta(seconds=601))
    assert [sid for sid, _ in again] == [source.pk]
    assert len(queued_checks()) == before + 1
    source.refresh_from_db()
    assert source.consecutive_failures == 0 and source.last_error == ""
    assert (source.lost_checks, source.last_lost_at) == (1, now + dt.timedelta(seconds=601))
    assert source.claim_expires_at == now + dt.timedelta(seconds=601 + 600)


@pytest.mark.django_db
def test_three_lost_checks_leave_a_healthy_source_unbroken_and_say_so_until_a_success(
    settings, local_site
):
    """Three crashes in a row (a deploy, an out-of-memory kill elsewhere) once reported a
    healthy source as broken and opened a case; they are losses, shown, not failures."""
    settings.SOURCES_CLAIM_SECONDS = 600
    settings.SOURCES_BROKEN_AFTER = 3
    settings.SOURCES_ALLOW_PRIVATE = True
    local_site.pages["/page"] = Page(b"<p>Still here.</p>")
    source = Source.objects.create(name="Healthy", kind="html", url=local_site.url("/page"))
    services.check_source(source.pk)
    now = timezone.now()
    dispatch.dispatch_due(limit=10, now=now)
    for _crash in range(3):
        now += dt.timedelta(seconds=601)
        assert [sid for sid, _ in dispatch.dispatch_due(limit=10, now=now)] == [source.pk]

    source.refresh_from_db()
    assert (source.lost_checks, source.consecutive_failures, source.broken_since) == (3, 0, None)
    assert not Case.objects.exists()
    assert health(source, now=source.last_success_at).label == "ok (3 checks lost and retried)"

    assert services.check_source(source.pk).outcome == "unchanged"  # the retry runs
    source.refresh_from_db()
    assert source.lost_checks == 0
    assert health(source).label == "ok"


@pytest.mark.django_db
def test_a_check_that_ended_releases_its_claim_and_waits_for_its_interval(settings):
    settings.SOURCES_CLAIM_SECONDS = 600
    now = timezone.now()
    [source] = _sources(1)
    dispatch.dispatch_due(limit=10, now=now)

    claims.release(source.pk)

    assert Source.objects.get(pk=source.pk).claim_expires_at is None
    assert dispatch.dispatch_due(limit=10, now=now + dt.timedelta(seconds=601)) == []
    assert Source.objects.get(pk=source.pk).consecutive_failures == 0


@pytest.mark.django_db
def test_the_check_task_releases_the_claim_whatever_the_outcome(settings, local_site):
    from apps.sources.tasks import check_source_task
    from tests.local_http import Page

    settings.SOURCES_ALLOW_PRIVATE = True
    local_site.pages["/ok"] = Page(b"<p>The AI law.</p>")
    ok = Source.objects.create(name="ok", url=local_site.url("/ok"), kind="html")
    gone = Source.objects.create(name="gone", url=local_site.url("/gone"), kind="html")  # 404
    dispatch.dispatch_due(limit=10)
    assert Source.objects.filter(claim_expires_at__isnull=False).count() == 2

    assert check_source_task.apply(args=[ok.pk]).get() == "baseline"
    assert check_source_task.apply(args=[gone.pk]).get() == "failed"

    assert not Source.objects.filter(claim_expires_at__isnull=False).exists()
