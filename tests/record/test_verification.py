"""An editor's check of a row: one write through the one path, audited, no second person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.core.models import Citation
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.record import rows
from apps.record import services as record
from apps.record.models import AppliedChange, Origin, Verification

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 2)


@pytest.fixture
def act():
    return Instrument.objects.get(slug="eu-ai-act")


@pytest.fixture
def eli():
    return Citation.objects.get(key="eurlex-eli-reg-2024-1689")


def _check(row, citation, user, *, target="instrument", day=DAY, locator="Article 113", **kw):
    return record.verify(
        target=target,
        row=row,
        citation=citation,
        checked_on=day,
        locator=locator,
        states=kw.pop("states", "Entry into force on the twentieth day after publication."),
        user=user,
        **kw,
    )


def test_a_check_stamps_the_row_and_the_audit_trail_names_who_what_against_what_and_when(
    act, eli, cast
):
    check = _check(act, eli, cast["editor"])

    act.refresh_from_db()
    assert act.last_verified_on == DAY and act.verified_against == eli
    change = check.change
    assert change.origin == Origin.VERIFY and change.row_id == act.pk
    assert change.proposer == cast["editor"] and change.approver is None  # no four eyes
    assert change.after == {"last_verified_on": "2026-12-02", "verified_against": eli.pk}
    assert "eurlex-eli-reg-2024-1689" in change.reason and "Article 113" in change.reason
    assert (check.checked_by, check.citation, check.checked_on) == (cast["editor"], eli, DAY)
    # The citation records the reading it had not recorded.
    eli.refresh_from_db()
    assert (eli.locator, eli.accessed_on, eli.last_verified_on) == ("Article 113", DAY, DAY)


def test_a_check_against_a_new_citation_adds_it_to_the_row(cast):
    korea = Jurisdiction.objects.get(code="KR")
    eli = Citation.objects.get(key="eurlex-eli-reg-2024-1689")
    _check(korea, eli, cast["reviewer"], target="jurisdiction")
    korea.refresh_from_db()
    assert eli in korea.citations.all() and korea.last_verified_on == DAY


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"citation": None}, "citation", "Name the citation"),
        ({"locator": "  "}, "locator", "where in the source"),
        ({"states": ""}, "states", "own words"),
        ({"day": timezone.localdate() + dt.timedelta(days=1)}, "checked_on", "in the future"),
        ({"day": None}, "checked_on", "day of the check"),
    ],
)
def test_a_check_without_its_evidence_or_dated_ahead_is_refused_and_nothing_is_written(
    act, eli, cast, change, field, words
):
    audit = AppliedChange.objects.count()
    citation = change.pop("citation", eli)
    with pytest.raises(ValidationError) as refused:
        _check(act, citation, cast["editor"], **change)
    assert words in " ".join(refused.value.message_dict[field])
    assert AppliedChange.objects.count() == audit and not Verification.objects.exists()
    act.refresh_from_db()
    assert act.last_verified_on is None


def test_an_older_check_is_recorded_but_does_not_move_the_stamp_back(act, eli, cast):
    _check(act, eli, cast["editor"])
    older = _check(act, eli, cast["editor2"], day=DAY - dt.timedelta(days=10))
    act.refresh_from_db()
    assert act.last_verified_on == DAY
    assert older.change is None and Verification.objects.count() == 2
    eli.refresh_from_db()
    assert eli.accessed_on == DAY - dt.timedelta(days=10)  # its first reading moved back


def test_a_citation_keeps_its_own_locator_and_the_check_keeps_its_own(act, eli, cast):
    Citation.objects.filter(pk=eli.pk).update(locator="Article 1", states="Subject matter.")
    check = _check(act, eli, cast["editor"], locator="Article 113(3)")
    eli.refresh_from_db()
    assert eli.locator == "Article 1" and check.locator == "Article 113(3)"


def test_a_check_stamp_cannot_be_proposed_in_a_case_or_edited_directly(act):
    for origin in (Origin.CASE, Origin.DIRECT):
        why = record.Why(origin, reason="x") if origin == Origin.DIRECT else None
        with pytest.raises(ValidationError) as refused:
            if why is None:
                rows.normalise("instrument", {"last_verified_on": "2026-12-01"}, None)
            else:
                record.write(
                    target="instrument", row=act, values={"last_verified_on": "2026-12-01"}, why=why
                )
        assert "recording a check" in str(refused.value)
    # A form that posts the row as shown (the stamp unchanged) is not refused.
    before = rows.snapshot("instrument", act)
    assert "last_verified_on" not in rows.normalise(
        "instrument", {"last_verified_on": None}, before
    )


def test_a_retired_row_cannot_be_checked(act, eli, cast):
    Instrument.objects.filter(pk=act.pk).update(retired_at=timezone.now())
    with pytest.raises(ValidationError, match="retired"):
        _check(act, eli, cast["editor"])
