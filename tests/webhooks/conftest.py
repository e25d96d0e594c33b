from __future__ import annotations

import itertools

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from apps.api import keys
from apps.api.models import ApiClient
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.record import services as record
from apps.record.models import AppliedChange
from apps.webhooks import delivery
from tests.webhooks.receiver import Receiver

_edits = itertools.count(1)


@pytest.fixture
def org(db):
    return ApiClient.objects.create(name="Example LLP", contact_email="it@example.org")


@pytest.fixture
def other_org(db):
    return ApiClient.objects.create(name="Other GmbH", contact_email="it@other.example")


def key_client(org: ApiClient, scopes: list[str]) -> APIClient:
    _row, secret = keys.issue(org, "hooks", scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def receiver():
    site = Receiver().start()
    yield site
    site.stop()


@pytest.fixture
def private_allowed(settings):
    """The watcher tests' switch: the receiver lives on 127.0.0.1."""
    settings.SOURCES_ALLOW_PRIVATE = True


@pytest.fixture
def endpoint(org, receiver, private_allowed):
    """An endpoint at the local receiver, and its secret."""
    return delivery.register(org, receiver.url)


def publish(count: int = 1, *, kind: str = "instrument") -> list[AppliedChange]:
    """One publication: `count` rows of `kind` edited in one transaction, as an approval does."""
    model = Instrument if kind == "instrument" else Jurisdiction
    rows = list(model.objects.filter(retired_at__isnull=True).order_by("pk")[:count])
    assert len(rows) == count
    with transaction.atomic():
        written = [
            record.write(
                target=kind,
                row=row,
                values={"summary": f"Edited for a webhook test ({next(_edits)})."},
                why=record.Why.system("webhook test"),
            )
            for row in rows
        ]
    return [change for w in written for change in w.changes]
