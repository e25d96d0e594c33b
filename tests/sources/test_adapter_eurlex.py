"""EUR-Lex pages: the consolidated version, its amending acts and status markers."""

from __future__ import annotations

import shutil
from pathlib import Path

from apps.sources.adapters.eurlex import parse_consolidated, proposals, read
from tests.paths import FIXTURES

EPRIVACY = "eurlex__consolidated_02002L0058-20091219_eprivacy.html"
DGA = "eurlex__oj_eli_reg_2022_868_DGA_32022R0868.html"
CELEX_EPRIVACY = {"scheme": "celex", "value": "32002L0058"}


def edited(name: str, tmp_path: Path, old: str, new: str) -> bytes:
    path = tmp_path / name
    shutil.copyfile(FIXTURES / name, path)
    path.chmod(0o644)
    html = path.read_text(encoding="utf-8")
    assert old in html
    path.write_text(html.replace(old, new, 1), encoding="utf-8")
    return path.read_bytes()


def test_it_reads_the_consolidated_version_and_the_act() -> None:
    info = parse_consolidated((FIXTURES / EPRIVACY).read_bytes())

    assert info.celex == "32002L0058"
    assert info.consolidated_version == "2009-12-19"
    assert info.eli == "http://data.europa.eu/eli/dir/2002/58/oj"
    assert info.title.startswith("DIRECTIVE 2002/58/EC")


def test_it_reads_the_amended_by_table() -> None:
    info = parse_consolidated((FIXTURES / EPRIVACY).read_bytes())

    assert [(a.marker, a.reference, a.published_on) for a in info.amended_by] == [
        ("M1", "32006L0024", "2006-04-13"),
        ("M2", "32009L0136", "2009-12-18"),
    ]
    assert info.amended_by[0].oj_reference == "OJ L 105, 13.4.2006, p. 54"
    assert info.amended_by[1].title.startswith("DIRECTIVE 2009/136/EC")
    assert info.corrected_by == ()


def test_a_repeal_mentioned_in_the_acts_own_text_is_no_status_marker() -> None:
    # Article 19 says "Directive 97/66/EC is hereby repealed": another act's status.
    info = parse_consolidated((FIXTURES / EPRIVACY).read_bytes())

    assert info.status_markers == ()
    assert not [p for p in proposals(info) if p.target == "status"]


def test_a_changed_monitoring_script_changes_nothing(tmp_path: Path) -> None:
    body = edited(EPRIVACY, tmp_path, "rid=RID_519980253", "rid=RID_123")

    assert parse_consolidated(body) == parse_consolidated((FIXTURES / EPRIVACY).read_bytes())


def test_a_no_longer_in_force_banner_proposes_a_status(tmp_path: Path) -> None:
    banner = '<p class="status">No longer in force. Repealed by 32025R0001.</p>'
    body = edited(EPRIVACY, tmp_path, '<hr class="separator"/>', banner + '<hr class="separator"/>')

    info = parse_consolidated(body)
    (status,) = [p for p in proposals(info) if p.target == "status"]

    assert info.status_markers == ("no longer in force", "repealed")
    assert status.values["status"] == "repealed"
    assert status.values["celex"] == "32002L0058"


def test_a_withdrawal_marker_proposes_withdrawn(tmp_path: Path) -> None:
    body = edited(EPRIVACY, tmp_path, "<body>", "<body><div class='alert'>Proposal withdrawn</div>")

    (status,) = [p for p in proposals(parse_consolidated(body)) if p.target == "status"]

    assert status.values["status"] == "withdrawn"


def test_the_amending_acts_become_identifier_and_amendment_proposals() -> None:
    found = proposals(parse_consolidated((FIXTURES / EPRIVACY).read_bytes()))

    identifiers = {p.values["value"] for p in found if p.target == "identifier"}
    amendments = [p.values for p in found if p.target == "amendment"]
    assert identifiers == {
        "32002L0058",
        "http://data.europa.eu/eli/dir/2002/58/oj",
        "32006L0024",
        "32009L0136",
    }
    assert [
        (a["kind"], a["source_instrument"]["identifier"], a["target_instrument"]["identifier"])
        for a in amendments
    ] == [
        ("amends", {"scheme": "celex", "value": "32006L0024"}, CELEX_EPRIVACY),
        ("amends", {"scheme": "celex", "value": "32009L0136"}, CELEX_EPRIVACY),
    ]
    # The page dates the Official Journal issue, not the effect: no date is guessed.
    assert {a["effective_on"] for a in amendments} == {None}


def test_what_the_previous_page_showed_is_not_proposed_again_but_a_status_is(
    tmp_path: Path,
) -> None:
    banner = '<p class="status">No longer in force. Repealed by 32025R0001.</p>'
    body = edited(EPRIVACY, tmp_path, '<hr class="separator"/>', banner + '<hr class="separator"/>')
    before = (FIXTURES / EPRIVACY).read_bytes()

    assert [p.target for p in read(body, previous=before)] == ["status"]
    assert read(before, previous=before) == []


def test_an_official_journal_page_yields_its_identifiers_and_no_amendments() -> None:
    info = parse_consolidated((FIXTURES / DGA).read_bytes())

    assert info.celex == "32022R0868"
    assert info.eli == "http://data.europa.eu/eli/reg/2022/868/oj"
    assert info.consolidated_version is None
    assert info.amended_by == ()
    assert info.status_markers == ()
    assert "Data Governance Act" in info.title
    assert {p.target for p in proposals(info)} == {"identifier"}
