"""Posting the proposal forms' child tables (events, parties, memberships) as a browser does."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from apps.cases import services
from apps.cases.models import State
from tests.admin_forms import form_data
from tests.helpers import move

TABLES = ("events", "parties", "memberships")


def open_case(editor, instrument=None, title: str = "Correction"):
    case = services.case_open(
        title=title, kind="correction", created_by=editor, instrument=instrument
    )
    return move(case, editor, State.TRIAGED, State.IN_PROGRESS)


def page_url(case, target: str, row) -> str:
    return reverse("admin:cases_case_propose_update", args=[case.pk, target, row.pk])


def shown_rows(form, name: str) -> list[dict[str, Any]]:
    """The table's rows as the unbound form shows them (codes, keys, dates as typed)."""
    widget = form.fields[name].widget
    return [widget.typed(item) for item in form.initial.get(name) or []]


def post_data(form, tables: dict[str, list[dict[str, Any]]], **changes) -> dict[str, Any]:
    """The form as a browser posts it: its fields, and each table's rows (a row with
    DELETE set is posted with its box ticked)."""
    data = {k: v for k, v in form_data(form).items() if k not in TABLES}
    for name, items in tables.items():
        data.update(
            {
                f"{name}-TOTAL_FORMS": len(items),
                f"{name}-INITIAL_FORMS": 0,
                f"{name}-MIN_NUM_FORMS": 0,
                f"{name}-MAX_NUM_FORMS": 1000,
            }
        )
        for number, item in enumerate(items):
            for key, value in item.items():
                if key == "DELETE":
                    if value:
                        data[f"{name}-{number}-DELETE"] = "on"
                else:
                    data[f"{name}-{number}-{key}"] = "" if value is None else value
    return {**data, **changes}
