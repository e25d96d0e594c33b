"""`as_of` lists the obligations that applied that day: none of an instrument that was
not in force then, whatever the obligation's own dates say. Both ways a list is
decided are held: in the database for rows no amendment changes, and in Python for
the rows an amendment changes (apps.reading.obligation_lists)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.law_records import amend, moves, obligation
from tests.helpers import another_act, make_testland_law, write

pytestmark = pytest.mark.django_db


def _events(*pairs: tuple[str, str]) -> list[dict]:
    return [{"kind": k, "date": d, "date_precision": "day", "note": ""} for k, d in pairs]


def _listed(api, day: str) -> list[str]:
    response = api.get("/api/v1/obligations/", {"instrument": "zz-law", "as_of": day})
    assert response.status_code == 200, response.content
    return sorted(row["key"] for row in response.json()["results"])


def test_as_of_lists_no_obligation_of_an_instrument_not_yet_in_force_or_repealed(api):
    act = make_testland_law()
    events = _events(
        ("adopted", "2024-01-01"), ("entered_into_force", "2025-07-01"), ("repealed", "2026-01-01")
    )
    write("instrument", {"events": events}, row=act)
    # Their own dates cover every day asked below; an amendment moves the second's.
    obligation(act, "early-duty", "Article 1", dt.date(2024, 6, 1))
    amended = obligation(act, "amended-duty", "Article 2", dt.date(2024, 6, 1))
    amending = another_act(act, "zz-amending-act", "Testland amending act")
    amend(amending, act, [moves(amended, dt.date(2024, 5, 1))], dt.date(2024, 3, 1), "zz-a1")

    assert _listed(api, "2025-03-01") == []  # adopted, not yet in force
    assert _listed(api, "2025-09-01") == ["amended-duty", "early-duty"]  # in force
    assert _listed(api, "2026-03-01") == []  # repealed
