"""The rules of the derived status, each in a situation of our own, and the refresh that caches it.

Every instrument here belongs to Testland (tests.helpers.make_testland_law),
so the seed's instruments neither help nor get in the way.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.amendments.models import Amendment
from apps.amendments.status import DerivedStatus, derive_status
from apps.instruments.models import Instrument, InstrumentEvent
from apps.record import services as record
from apps.record.models import AppliedChange, Origin
from tests.helpers import make_testland_law

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def law() -> Instrument:
    return make_testland_law()


def _instrument(like: Instrument, slug: str, kind: str = "law") -> Instrument:
    return Instrument.objects.create(
        slug=slug,
        title=slug,
        kind=kind,
        jurisdiction=like.jurisdiction,
        legal_force="binding",
    )


def _event(instrument: Instrument, kind: str, date: dt.date) -> InstrumentEvent:
    return InstrumentEvent.objects.create(
        instrument=instrument, kind=kind, date=date, date_precision="day"
    )


def _amendment(
    target: Instrument,
    kind: str,
    effective_on: dt.date,
    *,
    key: str,
    provision: str = "",
    retired: bool = False,
) -> Amendment:
    source = _instrument(target, f"source-of-{key}")
    return Amendment.objects.create(
        key=key,
        kind=kind,
        source_instrument=source,
        target_instrument=target,
        target_provision=provision,
        effective_on=effective_on,
        effective_on_precision="day",
        retired_at=timezone.now() if retired else None,
    )


def _status(instrument: Instrument, on: dt.date) -> str:
    return derive_status(instrument, on=on).status


# -- events and what they mean ----------------------------------------------
@pytest.mark.parametrize(
    ("kind", "status", "label"),
    [
        ("proposed", "proposed", "proposed"),
        ("introduced", "proposed", "introduced"),
        ("passed_chamber", "under_negotiation", "passed one chamber"),
        ("adopted", "adopted", "adopted"),
        ("published", "adopted", "published"),
        ("announced", "adopted", "announced"),
        ("signed", "signed", "signed"),
        ("opened_for_signature", "signed", "opened for signature"),
        ("entered_into_force", "in_force", "entered into force"),
        ("applies_from", "in_force", "applies from"),
        ("withdrawn", "withdrawn", "withdrawn"),
        ("repealed", "repealed", "repealed"),
        ("revoked", "revoked", "revoked"),
        ("superseded", "superseded", "superseded"),
        ("expired", "expired", "expired"),
        ("rejected", "rejected", "rejected"),
    ],
)
def test_each_event_sets_its_status_from_its_own_date(law, kind, status, label):
    _event(law, kind, D(2024, 3, 1))
    assert derive_status(law, on=D(2024, 3, 1)) == DerivedStatus(
        status, D(2024, 3, 1), f"event: {label}"
    )
    assert derive_status(law, on=D(2024, 2, 29)) == DerivedStatus(
        "unknown", None, "no dated event yet"
    )


@pytest.mark.parametrize("kind", ["referred", "amended", "withdrawal_announced"])
def test_an_event_that_is_no_lifecycle_stage_leaves_the_status_as_it_was(law, kind):
    _event(law, "introduced", D(2024, 1, 10))
    _event(law, kind, D(2024, 2, 1))
    assert derive_status(law, on=D(2024, 3, 1)) == DerivedStatus(
        "proposed", D(2024, 1, 10), "event: introduced"
    )


def test_an_instrument_with_no_dated_event_is_unknown_with_no_since(law):
    assert derive_status(law, on=D(2024, 1, 1)) == DerivedStatus(
        "unknown", None, "no dated event yet"
    )


def test_an_executive_order_is_in_force_on_its_signing_day_and_unknown_the_day_before(law):
    order = _instrument(law, "zz-order", kind="executive_order")
    _event(order, "signed", D(2025, 3, 10))
    assert derive_status(order, on=D(2025, 3, 10)) == DerivedStatus(
        "in_force", D(2025, 3, 10), "event: signed"
    )
    assert derive_status(order, on=D(2025, 3, 9)) == DerivedStatus(
        "unknown", None, "no dated event yet"
    )


@pytest.mark.parametrize("kind", ["law", "treaty", "bill"])
def test_a_signed_instrument_that_is_not_an_order_is_signed_and_not_in_force(law, kind):
    signed = _instrument(law, f"zz-signed-{kind}", kind=kind)
    _event(signed, "signed", D(2025, 3, 10))
    assert derive_status(signed, on=D(2026, 1, 1)) == DerivedStatus(
        "signed", D(2025, 3, 10), "event: signed"
    )


# -- the furthest stage wins ------------------------------------------------
@pytest.mark.parametrize(
    ("stage", "later_event", "status"),
    [
        # A bill introduced in the second chamber after passing the first.
        ("passed_chamber", "introduced", "under_negotiation"),
        ("adopted", "passed_chamber", "adopted"),
        # Published in the official journal after it was signed.
        ("signed", "published", "signed"),
        # A treaty in force, signed later by another party.
        ("entered_into_force", "signed", "in_force"),
    ],
)
def test_an_earlier_stage_recorded_later_does_not_move_the_instrument_back(
    law, stage, later_event, status
):
    _event(law, stage, D(2024, 1, 10))
    _event(law, later_event, D(2024, 2, 1))
    derived = derive_status(law, on=D(2024, 3, 1))
    assert (derived.status, derived.since) == (status, D(2024, 1, 10))


def test_a_bill_is_proposed_until_it_passes_a_chamber_then_under_negotiation(law):
    _event(law, "introduced", D(2023, 5, 1))
    _event(law, "passed_chamber", D(2023, 11, 15))
    _event(law, "adopted", D(2024, 4, 1))
    assert derive_status(law, on=D(2023, 11, 14)) == DerivedStatus(
        "proposed", D(2023, 5, 1), "event: introduced"
    )
    assert derive_status(law, on=D(2023, 11, 15)) == DerivedStatus(
        "under_negotiation", D(2023, 11, 15), "event: passed one chamber"
    )
    assert _status(law, D(2024, 3, 31)) == "under_negotiation"
    assert _status(law, D(2024, 4, 1)) == "adopted"


# -- staged application -----------------------------------------------------
def test_partly_applicable_while_a_stage_lies_ahead_and_in_force_from_the_last_stage(law):
    _event(law, "adopted", D(2023, 6, 1))
    _event(law, "entered_into_force", D(2024, 1, 1))
    _event(law, "applies_from", D(2024, 6, 1))
    _event(law, "applies_from", D(2025, 1, 1))
    assert derive_status(law, on=D(2023, 12, 31)) == DerivedStatus(
        "adopted", D(2023, 6, 1), "event: adopted"
    )
    assert derive_status(law, on=D(2024, 1, 1)) == DerivedStatus(
        "partly_applicable", D(2024, 1, 1), "event: entered into force"
    )
    assert derive_status(law, on=D(2024, 12, 31)) == DerivedStatus(
        "partly_applicable", D(2024, 6, 1), "event: applies from"
    )
    assert derive_status(law, on=D(2025, 1, 1)) == DerivedStatus(
        "in_force", D(2025, 1, 1), "event: applies from"
    )


def test_a_stage_ahead_neither_advances_an_adopted_instrument_nor_revives_an_ended_one(law):
    _event(law, "adopted", D(2023, 6, 1))
    _event(law, "applies_from", D(2026, 1, 1))
    assert _status(law, D(2024, 1, 1)) == "adopted"
    _event(law, "repealed", D(2025, 1, 1))
    assert derive_status(law, on=D(2025, 6, 1)) == DerivedStatus(
        "repealed", D(2025, 1, 1), "event: repealed"
    )


# -- what ends an instrument ------------------------------------------------
@pytest.mark.parametrize(
    ("first", "second"),
    # Withdrawn ranks above every other ending status, so each later fact must win by its date.
    [
        ("withdrawn", "repealed"),
        ("withdrawn", "revoked"),
        ("withdrawn", "superseded"),
        ("withdrawn", "expired"),
        ("withdrawn", "rejected"),
        ("repealed", "withdrawn"),
    ],
)
def test_of_two_ending_events_the_later_wins_whichever_they_are(law, first, second):
    _event(law, "proposed", D(2022, 1, 1))
    _event(law, first, D(2023, 1, 1))
    _event(law, second, D(2024, 1, 1))
    assert _status(law, D(2023, 6, 1)) == first
    assert derive_status(law, on=D(2024, 6, 1)) == DerivedStatus(
        second, D(2024, 1, 1), f"event: {second}"
    )


def test_withdrawn_then_revoked_by_an_amendment_is_revoked_and_the_reverse_is_withdrawn(law):
    withdrawn_first = _instrument(law, "zz-withdrawn-first")
    _event(withdrawn_first, "entered_into_force", D(2020, 1, 1))
    _event(withdrawn_first, "withdrawn", D(2023, 1, 1))
    _amendment(withdrawn_first, "revokes", D(2024, 1, 1), key="zz-revoked-later")
    assert derive_status(withdrawn_first, on=D(2024, 6, 1)) == DerivedStatus(
        "revoked", D(2024, 1, 1), "amendment: zz-revoked-later"
    )

    revoked_first = _instrument(law, "zz-revoked-first")
    _event(revoked_first, "entered_into_force", D(2020, 1, 1))
    _amendment(revoked_first, "revokes", D(2023, 1, 1), key="zz-revoked-earlier")
    _event(revoked_first, "withdrawn", D(2024, 1, 1))
    assert derive_status(revoked_first, on=D(2024, 6, 1)) == DerivedStatus(
        "withdrawn", D(2024, 1, 1), "event: withdrawn"
    )


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("withdraws", "withdrawn"),
        ("repeals", "repealed"),
        ("revokes", "revoked"),
        ("supersedes", "superseded"),
    ],
)
def test_an_amendment_ending_the_whole_instrument_ends_it_from_its_effective_day(law, kind, status):
    _event(law, "entered_into_force", D(2020, 1, 1))
    _amendment(law, kind, D(2024, 5, 1), key=f"zz-{kind}")
    assert derive_status(law, on=D(2024, 5, 1)) == DerivedStatus(
        status, D(2024, 5, 1), f"amendment: zz-{kind}"
    )
    assert derive_status(law, on=D(2024, 4, 30)) == DerivedStatus(
        "in_force", D(2020, 1, 1), "event: entered into force"
    )


@pytest.mark.parametrize("kind", ["amends", "implements", "extends", "suspends", "corrects"])
def test_an_amendment_that_does_not_end_an_instrument_leaves_it_in_force(law, kind):
    _event(law, "entered_into_force", D(2020, 1, 1))
    _amendment(law, kind, D(2024, 5, 1), key=f"zz-{kind}")
    assert derive_status(law, on=D(2025, 1, 1)) == DerivedStatus(
        "in_force", D(2020, 1, 1), "event: entered into force"
    )


@pytest.mark.parametrize("kind", ["repeals", "withdraws", "revokes", "supersedes"])
def test_ending_one_provision_does_not_end_the_instrument(law, kind):
    _event(law, "entered_into_force", D(2020, 1, 1))
    _amendment(law, kind, D(2024, 5, 1), key="zz-article-5", provision="Article 5")
    assert derive_status(law, on=D(2025, 1, 1)) == DerivedStatus(
        "in_force", D(2020, 1, 1), "event: entered into force"
    )


def test_a_repeal_effective_in_the_future_does_not_end_the_instrument_today(law):
    today = timezone.localdate()
    _event(law, "entered_into_force", D(2020, 1, 1))
    _amendment(law, "repeals", today + dt.timedelta(days=30), key="zz-future-repeal")
    assert derive_status(law).status == "in_force"
    assert _status(law, today + dt.timedelta(days=29)) == "in_force"
    assert _status(law, today + dt.timedelta(days=30)) == "repealed"


def test_a_retired_amendment_neither_ends_an_instrument_nor_outranks_a_live_one(law):
    _event(law, "entered_into_force", D(2020, 1, 1))
    _amendment(law, "repeals", D(2023, 1, 1), key="zz-retired-repeal", retired=True)
    assert _status(law, D(2023, 6, 1)) == "in_force"
    _amendment(law, "withdraws", D(2024, 1, 1), key="zz-live-withdrawal")
    _amendment(law, "revokes", D(2025, 1, 1), key="zz-retired-revocation", retired=True)
    assert derive_status(law, on=D(2025, 6, 1)) == DerivedStatus(
        "withdrawn", D(2024, 1, 1), "amendment: zz-live-withdrawal"
    )


# -- the cached status and its refresh --------------------------------------
def _last_id() -> int:
    return AppliedChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _entries_since(since: int) -> list[AppliedChange]:
    return list(AppliedChange.objects.filter(pk__gt=since).order_by("row_id"))


def test_the_refresh_writes_each_moved_status_and_since_once_and_then_nothing(law):
    order = _instrument(law, "zz-order", kind="executive_order")
    _event(law, "entered_into_force", D(2020, 1, 1))
    _event(order, "signed", D(2021, 5, 5))
    versions = {law.pk: law.version, order.pk: order.version}
    since = _last_id()

    assert record.refresh_statuses("test refresh") == 2

    for instrument, status_since in [(law, D(2020, 1, 1)), (order, D(2021, 5, 5))]:
        fresh = Instrument.objects.get(pk=instrument.pk)
        assert (fresh.status, fresh.status_since) == ("in_force", status_since)
        assert fresh.version == versions[instrument.pk] + 1
    entries = _entries_since(since)
    assert [(e.target, e.row_id, e.action, e.origin) for e in entries] == [
        ("instrument", law.pk, "update", Origin.SYSTEM),
        ("instrument", order.pk, "update", Origin.SYSTEM),
    ]
    assert [(e.before, e.after, e.version, e.reason) for e in entries] == [
        (
            {"status": "unknown", "status_since": None},
            {"status": "in_force", "status_since": "2020-01-01"},
            versions[law.pk] + 1,
            "test refresh; status derived from event: entered into force",
        ),
        (
            {"status": "unknown", "status_since": None},
            {"status": "in_force", "status_since": "2021-05-05"},
            versions[order.pk] + 1,
            "test refresh; status derived from event: signed",
        ),
    ]

    since = _last_id()
    assert record.refresh_statuses("test refresh") == 0
    assert _entries_since(since) == []
    assert Instrument.objects.get(pk=law.pk).version == versions[law.pk] + 1


def test_refreshing_an_instrument_whose_status_holds_returns_none_and_writes_nothing(law):
    _event(law, "adopted", D(2022, 2, 2))
    assert record.refresh_status(law.pk, record.Why.system("first")) is not None
    version = Instrument.objects.get(pk=law.pk).version
    since = _last_id()
    assert record.refresh_status(law.pk, record.Why.system("again")) is None
    assert _entries_since(since) == []
    fresh = Instrument.objects.get(pk=law.pk)
    assert (fresh.status, fresh.status_since, fresh.version) == ("adopted", D(2022, 2, 2), version)


def test_a_move_of_the_since_date_alone_is_recorded_with_only_that_key(law):
    _event(law, "entered_into_force", D(2020, 1, 1))
    # As if the cache were written before the date was corrected.
    Instrument.objects.filter(pk=law.pk).update(status="in_force", status_since=D(2019, 6, 1))
    since = _last_id()
    assert record.refresh_statuses("test refresh") == 1
    [entry] = _entries_since(since)
    assert (entry.row_id, entry.origin) == (law.pk, Origin.SYSTEM)
    assert (entry.before, entry.after) == (
        {"status_since": "2019-06-01"},
        {"status_since": "2020-01-01"},
    )
    fresh = Instrument.objects.get(pk=law.pk)
    assert (fresh.status, fresh.status_since, fresh.version) == (
        "in_force",
        D(2020, 1, 1),
        law.version + 1,
    )
