"""An instrument's events are proposed from its form (issue 23): add one, correct its date
or its precision, remove one; published as proposed and audited; bad values refused beside
the events with what was typed kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.cases import services
from apps.cases.forms import proposal_form_class, proposal_values
from apps.instruments.models import Instrument
from apps.record.models import AppliedChange
from tests.cases.child_steps import open_case, page_url, post_data, shown_rows
from tests.helpers import publish

pytestmark = pytest.mark.django_db


def _act() -> Instrument:
    return Instrument.objects.get(slug="eu-ai-act")


def _form(data=None):
    return proposal_form_class("instrument")(data, instance=_act())


def _rows() -> list[dict]:
    return shown_rows(_form(), "events")


def _propose(client, editor, rows, **changes):
    case = open_case(editor, _act())
    client.force_login(editor)
    return case, client.post(
        page_url(case, "instrument", _act()), post_data(_form(), {"events": rows}, **changes)
    )


def _only(rows, kind, date):
    [found] = [r for r in rows if r["kind"] == kind and r["date"] == date]
    return found


def test_the_form_shows_each_live_event_with_its_date_as_known_and_its_citation_keys():
    rows = _rows()
    assert len(rows) == _act().events.count()
    force = _only(rows, "entered_into_force", "2024-08-01")
    assert force["citations"] == "eurlex-eli-reg-2024-1689"
    html = str(_form()["events"])
    assert f'name="events-TOTAL_FORMS" value="{len(rows) + 1}"' in html  # and a blank row
    assert 'value="2024-08-01"' in html


def test_events_left_as_they_are_are_no_part_of_the_proposal():
    form = _form(post_data(_form(), {"events": _rows()}, summary="Only the summary."))
    assert form.is_valid(), form.errors
    values = proposal_values("instrument", form, new=False)
    assert "events" not in values and values["summary"] == "Only the summary."


def test_a_corrected_date_is_published_with_the_events_note_and_citations_kept(client, cast):
    rows = _rows()
    force = _only(rows, "entered_into_force", "2024-08-01")
    force["date"] = "2024-08-02"
    case, response = _propose(client, cast["editor"], rows)
    assert response.status_code == 302
    [change] = case.changes.all()
    assert set(change.values) == {"events"}
    before = _act().events.get(kind="entered_into_force")

    publish(case, cast["editor"], cast["reviewer"])

    after = _act().events.get(kind="entered_into_force")
    assert str(after.date) == "2024-08-02" and after.date_precision == "day"
    assert after.note == before.note and after.provenance == before.provenance
    assert [c.key for c in after.citations.all()] == ["eurlex-eli-reg-2024-1689"]
    assert _act().events.count() == len(rows)
    [entry] = AppliedChange.objects.filter(case=case, target="instrument", row_id=_act().pk)
    moved = {(e["kind"], e["date"]) for e in entry.after["events"]}
    assert ("entered_into_force", "2024-08-02") in moved
    assert ("entered_into_force", "2024-08-01") not in moved
    assert entry.proposer == cast["editor"] and entry.approver == cast["reviewer"]


def test_a_corrected_precision_is_published(client, cast):
    rows = _rows()
    _only(rows, "entered_into_force", "2024-08-01")["date"] = "2024-08"
    case, response = _propose(client, cast["editor"], rows)
    assert response.status_code == 302
    publish(case, cast["editor"], cast["reviewer"])
    event = _act().events.get(kind="entered_into_force")
    assert (str(event.date), event.date_precision) == ("2024-08-01", "month")


def test_an_added_event_is_published_and_moves_the_derived_status(client, cast):
    rows = [
        *_rows(),
        {
            "kind": "repealed",
            "date": "2025-01",
            "note": "A test repeal.",
            "provenance": "editorial",
            "provenance_note": "",
            "citations": "eurlex-eli-reg-2024-1689",
        },
    ]
    case, response = _propose(client, cast["editor"], rows)
    assert response.status_code == 302
    publish(case, cast["editor"], cast["reviewer"])
    act = _act()
    added = act.events.get(kind="repealed")
    assert (str(added.date), added.date_precision, added.note) == (
        "2025-01-01",
        "month",
        "A test repeal.",
    )
    assert [c.key for c in added.citations.all()] == ["eurlex-eli-reg-2024-1689"]
    assert act.status == "repealed"


def test_a_removed_event_is_published_as_removed(client, cast):
    rows = _rows()
    _only(rows, "passed_chamber", "2024-03-13")["DELETE"] = True
    case, response = _propose(client, cast["editor"], rows)
    assert response.status_code == 302
    publish(case, cast["editor"], cast["reviewer"])
    dates = {
        str(d) for d in _act().events.filter(kind="passed_chamber").values_list("date", flat=True)
    }
    assert dates == {"2024-05-21"}


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("1 Aug 2024", "write the year (2025), the month (2025-02) or the day (2025-02-14)"),
        ("2024-02-30", "write the year (2025), the month (2025-02) or the day (2025-02-14)"),
        ("2024-13", "write the year (2025), the month (2025-02) or the day (2025-02-14)"),
    ],
)
def test_a_date_in_a_wrong_format_or_impossible_is_refused_beside_the_events_keeping_input(
    client, cast, typed, said
):
    rows = _rows()
    _only(rows, "entered_into_force", "2024-08-01")["date"] = typed
    case, response = _propose(client, cast["editor"], rows, summary="Typed summary kept.")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"events"} and said in errors["events"][0]
    assert errors["events"][0].startswith("Event ")
    html = response.content.decode()
    assert f'value="{typed}"' in html and "Typed summary kept." in html
    assert case.changes.count() == 0


def test_an_impossible_precision_given_to_the_service_is_refused_when_proposed(cast):
    case = open_case(cast["editor"], _act())
    from apps.record import rows as plain

    events = plain.snapshot("instrument", _act())["events"]
    force = next(e for e in events if e["kind"] == "entered_into_force")
    force["date_precision"] = "month"  # on the 1st of August: fine; now on the 2nd
    force["date"] = "2024-08-02"
    with pytest.raises(ValidationError, match="a month-precision date falls on the 1st"):
        services.change_propose(
            case=case,
            actor=cast["editor"],
            target="instrument",
            action="update",
            row=_act(),
            values={"events": events},
        )
    assert case.changes.count() == 0


def test_two_rows_for_the_same_event_are_refused(client, cast):
    rows = _rows()
    rows.append(dict(_only(rows, "entered_into_force", "2024-08-01")))
    _case, response = _propose(client, cast["editor"], rows)
    assert response.status_code == 200
    assert (
        "Two event rows have the same kind and date" in response.context["form"].errors["events"][0]
    )


def test_an_unknown_citation_key_is_refused_naming_it(client, cast):
    rows = _rows()
    _only(rows, "entered_into_force", "2024-08-01")["citations"] = "no-such-key"
    _, response = _propose(client, cast["editor"], rows)
    assert response.status_code == 200
    [error] = response.context["form"].errors["events"]
    assert "no citation has the key “no-such-key”" in error
