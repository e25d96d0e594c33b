from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.api import keys
from apps.api.models import ApiClient


@pytest.fixture
def client_org(db):
    return ApiClient.objects.create(name="Example LLP", contact_email="it@example.org")


@pytest.fixture
def issued(client_org):
    """A read key and its secret."""
    return keys.issue(client_org, "sync", ["read"])


@pytest.fixture
def api(issued):
    """An HTTP client that sends a read key."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued[1]}")
    return client


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture(autouse=True)
def fresh_budgets():
    """Throttle counts live in the process cache: each test starts with full budgets."""
    from django.core.cache import cache

    cache.clear()
