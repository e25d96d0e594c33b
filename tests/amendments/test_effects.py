"""An obligation as of a day: its own values plus the effects of the amendments in
effect that day (apps.amendments.effects), read for pages by apps.reading.

The rows are written through the one write path, as a case's approval writes them:
a Testland act with one obligation, an amending act, and amendments carrying effects.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.amendments.effects import derive_obligation
from apps.amendments.models import Amendment, EffectKind
from apps.instruments.models import Instrument
from apps.obligations.models import Obligation
from apps.reading.on_a_day import as_of, instrument_detail, instrument_page, timeline
from apps.record import services as record
from apps.record.services import Why
from tests.helpers import make_testland_law

pytestmark = pytest.mark.django_db

D1, E, D2 = dt.date(2027, 3, 1), dt.date(2026, 6, 30), dt.date(2028, 3, 1)
WHY = Why.system("test")


def _write(target, values, row=None):
    return record.write(target=target, why=WHY, row=row, values=values).row


def _in_force(instrument: Instrument, on: str = "2024-01-01") -> Instrument:
    events = [{"kind": "entered_into_force", "date": on, "date_precision": "day", "note": ""}]
    return _write("instrument", {"events": events}, row=instrument)


@pytest.fixture
def act() -> Instrument:
    return _in_force(make_testland_law())


@pytest.fixture
def duty(act) -> Obligation:
    return _write(
        "obligation",
        {
            "instrument": act.pk,
            "key": "risk-management",
            "provision": "Article 9",
            "addressee": "provider",
            "requirement": "Keep a risk management system.",
            "risk_tier": "high",
            "applies_from": D1.isoformat(),
            "penalties": [
                {"applies_to": "company", "max_amount": "1000000", "currency": "EUR"},
            ],
        },
    )


@pytest.fixture
def amending_act(act) -> Instrument:
    return _write(
        "instrument",
        {
            "slug": "zz-amending-act",
            "title": "Testland amending act",
            "kind": "law",
            "jurisdiction": act.jurisdiction_id,
            "legal_force": "binding",
        },
    )


def _amend(amending_act, act, effects, *, effective_on=E, key="zz-postponement"):
    return _write(
        "amendment",
        {
            "key": key,
            "kind": "amends",
            "source_instrument": amending_act.pk,
            "target_instrument": act.pk,
            "effective_on": effective_on.isoformat() if effective_on else None,
            "effective_on_precision": "day" if effective_on else "",
            "provenance": "editorial",
            "effects": effects,
        },
    )


def _derived(duty, on):
    return derive_obligation(Obligation.objects.get(pk=duty.pk), on=on)


def test_a_postponement_moves_the_date_from_its_amendments_day_and_names_it(
    duty, act, amending_act
):
    amendment = _amend(
        amending_act,
        act,
        [{"obligation": duty.pk, "kind": "applies_from", "date": D2.isoformat(), "text": ""}],
    )

    before = _derived(duty, E - dt.timedelta(days=1))
    assert before.applies_from == D1
    assert [s.amendment.key for s in before.scheduled] == [amendment.key]
    assert before.history == ()
    on_effect = _derived(duty, E)
    assert on_effect.applies_from == D2
    [step] = on_effect.history
    assert (step.amendment.pk, step.kind, step.was, step.became) == (
        amendment.pk,
        EffectKind.APPLIES_FROM,
        D1,
        D2,
    )
    assert _derived(duty, D2).applies_from == D2
    # What the row says is the law as enacted: the move is derived, not written over it.
    assert Obligation.objects.get(pk=duty.pk).applies_from == D1


def test_a_proposed_amendment_changes_nothing_and_is_listed_as_pending(duty, act, amending_act):
    _amend(
        amending_act,
        act,
        [{"obligation": duty.pk, "kind": "applies_from", "date": D2.isoformat(), "text": ""}],
        effective_on=None,
    )

    far = _derived(duty, dt.date(2100, 1, 1))
    assert far.applies_from == D1
    assert far.history == () and far.scheduled == ()
    assert [(s.kind, s.became, s.effective_on) for s in far.pending] == [
        (EffectKind.APPLIES_FROM, D2, None)
    ]


def test_adopting_a_pending_amendment_with_a_date_makes_its_effects_apply_from_then(
    duty, act, amending_act
):
    pending = _amend(
        amending_act,
        act,
        [{"obligation": duty.pk, "kind": "applies_from", "date": D2.isoformat(), "text": ""}],
        effective_on=None,
    )
    _write(
        "amendment",
        {"effective_on": E.isoformat(), "effective_on_precision": "day"},
        row=pending,
    )

    assert _derived(duty, E - dt.timedelta(days=1)).applies_from == D1
    assert _derived(duty, E).applies_from == D2


def test_an_ending_closes_the_obligation_on_the_amendments_day(duty, act, amending_act):
    _amend(amending_act, act, [{"obligation": duty.pk, "kind": "ends", "text": ""}])

    assert _derived(duty, D1).applies_until == E
    assert not _derived(duty, D1).covers_day
    assert _derived(duty, E - dt.timedelta(days=1)).applies_until is None


def test_an_added_obligation_exists_only_from_its_amendments_day(act, amending_act):
    added = _write(
        "obligation",
        {
            "instrument": act.pk,
            "key": "new-transparency-duty",
            "provision": "Article 50a",
            "addressee": "deployer",
            "requirement": "Tell people they talk to a machine.",
            "applies_from": E.isoformat(),
        },
    )
    _amend(amending_act, act, [{"obligation": added.pk, "kind": "adds", "text": ""}])

    assert not _derived(added, E - dt.timedelta(days=1)).exists
    assert _derived(added, E).exists and _derived(added, E).covers_day


def test_replacements_change_the_text_addressee_tier_and_penalties_in_order(
    duty, act, amending_act
):
    _amend(
        amending_act,
        act,
        [
            {"obligation": duty.pk, "kind": "requirement", "text": "Keep and test it."},
            {"obligation": duty.pk, "kind": "addressee", "text": "deployer"},
            {"obligation": duty.pk, "kind": "risk_tier", "text": "limited"},
            {
                "obligation": duty.pk,
                "kind": "penalties",
                "text": "",
                "penalties": [{"applies_to": "company", "max_amount": "500", "currency": "EUR"}],
            },
        ],
    )
    _amend(
        amending_act,
        act,
        [{"obligation": duty.pk, "kind": "requirement", "text": "Keep, test and log it."}],
        effective_on=E + dt.timedelta(days=10),
        key="zz-second-amendment",
    )

    first = _derived(duty, E)
    assert (first.requirement, first.addressee, first.risk_tier) == (
        "Keep and test it.",
        "deployer",
        "limited",
    )
    assert [str(p.max_amount) for p in first.penalties.all()] == ["500"]
    later = _derived(duty, E + dt.timedelta(days=10))
    assert later.requirement == "Keep, test and log it."
    assert [s.was for s in later.history if s.kind == EffectKind.REQUIREMENT] == [
        "Keep a risk management system.",
        "Keep and test it.",
    ]


def test_an_effect_on_an_obligation_of_another_instrument_is_refused(duty, amending_act):
    other = _write(
        "instrument",
        {
            "slug": "zz-other-act",
            "title": "Another Testland act",
            "kind": "law",
            "jurisdiction": amending_act.jurisdiction_id,
            "legal_force": "binding",
        },
    )
    with pytest.raises(ValidationError, match="obligation of the amendment's target"):
        _amend(amending_act, other, [{"obligation": duty.pk, "kind": "ends", "text": ""}])


@pytest.mark.parametrize(
    ("effect", "message"),
    [
        ({"kind": "applies_from", "text": ""}, "names its new date"),
        ({"kind": "requirement", "text": ""}, "names its new text"),
        ({"kind": "addressee", "text": "robot"}, "addressee: unknown value"),
        ({"kind": "ends", "text": "why"}, "Only a replaced requirement"),
    ],
)
def test_an_effect_missing_what_its_kind_needs_is_refused(duty, act, amending_act, effect, message):
    with pytest.raises(ValidationError, match=message):
        _amend(amending_act, act, [{"obligation": duty.pk, **effect}])
    assert not Amendment.objects.filter(key="zz-postponement").exists()


def test_the_instruments_repeal_ends_its_obligations_on_the_repeal_day(duty, act, amending_act):
    repeal_day = dt.date(2027, 6, 1)
    _write(
        "amendment",
        {
            "key": "zz-repeal",
            "kind": "repeals",
            "source_instrument": amending_act.pk,
            "target_instrument": act.pk,
            "effective_on": repeal_day.isoformat(),
            "effective_on_precision": "day",
            "provenance": "editorial",
        },
    )

    assert [o.key for o in as_of(act, dt.date(2027, 5, 31)).obligations] == [duty.key]
    assert as_of(act, repeal_day).obligations == []
    page = instrument_page(instrument_detail(act.slug), on=None)
    [today] = page.obligations
    if dt.date.today() >= repeal_day:
        assert today.applies_until == repeal_day and today.ended_with_instrument == repeal_day


def test_as_of_lists_an_obligation_moved_into_the_day_and_drops_one_moved_out(
    duty, act, amending_act, django_assert_max_num_queries
):
    early = _write(
        "obligation",
        {
            "instrument": act.pk,
            "key": "early-duty",
            "provision": "Article 4",
            "addressee": "provider",
            "requirement": "Train your staff.",
            "applies_from": D2.isoformat(),
        },
    )
    _amend(
        amending_act,
        act,
        [
            {"obligation": duty.pk, "kind": "applies_from", "date": D2.isoformat(), "text": ""},
            {"obligation": early.pk, "kind": "applies_from", "date": E.isoformat(), "text": ""},
        ],
    )
    on = D1 + dt.timedelta(days=1)
    instrument = Instrument.objects.prefetch_related("events", "incoming_amendments").get(pk=act.pk)
    with django_assert_max_num_queries(5):
        state = as_of(instrument, on)
    assert [(o.key, o.applies_from) for o in state.obligations] == [("early-duty", E)]


def test_the_timeline_shows_a_pending_amendment_as_proposed_never_in_effect(
    duty, act, amending_act
):
    _amend(
        amending_act,
        act,
        [{"obligation": duty.pk, "kind": "applies_from", "date": D2.isoformat(), "text": ""}],
        effective_on=None,
    )
    lines = [item["what"] for item in timeline(instrument_detail(act.slug))]
    assert any(line.startswith("Proposed, not in effect: ") for line in lines)
    assert not any(line.startswith("In effect: ") for line in lines)


def test_a_move_is_said_in_plain_words_for_each_state_of_its_amendment(duty, act, amending_act):
    from apps.reading.wording import sentence

    _amend(
        amending_act,
        act,
        [{"obligation": duty.pk, "kind": "applies_from", "date": D2.isoformat(), "text": ""}],
    )
    obligation = Obligation.objects.get(pk=duty.pk)
    [step] = _derived(duty, E).history
    assert sentence(obligation, step) == (
        "Article 9 now applies from 1 March 2028 instead of 1 March 2027, "
        "by Testland amending act (in effect 30 June 2026)."
    )
    [ahead] = _derived(duty, E - dt.timedelta(days=1)).scheduled
    assert sentence(obligation, ahead, on=E - dt.timedelta(days=1)).startswith(
        "From 30 June 2026, Testland amending act changes Article 9: it applies from 1 March 2028"
    )


def test_a_scheduled_or_proposed_move_names_the_date_it_would_replace(duty, act, amending_act):
    from apps.reading.wording import sentence

    _amend(
        amending_act,
        act,
        [{"obligation": duty.pk, "kind": "applies_from", "date": D2.isoformat(), "text": ""}],
    )
    later = D2 + dt.timedelta(days=30)
    _amend(
        amending_act,
        act,
        [{"obligation": duty.pk, "kind": "applies_from", "date": later.isoformat(), "text": ""}],
        effective_on=None,
        key="zz-proposed-postponement",
    )
    before = E - dt.timedelta(days=1)
    derived = _derived(duty, before)
    [ahead], [proposed] = derived.scheduled, derived.pending
    assert (ahead.was, ahead.became) == (D1, D2)
    assert (proposed.was, proposed.became) == (D2, later)
    assert derived.applies_from == D1
    assert "instead of 1 March 2027" in sentence(duty, ahead, on=before)
    assert "(proposed, not in effect)" in sentence(duty, proposed, on=before)
    assert "instead of 1 March 2028" in sentence(duty, proposed, on=before)
