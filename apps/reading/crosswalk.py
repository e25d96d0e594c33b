"""Compare as a crosswalk: the questions a partner asks, answered per jurisdiction.

Each row is a question (is there a binding AI law, what is in force, what is
pending, what soft law there is, who is addressed, the highest penalty and its
source, the next date that matters) and each cell lists the record rows that
answer it, so that a surface links every answer to the row it comes from and
cites that row's source. The portal's page and export and the API read this one
answer. Obligations count as they stand today (amendments applied), read in bulk:
a fixed number of queries whatever the number of jurisdictions or rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Func, Prefetch, prefetch_related_objects
from django.utils import timezone

from apps.core.models import Citation
from apps.core.partial_dates import format_partial
from apps.instruments.lifecycle import APPLYING, ENDED
from apps.instruments.models import Instrument, InstrumentEvent, LegalForce, Status
from apps.instruments.names import short_title
from apps.jurisdictions.models import Coverage, Jurisdiction
from apps.obligations.models import Obligation
from apps.reading import standing

QUESTIONS = [
    ("binding", "Is there a binding AI law?"),
    ("in_force", "Binding law in force"),
    ("pending", "Pending: not yet in force"),
    ("soft_law", "Soft law and guidance"),
    ("addressed", "Who is addressed"),
    ("penalty", "Highest penalty and its source"),
    ("next_date", "Next date that matters"),
]
STATUS_LABELS = dict(Status.choices)
# Obligations that bind someone today or from a known or unknown later day.
LIVE_STATES = {standing.APPLIES, standing.AHEAD, standing.NOT_FIXED}
_AI = re.compile(r"\bAI\b|artificial intelligence", re.IGNORECASE)
MAX_DATED = 3  # rows shown for the next date: a deadline shared by many says "and N more"


@dataclass(frozen=True)
class Source:
    """The citation a cell rests on: the record row's own source."""

    title: str
    url: str


@dataclass
class Item:
    """One answer in a cell and the record row it comes from.

    `instrument` (a slug) with `obligation` (a key) or not, or else `jurisdiction` (a
    code): a surface turns these into links of its own.
    """

    text: str
    detail: str = ""
    instrument: str = ""
    obligation: str = ""
    jurisdiction: str = ""
    day: dt.date | None = None
    precision: str = "day"  # of `day`: an event may be known to the month or year only
    source: Source | None = None


@dataclass
class Cell:
    items: list[Item] = field(default_factory=list)
    empty: str = "none recorded"  # what an empty cell says (see _cells)
    answer: str = ""  # a short answer before the items ("Yes", "No", ...)
    found: bool = True  # False: the one item says that the record holds none


@dataclass
class Column:
    jurisdiction: Jurisdiction
    cells: dict[str, Cell]


def topic_label(topic: str) -> str:
    """A stored topic ("generative-ai") as a reader says it ("generative AI")."""
    words = topic.replace("_", "-").split("-")
    return " ".join("AI" if w == "ai" else w for w in words)


def topics() -> list[tuple[str, str]]:
    """(topic, label) of every topic a published instrument has, by label: one query."""
    found = (
        Instrument.objects.published()
        .annotate(topic=Func(F("topics"), function="unnest"))
        .order_by()  # the model's ordering would join the DISTINCT
        .values_list("topic", flat=True)
        .distinct()
    )
    return sorted(((t, topic_label(t)) for t in found), key=lambda pair: pair[1])


def _source(row) -> Source | None:
    """The first citation of a row (its citations prefetched), as a reader reads it."""
    cites = list(row.citations.all())
    return Source(cites[0].title, cites[0].url) if cites else None


def crosswalk(
    jurisdictions: list[Jurisdiction], topic: str = "", today: dt.date | None = None
) -> list[Column]:
    """One column per jurisdiction, in the order given; `topic` narrows to the
    instruments that have it (and their obligations). Ten queries, four when no
    instrument matches."""
    today = today or timezone.localdate()
    ids = [j.pk for j in jurisdictions]
    cited = Prefetch("citations", queryset=Citation.objects.order_by("key"))
    instruments = Instrument.objects.published().filter(jurisdiction__in=ids)
    if topic:
        instruments = instruments.filter(topics__contains=[topic])
    by_jurisdiction: dict[int, list[Instrument]] = defaultdict(list)
    rows = instruments.prefetch_related(
        cited, Prefetch("events", queryset=InstrumentEvent.objects.filter(date__gt=today))
    ).order_by("title")
    for instrument in rows:  # 3 queries: the rows, their citations, their coming events
        by_jurisdiction[instrument.jurisdiction_id].append(instrument)
    known = {i.pk: i for found in by_jurisdiction.values() for i in found}
    obligations = Obligation.objects.published().filter(instrument__in=list(known))
    # 5 queries (standing.read), none of them per row.
    derived = standing.read(obligations.prefetch_related(cited), today) if known else []
    duties: dict[int, list[standing.Standing]] = defaultdict(list)
    for row in standing.standing(derived):
        instrument = known[row.obligation.instrument_id]
        if instrument.status not in ENDED and row.state in LIVE_STATES:
            duties[instrument.jurisdiction_id].append(row)
    prefetch_related_objects(jurisdictions, cited)  # 1 query: their own sources
    return [
        Column(j, _cells(j, by_jurisdiction[j.pk], duties[j.pk], known, today))
        for j in jurisdictions
    ]


def _cells(
    jurisdiction: Jurisdiction,
    instruments: list[Instrument],
    duties: list[standing.Standing],
    known: dict[int, Instrument],
    today: dt.date,
) -> dict[str, Cell]:
    live = [i for i in instruments if i.status not in ENDED]
    binding = [i for i in live if i.legal_force == LegalForce.BINDING]
    in_force = [i for i in binding if i.status in APPLYING]
    pending = [i for i in binding if i.status not in APPLYING]
    soft = [i for i in live if i.legal_force == LegalForce.SOFT_LAW]
    cells = {
        "binding": _binding(jurisdiction, in_force, pending),
        "in_force": Cell([_instrument(i) for i in in_force], "none in force"),
        "pending": Cell([_instrument(i) for i in pending], "nothing pending"),
        "soft_law": Cell([_instrument(i) for i in soft], "none recorded"),
        "addressed": _addressed(duties, known),
        "penalty": _penalty(duties, known),
        "next_date": _next_date(live, duties, known, today),
    }
    for cell in cells.values():
        if not cell.items:
            # "None" is an answer too: it comes from the jurisdiction's row (how fully
            # the record tracks it), linked and cited like any other.
            cell.found = False
            cell.items = [
                Item(
                    cell.empty[:1].upper() + cell.empty[1:],
                    f"coverage: {jurisdiction.get_coverage_display()}",
                    jurisdiction=jurisdiction.code,
                    source=_source(jurisdiction),
                )
            ]
    return cells


def _status(instrument: Instrument) -> str:
    return STATUS_LABELS.get(instrument.status, instrument.status)


def _instrument(instrument: Instrument, detail: str = "") -> Item:
    status = _status(instrument)
    since = f" since {instrument.status_since:%-d %b %Y}" if instrument.status_since else ""
    return Item(
        instrument.title,
        detail or f"{status}{since}",
        instrument=instrument.slug,
        day=instrument.status_since,
        source=_source(instrument),
    )


def _names_ai(instrument: Instrument) -> bool:
    """An AI law, for the first question: its title names AI. The record has no flag
    for it, and a data-protection or cybersecurity law in force answers "what binds"
    (the next row), not "is there an AI law"."""
    return bool(_AI.search(instrument.title))


def _binding(jurisdiction: Jurisdiction, in_force: list, pending: list) -> Cell:
    whose = Item(
        jurisdiction.name,
        f"coverage: {jurisdiction.get_coverage_display()}",
        jurisdiction=jurisdiction.code,
        source=_source(jurisdiction),
    )
    ai_in_force = [i for i in in_force if _names_ai(i)]
    ai_pending = [i for i in pending if _names_ai(i)]
    if ai_in_force:
        return Cell([_instrument(i) for i in ai_in_force], answer="Yes")
    if ai_pending:
        return Cell([_instrument(i) for i in ai_pending], answer="Not yet: pending only")
    if in_force:
        return Cell([whose], answer="No AI-specific law; other binding law applies (below)")
    if jurisdiction.coverage == Coverage.NOT_TRACKED:
        return Cell([whose], answer="Not tracked: the record does not say")
    return Cell([whose], answer="No, as far as the record tracks")


def _addressed(duties: list[standing.Standing], known: dict[int, Instrument]) -> Cell:
    """Each addressee by its label, with the number of duties and where the first is."""
    by_addressee: dict[str, list[standing.Standing]] = defaultdict(list)
    for row in duties:
        by_addressee[row.addressee_label].append(row)
    items = []
    for label, rows in sorted(by_addressee.items()):
        first = rows[0].obligation
        where = short_title(known[first.instrument_id].title)
        instruments = {r.obligation.instrument_id for r in rows}
        many = f" and {len(instruments) - 1} more" if len(instruments) > 1 else ""
        count = f"{len(rows)} dut{'y' if len(rows) == 1 else 'ies'}"
        items.append(
            Item(
                label,
                f"{count}, first {first.provision} of {where}{many}",
                instrument=known[first.instrument_id].slug,
                obligation=first.key,
                source=_source(first.obligation),
            )
        )
    return Cell(items, "no duty recorded")


def _penalty(duties: list[standing.Standing], known: dict[int, Instrument]) -> Cell:
    """The largest fine per currency, the largest turnover share and the longest prison
    term across every live instrument of the jurisdiction, each with the provision that
    sets it (one penalty often holds two of them: it is named once). Law in force comes
    first; a pending instrument's penalties follow, marked with its status, so a bill's
    fine is never read as the law's."""
    applying = [r for r in duties if known[r.obligation.instrument_id].status in APPLYING]
    others = [r for r in duties if known[r.obligation.instrument_id].status not in APPLYING]
    return Cell(_highest(applying, known) + _highest(others, known), "no penalty recorded")


def _highest(duties: list[standing.Standing], known: dict[int, Instrument]) -> list[Item]:
    best: dict[tuple, tuple] = {}
    for row in duties:
        for penalty in row.obligation.penalties.all():
            for measure, value in (
                (("amount", penalty.currency), penalty.max_amount),
                (("turnover",), penalty.turnover_percent),
                (("prison",), penalty.prison_years),
            ):
                if value is not None and (measure not in best or value > best[measure][0]):
                    best[measure] = (value, penalty, row.obligation)
    items, named = [], set()
    for _value, penalty, obligation in best.values():
        if id(penalty) in named:
            continue
        named.add(id(penalty))
        instrument = known[obligation.instrument_id]
        status = "" if instrument.status in APPLYING else f" ({_status(instrument)})"
        items.append(
            Item(
                penalty.describe(),
                f"{obligation.provision} of {short_title(instrument.title)}{status}",
                instrument=instrument.slug,
                obligation=obligation.key,
                source=_source(obligation.obligation),
            )
        )
    return items


def _next_date(
    live: list[Instrument],
    duties: list[standing.Standing],
    known: dict[int, Instrument],
    today: dt.date,
) -> Cell:
    """The first day after today on which a duty starts to apply or an instrument's
    event falls, with every row dated that day."""
    dated: list[tuple[dt.date, Item]] = []
    for row in duties:
        o = row.obligation
        if o.applies_from and o.applies_from > today:
            instrument = known[o.instrument_id]
            dated.append(
                (
                    o.applies_from,
                    Item(
                        f"{o.provision} of {short_title(instrument.title)} applies",
                        row.addressee_label,
                        instrument=instrument.slug,
                        obligation=o.key,
                        day=o.applies_from,
                        source=_source(o.obligation),
                    ),
                )
            )
    for instrument in live:
        for event in instrument.events.all():
            dated.append(
                (
                    event.date,
                    Item(
                        f"{short_title(instrument.title)}: {event.get_kind_display()}",
                        event.note,
                        instrument=instrument.slug,
                        day=event.date,
                        precision=event.date_precision or "day",
                        source=_source(instrument),
                    ),
                )
            )
    if not dated:
        return Cell([], "no coming date recorded")
    first = min(day for day, _ in dated)
    items = [item for day, item in dated if day == first]
    precision = items[0].precision
    answer = f"{first:%-d %b %Y}" if precision == "day" else format_partial(first, precision)
    if len(items) > MAX_DATED:
        answer += f" ({len(items)} rows; the first {MAX_DATED} shown)"
    return Cell(items[:MAX_DATED], answer=answer)
