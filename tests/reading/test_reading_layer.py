"""The reading layer: what the API, the portal and the desk share.

Where it sits among the apps is held by tests/test_layers.py.
"""

import datetime as dt

import pytest

from apps.instruments.models import Instrument
from apps.reading import compare, on_a_day


@pytest.mark.django_db
def test_choosing_keeps_the_order_asked_and_names_the_codes_nobody_has():
    chosen = compare.choose(["US", "NOWHERE", "EU"])
    assert [j.code for j in chosen.jurisdictions] == ["US", "EU"]
    assert chosen.missing == ["NOWHERE"]


@pytest.mark.django_db
def test_the_status_on_a_day_narrows_by_the_derived_status_not_the_stored_one():
    rows = Instrument.objects.filter(slug="eu-ai-liability-directive").prefetch_related(
        "events", "incoming_amendments"
    )
    on = dt.date(2025, 1, 1)
    assert rows.get().status != "proposed"
    assert list(on_a_day.with_status_on(rows, on, "proposed")) == [rows.get()]
    assert not on_a_day.with_status_on(rows, on, rows.get().status).exists()


@pytest.mark.django_db
def test_an_instrument_page_on_a_day_shows_only_the_obligations_that_applied_then():
    act = on_a_day.instrument_detail("eu-ai-act")
    today = on_a_day.instrument_page(act)
    before = on_a_day.instrument_page(act, dt.date(2024, 1, 1))
    assert today.obligations and before.obligations == []
    assert before.status.status != today.status.status
    assert today.timeline == on_a_day.timeline(act)
