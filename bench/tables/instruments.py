"""Generated instruments with their identifiers, events and citations."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bench.tables.words import (
    ACTIONS,
    ADDRESSEES,
    BINDING_KINDS,
    EVENT_CHAIN,
    KIND_WORDS,
    LANGUAGES,
    TITLES,
    TOPICS,
)
from bench.tables.writing import EPOCH, TODAY, Writer, pg_array, pg_quoted_array, pillars, timestamp

if TYPE_CHECKING:
    from bench.tables.sizes import Scale


def write_instruments(w: Writer, rng, s: Scale, juris, counts) -> list[int]:
    from apps.instruments.names import all_short_names  # what Instrument.save keeps

    first = w.next_id("instruments_instrument")
    ids = list(range(first, first + s.instruments))
    kinds = list(KIND_WORDS)
    meta: list[tuple[int, dt.date]] = []

    def instrument_rows():
        for n, iid in enumerate(ids):
            kind = rng.choice(kinds)
            topic = rng.randrange(len(TOPICS))
            second = TOPICS[(topic + 1 + rng.randrange(len(TOPICS) - 1)) % len(TOPICS)][0]
            lang = rng.choice(LANGUAGES) if rng.random() < 0.45 else "en"
            year = 2015 + n % 12
            title = (
                f"{KIND_WORDS[kind]} on {TOPICS[topic][0].title()} and {second.title()} {year}"
                f" (No. {n})"
            )
            original = ""
            if lang != "en":
                original = TITLES[lang].format(topic=TOPICS[topic][LANGUAGES.index(lang)])
            sentences = [
                f"This {KIND_WORDS[kind].lower()} governs {TOPICS[topic][0]} and {second}.",
                f"It requires {rng.choice(ADDRESSEES).replace('_', ' ')}s to "
                f"{rng.choice(ACTIONS)}.",
                f"Supervisory authorities may {rng.choice(ACTIONS).replace('ensure', 'verify')}.",
                f"It applies to {rng.choice(TOPICS)[0]} used in {rng.choice(TOPICS)[0]}.",
            ]
            if lang != "en":
                sentences.append(original)
            start = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(4000))
            meta.append((iid, start))
            force_date = start + dt.timedelta(days=400)
            status, since = (
                ("in_force", force_date) if force_date <= TODAY
                else ("adopted", start + dt.timedelta(days=220))
                if start + dt.timedelta(days=220) <= TODAY else ("proposed", start)
            )  # fmt: skip
            yield (
                iid, "editorial", "", 1 + rng.randrange(4), EPOCH, timestamp(rng), f"bench-{n}",
                title, original, lang if lang != "en" else "en", kind,
                f"Ministry of {second.title()}",
                "binding" if kind in BINDING_KINDS else "soft_law",
                " ".join(sentences[: rng.randrange(3, len(sentences) + 1)]),
                pg_array(sorted({TOPICS[topic][0].replace(" ", "-"), second.replace(" ", "-")})),
                pillars(rng),
                "", "", status, since, rng.choice(juris)[0],
                timestamp(rng) if rng.random() < 0.01 else None, None,
                pg_quoted_array(all_short_names(title, original)),
                start,  # the first event (EVENT_CHAIN starts at day 0), as record.py keeps it
            )  # fmt: skip

    counts["instruments"] = w.copy(
        "instruments_instrument",
        ["id", "provenance", "provenance_note", "version", "created_at", "updated_at", "slug",
         "title", "original_title", "original_language", "kind", "issuing_body", "legal_force",
         "summary", "topics", "pillars", "approach", "source_status_text", "status",
         "status_since", "jurisdiction_id", "retired_at", "last_verified_on", "short_names",
         "first_event_on"],
        instrument_rows(),
    )  # fmt: skip

    first_identifier = w.next_id("instruments_identifier")

    def identifier_rows():
        nid = first_identifier
        for n, iid in enumerate(ids):
            yield (nid, "editorial", "", "other", f"BENCH-{n}", iid)
            nid += 1
            if n % 2 == 0:
                year = 2015 + n % 12
                yield (nid, "editorial", "", "celex", f"3{year}R{n:06d}", iid)
                nid += 1

    counts["identifiers"] = w.copy(
        "instruments_identifier",
        ["id", "provenance", "provenance_note", "scheme", "value", "instrument_id"],
        identifier_rows(),
    )

    first_event = w.next_id("instruments_instrumentevent")

    def event_rows():
        eid = first_event
        for iid, start in meta:
            for kind, offset in EVENT_CHAIN[: rng.randrange(1, len(EVENT_CHAIN) + 1)]:
                yield (
                    eid,
                    "editorial",
                    "",
                    kind,
                    start + dt.timedelta(days=offset),
                    "day",
                    "",
                    iid,
                )
                eid += 1

    counts["events"] = w.copy(
        "instruments_instrumentevent",
        ["id", "provenance", "provenance_note", "kind", "date", "date_precision", "note",
         "instrument_id"],
        event_rows(),
    )  # fmt: skip

    citations = max(10, s.instruments // 5)
    first_citation = w.next_id("core_citation")
    counts["citations"] = w.copy(
        "core_citation",
        ["id", "key", "url", "title", "accessed_on", "seed_footnote", "last_verified_on",
         "provenance", "locator", "states"],
        (
            (first_citation + n, f"bench-c{n}", f"https://law{n % 50}.example.org/doc/{n}",
             f"Official journal, item {n}", dt.date(2026, 1, 1), None, dt.date(2026, 6, 1),
             "editorial", f"Article {n % 40 + 1}", "A generated statement for the benchmarks.")
            for n in range(citations)
        ),
    )  # fmt: skip
    link = w.next_id("instruments_instrument_citations")
    counts["instrument_citations"] = w.copy(
        "instruments_instrument_citations",
        ["id", "instrument_id", "citation_id"],
        ((link + n, iid, first_citation + n % citations) for n, iid in enumerate(ids)),
    )
    return ids
