"""/api/v1/webhooks/: a client manages its own endpoints and reads its own delivery log."""

from __future__ import annotations

import uuid

import pytest

from apps.webhooks import tasks
from apps.webhooks.models import WebhookEndpoint
from tests.webhooks.conftest import key_client, publish

pytestmark = pytest.mark.urls("tests.webhooks.urls")

HOOKS = "/api/v1/webhooks/"


@pytest.fixture
def ours(org):
    return key_client(org, ["webhooks"])


@pytest.fixture
def theirs(other_org):
    return key_client(other_org, ["webhooks"])


def create(client, url="https://hooks.example.org/tracker", **extra):
    return client.post(HOOKS, {"url": url, **extra}, format="json")


def test_creating_an_endpoint_answers_its_secret_once(ours):
    created = create(ours, kinds=["instrument", "obligation"], description="sync")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["kinds"] == ["instrument", "obligation"]
    assert created["Location"] == body["link"]
    assert WebhookEndpoint.objects.get(public_id=body["id"]).secret == body["secret"]

    shown = ours.get(body["link"])
    assert shown.status_code == 200
    assert "secret" not in shown.json()
    assert body["secret"] not in ours.get(HOOKS).content.decode()


def test_another_clients_endpoints_and_deliveries_are_invisible(ours, theirs, other_org):
    mine = create(ours).json()
    other = create(theirs, url="https://other.example.org/hook").json()

    listed = ours.get(HOOKS).json()
    assert [e["id"] for e in listed["results"]] == [mine["id"]]
    for path in (other["link"], other["deliveries"]):
        answer = ours.get(path)
        assert answer.status_code == 404
        assert answer["Content-Type"] == "application/problem+json"
    assert ours.delete(other["link"]).status_code == 404
    assert WebhookEndpoint.objects.filter(public_id=other["id"], client=other_org).exists()


def test_a_client_reads_its_delivery_log(ours, receiver, private_allowed):
    mine = create(ours, url=receiver.url).json()
    changes = publish(2)
    tasks.deliver(WebhookEndpoint.objects.get(public_id=mine["id"]).pk)

    log = ours.get(mine["deliveries"])
    assert log.status_code == 200
    [entry] = log.json()["results"]
    assert entry["status"] == "delivered"
    assert entry["status_code"] == 200
    assert entry["change_ids"] == [c.pk for c in changes]
    assert entry["attempt"] == 1


def test_deleting_an_endpoint_stops_its_deliveries(ours):
    mine = create(ours).json()
    assert ours.delete(mine["link"]).status_code == 204
    assert ours.get(mine["link"]).status_code == 404
    assert not WebhookEndpoint.objects.exists()


def test_a_key_without_the_webhooks_scope_is_refused(org):
    reader = key_client(org, ["read"])
    answer = reader.get(HOOKS)
    assert answer.status_code == 403
    assert "`webhooks` scope" in answer.json()["detail"]
    assert create(reader).status_code == 403


@pytest.mark.parametrize(
    ("given", "parameter"),
    [
        ({"url": "http://127.0.0.1:9000/hook"}, "url"),
        ({"url": "http://localhost/hook"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "https://hooks.example.org/", "kinds": ["case"]}, "kinds.0"),
        ({"kinds": ["instrument"]}, "url"),
    ],
)
def test_a_bad_endpoint_is_refused_with_the_parameter_named(ours, given, parameter):
    answer = ours.post(HOOKS, given, format="json")
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert [e["parameter"] for e in answer.json()["errors"]] == [parameter]
    assert not WebhookEndpoint.objects.exists()


def test_an_unknown_endpoint_id_is_a_problem_not_a_crash(ours):
    answer = ours.get(f"{HOOKS}{uuid.uuid4()}/")
    assert answer.status_code == 404
    assert answer.json()["status"] == 404
