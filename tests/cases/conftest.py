"""Cases in useful states (the cast of users per role is in tests/conftest.py)."""

from __future__ import annotations

import pytest

from apps.cases import services
from apps.cases.models import State
from apps.instruments.models import Instrument
from tests.helpers import move


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


@pytest.fixture
def tasks_run_inline():
    """Queued tasks run in this process when their transaction commits.

    The real task code runs, only without a broker hop; tests/integration
    covers the hop with a real worker.
    """
    from tracker.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False
