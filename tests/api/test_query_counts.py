"""Queries per request do not grow with the page: every include is prefetched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.amendments.models import Amendment, Effect
from apps.instruments.models import Identifier, Instrument, InstrumentEvent, InstrumentParty
from apps.obligations.models import Penalty
from tests.api.law_records import act_in_force, amend, effect, moves, obligation
from tests.helpers import another_act

pytestmark = pytest.mark.django_db

D1, E, D2 = dt.date(2025, 3, 1), dt.date(2025, 6, 30), dt.date(2026, 3, 1)

ALL = {
    "instruments": "identifiers,events,parties,obligations,amendments,citations",
    "jurisdictions": "members,member_of,citations",
    "obligations": "penalties,citations",
    "amendments": "citations",
}


def _count(api, url, params) -> int:
    api.get("/api/v1/coverage/", {"page_size": 1})  # the key's first use writes last_used_at
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, params)
    assert response.status_code == 200, response.content
    return len(queries)


def _page_with_every_child(size: int = 10) -> int:
    """The first page of `size` instruments (by title, the list's order) whose rows have
    identifiers, events, parties, obligations with penalties and amendments both ways."""
    rows = list(Instrument.objects.order_by("title", "pk"))
    for number, start in enumerate(range(0, len(rows), size), start=1):
        ids = [row.pk for row in rows[start : start + size]]
        kinds = [
            Identifier.objects.filter(instrument__in=ids),
            InstrumentEvent.objects.filter(instrument__in=ids),
            InstrumentParty.objects.filter(instrument__in=ids),
            Penalty.objects.filter(obligation__instrument__in=ids),
            Amendment.objects.filter(target_instrument__in=ids),
            Amendment.objects.filter(source_instrument__in=ids),
        ]
        if all(kind.exists() for kind in kinds):
            return number
    raise AssertionError("no page of the seed has every kind of child")


# Pinned: authentication (1), the count, the page, then one query per include
# (instruments: identifiers, events, parties, obligations + penalties + citations,
# amendments both ways + their citations, citations); obligations, listed or included,
# cost one query more for the amendments' effects on them, however many
# (apps.reading.obligation_lists).
@pytest.mark.parametrize(
    ("resource", "pinned"),
    [("instruments", 15), ("jurisdictions", 6), ("obligations", 6), ("amendments", 4)],
)
def test_queries_stay_constant_from_10_to_100_rows_with_every_include(api, resource, pinned):
    url = f"/api/v1/{resource}/"
    # The small page must have every kind of child to load (Django skips a prefetch whose
    # outer set is empty), which the first ten instruments by title may not.
    page = {"page": _page_with_every_child()} if resource == "instruments" else {}
    small = _count(api, url, {"page_size": 10, "include": ALL[resource], **page})
    large = _count(api, url, {"page_size": 100, "include": ALL[resource]})
    assert small == large == pinned


def test_as_of_on_a_page_costs_a_fixed_number_of_queries(api):
    # Both pages start with the AI Act, so both have obligations, penalties and
    # citations to load (Django skips a prefetch whose outer set is empty).
    params = {"as_of": "2025-09-01", "include": "obligations", "jurisdiction": "EU"}
    small = _count(api, "/api/v1/instruments/", {**params, "page_size": 2, "ordering": "slug"})
    large = _count(api, "/api/v1/instruments/", {**params, "page_size": 100, "ordering": "slug"})
    assert small == large


def test_the_changes_feed_costs_one_query_per_kind_of_row_named_not_per_change(api):
    # The key, the page (with cases), then one statement for the stable ids of every
    # row the page names (jurisdictions, instruments, obligations, amendments, citations),
    # and one for what amendments' effects move when the page has some.
    bound = 3 + Effect.objects.exists()
    assert _count(api, "/api/v1/changes/", {"limit": 10}) <= bound
    assert _count(api, "/api/v1/changes/", {"limit": 1000}) == bound


# -- obligations amendments change (tests/api/law_records.py) ------------------------
@pytest.fixture
def amended_record():
    """Twelve obligations of one act, each moved by one amendment, eight of them also
    given a new requirement by another, and all of them by a proposal; and a function
    adding one more amendment with effects on every one of them."""
    act = act_in_force()
    amending = another_act(act, "zz-amending-act", "Testland amending act")
    duties = [obligation(act, f"duty-{n:02}", f"Article {n}", D1) for n in range(12)]
    amend(amending, act, [moves(d, D2) for d in duties], E, "zz-postponement")
    worded = [effect(d, "requirement", "Keep records.") for d in duties[:8]]
    amend(amending, act, worded, E + dt.timedelta(days=1), "zz-rewording")
    amend(amending, act, [effect(d, "risk_tier", "limited") for d in duties], None, "zz-proposal")

    def more(key: str) -> None:
        amend(amending, act, [effect(d, "addressee", "deployer") for d in duties], E, key)

    return more


# The key, the effects on the listed obligations, the count, the page, its penalties;
# on another day, the instruments whose status may differ that day (none since
# 2026-03-01; the act, amended in between, since 2025-05-01), with their events and
# incoming amendments when there are some.
@pytest.mark.parametrize(
    ("params", "pinned"),
    [
        ({}, 5),
        ({"include": "history"}, 5),
        ({"as_of": "2026-03-01"}, 6),
        ({"as_of": "2025-05-01"}, 8),
        ({"as_of": "2025-05-01", "include": "history,penalties,citations"}, 9),
        ({"applies_on": "2026-03-01", "ordering": "-applies_from"}, 5),
    ],
)
def test_an_amended_obligation_list_costs_no_query_per_row_or_effect(
    api, amended_record, params, pinned
):
    url, query = "/api/v1/obligations/", {"instrument": "zz-law", **params}
    small = _count(api, url, {**query, "page_size": 5})
    large = _count(api, url, {**query, "page_size": 100})
    amended_record("zz-more")
    more = _count(api, url, {**query, "page_size": 100})

    assert small == large == more == pinned
    assert api.get(url, {**query, "page_size": 100}).json()["count"] == 12


# Compare: authentication (1), the chosen jurisdictions (1), the detail's six
# (apps.reading.compare) and the crosswalk's ten (apps.reading.crosswalk), whatever
# the number compared.
def test_compare_with_its_crosswalk_costs_the_same_for_two_or_five(api):
    two = _count(api, "/api/v1/compare/", {"jurisdictions": "EU,CN"})
    five = _count(api, "/api/v1/compare/", {"jurisdictions": "EU,CN,US,IN,SG"})
    assert two == five == 18
