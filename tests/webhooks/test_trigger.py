"""A publication queues one dispatch when it commits; a rolled-back write queues none."""

from __future__ import annotations

import pytest
from django.db import transaction

from apps.instruments.models import Instrument
from apps.record import services as record
from apps.webhooks import tasks
from tests.webhooks.conftest import publish


@pytest.fixture
def dispatched(monkeypatch) -> list[None]:
    sent: list[None] = []
    monkeypatch.setattr(tasks.dispatch, "delay", lambda: sent.append(None))
    return sent


def test_a_publication_of_many_changes_queues_one_dispatch_on_commit(
    db, dispatched, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        changes = publish(3)
        assert dispatched == []  # nothing before the commit
    assert len(changes) >= 3
    assert dispatched == [None]


@pytest.mark.django_db(transaction=True)
def test_each_committed_publication_queues_its_own_dispatch(dispatched):
    # Real commits: inside a test's wrapping transaction Django keeps every callback
    # pending, which is not what a worker or a web request sees.
    def create(code: str) -> None:
        record.write(
            target="jurisdiction",
            values={"code": code, "name": f"Webhookland {code}", "kind": "country"},
            why=record.Why.system("test"),
        )

    create("XQ")
    assert dispatched == [None]
    create("XR")
    assert dispatched == [None, None]


def test_a_write_rolled_back_to_a_savepoint_queues_nothing_and_a_later_one_still_queues(
    db, dispatched, django_capture_on_commit_callbacks
):
    law = Instrument.objects.published().order_by("pk").first()

    class Abandoned(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Abandoned), transaction.atomic():
            record.write(
                target="instrument",
                row=law,
                values={"summary": "Never published."},
                why=record.Why.system("test"),
            )
            raise Abandoned
        assert callbacks == []
        publish(1)
    assert dispatched == [None]


def test_a_broker_that_is_down_does_not_fail_the_publication(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down():
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.dispatch, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        changes = publish(1)
    assert changes  # written, and the sweep will deliver it
