"""A Testland record whose obligations amendments change, written through the one write
path as a case's approval writes it (apps.record.services.write)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.instruments.models import Instrument
from apps.obligations.models import Obligation
from tests.helpers import in_force, make_testland_law, write


def act_in_force() -> Instrument:
    """zz-law, in force since 2024."""
    return in_force(make_testland_law())


def obligation(act: Instrument, key: str, provision: str, applies_from: dt.date, **values):
    return write(
        "obligation",
        {
            "instrument": act.pk,
            "key": key,
            "provision": provision,
            "addressee": "provider",
            "requirement": f"Comply with {provision}.",
            "risk_tier": "high",
            "applies_from": applies_from.isoformat(),
            **values,
        },
    )


def amend(
    source: Instrument,
    target: Instrument,
    effects: list[dict[str, Any]],
    effective_on: dt.date | None,
    key: str,
    kind: str = "amends",
):
    """An amendment of `target` by `source`; effective_on None: only proposed."""
    return write(
        "amendment",
        {
            "key": key,
            "kind": kind,
            "source_instrument": source.pk,
            "target_instrument": target.pk,
            "effective_on": effective_on.isoformat() if effective_on else None,
            "effective_on_precision": "day" if effective_on else "",
            "provenance": "editorial",
            "effects": effects,
        },
    )


def moves(duty: Obligation, to: dt.date, kind: str = "applies_from") -> dict[str, Any]:
    return {"obligation": duty.pk, "kind": kind, "date": to.isoformat(), "text": ""}


def effect(duty: Obligation, kind: str, text: str = "", **values) -> dict[str, Any]:
    return {"obligation": duty.pk, "kind": kind, "text": text, **values}
