"""One box per partial date in the proposal forms: a year, a month or a day, with its precision."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.amendments.models import Amendment
from apps.cases import services
from apps.cases.forms import proposal_form_class, proposal_values
from apps.cases.models import State
from tests.admin_forms import form_data
from tests.helpers import move

pytestmark = pytest.mark.django_db

KEY = "eo-14148-revokes-eo-14110"


def _form(**changes):
    amendment = Amendment.objects.get(key=KEY)
    form_class = proposal_form_class("amendment")
    data = {**form_data(form_class(instance=Amendment.objects.get(pk=amendment.pk))), **changes}
    return form_class(data, instance=Amendment.objects.get(pk=amendment.pk))


@pytest.mark.parametrize(
    ("typed", "date", "precision"),
    [
        ("2025", dt.date(2025, 1, 1), "year"),
        ("2025-02", dt.date(2025, 2, 1), "month"),
        ("2025-02-14", dt.date(2025, 2, 14), "day"),
        (" 2025-02 ", dt.date(2025, 2, 1), "month"),
    ],
)
def test_a_year_a_month_or_a_day_sets_the_date_and_its_precision(typed, date, precision):
    form = _form(announced_on="", effective_on=typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["effective_on"] == date
    assert form.cleaned_data["effective_on_precision"] == precision
    values = proposal_values("amendment", form, new=False)
    assert values["effective_on"] == date.isoformat()
    assert values["effective_on_precision"] == precision


def test_the_form_shows_a_stored_date_as_precisely_as_it_is_known():
    amendment = Amendment.objects.get(key=KEY)
    Amendment.objects.filter(pk=amendment.pk).update(
        effective_on=dt.date(2025, 2, 1), effective_on_precision="month"
    )
    form = proposal_form_class("amendment")(instance=Amendment.objects.get(pk=amendment.pk))
    assert form.initial["effective_on"] == "2025-02"
    assert "effective_on_precision" not in form.fields  # no separate precision menu
    assert 'name="effective_on" value="2025-02"' in str(form["effective_on"])


def test_an_untouched_date_is_not_part_of_the_proposal():
    form = _form(summary="Only the summary changes.")
    assert form.is_valid(), form.errors
    values = proposal_values("amendment", form, new=False)
    assert "effective_on" not in values and "effective_on_precision" not in values


@pytest.mark.parametrize("typed", ["2025-13", "2025-02-30", "Feb 2025", "25"])
def test_a_date_that_is_not_one_is_refused_once_beside_its_field_with_its_label(typed):
    form = _form(effective_on=typed)
    assert not form.is_valid()
    [message] = form.errors["effective_on"]
    assert "write the year (2025), the month (2025-02) or the day (2025-02-14)" in message
    html = form.as_table()
    assert html.count("write the year (2025)") == 1
    assert "Effective on" in html
    assert "effective_on:" not in html and "effective_on_precision" not in html


def test_a_rule_of_the_model_naming_a_column_is_said_beside_that_field_once():
    # An announcement after the effect is refused by a model rule; a rule worded
    # "effective_on: ..." is moved beside the field without the column name.
    form = _form(announced_on="2026", effective_on="2025-02")
    form.is_valid()
    form._update_errors(
        ValidationError({"__all__": ["effective_on: a month-precision date falls on the 1st."]})
    )
    assert form.errors["effective_on"] == ["a month-precision date falls on the 1st."]
    assert "effective_on:" not in form.as_table()


def test_the_propose_page_stores_a_year_date_with_its_precision(client, cast):
    amendment = Amendment.objects.get(key=KEY)
    case = move(
        services.case_open(title="Date", kind="correction", created_by=cast["editor"]),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    client.force_login(cast["editor"])
    url = reverse("admin:cases_case_propose_update", args=[case.pk, "amendment", amendment.pk])
    data = form_data(client.get(url).context["form"])
    data["effective_on"] = "2025"
    data["announced_on"] = ""
    assert client.post(url, data).status_code == 302
    [change] = case.changes.all()
    assert change.values["effective_on"] == "2025-01-01"
    assert change.values["effective_on_precision"] == "year"
