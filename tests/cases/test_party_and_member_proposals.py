"""An instrument's identifiers and parties, and a group's memberships, are proposed from
their forms (issue 23), published as proposed, and refused beside the field when wrong."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.record.models import AppliedChange
from tests.admin_forms import form_data
from tests.cases.child_steps import open_case, page_url, post_data, shown_rows
from tests.helpers import publish

pytestmark = pytest.mark.django_db


def _convention() -> Instrument:
    return Instrument.objects.get(slug="coe-ai-convention")


def _g7() -> Jurisdiction:
    return Jurisdiction.objects.get(code="G7")


def _form(client, url):
    return client.get(url).context["form"]


def _post(client, editor, target, row, tables=None, **changes):
    case = open_case(editor)
    client.force_login(editor)
    url = page_url(case, target, row)
    form = _form(client, url)
    if tables is None:
        data = {
            k: v
            for k, v in form_data(form).items()
            if k not in ("events", "parties", "memberships")
        }
        data.update(changes)
    else:
        data = post_data(form, tables, **changes)
    return case, form, client.post(url, data)


# -- parties -------------------------------------------------------------------------


def test_a_party_added_by_its_code_and_one_removed_are_published(client, cast):
    client.force_login(cast["editor"])
    parties = shown_rows(
        _form(client, page_url(open_case(cast["editor"]), "instrument", _convention())), "parties"
    )
    first = parties[0]["jurisdiction"]
    parties[0]["DELETE"] = True
    parties.append(
        {
            "jurisdiction": "br",
            "joined_on": "2025-03",
            "provenance": "editorial",
            "provenance_note": "",
            "citations": "",
        }
    )
    case, _, response = _post(
        client, cast["editor"], "instrument", _convention(), {"parties": parties}
    )
    assert response.status_code == 302, response.context["form"].errors
    publish(case, cast["editor"], cast["reviewer"])

    codes = set(_convention().parties.values_list("jurisdiction__code", flat=True))
    assert "BR" in codes and first not in codes
    added = _convention().parties.get(jurisdiction__code="BR")
    assert (str(added.joined_on), added.joined_on_precision) == ("2025-03-01", "month")
    assert AppliedChange.objects.filter(
        case=case, target="instrument", row_id=_convention().pk
    ).exists()


def test_an_unknown_party_code_is_refused_beside_the_parties_keeping_the_rows(client, cast):
    client.force_login(cast["editor"])
    parties = shown_rows(
        _form(client, page_url(open_case(cast["editor"]), "instrument", _convention())), "parties"
    )
    parties.append(
        {
            "jurisdiction": "XQ",
            "joined_on": "2025",
            "provenance": "editorial",
            "provenance_note": "",
            "citations": "",
        }
    )
    case, _, response = _post(
        client, cast["editor"], "instrument", _convention(), {"parties": parties}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parties"] == [
        f"Party {len(parties)}: no jurisdiction has the code “XQ”."
    ]
    assert 'value="XQ"' in response.content.decode()
    assert case.changes.count() == 0


# -- memberships ---------------------------------------------------------------------


def test_a_member_that_left_and_a_new_member_are_published(client, cast):
    client.force_login(cast["editor"])
    members = shown_rows(
        _form(client, page_url(open_case(cast["editor"]), "jurisdiction", _g7())), "memberships"
    )
    assert len(members) == _g7().memberships.count()
    leaving = members[0]
    leaving["left_on"] = "2026-01-15"
    members.append(
        {
            "member": "BR",
            "joined_on": "2026",
            "left_on": "",
            "provenance": "editorial",
            "provenance_note": "",
            "citations": "",
        }
    )
    case, _, response = _post(
        client, cast["editor"], "jurisdiction", _g7(), {"memberships": members}
    )
    assert response.status_code == 302, response.context["form"].errors
    [change] = case.changes.all()
    assert set(change.values) == {"memberships"}
    publish(case, cast["editor"], cast["reviewer"])

    left = _g7().memberships.get(member__code=leaving["member"])
    assert str(left.left_on) == "2026-01-15" and left.left_on_precision == "day"
    joined = _g7().memberships.get(member__code="BR")
    assert (str(joined.joined_on), joined.joined_on_precision, joined.left_on) == (
        "2026-01-01",
        "year",
        None,
    )


def test_leaving_before_joining_is_refused_beside_the_memberships_when_proposed(client, cast):
    client.force_login(cast["editor"])
    members = shown_rows(
        _form(client, page_url(open_case(cast["editor"]), "jurisdiction", _g7())), "memberships"
    )
    members[0]["joined_on"] = "2020"
    members[0]["left_on"] = "2019"
    case, _, response = _post(
        client, cast["editor"], "jurisdiction", _g7(), {"memberships": members}
    )
    assert response.status_code == 200
    [error] = response.context["form"].errors["memberships"]
    assert "A member cannot leave before it joined." in error
    assert 'value="2019"' in response.content.decode()
    assert case.changes.count() == 0


def test_a_group_cannot_be_its_own_member(client, cast):
    client.force_login(cast["editor"])
    members = shown_rows(
        _form(client, page_url(open_case(cast["editor"]), "jurisdiction", _g7())), "memberships"
    )
    members.append(
        {
            "member": "G7",
            "joined_on": "",
            "left_on": "",
            "provenance": "editorial",
            "provenance_note": "",
            "citations": "",
        }
    )
    _, _, response = _post(client, cast["editor"], "jurisdiction", _g7(), {"memberships": members})
    assert response.status_code == 200
    assert response.context["form"].errors["memberships"] == [
        "A jurisdiction cannot be a member of itself."
    ]


# -- identifiers ---------------------------------------------------------------------


def test_an_identifier_removed_and_one_added_are_published(client, cast):
    client.force_login(cast["editor"])
    form = _form(client, page_url(open_case(cast["editor"]), "instrument", _convention()))
    lines = form.initial["identifiers"].splitlines()
    kept = [*lines[1:], "other CETS-TEST-1"]
    case, _, response = _post(
        client, cast["editor"], "instrument", _convention(), identifiers="\n".join(kept)
    )
    assert response.status_code == 302, response.context["form"].errors
    publish(case, cast["editor"], cast["reviewer"])
    now = {f"{s} {v}" for s, v in _convention().identifiers.values_list("scheme", "value")}
    assert now == set(kept)


def test_an_identifier_another_instrument_holds_is_refused_beside_it_keeping_the_lines(
    client, cast
):
    celex = Instrument.objects.get(slug="eu-ai-act").identifiers.get(scheme="celex").value
    case, _, response = _post(
        client,
        cast["editor"],
        "instrument",
        _convention(),
        identifiers=f"celex {celex}",
        summary="A summary typed with it.",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["identifiers"] == [
        f"celex {celex}: this identifier already belongs to another instrument."
    ]
    html = response.content.decode()
    assert f"celex {celex}" in html and "A summary typed with it." in html
    # Posted without its tables, the form shows the live rows again (and a blank one),
    # never an empty table that, sent back, would propose removing every party.
    parties = _convention().parties.count()
    assert f'name="parties-TOTAL_FORMS" value="{parties + 1}"' in html
    assert case.changes.count() == 0


def test_an_unknown_scheme_is_refused_beside_the_identifiers(client, cast):
    _case, _, response = _post(
        client, cast["editor"], "instrument", _convention(), identifiers="isbn 123"
    )
    assert response.status_code == 200
    assert response.context["form"].errors["identifiers"] == [
        "Line 1: write a known scheme, a space, then the value."
    ]
    assert "isbn 123" in response.content.decode()


# -- one case, from the record page --------------------------------------------------


def test_events_and_the_issuers_members_are_proposed_in_one_case_from_the_record_page(client, cast):
    hiroshima = Instrument.objects.filter(jurisdiction=_g7()).order_by("pk").first()
    client.force_login(cast["editor"])
    propose = reverse("admin:instruments_instrument_propose", args=[hiroshima.pk])
    record = client.get(reverse("admin:instruments_instrument_record", args=[hiroshima.pk]))
    assert "Propose a change to its members" in record.content.decode()

    first = client.post(propose, {"target": "instrument"})
    events_url = first["Location"]
    form = client.get(events_url).context["form"]
    events = shown_rows(form, "events")
    events.append(
        {
            "kind": "announced",
            "date": "2023-05",
            "note": "",
            "provenance": "editorial",
            "provenance_note": "",
            "citations": "",
        }
    )
    assert client.post(events_url, post_data(form, {"events": events})).status_code == 302

    second = client.post(propose, {"target": "jurisdiction", "row": str(_g7().pk)})
    members_url = second["Location"]
    assert "/propose/jurisdiction/" in members_url
    form = client.get(members_url).context["form"]
    members = shown_rows(form, "memberships")
    members.append(
        {
            "member": "BR",
            "joined_on": "2026",
            "left_on": "",
            "provenance": "editorial",
            "provenance_note": "",
            "citations": "",
        }
    )
    assert client.post(members_url, post_data(form, {"memberships": members})).status_code == 302

    [case] = hiroshima.cases.all()
    assert sorted(case.changes.values_list("target", flat=True)) == ["instrument", "jurisdiction"]
    publish(case, cast["editor"], cast["reviewer"])
    assert hiroshima.events.filter(kind="announced", date="2023-05-01").exists()
    assert _g7().memberships.filter(member__code="BR").exists()
    audited = set(AppliedChange.objects.filter(case=case).values_list("target", flat=True))
    assert {"instrument", "jurisdiction"} <= audited
