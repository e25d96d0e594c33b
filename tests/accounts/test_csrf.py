"""Every account form that changes state refuses a POST without the CSRF token."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts import invitations

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client():
    return Client(enforce_csrf_checks=True)


def test_signing_in_needs_the_token(strict_client, staff_user):
    response = strict_client.post(
        reverse("login"), {"username": "staff", "password": "pw-staff-123"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in strict_client.session


def test_asking_for_a_reset_needs_the_token(strict_client, staff_user):
    response = strict_client.post(reverse("password_reset"), {"email": "staff@example.org"})
    assert response.status_code == 403


def test_accepting_an_invitation_needs_the_token(strict_client, django_user_model):
    ada = django_user_model.objects.create_user("ada", "ada@firm.example")
    link = reverse("accept-invitation", kwargs={"token": invitations.make_token(ada)})
    password = "a-long-new-password-42"
    response = strict_client.post(link, {"new_password1": password, "new_password2": password})
    assert response.status_code == 403
    ada.refresh_from_db()
    assert not ada.has_usable_password()


def test_inviting_needs_the_token(strict_client, superuser, django_user_model):
    strict_client.force_login(superuser)
    response = strict_client.post(
        reverse("admin:auth_user_invite"), {"email": "eve@x.example", "username": "eve"}
    )
    assert response.status_code == 403
    assert not django_user_model.objects.filter(username="eve").exists()
