"""What the digest says about a followed profile: how what applies to it changed.

A followed profile keeps what was last reported (`SavedProfile.reported`): the
obligations that applied, each with its derived dates, and what was coming in the
next twelve months. Each digest checks the profile again (apps.reading.applicability)
and says, in plain words, what differs: a duty that now applies, one whose dates
moved (the amendment's own sentence from apps.reading.wording when one moved it),
one that no longer applies (and why, when the record says), and what newly comes.
Then it keeps the new state, in the digest's transaction: each change is said once.
Following starts from the state of that day: what already applied is not news.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from apps.amendments.effects import Step, plain
from apps.amendments.models import Effect, EffectKind
from apps.instruments.lifecycle import ENDED
from apps.obligations.models import Obligation
from apps.portal.models import SavedProfile
from apps.reading.applicability import APPLIES, Answer, check
from apps.reading.obligations import derive, effects_prefetch
from apps.reading.wording import change, day, sentence

News = list[tuple[SavedProfile, list[str]]]
MOVES = {"from": (EffectKind.APPLIES_FROM,), "until": (EffectKind.APPLIES_UNTIL, EffectKind.ENDS)}


def _id(derived) -> str:
    return f"{derived.obligation.instrument.slug}:{derived.obligation.key}"


def _name(derived) -> str:
    return f"{derived.obligation.instrument.title}, {derived.provision}"


def snapshot(answer: Answer) -> dict:
    """What the digest keeps of an answer (JSON)."""
    applies = {
        _id(f.obligation): {
            "from": plain(f.obligation.applies_from),
            "until": plain(f.obligation.applies_until),
            "name": _name(f.obligation),
            "pk": f.obligation.obligation.pk,
        }
        for f in answer.applicable
    }
    coming = {
        _coming_key(c): f"{c.obligation.obligation.instrument.title}: {c.cause}"
        for c in answer.upcoming
        if c.match.verdict == APPLIES
    }
    return {"on": answer.on.isoformat(), "applies": applies, "coming": coming}


def _coming_key(coming) -> str:
    # A proposal has no date: its words tell two proposals on one duty apart.
    when = plain(coming.date) if coming.date else coming.cause
    return f"{_id(coming.obligation)}|{coming.kind}|{when}"


def start(saved: SavedProfile, on: dt.date) -> None:
    """Take what applies on `on` as already said (the caller saves)."""
    saved.reported = snapshot(check(saved.profile(), on))


def news(saved: SavedProfile, answer: Answer) -> tuple[list[str], dict]:
    """The lines to say since what was last reported, and the state to keep."""
    latest = snapshot(answer)
    before = saved.reported
    if not before:
        return [], latest
    found = {_id(f.obligation): f for f in [*answer.applicable, *answer.may_apply]}
    lines: list[str] = []
    said: set[str] = set()
    for key, now in latest["applies"].items():
        was = before["applies"].get(key)
        if was is None:
            since = f" (from {_day(now['from'])})" if now["from"] else ""
            lines.append(f"{now['name']}: now applies to “{saved.name}”{since}.")
        elif (was["from"], was["until"]) != (now["from"], now["until"]):
            lines.extend(_moved(found[key].obligation, was, now))
        else:
            continue
        said.add(key)
    gone = {key: was for key, was in before["applies"].items() if key not in latest["applies"]}
    if gone:
        derived = _as_they_stand(gone, found, answer)
        for key, was in gone.items():
            lines.append(_gone(saved.name, key, was, found.get(key), derived.get(key), before))
            said.add(key)
    for key, words in latest["coming"].items():
        if key not in before["coming"] and key.split("|")[0] not in said:
            lines.append(words)
    return lines, latest


def _as_they_stand(gone: dict, found: dict, answer: Answer) -> dict:
    """The duties that no longer apply, derived on the answer's day (one read for all)."""
    derived = {_id(c.obligation): c.obligation for c in answer.upcoming}
    derived.update({key: f.obligation for key, f in found.items()})
    missing = [was["pk"] for key, was in gone.items() if key not in derived and "pk" in was]
    if missing:
        rows = (
            Obligation.objects.filter(pk__in=missing)
            .select_related("instrument")
            .prefetch_related("penalties", effects_prefetch())
        )
        derived.update({_id(d): d for d in derive(rows, answer.on)})
    return derived


def _day(iso: str | None) -> str:
    return day(dt.date.fromisoformat(iso)) if iso else ""


def _explained(derived, was: dict) -> list[str]:
    """The amendments' sentences for the dates that moved since `was`."""
    said = []
    for end, kinds in MOVES.items():
        value = getattr(derived, f"applies_{end}")
        if plain(value) == was[end]:
            continue
        steps = [s for s in derived.history if s.kind in kinds and s.became == value]
        if steps:
            said.append(sentence(derived.obligation, steps[-1], on=derived.on))
    return said


def _moved(derived, was: dict, now: dict) -> list[str]:
    explained = _explained(derived, was)
    if explained:
        title = derived.obligation.instrument.title
        return [f"{title}: {words}" for words in explained]
    # Corrected in the record itself, not by an amendment: the same words for the move.
    moves = []
    for end, kinds in MOVES.items():
        old, new = was[end], now[end]
        if old != new and new is not None:
            step = Step(Effect(kind=kinds[0]), _date(old), _date(new))
            moves.append(f"{now['name']} now {change(derived.obligation, step)}.")
        elif old != new:
            moves.append(f"{now['name']} no longer has an end date (it was {_day(old)}).")
    return moves


def _gone(name: str, key: str, was: dict, found, derived, before: dict) -> str:
    """Why a duty no longer applies, as far as the record says."""
    head = f"{was['name']}: no longer applies to “{name}”"
    if found is not None and found.match.verdict != APPLIES:
        return f"{head}; it may apply, depending on: {', '.join(found.match.missing)}."
    explained = _explained(derived, was) if derived is not None else []
    if explained:
        return f"{head}. {' '.join(explained)}"
    if derived is not None and derived.obligation.retired_at is not None:
        return f"{head}: it was removed from the record."
    instrument = derived.obligation.instrument if derived is not None else None
    if instrument is not None and instrument.status in ENDED:
        since = f" since {day(instrument.status_since)}" if instrument.status_since else ""
        return f"{head}: {instrument.title} is {instrument.get_status_display()}{since}."
    ends = [k.split("|")[2] for k in before["coming"] if k.startswith(f"{key}|ends|")]
    if ends:
        return f"{head}; it stopped applying on {_day(min(ends))}."
    return f"{head}, as the record now reads."


def _date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def news_for(user, now: dt.datetime) -> News:
    """Check each profile the user follows on the day of `now`; keep what is said.

    Runs in the digest's transaction, with the reader's row locked."""
    today = timezone.localdate(now)
    out: News = []
    for saved in SavedProfile.objects.select_for_update().filter(user=user, following=True):
        lines, latest = news(saved, check(saved.profile(), today))
        saved.reported = latest
        saved.save(update_fields=["reported"])
        if lines:
            out.append((saved, lines))
    return out


def count(found: News) -> int:
    return sum(len(lines) for _, lines in found)


def appended(body: str, found: News, site_url: str) -> str:
    """The digest's text with a part per profile whose applicable set changed."""
    parts = [body] if body else []
    for saved, lines in found:
        url = site_url.rstrip("/") + reverse("portal:profile", kwargs={"pk": saved.pk})
        said = "\n".join(f"- {line}" for line in lines)
        parts.append(f"What applies to “{saved.name}” changed:\n{said}\n  {url}")
    return "\n\n".join(parts)
