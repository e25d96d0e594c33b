"""Keys, scopes, anonymous access, throttling, and the caching headers every GET carries."""

from __future__ import annotations

import datetime as dt
import gzip
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apps.api import keys
from apps.api.models import ApiKey

pytestmark = pytest.mark.django_db
URL = "/api/v1/instruments/eu-ai-act/"


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_keys_are_stored_only_as_a_hash(issued):
    row, secret = issued
    assert secret not in {row.hashed, row.prefix}
    assert row.hashed == keys.digest(secret)
    assert keys.find(secret) == row
    assert keys.find(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None


def test_a_request_without_a_key_is_refused_by_default(anonymous):
    response = anonymous.get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_schema_and_its_pages_are_public(anonymous):
    assert anonymous.get("/api/schema/").status_code == 200
    for page in ("/api/schema/swagger/", "/api/schema/redoc/"):
        response = anonymous.get(page)
        assert response.status_code == 200
        html = response.content.decode()
        # Scripts and styles from our own site: the sidecar's files, or our copy of Redoc.
        loaded = re.findall(r'(?:src|href)="([^"]*)"', html)
        assert loaded and all(link.startswith("/") and "//" not in link for link in loaded)
        assert "cdn" not in html.lower()


def test_anonymous_reads_follow_the_setting(anonymous, settings):
    settings.API_ANONYMOUS_READ = True
    response = anonymous.get(URL)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"revoked_at": timezone.now()}, "revoked"),
        ({"expires_at": timezone.now() - dt.timedelta(seconds=1)}, "expired"),
    ],
)
def test_a_revoked_or_expired_key_is_refused(issued, change, message):
    row, secret = issued
    ApiKey.objects.filter(pk=row.pk).update(**change)
    response = _client(secret).get(URL)
    assert response.status_code == 401
    assert message in response.json()["detail"]


def test_a_disabled_client_is_refused(issued, client_org):
    client_org.active = False
    client_org.save()
    assert _client(issued[1]).get(URL).status_code == 401


def test_an_unknown_key_is_refused(anonymous):
    anonymous.credentials(HTTP_AUTHORIZATION="Bearer trk_000000000000_nope")
    assert anonymous.get(URL).status_code == 401


def test_a_key_without_the_read_scope_cannot_read(client_org):
    _, secret = keys.issue(client_org, "hooks only", ["webhooks"])
    response = _client(secret).get(URL)
    assert response.status_code == 403
    assert "read" in response.json()["detail"]


def test_last_use_is_kept_without_a_write_per_request(api, issued):
    row, _ = issued
    api.get(URL)
    first = ApiKey.objects.get(pk=row.pk).last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        api.get(URL)
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]
    assert ApiKey.objects.get(pk=row.pk).last_used_at == first


def test_a_key_over_its_budget_gets_429_with_retry_after(api, settings):
    settings.API_KEY_RATE = "3/minute"
    codes = [api.get(URL).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = api.get(URL)
    assert response["Content-Type"] == "application/problem+json"
    assert 0 < int(response["Retry-After"]) <= 60


def test_budgets_are_per_key(api, client_org, settings):
    settings.API_KEY_RATE = "1/minute"
    _, other = keys.issue(client_org, "second", ["read"])
    assert api.get(URL).status_code == 200
    assert api.get(URL).status_code == 429
    assert _client(other).get(URL).status_code == 200


def test_budgets_are_shared_through_redis_when_configured(api, settings, redis_url):
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-throttle-{timezone.now().timestamp()}",
        }
    }
    settings.API_KEY_RATE = "1/minute"
    try:
        assert api.get(URL).status_code == 200
        assert api.get(URL).status_code == 429
        stored = [k for k in caches["default"]._cache.get_client().keys("*test-throttle-*")]
        assert stored, "the counter lives in Redis"
    finally:
        caches["default"].clear()


def test_every_get_has_an_etag_and_a_matching_if_none_match_gets_304(api):
    first = api.get(URL)
    etag = first["ETag"]
    assert etag
    again = api.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and not again.content
    other = api.get("/api/v1/instruments/us-eo-14110/", HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200


def test_responses_are_gzipped_when_the_client_accepts_it(api):
    response = api.get("/api/v1/instruments/", {"page_size": 50}, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content).startswith(b"{")


def test_keyed_responses_are_private_and_revalidated(api):
    control = api.get(URL)["Cache-Control"]
    assert "private" in control and "no-cache" in control


def test_every_request_is_attributed_to_its_client_in_the_log(api, issued, caplog):
    row, _ = issued
    with caplog.at_level("INFO", logger="apps.api.requests"):
        api.get(URL)
    [line] = [r.getMessage() for r in caplog.records if r.name == "apps.api.requests"]
    assert f"client=Example LLP key={row.prefix}" in line and " 200 " in line


@pytest.mark.parametrize(
    ("scopes", "url", "said"),
    [
        (["webhooks"], URL, "This API key lacks the `read` scope."),
        (["read"], "/api/v1/webhooks/", "This API key lacks the `webhooks` scope."),
    ],
)
def test_a_key_without_the_scope_is_told_which_scope_it_lacks(client_org, scopes, url, said):
    response = _client(keys.issue(client_org, "probe", scopes)[1]).get(url)
    assert response.status_code == 403
    assert response.json()["detail"] == said
