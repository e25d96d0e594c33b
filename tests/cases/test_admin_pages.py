"""The case page and queues: content, escaping, proposals from forms, pinned query counts."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils.html import escape, strip_tags

from apps.cases import services
from apps.cases.models import State
from apps.instruments.models import Instrument
from apps.record.models import AppliedChange
from tests.admin_forms import admin_form_data, form_data
from tests.helpers import move, publish

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script><img src=x onerror="alert(1)">'


def _text(page: str) -> str:
    return html.unescape(strip_tags(page))


def _busy_case(cast, n: int):
    case = services.case_open(
        title="Busy",
        kind="source_change",
        instrument=Instrument.objects.get(slug="eu-ai-act"),
        evidence=[
            {
                "kind": "source_change",
                "url": "https://eur-lex.europa.eu/x",
                "title": f"diff {i}",
                "text": f"+ withdrawn {PAYLOAD}",
            }
            for i in range(n)
        ],
    )
    case = move(case, cast["editor"], State.TRIAGED, State.IN_PROGRESS)
    for slug in ["us-eo-14110", "eu-gdpr", "cn-pipl"][:n]:
        services.change_propose(
            case=case,
            actor=cast["editor"],
            target="instrument",
            action="update",
            row=Instrument.objects.get(slug=slug),
            values={"summary": f"New {slug} {PAYLOAD}"},
        )
    for i in range(n):
        services.case_comment(case=case, author=cast["editor"], body=f"note {i} {PAYLOAD}")
    return case


def test_fetched_payloads_are_shown_escaped_on_the_case_page(client, cast):
    case = _busy_case(cast, 2)
    client.force_login(cast["reviewer"])
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "<script>alert" not in page and 'onerror="alert(1)"' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "Busy" in page and "note 1" in page


@pytest.mark.parametrize("n", [1, 3])
def test_the_case_page_takes_a_fixed_number_of_queries(client, cast, n, django_assert_num_queries):
    case = _busy_case(cast, n)
    client.force_login(cast["reviewer"])
    url = reverse("admin:cases_case_change", args=[case.pk])
    client.get(url)  # warm the session and permission caches
    # session, user, case with relations, evidence, transitions (+actors), comments
    # (+authors), changes (+proposers), live rows, their citations, identifiers,
    # events (+their citations) and parties, other open cases' proposals for the
    # same rows, groups for the permission check, assignable users.
    with django_assert_num_queries(19):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("queue", ["mine", "unassigned", "review", "overdue"])
def test_each_queue_takes_a_fixed_number_of_queries(client, cast, queue, django_assert_num_queries):
    for i in range(4):
        case = services.case_open(title=f"case {i}", kind="correction", due_on=dt.date(2020, 1, 1))
        services.case_assign(case=case, assignee=cast["reviewer"], actor=cast["reviewer"])
    client.force_login(cast["reviewer"])
    url = reverse("admin:cases_case_changelist") + f"?queue={queue}"
    client.get(url)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200


def test_the_queues_hold_what_their_names_say(client, cast):
    mine = services.case_open(title="Mine-case", kind="correction")
    services.case_assign(case=mine, assignee=cast["editor"], actor=cast["editor"])
    services.case_open(title="Nobody-case", kind="correction", due_on=dt.date(2020, 1, 1))
    client.force_login(cast["editor"])
    base = reverse("admin:cases_case_changelist")
    assert "Mine-case" in client.get(base + "?queue=mine").content.decode()
    assert "Nobody-case" not in client.get(base + "?queue=mine").content.decode()
    assert "Nobody-case" in client.get(base + "?queue=unassigned").content.decode()
    assert "Nobody-case" in client.get(base + "?queue=overdue").content.decode()
    assert "Mine-case" not in client.get(base + "?queue=overdue").content.decode()


def test_bulk_assign_and_dismiss(client, cast):
    cases = [services.case_open(title=f"bulk {i}", kind="correction") for i in range(3)]
    client.force_login(cast["editor"])
    url = reverse("admin:cases_case_changelist")
    ids = [str(c.pk) for c in cases]
    client.post(url, {"action": "assign_to_me", "_selected_action": ids})
    assert {c.assignee for c in type(cases[0]).objects.filter(pk__in=ids)} == {cast["editor"]}
    client.post(url, {"action": "dismiss_cases", "_selected_action": ids})
    assert set(type(cases[0]).objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        "dismissed"
    }


def test_an_editor_proposes_from_a_prefilled_form_without_leaving_the_admin(client, cast):
    eo = Instrument.objects.get(slug="us-eo-14110")
    case = move(services.case_open(title="Form", kind="correction"), cast["editor"], State.TRIAGED)
    client.force_login(cast["editor"])
    url = reverse("admin:cases_case_propose_update", args=[case.pk, "instrument", eo.pk])
    form_page = client.get(url)
    assert form_page.status_code == 200
    form = form_page.context["form"]
    assert form.initial["title"] == eo.title  # prefilled with the live values
    data = form_data(form)  # every field as the browser posts it
    data["summary"] = "Proposed through the form."
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    change = case.changes.get()
    assert change.values["summary"] == "Proposed through the form."
    assert change.base_version == eo.version
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    # Changed words are marked inside the text: read it as the editor does.
    text = _text(page)
    assert "Proposed through the form." in text and eo.summary[:30] in text
    bad = client.post(url, {**data, "kind": "edict"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


def test_every_curated_row_shows_its_history_newest_first(client, cast, summary_case):
    move(summary_case, cast["editor"], State.IN_REVIEW)
    services.case_approve(case=summary_case, reviewer=cast["reviewer"])
    client.force_login(cast["editor"])
    eo = Instrument.objects.get(slug="us-eo-14110")
    # Editors land on the record page, which lists the history too.
    page = client.get(reverse("admin:instruments_instrument_change", args=[eo.pk]), follow=True)
    body = page.content.decode()
    case_link = reverse("admin:cases_case_change", args=[summary_case.pk])
    assert f'href="{case_link}"' in body
    assert "reviewer" in body and "editor" in body


def test_an_administrators_direct_edit_lands_in_the_audit_trail(client, cast):
    from apps.jurisdictions.models import Jurisdiction

    nz = Jurisdiction.objects.get(code="NZ")
    client.force_login(cast["administrator"])
    url = reverse("admin:jurisdictions_jurisdiction_change", args=[nz.pk])
    data = admin_form_data(client.get(url))
    data["name"] = "New Zealand / Aotearoa"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AppliedChange.objects.get(target="jurisdiction", row_id=nz.pk, origin="direct")
    assert entry.case is None and entry.approver == cast["administrator"]
    # Exactly what the administrator changed: the rest of the form rode along untouched.
    assert entry.before == {"name": "New Zealand"}
    assert entry.after == {"name": "New Zealand / Aotearoa"}
    assert entry.version == nz.version + 1


@pytest.mark.parametrize("n", [1, 3])
def test_a_published_case_shows_what_was_approved_in_a_fixed_number_of_queries(
    client, cast, n, django_assert_num_queries
):
    case = _busy_case(cast, n)
    old = {
        slug: Instrument.objects.get(slug=slug).summary
        for slug in ["us-eo-14110", "eu-gdpr", "cn-pipl"][:n]
    }
    publish(case, cast["editor"], cast["reviewer"])
    # A later edit must not change what the published case says it published.
    Instrument.objects.filter(slug="us-eo-14110").update(version=99)
    client.force_login(cast["reviewer2"])
    url = reverse("admin:cases_case_change", args=[case.pk])
    client.get(url)
    # session, user, the user's and groups' permissions, case with relations,
    # evidence, transitions (+actors), comments (+authors), changes, applied
    # changes (with proposers and approvers), the rows' names, assignable users.
    with django_assert_num_queries(14):
        page = client.get(url).content.decode()
    assert "Published changes" in page
    assert "— stale" not in page and "No field differs" not in page
    assert page.count('class="applied"') == n
    text = _text(page)
    for slug, summary in old.items():
        assert f"New {slug}" in text  # after
        assert summary[:40] in text  # before
    assert escape(PAYLOAD) in page.replace("<ins>", "").replace("</ins>", "")  # escaped
    assert "approved by reviewer" in page


def test_the_existing_row_form_opens_that_rows_proposal_page_without_any_script(client, cast):
    case = services.case_open(title="Existing", kind="correction")
    eo = Instrument.objects.get(slug="us-eo-14110")
    client.force_login(cast["editor"])
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "onsubmit" not in page  # the CSP would not run it
    url = reverse("admin:cases_case_propose_existing", args=[case.pk])
    response = client.get(url, {"kind": "instrument", "row": str(eo.pk)})
    assert response["Location"] == reverse(
        "admin:cases_case_propose_update", args=[case.pk, "instrument", eo.pk]
    )
    assert client.get(url, {"kind": "case", "row": "x"})["Location"].endswith(
        reverse("admin:cases_case_change", args=[case.pk])
    )
