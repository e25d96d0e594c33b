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


# -- whose address a failure counts against (client_address), read directly -----------


def _address(settings, proxies: int, forwarded: str | None, remote: str | None = "10.0.0.2"):
    from django.test import RequestFactory

    from apps.accounts.lockout import client_address

    settings.TRUSTED_PROXIES = proxies
    meta = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    request = RequestFactory().get("/", **meta)
    if remote is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote
    return client_address(request)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    assert _address(settings, 0, f"{HOME}, {ELSEWHERE}") == "10.0.0.2"


def test_a_request_without_a_remote_address_counts_under_an_empty_one(settings):
    assert _address(settings, 0, None, remote=None) == ""
    assert _address(settings, 1, None, remote=None) == ""


@pytest.mark.parametrize(
    ("proxies", "forwarded", "counted"),
    [
        pytest.param(1, f"{ELSEWHERE}, {HOME}", HOME, id="one proxy: the last entry"),
        pytest.param(
            2, f"{ELSEWHERE}, {HOME}, 10.0.0.1", HOME, id="two: the second from the right"
        ),
        pytest.param(2, f"{HOME}, 10.0.0.1", HOME, id="as many entries as proxies"),
        pytest.param(2, f" {HOME} ,, 10.0.0.1 ,", HOME, id="spaces and empty entries skipped"),
        pytest.param(1, " 2001:DB8::1 ", "2001:db8::1", id="an IPv6 address in its usual form"),
    ],
)
def test_behind_proxies_the_client_is_as_many_entries_from_the_right(
    settings, proxies, forwarded, counted
):
    assert _address(settings, proxies, forwarded) == counted


@pytest.mark.parametrize(
    "forwarded",
    [
        pytest.param(None, id="no header"),
        pytest.param(HOME, id="fewer entries than proxies"),
        pytest.param(", ,", id="only empty entries"),
        pytest.param("not-an-address, 10.0.0.1", id="a malformed entry"),
    ],
)
def test_behind_two_proxies_a_short_or_malformed_header_counts_as_the_nearest_proxy(
    settings, forwarded
):
    assert _address(settings, 2, forwarded) == "10.0.0.2"


def test_a_lockout_near_its_end_says_about_one_minute_and_the_seconds_left(
    client, staff_user, settings
):
    from axes.models import AccessAttempt

    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    for _ in range(5):
        _sign_in(client, "login", "wrong", HOME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14, seconds=20))

    response = _sign_in(client, "login", "pw-staff-123", HOME)

    assert response.status_code == 429
    assert response.context["minutes"] == 1
    assert "in about 1 minute)" in response.content.decode()
    assert 30 <= int(response["Retry-After"]) <= 40
    assert "After 5 failed attempts" in response.content.decode()


def _fail_five_times_ten_minutes_ago(client, settings) -> None:
    from axes.models import AccessAttempt

    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    for _ in range(5):
        _sign_in(client, "login", "wrong", HOME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10))


def test_the_lockout_ends_a_cool_off_after_this_users_failure_not_anothers_at_the_address(
    client, staff_user, superuser, settings
):
    _fail_five_times_ten_minutes_ago(client, settings)
    client.post(reverse("login"), {"username": "root", "password": "wrong"}, REMOTE_ADDR=HOME)

    response = _sign_in(client, "login", "pw-staff-123", HOME)

    assert response.status_code == 429
    assert response.context["minutes"] == 5
    assert 4 * 60 <= int(response["Retry-After"]) <= 5 * 60


def test_the_lockout_ends_a_cool_off_after_the_failure_at_this_address_not_elsewhere(
    client, staff_user, settings
):
    _fail_five_times_ten_minutes_ago(client, settings)
    _sign_in(client, "login", "wrong", ELSEWHERE)

    response = _sign_in(client, "login", "pw-staff-123", HOME)

    assert response.status_code == 429
    assert response.context["minutes"] == 5


def test_the_lockout_page_is_a_portal_page_of_whoever_is_signed_in(
    client, staff_user, django_user_model
):
    reader = django_user_model.objects.create_user("reader-l", password="pw-reader-123")
    client.force_login(reader)
    for _ in range(5):
        _sign_in(client, "login", "wrong", HOME)

    response = _sign_in(client, "login", "wrong", HOME)

    assert response.status_code == 429
    page = response.content.decode()
    assert "<span>reader-l</span>" in page
    assert "Sign out" in page


def test_the_minutes_left_are_rounded_up(client, staff_user, settings):
    from axes.models import AccessAttempt

    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    for _ in range(5):
        _sign_in(client, "login", "wrong", HOME)
    # 14 min 10 s left (less the test's own seconds): "about 15 minutes", never 14.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(seconds=50))

    response = _sign_in(client, "login", "pw-staff-123", HOME)

    assert response.context["minutes"] == 15
