"""The note reader against a corpus of real Federal Register executive-order documents.

The documents (tests/fixtures/federalregister_v1__eo_notes_corpus, provenance in
tests/fixtures/README.md) were chosen because the earlier reader, which took the text
up to the next ";" or ":" after each order, misread them: EO 13811's "... 2015 Revokes:
EO 13805" came out as a supersession, EO 13779's "\\nContinued by: EO 13811" as EO
13779 revoking EO 13811 (the direction reversed), EO 13708 "amended" the 34 orders it
merely continues, EO 13532 lost "Revoked by: EO 13779", EO 13470 lost its revocation
of EO 13355 (", and EO 13355"), and the partial revocations of EO 13111 and EO 13177
("Revoked (in part) by") were dropped.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from apps.sources.adapters.federal_register import FRDocument, amendments, parse_document
from tests.paths import FIXTURES

CORPUS = FIXTURES / "federalregister_v1__eo_notes_corpus"
# The first Federal Register fixtures: EO 13497 and the two orders it revokes.
EARLIER = [
    "federalregister_v1__document_E9-2486_EO13497_revokes_EO13258_EO13422.json",
    "federalregister_v1__document_EO13258_revoked_by_EO13497.json",
    "federalregister_v1__document_EO13422_revoked_by_EO13497.json",
]


def documents() -> dict[int, FRDocument]:
    paths = [*sorted(CORPUS.glob("EO_*.json")), *(FIXTURES / name for name in EARLIER)]
    docs = [parse_document(json.loads(path.read_text())) for path in paths]
    return {doc.executive_order_number: doc for doc in docs}


# Read in each test, never once at import: mutmut imports this module before it
# switches a mutant on, and a table read then would hold the original reader's output.
PART = "in part"

# Every amendment each document's notes state, as (kind, source, target, provision,
# effective date), read by hand from the notes quoted in the comments.
EXPECTED = {
    # "Amended by: EO 13018, ...; EO 13046, ...; EO 13137, ...;;\n ;  Revoked by: EO 13316"
    12975: {
        ("amends", 13018, 12975, "", "1996-09-16"),
        ("amends", 13046, 12975, "", "1997-05-16"),
        ("amends", 13137, 12975, "", "1999-09-15"),
        ("revokes", 13316, 12975, "", "2003-09-17"),
    },
    # ";;\n ;" separators; "See:" in the middle is a cross-reference
    13011: {
        ("amends", 13284, 13011, "", "2003-01-23"),
        ("amends", 13286, 13011, "", "2003-02-28"),
        ("revokes", 13403, 13011, "", "2006-05-12"),
    },
    # "EEO 13218" (a typo in the Register) is kept as text, never guessed
    13111: {
        ("amends", 13188, 13111, "", "2001-01-12"),
        ("revokes", 13316, 13111, PART, "2003-09-17"),
    },
    # "Revoked (in part) by: EO 13316, September 17, 2003"
    13177: {("revokes", 13316, 13177, PART, "2003-09-17")},
    13292: {
        ("amends", 13292, 12958, "", "2003-03-25"),
        ("revokes", 13526, 13292, "", "2009-12-29"),
    },
    # "Revokes: ... ;;\n ;  Revokes in part: EO 13111, ...; EO 13177, ...;;\n ;  Continues:
    # ... ;;\n ;  Superseded in part by: EO 13385, September 29, 2005"
    13316: {
        ("amends", 13316, 12131, "", "2003-09-17"),
        *{
            ("revokes", 13316, revoked, "", "2003-09-17")
            for revoked in (12975, 13147, 13210, 13214, 13227, 13263, 13278)
        },
        ("revokes", 13316, 13111, PART, "2003-09-17"),
        ("revokes", 13316, 13177, PART, "2003-09-17"),
        ("supersedes", 13316, 13225, "", "2003-09-17"),
        ("supersedes", 13385, 13316, PART, "2005-09-29"),
    },
    # "Revoked by: EO 13470, July 30, 2008, read in conjunction with EO 12333, ..."
    13354: {("revokes", 13470, 13354, "", "2008-07-30")},
    13355: {
        ("amends", 13355, 12333, "", "2004-08-27"),
        ("revokes", 13470, 13355, "", "2008-07-30"),
    },
    # Five "Amends:" labels in a row
    13403: {
        *{("amends", 13403, amended, "", "2006-05-12") for amended in (11030, 13279, 13339)},
        *{("amends", 13403, amended, "", "2006-05-12") for amended in (13381, 13389)},
        ("revokes", 13403, 13011, "", "2006-05-12"),
    },
    # "Revokes: EO 13354, August 27, 2004, and EO 13355, August 27, 2004, read in
    # conjunction with EO 12333, December 4, 1981": EO 12333 is amended, not revoked
    13470: {
        ("amends", 13470, 12333, "", "2008-07-30"),
        ("revokes", 13470, 13354, "", "2008-07-30"),
        ("revokes", 13470, 13355, "", "2008-07-30"),
    },
    # Opens with an unknown label naming the order itself; "Revokes:" after a ";"
    13526: {
        ("revokes", 13526, 12958, "", "2010-12-29"),
        ("revokes", 13526, 13292, "", "2010-12-29"),
    },
    # Newlines between entries; "Revoked by: EO 13779 of February 28, 2017"
    13532: {
        ("amends", 13569, 13532, "", "2011-04-05"),
        ("revokes", 13532, 13256, "", "2010-02-26"),
        ("revokes", 13779, 13532, "", "2017-02-28"),
    },
    # "Amends: ...\nSupersedes in part: ...\nContinues: ...; Proc. 8967, ...\nAmended by: ..."
    13708: {
        ("amends", 13708, 12829, "", "2015-09-30"),
        ("supersedes", 13708, 13652, PART, "2015-09-30"),
        ("amends", 13811, 13708, "", "2017-09-29"),
    },
    # "Superseded by: EO 13138, September 30, 1999EO 13038, March 11, 1997 (in part);
    # EO 13054, ...": the Register glued its own "Amends:" list to the supersession;
    # EO 13038 and EO 13054 never superseded the order that amends them
    13062: {
        ("amends", 13062, 13038, PART, "1997-09-29"),
        ("amends", 13062, 13054, PART, "1997-09-29"),
        *{
            ("revokes", 13062, revoked, "", "1997-09-29")
            for revoked in (12864, 12891, 12946, 12964, 13015)
        },
        ("supersedes", 13062, 12974, "", "1997-09-29"),
        ("amends", 13065, 13062, "", "1997-10-22"),
        ("supersedes", 13138, 13062, "", "1999-09-30"),
    },
    # "Revokes: EO 13532, February 26, 2010\nContinued by: EO 13811, September 29, 2017"
    13779: {("revokes", 13779, 13532, "", "2017-02-28")},
    13805: {("revokes", 13811, 13805, "", "2017-09-29")},
    # "Supersedes: EO 13708, September 30, 2015 Revokes: EO 13805, July 19, 2017": a space
    13811: {
        ("supersedes", 13811, 13708, "", "2017-09-29"),
        ("revokes", 13811, 13805, "", "2017-09-29"),
    },
    13497: {
        ("revokes", 13497, 13258, "", "2009-01-30"),
        ("revokes", 13497, 13422, "", "2009-01-30"),
    },
    13258: {
        ("amends", 13258, 12866, "", "2002-02-26"),
        ("revokes", 13497, 13258, "", "2009-01-30"),
    },
    13422: {
        ("amends", 13422, 12866, "", "2007-01-18"),
        ("revokes", 13497, 13422, "", "2009-01-30"),
    },
}


def read(number: int) -> set[tuple[str, int, int, str, str | None]]:
    doc = documents()[number]
    return {(a.kind, a.source, a.target, a.provision, a.effective_on) for a in amendments(doc)}


def test_the_corpus_holds_every_document_the_table_describes() -> None:
    docs = documents()
    assert set(docs) == set(EXPECTED)


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_every_relation_in_a_real_document_is_read_with_its_direction_extent_and_date(
    number: int,
) -> None:
    assert read(number) == EXPECTED[number]


def test_what_the_notes_say_but_no_relation_holds_is_kept_as_text() -> None:
    docs = documents()
    assert docs[13062].unread[:2] == (
        "Superseded by: … EO 13038, March 11, 1997 (in part)",
        "Superseded by: EO 13054, July 7, 1997 (in part)",
    )
    assert docs[13111].unread == ("Amended by: EEO 13218, June 20, 2001",)
    assert docs[13470].unread == ("Revokes: … read in conjunction with EO 12333, December 4, 1981",)
    assert docs[13526].unread == (
        "Federal Register correction page and date: 75 FR 1013, January 8, 2010, "
        "Executive Order 13526 - Correction",
    )
    # Cross-references list orders and proclamations; none of it changes an order.
    assert docs[13708].unread == ()
    assert docs[13316].unread == ()


def revocations(
    docs: dict[int, FRDocument],
) -> dict[tuple[int, int], dict[int, tuple[str, str | None]]]:
    """(source, target) -> {the document that states it: (provision, effective date)}."""
    found: dict[tuple[int, int], dict[int, tuple[str, str | None]]] = defaultdict(dict)
    for number, doc in docs.items():
        for a in amendments(doc):
            if a.kind == "revokes":
                found[(a.source, a.target)][number] = (a.provision, a.effective_on)
    return found


def test_both_directions_of_every_revocation_in_the_corpus_agree() -> None:
    """The revoking order's "Revokes: EO X" and X's "Revoked by: EO Y" give one amendment,
    source Y, target X, with one extent, for every pair whose two documents are stored."""
    docs = documents()
    pairs = {
        pair: stated
        for pair, stated in revocations(docs).items()
        if pair[0] in docs and pair[1] in docs
    }

    assert set(pairs) == {
        (13316, 12975),
        (13316, 13111),
        (13316, 13177),
        (13403, 13011),
        (13470, 13354),
        (13470, 13355),
        (13497, 13258),
        (13497, 13422),
        (13526, 13292),
        (13779, 13532),
        (13811, 13805),
    }
    for (source, target), stated in pairs.items():
        assert set(stated) == {source, target}, (source, target)
        assert stated[source][0] == stated[target][0], (source, target)  # same extent


def test_the_two_sides_date_a_revocation_alike_except_where_the_register_disagrees() -> None:
    docs = documents()
    # EO 13526's document gives 2010-12-29 as its signing date; the order was signed on
    # 2009-12-29, as EO 13292's "Revoked by: EO 13526, December 29, 2009" says.
    register_errors = {(13526, 13292)}
    for (source, target), stated in revocations(docs).items():
        if {source, target} <= set(docs) and (source, target) not in register_errors:
            assert stated[source][1] == stated[target][1], (source, target)


def test_no_revocation_is_read_in_the_reverse_direction() -> None:
    docs = documents()
    pairs = set(revocations(docs))

    assert {(target, source) for source, target in pairs} & pairs == set()
    for (source, target), stated in revocations(docs).items():
        for number in stated:
            # The document is one end of what it states, never a bystander.
            assert number in (source, target)


def test_a_supersession_one_side_calls_an_amendment_is_read_as_each_side_says() -> None:
    # The Register itself disagrees: EO 13811 "Supersedes: EO 13708", EO 13708 "Amended
    # by: EO 13811". Each reading is kept for the editor; none is reconciled by guessing.
    assert ("supersedes", 13811, 13708, "", "2017-09-29") in read(13811)
    assert ("amends", 13811, 13708, "", "2017-09-29") in read(13708)
