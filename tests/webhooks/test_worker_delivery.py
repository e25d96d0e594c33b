"""End to end: a committed publication reaches the receiver through a real Celery worker."""

from __future__ import annotations

import pytest

from apps.api.models import ApiClient
from apps.record import services as record
from apps.webhooks import delivery, signing
from tests.processes import celery_worker, wait_for
from tests.webhooks.receiver import Receiver

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_committed_publication_is_posted_by_the_worker_signed(tmp_path, settings):
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("CELERY_BROKER_URL is set: the embedded broker is not in use")
    receiver = Receiver().start()
    try:
        org = ApiClient.objects.create(name="Worker LLP")
        settings.SOURCES_ALLOW_PRIVATE = True  # the receiver lives on 127.0.0.1
        hook, secret = delivery.register(org, receiver.url)
        # The worker is its own process: it gets the test switch from its environment.
        with celery_worker(tmp_path / "worker.log", SOURCES_ALLOW_PRIVATE="true"):
            # Nothing queues a delivery by hand: the commit's on_commit hook does.
            change = record.write(
                target="jurisdiction",
                values={"code": "XW", "name": "Worker test land", "kind": "country"},
                why=record.Why.system("worker test"),
            ).change
            wait_for(
                lambda: receiver.received,
                timeout=30,
                what=f"the worker to deliver (log: {tmp_path / 'worker.log'})",
            )
            # The receiver answers before the worker records the delivery and moves
            # the cursor in its own transaction: wait for that commit too.
            wait_for(
                lambda: type(hook).objects.get(pk=hook.pk).cursor == change.pk,
                timeout=30,
                what=f"the worker to record the delivery (log: {tmp_path / 'worker.log'})",
            )
        [hit] = receiver.received
        assert hit.change_ids == [change.pk]
        assert signing.verify(
            secret,
            hit.headers["x-tracker-timestamp"],
            hit.headers["x-tracker-signature"],
            hit.body,
        )
        hook.refresh_from_db()
        assert hook.cursor == change.pk
        assert hook.deliveries.get().status == "delivered"
    finally:
        receiver.stop()
