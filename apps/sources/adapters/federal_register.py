"""Federal Register API documents (api/v1/documents/{number}.json) as proposals.

Executive orders carry their relations to other orders in free-text notes such as
"Amends: EO 12866, September 30, 1993;;\\n ;  Revoked by: EO 13497, January 30, 2009".
The note's date is the signing date of the order it names, so in "Revoked by: EO
13497, January 30, 2009" it is the date of the revocation, while in "Revokes: EO
13258, February 26, 2002" it is the date of the revoked order; the revocation then
dates from the document's own signing date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apps.sources.adapters import Proposal

RELATION_KINDS = frozenset(
    {"revokes", "revoked_by", "amends", "amended_by", "supersedes", "superseded_by", "see"}
)
# label in the notes -> relation kind
_LABELS = {
    "revokes": "revokes",
    "revoked by": "revoked_by",
    "amends": "amends",
    "amended by": "amended_by",
    "supersedes": "supersedes",
    "superseded by": "superseded_by",
    "see": "see",
    "see also": "see",
}
# relation kind -> (amendment kind, True when the document itself is the source)
_DIRECTIONS = {
    "revokes": ("revokes", True),
    "revoked_by": ("revokes", False),
    "amends": ("amends", True),
    "amended_by": ("amends", False),
    "supersedes": ("supersedes", True),
    "superseded_by": ("supersedes", False),
}
_NOTE_TOKEN = re.compile(
    r"(?P<label>[A-Za-z][A-Za-z ]*?)\s*:"
    r"|\b(?:E\.?\s?O\.?|Executive\s+Order)\s*(?:No\.?\s*)?(?P<number>\d{3,6})\b(?P<rest>[^;:]*)",
    re.IGNORECASE,
)
_NOTE_DATE = re.compile(r"([A-Z][a-z]{2,8})\.?\s+(\d{1,2}),\s*(\d{4})")


@dataclass(frozen=True)
class Relation:
    kind: str  # one of RELATION_KINDS
    eo_number: int
    date: str | None  # ISO date given next to the EO number in the note
    partial: bool = False  # "Revoked in part by", "EO 13011 (in part)"


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


def _note_date(text: str) -> str | None:
    match = _NOTE_DATE.search(text)
    if not match:
        return None
    month, day, year = match.groups()
    # Full month names, and abbreviations such as "Feb." or "Sept.".
    for name, pattern in ((month, "%B"), (month[:3], "%b")):
        try:
            number = dt.datetime.strptime(name, pattern).month
            return dt.date(int(year), number, int(day)).isoformat()
        except ValueError:
            continue
    return None


def parse_notes(text: str) -> list[Relation]:
    """Relations named in executive_order_notes / disposition_notes, in order.

    The notes are a sequence of "Label: EO n[, date]; EO n[, date]" groups with stray
    separators; the scanner reads labels and EO references in one pass, each EO
    reference taking the kind of the label before it. Unknown labels mute the EO
    references after them rather than attributing them to the previous label.
    """
    relations: list[Relation] = []
    kind: str | None = None
    label_partial = False
    for match in _NOTE_TOKEN.finditer(text or ""):
        if match.group("label") is not None:
            label = " ".join(match.group("label").lower().split())
            label_partial = "in part" in label or "partially" in label
            label = " ".join(w for w in label.split() if w not in ("in", "part", "partially"))
            kind = _LABELS.get(label)
        elif kind is not None:
            rest = match.group("rest")
            partial = label_partial or "in part" in rest.lower()
            relations.append(Relation(kind, int(match.group("number")), _note_date(rest), partial))
    return relations


def _merge(*groups: list[Relation]) -> tuple[Relation, ...]:
    """One relation per (kind, order); a dated copy wins over an undated one."""
    merged: dict[tuple[str, int], Relation] = {}
    for relation in (r for group in groups for r in group):
        key = (relation.kind, relation.eo_number)
        if key not in merged or (merged[key].date is None and relation.date):
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


def parse_document(data: Mapping[str, Any]) -> FRDocument:
    """Read one document; keys a response lacks (older schemas) become None."""
    relations = _merge(
        parse_notes(data.get("executive_order_notes") or ""),
        parse_notes(data.get("disposition_notes") or ""),
    )
    return FRDocument(
        document_number=str(data.get("document_number") or ""),
        executive_order_number=_eo_number(data.get("executive_order_number")),
        title=" ".join(str(data.get("title") or "").split()),
        signing_date=_text(data, "signing_date"),
        publication_date=_text(data, "publication_date"),
        subtype=_text(data, "subtype"),
        relations=relations,
        type=_text(data, "type"),
        citation=_text(data, "citation"),
        html_url=_text(data, "html_url"),
    )


def proposals(doc: FRDocument) -> list[Proposal]:
    """An instrument proposal for an executive order, and one amendment proposal per
    revokes/amends/supersedes relation, always stated from the acting order's side."""
    number = doc.executive_order_number
    if number is None:
        return []
    found = [
        Proposal(
            kind="instrument",
            summary=f"Executive Order {number}: {doc.title}",
            values={
                "kind": "executive_order",
                "eo_number": number,
                "title": doc.title,
                "signing_date": doc.signing_date,
                "publication_date": doc.publication_date,
                "document_number": doc.document_number,
                "citation": doc.citation,
                "url": doc.html_url,
            },
        )
    ]
    for relation in doc.relations:
        if relation.kind not in _DIRECTIONS:
            continue  # "See:" is a cross-reference, not a change
        kind, document_acts = _DIRECTIONS[relation.kind]
        if document_acts:
            source, target, effective = number, relation.eo_number, doc.signing_date
        else:
            source, target, effective = relation.eo_number, number, relation.date
        extent = " in part" if relation.partial else ""
        when = f" on {effective}" if effective else ""
        found.append(
            Proposal(
                kind="amendment",
                summary=f"EO {source} {kind}{extent} EO {target}{when}",
                values={
                    "kind": kind,
                    "source_eo": source,
                    "target_eo": target,
                    "effective_on": effective,
                    "partial": relation.partial,
                    "document_number": doc.document_number,
                },
            )
        )
    return found
