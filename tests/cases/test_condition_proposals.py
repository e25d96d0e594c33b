"""An obligation's applicability conditions are proposed with it, row by row like its
penalties, refused with the model's own words when malformed, and published as proposed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.cases import services
from apps.cases.forms import proposal_form_class, proposal_values
from apps.cases.models import State
from apps.obligations.models import Obligation
from tests.admin_forms import form_data
from tests.helpers import case_proposing, move, publish

pytestmark = pytest.mark.django_db

SYSTEMIC = {"instrument__slug": "eu-ai-act", "key": "article-55-gpai-systemic-risk"}
MANAGEMENT = {"INITIAL_FORMS": 1, "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}
SHAPE = (
    "A threshold compares a number (at least, more than, below, at most); SME status is true "
    "or false; a sector condition lists its sectors."
)


def _obligation() -> Obligation:
    return Obligation.objects.get(**SYSTEMIC)


def _post(rows: list[dict], **changes) -> dict:
    """The form as a browser posts it: the obligation's fields and its condition rows."""
    form = proposal_form_class("obligation")(instance=_obligation())
    data = {k: v for k, v in form_data(form).items() if k not in {"penalties", "conditions"}}
    data.update({f"conditions-{k}": v for k, v in MANAGEMENT.items()})
    data["conditions-TOTAL_FORMS"] = len(rows)
    for number, row in enumerate(rows):
        for name, value in row.items():
            if name == "DELETE":
                if value:
                    data[f"conditions-{number}-DELETE"] = "on"
            elif name == "sectors":
                data[f"conditions-{number}-sectors"] = ",".join(value or [])
            elif name == "flag":
                data[f"conditions-{number}-flag"] = {True: "true", False: "false"}.get(value, "")
            else:
                data[f"conditions-{number}-{name}"] = "" if value is None else value
    return {**data, **changes}


def _rows() -> list[dict]:
    return proposal_form_class("obligation")(instance=_obligation()).initial["conditions"]


def _form(rows, **changes):
    return proposal_form_class("obligation")(_post(rows, **changes), instance=_obligation())


def test_the_form_shows_the_live_condition_in_a_row_and_a_blank_row_to_add_one():
    html = str(proposal_form_class("obligation")(instance=_obligation())["conditions"])
    assert '<option value="training_compute_flop" selected>' in html
    assert 'name="conditions-0-number" value="10000000000000000000000000"' in html
    assert 'name="conditions-1-fact"' in html and 'name="conditions-2-' not in html
    assert 'name="conditions-TOTAL_FORMS" value="2"' in html


def test_untouched_conditions_are_not_part_of_the_proposal():
    form = _form(_rows(), requirement="Evaluate and mitigate systemic risks.")
    assert form.is_valid(), form.errors
    assert "conditions" not in proposal_values("obligation", form, new=False)


def test_a_new_condition_is_proposed_and_published_as_proposed(cast):
    [live] = _rows()
    added = {"fact": "employees", "comparison": "at_least", "number": "250", "note": "Test"}
    form = _form([live, added])
    assert form.is_valid(), form.errors
    values = proposal_values("obligation", form, new=False)
    assert [(c["fact"], c["number"]) for c in values["conditions"]] == [
        ("employees", "250"),
        ("training_compute_flop", "10000000000000000000000000"),
    ]

    case = case_proposing(cast["editor"], _obligation(), values, title="Conditions")
    publish(case, cast["editor"], cast["reviewer"])

    published = {c.fact: c for c in _obligation().conditions.all()}
    assert published["employees"].number == Decimal("250")
    assert published["training_compute_flop"].number == Decimal("1e25")  # kept as it was


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"comparison": "is"}, f"Condition 1: {SHAPE}"),
        ({"number": "-1"}, "Condition 1: A threshold cannot be negative."),
        (
            {"fact": "sector", "comparison": "one_of", "number": "", "sectors": []},
            f"Condition 1: {SHAPE}",
        ),
    ],
)
def test_a_malformed_condition_is_refused_with_the_constraints_message(row, message):
    [live] = _rows()
    form = _form([{**live, **row}])
    assert not form.is_valid()
    assert form.errors["conditions"] == [message]


def test_the_same_condition_twice_is_refused():
    [live] = _rows()
    form = _form([live, {**live, "number": "1e26"}])
    assert not form.is_valid()
    assert form.errors["conditions"] == ["The obligation already has this condition."]


def test_a_ticked_delete_box_proposes_removing_the_condition():
    [live] = _rows()
    form = _form([{**live, "DELETE": True}])
    assert form.is_valid(), form.errors
    assert proposal_values("obligation", form, new=False)["conditions"] == []


def test_the_propose_page_saves_a_condition_change(client, cast):
    case = move(
        services.case_open(title="Threshold", kind="correction", created_by=cast["editor"]),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    client.force_login(cast["editor"])
    url = reverse("admin:cases_case_propose_update", args=[case.pk, "obligation", _obligation().pk])
    [live] = _rows()
    assert client.post(url, _post([{**live, "number": "2e25"}])).status_code == 302
    [change] = case.changes.all()
    assert set(change.values) == {"conditions"}
    assert change.values["conditions"][0]["number"] == "20000000000000000000000000"
