"""Where conditions may be missing (apps.reading.coverage), on the seed plus test rows."""

from __future__ import annotations

import pytest

from apps.obligations.models import Obligation
from apps.reading.coverage import gaps
from apps.record import services as record
from apps.record.services import Why

pytestmark = pytest.mark.django_db

WHY = Why.system("test")


def _gaps() -> dict[str, object]:
    return {f"{g.obligation.instrument.slug}:{g.obligation.key}": g for g in gaps()}


def _new_duty(key: str, requirement: str) -> Obligation:
    act = Obligation.objects.get(instrument__slug="cn-pipl", key="article-38-cross-border-transfer")
    values = {
        "instrument": act.instrument_id,
        "key": key,
        "provision": "Article 99",
        "addressee": "company",
        "requirement": requirement,
    }
    return record.write(target="obligation", values=values, why=WHY).row


def test_a_gap_says_why_it_is_listed():
    found = _gaps()
    fine = found["eu-ai-act:article-99-penalty-prohibited-practices"]
    assert fine.conditioned_siblings == 2 and fine.words == ("turnover",)
    assert fine.reasons == [
        "2 other obligations of its instrument have conditions",
        "its requirement mentions turnover",
    ]
    # Article 32's compute threshold (issue 30) is a condition on a sibling duty.
    assert found["kr-ai-basic-act:article-36-domestic-representative"].reasons == [
        "another obligation of its instrument has conditions",
        "its requirement mentions thresholds",
    ]


def test_threshold_words_count_only_as_whole_words_in_any_case():
    _new_duty("test-small", "SMEs and start-ups with fewer than 50 Employees must register.")
    _new_duty("test-assessment", "Carry out an assessment of the users' rights.")
    _new_duty("test-no-word", "Carry out an assessment before transfer.")
    found = _gaps()
    assert found["cn-pipl:test-small"].words == ("SMEs", "start-ups", "Employees")
    assert found["cn-pipl:test-assessment"].words == ("users",)
    assert "cn-pipl:test-no-word" not in found


def test_obligations_with_conditions_and_retired_ones_are_not_gaps():
    duty = _new_duty("test-retired", "Report revenue above the threshold.")
    assert "cn-pipl:test-retired" in _gaps()
    record.write(target="obligation", row=duty, action="retire", why=WHY)
    found = _gaps()
    assert "cn-pipl:test-retired" not in found
    assert not any(key.startswith("us-ca-sb53-2025:") for key in found)
