"""What an amendment did to an obligation, in one plain sentence for every surface.

The portal's table, its digests and home page, compare, the changes feed and
webhooks all say a move the same way: "Article 10 now applies from 1 March 2028
instead of 1 March 2027, by the Amending Act (in effect 30 June 2026)". A step
that is only scheduled or proposed says so, never that it is in effect.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.amendments.effects import Step
from apps.amendments.models import Amendment, EffectKind
from apps.obligations.models import Addressee, Obligation, RiskTier

ADDRESSEES = dict(Addressee.choices)
TIERS = dict(RiskTier.choices)


def day(value: dt.date | None) -> str:
    """1 March 2028, without a leading zero."""
    return f"{value.day} {value:%B %Y}" if value else ""


def act(amendment: Amendment) -> str:
    source = amendment.source_instrument or amendment.source_jurisdiction
    return getattr(source, "title", None) or getattr(source, "name", "") or str(source)


def change(obligation: Obligation, step: Step) -> str:
    """What the step changes, without when or by what: "now applies from ... instead of ..."."""
    was, became = step.was, step.became
    kind = step.kind
    if kind == EffectKind.APPLIES_FROM:
        earlier = f" instead of {day(was)}" if was else " (no date was fixed before)"
        return f"applies from {day(became)}{earlier}"
    if kind == EffectKind.APPLIES_UNTIL:
        earlier = f" instead of {day(was)}" if was else " (it had no end date)"
        return f"applies until {day(became)}{earlier}"
    if kind == EffectKind.REQUIREMENT:
        return f"requires: {_quoted(became)}"
    if kind == EffectKind.ADDRESSEE:
        return f"binds the {_label(ADDRESSEES, became)} instead of the {_label(ADDRESSEES, was)}"
    if kind == EffectKind.RISK_TIER:
        earlier = _label(TIERS, was) or "no tier"  # an obligation may have had none
        return f"is of the {_label(TIERS, became) or 'no'} tier instead of {earlier}"
    if kind == EffectKind.PENALTIES:
        return "carries new penalties"
    if kind == EffectKind.ENDS:
        return "ends"
    return "is added"


def sentence(obligation: Obligation, step: Step, *, on: dt.date | None = None) -> str:
    """The whole sentence: what, by which act, and whether it is law yet on `on`."""
    amendment = step.amendment
    where = obligation.provision or obligation.key
    by = act(amendment)
    what = change(obligation, step)
    when = amendment.effective_on
    if when is None:
        return f"{by} (proposed, not in effect) would change {where}: it {what}."
    if on is not None and when > on:
        return f"From {day(when)}, {by} changes {where}: it {what}."
    if step.kind == EffectKind.ENDS:
        return f"{where} ended on {day(when)}, by {by}."
    if step.kind == EffectKind.ADDS:
        return f"{where} was added by {by}, in effect {day(when)}."
    return f"{where} now {what}, by {by} (in effect {day(when)})."


def _label(labels: dict[str, str], value: Any) -> str:
    return labels.get(value, str(value or ""))


def _quoted(text: Any) -> str:
    text = str(text or "")
    return f"“{text[:200]}…”" if len(text) > 200 else f"“{text}”"
