from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.obligations.models import Obligation, Penalty

pytestmark = pytest.mark.django_db


def test_the_ai_act_article_99_penalty_reads_whichever_is_higher():
    obligation = Obligation.objects.get(
        instrument__slug="eu-ai-act", key="article-99-penalty-prohibited-practices"
    )
    penalty = obligation.penalties.get()
    assert penalty.max_amount == Decimal("35000000")
    assert penalty.currency == "EUR"
    assert penalty.turnover_percent == Decimal("7")
    assert penalty.rule == "higher"
    assert penalty.describe() == (
        "EUR 35 million or 7% of worldwide annual turnover, whichever is higher"
    )


def test_s321_carries_prison_for_individuals_and_usd_100_million_for_companies():
    penalties = Penalty.objects.filter(obligation__instrument__slug="us-s321-2025")
    by_target = {p.applies_to: p for p in penalties}
    assert by_target["individual"].prison_years == Decimal("20")
    assert by_target["company"].max_amount == Decimal("100000000")
    assert by_target["company"].currency == "USD"
    assert "20 years' imprisonment" in by_target["individual"].describe()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"max_amount": 10, "currency": ""}, "three-letter currency"),
        ({"turnover_percent": 150}, "percentage"),
        ({"max_amount": 10, "currency": "EUR", "rule": "higher"}, "needs both"),
        ({}, "needs an amount"),
    ],
)
def test_an_incoherent_penalty_is_refused(fields, message):
    obligation = Obligation.objects.first()
    with pytest.raises(ValidationError, match=message):
        Penalty(obligation=obligation, provenance="editorial", **fields).full_clean()
