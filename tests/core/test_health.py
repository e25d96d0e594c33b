import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_broker_ok(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_health_degrades_but_keeps_serving_when_the_broker_is_down(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "database": "ok",
        "broker": "error",
        "status": "degraded",
        "last_worker_heartbeat": None,
    }
    # The site itself still answers while the broker is down.
    assert client.get("/admin/login/").status_code == 200


@override_settings(CELERY_BROKER_URL="redis://:hunter2-secret@127.0.0.1:1/0")
def test_health_leaks_no_settings_or_secrets(client, settings):
    text = client.get("/health/").content.decode()
    for secret in (
        "hunter2-secret",
        settings.SECRET_KEY,
        "127.0.0.1",
        "redis://",
        settings.DATABASES["default"]["NAME"],
    ):
        assert secret not in text


def test_health_refuses_writes(client):
    assert client.post("/health/").status_code == 405


def test_every_response_carries_a_request_id_and_reuses_a_safe_incoming_one(client):
    fresh = client.get("/health/")
    assert len(fresh["X-Request-ID"]) == 32
    reused = client.get("/health/", HTTP_X_REQUEST_ID="proxy-abc-123456")
    assert reused["X-Request-ID"] == "proxy-abc-123456"
    forged = client.get("/health/", HTTP_X_REQUEST_ID="bad id\ninjected")
    assert "injected" not in forged["X-Request-ID"]


def test_heartbeat_endpoint_is_for_staff_only(client, django_user_model):
    assert client.post("/ops/heartbeat/").status_code == 302  # to the login page
    user = django_user_model.objects.create_user("reader", password="pw-reader-123")
    client.force_login(user)
    assert client.post("/ops/heartbeat/").status_code == 302


def test_the_broker_probe_is_reused_for_a_few_seconds(client, settings, monkeypatch):
    from apps.core import health

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:2/0"
    calls = []
    real = health._probe_broker
    monkeypatch.setattr(health, "_probe_broker", lambda url: calls.append(url) or real(url))
    for _ in range(5):
        assert client.get("/health/").json()["broker"] == "error"
    assert len(calls) == 1


def test_a_log_event_stays_on_one_line_with_its_request_id():
    import logging

    from apps.core.logging import OneLineFormatter, RequestIdFilter, request_id_var

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "line one\nline two", None, None)
    token = request_id_var.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    text = OneLineFormatter("%(levelname)s [%(request_id)s] %(message)s").format(record)
    assert text == "INFO [abc123] line one\\nline two"
