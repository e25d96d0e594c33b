"""Federal Register documents: relations between executive orders, read from the real notes.

The forms the corpus of real documents holds are covered in test_fr_notes_corpus.py;
the forms here that no stored document shows ("EO 13354 and 13355", "Executive Order
No.", "EO 13011 (in part)", "Amended in part by") are written into copies of real notes.
"""

from __future__ import annotations

import json

import pytest

from apps.sources.adapters.federal_register import FRDocument, parse_document, proposals, read
from apps.sources.adapters.federal_register_notes import Reading, Relation, parse_notes, read_notes
from tests.paths import FIXTURES

EO_13497 = "federalregister_v1__document_E9-2486_EO13497_revokes_EO13258_EO13422.json"
EO_13258 = "federalregister_v1__document_EO13258_revoked_by_EO13497.json"
EO_13422 = "federalregister_v1__document_EO13422_revoked_by_EO13497.json"
EO_13859 = "federalregister_v1__document_2019-02544_EO13859_AI.json"
RULE_2025 = "federalregister_v1__document_2025-02747_rule.json"
SEARCH = "federalregister_v1__documents_search_results_rin_2105-AF05.json"
CORPUS = "federalregister_v1__eo_notes_corpus"


def data(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def load(name: str) -> FRDocument:
    return parse_document(data(name))


def with_notes(name: str, notes: str) -> FRDocument:
    """A copy of a real document whose two notes fields say `notes`."""
    return parse_document(
        {**data(name), "executive_order_notes": notes, "disposition_notes": notes}
    )


def order(reference: dict) -> int:
    return int(reference["identifier"]["value"])


def amendments(found, kind: str) -> set[tuple[int, int, str | None]]:
    return {
        (
            order(p.values["source_instrument"]),
            order(p.values["target_instrument"]),
            p.values["effective_on"],
        )
        for p in found
        if p.target == "amendment" and p.values["kind"] == kind
    }


def test_a_revoking_order_lists_what_it_revokes_with_dates() -> None:
    notes = (
        "Revokes: EO 13258, February 26, 2002; EO 13422, January 18, 2007; "
        "See: EO 12866, September 30, 1993"
    )

    assert parse_notes(notes) == [
        Relation("revokes", 13258, "2002-02-26"),
        Relation("revokes", 13422, "2007-01-18"),
        Relation("see", 12866, "1993-09-30"),
    ]


def test_stray_separators_between_labels_are_survived() -> None:
    notes = "Amends: EO 12866, September 30, 1993;;\n ;  Revoked by: EO 13497, January 30, 2009"

    assert parse_notes(notes) == [
        Relation("amends", 12866, "1993-09-30"),
        Relation("revoked_by", 13497, "2009-01-30"),
    ]


@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        ("Revoked by: EO 13497", [Relation("revoked_by", 13497, None)]),
        ("See: EO 13719, February 9, 2016", [Relation("see", 13719, "2016-02-09")]),
        (
            "Superseded by: Executive Order 14000, Sept. 3, 2021",
            [Relation("superseded_by", 14000, "2021-09-03")],
        ),
        (
            "Revokes: Executive Order No. 12291, February 17, 1981",
            [Relation("revokes", 12291, "1981-02-17")],
        ),
        # A date after "EO A and B" is written once for both orders.
        (
            "Revokes: EO 13354 and 13355, August 27, 2004",
            [
                Relation("revokes", 13354, "2004-08-27"),
                Relation("revokes", 13355, "2004-08-27"),
            ],
        ),
        (
            "Revokes: EO 13354, and EO 13355",
            [Relation("revokes", 13354, None), Relation("revokes", 13355, None)],
        ),
        (
            "Revoked in part by: EO 14148",
            [Relation("revoked_by", 14148, None, provision="in part")],
        ),
        (
            "Amended in part by: EO 13563, January 18, 2011",
            [Relation("amended_by", 13563, "2011-01-18", provision="in part")],
        ),
        (
            "Amended by: EO 13563 (in part)",
            [Relation("amended_by", 13563, None, provision="in part")],
        ),
        (
            "Revokes: EO 13011 (in part), July 16, 1996",
            [Relation("revokes", 13011, "1996-07-16", provision="in part")],
        ),
        (
            "Revokes: EO 12958 (Sec. 1.2), April 17, 1995",
            [Relation("revokes", 12958, "1995-04-17", provision="Sec. 1.2")],
        ),
        ("Note: EO 11111; Revokes: EO 12291", [Relation("revokes", 12291, None)]),
        ("", []),
    ],
)
def test_it_reads_the_messy_forms_of_the_notes(notes: str, expected: list[Relation]) -> None:
    assert parse_notes(notes) == expected


def test_windows_line_breaks_separate_entries_as_newlines_do() -> None:
    notes = "See: EO 13719, February 9, 2016\r\nRevoked by: EO 13497, January 30, 2009"

    assert parse_notes(notes) == [
        Relation("see", 13719, "2016-02-09"),
        Relation("revoked_by", 13497, "2009-01-30"),
    ]


def test_a_year_after_a_comma_is_no_order_of_the_list() -> None:
    assert parse_notes("Revokes: EO 13354, 2004") == [Relation("revokes", 13354, None)]


def test_an_unknown_label_keeps_its_orders_as_text_and_the_next_label_is_read() -> None:
    reading = read_notes("Continues in effect: EO 11145, March 7, 1964 Revokes: EO 12291")

    assert reading.relations == (Relation("revokes", 12291, None),)
    assert reading.unread == ("Continues in effect: EO 11145, March 7, 1964",)


def test_executive_order_and_disposition_notes_are_merged_without_duplicates() -> None:
    doc = parse_document(
        {
            "document_number": "X",
            "executive_order_number": 1,
            "executive_order_notes": "Revoked by: EO 13497",
            "disposition_notes": "Revoked by: EO 13497, January 30, 2009; Amends: EO 12866",
        }
    )

    assert doc.relations == (
        Relation("revoked_by", 13497, "2009-01-30"),
        Relation("amends", 12866, None),
    )


def test_the_executive_order_number_is_an_int_whether_given_as_string_or_number() -> None:
    old_style = load(EO_13497)
    new_style = parse_document({**data(EO_13497), "executive_order_number": 13497})

    assert old_style.executive_order_number == new_style.executive_order_number == 13497
    assert old_style.signing_date == "2009-01-30"
    assert old_style.subtype == "Executive Order"


def test_a_document_that_is_no_executive_order_proposes_nothing() -> None:
    doc = load(RULE_2025)

    assert doc.executive_order_number is None
    assert doc.relations == ()
    assert proposals(doc) == []


def test_a_search_result_list_is_no_document_and_proposes_nothing() -> None:
    assert read((FIXTURES / SEARCH).read_bytes()) == []


def test_a_new_executive_order_is_proposed_as_an_instrument_row() -> None:
    (instrument,) = [p for p in proposals(load(EO_13859)) if p.target == "instrument"]

    assert instrument.key == {"slug": "us-eo-13859"}
    values = instrument.values
    assert values["slug"] == "us-eo-13859"
    assert values["title"] == "Maintaining American Leadership in Artificial Intelligence"
    assert values["kind"] == "executive_order"
    assert values["jurisdiction"] == {"code": "US"}
    assert values["identifiers"] == [
        {"scheme": "eo", "value": "13859", "provenance": "editorial"},
        {"scheme": "fr_doc", "value": "2019-02544", "provenance": "editorial"},
    ]
    assert [(e["kind"], e["date"]) for e in values["events"]] == [("signed", "2019-02-11")]


def test_a_see_reference_is_no_amendment() -> None:
    assert [p.target for p in proposals(load(EO_13859))] == ["instrument"]


def test_the_instrument_comes_first_so_its_amendments_can_refer_to_it() -> None:
    assert [p.target for p in proposals(load(EO_13497))] == [
        "instrument",
        "amendment",
        "amendment",
    ]


def test_an_amendment_names_both_orders_by_eo_number_and_slug() -> None:
    (revocation, _) = [p for p in proposals(load(EO_13497)) if p.target == "amendment"]

    assert revocation.key == {"key": "eo-13497-revokes-eo-13258"}
    assert revocation.values["source_instrument"] == {
        "slug": "us-eo-13497",
        "identifier": {"scheme": "eo", "value": "13497"},
    }
    assert revocation.values["target_instrument"]["slug"] == "us-eo-13258"
    assert revocation.values["target_provision"] == ""
    assert revocation.match == (
        "kind",
        "source_instrument",
        "target_instrument",
        "target_provision",
    )


def test_every_revocation_in_the_fixtures_is_extracted_from_the_revoking_side() -> None:
    assert amendments(proposals(load(EO_13497)), "revokes") == {
        (13497, 13258, "2009-01-30"),
        (13497, 13422, "2009-01-30"),
    }


def test_both_directions_of_the_revocations_agree() -> None:
    revoking = amendments(proposals(load(EO_13497)), "revokes")
    revoked = amendments(proposals(load(EO_13258)), "revokes") | amendments(
        proposals(load(EO_13422)), "revokes"
    )

    assert revoked == revoking


def test_amendments_of_eo_12866_date_from_the_amending_orders() -> None:
    assert amendments(proposals(load(EO_13258)), "amends") == {(13258, 12866, "2002-02-26")}
    assert amendments(proposals(load(EO_13422)), "amends") == {(13422, 12866, "2007-01-18")}


def test_a_partial_revocation_is_proposed_with_its_provision_so_it_ends_no_order() -> None:
    doc = parse_document(data(f"{CORPUS}/EO_13177.json"))

    (revocation,) = [p for p in proposals(doc) if p.target == "amendment"]

    assert revocation.values["target_provision"] == "in part"
    assert revocation.key == {"key": "eo-13316-revokes-eo-13177-in-part"}
    assert revocation.summary == "EO 13316 revokes EO 13177 in part on 2003-09-17"


def test_a_named_provision_is_the_target_provision() -> None:
    doc = with_notes(EO_13497, "Revokes: EO 13258 (Sec. 4), February 26, 2002")

    (revocation,) = [p for p in proposals(doc) if p.target == "amendment"]

    assert revocation.values["target_provision"] == "Sec. 4"
    assert revocation.values["key"] == "eo-13497-revokes-eo-13258-sec-4"


def test_a_relation_naming_the_order_itself_is_never_proposed_and_is_noted() -> None:
    doc = with_notes(EO_13497, "Revokes: EO 13258, February 26, 2002; EO 13497, January 30, 2009")

    found = proposals(doc)

    assert amendments(found, "revokes") == {(13497, 13258, "2009-01-30")}
    assert [p.summary for p in found if p.target == "note"] == [
        "EO 13497, notes not read: Revokes: EO 13497 names this order itself"
    ]


def test_an_order_listed_on_both_sides_of_a_revocation_is_not_proposed() -> None:
    doc = with_notes(EO_13258, "Revokes: EO 13497; Revoked by: EO 13497, January 30, 2009")

    found = proposals(doc)

    assert amendments(found, "revokes") == set()
    assert len([p for p in found if p.target == "note"]) == 2


def test_relations_the_previous_document_stated_are_not_proposed_again() -> None:
    before = with_notes(EO_13258, "Amends: EO 12866, September 30, 1993")

    found = proposals(load(EO_13258), previous=before)

    assert amendments(found, "amends") == set()
    assert amendments(found, "revokes") == {(13497, 13258, "2009-01-30")}


def test_an_unchanged_document_proposes_its_order_but_no_relation_again() -> None:
    body = (FIXTURES / EO_13497).read_bytes()

    assert [p.target for p in read(body, previous=body)] == ["instrument"]


def test_a_previous_body_no_one_can_read_is_no_baseline() -> None:
    body = (FIXTURES / EO_13497).read_bytes()

    assert [p.target for p in read(body, previous=b"<html>gateway timeout</html>")] == [
        "instrument",
        "amendment",
        "amendment",
    ]


# The Register's compound labels, spelled as its notes spell them (the label list of the
# corpus's notes; no document carrying them is among the stored copies).
@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        (
            "Revoked in part and supplemented by: EO 12345, June 1, 1982",
            Relation("revoked_by", 12345, "1982-06-01", "in part"),
        ),
        (
            "Revokes in part and supplements: EO 12345, June 1, 1982",
            Relation("revokes", 12345, "1982-06-01", "in part"),
        ),
        (
            "Revoked by in part and supplemented by: EO 12345, June 1, 1982",
            Relation("revoked_by", 12345, "1982-06-01", "in part"),
        ),
        (
            # Unparenthesised, after the date: still only a part.
            "Revoked by: EO 12345, June 1, 1982 in part",
            Relation("revoked_by", 12345, "1982-06-01", "in part"),
        ),
        ("Revokes: EO 12345 in part", Relation("revokes", 12345, None, "in part")),
    ],
)
def test_a_revocation_in_part_and_supplement_is_a_partial_revocation_not_a_reference(
    notes: str, expected: Relation
) -> None:
    assert read_notes(notes) == Reading((expected,), ())


def test_orders_glued_together_by_garbled_notes_invent_no_relation() -> None:
    """EO 13062's notes repeat its own "Amends:" list after "Superseded by: EO 13138,
    September 30, 1999" with no separator: the two amended orders did not supersede it."""
    notes = (
        "Amends: EO 13038, March 11, 1997 (in part);;\n ;  Superseded by: EO 13138, "
        "September 30, 1999EO 13038, March 11, 1997 (in part); EO 13054, July 7, 1997 (in part)"
    )

    reading = read_notes(notes)

    assert [(r.kind, r.eo_number) for r in reading.relations] == [
        ("amends", 13038),
        ("superseded_by", 13138),
    ]
    assert reading.unread == (
        "Superseded by: … EO 13038, March 11, 1997 (in part)",
        "Superseded by: EO 13054, July 7, 1997 (in part)",
    )


def test_a_revoked_by_note_proposes_the_revoking_order_before_the_revocation() -> None:
    doc = load("federalregister_v1__document_EO13258_revoked_by_EO13497.json")

    found = [(p.target, p.key) for p in proposals(doc)]

    assert found.index(("instrument", {"slug": "us-eo-13497"})) < found.index(
        ("amendment", {"key": "eo-13497-revokes-eo-13258"})
    )
    revoking = next(p for p in proposals(doc) if p.key == {"slug": "us-eo-13497"})
    assert revoking.values["events"][0]["date"] == "2009-01-30"
    assert revoking.values["identifiers"] == [
        {"scheme": "eo", "value": "13497", "provenance": "editorial"}
    ]
    assert "its title is not in them" in revoking.summary
