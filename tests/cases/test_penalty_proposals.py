"""An obligation's penalties are proposed with it, row by row, and published as proposed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.cases import services
from apps.cases.forms import proposal_form_class, proposal_values
from apps.cases.models import State
from apps.obligations.models import Obligation, Penalty
from tests.admin_forms import form_data
from tests.helpers import case_proposing, move, publish

pytestmark = pytest.mark.django_db

ARTICLE_99 = {"instrument__slug": "eu-ai-act", "key": "article-99-penalty-prohibited-practices"}
MANAGEMENT = {"INITIAL_FORMS": 1, "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}


def _obligation() -> Obligation:
    return Obligation.objects.get(**ARTICLE_99)


def _post(rows: list[dict], **changes) -> dict:
    """The form as a browser posts it: the obligation's fields and the penalty rows."""
    form = proposal_form_class("obligation")(instance=_obligation())
    data = {k: v for k, v in form_data(form).items() if k != "penalties"}
    data.update({f"penalties-{k}": v for k, v in MANAGEMENT.items()})
    data["penalties-TOTAL_FORMS"] = len(rows)
    for number, row in enumerate(rows):
        for name, value in row.items():
            if name != "DELETE" or value:
                data[f"penalties-{number}-{name}"] = "on" if name == "DELETE" else value or ""
    return {**data, **changes}


def _rows() -> list[dict]:
    return proposal_form_class("obligation")(instance=_obligation()).initial["penalties"]


def _form(rows, **changes):
    return proposal_form_class("obligation")(_post(rows, **changes), instance=_obligation())


def test_the_form_shows_the_live_penalty_in_a_row_and_a_blank_row_to_add_one():
    html = str(proposal_form_class("obligation")(instance=_obligation())["penalties"])
    assert 'name="penalties-0-max_amount" value="35000000"' in html
    assert 'name="penalties-0-currency" value="EUR"' in html
    assert 'name="penalties-1-max_amount"' in html and 'name="penalties-2-' not in html
    assert 'name="penalties-TOTAL_FORMS" value="2"' in html


def test_an_untouched_penalty_is_not_part_of_the_proposal():
    form = _form(_rows(), requirement="Do not place prohibited AI practices on the market.")
    assert form.is_valid(), form.errors
    assert "penalties" not in proposal_values("obligation", form, new=False)


def test_a_changed_amount_and_a_new_row_are_proposed_and_published_as_proposed(cast):
    [live] = _rows()
    added = {"applies_to": "individual", "prison_years": "2", "rule": "single"}
    added |= {"provenance": "editorial"}
    form = _form([{**live, "max_amount": "40000000"}, added])
    assert form.is_valid(), form.errors
    values = proposal_values("obligation", form, new=False)
    assert [(p["applies_to"], p["max_amount"], p["prison_years"]) for p in values["penalties"]] == [
        ("company", "40000000", None),
        ("individual", None, "2"),
    ]

    case = case_proposing(cast["editor"], _obligation(), values, title="Penalties")
    publish(case, cast["editor"], cast["reviewer"])

    by_target = {p.applies_to: p for p in Penalty.objects.filter(obligation=_obligation())}
    assert by_target["company"].max_amount == Decimal("40000000")
    assert by_target["company"].turnover_percent == Decimal("7")  # kept as it was
    assert by_target["individual"].prison_years == Decimal("2")


def test_a_ticked_delete_box_proposes_removing_the_penalty():
    [live] = _rows()
    form = _form([{**live, "DELETE": True}])
    assert form.is_valid(), form.errors
    assert proposal_values("obligation", form, new=False)["penalties"] == []


def test_a_negative_amount_is_refused_once_naming_the_row_and_the_column():
    [live] = _rows()
    form = _form([{**live, "max_amount": "-5"}])
    assert not form.is_valid()
    assert form.errors["penalties"] == [
        "Penalty 1, Max amount: A penalty's amount cannot be negative."
    ]
    assert form.as_table().count("cannot be negative") == 1


def test_two_rows_for_the_same_addressees_are_refused():
    [live] = _rows()
    form = _form([live, {**live, "max_amount": "1"}])
    assert not form.is_valid()
    assert "one row per addressee" in form.errors["penalties"][0]


def test_the_propose_page_saves_a_penalty_change(client, cast):
    case = move(
        services.case_open(title="Penalty", kind="correction", created_by=cast["editor"]),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    client.force_login(cast["editor"])
    url = reverse("admin:cases_case_propose_update", args=[case.pk, "obligation", _obligation().pk])
    [live] = _rows()
    assert client.post(url, _post([{**live, "turnover_percent": "6"}])).status_code == 302
    [change] = case.changes.all()
    assert change.values["penalties"][0]["turnover_percent"] == "6"
    assert set(change.values) == {"penalties"}
