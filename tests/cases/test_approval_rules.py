"""The rules of approval one at a time: stale and vanished rows, retirements, and who
may move a case or its proposals when (follow-up cases: test_follow_ups.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.cases import services
from apps.cases.models import Case, State
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Obligation
from apps.record import rows
from apps.record import services as record
from apps.record.models import AppliedChange
from tests.cases.approval_steps import (
    in_review,
    last_id,
    nothing_applied,
    published_elsewhere,
    two_obligations,
    working_case,
)
from tests.helpers import make_testland_law, move, publish

pytestmark = pytest.mark.django_db

ENDING = {
    "amends": "amended",
    "withdraws": "withdrawn",
    "repeals": "repealed",
    "revokes": "revoked",
    "supersedes": "superseded",
}
NOT_ENDING = ["implements", "delegates", "extends", "corrects", "suspends"]


# -- retirements and stale rows ----------------------------------------------------------


def test_a_stale_retirement_is_refused_at_approval_naming_every_stale_row(cast):
    first, second = two_obligations()
    versions = (first.version, second.version)
    case = in_review(
        cast["editor"],
        ("obligation", "retire", first, None),
        ("obligation", "retire", second, None),
    )
    published_elsewhere(
        cast,
        ("obligation", "update", first, {"requirement": "Changed since."}),
        ("obligation", "update", second, {"requirement": "Changed too."}),
    )
    since = last_id()

    with pytest.raises(services.Conflict) as conflict:
        services.case_approve(case=case, reviewer=cast["reviewer"])

    message = str(conflict.value)
    for obligation, version in zip((first, second), versions, strict=True):
        assert rows.label("obligation", obligation) in message
        assert f"proposed against version {version}, now {version + 1}" in message
    assert len(conflict.value.stale) == 2  # the whole case is judged before anything is written
    nothing_applied(case, since)
    assert Obligation.objects.filter(pk__in=[first.pk, second.pk], retired_at=None).count() == 2


def test_a_conflict_names_its_stale_rows_in_lock_order_by_target_then_row(cast):
    first, second = two_obligations()
    law = make_testland_law()
    assert first.pk < second.pk < law.pk  # by id alone the instrument would come last
    # Proposed in neither order.
    case = in_review(
        cast["editor"],
        ("obligation", "update", second, {"requirement": "Mine, second."}),
        ("instrument", "update", law, {"summary": "Mine."}),
        ("obligation", "update", first, {"requirement": "Mine, first."}),
    )
    published_elsewhere(
        cast,
        ("obligation", "update", first, {"requirement": "Theirs, first."}),
        ("obligation", "update", second, {"requirement": "Theirs, second."}),
        ("instrument", "update", law, {"summary": "Theirs."}),
    )

    with pytest.raises(services.Conflict) as conflict:
        services.case_approve(case=case, reviewer=cast["reviewer"])

    in_lock_order = [
        rows.label("instrument", Instrument.objects.get(pk=law.pk)),
        rows.label("obligation", Obligation.objects.get(pk=first.pk)),
        rows.label("obligation", Obligation.objects.get(pk=second.pk)),
    ]
    assert len(conflict.value.stale) == 3
    for note, label in zip(conflict.value.stale, in_lock_order, strict=True):
        assert note.startswith(label), (note, label)


def test_two_proposals_for_one_row_in_one_case_are_refused_at_approval_not_stacked(cast):
    eo = Instrument.objects.get(slug="us-eo-14110")
    # Both are judged against the version they were proposed on: once the first is
    # written, the row has moved on under the second.
    case = in_review(
        cast["editor"],
        ("instrument", "update", eo, {"summary": "First."}),
        ("instrument", "update", eo, {"title": "Second."}),
    )
    since = last_id()

    with pytest.raises(services.Conflict, match=f"proposed against version {eo.version}"):
        services.case_approve(case=case, reviewer=cast["reviewer"])

    nothing_applied(case, since)
    assert Instrument.objects.get(pk=eo.pk).version == eo.version


def test_an_approval_publishes_the_case_in_the_reviewers_name_and_returns_it(cast):
    eo = Instrument.objects.get(slug="us-eo-14110")
    case = in_review(cast["editor"], ("instrument", "update", eo, {"summary": "x"}))

    approval = services.case_approve(case=case, reviewer=cast["reviewer"])

    assert approval.case == case
    assert approval.case.state == State.PUBLISHED
    published = case.transitions.get(to_state=State.PUBLISHED)
    assert (published.from_state, published.actor) == (State.IN_REVIEW, cast["reviewer"])


def test_an_approved_retirement_sets_retired_at_bumps_the_version_and_records_the_row(cast):
    obligation = two_obligations()[0]
    before = rows.snapshot("obligation", rows.fetch("obligation", obligation.pk))
    case = in_review(cast["editor"], ("obligation", "retire", obligation, None))

    approval = services.case_approve(case=case, reviewer=cast["reviewer"])

    retired = Obligation.objects.get(pk=obligation.pk)
    assert retired.retired_at is not None
    assert retired.version == obligation.version + 1
    [entry] = approval.applied
    assert (entry.target, entry.action, entry.row_id) == ("obligation", "retire", obligation.pk)
    assert (entry.before, entry.after, entry.version) == (before, None, retired.version)
    assert (entry.case, entry.proposer, entry.approver) == (case, cast["editor"], cast["reviewer"])


def test_retiring_a_row_already_retired_changes_nothing(cast):
    obligation = two_obligations()[0]
    record.write(target="obligation", action="retire", row=obligation, why=record.Why.system("t"))
    retired = Obligation.objects.get(pk=obligation.pk)
    case = in_review(cast["editor"], ("obligation", "retire", retired, None))
    since = last_id()

    approval = services.case_approve(case=case, reviewer=cast["reviewer"])

    assert approval.applied == []
    assert not AppliedChange.objects.filter(pk__gt=since).exists()
    again = Obligation.objects.get(pk=obligation.pk)
    assert (again.version, again.retired_at) == (retired.version, retired.retired_at)
    assert Case.objects.get(pk=case.pk).state == State.PUBLISHED


@pytest.mark.parametrize("action", ["update", "retire"])
def test_a_row_deleted_after_the_proposal_is_a_conflict_and_nothing_is_applied(cast, action):
    eo = Instrument.objects.get(slug="us-eo-14110")
    obligation = two_obligations("cn-pipl")[0]  # no amendment's effect protects it
    values = {"requirement": "Proposed."} if action == "update" else None
    # The instrument sorts before the obligation: it would be written first.
    case = in_review(
        cast["editor"],
        ("instrument", "update", eo, {"summary": "Would be applied."}),
        ("obligation", action, obligation, values),
    )
    Obligation.objects.filter(pk=obligation.pk).delete()
    since = last_id()

    with pytest.raises(services.Conflict, match="no longer exists") as conflict:
        services.case_approve(case=case, reviewer=cast["reviewer"])

    assert conflict.value.stale == [f"obligation #{obligation.pk} no longer exists"]
    nothing_applied(case, since)
    assert Instrument.objects.get(pk=eo.pk).summary == eo.summary


def test_an_instrument_deleted_after_the_proposal_is_a_conflict(cast):
    law = make_testland_law()  # nothing protects it: no amendment or obligation refers to it
    case = in_review(cast["editor"], ("instrument", "update", law, {"summary": "New."}))
    Instrument.objects.filter(pk=law.pk).delete()
    since = last_id()

    with pytest.raises(services.Conflict, match=f"instrument #{law.pk} no longer exists"):
        services.case_approve(case=case, reviewer=cast["reviewer"])

    nothing_applied(case, since)


# -- who may move what, when ---------------------------------------------------------------


def test_an_approval_by_someone_who_may_not_review_is_refused_saying_who_may(cast):
    eo = Instrument.objects.get(slug="us-eo-14110")
    case = in_review(cast["editor"], ("instrument", "update", eo, {"summary": "x"}))

    # The message is what the case page shows beside the refused button.
    with pytest.raises(PermissionDenied) as refused:
        services.case_approve(case=case, reviewer=cast["editor2"])

    assert str(refused.value) == "Only reviewers approve cases."
    assert Case.objects.get(pk=case.pk).state == State.IN_REVIEW


def test_an_approval_by_a_proposer_is_refused_saying_another_reviewer_must_approve(cast):
    eo = Instrument.objects.get(slug="us-eo-14110")
    case = in_review(cast["reviewer"], ("instrument", "update", eo, {"summary": "x"}))

    with pytest.raises(PermissionDenied) as refused:
        services.case_approve(case=case, reviewer=cast["reviewer"])

    assert str(refused.value) == (
        "You proposed a change in this case: another reviewer must approve it."
    )
    assert Case.objects.get(pk=case.pk).state == State.IN_REVIEW


@pytest.mark.parametrize("kind", ["correction", "new_instrument", "reader_request"])
def test_a_case_without_proposals_is_refused_review(cast, kind):
    case = working_case(cast["editor"], kind=kind)
    with pytest.raises(ValidationError, match="at least one proposed change"):
        move(case, cast["editor"], State.IN_REVIEW)
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS


def test_a_source_change_case_goes_to_review_without_proposals_and_publishes_nothing(cast):
    case = working_case(cast["editor"], kind="source_change")
    case = move(case, cast["editor"], State.IN_REVIEW)
    assert case.state == State.IN_REVIEW

    approval = services.case_approve(case=case, reviewer=cast["reviewer"])

    assert (approval.applied, approval.follow_ups) == ([], [])
    assert Case.objects.get(pk=case.pk).state == State.PUBLISHED
    assert case.transitions.get(to_state=State.PUBLISHED).note == "approved 0 change(s)"


@pytest.mark.parametrize(
    "state, label", [(State.IN_REVIEW, "in review"), (State.DISMISSED, "dismissed")]
)
def test_a_proposal_into_a_case_no_longer_worked_is_refused_naming_its_state(cast, state, label):
    eo = Instrument.objects.get(slug="us-eo-14110")
    case = in_review(cast["editor"], ("instrument", "update", eo, {"summary": "First."}))
    if state != State.IN_REVIEW:
        case = services.case_transition(case=case, to_state=state, actor=cast["reviewer"])

    with pytest.raises(ValidationError) as refused:
        services.change_propose(
            case=case,
            actor=cast["editor"],
            target="instrument",
            action="update",
            row=eo,
            values={"title": "Late."},
        )

    assert f"not in state {label}" in " ".join(refused.value.messages)
    assert case.changes.count() == 1


def test_a_proposal_into_a_published_case_is_refused_naming_its_state(cast):
    eo = Instrument.objects.get(slug="us-eo-14110")
    case = in_review(cast["editor"], ("instrument", "update", eo, {"summary": "First."}))
    services.case_approve(case=case, reviewer=cast["reviewer"])

    with pytest.raises(ValidationError, match="not in state published"):
        services.change_propose(
            case=case,
            actor=cast["editor"],
            target="instrument",
            action="update",
            row=eo,
            values={"title": "Late."},
        )


@pytest.mark.parametrize("action", ["update", "retire"])
def test_an_update_or_retirement_without_its_row_is_refused(cast, action):
    case = working_case(cast["editor"])
    with pytest.raises(ValidationError, match="names its row"):
        services.change_propose(
            case=case, actor=cast["editor"], target="obligation", action=action, values={}
        )
    assert not case.changes.exists()


def test_rebasing_a_proposed_creation_is_a_no_op(cast):
    case = working_case(cast["editor"])
    change = services.change_propose(
        case=case,
        actor=cast["editor"],
        target="jurisdiction",
        action="create",
        values={"code": "ZZ", "name": "Testland", "kind": "country"},
    )

    rebased = services.change_rebase(change=change, actor=cast["editor"])

    assert (rebased.pk, rebased.row_id, rebased.base_version) == (change.pk, None, None)
    assert rebased.values == change.values


def test_a_rebase_revalidates_and_refuses_a_proposal_the_live_row_made_invalid(cast):
    obligation = Obligation.objects.published().filter(applies_from__isnull=False).first()
    until = obligation.applies_from.replace(year=obligation.applies_from.year + 1)
    case = working_case(cast["editor"])
    change = services.change_propose(
        case=case,
        actor=cast["editor"],
        target="obligation",
        action="update",
        row=obligation,
        values={"applies_until": until.isoformat()},
    )
    later = until.replace(year=until.year + 1).isoformat()
    published_elsewhere(cast, ("obligation", "update", obligation, {"applies_from": later}))

    with pytest.raises(ValidationError, match="must start applying before it stops"):
        services.change_rebase(change=change, actor=cast["editor"])

    assert case.changes.get().base_version == obligation.version  # still on the old version


def test_a_row_named_by_reference_is_created_before_the_row_that_names_it(cast):
    """A watcher's case proposes an order and the amendment that names it by slug; the
    reference is refused while the order is neither recorded nor proposed."""
    case = services.case_open(title="new order", kind="source_change")
    us = Jurisdiction.objects.get(code="US")
    target = Instrument.objects.get(slug="us-eo-14110")
    with pytest.raises(ValidationError, match="us-eo-99998 is not in the record"):
        services.change_propose_by_watcher(
            case=case,
            target="amendment",
            values={
                "key": "eo-99998-revokes-eo-14110",
                "kind": "revokes",
                "source_instrument": {"slug": "us-eo-99998"},
                "target_instrument": target.pk,
                "effective_on": "2030-01-01",
                "effective_on_precision": "day",
            },
        )
    services.change_propose_by_watcher(
        case=case,
        target="instrument",
        values={
            "slug": "us-eo-99998",
            "title": "A new order",
            "kind": "executive_order",
            "jurisdiction": us.pk,
            "legal_force": "binding",
            "identifiers": [{"scheme": "eo", "value": "99998"}],
        },
    )
    services.change_propose_by_watcher(
        case=case,
        target="amendment",
        values={
            "key": "eo-99998-revokes-eo-14110",
            "kind": "revokes",
            "source_instrument": {"slug": "us-eo-99998"},
            "target_instrument": target.pk,
            "effective_on": "2030-01-01",
            "effective_on_precision": "day",
        },
    )
    approval = publish(case, cast["editor"], cast["reviewer"])
    created = [(a.target, a.action) for a in approval.applied if a.action == "create"]
    assert created == [("instrument", "create"), ("amendment", "create")]
    order = Instrument.objects.get(slug="us-eo-99998")
    assert order.outgoing_amendments.get().target_instrument == target
