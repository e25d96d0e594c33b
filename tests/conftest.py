from __future__ import annotations

import os

import pytest


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: the Redis variant runs where Redis does (CI)")
    return url


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        "staff", "staff@example.org", "pw-staff-123", is_staff=True
    )
