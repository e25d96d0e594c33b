"""The check messages a dispatcher queued, read back from the test run's folder broker."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from tests.processes import drain_folder_broker

CHECK_TASK = "apps.sources.tasks.check_source"
BATCH_TASK = "apps.sources.tasks.check_batch"


def _folder() -> Path:
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("reads the folder broker's messages; CELERY_BROKER_URL names another")
    return Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_out"])


def _messages() -> Iterator[tuple[str, dict]]:
    """(message file, one check) for each source of each check message: a batch
    message yields one per source, with its planned start and its message's name."""
    for path in _folder().iterdir():
        message = json.loads(path.read_bytes())
        headers = message["headers"]
        if headers.get("task") not in (CHECK_TASK, BATCH_TASK):
            continue
        args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        ids, planned_at = args if headers["task"] == BATCH_TASK else ([args[0]], None)
        for source_id in ids:
            yield (
                path.name,
                {
                    "source": source_id,
                    "message": path.name,
                    "planned_at": planned_at,
                    "kwargs": kwargs,
                    "eta": headers["eta"],
                    "timelimit": headers["timelimit"],
                    "queue": message["properties"]["delivery_info"]["routing_key"],
                },
            )


def queued_checks() -> list[dict]:
    """Each check message waiting: its source id, ETA, time limits and queue."""
    return [message for _, message in _messages()]


@contextmanager
def checks_queued() -> Iterator[list[dict]]:
    """The check messages queued inside the block (filled when it ends)."""
    before = {name for name, _ in _messages()}
    found: list[dict] = []
    yield found
    found.extend(message for name, message in _messages() if name not in before)


def empty_broker():
    """The fixture of tests/sources/conftest.py: no message of an earlier test is
    counted as this one's, and none is left for a later test's worker."""
    _folder()
    drain_folder_broker()
    yield
    drain_folder_broker()
