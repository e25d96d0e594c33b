"""An amendment's effects in the four-eyes diff, in plain words, never as stored values:
"Article 9: applies from 1 March 2028 instead of 1 March 2027".

The words are apps.reading.wording's (`change`), which every reader surface uses, so
a reviewer reads a proposal as readers will read the law it makes. What an effect
changes "from" is the obligation as it stood without this amendment: derived
(apps.amendments.effects) on the eve of the amendment's date of effect, or today for
a pending amendment, leaving out the amendment's own effects. The obligations a page
shows are read once, with their effects and penalties, whatever their number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils import timezone

from apps.amendments.effects import (
    ATTRIBUTE,
    Rows,
    Step,
    derive_obligation,
    penalty_rows,
)
from apps.amendments.models import DATED, Amendment, Effect, EffectKind
from apps.obligations.models import Obligation
from apps.reading import wording
from apps.reading.obligations import effects_prefetch

KINDS = dict(EffectKind.choices)


class EffectWords:
    """The sentences of the effects one page shows (collect with `want` first)."""

    def __init__(self) -> None:
        self._wanted: set[int] = set()
        self._rows: dict[int, Obligation] | None = None

    def want(self, items: Any) -> None:
        for item in items or []:
            if isinstance(item, dict) and isinstance(item.get("obligation"), int):
                self._wanted.add(item["obligation"])

    def _obligation(self, pk: Any) -> Obligation | None:
        if self._rows is None:
            self._rows = (
                Obligation.objects.select_related("instrument")
                .prefetch_related(effects_prefetch(), "penalties")
                .in_bulk(self._wanted)
                if self._wanted
                else {}
            )
        return self._rows.get(pk) if isinstance(pk, int) else None

    def text(self, item: dict[str, Any], *, effective_on: Any, amendment_id: int | None) -> str:
        """One effect (plain values) as a sentence; `effective_on` is its amendment's date."""
        obligation = self._obligation(item.get("obligation"))
        kind = item.get("kind")
        if obligation is None or kind not in KINDS:
            return f"obligation #{item.get('obligation')} (not in the record): {_raw(item)}"
        when = _date(effective_on)
        try:
            return f"{obligation.provision}: {self._change(obligation, item, when, amendment_id)}"
        except (ValidationError, ValueError, TypeError, FieldDoesNotExist):
            return f"{obligation.provision}: {_raw(item)}"  # as stored; approval refuses it

    def _change(self, obligation, item, when: dt.date | None, amendment_id: int | None) -> str:
        kind = item["kind"]
        others = [
            e
            for e in obligation.effects.all()
            if amendment_id is None or e.amendment_id != amendment_id
        ]
        eve = when - dt.timedelta(days=1) if when else timezone.localdate()
        before = derive_obligation(obligation, on=eve, effects=others)
        effect = Effect(
            kind=kind,
            date=_date(item.get("date")),
            text=item.get("text") or "",
            penalties=item.get("penalties"),
            obligation=obligation,
            amendment=Amendment(effective_on=when),
        )
        step = Step(effect, _was(before, kind), _became(obligation, item, when))
        return f"{wording.change(obligation, step)}{_more(step, when)}"


def _was(before, kind: str) -> Any:
    if kind in ATTRIBUTE:
        return getattr(before, ATTRIBUTE[kind])
    return before.applies_until if kind == EffectKind.ENDS else None


def _became(obligation: Obligation, item: dict[str, Any], when: dt.date | None) -> Any:
    kind = item["kind"]
    if kind in DATED:
        return _date(item.get("date"))
    if kind == EffectKind.PENALTIES:
        return Rows(penalty_rows(obligation, item.get("penalties") or []))
    if kind in (EffectKind.ENDS, EffectKind.ADDS):
        return when
    return item.get("text") or ""


def _more(step: Step, when: dt.date | None) -> str:
    """What the shared wording leaves to the sentence around it, and a reviewer needs."""
    kind = step.kind
    if kind in (EffectKind.ENDS, EffectKind.ADDS):
        return f" on {wording.day(when)}" if when else " once the amendment has a date of effect"
    if kind == EffectKind.REQUIREMENT and step.was:
        return f" instead of “{_short(step.was)}”"
    if kind == EffectKind.PENALTIES:
        new = _penalties(step.became) or "none (the penalties are removed)"
        old = _penalties(step.was) or "none"
        return f": {new} (was: {old})"
    return ""


def _penalties(items: Any) -> str:
    return "; ".join(f"{p.get_applies_to_display()}: {p.describe()}" for p in items or [])


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…"


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date) or value is None:
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _raw(item: dict[str, Any]) -> str:
    kind = KINDS.get(item.get("kind"), str(item.get("kind")))
    given = item.get("date") or item.get("text") or ""
    return f"{kind} {given}".strip()
