from __future__ import annotations

import pytest


@pytest.fixture
def reader(django_user_model):
    """A law-firm staff member: an account with no editorial role."""
    return django_user_model.objects.create_user(
        "reader", "reader@example.org", "pw-reader-123", is_staff=False
    )


@pytest.fixture
def signed_in(client, reader):
    client.force_login(reader)
    return client
