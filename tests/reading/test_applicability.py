"""What applies to an organisation (apps.reading.applicability), on the seed plus test rows.

Rows the tests add go through the one write path, as a case's approval writes them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.instruments.models import Instrument
from apps.obligations.models import Obligation
from apps.reading.applicability import APPLIES, MAY_APPLY, Profile, check
from apps.record import services as record
from apps.record.services import Why

pytestmark = pytest.mark.django_db

WHY = Why.system("test")
GPAI = "eu-ai-act:article-53-gpai-provider-obligations"
SYSTEMIC = "eu-ai-act:article-55-gpai-systemic-risk"
HIGH_RISK_DEPLOYER = "eu-ai-act:article-26-deployer-obligations"
# Over SB 53's thresholds, which the seed sets as conditions on its duties.
LARGE_FRONTIER_DEVELOPER = {
    "annual_revenue_usd": Decimal("1e9"),
    "training_compute_flop": Decimal("1e27"),
}


def _ids(findings) -> set[str]:
    return {f"{f.obligation.instrument.slug}:{f.obligation.key}" for f in findings}


def _obligation(stable_id: str) -> Obligation:
    slug, key = stable_id.split(":")
    return Obligation.objects.get(instrument__slug=slug, key=key)


def _write(target, values, row=None):
    return record.write(target=target, why=WHY, row=row, values=values).row


def _gpai_provider(**facts) -> Profile:
    return Profile(markets=("DE",), roles=("provider",), risk_tiers=("gpai",), **facts)


def test_a_gpai_provider_in_a_member_state_gets_the_gpai_duties_not_the_systemic_ones():
    # Under the seed's compute threshold: left blank, the systemic duties may apply.
    answer = check(_gpai_provider(training_compute_flop=Decimal("1e24")), dt.date(2025, 9, 1))

    assert GPAI in _ids(answer.applicable)
    assert SYSTEMIC not in _ids(answer.applicable) | _ids(answer.may_apply)
    [finding] = [f for f in answer.applicable if f.obligation.key.startswith("article-53")]
    assert finding.reach.why == "DE is a member of European Union"
    assert "role: provider" in finding.match.why


def test_before_the_application_date_the_gpai_duties_are_upcoming_with_their_date():
    answer = check(_gpai_provider(), dt.date(2025, 3, 1))

    assert GPAI not in _ids(answer.applicable)
    [coming] = [c for c in answer.upcoming if c.obligation.key.startswith("article-53")]
    assert (coming.kind, coming.date) == ("starts", dt.date(2025, 8, 2))


def test_systemic_duties_apply_when_the_profile_says_systemic_risk():
    profile = Profile(markets=("DE",), roles=("provider",), risk_tiers=("gpai", "gpai_systemic"))
    assert SYSTEMIC in _ids(check(profile, dt.date(2025, 9, 1)).applicable)


@pytest.fixture
def compute_threshold():
    """The systemic-risk duties carry the compute presumption as a condition (test row)."""
    duty = _obligation(SYSTEMIC)
    condition = {
        "fact": "training_compute_flop",
        "comparison": "more_than",
        "number": "1E+25",
        "note": "Article 51(2)",
    }
    return _write("obligation", {"conditions": [condition]}, row=duty)


def test_compute_left_blank_puts_the_systemic_duties_under_may_apply_naming_the_fact(
    compute_threshold,
):
    answer = check(_gpai_provider(), dt.date(2025, 9, 1))

    [finding] = [f for f in answer.may_apply if f.obligation.key.startswith("article-55")]
    assert finding.match.missing == ("training compute (FLOP)",)


def test_compute_over_the_threshold_makes_them_apply_and_under_it_removes_them(
    compute_threshold,
):
    over = check(_gpai_provider(training_compute_flop=Decimal("3e25")), dt.date(2025, 9, 1))
    under = check(_gpai_provider(training_compute_flop=Decimal("1e24")), dt.date(2025, 9, 1))

    assert SYSTEMIC in _ids(over.applicable)
    assert SYSTEMIC not in _ids(under.applicable) | _ids(under.may_apply)


def test_a_role_left_blank_is_may_apply_naming_the_role_and_another_role_excludes():
    blank = check(Profile(markets=("DE",), risk_tiers=("gpai",)), dt.date(2025, 9, 1))
    deployer = check(
        Profile(markets=("DE",), roles=("deployer",), risk_tiers=("gpai",)), dt.date(2025, 9, 1)
    )

    [finding] = [f for f in blank.may_apply if f.obligation.key.startswith("article-53")]
    assert "role" in finding.match.missing
    assert GPAI not in _ids(deployer.applicable) | _ids(deployer.may_apply)


def test_a_prohibited_practice_binds_a_provider_whatever_its_tier():
    answer = check(
        Profile(markets=("FR",), roles=("provider",), risk_tiers=("limited",)), dt.date(2025, 3, 1)
    )
    assert "eu-ai-act:article-5-prohibited-practices" in _ids(answer.applicable)


def test_a_us_state_market_brings_in_federal_law_and_an_eu_state_eu_law():
    profile = Profile(markets=("US-CA", "DE"), roles=("provider",), **LARGE_FRONTIER_DEVELOPER)
    answer = check(profile, dt.date(2026, 3, 1))

    reached = {r.jurisdiction.code: r.why for r in answer.reached.values()}
    assert reached["US-CA"] == "a market"
    assert reached["US"].endswith("law over US-CA")
    assert reached["EU"] == "DE is a member of European Union"
    assert "us-ca-sb53-2025:frontier-ai-framework" in _ids(answer.applicable)


def _amending_act(slug: str, status_event: str | None = "entered_into_force") -> Instrument:
    events = (
        [{"kind": status_event, "date": "2025-01-01", "date_precision": "day", "note": ""}]
        if status_event
        else []
    )
    return _write(
        "instrument",
        {
            "slug": slug,
            "title": f"Test act {slug}",
            "kind": "regulation",
            "jurisdiction": Instrument.objects.get(slug="eu-ai-act").jurisdiction_id,
            "legal_force": "binding",
            "events": events,
        },
    )


def test_a_moved_date_applies_at_its_new_day_and_a_pending_move_is_upcoming_as_proposed():
    duty = _obligation(HIGH_RISK_DEPLOYER)
    act = Instrument.objects.get(slug="eu-ai-act")
    _write(
        "amendment",
        {
            "key": "test-postpone-high-risk",
            "kind": "amends",
            "source_instrument": _amending_act("test-postponing-act").pk,
            "target_instrument": act.pk,
            "effective_on": "2026-07-01",
            "effective_on_precision": "day",
            "provenance": "editorial",
            "effects": [
                {"obligation": duty.pk, "kind": "applies_from", "date": "2027-12-02", "text": ""}
            ],
        },
    )
    _write(
        "amendment",
        {
            "key": "test-proposed-further-delay",
            "kind": "amends",
            "source_instrument": _amending_act("test-proposal", status_event=None).pk,
            "target_instrument": act.pk,
            "effective_on": None,
            "effective_on_precision": "",
            "provenance": "editorial",
            "effects": [
                {"obligation": duty.pk, "kind": "applies_from", "date": "2028-08-02", "text": ""}
            ],
        },
    )
    deployer = Profile(markets=("IT",), roles=("deployer",), risk_tiers=("high",))

    on_old_date = check(deployer, dt.date(2026, 8, 3))
    assert HIGH_RISK_DEPLOYER not in _ids(on_old_date.applicable)
    later = check(deployer, dt.date(2027, 12, 2))
    assert HIGH_RISK_DEPLOYER in _ids(later.applicable)
    [found] = [f for f in later.applicable if f.obligation.key == duty.key]
    assert found.obligation.applies_from == dt.date(2027, 12, 2)
    kinds = {(c.kind, c.date) for c in later.upcoming if c.obligation.key == duty.key}
    assert ("proposed", None) in kinds
    [proposal] = [c for c in later.upcoming if c.kind == "proposed" and "test-proposal" in c.cause]
    assert "proposed, not in effect" in proposal.cause


def test_a_repealed_instruments_duties_never_apply_after_the_repeal_and_its_replacements_do():
    old = Instrument.objects.get(slug="us-ca-sb53-2025")
    replacement = _amending_act("test-ca-replacement")
    _write(
        "instrument",
        {"jurisdiction": old.jurisdiction_id},
        row=replacement,
    )
    _write(
        "obligation",
        {
            "instrument": replacement.pk,
            "key": "narrower-framework",
            "provision": "Section 2",
            "addressee": "provider",
            "requirement": "Publish a narrower framework.",
            "applies_from": "2026-09-01",
        },
    )
    _write(
        "amendment",
        {
            "key": "test-repeal-sb53",
            "kind": "repeals",
            "source_instrument": replacement.pk,
            "target_instrument": old.pk,
            "effective_on": "2026-06-01",
            "effective_on_precision": "day",
            "provenance": "editorial",
        },
    )
    profile = Profile(markets=("US-CA",), roles=("provider",), **LARGE_FRONTIER_DEVELOPER)

    before = check(profile, dt.date(2026, 5, 31))
    assert "us-ca-sb53-2025:frontier-ai-framework" in _ids(before.applicable)
    ends = [c for c in before.upcoming if c.obligation.key == "frontier-ai-framework"]
    assert [(c.kind, c.date) for c in ends] == [("ends", dt.date(2026, 6, 1))]
    after = check(profile, dt.date(2026, 9, 1))
    assert not any(i.startswith("us-ca-sb53-2025:") for i in _ids(after.applicable))
    assert "test-ca-replacement:narrower-framework" in _ids(after.applicable)


def test_the_check_reads_a_fixed_number_of_queries(django_assert_max_num_queries):
    profile = Profile(
        markets=("DE", "FR", "US-CA"), roles=("provider", "deployer"), **LARGE_FRONTIER_DEVELOPER
    )
    with django_assert_max_num_queries(12):
        answer = check(profile, dt.date(2026, 9, 1))
        for finding in [*answer.applicable, *answer.may_apply]:
            list(finding.obligation.citations.all())
            list(finding.obligation.penalties.all())
            finding.obligation.instrument.slug  # noqa: B018 - touched as surfaces touch it
    assert len(answer.applicable) > 5
    assert {APPLIES} == {f.match.verdict for f in answer.applicable}
    assert {MAY_APPLY} >= {f.match.verdict for f in answer.may_apply}


def test_a_bills_duties_never_apply_while_it_is_only_proposed_whatever_their_dates():
    bill = _amending_act("test-bill", status_event="introduced")
    _write(
        "obligation",
        {
            "instrument": bill.pk,
            "key": "early-duty",
            "provision": "Article 1",
            "addressee": "provider",
            "requirement": "Register every model.",
            "applies_from": "2024-01-01",
        },
    )
    answer = check(Profile(markets=("EU",), roles=("provider",)), dt.date(2026, 1, 1))
    assert "test-bill:early-duty" not in _ids(answer.applicable) | _ids(answer.may_apply)


@pytest.mark.parametrize(
    ("sme", "expected"),
    [(True, APPLIES), (False, None), (None, MAY_APPLY)],
)
def test_an_sme_condition_is_met_refused_or_asked_for(sme, expected):
    duty = _obligation("eu-ai-act:article-99-penalty-prohibited-practices-sme")
    _write(
        "obligation",
        {"conditions": [{"fact": "sme", "comparison": "is", "flag": True, "note": "Art. 99(6)"}]},
        row=duty,
    )
    answer = check(Profile(markets=("DE",), roles=("provider",), sme=sme), dt.date(2025, 9, 1))
    verdicts = {
        f.match.verdict
        for f in [*answer.applicable, *answer.may_apply]
        if f.obligation.key == duty.key
    }
    assert verdicts == ({expected} if expected else set())
