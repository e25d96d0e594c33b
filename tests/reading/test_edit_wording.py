"""The wording of an edit of the record (apps.reading.wording), from the audit trail's
before and after as the write path stores them: each fact from what to what, and
upkeep told apart from a change of the law."""

from __future__ import annotations

import pytest

from apps.obligations.models import Obligation
from apps.reading import wording

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty() -> Obligation:
    return Obligation.objects.get(instrument__slug="eu-ai-act", key="article-50-transparency")


def test_each_changed_fact_is_one_sentence_from_what_to_what(duty):
    said = wording.obligation_edit(
        duty,
        {"addressee": "provider", "applies_until": None, "risk_tier": ""},
        {"addressee": "deployer", "applies_until": "2031-01-01", "risk_tier": "limited"},
    )
    assert said == [
        "Article 50 now applies until 1 January 2031 (it had no end date).",
        "Article 50 now binds the deployer instead of the provider.",
        "Article 50 now is of the limited risk (transparency) tier instead of no tier.",
    ]


def test_a_date_taken_away_says_what_it_was(duty):
    said = wording.obligation_edit(duty, {"applies_from": "2026-08-02"}, {"applies_from": None})
    assert said == ["Article 50 no longer has a fixed start date (it was 2 August 2026)."]


def test_a_new_penalty_is_said_with_the_old_one(duty):
    fine = {"max_amount": "15000000", "currency": "EUR", "rule": "single", "applies_to": "any"}
    said = wording.obligation_edit(duty, {"penalties": []}, {"penalties": [fine]})
    assert said == ["Article 50 now carries EUR 15 million (was: no penalty)."]


def test_a_renumbered_provision_says_both_numbers(duty):
    said = wording.obligation_edit(duty, {"provision": "Article 50"}, {"provision": "Article 52"})
    assert said == ["Article 50 is now numbered Article 52."]


def test_a_fact_without_its_own_words_is_still_named(duty):
    assert wording.obligation_edit(duty, {"key": "a"}, {"key": "b"}) == [
        "Article 50: its key changed."
    ]


@pytest.mark.parametrize(
    ("before", "after", "upkeep"),
    [
        ({"last_verified_on": None}, {"last_verified_on": "2026-12-02"}, True),
        ({"citations": [1]}, {"citations": [1, 2], "verified_against": 2}, True),
        ({"needs_review": False}, {"needs_review": True}, True),
        (
            {"last_verified_on": None, "summary": "a"},
            {"last_verified_on": "2026-12-02", "summary": "b"},
            False,
        ),
        ({"applies_from": "2026-08-02"}, {"applies_from": "2027-08-02"}, False),
        ({}, {}, False),
    ],
)
def test_upkeep_is_an_update_of_nothing_but_checks_and_bookkeeping(before, after, upkeep):
    assert wording.upkeep_only(before, after) is upkeep


def test_upkeep_says_the_day_of_the_check():
    assert wording.upkeep({"last_verified_on": "2026-12-02"}) == (
        "checked against its sources on 2 December 2026"
    )
