"""The notes reader's own rules (apps/sources/adapters/federal_register_notes.py), each
on a short note written for it: the relations read, and what is kept as text for the
editor, word for word. The real notes are in test_fr_notes_corpus.py.
"""

from __future__ import annotations

import pytest

from apps.sources.adapters.federal_register_notes import (
    _UNREAD_LIMIT,
    Relation,
    _label_table,
    read_notes,
)

PART = "in part"


def _relations(kind: str, *numbers: int) -> tuple[Relation, ...]:
    return tuple(Relation(kind, number, None) for number in numbers)


def test_every_label_the_register_writes_reads_as_its_relation_and_extent() -> None:
    table = {}
    for active, passive, by in (
        ("revokes", "revoked", "revoked_by"),
        ("amends", "amended", "amended_by"),
        ("supersedes", "superseded", "superseded_by"),
    ):
        table |= {
            active: (active, ""),
            f"{passive} by": (by, ""),
            f"{active} in part": (active, PART),
            f"{active} (in part)": (active, PART),
            f"partially {active}": (active, PART),
            f"{active} in part and supplements": (active, PART),
            f"{passive} in part by": (by, PART),
            f"{passive} (in part) by": (by, PART),
            f"partially {passive} by": (by, PART),
            f"{passive} in part and supplemented by": (by, PART),
            f"{passive} by in part by": (by, PART),
            f"{passive} by in part and supplemented by": (by, PART),
        }
    for reference in ("see", "see also", "continues", "continued by", "supplements"):
        table[reference] = ("see", "")
    table["supplemented by"] = ("see", "")

    # Called here, not read from the table the module built when it was imported.
    assert _label_table() == table


@pytest.mark.parametrize(
    ("notes", "relations", "unread"),
    [
        pytest.param(
            "Revokes: EO 12345 (see text), May 1, 2000",
            (Relation("revokes", 12345, "2000-05-01"),),
            ("Revokes: EO 12345 (see text)",),
            id="a qualifier that is no extent is kept beside its order",
        ),
        pytest.param(
            "Revokes: EO 12345 (80 FR 60271)",
            _relations("revokes", 12345),
            (),
            id="where the order was printed is no qualifier",
        ),
        pytest.param(
            "Revokes: EO 11111, 22222 and 33333 (see text)",
            _relations("revokes", 11111, 22222, 33333),
            ("Revokes: EO 33333 (see text)",),
            id="a qualifier after a list is kept with its last order",
        ),
        pytest.param(
            "Revokes: EO 11111 (note a), EO 22222 (note b)",
            _relations("revokes", 11111, 22222),
            ("Revokes: EO 11111 (note a)", "Revokes: EO 22222 (note b)"),
            id="each order keeps its own qualifier",
        ),
        pytest.param(
            "Revokes: none listed", (), ("Revokes: none listed",), id="an entry without an order"
        ),
        pytest.param(
            "Revokes: EO 12345; .; X",
            _relations("revokes", 12345),
            ("Revokes: X",),
            id="stray separators are no entry, a stray letter is",
        ),
        pytest.param(
            "Revokes: in conjunction with EO 12333",
            (),
            ("Revokes: in conjunction with EO 12333",),
            id="prose before the first order: no list of orders",
        ),
        pytest.param(
            "Revokes: EO 11111, May 1, 2000, EO 22222, June 2, 2001, EO 33333, July 3, 2002",
            (
                Relation("revokes", 11111, "2000-05-01"),
                Relation("revokes", 22222, "2001-06-02"),
                Relation("revokes", 33333, "2002-07-03"),
            ),
            (),
            id="each order of a list has the date written after it",
        ),
        pytest.param(
            "Revokes: EO 11111, May 1, 2000, Read with EO 12333",
            (Relation("revokes", 11111, "2000-05-01"),),
            ("Revokes: … Read with EO 12333",),
            id="prose ends the list, from its first word on",
        ),
        pytest.param(
            "Revokes: EO 11111 (in part) Read with EO 12333",
            (Relation("revokes", 11111, None, PART),),
            ("Revokes: … Read with EO 12333",),
            id="prose after a qualifier is cut where it starts",
        ),
        pytest.param(
            "Revokes: EO 11111 (as amended)in part",
            (Relation("revokes", 11111, None, PART),),
            ("Revokes: EO 11111 (as amended)",),
            id="in part glued to a qualifier",
        ),
        pytest.param(
            "Amends: EO 11111; EO 22222, September 30, 1999EO 33333, EO 44444; .; EO 55555",
            (Relation("amends", 11111, None), Relation("amends", 22222, "1999-09-30")),
            ("Amends: … EO 33333, EO 44444", "Amends: EO 55555"),
            id="after a glued order the rest of the section is text",
        ),
        pytest.param(
            "Amends: see note; EO 22222, September 30, 1999EO 33333",
            (Relation("amends", 22222, "1999-09-30"),),
            ("Amends: see note", "Amends: … EO 33333"),
            id="text kept before the garbled entry stays",
        ),
        pytest.param(
            "Revokes: EO 11111, EO 22222",
            _relations("revokes", 11111, 22222),
            (),
            id="joined by a comma",
        ),
        pytest.param(
            "Revokes: EO 11111 & EO 22222",
            _relations("revokes", 11111, 22222),
            (),
            id="joined by an ampersand",
        ),
        pytest.param(
            "Revokes: EO 11111 AND EO 22222",
            _relations("revokes", 11111, 22222),
            (),
            id="joined by AND in capitals",
        ),
        pytest.param(
            "Revokes: EO 11111\rEO 22222",
            _relations("revokes", 11111, 22222),
            (),
            id="a lone carriage return separates entries",
        ),
        pytest.param(
            "Revokes: EO 11111 Amends: EO 22222 See: EO 33333",
            (
                *_relations("revokes", 11111),
                *_relations("amends", 22222),
                Relation("see", 33333, None),
            ),
            (),
            id="each section ends where the next label starts",
        ),
        pytest.param(
            "Note: ; Revokes: EO 12345",
            _relations("revokes", 12345),
            (),
            id="an unknown label with nothing after it",
        ),
        pytest.param(
            "; Revokes: EO 12345", _relations("revokes", 12345), (), id="a stray separator first"
        ),
        pytest.param(
            "Printed twice; Revokes: EO 12345",
            _relations("revokes", 12345),
            ("Printed twice",),
            id="text before the first label is kept",
        ),
        pytest.param(
            "Note: kept as it is,", (), ("Note: kept as it is",), id="an unknown label's text"
        ),
        pytest.param(
            "Revokes: EO 11111, May 1, 2000, as amended Amended by: EO 22222",
            (Relation("revokes", 11111, "2000-05-01"), Relation("amended_by", 22222, None)),
            ("Revokes: … as amended",),
            id="words before a label stay with the entry before",
        ),
        pytest.param(
            "Revoked ( in part ) by: EO 12345",
            (Relation("revoked_by", 12345, None, PART),),
            (),
            id="spaces inside the parentheses of a label",
        ),
        pytest.param(
            "See: EO 12345 (and proclamations), read with EO 1",
            (Relation("see", 12345, None),),
            (),
            id="what a cross-reference lists besides its orders is no change",
        ),
        pytest.param(
            "X; Note: X; Amends: EO 22222, September 30, 1999EO 33333; X",
            (Relation("amends", 22222, "1999-09-30"),),
            ("X", "Note: X", "Amends: … EO 33333", "Amends: X"),
            id="one letter is text wherever it stands",
        ),
        pytest.param(None, (), (), id="no notes"),
    ],
)
def test_the_notes_give_their_relations_and_keep_the_rest_as_text(notes, relations, unread) -> None:
    reading = read_notes(notes)

    assert (reading.relations, reading.unread) == (relations, unread)


def test_text_kept_for_the_editor_is_cut_to_its_limit_with_an_ellipsis() -> None:
    fits = "a" * (_UNREAD_LIMIT - len("Note: "))
    # A space falls just before the cut, and is dropped with it.
    spaced = "a" * (_UNREAD_LIMIT - 2 - len("Note: ")) + " " + "b" * 20

    assert read_notes(f"Note: {fits}").unread == (f"Note: {fits}",)
    assert read_notes(f"Note: {fits}b").unread == (f"Note: {fits}"[: _UNREAD_LIMIT - 1] + "…",)
    (cut,) = read_notes(f"Note: {spaced}").unread
    assert cut == "Note: " + "a" * (_UNREAD_LIMIT - 2 - len("Note: ")) + "…"
