"""Law that changes over time, built for the portal's tests: a Testland act in force,
its obligations, an amending act and amendments carrying effects, each written
through the one write path (apps.record.services.write) as a case's approval
writes them; and the feed and pages read back as a reader gets them."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from apps.instruments.models import Instrument
from apps.obligations.models import Obligation
from apps.record import services as record
from apps.record.services import Why
from tests.helpers import in_force, make_testland_law, write

WHY = Why.system("test: law over time")


def retire(target: str, row) -> None:
    record.write(target=target, why=WHY, row=row, action="retire")


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    """The day `n` days from today (before it when negative)."""
    return today() + dt.timedelta(days=n)


def make_act() -> Instrument:
    """Testland AI law (slug zz-law), in force since 2024."""
    return in_force(make_testland_law())


def duty(
    act: Instrument,
    applies_from: dt.date | None,
    *,
    key: str = "risk-management",
    provision: str = "Article 9",
    **more,
) -> Obligation:
    values = {
        "instrument": act.pk,
        "key": key,
        "provision": provision,
        "addressee": "provider",
        "requirement": "Keep a risk management system.",
        "risk_tier": "high",
        "applies_from": applies_from.isoformat() if applies_from else None,
        "penalties": [{"applies_to": "company", "max_amount": "1000000", "currency": "EUR"}],
    }
    return write("obligation", {**values, **more})


def amend(
    source: Instrument,
    target: Instrument,
    effects: list[dict],
    effective_on: dt.date | None,
    *,
    key: str = "zz-postponement",
    kind: str = "amends",
):
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


def moves_from(obligation: Obligation, to: dt.date) -> dict:
    return {"obligation": obligation.pk, "kind": "applies_from", "date": to.isoformat(), "text": ""}


def effect(obligation: Obligation, kind: str, **values) -> dict:
    return {"obligation": obligation.pk, "kind": kind, "text": "", **values}


def text(response) -> str:
    """A page's text as a reader reads it: tags dropped, spaces collapsed."""
    html = response.content.decode()
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return flat.replace("&#x27;", "'").replace(" ,", ",")


def events(body: str) -> dict[str, dict[str, str]]:
    """The VEVENTs of an iCalendar text by UID, each a dict of its properties (folded
    lines unfolded, as RFC 5545 3.1 says)."""
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    lines = body.replace("\r\n ", "").split("\r\n")
    found, current = {}, None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found[current["UID"]] = current
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return found
