"""Obligations as they stand, read in bulk for the portal's tables, feeds and compare
(apps.reading.standing), and compare counting the derived values (issue 21)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Obligation
from apps.reading import compare, standing
from apps.reading.wording import day
from tests.helpers import another_act
from tests.portal.law_steps import amend, days, duty, effect, make_act, moves_from, retire

pytestmark = pytest.mark.django_db


@pytest.fixture
def act():
    return make_act()


@pytest.fixture
def amending(act):
    return another_act(act, "zz-amending-act", "Testland amending act")


def test_notes_come_in_effect_then_scheduled_then_proposed(act, amending):
    obligation = duty(act, days(10))
    amend(amending, act, [effect(obligation, "requirement", text="Later.")], None, key="zz-b")
    amend(amending, act, [moves_from(obligation, days(50))], days(20), key="zz-c")
    amend(amending, act, [moves_from(obligation, days(40))], days(-1), key="zz-d")

    [derived] = standing.read(Obligation.objects.filter(pk=obligation.pk))
    [row] = standing.standing([derived])
    assert [n.state for n in row.notes] == [
        standing.IN_EFFECT,
        standing.SCHEDULED,
        standing.PROPOSED,
    ]
    assert [n.amendment.key for n in row.notes] == ["zz-d", "zz-c", "zz-b"]
    assert row.state == standing.AHEAD and derived.applies_from == days(40)


def test_moves_by_says_what_each_amendment_did_and_a_retired_one_nothing(act, amending):
    obligation = duty(act, days(10))
    kept = amend(amending, act, [moves_from(obligation, days(400))], days(-3), key="zz-kept")
    gone = amend(amending, act, [effect(obligation, "ends")], days(-2), key="zz-gone")
    retire("amendment", gone)

    moves = standing.moves_by([kept.pk, gone.pk])
    assert list(moves) == [kept.pk]
    [move] = moves[kept.pk]
    assert move.note.text == (
        f"Article 9 now applies from {day(days(400))} instead of {day(days(10))}, "
        f"by Testland amending act (in effect {day(days(-3))})."
    )
    assert standing.moves_by([]) == {}


def test_compare_counts_obligations_as_they_stand_and_says_what_moved(act, amending):
    obligation = duty(act, days(-10))
    later = duty(act, days(30), key="added-later", provision="Article 50a")
    amend(
        amending,
        act,
        [
            effect(obligation, "addressee", text="deployer"),
            effect(
                obligation,
                "penalties",
                penalties=[{"applies_to": "company", "max_amount": "500", "currency": "EUR"}],
            ),
            moves_from(obligation, days(90)),
        ],
        days(-1),
    )
    amend(amending, act, [effect(later, "adds")], days(20), key="zz-adds")
    zz, eu = Jurisdiction.objects.get(code="ZZ"), Jurisdiction.objects.get(code="EU")

    [ours, theirs] = compare.compare([zz, eu])
    assert ours["obligations_by_addressee"] == {"deployer": 1}
    assert ours["maximum_penalties"]["amounts"] == {"EUR": Decimal("500")}
    texts = [move.note.text for move in ours["changes"]]
    assert f"Article 9 now applies from {day(days(90))} instead of {day(days(-10))}" in " ".join(
        texts
    )
    assert any(
        t.startswith(f"From {day(days(20))}, Testland amending act changes Article 50a")
        for t in texts
    )
    assert theirs["obligations_by_addressee"]  # the seed's, counted as before
