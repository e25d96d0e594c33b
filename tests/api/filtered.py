"""Reading filtered lists whole, and the expected sets computed from the tables.

Shared by tests/api/test_filter_rules.py and tests/api/test_filter_scopes.py; nothing
here calls apps/api/filters.py, so the sets it computes can judge it.
"""

from __future__ import annotations

import datetime as dt

from apps.instruments.models import Instrument
from apps.jurisdictions.models import Membership

INSTRUMENTS = "/api/v1/instruments/"
JURISDICTIONS = "/api/v1/jurisdictions/"
OBLIGATIONS = "/api/v1/obligations/"
AMENDMENTS = "/api/v1/amendments/"


def all_rows(api, url, params=None) -> list[dict]:
    """Every row of a list, page after page."""
    rows, page = [], 1
    while True:
        response = api.get(url, {**(params or {}), "page_size": 100, "page": page})
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body.get("next"):
            return rows
        page += 1


def ids(api, url, params=None) -> set[str]:
    return {row["id"] for row in all_rows(api, url, params)}


def slugs(**where) -> set[str]:
    return set(Instrument.objects.published().filter(**where).values_list("slug", flat=True))


def groups_of(code: str, on: dt.date) -> set[str]:
    """The groups `code` belongs to on `on`, read from the membership rows."""
    return {
        m.group.code
        for m in Membership.objects.filter(member__code=code).select_related("group")
        if (m.joined_on is None or m.joined_on <= on) and (m.left_on is None or m.left_on > on)
    }


def members_of(code: str, on: dt.date) -> set[str]:
    return {
        m.member.code
        for m in Membership.objects.filter(group__code=code).select_related("member")
        if (m.joined_on is None or m.joined_on <= on) and (m.left_on is None or m.left_on > on)
    }


def refusal(response, parameter: str) -> str:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["parameter"] == parameter
    return error["message"]
