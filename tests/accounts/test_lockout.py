"""Lockout after repeated failed sign-ins, portal and admin alike, per user AND address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

HOME, ELSEWHERE = "198.51.100.7", "203.0.113.9"
LOGINS = [pytest.param("login", id="portal"), pytest.param("admin:login", id="admin")]


def _sign_in(client, url_name, password, address, **extra):
    return client.post(
        reverse(url_name),
        {"username": "staff", "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url_name", LOGINS)
def test_six_wrong_passwords_lock_the_user_out_from_that_address_only(
    client, staff_user, settings, url_name
):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(6):
        assert _sign_in(client, url_name, "wrong", HOME).status_code in (200, 429)
        assert not _signed_in(client)

    refused = _sign_in(client, url_name, "pw-staff-123", HOME)
    assert refused.status_code == 429
    assert not _signed_in(client)
    assert "Signing in is paused" in refused.content.decode()

    elsewhere = _sign_in(client, url_name, "pw-staff-123", ELSEWHERE)
    assert elsewhere.status_code == 302
    assert _signed_in(client)


@pytest.mark.parametrize("url_name", LOGINS)
def test_the_fifth_failure_is_the_last_one_answered_as_a_wrong_password(
    client, staff_user, url_name
):
    answers = [_sign_in(client, url_name, "wrong", HOME).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]


def test_a_lockout_on_the_portal_holds_on_the_admin_too(client, staff_user):
    for _ in range(5):
        _sign_in(client, "login", "wrong", HOME)
    assert _sign_in(client, "admin:login", "pw-staff-123", HOME).status_code == 429
    assert not _signed_in(client)


def test_another_user_at_the_same_address_is_not_locked_out(client, staff_user, superuser):
    for _ in range(6):
        _sign_in(client, "login", "wrong", HOME)
    response = client.post(
        reverse("login"), {"username": "root", "password": "pw-root-123"}, REMOTE_ADDR=HOME
    )
    assert response.status_code == 302


def test_the_lockout_page_says_when_to_try_again_and_tries_do_not_move_it(
    client, staff_user, settings
):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    before = timezone.now()
    for _ in range(5):
        _sign_in(client, "login", "wrong", HOME)
    first = _sign_in(client, "login", "pw-staff-123", HOME)
    second = _sign_in(client, "login", "wrong", HOME)

    retry_at = first.context["retry_at"]
    assert before + timedelta(minutes=15) <= retry_at <= timezone.now() + timedelta(minutes=15)
    assert second.context["retry_at"] == retry_at
    assert f'datetime="{retry_at.isoformat()}"' in first.content.decode()
    assert "in about 15 minutes" in first.content.decode()
    assert 14 * 60 <= int(first["Retry-After"]) <= 15 * 60


def test_after_the_cool_off_the_right_password_works_again(client, staff_user, settings):
    from axes.models import AccessAttempt

    for _ in range(5):
        _sign_in(client, "login", "wrong", HOME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME)
    assert _sign_in(client, "login", "pw-staff-123", HOME).status_code == 302


def test_a_success_clears_earlier_failures(client, staff_user):
    for _ in range(4):
        _sign_in(client, "login", "wrong", HOME)
    assert _sign_in(client, "login", "pw-staff-123", HOME).status_code == 302
    client.logout()
    answers = [_sign_in(client, "login", "wrong", HOME).status_code for _ in range(4)]
    assert answers == [200] * 4


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, staff_user, settings):
    settings.TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"
    # An attacker may put any address left of the proxy's entry; it is not the one counted.
    for _ in range(6):
        _sign_in(client, "login", "wrong", proxy, HTTP_X_FORWARDED_FOR=f"{HOME}, {ELSEWHERE}")
    at_home = _sign_in(client, "login", "pw-staff-123", proxy, HTTP_X_FORWARDED_FOR=HOME)
    assert at_home.status_code == 302
    client.logout()
    from_attacker = _sign_in(client, "login", "pw-staff-123", proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert from_attacker.status_code == 429


def test_a_malformed_forwarded_address_counts_as_the_proxy_s(client, staff_user, settings):
    settings.TRUSTED_PROXIES = 1
    for _ in range(5):
        _sign_in(client, "login", "wrong", "10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    assert _sign_in(client, "login", "pw-staff-123", "10.0.0.2").status_code == 429
