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
