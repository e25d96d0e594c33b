"""A whole worker killed with SIGKILL mid-check delays a change by the claim time, not hours.

Killing the main process too means nobody rejects the message: on Redis it stays
unacknowledged until the visibility timeout, and the dispatcher had moved the
source's next check a whole interval on. The claim brings it back.
"""

import os
import signal
import time

import pytest

from apps.cases.models import Case
from apps.sources import services
from apps.sources.dispatch import dispatch_due
from apps.sources.models import Change, Snapshot, Source
from tests.helpers import make_testland_law
from tests.local_http import Page
from tests.processes import celery_worker, wait_for, web_side_broker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CLAIM_SECONDS = 8


def test_a_whole_worker_killed_mid_check_is_made_good_within_the_claim_time(
    local_site, redis_url, tmp_path, settings
):
    settings.SOURCES_ALLOW_PRIVATE = True
    settings.SOURCES_CLAIM_SECONDS = CLAIM_SECONDS
    settings.SOURCES_CHECK_SOFT_SECONDS = 5  # the claim must outlast a check's hard limit
    law = make_testland_law()
    local_site.pages["/gazette"] = Page(b"<p>The AI law is in force.</p>")
    source = Source.objects.create(
        name="Testland gazette", url=local_site.url("/gazette"), kind="html"
    )
    source.instruments.add(law)
    assert services.check_source(source.pk).outcome == "baseline"
    Source.objects.filter(pk=source.pk).update(next_check_at=None)  # due now
    # The next fetch hangs long enough for the worker to be killed inside it.
    local_site.pages["/gazette"] = Page(b"<p>The AI law is repealed.</p>", delay_once=30)
    hits_before = len(local_site.hits)
    env = {
        "SOURCES_ALLOW_PRIVATE": "true",
        "SOURCES_CLAIM_SECONDS": str(CLAIM_SECONDS),
        "SOURCES_CHECK_SOFT_SECONDS": "5",
    }

    with web_side_broker(redis_url):
        with celery_worker(tmp_path / "first.log", broker_url=redis_url, **env) as first:
            assert [sid for sid, _ in dispatch_due()] == [source.pk]
            wait_for(
                lambda: len(local_site.hits) > hits_before,
                timeout=30,
                what="the first worker to start fetching",
                proc=first,
            )
            # The main process and its pool together: nothing is left to reject the message.
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        killed_at = time.monotonic()

        log = tmp_path / "second.log"
        with celery_worker(log, broker_url=redis_url, **env) as second:

            def stored() -> bool:
                dispatch_due()  # what beat does every SOURCES_DISPATCH_SECONDS
                return Change.objects.filter(source=source).exists()

            wait_for(
                stored,
                timeout=60,
                what=f"the change to be stored after the kill (log: {log})",
                proc=second,
            )
            took = time.monotonic() - killed_at
            # A redelivery of the killed check, if any, must store nothing more.
            wait_for(
                lambda: Source.objects.get(pk=source.pk).claim_expires_at is None,
                timeout=30,
                what="every check to end and release its claim",
                proc=second,
            )
            time.sleep(2 * CLAIM_SECONDS)
            dispatch_due()

    assert took < 60
    assert Snapshot.objects.filter(source=source).count() == 2
    assert Change.objects.filter(source=source).count() == 1
    assert Case.objects.filter(source=source).count() == 1
    source.refresh_from_db()
    assert source.consecutive_failures == 0  # the lost check counted, the next one succeeded
    assert source.last_success_at is not None
