"""/api/ and /api/v1/ answer where to go next (issue 23): the README sends readers there."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.api import keys

pytestmark = pytest.mark.django_db


def test_the_api_index_links_v1_the_schema_and_both_docs_pages_without_a_key(anonymous):
    answer = anonymous.get("/api/")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    index = answer.json()
    links = [index["versions"]["v1"], index["schema"], *index["docs"].values()]
    assert [link.removeprefix("http://testserver") for link in links] == [
        "/api/v1/",
        "/api/schema/",
        "/api/schema/redoc/",
        "/api/schema/swagger/",
    ]
    for link in links:
        assert anonymous.get(link).status_code == 200, link


def test_v1_lists_its_resources_each_answering_with_a_key(anonymous, client_org):
    resources = anonymous.get("/api/v1/").json()["resources"]
    assert {"instruments", "obligations", "changes", "applicability"} <= set(resources)
    api = APIClient()
    _, secret = keys.issue(client_org, "every scope", ["read", "webhooks"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for name, link in resources.items():
        # Search and compare need their parameters: a 400 naming them, not a 404.
        assert api.get(link).status_code in (200, 400), name


def test_an_unknown_api_address_points_to_the_index(anonymous):
    answer = anonymous.get("/api/v2/")
    assert answer.status_code == 404 and answer.json()["detail"].endswith("index is /api/.")
