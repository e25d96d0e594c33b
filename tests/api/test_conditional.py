"""Validators for HEAD as for GET, and Last-Modified where the data has a time
(issue 24, item 6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.http import parse_http_date

pytestmark = pytest.mark.django_db

DETAIL = "/api/v1/instruments/eu-ai-act/"


def test_a_head_carries_the_etag_its_get_carries(api):
    got, head = api.get(DETAIL), api.head(DETAIL)

    assert head.status_code == 200
    assert head["ETag"] and head["ETag"] == got["ETag"]


def test_a_conditional_head_is_answered_not_modified(api):
    etag = api.get(DETAIL)["ETag"]

    assert api.head(DETAIL, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api.get(DETAIL, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_the_changes_feed_says_when_its_page_last_changed(api):
    page = api.get("/api/v1/changes/", {"after": 0, "limit": 5})
    stamp = page["Last-Modified"]

    again = api.get("/api/v1/changes/", {"after": 0, "limit": 5}, HTTP_IF_MODIFIED_SINCE=stamp)
    assert again.status_code == 304
    newest = max(dt.datetime.fromisoformat(c["applied_at"]) for c in page.json()["results"])
    assert parse_http_date(stamp) == int(newest.timestamp())


def test_an_empty_feed_page_claims_no_time(api):
    page = api.get("/api/v1/changes/", {"after": 2**62})
    assert page.status_code == 200 and "Last-Modified" not in page
