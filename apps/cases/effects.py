"""Effects proposed with an amendment: the checks a proposal passes, and what its
approval puts up for review.

The rules are the model's (apps.amendments.models.Effect: its constraints and
`clean`). The record's build checks a proposal's children only in part (a new
amendment's effects without their amendment, their constraints left to
PostgreSQL at approval), so a bad effect would reach the reviewer and fail only
when approved. `check` applies every rule when the effect is proposed and names
the effect it refuses ("Article 9, ends the obligation: ..."), for the form, the
editors' service and the watcher alike.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from apps.amendments.effects import penalty_rows
from apps.amendments.kinds import AMENDMENT_STATUS
from apps.amendments.models import Amendment, EffectKind
from apps.obligations.models import Obligation
from apps.record import references, rows

KINDS = dict(EffectKind.choices)
# What an amendment does to its target as a whole (its effects aside).
WHAT_IT_DOES = frozenset({"kind", "target_instrument", "target_provision", "effective_on"})


def _child():
    return rows.kind("amendment").child("effects")


def check(items: list[dict[str, Any]], target_instrument: int | None) -> None:
    """Refuse effects (plain values, complete) that break a rule of Effect, or that name an
    obligation which is not a published obligation of `target_instrument`.

    Raises ValidationError({"effects": [one message per fault]}).
    """
    ids = {item.get("obligation") for item in items if isinstance(item.get("obligation"), int)}
    found = Obligation.objects.select_related("instrument").in_bulk(ids)
    target = _target_title(target_instrument)
    errors: list[str] = []
    for item in items:
        obligation = found.get(item.get("obligation"))
        where = _where(obligation, item)
        if obligation is None:
            errors.append(f"{where}: this obligation is not in the record.")
            continue
        if obligation.instrument_id != target_instrument:
            errors.append(
                f"{where}: this obligation belongs to {obligation.instrument.title}, not to "
                f"{target}; an effect changes an obligation of the amendment's target."
            )
        elif obligation.retired_at is not None:
            errors.append(
                f"{where}: this obligation is retired; an effect changes a published one."
            )
        errors += [f"{where}: {message}" for message in _rules(item, obligation)]
    if errors:
        raise ValidationError({"effects": errors})


def _rules(item: dict[str, Any], obligation: Obligation) -> list[str]:
    effect = rows.child_instance(_child(), item)
    messages: list[str] = []
    try:
        # The amendment may not exist yet, and the obligation was judged above.
        effect.full_clean(exclude=["amendment", "obligation"], validate_unique=False)
    except ValidationError as exc:
        messages += _unique(exc.messages)
    if item.get("kind") == EffectKind.PENALTIES and isinstance(item.get("penalties"), list):
        for number, penalty in enumerate(penalty_rows(obligation, item["penalties"]), start=1):
            try:
                penalty.full_clean(exclude=["obligation"], validate_unique=False)
            except ValidationError as exc:
                messages += [f"penalty {number}: {m}" for m in _unique(exc.messages)]
    return messages


def _unique(messages: list[str]) -> list[str]:
    return list(dict.fromkeys(messages))


def _where(obligation: Obligation | None, item: dict[str, Any]) -> str:
    kind = KINDS.get(item.get("kind"), item.get("kind") or "no kind")
    name = (
        obligation.provision if obligation is not None else f"obligation #{item.get('obligation')}"
    )
    return f"{name}, {kind}"


def _target_title(pk: int | None) -> str:
    from apps.instruments.models import Instrument

    title = Instrument.objects.filter(pk=pk).values_list("title", flat=True).first()
    return title or "the amendment's target"


def check_proposal(target: str, values: dict[str, Any], live: dict[str, Any] | None) -> None:
    """Check the effects an amendment would carry once `values` (a proposal, already read
    by rows.build) apply on `live` (the row's plain values; None for a new row)."""
    if target != "amendment" or not ({"effects", "target_instrument"} & set(values)):
        return
    # A reference to a row proposed alongside is not in the record yet: left out here.
    known = {k: v for k, v in values.items() if not references.is_reference(v)}
    after = {**(live or {}), **rows.normalise(target, known, live)}
    items, instrument = after.get("effects") or [], after.get("target_instrument")
    if items and isinstance(instrument, int):  # a target proposed alongside is checked on approval
        check(items, instrument)


# -- what an approval puts up for review -------------------------------------------------


def to_review(amendment: Amendment, before: dict | None, after: dict) -> QuerySet[Obligation]:
    """The published obligations an approved amendment (created, or updated from `before`
    to `after`, the audit trail's values) puts up for review.

    - Pending (no date of effect) it changes no obligation yet: none, unless it was in
      effect before (taking its date away changes the law back). Its adoption, the
      update that gives it a date, is what flags.
    - An amendment that ends its whole target ends every obligation of it: all of them.
    - One that carries effects says what it changes: only the obligations its effects
      name (for an update of the effects alone, those whose effects changed). The
      others are untouched by it, and flagging them would bury the real changes.
    - One without effects says only that it changed the target: all of them.
    """
    mine = Obligation.objects.published().filter(instrument=amendment.target_instrument_id)
    was_in_effect = bool((before or {}).get("effective_on"))
    if amendment.is_pending and not was_in_effect:
        return mine.none()
    if amendment.kind in AMENDMENT_STATUS and not amendment.target_provision:
        return mine
    named = _named(amendment, before, after)
    return mine.filter(pk__in=named) if named else mine


def _named(amendment: Amendment, before: dict | None, after: dict) -> set[int]:
    old = [_key(i) for i in (before or {}).get("effects") or []]
    new = [_key(i) for i in after.get("effects") or []]
    if before is not None and not (WHAT_IT_DOES & set(after)):
        changed = set(old) ^ set(new)  # only the effects moved: those that did
        return {obligation for obligation, _ in changed}
    current = set(amendment.effects.values_list("obligation_id", flat=True))
    return current | {obligation for obligation, _ in old}


def _key(item: dict[str, Any]) -> tuple[Any, str]:
    # The whole item: an effect whose date or text changed is a changed effect.
    return item.get("obligation"), repr(sorted(item.items()))
