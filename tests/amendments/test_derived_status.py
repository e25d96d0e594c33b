"""The status and applicable obligations of an instrument on a given day."""

import datetime as dt

import pytest

from apps.amendments.status import derive_status
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.reading.on_a_day import as_of, parties_on

pytestmark = pytest.mark.django_db

D = dt.date


def _instrument(slug: str) -> Instrument:
    return Instrument.objects.get(slug=slug)


def test_the_ai_liability_directive_is_withdrawn_today_and_was_proposed_on_2025_01_01():
    ald = _instrument("eu-ai-liability-directive")
    today = derive_status(ald)
    assert today.status == "withdrawn"
    assert today.since == D(2025, 10, 6)
    assert today.cause == "amendment: ai-liability-directive-withdrawn"
    assert derive_status(ald, on=D(2025, 1, 1)).status == "proposed"
    # Announced on 2025-02-11, but still a live proposal until the withdrawal took effect.
    assert derive_status(ald, on=D(2025, 6, 1)).status == "proposed"
    assert derive_status(ald, on=D(2025, 10, 6)).status == "withdrawn"
    assert ald.status == "withdrawn"  # the cached column agrees with the derivation


def test_eo_14110_is_revoked_by_eo_14148_from_2025_01_20():
    eo = _instrument("us-eo-14110")
    assert derive_status(eo, on=D(2025, 1, 19)).status == "in_force"
    revoked = derive_status(eo, on=D(2025, 1, 20))
    assert revoked.status == "revoked"
    amendment = eo.incoming_amendments.get(kind="revokes")
    assert amendment.source_instrument.slug == "us-eo-14148"
    assert revoked.cause == f"amendment: {amendment.key}"
    assert derive_status(eo, on=D(2023, 10, 29)).status == "unknown"


def test_new_zealand_is_a_party_to_bletchley_from_2024_10_23_and_not_before():
    bletchley = _instrument("bletchley-declaration")
    nz = Jurisdiction.objects.get(code="NZ")
    gb = Jurisdiction.objects.get(code="GB")
    assert nz not in parties_on(bletchley, D(2024, 10, 22))
    assert nz in parties_on(bletchley, D(2024, 10, 23))
    assert gb in parties_on(bletchley, D(2023, 11, 1))
    assert parties_on(bletchley, D(2023, 10, 31)) == []


def _keys(on: dt.date) -> set[str]:
    return {o.key for o in as_of(_instrument("eu-ai-act"), on).obligations}


def test_ai_act_obligations_follow_its_staged_application_dates():
    early, later = _keys(D(2025, 2, 3)), _keys(D(2026, 8, 3))
    assert {"article-4-ai-literacy", "article-5-prohibited-practices"} <= early
    assert not {k for k in early if "gpai" in k or "high-risk" in k}
    assert early < later
    assert {
        "article-53-gpai-provider-obligations",
        "article-50-transparency",
        "article-99-penalty-prohibited-practices",
    } <= later - early
    # The Digital Omnibus (in force 2026-07-27) moved the high-risk stages.
    assert "article-16-high-risk-provider-obligations" not in later
    assert "article-16-high-risk-provider-obligations" in _keys(D(2027, 12, 2))
    assert "article-6-1-annex-i-high-risk" not in _keys(D(2027, 8, 2))
    assert "article-6-1-annex-i-high-risk" in _keys(D(2028, 8, 2))
    assert _keys(D(2024, 7, 1)) == set()  # before entry into force nothing applies


def test_the_ai_act_is_partly_applicable_while_stages_remain():
    act = _instrument("eu-ai-act")
    assert derive_status(act, on=D(2024, 8, 1)).status == "partly_applicable"
    assert derive_status(act, on=D(2024, 7, 31)).status == "adopted"
    assert derive_status(act, on=D(2027, 8, 2)).status == "in_force"


def test_a_withdrawn_instrument_has_no_applicable_obligations():
    snapshot = as_of(_instrument("eu-ai-liability-directive"), D(2026, 1, 1))
    assert snapshot.status.status == "withdrawn"
    assert snapshot.obligations == []


def test_a_retired_amendment_no_longer_drives_status_or_parties():
    from django.utils import timezone

    from apps.amendments.models import Amendment

    Amendment.objects.filter(key="eo-14148-revokes-eo-14110").update(retired_at=timezone.now())
    assert derive_status(_instrument("us-eo-14110"), on=D(2025, 6, 1)).status == "in_force"
    Amendment.objects.filter(kind="accedes", source_jurisdiction__code="NZ").update(
        retired_at=timezone.now()
    )
    nz = Jurisdiction.objects.get(code="NZ")
    assert nz not in parties_on(_instrument("bletchley-declaration"), D(2025, 1, 1))
