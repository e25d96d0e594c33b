"""Four-eyes publishing: nothing unreviewed is visible; approval applies all or nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.cases import services
from apps.cases.models import Case, State
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.obligations.models import Obligation
from apps.record.models import AppliedChange
from tests.helpers import move

pytestmark = pytest.mark.django_db


def _new_instrument_values() -> dict:
    return {
        "slug": "us-eo-99999",
        "title": "A new executive order",
        "kind": "executive_order",
        "jurisdiction": Jurisdiction.objects.get(code="US").pk,
        "legal_force": "binding",
        "provenance": "editorial",
        "topics": ["test"],
        "pillars": ["data"],
        "identifiers": [{"scheme": "eo", "value": "99999", "provenance": "editorial"}],
    }


def test_a_proposed_instrument_is_invisible_until_a_different_reviewer_approves(cast):
    case = services.case_open(title="New EO", kind="new_instrument", created_by=cast["editor"])
    case = move(case, cast["editor"], State.TRIAGED, State.IN_PROGRESS)
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="create",
        values=_new_instrument_values(),
    )
    case = move(case, cast["editor"], State.IN_REVIEW)
    assert not Instrument.objects.published().filter(slug="us-eo-99999").exists()

    approval = services.case_approve(case=case, reviewer=cast["reviewer"])

    created = Instrument.objects.published().get(slug="us-eo-99999")
    assert created.identifiers.get().value == "99999"
    entry = approval.applied[0]
    assert entry.before is None
    assert entry.after["title"] == "A new executive order"
    assert entry.after["identifiers"] == [
        {"scheme": "eo", "value": "99999", "provenance": "editorial", "provenance_note": ""}
    ]
    assert (entry.proposer, entry.approver, entry.case) == (cast["editor"], cast["reviewer"], case)
    assert Case.objects.get(pk=case.pk).state == State.PUBLISHED


def test_an_approved_update_records_before_and_after_and_bumps_the_version(cast, summary_case):
    eo = Instrument.objects.get(slug="us-eo-14110")
    old_summary, old_version = eo.summary, eo.version
    move(summary_case, cast["editor"], State.IN_REVIEW)
    assert Instrument.objects.get(pk=eo.pk).summary == old_summary  # still unpublished
    services.case_approve(case=summary_case, reviewer=cast["reviewer"])
    eo.refresh_from_db()
    assert (eo.summary, eo.version) == ("Corrected summary.", old_version + 1)
    entry = AppliedChange.objects.get(case=summary_case)
    assert entry.before["summary"] == old_summary and entry.after["summary"] == "Corrected summary."


def test_a_retired_row_leaves_the_published_queryset(cast):
    obligation = Obligation.objects.filter(instrument__slug="eu-ai-act").first()
    case = move(
        services.case_open(title="Retire", kind="correction", created_by=cast["editor"]),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    services.change_propose(
        case=case, actor=cast["editor"], target="obligation", action="retire", row=obligation
    )
    move(case, cast["editor"], State.IN_REVIEW)
    services.case_approve(case=case, reviewer=cast["reviewer"])
    assert not Obligation.objects.published().filter(pk=obligation.pk).exists()
    assert Obligation.objects.filter(pk=obligation.pk).exists()  # kept for history


def test_self_approval_is_refused(cast):
    eo = Instrument.objects.get(slug="us-eo-14110")
    case = move(
        services.case_open(title="x", kind="correction", created_by=cast["reviewer"]),
        cast["reviewer"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="update",
        row=eo,
        values={"summary": "By the editor."},
    )
    services.change_propose(
        case=case,
        actor=cast["reviewer"],
        target="jurisdiction",
        action="update",
        row=eo.jurisdiction,
        values={"summary": "Mine."},
    )
    move(case, cast["reviewer"], State.IN_REVIEW)
    with pytest.raises(PermissionDenied, match="another reviewer"):
        services.case_approve(case=case, reviewer=cast["reviewer"])
    with pytest.raises(PermissionDenied, match="Only reviewers"):
        services.case_approve(case=case, reviewer=cast["editor"])
    assert Instrument.objects.get(pk=eo.pk).summary != "By the editor."
    services.case_approve(case=case, reviewer=cast["reviewer2"])


@pytest.mark.parametrize("target", [State.IN_REVIEW, State.PUBLISHED, State.IN_PROGRESS])
def test_skipping_states_is_refused(cast, target):
    case = services.case_open(title="x", kind="correction", created_by=cast["editor"])
    with pytest.raises((PermissionDenied, ValidationError)):
        services.case_transition(case=case, to_state=target, actor=cast["administrator"])
    assert Case.objects.get(pk=case.pk).state == State.NEW


def test_approving_a_case_that_is_not_in_review_is_refused(cast, summary_case):
    with pytest.raises(ValidationError, match="Only a case in review"):
        services.case_approve(case=summary_case, reviewer=cast["reviewer"])


def test_an_editor_cannot_return_or_publish_and_an_empty_case_cannot_go_to_review(cast):
    case = move(
        services.case_open(title="x", kind="correction", created_by=cast["editor"]),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    with pytest.raises(ValidationError, match="at least one proposed change"):
        move(case, cast["editor"], State.IN_REVIEW)


def test_a_stale_proposal_fails_approval_as_a_whole_and_can_be_rebased(cast, summary_case):
    gdpr = Instrument.objects.get(slug="eu-gdpr")
    services.change_propose(
        case=summary_case,
        actor=cast["editor"],
        target="instrument",
        action="update",
        row=gdpr,
        values={"summary": "New GDPR summary."},
    )
    # Another case changes EO 14110 first and is published.
    other = move(
        services.case_open(title="y", kind="correction", created_by=cast["editor2"]),
        cast["editor2"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    eo = Instrument.objects.get(slug="us-eo-14110")
    services.change_propose(
        case=other,
        actor=cast["editor2"],
        target="instrument",
        action="update",
        row=eo,
        values={"summary": "First."},
    )
    services.case_approve(
        case=move(other, cast["editor2"], State.IN_REVIEW), reviewer=cast["reviewer"]
    )
    move(summary_case, cast["editor"], State.IN_REVIEW)
    before = AppliedChange.objects.count()

    with pytest.raises(services.Conflict) as conflict:
        services.case_approve(case=summary_case, reviewer=cast["reviewer2"])

    assert "Executive Order 14110" in str(conflict.value) or eo.title in str(conflict.value)
    base = summary_case.changes.get(target="instrument", row_id=eo.pk).base_version
    assert f"proposed against version {base}, now {base + 1}" in str(conflict.value)
    assert AppliedChange.objects.count() == before  # nothing applied, not even GDPR
    assert Instrument.objects.get(pk=gdpr.pk).summary != "New GDPR summary."
    assert Case.objects.get(pk=summary_case.pk).state == State.IN_REVIEW
    assert summary_case.changes.count() == 2  # nothing lost

    move(summary_case, cast["reviewer2"], State.IN_PROGRESS)
    stale = summary_case.changes.get(row_id=eo.pk)
    services.change_rebase(change=stale, actor=cast["editor"])
    move(summary_case, cast["editor"], State.IN_REVIEW)
    services.case_approve(case=summary_case, reviewer=cast["reviewer2"])
    assert Instrument.objects.get(pk=eo.pk).summary == "Corrected summary."


def test_a_published_withdrawal_flags_obligations_and_opens_a_follow_up(
    cast, django_capture_on_commit_callbacks
):
    act = Instrument.objects.get(slug="eu-ai-act")
    source = Instrument.objects.get(slug="eu-commission-withdrawals-2025")
    case = move(
        services.case_open(title="AI Act repealed?", kind="source_change"),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="amendment",
        action="create",
        values={
            "key": "test-ai-act-amended",
            "kind": "amends",
            "source_instrument": source.pk,
            "target_instrument": act.pk,
            "effective_on": "2026-01-01",
            "effective_on_precision": "day",
            "provenance": "editorial",
        },
    )
    move(case, cast["editor"], State.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        approval = services.case_approve(case=case, reviewer=cast["reviewer"])
    assert Obligation.objects.filter(instrument=act, needs_review=False).count() == 0
    [follow_up] = approval.follow_ups
    assert follow_up.follows_up == case and follow_up.instrument == act
    assert follow_up.state == State.NEW


def test_applied_change_ids_only_grow(cast, summary_case):
    first = AppliedChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    services.case_approve(
        case=move(summary_case, cast["editor"], State.IN_REVIEW), reviewer=cast["reviewer"]
    )
    assert AppliedChange.objects.filter(case=summary_case).get().id > first


def test_a_proposal_is_validated_by_the_model_rules_when_proposed(cast):
    eo = Instrument.objects.get(slug="us-eo-14110")
    case = move(
        services.case_open(title="x", kind="correction", created_by=cast["editor"]),
        cast["editor"],
        State.TRIAGED,
    )
    with pytest.raises(ValidationError, match="is not a valid choice"):
        services.change_propose(
            case=case,
            actor=cast["editor"],
            target="instrument",
            action="update",
            row=eo,
            values={"kind": "edict"},
        )
    with pytest.raises(ValidationError, match="cannot amend itself"):
        services.change_propose(
            case=case,
            actor=cast["editor"],
            target="amendment",
            action="create",
            values={
                "key": "self",
                "kind": "amends",
                "source_instrument": eo.pk,
                "target_instrument": eo.pk,
                "effective_on": "2025-01-01",
                "effective_on_precision": "day",
                "provenance": "editorial",
            },
        )
    assert not case.changes.exists()


def test_a_rebased_form_proposal_keeps_the_edit_another_case_published(cast):
    from apps.record import rows

    eo = Instrument.objects.get(slug="us-eo-14110")
    ours = move(
        services.case_open(title="ours", kind="correction"),
        cast["editor"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    # A form posts every field of the row; only the summary was edited.
    full = {**rows.snapshot("instrument", eo), "summary": "Our summary."}
    change = services.change_propose(
        case=ours, actor=cast["editor"], target="instrument", action="update", row=eo, values=full
    )
    assert set(change.values) == {"summary"}

    theirs = move(
        services.case_open(title="theirs", kind="correction"),
        cast["editor2"],
        State.TRIAGED,
        State.IN_PROGRESS,
    )
    services.change_propose(
        case=theirs,
        actor=cast["editor2"],
        target="instrument",
        action="update",
        row=eo,
        values={"title": "Their new title"},
    )
    services.case_approve(
        case=move(theirs, cast["editor2"], State.IN_REVIEW), reviewer=cast["reviewer"]
    )

    services.change_rebase(change=change, actor=cast["editor"])
    services.case_approve(
        case=move(ours, cast["editor"], State.IN_REVIEW), reviewer=cast["reviewer"]
    )
    eo.refresh_from_db()
    assert (eo.title, eo.summary) == ("Their new title", "Our summary.")


def test_proposals_are_frozen_while_the_case_is_in_review(cast, summary_case):
    move(summary_case, cast["editor"], State.IN_REVIEW)
    change = summary_case.changes.get()
    with pytest.raises(ValidationError, match="return it to the editor first"):
        services.change_rebase(change=change, actor=cast["editor"])
    with pytest.raises(ValidationError, match="return it to the editor first"):
        services.change_withdraw(change=change, actor=cast["editor"])
    assert summary_case.changes.count() == 1


def test_a_proposal_that_changes_nothing_is_refused(cast, summary_case):
    eo = Instrument.objects.get(slug="us-eo-14110")
    with pytest.raises(ValidationError, match="changes nothing"):
        services.change_propose(
            case=summary_case,
            actor=cast["editor"],
            target="instrument",
            action="update",
            row=eo,
            values={"title": eo.title},
        )


def test_approval_revalidates_and_refuses_a_proposal_that_became_invalid(cast):
    cases = []
    for editor in ("editor", "editor2"):
        case = move(
            services.case_open(title=f"new EO by {editor}", kind="new_instrument"),
            cast[editor],
            State.TRIAGED,
            State.IN_PROGRESS,
        )
        values = {**_new_instrument_values(), "identifiers": []}
        services.change_propose(
            case=case, actor=cast[editor], target="instrument", action="create", values=values
        )
        cases.append(move(case, cast[editor], State.IN_REVIEW))
    services.case_approve(case=cases[0], reviewer=cast["reviewer"])
    before = AppliedChange.objects.count()
    # Valid when proposed; the slug was taken by the first case since.
    with pytest.raises(ValidationError, match="with this Slug already exists"):
        services.case_approve(case=cases[1], reviewer=cast["reviewer"])
    assert AppliedChange.objects.count() == before
    assert Instrument.objects.filter(slug="us-eo-99999").count() == 1
    assert Case.objects.get(pk=cases[1].pk).state == State.IN_REVIEW
