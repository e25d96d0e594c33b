"""An adapter's proposal is stored on its Change as JSON and read back by one
constructor, Proposal.from_json: what is stored comes back equal, and a stored value
that is no proposal is refused with a message that says what is wrong."""

import json
import logging

import pytest

from apps.cases.models import Case, ProposedChange
from apps.sources import services
from apps.sources.adapters import MalformedProposal, Proposal, congress, eurlex, federal_register
from apps.sources.adapters import ref as reference
from apps.sources.models import Source
from tests.local_http import Page
from tests.paths import FIXTURES

EO_13497 = "federalregister_v1__document_E9-2486_EO13497_revokes_EO13258_EO13422.json"
DGA = "eurlex__oj_eli_reg_2022_868_DGA_32022R0868.html"
BILL = "congress_gov_v3__bill_117_hr_21.json"


def stored(proposal: Proposal) -> object:
    """The proposal as a JSONField gives it back: its JSON form through a JSON text."""
    return json.loads(json.dumps(proposal.to_json()))


@pytest.mark.parametrize(
    ("adapter", "fixture"),
    [(federal_register, EO_13497), (eurlex, DGA), (congress, BILL)],
)
def test_every_proposal_an_adapter_reads_comes_back_equal_from_its_stored_json(
    adapter, fixture
) -> None:
    proposals = adapter.read((FIXTURES / fixture).read_bytes())
    assert proposals  # the round trip below must have something to compare

    assert [Proposal.from_json(stored(p)) for p in proposals] == proposals


def test_a_row_proposal_with_match_fields_and_references_comes_back_equal() -> None:
    proposal = Proposal(
        target="amendment",
        summary="EO 2 revokes EO 1",
        key={"key": "eo-2-revokes-eo-1"},
        match=("kind", "source_instrument"),
        values={"kind": "revokes", "source_instrument": reference(identifier=("eo", "2"))},
    )

    back = Proposal.from_json(stored(proposal))

    assert back == proposal
    assert back.match == ("kind", "source_instrument")  # a tuple again, not JSON's list


def test_a_proposal_without_its_optional_fields_reads_with_their_defaults() -> None:
    back = Proposal.from_json({"target": "note", "summary": "not read: EO 1"})

    assert back == Proposal(target="note", summary="not read: EO 1")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["a", "list"], "a stored proposal is a JSON object, not array"),
        ("status", "a stored proposal is a JSON object, not string"),
        ({"summary": "s"}, "a stored proposal has no 'target'"),
        ({"target": "note"}, "a stored proposal has no 'summary'"),
        ({"kind": "status", "summary": "s"}, "a stored proposal has unknown fields: kind"),
        (
            {"target": 3, "summary": "s"},
            "a stored proposal's 'target' is a JSON string, not number",
        ),
        (
            {"target": "status", "summary": "s", "values": []},
            "a stored proposal's 'values' is a JSON object, not array",
        ),
        (
            {"target": "amendment", "summary": "s", "key": "eo-1"},
            "a stored proposal's 'key' is a JSON object, not string",
        ),
        (
            {"target": "amendment", "summary": "s", "key": {"key": "k"}, "match": "kind"},
            "a stored proposal's 'match' is a JSON array, not string",
        ),
        (
            {"target": "amendment", "summary": "s", "key": {"key": "k"}, "match": [1]},
            "a stored proposal's 'match' is an array of field names",
        ),
        (
            {"target": "obligation", "summary": "s"},
            "a stored proposal is refused: unknown proposal target 'obligation'",
        ),
        (
            {"target": "amendment", "summary": "s", "values": {"kind": "revokes"}},
            "a stored proposal is refused: a row proposal names its row by natural key",
        ),
    ],
)
def test_a_malformed_stored_proposal_is_refused_with_what_is_wrong(value, message) -> None:
    with pytest.raises(MalformedProposal) as refused:
        Proposal.from_json(value)

    assert str(refused.value) == message
    assert isinstance(refused.value, ValueError)


@pytest.mark.django_db
def test_a_stored_value_that_is_no_proposal_is_listed_with_its_reason_and_the_rest_proposed(
    local_site, settings, monkeypatch, caplog
) -> None:
    settings.SOURCES_ALLOW_PRIVATE = True
    read = services.proposals_for
    broken = {"target": "amendment", "summary": "s", "values": [], "key": {"key": "k"}}
    monkeypatch.setattr(
        services, "proposals_for", lambda *args, **kwargs: [*read(*args, **kwargs), broken]
    )
    local_site.pages["/latest.json"] = Page(b'{"results": []}', "application/json")
    source = Source.objects.create(
        name="Federal Register: latest order",
        kind="json",
        adapter="federal_register",
        url=local_site.url("/latest.json"),
    )
    services.check_source(source.pk)
    body = (FIXTURES / "federalregister_v1__document_2019-02544_EO13859_AI.json").read_bytes()
    local_site.pages["/latest.json"] = Page(body, "application/json")

    with caplog.at_level(logging.WARNING, logger="apps.cases.watch"):
        assert services.check_source(source.pk).outcome == "changed"

    case = Case.objects.get(source=source)
    proposal = ProposedChange.objects.get(case=case)
    assert proposal.target == "instrument" and proposal.values["slug"] == "us-eo-13859"
    evidence = case.evidence.get(kind="source_change").text
    assert (
        "* (a proposal that cannot be read: a stored proposal's 'values' is a JSON object, "
        "not array)"
    ) in evidence
    assert "proposal not read: a stored proposal's 'values'" in caplog.text
