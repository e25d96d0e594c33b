"""Congress.gov bills: parsing the real API responses and reading the bill's stage."""

from __future__ import annotations

import json

import pytest

from apps.sources.adapters.congress import (
    Action,
    Bill,
    parse_actions,
    parse_bill,
    proposals,
    proposed_status,
    read,
)
from tests.paths import FIXTURES


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"congress_gov_v3__{name}.json").read_text())


def hr21() -> Bill:
    return parse_bill(fixture("bill_117_hr_21"))


def test_it_parses_a_bill_item_and_normalises_its_update_timestamp_to_a_date() -> None:
    bill = hr21()

    assert (bill.congress, bill.type, bill.number) == (117, "HR", 21)
    assert bill.title == "FedRAMP Authorization Act"
    assert bill.introduced_date == "2021-01-04"
    assert bill.latest_action_date == "2021-01-06"
    assert bill.latest_action_text.startswith("Received in the Senate")
    assert bill.update_date == "2022-03-25"
    assert (bill.key, bill.label) == ("117/hr/21", "H.R. 21 (117th Congress)")


def test_it_parses_every_entry_of_a_bill_list_whose_update_date_is_a_date() -> None:
    bills = [parse_bill(item) for item in fixture("bill_117_hr")["bills"]]

    assert len(bills) == 20
    assert {b.update_date for b in bills} == {"2022-04-03"}
    assert bills[0].number == 3617
    assert bills[0].title == "MORE Act"
    assert all(b.introduced_date is None for b in bills)


def test_it_parses_actions_with_their_codes_times_and_chambers() -> None:
    actions = parse_actions(fixture("bill_117_hr_21_actions"))

    assert len(actions) == 10
    passed = next(a for a in actions if a.action_code == "8000")
    assert (passed.date, passed.time, passed.chamber) == ("2021-01-05", "12:17:14", "House")
    senate = actions[0]
    assert (senate.action_code, senate.chamber) == (None, "Senate")
    # Several actions share one date and time; all are kept.
    assert sum(1 for a in actions if (a.date, a.time) == ("2021-01-05", "12:17:14")) == 2


def test_a_bill_passed_by_the_house_is_under_negotiation() -> None:
    actions = parse_actions(fixture("bill_117_hr_21_actions"))

    assert proposed_status(hr21(), actions) == "under_negotiation"


def test_the_status_proposal_cites_the_coded_action_that_shows_the_stage() -> None:
    (proposal,) = proposals(hr21(), parse_actions(fixture("bill_117_hr_21_actions")))

    assert proposal.target == "status"
    assert proposal.values["status"] == "under_negotiation"
    assert proposal.values["action_code"] == "8000"
    assert proposal.values["since"] == "2021-01-05"
    assert proposal.values["bill"] == "117/hr/21"
    assert proposal.summary.startswith("H.R. 21 (117th Congress): under negotiation")


def test_a_bill_with_only_its_introduction_is_proposed() -> None:
    actions = [
        a for a in parse_actions(fixture("bill_117_hr_21_actions")) if a.date == "2021-01-04"
    ]
    bill = Bill(117, "HR", 21, "t", "2021-01-04", "Introduced in House", "2021-01-04", None)

    assert proposed_status(bill, actions) == "proposed"


def test_without_actions_the_latest_action_text_is_read() -> None:
    assert proposed_status(hr21(), []) == "under_negotiation"  # "Received in the Senate"


@pytest.mark.parametrize(
    ("code", "text", "status"),
    [
        ("36000", "Became Public Law No: 117-108.", "adopted"),
        ("E40000", "Became Public Law No: 110-5.", "adopted"),
        ("29000", "Signed by President.", "adopted"),
        ("17000", "Passed Senate without amendment by Unanimous Consent.", "under_negotiation"),
        ("10000", "Introduced in Senate", "proposed"),
        (None, "Became Public Law No: 117-108.", "adopted"),
        (None, "Passed/agreed to in Senate: Passed Senate with an amendment.", "under_negotiation"),
        ("H11100", "Referred to the House Committee on the Judiciary.", "proposed"),
    ],
)
def test_action_codes_decide_the_stage_and_text_is_the_fallback(
    code: str | None, text: str, status: str
) -> None:
    bill = Bill(117, "S", 1, "t", "2021-01-04", "", None, None)
    action = Action("2022-03-01", None, text, code, None)

    assert proposed_status(bill, [action]) == status


def test_a_bill_listing_a_public_law_is_adopted() -> None:
    data = fixture("bill_117_hr_21")
    data["bill"]["laws"] = [{"number": "117-263", "type": "Public Law"}]

    bill = parse_bill(data)

    assert bill.laws == ("Public Law 117-263",)
    assert proposals(bill)[0].values["status"] == "adopted"


def test_the_status_is_proposed_even_when_the_previous_bill_showed_the_same_stage() -> None:
    body = (FIXTURES / "congress_gov_v3__bill_117_hr_21.json").read_bytes()

    (status,) = read(body, previous=body)

    assert (status.target, status.values["status"]) == ("status", "under_negotiation")
