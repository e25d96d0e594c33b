"""Issue 21: the seed's amendments carry their effects on obligations, loaded through
the one write path like every other child, or proposed as one case with --as-case.

Days are explicit, so the expectations do not drift as the calendar moves.
"""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from apps.amendments.models import Amendment, Effect
from apps.amendments.status import derive_status
from apps.cases import services
from apps.cases.models import Case, State
from apps.dataset import yamlio
from apps.dataset.spec import penalty_list
from apps.instruments.models import Instrument
from apps.obligations.models import Obligation
from apps.reading.obligations import derive, effects_prefetch, instrument_end
from apps.reading.on_a_day import as_of
from apps.record.models import AppliedChange, Origin
from tests.dataset import partial_seed
from tests.helpers import move

pytestmark = pytest.mark.django_db

DELAY = "sb25b-004-delays-colorado-ai-act"
COLORADO_DUTIES = {
    "developer-reasonable-care",
    "deployer-risk-management",
    "ai-interaction-disclosure",
}
ENACTED, POSTPONED = dt.date(2026, 2, 1), dt.date(2026, 6, 30)
DELAY_IN_EFFECT = dt.date(2025, 8, 28)


def _load(folder: Path, **options) -> str:
    out = StringIO()
    call_command("seed_load", folder=folder, stdout=out, **options)
    return out.getvalue()


def _amendments_only(tmp_path: Path, edit=partial_seed.unchanged) -> Path:
    # Effects are children of amendments: amendments.yaml whole, the others empty, over
    # the seeded database; a load deletes nothing it does not hold (partial_seed).
    return partial_seed.only(tmp_path, "amendments.yaml", edit)


def _amendment_row(rows, key=DELAY):
    return next(r for r in rows if r["key"] == key)


def _colorado(on: dt.date) -> dict:
    """The Colorado AI Act's obligations as derived for `on`, its own end included."""
    act = Instrument.objects.get(slug="us-co-sb24-205")
    rows = act.obligations.prefetch_related("penalties", effects_prefetch())
    ended = {act.pk: instrument_end(derive_status(act, on=on))}
    return {d.key: d for d in derive(rows, on, ended_on=ended)}


def test_the_seed_writes_the_effects_of_its_amendments_with_their_dates_of_effect():
    delay = Amendment.objects.get(key=DELAY)
    moves = {(e.obligation.key, e.kind, e.date) for e in delay.effects.all()}
    assert moves == {(key, "applies_from", POSTPONED) for key in COLORADO_DUTIES}
    assert delay.effective_on == DELAY_IN_EFFECT
    omnibus = Amendment.objects.get(key="digital-omnibus-ai-amends-ai-act")
    # Pending until issue 30's sweep found its date of entry into force.
    assert not omnibus.is_pending and omnibus.effective_on == dt.date(2026, 7, 27)
    assert omnibus.effects.get(obligation__key="article-6-1-annex-i-high-risk").date == (
        dt.date(2028, 8, 2)
    )
    sandboxes = omnibus.effects.get(
        obligation__key="article-57-regulatory-sandboxes", kind="requirement"
    )
    assert sandboxes.text.endswith("operational by 2 August 2027.")


def test_effects_the_record_lacks_are_written_by_a_load_and_a_second_load_changes_nothing(
    tmp_path,
):
    delay = Amendment.objects.get(key=DELAY)
    Effect.objects.filter(amendment=delay).delete()
    folder = _amendments_only(tmp_path)

    first = _load(folder, verbosity=2)
    assert "effects: 3 inserted, 0 updated" in first
    assert "seed loaded: 3 inserted, 1 updated" in first  # the amendment, with its effects
    change = AppliedChange.objects.filter(target="amendment", row_id=delay.pk).latest("id")
    assert change.origin == Origin.SEED and len(change.after["effects"]) == 3

    second = _load(folder, verbosity=2)
    assert "effects: 0 inserted, 0 updated" in second and "0 deleted" in second
    assert "seed loaded: 0 inserted, 0 updated" in second
    assert Amendment.objects.get(key=DELAY).version == delay.version + 1


def test_seed_load_as_case_proposes_the_effects_the_record_lacks(cast, tmp_path):
    delay = Amendment.objects.get(key=DELAY)
    Effect.objects.filter(amendment=delay).delete()

    out = _load(_amendments_only(tmp_path), as_case=True, verbosity=0)

    assert "0 new and 1 changed row(s)" in out
    case = Case.objects.latest("id")
    [proposal] = case.changes.all()
    assert (proposal.target, proposal.row_id, set(proposal.values)) == (
        "amendment",
        delay.pk,
        {"effects"},
    )
    assert {(e["kind"], e["date"]) for e in proposal.values["effects"]} == {
        ("applies_from", "2026-06-30")
    }
    assert not Effect.objects.filter(amendment=delay).exists()  # nothing written yet

    case = move(case, cast["editor"], State.TRIAGED, State.IN_PROGRESS, State.IN_REVIEW)
    services.case_approve(case=case, reviewer=cast["reviewer"])

    assert _colorado(dt.date(2026, 7, 1))["deployer-risk-management"].applies_from == POSTPONED


def test_as_case_leaves_an_effect_on_an_obligation_it_also_adds_for_later(tmp_path):
    def new_duty(rows):
        rows.append(
            {
                "instrument": "us-co-sb24-205",
                "key": "zz-new-duty",
                "provision": "C.R.S. 6-1-1799",
                "addressee": "deployer",
                "requirement": "A duty the record does not have yet.",
                "applies_from": "2026-02-01",
                "provenance": "editorial",
            }
        )

    def effect_on_it(rows):
        _amendment_row(rows)["effects"].append(
            {
                "obligation": {"instrument": "us-co-sb24-205", "key": "zz-new-duty"},
                "kind": "applies_from",
                "date": "2026-06-30",
            }
        )

    # The two edited files whole, the others empty, over the seeded database (partial_seed).
    folder = partial_seed.several(
        tmp_path, {"obligations.yaml": new_duty, "amendments.yaml": effect_on_it}
    )

    out = _load(folder, as_case=True, verbosity=0)

    assert "1 new and 0 changed row(s)" in out  # the duty; the amendment's effect waits
    note = Case.objects.latest("id").evidence.get(title="Seed compared with the record").text
    assert f"amendment {DELAY}: effects item naming" in note and "zz-new-duty" in note


def _unknown_obligation(rows):
    _amendment_row(rows)["effects"][1]["obligation"]["key"] = "no-such-duty"


def _obligation_by_key_alone(rows):
    _amendment_row(rows)["effects"][1]["obligation"] = "deployer-risk-management"


@pytest.mark.parametrize(
    ("edit", "as_case", "message"),
    [
        (_unknown_obligation, False, "unknown obligation 'us-co-sb24-205/no-such-duty'"),
        (_unknown_obligation, True, "unknown obligation 'us-co-sb24-205/no-such-duty'"),
        (
            _obligation_by_key_alone,
            False,
            "'deployer-risk-management' must name the obligation by its instrument and key, "
            "as a mapping",
        ),
    ],
)
def test_an_effect_naming_no_known_obligation_is_refused_with_its_file_row_and_key(
    tmp_path, edit, as_case, message
):
    folder = _amendments_only(tmp_path, edit)
    rows = yamlio.load((folder / "amendments.yaml").read_text())
    number = 1 + next(i for i, r in enumerate(rows) if r["key"] == DELAY)
    cases, effects = Case.objects.count(), Effect.objects.count()

    with pytest.raises(CommandError) as refused:
        _load(folder, as_case=as_case, verbosity=0)

    assert f"amendments.yaml row {number} ({DELAY}): effects: obligation: {message}" in str(
        refused.value
    )
    assert "nothing was saved" in str(refused.value)
    assert (Case.objects.count(), Effect.objects.count()) == (cases, effects)


def test_the_colorado_ai_act_derives_its_postponed_date_from_the_day_the_delay_took_effect():
    before = _colorado(DELAY_IN_EFFECT - dt.timedelta(days=1))
    after = _colorado(DELAY_IN_EFFECT + dt.timedelta(days=1))

    assert set(before) == set(after) == COLORADO_DUTIES
    for key in COLORADO_DUTIES:
        assert before[key].applies_from == ENACTED
        assert [s.amendment.key for s in before[key].scheduled] == [DELAY]
        assert after[key].applies_from == POSTPONED
        [step] = after[key].history
        assert (step.amendment.key, step.was, step.became) == (DELAY, ENACTED, POSTPONED)
    # The row keeps the law as enacted; the move is derived.
    stored = Obligation.objects.filter(instrument__slug="us-co-sb24-205")
    assert set(stored.values_list("applies_from", flat=True)) == {ENACTED}


def test_the_repealed_colorado_ai_act_gives_way_to_its_re_enactment_on_new_years_day_2027():
    old, new = (Instrument.objects.get(slug=s) for s in ("us-co-sb24-205", "us-co-sb26-189"))
    last_day, first_day = dt.date(2026, 12, 31), dt.date(2027, 1, 1)

    assert as_of(old, last_day).status.status == "in_force"
    assert {o.key for o in as_of(old, last_day).obligations} == COLORADO_DUTIES
    assert as_of(new, last_day).obligations == []

    assert as_of(old, first_day).status.status == "repealed"
    assert as_of(old, first_day).obligations == []
    assert {o.key for o in as_of(new, first_day).obligations} == {
        "developer-admt-documentation",
        "deployer-notice-and-adverse-outcome",
        "attorney-general-rules",  # due from signature, shown once the act is in force
    }
    # Derived for a later day, the old duties end on the day of the repeal.
    assert {d.applies_until for d in _colorado(dt.date(2027, 2, 1)).values()} == {first_day}


def test_the_omnibus_moves_the_ai_act_date_only_once_its_date_of_effect_is_recorded():
    def article_16():
        rows = Obligation.objects.filter(
            instrument__slug="eu-ai-act", key="article-16-high-risk-provider-obligations"
        ).prefetch_related("penalties", effects_prefetch())
        [derived] = derive(rows, dt.date(2026, 12, 7))
        return derived

    # In force since 2026-07-27: the high-risk duties apply from the new date.
    assert article_16().applies_from == dt.date(2027, 12, 2)

    # Without a date of effect (the record before the sweep) it is pending and moves nothing.
    Amendment.objects.filter(key="digital-omnibus-ai-amends-ai-act").update(
        effective_on=None, effective_on_precision=""
    )
    pending = article_16()
    assert pending.applies_from == dt.date(2026, 8, 2)
    [step] = pending.pending
    assert (step.amendment.key, step.became) == (
        "digital-omnibus-ai-amends-ai-act",
        dt.date(2027, 12, 2),
    )


def test_replaced_penalties_are_read_as_plain_values_and_a_negative_amount_is_refused():
    given = [
        {"applies_to": "company", "max_amount": 35000000, "currency": "EUR", "turnover_percent": 7}
    ]

    assert penalty_list(given) == [
        {
            "applies_to": "company",
            "max_amount": "35000000",
            "currency": "EUR",
            "turnover_percent": "7",
        }
    ]
    assert penalty_list([]) == [] and penalty_list(None) is None
    with pytest.raises(ValidationError, match="negative amount"):
        penalty_list([{"applies_to": "company", "max_amount": -1}])
    with pytest.raises(ValidationError, match="unknown penalty field"):
        penalty_list([{"applies_to": "company", "fine": 1}])
