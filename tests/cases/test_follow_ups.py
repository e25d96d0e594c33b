"""Follow-up cases: an approved amendment that changes what its target demands flags
the target's obligations for review and opens one follow-up case, per amendment kind."""

from __future__ import annotations

import pytest

from apps.cases import services
from apps.cases.models import Case, Kind, State
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Obligation
from apps.record import services as record
from apps.record.models import AppliedChange
from tests.cases.approval_steps import (
    in_review,
)
from tests.helpers import move, publish

pytestmark = pytest.mark.django_db

ENDING = {
    "amends": "amended",
    "withdraws": "withdrawn",
    "repeals": "repealed",
    "revokes": "revoked",
    "supersedes": "superseded",
}
NOT_ENDING = ["implements", "delegates", "extends", "corrects", "suspends"]


# -- follow-up cases -----------------------------------------------------------------------


def _amendment(kind: str, target: Instrument, key: str = "test-amendment") -> dict:
    values = {
        "key": key,
        "kind": kind,
        "target_instrument": target.pk,
        "effective_on": "2026-01-01",
        "effective_on_precision": "day",
        "provenance": "editorial",
    }
    if kind == "accedes":
        values["source_jurisdiction"] = Jurisdiction.objects.get(code="US").pk
    else:
        values["source_instrument"] = Instrument.objects.get(slug="eu-gdpr").pk
    return values


def _approve_amendment(cast, kind: str, target: Instrument):
    case = in_review(cast["editor"], ("amendment", "create", None, _amendment(kind, target)))
    return case, services.case_approve(case=case, reviewer=cast["reviewer"])


@pytest.mark.parametrize("kind, word", sorted(ENDING.items()))
def test_each_ending_amendment_flags_the_obligations_and_opens_one_follow_up(cast, kind, word):
    act = Instrument.objects.get(slug="in-dpdp-act-2023")
    obligations = set(Obligation.objects.published().filter(instrument=act).values_list("pk"))
    assert len(obligations) > 1 and not act.obligations.filter(needs_review=True).exists()

    case, approval = _approve_amendment(cast, kind, act)

    [follow_up] = approval.follow_ups
    assert list(Case.objects.filter(follows_up=case)) == [follow_up]
    assert follow_up.title == f"Review obligations of {act.title}: {word}"
    assert (follow_up.follows_up, follow_up.instrument) == (case, act)
    assert (follow_up.priority, follow_up.kind, follow_up.state) == (3, Kind.CORRECTION, State.NEW)
    assert follow_up.description == (
        f"{len(obligations)} obligation(s) flagged for review by case #{case.pk}."
    )
    flagged = set(act.obligations.filter(needs_review=True).values_list("pk"))
    assert flagged == obligations
    flags = AppliedChange.objects.filter(case=case, target="obligation")
    assert {(f.row_id,) for f in flags} == obligations
    assert {f.reason for f in flags} == {f"flagged for review: {act.title} {word}"}
    assert all(
        (f.before, f.after) == ({"needs_review": False}, {"needs_review": True}) for f in flags
    )
    assert {f.approver for f in flags} == {cast["reviewer"]}
    # The timeline counts the approved proposal, not the flags and status it brought along.
    assert case.transitions.get(to_state=State.PUBLISHED).note == "approved 1 change(s)"


@pytest.mark.parametrize("kind", ["accedes", *NOT_ENDING])
def test_an_amendment_that_does_not_end_anything_flags_nothing_and_opens_no_follow_up(cast, kind):
    act = Instrument.objects.get(slug="in-dpdp-act-2023")

    case, approval = _approve_amendment(cast, kind, act)

    assert approval.follow_ups == []
    assert not Case.objects.filter(follows_up=case).exists()
    assert not act.obligations.filter(needs_review=True).exists()
    assert not AppliedChange.objects.filter(case=case, target="obligation").exists()


def test_retired_obligations_are_not_flagged_for_review(cast):
    act = Instrument.objects.get(slug="in-dpdp-act-2023")
    gone = act.obligations.order_by("pk").first()
    record.write(target="obligation", action="retire", row=gone, why=record.Why.system("t"))
    gone = Obligation.objects.get(pk=gone.pk)
    published = Obligation.objects.published().filter(instrument=act).count()

    case, approval = _approve_amendment(cast, "repeals", act)

    still = Obligation.objects.get(pk=gone.pk)
    assert (still.needs_review, still.version) == (False, gone.version)
    assert not AppliedChange.objects.filter(case=case, row_id=gone.pk, target="obligation")
    [follow_up] = approval.follow_ups
    assert follow_up.description.startswith(f"{published} obligation(s) flagged")


def test_an_instrument_without_obligations_opens_no_follow_up(cast):
    target = Instrument.objects.get(slug="us-eo-14179")
    assert not target.obligations.exists()

    case, approval = _approve_amendment(cast, "amends", target)

    assert approval.follow_ups == []
    assert not Case.objects.filter(follows_up=case).exists()


def test_an_amendment_that_flags_nothing_does_not_stop_the_next_one_from_opening_its_follow_up(
    cast,
):
    empty = Instrument.objects.get(slug="us-eo-14179")
    act = Instrument.objects.get(slug="in-dpdp-act-2023")
    assert not empty.obligations.exists() and act.obligations.exists()
    # Proposed (so created, so followed up) first: the instrument without obligations.
    case = in_review(
        cast["editor"],
        ("amendment", "create", None, _amendment("amends", empty, key="test-first")),
        ("amendment", "create", None, _amendment("repeals", act, key="test-second")),
    )

    approval = services.case_approve(case=case, reviewer=cast["reviewer"])

    [follow_up] = approval.follow_ups
    assert follow_up.instrument == act
    assert act.obligations.filter(needs_review=True).exists()


def test_obligations_already_flagged_are_not_flagged_again_nor_followed_up_twice(cast):
    act = Instrument.objects.get(slug="in-dpdp-act-2023")
    _approve_amendment(cast, "amends", act)
    second = in_review(
        cast["editor"],
        ("amendment", "create", None, _amendment("supersedes", act, key="test-second")),
    )

    approval = services.case_approve(case=second, reviewer=cast["reviewer"])

    assert approval.follow_ups == []
    assert not AppliedChange.objects.filter(case=second, target="obligation").exists()
    assert Case.objects.filter(follows_up__isnull=False).count() == 1


def test_retiring_an_ending_amendment_opens_no_follow_up(cast):
    act = Instrument.objects.get(slug="in-dpdp-act-2023")
    # Recorded outside a case: nothing flagged yet.
    amendment = record.write(
        target="amendment",
        action="create",
        values=_amendment("repeals", act),
        why=record.Why.system("t"),
    ).row
    case = in_review(cast["editor"], ("amendment", "retire", amendment, None))

    approval = services.case_approve(case=case, reviewer=cast["reviewer"])

    assert approval.follow_ups == []
    assert not act.obligations.filter(needs_review=True).exists()


def test_a_case_creating_one_row_and_updating_another_applies_both(cast):
    act = Instrument.objects.get(slug="in-dpdp-act-2023")
    # The proposals are locked in (target, row) order and a creation has no row yet,
    # so the created amendment comes before the updated instrument.
    case = in_review(
        cast["editor"],
        ("amendment", "create", None, _amendment("implements", act)),
        ("instrument", "update", act, {"summary": "Updated with the amendment."}),
    )

    approval = services.case_approve(case=case, reviewer=cast["reviewer"])

    assert sorted((a.target, a.action) for a in approval.applied) == [
        ("amendment", "create"),
        ("instrument", "update"),
    ]
    assert Instrument.objects.get(pk=act.pk).summary == "Updated with the amendment."


def test_correcting_an_ending_amendments_summary_opens_no_follow_up(cast):
    act = Instrument.objects.get(slug="eu-ai-act")
    assert Obligation.objects.published().filter(instrument=act).exists()
    repeal = record.write(
        target="amendment",
        action="create",
        values={
            "key": "test-repeal-of-the-ai-act",
            "kind": "repeals",
            "source_instrument": Instrument.objects.get(slug="eu-gdpr").pk,
            "target_instrument": act.pk,
            "effective_on": "2030-01-01",
            "effective_on_precision": "day",
        },
        why=record.Why.system("test"),
    ).row
    case = move(
        services.case_open(title="typo", kind="correction", created_by=cast["editor"]),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="amendment",
        action="update",
        row=repeal,
        values={"summary": "A corrected summary."},
    )
    approval = publish(case, cast["editor"], cast["reviewer"])
    assert approval.follow_ups == []
    assert not Obligation.objects.filter(
        instrument=repeal.target_instrument, needs_review=True
    ).exists()


def test_moving_an_ending_amendments_effective_date_reopens_the_obligations(cast):
    act = Instrument.objects.get(slug="eu-ai-act")
    repeal = record.write(
        target="amendment",
        action="create",
        values={
            "key": "test-later-repeal-of-the-ai-act",
            "kind": "repeals",
            "source_instrument": Instrument.objects.get(slug="eu-gdpr").pk,
            "target_instrument": act.pk,
            "effective_on": "2030-01-01",
            "effective_on_precision": "day",
        },
        why=record.Why.system("test"),
    ).row
    case = move(
        services.case_open(title="date", kind="correction", created_by=cast["editor"]),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="amendment",
        action="update",
        row=repeal,
        values={"effective_on": "2029-01-01"},
    )
    approval = publish(case, cast["editor"], cast["reviewer"])
    [follow_up] = approval.follow_ups
    assert follow_up.instrument == act and follow_up.follows_up == case
    assert Obligation.objects.published().filter(instrument=act, needs_review=False).count() == 0
