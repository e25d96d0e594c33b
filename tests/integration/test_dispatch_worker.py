"""The deployed worker takes the dispatcher's own queue and announces what it can take."""

from __future__ import annotations

import pytest
import redis

from apps.sources import capacity
from apps.sources.models import CheckWorker, Source
from tests.local_http import Page
from tests.processes import celery_worker, wait_for, web_side_broker
from tracker.celery import app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_worker_announces_its_slots_takes_the_dispatch_queue_and_runs_the_checks(
    local_site, redis_url, tmp_path, settings
):
    settings.SOURCES_ALLOW_PRIVATE = True
    settings.SOURCES_HOST_SPACING = 0
    for n in range(3):
        local_site.pages[f"/notice/{n}"] = Page(f"<p>Notice {n}</p>".encode())
    sources = Source.objects.bulk_create(
        Source(name=f"Notice {n}", url=local_site.url(f"/notice/{n}"), kind="html")
        for n in range(3)
    )
    client = redis.Redis.from_url(redis_url)
    client.delete("celery", "sources.dispatch")
    log = tmp_path / "worker.log"
    with web_side_broker(redis_url):
        # What beat sends every SOURCES_DISPATCH_SECONDS, by the task's name.
        app.send_task("apps.sources.tasks.dispatch")
        assert (client.llen("sources.dispatch"), client.llen("celery")) == (1, 0)
        with celery_worker(log, broker_url=redis_url, SOURCES_ALLOW_PRIVATE="true") as worker:
            wait_for(
                lambda: capacity.slots() == 1,
                timeout=30,
                what=f"the worker to announce its one slot (log: {log})",
                proc=worker,
            )
            # The dispatcher ran from its own queue and queued the checks, which ran.
            wait_for(
                lambda: Source.objects.filter(last_success_at__isnull=False).count() == 3,
                timeout=60,
                what=f"the dispatched checks to succeed (log: {log})",
                proc=worker,
            )
            [announced] = CheckWorker.objects.all()
            assert announced.hostname.startswith("celery@") and announced.slots == 1
        # A worker that stops says so: its slots are no longer claimed for.
        assert not CheckWorker.objects.exists()
    assert not Source.objects.filter(
        pk__in=[s.pk for s in sources], claim_expires_at__isnull=False
    ).exists()
    assert sorted(local_site.hits) == ["/notice/0", "/notice/1", "/notice/2"]
