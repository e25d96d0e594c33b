"""A worker killed with SIGKILL in the middle of a check loses nothing and duplicates nothing."""

import os
import signal

import psutil
import pytest

from apps.cases.models import Case
from apps.sources import services
from apps.sources.models import Change, Snapshot, Source
from apps.sources.tasks import check_source_task
from tests.helpers import make_testland_law
from tests.local_http import Page
from tests.processes import celery_worker, wait_for, web_side_broker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_check_killed_mid_fetch_is_redelivered_and_stored_once(
    local_site, redis_url, tmp_path, settings
):
    settings.SOURCES_ALLOW_PRIVATE = True
    law = make_testland_law()
    local_site.pages["/gazette"] = Page(b"<p>The AI law is in force.</p>")
    source = Source.objects.create(
        name="Testland gazette", url=local_site.url("/gazette"), kind="html"
    )
    source.instruments.add(law)
    assert services.check_source(source.pk).outcome == "baseline"
    # The next fetch hangs long enough for the worker to be killed inside it.
    local_site.pages["/gazette"] = Page(b"<p>The AI law is repealed.</p>", delay_once=30)
    hits_before = len(local_site.hits)

    log = tmp_path / "worker.log"
    with (
        web_side_broker(redis_url),
        celery_worker(log, broker_url=redis_url, SOURCES_ALLOW_PRIVATE="true") as worker,
    ):
        check_source_task.delay(source.pk)
        wait_for(
            lambda: len(local_site.hits) > hits_before,
            timeout=30,
            what="the worker to start fetching",
            proc=worker,
        )
        children = psutil.Process(worker.pid).children(recursive=True)
        assert children, "the worker has no pool process to kill"
        for child in children:
            os.kill(child.pid, signal.SIGKILL)
        # acks_late + reject_on_worker_lost: the message goes back to the queue
        # and a fresh pool process runs the check to the end.
        wait_for(
            lambda: Change.objects.filter(source=source).exists(),
            timeout=60,
            what=f"the redelivered check to store the change (log: {log})",
            proc=worker,
        )
        # Give a duplicate delivery, if there were one, time to show itself.
        wait_for(
            lambda: len(local_site.hits) >= hits_before + 2, timeout=10, what="the second fetch"
        )
    assert "WorkerLostError" in log.read_text() or "SIGKILL" in log.read_text()
    assert Snapshot.objects.filter(source=source).count() == 2
    assert Change.objects.filter(source=source).count() == 1
    assert Case.objects.filter(source=source).count() == 1


def test_a_batch_killed_mid_check_is_redelivered_and_skips_the_checks_that_had_ended(
    local_site, redis_url, tmp_path, settings
):
    settings.SOURCES_ALLOW_PRIVATE = True
    settings.SOURCES_HOST_SPACING = 0  # both on 127.0.0.1: one batch, not two turns
    local_site.pages["/first"] = Page(b"<p>The first page.</p>")
    local_site.pages["/second"] = Page(b"<p>The AI law is in force.</p>")
    first, second = (
        Source.objects.create(name=path, url=local_site.url(path), kind="html")
        for path in ("/first", "/second")
    )
    for source in (first, second):
        assert services.check_source(source.pk).outcome == "baseline"
    Source.objects.update(next_check_at=None)  # both due now
    # The second's next fetch hangs long enough for the worker to be killed inside it.
    local_site.pages["/second"] = Page(b"<p>The AI law is repealed.</p>", delay_once=30)
    local_site.hits.clear()

    log = tmp_path / "worker.log"
    with (
        web_side_broker(redis_url),
        celery_worker(log, broker_url=redis_url, SOURCES_ALLOW_PRIVATE="true") as worker,
    ):
        from apps.sources.dispatch import dispatch_due

        assert sorted(sid for sid, _ in dispatch_due()) == sorted([first.pk, second.pk])
        wait_for(
            lambda: "/second" in local_site.hits,
            timeout=30,
            what="the batch to reach its second check",
            proc=worker,
        )
        assert local_site.hits == ["/first", "/second"]
        for child in psutil.Process(worker.pid).children(recursive=True):
            os.kill(child.pid, signal.SIGKILL)
        wait_for(
            lambda: Change.objects.filter(source=second).exists(),
            timeout=60,
            what=f"the redelivered batch to store the change (log: {log})",
            proc=worker,
        )
    # The first check had ended (its claim released): the redelivered batch left it out.
    assert local_site.hits == ["/first", "/second", "/second"]
    assert Change.objects.filter(source=second).count() == 1
    assert not Source.objects.filter(claim_expires_at__isnull=False).exists()
