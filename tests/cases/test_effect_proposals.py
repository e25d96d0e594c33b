"""Editors propose an amendment's effects in the same case as the amendment, as child rows of
its proposal form; a bad effect is refused beside the field, by the service and at
approval; an approval flags for review only what the amendment changes, and nothing
while it is pending."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.amendments.effects import derive_obligation
from apps.amendments.models import Amendment
from apps.cases import services
from apps.cases.forms import proposal_form_class, proposal_values
from apps.cases.models import ProposedChange, State
from apps.obligations.models import Obligation
from apps.record import services as record
from apps.record.models import AppliedChange
from apps.record.services import Why
from tests.admin_forms import form_data
from tests.cases.approval_steps import in_review, last_id, nothing_applied, working_case
from tests.cases.effect_steps import (
    D1,
    D2,
    NEW_RULES,
    E,
    amendment_values,
    effect,
    effect_rows,
    posted_amendment,
)
from tests.cases.effect_steps import act as act  # fixtures
from tests.cases.effect_steps import amending_act as amending_act
from tests.cases.effect_steps import duties as duties
from tests.helpers import move, write

pytestmark = pytest.mark.django_db


def _derived(obligation, on):
    return derive_obligation(Obligation.objects.get(pk=obligation.pk), on=on)


def _propose_url(case):
    return reverse("admin:cases_case_propose", args=[case.pk, "amendment"])


def test_an_editor_proposes_two_effects_with_the_amendment_and_a_reviewer_publishes_them(
    client, cast, act, duties, amending_act
):
    article_9, article_10, _ = duties
    case = working_case(cast["editor"])
    client.force_login(cast["editor"])
    rows = [
        {"kind": "applies_from", "obligation": article_9.pk, "date": D2.isoformat()},
        {"kind": "requirement", "obligation": article_10.pk, "text": NEW_RULES},
    ]

    response = client.post(_propose_url(case), posted_amendment(amending_act, act, rows))

    assert response.status_code == 302, response.context["form"].errors
    [change] = case.changes.all()
    assert [(e["obligation"], e["kind"]) for e in change.values["effects"]] == [
        (article_9.pk, "applies_from"),
        (article_10.pk, "requirement"),
    ]
    move(case, cast["editor"], State.IN_REVIEW)
    approval = services.case_approve(case=case, reviewer=cast["reviewer"])

    amendment = Amendment.objects.get(key="zz-postponement")
    assert sorted((e.obligation_id, e.kind) for e in amendment.effects.all()) == [
        (article_9.pk, "applies_from"),
        (article_10.pk, "requirement"),
    ]
    assert _derived(article_9, E).applies_from == D2
    assert _derived(article_9, E.replace(day=29)).applies_from == D1
    assert _derived(article_10, E).requirement == NEW_RULES
    # Only what the effects change is put up for review; Article 11 is untouched.
    flagged = set(act.obligations.filter(needs_review=True).values_list("pk", flat=True))
    assert flagged == {article_9.pk, article_10.pk}
    [follow_up] = approval.follow_ups
    assert follow_up.description.startswith("2 obligation(s) flagged")


def test_the_picker_lists_only_the_targets_published_obligations(act, duties, amending_act):
    record.write(target="obligation", action="retire", row=duties[2], why=Why.system("test"))
    elsewhere = Obligation.objects.exclude(instrument=act).first()

    form = proposal_form_class("amendment")(initial={"target_instrument": act.pk})

    listed = {value for value, _ in form.fields["effects"].obligations if value != ""}
    assert listed == {duties[0].pk, duties[1].pk}
    html = str(form["effects"])
    assert "Article 9 · risk-management" in html and elsewhere.provision not in html
    assert proposal_form_class("amendment")().fields["effects"].obligations == [("", "---------")]


def test_a_target_typed_by_its_slug_lists_its_obligations(act, duties):
    posted = proposal_form_class("amendment")({"target_instrument": act.slug})
    listed = {value for value, _ in posted.fields["effects"].obligations if value != ""}
    assert listed == {d.pk for d in duties}


def test_the_form_says_an_empty_date_of_effect_leaves_the_amendment_pending():
    help_text = proposal_form_class("amendment")().fields["effective_on"].help_text
    assert "Empty while the amending act is only proposed" in help_text
    assert "Set it when the act is adopted" in help_text
    assert "the month (2025-02)" in help_text


def test_a_date_on_an_ending_is_refused_beside_the_effects_and_nothing_typed_is_lost(
    client, cast, act, duties, amending_act
):
    case = working_case(cast["editor"])
    client.force_login(cast["editor"])
    rows = [
        {"kind": "applies_from", "obligation": duties[0].pk, "date": D2.isoformat()},
        {"kind": "ends", "obligation": duties[1].pk, "date": "2029-01-31"},
    ]

    response = client.post(
        _propose_url(case), posted_amendment(amending_act, act, rows, summary="Typed summary.")
    )

    assert response.status_code == 200 and not case.changes.exists()
    [message] = response.context["form"].errors["effects"]
    assert message == (
        "Article 10, ends the obligation: A move of applies from or until names its new "
        "date; no other effect has one."
    )
    page = response.content.decode()
    assert 'value="2029-01-31"' in page and 'value="2028-03-01"' in page
    assert "Typed summary." in page
    assert f'<option value="{duties[1].pk}" selected>' in page


def test_an_obligation_the_picker_does_not_list_is_refused_naming_it(act, duties, amending_act):
    elsewhere = Obligation.objects.exclude(instrument=act).first()
    rows = [{"kind": "ends", "obligation": elsewhere.pk}]
    form = proposal_form_class("amendment")(posted_amendment(amending_act, act, rows))

    assert not form.is_valid()
    assert form.errors["effects"] == [
        f"Effect 1, Obligation: Obligation #{elsewhere.pk} is not a published obligation of "
        "the target instrument: pick one from the list (it lists the target's obligations)."
    ]


def test_the_service_refuses_an_effect_on_another_instruments_obligation(
    cast, act, duties, amending_act
):
    elsewhere = Obligation.objects.exclude(instrument=act).select_related("instrument").first()
    values = amendment_values(amending_act, act, [effect(elsewhere, "ends")])

    with pytest.raises(ValidationError) as refused:
        in_review(cast["editor"], ("amendment", "create", None, values))

    [message] = refused.value.message_dict["effects"]
    assert message.startswith(f"{elsewhere.provision}, ends the obligation: this obligation ")
    assert f"belongs to {elsewhere.instrument.title}, not to {act.title}" in message
    assert not ProposedChange.objects.filter(target="amendment").exists()


def test_a_bad_effect_that_reached_review_is_refused_at_approval_and_nothing_is_applied(
    cast, act, duties, amending_act
):
    # Stored as an older proposal would be, before effects were checked when proposed.
    case = working_case(cast["editor"])
    bad = {**effect(duties[0], "ends"), "date": D2.isoformat()}
    ProposedChange.objects.create(
        case=case,
        target="amendment",
        action="create",
        values=amendment_values(amending_act, act, [bad]),
        proposed_by=cast["editor"],
    )
    case = move(case, cast["editor"], State.IN_REVIEW)
    since = last_id()

    with pytest.raises(ValidationError) as refused:
        services.case_approve(case=case, reviewer=cast["reviewer"])

    assert "names its new date; no other effect has one" in " ".join(refused.value.messages)
    nothing_applied(case, since)
    assert not Amendment.objects.filter(key="zz-postponement").exists()


def test_a_pending_amendment_flags_nothing_and_its_adoption_flags_what_its_effects_name(
    cast, act, duties, amending_act
):
    article_9 = duties[0]
    values = amendment_values(
        amending_act, act, [effect(article_9, "applies_from", date=D2)], effective_on=None
    )
    proposed = services.case_approve(
        case=in_review(cast["editor"], ("amendment", "create", None, values)),
        reviewer=cast["reviewer"],
    )

    assert proposed.follow_ups == []
    assert not act.obligations.filter(needs_review=True).exists()
    assert not AppliedChange.objects.filter(case=proposed.case, target="obligation").exists()
    assert _derived(article_9, D2).applies_from == D1  # a proposal is not law

    amendment = Amendment.objects.get(key="zz-postponement")
    adoption = {"effective_on": E.isoformat(), "effective_on_precision": "day"}
    adopted = services.case_approve(
        case=in_review(cast["editor"], ("amendment", "update", amendment, adoption)),
        reviewer=cast["reviewer"],
    )

    assert set(act.obligations.filter(needs_review=True)) == {article_9}
    [follow_up] = adopted.follow_ups
    assert follow_up.title == f"Review obligations of {act.title}: amended"
    assert _derived(article_9, E).applies_from == D2


def test_changing_only_one_effect_flags_only_its_obligation(cast, act, duties, amending_act):
    article_9, article_10, _ = duties
    amendment = write(
        "amendment",
        amendment_values(
            amending_act,
            act,
            [effect(article_9, "applies_from", date=D2), effect(article_10, "ends")],
        ),
    )
    later = [
        effect(article_9, "applies_from", date=D2.replace(month=9)),
        effect(article_10, "ends"),
    ]

    approval = services.case_approve(
        case=in_review(cast["editor"], ("amendment", "update", amendment, {"effects": later})),
        reviewer=cast["reviewer"],
    )

    assert set(act.obligations.filter(needs_review=True)) == {article_9}
    assert len(approval.follow_ups) == 1


def test_an_ending_of_the_whole_instrument_flags_every_obligation_whatever_its_effects(
    cast, act, duties, amending_act
):
    values = {**amendment_values(amending_act, act, [effect(duties[0], "ends")]), "kind": "repeals"}

    services.case_approve(
        case=in_review(cast["editor"], ("amendment", "create", None, values)),
        reviewer=cast["reviewer"],
    )

    assert set(act.obligations.filter(needs_review=True)) == set(duties)


def test_an_effect_update_from_the_form_proposes_only_the_effects(act, duties, amending_act):
    amendment = write("amendment", amendment_values(amending_act, act, [effect(duties[0], "ends")]))
    form_class = proposal_form_class("amendment")
    form = form_class(instance=amendment)
    assert form.initial["effects"] == [effect(duties[0], "ends")]
    data = {k: v for k, v in form_data(form).items() if k != "effects"}
    data.update(
        effect_rows(
            [
                {"kind": "ends", "obligation": duties[0].pk},
                {
                    "kind": "risk_tier",
                    "obligation": duties[1].pk,
                    "text": "limited risk (transparency)",
                },
            ]
        )
    )
    bound = form_class(data, instance=amendment)

    assert bound.is_valid(), bound.errors
    values = proposal_values("amendment", bound, new=False)
    assert set(values) == {"effects"}
    # A risk tier typed as a reader says it is stored as its code.
    assert values["effects"][1] == {**effect(duties[1], "risk_tier"), "text": "limited"}


def test_an_effect_without_its_obligation_asks_for_it_and_lists_the_posted_targets(
    act, duties, amending_act
):
    # Opened without a target, the form lists no obligation; posted with one, it does.
    data = posted_amendment(amending_act, act, [{"kind": "ends", "obligation": ""}])
    form = proposal_form_class("amendment")(data)

    assert not form.is_valid()
    assert form.errors["effects"] == ["Effect 1, Obligation: Pick the obligation it changes."]
    assert f'<option value="{duties[0].pk}">Article 9 · risk-management' in str(form["effects"])
