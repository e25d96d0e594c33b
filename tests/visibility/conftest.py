from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings

from tests.visibility.world import build
from tests.webhooks.receiver import Receiver


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The matrix's record, written once for the module inside a transaction that is
    rolled back at its end (each test's own transaction is a savepoint inside it)."""
    receiver = Receiver().start()
    try:
        # The receiver is on 127.0.0.1: the watcher tests' switch lets it be reached.
        with (
            override_settings(
                SOURCES_ALLOW_PRIVATE=True, SNAPSHOTS_DIR=tmp_path_factory.mktemp("snapshots")
            ),
            django_db_blocker.unblock(),
            transaction.atomic(),
        ):
            yield build(get_user_model(), receiver)
            transaction.set_rollback(True)
    finally:
        receiver.stop()
