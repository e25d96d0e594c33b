"""Request budgets hold: per address whatever X-Forwarded-For says, per key under
concurrent requests, in Redis and in process memory alike (issue 24, items 8 and 9)."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import caches
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from apps.api.models import ApiKey
from apps.api.throttling import KeyRateThrottle

URL = "/api/v1/instruments/eu-ai-act/"


def _anonymous_get(forwarded_for: str, remote: str = "203.0.113.7") -> int:
    return APIClient().get(URL, HTTP_X_FORWARDED_FOR=forwarded_for, REMOTE_ADDR=remote).status_code


@pytest.mark.django_db
def test_rotating_x_forwarded_for_does_not_escape_the_anonymous_budget(settings):
    settings.API_ANONYMOUS_READ = True
    settings.API_ANONYMOUS_RATE = "2/minute"
    settings.TRUSTED_PROXIES = 0
    codes = [_anonymous_get(f"198.51.100.{n}") for n in range(4)]
    assert codes == [200, 200, 429, 429]


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_budget_follows_the_address_the_proxy_saw(settings):
    settings.API_ANONYMOUS_READ = True
    settings.API_ANONYMOUS_RATE = "2/minute"
    settings.TRUSTED_PROXIES = 1
    # The proxy appends the address it was reached from; what stands left of it is
    # the client's own writing, rotated here on every request.
    codes = [_anonymous_get(f"10.9.9.{n}, 192.0.2.1", remote="10.0.0.2") for n in range(3)]
    assert codes == [200, 200, 429]
    assert _anonymous_get("192.0.2.2", remote="10.0.0.2") == 200


def _keyed_request(prefix: str) -> Request:
    request = Request(APIRequestFactory().get(URL))
    request.auth = ApiKey(prefix=prefix)
    return request


def _allowed_under_concurrency(
    prefix: str, threads: int = 16, each: int = 125
) -> tuple[int, list[float]]:
    """Send threads * each requests of one key at once; count the ones let through."""
    start = threading.Barrier(threads)
    allowed = []
    waits: list[float] = []
    lock = threading.Lock()

    def send() -> None:
        start.wait()
        passed = 0
        for _ in range(each):
            throttle = KeyRateThrottle()
            if throttle.allow_request(_keyed_request(prefix), None):
                passed += 1
            else:
                with lock:
                    waits.append(throttle.wait())
        with lock:
            allowed.append(passed)

    workers = [threading.Thread(target=send) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(allowed), waits


def test_a_key_budget_holds_under_concurrent_requests_in_redis(settings, redis_url):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-throttle-race-{timezone.now().timestamp()}",
        }
    }
    settings.API_KEY_RATE = "1000/hour"
    try:
        # Each thread has a cache object and a connection of its own, so the 16 senders
        # reach the Redis server as 16 clients would.
        allowed, waits = _allowed_under_concurrency("racekey")
        assert 990 <= allowed <= 1010, f"{allowed} of 2000 requests passed a limit of 1000"
        assert len(waits) == 2000 - allowed
        assert all(0 < wait <= 3600 for wait in waits)
    finally:
        caches["default"].clear()


def test_a_key_budget_holds_under_concurrent_requests_without_redis(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.API_KEY_RATE = "1000/hour"
    allowed, _ = _allowed_under_concurrency("localkey")
    assert allowed == 1000


def test_a_budget_opens_again_when_its_window_ends(settings, monkeypatch):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.API_KEY_RATE = "2/minute"
    now = [time.time()]
    # The process cache and the counter both read time.time: moving it moves both.
    monkeypatch.setattr(time, "time", lambda: now[0])

    def allowed() -> bool:
        return KeyRateThrottle().allow_request(_keyed_request("windowkey"), None)

    assert [allowed(), allowed(), allowed()] == [True, True, False]
    now[0] += 30
    refused = KeyRateThrottle()
    assert not refused.allow_request(_keyed_request("windowkey"), None)
    assert refused.wait() == pytest.approx(30)
    now[0] += 31
    assert allowed()
