"""A receiver at a private address is refused before any socket is opened.

The guard is the source watcher's: the URL's host is judged, then every address
its name resolves to, when the connection would be opened.
"""

from __future__ import annotations

import socket

import pytest

from apps.webhooks import delivery, tasks
from apps.webhooks.models import Status, WebhookEndpoint
from tests.webhooks.conftest import key_client, publish


@pytest.fixture
def listener():
    """A local port that would accept a connection, to show none arrives."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def assert_nothing_connected(listener: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        listener.accept()


@pytest.fixture
def no_sockets(monkeypatch):
    """Fail the test if anything opens an outgoing connection."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"a connection was opened: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@pytest.fixture
def retries(monkeypatch):
    monkeypatch.setattr(tasks, "schedule_retry", lambda *args: None)


def test_an_endpoint_at_a_private_address_is_refused_with_no_socket_opened(
    org, listener, no_sockets, retries
):
    # Made directly: registering refuses this URL (below); an endpoint can still hold
    # one if an administrator typed it while private addresses were allowed.
    port = listener.getsockname()[1]
    hook = WebhookEndpoint.objects.create(
        client=org, url=f"http://127.0.0.1:{port}/hook", secret="whsec_test", cursor=0
    )
    publish(1)

    assert tasks.deliver(hook.pk) == Status.REFUSED

    refused = hook.deliveries.get()
    assert refused.status == Status.REFUSED
    assert "not a public address" in refused.error
    assert refused.finished_at is not None
    assert_nothing_connected(listener)


def test_a_public_name_that_resolves_to_a_private_address_is_refused_at_connect_time(
    org, listener, monkeypatch, no_sockets, retries
):
    port = listener.getsockname()[1]
    real = socket.getaddrinfo

    def rebinding_dns(host, *args, **kwargs):
        # The name passes every test of its spelling; only its DNS answer is private.
        if host == "hooks.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    hook, _secret = delivery.register(org, f"http://hooks.example.com:{port}/hook")
    publish(1)

    assert tasks.deliver(hook.pk) == Status.REFUSED

    refused = hook.deliveries.get()
    assert refused.error == "hooks.example.com resolves to an address that is not allowed"
    assert_nothing_connected(listener)


def test_the_delivery_log_never_names_the_private_address_a_name_resolved_to(
    org, monkeypatch, no_sockets, retries
):
    """What the client reads through the API: the refusal, not the internal address its
    name led to (that would let a client map the network behind the service)."""

    def internal_dns(host, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", 443))]

    monkeypatch.setattr(socket, "getaddrinfo", internal_dns)
    hook, _secret = delivery.register(org, "https://hooks.example.com/hook")
    publish(1)
    tasks.deliver(hook.pk)

    api = key_client(org, ["webhooks"])
    answer = api.get(f"/api/v1/webhooks/{hook.public_id}/deliveries/")
    hook.refresh_from_db()
    assert answer.status_code == 200
    shown = answer.content.decode() + hook.disabled_reason + hook.deliveries.get().error
    assert "not allowed" in shown
    assert "10.20.30.40" not in shown


def test_refusals_count_towards_disabling_the_endpoint(org, no_sockets, retries, settings):
    settings.WEBHOOKS_DISABLE_AFTER = 2
    hook = WebhookEndpoint.objects.create(
        client=org, url="http://10.0.0.8/hook", secret="whsec_test", cursor=0
    )
    publish(1)
    tasks.deliver(hook.pk)
    WebhookEndpoint.objects.filter(pk=hook.pk).update(next_attempt_at=None)
    tasks.deliver(hook.pk)

    hook.refresh_from_db()
    assert not hook.active
    assert "not a public address" in hook.disabled_reason


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://0x7f000001/hook",
        "http://metadata.internal/hook",
        "ftp://example.com/hook",
    ],
)
def test_registering_a_private_or_non_http_url_is_refused(org, url):
    with pytest.raises(delivery.AddressRefused):
        delivery.register(org, url)
    assert not WebhookEndpoint.objects.exists()
