"""A task queued by a web request runs in a real worker process, on both brokers."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from apps.core.models import Heartbeat
from tests.processes import celery_worker, wait_for, web_side_broker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _roundtrip(client, staff_user, tmp_path, broker_url: str | None) -> None:
    client.force_login(staff_user)
    with web_side_broker(broker_url), celery_worker(tmp_path / "worker.log", broker_url=broker_url):
        response = client.post(reverse("ops-heartbeat"))
        assert response.status_code == 202
        beat_id = response.json()["heartbeat"]
        wait_for(
            lambda: Heartbeat.objects.get(pk=beat_id).completed_at is not None,
            timeout=30,
            what="the worker to complete the heartbeat",
        )
    beat = Heartbeat.objects.get(pk=beat_id)
    assert beat.origin == "web"
    assert beat.worker.startswith("celery@")


def test_a_web_request_runs_its_task_in_a_worker_on_the_embedded_broker(
    client, staff_user, tmp_path
):
    assert settings.CELERY_BROKER_URL.startswith("filesystem://") or pytest.skip(
        "CELERY_BROKER_URL is set: the embedded broker is not in use"
    )
    _roundtrip(client, staff_user, tmp_path, broker_url=None)


def test_a_web_request_runs_its_task_in_a_worker_on_redis(client, staff_user, tmp_path, redis_url):
    _roundtrip(client, staff_user, tmp_path, broker_url=redis_url)


def test_a_rolled_back_request_queues_nothing(staff_user, tmp_path):
    from django.db import transaction

    from apps.core import services

    queue = tmp_path  # the default test broker folder is shared; count messages before/after
    folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_out")
    if not folder:
        pytest.skip("only observable on the filesystem broker")
    from pathlib import Path

    before = set(Path(folder).iterdir())
    with pytest.raises(RuntimeError), transaction.atomic():
        services.heartbeat_request(origin="web")
        raise RuntimeError("the request failed after queuing")
    assert set(Path(folder).iterdir()) == before
    assert not Heartbeat.objects.exists()
    del queue
