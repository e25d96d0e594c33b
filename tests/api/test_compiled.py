"""The planned rows (apps.api.compiled) are exactly what DRF's serializers write."""

from __future__ import annotations

import pytest
from rest_framework import serializers

from apps.api.serializers import Included
from tests.api.test_query_counts import ALL

pytestmark = pytest.mark.django_db


def _both(api, monkeypatch, url, params):
    planned = api.get(url, params)
    with monkeypatch.context() as patch:
        # DRF's own field-by-field output, for every serializer on the way down.
        patch.setattr(Included, "to_representation", serializers.Serializer.to_representation)
        by_drf = api.get(url, params)
    assert planned.status_code == by_drf.status_code == 200, planned.content
    return planned.json(), by_drf.json()


@pytest.mark.parametrize("resource", sorted(ALL))
def test_every_resource_with_every_include_reads_as_drf_writes_it(api, monkeypatch, resource):
    planned, by_drf = _both(
        api, monkeypatch, f"/api/v1/{resource}/", {"page_size": 100, "include": ALL[resource]}
    )

    assert planned["results"], "the seed has rows to compare"
    assert planned == by_drf


@pytest.mark.parametrize(
    "params",
    [
        {"include": ALL["instruments"]},
        {"include": "obligations,amendments", "as_of": "2025-09-01"},
        {},
    ],
)
def test_an_instrument_on_a_day_and_without_includes_reads_as_drf_writes_it(
    api, monkeypatch, params
):
    planned, by_drf = _both(api, monkeypatch, "/api/v1/instruments/eu-ai-act/", params)

    assert planned == by_drf


def test_a_missing_parent_and_a_retired_row_read_as_drf_writes_them(api, monkeypatch):
    # Jurisdictions without a parent (None halfway down `parent.code`) and retired
    # rows (a timestamp where the published ones have null).
    planned, by_drf = _both(
        api, monkeypatch, "/api/v1/jurisdictions/", {"page_size": 100, "retired": "true"}
    )

    assert any(row["parent"] is None for row in planned["results"])
    assert planned == by_drf
