"""The check on the seed's own applicability conditions (data/seed/obligations.yaml), as loaded:
the AI Act's compute presumption and SME cap, SB 53's frontier and large-developer thresholds,
the Colorado act's areas of consequential decisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.reading.applicability import APPLIES, MAY_APPLY, Profile, check

pytestmark = pytest.mark.django_db

SYSTEMIC = "eu-ai-act:article-55-gpai-systemic-risk"
SME_CAP = "eu-ai-act:article-99-penalty-prohibited-practices-sme"
FRAMEWORK = "us-ca-sb53-2025:frontier-ai-framework"
TRANSPARENCY = "us-ca-sb53-2025:transparency-report"
INCIDENTS = "us-ca-sb53-2025:critical-safety-incident-reports"
COLORADO_DEPLOYER = "us-co-sb24-205:deployer-risk-management"


def _verdicts(answer) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {
        f"{f.obligation.instrument.slug}:{f.obligation.key}": (f.match.verdict, f.match.missing)
        for f in [*answer.applicable, *answer.may_apply]
    }


def _gpai_provider(compute: str | None) -> Profile:
    return Profile(
        markets=("DE",),
        roles=("provider",),
        risk_tiers=("gpai",),
        training_compute_flop=None if compute is None else Decimal(compute),
    )


@pytest.mark.parametrize(
    ("compute", "expected"),
    [
        ("3e25", (APPLIES, ())),
        ("1e24", None),
        (None, (MAY_APPLY, ("training compute (FLOP)",))),
    ],
)
def test_a_gpai_providers_training_compute_decides_the_systemic_risk_duties(compute, expected):
    verdicts = _verdicts(check(_gpai_provider(compute), dt.date(2025, 9, 1)))
    assert verdicts.get(SYSTEMIC) == expected
    assert verdicts["eu-ai-act:article-53-gpai-provider-obligations"] == (APPLIES, ())


def test_the_systemic_duty_says_which_condition_made_it_apply():
    answer = check(_gpai_provider("3e25"), dt.date(2025, 9, 1))
    [finding] = [f for f in answer.applicable if f.obligation.key.endswith("systemic-risk")]
    assert any("Article 51(2)" in why for why in finding.match.why)


@pytest.mark.parametrize(("sme", "expected"), [(True, APPLIES), (False, None), (None, MAY_APPLY)])
def test_the_sme_cap_binds_smes_only(sme, expected):
    profile = Profile(markets=("FR",), roles=("provider",), sme=sme)
    verdict = _verdicts(check(profile, dt.date(2025, 9, 1))).get(SME_CAP)
    assert (verdict[0] if verdict else None) == expected


def _frontier_developer(**facts) -> Profile:
    return Profile(markets=("US-CA",), roles=("provider",), **facts)


def test_every_frontier_developer_reports_but_only_a_large_one_writes_a_framework():
    small = _verdicts(
        check(
            _frontier_developer(
                training_compute_flop=Decimal("2e26"), annual_revenue_usd=Decimal("1e8")
            ),
            dt.date(2026, 3, 1),
        )
    )
    assert small[TRANSPARENCY] == small[INCIDENTS] == (APPLIES, ())
    assert FRAMEWORK not in small


def test_a_developer_under_the_frontier_compute_threshold_has_none_of_sb53s_duties():
    verdicts = _verdicts(
        check(
            _frontier_developer(
                training_compute_flop=Decimal("1e25"), annual_revenue_usd=Decimal("1e10")
            ),
            dt.date(2026, 3, 1),
        )
    )
    assert not {FRAMEWORK, TRANSPARENCY, INCIDENTS} & set(verdicts)


def test_a_frontier_developer_without_its_revenue_may_have_to_write_a_framework():
    verdicts = _verdicts(
        check(_frontier_developer(training_compute_flop=Decimal("2e26")), dt.date(2026, 3, 1))
    )
    assert verdicts[FRAMEWORK] == (MAY_APPLY, ("annual revenue (USD)",))


@pytest.mark.parametrize(
    ("sectors", "expected"),
    [
        (("employment",), (APPLIES, ())),
        (("biometrics",), None),
        ((), (MAY_APPLY, ("sector",))),
    ],
)
def test_colorados_deployer_duties_follow_the_areas_of_consequential_decisions(sectors, expected):
    profile = Profile(
        markets=("US-CO",), roles=("deployer",), risk_tiers=("high",), sectors=sectors
    )
    assert _verdicts(check(profile, dt.date(2026, 9, 1))).get(COLORADO_DEPLOYER) == expected
