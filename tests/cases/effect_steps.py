"""Steps the effect proposal tests share: a Testland act in force with two obligations, an
amending act, and the proposal form of an amendment posted as a browser posts it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.cases.forms import proposal_form_class
from apps.instruments.models import Instrument
from apps.obligations.models import Obligation
from tests.admin_forms import form_data
from tests.helpers import in_force, make_testland_law, write

D1, E, D2 = dt.date(2027, 3, 1), dt.date(2026, 6, 30), dt.date(2028, 3, 1)
RULES = "Keep a risk management system."
NEW_RULES = "Keep a risk management system and test it yearly."


@pytest.fixture
def act() -> Instrument:
    return in_force(make_testland_law())


def _duty(act: Instrument, key: str, provision: str) -> Obligation:
    return write(
        "obligation",
        {
            "instrument": act.pk,
            "key": key,
            "provision": provision,
            "addressee": "provider",
            "requirement": RULES,
            "risk_tier": "high",
            "applies_from": D1.isoformat(),
        },
    )


@pytest.fixture
def duties(act) -> list[Obligation]:
    """Article 9, Article 10 and Article 11 of the Testland act, applying from D1."""
    return [
        _duty(act, "risk-management", "Article 9"),
        _duty(act, "data-governance", "Article 10"),
        _duty(act, "record-keeping", "Article 11"),
    ]


@pytest.fixture
def amending_act(act) -> Instrument:
    return write(
        "instrument",
        {
            "slug": "zz-amending-act",
            "title": "Testland amending act",
            "kind": "law",
            "jurisdiction": act.jurisdiction_id,
            "legal_force": "binding",
        },
    )


def effect(obligation: Obligation, kind: str, *, date: dt.date | None = None, text: str = ""):
    return {
        "obligation": obligation.pk,
        "kind": kind,
        "date": date.isoformat() if date else None,
        "text": text,
        "penalties": [] if kind == "penalties" else None,
    }


def amendment_values(source, target, effects, *, effective_on=E, key="zz-postponement"):
    return {
        "key": key,
        "kind": "amends",
        "source_instrument": source.pk,
        "target_instrument": target.pk,
        "effective_on": effective_on.isoformat() if effective_on else None,
        "effective_on_precision": "day" if effective_on else "",
        "provenance": "editorial",
        "effects": effects,
    }


def posted_amendment(source, target, rows: list[dict[str, Any]], **fields) -> dict[str, Any]:
    """The proposal form of a new amendment as a browser posts it, effect rows included."""
    initial = {
        "key": "zz-postponement",
        "kind": "amends",
        "source_instrument": source.pk,
        "target_instrument": target.pk,
        "effective_on": E.isoformat(),
        "provenance": "editorial",
    }
    form = proposal_form_class("amendment")(initial=initial)
    # Nothing ticked: a browser posts no citation at all.
    data = {k: v for k, v in form_data(form).items() if k not in ("effects", "citations")}
    data.update(effect_rows(rows))
    return {**data, **fields}


def effect_rows(rows: list[dict[str, Any]], prefix: str = "effects") -> dict[str, Any]:
    data = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for number, row in enumerate(rows):
        penalties = f"{prefix}-{number}-penalties"
        data.update({f"{penalties}-TOTAL_FORMS": 0, f"{penalties}-INITIAL_FORMS": 0})
        for name, value in row.items():
            data[f"{prefix}-{number}-{name}"] = "" if value is None else value
    return data
