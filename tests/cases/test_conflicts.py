"""Two cases change one row: the second author is warned, the stale proposal is shown
three ways, rebased field by field, and the timeline says what was chosen."""

from __future__ import annotations

import html

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import strip_tags

from apps.cases import services, steps
from apps.cases.models import Case, State
from apps.instruments.models import Instrument
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def eo():
    return Instrument.objects.get(slug="us-eo-14110")


def _open(cast, who: str, title: str) -> Case:
    return services.case_open(title=title, kind="correction", created_by=cast[who])


def _propose_through_the_form(client, case: Case, eo: Instrument, **changes):
    url = reverse("admin:cases_case_propose_update", args=[case.pk, "instrument", eo.pk])
    data = form_data(client.get(url).context["form"])  # as the browser posts it
    data.update(changes)
    return client.post(url, data, follow=True)


@pytest.fixture
def two_cases(client, cast, eo):
    """Case A (editor) and case B (editor2) both change EO 14110's summary; B also its
    issuing body. B is proposed second, through the form."""
    first = _open(cast, "editor", "Summary from the Federal Register")
    services.change_propose(
        case=first,
        actor=cast["editor"],
        target="instrument",
        action="update",
        row=eo,
        values={"summary": "Revoked on 20 January 2025 by EO 14148."},
    )
    second = _open(cast, "editor2", "Summary and issuer")
    client.force_login(cast["editor2"])
    response = _propose_through_the_form(
        client,
        second,
        eo,
        summary="Rescinded in January 2025.",
        issuing_body="The White House",
    )
    return first, second, response


def test_the_second_author_is_warned_with_a_link_to_the_other_case_and_its_author(cast, two_cases):
    first, second, response = two_cases
    assert second.changes.count() == 1
    (warning,) = [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    text = str(warning)
    assert "Another open case already proposes a change to this row" in text
    assert f'href="{reverse("admin:cases_case_change", args=[first.pk])}"' in text
    assert f"case #{first.pk}" in text and "by editor" in text
    # The message is shown with its link, and the case page says it beside the proposal.
    page = response.content.decode()
    link = reverse("admin:cases_case_change", args=[first.pk])
    assert f'<a href="{link}">case #{first.pk} “{first.title}”</a> by editor' in page
    assert "Also proposed in" in page and f"case #{first.pk}" in page


def test_after_the_first_is_published_the_reviewer_rebases_the_second_choosing_fields(
    client, cast, eo, two_cases
):
    first, second, _ = two_cases
    steps.case_submit(case=first, actor=cast["editor"])
    services.case_approve(case=first, reviewer=cast["reviewer"])
    steps.case_submit(case=second, actor=cast["editor2"])

    # Approval is refused, naming the case that moved the row on and its people.
    client.force_login(cast["reviewer2"])
    url = reverse("admin:cases_case_change", args=[second.pk])
    refused = client.post(
        reverse("admin:cases_case_approve", args=[second.pk]), {"confirm": "on"}, follow=True
    )
    (error,) = [str(m) for m in get_messages(refused.wsgi_request) if m.level_tag == "error"]
    assert f"changed since by case #{first.pk} “{first.title}”" in error
    assert "proposed by editor, approved by reviewer" in error

    # The three-way view: when proposed, live now, proposed; a choice where they disagree.
    page = client.get(url)
    (view,) = page.context["change_views"]
    rows = {r.key: r for r in view.three_way.rows}
    summary, issuer = rows["summary"], rows["issuing_body"]
    assert summary.moved and summary.differs and summary.label == "Summary"
    assert html.unescape(strip_tags(summary.base)) == eo.summary  # as it was when proposed
    assert "Revoked on 20 January 2025 by EO 14148." in html.unescape(strip_tags(summary.live))
    assert "Rescinded in January 2025." in html.unescape(strip_tags(summary.mine))
    assert not issuer.moved and "The White House" in strip_tags(issuer.mine)
    assert [r.key for r in view.three_way.choices] == ["summary"]
    body = page.content.decode()
    assert "When proposed" in body and "Live now" in body and "Return and rebase" in body
    assert f'name="choice-{view.change.pk}-summary" value="live"' in body
    approve = {b.verb: b for b in page.context["buttons"]}["Approve and publish"]
    assert not approve.enabled and "rebase" in approve.reason

    # Return and rebase in one step: the live summary stands, the issuer stays proposed.
    response = client.post(
        reverse("admin:cases_case_return_rebase", args=[second.pk]),
        {f"choice-{view.change.pk}-summary": "live"},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    change = second.changes.get()
    live = Instrument.objects.get(pk=eo.pk)
    assert second.state == State.IN_PROGRESS
    assert (change.values, change.base_version) == (
        {"issuing_body": "The White House"},
        live.version,
    )
    entry = second.transitions.order_by("id").last()
    assert entry.actor == cast["reviewer2"] and entry.from_state == entry.to_state
    assert f"from version {live.version - 1} on version {live.version}" in entry.note
    assert "took live: Summary" in entry.note and "kept mine: Issuing body" in entry.note
    assert "took live: Summary" in client.get(url).content.decode()  # on the timeline

    # Submitted again, it publishes on top of the first case's summary.
    steps.case_submit(case=second, actor=cast["editor2"])
    services.case_approve(case=second, reviewer=cast["reviewer2"])
    live.refresh_from_db()
    assert live.summary == "Revoked on 20 January 2025 by EO 14148."
    assert live.issuing_body == "The White House"


def test_the_author_rebases_keeping_their_value_and_the_timeline_records_it(
    client, cast, eo, two_cases
):
    first, second, _ = two_cases
    steps.case_submit(case=first, actor=cast["editor"])
    services.case_approve(case=first, reviewer=cast["reviewer"])
    client.force_login(cast["editor2"])
    (view,) = client.get(reverse("admin:cases_case_change", args=[second.pk])).context[
        "change_views"
    ]
    response = client.post(
        reverse("admin:cases_case_rebase", args=[second.pk, view.change.pk]),
        {f"choice-{view.change.pk}-summary": "mine"},
    )
    assert response.status_code == 302
    change = second.changes.get()
    assert change.values["summary"] == "Rescinded in January 2025."
    assert change.base_version == Instrument.objects.get(pk=eo.pk).version
    note = second.transitions.order_by("id").last().note
    assert "kept mine: Summary, Issuing body" in note and "took live" not in note


def test_taking_the_live_value_everywhere_leaves_nothing_and_is_refused(cast, eo, two_cases):
    first, second, _ = two_cases
    steps.case_submit(case=first, actor=cast["editor"])
    services.case_approve(case=first, reviewer=cast["reviewer"])
    change = second.changes.get()
    with pytest.raises(ValidationError, match="withdraw the proposal instead"):
        services.change_rebase(
            change=change, actor=cast["editor2"], take_live=["summary", "issuing_body"]
        )
    assert second.changes.get().base_version == change.base_version


def test_a_rebase_names_only_fields_the_proposal_changes(cast, eo, two_cases):
    first, second, _ = two_cases
    steps.case_submit(case=first, actor=cast["editor"])
    services.case_approve(case=first, reviewer=cast["reviewer"])
    change = second.changes.get()
    with pytest.raises(ValidationError, match="does not change title"):
        services.change_rebase(change=change, actor=cast["editor2"], take_live=["title"])
    assert second.changes.get().base_version == change.base_version


def test_rebasing_a_proposal_whose_row_did_not_move_changes_and_records_nothing(cast, two_cases):
    _, second, _ = two_cases
    change = second.changes.get()
    entries = second.transitions.count()
    rebased = services.change_rebase(change=change, actor=cast["editor2"])
    assert (rebased.values, rebased.base_version) == (change.values, change.base_version)
    assert second.transitions.count() == entries


def _stale_case(cast, n: int) -> Case:
    from apps.record import services as record
    from apps.record.models import Origin

    case = _open(cast, "editor", f"{n} stale")
    slugs = ["us-eo-14110", "eu-gdpr", "cn-pipl"][:n]
    for slug in slugs:
        services.change_propose(
            case=case,
            actor=cast["editor"],
            target="instrument",
            action="update",
            row=Instrument.objects.get(slug=slug),
            values={"summary": f"Mine for {slug}.", "issuing_body": "Mine"},
        )
    for slug in slugs:  # an administrator's direct edit moves each row on
        record.write(
            target="instrument",
            row=Instrument.objects.get(slug=slug).pk,
            values={"summary": f"Live for {slug}, {n} moved."},
            why=record.Why(Origin.DIRECT, approver=cast["administrator"]),
        )
    return case


def test_the_three_way_views_take_the_same_queries_for_one_stale_proposal_or_three(client, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast["reviewer"])
    counts = []
    for n in (1, 3):
        url = reverse("admin:cases_case_change", args=[_stale_case(cast, n).pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        counts.append(len(queries))
        assert len(page.context["change_views"]) == n
        assert all(v.three_way and v.three_way.choices for v in page.context["change_views"])
        assert "a direct edit by administrator" in page.content.decode()
    assert counts[0] == counts[1]


def test_a_reviewer_returns_and_rebases_a_stale_retirement_in_one_step(client, cast):
    from apps.obligations.models import Obligation
    from apps.record import services as record
    from apps.record.models import Origin

    obligation = Obligation.objects.published().order_by("pk").first()
    case = _open(cast, "editor", "Retire one")
    services.change_propose(
        case=case, actor=cast["editor"], target="obligation", action="retire", row=obligation
    )
    steps.case_submit(case=case, actor=cast["editor"])
    record.write(
        target="obligation",
        row=obligation.pk,
        values={"requirement": "Moved on."},
        why=record.Why(Origin.DIRECT, approver=cast["administrator"]),
    )
    client.force_login(cast["reviewer"])
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "Return and rebase" in page and "a direct edit by administrator" in page
    client.post(reverse("admin:cases_case_return_rebase", args=[case.pk]))
    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS
    assert case.changes.get().base_version == Obligation.objects.get(pk=obligation.pk).version
    assert "rebased the proposal for obligation" in case.transitions.order_by("id").last().note
