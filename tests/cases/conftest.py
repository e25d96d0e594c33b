"""A fixed cast of users, one per role, and cases in useful states."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from apps.cases import services
from apps.cases.models import State
from apps.instruments.models import Instrument


def _user(django_user_model, name: str, *, group: str | None = None, staff: bool = True):
    user = django_user_model.objects.create_user(
        name, f"{name}@example.org", f"pw-{name}-123", is_staff=staff
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def cast(django_user_model):
    return {
        "staff": _user(django_user_model, "staffreader"),
        "editor": _user(django_user_model, "editor", group="editor"),
        "editor2": _user(django_user_model, "editor2", group="editor"),
        "reviewer": _user(django_user_model, "reviewer", group="reviewer"),
        "reviewer2": _user(django_user_model, "reviewer2", group="reviewer"),
        "administrator": _user(django_user_model, "administrator", group="administrator"),
    }


def move(case, actor, *states):
    for state in states:
        case = services.case_transition(case=case, to_state=state, actor=actor)
    return case


@pytest.fixture
def summary_case(cast):
    """A case in progress proposing a new summary for EO 14110, by the editor."""
    eo = Instrument.objects.get(slug="us-eo-14110")
    case = services.case_open(
        title="Correct EO 14110 summary",
        kind="correction",
        created_by=cast["editor"],
        instrument=eo,
    )
    case = move(case, cast["editor"], State.TRIAGED, State.IN_PROGRESS)
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="update",
        row=eo,
        values={"summary": "Corrected summary."},
    )
    return case
