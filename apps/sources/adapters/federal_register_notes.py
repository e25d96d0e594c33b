"""The free-text notes of an executive order read as relations to other orders.

Split from the adapter (federal_register) at the seam between reading the notes
and reading the document: this module knows only the text of one notes field and
gives back Relations and what it could not read; the adapter merges the two notes
fields, checks the relations against the order's own number and turns them into
proposals.

Executive orders carry their relations to other orders in free-text notes
(`executive_order_notes`, repeated in `disposition_notes`). Real notes (see
tests/fixtures/federalregister_v1__eo_notes_corpus) separate their entries with
";", ";;\\n ;", a newline, or only a space, and list orders with commas:

    Supersedes: EO 13708, September 30, 2015 Revokes: EO 13805, July 19, 2017
    Revokes: EO 13354, August 27, 2004, and EO 13355, August 27, 2004, read in
        conjunction with EO 12333, December 4, 1981

so they are read as tokens, never split on one separator:
1. A label is the run of words before a colon, wherever it stands. Known labels
   ("Revoked (in part) by", "Revokes in part", "See" ...) start a section; the
   longest known label ending the run wins, so words left over from the entry
   before ("... 2015 Revokes:") stay with that entry. Any other label starts a
   section that is kept as text for the editor and never read as relations.
2. A section's entries are the pieces between ";" and newlines; an entry is a
   list of orders ("EO 13354, and EO 13355", "EO 13354 and 13355", "Executive
   Order No. 12345"), each with the date and qualifiers written after it.
3. Prose inside an entry ("read in conjunction with EO 12333") ends the list:
   the orders after it are kept as text, never taken for the label's relation.
4. Two orders of one list are joined by a comma, "and" or "&"; an order glued to
   the one before ("1999EO 13038") is garbled text, kept for the editor.
5. "(in part)", "in part" and the partial labels make a partial relation; a named
   provision ("(Sec. 3)") is kept as the provision.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

RELATION_KINDS = frozenset(
    {"revokes", "revoked_by", "amends", "amended_by", "supersedes", "superseded_by", "see"}
)
OPPOSITE = {"revokes": "revoked_by", "amends": "amended_by", "supersedes": "superseded_by"}
OPPOSITE.update({passive: active for active, passive in OPPOSITE.items()})
IN_PART = "in part"


def _label_table() -> dict[str, tuple[str, str]]:
    """Label words (lower case, single spaces) -> (relation kind, provision)."""
    table: dict[str, tuple[str, str]] = {}
    for active, passive in (
        ("revokes", "revoked"),
        ("amends", "amended"),
        ("supersedes", "superseded"),
    ):
        kind, by = active, OPPOSITE[active]
        table[active] = (kind, "")
        table[f"{passive} by"] = (by, "")
        for form in (f"{active} in part", f"{active} (in part)", f"partially {active}"):
            table[form] = (kind, IN_PART)
        for form in (f"{passive} in part by", f"{passive} (in part) by", f"partially {passive} by"):
            table[form] = (by, IN_PART)
        # "Revokes in part and supplements:", "Revoked in part and supplemented by:" (and
        # the Register's "Revoked by in part ..." spellings): the relation is the partial
        # one; that the order also adds to the other is a cross-reference, not a change.
        table[f"{active} in part and supplements"] = (kind, IN_PART)
        for form in (f"{passive} in part and supplemented by", f"{passive} by in part by"):
            table[form] = (by, IN_PART)
        table[f"{passive} by in part and supplemented by"] = (by, IN_PART)
    # Cross-references: neither order changes the other.
    for name in ("see", "see also", "continues", "continued by", "supplements", "supplemented by"):
        table[name] = ("see", "")
    return table


_LABELS = _label_table()
# The words before a colon; digits and punctuation end the run, so "2015 Revokes:"
# yields "Revokes" and a time such as "10:30" yields nothing.
_LABEL_RUN = re.compile(r"[A-Za-z][A-Za-z()' \t-]*?[ \t]*:")
_SEPARATOR = re.compile(r"[;\n]")
_EO_REF = re.compile(
    r"(?<![A-Za-z])(?:E\.\s?O\.|EOs?|Executive\s+Orders?|Ex\.\s*Ord\.)\s*(?:Nos?\.\s*|Numbers?\s+)?"
    r"(?P<first>\d{3,6})\b"
    # "EO 13354 and 13355", "EO 13354, 13355": bare numbers continue the list. A
    # four-digit number from 1900 to 2099 after a comma is a year, not an order.
    r"(?P<more>(?:\s*(?:,\s*(?:and\s+|&\s*)?|and\s+|&\s*)(?!(?:19|20)\d\d\b)\d{4,6}\b)*)",
    re.IGNORECASE,
)
_NOTE_DATE = re.compile(r"\b([A-Z][a-z]{2,8})\.?\s+(\d{1,2}),\s*(\d{4})\b")
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_PARTIAL = re.compile(r"\bin part\b|\bpartially\b", re.IGNORECASE)
_PROVISION = re.compile(
    r"(?:sec(?:tion)?s?\.?|§§?|part|paragraphs?|paras?\.|subsections?)\s*\w", re.IGNORECASE
)
_FR_CITATION = re.compile(r"\d+\s+FR\s+\d+")
# What may stand between two orders of one list besides dates and qualifiers.
_FILLER = re.compile(r"\([^()]*\)|\bin part\b|\bpartially\b|\band\b|\bof\b|&", re.IGNORECASE)
_UNREAD_LIMIT = 300


@dataclass(frozen=True)
class Relation:
    kind: str  # one of RELATION_KINDS
    eo_number: int
    date: str | None  # ISO date given next to the EO number in the note
    provision: str = ""  # "in part", or the provision named ("Sec. 3"); empty: whole order

    @property
    def partial(self) -> bool:
        return bool(self.provision)


@dataclass(frozen=True)
class Reading:
    relations: tuple[Relation, ...]
    unread: tuple[str, ...]  # what the notes say that is not read as a relation
    garbled: bool = False  # the entry ran into text that is no list of orders


def _date_in(text: str) -> tuple[re.Match[str], str] | None:
    """The first "Month day, year" in the text that is a real date, and its ISO form."""
    for match in _NOTE_DATE.finditer(text):
        month, day, year = match.groups()
        # Full month names, and abbreviations such as "Feb." or "Sept.".
        for name, pattern in ((month, "%B"), (month[:3], "%b")):
            try:
                number = dt.datetime.strptime(name, pattern).month
                return match, dt.date(int(year), number, int(day)).isoformat()
            except ValueError:
                continue
    return None


def _note_date(text: str) -> str | None:
    found = _date_in(text)
    return found[1] if found else None


def _short(text: str) -> str:
    text = " ".join(text.split()).strip(" ;,")
    return text if len(text) <= _UNREAD_LIMIT else text[: _UNREAD_LIMIT - 1].rstrip() + "…"


def _labels(text: str) -> Iterable[tuple[int, int, str, tuple[str, str] | None]]:
    """(start, end, label as written, (kind, provision) or None when unknown)."""
    for match in _LABEL_RUN.finditer(text):
        run = match.group()[:-1]  # without the colon
        words = list(re.finditer(r"\S+", run))
        for index in range(len(words)):
            phrase = " ".join(w.group() for w in words[index:]).lower()
            phrase = re.sub(r"\(\s*", "(", re.sub(r"\s*\)", ")", phrase))
            if phrase in _LABELS:
                start = match.start() + words[index].start()
                yield start, match.end(), run[words[index].start() :].strip(), _LABELS[phrase]
                break
        else:
            if words:
                yield match.start(), match.end(), run.strip(), None


def _prose_at(tail: str) -> int | None:
    """Where words other than a date, a qualifier or "and" start in the text after an
    order, or None: such words mean the text goes on about something else."""
    masked = tail
    found = _date_in(masked)
    if found:
        date = found[0]
        masked = masked[: date.start()] + " " * len(date.group()) + masked[date.end() :]
    masked = _FILLER.sub(lambda m: " " * len(m.group()), masked)
    found = re.search(r"[A-Za-z0-9]", masked)
    return found.start() if found else None


def _extent(tail: str) -> tuple[str, list[str]]:
    """The provision a qualifier names ("in part", "Sec. 3"), and the qualifiers that
    are not read (kept as text for the editor)."""
    provision, unread = "", []
    for paren in _PARENTHESES.finditer(tail):
        qualifier = " ".join(paren.group(1).split())
        if _PARTIAL.search(qualifier):
            provision = provision or IN_PART
        elif _PROVISION.match(qualifier):
            provision = qualifier
        elif not _FR_CITATION.fullmatch(qualifier):  # "80 FR 60271": where it was printed
            unread.append(qualifier)
    if _PARTIAL.search(_PARENTHESES.sub(" ", tail)):
        provision = provision or IN_PART
    return provision, unread


def _read_entry(entry: str, label: str, kind: str, label_provision: str) -> Reading:
    refs = list(_EO_REF.finditer(entry))
    if not refs:
        return Reading((), (_short(f"{label}: {entry}"),) if entry.strip(" ,.;\t") else ())
    if _prose_at(entry[: refs[0].start()]) is not None:
        # Something other than an order opens the entry: not a list of orders.
        return Reading((), (_short(f"{label}: {entry}"),))
    relations: list[Relation] = []
    unread: list[str] = []
    for index, match in enumerate(refs):
        end = refs[index + 1].start() if index + 1 < len(refs) else len(entry)
        tail = entry[match.end() : end]
        provision, qualifiers = _extent(tail)
        date = _note_date(tail)
        numbers = [match.group("first"), *re.findall(r"\d{4,6}", match.group("more"))]
        for number in numbers:
            relations.append(Relation(kind, int(number), date, provision or label_provision))
        unread += [_short(f"{label}: EO {numbers[-1]} ({q})") for q in qualifiers]
        prose = _prose_at(tail)
        if prose is not None:
            # The list ends here; what follows qualifies it or names other orders.
            unread.append(_short(f"{label}: … {entry[match.end() + prose :]}"))
            break
        if index + 1 < len(refs) and not _joined(tail):
            # Another order with nothing joining it to this one ("September 30,
            # 1999EO 13038"): the notes are garbled here (EO 13062's repeat its own
            # "Amends:" list after "Superseded by:"), so the rest is text, never taken
            # for more relations of this label.
            unread.append(_short(f"{label}: … {entry[refs[index + 1].start() :]}"))
            return Reading(tuple(relations), tuple(unread), garbled=True)
    return Reading(tuple(relations), tuple(unread))


def _joined(tail: str) -> bool:
    """The text between two orders of one list ends with what joins list items: a
    comma, "and" or "&" (after the first order's date and qualifiers)."""
    rest = _PARENTHESES.sub(" ", tail).rstrip()
    return rest.endswith((",", "&")) or re.search(r"\band$", rest, re.IGNORECASE) is not None


def read_notes(text: str | None) -> Reading:
    """Relations named in executive_order_notes or disposition_notes, in order, and
    what the notes say that is not read (unknown labels, entries without an order
    number, orders named in prose)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    labels = list(_labels(text))
    relations: list[Relation] = []
    unread: list[str] = []
    lead = text[: labels[0][0]] if labels else text
    if lead.strip(" ;,.\n\t"):
        unread.append(_short(lead))
    for index, (_, end, label, known) in enumerate(labels):
        body = text[end : labels[index + 1][0] if index + 1 < len(labels) else len(text)]
        if known is None:
            if body.strip(" ;,.\n\t"):
                unread.append(_short(f"{label}: {body}"))
            continue
        kind, provision = known
        entries = _SEPARATOR.split(body)
        for number, entry in enumerate(entries):
            reading = _read_entry(entry, label, kind, provision)
            if reading.garbled:
                # What follows in this section belongs to the garbled text too.
                rest = [e for e in entries[number + 1 :] if e.strip(" ;,.\n\t")]
                reading = Reading(
                    reading.relations,
                    (*reading.unread, *(_short(f"{label}: {e}") for e in rest)),
                )
                relations += reading.relations
                unread += reading.unread
                break
            relations += reading.relations
            if kind != "see":  # what a cross-reference lists changes nothing
                unread += reading.unread
    return Reading(tuple(relations), tuple(unread))


def parse_notes(text: str | None) -> list[Relation]:
    return list(read_notes(text).relations)
