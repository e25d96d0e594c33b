"""Federal Register documents: relations between executive orders from the real notes."""

from __future__ import annotations

import json

import pytest

from apps.sources.adapters.federal_register import (
    FRDocument,
    Relation,
    parse_document,
    parse_notes,
    proposals,
)
from tests.paths import FIXTURES

EO_13497 = "federalregister_v1__document_E9-2486_EO13497_revokes_EO13258_EO13422.json"
EO_13258 = "federalregister_v1__document_EO13258_revoked_by_EO13497.json"
EO_13422 = "federalregister_v1__document_EO13422_revoked_by_EO13497.json"
EO_13859 = "federalregister_v1__document_2019-02544_EO13859_AI.json"
RULE_2025 = "federalregister_v1__document_2025-02747_rule.json"


def load(name: str) -> FRDocument:
    return parse_document(json.loads((FIXTURES / name).read_text()))


def amendments(doc: FRDocument, kind: str) -> set[tuple[int, int, str | None]]:
    return {
        (p.values["source_eo"], p.values["target_eo"], p.values["effective_on"])
        for p in proposals(doc)
        if p.kind == "amendment" and p.values["kind"] == kind
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
        ("Revoked in part by: EO 14148", [Relation("revoked_by", 14148, None, partial=True)]),
        ("Amended by: EO 13563 (in part)", [Relation("amended_by", 13563, None, partial=True)]),
        ("Note: EO 11111; Revokes: EO 12291", [Relation("revokes", 12291, None)]),
        ("", []),
    ],
)
def test_it_reads_the_messy_forms_of_the_notes(notes: str, expected: list[Relation]) -> None:
    assert parse_notes(notes) == expected


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
    new_style = parse_document(
        {**json.loads((FIXTURES / EO_13497).read_text()), "executive_order_number": 13497}
    )

    assert old_style.executive_order_number == new_style.executive_order_number == 13497
    assert old_style.signing_date == "2009-01-30"
    assert old_style.subtype == "Executive Order"


def test_a_document_that_is_no_executive_order_proposes_nothing() -> None:
    doc = load(RULE_2025)

    assert doc.executive_order_number is None
    assert doc.relations == ()
    assert proposals(doc) == []


def test_a_new_executive_order_is_proposed_as_an_instrument() -> None:
    (instrument,) = [p for p in proposals(load(EO_13859)) if p.kind == "instrument"]

    assert instrument.values["eo_number"] == 13859
    assert (
        instrument.values["title"] == "Maintaining American Leadership in Artificial Intelligence"
    )
    assert instrument.values["signing_date"] == "2019-02-11"
    assert instrument.values["document_number"] == "2019-02544"


def test_a_see_reference_is_no_amendment() -> None:
    assert [p.kind for p in proposals(load(EO_13859))] == ["instrument"]


def test_every_revocation_in_the_fixtures_is_extracted_from_the_revoking_side() -> None:
    assert amendments(load(EO_13497), "revokes") == {
        (13497, 13258, "2009-01-30"),
        (13497, 13422, "2009-01-30"),
    }


def test_both_directions_of_the_revocations_agree() -> None:
    revoking = amendments(load(EO_13497), "revokes")
    revoked = amendments(load(EO_13258), "revokes") | amendments(load(EO_13422), "revokes")

    assert revoked == revoking
    revoked_by_13497 = {
        doc.executive_order_number
        for doc in (load(EO_13258), load(EO_13422))
        if Relation("revoked_by", 13497, "2009-01-30") in doc.relations
    }
    assert revoked_by_13497 == {target for _, target, _ in revoking}


def test_amendments_of_eo_12866_date_from_the_amending_orders() -> None:
    assert amendments(load(EO_13258), "amends") == {(13258, 12866, "2002-02-26")}
    assert amendments(load(EO_13422), "amends") == {(13422, 12866, "2007-01-18")}
