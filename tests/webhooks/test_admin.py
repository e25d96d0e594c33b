"""The admin: endpoints with their secret shown once, and a read-only delivery log."""

from __future__ import annotations

from django.urls import reverse

from apps.webhooks import tasks
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.webhooks.conftest import publish


def test_adding_an_endpoint_shows_its_secret_once(client, superuser, org):
    client.force_login(superuser)
    answer = client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {"client": org.pk, "url": "https://hooks.example.org/t", "kinds": ["instrument"]},
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    hook = WebhookEndpoint.objects.get()
    assert hook.secret.startswith("whsec_")
    assert hook.kinds == ["instrument"]

    # The page the admin lands on after saving carries the secret in its message...
    landing = client.get(answer["Location"])
    assert hook.secret in landing.content.decode()
    # ...and no page after it: not the endpoint's own page, not the list.
    change = reverse("admin:webhooks_webhookendpoint_change", args=[hook.pk])
    changelist = reverse("admin:webhooks_webhookendpoint_changelist")
    for path in (change, changelist, answer["Location"]):
        page = client.get(path)
        assert page.status_code == 200
        assert hook.secret not in page.content.decode()


def test_the_admin_refuses_an_endpoint_at_a_private_address(client, superuser, org):
    client.force_login(superuser)
    answer = client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {"client": org.pk, "url": "http://192.168.1.10/hook"},
    )
    assert answer.status_code == 200
    assert "not a public address" in answer.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_is_visible_and_read_only(client, superuser, endpoint, receiver):
    hook, _secret = endpoint
    publish(1)
    tasks.deliver(hook.pk)
    logged = WebhookDelivery.objects.get()
    client.force_login(superuser)

    listing = client.get(reverse("admin:webhooks_webhookdelivery_changelist"))
    assert listing.status_code == 200
    assert receiver.url in listing.content.decode()
    page = client.get(reverse("admin:webhooks_webhookdelivery_change", args=[logged.pk]))
    assert page.status_code == 200
    assert client.get(reverse("admin:webhooks_webhookdelivery_add")).status_code == 403
    edit = client.post(
        reverse("admin:webhooks_webhookdelivery_change", args=[logged.pk]), {"status": "failed"}
    )
    assert edit.status_code == 403
    delete = client.post(
        reverse("admin:webhooks_webhookdelivery_delete", args=[logged.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    logged.refresh_from_db()
    assert logged.status == "delivered"
