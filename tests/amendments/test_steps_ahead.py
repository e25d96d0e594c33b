"""A change still ahead (scheduled, or only proposed) is said against what it would
replace: "instead of 1 March 2025", never "no date was fixed before"."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.amendments.effects import derive_obligation
from apps.obligations.models import Obligation
from apps.reading.wording import sentence
from tests.api.law_records import act_in_force, amend, moves, obligation
from tests.helpers import another_act

pytestmark = pytest.mark.django_db

D1, E, D2, D3 = dt.date(2025, 3, 1), dt.date(2025, 6, 30), dt.date(2026, 3, 1), dt.date(2027, 1, 1)


def test_steps_ahead_replace_what_the_steps_before_them_leave_proposals_last():
    act = act_in_force()
    amending = another_act(act, "zz-amending-act", "Testland amending act")
    duty = obligation(act, "risk-management", "Article 9", D1)
    amend(amending, act, [moves(duty, D2)], E, "zz-first")
    amend(amending, act, [moves(duty, D3)], E + dt.timedelta(days=30), "zz-second")
    amend(amending, act, [moves(duty, D3 + dt.timedelta(days=1))], None, "zz-proposal")

    derived = derive_obligation(Obligation.objects.get(pk=duty.pk), on=D1)

    assert [(s.was, s.became) for s in derived.scheduled] == [(D1, D2), (D2, D3)]
    [proposed] = derived.pending
    # A proposal is said against the law as the scheduled steps will leave it.
    assert proposed.was == D3
    assert sentence(duty, derived.scheduled[1], on=D1) == (
        "From 30 July 2025, Testland amending act changes Article 9: it applies from "
        "1 January 2027 instead of 1 March 2026."
    )
    assert sentence(duty, proposed, on=D1) == (
        "Testland amending act (proposed, not in effect) would change Article 9: it "
        "applies from 2 January 2027 instead of 1 January 2027."
    )
