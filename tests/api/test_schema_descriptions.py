"""What the schema tells a client's developer (issue 29): every operation and parameter
in words written for them, never a framework's docstring, and every parameter the
README documents."""

from __future__ import annotations

import inspect
import re

import pytest
import yaml
from django.views.generic import base as django_views
from rest_framework import generics, mixins, serializers, views, viewsets

from apps.api import base as api_base
from apps.api import serializers as api_serializers
from apps.api import views as api_views
from tests.api.readme_examples import README, api_section

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return yaml.safe_load(APIClient().get("/api/schema/").content)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def _framework_docstrings() -> set[str]:
    """The first line of every docstring of Django's and DRF's view and serializer
    classes (and of our own bases): what drf-spectacular shows when a view says nothing."""
    lines = set()
    for module in (django_views, views, viewsets, generics, mixins, serializers, api_base):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            for thing in (cls, *vars(cls).values()):
                doc = inspect.getdoc(thing) if callable(thing) or inspect.isclass(thing) else None
                first = (doc or "").strip().splitlines()[0] if doc else ""
                if len(first) >= 15:
                    lines.add(first)
    for cls in (api_serializers.Included, api_views.Resource):
        lines.add(inspect.getdoc(cls).splitlines()[0])
    return lines


def test_every_operation_has_a_written_summary_and_description(schema):
    missing = [
        name
        for name, operation in _operations(schema)
        if len(operation.get("summary", "")) < 10 or len(operation.get("description", "")) < 40
    ]
    assert missing == []


def test_no_description_is_a_framework_docstring(schema):
    framework = _framework_docstrings()
    assert any("This is the magic" in line for line in framework)  # the one issue 29 saw
    texts = [op.get("description", "") for _, op in _operations(schema)]
    texts += [op.get("summary", "") for _, op in _operations(schema)]
    texts += [c.get("description", "") for c in schema["components"]["schemas"].values()]
    texts += [
        p.get("description", "") for _, op in _operations(schema) for p in op.get("parameters", [])
    ]
    shown = [(line, text) for text in texts for line in framework if line in text]
    assert shown == []


def test_every_parameter_has_a_description(schema):
    bare = [
        f"{name} {parameter['name']}"
        for name, operation in _operations(schema)
        for parameter in operation.get("parameters", [])
        if len(parameter.get("description", "").strip()) < 8
        or parameter["description"].strip() == parameter["name"]
    ]
    assert bare == []


def test_json_ld_and_csv_answers_are_described_per_operation(schema):
    detail = schema["paths"]["/api/v1/instruments/{id}/"]["get"]["responses"]["200"]
    assert detail["content"]["application/ld+json"]["schema"] == {
        "$ref": "#/components/schemas/Legislation"
    }
    listing = schema["paths"]["/api/v1/instruments/"]["get"]["responses"]["200"]
    assert listing["content"]["application/ld+json"]["schema"]["$ref"].endswith("/LegislationList")
    assert "format=csv" in listing["description"] and "jsonld" in listing["description"]
    for name, operation in _operations(schema):
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")):
                assert list(response["content"]) == ["application/problem+json"], name


# The parameters the README's API section names, by the operation it names them for.
# Each must be written in the README (in backticks or in an example) and be in the
# schema: a generated client can send only what the schema lists.
DOCUMENTED = {
    ("/api/v1/jurisdictions/", "list"): "kind include ordering page page_size retired format",
    ("/api/v1/jurisdictions/{id}/", "detail"): "include retired",
    ("/api/v1/instruments/", "list"): (
        "jurisdiction jurisdiction_scope kind status legal_force approach topic pillar "
        "addressee risk_tier identifier updated_since as_of status_since_from status_since_to "
        "include ordering page page_size retired format"
    ),
    ("/api/v1/instruments/{id}/", "detail"): "as_of include retired format",
    ("/api/v1/obligations/", "list"): (
        "addressee applies_on as_of include ordering page page_size retired format"
    ),
    ("/api/v1/obligations/{id}/", "detail"): "as_of include retired",
    ("/api/v1/amendments/", "list"): "effective_from effective_to pending include ordering",
    ("/api/v1/amendments/{id}/", "detail"): "include retired",
    ("/api/v1/changes/", "feed"): "after limit",
    ("/api/v1/search/", "search"): "q",
    ("/api/v1/compare/", "compare"): "jurisdictions",
    ("/api/v1/applicability/", "applicability"): (
        "on market role risk_tier sector annual_revenue_usd training_compute_flop users "
        "employees sme"
    ),
}


@pytest.mark.parametrize(("path", "what"), list(DOCUMENTED))
def test_every_parameter_the_readme_documents_is_in_the_schema(schema, path, what):
    section = api_section(README.read_text(encoding="utf-8"))
    names = DOCUMENTED[(path, what)].split()
    unwritten = [n for n in names if not re.search(rf"`{n}[`=]|[?&]{n}=", section)]
    listed = {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
    assert unwritten == [] and sorted(set(names) - listed) == []
