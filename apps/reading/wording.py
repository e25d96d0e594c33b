"""What an amendment did to an obligation, in one plain sentence for every surface.

The portal's table, its digests and home page, compare, the changes feed and
webhooks all say a move the same way: "Article 10 now applies from 1 March 2028
instead of 1 March 2027, by the Amending Act (in effect 30 June 2026)". A step
that is only scheduled or proposed says so, never that it is in effect.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.amendments.effects import Step, penalty_rows
from apps.amendments.models import Amendment, Effect, EffectKind
from apps.instruments.models import EventKind
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
        return f"{by} ({amendment.pending_words}) would change {where}: it {what}."
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


# -- edits of the record, from the audit trail's before and after -----------------
# What a check or the record's upkeep moves: not news for a reader unless asked for.
# A check stamps the row and may add the citation it read (apps.record.services.verify).
UPKEEP = frozenset(
    {
        "last_verified_on",
        "verified_against",
        "citations",
        "provenance",
        "provenance_note",
        "needs_review",
    }
)


def upkeep_only(before: dict | None, after: dict | None) -> bool:
    """An update that moved only bookkeeping (a check's date, the citations read)."""
    changed = set(after or {}) | set(before or {})
    return bool(changed) and changed <= UPKEEP


def _iso(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def obligation_edit(obligation: Obligation, before: dict, after: dict) -> list[str]:
    """Each fact an update of an obligation changed, from what to what, as a sentence:
    "Article 10 now applies from 1 March 2028 instead of 1 March 2027". Upkeep is
    left out (see UPKEEP); the caller decides whether to say it."""
    where = after.get("provision") or obligation.provision or obligation.key
    said = []
    if "provision" in after and before.get("provision"):
        said.append(f"{before['provision']} is now numbered {after['provision']}.")
    kinds = {
        "applies_from": EffectKind.APPLIES_FROM,
        "applies_until": EffectKind.APPLIES_UNTIL,
        "addressee": EffectKind.ADDRESSEE,
        "risk_tier": EffectKind.RISK_TIER,
    }
    for field, kind in kinds.items():
        if field not in after:
            continue
        was, became = before.get(field), after[field]
        if field.startswith("applies_"):
            was, became = _iso(was), _iso(became)
            if became is None:
                end = "start" if field == "applies_from" else "end"
                said.append(f"{where} no longer has a fixed {end} date (it was {day(was)}).")
                continue
        step = Step(Effect(kind=kind), was, became)
        said.append(f"{where} now {change(obligation, step)}.")
    if "requirement" in after:
        said.append(f"{where} now requires: {_quoted(after['requirement'])}.")
    if "penalties" in after:
        said.append(_penalties(obligation, where, before.get("penalties"), after["penalties"]))
    if "conditions" in after:
        said.append(f"{where}: the conditions on whom it binds changed.")
    if "pillars" in after:
        pillars = ", ".join(after["pillars"] or []) or "none"
        said.append(f"{where} now addresses the risk pillars: {pillars}.")
    told = {"provision", "requirement", "penalties", "conditions", "pillars", *kinds}
    for name in sorted(set(after) - told - UPKEEP):
        said.append(f"{where}: its {name.replace('_', ' ')} changed.")
    return said


def upkeep(after: dict) -> str:
    """What an update that moved only upkeep did (see UPKEEP), for a reader who asks."""
    when = _iso(after.get("last_verified_on"))
    if when:
        return f"checked against its sources on {day(when)}"
    if "citations" in after:
        return "the sources it cites changed"
    if "needs_review" in after:
        return "marked for review" if after["needs_review"] else "reviewed"
    return "where its facts come from was noted"


def _penalties(obligation: Obligation, where: str, was: Any, became: Any) -> str:
    def told(items: Any) -> str:
        rows = penalty_rows(obligation, list(items or []))
        return "; ".join(p.describe() for p in rows) or "no penalty"

    return f"{where} now carries {told(became)} (was: {told(was)})."


def instrument_edit(instrument: Any, before: dict, after: dict, labels: dict) -> list[str]:
    """Each fact an update of an instrument changed, from what to what: "now in force
    (was: adopted)", a new title, a rewritten summary. `labels` names the statuses."""
    said = []
    if "status" in after:
        new = labels.get(after["status"], after["status"])
        old = labels.get(before.get("status"), before.get("status") or "unknown")
        since = _iso(after.get("status_since"))
        said.append(f"now {new} (was: {old})" + (f", since {day(since)}" if since else ""))
    if "title" in after:
        said.append(f"renamed “{after['title']}” (was: “{before.get('title', '')}”)")
    if "summary" in after:
        said.append(f"summary rewritten: {_quoted(after['summary'])}")
    if "events" in after:
        said += _events(before.get("events") or [], after["events"] or [])
    told = {"status", "status_since", "title", "summary", "events"}
    for field in sorted(set(after) - told - UPKEEP):
        name = field.replace("_", " ")
        was, became = before.get(field), after[field]
        if isinstance(became, (str, int)) and isinstance(was, (str, int, type(None))):
            said.append(f"{name} changed from “{was or 'nothing'}” to “{became}”")
        else:
            said.append(f"{name} changed")
    return said


def _events(was: list[dict], became: list[dict]) -> list[str]:
    """The timeline's events added and removed: "timeline: entered into force on ..."."""
    kinds = dict(EventKind.choices)

    def said(event: dict) -> str:
        when = _iso(event.get("date"))
        return kinds.get(event.get("kind"), str(event.get("kind"))) + (
            f" on {day(when)}" if when else ""
        )

    def key(event: dict) -> tuple:
        return (event.get("kind"), event.get("date"))

    old, new = {key(e): e for e in was}, {key(e): e for e in became}
    out = [f"timeline: {said(e)} added" for k, e in new.items() if k not in old]
    out += [f"timeline: {said(e)} removed" for k, e in old.items() if k not in new]
    return out or ["timeline notes edited"]
