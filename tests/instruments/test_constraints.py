"""The database itself refuses what the models forbid, even past full_clean."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from apps.amendments.models import Amendment
from apps.core.partial_dates import PartialDate
from apps.instruments.models import Identifier, Instrument

pytestmark = pytest.mark.django_db


def _refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_the_database_refuses_a_self_amendment_and_an_unknown_kind():
    act = Instrument.objects.get(slug="eu-ai-act")
    base = {
        "source_instrument": act,
        "effective_on": dt.date(2025, 1, 1),
        "effective_on_precision": "day",
    }
    _refused(
        lambda: Amendment.objects.create(key="x", kind="amends", target_instrument=act, **base)
    )
    gdpr = Instrument.objects.get(slug="eu-gdpr")
    _refused(
        lambda: Amendment.objects.create(key="y", kind="abolishes", target_instrument=gdpr, **base)
    )


def test_the_database_refuses_a_second_owner_of_an_identifier():
    gdpr = Instrument.objects.get(slug="eu-gdpr")
    _refused(lambda: Identifier.objects.create(instrument=gdpr, scheme="celex", value="32024R1689"))


def test_the_database_refuses_an_unknown_status():
    _refused(lambda: Instrument.objects.filter(slug="eu-ai-act").update(status="abolished"))


def test_partial_dates_parse_and_refuse_impossible_days():
    assert str(PartialDate.parse("2019")) == "2019"
    assert PartialDate.parse("2025-02").start == dt.date(2025, 2, 1)
    assert PartialDate.parse("2024-02-29").precision == "day"
    with pytest.raises(Exception, match="2025-02-30 is not a real date"):
        PartialDate.parse("2025-02-30")
    with pytest.raises(Exception, match="not a date"):
        PartialDate.parse("Feb 2025")
