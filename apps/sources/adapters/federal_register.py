"""Federal Register API documents (api/v1/documents/{number}.json) as proposals.

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
4. "(in part)", "in part" and the partial labels make a partial relation; a named
   provision ("(Sec. 3)") is kept as the provision.

The note's date is the signing date of the order it names: in "Revoked by: EO
13497, January 30, 2009" it dates the revocation, while in "Revokes: EO 13258,
February 26, 2002" it is the revoked order's date and the revocation dates from
the document's own signing date. A relation is always stated from the acting
order's side, and one naming the document's own number is never proposed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.text import slugify

from apps.sources.adapters import Proposal, ref

RELATION_KINDS = frozenset(
    {"revokes", "revoked_by", "amends", "amended_by", "supersedes", "superseded_by", "see"}
)
# relation kind -> (amendment kind, True when the document itself is the source)
_DIRECTIONS = {
    "revokes": ("revokes", True),
    "revoked_by": ("revokes", False),
    "amends": ("amends", True),
    "amended_by": ("amends", False),
    "supersedes": ("supersedes", True),
    "superseded_by": ("supersedes", False),
}
_OPPOSITE = {"revokes": "revoked_by", "amends": "amended_by", "supersedes": "superseded_by"}
_OPPOSITE.update({passive: active for active, passive in _OPPOSITE.items()})
_KIND_LABELS = {
    "revokes": "Revokes",
    "revoked_by": "Revoked by",
    "amends": "Amends",
    "amended_by": "Amended by",
    "supersedes": "Supersedes",
    "superseded_by": "Superseded by",
}
IN_PART = "in part"


def _label_table() -> dict[str, tuple[str, str]]:
    """Label words (lower case, single spaces) -> (relation kind, provision)."""
    table: dict[str, tuple[str, str]] = {}
    for active, passive in (
        ("revokes", "revoked"),
        ("amends", "amended"),
        ("supersedes", "superseded"),
    ):
        kind, by = active, _OPPOSITE[active]
        table[active] = (kind, "")
        table[f"{passive} by"] = (by, "")
        for form in (f"{active} in part", f"{active} (in part)", f"partially {active}"):
            table[form] = (kind, IN_PART)
        for form in (f"{passive} in part by", f"{passive} (in part) by", f"partially {passive} by"):
            table[form] = (by, IN_PART)
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


@dataclass(frozen=True)
class FRDocument:
    document_number: str
    executive_order_number: int | None
    title: str
    signing_date: str | None
    publication_date: str | None
    subtype: str | None
    relations: tuple[Relation, ...]
    type: str | None = None
    citation: str | None = None
    html_url: str | None = None
    unread: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrderAmendment:
    """A relation stated from the acting order's side, as an Amendment row has it."""

    kind: str  # amendment kind: revokes, amends, supersedes
    source: int
    target: int
    provision: str
    effective_on: str | None

    @property
    def identity(self) -> tuple[str, int, int, str]:
        return (self.kind, self.source, self.target, self.provision)


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
    return Reading(tuple(relations), tuple(unread))


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
        for entry in _SEPARATOR.split(body):
            reading = _read_entry(entry, label, kind, provision)
            relations += reading.relations
            if kind != "see":  # what a cross-reference lists changes nothing
                unread += reading.unread
    return Reading(tuple(relations), tuple(unread))


def parse_notes(text: str | None) -> list[Relation]:
    return list(read_notes(text).relations)


def _merge(*groups: Iterable[Relation]) -> tuple[Relation, ...]:
    """One relation per (kind, order). The two notes fields repeat each other: a date
    or a partial extent either one gives is kept (a partial reading is the safer one)."""
    merged: dict[tuple[str, int], Relation] = {}
    for relation in (r for group in groups for r in group):
        key = (relation.kind, relation.eo_number)
        if key in merged:
            old = merged[key]
            relation = Relation(
                relation.kind,
                relation.eo_number,
                old.date or relation.date,
                old.provision or relation.provision,
            )
        merged[key] = relation
    return tuple(merged.values())


def _eo_number(value: Any) -> int | None:
    # Older responses give the number as a string, newer ones as an integer.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return (str(value).strip() or None) if value is not None else None


def _checked(
    number: int | None, relations: tuple[Relation, ...]
) -> tuple[tuple[Relation, ...], list[str]]:
    """Drop what cannot be a relation of this order: one naming the order itself, and
    an order named on both sides of one kind (it cannot revoke what revoked it)."""
    kept, flagged = [], []
    pairs = {(r.kind, r.eo_number) for r in relations}
    for relation in relations:
        if relation.kind == "see":
            if relation.eo_number != number:
                kept.append(relation)
            continue
        label = _KIND_LABELS[relation.kind]
        if relation.eo_number == number:
            flagged.append(f"{label}: EO {number} names this order itself")
        elif (_OPPOSITE[relation.kind], relation.eo_number) in pairs:
            other = _KIND_LABELS[_OPPOSITE[relation.kind]]
            flagged.append(f"{label}: EO {relation.eo_number} is also listed under {other}")
        else:
            kept.append(relation)
    return tuple(kept), flagged


def parse_document(data: Mapping[str, Any]) -> FRDocument:
    """Read one document; keys a response lacks (older schemas) become None."""
    number = _eo_number(data.get("executive_order_number"))
    readings = [
        read_notes(data.get("executive_order_notes")),
        read_notes(data.get("disposition_notes")),
    ]
    relations, flagged = _checked(number, _merge(*(r.relations for r in readings)))
    unread = [*(u for r in readings for u in r.unread), *flagged]
    return FRDocument(
        document_number=str(data.get("document_number") or ""),
        executive_order_number=number,
        title=" ".join(str(data.get("title") or "").split()),
        signing_date=_text(data, "signing_date"),
        publication_date=_text(data, "publication_date"),
        subtype=_text(data, "subtype"),
        relations=relations,
        type=_text(data, "type"),
        citation=_text(data, "citation"),
        html_url=_text(data, "html_url"),
        unread=tuple(dict.fromkeys(unread)),
    )


def amendments(doc: FRDocument) -> list[OrderAmendment]:
    """The document's revocations, amendments and supersessions from the acting side."""
    number = doc.executive_order_number
    if number is None:
        return []
    found = []
    for relation in doc.relations:
        if relation.kind not in _DIRECTIONS:
            continue  # a cross-reference is no change
        kind, document_acts = _DIRECTIONS[relation.kind]
        if document_acts:
            source, target, effective = number, relation.eo_number, doc.signing_date
        else:
            source, target, effective = relation.eo_number, number, relation.date
        found.append(OrderAmendment(kind, source, target, relation.provision, effective))
    return found


def order_slug(number: int) -> str:
    return f"us-eo-{number}"


def order_ref(number: int) -> dict[str, object]:
    return ref(identifier=("eo", str(number)), slug=order_slug(number))


def _instrument_proposal(doc: FRDocument, number: int) -> Proposal | None:
    if not doc.signing_date:
        return None  # an order is recorded with its signature, which dates it
    slug = order_slug(number)
    summary = f"Executive Order {number}: {doc.title}"
    identifiers = [{"scheme": "eo", "value": str(number), "provenance": "editorial"}]
    if doc.document_number:
        identifiers.append(
            {"scheme": "fr_doc", "value": doc.document_number, "provenance": "editorial"}
        )
    return Proposal(
        target="instrument",
        summary=summary,
        key={"slug": slug},
        values={
            "slug": slug,
            "title": (doc.title or f"Executive Order {number}")[:500],
            "kind": "executive_order",
            "jurisdiction": ref(code="US"),
            "legal_force": "binding",
            "issuing_body": "President of the United States",
            "provenance": "editorial",
            "summary": summary,
            "identifiers": identifiers,
            "events": [
                {
                    "kind": "signed",
                    "date": doc.signing_date,
                    "date_precision": "day",
                    "note": "read from the Federal Register",
                    "provenance": "editorial",
                }
            ],
        },
    )


def _amendment_proposal(amendment: OrderAmendment) -> Proposal:
    kind, source, target = amendment.kind, amendment.source, amendment.target
    provision = amendment.provision
    extent = f" {IN_PART}" if provision == IN_PART else (f" ({provision})" if provision else "")
    when = f" on {amendment.effective_on}" if amendment.effective_on else ""
    summary = f"EO {source} {kind} EO {target}{extent}{when}"
    key = f"eo-{source}-{kind}-eo-{target}"
    if provision:
        key = f"{key}-{slugify(provision)}"[:120]
    return Proposal(
        target="amendment",
        summary=summary,
        key={"key": key},
        # A seeded amendment has a key of its own: these fields tell it is the same.
        match=("kind", "source_instrument", "target_instrument", "target_provision"),
        values={
            "key": key,
            "kind": kind,
            "source_instrument": order_ref(source),
            "target_instrument": order_ref(target),
            # Never empty for a partial relation: an empty provision ends the whole order.
            "target_provision": provision,
            "effective_on": amendment.effective_on,
            "effective_on_precision": "day",
            "provenance": "editorial",
            "summary": summary,
        },
    )


def proposals(doc: FRDocument, previous: FRDocument | None = None) -> list[Proposal]:
    """The order as an instrument (first, so the amendments that name it can wait for
    it), one amendment per relation the previous document did not state already, and
    a note for each new thing the notes say that is not read."""
    number = doc.executive_order_number
    if number is None:
        return []
    found: list[Proposal] = []
    instrument = _instrument_proposal(doc, number)
    if instrument is not None:
        found.append(instrument)
    known = {a.identity for a in amendments(previous)} if previous is not None else set()
    found += [_amendment_proposal(a) for a in amendments(doc) if a.identity not in known]
    said = set(previous.unread) if previous is not None else set()
    found += [
        Proposal(target="note", summary=f"EO {number}, notes not read: {text}")
        for text in doc.unread
        if text not in said
    ]
    return found


def _document(body: bytes) -> FRDocument | None:
    data = json.loads(body)
    # A documents.json search answers with a list: no one document to read.
    return parse_document(data) if isinstance(data, Mapping) else None


def read(body: bytes, previous: bytes | None = None) -> list[Proposal]:
    doc = _document(body)
    if doc is None:
        return []
    before = None
    if previous is not None:
        try:
            before = _document(previous)
        except ValueError:
            before = None  # a previous body no one can read is no baseline
    return proposals(doc, before)
