"""Federal Register API documents (api/v1/documents/{number}.json) as proposals.

An executive order's relations to other orders are read from its free-text notes
by federal_register_notes; this module reads the rest of the document, merges the
two notes fields, drops relations that cannot be this order's, and proposes the
order and its amendments.

The note's date is the signing date of the order it names: in "Revoked by: EO
13497, January 30, 2009" it dates the revocation, while in "Revokes: EO 13258,
February 26, 2002" it is the revoked order's date and the revocation dates from
the document's own signing date. A relation is always stated from the acting
order's side, and one naming the document's own number is never proposed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.text import slugify

from apps.sources.adapters import Proposal, ref
from apps.sources.adapters.federal_register_notes import (
    IN_PART,
    OPPOSITE,
    Relation,
    read_notes,
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
_KIND_LABELS = {
    "revokes": "Revokes",
    "revoked_by": "Revoked by",
    "amends": "Amends",
    "amended_by": "Amended by",
    "supersedes": "Supersedes",
    "superseded_by": "Superseded by",
}


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
        elif (OPPOSITE[relation.kind], relation.eo_number) in pairs:
            other = _KIND_LABELS[OPPOSITE[relation.kind]]
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


def _order(number: int, title: str, summary: str, signed_on, note: str, identifiers=()) -> Proposal:
    """A new executive order as a proposal: signed on `signed_on`, as `note` says."""
    slug = order_slug(number)
    return Proposal(
        target="instrument",
        summary=summary,
        key={"slug": slug},
        values={
            "slug": slug,
            "title": title[:500],
            "kind": "executive_order",
            "jurisdiction": ref(code="US"),
            "legal_force": "binding",
            "issuing_body": "President of the United States",
            "provenance": "editorial",
            "summary": summary,
            "identifiers": [
                {"scheme": "eo", "value": str(number), "provenance": "editorial"},
                *identifiers,
            ],
            "events": [
                {
                    "kind": "signed",
                    "date": signed_on,
                    "date_precision": "day",
                    "note": note,
                    "provenance": "editorial",
                }
            ],
        },
    )


def _instrument_proposal(doc: FRDocument, number: int) -> Proposal | None:
    if not doc.signing_date:
        return None  # an order is recorded with its signature, which dates it
    extra = []
    if doc.document_number:
        extra.append({"scheme": "fr_doc", "value": doc.document_number, "provenance": "editorial"})
    return _order(
        number,
        doc.title or f"Executive Order {number}",
        f"Executive Order {number}: {doc.title}",
        doc.signing_date,
        "read from the Federal Register",
        extra,
    )


def _acting_order_proposal(amendment: OrderAmendment, named_in: int) -> Proposal | None:
    """The order that acts on this document ("Revoked by: EO 13497, January 30, 2009"),
    proposed as an instrument so the amendment can be proposed with it when the record
    does not hold it yet (the case skips it when it does). The note gives its number and
    the date it was signed, not its title, and says so."""
    if not amendment.effective_on:
        return None  # no date, no signature to record: the amendment stays a note
    number = amendment.source
    return _order(
        number,
        f"Executive Order {number}",
        f"Executive Order {number}, signed {amendment.effective_on} "
        f"(named in the notes of EO {named_in}; its title is not in them)",
        amendment.effective_on,
        f"read from the Federal Register notes of EO {named_in}",
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
    it), each order that acts on it as an instrument too (number and signing date from
    the note), one amendment per relation the previous document did not state already, and
    a note for each new thing the notes say that is not read."""
    number = doc.executive_order_number
    if number is None:
        return []
    found: list[Proposal] = []
    instrument = _instrument_proposal(doc, number)
    if instrument is not None:
        found.append(instrument)
    known = {a.identity for a in amendments(previous)} if previous is not None else set()
    new = [a for a in amendments(doc) if a.identity not in known]
    # The orders acting on this one ("Revoked by: EO n"), before the amendments that
    # name them, as the document itself comes before the orders it acts on.
    acting = {a.source: a for a in new if a.source != number and a.effective_on}
    found += [p for a in acting.values() if (p := _acting_order_proposal(a, number))]
    found += [_amendment_proposal(a) for a in new]
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
