"""The schema is as strict as the server (issue 24, item 7): what it allows, the server
takes, and what the server refuses, a generated client cannot write."""

from __future__ import annotations

import re

import pytest
import yaml

from apps.api.views import AmendmentView, InstrumentView, JurisdictionView, ObligationView

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return yaml.safe_load(APIClient().get("/api/schema/").content)


def _parameter(schema, path, name):
    [found] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
    return found["schema"]


@pytest.mark.parametrize(
    ("path", "view"),
    [
        ("/api/v1/instruments/", InstrumentView),
        ("/api/v1/obligations/{id}/", ObligationView),
        ("/api/v1/jurisdictions/", JurisdictionView),
        ("/api/v1/amendments/", AmendmentView),
    ],
)
def test_include_allows_exactly_the_resources_names(schema, api, path, view):
    pattern = re.compile(_parameter(schema, path, "include")["pattern"])
    assert all(pattern.match(name) for name in view.includes)
    assert pattern.match(",".join(view.includes))
    assert not pattern.match("nonsense") and not pattern.match(f"{view.includes[0]},")
    listing = path.replace("{id}/", "")
    assert api.get(listing, {"include": ",".join(view.includes)}).status_code == 200
    assert api.get(listing, {"include": "nonsense"}).status_code == 400


def test_identifier_is_a_known_scheme_and_a_value(schema, api):
    pattern = re.compile(_parameter(schema, "/api/v1/instruments/", "identifier")["pattern"])
    assert pattern.match("eo:14179") and pattern.match("celex:32024R1689")
    assert not pattern.match("14179") and not pattern.match("nope:1") and not pattern.match("eo:")
    assert api.get("/api/v1/instruments/", {"identifier": "nope:1"}).status_code == 400


def test_compare_takes_two_to_five_codes(schema, api):
    pattern = re.compile(_parameter(schema, "/api/v1/compare/", "jurisdictions")["pattern"])
    assert pattern.match("EU,US") and pattern.match("EU,US,CN,IN,KR")
    assert not pattern.match("EU") and not pattern.match("EU,US,CN,IN,KR,JP")
    assert api.get("/api/v1/compare/", {"jurisdictions": "EU,US,CN,IN,KR,JP"}).status_code == 400


def test_a_webhook_body_with_an_unknown_field_is_refused_and_registers_nothing(schema):
    from apps.api.models import ApiClient
    from apps.webhooks.models import WebhookEndpoint
    from tests.webhooks.conftest import key_client

    assert schema["components"]["schemas"]["NewEndpointRequest"]["additionalProperties"] is False
    client = key_client(ApiClient.objects.create(name="Hooks LLP"), ["webhooks"])
    answer = client.post(
        "/api/v1/webhooks/",
        {"url": "https://hooks.example.org/x", "kind": ["instrument"]},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["parameter"] == "kind"
    assert not WebhookEndpoint.objects.exists()


def test_a_name_included_twice_is_embedded_once(api):
    """Found by the schema fuzz test once `include` had a pattern: repeating a name was a 500."""
    answer = api.get("/api/v1/amendments/", {"include": "citations,effects,effects,citations"})

    assert answer.status_code == 200
    first = answer.json()["results"][0]
    assert "effects" in first and "citations" in first
